"""The discrete Fourier transform: NumPy's ``np.fft`` on tensors, differentiated exactly.

Four primitives, each linear, so that each gradient rule is the op's adjoint and its
forward-mode rule is the op itself applied to the tangent:

- ``fft``: the complex transform along ``axes``, forward (``exp(-2 pi i k m / n)``) or inverse
  (``exp(+2 pi i k m / n)``), its result scaled by ``scale``: ``"1"``, ``"1/sqrt(n)"`` or
  ``"1/n"`` (NumPy's ``norm`` says which direction gets which). It is C-linear and its scale
  is real, so its adjoint is the transform in the other direction with the same scale.
- ``rfft``: the transform of a real signal of length ``n`` along ``axis``, its ``n // 2 + 1``
  non-negative frequencies (the half spectrum). For a real loss the cotangent of the signal is
  ``Re(A^H g)``: sample ``m`` gets ``Re(sum_k g_k exp(+2 pi i k m / n))`` over the kept bins
  only. That is ``irfft`` of ``g`` with every bin halved but bin 0 and, for an even ``n``, bin
  ``n / 2`` (``irfft`` counts each of the others twice, for itself and its mirror image).
- ``irfft``: the real signal of length ``n`` whose half spectrum is the input:
  ``y_m = Re(sum_k c_k X_k exp(+2 pi i k m / n))``, scaled, with ``c_k = 1`` for bin 0 and,
  for an even ``n``, bin ``n / 2`` (whose imaginary parts it discards) and 2 for the others.
  Its adjoint gives bin ``k`` the cotangent ``c_k * rfft(g)_k``.
- ``fft_resize``: zero-padding or truncation along axes, what NumPy does to the input first
  when given ``n`` or ``s``. The adjoint of zero-padding is truncation and vice versa, so its
  rule is itself with the lengths swapped.

Everything else is composed of recorded ops as NumPy composes it (``numpy/fft/_pocketfft.py``):
``rfftn`` is ``rfft`` along the last axis, then ``fft`` along the others; ``irfftn`` the
inverse ``fft`` along the leading axes, then ``irfft``; ``hfft(a)`` is
``irfft(conj(a))`` with the norm swapped and ``ihfft(a)`` is ``conj(rfft(a))`` likewise;
``fftshift`` is ``np.roll``. Values are NumPy's own, bit for bit, and so are dtypes (float32 and
complex64 give complex64). The transforms under TensorFlow's names are ``tape.signal``.

The cotangent of a complex value follows TensorFlow's convention, ``dL/dRe z + i dL/dIm z``
for a real loss ``L``; a real input takes the real part of its complex cotangent.
"""

from __future__ import annotations

import operator
import warnings
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from .._batch import reduction
from .._record import bind
from .._registry import defprim
from .._tensor import peek as _peek
from ._define import apply, numpy_function
from .shape import identity

__all__ = ["fftn", "irfftn", "rfftn"]

#: NumPy's ``norm`` for the scale of each direction's result (its ``_raw_fft`` swaps the norm of
#: an inverse transform the same way).
_NORM_OF = {
    False: {"1": "backward", "1/sqrt(n)": "ortho", "1/n": "forward"},
    True: {"1": "forward", "1/sqrt(n)": "ortho", "1/n": "backward"},
}
_SCALE_OF = {inverse: {v: k for k, v in table.items()} for inverse, table in _NORM_OF.items()}
_SWAPPED = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


# --------------------------------------------------------------------------- the primitives


def _transform(x, axes, inverse, scale):
    """The complex transform along ``axes`` (the last one first, as ``np.fft.fftn``)."""
    f = np.fft.ifftn if inverse else np.fft.fftn
    return f(x, axes=axes, norm=_NORM_OF[inverse][scale])


def _real_transform(x, axis, n, scale):
    return np.fft.rfft(x, n, axis, norm=_NORM_OF[False][scale])


def _inverse_real_transform(x, axis, n, scale):
    return np.fft.irfft(x, n, axis, norm=_NORM_OF[True][scale])


