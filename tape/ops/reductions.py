"""Reductions over axes, cumulative sums and products, norms, argmax.

Products are differentiated without dividing by the input, so zeros are no special case: the
derivative of ``prod(x)`` with respect to ``x_i`` is the product of the other elements, built
from exclusive cumulative products, and the derivatives of ``cumprod`` are first-order linear
recurrences ``h_k = a_k h_(k-1) + b_k`` (a primitive here, whose own derivatives are again such
recurrences), exact at every order.
"""

from __future__ import annotations

import math
import numbers
import operator
import warnings
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from .._batch import lifted_along, reduction
from .._record import bind, holds_tensors, pack
from .._registry import defprim
from .._tensor import Tensor, Variable, as_tensor, scalarize, to_value
from .._tensor import peek as _peek
from .._tensor import value_of as _value
from . import elementwise as ew
from ._define import apply, numpy_function
from .elementwise import real_product
from .shape import _padded, broadcast_to, cast, concat, getitem, reshape


def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """Normalise ``axis`` (None, int, list, tuple or tensor) to a sorted tuple of axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (Tensor, Variable)):
        axis = axis.numpy()
    axes = np.atleast_1d(axis)
    if axes.size == 0:
        return ()
    if axes.dtype.kind not in "iu":
        raise TypeError(f"axis must be an integer or a list of integers, got {axis!r}.")
    out = []
    for a in axes.tolist():
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for a tensor of rank {ndim}.")
        out.append(a % ndim)
    return tuple(sorted(set(out)))


def _axis1(axis: Any, ndim: int, op: str) -> int:
    """One axis, as a non-negative int (cumulative ops)."""
    if isinstance(axis, (Tensor, Variable)):
        axis = axis.numpy()
    if np.ndim(axis) != 0 or not isinstance(axis, numbers.Integral):
        raise TypeError(f"{op}: axis must be a single integer, got {axis!r}.")
    if ndim == 0:
        raise ValueError(f"{op} needs a tensor of rank >= 1, got a scalar.")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor of rank {ndim}.")
    return int(axis) % ndim


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(g: Any, x: Any, axes: tuple[int, ...]) -> Any:
    """The cotangent of a reduction, broadcast back over the reduced axes."""
    return _spread_to(g, np.shape(x), axes)


def _spread_to(g: Any, shape: tuple[int, ...], axes: tuple[int, ...]) -> Any:
    """``g``, a reduction's cotangent, as a read-only view of ``shape`` (no copy)."""
    kept = _kept_shape(shape, axes)
    if isinstance(g, np.generic) or (type(g) is np.ndarray and g.flags.c_contiguous):
        # a first-order sweep: the same read-only view as np.broadcast_to's, made in C
        # (NumPy's broadcast_to is Python-level; other layouts take it, without a copy)
        g = np.ascontiguousarray(g).reshape(kept)
        strides = tuple(0 if i in axes else s for i, s in enumerate(g.strides))
        view = np.ndarray(shape, g.dtype, buffer=g, strides=strides)
        view.flags.writeable = False
        return view
    return np.broadcast_to(np.reshape(g, kept), shape)


def _shape_of(x: Any) -> tuple[int, ...]:
    return x.shape if isinstance(x, (Tensor, Variable)) else np.shape(x)


def _kept(ans: Any, x: Any, axes: tuple[int, ...]) -> Any:
    """A reduction's result with the reduced axes kept (length 1), whatever ``keepdims`` was."""
    return np.reshape(ans, _kept_shape(np.shape(x), axes))


def _reduced_sum(v: Any, axes: Any, keepdims: bool) -> Any:
    """``np.sum(v, axes, keepdims)``; on an array (a forward, a first-order sweep), the
    ufunc's C-level ``reduce``, without NumPy's Python-level wrapper."""
    if type(v) is np.ndarray:
        return np.add.reduce(v, axis=axes, keepdims=keepdims)
    return np.sum(v, axis=axes, keepdims=keepdims)


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    return math.prod(shape[a] for a in axes)


def _ndim(x: Any) -> int:
    return x.ndim if isinstance(x, (Tensor, Variable)) else np.ndim(x)


def _int_dtype(x: Any) -> Any:
    """Integer sums and products keep the input's dtype, as in TensorFlow."""
    dtype = np.result_type(x)
    return dtype if dtype.kind in "iu" else None


# --------------------------------------------------------------------------- sum and mean

# sum and mean take the input's shape as a static argument, so that their rules do not keep
# the input's value alive on the tape.
_sum = defprim(
    "sum",
    lambda x, axes, keepdims, shape: np.sum(x, axis=axes, keepdims=keepdims, dtype=_int_dtype(x)),
    lambda g, ans, x, axes, keepdims, shape: _spread_to(g, shape, axes),
    linear=True,
    batch=reduction, complex=True,
)
def _mean_fwd(x, axes, keepdims, shape):
    # (the array's own method skips np.mean's Python-level wrapper)
    m = np.asarray(x).mean(axis=axes, keepdims=keepdims)
    if x.dtype.kind in "iu":  # TensorFlow's integer mean truncates and keeps the dtype
        m = scalarize(np.asarray(m).astype(x.dtype))
    return m


def _mean_vjp(g, ans, x, axes, keepdims, shape):
    n = _count(shape, axes)
    if n == 0:  # a mean over no elements: its cotangent is empty, nothing to divide
        return _spread_to(g, shape, axes)
    # divided before it is spread: one division per output element, not per input element
    return _spread_to(g / n, shape, axes)


_mean = defprim("mean", _mean_fwd, _mean_vjp, linear=True, batch=reduction, complex=True)


