"""Recording: ``bind`` runs a primitive and appends an entry to each tape that watches one of
its arguments; forward accumulators get its output's tangent.

An entry holds no tensors: its arguments' ids (0 for constants) and values (those its
gradient rules read), its static keyword arguments, its output's id and value, and the
positions of the arguments that the tape watches. A higher-order sweep rebuilds tensors
from ids and values.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np

# CPython 3.11 does not specialise ``np.<name>`` lookups (numpy has a module ``__getattr__``),
# so the hot paths use names imported from numpy.
from numpy import complexfloating, float32, float64, ndarray

from ._checks import _check_forward, _complex_error, _complex_refused
from ._registry import PRIMITIVES, Primitive, conjugated
from ._sparse import IndexedSlices
from ._structure import flatten
from ._tensor import (
    ACTIVE,
    ANOMALY,
    STATE,
    Tensor,
    Variable,
    as_tensor,
    next_id,
    scalarize,
    to_value,
    wrap,
)


class Entry(NamedTuple):
    """The layout of one op on a tape's Wengert list. It holds no tensors (a higher-order
    sweep rebuilds them from ids and values), so that recording keeps no tensor alive.

    A tape stores its entries as plain tuples in this layout: :func:`_record` builds them and
    :func:`tape._sweep.backward` unpacks them into these names; other readers view one as
    ``Entry._make(entry)``. (Measured on a chain of 1,000 scalar ops, storing ``Entry``
    instances, or instances of a ``__slots__`` class, makes recording and the sweep about 17%
    slower: a tuple subclass is built, unpacked and freed without CPython's fast paths for
    tuples.)
    """

    prim: Primitive
    #: the arguments' tensor ids, 0 for a constant
    ids: tuple[int, ...]
    #: the arguments' values: arrays, NumPy or Python scalars; a :class:`_Meta` in place of
    #: a large array that no rule of a connected argument reads (dropped to free memory)
    vals: Sequence[Any]
    #: the op's static keyword arguments (axes, index arrays as they were when it ran...)
    static: dict[str, Any]
    #: the output's id, or a tuple of ids for an op with several outputs
    out_id: Any  # an int, or a tuple of ints
    #: the output's value (a tuple for several outputs), None when no rule reads it
    ans: Any
    #: the positions of the arguments the tape watches: only their rules run
    connected: tuple[int, ...]


def ensure_id(t: Tensor | Variable) -> int:
    """The tensor's id, giving it one if it has none yet."""
    if not t._id:
        t._id = next_id()
    return t._id


class _Meta:
    """Stands in for an argument value a gradient rule does not read: its shape and dtype."""

    __slots__ = ("shape", "dtype", "ndim")

    def __init__(self, value: np.ndarray) -> None:
        self.shape, self.dtype, self.ndim = value.shape, value.dtype, value.ndim

    def __repr__(self) -> str:
        return f"<{self.dtype}{list(self.shape)} not kept>"


