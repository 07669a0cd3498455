"""Shape and indexing ops.

Every op here moves, copies or selects elements, so each is linear in its tensor operands: its
VJP is the transposed data movement (a slice's transpose is a scatter-add, a concatenation's is
a split, a tile's is a sum) and its JVP is the op itself applied to the tangent. The transposes
are written with these same ops, so gradients of any order are recorded.

Gathers (``gather``, ``gather_nd``, ``boolean_mask``, REFLECT padding, advanced indexing) are all
``getitem`` with a NumPy index key; its transpose, ``scatter_add``, accumulates repeated indices
(``np.add.at``) and returns dense gradients.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from .._batch import Basis, as_tuple, lift, reduction, same_call
from .._fast import unary_caller
from .._record import bind, pack
from .._registry import defprim, through
from .._sparse import IndexedSlices
from .._tensor import (
    Tensor,
    Variable,
    as_dtype,
    as_tensor,
    float32,
    int32,
    scalarize,
    to_value,
)
from .._tensor import peek as _peek
from .._tensor import value_of as _value
from ._define import numpy_function

newaxis = None  # tape.newaxis, as tf.newaxis and np.newaxis

# --------------------------------------------------------------------------- argument helpers


def _shape_of(x: Any) -> tuple[int, ...]:
    return np.shape(_peek(x))


def _int(n: Any, what: str) -> int:
    try:
        return operator.index(_value(n))
    except TypeError:
        raise TypeError(f"{what} must be an integer, got {n!r}.") from None


def _axis(axis: Any, ndim: int, what: str = "axis") -> int:
    """One axis in [-ndim, ndim), as a non-negative int. Out of range, NumPy's AxisError (a
    ValueError and an IndexError)."""
    a = _int(axis, what)
    if not -ndim <= a < ndim:
        raise np.exceptions.AxisError(
            f"{what} {a} is out of range for a tensor of rank {ndim}: it must be in "
            f"[{-ndim}, {ndim})."
        )
    return a % ndim


def _axis_list(axis: Any, ndim: int, what: str = "axis") -> tuple[int, ...]:
    """An int or a list of ints, as distinct non-negative axes (in the order given)."""
    axes = np.asarray(_value(axis))
    if axes.ndim > 1 or (axes.size and axes.dtype.kind not in "iu"):
        raise TypeError(f"{what} must be an integer or a list of integers, got {axis!r}.")
    out = tuple(_axis(a, ndim, what) for a in axes.reshape(-1).tolist())
    if len(set(out)) != len(out):
        raise ValueError(f"{what} {axes.tolist()} names the same axis more than once.")
    return out


def _shape_arg(shape: Any) -> tuple[int, ...]:
    shape = _value(shape)
    return tuple(int(n) for n in np.atleast_1d(shape)) if np.ndim(shape) else (int(shape),)


def _int_array(indices: Any, what: str) -> np.ndarray:
    arr = np.asarray(_value(indices))
    if arr.size == 0 and arr.dtype.kind == "f":  # [] from a Python list
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{what} must be integers, got dtype {arr.dtype}.")
    return arr


def _check_range(idx: np.ndarray, n: int, what: str) -> None:
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)].reshape(-1)[0]
        raise IndexError(f"{what}: index {bad} is out of range [0, {n}).")


def _at(values: Any, axis: int, ndim: int) -> np.ndarray:
    """A 1-D index array shaped to broadcast along ``axis`` of an ``ndim``-d index."""
    return np.reshape(values, (1,) * axis + (-1,) + (1,) * (ndim - axis - 1))


# --------------------------------------------------------------------------- indexing keys


def _index_arg(key: Any) -> Any:
    """Index keys may hold tensors (integer or boolean): use their values. An empty list
    selects nothing, as in NumPy (``x[[]]`` has shape ``(0,) + x.shape[1:]``). (A tape copies
    the index arrays it records, so a caller may change its own afterwards.)"""
    if isinstance(key, tuple):
        return tuple(_index_arg(k) for k in key)
    if isinstance(key, (Tensor, Variable)):
        key = _value(key)
    if isinstance(key, list):
        key = np.asarray([_index_arg(k) for k in key])
        if key.size == 0 and key.dtype.kind == "f":  # [] (or [[]]): no element, not floats
            return key.astype(np.intp)
    return key


def _repeats_possible(key: Any) -> bool:
    """Whether the key holds an integer index array (so an element may be picked twice)."""
    keys = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, np.ndarray) and k.dtype.kind in "iu" for k in keys)


def _scatter(g: Any, key: Any, shape: tuple[int, ...]) -> Any:
    """Zeros of ``shape`` with ``g`` added at ``key``; repeated indices accumulate."""
    z = np.zeros(shape, dtype=np.result_type(g))
    if _repeats_possible(key):
        np.add.at(z, key, g)
    else:  # slices, integers, boolean masks: every element is picked at most once
        z[key] = g
    return scalarize(z)


# --------------------------------------------------------------------------- batching rules
# (see tape._batch: the arguments come with the batch on axis 0 where ``batched``; a rule
# gives the output with the batch on axis 0, or NotImplemented for a case it leaves to a loop)


def _transpose_batch(prim, args, batched, ndims, rank, static, size):
    perm, n = static.get("perm"), ndims[0]
    perm = tuple(reversed(range(n))) if perm is None else tuple(p % n for p in perm)
    return prim.fwd(args[0], perm=(0, *(p + 1 for p in perm)))


def _reshape_batch(prim, args, batched, ndims, rank, static, size):
    return prim.fwd(args[0], shape=(size, *as_tuple(static["shape"])))


def _broadcast_to_batch(prim, args, batched, ndims, rank, static, size):
    shape = as_tuple(static["shape"])
    return prim.fwd(lift(args[0], ndims[0], len(shape)), shape=(size, *shape))


def _basic(k: Any) -> bool:
    return k is None or k is Ellipsis or type(k) in (int, slice) or isinstance(k, np.integer)


def _batch_key(key: Any) -> tuple[tuple, int]:
    """An example's index key for the batch (a full slice in front), and where the batch's
    axis lands in the result: 0, or, where the key's index arrays (with its integers,
    which count as index arrays beside them) are apart, after their broadcast axes, which
    NumPy then puts first."""
    items = key if isinstance(key, tuple) else (key,)
    advanced = [not _basic(k) for k in items]
    if any(advanced):
        advanced = [a or type(k) is int or isinstance(k, np.integer)
                    for a, k in zip(advanced, items)]
    at = [i for i, a in enumerate(advanced) if a]
    axis = 0
    if at and at[-1] - at[0] + 1 != len(at):
        axis = max(1 if np.asarray(k).dtype == bool else np.ndim(k)
                   for k, a in zip(items, advanced) if a)
    return (slice(None), *items), axis


def _getitem_batch(prim, args, batched, ndims, rank, static, size):
    key, axis = _batch_key(static["key"])
    out = prim.fwd(args[0], key=key)
    return np.moveaxis(out, axis, 0) if axis else out


def _scatter_batch(prim, args, batched, ndims, rank, static, size):
    (key, axis), shape = _batch_key(static["key"]), tuple(static["shape"])
    # the values broadcast to the selection (of an example): lift them to its rank, and put
    # the batch where the selection of the batch has it
    picked = np.broadcast_to(np.zeros((), np.int8), shape)[static["key"]]
    g = lift(args[0], ndims[0], np.ndim(picked))
    return prim.fwd(np.moveaxis(g, 0, axis) if axis else g, key=key, shape=(size, *shape))


def _gather_batch(prim, args, batched, ndims, rank, static, size):
    return prim.fwd(args[0], indices=(slice(None), static["indices"]),
                    shape=(size, *static["shape"]))


def _pad_batch(prim, args, batched, ndims, rank, static, size):
    paddings = [tuple(p) for p in np.asarray(static["paddings"]).reshape(-1, 2).tolist()]
    return prim.fwd(args[0], paddings=[(0, 0), *paddings], value=static["value"])


def _tile_batch(prim, args, batched, ndims, rank, static, size):
    multiples = tuple(int(m) for m in np.atleast_1d(static["multiples"]))
    if len(multiples) > ndims[0]:  # the tile would add axes in front, where the batch is
        return NotImplemented
    return prim.fwd(args[0], multiples=(1,) * (ndims[0] + 1 - len(multiples)) + multiples)


def _concat_batch(prim, args, batched, ndims, rank, static, size):
    """concat and stack: unbatched operands are repeated for every example."""
    full = [a if b else np.broadcast_to(a, (size, *np.shape(a))) for a, b in zip(args, batched)]
    axis = static["axis"]
    return prim.fwd(*full, axis=axis + 1 if axis >= 0 else axis)


# --------------------------------------------------------------------------- primitives


def _scatter_add(g: Any, key: Any, shape: tuple[int, ...]) -> Any:
    if type(g) is Tensor:
        return bind(_scatter_prim, g, key=key, shape=shape)
    return _scatter(g, key, shape)


def _inverse(perm: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(p) for p in np.argsort(perm))


def _tile_vjp(g: Any, ans: Any, x: Any, multiples: tuple[int, ...]) -> Any:
    # Each copy of x is one (m_0, m_1, ...) block of the output: sum the blocks.
    shape = np.shape(x)
    if not shape:
        return g
    interleaved = tuple(n for pair in zip(multiples, shape) for n in pair)
    return np.sum(np.reshape(g, interleaved), axis=tuple(range(0, 2 * len(shape), 2)))


def _unpadded(paddings: tuple, shape: tuple[int, ...]) -> tuple[slice, ...]:
    return tuple(slice(before, before + n) for (before, _), n in zip(paddings, shape))


def _split_fwd(x: Any, sizes: tuple[int, ...], axis: int) -> tuple:
    return tuple(np.split(x, list(itertools.accumulate(sizes[:-1])), axis))


def _one_hot_fwd(indices, depth, on, off, axis, dtype):
    hot = np.expand_dims(indices, axis) == _at(np.arange(depth), axis, np.ndim(indices) + 1)
    return scalarize(np.where(hot, on, off).astype(dtype))


def _cast_fwd(x: Any, dtype: np.dtype) -> Any:
    x = np.asarray(x)
    if x.dtype.kind == "c" and np.dtype(dtype).kind != "c":
        x = x.real  # the real part, as TensorFlow's cast (NumPy's warns that it drops one)
    return scalarize(x.astype(dtype))


_reshape = defprim(
    "reshape", lambda x, shape: scalarize(np.reshape(x, shape)),
    lambda g, ans, x, shape: np.reshape(g, np.shape(x)),
    linear=True, batch=_reshape_batch, complex=True,
)
_broadcast_to = defprim(
    "broadcast_to", lambda x, shape: scalarize(np.broadcast_to(x, shape).copy()),
    through,  # the engine sums the broadcast axes away
    linear=True, batch=_broadcast_to_batch, complex=True,
)
_transpose = defprim(
    "transpose", lambda x, perm: scalarize(np.transpose(x, perm)),
    lambda g, ans, x, perm: np.transpose(g, _inverse(perm)),
    linear=True, batch=_transpose_batch, complex=True,
)
_reverse = defprim(
    "reverse", lambda x, axes: scalarize(np.flip(x, axes)),
    lambda g, ans, x, axes: np.flip(g, axes),
    linear=True, batch=reduction, complex=True,
)
_getitem = defprim(
    "getitem", lambda x, key: scalarize(x[key]),
    lambda g, ans, x, key: _scatter_add(g, key, np.shape(x)),
    linear=True, batch=_getitem_batch, complex=True,
)
_scatter_prim = defprim(
    "scatter_add", _scatter,
    lambda g, ans, u, key, shape: g[key],
    linear=True, batch=_scatter_batch, complex=True,
)
def _rows_cotangent(g: Any, ans: Any, x: Any, indices: np.ndarray, shape: tuple) -> Any:
    """The cotangent of ``x[indices]``: sparse (IndexedSlices) in a plain sweep, a dense
    scatter (differentiable again) when an outer tape records."""
    if type(g) is Tensor:
        return bind(_scatter_prim, g, key=(indices,), shape=shape)
    return IndexedSlices(np.reshape(g, indices.shape + shape[1:]).reshape((-1,) + shape[1:]),
                         indices.reshape(-1), shape)


_gather_rows = defprim(  # gather along axis 0: its gradient is IndexedSlices, as in TensorFlow
    "gather", lambda x, indices, shape: scalarize(x[indices]), _rows_cotangent, linear=True,
    batch=_gather_batch, complex=True,
)
_tile = defprim(
    "tile", lambda x, multiples: scalarize(np.tile(x, multiples)), _tile_vjp, linear=True,
    batch=_tile_batch, complex=True,
)
_pad = defprim(  # constant padding; the padding value is a constant (no gradient, as in TF)
    "pad", lambda x, paddings, value: np.pad(x, paddings, constant_values=value),
    lambda g, ans, x, paddings, value: g[_unpadded(paddings, np.shape(x))],
    jvps=(lambda t, ans, x, paddings, value: bind(_pad, t, paddings=paddings, value=0),),
    batch=_pad_batch, complex=True,
)
_unstack = defprim(
    "unstack", lambda x, axis: tuple(np.moveaxis(x, axis, 0)),
    lambda g, ans, x, axis: np.stack(g, axis),
    linear=True, batch=reduction, complex=True,
)
_split = defprim(
    "split", _split_fwd,
    lambda g, ans, x, sizes, axis: np.concatenate(g, axis),
    linear=True, batch=reduction, complex=True,
)
# the engine's fit restores the dtype (a real argument takes the real part, as TensorFlow)
_cast = defprim("cast", _cast_fwd, through, linear=True, batch=same_call, complex=True)
_cast_to_int = defprim("cast_to_int", _cast_fwd, differentiable=False, batch=same_call)
def _one_hot_batch(prim, args, batched, ndims, rank, static, size):
    """A batch of consecutive indices, each on its own (a Jacobian's rows, numbered): rows
    of the identity, kept sparse (:class:`tape._batch.Basis`); otherwise the axis moves."""
    k = args[0]
    on, off = static["on"], static["off"]
    if (ndims[0] == 0 and np.ndim(on) == 0 and np.ndim(off) == 0 and on == 1 and off == 0
            and k.dtype.kind in "iu"):
        start = int(k[0])
        numbered = np.array_equal(k, np.arange(start, start + size))
        if 0 <= start <= static["depth"] - size and numbered:
            return Basis(np.ones(size, dtype=static["dtype"]), start, (static["depth"],))
    return reduction(prim, args, batched, ndims, rank, static, size)


_one_hot = defprim("one_hot", _one_hot_fwd, differentiable=False, batch=_one_hot_batch)
_identity = defprim("identity", lambda x: x, through, linear=True, batch=same_call, complex=True)


def _part(xs: tuple, i: int, axis: int) -> tuple:
    """The index of operand ``i`` in the concatenation of ``xs`` along ``axis``."""
    start = sum(np.shape(x)[axis] for x in xs[:i])
    return (slice(None),) * axis + (slice(start, start + np.shape(xs[i])[axis]),)


def _slot(i: int, axis: int) -> tuple:
    """The index of operand ``i`` in a stack along ``axis``."""
    return (slice(None),) * axis + (i,)


# concat: d(concat)ᵀ g = the slice of g where operand i sits; its tangent is scattered there.
_concat = defprim(
    "concat", lambda *xs, axis: np.concatenate(xs, axis),
    vjp_at=lambda i: lambda g, ans, *xs, axis: g[_part(xs, i, axis)],
    jvp_at=lambda i: lambda t, ans, *xs, axis: _scatter_add(t, _part(xs, i, axis), np.shape(ans)),
    batch=_concat_batch, complex=True,
)
_stack = defprim(
    "stack", lambda *xs, axis: np.stack(xs, axis),
    vjp_at=lambda i: lambda g, ans, *xs, axis: g[_slot(i, axis)],
    jvp_at=lambda i: lambda t, ans, *xs, axis: _scatter_add(t, _slot(i, axis), np.shape(ans)),
    batch=_concat_batch, complex=True,
)


# --------------------------------------------------------------------------- public ops


def reshape(tensor: Any, shape: Any, name: str | None = None) -> Tensor:
    """Give ``tensor`` a new shape with the same number of elements (one entry may be -1).

    >>> import tape
    >>> tape.reshape(tape.range(6), [2, -1]).shape
    (2, 3)
    """
    return bind(_reshape, tensor, shape=_shape_arg(shape))


def broadcast_to(input: Any, shape: Any, name: str | None = None) -> Tensor:
    """Broadcast ``input`` to ``shape`` as NumPy does; the gradient sums over the copies."""
    return bind(_broadcast_to, input, shape=_shape_arg(shape))


def transpose(a: Any, perm: Any = None, conjugate: bool = False, name: str | None = None) -> Tensor:
    """Permute the axes of ``a`` (reverse them when ``perm`` is None); with ``conjugate``,
    of its complex conjugate (TensorFlow's argument).

    >>> import tape
    >>> tape.transpose(tape.zeros((2, 3, 4)), perm=[2, 0, 1]).shape
    (4, 2, 3)
    """
    ndim = len(_shape_of(a))
    if perm is None:
        perm = tuple(range(ndim))[::-1]
    else:
        perm = _axis_list(perm, ndim, "perm")
        if len(perm) != ndim:
            raise ValueError(
                f"perm {list(perm)} must be a permutation of the {ndim} axes of the tensor."
            )
    if conjugate and np.iscomplexobj(_peek(a)):
        a = np.conjugate(a)  # the recorded conjugate (NumPy's protocol)
    return bind(_transpose, a, perm=perm)


def expand_dims(input: Any, axis: Any, name: str | None = None) -> Tensor:
    """Insert an axis of length 1 at ``axis`` (in [-rank-1, rank]).

    >>> import tape
    >>> tape.expand_dims(tape.zeros((2, 3)), -1).shape
    (2, 3, 1)
    """
    shape = _shape_of(input)
    a = _int(axis, "axis")
    if not -len(shape) - 1 <= a <= len(shape):
        raise ValueError(
            f"expand_dims axis {a} is out of range for a tensor of rank {len(shape)}: it must "
            f"be in [{-len(shape) - 1}, {len(shape)}]."
        )
    a %= len(shape) + 1
    return bind(_reshape, input, shape=shape[:a] + (1,) + shape[a:])


def squeeze(input: Any, axis: Any = None, name: str | None = None) -> Tensor:
    """Remove axes of length 1: those listed in ``axis`` (each must have length 1), or all
    when ``axis`` is None or empty.

    >>> import tape
    >>> tape.squeeze(tape.zeros((1, 2, 1)), axis=[0]).shape
    (2, 1)
    """
    shape = _shape_of(input)
    if axis is None or np.size(_peek(axis)) == 0:
        axes = tuple(i for i, n in enumerate(shape) if n == 1)
    else:
        axes = _axis_list(axis, len(shape))
        for a in axes:
            if shape[a] != 1:
                raise ValueError(
                    f"Cannot squeeze axis {a} of length {shape[a]} (shape {shape}): only axes "
                    "of length 1 can be removed."
                )
    return bind(_reshape, input, shape=tuple(n for i, n in enumerate(shape) if i not in axes))


def _like(values: list) -> list:
    """Python values among tensors take the first tensor's dtype (as TF converts them);
    lists holding tensors are packed (a recorded stack)."""
    values = [pack(v) for v in values]
    dtype = next(
        (np.result_type(_peek(v)) for v in values
         if isinstance(v, (Tensor, Variable, np.ndarray, np.generic))),
        None,
    )
    return [
        v if isinstance(v, (Tensor, Variable, np.ndarray, np.generic)) else to_value(v, dtype)
        for v in values
    ]


def concat(values: Any, axis: Any, name: str = "concat") -> Tensor:
    """Join tensors of equal rank (at least 1) along an existing axis.

    The gradient of each input is its slice of the output's gradient.

    >>> import tape
    >>> tape.concat([tape.zeros((2, 3)), tape.ones((1, 3))], axis=0).shape
    (3, 3)
    """
    if isinstance(values, (Tensor, Variable)):
        values = [values]
    values = _like(list(values))
    if not values:
        raise ValueError("concat needs at least one tensor.")
    shapes = [np.shape(_peek(v)) for v in values]
    ndim = len(shapes[0])
    if ndim == 0 or any(len(s) != ndim for s in shapes):
        raise ValueError(
            f"concat needs tensors of the same rank, at least 1; got shapes {shapes}. Use "
            "tape.stack to join scalars or to add a new axis."
        )
    a = _axis(axis, ndim)
    if any(s[:a] + s[a + 1:] != shapes[0][:a] + shapes[0][a + 1:] for s in shapes):
        raise ValueError(f"concat along axis {a} needs the other dimensions equal; got {shapes}.")
    if len(values) == 1:
        return identity(values[0])
    return bind(_concat, *values, axis=a)


def stack(values: Any, axis: Any = 0, name: str = "stack") -> Tensor:
    """Join tensors of equal shape along a new axis ``axis`` (in [-rank-1, rank]).

    The gradient of each input is its slice of the output's gradient.

    >>> import tape
    >>> tape.stack([tape.zeros(3), tape.ones(3)], axis=1).shape
    (3, 2)
    """
    if isinstance(values, (Tensor, Variable, np.ndarray)):
        values = list(values)
    values = _like(list(values))
    if not values:
        raise ValueError("stack needs at least one tensor.")
    shapes = [np.shape(_peek(v)) for v in values]
    if any(s != shapes[0] for s in shapes):
        raise ValueError(f"stack needs tensors of the same shape; got shapes {shapes}.")
    return bind(_stack, *values, axis=_axis(axis, len(shapes[0]) + 1))


def unstack(value: Any, num: int | None = None, axis: int = 0, name: str = "unstack") -> list:
    """Split a tensor into the list of its slices along ``axis`` (that axis removed).

    Each slice is an output of one op: the gradient stacks the slices' gradients (zeros for
    unused slices).

    >>> import tape
    >>> [t.shape for t in tape.unstack(tape.zeros((2, 3)), axis=1)]
    [(2,), (2,), (2,)]
    """
    shape = _shape_of(value)
    if not shape:
        raise ValueError("Cannot unstack a scalar (0-d tensor): it has no axis to split along.")
    a = _axis(axis, len(shape))
    if num is not None and _int(num, "num") != shape[a]:
        raise ValueError(f"num={num} does not match the length {shape[a]} of axis {a}.")
    if shape[a] == 0:
        return []
    return list(bind(_unstack, value, axis=a))


def split(
    value: Any,
    num_or_size_splits: Any,
    axis: Any = 0,
    num: int | None = None,
    name: str = "split",
) -> list:
    """Split ``value`` along ``axis`` into ``num_or_size_splits`` equal pieces, or into pieces
    of the listed sizes (one size may be -1: the rest).

    >>> import tape
    >>> [t.shape for t in tape.split(tape.zeros((5, 2)), [2, -1])]
    [(2, 2), (3, 2)]
    """
    shape = _shape_of(value)
    if not shape:
        raise ValueError("Cannot split a scalar (0-d tensor).")
    a = _axis(axis, len(shape))
    n = shape[a]
    spec = _value(num_or_size_splits)
    if np.ndim(spec) == 0:
        k = _int(spec, "num_or_size_splits")
        if k <= 0 or n % k:
            raise ValueError(
                f"Cannot split axis {a} of length {n} into {k} equal pieces; pass a list of "
                "sizes instead."
            )
        sizes = (n // k,) * k
    else:
        sizes = tuple(int(s) for s in _int_array(spec, "num_or_size_splits").reshape(-1))
        if sizes.count(-1) > 1 or any(s < -1 for s in sizes):
            raise ValueError(f"Sizes {list(sizes)} may hold at most one -1 and no other negative.")
        if -1 in sizes:
            rest = n - (sum(sizes) + 1)
            if rest < 0:
                raise ValueError(f"Sizes {list(sizes)} exceed the length {n} of axis {a}.")
            sizes = tuple(rest if s == -1 else s for s in sizes)
        if sum(sizes) != n or not sizes:
            raise ValueError(f"Sizes {list(sizes)} must add up to the length {n} of axis {a}.")
    if num is not None and _int(num, "num") != len(sizes):
        raise ValueError(f"num={num} does not match the {len(sizes)} pieces.")
    return list(bind(_split, value, sizes=sizes, axis=a))


def tile(input: Any, multiples: Any, name: str | None = None) -> Tensor:
    """Repeat ``input`` ``multiples[i]`` times along axis ``i`` (one multiple per axis).

    The gradient sums the output's gradient over the copies.

    >>> import tape
    >>> tape.tile(tape.constant([[1, 2]]), [2, 2]).numpy()
    array([[1, 2, 1, 2],
           [1, 2, 1, 2]], dtype=int32)
    """
    shape = _shape_of(input)
    reps = tuple(int(m) for m in _int_array(multiples, "multiples").reshape(-1))
    if len(reps) != len(shape):
        raise ValueError(
            f"tile needs one multiple per axis: got {len(reps)} multiples for a tensor of "
            f"rank {len(shape)}."
        )
    if any(m < 0 for m in reps):
        raise ValueError(f"multiples must be non-negative, got {list(reps)}.")
    return bind(_tile, input, multiples=reps)


def _gather_along(x: Any, axis: int, idx: np.ndarray) -> Tensor:
    return bind(_getitem, x, key=(slice(None),) * axis + (idx,))


def _padded(x: Any, pads: tuple, mode: str, value: Any) -> Tensor:
    """Pad with ``np.pad``'s ``mode``: constant by its own primitive, the others (which only
    repeat elements of ``x``) as one gather per padded axis."""
    if not any(b or a for b, a in pads):
        return identity(x)
    if mode == "constant":
        return bind(_pad, x, paddings=pads, value=value)
    shape = _shape_of(x)
    for axis, (b, a) in enumerate(pads):
        if b or a:
            idx = np.pad(np.arange(shape[axis]), (b, a), mode=mode)
            x = _gather_along(x, axis, idx)
    return x


def pad(
    tensor: Any,
    paddings: Any,
    mode: str = "CONSTANT",
    constant_values: Any = 0,
    name: str | None = None,
) -> Tensor:
    """Pad each axis ``i`` with ``paddings[i][0]`` values before and ``paddings[i][1]`` after.

    ``mode`` is ``'CONSTANT'`` (with ``constant_values``, a constant: it gets no gradient, as
    in TensorFlow), ``'REFLECT'`` (mirror without the edge; paddings at most length - 1) or
    ``'SYMMETRIC'`` (mirror with the edge; paddings at most length). The gradient of the
    tensor is the gradient of the kept region plus, for the mirrored modes, the gradients of
    the mirrored copies.

    >>> import tape
    >>> tape.pad(tape.constant([1, 2, 3]), [[1, 2]], mode="REFLECT").numpy()
    array([2, 1, 2, 3, 2, 1], dtype=int32)
    """
    shape = _shape_of(tensor)
    p = _int_array(paddings, "paddings")
    if p.shape != (len(shape), 2):
        raise ValueError(
            f"paddings must have shape [rank, 2] = [{len(shape)}, 2], got {list(p.shape)}."
        )
    if np.any(p < 0):
        raise ValueError(f"paddings must be non-negative, got {p.tolist()}.")
    pads = tuple((int(b), int(a)) for b, a in p)
    kind = str(mode).upper()
    if kind == "CONSTANT":
        value = _value(constant_values)
        if np.ndim(value) != 0:
            raise ValueError("constant_values must be a scalar.")
        return _padded(tensor, pads, "constant", value)
    if kind not in ("REFLECT", "SYMMETRIC"):
        raise ValueError(f"mode must be 'CONSTANT', 'REFLECT' or 'SYMMETRIC', got {mode!r}.")
    extra = 1 if kind == "REFLECT" else 0
    for i, ((b, a), n) in enumerate(zip(pads, shape)):
        if max(b, a) > n - extra:
            raise ValueError(
                f"{kind} padding of axis {i} (length {n}) must be at most {n - extra}, "
                f"got {[b, a]}."
            )
    return _padded(tensor, pads, kind.lower(), None)


def reverse(tensor: Any, axis: Any, name: str | None = None) -> Tensor:
    """Reverse the order of elements along each axis in the list ``axis``.

    >>> import tape
    >>> tape.reverse(tape.constant([[1, 2], [3, 4]]), [1]).numpy()
    array([[2, 1],
           [4, 3]], dtype=int32)
    """
    return bind(_reverse, tensor, axes=_axis_list(axis, len(_shape_of(tensor))))


def gather(
    params: Any,
    indices: Any,
    validate_indices: Any = None,
    axis: Any = None,
    batch_dims: int = 0,
    name: str | None = None,
) -> Tensor:
    """Slices of ``params`` along ``axis`` at ``indices`` (integers in [0, params.shape[axis])).

    The output's shape is ``params.shape[:axis] + indices.shape[batch_dims:] +
    params.shape[axis + 1:]``. With ``batch_dims=b`` the first ``b`` axes of ``params`` and
    ``indices`` are batch axes, matched one to one. An index picked several times
    accumulates its gradients; along axis 0 the gradient is an :class:`IndexedSlices`, as in
    TensorFlow (dense otherwise).

    >>> import tape
    >>> tape.gather(tape.constant([10, 20, 30]), [2, 0, 2]).numpy()
    array([30, 10, 30], dtype=int32)
    """
    shape = _shape_of(params)
    idx = _int_array(indices, "gather indices")
    b = _int(batch_dims, "batch_dims")
    if b < 0:
        b += idx.ndim
    if not 0 <= b <= min(idx.ndim, len(shape)):
        raise ValueError(f"batch_dims={batch_dims} is out of range for indices of rank {idx.ndim}.")
    a = b if axis is None else _axis(axis, len(shape))
    if a < b:
        raise ValueError(f"axis ({a}) must be at least batch_dims ({b}).")
    if idx.shape[:b] != shape[:b]:
        raise ValueError(
            f"The first batch_dims={b} axes of params {shape} and indices {idx.shape} must match."
        )
    _check_range(idx, shape[a], "gather")
    if b == 0 and a == 0:
        return bind(_gather_rows, params, indices=idx, shape=shape)
    if b == 0:
        return _gather_along(params, a, idx)
    # Every axis up to `axis` is indexed, each by an array broadcast to the output's leading
    # axes: batch axes pair params with indices, the axes between are kept whole.
    lead = a + idx.ndim - b
    key = tuple(_at(np.arange(shape[k]), k, lead) for k in range(a))
    key += (np.reshape(idx, shape[:b] + (1,) * (a - b) + idx.shape[b:]),)
    return bind(_getitem, params, key=key)


def gather_nd(params: Any, indices: Any, batch_dims: int = 0, name: str | None = None) -> Tensor:
    """Elements or slices of ``params`` at the multi-indices in the last axis of ``indices``.

    The output's shape is ``indices.shape[:-1] + params.shape[batch_dims + k:]`` where
    ``k = indices.shape[-1]``. Indices must be in range. The gradient is dense; repeated
    indices accumulate.

    >>> import tape
    >>> tape.gather_nd(tape.constant([[1, 2], [3, 4]]), [[1, 0], [0, 1]]).numpy()
    array([3, 2], dtype=int32)
    """
    shape = _shape_of(params)
    idx = _int_array(indices, "gather_nd indices")
    if idx.ndim == 0:
        raise ValueError("gather_nd indices must have rank at least 1.")
    b = _int(batch_dims, "batch_dims")
    k = idx.shape[-1]
    if not 0 <= b < idx.ndim or b + k > len(shape) or idx.shape[:b] != shape[:b]:
        raise ValueError(
            f"gather_nd: indices of shape {idx.shape} with batch_dims={b} do not fit params "
            f"of shape {shape}: the last axis of indices may index at most the "
            f"{len(shape) - b} non-batch axes, and the batch axes must match."
        )
    if k == 0:  # whole slices: index a new axis of length 1 at position 0
        params = reshape(params, shape[:b] + (1,) + shape[b:])
        shape = _shape_of(params)
        idx = np.zeros(idx.shape[:-1] + (1,), dtype=idx.dtype)
        k = 1
    for m in range(k):
        _check_range(idx[..., m], shape[b + m], "gather_nd")
    lead = idx.ndim - 1
    key = tuple(_at(np.arange(shape[j]), j, lead) for j in range(b))
    key += tuple(idx[..., m] for m in range(k))
    return bind(_getitem, params, key=key)


def boolean_mask(tensor: Any, mask: Any, axis: Any = None, name: str = "boolean_mask") -> Tensor:
    """The elements (or slices) of ``tensor`` where the boolean ``mask`` is true.

    ``mask`` covers axes ``axis`` to ``axis + mask.ndim`` of ``tensor``; those axes are
    replaced by one axis holding the selected entries. Unselected entries get zero gradient.

    >>> import tape
    >>> tape.boolean_mask(tape.constant([1, 2, 3]), [True, False, True]).numpy()
    array([1, 3], dtype=int32)
    """
    shape = _shape_of(tensor)
    m = np.asarray(_value(mask))
    if m.dtype != np.bool_:
        raise TypeError(f"mask must be boolean, got dtype {m.dtype}; compare it with 0 first.")
    if m.ndim == 0:
        raise ValueError("mask must have rank at least 1 (a scalar mask selects nothing).")
    a = 0 if axis is None else _axis(axis, len(shape))
    if shape[a:a + m.ndim] != m.shape:
        raise ValueError(
            f"mask of shape {m.shape} does not match axes {a}..{a + m.ndim - 1} of the tensor "
            f"of shape {shape}."
        )
    return bind(_getitem, tensor, key=(slice(None),) * a + (m,))


def one_hot(
    indices: Any,
    depth: int,
    on_value: Any = None,
    off_value: Any = None,
    axis: int | None = None,
    dtype: Any = None,
    name: str | None = None,
) -> Tensor:
    """A one-hot encoding: ``on_value`` at each index along a new axis of length ``depth``
    (the last, unless ``axis``), ``off_value`` elsewhere. Indices outside [0, depth) give a
    row of ``off_value``. Not differentiable.

    >>> import tape
    >>> tape.one_hot([0, 2, -1], 3).numpy()
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 0., 0.]], dtype=float32)
    """
    if isinstance(indices, Tensor) and indices.dtype.kind in "iu":
        idx = indices  # recorded as it is, its values unread (compiled code need not check them)
    else:
        idx = _int_array(indices, "one_hot indices")
    depth = _int(depth, "depth")
    if depth < 0:
        raise ValueError(f"depth must be non-negative, got {depth}.")
    on = None if on_value is None else to_value(on_value)
    off = None if off_value is None else to_value(off_value)
    if dtype is not None:
        dtype = as_dtype(dtype)
    elif on is not None or off is not None:
        dtype = np.result_type(*[v for v in (on, off) if v is not None])
    else:
        dtype = float32
    a = idx.ndim if axis is None or axis == -1 else _axis(axis, idx.ndim + 1)
    return bind(
        _one_hot, idx, depth=depth, on=1 if on is None else on, off=0 if off is None else off,
        axis=a, dtype=dtype,
    )


def cast(x: Any, dtype: Any, name: str | None = None) -> Tensor:
    """Convert to ``dtype``. Float-to-float casts are differentiable; to integers, not."""
    dtype = as_dtype(dtype)
    return bind(_cast if dtype.kind in "fc" else _cast_to_int, x, dtype=dtype)


def getitem(x: Any, key: Any) -> Tensor:
    """``x[key]`` with NumPy's basic and advanced indexing; gradients flow to ``x``.

    Keys may hold integers, slices (any step), ``...``, ``tape.newaxis``, integer arrays or
    tensors and boolean masks. An element picked several times accumulates its gradients.

    >>> import tape
    >>> x = tape.constant([1.0, 2.0, 3.0])
    >>> with tape.GradientTape() as t:
    ...     t.watch(x)
    ...     y = tape.reduce_sum(x[[0, 0, 2]])
    >>> t.gradient(y, x).numpy()
    array([2., 0., 1.], dtype=float32)
    """
    return bind(_getitem, x, key=_index_arg(key))


def identity(input: Any, name: str | None = None) -> Tensor:
    """A tensor with the same value; gradients pass through unchanged."""
    return bind(_identity, input)


def stop_gradient(input: Any, name: str | None = None) -> Tensor:
    """The same value, treated as a constant: no gradient flows back through it.

    >>> import tape
    >>> x = tape.constant(3.0)
    >>> with tape.GradientTape() as t:
    ...     t.watch(x)
    ...     y = x * tape.stop_gradient(x)
    >>> float(t.gradient(y, x))
    3.0
    """
    return _stop(input)


# A copy that no tape records: only tape.function traces it (as the op it is).
_stop = unary_caller(defprim("stop_gradient", to_value, differentiable=False, batch=same_call))


def shape(input: Any, out_type: Any = int32, name: str | None = None) -> Tensor:
    """The shape of ``input`` as a 1-D integer tensor (not differentiable).

    >>> import tape
    >>> tape.shape(tape.zeros((2, 3))).numpy()
    array([2, 3], dtype=int32)
    """
    return as_tensor(np.array(_shape_of(input), dtype=as_dtype(out_type)))


def size(input: Any, out_type: Any = int32, name: str | None = None) -> Tensor:
    """The number of elements of ``input`` as a 0-d integer tensor (not differentiable)."""
    return as_tensor(np.array(int(np.prod(_shape_of(input))), dtype=as_dtype(out_type)))


def rank(input: Any, name: str | None = None) -> Tensor:
    """The number of axes of ``input`` as a 0-d int32 tensor (not differentiable)."""
    return as_tensor(np.array(len(_shape_of(input)), dtype=np.int32))


# --------------------------------------------------------------------------- NumPy functions


def _np_axis_or_flat(a: Any, axis: Any) -> tuple[Any, int]:
    """NumPy's ``axis=None`` means: on the flattened array."""
    if axis is None:
        return reshape(a, (-1,)), 0
    return a, _axis(axis, len(_shape_of(a)))


