"""ndarray's methods and attributes on tensors and variables.

NumPy code calls methods as often as functions: ``x.sum(axis=0)``, ``x.T``, ``x.reshape(2, 3)``.
Each method here is NumPy's function of the same name applied to the tensor, so it lands on the
same recorded op as ``np.sum(x, axis=0)`` (and reads a variable through a tape, as any op does).
Methods with no gradient (``argmax``, ``any``, ``nonzero``...) run as NumPy's do.

>>> import numpy as np, tape
>>> x = tape.constant(np.array([[1.0, 2.0], [3.0, 4.0]]))
>>> with tape.GradientTape() as t:
...     t.watch(x)
...     y = (x.T @ x).sum() + x.max(axis=1).mean()
>>> t.gradient(y, x).numpy()
array([[ 6. ,  6.5],
       [14. , 14.5]])
>>> f"{tape.constant(np.pi):.3f}"
'3.142'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import ACTIVE, MATH_HINT, Tensor, Variable, leaves_tape, steers, tracked
from .shape import identity, reshape, transpose


def _shape_args(args: tuple) -> Any:
    """``x.reshape(2, 3)`` and ``x.reshape((2, 3))``, as ndarray takes them."""
    return args[0] if len(args) == 1 else args


def _c_order(method: str, order: str) -> None:
    if order not in ("C", "A", "K"):
        raise NotImplementedError(
            f"tape's .{method}() supports only order='C' (row-major), got order={order!r}."
        )


class _Methods:
    """The methods; their functions are installed on Tensor and Variable."""

    @property
    def T(self) -> Tensor:  # noqa: N802 - NumPy's name
        """The tensor with its axes reversed, as ``ndarray.T``."""
        return transpose(self)

    @property
    def mT(self) -> Tensor:  # noqa: N802 - NumPy's name
        """The last two axes swapped (a stack of transposed matrices), as ``ndarray.mT``."""
        if self.ndim < 2:
            raise ValueError("matrix transpose with ndim < 2 is undefined")
        return np.swapaxes(self, -1, -2)

    @property
    def real(self) -> Tensor:
        """The real part, as ``ndarray.real`` (recorded: ``np.real``)."""
        return np.real(self)

    @property
    def imag(self) -> Tensor:
        """The imaginary part, as ``ndarray.imag`` (recorded: ``np.imag``)."""
        return np.imag(self)

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        """Bytes of the whole value."""
        return self.size * self.dtype.itemsize

    def reshape(self, *shape: Any, order: str = "C") -> Tensor:
        """As ``ndarray.reshape``: ``x.reshape(2, 3)`` or ``x.reshape((2, 3))``."""
        _c_order("reshape", order)
        return reshape(self, _shape_args(shape))

    def ravel(self, order: str = "C") -> Tensor:
        """The elements as a 1-d tensor."""
        _c_order("ravel", order)
        return reshape(self, (-1,))

    def flatten(self, order: str = "C") -> Tensor:
        """The elements as a 1-d tensor (tensors are immutable: no copy is needed)."""
        _c_order("flatten", order)
        return reshape(self, (-1,))

    def squeeze(self, axis: Any = None) -> Tensor:
        """Remove axes of length one (all, or those named)."""
        return np.squeeze(self, axis)

    def transpose(self, *axes: Any) -> Tensor:
        """As ``ndarray.transpose``: ``x.transpose()``, ``x.transpose(1, 0)`` or
        ``x.transpose((1, 0))``."""
        if not axes or axes == (None,):
            return transpose(self)
        return np.transpose(self, _shape_args(axes))

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        """Exchange two axes."""
        return np.swapaxes(self, axis1, axis2)

    def sum(self, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False):
        """As ``np.sum``."""
        return np.sum(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims)

    def mean(self, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False):
        """As ``np.mean``."""
        return np.mean(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims)

    def prod(self, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False):
        """As ``np.prod``."""
        return np.prod(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims)

    def max(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Tensor:
        """As ``np.max``."""
        return np.max(self, axis=axis, out=out, keepdims=keepdims)

    def min(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Tensor:
        """As ``np.min``."""
        return np.min(self, axis=axis, out=out, keepdims=keepdims)

    def std(self, axis: Any = None, dtype: Any = None, out: Any = None, ddof: int = 0,
            keepdims: bool = False) -> Tensor:
        """As ``np.std``."""
        return np.std(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims)

    def var(self, axis: Any = None, dtype: Any = None, out: Any = None, ddof: int = 0,
            keepdims: bool = False) -> Tensor:
        """As ``np.var``."""
        return np.var(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims)

    def cumsum(self, axis: Any = None, dtype: Any = None, out: Any = None) -> Tensor:
        """As ``np.cumsum``."""
        return np.cumsum(self, axis=axis, dtype=dtype, out=out)

    def cumprod(self, axis: Any = None, dtype: Any = None, out: Any = None) -> Tensor:
        """As ``np.cumprod``."""
        return np.cumprod(self, axis=axis, dtype=dtype, out=out)

    def dot(self, b: Any, out: Any = None) -> Tensor:
        """As ``np.dot``."""
        return np.dot(self, b, out=out)

    def clip(self, min: Any = None, max: Any = None, out: Any = None, **kwargs: Any):  # noqa: A002
        """As ``np.clip``."""
        return np.clip(self, min, max, out=out, **kwargs)

    def round(self, decimals: int = 0, out: Any = None) -> Tensor:
        """As ``np.round``."""
        return np.round(self, decimals=decimals, out=out)

    def conj(self) -> Tensor:
        """The complex conjugate (recorded); a real tensor's is itself."""
        return np.conjugate(self)

    conjugate = conj

    def trace(self, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None,
              out: Any = None) -> Tensor:
        """As ``np.trace``."""
        return np.trace(self, offset, axis1, axis2, dtype, out)

    def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
        """As ``np.diagonal``."""
        return np.diagonal(self, offset, axis1, axis2)

    def repeat(self, repeats: Any, axis: Any = None) -> Tensor:
        """As ``np.repeat``."""
        return np.repeat(self, repeats, axis)

    def take(self, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise"):
        """As ``np.take``."""
        return np.take(self, indices, axis=axis, out=out, mode=mode)

    # ----------------------------------------------------------------- no gradient

    def argmax(self, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Any:
        """As ``np.argmax`` (indices: no gradient)."""
        return np.argmax(self, axis=axis, out=out, keepdims=keepdims)

    def argmin(self, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Any:
        """As ``np.argmin`` (indices: no gradient)."""
        return np.argmin(self, axis=axis, out=out, keepdims=keepdims)

    def argsort(self, axis: Any = -1, kind: Any = None, order: Any = None, *,
                stable: Any = None) -> Any:
        """As ``np.argsort`` (indices: no gradient)."""
        return np.argsort(self, axis=axis, kind=kind, order=order, stable=stable)

    def any(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
        """As ``np.any`` (booleans: no gradient)."""
        return np.any(self, axis=axis, out=out, keepdims=keepdims)

    def all(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
        """As ``np.all`` (booleans: no gradient)."""
        return np.all(self, axis=axis, out=out, keepdims=keepdims)

    def nonzero(self) -> Any:
        """As ``np.nonzero`` (indices: no gradient)."""
        return np.nonzero(self)

    # ----------------------------------------------------------------- plain values

    def tolist(self) -> Any:
        """The value as nested Python lists of numbers. Like ``.item()``, it warns with
        :class:`tape.UntrackedWarning` for a tensor a tape tracks: the numbers are constants
        to the tape."""
        if ACTIVE[0]:
            steers(self, "value", self._value)
            if tracked(self):
                leaves_tape(self, ".tolist()", MATH_HINT)
        return np.asarray(self._value).tolist()

    def __round__(self, ndigits: int | None = None) -> Tensor:
        """``round(x)`` and ``round(x, 2)``: NumPy's round, recorded (its gradient is 0)."""
        return np.round(self, 0 if ndigits is None else ndigits)

    def copy(self) -> Tensor:
        """A tensor of the same value. Tensors are immutable, so this is a recorded identity:
        gradients flow through it, as through ``tf.identity``."""
        return identity(self)

    def __format__(self, spec: str) -> str:
        """``f"{loss:.5f}"`` formats the value as NumPy does (0-d values take a number's format
        spec, as in TensorFlow)."""
        if not spec:
            return str(self)
        if ACTIVE[0]:
            steers(self, "value", self._value)
        return format(self._value, spec)


_NAMES = [n for n in vars(_Methods) if not n.startswith("__") or n in ("__format__", "__round__")]


def install_methods() -> None:
    """Give :class:`Tensor` and :class:`Variable` ndarray's methods (those of ``_Methods``);
    called by ``tape.ops._protocols.install_operators``."""
    for cls in (Tensor, Variable):
        for name in _NAMES:
            setattr(cls, name, vars(_Methods)[name])
