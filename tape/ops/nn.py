"""Neural-network ops: softmax and cross-entropies, convolutions, pooling, dropout.

Convolutions follow TensorFlow: ``conv2d`` and its two backprops are primitives whose gradient
rules are written with each other, so derivatives of any order stay convolutions. Spatial ops
take NHWC tensors and HWIO filters; ``'SAME'`` padding splits the padding as TensorFlow does
(the extra row or column goes after).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._batch import elementwise as _elementwise_rule
from .._batch import fold, folded, lifted_along, reduction, unfold
from .._record import bind
from .._registry import defprim
from .._tensor import Tensor, scalarize, wrap
from .._tensor import peek as _peek
from .._tensor import value_of as _value
from .._trace import call
from . import elementwise as ew
from ._define import apply
from .creation import convert_to_tensor
from .reductions import _reduced_sum, reduce_mean, reduce_sum
from .shape import broadcast_to, cast, expand_dims, getitem, reshape, transpose

# Forward functions get NumPy values: their maxima call the ufunc's C-level ``reduce``,
# skipping the Python-level wrapper behind ``x.max()`` (sums: ``_reduced_sum``).
_MAX = np.maximum.reduce


def _expand(g: Any, axis: int) -> Any:
    """``np.expand_dims(g, axis)`` for a negative ``axis``; a reshape on NumPy values."""
    if isinstance(g, (np.ndarray, np.generic)):
        k = g.ndim + 1 + axis
        return g.reshape(g.shape[:k] + (1,) + g.shape[k:])
    return np.expand_dims(g, axis)


def _floating(x: Any, op: str, what: str = "input") -> Tensor:
    x = convert_to_tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(
            f"{op} needs a floating-point {what}, got dtype {x.dtype}; cast it first "
            "(e.g. tape.cast(x, tape.float32))."
        )
    return x


def _axis(axis: Any, ndim: int, op: str) -> int:
    axis = -1 if axis is None else int(_value(axis))
    if ndim == 0:
        raise ValueError(f"{op} needs a tensor of rank >= 1, got a scalar.")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor of rank {ndim}.")
    return axis % ndim


# --------------------------------------------------------------------------- softmax


def _softmax_fwd(x, axis):
    if x.size == 0:
        return x.copy()
    e = np.exp(x - _MAX(x, axis=axis, keepdims=True))
    return e / _reduced_sum(e, axis, True)


def _log_softmax_fwd(x, axis):
    if x.size == 0:
        return x.copy()
    shifted = x - _MAX(x, axis=axis, keepdims=True)
    return shifted - np.log(_reduced_sum(np.exp(shifted), axis, True))


def _softmax_rule(g, ans, x, axis):  # d softmax = s * (dx - <s, dx>): its own transpose
    return ans * (g - _reduced_sum(g * ans, axis, True))


_softmax = defprim(
    "softmax", _softmax_fwd, _softmax_rule, jvps=(_softmax_rule,), batch=reduction
)
_log_softmax = defprim(
    "log_softmax", _log_softmax_fwd,
    lambda g, ans, x, axis: g - np.exp(ans) * _reduced_sum(g, axis, True),
    jvps=(lambda t, ans, x, axis: t - np.sum(np.exp(ans) * t, axis=axis, keepdims=True),),
    batch=reduction,
)


def softmax(logits: Any, axis: int | None = None, name: str | None = None) -> Tensor:
    """``exp(logits) / sum(exp(logits), axis)`` along ``axis`` (the last when None), computed
    after subtracting the maximum so that large logits do not overflow.

    >>> import tape
    >>> tape.nn.softmax(tape.constant([0.0, 1000.0])).numpy()
    array([0., 1.], dtype=float32)
    """
    x = _floating(logits, "softmax", "logits")
    return bind(_softmax, x, axis=_axis(axis, x.ndim, "softmax"))


def log_softmax(logits: Any, axis: int | None = None, name: str | None = None) -> Tensor:
    """``logits - log(sum(exp(logits), axis))`` along ``axis`` (the last when None): finite
    and exact for large logits, where ``log(softmax(logits))`` would give ``-inf``.

    >>> import tape
    >>> tape.nn.log_softmax(tape.constant([0.0, 1000.0])).numpy()
    array([-1000.,     0.], dtype=float32)
    """
    x = _floating(logits, "log_softmax", "logits")
    return bind(_log_softmax, x, axis=_axis(axis, x.ndim, "log_softmax"))


# --------------------------------------------------------------------------- cross-entropies


def _xent_fwd(z, x, axis):
    if x.shape[axis] == 0:
        return scalarize(np.sum(z * x, axis=axis))
    shifted = x - _MAX(x, axis=axis, keepdims=True)
    lse = np.log(_reduced_sum(np.exp(shifted), axis, True))
    return scalarize(_reduced_sum(z * (lse - shifted), axis, False))


def _xent_labels(g, ans, z, x, axis):  # -log_softmax(x)
    return -_expand(g, axis) * apply(_log_softmax, x, axis=axis)


def _xent_logits(g, ans, z, x, axis):  # softmax(x) sum(z) - z
    p = apply(_softmax, x, axis=axis)
    return _expand(g, axis) * (p * _reduced_sum(z, axis, True) - z)


_xent = defprim(
    "softmax_cross_entropy_with_logits", _xent_fwd, _xent_labels, _xent_logits,
    jvps=(
        lambda t, ans, z, x, axis: -np.sum(t * apply(_log_softmax, x, axis=axis), axis=axis),
        lambda t, ans, z, x, axis: np.sum(
            t * (apply(_softmax, x, axis=axis) * np.sum(z, axis=axis, keepdims=True) - z),
            axis=axis,
        ),
    ),
    batch=lifted_along,
)


def softmax_cross_entropy_with_logits(
    labels: Any, logits: Any, axis: int = -1, name: str | None = None
) -> Tensor:
    """``-sum(labels * log_softmax(logits), axis)``: the cross-entropy between the
    distributions ``labels`` and ``softmax(logits)``, one value per row; finite and exact for
    large logits.

    Gradients flow to both arguments (as TensorFlow 2): ``-log_softmax(logits)`` to ``labels``
    and ``softmax(logits) * sum(labels) - labels`` to ``logits``. TensorFlow's kernel returns
    ``softmax(logits) - labels`` for the latter, the same when each row of ``labels`` sums to
    1 (a distribution, as documented); tape gives the exact gradient for other rows too.

    >>> import tape
    >>> loss = tape.nn.softmax_cross_entropy_with_logits([[0.0, 1.0]], [[0.0, 1000.0]])
    >>> loss.numpy()
    array([0.], dtype=float32)
    """
    op = "softmax_cross_entropy_with_logits"
    logits = _floating(logits, op, "logits")
    labels = convert_to_tensor(labels)
    if labels.dtype != logits.dtype:
        labels = cast(labels, logits.dtype)
    try:
        shape = logits.shape
        if labels.shape != shape:
            shape = np.broadcast_shapes(labels.shape, shape)
    except ValueError:
        raise ValueError(
            f"{op}: labels of shape {labels.shape} and logits of shape {logits.shape} must "
            "have the same shape."
        ) from None
    a = _axis(axis, len(shape), op) - len(shape)  # negative: also an axis of the loss's g
    if labels.shape != shape:
        labels = broadcast_to(labels, shape)
    if logits.shape != shape:
        logits = broadcast_to(logits, shape)
    return bind(_xent, labels, logits, axis=a)


def sparse_softmax_cross_entropy_with_logits(
    labels: Any, logits: Any, name: str | None = None
) -> Tensor:
    """``-log_softmax(logits)[..., labels]``: the cross-entropy for integer class ``labels``
    (shape ``logits.shape[:-1]``, each in ``[0, num_classes)``). The gradient with respect to
    ``logits`` is ``softmax(logits) - one_hot(labels)``; ``labels`` get none.

    >>> import tape
    >>> tape.nn.sparse_softmax_cross_entropy_with_logits([1], [[0.0, 1000.0]]).numpy()
    array([0.], dtype=float32)
    """
    op = "sparse_softmax_cross_entropy_with_logits"
    logits = _floating(logits, op, "logits")
    lab = np.asarray(_value(labels))
    if lab.dtype.kind not in "iu":
        raise TypeError(f"{op}: labels must be integers (class indices), got dtype {lab.dtype}.")
    if logits.ndim == 0 or lab.shape != logits.shape[:-1]:
        raise ValueError(
            f"{op}: labels must have the shape of logits without its last axis, got labels "
            f"of shape {lab.shape} and logits of shape {logits.shape}."
        )
    classes = logits.shape[-1]
    if lab.size and (lab.min() < 0 or lab.max() >= classes):
        bad = lab[(lab < 0) | (lab >= classes)].flat[0]
        raise ValueError(
            f"{op}: received a label value of {bad} which is outside the valid range of "
            f"[0, {classes})."
        )
    key = (*np.indices(lab.shape, sparse=True), lab)
    return ew.subtract(0, getitem(log_softmax(logits), key))


def _sigmoid_xent_fwd(z, x):
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


def _sigmoid_xent_labels(g, ans, z, x):
    return -g * x


def _sigmoid_xent_logits(g, ans, z, x):  # smooth everywhere: sigmoid(x) - z, also at x = 0
    return g * (apply(ew.sigmoid.prim, x) - z)


_sigmoid_xent = defprim(
    "sigmoid_cross_entropy_with_logits", _sigmoid_xent_fwd,
    _sigmoid_xent_labels, _sigmoid_xent_logits,
    jvps=(_sigmoid_xent_labels, _sigmoid_xent_logits),
    batch=_elementwise_rule,
)


def sigmoid_cross_entropy_with_logits(
    labels: Any = None, logits: Any = None, name: str | None = None
) -> Tensor:
    """Elementwise ``-z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x))`` for ``labels`` z and
    ``logits`` x, computed as ``max(x, 0) - x z + log(1 + exp(-|x|))`` (finite for any x).

    The gradient is ``sigmoid(x) - z`` for the logits (exact at x = 0 too) and ``-x`` for the
    labels.

    >>> import tape
    >>> tape.nn.sigmoid_cross_entropy_with_logits([1.0, 0.0], [1000.0, -1000.0]).numpy()
    array([0., 0.], dtype=float32)
    """
    op = "sigmoid_cross_entropy_with_logits"
    if labels is None or logits is None:
        raise ValueError(f"{op} needs both labels and logits.")
    logits = _floating(logits, op, "logits")
    labels = convert_to_tensor(labels)
    if labels.dtype != logits.dtype:
        labels = cast(labels, logits.dtype)
    if labels.shape != logits.shape:
        raise ValueError(
            f"{op}: logits and labels must have the same shape, got {logits.shape} and "
            f"{labels.shape}."
        )
    return bind(_sigmoid_xent, labels, logits)


def l2_loss(t: Any, name: str | None = None) -> Tensor:
    """Half the sum of squares, ``sum(t ** 2) / 2``; its gradient is ``t``.

    >>> import tape
    >>> float(tape.nn.l2_loss(tape.constant([3.0, 4.0])))
    12.5
    """
    t = _floating(t, "l2_loss")
    return ew.multiply(reduce_sum(ew.square(t)), 0.5)


# --------------------------------------------------------------------------- dropout, bias, moments

_dropout_rng = np.random.default_rng()


def dropout(
    x: Any, rate: Any, noise_shape: Any = None, seed: int | None = None, name: str | None = None
) -> Tensor:
    """Zero each element with probability ``rate`` and scale the others by ``1 / (1 - rate)``.

    The mask is a constant: the gradient is the same mask. Elements along axes where
    ``noise_shape`` is 1 share one decision. With ``seed`` the mask comes from
    ``numpy.random.default_rng(seed)`` (the same mask at every call); without it, from one
    generator seeded from the OS at import (a new mask at every call). ``rate == 0``
    returns ``x`` unchanged, as TensorFlow.

    >>> import tape
    >>> tape.nn.dropout(tape.ones([2, 3]), rate=0.5, seed=1).numpy()
    array([[2., 2., 0.],
           [2., 0., 0.]], dtype=float32)
    """
    x = _floating(x, "dropout")
    rate = float(_value(rate))
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be a float in the range [0, 1), got {rate}.")
    if rate == 0:
        return x
    if noise_shape is None:
        shape = x.shape
    else:
        dims = np.atleast_1d(np.asarray(_value(noise_shape), dtype=object)).tolist()
        if len(dims) != x.ndim:
            raise ValueError(
                f"dropout: noise_shape {tuple(dims)} must have one entry per axis of x "
                f"(shape {x.shape})."
            )
        shape = tuple(n if d is None else int(d) for d, n in zip(dims, x.shape))
        if any(d not in (1, n) for d, n in zip(shape, x.shape)):
            raise ValueError(
                f"dropout: noise_shape {shape} is not broadcastable to the shape of x "
                f"{x.shape}: each entry must be 1 or the size of that axis."
            )
    # (a draw: inside tape.function, made on every call)
    return ew.multiply(x, call(_dropout_mask, seed, shape, rate, x.dtype, keep=False))


def _dropout_mask(seed: Any, shape: tuple[int, ...], rate: float, dtype: np.dtype) -> Tensor:
    """Dropout's scaled mask: 1 / (1 - rate) where an element is kept, 0 where dropped."""
    gen = np.random.default_rng(seed) if seed is not None else _dropout_rng
    keep = gen.random(shape) >= rate
    return wrap(np.where(keep, 1 / (1 - rate), 0).astype(dtype))


