"""SciPy's convolution and correlation on tensors, differentiated: ``tape.scipy.signal``.

Recorded equivalents of ``scipy.signal.convolve`` and ``scipy.signal.correlate`` for real or
complex N-dimensional arrays (``in1`` and ``in2`` with the same number of dimensions), with SciPy's
modes (``'full'``, ``'same'``, ``'valid'``) and methods (``'auto'``, ``'direct'``,
``'fft'``), equal to SciPy's values and differentiable in both inputs to every order. The
convolution is one op in ``'full'`` mode, whose gradient in either input is a correlation
with the other; ``'same'`` and ``'valid'`` cut the centre of it, as SciPy does. Complex
arrays are differentiated in TensorFlow's convention (the op is holomorphic in each input).

>>> import tape
>>> import tape.scipy.signal as ss
>>> x = tape.constant([1.0, 2.0, 3.0], dtype=tape.float64)
>>> k = tape.constant([0.0, 1.0, 0.5], dtype=tape.float64)
>>> print(ss.convolve(x, k).numpy())
[0.  1.  2.5 4.  1.5]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor, Variable, as_tensor
from ..ops import scipy_linalg as _ops

ArrayLike = Any

__all__ = ["convolve", "correlate"]

_MODES = ("full", "same", "valid")
_METHODS = ("auto", "direct", "fft")


def _tensor(x: ArrayLike) -> Any:
    return x if isinstance(x, (Tensor, Variable)) else as_tensor(np.asarray(x))


def _checked(in1: ArrayLike, in2: ArrayLike, mode: str, method: str,
             name: str) -> tuple[Any, Any]:
    a, b = _tensor(in1), _tensor(in2)
    if mode not in _MODES:
        raise ValueError(f"{name}: mode must be 'full', 'same' or 'valid', got {mode!r}.")
    if method not in _METHODS:
        raise ValueError(f"{name}: method must be 'auto', 'direct' or 'fft', got {method!r}.")
    if a.ndim != b.ndim:
        raise ValueError(f"{name}: in1 and in2 should have the same dimensionality, got "
                         f"{a.ndim} and {b.ndim}.")
    if mode == "valid":
        shapes = list(zip(a.shape, b.shape))
        if not (all(n >= m for n, m in shapes) or all(m >= n for n, m in shapes)):
            raise ValueError(f"{name}: for 'valid' mode, one must be at least as large as "
                             "the other in every dimension.")
    return a, b


def _centred(full: Any, shape: tuple[int, ...]) -> Any:
    """The centre of ``full`` with the given shape, as SciPy cuts it."""
    index = []
    for size, n in zip(full.shape, shape):
        start = (size - n) // 2
        index.append(slice(start, start + n))
    return full[tuple(index)]


def _convolve(a: Any, b: Any, mode: str, method: str) -> Tensor:
    if a.ndim == 0:
        return a * b
    full = _ops.convolve_full(a, b, method=method)
    if mode == "full":
        return full
    if mode == "same":
        return _centred(full, tuple(a.shape))
    shape = tuple(abs(n - m) + 1 for n, m in zip(a.shape, b.shape))
    return _centred(full, shape)


def convolve(in1: ArrayLike, in2: ArrayLike, mode: str = "full",
             method: str = "auto") -> Tensor:
    """scipy.signal.convolve: the N-dimensional convolution of ``in1`` and ``in2``, in
    ``mode`` ``'full'`` (every overlap), ``'same'`` (the size of ``in1``, centred) or
    ``'valid'`` (complete overlaps only), computed by SciPy with ``method``. Differentiable
    in both inputs: the gradient in one is the cotangent correlated with the other.

    >>> import tape
    >>> import tape.scipy.signal as ss
    >>> x = tape.constant([1.0, 2.0, 3.0, 4.0], dtype=tape.float64)
    >>> k = tape.constant([1.0, -1.0], dtype=tape.float64)
    >>> with tape.GradientTape() as t:
    ...     t.watch(k)
    ...     y = tape.reduce_sum(ss.convolve(x, k, mode="valid"))
    >>> print(t.gradient(y, k).numpy())
    [9. 6.]
    """
    a, b = _checked(in1, in2, mode, method, "convolve")
    return _convolve(a, b, mode, method)


def correlate(in1: ArrayLike, in2: ArrayLike, mode: str = "full",
              method: str = "auto") -> Tensor:
    """scipy.signal.correlate: the N-dimensional cross-correlation of ``in1`` and ``in2``
    (the convolution of ``in1`` with ``in2`` flipped along every axis, and conjugated when
    complex), with SciPy's modes and methods. Differentiable in both inputs.

    >>> import tape
    >>> import tape.scipy.signal as ss
    >>> x = tape.constant([1.0, 2.0, 3.0], dtype=tape.float64)
    >>> k = tape.constant([0.0, 1.0, 0.5], dtype=tape.float64)
    >>> print(ss.correlate(x, k).numpy())
    [0.5 2.  3.5 3.  0. ]
    """
    a, b = _checked(in1, in2, mode, method, "correlate")
    if b.ndim:
        b = np.flip(b, axis=tuple(range(b.ndim)))
    if b.dtype.kind == "c":
        b = np.conjugate(b)
    return _convolve(a, b, mode, method)
