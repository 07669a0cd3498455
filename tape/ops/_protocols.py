"""Python operators and NumPy's dispatch protocols for Tensor and Variable.

``x * y``, ``np.sin(x)`` and ``np.sum(x, axis=0)`` all land on the same recorded ops. A NumPy
function with no tape op runs on plain values when no tape watches its inputs; on a watched
input it runs only when its result has no meaningful gradient (indices, booleans, shapes...),
and otherwise raises rather than silently return an untracked array (the classification of
NumPy's functions is ``tape.ops._numpy_api``).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import numpy as np

from .._fast import binary_method
from .._record import holds_tensors, pack
from .._registry import FUNCTIONS, UFUNCS
from .._structure import flatten
from .._tensor import Tensor, Variable, tracked, value_of
from . import _numpy_api as api
from . import elementwise as ew
from .linalg import matmul
from .methods import install_methods
from .shape import cast, getitem, identity


def _method(op: Any, reflected: bool = False) -> Any:
    call = op.call
    if reflected:
        return lambda self, other: call(other, self)
    return call


def _unary(op: Any) -> Any:
    return op.call


def _compare(op: Any) -> Any:
    call = op.call

    def method(self: Any, other: Any) -> Any:
        if other is None:
            return NotImplemented
        return call(self, other)

    return method


def _watched(values: list) -> bool:
    """Whether a tape watches, or a forward accumulator has a tangent for, any of ``values``
    (a trainable variable counts as watched by every tape that watches what it reads)."""
    return any(isinstance(v, (Tensor, Variable)) and tracked(v) for v in values)


def _unwrap(x: Any) -> Any:
    if isinstance(x, (Tensor, Variable)):
        return value_of(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    if isinstance(x, dict):
        return {k: _unwrap(v) for k, v in x.items()}
    return x


def _tensors_in(value: Any) -> bool:
    if isinstance(value, (Tensor, Variable)):
        return True
    return isinstance(value, (list, tuple)) and any(_tensors_in(v) for v in value)


def _refuse_writes(func: Any, method: str | None, args: tuple, kwargs: dict) -> None:
    """Writing into a tensor would change a value that tapes may have saved: refuse
    ``out=`` tensors and in-place functions (``np.copyto``, ``np.add.at``...) on tensors,
    whether a tape watches them or not."""
    if _tensors_in(kwargs.get("out")):
        raise api.writes_error(func, method, "out=")
    if (method == "at" or api.writes_in_place(func)) and args and _tensors_in(args[0]):
        raise api.writes_error(func, method)


def _untracked(func: Any, args: tuple, kwargs: dict, method: str | None = None) -> Any:
    """Run a NumPy function (or ufunc ``method``) that has no tape handler on the tensors'
    values. On a watched tensor only the functions with no meaningful gradient run (see
    ``tape.ops._numpy_api``); the others raise an error that names the function by its
    public path, the reason and the fix."""
    _refuse_writes(func, method, args, kwargs)
    if api.runs_without_gradient(func):
        name, value, fix = api.differentiable_argument(func, args, kwargs)
        if value is not None and _watched(flatten([value])):
            raise api.argument_error(func, name, fix)
    elif _watched(flatten(list(args)) + flatten(list(kwargs.values()))):
        if method == "__call__" and func in UFUNCS:  # a tape op, called with keywords
            raise api.keywords_error(func, kwargs)
        raise api.unsupported_error(func, method)
    call = func if method in (None, "__call__") else getattr(func, method)
    return call(*_unwrap(args), **_unwrap(kwargs))


def _array_ufunc(self: Any, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    if method == "__call__" and not kwargs:
        op = UFUNCS.get(ufunc)
        if op is not None:
            return op(*inputs)
    if _SCIPY[0] and ufunc not in UFUNCS and _load_scipy_rules(ufunc):
        return _array_ufunc(self, ufunc, method, *inputs, **kwargs)
    return _untracked(ufunc, inputs, kwargs, method)


# Whether the rules of SciPy's special functions may still have to be loaded.
_SCIPY = [True]


def _load_scipy_rules(ufunc: Any) -> bool:
    """On the first ufunc of ``scipy.special`` that meets a tensor, import tape's rules for
    SciPy's special functions (``tape.ops.scipy_special``, which registers them in
    ``UFUNCS``), once: tape never imports SciPy itself. Whether the rules were loaded now."""
    special = sys.modules.get("scipy.special")
    if special is None or getattr(special, ufunc.__name__, None) is not ufunc:
        return False
    _SCIPY[0] = False
    importlib.import_module(f"{__package__}.scipy_special")
    return True


# The arguments, by position, that NumPy functions take as sequences of arrays: their elements
# are packed one by one (np.stack([[a, b], c])); any other list holding tensors is one array.
_SEQUENCES = {
    np.concatenate: (0,), np.stack: (0,), np.vstack: (0,), np.hstack: (0,), np.dstack: (0,),
    np.column_stack: (0,), np.linalg.multi_dot: (0,), np.select: (0, 1),
}


def _packed(func: Any, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """The arguments with each list or tuple that holds tensors packed into one tensor by a
    recorded ``stack`` (so that gradients reach its elements), as tape's own ops pack them.
    NumPy hands such lists over only when a tensor sits directly among the arguments
    (``np.dot([a, b], v)``); a list it converts itself meets the conversion guard."""
    seqs = _SEQUENCES.get(func, ())
    out = list(args)
    for i, a in enumerate(args):
        if type(a) in (list, tuple) and holds_tensors(a):
            out[i] = type(a)(pack(b) for b in a) if i in seqs else pack(a)
    for k, v in kwargs.items():
        if type(v) in (list, tuple) and holds_tensors(v):
            kwargs = {**kwargs, k: pack(v)}
    return tuple(out), kwargs


def _array_function(self: Any, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
    handler = FUNCTIONS.get(func)
    if handler is not None:
        args, kwargs = _packed(func, args, kwargs)
        return handler(*args, **kwargs)
    return _untracked(func, args, kwargs)


def _astype(self: Any, dtype: Any) -> Tensor:
    return cast(self, dtype)


#: The binary operators: ``x + y`` and ``y + x`` for each op (``__add__``, ``__radd__``...).
BINARY = {
    "add": ew.add,
    "sub": ew.subtract,
    "mul": ew.multiply,
    "truediv": ew.divide,
    "pow": ew.pow,
    "floordiv": ew.floordiv,
    "mod": ew.floormod,
    "and": ew.logical_and,
    "or": ew.logical_or,
    "xor": ew.logical_xor,
}

#: The other operators and methods, by name.
METHODS = {
    "__matmul__": lambda self, other: matmul(self, other),
    "__rmatmul__": lambda self, other: matmul(other, self),
    "__invert__": _unary(ew.logical_not),
    "__neg__": _unary(ew.negative),
    "__pos__": lambda self: self,
    "__abs__": _unary(ew.abs),
    "__eq__": _compare(ew.equal),
    "__ne__": _compare(ew.not_equal),
    "__lt__": _compare(ew.less),
    "__le__": _compare(ew.less_equal),
    "__gt__": _compare(ew.greater),
    "__ge__": _compare(ew.greater_equal),
    "__getitem__": getitem,
    "__array_ufunc__": _array_ufunc,
    "__array_function__": _array_function,
    "astype": _astype,
}

def _read_value(self: Variable) -> Tensor:
    """The current value as a new tensor. Read inside a tape's context, the read is
    recorded (gradients flow back to the variable); read outside, it is a constant."""
    return identity(self)


def install_operators() -> None:
    """Give :class:`Tensor` and :class:`Variable` their operators and NumPy protocols from the
    op table: ``__add__``/``__radd__`` and the other :data:`BINARY` operators (a tensor's are
    the fast paths of ``tape._fast.binary_method``), the :data:`METHODS` (``__matmul__``,
    ``__neg__``, comparisons, ``__getitem__``, ``__array_ufunc__``, ``__array_function__``,
    ``astype``), a variable's ``read_value`` (and ``value``), and ndarray's methods
    (``tape.ops.methods``). Every operator is then an
    ordinary recorded op. Called once, when ``tape.ops`` is imported."""
    for cls in (Tensor, Variable):
        for name, fn in METHODS.items():
            setattr(cls, name, fn)
        for name, op in BINARY.items():
            if cls is Tensor:  # fast paths that know self is a tensor
                forward, reflected = binary_method(op.prim), binary_method(op.prim, True)
            else:  # a variable is read through bind, so that tapes watch it
                forward, reflected = op, _method(op, reflected=True)
            setattr(cls, f"__{name}__", forward)
            setattr(cls, f"__r{name}__", reflected)
    Variable.read_value = Variable.value = _read_value  # type: ignore[attr-defined]
    install_methods()  # ndarray's methods: x.sum(axis=0), x.T, x.reshape(2, 3)...