def bias_add(
    value: Any, bias: Any, data_format: str | None = None, name: str | None = None
) -> Tensor:
    """``value + bias`` with the 1-D ``bias`` added along the channel axis: the last axis, or
    axis 1 when ``data_format`` starts with ``'NC'``.

    >>> import tape
    >>> tape.nn.bias_add(tape.zeros([2, 3]), [1.0, 2.0, 3.0]).numpy()
    array([[1., 2., 3.],
           [1., 2., 3.]], dtype=float32)
    """
    value = convert_to_tensor(value)
    bias = convert_to_tensor(bias)
    channels_first = data_format is not None and data_format.upper().startswith("NC")
    if value.ndim < 2:
        raise ValueError(f"bias_add: value must have rank >= 2, got shape {value.shape}.")
    axis = 1 if channels_first else value.ndim - 1
    if bias.ndim != 1 or bias.shape[0] != value.shape[axis]:
        raise ValueError(
            f"bias_add: bias must be 1-D with as many entries as value's channel axis "
            f"({value.shape[axis]}), got shape {bias.shape}."
        )
    if channels_first:
        bias = reshape(bias, (-1,) + (1,) * (value.ndim - 2))
    return ew.add(value, bias)


def moments(
    x: Any, axes: Any, shift: Any = None, keepdims: bool = False, name: str | None = None
) -> tuple[Tensor, Tensor]:
    """Mean and variance of ``x`` over ``axes``: ``(mean(x), mean((x - mean(x)) ** 2))``.

    Unlike TensorFlow, the mean inside the variance is not wrapped in ``stop_gradient``: the
    first derivatives agree, and second derivatives of the variance are exact. ``shift`` is
    accepted and ignored, as in TensorFlow 2.

    >>> import tape
    >>> [float(m) for m in tape.nn.moments(tape.constant([1.0, 2.0, 3.0]), axes=[0])]
    [2.0, 0.6666666865348816]
    """
    x = _floating(x, "moments")
    mean = reduce_mean(x, axes, keepdims=True)
    variance = reduce_mean(ew.square(ew.subtract(x, mean)), axes, keepdims=True)
    if not keepdims:
        kept = {a % x.ndim for a in np.atleast_1d(_value(axes)).tolist()} if x.ndim else set()
        shape = tuple(n for i, n in enumerate(x.shape) if i not in kept)
        mean, variance = reshape(mean, shape), reshape(variance, shape)
    return mean, variance