def bind(prim: Primitive, *args: Any, **static: Any) -> Tensor | tuple[Tensor, ...]:
    """Run ``prim`` on ``args`` and record it on every active tape that watches an input."""
    vals = []
    plain = True  # every argument is a Tensor or a Python scalar: args can be stored as they are
    tensors = 0
    lists: list[int] = []
    complexes: list[int] | None = None  # (rare: made when one comes)
    for a in args:
        cls = type(a)
        if cls is Tensor:
            vals.append(a._value)
            tensors += 1
        elif cls is float or cls is int:
            vals.append(a)
        elif cls is complex:  # converted below, to the precision of the tensors (weak)
            if complexes is None:
                complexes = []
            complexes.append(len(vals))
            vals.append(a)
        else:
            plain = False
            if cls is Variable or isinstance(a, Tensor):  # (a subclass of Tensor is one)
                vals.append(a._value)
                tensors += 1
            elif isinstance(a, (ndarray, np.generic)):
                # a private copy: the caller may mutate its array, and outputs may be views
                vals.append(np.array(a) if isinstance(a, ndarray) else a)
                tensors += 1
            elif a is None:
                raise TypeError(
                    f"Op '{prim.name}' got None as its argument {len(vals)}: it takes tensors, "
                    "arrays and numbers. Did a function return nothing, or a value go "
                    "missing?"
                )
            elif cls is list or cls is tuple:
                if holds_tensors(a):  # packed with a recorded stack, as TensorFlow does
                    return bind(prim, *[pack(b) for b in args], **static)
                lists.append(len(vals))  # converted below, once the tensors' dtype is known
                vals.append(a)
                tensors += 1
            else:
                vals.append(to_value(a))
                tensors += 1
    if lists:  # lists of numbers take a floating argument's dtype, as in TensorFlow: an
        # elementwise op's always, another op's when they hold floats (not integer indices)
        kinds = [v.dtype for v in vals if isinstance(v, (ndarray, np.generic))]
        hint = next((d for d in kinds if d.kind in "fc"), None)
        for i in lists:
            v = to_value(vals[i])
            if hint is not None and (prim.elementwise or v.dtype.kind in "fc"):
                v = to_value(vals[i], hint)
            vals[i] = v
    if complexes and tensors:  # a Python complex number is weak, as in NumPy: float32 and
        # complex64 tensors keep single precision
        arrays = [v for v in vals if isinstance(v, (ndarray, np.generic))]
        ctype = np.result_type(*arrays, 1j).type if arrays else np.complex128
        for i in complexes:
            vals[i] = ctype(vals[i])
    if not tensors:  # only Python scalars: infer dtypes as TensorFlow (float32, int32)
        vals = [to_value(v) if type(v) in (float, int, bool, complex) else v for v in vals]
    try:
        out = prim.fwd(*vals, **static)
    except Exception:
        raised(prim)
        raise
    if type(out) is tuple:
        result: Any = tuple(wrap(o) for o in out)
    else:
        result = wrap(out)
    if ACTIVE[0]:
        if not plain:  # variables are read (watched, noted) whatever op reads them
            args = _capture(args, vals)
        if prim.differentiable:
            _record(prim, args, vals, static, result)
        elif STATE.tracers:  # tape.function traces the ops no tape records
            _record(prim, args, vals, static, result, forward=False, tapes=STATE.tracers)
    return result


def raised(prim: Primitive) -> None:
    """``prim`` raised an error: a function being traced that handles it branches on the
    error, which a compiled function cannot do (it runs eagerly for this signature)."""
    for tracer in STATE.tracers:
        tracer.refuse(
            f"op '{prim.name}' raised an error while tracing; a compiled function cannot "
            "branch on errors (try/except), so this signature runs eagerly"
        )


def holds_tensors(value: list[Any] | tuple[Any, ...]) -> bool:
    """Whether a (nested) list or tuple holds a tensor or a variable."""
    return any(
        isinstance(v, (Tensor, Variable))
        or (type(v) in (list, tuple) and holds_tensors(v))
        for v in value
    )


def pack(value: Any) -> Any:
    """A list or tuple that holds tensors, as one tensor made by a recorded ``stack`` (so
    gradients reach its elements); its numbers take the tensors' dtype. Anything else is
    returned as it is."""
    if type(value) not in (list, tuple) or not holds_tensors(value):
        return value
    dtypes = [v.dtype for v in flatten(list(value)) if isinstance(v, (Tensor, Variable))]
    return _stacked(value, next((d for d in dtypes if d.kind in "fc"), None))


def _stacked(value: Any, dtype: np.dtype | None) -> Any:
    """``value`` as one tensor: nested lists stacked (by the op table's ``stack``, declared
    with the shape ops), other values converted with the dtype ``dtype``."""
    if type(value) not in (list, tuple):
        if isinstance(value, (Tensor, Variable)):
            return value
        return as_tensor(value._dense() if type(value) is IndexedSlices else value, dtype)
    parts = [_stacked(v, dtype) for v in value]
    if not parts:
        raise ValueError("stack needs at least one tensor.")
    shapes = [v.shape for v in parts]
    if any(s != shapes[0] for s in shapes):
        raise ValueError(f"stack needs tensors of the same shape; got shapes {shapes}.")
    return bind(PRIMITIVES["stack"], *parts, axis=0)


