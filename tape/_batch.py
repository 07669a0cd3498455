"""Running a traced program on a batch: the engine of ``tape.vmap``.

A :class:`~tape._trace.Trace` of a function on one example is a straight-line program. Given
which of its inputs carry a batch (on their leading axis), :func:`run_batched` runs the
program on the whole batch at once: each op runs on the values of all examples together, by
its **batching rule** (``Primitive.batch``, declared with the op beside its VJPs and JVPs:
where the batch axis goes, and what the op's static arguments become), or, for an op without
one, by a loop over the examples (stacked), with a one-time warning naming the op. Values
that no batched input reaches stay unbatched and are computed once.

A batching rule is ``rule(prim, args, batched, ndims, rank, static, size)``: the op, its
arguments (batched ones with the batch on axis 0), which of them are batched, their example
ranks, the output's example rank, the static arguments and the batch size. It returns the
output with the batch on axis 0, or ``NotImplemented`` for a case it does not cover (which
then loops, still correct). This module holds the generic rules that many ops share
(:func:`elementwise`, :func:`reduction`, :func:`same_call`, :func:`lifted_along`,
:func:`folded`) and their helpers; rules proper to one op live beside it in ``tape.ops``.

A program that cannot run on a batch as a whole -- a guard (a value that steered Python) on
a batched value, an assignment or a call made on every run -- raises :class:`Unbatchable`;
the caller then runs the function once per example.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ._registry import Primitive
from ._trace import _CONVERT, Trace, _same, _slots

#: Ops that looped over the batch (each warned once).
LOOPED: set[str] = set()

Rule = Callable[[Primitive, list, list, list, int, dict, int], Any]


class Unbatchable(ValueError):
    """The traced program cannot run on the batch as a whole (the message says why); what
    ``vmap(..., fallback_to_while_loop=False)`` raises, a ``ValueError`` as TensorFlow's."""


def shift_axes(axes: Any) -> Any:
    """Static axes of an example, for the batch (its axis 0 in front): non-negative ones + 1
    (negative ones count from the end, which the batch does not move)."""
    if axes is None:
        return None
    if isinstance(axes, (tuple, list)):
        return type(axes)(a + 1 if a >= 0 else a for a in axes)
    return axes + 1 if axes >= 0 else axes


def as_tuple(axes: Any) -> tuple:
    """A static axis or shape argument as a tuple."""
    return tuple(axes) if isinstance(axes, (tuple, list)) else (axes,)


def lift(x: Any, ndim: int, rank: int) -> Any:
    """A batched value of example rank ``ndim``, with axes after the batch axis so that it
    broadcasts like an example of rank ``rank``."""
    if ndim >= rank:
        return x
    return x[(slice(None),) + (None,) * (rank - ndim)]


def elementwise(prim: Primitive, args: list, batched: list[bool], ndims: list[int],
                rank: int, static: dict, size: int) -> Any:
    """An op whose arguments broadcast together, as NumPy's (elementwise ops; stacked linear
    algebra of several operands): batched arguments get axes after the batch so that they
    broadcast like examples of the output's rank; unbatched ones broadcast as they are."""
    lifted = [lift(a, n, rank) if b else a for a, b, n in zip(args, batched, ndims)]
    return prim.fwd(*lifted, **static)


def reduction(prim: Primitive, args: list, batched: list[bool], ndims: list[int],
              rank: int, static: dict, size: int) -> Any:
    """An op of one batched argument along static axes: ``axes`` (None: every axis of the
    example) and ``axis`` move one place on; a static ``shape`` of the example gets the
    batch in front."""
    static = dict(static)
    axes = static.get("axes")
    if axes is None and "axes" in static:  # every axis of the example
        static["axes"] = tuple(range(1, ndims[0] + 1))
    elif "axes" in static:
        static["axes"] = shift_axes(
            tuple(a % ndims[0] if ndims[0] else a for a in as_tuple(axes))
        )
    if "axis" in static:
        a = static["axis"]
        static["axis"] = a + 1 if a is not None and a >= 0 else a
    if "shape" in static:
        static["shape"] = (size, *static["shape"])
    return prim.fwd(*args, **static)