def _resized(x, axes, sizes, lengths):
    """``x`` cut or zero-padded at the end of each axis in ``axes`` to ``sizes`` (the axes
    have ``lengths`` now)."""
    region = [slice(None)] * np.ndim(x)
    for a, size, length in zip(axes, sizes, lengths):
        region[a] = slice(0, min(size, length))
    region = tuple(region)
    if all(size <= length for size, length in zip(sizes, lengths)):
        return x[region].copy()
    shape = list(np.shape(x))
    for a, size in zip(axes, sizes):
        shape[a] = size
    out = np.zeros(shape, dtype=np.asarray(x).dtype)
    out[region] = x[region]
    return out


def _bin_weights(n: int, axis: int, like: Any, halve: bool) -> np.ndarray:
    """``c_k`` (``1 / c_k`` when ``halve``) for the bins of the half spectrum of an ``n``-point
    transform: 1 for bin 0 and, for an even ``n``, bin ``n / 2``; 2 for the others. Shaped to
    broadcast along ``axis`` of ``like``, in its real dtype."""
    w = np.full(n // 2 + 1, 0.5 if halve else 2.0)
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
    return w.astype(np.finfo(like.dtype).dtype).reshape((-1,) + (1,) * (like.ndim - 1 - axis))


def _rfft_vjp(g, ans, x, axis, n, scale):
    # Re(sum over the kept bins of g_k exp(+2 pi i k m / n)): irfft counts bins 1..(n-1)/2
    # twice (each and its mirror image), so they are halved first
    return apply(_irfft, g * _bin_weights(n, axis, g, halve=True), axis=axis, n=n, scale=scale)


def _irfft_vjp(g, ans, x, axis, n, scale):
    # bin k enters every sample c_k times (and only by its real part where c_k = 1)
    return apply(_rfft, g, axis=axis, n=n, scale=scale) * _bin_weights(n, axis, g, halve=False)


_fft = defprim(
    "fft", _transform,
    lambda g, ans, x, axes, inverse, scale: apply(
        _fft, g, axes=axes, inverse=not inverse, scale=scale
    ),
    linear=True, batch=reduction, complex=True,
)
_rfft = defprim("rfft", _real_transform, _rfft_vjp, linear=True, batch=reduction,
                complex=True)
_irfft = defprim("irfft", _inverse_real_transform, _irfft_vjp, linear=True, batch=reduction,
                 complex=True)
_resize = defprim(
    "fft_resize", _resized,
    lambda g, ans, x, axes, sizes, lengths: apply(
        _resize, g, axes=axes, sizes=lengths, lengths=sizes
    ),
    linear=True, batch=reduction, complex=True,
)


# --------------------------------------------------------------------------- arguments


def _shape(x: Any) -> tuple[int, ...]:
    return np.shape(_peek(x))


def _scale(norm: Any, inverse: bool) -> str:
    """The scale of a transform's result for NumPy's ``norm`` (validated as NumPy does)."""
    if norm is None:
        norm = "backward"
    if not isinstance(norm, str) or norm not in _SCALE_OF[inverse]:
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or '
                         '"forward".')
    return _SCALE_OF[inverse][norm]


def _swap(norm: Any) -> str:
    """NumPy's ``_swap_direction``: the norm of the opposite direction (hfft, ihfft)."""
    try:
        return _SWAPPED[norm]
    except (KeyError, TypeError):
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or '
                         '"forward".') from None


def _points(n: Any) -> int:
    n = operator.index(n)
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    return n


def _resize_to(x: Any, axes: list[int], sizes: list[int]) -> Any:
    """``x`` zero-padded or cut to ``sizes`` along ``axes`` (recorded only where a length
    changes)."""
    shape = _shape(x)
    changed = [(a, s) for a, s in zip(axes, sizes) if shape[a] != s]
    if not changed:
        return x
    return bind(_resize, x, axes=tuple(a for a, _ in changed),
                sizes=tuple(s for _, s in changed), lengths=tuple(shape[a] for a, _ in changed))


