"""Creating tensors. Created tensors are constants: they are not recorded."""

from __future__ import annotations

import operator
from typing import Any, NoReturn

import numpy as np

from .._record import holds_tensors, pack
from .._sparse import IndexedSlices
from .._tensor import (
    Tensor,
    Variable,
    as_dtype,
    as_tensor,
    float32,
    peek,
    scalarize,
    to_value,
    value_of,
)
from ._define import numpy_function
from .elementwise import where
from .shape import broadcast_to, cast, concat, expand_dims, getitem


def _no_requires_grad(fn: str, requires_grad: Any) -> NoReturn:
    """PyTorch's ``requires_grad=`` has no place in tape: say what to write instead."""
    if not requires_grad:
        raise TypeError(
            f"tape.{fn}() takes no requires_grad= (PyTorch's flag): drop it, a tensor is a "
            "constant unless a GradientTape watches it. See the 'For PyTorch users' page of "
            "the docs (docs/pytorch.md)."
        )
    raise TypeError(
        f"tape.{fn}() takes no requires_grad= (PyTorch's flag): tensors carry no flag, a tape "
        "differentiates what it watches. Write `x = tape.constant(...)`, then `with "
        "tape.GradientTape() as t: t.watch(x); y = f(x)` and `t.gradient(y, x)`; or make x "
        "a tape.Variable(...), which tapes watch on their own. See the 'For PyTorch users' "
        "page of the docs (docs/pytorch.md)."
    )


def constant(
    value: Any,
    dtype: Any = None,
    shape: Any = None,
    name: str | None = None,
    *,
    requires_grad: Any = None,
) -> Tensor:
    """A tensor holding a copy of ``value`` (a tensor of the same dtype is returned as it is).

    Python floats give float32 and ints int32; NumPy values keep their dtype.
    ``requires_grad=`` (PyTorch's) is refused with a ``TypeError`` saying what to write:
    watch the tensor in a :class:`tape.GradientTape`, or use a :class:`tape.Variable`.

    >>> import tape
    >>> tape.constant(3.0)
    tape.Tensor(3.0, shape=(), dtype=float32)
    >>> tape.constant([1, 2]).dtype
    dtype('int32')
    """
    if requires_grad is not None:
        _no_requires_grad("constant", requires_grad)
    shape = None if shape is None else _shape(shape)
    if type(value) is Tensor and dtype in (None, value.dtype) and shape in (None, value.shape):
        return value  # as TensorFlow: the tensor itself (so tapes still see it)
    t = as_tensor(value, dtype)
    if shape is not None:
        v = t._value
        if np.size(v) == 1:
            v = np.full(shape, v, dtype=t.dtype)
        elif np.size(v) == int(np.prod(shape)):
            v = np.reshape(v, shape)
        else:
            raise ValueError(f"Cannot give a value of shape {np.shape(v)} the shape {shape}.")
        t._value = scalarize(v)
    return t


def convert_to_tensor(
    value: Any, dtype: Any = None, name: str | None = None, *, requires_grad: Any = None
) -> Tensor:
    """``value`` as a tensor: tensors are returned as they are, variables read, others copied.
    ``requires_grad=`` (PyTorch's) is refused with a ``TypeError`` saying what to write, as in
    :func:`constant`.

    >>> import tape
    >>> tape.convert_to_tensor(2.0)
    tape.Tensor(2.0, shape=(), dtype=float32)
    """
    if requires_grad is not None:
        _no_requires_grad("convert_to_tensor", requires_grad)
    if isinstance(value, Variable):
        value = value.read_value()
    if isinstance(value, IndexedSlices):
        return as_tensor(value._dense(), dtype)
    if isinstance(value, (list, tuple)) and holds_tensors(value):
        value = pack(value)  # a recorded stack of the elements, as TensorFlow packs lists
    if isinstance(value, Tensor):
        if dtype is not None and as_dtype(dtype) != value.dtype:
            raise ValueError(
                f"Tensor conversion requested dtype {as_dtype(dtype)} for a tensor of dtype "
                f"{value.dtype}; use tape.cast to change it."
            )
        return value
    return as_tensor(value, dtype)


