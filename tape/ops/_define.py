"""Declaring ops: one line per op gives the primitive, its public function and its NumPy hook."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _batch
from .._fast import binary_caller, unary_caller
from .._record import bind
from .._registry import FUNCTIONS, JVP, UFUNCS, VJP, Primitive, defprim
from .._tensor import Tensor, Variable


def apply(prim: Primitive, *args: Any, **static: Any) -> Any:
    """``prim`` applied inside a gradient rule (or a forward function): recorded when an
    argument is a tensor (a rule run by a nested tape or in forward mode), the plain NumPy
    forward function otherwise (a first-order ``gradient()``, which runs rules on values)."""
    if any(isinstance(a, (Tensor, Variable)) for a in args):
        return bind(prim, *args, **static)
    return prim.fwd(*args, **static)


def elementwise(
    name: str,
    fwd: Callable[..., Any],
    *vjps: VJP | None,
    ufunc: Any = None,
    differentiable: bool = True,
    doc: str = "",
    complex: bool | str = False,  # noqa: A002 - the column's name
    jvps: tuple[JVP | None, ...] | None = None,
) -> Callable[..., Any]:
    """Declare an elementwise op of one or two tensors (NumPy broadcasting applies). Its
    batching rule is the generic one (:func:`tape._batch.elementwise`).

    ``ufunc`` is the NumPy ufunc that ``np.<ufunc>(tensor)`` should dispatch to this op;
    ``complex`` says what its rules do with complex values (see
    :class:`tape._registry.Primitive`).
    """
    # An elementwise op's Jacobian is diagonal, so each rule ``g * f'(x)`` is its own
    # transpose: the same function maps a tangent forward and a cotangent backward (unless
    # ``jvps`` are given: a function of complex values that is not holomorphic).
    prim = defprim(name, fwd, *vjps, jvps=vjps if jvps is None else jvps,
                   differentiable=differentiable, batch=_batch.elementwise, complex=complex)
    prim.elementwise = True
    arity = len(vjps) if vjps else getattr(fwd, "nin", 1)
    # The op is its fast path itself: one Python call per op.
    op = unary_caller(prim) if arity == 1 else binary_caller(prim)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc or f"Elementwise {name} (broadcasting as NumPy)."
    op.prim = prim  # type: ignore[attr-defined]
    op.call = op  # type: ignore[attr-defined]  # what operators call
    if ufunc is not None:
        UFUNCS[ufunc] = op
    return op


def numpy_function(*numpy_funcs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function with NumPy's signature as the handler of ``numpy_funcs`` on tensors."""

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        for f in numpy_funcs:
            FUNCTIONS[f] = handler
        return handler

    return register
