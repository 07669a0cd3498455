"""The fast paths of one- and two-operand ops: :func:`~tape._record.bind` specialised to one
primitive, for tensors and Python numbers (anything else goes through ``bind``).

Nearly every op of a scalar or elementwise program comes here, so this code trades clarity
for speed (local names, no calls it can avoid); it computes and records exactly what ``bind``
does. A first reading of the engine can skip it.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy import ndarray

from ._record import _NO_STATIC, _arg, _record, bind, raised
from ._registry import Primitive
from ._tensor import ACTIVE, STATE, Tensor, Variable


def unary_caller(prim: Primitive) -> Callable[..., Tensor | tuple[Tensor, ...]]:
    """The fast path of a one-operand op: ``call(x)`` is :func:`bind` specialised to ``prim``
    for a tensor argument (anything else goes through :func:`bind`)."""
    fwd = prim.fwd
    taped = prim.differentiable

    def call(  # name: TensorFlow's, unused
        x: Any, name: str | None = None
    ) -> Tensor | tuple[Tensor, ...]:
        if type(x) is not Tensor:
            return call(_arg(x)) if type(x) is Variable else bind(prim, x)
        t = Tensor()
        try:
            t._value = fwd(x._value)
        except Exception:
            raised(prim)
            raise
        t._id = 0
        if ACTIVE[0]:
            if taped:
                _record(prim, (x,), (x._value,), _NO_STATIC, t, (x._id,))
            elif STATE.tracers:
                _record(prim, (x,), (x._value,), _NO_STATIC, t, (x._id,), False, STATE.tracers)
        return t

    return call


def binary_caller(prim: Primitive) -> Callable[..., Tensor | tuple[Tensor, ...]]:
    """The fast path of a two-operand op, for two tensors or a tensor and a Python number."""
    fwd = prim.fwd
    taped = prim.differentiable
    converts = fwd in _ARITHMETIC

    def call(  # name: TensorFlow's, unused
        x: Any, y: Any, name: str | None = None
    ) -> Tensor | tuple[Tensor, ...]:
        if type(x) is Tensor:
            xv = x._value
            if type(y) is Tensor:
                yv = y._value
            elif type(y) is float or type(y) is int:
                yv = number(y, xv) if converts and type(y) is float else y
            else:
                return call(x, _arg(y)) if type(y) is Variable else bind(prim, x, y)
        elif type(y) is Tensor and (type(x) is float or type(x) is int):
            yv = y._value
            xv = number(x, yv) if converts and type(x) is float else x
        elif type(x) is Variable or type(y) is Variable:
            return call(_arg(x), _arg(y))
        else:
            return bind(prim, x, y)
        t = Tensor()
        try:
            t._value = fwd(xv, yv)
        except Exception:
            raised(prim)
            raise
        t._id = 0
        if ACTIVE[0] and (taped or STATE.tracers):
            ids = (x._id if type(x) is Tensor else 0, y._id if type(y) is Tensor else 0)
            if taped:
                _record(prim, (x, y), (xv, yv), _NO_STATIC, t, ids)
            else:
                _record(prim, (x, y), (xv, yv), _NO_STATIC, t, ids, False, STATE.tracers)
        return t

    return call


def binary_method(prim: Primitive, reflected: bool = False) -> Callable[[Tensor, Any], Any]:
    """The operator of a two-operand op on a :class:`Tensor` (``x * y``, or ``y * x`` when
    ``reflected``): :func:`binary_caller`'s fast path, with ``self`` known to be a tensor."""
    fwd = prim.fwd
    taped = prim.differentiable
    converts = fwd in _ARITHMETIC

    def method(self: Tensor, other: Any) -> Any:
        cls = type(other)
        if cls is Tensor:
            ov = other._value
        elif cls is float:
            ov = other
            if converts and type(self._value) is ndarray:
                cache = NUMBERS.get(self._value.dtype)  # (number(), inlined)
                if cache is not None:
                    ov = cache.get(other)
                    if ov is None:
                        ov = number(other, self._value)
        elif cls is int:
            ov = other
        elif cls is Variable:
            return method(self, _arg(other))
        else:
            return bind(prim, other, self) if reflected else bind(prim, self, other)
        t = Tensor()
        try:
            t._value = fwd(ov, self._value) if reflected else fwd(self._value, ov)
        except Exception:
            raised(prim)
            raise
        t._id = 0
        if ACTIVE[0] and (taped or STATE.tracers):
            oid = other._id if cls is Tensor else 0
            tapes = None if taped else STATE.tracers
            if reflected:
                _record(prim, (other, self), (ov, self._value), _NO_STATIC, t, (oid, self._id),
                        taped, tapes)
            else:
                _record(prim, (self, other), (self._value, ov), _NO_STATIC, t, (self._id, oid),
                        taped, tapes)
        return t

    return method


# Arithmetic converts a Python float operand to the dtype of a floating array before it
# computes (NumPy's rule for Python scalars), so the fast paths can give NumPy the converted
# value, which it takes without converting again. Other ops may use the float itself
# (``x ** 0.5`` is a square root, ``x & 1e-8`` reads the float's truth).
_ARITHMETIC = (operator.add, operator.sub, operator.mul, operator.truediv)

#: Per floating dtype, Python floats converted to 0-d arrays of that dtype; see number().
NUMBERS: dict[np.dtype, dict[float, ndarray]] = {np.dtype(c): {} for c in "efdg"}


def number(x: float, like: Any) -> float | ndarray:
    """A Python float operand of arithmetic on the floating array ``like``, converted as NumPy
    converts it: to a 0-d array of ``like``'s dtype (``x`` itself for other values of
    ``like``). The result of the arithmetic is the same, but NumPy converts a Python float on
    every call and takes a 0-d array as it is. Conversions are cached, read-only, in
    :data:`NUMBERS`; those that give zero (0.0 and -0.0 are one key) or overflow (NumPy warns
    on each call) are not."""
    cache = NUMBERS.get(like.dtype) if type(like) is ndarray else None
    if cache is None:
        return x
    a = cache.get(x)
    if a is None:
        with np.errstate(all="ignore"):
            value = np.array(x, like.dtype)
        if value == 0 or (math.isfinite(x) and not np.isfinite(value)):
            return x
        value.flags.writeable = False
        if len(cache) >= 256:
            cache.clear()
        a = cache[x] = value.view()  # (a view of a read-only array stays read-only)
    return a


_CALLERS: dict[tuple[Primitive, int], Callable[..., Tensor | tuple[Tensor, ...]]] = {}


def bind1(prim: Primitive, x: Any) -> Tensor | tuple[Tensor, ...]:
    """:func:`bind` for one operand, through the op's fast path."""
    call = _CALLERS.get((prim, 1))
    if call is None:
        call = _CALLERS[prim, 1] = unary_caller(prim)
    return call(x)


def bind2(prim: Primitive, x: Any, y: Any) -> Tensor | tuple[Tensor, ...]:
    """:func:`bind` for two operands, through the op's fast path."""
    call = _CALLERS.get((prim, 2))
    if call is None:
        call = _CALLERS[prim, 2] = binary_caller(prim)
    return call(x, y)