def same_call(prim: Primitive, args: list, batched: list[bool], ndims: list[int],
              rank: int, static: dict, size: int) -> Any:
    """An op that already works on a stack of examples along leading axes (NumPy's linear
    algebra, casts): the batch is one more stacked axis, the call is the same."""
    return prim.fwd(*args, **static)


def lifted_along(prim: Primitive, args: list, batched: list[bool], ndims: list[int],
                 rank: int, static: dict, size: int) -> Any:
    """An op of several arguments that broadcast together, along a static ``axis``."""
    top = max(ndims)
    lifted = [lift(a, n, top) if b else a for a, b, n in zip(args, batched, ndims)]
    axis = static["axis"]
    return prim.fwd(*lifted, **{**static, "axis": axis + 1 if axis >= 0 else axis})


def fold(x: Any) -> Any:
    """A batch of examples stacked on their own axis 0 (NHWC images): one stack of
    ``size * n`` (unfold the result with :func:`unfold`)."""
    return np.reshape(x, (-1, *np.shape(x)[2:]))


def unfold(y: Any, size: int) -> Any:
    """The result of an op on a stack made by :func:`fold`, with the batch on axis 0 again."""
    shape = np.shape(y)
    return np.reshape(y, (size, shape[0] // size, *shape[1:]))


def folded(prim: Primitive, args: list, batched: list[bool], ndims: list[int],
           rank: int, static: dict, size: int) -> Any:
    """An op on stacks of examples along axis 0 (images NHWC: pooling, and convolutions in
    their images), whose output is stacked the same way: the batch joins that axis and
    leaves it again. A static ``input_shape`` counts the joined stack. Every batched
    argument must be such a stack (rank >= 1)."""
    if not all(n >= 1 for n, b in zip(ndims, batched) if b):
        return NotImplemented
    static = dict(static)
    if "input_shape" in static:
        shape = tuple(static["input_shape"])
        static["input_shape"] = (size * shape[0], *shape[1:])
    out = prim.fwd(*[fold(a) if b else a for a, b in zip(args, batched)], **static)
    return unfold(out, size)


def _loop(prim: Primitive, args: list, batched: list[bool], size: int, static: dict) -> Any:
    """An op without a batching rule, once per example, stacked."""
    if prim.name not in LOOPED:
        LOOPED.add(prim.name)
        warnings.warn(
            f"op '{prim.name}' has no batching rule: on a batch (tape.vmap, a Jacobian's "
            "rows), it runs once per example (correct, slower).",
            stacklevel=4,
        )
    outs = [prim.fwd(*[a[k] if b else a for a, b in zip(args, batched)], **static)
            for k in range(size)]
    if type(outs[0]) is tuple:
        return tuple(np.stack(parts) for parts in zip(*outs))
    return np.stack(outs)


def run_batched(
    tr: Trace, values: list[Any], batched: list[bool], size: int,
    looped: list[str] | None = None,
) -> list[Any]:
    """Run ``tr`` on ``values`` (the inputs', with the batch on axis 0 where ``batched``);
    returns the result's traced values and whether each is batched (``looped`` gets the
    names of the ops that ran once per example). Raises
    :class:`Unbatchable` for a program that cannot run on the batch as a whole."""
    env: dict[int, Any] = dict(zip(tr.inputs, values))
    is_batched: dict[int, bool] = dict(zip(tr.inputs, batched))
    ndim: dict[int, int] = {k: ((v.ndim if type(v) is Basis else np.ndim(v)) - 1 if b
                                else np.ndim(v))
                            for k, v, b in zip(tr.inputs, values, batched)}
    for key, var in tr.variables.items():
        env[key], is_batched[key], ndim[key] = var._value, False, var.ndim
    for step in tr.steps:
        head = step[0]
        if type(head) is not Primitive:
            if head == "guard":
                _, key, kind, observed = step
                value = env[key]
                if type(value) is Basis:
                    value = value.dense()
                # the trace holds for every example that steers Python as the traced one did
                if not all(_same(_CONVERT[kind](v), observed)
                           for v in (value if is_batched[key] else (value,))):
                    raise Unbatchable("a value that steered Python differs from the traced "
                                      "one in some example")
                continue
            what = "an assignment" if head == "assign" else "a call made on every run"
            raise Unbatchable(f"the function makes {what}")
        _, ids, vals, static, out_id, ans, connected = step
        args = [env[ids[i]] if i in connected else vals[i] for i in range(len(ids))]
        flags = [i in connected and is_batched[ids[i]] for i in range(len(ids))]
        if any(flags) and any(type(a) is Basis for a in args):
            out = on_basis(head, args, flags, static)
            if out is not NotImplemented:
                _store(env, is_batched, ndim, out_id, out, ans)
                continue
            args = [a.dense() if type(a) is Basis else a for a in args]
        if any(flags):
            ranks = [ndim[ids[i]] if i in connected else np.ndim(vals[i])
                     for i in range(len(ids))]
            outs = ans if type(out_id) is tuple else (ans,)
            rank = max(getattr(o, "ndim", np.ndim(o)) for o in outs)
            rule = head.batch  # (None: the op loops; a rule may decline a case too)
            out = NotImplemented if rule is None else rule(
                head, args, flags, ranks, rank, static, size
            )
            if out is NotImplemented:  # no rule, or not for this case
                if looped is not None:
                    looped.append(head.name)
                out = _loop(head, args, flags, size, static)
        else:
            out = head.fwd(*args, **static)
        _store(env, is_batched, ndim, out_id, out, ans, any(flags))
    return [(env[k].dense() if type(env[k]) is Basis else env[k], is_batched[k])
            for k in _slots(tr.out)]


def _store(env: dict, is_batched: dict, ndim: dict, out_id: Any, out: Any, ans: Any,
           batched: bool = True) -> None:
    """A step's output(s) into the environment, with whether batched and the example rank."""
    keys = out_id if type(out_id) is tuple else (out_id,)
    parts = out if type(out_id) is tuple else (out,)
    example = ans if type(out_id) is tuple else (ans,)
    for k, o, e in zip(keys, parts, example):
        env[k] = o
        is_batched[k] = batched
        ndim[k] = getattr(e, "ndim", np.ndim(e))


# --------------------------------------------------------------------------- a Jacobian's seeds


class Basis:
    """Rows ``start .. start + count`` of the identity over an example's elements, each
    scaled: row ``k`` is zero except at flat position ``start + k``, where it holds
    ``scale[k]``. A Jacobian's seeds (cotangents or tangents) stay in this form through the
    ops that keep them diagonal -- scaling by an unbatched value, sums of two, reshapes, a
    product with an unbatched matrix (which makes rows of that matrix) -- so that the rows of
    ``M @ f(x)``'s Jacobian cost what one row of ``M`` does, not a matrix product with the
    identity. Any other op gets the dense rows (:meth:`dense`). The results are the dense
    rows' to the last bit, except that a zero may differ in sign (-0.0 where dense rows went
    through a negation); the form is only taken where zeros stay zeros (the unbatched
    operand is finite)."""

    __slots__ = ("scale", "start", "shape")

    def __init__(self, scale: np.ndarray, start: int, shape: tuple[int, ...]) -> None:
        self.scale, self.start, self.shape = scale, start, shape

    @property
    def ndim(self) -> int:
        """The rank with the batch axis."""
        return 1 + len(self.shape)

    def dense(self) -> np.ndarray:
        """The rows as an array, the batch on axis 0."""
        count = len(self.scale)
        n = int(np.prod(self.shape))
        rows = np.zeros((count, n), dtype=self.scale.dtype)
        k = np.arange(count)
        rows[k, self.start + k] = self.scale
        return rows.reshape((count, *self.shape))

    def _with(self, scale: np.ndarray, shape: tuple[int, ...] | None = None) -> Basis:
        return Basis(scale, self.start, self.shape if shape is None else shape)


def _finite(v: Any) -> bool:
    """Whether ``v`` has no inf or NaN (False also when its sum overflows: then the dense
    rows are used, which is only slower)."""
    v = np.asarray(v)
    return v.dtype.kind not in "fc" or bool(np.isfinite(np.sum(v)))


def _diagonal_of(v: Any, b: Basis) -> Any:
    """The unbatched ``v``, broadcast to ``b``'s examples, at its rows' positions (None: it
    does not broadcast to them without growing them)."""
    if np.ndim(v) == 0:
        return v  # a scalar keeps NumPy's promotion of scalars
    if np.broadcast_shapes(np.shape(v), b.shape) != b.shape:
        return None
    flat = np.broadcast_to(v, b.shape).reshape(-1)
    return flat[b.start:b.start + len(b.scale)]


def _scaled(prim: Primitive, args: list, flags: list[bool]) -> Any:
    """``basis * v``, ``v * basis``, ``basis / v``: still diagonal."""
    i = flags.index(True)
    b, v = args[i], args[1 - i]
    if prim.name == "divide" and i == 1 or not _finite(v):
        return NotImplemented
    if prim.name == "divide" and np.any(np.asarray(v) == 0):
        return NotImplemented
    d = _diagonal_of(v, b)
    if d is None:
        return NotImplemented
    return b._with(prim.fwd(b.scale, d) if i == 0 else prim.fwd(d, b.scale))


def _basis_matmul(args: list, flags: list[bool]) -> Any:
    """Rows of the identity times an unbatched matrix (or a matrix times them): rows (or
    columns) of the matrix."""
    a, m = (args[0], args[1]) if flags[0] else (args[1], args[0])
    if len(a.shape) != 1 or not isinstance(m, np.ndarray) or m.ndim > 2 or not _finite(m):
        return NotImplemented
    lo, hi = a.start, a.start + len(a.scale)
    # in C order, as a product's result is, so that later reductions add in the same order
    part = np.ascontiguousarray(m[lo:hi] if flags[0] or m.ndim == 1 else m[:, lo:hi].T)
    if bool((a.scale == 1).all()):  # unscaled rows: the matrix's own (read-only) view
        out = part.astype(np.result_type(a.scale, m), copy=False)
        if out is part:
            out = part.view()
            out.flags.writeable = False
        return out
    return a.scale * part if m.ndim == 1 else a.scale[:, None] * part


def _basis_where(args: list, flags: list[bool]) -> Any:
    """``where(c, basis, 0)`` (or with the branches swapped): the rows' entries where the
    unbatched ``c`` holds (does not hold), zero elsewhere."""
    if len(args) != 3 or flags[0]:
        return NotImplemented
    i = 1 if flags[1] else 2
    b, other = args[i], args[3 - i]
    if np.ndim(other) != 0 or other != 0:
        return NotImplemented
    c = _diagonal_of(args[0], b)
    if c is None:
        return NotImplemented
    return b._with(np.where(c, b.scale, other) if i == 1 else np.where(c, other, b.scale))


def on_basis(prim: Primitive, args: list, flags: list[bool], static: dict) -> Any:
    """``prim`` on arguments of which the batched ones are :class:`Basis` rows (the others
    unbatched): a :class:`Basis`, an array with the batch on axis 0, or ``NotImplemented``
    (the caller makes the rows dense)."""
    name = prim.name
    bases = [a for a, f in zip(args, flags) if f]
    if any(type(a) is not Basis for a in bases):
        return NotImplemented
    b = bases[0]
    if len(bases) == 1:
        if name in ("multiply", "divide") and len(args) == 2:
            return _scaled(prim, args, flags)
        if name == "matmul":
            return _basis_matmul(args, flags)
        if name == "where":  # where(c, basis, 0) or where(c, 0, basis): a ReLU's rule
            return _basis_where(args, flags)
        if not flags[0] or len(args) != 1:
            return NotImplemented
        if name in ("negative", "identity", "stop_gradient", "cast"):
            return b._with(prim.fwd(b.scale, **static))
        if name == "reshape":
            shape = np.empty(b.shape, dtype=np.bool_).reshape(static["shape"]).shape
            return b._with(b.scale, shape)
        if name == "sum" and static.get("axes") is None and not static.get("keepdims"):
            return b.scale
        return NotImplemented
    if name in ("add", "subtract") and len(args) == 2 and all(flags):
        other = args[1]
        if other.start == b.start and other.shape == b.shape and len(other.scale) == len(b.scale):
            return b._with(prim.fwd(b.scale, other.scale))
    return NotImplemented