def _np_only(name: str, **unsupported: Any) -> None:
    given = [k for k, v in unsupported.items() if v is not None]
    if given:
        raise NotImplementedError(f"tape's np.{name} does not support {', '.join(given)}.")


@numpy_function(np.reshape)
def _np_reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    if order != "C":
        raise NotImplementedError("tape supports only order='C' in reshape.")
    return reshape(a, shape if shape is not None else newshape)


@numpy_function(np.ravel)
def _np_ravel(a, order="C"):
    if order not in ("C", "K", "A"):
        raise NotImplementedError("tape supports only order='C' in ravel.")
    return reshape(a, (-1,))


@numpy_function(np.broadcast_to)
def _np_broadcast_to(array, shape, subok=False):
    return broadcast_to(array, shape)


@numpy_function(np.transpose)
def _np_transpose(a, axes=None):
    return transpose(a, axes)


@numpy_function(np.swapaxes)
def _np_swapaxes(a, axis1, axis2):
    ndim = len(_shape_of(a))
    perm = list(range(ndim))
    i, j = _axis(axis1, ndim), _axis(axis2, ndim)
    perm[i], perm[j] = perm[j], perm[i]
    return transpose(a, perm)


@numpy_function(np.moveaxis)
def _np_moveaxis(a, source, destination):
    ndim = len(_shape_of(a))
    src, dst = _axis_list(source, ndim, "source"), _axis_list(destination, ndim, "destination")
    if len(src) != len(dst):
        raise ValueError("source and destination must name the same number of axes.")
    perm = [i for i in range(ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return transpose(a, perm)


@numpy_function(np.expand_dims)
def _np_expand_dims(a, axis):
    shape = list(_shape_of(a))
    ndim = len(shape) + len(np.atleast_1d(axis))
    for ax in sorted(_axis_list(axis, ndim)):
        shape.insert(ax, 1)
    return reshape(a, shape)


@numpy_function(np.squeeze)
def _np_squeeze(a, axis=None):
    if axis is not None and np.size(axis) == 0:  # NumPy: no axes (TensorFlow: all axes)
        return reshape(a, _shape_of(a))
    return squeeze(a, axis)


def _np_operand(v: Any) -> Any:
    """An operand of a NumPy function as NumPy sees it: a tensor as it is, a list holding
    tensors packed into one (a recorded stack), anything else ``np.asarray(v)`` (so a Python
    float is float64, as in NumPy, not TensorFlow's float32)."""
    if isinstance(v, (Tensor, Variable)):
        return v
    packed = pack(v)
    return packed if packed is not v else np.asarray(v)


def _dtype_of(x: Any) -> np.dtype:
    return np.result_type(_peek(x))


def _np_cast_all(arrays: list, dtype: Any, casting: Any, name: str) -> list:
    """The operands of a join with NumPy's ``dtype=`` and ``casting=``: each must cast to the
    result dtype under the casting rule; with ``dtype`` given, each is cast to it."""
    casting = "same_kind" if casting is None else casting
    dtypes = [_dtype_of(a) for a in arrays]
    target = np.dtype(dtype) if dtype is not None else np.result_type(*dtypes)
    for d in dtypes:
        if not np.can_cast(d, target, casting):
            raise TypeError(
                f"np.{name}: cannot cast array data from {d} to {target} according to the "
                f"rule {casting!r}; pass casting='unsafe' or a dtype that holds both."
            )
    if dtype is None:
        return arrays
    return [a if _dtype_of(a) == target else cast(a, target) for a in arrays]


def _np_join(arrays: list, axis: int, name: str, dtype: Any = None, casting: Any = None) -> Any:
    """``np.concatenate(arrays, axis)`` of operands already shaped as ``name`` shapes them."""
    if not arrays:
        raise ValueError(f"np.{name} needs at least one array to concatenate.")
    return concat(_np_cast_all(arrays, dtype, casting, name), axis)


def _atleast(n: int) -> Callable[..., Any]:
    def handler(*arys):
        out = []
        for x in arys:
            x = _np_operand(x)
            s = _shape_of(x)
            if len(s) < n:
                # NumPy's placement: (N,) -> (1, N) -> (1, N, 1); 2-d (M, N) -> (M, N, 1).
                s = {0: (1,) * n, 1: (1, *s, 1)[: n], 2: (*s, 1)}[len(s)]
                x = reshape(x, s)
            out.append(x)
        return out[0] if len(out) == 1 else tuple(out)

    return handler


_atleast_1d, _atleast_2d, _atleast_3d = _atleast(1), _atleast(2), _atleast(3)
numpy_function(np.atleast_1d)(_atleast_1d)
numpy_function(np.atleast_2d)(_atleast_2d)
numpy_function(np.atleast_3d)(_atleast_3d)


@numpy_function(np.concatenate)
def _np_concatenate(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    _np_only("concatenate", out=out)
    arrays = [_np_operand(a) for a in arrays]
    if axis is None:
        arrays, axis = [reshape(a, (-1,)) for a in arrays], 0
    return _np_join(arrays, axis, "concatenate", dtype, casting)


@numpy_function(np.stack)
def _np_stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    _np_only("stack", out=out)
    arrays = [_np_operand(a) for a in arrays]
    if not arrays:
        raise ValueError("np.stack needs at least one array to stack.")
    return stack(_np_cast_all(arrays, dtype, casting, "stack"), axis)


@numpy_function(np.hstack)
def _np_hstack(tup, *, dtype=None, casting="same_kind"):
    arrs = [_atleast_1d(a) for a in tup]
    axis = 0 if arrs and len(_shape_of(arrs[0])) == 1 else 1
    return _np_join(arrs, axis, "hstack", dtype, casting)


@numpy_function(np.vstack)
def _np_vstack(tup, *, dtype=None, casting="same_kind"):
    """``np.vstack`` (and ``np.row_stack``, which calls it)."""
    return _np_join([_atleast_2d(a) for a in tup], 0, "vstack", dtype, casting)


@numpy_function(np.dstack)
def _np_dstack(tup):
    return _np_join([_atleast_3d(a) for a in tup], 2, "dstack")


@numpy_function(np.column_stack)
def _np_column_stack(tup):
    arrays = []
    for v in tup:
        v = _np_operand(v)
        s = _shape_of(v)
        if len(s) < 2:  # 1-d arrays become columns; 0-d ones 1 x 1
            v = reshape(v, (s[0] if s else 1, 1))
        arrays.append(v)
    return _np_join(arrays, 1, "column_stack")


@numpy_function(np.append)
def _np_append(arr, values, axis=None):
    arr, values = _np_operand(arr), _np_operand(values)
    if axis is None:
        if len(_shape_of(arr)) != 1:
            arr = reshape(arr, (-1,))
        values, axis = reshape(values, (-1,)), 0
    return _np_join([arr, values], axis, "append")


if hasattr(np, "unstack"):  # NumPy >= 2.1

    @numpy_function(np.unstack)
    def _np_unstack(x, /, *, axis=0):
        return tuple(unstack(x, axis=axis))


def _np_pieces(ary: Any, spec: Any, axis: int, equal: bool) -> list:
    n = _shape_of(ary)[_axis(axis, len(_shape_of(ary)))]
    if np.ndim(_peek(spec)) == 0:
        k = _int(spec, "indices_or_sections")
        if k <= 0:
            raise ValueError("number sections must be larger than 0.")
        if equal and n % k:
            raise ValueError("array split does not result in an equal division")
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
    else:  # split points, clipped to the axis as NumPy does
        bounds = [0, *(int(p) for p in _int_array(spec, "indices")), n]
        if bounds != sorted(bounds):  # overlapping pieces: slice each one
            ax = _axis(axis, len(_shape_of(ary)))
            return [getitem(ary, (slice(None),) * ax + (slice(s, e),))
                    for s, e in zip(bounds, bounds[1:])]
        sizes = [e - s for s, e in zip(bounds, bounds[1:])]
    return split(ary, sizes, axis)


@numpy_function(np.split)
def _np_split(ary, indices_or_sections, axis=0):
    return _np_pieces(ary, indices_or_sections, axis, equal=True)


@numpy_function(np.array_split)
def _np_array_split(ary, indices_or_sections, axis=0):
    return _np_pieces(ary, indices_or_sections, axis, equal=False)


@numpy_function(np.hsplit)
def _np_hsplit(ary, indices_or_sections):
    ndim = len(_shape_of(ary))
    if ndim == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return _np_pieces(ary, indices_or_sections, 1 if ndim > 1 else 0, equal=True)


@numpy_function(np.vsplit)
def _np_vsplit(ary, indices_or_sections):
    if len(_shape_of(ary)) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return _np_pieces(ary, indices_or_sections, 0, equal=True)


@numpy_function(np.dsplit)
def _np_dsplit(ary, indices_or_sections):
    if len(_shape_of(ary)) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return _np_pieces(ary, indices_or_sections, 2, equal=True)


@numpy_function(np.tile)
def _np_tile(A, reps):
    shape = _shape_of(A)
    reps = tuple(int(r) for r in np.atleast_1d(_value(reps)))
    if len(reps) < len(shape):
        reps = (1,) * (len(shape) - len(reps)) + reps
    elif len(reps) > len(shape):
        A = reshape(A, (1,) * (len(reps) - len(shape)) + shape)
    return tile(A, reps)


@numpy_function(np.pad)
def _np_pad(array, pad_width, mode="constant", **kwargs):
    ndim = len(_shape_of(array))
    pw = np.asarray(_value(pad_width))
    if pw.dtype.kind not in "iu":
        raise TypeError("`pad_width` must be of integral type.")
    pads = tuple((int(b), int(a)) for b, a in np.broadcast_to(pw, (ndim, 2)))
    if any(b < 0 or a < 0 for b, a in pads):
        raise ValueError("index can't contain negative values")
    if mode == "constant":
        value = _value(kwargs.pop("constant_values", 0))
        if np.ndim(value) != 0:
            raise NotImplementedError("tape's np.pad supports only a scalar constant_values.")
    elif mode in ("reflect", "symmetric", "edge", "wrap"):
        if kwargs.pop("reflect_type", "even") != "even":
            raise NotImplementedError("tape's np.pad supports only reflect_type='even'.")
        value = None
    else:
        raise NotImplementedError(
            f"tape's np.pad supports modes constant, edge, reflect, symmetric and wrap, not "
            f"{mode!r}."
        )
    if kwargs:
        raise TypeError(f"unsupported keyword arguments for mode '{mode}': {sorted(kwargs)}")
    return _padded(array, pads, mode, value)


@numpy_function(np.flip)
def _np_flip(m, axis=None):
    ndim = len(_shape_of(m))
    return bind(_reverse, m, axes=tuple(range(ndim)) if axis is None else _axis_list(axis, ndim))


@numpy_function(np.fliplr)
def _np_fliplr(m):
    if len(_shape_of(m)) < 2:
        raise ValueError("np.fliplr: input must be >= 2-d (it reverses axis 1).")
    return bind(_reverse, m, axes=(1,))


@numpy_function(np.flipud)
def _np_flipud(m):
    if len(_shape_of(m)) < 1:
        raise ValueError("np.flipud: input must be >= 1-d (it reverses axis 0).")
    return bind(_reverse, m, axes=(0,))


@numpy_function(np.rot90)
def _np_rot90(m, k=1, axes=(0, 1)):
    """A quarter turn is a reversal and a transposition, as in NumPy."""
    ndim = len(_shape_of(m))
    axes = tuple(_int(a, "axes") for a in axes)
    if len(axes) != 2:
        raise ValueError("np.rot90: len(axes) must be 2.")
    if axes[0] == axes[1] or abs(axes[0] - axes[1]) == ndim:
        raise ValueError("np.rot90: axes must be different.")
    if not all(-ndim <= a < ndim for a in axes):
        raise ValueError(f"np.rot90: axes={axes} out of range for array of ndim={ndim}.")
    first, second = (a % ndim for a in axes)
    k = _int(k, "k") % 4
    if k == 0:
        return identity(m)
    if k == 2:
        return bind(_reverse, m, axes=(first, second))
    perm = list(range(ndim))
    perm[first], perm[second] = perm[second], perm[first]
    if k == 1:
        return transpose(bind(_reverse, m, axes=(second,)), perm)
    return bind(_reverse, transpose(m, perm), axes=(second,))


@numpy_function(np.roll)
def _np_roll(a, shift, axis=None):
    """Each rolled axis is two slices joined in the other order (the gradient: the two
    slices of the cotangent, joined back)."""
    shape = _shape_of(a)
    if axis is None:
        return reshape(_np_roll(reshape(a, (-1,)), shift, 0), shape)
    axes = normalize_axis_tuple(_value(axis), len(shape), allow_duplicate=True)
    pairs = np.broadcast(_value(shift), axes)
    if pairs.ndim > 1:
        raise ValueError("np.roll: 'shift' and 'axis' should be scalars or 1D sequences.")
    shifts = [0] * len(shape)
    for sh, ax in pairs:
        shifts[ax] += int(sh)
    x = a
    for ax, offset in enumerate(shifts):
        offset %= shape[ax] or 1
        if offset:
            lead = (slice(None),) * ax
            x = concat([getitem(x, lead + (slice(-offset, None),)),
                        getitem(x, lead + (slice(None, -offset),))], ax)
    return identity(a) if x is a else x


@numpy_function(np.rollaxis)
def _np_rollaxis(a, axis, start=0):
    n = len(_shape_of(a))
    axis = normalize_axis_index(_int(axis, "axis"), n)
    start = _int(start, "start")
    if start < 0:
        start += n
    if not 0 <= start < n + 1:
        raise np.exceptions.AxisError(
            f"'start' arg requires {-n} <= start < {n + 1}, but {start} was passed in"
        )
    if axis < start:
        start -= 1
    perm = [i for i in range(n) if i != axis]
    perm.insert(start, axis)
    return transpose(a, perm)


def _triangle(m: Any, k: Any, lower: bool) -> Any:
    """``np.tril``/``np.triu``: the other triangle of the last two axes set to zero, by a
    ``where`` on a constant mask (a 1-d input of length N is broadcast to N x N, as in
    NumPy); the gradient is masked the same way."""
    shape = _shape_of(m)
    keep = np.tri(*shape[-2:], k=_value(k) if lower else _value(k) - 1, dtype=bool)
    zero = np.zeros(1, _dtype_of(m))
    return np.where(keep, m, zero) if lower else np.where(keep, zero, m)


@numpy_function(np.tril)
def _np_tril(m, k=0):
    return _triangle(m, k, lower=True)


@numpy_function(np.triu)
def _np_triu(m, k=0):
    return _triangle(m, k, lower=False)


@numpy_function(np.repeat)
def _np_repeat(a, repeats, axis=None):
    """One count for every element is a broadcast along a new axis (the gradient sums over
    the copies); one count per element, a gather (the gradient adds the copies back)."""
    x, ax = _np_axis_or_flat(a, axis)
    shape = _shape_of(x)
    counts = _value(repeats)
    idx = np.repeat(np.arange(shape[ax]), counts)  # NumPy checks the counts
    if np.size(counts) != 1:
        return _gather_along(x, ax, idx)
    r = int(np.reshape(counts, -1)[0])
    spread = reshape(x, shape[: ax + 1] + (1,) + shape[ax + 1:])
    spread = broadcast_to(spread, shape[: ax + 1] + (r,) + shape[ax + 1:])
    return reshape(spread, shape[:ax] + (shape[ax] * r,) + shape[ax + 1:])


def _along_key(idx: np.ndarray, axis: int, shape: tuple[int, ...]) -> tuple:
    """The index of ``np.take_along_axis(x, idx, axis)`` for ``x`` of ``shape``."""
    ndim = len(shape)
    return tuple(idx if d == axis else _at(np.arange(n), d, ndim) for d, n in enumerate(shape))


@numpy_function(np.sort)
def _np_sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """The sorted tensor is a gather through ``np.argsort``'s permutation (same ``kind``), so
    the gradient of each output goes to the element sorted there. Among equal elements the
    gradient follows that permutation: with a stable sort the first occurrence takes the first
    place; ties are a convention (the sort is not differentiable there)."""
    x, ax = _np_axis_or_flat(a, axis)
    v = np.asarray(_value(x))
    perm = np.argsort(v, axis=ax, kind=kind, order=order, stable=stable)
    return bind(_getitem, x, key=_along_key(perm, ax, v.shape))


@numpy_function(np.argsort)
def _np_argsort(a, axis=-1, kind=None, order=None, *, stable=None):
    """Indices, not differentiable: NumPy's answer on the value, not recorded."""
    return as_tensor(np.argsort(np.asarray(_value(a)), axis, kind, order, stable=stable))


def _sort_order(values: Any, axis: int, direction: str, stable: bool = True) -> tuple:
    """TensorFlow's sort order: the tensor, the axis, and the permutation along it (equal
    values keep their order, descending too)."""
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f'"{direction}" is not a valid direction: use "ASCENDING" or '
                         '"DESCENDING".')
    x = values if isinstance(values, (Tensor, Variable)) else as_tensor(values)
    v = np.asarray(_value(x))
    if v.ndim == 0:
        raise ValueError("sort needs a tensor of rank 1 or more, got a scalar.")
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be a constant integer, got {axis!r}.")
    ax = normalize_axis_index(int(axis), v.ndim)
    if direction == "ASCENDING":
        perm = np.argsort(v, axis=ax, kind="stable")
    else:  # stable descending: sort the reversed axis, reverse the result, map indices back
        n = v.shape[ax]
        perm = n - 1 - np.flip(np.argsort(np.flip(v, ax), axis=ax, kind="stable"), ax)
    return x, ax, perm


def sort(values: Any, axis: int = -1, direction: str = "ASCENDING",
         name: str | None = None) -> Tensor:
    """``values`` sorted along ``axis`` (``direction`` ``"ASCENDING"`` or ``"DESCENDING"``),
    recorded: each output's gradient goes to the element sorted there.

    >>> import tape
    >>> tape.sort(tape.constant([3.0, 1.0, 2.0]), direction="DESCENDING").numpy()
    array([3., 2., 1.], dtype=float32)
    """
    x, ax, perm = _sort_order(values, axis, direction)
    return bind(_getitem, x, key=_along_key(perm, ax, perm.shape))


def argsort(values: Any, axis: int = -1, direction: str = "ASCENDING", stable: bool = False,
            name: str | None = None) -> Tensor:
    """The int32 indices that sort ``values`` along ``axis`` (not differentiable). Equal
    values keep their order (so ``stable=True`` and ``False`` agree).

    >>> import tape
    >>> tape.argsort(tape.constant([3.0, 1.0, 2.0])).numpy()
    array([1, 2, 0], dtype=int32)
    """
    _, _, perm = _sort_order(values, axis, direction, stable)
    return as_tensor(perm.astype(np.int32))


@numpy_function(np.argpartition)
def _np_argpartition(a, kth, axis=-1, kind="introselect", order=None):
    """Indices, not differentiable: NumPy's answer on the value, not recorded."""
    return as_tensor(np.argpartition(np.asarray(_value(a)), _value(kth), axis, kind, order))


def _arrangement(v: np.ndarray, out: np.ndarray, axis: int, first: np.ndarray) -> np.ndarray:
    """A permutation ``p`` along ``axis`` with ``take_along_axis(v, p, axis) == out``:
    ``first`` if it is one, else one that matches the elements of equal rank (in a stable
    sort) of ``v`` and ``out``, which hold the same values in each slice."""
    floats = v.dtype.kind in "fc"
    if np.array_equal(np.take_along_axis(v, first, axis), out, equal_nan=floats):
        return first
    src = np.argsort(v, axis=axis, kind="stable")
    dst = np.argsort(out, axis=axis, kind="stable")
    perm = np.empty_like(src)
    np.put_along_axis(perm, dst, src, axis)
    return perm


@numpy_function(np.partition)
def _np_partition(a, kth, axis=-1, kind="introselect", order=None):
    """The values are ``np.partition``'s own; the gradient goes through ``np.argpartition``'s
    permutation where it arranges the elements as ``np.partition`` does, else through one
    that does (matching elements by rank). Elements outside the ``kth`` places are in NumPy's
    order, which its algorithm decides; ties are a convention, as for ``np.sort``."""
    x, ax = _np_axis_or_flat(a, axis)
    v = np.asarray(_value(x))
    kth = _value(kth)
    out = np.partition(v, kth, axis=ax, kind=kind, order=order)
    perm = np.argpartition(v, kth, axis=ax, kind=kind, order=order)
    perm = _arrangement(v, out, ax, perm)
    return bind(_getitem, x, key=_along_key(perm, ax, v.shape))


@numpy_function(np.take)
def _np_take(a, indices, axis=None, out=None, mode="raise"):
    _np_only("take", out=out)
    x, ax = _np_axis_or_flat(a, axis)
    idx = _int_array(indices, "indices")
    n = _shape_of(x)[ax]
    if mode == "wrap":
        idx = np.mod(idx, n)
    elif mode == "clip":
        idx = np.clip(idx, 0, n - 1)
    elif mode != "raise":
        raise ValueError(f"mode must be 'raise', 'wrap' or 'clip', got {mode!r}.")
    return _gather_along(x, ax, idx)


@numpy_function(np.take_along_axis)
def _np_take_along_axis(arr, indices, axis=-1):
    x, ax = _np_axis_or_flat(arr, axis)
    shape = _shape_of(x)
    idx = np.asarray(_value(indices))
    if idx.dtype.kind not in "iu":
        raise IndexError(f"`indices` must be an integer array, got dtype {idx.dtype}.")
    if idx.ndim != len(shape):
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    return bind(_getitem, x, key=_along_key(idx, ax, shape))


@numpy_function(np.shape)
def _np_shape(a):
    return _shape_of(a)


@numpy_function(np.ndim)
def _np_ndim(a):
    return len(_shape_of(a))


@numpy_function(np.size)
def _np_size(a, axis=None):
    s = _shape_of(a)
    return int(np.prod(s)) if axis is None else s[_axis(axis, len(s))]


__all__ = [
    "argsort",
    "boolean_mask",
    "broadcast_to",
    "cast",
    "concat",
    "expand_dims",
    "gather",
    "gather_nd",
    "getitem",
    "identity",
    "newaxis",
    "one_hot",
    "pad",
    "rank",
    "reshape",
    "reverse",
    "shape",
    "size",
    "sort",
    "split",
    "squeeze",
    "stack",
    "stop_gradient",
    "tile",
    "transpose",
    "unstack",
]