# --------------------------------------------------------------------------- windows
# Static geometry of a spatial op: ``strides``, ``dilations`` and ``pads`` (before, after) for
# H and W. An output pixel (a, b) sees padded input rows a*sh + i*dh, i < kh (same for W).


def _pad(x, pads, fill=0):
    (pt, pb), (pl, pr) = pads
    if pt or pb or pl or pr:
        return np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=fill)
    return x


def _out_size(n, k, stride, dilation, pad):
    return (n + pad[0] + pad[1] - (k - 1) * dilation - 1) // stride + 1


def _windows(xp, ksize, strides, dilations, out):
    """The (N, OH, OW, KH, KW, C) view of the windows of the padded NHWC input ``xp``."""
    n, _, _, c = xp.shape
    s0, s1, s2, s3 = xp.strides
    shape = (n, *out, *ksize, c)
    step = (s0, s1 * strides[0], s2 * strides[1], s1 * dilations[0], s2 * dilations[1], s3)
    return as_strided(xp, shape, step, writeable=False)


def _fold(cols, in_shape, strides, dilations, pads):
    """The transpose of taking windows: add each window (N, OH, OW, KH, KW, C) back where it
    came from, then crop the padding."""
    n, oh, ow, kh, kw, c = cols.shape
    (pt, pb), (pl, pr) = pads
    h, w = in_shape[1], in_shape[2]
    xp = np.zeros((n, h + pt + pb, w + pl + pr, c), dtype=cols.dtype)
    sh, sw = strides
    for i in range(kh):
        r = i * dilations[0]
        for j in range(kw):
            s = j * dilations[1]
            xp[:, r : r + (oh - 1) * sh + 1 : sh, s : s + (ow - 1) * sw + 1 : sw] += cols[
                :, :, :, i, j
            ]
    return np.ascontiguousarray(xp[:, pt : pt + h, pl : pl + w])