def _cooked(a: Any, s: Any, axes: Any, invreal: bool = False) -> tuple[list, list[int]]:
    """NumPy's ``_cook_nd_args``: the lengths and the (normalized) axes of an n-dimensional
    transform, with NumPy's deprecation warnings (at the caller's line: past this function,
    the transform, its NumPy handler and the dispatch). A length None stands for the
    default."""
    shape = _shape(a)
    ndim = len(shape)
    shapeless = s is None
    if axes is not None:
        axes = [axes] if np.ndim(axes) == 0 else list(axes)
    if shapeless:
        s = list(shape) if axes is None else [shape[normalize_axis_index(a, ndim)] for a in axes]
    s = list(s)
    if axes is None:
        if not shapeless:
            warnings.warn(
                "`axes` should not be `None` if `s` is not `None` (Deprecated in NumPy 2.0). "
                "In a future version of NumPy, this will raise an error and `s[i]` will "
                "correspond to the size along the transformed axis specified by `axes[i]`. "
                "To retain current behaviour, pass a sequence [0, ..., k-1] to `axes` for an "
                "array of dimension k.", DeprecationWarning, stacklevel=5)
        axes = list(range(-len(s), 0))
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    axes = [normalize_axis_index(operator.index(a), ndim) for a in axes]
    if invreal and shapeless:
        s[-1] = (shape[axes[-1]] - 1) * 2
    if None in s:
        warnings.warn(
            "Passing an array containing `None` values to `s` is deprecated in NumPy 2.0 and "
            "will raise an error in a future version of NumPy. To use the default behaviour "
            "of the corresponding 1-D transform, pass the value matching the default for its "
            "`n` parameter. To use the default behaviour for every axis, the `s` argument can "
            "be omitted.", DeprecationWarning, stacklevel=5)
    s = [shape[ax] if n is not None and n == -1 else n for n, ax in zip(s, axes)]
    return s, axes


def _default(n: Any, a: Any, axis: int, invreal: bool = False) -> int:
    """The length of a 1-D transform along ``axis``: ``n``, or NumPy's default."""
    if n is None:
        length = _shape(a)[axis]
        n = (length - 1) * 2 if invreal else length
    return _points(n)


def _no_out(out: Any, name: str) -> None:
    if out is not None:
        raise NotImplementedError(
            f"tape's np.fft.{name} does not support out=; use the returned tensor."
        )


# --------------------------------------------------------------------------- the transforms


def fftn(a: Any, s: Any = None, axes: Any = None, norm: str | None = None,
         inverse: bool = False) -> Any:
    """The complex transform of ``a`` along ``axes`` (``np.fft.fftn``, or ``np.fft.ifftn``
    when ``inverse``), each axis first zero-padded or cut to its length in ``s``, with NumPy's
    arguments and defaults: the values are NumPy's to the last bit.

    >>> import numpy as np, tape
    >>> x = tape.constant(np.array([1.0, 2.0, 0.0, -1.0]))
    >>> tape.ops.fft.fftn(x).numpy()
    array([2.+0.j, 1.-3.j, 0.+0.j, 1.+3.j])
    """
    s, axes = _cooked(a, s, axes)
    scale = _scale(norm, inverse)
    return _complex_along(a, s, axes, inverse, scale)


def _complex_along(a: Any, sizes: list, axes: list[int], inverse: bool, scale: str,
                   order: str = "numpy") -> Any:
    """The complex transform along ``axes`` to lengths ``sizes`` (None: the axis's own): the
    last axis first, as NumPy's ``fftn`` (``order="numpy"``), or the first first, as NumPy's
    ``irfftn`` transforms its leading axes (``order="irfftn"``)."""
    if not axes:
        return identity(a)  # NumPy returns its input as it is
    shape = _shape(a)
    sizes = [_points(shape[ax] if n is None else n) for n, ax in zip(sizes, axes)]
    steps = range(len(axes)) if order == "irfftn" else range(len(axes) - 1, -1, -1)
    if len(set(axes)) < len(axes):  # an axis transformed twice: one axis at a time, as NumPy
        x = a
        for i in steps:
            x = bind(_fft, _resize_to(x, [axes[i]], [sizes[i]]), axes=(axes[i],),
                     inverse=inverse, scale=scale)
        return x
    x = _resize_to(a, axes, sizes)
    # np.fft.fftn transforms the last of its axes first
    return bind(_fft, x, axes=tuple(axes[i] for i in reversed(steps)), inverse=inverse,
                scale=scale)