def reduce_sum(
    input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Sum over ``axis`` (all axes when None).

    >>> import tape
    >>> tape.reduce_sum(tape.ones((2, 3)), axis=1).numpy()
    array([3., 3.], dtype=float32)
    """
    return bind(_sum, input_tensor, axes=_axes(axis, _ndim(input_tensor)), keepdims=keepdims,
                shape=_shape_of(input_tensor))


def reduce_mean(
    input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Mean over ``axis`` (all axes when None)."""
    return bind(_mean, input_tensor, axes=_axes(axis, _ndim(input_tensor)), keepdims=keepdims,
                shape=_shape_of(input_tensor))


# --------------------------------------------------------------------------- shifts and scans


def _shift_fwd(x, axis, reverse):
    """Move every element one step along ``axis`` (towards the end; towards the start when
    ``reverse``), filling the vacated place with 0."""
    out = np.zeros_like(x)
    n = np.shape(x)[axis]
    src = [slice(None)] * np.ndim(x)
    dst = [slice(None)] * np.ndim(x)
    if n > 1:
        src[axis], dst[axis] = (slice(1, None), slice(0, -1)) if reverse else (
            slice(0, -1), slice(1, None)
        )
        out[tuple(dst)] = x[tuple(src)]
    return out


_shift = defprim(
    "shift", _shift_fwd,
    lambda g, ans, x, axis, reverse: apply(_shift, g, axis=axis, reverse=not reverse),
    linear=True,
    batch=reduction, complex=True,
)


def _linrec_fwd(a, b, axis, reverse):
    """h_k = a_k h_(k-1) + b_k along ``axis`` (h_(k+1) when ``reverse``), h = 0 before the
    start: a parallel prefix scan in log2(n) vectorised steps.

    A step whose ``b`` part is exactly 0 contributes 0, even if its ``a`` part overflowed.
    """
    a, b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    dtype = np.result_type(a, b)
    A = np.moveaxis(a, axis, -1)
    B = np.moveaxis(b, axis, -1)
    if reverse:
        A, B = A[..., ::-1], B[..., ::-1]
    A, B = A.astype(dtype, copy=True), B.astype(dtype, copy=True)
    n = A.shape[-1]
    d = 1
    with np.errstate(over="ignore", invalid="ignore"):
        while d < n:
            prev = B[..., :-d]
            step = A[..., d:] * prev
            step[prev == 0] = 0
            B[..., d:] += step
            if 2 * d < n:
                A[..., d:] *= A[..., :-d].copy()
            d *= 2
    if reverse:
        B = B[..., ::-1]
    return np.ascontiguousarray(np.moveaxis(B, -1, axis))


def _linrec_vjp_b(g, ans, a, b, axis, reverse):
    # lambda_k = g_k + a_(k+1) lambda_(k+1): the same recurrence, run the other way.
    a_next = apply(_shift, a, axis=axis, reverse=not reverse)
    return apply(_linrec, a_next, g, axis=axis, reverse=not reverse)


def _linrec_vjp_a(g, ans, a, b, axis, reverse):
    return _linrec_vjp_b(g, ans, a, b, axis, reverse) * apply(
        _shift, ans, axis=axis, reverse=reverse
    )


_linrec = defprim(
    "linear_recurrence", _linrec_fwd, _linrec_vjp_a, _linrec_vjp_b,
    jvps=(
        lambda t, ans, a, b, axis, reverse: apply(
            _linrec, a, t * apply(_shift, ans, axis=axis, reverse=reverse), axis=axis,
            reverse=reverse,
        ),
        lambda t, ans, a, b, axis, reverse: apply(_linrec, a, t, axis=axis, reverse=reverse),
    ),
    batch=lifted_along, complex="holomorphic",
)


def _scan(fn, x, axis, exclusive, reverse, fill):
    """A cumulative ``fn`` (np.cumsum, np.cumprod) with TensorFlow's exclusive and reverse."""
    if np.ndim(x) == 0:
        raise ValueError("A cumulative op needs a tensor of rank >= 1, got a scalar.")
    if reverse:
        x = np.flip(x, axis)
    out = fn(x, axis=axis, dtype=_int_dtype(x))
    if exclusive:
        out = _shift_fwd(out, axis, False)
        first = [slice(None)] * out.ndim
        first[axis] = slice(0, 1)
        out[tuple(first)] = fill
    if reverse:
        out = np.flip(out, axis)
    return np.ascontiguousarray(out)


_cumsum = defprim(
    "cumsum", lambda x, axis, exclusive, reverse: _scan(np.cumsum, x, axis, exclusive, reverse, 0),
    lambda g, ans, x, axis, exclusive, reverse: apply(
        _cumsum, g, axis=axis, exclusive=exclusive, reverse=not reverse
    ),
    linear=True,
    batch=reduction, complex=True,
)


def _cumprod_vjp(g, ans, x, axis, exclusive, reverse):
    # d y_k / d x_i = product of x_j over j <= k (j < k if exclusive), j != i. Splitting it at
    # i: (exclusive product up to i) * (a backward recurrence in the later x_j).
    x_next = apply(_shift, x, axis=axis, reverse=not reverse)
    if exclusive:
        g_next = apply(_shift, g, axis=axis, reverse=not reverse)
        return ans * apply(_linrec, x_next, g_next, axis=axis, reverse=not reverse)
    before = apply(_cumprod, x, axis=axis, exclusive=True, reverse=reverse)
    return before * apply(_linrec, x_next, g, axis=axis, reverse=not reverse)


def _cumprod_jvp(t, ans, x, axis, exclusive, reverse):
    # dy_k = x_k dy_(k-1) + t_k y_(k-1): a forward recurrence.
    if exclusive:
        return apply(
            _linrec, apply(_shift, x, axis=axis, reverse=reverse),
            apply(_shift, t * ans, axis=axis, reverse=reverse), axis=axis, reverse=reverse,
        )
    before = apply(_cumprod, x, axis=axis, exclusive=True, reverse=reverse)
    return apply(_linrec, x, t * before, axis=axis, reverse=reverse)


_cumprod = defprim(
    "cumprod",
    lambda x, axis, exclusive, reverse: _scan(np.cumprod, x, axis, exclusive, reverse, 1),
    _cumprod_vjp, jvps=(_cumprod_jvp,),
    batch=reduction, complex="holomorphic",
)


def cumsum(
    x: Any, axis: int = 0, exclusive: bool = False, reverse: bool = False,
    name: str | None = None,
) -> Tensor:
    """Cumulative sum along ``axis``. ``exclusive`` leaves out the current element (the first
    result is 0); ``reverse`` sums from the end.

    >>> import tape
    >>> tape.math.cumsum(tape.constant([1.0, 2.0, 3.0]), exclusive=True).numpy()
    array([0., 1., 3.], dtype=float32)
    """
    ax = _axis1(axis, _ndim(x), "cumsum")
    return bind(_cumsum, x, axis=ax, exclusive=bool(exclusive), reverse=bool(reverse))


def cumprod(
    x: Any, axis: int = 0, exclusive: bool = False, reverse: bool = False,
    name: str | None = None,
) -> Tensor:
    """Cumulative product along ``axis``. ``exclusive`` leaves out the current element (the
    first result is 1); ``reverse`` multiplies from the end. Gradients are exact at zeros (no
    division by the input).

    >>> import tape
    >>> tape.math.cumprod(tape.constant([1.0, 2.0, 3.0]), reverse=True).numpy()
    array([6., 6., 3.], dtype=float32)
    """
    ax = _axis1(axis, _ndim(x), "cumprod")
    return bind(_cumprod, x, axis=ax, exclusive=bool(exclusive), reverse=bool(reverse))


# --------------------------------------------------------------------------- product


def _others(x: Any, axes: tuple[int, ...]) -> Any:
    """For each element, the product of the others in its group over ``axes``: the
    derivative of the group's product, with no division (exact with zeros)."""
    shape = np.shape(x)
    if not axes:  # a product of one element: the others' product is empty, 1
        return np.ones(shape, dtype=np.result_type(_peek(x)))
    rest = [i for i in range(len(shape)) if i not in axes]
    perm = rest + list(axes)
    moved = perm != list(range(len(shape)))
    xt = np.transpose(x, perm) if moved else x
    tshape = tuple(shape[i] for i in perm)
    flat = np.reshape(xt, tshape[: len(rest)] + (_count(shape, axes),))
    k = len(rest)
    left = apply(_cumprod, flat, axis=k, exclusive=True, reverse=False)
    right = apply(_cumprod, flat, axis=k, exclusive=True, reverse=True)
    out = np.reshape(left * right, tshape)
    return np.transpose(out, np.argsort(perm)) if moved else out


_prod = defprim(
    "prod",
    lambda x, axes, keepdims: np.prod(x, axis=axes, keepdims=keepdims, dtype=_int_dtype(x)),
    lambda g, ans, x, axes, keepdims: _spread(g, x, axes) * _others(x, axes),
    jvps=(lambda t, ans, x, axes, keepdims: _reduced_sum(t * _others(x, axes), axes, keepdims),),
    batch=reduction, complex="holomorphic",
)


def reduce_prod(
    input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Product over ``axis`` (all axes when None).

    The gradient of each element is the product of the other elements of its group, computed
    without division: exact with one zero (that element gets the product of the others, the
    rest 0) and with several zeros (all 0), to every order.

    >>> import tape
    >>> x = tape.constant([2.0, 0.0, 3.0])
    >>> with tape.GradientTape() as t:
    ...     t.watch(x)
    ...     y = tape.reduce_prod(x)
    >>> t.gradient(y, x).numpy()
    array([0., 6., 0.], dtype=float32)
    """
    return bind(_prod, input_tensor, axes=_axes(axis, _ndim(input_tensor)), keepdims=keepdims)


# --------------------------------------------------------------------------- max and min


def _extreme_fwd(fn, x, axes, keepdims):
    x = np.asarray(x)
    if x.size and all(x.shape[a] for a in axes):
        return fn(x, axis=axes, keepdims=keepdims)
    # An empty reduction gives the identity, as in TensorFlow: -inf for max, +inf for min.
    if x.dtype.kind == "f":
        init = -np.inf if fn is np.max else np.inf
    else:
        info = np.iinfo(x.dtype)
        init = info.min if fn is np.max else info.max
    return fn(x, axis=axes, keepdims=keepdims, initial=init)


def _tie_weights(ans: Any, x: Any, axes: tuple[int, ...]) -> np.ndarray:
    """1/k on the k elements of a group equal to its max (or min), 0 elsewhere. Piecewise
    constant, so a constant in every derivative."""
    # (on tensors, with ops: a compiled function computes the ties again on every call)
    hit = np.equal(x, np.reshape(ans, _kept_shape(np.shape(x), axes)))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (hit / np.sum(hit, axis=axes, keepdims=True)).astype(x.dtype)


def _extreme(name: str, fn: Any) -> Any:
    return defprim(
        name, lambda x, axes, keepdims: _extreme_fwd(fn, x, axes, keepdims),
        lambda g, ans, x, axes, keepdims: _spread(g, x, axes) * _tie_weights(ans, x, axes),
        jvps=(
            lambda t, ans, x, axes, keepdims: _reduced_sum(
                t * _tie_weights(ans, x, axes), axes, keepdims
            ),
        ),
        batch=reduction,
    )


_max = _extreme("max", np.max)
_min = _extreme("min", np.min)


def reduce_max(
    input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Maximum over ``axis`` (all axes when None); -inf over an empty axis, as TensorFlow.

    When several elements tie for the maximum they share its gradient equally, as in
    TensorFlow and JAX.

    >>> import tape
    >>> x = tape.constant([1.0, 3.0, 3.0])
    >>> with tape.GradientTape() as t:
    ...     t.watch(x)
    ...     y = tape.reduce_max(x)
    >>> t.gradient(y, x).numpy()
    array([0. , 0.5, 0.5], dtype=float32)
    """
    return bind(_max, input_tensor, axes=_axes(axis, _ndim(input_tensor)), keepdims=keepdims)


def reduce_min(
    input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Minimum over ``axis`` (all axes when None); +inf over an empty axis. Ties share the
    gradient equally, as in TensorFlow and JAX."""
    return bind(_min, input_tensor, axes=_axes(axis, _ndim(input_tensor)), keepdims=keepdims)


# --------------------------------------------------------------------------- logsumexp


def _logsumexp_fwd(x, axes, keepdims):
    x = np.asarray(x)
    m = _extreme_fwd(np.max, x, axes, True)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
    if not keepdims:
        out = np.reshape(out, tuple(n for i, n in enumerate(x.shape) if i not in axes))
    return scalarize(out)


def _softmax_weights(ans, x, axes):
    return np.exp(x - _kept(ans, x, axes))


_logsumexp = defprim(
    "logsumexp", _logsumexp_fwd,
    lambda g, ans, x, axes, keepdims: _spread(g, x, axes) * _softmax_weights(ans, x, axes),
    jvps=(
        lambda t, ans, x, axes, keepdims: _reduced_sum(
            t * _softmax_weights(ans, x, axes), axes, keepdims
        ),
    ),
    batch=reduction,
)


def reduce_logsumexp(
    input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """log(sum(exp(x))) over ``axis``, computed stably (the maximum is subtracted first). Its
    gradient is the softmax of x over the reduced axes.

    >>> import tape
    >>> x = tape.constant([1000.0, 1000.0])
    >>> print(f"{float(tape.math.reduce_logsumexp(x)):.2f}")
    1000.69
    """
    return bind(
        _logsumexp, input_tensor, axes=_axes(axis, _ndim(input_tensor)), keepdims=keepdims
    )


# --------------------------------------------------------------------------- variance and std


def _centered(x, axes):
    return x - np.mean(x, axis=axes, keepdims=True)


def _dof(x, axes, ddof) -> float:
    n = _count(np.shape(x), axes) - ddof
    return float(n) if n > 0 else float("nan")


def _var_vjp(g, ans, x, axes, keepdims, ddof):
    return _spread(g, x, axes) * _centered(x, axes) * (2 / _dof(x, axes, ddof))


def _var_jvp(t, ans, x, axes, keepdims, ddof):
    return _reduced_sum(
        real_product(_centered(x, axes), t), axes, keepdims
    ) * (2 / _dof(x, axes, ddof))


def _std_weights(ans, x, axes, ddof):
    # (x - mean) / ((n - ddof) std), and 0 where std == 0 (a subgradient of this kink).
    kept = _kept(ans, x, axes)
    positive = kept > 0
    return np.where(
        positive, _centered(x, axes) / (np.where(positive, kept, 1) * _dof(x, axes, ddof)), 0
    )


def _moment_fwd(fn):
    def fwd(x, axes, keepdims, ddof):
        with np.errstate(invalid="ignore", divide="ignore"):
            return fn(x, axis=axes, keepdims=keepdims, ddof=ddof)

    return fwd


# On complex values the variance is the mean of |x - mean|^2 (NumPy's): real, with gradient
# 2 (x - mean) / dof in TensorFlow's convention, the real formula.
_var = defprim("variance", _moment_fwd(np.var), _var_vjp, jvps=(_var_jvp,), batch=reduction,
               complex=True)
_std = defprim(
    "std", _moment_fwd(np.std),
    lambda g, ans, x, axes, keepdims, ddof: _spread(g, x, axes) * _std_weights(ans, x, axes, ddof),
    jvps=(
        lambda t, ans, x, axes, keepdims, ddof: _reduced_sum(
            real_product(_std_weights(ans, x, axes, ddof), t), axes, keepdims
        ),
    ),
    batch=reduction, complex=True,
)


def _check_float(x: Any, op: str) -> None:
    dtype = np.result_type(_peek(x))
    if dtype.kind not in "fc":
        raise TypeError(
            f"{op} needs a floating-point input, got dtype {dtype}; cast it first "
            "(e.g. tape.cast(x, tape.float32))."
        )


def reduce_variance(
    input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Population variance (mean squared deviation from the mean, no Bessel correction) over
    ``axis``.

    >>> import tape
    >>> float(tape.math.reduce_variance(tape.constant([1.0, 2.0, 3.0, 4.0])))
    1.25
    """
    _check_float(input_tensor, "reduce_variance")
    axes = _axes(axis, _ndim(input_tensor))
    return bind(_var, input_tensor, axes=axes, keepdims=keepdims, ddof=0)


def reduce_std(
    input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Population standard deviation over ``axis``: sqrt(reduce_variance).

    Where the standard deviation is 0 (all elements of a group equal) it is not
    differentiable; tape takes the gradient there as 0, a subgradient (TensorFlow and JAX
    give NaN).
    """
    _check_float(input_tensor, "reduce_std")
    axes = _axes(axis, _ndim(input_tensor))
    return bind(_std, input_tensor, axes=axes, keepdims=keepdims, ddof=0)


# --------------------------------------------------------------------------- norms


def _l2_fwd(x, axes, keepdims):
    x = np.asarray(x)
    sq = np.square(np.abs(x)) if x.dtype.kind == "c" else np.square(x)
    return np.sqrt(np.sum(sq, axis=axes, keepdims=keepdims))


def _l2_weights(ans, x, axes):
    # x / |x|, and 0 at the origin (a subgradient: the norm has a kink there).
    kept = _kept(ans, x, axes)
    positive = kept > 0
    return np.where(positive, x / np.where(positive, kept, 1), 0)


_l2 = defprim(
    "euclidean_norm", _l2_fwd,
    lambda g, ans, x, axes, keepdims: _spread(g, x, axes) * _l2_weights(ans, x, axes),
    jvps=(
        lambda t, ans, x, axes, keepdims: _reduced_sum(
            real_product(_l2_weights(ans, x, axes), t), axes, keepdims
        ),
    ),
    batch=reduction, complex=True,
)


def _pnorm_fwd(x, axes, keepdims, p):
    s = np.sum(np.abs(x) ** p, axis=axes, keepdims=keepdims)
    return s ** (1.0 / p)


def _pnorm_weights(ans, x, axes, p):
    # d ||x||_p / d x_i = sign(x_i) (|x_i| / ||x||_p)^(p - 1); 0 where x_i == 0 or at the origin.
    kept = _kept(ans, x, axes)
    # (for complex x, sign(x) is the unit x / |x|, written so that it is differentiable)
    nonzero = np.logical_and(x != 0, kept > 0)
    size = np.abs(x)
    ratio = size / np.where(kept > 0, kept, 1)
    unit = x / np.where(nonzero, size, 1) if x.dtype.kind == "c" else np.sign(x)
    return np.where(nonzero, unit * np.where(nonzero, ratio, 1) ** (p - 1), 0)


_pnorm = defprim(
    "p_norm", _pnorm_fwd,
    lambda g, ans, x, axes, keepdims, p: _spread(g, x, axes) * _pnorm_weights(ans, x, axes, p),
    jvps=(
        lambda t, ans, x, axes, keepdims, p: _reduced_sum(
            real_product(_pnorm_weights(ans, x, axes, p), t), axes, keepdims
        ),
    ),
    batch=reduction, complex=True,
)


def reduce_euclidean_norm(
    input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """sqrt(sum(x^2)) over ``axis``. At the origin (a kink) the gradient is taken as 0, a
    subgradient (TensorFlow and JAX give NaN)."""
    return bind(_l2, input_tensor, axes=_axes(axis, _ndim(input_tensor)), keepdims=keepdims)


# --------------------------------------------------------------------------- argmax, any, all


def _arg_fwd(fn):
    def fwd(x, axis, output_type):
        return scalarize(np.asarray(fn(x, axis=axis)).astype(output_type))

    return fwd


_argmax = defprim("argmax", _arg_fwd(np.argmax), differentiable=False, batch=reduction)
_argmin = defprim("argmin", _arg_fwd(np.argmin), differentiable=False, batch=reduction)


def _arg(prim: Any, x: Any, axis: Any, output_type: Any, op: str) -> Tensor:
    nd = _ndim(x)
    if nd == 0:
        raise ValueError(f"{op} needs a tensor of rank >= 1, got a scalar.")
    ax = _axis1(0 if axis is None else axis, nd, op)
    dtype = np.dtype(output_type)
    if dtype.kind not in "iu":
        raise TypeError(f"{op}: output_type must be an integer dtype, got {dtype}.")
    return bind(prim, x, axis=ax, output_type=dtype)


def argmax(
    input: Any, axis: Any = None, output_type: Any = np.int64, name: str | None = None
) -> Tensor:
    """Index of the largest value along ``axis`` (axis 0 when None, as TensorFlow; the first
    one on ties). Not differentiable.

    >>> import tape
    >>> tape.argmax(tape.constant([[1.0, 5.0], [7.0, 2.0]])).numpy()
    array([1, 0])
    """
    return _arg(_argmax, input, axis, output_type, "argmax")


def argmin(
    input: Any, axis: Any = None, output_type: Any = np.int64, name: str | None = None
) -> Tensor:
    """Index of the smallest value along ``axis`` (axis 0 when None, as TensorFlow; the first
    one on ties). Not differentiable."""
    return _arg(_argmin, input, axis, output_type, "argmin")


_all = defprim(
    "all", lambda x, axes, keepdims: np.all(x, axis=axes, keepdims=keepdims), differentiable=False,
    batch=reduction,
)
_any = defprim(
    "any", lambda x, axes, keepdims: np.any(x, axis=axes, keepdims=keepdims), differentiable=False,
    batch=reduction,
)


def reduce_all(
    input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Logical and over ``axis`` (True over an empty axis). Not differentiable."""
    return bind(_all, input_tensor, axes=_axes(axis, _ndim(input_tensor)), keepdims=keepdims)


def reduce_any(
    input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Logical or over ``axis`` (False over an empty axis). Not differentiable."""
    return bind(_any, input_tensor, axes=_axes(axis, _ndim(input_tensor)), keepdims=keepdims)


# --------------------------------------------------------------------------- clip_by_norm


def clip_by_norm(t: Any, clip_norm: Any, axes: Any = None, name: str | None = None) -> Tensor:
    """Rescale ``t`` so that its L2 norm over ``axes`` is at most ``clip_norm``:
    t * clip_norm / maximum(norm, clip_norm), as TensorFlow.

    A zero ``t`` is returned unchanged with a finite gradient; at norm == clip_norm the
    gradient is that of the rescaling branch (maximum gives a tie to the norm, as TensorFlow).

    >>> import tape
    >>> tape.clip_by_norm(tape.constant([3.0, 4.0]), 1.0).numpy()
    array([0.6, 0.8], dtype=float32)
    """
    if np.ndim(_peek(clip_norm)) != 0:
        raise ValueError("clip_by_norm: clip_norm must be a scalar.")
    ax = _axes(axes, _ndim(t))
    l2sum = reduce_sum(ew.multiply(t, t), ax, keepdims=True)
    positive = ew.greater(l2sum, 0)
    safe = ew.where(positive, l2sum, 1)
    l2norm = ew.where(positive, ew.sqrt(safe), l2sum)
    return ew.divide(ew.multiply(t, clip_norm), ew.maximum(l2norm, clip_norm))


# --------------------------------------------------------------------------- NumPy's names


def _no_extras(name: str, **kw: Any) -> None:
    extra = [k for k, v in kw.items() if v is not None and v is not np._NoValue and v is not False]
    if extra:
        raise NotImplementedError(
            f"tape's np.{name} does not support {', '.join(extra)}; use the tape op instead."
        )


@numpy_function(np.sum)
def _np_sum(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    _no_extras("sum", dtype=dtype, out=out, **kw)
    if _integer(a):
        return _as_numpy_does(np.sum, a, axis=axis, keepdims=keepdims)
    return reduce_sum(a, axis, keepdims)


@numpy_function(np.mean)
def _np_mean(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    _no_extras("mean", dtype=dtype, out=out, **kw)
    if _integer(a):
        return _as_numpy_does(np.mean, a, axis=axis, keepdims=keepdims)
    return reduce_mean(a, axis, keepdims)


@numpy_function(np.prod)
def _np_prod(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    _no_extras("prod", dtype=dtype, out=out, **kw)
    if _integer(a):
        return _as_numpy_does(np.prod, a, axis=axis, keepdims=keepdims)
    return reduce_prod(a, axis, keepdims)


def _integer(a: Any) -> bool:
    return np.result_type(_peek(a)).kind in "biu"


def _as_numpy_does(func: Any, a: Any, **kwargs: Any) -> Tensor:
    """NumPy's own result for integer and boolean input, which has no gradient: through
    NumPy's functions, sums widen small integers and means are floats, where TensorFlow's
    ops keep the input's dtype."""
    return bind(_NUMPY_DOES, a, func=func, kwargs=kwargs)


# NumPy's functions that reduce over ``axis`` (None: every axis; a tuple allowed)
_REDUCING = frozenset({np.sum, np.mean, np.prod, np.ptp, np.nansum, np.nanprod, np.nanmean,
                       np.nanmax, np.nanmin, np.max, np.min})


def _numpy_does_batch(prim, args, batched, ndims, rank, static, size):
    """NumPy's function on a batch: its ``axis`` moves one place on; ``axis=None`` means
    every axis of an example for the reductions, the one axis of a vector for the others
    (which flatten otherwise)."""
    func, kwargs, n = static["func"], dict(static["kwargs"]), ndims[0]
    if "axis" not in kwargs:
        return NotImplemented
    axis = kwargs["axis"]
    if axis is None:
        if func in _REDUCING:
            axis = tuple(range(1, n + 1))
        elif n == 1:
            axis = 1
        else:
            return NotImplemented
    elif isinstance(axis, (tuple, list)):
        axis = tuple(a % n + 1 for a in axis)
    else:
        axis = axis % n + 1
    kwargs["axis"] = axis
    return prim.fwd(args[0], func=func, kwargs=kwargs)


# NumPy's function on integer or boolean values: no gradient, so no tape records it (only a
# compiled function's tracer does)
_NUMPY_DOES = defprim(
    "numpy_reduction", lambda a, func, kwargs: to_value(func(a, **kwargs)), differentiable=False,
    batch=_numpy_does_batch,
)


def _empty_reduction(a: Any, axis: Any) -> bool:
    shape = np.shape(_peek(a))
    return any(shape[i] == 0 for i in _axes(axis, len(shape))) or np.size(_peek(a)) == 0 and (
        axis is None
    )


@numpy_function(np.max, np.amax)
def _np_max(a, axis=None, out=None, keepdims=False, **kw):
    _no_extras("max", out=out, **kw)
    if _empty_reduction(a, axis):
        raise ValueError("zero-size array to reduction operation maximum which has no identity")
    return reduce_max(a, axis, keepdims)


@numpy_function(np.min, np.amin)
def _np_min(a, axis=None, out=None, keepdims=False, **kw):
    _no_extras("min", out=out, **kw)
    if _empty_reduction(a, axis):
        raise ValueError("zero-size array to reduction operation minimum which has no identity")
    return reduce_min(a, axis, keepdims)


def _np_cumulative(prim: Any, a: Any, axis: Any) -> Tensor:
    if axis is None:  # NumPy flattens first
        a = np.reshape(a, (-1,))
        axis = 0
    return bind(prim, a, axis=_axis1(axis, _ndim(a), prim.name), exclusive=False, reverse=False)


@numpy_function(np.cumsum)
def _np_cumsum(a, axis=None, dtype=None, out=None):
    _no_extras("cumsum", dtype=dtype, out=out)
    if _integer(a):
        return _as_numpy_does(np.cumsum, a, axis=axis)
    return _np_cumulative(_cumsum, a, axis)


@numpy_function(np.cumprod)
def _np_cumprod(a, axis=None, dtype=None, out=None):
    _no_extras("cumprod", dtype=dtype, out=out)
    if _integer(a):
        return _as_numpy_does(np.cumprod, a, axis=axis)
    return _np_cumulative(_cumprod, a, axis)


def _np_moment(prim, name, a, axis, dtype, out, ddof, keepdims, **kw):
    _no_extras(name, dtype=dtype, out=out, **kw)
    _check_float(a, f"np.{name}")
    return bind(prim, a, axes=_axes(axis, _ndim(a)), keepdims=keepdims, ddof=ddof)


@numpy_function(np.var)
def _np_var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    return _np_moment(_var, "var", a, axis, dtype, out, ddof, keepdims, **kw)


@numpy_function(np.std)
def _np_std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    return _np_moment(_std, "std", a, axis, dtype, out, ddof, keepdims, **kw)


def _np_arg(prim, a, axis, out, keepdims):
    _no_extras(prim.name, out=out, keepdims=keepdims)
    if axis is None:
        a = np.reshape(a, (-1,))
        axis = 0
    return bind(prim, a, axis=_axis1(axis, _ndim(a), prim.name), output_type=np.dtype(np.intp))


@numpy_function(np.argmax)
def _np_argmax(a, axis=None, out=None, *, keepdims=False):
    return _np_arg(_argmax, a, axis, out, keepdims)


@numpy_function(np.argmin)
def _np_argmin(a, axis=None, out=None, *, keepdims=False):
    return _np_arg(_argmin, a, axis, out, keepdims)


@numpy_function(np.all)
def _np_all(a, axis=None, out=None, keepdims=False, **kw):
    _no_extras("all", out=out, **kw)
    return reduce_all(a, axis, keepdims)


@numpy_function(np.any)
def _np_any(a, axis=None, out=None, keepdims=False, **kw):
    _no_extras("any", out=out, **kw)
    return reduce_any(a, axis, keepdims)


# --------------------------------------------------------------------------- NumPy's other
# reductions, order statistics, differences and integrals


def _arr(x: Any) -> Any:
    """An argument of a NumPy function as a tensor: tensors and variables as they are, lists
    holding tensors packed (a recorded stack), anything else a constant with NumPy's dtype."""
    if isinstance(x, (Tensor, Variable)):
        return x
    if isinstance(x, (list, tuple)) and holds_tensors(x):
        return pack(x)
    return as_tensor(np.asarray(x))


def _flag(keepdims: Any) -> bool:
    return False if keepdims is np._NoValue else bool(keepdims)


@numpy_function(np.ptp)
def _np_ptp(a, axis=None, out=None, keepdims=np._NoValue):
    """``np.ptp``: max - min, so ties for either share its gradient, as reduce_max's."""
    _no_extras("ptp", out=out)
    a, keepdims = _arr(a), _flag(keepdims)
    if _integer(a):
        return _as_numpy_does(np.ptp, a, axis=axis, keepdims=keepdims)
    return ew.subtract(_np_max(a, axis, keepdims=keepdims), _np_min(a, axis, keepdims=keepdims))


def _nan_replaced(a: Any, fill: float) -> Any:
    """``a`` with its NaNs replaced by ``fill``: they get gradient 0."""
    return ew.where(ew.is_nan(a), fill, a)


@numpy_function(np.nansum)
def _np_nansum(a, axis=None, dtype=None, out=None, keepdims=np._NoValue, initial=np._NoValue,
               where=np._NoValue):
    """``np.nansum``: a sum with NaNs counted as 0 (and given gradient 0)."""
    _no_extras("nansum", dtype=dtype, out=out, initial=initial, where=where)
    a, keepdims = _arr(a), _flag(keepdims)
    if _integer(a):
        return _as_numpy_does(np.nansum, a, axis=axis, keepdims=keepdims)
    return reduce_sum(_nan_replaced(a, 0), axis, keepdims)


@numpy_function(np.nanprod)
def _np_nanprod(a, axis=None, dtype=None, out=None, keepdims=np._NoValue, initial=np._NoValue,
                where=np._NoValue):
    """``np.nanprod``: a product with NaNs counted as 1 (and given gradient 0)."""
    _no_extras("nanprod", dtype=dtype, out=out, initial=initial, where=where)
    a, keepdims = _arr(a), _flag(keepdims)
    if _integer(a):
        return _as_numpy_does(np.nanprod, a, axis=axis, keepdims=keepdims)
    return reduce_prod(_nan_replaced(a, 1), axis, keepdims)


@numpy_function(np.nanmean)
def _np_nanmean(a, axis=None, dtype=None, out=None, keepdims=np._NoValue, *, where=np._NoValue):
    """``np.nanmean``: the mean of the elements that are not NaN (NaNs get gradient 0). A
    group of NaNs only has mean NaN, with NumPy's warning."""
    _no_extras("nanmean", dtype=dtype, out=out, where=where)
    a, keepdims = _arr(a), _flag(keepdims)
    if _integer(a):
        return _as_numpy_does(np.nanmean, a, axis=axis, keepdims=keepdims)
    axes = _axes(axis, _ndim(a))
    counted = ~np.isnan(a)
    count = np.sum(counted, axis=axes, keepdims=keepdims).astype(np.result_type(_peek(a)))
    if np.any(count == 0):
        warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=3)
    total = reduce_sum(_nan_replaced(a, 0), axes, keepdims)
    with np.errstate(invalid="ignore", divide="ignore"):
        return ew.divide(total, count)


def _nan_tie_weights(ans: Any, x: Any, axes: tuple[int, ...]) -> np.ndarray:
    """:func:`_tie_weights` with NaNs left out: 1/k on the k elements of a group equal to its
    nanmax (or nanmin); 0 on NaNs, and on every element of a group of NaNs only."""
    hit = np.equal(x, np.reshape(ans, _kept_shape(np.shape(x), axes)))
    return (hit / np.maximum(np.sum(hit, axis=axes, keepdims=True), 1)).astype(x.dtype)


def _nan_extreme(name: str, fn: Any) -> Any:
    return defprim(
        name, lambda x, axes, keepdims: fn(x, axis=axes, keepdims=keepdims),
        lambda g, ans, x, axes, keepdims: _spread(g, x, axes) * _nan_tie_weights(ans, x, axes),
        jvps=(
            lambda t, ans, x, axes, keepdims: _reduced_sum(
                t * _nan_tie_weights(ans, x, axes), axes, keepdims
            ),
        ),
        batch=reduction,
    )


_nanmax = _nan_extreme("nanmax", np.nanmax)
_nanmin = _nan_extreme("nanmin", np.nanmin)


def _np_nan_extreme(prim, func, ufunc, a, axis, out, keepdims, initial, where):
    _no_extras(func.__name__, out=out, initial=initial, where=where)
    a, keepdims = _arr(a), _flag(keepdims)
    if _integer(a):
        return _as_numpy_does(func, a, axis=axis, keepdims=keepdims)
    if _empty_reduction(a, axis):
        raise ValueError(f"zero-size array to reduction operation {ufunc} which has no identity")
    return bind(prim, a, axes=_axes(axis, _ndim(a)), keepdims=keepdims)


@numpy_function(np.nanmax)
def _np_nanmax(a, axis=None, out=None, keepdims=np._NoValue, initial=np._NoValue,
               where=np._NoValue):
    """``np.nanmax``: the maximum ignoring NaNs. NaNs get gradient 0; ties share the gradient
    equally, as reduce_max's; a group of NaNs only gives NaN (NumPy warns) and gradient 0."""
    return _np_nan_extreme(_nanmax, np.nanmax, "fmax", a, axis, out, keepdims, initial, where)


@numpy_function(np.nanmin)
def _np_nanmin(a, axis=None, out=None, keepdims=np._NoValue, initial=np._NoValue,
               where=np._NoValue):
    """``np.nanmin``: the minimum ignoring NaNs, with nanmax's conventions."""
    return _np_nan_extreme(_nanmin, np.nanmin, "fmin", a, axis, out, keepdims, initial, where)


# Order statistics. A quantile of a group, by any of NumPy's methods, is (1 - f) s_j + f s_(j+1)
# for the sorted values s and a position j + f that depends only on the group's size n and q:
# it is the same quantile of 0, 1, ..., n - 1. The gradient is (1 - f) to the element at rank
# j and f to the one at rank j + 1. Where several elements tie for a rank's value, they share
# its weight equally (as tied maxima share reduce_max's gradient). The weights are constant
# between ties, so the rules are linear and exact at every order. A group holding a NaN has
# quantile NaN and gradient NaN.


def _order_positions(n: int, q: Any, method: str, kind: str) -> np.ndarray:
    ranks = np.arange(n, dtype=np.float64)
    if kind == "median":
        return np.reshape(np.median(ranks), (1,))
    func = np.percentile if kind == "percentile" else np.quantile
    return np.reshape(func(ranks, q, method=method), (-1,))


def _order_weights(x: Any, q: Any, axis: Any, method: str, kind: str) -> tuple:
    """The weight of every element in every quantile of its group: an array of shape
    (number of q, kept dimensions..., group size), and the permutation that moves the reduced
    axes of ``x`` last."""
    xv = np.asarray(_value(x))
    axes = tuple(range(xv.ndim)) if axis is None else axis
    rest = [i for i in range(xv.ndim) if i not in axes]
    perm = rest + list(axes)
    n = _count(xv.shape, axes)
    groups = np.transpose(xv, perm).reshape(tuple(xv.shape[i] for i in rest) + (n,))
    m = 1 if kind == "median" else np.size(q)
    dtype = xv.dtype if xv.dtype.kind == "f" else np.dtype(np.float64)
    weights = np.zeros((m,) + groups.shape, dtype=np.float64)
    if n == 0:
        return weights.astype(dtype), perm
    h = _order_positions(n, q, method, kind)
    j = np.floor(h).astype(np.intp)
    frac = h - j
    ordered = np.sort(groups, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        for rank, share in ((j, 1 - frac), (np.minimum(j + 1, n - 1), frac)):
            value = np.moveaxis(ordered[..., rank], -1, 0)[..., None]
            hit = groups == value
            share = share.reshape((m,) + (1,) * groups.ndim)
            weights += share * hit / np.sum(hit, axis=-1, keepdims=True)
    weights[:, np.isnan(groups).any(axis=-1)] = np.nan
    return weights.astype(dtype), perm


def _quantile_fwd(x, q, axis, method, keepdims, kind):
    if kind == "median":
        return np.median(x, axis=axis, keepdims=keepdims)
    func = np.percentile if kind == "percentile" else np.quantile
    return func(x, q, axis=axis, method=method, keepdims=keepdims)


def _quantile_vjp(g, ans, x, q, axis, method, keepdims, kind):
    weights, perm = _order_weights(x, q, axis, method, kind)
    spread = np.sum(np.reshape(g, weights.shape[:-1] + (1,)) * weights, axis=0)
    shape = np.shape(_peek(x))
    return np.transpose(np.reshape(spread, tuple(shape[i] for i in perm)), np.argsort(perm))


def _quantile_jvp(t, ans, x, q, axis, method, keepdims, kind):
    weights, perm = _order_weights(x, q, axis, method, kind)
    grouped = np.reshape(np.transpose(t, perm), (1,) + weights.shape[1:])
    return np.reshape(np.sum(weights * grouped, axis=-1), np.shape(ans))


def _quantile_batch(prim, args, batched, ndims, rank, static, size):
    """Quantiles of each example: over its axes (all of them for None); the axes of ``q``
    come first in NumPy's result, the batch's is moved in front of them."""
    n = ndims[0]
    axis = static["axis"]
    axis = tuple(range(1, n + 1)) if axis is None else tuple(a % n + 1 for a in axis)
    out = prim.fwd(args[0], **{**static, "axis": axis})
    m = 0 if static["kind"] == "median" else np.ndim(static["q"])
    return np.moveaxis(out, m, 0) if m else out


_quantile = defprim("quantile", _quantile_fwd, _quantile_vjp, jvps=(_quantile_jvp,),
                    batch=_quantile_batch)


def _np_order_statistic(kind, a, q, axis, out, method, keepdims, weights=None) -> Tensor:
    _no_extras(kind, out=out, weights=weights)
    a = _arr(a)
    if q is not None:
        q = ew._constant_arg(q, kind, "q")
        if type(q) not in (int, float):  # (Python numbers stay weakly typed, as in NumPy)
            q = np.asarray(q)
    if _integer(a):
        kw = {} if kind == "median" else {"method": method}
        args = () if kind == "median" else (q,)
        func = {"median": np.median, "quantile": np.quantile, "percentile": np.percentile}[kind]
        return as_tensor(func(_value(a), *args, axis=axis, keepdims=keepdims, **kw))
    if axis is not None:
        axis = normalize_axis_tuple(axis, _ndim(a))
    return bind(_quantile, a, q=q, axis=axis, method=method, keepdims=bool(keepdims), kind=kind)


@numpy_function(np.median)
def _np_median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """``np.median`` on tensors. The gradient goes to the middle element, or half to each of
    the two middle ones; tied elements share their rank's gradient equally."""
    return _np_order_statistic("median", a, None, axis, out, "linear", keepdims)


@numpy_function(np.quantile)
def _np_quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                 keepdims=False, *, weights=None):
    """``np.quantile`` on tensors, any of NumPy's methods; ``q`` is a constant. The gradient
    goes to the order statistics that the quantile interpolates, with their interpolation
    weights; tied elements share their rank's weight equally."""
    return _np_order_statistic("quantile", a, q, axis, out, method, keepdims, weights)


@numpy_function(np.percentile)
def _np_percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                   keepdims=False, *, weights=None):
    """``np.percentile`` on tensors: np.quantile with q in percent."""
    return _np_order_statistic("percentile", a, q, axis, out, method, keepdims, weights)


@numpy_function(np.average)
def _np_average(a, axis=None, weights=None, returned=False, *, keepdims=np._NoValue):
    """``np.average`` on tensors: differentiable in ``a`` and in ``weights``. With
    ``returned=True`` the sum of the weights comes too (a tensor, differentiable)."""
    a = _arr(a)
    shape = _shape_of(a)
    if axis is not None:
        axis = normalize_axis_tuple(axis, len(shape), argname="axis")
    kw = {} if keepdims is np._NoValue else {"keepdims": keepdims}
    if weights is None:
        avg = np.mean(a, axis=axis, **kw)
        scl: Any = avg.dtype.type(math.prod(shape) / max(np.size(avg._value), 1))
    else:
        wgt = _arr(weights)
        if wgt.shape != shape:
            if axis is None:
                raise TypeError("Axis must be specified when shapes of a and weights differ.")
            if wgt.shape != tuple(shape[ax] for ax in axis):
                raise ValueError(
                    "Shape of weights must be consistent with shape of a along specified axis."
                )
            wgt = np.transpose(wgt, np.argsort(axis))
            wgt = np.reshape(wgt, tuple(s if ax in axis else 1 for ax, s in enumerate(shape)))
        if _integer(a):
            dtype = np.result_type(a.dtype, wgt.dtype, "f8")
        else:
            dtype = np.result_type(a.dtype, wgt.dtype)
        if wgt.dtype != dtype:
            wgt = cast(wgt, dtype)
        if a.dtype != dtype:
            a = cast(a, dtype)
        scl = np.sum(wgt, axis=axis, **kw)
        if np.any(scl == 0.0):
            raise ZeroDivisionError("Weights sum to zero, can't be normalized")
        avg = ew.divide(np.sum(ew.multiply(a, wgt), axis=axis, **kw), scl)
    if returned:
        if np.shape(_peek(scl)) != avg.shape:
            scl = broadcast_to(scl, avg.shape)
        return avg, scl
    return avg


def _np_cumulative_with_initial(
    prim: Any, func: Any, identity: int, x: Any, axis: Any, dtype: Any, out: Any,
    include_initial: bool,
) -> Tensor:
    _no_extras(func.__name__, dtype=dtype, out=out)
    x = _arr(x)
    if _integer(x):
        return _as_numpy_does(func, x, axis=axis, include_initial=include_initial)
    if axis is None:
        if _ndim(x) > 1:
            raise ValueError(
                "For arrays which have more than one dimension ``axis`` argument is required."
            )
        x = reshape(x, (-1,))
        axis = 0
    ax = _axis1(axis, _ndim(x), func.__name__)
    result = bind(prim, x, axis=ax, exclusive=False, reverse=False)
    if include_initial:
        pads = tuple((1, 0) if i == ax else (0, 0) for i in range(_ndim(x)))
        result = _padded(result, pads, "constant", identity)
    return result


if hasattr(np, "cumulative_sum"):  # NumPy >= 2.1

    @numpy_function(np.cumulative_sum)
    def _np_cumulative_sum(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
        """``np.cumulative_sum``: with ``include_initial``, a 0 before the sums."""
        return _np_cumulative_with_initial(
            _cumsum, np.cumulative_sum, 0, x, axis, dtype, out, include_initial
        )

    @numpy_function(np.cumulative_prod)
    def _np_cumulative_prod(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
        """``np.cumulative_prod``: with ``include_initial``, a 1 before the products."""
        return _np_cumulative_with_initial(
            _cumprod, np.cumulative_prod, 1, x, axis, dtype, out, include_initial
        )


@numpy_function(np.diff)
def _np_diff(a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    """``np.diff`` on tensors: slices and subtractions, so gradients reach ``a`` and tensors
    given as ``prepend`` or ``append``."""
    n = operator.index(n)
    if n == 0:
        return a
    if n < 0:
        raise ValueError("order must be non-negative but got " + repr(n))
    a = _arr(a)
    nd = _ndim(a)
    if nd == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    axis = normalize_axis_index(axis, nd)
    combined = []
    for extra in (prepend, a, append):
        if extra is np._NoValue:
            continue
        extra = _arr(extra)
        if _ndim(extra) == 0:
            extra = broadcast_to(extra, _shape_of(a)[:axis] + (1,) + _shape_of(a)[axis + 1:])
        combined.append(extra)
    if len(combined) > 1:
        a = concat(combined, axis)
    if a.dtype == np.bool_:  # NumPy's diff of booleans is not_equal: no gradient
        return _as_numpy_does(np.diff, a, n=n, axis=axis)
    later = (slice(None),) * axis + (slice(1, None),)
    earlier = (slice(None),) * axis + (slice(None, -1),)
    for _ in range(n):
        a = ew.subtract(getitem(a, later), getitem(a, earlier))
    return a


@numpy_function(np.ediff1d)
def _np_ediff1d(ary, to_end=None, to_begin=None):
    """``np.ediff1d`` on tensors: the differences of the flattened ``ary``, in its dtype,
    between ``to_begin`` and ``to_end`` (gradients reach all three)."""
    ary = reshape(_arr(ary), (-1,))
    dtype = ary.dtype
    parts = [ew.subtract(getitem(ary, slice(1, None)), getitem(ary, slice(None, -1)))]
    for name, extra in (("to_begin", to_begin), ("to_end", to_end)):
        if extra is None:
            continue
        extra = reshape(_arr(extra), (-1,))
        if not np.can_cast(extra.dtype, dtype, casting="same_kind"):
            raise TypeError(
                f"dtype of `{name}` must be compatible with input `ary` under the `same_kind` "
                "rule."
            )
        if extra.dtype != dtype:
            extra = cast(extra, dtype)
        if name == "to_begin":
            parts.insert(0, extra)
        else:
            parts.append(extra)
    return parts[0] if len(parts) == 1 else concat(parts, 0)


@numpy_function(np.trapezoid)
def _np_trapezoid(y, x=None, dx=1.0, axis=-1):
    """``np.trapezoid`` on tensors: the trapezoidal rule, differentiable in ``y`` and in the
    sample points ``x`` (or the spacing ``dx``)."""
    y = _arr(y)
    nd = _ndim(y)
    axis = normalize_axis_index(axis, nd)
    if x is None:
        d = dx
    else:
        x = _arr(x)
        if _ndim(x) == 1:
            d = np.diff(x)
            d = np.reshape(d, tuple(-1 if i == axis else 1 for i in range(nd)))
        else:
            d = np.diff(x, axis=axis)
    later = getitem(y, (slice(None),) * axis + (slice(1, None),))
    earlier = getitem(y, (slice(None),) * axis + (slice(None, -1),))
    return np.sum(ew.divide(ew.multiply(d, ew.add(later, earlier)), 2.0), axis=axis)


def _np_gradient_spacing(varargs: tuple, shape: tuple, axes: tuple) -> list:
    """The spacing along each axis, as np.gradient reads ``varargs``: a scalar, or the
    differences of 1-d coordinates (a scalar when NumPy's coordinates are evenly spaced)."""
    n = len(varargs)
    if n == 0:
        return [1.0] * len(axes)
    if n == 1 and np.ndim(_peek(varargs[0])) == 0:
        return list(varargs) * len(axes)
    if n != len(axes):
        raise TypeError("invalid number of arguments")
    spacing: list[Any] = []
    for ax, distances in zip(axes, varargs):
        value = _value(distances)
        if np.ndim(value) == 0:
            spacing.append(distances)
            continue
        if np.ndim(value) != 1:
            raise ValueError("distances must be either scalars or 1d")
        if len(value) != shape[ax]:
            raise ValueError(
                "when 1d, distances must match the length of the corresponding dimension"
            )
        if isinstance(distances, (Tensor, Variable)):  # differentiable coordinates
            if distances.dtype.kind not in "fc":
                distances = cast(distances, np.float64)
            spacing.append(np.diff(distances))
            continue
        value = np.asarray(value)
        if value.dtype.kind in "iub":
            value = value.astype(np.float64)
        diffx = np.diff(value)
        spacing.append(diffx[0] if (diffx == diffx[0]).all() else diffx)
    return spacing


@numpy_function(np.gradient)
def _np_gradient(f, *varargs, axis=None, edge_order=1):
    """``np.gradient`` on tensors: central differences inside, one-sided differences of
    ``edge_order`` 1 or 2 at the edges, with scalar spacing or 1-d coordinates per axis.
    The result is linear in ``f``; tensor spacings and coordinates are differentiable too."""
    f = _arr(f)
    shape = _shape_of(f)
    nd = len(shape)
    axes = tuple(range(nd)) if axis is None else normalize_axis_tuple(axis, nd)
    spacing = _np_gradient_spacing(varargs, shape, axes)
    if edge_order not in (1, 2):
        raise ValueError(f"edge_order must be 1 or 2, got {edge_order!r}.")
    otype = f.dtype if f.dtype.kind in "fc" else np.dtype(np.float64)
    if f.dtype.kind in "iub":
        f = cast(f, np.float64)
    outs = []
    for ax, h in zip(axes, spacing):
        if shape[ax] < edge_order + 1:
            raise ValueError(
                "Shape of array too small to calculate a numerical gradient, at least "
                "(edge_order + 1) elements are required."
            )

        def at(start, stop, ax=ax):
            return getitem(f, (slice(None),) * ax + (slice(start, stop),))

        uniform = np.ndim(_peek(h)) == 0
        if uniform:
            inner = (at(2, None) - at(None, -2)) / (2.0 * h)
        else:
            dx1, dx2 = h[0:-1], h[1:]
            along = tuple(-1 if i == ax else 1 for i in range(nd))
            a = np.reshape(-dx2 / (dx1 * (dx1 + dx2)), along)
            b = np.reshape((dx2 - dx1) / (dx1 * dx2), along)
            c = np.reshape(dx1 / (dx2 * (dx1 + dx2)), along)
            inner = a * at(None, -2) + b * at(1, -1) + c * at(2, None)
        if edge_order == 1:
            first = (at(1, 2) - at(0, 1)) / (h if uniform else h[0])
            last = (at(-1, None) - at(-2, -1)) / (h if uniform else h[-1])
        else:
            if uniform:
                a, b, c = -1.5 / h, 2.0 / h, -0.5 / h
            else:
                dx1, dx2 = h[0], h[1]
                a = -(2.0 * dx1 + dx2) / (dx1 * (dx1 + dx2))
                b = (dx1 + dx2) / (dx1 * dx2)
                c = -dx1 / (dx2 * (dx1 + dx2))
            first = a * at(0, 1) + b * at(1, 2) + c * at(2, 3)
            if uniform:
                a, b, c = 0.5 / h, -2.0 / h, 1.5 / h
            else:
                dx1, dx2 = h[-2], h[-1]
                a = dx2 / (dx1 * (dx1 + dx2))
                b = -(dx2 + dx1) / (dx1 * dx2)
                c = (2.0 * dx2 + dx1) / (dx2 * (dx1 + dx2))
            last = a * at(-3, -2) + b * at(-2, -1) + c * at(-1, None)
        pieces = [p if p.dtype == otype else cast(p, otype) for p in (first, inner, last)]
        outs.append(concat(pieces, ax))
    return outs[0] if len(outs) == 1 else tuple(outs)


__all__ = [
    "argmax",
    "argmin",
    "clip_by_norm",
    "cumprod",
    "cumsum",
    "reduce_all",
    "reduce_any",
    "reduce_euclidean_norm",
    "reduce_logsumexp",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_prod",
    "reduce_std",
    "reduce_sum",
    "reduce_variance",
]