def _arg(a: Any) -> Any:
    """An op's argument as the fast paths take it: a variable becomes the tensor of its
    current value, which tapes attribute to it (and custom gradients note)."""
    if type(a) is not Variable:
        return a
    if ACTIVE[0]:
        for watcher in STATE.var_watchers:
            watcher.setdefault(a._id, a)
    return a._read()


_NO_STATIC: dict[str, Any] = {}


def _capture(args: tuple, vals: list) -> tuple:
    """The arguments as tapes and accumulators see them: a variable as the tensor of its
    current value (reading it lets tapes watch it), any other non-tensor as its value."""
    targs = []
    for a, v in zip(args, vals):
        cls = type(a)
        if cls is Variable:
            a = _arg(a)
        elif not isinstance(a, Tensor):
            a = v
        targs.append(a)
    return tuple(targs)


def _record(
    prim: Primitive,
    args: tuple,
    vals: Any,
    static: dict,
    out: Any,
    ids: tuple | None = None,
    forward: bool = True,
    tapes: list[Any] | None = None,
) -> None:
    """Append the op to each recording tape that watches one of its arguments, and (unless
    ``forward`` is false) give its output tangents in the active accumulators.

    ``args`` are tensors or plain values, ``vals`` their values; ``ids`` are the arguments'
    ids (0 for constants), when the caller knows them. The entry keeps argument ids and
    values, not tensors, and of the values only those the rules of its connected arguments
    read (a persistent tape keeps them all, for repeated sweeps and ``table()``): a value
    nothing needs is freed as soon as the user's code drops it. ``tapes`` (by default the
    recording ones) are those to record on.
    """
    if tapes is None:
        tapes, accs = STATE.stacks
    else:
        accs = ()
    if tapes:
        if ids is None:
            ids = tuple([a._id if isinstance(a, Tensor) else 0 for a in args])
        out_id: Any = None
        for tape in tapes:
            watched = tape._watched
            n = len(ids)
            if n == 2:  # the common cases, without building a tuple
                a, b = ids
                if a in watched:
                    connected: tuple[int, ...] = _BOTH if b in watched else _FIRST
                elif b in watched:
                    connected = _SECOND
                else:
                    continue
            elif n == 1:
                if ids[0] not in watched:
                    continue
                connected = _FIRST
            else:
                connected = tuple([i for i, k in enumerate(ids) if k in watched])
                if not connected:
                    continue
            if out_id is None:  # the first tape to record the op
                multi = type(out) is tuple
                if multi:
                    out_id = tuple([ensure_id(o) for o in out])
                    ans: Any = tuple([o._value for o in out])
                else:
                    out_id = out._id = next_id()
                    ans = out._value
                cx = prim.complex
                if cx is not True:  # a holomorphic op's real output needs one look
                    cls = type(ans)
                    if (cx is False or (
                        (d := ans.dtype) is not _F64 and d is not _F32 and d.kind == "c"
                        if cls is ndarray else cls is not float64 and cls is not float32
                    )) and _holds_complex(prim, vals, ans):
                        prim = _for_complex(prim, tapes, ids)
                where = _check_forward(prim, out) if ANOMALY[0] and STATE.anomaly else None
                if static:  # index arrays and masks as they were when the op ran
                    for v in static.values():
                        if type(v) not in _SCALARS:
                            static = _private(static)
                            break
                # Only large arrays are worth dropping: for small ones the bookkeeping costs
                # more. An elementwise op's output is at least as large as its arguments.
                # (Multi-output entries keep everything.)
                big = not multi and (
                    (type(ans) is ndarray and ans.size >= _DROP_SIZE)
                    or (
                        not prim.elementwise and vals and type(vals[0]) is ndarray
                        and vals[0].size >= _DROP_SIZE
                    )
                )
            if big and not tape._persistent:
                kept, kept_ans = _keep(prim, vals, ans, connected)
            else:
                kept, kept_ans = vals, ans
            # an Entry, as a plain tuple (see Entry)
            tape._entries.append((prim, ids, kept, static, out_id, kept_ans, connected))
            if multi:
                watched.update(out_id)
            else:
                watched.add(out_id)
            if where is not None:  # under detect_anomaly: where the op was recorded
                tape._where[out_id[0] if multi else out_id] = where
    if accs and forward:
        push_tangents(accs, prim, args, static, out)


