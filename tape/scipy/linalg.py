"""SciPy's linear algebra on tensors, differentiated: ``tape.scipy.linalg``.

Recorded equivalents of ``scipy.linalg.solve_triangular``, ``cho_factor``, ``cho_solve``,
``expm``, ``sqrtm`` and ``solve_sylvester``, with SciPy's signatures and values, and
gradients (to every order) in every array argument. All but ``sqrtm`` take complex
matrices too (differentiated in TensorFlow's convention; ``cho_factor`` of a Hermitian
positive definite one); ``sqrtm`` real ones only. Matrices are the last two axes,
and leading axes are a batch, as in :mod:`tape.linalg`.

- ``solve_triangular`` and ``cho_solve`` read only the triangle that SciPy reads, so their
  gradients with respect to the matrix are zero on the other one (``unit_diagonal=True``: on
  the diagonal too). Their forward is SciPy's triangular solve.
- ``cho_factor`` returns ``(c, lower)`` as SciPy does: ``c`` holds the Cholesky factor in the
  triangle given by ``lower`` and the input's entries in the other one (SciPy leaves them
  there). It reads only that triangle of the input, which is taken to be symmetric
  (Hermitian).
- ``expm`` is differentiated through its Fréchet derivative (``expm`` of a block matrix).
- ``sqrtm`` is the principal square root of a real matrix with no eigenvalue on the closed
  negative real axis (symmetric positive definite matrices, for one), where it is real,
  unique and differentiable; other matrices (singular ones, or ones with a negative
  eigenvalue, whose square roots SciPy gives as complex) raise ``ValueError``. Its
  derivative solves a Sylvester equation. ``disp`` and ``blocksize`` are not taken.
- ``solve_sylvester(a, b, q)`` solves ``a @ x + x @ b = q``.

>>> import numpy as np
>>> import tape
>>> import tape.scipy.linalg as sl
>>> a = tape.constant([[0.0, 1.0], [0.0, 0.0]], dtype=tape.float64)
>>> with tape.GradientTape() as t:
...     t.watch(a)
...     y = tape.linalg.trace(sl.expm(a))
>>> print(t.gradient(y, a).numpy())  # expm(a)^T
[[1. 0.]
 [1. 1.]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import linalg as _linalg
from .._record import bind
from .._tensor import Tensor, Variable, as_tensor
from ..ops import scipy_linalg as _ops
from ..ops.shape import expand_dims, getitem

ArrayLike = Any

__all__ = ["cho_factor", "cho_solve", "expm", "solve_sylvester", "solve_triangular", "sqrtm"]


def _tensor(x: ArrayLike) -> Any:
    return x if isinstance(x, (Tensor, Variable)) else as_tensor(np.asarray(x))


def _square(x: Any, name: str) -> int:
    shape = tuple(x.shape)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"{name}: expected a square matrix (shape (..., M, M)), got shape "
                         f"{shape}.")
    return shape[-1]


def _check_real(x: Any, name: str) -> None:
    if x.dtype.kind == "c":
        raise TypeError(f"{name}: tape.scipy.linalg handles real matrices only, got "
                        f"{x.dtype}.")


def solve_triangular(a: ArrayLike, b: ArrayLike, trans: int | str = 0, lower: bool = False,
                     unit_diagonal: bool = False, overwrite_b: bool = False,
                     check_finite: bool = True) -> Tensor:
    """scipy.linalg.solve_triangular: ``x`` with ``a @ x = b`` (``trans=0`` or ``'N'``) or
    ``a^T @ x = b`` (``trans=1``, ``'T'``) or ``a^H @ x = b`` (``2``, ``'C'``),
    reading only the lower (``lower=True``) or upper triangle of ``a``, and taking its
    diagonal to be ones when ``unit_diagonal``. ``b`` is ``(M,)`` or ``(M, K)`` (with batch
    axes, ``(..., M, K)``). ``overwrite_b`` and ``check_finite`` are accepted and ignored.
    The gradient with respect to ``a`` is zero outside the triangle read.

    >>> import tape
    >>> import tape.scipy.linalg as sl
    >>> a = tape.constant([[2.0, 0.0], [1.0, 4.0]], dtype=tape.float64)
    >>> b = tape.constant([2.0, 5.0], dtype=tape.float64)
    >>> print(sl.solve_triangular(a, b, lower=True).numpy())
    [1. 1.]
    """
    a, b = _tensor(a), _tensor(b)
    n = _square(a, "solve_triangular")
    conjugate = trans in (2, "C", "c") and a.dtype.kind == "c"
    if trans in (0, "N", "n"):
        adjoint = False
    elif trans in (1, "T", "t", 2, "C", "c"):
        adjoint = True
    else:
        raise ValueError(f"solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got "
                         f"{trans!r}.")
    vector = b.ndim == 1
    if vector:
        b = expand_dims(b, -1)
    if b.ndim < 2 or b.shape[-2] != n:
        raise ValueError(f"solve_triangular: shapes of a {tuple(a.shape)} and b "
                         f"{tuple(b.shape)} are incompatible.")
    if conjugate:  # a^H x = b is a^T conj(x) = conj(b)
        b = np.conjugate(b)
    x = bind(_ops._solve_triangular, a, b, lower=bool(lower), trans=adjoint,
             unit=bool(unit_diagonal))
    if conjugate:
        x = np.conjugate(x)
    return getitem(x, (Ellipsis, 0)) if vector else x


def cho_factor(a: ArrayLike, lower: bool = False, overwrite_a: bool = False,
               check_finite: bool = True) -> tuple[Tensor, bool]:
    """scipy.linalg.cho_factor: ``(c, lower)``, the Cholesky factor of the symmetric (complex:
    Hermitian) positive definite ``a`` in the lower (``lower=True``, ``a = L L^H``) or upper
    (``a = U^H U``)
    triangle of ``c``, for :func:`cho_solve`. Only that triangle of ``a`` is read; the other
    triangle of ``c`` holds ``a``'s entries, as SciPy's does. ``overwrite_a`` and
    ``check_finite`` are accepted and ignored.

    >>> import tape
    >>> import tape.scipy.linalg as sl
    >>> a = tape.constant([[4.0, 2.0], [2.0, 5.0]], dtype=tape.float64)
    >>> c, low = sl.cho_factor(a, lower=True)
    >>> print(c.numpy(), low)
    [[2. 2.]
     [1. 2.]] True
    """
    a = _tensor(a)
    _square(a, "cho_factor")
    read = np.tril(a) if lower else np.triu(a)  # the triangle SciPy reads, made Hermitian
    strict = np.tril(a, -1) if lower else np.triu(a, 1)
    full = read + np.conjugate(np.swapaxes(strict, -1, -2))
    chol = _linalg.cholesky(full)
    if lower:
        return chol + np.triu(a, 1), lower
    return np.conjugate(np.swapaxes(chol, -1, -2)) + np.tril(a, -1), lower


def cho_solve(c_and_lower: tuple[ArrayLike, bool], b: ArrayLike, overwrite_b: bool = False,
              check_finite: bool = True) -> Tensor:
    """scipy.linalg.cho_solve: ``x`` with ``A @ x = b``, given ``(c, lower)`` from
    :func:`cho_factor` (only the triangle of ``c`` named by ``lower`` is read). ``b`` is
    ``(M,)`` or ``(M, K)``. ``overwrite_b`` and ``check_finite`` are accepted and ignored.

    >>> import tape
    >>> import tape.scipy.linalg as sl
    >>> a = tape.constant([[4.0, 2.0], [2.0, 5.0]], dtype=tape.float64)
    >>> b = tape.constant([6.0, 7.0], dtype=tape.float64)
    >>> print(sl.cho_solve(sl.cho_factor(a), b).numpy())
    [1. 1.]
    """
    c, lower = c_and_lower
    if lower:  # L L^H x = b
        y = solve_triangular(c, b, lower=True)
        return solve_triangular(c, y, trans=2, lower=True)
    y = solve_triangular(c, b, trans=2, lower=False)  # U^H U x = b
    return solve_triangular(c, y, lower=False)


def expm(A: ArrayLike) -> Tensor:
    """scipy.linalg.expm: the matrix exponential of ``A`` (``(..., M, M)``). Its derivative
    in a direction ``E`` is the Fréchet derivative, the top-right block of
    ``expm([[A, E], [0, A]])``; its gradient for a cotangent ``G`` is the Fréchet derivative
    at ``A^T`` in the direction ``G``.

    >>> import tape
    >>> import tape.scipy.linalg as sl
    >>> t = tape.constant(0.5, dtype=tape.float64)
    >>> a = tape.constant([[0.0, 1.0], [-1.0, 0.0]], dtype=tape.float64)
    >>> with tape.GradientTape() as g:
    ...     g.watch(t)
    ...     y = sl.expm(t * a)[0, 1]  # sin(t)
    >>> print(f"{float(y):.6f} {float(g.gradient(y, t)):.6f}")  # sin(0.5), cos(0.5)
    0.479426 0.877583
    """
    A = _tensor(A)
    _square(A, "expm")
    return bind(_ops._expm, A)


def sqrtm(A: ArrayLike) -> Tensor:
    """scipy.linalg.sqrtm: the principal square root ``X`` of ``A`` (``X @ X = A``), for real
    matrices with no eigenvalue on the closed negative real axis, where it is real, unique and
    differentiable (symmetric positive definite matrices, for one). Other matrices raise
    ``ValueError``: complex square roots are not supported. The derivative ``dX`` solves the
    Sylvester equation ``X dX + dX X = dA``.

    >>> import tape
    >>> import tape.scipy.linalg as sl
    >>> a = tape.constant([[4.0, 0.0], [0.0, 9.0]], dtype=tape.float64)
    >>> with tape.GradientTape() as t:
    ...     t.watch(a)
    ...     x = sl.sqrtm(a)
    ...     y = tape.linalg.trace(x)
    >>> print(x.numpy())
    [[2. 0.]
     [0. 3.]]
    >>> print(t.gradient(y, a).numpy().round(6))  # 1 / (2 sqrt(a)) on the diagonal
    [[0.25     0.      ]
     [0.       0.166667]]
    """
    A = _tensor(A)
    _check_real(A, "sqrtm")
    _square(A, "sqrtm")
    return bind(_ops._sqrtm, A)


def solve_sylvester(a: ArrayLike, b: ArrayLike, q: ArrayLike) -> Tensor:
    """scipy.linalg.solve_sylvester: ``x`` with ``a @ x + x @ b = q``, for ``a`` ``(M, M)``,
    ``b`` ``(N, N)`` and ``q`` ``(M, N)`` (leading batch axes broadcast), differentiable in
    all three.

    >>> import tape
    >>> import tape.scipy.linalg as sl
    >>> a = tape.constant([[1.0, 0.0], [0.0, 2.0]], dtype=tape.float64)
    >>> q = tape.constant([[2.0, 3.0], [3.0, 4.0]], dtype=tape.float64)
    >>> print(sl.solve_sylvester(a, a, q).numpy())
    [[1. 1.]
     [1. 1.]]
    """
    a, b, q = _tensor(a), _tensor(b), _tensor(q)
    m, n = _square(a, "solve_sylvester"), _square(b, "solve_sylvester")
    if q.ndim < 2 or tuple(q.shape[-2:]) != (m, n):
        raise ValueError(f"solve_sylvester: q must have shape (..., {m}, {n}) for a "
                         f"{tuple(a.shape)} and b {tuple(b.shape)}, got {tuple(q.shape)}.")
    return bind(_ops._sylvester, a, b, q)