def rfftn(a: Any, s: Any = None, axes: Any = None, norm: str | None = None) -> Any:
    """The transform of a real ``a`` along ``axes`` (``np.fft.rfftn``): the half spectrum
    along the last axis, the complex transform along the others.

    >>> import numpy as np, tape
    >>> tape.ops.fft.rfftn(tape.constant(np.array([1.0, 2.0, 0.0, -1.0]))).numpy()
    array([2.+0.j, 1.-3.j, 0.+0.j])
    """
    s, axes = _cooked(a, s, axes)
    scale = _scale(norm, False)
    last = axes[-1]
    n = _default(s[-1], a, last)
    if len(set(axes)) == len(axes):
        x = _resize_to(a, axes, [_default(m, a, ax) for m, ax in zip(s, axes)])
        x = bind(_rfft, x, axis=last, n=n, scale=scale)
        if len(axes) == 1:
            return x
        return bind(_fft, x, axes=tuple(axes[:-1]), inverse=False, scale=scale)
    x = bind(_rfft, _resize_to(a, [last], [n]), axis=last, n=n, scale=scale)
    return _complex_along(x, s[:-1], axes[:-1], False, scale)


def irfftn(a: Any, s: Any = None, axes: Any = None, norm: str | None = None) -> Any:
    """The real signal whose transform along ``axes`` is ``a``, a half spectrum along the last
    axis (``np.fft.irfftn``): the inverse complex transform along the leading axes, then the
    inverse of the half spectrum, whose length is ``s[-1]`` (by default ``2 * (m - 1)`` for
    ``m`` bins).

    >>> import numpy as np, tape
    >>> half = tape.constant(np.array([2.0, 1.0 - 3.0j, 0.0]))
    >>> tape.ops.fft.irfftn(half).numpy()
    array([ 1.,  2.,  0., -1.])
    """
    s, axes = _cooked(a, s, axes, invreal=True)
    scale = _scale(norm, True)
    last = axes[-1]
    x = a
    if len(set(axes)) == len(axes):
        sizes = [_default(m, a, ax) for m, ax in zip(s[:-1], axes[:-1])]
        n = _points(s[-1]) if s[-1] is not None else _default(None, a, last, invreal=True)
        x = _resize_to(x, axes, [*sizes, n // 2 + 1])
        if len(axes) > 1:  # the leading axes first one first, as NumPy
            x = bind(_fft, x, axes=tuple(reversed(axes[:-1])), inverse=True, scale=scale)
        return bind(_irfft, x, axis=last, n=n, scale=scale)
    x = _complex_along(x, s[:-1], axes[:-1], True, scale, order="irfftn")
    n = _points(s[-1]) if s[-1] is not None else _default(None, x, last, invreal=True)
    return bind(_irfft, _resize_to(x, [last], [n // 2 + 1]), axis=last, n=n, scale=scale)


def _one_axis(a: Any, axis: Any) -> int:
    return normalize_axis_index(operator.index(axis), len(_shape(a)))


# --------------------------------------------------------------------------- NumPy's names


@numpy_function(np.fft.fft)
def _np_fft(a, n=None, axis=-1, norm=None, out=None):
    _no_out(out, "fft")
    axis = _one_axis(a, axis)
    return _complex_along(a, [_default(n, a, axis)], [axis], False, _scale(norm, False))


@numpy_function(np.fft.ifft)
def _np_ifft(a, n=None, axis=-1, norm=None, out=None):
    _no_out(out, "ifft")
    axis = _one_axis(a, axis)
    return _complex_along(a, [_default(n, a, axis)], [axis], True, _scale(norm, True))


@numpy_function(np.fft.fftn)
def _np_fftn(a, s=None, axes=None, norm=None, out=None):
    _no_out(out, "fftn")
    return fftn(a, s, axes, norm)


@numpy_function(np.fft.ifftn)
def _np_ifftn(a, s=None, axes=None, norm=None, out=None):
    _no_out(out, "ifftn")
    return fftn(a, s, axes, norm, inverse=True)


@numpy_function(np.fft.fft2)
def _np_fft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    _no_out(out, "fft2")
    return fftn(a, s, axes, norm)


@numpy_function(np.fft.ifft2)
def _np_ifft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    _no_out(out, "ifft2")
    return fftn(a, s, axes, norm, inverse=True)


@numpy_function(np.fft.rfft)
def _np_rfft(a, n=None, axis=-1, norm=None, out=None):
    _no_out(out, "rfft")
    return rfftn(a, [_points(n)], [axis], norm) if n is not None else rfftn(a, None, [axis], norm)


@numpy_function(np.fft.irfft)
def _np_irfft(a, n=None, axis=-1, norm=None, out=None):
    _no_out(out, "irfft")
    return (irfftn(a, [_points(n)], [axis], norm) if n is not None
            else irfftn(a, None, [axis], norm))


@numpy_function(np.fft.rfftn)
def _np_rfftn(a, s=None, axes=None, norm=None, out=None):
    _no_out(out, "rfftn")
    return rfftn(a, s, axes, norm)


@numpy_function(np.fft.irfftn)
def _np_irfftn(a, s=None, axes=None, norm=None, out=None):
    _no_out(out, "irfftn")
    return irfftn(a, s, axes, norm)


@numpy_function(np.fft.rfft2)
def _np_rfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    _no_out(out, "rfft2")
    return rfftn(a, s, axes, norm)


@numpy_function(np.fft.irfft2)
def _np_irfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    _no_out(out, "irfft2")
    return irfftn(a, s, axes, norm)


@numpy_function(np.fft.hfft)
def _np_hfft(a, n=None, axis=-1, norm=None, out=None):
    """``irfft(conj(a))`` with the norm of the other direction, as NumPy computes it."""
    _no_out(out, "hfft")
    norm = _swap(norm)
    a = np.conjugate(a) if _is_complex(a) else a
    return (irfftn(a, [_points(n)], [axis], norm) if n is not None
            else irfftn(a, None, [axis], norm))


@numpy_function(np.fft.ihfft)
def _np_ihfft(a, n=None, axis=-1, norm=None, out=None):
    """``conj(rfft(a))`` with the norm of the other direction, as NumPy computes it."""
    _no_out(out, "ihfft")
    norm = _swap(norm)
    spectrum = (rfftn(a, [_points(n)], [axis], norm) if n is not None
                else rfftn(a, None, [axis], norm))
    return np.conjugate(spectrum)


def _is_complex(a: Any) -> bool:
    return np.asarray(_peek(a)).dtype.kind == "c"


def _shifts(a: Any, axes: Any, sign: int) -> tuple[Any, Any]:
    shape = _shape(a)
    if axes is None:
        axes = tuple(range(len(shape)))
        return [sign * (n // 2) for n in shape], axes
    if np.ndim(axes) == 0:
        return sign * (shape[operator.index(axes)] // 2), axes
    return [sign * (shape[operator.index(ax)] // 2) for ax in axes], axes


@numpy_function(np.fft.fftshift)
def _np_fftshift(x, axes=None):
    """``np.roll`` by half of each axis's length, as NumPy (recorded slices and a concat)."""
    shift, axes = _shifts(x, axes, 1)
    return np.roll(x, shift, axes)


@numpy_function(np.fft.ifftshift)
def _np_ifftshift(x, axes=None):
    """``np.roll`` back by half of each axis's length, as NumPy."""
    shift, axes = _shifts(x, axes, -1)
    return np.roll(x, shift, axes)