def _shape(shape: Any) -> tuple[int, ...]:
    if np.ndim(shape) or not isinstance(shape, (int, np.integer)):
        return tuple(int(n) for n in np.atleast_1d(np.asarray(shape, dtype=np.int64)))
    return (int(shape),)


def _full(shape: Any, fill: Any, dtype: Any) -> Tensor:
    return as_tensor(np.full(_shape(shape), fill, dtype=as_dtype(dtype)))


def zeros(shape: Any, dtype: Any = float32, name: str | None = None) -> Tensor:
    """A tensor of zeros, float32 unless ``dtype`` says otherwise."""
    return _full(shape, 0, dtype)


def ones(shape: Any, dtype: Any = float32, name: str | None = None) -> Tensor:
    """A tensor of ones, float32 unless ``dtype`` says otherwise.

    >>> import tape
    >>> tape.ones((2, 2)).numpy()
    array([[1., 1.],
           [1., 1.]], dtype=float32)
    """
    return _full(shape, 1, dtype)


def fill(dims: Any, value: Any, name: str | None = None) -> Tensor:
    """A tensor of shape ``dims`` filled with ``value`` (its dtype inferred as for constant).
    A tensor ``value`` is broadcast, so gradients reach it (the sum of the output's).

    >>> import tape
    >>> tape.fill([2], 1.5).numpy()
    array([1.5, 1.5], dtype=float32)
    """
    if isinstance(value, (Tensor, Variable)):
        return broadcast_to(value, _shape(dims))
    v = to_value(value)
    return _full(dims, v, np.asarray(v).dtype)


def _like(input: Any, fill_value: int, dtype: Any) -> Tensor:
    v = input._value if isinstance(input, (Tensor, Variable)) else to_value(input)
    return as_tensor(scalarize(np.full(np.shape(v), fill_value, dtype=as_dtype(dtype) or v.dtype)))


def zeros_like(input: Any, dtype: Any = None, name: str | None = None) -> Tensor:
    """Zeros with the shape (and, by default, dtype) of ``input``."""
    return _like(input, 0, dtype)


def ones_like(input: Any, dtype: Any = None, name: str | None = None) -> Tensor:
    """Ones with the shape (and, by default, dtype) of ``input``."""
    return _like(input, 1, dtype)


def eye(
    num_rows: int,
    num_columns: int | None = None,
    batch_shape: Any = None,
    dtype: Any = float32,
    name: str | None = None,
) -> Tensor:
    """An identity matrix (or a batch of them)."""
    m = np.eye(num_rows, num_columns, dtype=as_dtype(dtype))
    if batch_shape is not None:
        m = np.broadcast_to(m, tuple(batch_shape) + m.shape).copy()
    return as_tensor(m)