_FIRST, _SECOND, _BOTH = (0,), (1,), (0, 1)


def _holds_complex(prim: Primitive, vals: Sequence[Any], ans: Any) -> bool:
    """Whether an op whose rules do not take complex values as written has some: a
    holomorphic op's output is complex when an argument is; other ops are looked at whole."""
    if prim.complex == "holomorphic":
        return (ans[0] if type(ans) is tuple else ans).dtype.kind == "c"
    # (plain loops: every recorded op of a refusing kind comes here, real values too; the
    # commonest dtypes are recognized by identity, which costs less than their kind)
    for v in ans if type(ans) is tuple else (ans,):
        if type(v) is ndarray:
            d = v.dtype
            if d is not _F64 and d is not _F32 and d.kind == "c":
                return True
        elif isinstance(v, complexfloating):
            return True
    for v in vals:
        if type(v) is ndarray:
            d = v.dtype
            if d is not _F64 and d is not _F32 and d.kind == "c":
                return True
        elif isinstance(v, complexfloating):
            return True
    return False


_F64, _F32 = np.dtype(float64), np.dtype(float32)


def _for_complex(
    prim: Primitive, tapes: Sequence[Any] = (), ids: tuple[int, ...] = ()
) -> Primitive:
    """The primitive to record for complex values: a holomorphic op's conjugated twin
    (:func:`tape._registry.conjugated`); an op whose rules do not hold for complex values
    refuses them, unless only tracers record it (``tape.function`` and ``vmap`` trace it
    without differentiating it; a tape that does refuses it then)."""
    if prim.complex == "holomorphic":
        return conjugated(prim)
    tracers = STATE.tracers
    if tapes and all(t in tracers or not any(i in t._watched for i in ids) for t in tapes):
        return prim
    raise _complex_refused(prim)


_SCALARS = frozenset({int, float, bool, str, type(None), slice})


def _private(static: dict[str, Any]) -> dict[str, Any]:
    """``static`` with private copies of the arrays it holds (index arrays, masks, labels,
    directly or inside an index tuple), which the caller could change after the op ran: the
    rules must read the values the forward computation used. (Plain loops: this runs for
    every recorded op with static arguments.)"""
    for v in static.values():
        cls = type(v)
        if cls is tuple or cls is list:
            for item in v:
                if type(item) is not int and _holds_array(item):
                    return {k: _copied(v) for k, v in static.items()}
        elif cls is not int and isinstance(v, ndarray):
            return {k: _copied(v) for k, v in static.items()}
    return static


def _holds_array(v: Any) -> bool:
    cls = type(v)
    if cls is tuple or cls is list:
        return any(_holds_array(item) for item in v)
    return isinstance(v, ndarray)


def _copied(v: Any) -> Any:
    cls = type(v)
    if cls is tuple or cls is list:
        return cls(_copied(item) for item in v)
    return v.copy() if isinstance(v, ndarray) else v


def _keep(
    prim: Primitive, vals: Sequence[Any], ans: Any, connected: tuple[int, ...]
) -> tuple[Sequence[Any], Any]:
    """The argument and output values that the gradient rules of the connected arguments
    read; arrays they do not read are replaced by their shape and dtype."""
    if prim.saves is None:
        return vals, ans
    reads = prim.keeps.get(connected)
    if reads is None:
        reads = prim.keeps[connected] = _reads(prim, connected)
    needed, need_ans = reads
    if needed is None:
        return vals, ans
    if type(ans) is ndarray and not need_ans:
        ans = None
    kept = None
    for k, v in enumerate(vals):
        if type(v) is ndarray and k not in needed and v.size >= _DROP_SIZE:
            if kept is None:
                kept = list(vals)
            kept[k] = _Meta(v)
    return (vals if kept is None else tuple(kept)), ans