def _geometry_out(shape, ksize, strides, dilations, pads):
    return tuple(
        _out_size(shape[1 + d], ksize[d], strides[d], dilations[d], pads[d]) for d in range(2)
    )


# --------------------------------------------------------------------------- convolution


def _conv_fwd(x, w, strides, pads, dilations):
    out = _geometry_out(x.shape, w.shape[:2], strides, dilations, pads)
    cols = _windows(_pad(x, pads), w.shape[:2], strides, dilations, out)
    return np.tensordot(cols, w, axes=3)


def _conv_input_fwd(w, g, input_shape, strides, pads, dilations):
    cols = np.tensordot(g, w, axes=([3], [3]))  # (N, OH, OW, KH, KW, C)
    return _fold(cols, input_shape, strides, dilations, pads)


def _conv_filter_fwd(x, g, filter_shape, strides, pads, dilations):
    cols = _windows(_pad(x, pads), filter_shape[:2], strides, dilations, g.shape[1:3])
    return np.tensordot(cols, g, axes=([0, 1, 2], [0, 1, 2]))


# Batching rules. A batch of images (B, N, H, W, C) is one stack of B * N images (folded);
# a batch of filters (B, KH, KW, C, O) is one filter of B * O output channels against one
# stack of images, and otherwise a product of each example's windows with its own filter.


def _conv_batch(prim, args, batched, ndims, rank, static, size):
    x, w = args
    if not batched[1]:
        return unfold(_conv_fwd(fold(x), w, **static), size)
    kh, kw, c, o = w.shape[1:]
    if not batched[0]:
        out = _conv_fwd(x, np.moveaxis(w, 0, -2).reshape(kh, kw, c, size * o), **static)
        return np.moveaxis(out.reshape(*out.shape[:3], size, o), 3, 0)
    strides, pads, dilations = static["strides"], static["pads"], static["dilations"]
    out = _geometry_out(x.shape[1:], (kh, kw), strides, dilations, pads)
    cols = _windows(_pad(fold(x), pads), (kh, kw), strides, dilations, out)
    y = np.matmul(cols.reshape(size, -1, kh * kw * c), w.reshape(size, kh * kw * c, o))
    return y.reshape(size, x.shape[1], *out, o)


def _conv_input_batch(prim, args, batched, ndims, rank, static, size):
    w, g = args
    if not batched[0]:
        return folded(prim, args, batched, ndims, rank, static, size)
    st = dict(static)
    n, h, wd, c = st.pop("input_shape")
    kh, kw, _, o = w.shape[1:]
    wt = np.swapaxes(w.reshape(size, kh * kw * c, o), 1, 2)  # (B, O, KH KW C)
    cols = np.matmul(np.reshape(g, (size if batched[1] else 1, -1, o)), wt)
    cols = cols.reshape(size * n, *np.shape(g)[-3:-1], kh, kw, c)
    return unfold(_fold(cols, (size * n, h, wd, c), st["strides"], st["dilations"], st["pads"]),
                  size)


def _conv_filter_batch(prim, args, batched, ndims, rank, static, size):
    x, g = args
    kh, kw, c, o = static["filter_shape"]
    strides, pads, dilations = static["strides"], static["pads"], static["dilations"]
    out = np.shape(g)[-3:-1]
    xs = fold(x) if batched[0] else x
    cols = _windows(_pad(xs, pads), (kh, kw), strides, dilations, out)
    cols = cols.reshape(size if batched[0] else 1, -1, kh * kw * c)
    gs = np.reshape(g, (size if batched[1] else 1, -1, o))
    return np.matmul(np.swapaxes(cols, 1, 2), gs).reshape(size, kh, kw, c, o)


