"""SciPy's matrix functions and convolution as tape ops, declared when first needed.

This module is imported by :mod:`tape.scipy.linalg` and :mod:`tape.scipy.signal` only, since
the forwards call SciPy; importing tape alone never imports SciPy. Real-valued arrays only.

- ``scipy.linalg.expm``: the matrix exponential. Its derivative in a direction ``E`` is the
  Fréchet derivative ``L(A, E)``, the top-right block of ``expm([[A, E], [0, A]])``; the
  gradient for a cotangent ``G`` is ``L(A^T, G)``. Both are written with ``expm`` itself, so
  that every order of derivative is recorded.
- ``scipy.linalg.solve_triangular``: ``x`` with ``T x = b`` or ``T^T x = b``, ``T`` a
  triangle of ``a``. Its gradients are triangular solves with the other transpose:
  ``grad b = w`` with ``T^T w = g`` (or ``T w = g``), and ``grad a`` is ``-w x^T`` (or
  ``-x w^T``) on the triangle read, zero elsewhere.
- ``scipy.linalg.solve_sylvester``: ``X`` with ``A X + X B = Q``. Its derivative solves
  another Sylvester equation, ``A dX + dX B = dQ - dA X - X dB``, and its gradient the
  transposed one, ``A^T W + W B^T = G`` (then ``grad Q = W``, ``grad A = -W X^T``,
  ``grad B = -X^T W``).
- ``scipy.linalg.sqrtm``: the principal square root ``X`` (``X @ X = A``) of a real matrix
  with no eigenvalue on the closed negative real axis, where it is real, unique and
  differentiable: ``X dX + dX X = dA`` is a Sylvester equation, solved with the op above.
- ``scipy.signal.convolve`` in ``'full'`` mode, N-dimensional: its gradient in either input
  is a correlation with the other (a convolution with the other flipped, then cut to the
  input's shape); it is linear in each input, so its derivative is the op itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as sl
import scipy.signal as ss

from .._batch import elementwise as _broadcasting
from .._batch import same_call
from .._registry import defprim
from ._define import apply


def _mT(x: Any) -> Any:
    return np.swapaxes(x, -1, -2)


def _float_result(out: np.ndarray, *args: Any) -> np.ndarray:
    """``out`` in the inexact dtype of the arguments (float64 for integers)."""
    dtype = np.result_type(*[np.asarray(a).dtype for a in args], np.float16)
    if dtype.kind not in "fc":
        dtype = np.dtype(np.float64)
    return out.astype(dtype, copy=False)


# --------------------------------------------------------------------------- expm


def _expm_fwd(a: Any) -> np.ndarray:
    a = np.asarray(a)
    if a.size == 0:
        return _float_result(np.zeros(a.shape), a)
    return _float_result(np.asarray(sl.expm(a)), a)


_expm_fwd.__name__ = _expm_fwd.__qualname__ = "expm"


def frechet(a: Any, e: Any) -> Any:
    """The Fréchet derivative of ``expm`` at ``a`` in the direction ``e``: the top-right
    block of ``expm([[a, e], [0, a]])`` (recorded, so differentiable again)."""
    n = np.shape(a)[-1]
    z = np.zeros_like(e)
    a = a + z  # a's batch axes broadcast to e's
    top = np.concatenate([a, e], axis=-1)
    bottom = np.concatenate([z, a], axis=-1)
    big = np.concatenate([top, bottom], axis=-2)
    return apply(_expm, big)[..., :n, n:]


_expm = defprim(
    "scipy.linalg.expm", _expm_fwd,
    lambda g, ans, a: frechet(_mT(a), g),
    jvps=(lambda t, ans, a: frechet(a, t),),
    batch=same_call, complex="holomorphic",
)


# --------------------------------------------------------------------------- triangular solves


def _solve_triangular_fwd(a: Any, b: Any, lower: bool, trans: bool, unit: bool) -> np.ndarray:
    a, b = np.asarray(a), np.asarray(b)
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    out = np.zeros(batch + b.shape[-2:], dtype=np.result_type(a, b, np.float16))
    if out.size:
        for i in np.ndindex(*batch):
            out[i] = sl.solve_triangular(a[i], b[i], trans=int(trans), lower=lower,
                                         unit_diagonal=unit, check_finite=False)
    return _float_result(out, a, b)


_solve_triangular_fwd.__name__ = _solve_triangular_fwd.__qualname__ = "solve_triangular"


def solve_triangular(a: Any, b: Any, lower: bool, trans: bool, unit: bool) -> Any:
    """``x`` with ``op(T) @ x = b``, ``T`` the lower (``lower``) or upper triangle of ``a``
    (with ones on its diagonal when ``unit``), ``op`` the transpose when ``trans``
    (recorded on tensors)."""
    return apply(_solve_triangular, a, b, lower=lower, trans=trans, unit=unit)


def triangle(x: Any, lower: bool, unit: bool) -> Any:
    """The entries of ``x`` in the triangle that a triangular solve reads."""
    k = -1 if unit else 0
    return np.tril(x, k) if lower else np.triu(x, -k)


def outer(x: Any, w: Any, trans: bool) -> Any:
    """``w @ x^T``, or ``x @ w^T`` when ``trans``: the gradient of ``op(T)`` (negated)."""
    return np.matmul(x, _mT(w)) if trans else np.matmul(w, _mT(x))


def transposed(x: Any, trans: bool) -> Any:
    """``x^T`` when ``trans``, else ``x``."""
    return _mT(x) if trans else x


_solve_triangular = defprim(
    "scipy.linalg.solve_triangular", _solve_triangular_fwd,
    lambda g, ans, a, b, lower, trans, unit: -triangle(outer(
        ans, solve_triangular(a, g, lower=lower, trans=not trans, unit=unit), trans),
        lower, unit),
    lambda g, ans, a, b, lower, trans, unit: solve_triangular(
        a, g, lower=lower, trans=not trans, unit=unit),
    jvps=(
        lambda t, ans, a, b, lower, trans, unit: solve_triangular(
            a, -np.matmul(transposed(triangle(t, lower, unit), trans), ans), lower=lower,
            trans=trans, unit=unit),
        lambda t, ans, a, b, lower, trans, unit: solve_triangular(
            a, t, lower=lower, trans=trans, unit=unit),
    ),
    batch=_broadcasting, complex="holomorphic",
)


# --------------------------------------------------------------------------- Sylvester


def _sylvester_fwd(a: Any, b: Any, q: Any) -> np.ndarray:
    a, b, q = np.asarray(a), np.asarray(b), np.asarray(q)
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2], q.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    q = np.broadcast_to(q, batch + q.shape[-2:])
    out = np.zeros(batch + q.shape[-2:], dtype=np.result_type(a, b, q, np.float16))
    if out.size:
        for i in np.ndindex(*batch):
            out[i] = sl.solve_sylvester(a[i], b[i], q[i])
    return _float_result(out, a, b, q)


_sylvester_fwd.__name__ = _sylvester_fwd.__qualname__ = "solve_sylvester"


def sylvester(a: Any, b: Any, q: Any) -> Any:
    """``X`` with ``a @ X + X @ b = q`` (recorded on tensors)."""
    return apply(_sylvester, a, b, q)


def sylvester_adjoint(g: Any, a: Any, b: Any) -> Any:
    """The adjoint Sylvester solve: ``W`` with ``a^T W + W b^T = g``."""
    return sylvester(_mT(a), _mT(b), g)


_sylvester = defprim(
    "scipy.linalg.solve_sylvester", _sylvester_fwd,
    lambda g, ans, a, b, q: -np.matmul(sylvester_adjoint(g, a, b), _mT(ans)),
    lambda g, ans, a, b, q: -np.matmul(_mT(ans), sylvester_adjoint(g, a, b)),
    lambda g, ans, a, b, q: sylvester_adjoint(g, a, b),
    jvps=(
        lambda t, ans, a, b, q: sylvester(a, b, -np.matmul(t, ans)),
        lambda t, ans, a, b, q: sylvester(a, b, -np.matmul(ans, t)),
        lambda t, ans, a, b, q: sylvester(a, b, t),
    ),
    batch=_broadcasting, complex="holomorphic",
)


# --------------------------------------------------------------------------- sqrtm


def _sqrtm_fwd(a: Any) -> np.ndarray:
    a = np.asarray(a)
    if a.size == 0:
        return _float_result(np.zeros(a.shape), a)
    if not np.all(np.isfinite(a)):
        raise ValueError("sqrtm: the matrix has inf or NaN entries.")
    eig = np.linalg.eigvals(a.astype(np.float64))
    scale = float(np.max(np.abs(eig)))  # (a real eigenvalue may come with rounding's
    bad = (eig.real <= 0) & (np.abs(eig.imag) <= 1e-12 * scale)  # imaginary part)
    if np.any(bad):
        raise ValueError(
            "sqrtm: tape differentiates the principal square root of real matrices with no "
            "eigenvalue on the closed negative real axis (where it is real, unique and "
            "differentiable); this matrix has an eigenvalue that is zero or negative. "
            "Complex square roots are not supported."
        )
    out = np.asarray(sl.sqrtm(a))
    if np.iscomplexobj(out):
        out = out.real
    return _float_result(out, a)


_sqrtm_fwd.__name__ = _sqrtm_fwd.__qualname__ = "sqrtm"

_sqrtm = defprim(
    "scipy.linalg.sqrtm", _sqrtm_fwd,
    lambda g, ans, a: sylvester(_mT(ans), _mT(ans), g),
    jvps=(lambda t, ans, a: sylvester(ans, ans, t),),
    batch=same_call,
)


# --------------------------------------------------------------------------- convolution


def _convolve_fwd(a: Any, b: Any, method: str) -> np.ndarray:
    a, b = np.asarray(a), np.asarray(b)
    shape = tuple(n + m - 1 for n, m in zip(a.shape, b.shape))
    if a.size == 0 or b.size == 0:
        return _float_result(np.zeros(tuple(max(s, 0) for s in shape)), a, b)
    out = ss.convolve(a, b, mode="full", method=method)
    return _float_result(np.asarray(out), a, b)


_convolve_fwd.__name__ = _convolve_fwd.__qualname__ = "convolve"


def convolve_full(a: Any, b: Any, method: str = "auto") -> Any:
    """The full N-dimensional convolution of ``a`` and ``b`` (same number of dimensions)."""
    return apply(_convolve, a, b, method=method)


def _flip(x: Any) -> Any:
    return np.flip(x, axis=tuple(range(np.ndim(x))))


def _cut(x: Any, start: tuple[int, ...], shape: tuple[int, ...]) -> Any:
    return x[tuple(slice(s, s + n) for s, n in zip(start, shape))]


def correlate_cut(g: Any, other: Any, mine: tuple[int, ...], method: str) -> Any:
    """The gradient for the input of shape ``mine``: the cotangent correlated with
    ``other``, i.e. convolved with it flipped and cut to ``mine``."""
    start = tuple(m - 1 for m in np.shape(other))
    return _cut(convolve_full(g, _flip(other), method=method), start, mine)


def _convolve_batch(prim: Any, args: list, batched: list[bool], ndims: list[int], rank: int,
                    static: dict, size: int) -> np.ndarray:
    """A batch (axis 0) of full convolutions: with one input batched, SciPy's convolution
    with a length-1 axis in front of the other (which maps each example to its own
    convolution); with both batched, a sum of shifted products, over the elements of the
    second input's examples."""
    a, b = (np.asarray(x) for x in args)
    method = static["method"]
    if not batched[0]:
        a = a[None]
    if not batched[1]:
        b = b[None]
    shape = (size,) + tuple(n + m - 1 for n, m in zip(a.shape[1:], b.shape[1:]))
    if a.size == 0 or b.size == 0 or not all(batched):
        if a.size == 0 or b.size == 0:
            return _float_result(np.zeros(tuple(max(s, 0) for s in shape)), a, b)
        return _float_result(np.asarray(ss.convolve(a, b, mode="full", method=method)), a, b)
    out = np.zeros(shape, dtype=np.result_type(a, b, np.float16))
    ext = a.shape[1:]
    for j in np.ndindex(*b.shape[1:]):
        where = (slice(None),) + tuple(slice(k, k + n) for k, n in zip(j, ext))
        out[where] += a * b[(slice(None), *j)].reshape((size,) + (1,) * len(ext))
    return _float_result(out, a, b)


_convolve = defprim(
    "scipy.signal.convolve", _convolve_fwd,
    lambda g, ans, a, b, method: correlate_cut(g, b, tuple(np.shape(a)), method),
    lambda g, ans, a, b, method: correlate_cut(g, a, tuple(np.shape(b)), method),
    jvps=(
        lambda t, ans, a, b, method: convolve_full(t, b, method=method),
        lambda t, ans, a, b, method: convolve_full(a, t, method=method),
    ),
    batch=_convolve_batch, complex="holomorphic",
)