def _reads(prim: Primitive, connected: tuple[int, ...]) -> tuple[frozenset[int] | None, bool]:
    """The argument positions and whether the output that the rules of the ``connected``
    arguments read (positions None: the rules of some cannot be read, so all are kept)."""
    saves, saves_ans = prim.saves, prim.saves_ans
    needed: frozenset[int] = frozenset()
    need_ans = False
    for i in connected:
        if i >= len(saves) or saves[i] is None:
            return None, True
        needed |= saves[i]
        need_ans = need_ans or saves_ans[i]
    return needed, need_ans


_DROP_SIZE = 1 << 12  # elements


@contextmanager
def only_outside(scope: Any) -> Iterator[None]:
    """Pause the tapes and accumulators entered after ``scope`` (and ``scope`` itself), as
    TensorFlow nests them: an accumulator's tangent computation is seen by the tapes and
    accumulators around it, not by those inside it."""
    rec, accs, tracers = STATE.recording, STATE.accumulators, STATE.tracers
    saved_rec, saved_accs, saved_tracers = rec[:], accs[:], tracers[:]
    rec[:] = [t for t in saved_rec if t._seq < scope._seq]
    accs[:] = [a for a in saved_accs if a._seq < scope._seq]
    tracers[:] = [t for t in saved_tracers if t._seq < scope._seq]
    try:
        yield
    finally:
        rec[:], accs[:], tracers[:] = saved_rec, saved_accs, saved_tracers


def push_tangents(
    accs: list[Any], prim: Primitive, args: tuple[Any, ...], static: dict[str, Any],
    out: Tensor | tuple[Tensor, ...],
) -> None:
    """Forward mode: give ``out`` a tangent in each accumulator that has one for an argument.

    JVP rules run on tensors, so the tapes and accumulators entered before this accumulator
    see (and can differentiate) the tangent computation; it and those inside it do not.
    """
    first = (out[0] if out else None) if type(out) is tuple else out
    if first is None or first._value.dtype.kind not in "fc":
        return
    complex_checked = prim.complex is True
    for acc in list(accs):
        tangents = acc._tangents
        pending = [
            (i, tangents[a._id])
            for i, a in enumerate(args)
            if isinstance(a, Tensor) and a._id in tangents
        ]
        if not pending:
            continue
        if not complex_checked:  # (once a tangent reaches the op)
            complex_checked = True
            if _holds_complex(
                prim, [getattr(a, "_value", a) for a in args],
                tuple(o._value for o in out) if type(out) is tuple else first._value,
            ):
                prim = _for_complex(prim)
        with only_outside(acc):
            total: Any = None
            with np.errstate(all="ignore"):  # as in the reverse sweep: NaN and inf are quiet
                for i, t in pending:
                    if i == 0 and prim.linear:  # the op itself, applied to the tangent
                        dt = bind(prim, t, *args[1:], **static)
                    else:
                        rule = prim.jvps[i] if i < len(prim.jvps) else None
                        if rule is None:
                            raise LookupError(
                                f"No forward-mode rule (JVP) defined for op '{prim.name}' "
                                f"with respect to its argument {i}."
                            )
                        dt = rule(t, out, *args, **static)
                    total = dt if total is None else _add_tangents(total, dt)
                if type(out) is tuple:
                    for o, dt in zip(out, total):
                        tangents[ensure_id(o)] = fit_tangent(dt, o, prim)
                else:
                    tangents[ensure_id(out)] = fit_tangent(total, out, prim)


def _add_tangents(a: Any, b: Any) -> Any:
    if type(a) is tuple:
        return tuple(x + y for x, y in zip(a, b))
    return a + b


def fit_tangent(t: Any, out: Tensor, prim: Primitive | None = None) -> Tensor:
    """Give a tangent the shape and dtype of its primal output (broadcasting it if needed);
    a complex tangent for a real output is a wrong forward-mode rule of ``prim``: an error."""
    if type(t) is not Tensor:
        t = wrap(scalarize(np.asarray(t)))
    if t.shape != out.shape:
        t = np.broadcast_to(t, out.shape)
    if t.dtype != out.dtype:
        if t.dtype.kind == "c" and out.dtype.kind != "c":
            raise _complex_error(out.dtype, prim)
        t = t.astype(out.dtype)
    return t