# conv2d(x, w) is bilinear; its transposes are conv2d_backprop_input (in x) and
# conv2d_backprop_filter (in w). Each of the three is the transpose of the others.
_conv = defprim(
    "conv2d", _conv_fwd,
    lambda g, ans, x, w, **st: apply(_conv_input, w, g, input_shape=np.shape(x), **st),
    lambda g, ans, x, w, **st: apply(_conv_filter, x, g, filter_shape=np.shape(w), **st),
    jvps=(
        lambda t, ans, x, w, **st: apply(_conv, t, w, **st),
        lambda t, ans, x, w, **st: apply(_conv, x, t, **st),
    ),
    batch=_conv_batch,
)
_conv_input = defprim(
    "conv2d_backprop_input", _conv_input_fwd,
    lambda g, ans, w, dy, input_shape, **st: apply(
        _conv_filter, g, dy, filter_shape=np.shape(w), **st
    ),
    lambda g, ans, w, dy, input_shape, **st: apply(_conv, g, w, **st),
    jvps=(
        lambda t, ans, w, dy, **st: apply(_conv_input, t, dy, **st),
        lambda t, ans, w, dy, **st: apply(_conv_input, w, t, **st),
    ),
    batch=_conv_input_batch,
)
_conv_filter = defprim(
    "conv2d_backprop_filter", _conv_filter_fwd,
    lambda g, ans, x, dy, filter_shape, **st: apply(
        _conv_input, g, dy, input_shape=np.shape(x), **st
    ),
    lambda g, ans, x, dy, filter_shape, **st: apply(_conv, x, g, **st),
    jvps=(
        lambda t, ans, x, dy, **st: apply(_conv_filter, t, dy, **st),
        lambda t, ans, x, dy, **st: apply(_conv_filter, x, t, **st),
    ),
    batch=_conv_filter_batch,
)


def _spatial(value: Any, name: str, channels_first: bool, default: int = 1) -> tuple[int, int]:
    """Strides, dilations or ksize as TensorFlow takes them: an int, or 1, 2 or 4 ints (the
    batch and channel entries of 4 must be 1)."""
    if value is None:
        return (default, default)
    v = [int(n) for n in np.atleast_1d(_value(value))]
    if len(v) == 1:
        v = v * 2
    elif len(v) == 4:
        outer = (v[0], v[1]) if channels_first else (v[0], v[3])
        if outer != (1, 1):
            raise ValueError(
                f"{name} in the batch and channel dimensions must be 1, got {v}."
            )
        v = v[2:] if channels_first else v[1:3]
    elif len(v) != 2:
        raise ValueError(f"{name} must be an int or a list of 1, 2 or 4 ints, got {value!r}.")
    if min(v) < 1:
        raise ValueError(f"{name} must be positive, got {value!r}.")
    return (v[0], v[1])