def linspace(start: Any, stop: Any, num: int, name: str | None = None, axis: int = 0) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive. Whole-number
    endpoints give float64, as TensorFlow's (``tf.linspace(0, 100, 5)`` is float64); float
    endpoints keep their dtype (float32 for Python floats).

    >>> import tape
    >>> tape.linspace(-2, 2, 5)
    tape.Tensor([-2. -1.  0.  1.  2.], shape=(5,), dtype=float64)
    """
    start_v, stop_v = to_value(start), to_value(stop)
    dtype = np.result_type(start_v, stop_v)
    if start_v.dtype.kind == "f" and stop_v.dtype.kind in "iub":  # stop takes start's dtype
        dtype = start_v.dtype
    elif dtype.kind in "iub":  # TensorFlow divides integers into float64
        dtype = np.dtype(np.float64)
    if dtype.kind not in "fc":
        raise TypeError(f"linspace needs numeric start and stop, got {dtype}.")
    if not any(isinstance(v, (Tensor, Variable)) for v in (start, stop)):
        return as_tensor(np.linspace(start_v, stop_v, int(num), axis=axis, dtype=dtype))
    # tensors: start + (stop - start) w with w from 0 to 1 (and stop itself last), so that
    # gradients reach both ends
    shape = np.broadcast_shapes(np.shape(start_v), np.shape(stop_v))
    rank = len(shape) + 1
    if not -rank <= axis < rank:
        raise np.exceptions.AxisError(axis, rank)
    ax, n = axis % rank, int(num)
    lo, hi = (
        expand_dims(broadcast_to(cast(convert_to_tensor(v), dtype), shape), ax)
        for v in (start, stop)
    )
    along = [-1 if i == ax else 1 for i in np.arange(rank)]
    w = as_tensor((np.arange(n) / max(n - 1, 1)).astype(dtype).reshape(along))
    last = (np.arange(n).reshape(along) == n - 1) & (n > 1)  # one value: start, as NumPy
    return where(last, hi, lo + (hi - lo) * w)


# values for NumPy's dtype rules (Python numbers stay weakly typed): to compute with, and for
# a dtype and shape only (a compiled function fixes those)
_np_value, _np_peek = value_of, peek


@numpy_function(np.linspace)
def _np_linspace(
    start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None
):
    """``np.linspace`` with tensor ``start`` and ``stop`` (scalars or arrays that broadcast):
    the same arithmetic as NumPy's, recorded, so gradients reach both ends. With ``retstep``
    the step is returned too, as a tensor (NaN, a float, when it is undefined). An integer
    ``dtype`` gives NumPy's floored values, which carry no gradient."""
    if device not in (None, "cpu"):
        raise ValueError(f"Device not understood. Only 'cpu' is allowed, but received: {device}")
    num = operator.index(_np_value(num))
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    start_v, stop_v = _np_peek(start), _np_peek(stop)
    # NumPy's own dtype rule (inexact result type of start and stop) and shape checks
    dt = np.linspace(start_v, stop_v, 0).dtype
    if dtype is not None and as_dtype(dtype).kind not in "fc":
        values = np.linspace(
            _np_value(start), _np_value(stop), num, endpoint, retstep, dtype, axis
        )
        return (constant(values[0]), values[1]) if retstep else constant(values)
    shape = np.broadcast_shapes(np.shape(start_v), np.shape(stop_v))
    if not -len(shape) - 1 <= axis <= len(shape):
        raise np.exceptions.AxisError(axis, len(shape) + 1)
    lo = cast(start if isinstance(start, (Tensor, Variable)) else np.asarray(start_v), dt)
    hi = cast(stop if isinstance(stop, (Tensor, Variable)) else np.asarray(stop_v), dt)
    delta = hi - lo
    y: Any = constant(np.arange(0, num, dtype=dt).reshape((-1,) + (1,) * len(shape)))
    div = num - 1 if endpoint else num
    if div > 0:
        step: Any = delta / div
        if np.any(step == 0):  # NumPy's order for a zero step (denormal deltas)
            y = (y / div) * delta
        else:
            y = y * step
    else:  # 0 samples, or 1 with the endpoint: no step
        step = float("nan")
        y = y * delta
    y = y + lo
    if endpoint and num > 1:
        last = broadcast_to(hi, (1,) + shape)
        y = concat([getitem(y, slice(None, -1)), last], 0)
    if axis != 0:
        y = np.moveaxis(y, 0, axis)
    if dtype is not None and as_dtype(dtype) != y.dtype:
        y = cast(y, dtype)
    return (y, step) if retstep else y


def range(  # noqa: A001 - TensorFlow's name
    start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None, name: str | None = "range"
) -> Tensor:
    """Values from ``start`` up to (not including) ``limit`` in steps of ``delta``.

    >>> import tape
    >>> tape.range(5).numpy()
    array([0, 1, 2, 3, 4], dtype=int32)
    """
    if limit is None:
        start, limit = 0, start
    vals = [to_value(v) for v in (start, limit, delta)]
    if dtype is None:  # the widest dtype of the arguments' kind (float if any is a float)
        floats = [v.dtype for v in vals if v.dtype.kind == "f"]
        dtype = np.result_type(*floats) if floats else np.result_type(*vals)
    return as_tensor(np.arange(*vals, dtype=as_dtype(dtype)))

__all__ = [
    "constant",
    "convert_to_tensor",
    "eye",
    "fill",
    "linspace",
    "ones",
    "ones_like",
    "range",
    "zeros",
    "zeros_like",
]