def _pads(
    padding: Any, in_hw: tuple, ksize: tuple, strides: tuple, dilations: tuple, op: str,
    channels_first: bool = False, explicit: bool = True,
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Padding (before, after) of H and W: TensorFlow's SAME arithmetic, VALID, or explicit."""
    if isinstance(padding, str):
        mode = padding.upper()
        if mode == "VALID":
            return ((0, 0), (0, 0))
        if mode == "SAME":
            pads = []
            for n, k, s, d in zip(in_hw, ksize, strides, dilations):
                total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
                pads.append((total // 2, total - total // 2))
            return (pads[0], pads[1])
    elif explicit:
        p = np.asarray(padding, dtype=np.int64) if np.ndim(padding) else None
        if p is not None and p.shape == (4, 2) and (p >= 0).all():
            outer = p[[0, 1]] if channels_first else p[[0, 3]]
            if outer.any():
                raise ValueError(f"{op}: explicit padding of the batch and channel axes must be 0.")
            hw = p[2:] if channels_first else p[1:3]
            return ((int(hw[0, 0]), int(hw[0, 1])), (int(hw[1, 0]), int(hw[1, 1])))
    allowed = "'SAME', 'VALID' or a list of 4 [before, after] pairs" if explicit else (
        "'SAME' or 'VALID'"
    )
    raise ValueError(f"{op}: padding must be {allowed}, got {padding!r}.")


def _check_out(out: tuple, op: str, shape: tuple, ksize: tuple) -> None:
    if min(out) < 1:
        raise ValueError(
            f"{op}: the window {ksize} does not fit in the (padded) input of spatial shape "
            f"{shape}: the output would be empty. Use padding='SAME' or a smaller window."
        )


def _to_nhwc(x: Tensor, channels_first: bool) -> Tensor:
    return transpose(x, (0, 2, 3, 1)) if channels_first else x


def _from_nhwc(y: Tensor, channels_first: bool) -> Tensor:
    return transpose(y, (0, 3, 1, 2)) if channels_first else y


def _data_format(data_format: str, op: str, allowed: tuple[str, str]) -> bool:
    if data_format not in allowed:
        raise ValueError(f"{op}: data_format must be one of {allowed}, got {data_format!r}.")
    return data_format == allowed[1]


def conv2d(
    input: Any,
    filters: Any,
    strides: Any,
    padding: Any,
    data_format: str = "NHWC",
    dilations: Any = None,
    name: str | None = None,
) -> Tensor:
    """2-D convolution (cross-correlation, as TensorFlow) of a batch of images ``input``
    (N, H, W, C) with ``filters`` (KH, KW, C, O), giving (N, OH, OW, O).

    ``strides`` and ``dilations`` are an int or 1, 2 or 4 ints; ``padding`` is ``'VALID'``
    (no padding), ``'SAME'`` (OH = ceil(H / stride); the padding total is split with the
    extra row after) or explicit ``[[0, 0], [top, bottom], [left, right], [0, 0]]``. Leading
    batch axes beyond N are allowed. Derivatives of every order are convolutions.

    >>> import tape
    >>> x = tape.ones([1, 3, 3, 1]); w = tape.ones([2, 2, 1, 1])
    >>> tape.nn.conv2d(x, w, strides=1, padding="SAME").numpy()[0, :, :, 0]
    array([[4., 4., 2.],
           [4., 4., 2.],
           [2., 2., 1.]], dtype=float32)
    """
    op = "conv2d"
    cf = _data_format(data_format, op, ("NHWC", "NCHW"))
    x = _floating(input, op)
    w = convert_to_tensor(filters)
    if w.dtype != x.dtype:
        raise TypeError(
            f"{op}: input and filters must have the same dtype, got {x.dtype} and {w.dtype}; "
            "cast one of them with tape.cast."
        )
    if x.ndim < 4 or w.ndim != 4:
        raise ValueError(
            f"{op}: input must have rank >= 4 and filters rank 4 ([height, width, in, out]), "
            f"got shapes {x.shape} and {w.shape}."
        )
    batch = x.shape[:-3]
    if len(batch) > 1:
        x = reshape(x, (-1, *x.shape[-3:]))
    x = _to_nhwc(x, cf)
    if x.shape[3] != w.shape[2]:
        raise ValueError(
            f"{op}: input has {x.shape[3]} channels but filters expect {w.shape[2]} "
            f"(filters have shape {w.shape})."
        )
    strides = _spatial(strides, "strides", cf)
    dil = _spatial(dilations, "dilations", cf)
    pads = _pads(padding, x.shape[1:3], w.shape[:2], strides, dil, op, cf)
    out = _geometry_out(x.shape, w.shape[:2], strides, dil, pads)
    _check_out(out, op, x.shape[1:3], w.shape[:2])
    y = _from_nhwc(bind(_conv, x, w, strides=strides, pads=pads, dilations=dil), cf)
    if len(batch) > 1:
        y = reshape(y, (*batch, *y.shape[1:]))
    return y


def conv2d_transpose(
    input: Any,
    filters: Any,
    output_shape: Any,
    strides: Any,
    padding: Any = "SAME",
    data_format: str = "NHWC",
    dilations: Any = None,
    name: str | None = None,
) -> Tensor:
    """The transpose of :func:`conv2d` (its gradient with respect to its input): maps
    ``input`` (N, H, W, O) to ``output_shape`` (N, OH, OW, C) with ``filters``
    (KH, KW, C, O), for which ``conv2d`` with the same arguments would give ``input``'s shape.
    """
    op = "conv2d_transpose"
    cf = _data_format(data_format, op, ("NHWC", "NCHW"))
    dy = _to_nhwc(_floating(input, op), cf)
    w = convert_to_tensor(filters)
    shape = tuple(int(n) for n in np.atleast_1d(_value(output_shape)))
    if len(shape) != 4 or dy.ndim != 4 or w.ndim != 4:
        raise ValueError(
            f"{op}: input, filters and output_shape must describe rank-4 tensors, got "
            f"{dy.shape}, {w.shape} and {shape}."
        )
    if cf:
        shape = (shape[0], shape[2], shape[3], shape[1])
    strides = _spatial(strides, "strides", cf)
    dil = _spatial(dilations, "dilations", cf)
    pads = _pads(padding, shape[1:3], w.shape[:2], strides, dil, op, cf)
    out = _geometry_out(shape, w.shape[:2], strides, dil, pads)
    if (shape[0], *out, w.shape[3]) != dy.shape or shape[3] != w.shape[2]:
        raise ValueError(
            f"{op}: a conv2d of output_shape {shape} with filters {w.shape} gives shape "
            f"{(shape[0], *out, w.shape[3])}, but input has shape {dy.shape}."
        )
    y = bind(_conv_input, w, dy, input_shape=shape, strides=strides, pads=pads, dilations=dil)
    return _from_nhwc(y, cf)


def _one(v: Any, what: str, op: str, channels_first: bool) -> int:
    """A 1-D stride, dilation or window: an int, or 1 or 3 ints (batch and channel ones 1)."""
    s = [int(n) for n in np.atleast_1d(_value(v))]
    if len(s) == 3:
        if (s[0], s[1] if channels_first else s[2]) != (1, 1):
            raise ValueError(f"{op}: {what} in the batch and channel dimensions must be 1.")
        s = [s[2] if channels_first else s[1]]
    if len(s) != 1 or s[0] < 1:
        raise ValueError(f"{op}: {what} must be a positive int or 1 or 3 ints, got {v!r}.")
    return s[0]


def conv1d(
    input: Any,
    filters: Any,
    stride: Any,
    padding: Any,
    data_format: str = "NWC",
    dilations: Any = None,
    name: str | None = None,
) -> Tensor:
    """1-D convolution of ``input`` (N, W, C) with ``filters`` (K, C, O), giving (N, OW, O):
    :func:`conv2d` on images of height 1, as TensorFlow computes it.

    >>> import tape
    >>> tape.nn.conv1d(tape.ones([1, 4, 1]), tape.ones([2, 1, 1]), 1, "VALID").numpy()[0, :, 0]
    array([2., 2., 2.], dtype=float32)
    """
    op = "conv1d"
    cf = _data_format(data_format, op, ("NWC", "NCW"))
    x = _floating(input, op)
    w = convert_to_tensor(filters)
    if x.ndim < 3 or w.ndim != 3:
        raise ValueError(
            f"{op}: input must have rank >= 3 and filters rank 3 ([width, in, out]), got "
            f"shapes {x.shape} and {w.shape}."
        )
    s = _one(stride, "stride", op, cf)
    d = 1 if dilations is None else _one(dilations, "dilations", op, cf)
    if not isinstance(padding, str):
        raise ValueError(f"{op}: padding must be 'SAME' or 'VALID', got {padding!r}.")
    axis = -2 if cf else -3  # the new height axis
    y = conv2d(
        expand_dims(x, axis), expand_dims(w, 0), strides=[1, s], padding=padding,
        data_format="NCHW" if cf else "NHWC", dilations=[1, d],
    )
    shape = list(y.shape)
    del shape[axis]
    return reshape(y, shape)


# --------------------------------------------------------------------------- pooling


def _max_index(x, ksize, strides, pads):
    """Flat index into ``x`` of each window's first maximum (row-major in the window)."""
    n, h, w, c = x.shape
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    out = _geometry_out(x.shape, ksize, strides, (1, 1), pads)
    win = _windows(_pad(x, pads, fill), ksize, strides, (1, 1), out)
    k = np.argmax(win.transpose(0, 1, 2, 5, 3, 4).reshape(n, *out, c, ksize[0] * ksize[1]), -1)
    i, j = np.divmod(k, ksize[1])
    rows = np.arange(out[0])[:, None, None] * strides[0] + i - pads[0][0]
    cols = np.arange(out[1])[:, None] * strides[1] + j - pads[1][0]
    return ((np.arange(n)[:, None, None, None] * h + rows) * w + cols) * c + np.arange(c)


def _max_pool_fwd(x, ksize, strides, pads):
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    out = _geometry_out(x.shape, ksize, strides, (1, 1), pads)
    return np.max(_windows(_pad(x, pads, fill), ksize, strides, (1, 1), out), axis=(3, 4))


def _scatter_fwd(g, index, shape):
    flat = np.bincount(index.ravel(), weights=g.ravel(), minlength=int(np.prod(shape)))
    return flat.astype(g.dtype).reshape(shape)


def _gather_fwd(x, index):
    return np.reshape(x, -1)[index]


def _scatter_batch(prim, args, batched, ndims, rank, static, size):
    """Each example's values added into its own block of ``size`` blocks."""
    index, shape = static["index"], tuple(static["shape"])
    block = int(np.prod(shape))
    at = np.arange(size).reshape((size,) + (1,) * np.ndim(index)) * block + index
    return _scatter_fwd(np.broadcast_to(args[0], at.shape), at, (size, *shape))


def _gather_batch(prim, args, batched, ndims, rank, static, size):
    return np.reshape(args[0], (size, -1))[:, static["index"]]


# Scatter (add g at flat indices) and gather (read at flat indices) are each other's transpose.
_scatter = defprim(
    "pool_scatter", _scatter_fwd,
    lambda g, ans, u, index, shape: apply(_gather, g, index=index), linear=True,
    batch=_scatter_batch,
)
_gather = defprim(
    "pool_gather", _gather_fwd,
    lambda g, ans, x, index: apply(_scatter, g, index=index, shape=np.shape(x)), linear=True,
    batch=_gather_batch,
)


def _max_pool_rule(g, ans, x, **geo):  # all of g to the first maximum of each window
    return apply(_scatter, g, index=_max_index(_value(x), **geo), shape=np.shape(x))


_max_pool = defprim(
    "max_pool2d", _max_pool_fwd, _max_pool_rule,
    jvps=(lambda t, ans, x, **geo: apply(_gather, t, index=_max_index(_value(x), **geo)),),
    batch=folded,
)


def _avg_counts(shape, ksize, strides, pads, dtype):
    """How many input (not padding) elements each window averages."""
    ones = np.ones((1, shape[1], shape[2], 1), dtype=dtype)
    out = _geometry_out(shape, ksize, strides, (1, 1), pads)
    return np.sum(_windows(_pad(ones, pads), ksize, strides, (1, 1), out), axis=(3, 4))


def _avg_pool_fwd(x, ksize, strides, pads):
    out = _geometry_out(x.shape, ksize, strides, (1, 1), pads)
    sums = np.sum(_windows(_pad(x, pads), ksize, strides, (1, 1), out), axis=(3, 4))
    return sums / _avg_counts(x.shape, ksize, strides, pads, x.dtype)


def _avg_pool_grad_fwd(g, input_shape, ksize, strides, pads):
    g = g / _avg_counts(input_shape, ksize, strides, pads, g.dtype)
    cols = np.broadcast_to(g[:, :, :, None, None, :], (*g.shape[:3], *ksize, g.shape[3]))
    return _fold(cols, input_shape, strides, (1, 1), pads)


# Average pooling is linear; its transpose spreads each average back over its window.
_avg_pool = defprim(
    "avg_pool2d", _avg_pool_fwd,
    lambda g, ans, x, **geo: apply(_avg_pool_grad, g, input_shape=np.shape(x), **geo),
    linear=True, batch=folded,
)
_avg_pool_grad = defprim(
    "avg_pool2d_grad", _avg_pool_grad_fwd,
    lambda g, ans, dy, input_shape, **geo: apply(_avg_pool, g, **geo),
    linear=True, batch=folded,
)


def _pool(prim: Any, op: str, input: Any, ksize: Any, strides: Any, padding: Any,
          data_format: str, explicit: bool) -> Tensor:
    cf = _data_format(data_format, op, ("NHWC", "NCHW"))
    x = convert_to_tensor(input)
    if x.dtype.kind != "f" and (prim is _avg_pool or x.dtype.kind not in "iu"):
        x = _floating(x, op)  # raises: max pooling also takes integers, average pooling not
    if x.ndim != 4:
        raise ValueError(f"{op}: input must have rank 4, got shape {x.shape}.")
    x = _to_nhwc(x, cf)
    k = _spatial(ksize, "ksize", cf)
    s = _spatial(strides, "strides", cf)
    pads = _pads(padding, x.shape[1:3], k, s, (1, 1), op, cf, explicit)
    _check_out(_geometry_out(x.shape, k, s, (1, 1), pads), op, x.shape[1:3], k)
    if max(pads[0]) >= k[0] or max(pads[1]) >= k[1]:
        raise ValueError(f"{op}: explicit padding must be smaller than the window {k}.")
    return _from_nhwc(bind(prim, x, ksize=k, strides=s, pads=pads), cf)


def max_pool2d(
    input: Any,
    ksize: Any,
    strides: Any,
    padding: Any,
    data_format: str = "NHWC",
    name: str | None = None,
) -> Tensor:
    """The maximum of each ``ksize`` window of ``input`` (N, H, W, C), moving by ``strides``.

    ``'SAME'`` padding never wins (it is -inf). Where a window holds several maxima, its
    whole gradient goes to the first in row-major order, as TensorFlow's kernel and JAX's
    (``tape.reduce_max`` shares it instead); overlapping windows add up.

    >>> import tape
    >>> x = tape.reshape(tape.cast(tape.range(16), tape.float32), [1, 4, 4, 1])
    >>> tape.nn.max_pool2d(x, 2, 2, "VALID").numpy()[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
    """
    return _pool(_max_pool, "max_pool2d", input, ksize, strides, padding, data_format, True)


def avg_pool2d(
    input: Any,
    ksize: Any,
    strides: Any,
    padding: Any,
    data_format: str = "NHWC",
    name: str | None = None,
) -> Tensor:
    """The mean of each ``ksize`` window of ``input`` (N, H, W, C), moving by ``strides``.
    With ``'SAME'`` padding a window averages only its input elements, as TensorFlow.

    >>> import tape
    >>> tape.nn.avg_pool2d(tape.ones([1, 3, 3, 1]), 2, 2, "SAME").numpy()[0, :, :, 0]
    array([[1., 1.],
           [1., 1.]], dtype=float32)
    """
    return _pool(_avg_pool, "avg_pool2d", input, ksize, strides, padding, data_format, False)


def _pool1d(pool2d: Any, op: str, input: Any, ksize: Any, strides: Any, padding: Any,
            data_format: str) -> Tensor:
    """A 1-D pooling as the 2-D one on images of height 1, as TensorFlow computes it."""
    cf = _data_format(data_format, op, ("NWC", "NCW"))
    x = convert_to_tensor(input)
    if x.ndim != 3:
        raise ValueError(f"{op}: input must have rank 3, got shape {x.shape}.")
    if not isinstance(padding, str):
        raise ValueError(f"{op}: padding must be 'SAME' or 'VALID', got {padding!r}.")
    axis = -2 if cf else -3
    k, st = _one(ksize, "ksize", op, cf), _one(strides, "strides", op, cf)
    y = pool2d(expand_dims(x, axis), [1, k], [1, st], padding, "NCHW" if cf else "NHWC")
    shape = list(y.shape)
    del shape[axis]
    return reshape(y, shape)


def max_pool1d(
    input: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NWC",
    name: str | None = None,
) -> Tensor:
    """The maximum of each ``ksize`` window of ``input`` (N, W, C): :func:`max_pool2d` on
    images of height 1 (the same tie convention)."""
    return _pool1d(max_pool2d, "max_pool1d", input, ksize, strides, padding, data_format)


def avg_pool1d(
    input: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NWC",
    name: str | None = None,
) -> Tensor:
    """The mean of each ``ksize`` window of ``input`` (N, W, C): :func:`avg_pool2d` on
    images of height 1."""
    return _pool1d(avg_pool2d, "avg_pool1d", input, ksize, strides, padding, data_format)


def _pool_nd(op: str, pools: tuple, input: Any, ksize: Any, strides: Any, padding: Any,
             data_format: str | None) -> Tensor:
    ndim = np.ndim(_peek(input))
    if ndim not in (3, 4):
        raise NotImplementedError(
            f"{op}: tape pools 1-D and 2-D inputs (rank 3 or 4), got rank {ndim}."
        )
    pool = pools[ndim - 3]
    if data_format is None:
        data_format = "NWC" if ndim == 3 else "NHWC"
    return pool(input, ksize, strides, padding, data_format)


def max_pool(
    input: Any, ksize: Any, strides: Any, padding: Any, data_format: str | None = None,
    name: str | None = None,
) -> Tensor:
    """Max pooling of a rank-3 (N, W, C) or rank-4 (N, H, W, C) ``input``: :func:`max_pool1d`
    or :func:`max_pool2d`."""
    return _pool_nd("max_pool", (max_pool1d, max_pool2d), input, ksize, strides, padding,
                    data_format)


def avg_pool(
    input: Any, ksize: Any, strides: Any, padding: Any, data_format: str | None = None,
    name: str | None = None,
) -> Tensor:
    """Average pooling of a rank-3 (N, W, C) or rank-4 (N, H, W, C) ``input``:
    :func:`avg_pool1d` or :func:`avg_pool2d`."""
    return _pool_nd("avg_pool", (avg_pool1d, avg_pool2d), input, ksize, strides, padding,
                    data_format)


__all__ = [
    "avg_pool",
    "avg_pool1d",
    "avg_pool2d",
    "bias_add",
    "conv1d",
    "conv2d",
    "conv2d_transpose",
    "dropout",
    "l2_loss",
    "log_softmax",
    "max_pool",
    "max_pool1d",
    "max_pool2d",
    "moments",
    "sigmoid_cross_entropy_with_logits",
    "softmax",
    "softmax_cross_entropy_with_logits",
    "sparse_softmax_cross_entropy_with_logits",
]
