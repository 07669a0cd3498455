"""GradientTape: recording ops on a Wengert list and the reverse sweep over it.

An entry of the list is a plain tuple ``(prim, ids, vals, static, out_id, ans, connected)``:
the primitive, its arguments' tensor ids (0 for constants) and values (those its gradient rules
read), its static keyword arguments, its output's id and value, and the positions of the
arguments that the tape watches. Entries hold no tensors: a higher-order sweep rebuilds
tensors from ids and values.
"""

from __future__ import annotations

import enum
import math
import operator
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

# CPython 3.11 does not specialise ``np.<name>`` lookups (numpy has a module ``__getattr__``),
# so the hot paths use names imported from numpy.
from numpy import ndarray

from ._registry import Primitive, through
from ._sparse import IndexedSlices
from ._tensor import (
    ACTIVE,
    ANOMALY,
    STATE,
    Tensor,
    Variable,
    count_active,
    next_id,
    scalarize,
    to_value,
    wrap,
)


def ensure_id(t: Tensor) -> int:
    """The tensor's id, giving it one if it has none yet."""
    if not t._id:
        t._id = next_id()
    return t._id


class _Meta:
    """Stands in for an argument value a gradient rule does not read: its shape and dtype."""

    __slots__ = ("shape", "dtype", "ndim")

    def __init__(self, value: Any) -> None:
        self.shape, self.dtype, self.ndim = value.shape, value.dtype, value.ndim

    def __repr__(self) -> str:
        return f"<{self.dtype}{list(self.shape)} not kept>"


def bind(prim: Primitive, *args: Any, **static: Any) -> Any:
    """Run ``prim`` on ``args`` and record it on every active tape that watches an input."""
    vals = []
    plain = True  # every argument is a Tensor or a Python scalar: args can be stored as they are
    tensors = 0
    lists: list[int] = []
    for a in args:
        cls = type(a)
        if cls is Tensor:
            vals.append(a._value)
            tensors += 1
        elif cls is float or cls is int:
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
    if not tensors:  # only Python scalars: infer dtypes as TensorFlow (float32, int32)
        vals = [to_value(v) if type(v) in (float, int, bool, complex) else v for v in vals]
    out = prim.fwd(*vals, **static)
    if type(out) is tuple:
        result: Any = tuple(wrap(o) for o in out)
    else:
        result = wrap(out)
    if ACTIVE[0]:
        if not plain:  # variables are read (watched, noted) whatever op reads them
            args = _capture(args, vals)
        if prim.differentiable:
            _record(prim, args, vals, static, result)
    return result


def unary_caller(prim: Primitive) -> Any:
    """The fast path of a one-operand op: ``call(x)`` is :func:`bind` specialised to ``prim``
    for a tensor argument (anything else goes through :func:`bind`)."""
    fwd = prim.fwd
    taped = prim.differentiable

    def call(x: Any, name: str | None = None) -> Any:  # name: TensorFlow's, unused
        if type(x) is not Tensor:
            return call(_arg(x)) if type(x) is Variable else bind(prim, x)
        t = Tensor()
        t._value = fwd(x._value)
        t._id = 0
        if ACTIVE[0] and taped:
            _record(prim, (x,), (x._value,), _NO_STATIC, t, (x._id,))
        return t

    return call


def binary_caller(prim: Primitive) -> Any:
    """The fast path of a two-operand op, for two tensors or a tensor and a Python number."""
    fwd = prim.fwd
    taped = prim.differentiable
    converts = fwd in _ARITHMETIC

    def call(x: Any, y: Any, name: str | None = None) -> Any:  # name: TensorFlow's, unused
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
        t._value = fwd(xv, yv)
        t._id = 0
        if ACTIVE[0] and taped:
            ids = (x._id if type(x) is Tensor else 0, y._id if type(y) is Tensor else 0)
            _record(prim, (x, y), (xv, yv), _NO_STATIC, t, ids)
        return t

    return call


def binary_method(prim: Primitive, reflected: bool = False) -> Any:
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
        t._value = fwd(ov, self._value) if reflected else fwd(self._value, ov)
        t._id = 0
        if ACTIVE[0] and taped:
            oid = other._id if cls is Tensor else 0
            if reflected:
                _record(prim, (other, self), (ov, self._value), _NO_STATIC, t, (oid, self._id))
            else:
                _record(prim, (self, other), (self._value, ov), _NO_STATIC, t, (self._id, oid))
        return t

    return method


# Arithmetic converts a Python float operand to the dtype of a floating array before it
# computes (NumPy's rule for Python scalars), so the fast paths can give NumPy the converted
# value, which it takes without converting again. Other ops may use the float itself
# (``x ** 0.5`` is a square root, ``x & 1e-8`` reads the float's truth).
_ARITHMETIC = (operator.add, operator.sub, operator.mul, operator.truediv)

#: Per floating dtype, Python floats converted to 0-d arrays of that dtype; see number().
NUMBERS: dict[Any, dict[float, ndarray]] = {np.dtype(c): {} for c in "efdg"}


def number(x: float, like: Any) -> Any:
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


def holds_tensors(value: Any) -> bool:
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


def _stacked(value: Any, dtype: Any) -> Any:
    from .ops.creation import convert_to_tensor
    from .ops.shape import stack

    if type(value) not in (list, tuple):
        return value if isinstance(value, (Tensor, Variable)) else convert_to_tensor(value, dtype)
    return stack([_stacked(v, dtype) for v in value])


def _arg(a: Any) -> Any:
    """An op's argument as the fast paths take it: a variable becomes the tensor of its
    current value, which tapes attribute to it (and custom gradients note)."""
    if type(a) is not Variable:
        return a
    if ACTIVE[0]:
        for watcher in STATE.var_watchers:
            watcher.setdefault(a._id, a)
    return a._read()


_CALLERS: dict[tuple, Any] = {}


def bind1(prim: Primitive, x: Any) -> Any:
    """:func:`bind` for one operand, through the op's fast path."""
    call = _CALLERS.get((prim, 1))
    if call is None:
        call = _CALLERS[prim, 1] = unary_caller(prim)
    return call(x)


def bind2(prim: Primitive, x: Any, y: Any) -> Any:
    """:func:`bind` for two operands, through the op's fast path."""
    call = _CALLERS.get((prim, 2))
    if call is None:
        call = _CALLERS[prim, 2] = binary_caller(prim)
    return call(x, y)


_NO_STATIC: dict = {}


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
) -> None:
    """Append the op to each recording tape that watches one of its arguments, and (unless
    ``forward`` is false) give its output tangents in the active accumulators.

    ``args`` are tensors or plain values, ``vals`` their values; ``ids`` are the arguments'
    ids (0 for constants), when the caller knows them. The entry keeps argument ids and
    values, not tensors, and of the values only those the rules of its connected arguments
    read (a persistent tape keeps them all, for repeated sweeps and ``table()``): a value
    nothing needs is freed as soon as the user's code drops it.
    """
    tapes, accs = STATE.stacks
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
                    connected: tuple = _BOTH if b in watched else _FIRST
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


_SCALARS = frozenset({int, float, bool, str, type(None), slice})


def _private(static: dict) -> dict:
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


def _keep(prim: Primitive, vals: Any, ans: Any, connected: tuple) -> tuple[Any, Any]:
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


def _reads(prim: Primitive, connected: tuple) -> tuple[Any, bool]:
    """The argument positions and whether the output that the rules of the ``connected``
    arguments read (positions None: the rules of some cannot be read, so all are kept)."""
    saves, saves_ans = prim.saves, prim.saves_ans
    needed: frozenset = frozenset()
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
    rec, accs = STATE.recording, STATE.accumulators
    saved_rec, saved_accs = rec[:], accs[:]
    rec[:] = [t for t in saved_rec if t._seq < scope._seq]
    accs[:] = [a for a in saved_accs if a._seq < scope._seq]
    try:
        yield
    finally:
        rec[:], accs[:] = saved_rec, saved_accs


def push_tangents(accs: list, prim: Primitive, args: tuple, static: dict, out: Any) -> None:
    """Forward mode: give ``out`` a tangent in each accumulator that has one for an argument.

    JVP rules run on tensors, so the tapes and accumulators entered before this accumulator
    see (and can differentiate) the tangent computation; it and those inside it do not.
    """
    first = (out[0] if out else None) if type(out) is tuple else out
    if first is None or first._value.dtype.kind not in "fc":
        return
    for acc in list(accs):
        tangents = acc._tangents
        pending = [
            (i, tangents[a._id])
            for i, a in enumerate(args)
            if isinstance(a, Tensor) and a._id in tangents
        ]
        if not pending:
            continue
        with only_outside(acc):
            total: Any = None
            with np.errstate(all="ignore"):  # as in the reverse sweep: NaN and inf are quiet
                for i, t in pending:
                    rule = prim.jvps[i] if i < len(prim.jvps) else None
                    if rule is None:
                        raise LookupError(
                            f"No forward-mode rule (JVP) defined for op '{prim.name}' with "
                            f"respect to its argument {i}."
                        )
                    dt = rule(t, out, *args, **static)
                    total = dt if total is None else _add_tangents(total, dt)
                if type(out) is tuple:
                    for o, dt in zip(out, total):
                        tangents[ensure_id(o)] = fit_tangent(dt, o)
                else:
                    tangents[ensure_id(out)] = fit_tangent(total, out)


def _add_tangents(a: Any, b: Any) -> Any:
    if type(a) is tuple:
        return tuple(x + y for x, y in zip(a, b))
    return a + b


def fit_tangent(t: Any, out: Tensor) -> Any:
    """Give a tangent the shape and dtype of its primal output (broadcasting it if needed)."""
    if type(t) is not Tensor:
        t = wrap(scalarize(np.asarray(t)))
    if t.shape != out.shape:
        t = np.broadcast_to(t, out.shape)
    if t.dtype != out.dtype:
        if t.dtype.kind == "c" and out.dtype.kind != "c":
            raise _complex_error(out.dtype)
        t = t.astype(out.dtype)
    return t


# --------------------------------------------------------------------------- anomaly detection


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise ``FloatingPointError`` at the first NaN or inf that a recorded op produces, in the
    forward pass or in the backward sweep, naming the op and the line of user code that
    recorded it. Slower: use it to find where a NaN comes from.

    >>> import tape
    >>> x = tape.constant(-1.0)
    >>> with tape.detect_anomaly(), tape.GradientTape() as t:
    ...     t.watch(x)
    ...     y = tape.sqrt(x)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    FloatingPointError: op 'sqrt' produced nan in the forward pass, at ...
    """
    previous = STATE.anomaly
    STATE.anomaly = True
    count_active(1, ANOMALY)
    try:
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            yield
    finally:
        count_active(-1, ANOMALY)
        STATE.anomaly = previous


def _user_frame() -> str:
    import os
    import traceback

    here = os.path.dirname(__file__)
    for frame in reversed(traceback.extract_stack()):
        if not frame.filename.startswith(here):
            return f"{frame.filename}:{frame.lineno} in {frame.name}"
    return "<unknown>"


def _bad(value: Any) -> str | None:
    v = value._value if type(value) is Tensor else value
    if type(v) is IndexedSlices:
        v = v._values
    if np.all(np.isfinite(v)):
        return None
    return "nan" if np.any(np.isnan(v)) else "inf"


def _check_forward(prim: Primitive, out: Any) -> str:
    """Raise at a NaN or inf output; return where in the user's code the op was run."""
    where = _user_frame()
    for o in out if type(out) is tuple else (out,):
        bad = _bad(o)
        if bad:
            raise FloatingPointError(
                f"op '{prim.name}' produced {bad} in the forward pass, at {where}."
            )
    return where


def _check_backward(prim: Primitive, i: int, gi: Any, out_id: Any, where: dict) -> None:
    bad = _bad(gi)
    if bad:
        first = out_id[0] if type(out_id) is tuple else out_id
        raise FloatingPointError(
            f"the gradient rule of op '{prim.name}' produced {bad} for its argument {i} in the "
            f"backward sweep; the op was recorded at {where.get(first, '<unknown>')}."
        )


_add_reduce = np.add.reduce


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``g`` over the axes that broadcasting added or stretched, giving ``shape``."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    if type(g) is ndarray:  # C-level calls, not NumPy's Python-level wrappers
        if axes:
            g = _add_reduce(g, axis=axes, keepdims=True)
        return g.reshape(shape) if lead or g.shape != shape else g
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    return np.reshape(g, shape) if lead or g.shape != shape else g


def fit(g: Any, x: Any) -> Any:
    """Give the cotangent ``g`` the shape and dtype of the argument ``x``: the one place
    where broadcasting is undone and the argument's dtype restored."""
    if g.shape != x.shape:
        g = unbroadcast(g, x.shape)
    if g.dtype != x.dtype:
        if g.dtype.kind == "c" and x.dtype.kind != "c":
            raise _complex_error(x.dtype)
        g = g.astype(x.dtype)
    return g


def _complex_error(dtype: Any) -> TypeError:
    """Casting a complex cotangent or tangent to a real value would silently drop part of
    it, and the rules do not conjugate: complex intermediates are refused."""
    return TypeError(
        f"tape does not differentiate through complex values yet: a complex intermediate "
        f"depends on a watched {dtype} value. Compute with its real and imaginary parts as "
        "float tensors, or outside the tape."
    )


def _zeros(x: Any, raw: bool) -> Any:
    z = scalarize(np.zeros(x.shape, dtype=x.dtype))
    return z if raw else wrap(z)


def backward(
    entries: list,
    seeds: dict[int, Any],
    want: set[int],
    raw: bool,
    consume: bool,
    where: dict | None = None,
) -> dict[int, Any]:
    """The reverse sweep: from cotangents of the targets (``seeds``, by tensor id) to the
    cotangents of the ids in ``want``. Each pending cotangent is popped once used.

    ``raw`` runs the rules on NumPy values; otherwise on tensors (with the recorded ids), so
    that an outer tape can record the sweep. ``consume`` pops entries off the list as it
    goes, freeing saved values. ``where`` says where each op was recorded (detect_anomaly).
    """
    adj = seeds
    found: dict[int, Any] = {}
    anomaly = STATE.anomaly
    where = where or {}
    stack = entries if consume else entries[:]
    pop = stack.pop
    while stack:
        prim, ids, vals, static, out_id, ans, connected = pop()
        if type(out_id) is tuple:
            gs = [adj.pop(o, None) for o in out_id]
            gs = [g._dense() if type(g) is IndexedSlices else g for g in gs]
            if all(g is None for g in gs):
                continue
            for o, g in zip(out_id, gs):
                if o in want and g is not None:
                    found[o] = g
            g = tuple((_zeros(a, raw) if g is None else g) for a, g in zip(ans, gs))
            if not raw:
                ans = tuple(wrap(a, o) for a, o in zip(ans, out_id))
        else:
            g = adj.pop(out_id, None)
            if g is None:
                continue
            if type(g) is IndexedSlices:  # a sparse cotangent is dense for the rules
                g = g._dense()
            if out_id in want:
                found[out_id] = g
            if not raw:
                ans = wrap(ans, out_id)
        xs = vals if raw else tuple(
            [wrap(v, key) if key else v for v, key in zip(vals, ids)]
        )
        vjps = prim.vjps
        joint = prim.joint(g, ans, *xs) if prim.joint is not None else None
        for i in connected:
            x = xs[i]
            if joint is not None:
                gi = joint[i]
            else:
                try:
                    rule = vjps[i]
                except IndexError:
                    rule = None
                if rule is None:
                    raise LookupError(
                        f"No gradient defined for op '{prim.name}' with respect to its "
                        f"argument {i}. Wrap the computation in tape.stop_gradient() if no "
                        "gradient should flow through it."
                    )
                if rule is through:  # no call for the commonest rule, d(x + y)/dx
                    gi = g
                elif static:
                    gi = rule(g, ans, *xs, **static)
                elif len(xs) == 2:  # plain calls are cheaper than unpacking ``*xs``
                    gi = rule(g, ans, xs[0], xs[1])
                elif len(xs) == 1:
                    gi = rule(g, ans, xs[0])
                else:
                    gi = rule(g, ans, *xs)
            cls = type(gi)
            # NumPy scalars of one type share shape () and dtype: only arrays need a look
            # (and dtypes are usually one object, so ``is not`` is checked first).
            if cls is not type(x) or (
                (cls is ndarray or cls is Tensor)
                and (gi.shape != x.shape or gi.dtype is not x.dtype)
            ):
                if raw and cls is Tensor:
                    gi = gi._value  # a rule built a tensor: the NumPy sweep keeps values
                elif not raw and cls is not Tensor:
                    gi = wrap(gi)  # a constant cotangent, e.g. a zero gradient
                gi = fit(gi, x)
            if anomaly:
                _check_backward(prim, i, gi, out_id, where)
            key = ids[i]
            prev = adj.get(key)
            if prev is None:
                adj[key] = gi
            elif (
                raw and type(gi) is ndarray and type(prev) is ndarray
                and gi.size >= _IN_PLACE_SIZE
            ):
                adj[key] = _accumulate(prev, gi)
            else:
                adj[key] = prev + gi
            prev = gi = None
        # Drop this step's values now, not when the next step overwrites them: with large
        # arrays, that is the difference between one step's temporaries and two.
        vals = xs = ans = g = None
    for key in want:
        if key not in found and key in adj:
            found[key] = adj[key]
    return found


_IN_PLACE_SIZE = 1 << 14  # elements: below this, a new array is cheaper than the checks


def _refs_of_a_private_local() -> int:
    private = np.empty(1)
    return sys.getrefcount(private)


_PRIVATE = _refs_of_a_private_local()  # this interpreter's count for an unshared local


def _accumulate(prev: ndarray, gi: ndarray) -> ndarray:
    """``prev + gi``, written into whichever operand no one else holds, so that summing large
    cotangents does not allocate (the two were fitted to the same shape and dtype)."""
    if (
        sys.getrefcount(gi) <= _PRIVATE + 1  # the caller's variable and ours
        and gi.flags.writeable and gi.flags.owndata and gi.shape == prev.shape
    ):
        return np.add(gi, prev, out=gi)
    return prev + gi


# --------------------------------------------------------------------------- nested structures


def flatten(structure: Any) -> list:
    """Leaves of nested lists, tuples and dicts (dicts in sorted key order)."""
    if isinstance(structure, dict):
        return [leaf for k in sorted(structure) for leaf in flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        leaves = []
        for item in structure:  # leaves directly: most structures are flat lists
            if isinstance(item, (list, tuple, dict)):
                leaves.extend(flatten(item))
            else:
                leaves.append(item)
        return leaves
    return [structure]


def pack_as(structure: Any, flat: list) -> Any:
    """Rebuild ``structure`` with the leaves taken in order from ``flat``."""
    return _build(structure, iter(flat))


def _build(s: Any, leaves: Iterator[Any]) -> Any:
    # A plain recursive function, not a closure: a closure over the iterator would form a
    # reference cycle that keeps the packed values alive until the cyclic collector runs.
    if isinstance(s, dict):
        built = {k: _build(s[k], leaves) for k in sorted(s)}
        return type(s)((k, built[k]) for k in s)
    if isinstance(s, (list, tuple)):
        items = [
            _build(item, leaves) if isinstance(item, (list, tuple, dict)) else next(leaves)
            for item in s
        ]
        if hasattr(s, "_fields"):  # namedtuple
            return type(s)(*items)
        return type(s)(items)
    return next(leaves)


# --------------------------------------------------------------------------- GradientTape


class UnconnectedGradients(str, enum.Enum):
    """What ``gradient`` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


def _is_float(dtype: np.dtype) -> bool:
    return dtype.kind in "fc"


class GradientTape:
    """Records operations on watched tensors for reverse-mode automatic differentiation.

    Every op whose input is watched is appended to the tape's Wengert list;
    :meth:`gradient` replays that list backwards.

    >>> import tape
    >>> x = tape.constant(3.0)
    >>> with tape.GradientTape() as t:
    ...     t.watch(x)
    ...     y = x * x
    >>> t.gradient(y, x)
    tape.Tensor(6.0, shape=(), dtype=float32)
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._persistent = bool(persistent)
        self._watch_accessed = bool(watch_accessed_variables)
        self._entries: list | None = []
        self._watched: set[int] = set()
        self._variables: dict[int, Variable] = {}
        self._in_context = False
        self._warned_inside = False
        self._last_seeds: dict[int, Any] | None = None  # of the last gradient(), for table()
        self._where: dict[int, str] = {}  # under detect_anomaly: where each op was recorded
        self._seq = 0

    # ----------------------------------------------------------------- context management

    def __enter__(self) -> GradientTape:
        if self._in_context:
            raise ValueError(
                "Tape is still recording, This can happen if you try to re-enter an "
                "already-active tape."
            )
        if self._entries is None:  # a used non-persistent tape starts afresh, as in TensorFlow
            self._entries, self._watched, self._variables, self._where = [], set(), {}, {}
        self._in_context = True
        self._seq = next_id()  # entry order, for nesting with accumulators
        count_active(1)
        STATE.recording.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._in_context:
            self._in_context = False
            count_active(-1)
        self._pop()

    def _pop(self) -> None:
        rec = STATE.recording
        for i in range(len(rec) - 1, -1, -1):
            if rec[i] is self:
                del rec[i]
                return

    @property
    def _recording(self) -> bool:
        return any(t is self for t in STATE.recording)

    # ----------------------------------------------------------------- watching

    def watch(self, tensor: Any) -> None:
        """Ensure ``tensor`` (a tensor, a variable, or a nested structure of them) is traced.

        Watching an integer tensor warns: its gradient is always ``None``.
        """
        for t in flatten(tensor):
            if isinstance(t, Variable):
                self._watch_variable(t)
            elif isinstance(t, Tensor):
                if not _is_float(t.dtype):
                    warnings.warn(
                        f"The dtype of the watched tensor must be floating (e.g. tape.float32), "
                        f"got {t.dtype}.",
                        stacklevel=2,
                    )
                self._watched.add(ensure_id(t))
            else:
                raise ValueError(
                    f"Passed in object {t} of type {type(t).__name__!r}, not tape.Tensor or "
                    "tape.Variable. Convert it first with tape.constant(...) or wrap it in "
                    "tape.Variable(...)."
                )

    def _watch_variable(self, var: Variable, accessed: bool = False) -> None:
        """Watch ``var``: asked for by ``watch()`` (which warns about a non-floating dtype, as
        TensorFlow does), or because an op read it (``accessed``, silently)."""
        if var._id not in self._variables:
            if not accessed and not _is_float(var.dtype):
                warnings.warn(
                    f"The dtype of the watched variable must be floating (e.g. tape.float32), "
                    f"got {var.dtype}.",
                    stacklevel=3,
                )
            self._variables[var._id] = var
            self._watched.add(var._id)

    def watched_variables(self) -> tuple[Variable, ...]:
        """The variables this tape watches, in creation order."""
        return tuple(self._variables[k] for k in sorted(self._variables))

    @contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Temporarily stop recording operations on this tape.

        >>> import tape
        >>> x = tape.constant(2.0)
        >>> with tape.GradientTape() as t:
        ...     t.watch(x)
        ...     with t.stop_recording():
        ...         y = x * x
        >>> print(t.gradient(y, x))
        None
        """
        if self._entries is None or not self._in_context:
            raise RuntimeError("Trying to stop recording a tape which is not recording.")
        if not self._recording:
            raise ValueError("Tape is not recording.")
        self._pop()
        try:
            yield
        finally:
            STATE.recording.append(self)

    def reset(self) -> None:
        """Clear everything recorded, as if the context were exited and re-entered."""
        if not self._recording:
            raise ValueError(
                "Tape is not recording. reset() clears a tape inside its context; outside it, "
                "create a new GradientTape instead."
            )
        self._entries, self._watched, self._variables, self._where = [], set(), {}, {}
        self._last_seeds = None

    # ----------------------------------------------------------------- seeing the tape

    def __len__(self) -> int:
        return len(self._entries or ())

    def __iter__(self) -> Iterator[Any]:
        from ._show import entries

        return iter(entries(self))

    def __repr__(self) -> str:
        state = "recording" if self._recording else "not recording"
        kind = "persistent" if self._persistent else "non-persistent"
        if self._entries is None:
            return f"<GradientTape {kind}, released after gradient()>"
        return f"<GradientTape {kind}, {state}, {len(self)} entries>"

    def __str__(self) -> str:
        return self.table()

    def table(self, names: dict[str, Any] | None = None, precision: int = 7) -> str:
        """The Wengert list as a table: one row per value (inputs first, then each recorded
        op's output) with its op, inputs, value, local derivatives (for scalar ops) and, after
        ``gradient()`` on a persistent tape, its adjoint. ``names`` maps labels to tensors.

        >>> import numpy as np, tape
        >>> x = tape.constant(np.float64(2.0))
        >>> with tape.GradientTape(persistent=True) as t:
        ...     t.watch(x)
        ...     f = x * x + x
        >>> _ = t.gradient(f, x)
        >>> print(t.table(names={"x": x, "f": f}))
        value  op        inputs  result  shape  dtype    local derivatives       adjoint
        -----  --------  ------  ------  -----  -------  ----------------------  -------
        x      input             2       ()     float64                          5
        v1     multiply  x, x    4       ()     float64  dv1/dx = 2, dv1/dx = 2  1
        f      add       v1, x   6       ()     float64  df/dv1 = 1, df/dx = 1   1
        """
        from ._show import table

        return table(self, names, precision)

    def to_dot(self, names: dict[str, Any] | None = None) -> str:
        """The recorded graph as Graphviz DOT text: values as ellipses, ops as boxes."""
        from ._show import to_dot

        return to_dot(self, names)

    def render(self, path: str, names: dict[str, Any] | None = None) -> str:
        """Draw the recorded graph to ``path`` (.svg or .png); needs the ``graphviz`` package."""
        from ._show import render

        return render(self.to_dot(names), path)

    def _adjoints(self) -> dict[int, Any]:
        """The adjoint of every recorded value for the last gradient() (persistent tapes)."""
        if self._last_seeds is None or not self._entries:
            return {}
        ids = {o._id for e in self for o in e.outputs}
        ids |= {a._id for e in self for a in e.inputs if isinstance(a, Tensor)}
        with np.errstate(all="ignore"):
            return backward(self._entries[:], dict(self._last_seeds), ids, raw=True,
                            consume=False)

    # ----------------------------------------------------------------- differentiation

    def gradient(
        self,
        target: Any,
        sources: Any,
        output_gradients: Any = None,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
    ) -> Any:
        """Gradients of ``target`` (summed, if several) with respect to ``sources``.

        ``sources`` may be a tensor, a variable, or a nested structure of them; the result
        mirrors it. ``output_gradients`` gives the vector of a vector-Jacobian product, one
        per target. A source the target does not depend on gets ``None``, or zeros with
        ``unconnected_gradients='zero'``.

        >>> import tape
        >>> x = tape.constant(2.0)
        >>> with tape.GradientTape() as t:
        ...     t.watch(x)
        ...     f = x**2 + x
        >>> float(t.gradient(f, x))
        5.0
        """
        if self._entries is None:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients (or jacobians). Create it with GradientTape(persistent=True) to "
                "compute gradients more than once."
            )
        if target is None:
            raise TypeError(
                "Argument `target` should be a list or nested structure of Tensors or "
                "Variables to be differentiated, but received None. Did you forget to return "
                "a value from a function?"
            )
        unconnected = _unconnected(unconnected_gradients)
        if self._recording:
            if not self._persistent:
                self._pop()
            elif not self._warned_inside:
                self._warned_inside = True
                warnings.warn(
                    "Calling GradientTape.gradient on a persistent tape inside its context is "
                    "significantly less efficient than calling it outside the context (it "
                    "causes the gradient ops to be recorded on the tape, leading to increased "
                    "CPU and memory usage). Only call GradientTape.gradient inside the context "
                    "if you actually want to trace the gradient in order to compute higher "
                    "order derivatives.",
                    stacklevel=2,
                )

        targets = [_as_differentiable(t, "target") for t in flatten(target)]
        flat_sources = flatten(sources)
        want = set()
        for s in flat_sources:
            if not isinstance(s, (Tensor, Variable)):
                raise ValueError(
                    f"Sources must be tensors or variables, got {s!r} of type "
                    f"{type(s).__name__!r}. Watch a tensor (tape.constant(...)) or use a "
                    "tape.Variable."
                )
            kind = s._value.dtype.kind
            if kind == "f":
                want.add(ensure_id(s))
            elif kind == "c":
                _no_complex(s)
            else:
                warnings.warn(
                    f"The dtype of the source tensor must be floating (e.g. tape.float32) when "
                    f"calling GradientTape.gradient, got {s.dtype}. Its gradient is None.",
                    stacklevel=2,
                )
        seeds = self._seeds(targets, output_gradients, raw=False)
        raw = not _taping(self._entries, seeds)
        if raw:
            seeds = {k: v._value for k, v in seeds.items()}
        seeds_given = list(seeds.values())
        entries = self._entries
        if self._persistent:
            self._last_seeds = {k: (v if raw else v._value) for k, v in seeds.items()}
        with np.errstate(all="ignore"):  # NaN and inf propagate without warnings
            if self._persistent:
                found = backward(entries[:], seeds, want, raw, False, self._where)
            else:
                try:
                    found = backward(entries, seeds, want, raw, True, self._where)
                finally:  # used up, even by a sweep that failed
                    self._entries = None
                    self._watched, self._where = set(), {}

        grads = []
        for s in flat_sources:
            g = found.get(s._id) if s._id in want else None
            if g is None:
                if unconnected is UnconnectedGradients.ZERO and s._id in want:
                    g = _zeros(s._value, raw=False)
            elif raw and type(g) is not IndexedSlices:
                g = wrap(_own(g, seeds_given))
            grads.append(g)
        return pack_as(sources, grads)

    def jacobian(
        self,
        target: Any,
        sources: Any,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
        parallel_iterations: int | None = None,
        experimental_use_pfor: bool = True,
    ) -> Any:
        """The Jacobian of ``target`` with respect to each source: shape
        ``target.shape + source.shape``, mirroring the structure of ``sources``.

        >>> import tape
        >>> x = tape.constant([1.0, 2.0])
        >>> with tape.GradientTape() as t:
        ...     t.watch(x)
        ...     y = x * x
        >>> t.jacobian(y, x).numpy()
        array([[2., 0.],
               [0., 4.]], dtype=float32)
        """
        target = _as_differentiable(target, "target")
        flat_sources = self._check_sources(sources, experimental_use_pfor)
        if not _is_float(target.dtype):
            warnings.warn(
                f"The dtype of the target tensor must be floating (e.g. tape.float32) when "
                f"calling GradientTape.jacobian, got {target.dtype}.",
                stacklevel=2,
            )
        rows = self._rows(target, flat_sources, _one_hots(target.size, target.dtype),
                          unconnected_gradients)
        from .ops.shape import reshape

        jac = [
            None if r is None else reshape(r, target.shape + s.shape)
            for r, s in zip(rows, flat_sources)
        ]
        return pack_as(sources, jac)

    def batch_jacobian(
        self,
        target: Any,
        source: Any,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
        parallel_iterations: int | None = None,
        experimental_use_pfor: bool = True,
    ) -> Any:
        """Per-example Jacobians: ``target[i]`` depends only on ``source[i]``. The result has
        shape ``(batch,) + target.shape[1:] + source.shape[1:]``.

        >>> import tape
        >>> x = tape.constant([[1.0, 2.0], [3.0, 4.0]])
        >>> with tape.GradientTape() as t:
        ...     t.watch(x)
        ...     y = x * x
        >>> t.batch_jacobian(y, x).numpy()[1]
        array([[6., 0.],
               [0., 8.]], dtype=float32)
        """
        target = _as_differentiable(target, "target")
        if not isinstance(source, (Tensor, Variable)):
            raise ValueError(
                f"Sources must be tensors or variables, got {source!r} of type "
                f"{type(source).__name__!r}: batch_jacobian takes one tensor as its source."
            )
        (source,) = self._check_sources([source], experimental_use_pfor)
        for shape in (target.shape, source.shape):
            if len(shape) < 2:
                raise ValueError(f"Shape {shape} must have rank at least 2")
        if target.shape[0] != source.shape[0]:
            raise ValueError(
                f"Need first dimension of target shape {target.shape} and source shape "
                f"{source.shape} to match."
            )
        src = source
        batch, inner = target.shape[0], int(np.prod(target.shape[1:]))
        # One sweep per inner element, seeded with that element in every example at once.
        seeds = np.broadcast_to(np.eye(inner, dtype=target.dtype)[:, None, :],
                                (inner, batch, inner))
        (rows,) = self._rows(target, [src], seeds, unconnected_gradients)
        if rows is None:
            return None
        from .ops.shape import reshape, transpose

        rows = transpose(reshape(rows, (inner, batch, -1)), (1, 0, 2))
        return reshape(rows, target.shape + src.shape[1:])

    def _check_sources(self, sources: Any, use_pfor: bool = True) -> list:
        if self._entries is None:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients (or jacobians). Create it with GradientTape(persistent=True) to "
                "compute gradients more than once."
            )
        if not use_pfor and not self._persistent:
            raise RuntimeError(
                "GradientTape must be created with persistent=True to compute the jacobian "
                "with experimental_use_pfor set to False."
            )
        flat = flatten(sources)
        for s in flat:
            if not isinstance(s, (Tensor, Variable)):
                raise ValueError(
                    f"Sources must be tensors or variables, got {s!r} of type "
                    f"{type(s).__name__!r}."
                )
            if not s._id:
                ensure_id(s)
        return flat

    def _rows(self, target: Tensor, sources: list, seeds: Any, unconnected: Any) -> list:
        """Reverse sweeps with each seed in turn (``seeds`` rows, reshaped to the target's
        shape); per source, the stacked cotangents (a tensor, differentiable when an outer
        tape records) or None when never connected."""
        zero = _unconnected(unconnected) is UnconnectedGradients.ZERO
        if self._recording and not self._persistent:
            self._pop()
        for s in sources:
            _no_complex(s)
        want = {s._id for s in sources if _is_float(s.dtype)}
        raw = not _taping(self._entries, {target._id: None})
        stacked: list[list] = [[] for _ in sources]
        connected = [False] * len(sources)
        entries = self._entries
        for seed in seeds:
            seed = scalarize(np.array(seed).reshape(target.shape))
            # (the sweep copies the list first: entries it records are not swept)
            with np.errstate(all="ignore"):  # NaN and inf propagate without warnings
                found = backward(entries, {target._id: seed if raw else wrap(seed)},
                                 want, raw, False, self._where)
            for k, s in enumerate(sources):
                g = found.get(s._id)
                if g is not None:
                    connected[k] = True
                    if type(g) is IndexedSlices:
                        g = g._dense()
                    g = wrap(g) if raw else g
                else:
                    g = _zeros(s, raw=False)
                stacked[k].append(g)
        if not self._persistent:
            self._entries = None
            self._watched, self._where = set(), {}
        from .ops.shape import stack

        out: list = []
        for k, s in enumerate(sources):
            if not _is_float(s.dtype) or not (connected[k] or zero):
                out.append(None)
            elif stacked[k]:
                out.append(stack(stacked[k]))
            else:
                out.append(wrap(np.zeros((0,) + s.shape, dtype=s.dtype)))
        return out

    def _seeds(self, targets: list, output_gradients: Any, raw: bool) -> dict[int, Any]:
        if output_gradients is None:
            flat_og = [None] * len(targets)
        else:
            flat_og = flatten(output_gradients)
            if len(flat_og) != len(targets):
                raise ValueError(
                    f"output_gradients has {len(flat_og)} entries but there are "
                    f"{len(targets)} targets: pass one per target (None for ones)."
                )
        seeds: dict[int, Any] = {}
        for t, og in zip(targets, flat_og):
            if not _is_float(t.dtype):
                warnings.warn(
                    f"The dtype of the target tensor must be floating (e.g. tape.float32) when "
                    f"calling GradientTape.gradient, got {t.dtype}.",
                    stacklevel=3,
                )
                continue
            if og is None:
                v = t._value  # ones of the target's shape and dtype
                g = scalarize(np.ones(v.shape, v.dtype)) if type(v) is ndarray else v.dtype.type(1)
                g = g if raw else wrap(g)
            else:
                if not isinstance(og, (Tensor, Variable)):
                    og = wrap(to_value(og, t.dtype if np.ndim(og) == 0 else None))
                if og.shape != t.shape:
                    raise ValueError(
                        f"Mismatch between the shape of output_gradients {og.shape} and the "
                        f"shape of its target {t.shape}: they must be equal."
                    )
                if not _is_float(og.dtype):
                    raise ValueError(
                        f"output_gradients must have a floating dtype, got {og.dtype}; "
                        f"cast it to {t.dtype}."
                    )
                g = og._value if raw else (og._read() if isinstance(og, Variable) else og)
            prev = seeds.get(t._id)
            seeds[t._id] = g if prev is None else prev + g
        return seeds


def _own(g: Any, seeds: list) -> Any:
    """A gradient handed to the user never aliases a cotangent or an input."""
    if type(g) is ndarray and (
        g.base is not None or not g.flags.writeable or any(g is s for s in seeds)
    ):
        return g.copy()
    return scalarize(g)


def _one_hots(n: int, dtype: np.dtype) -> Iterator[ndarray]:
    """The rows of the n x n identity, one at a time."""
    for k in range(n):
        row = np.zeros(n, dtype=dtype)
        row[k] = 1
        yield row


def _taping(entries: list, seeds: dict) -> bool:
    """Whether a sweep over ``entries`` must run on tensors: some recording tape watches, or
    some accumulator has a tangent for, a value it reads or a seed. Otherwise nothing it
    computes could be recorded, and the NumPy sweep gives the same result faster."""
    scopes = [t._watched for t in STATE.recording]
    scopes += [a._tangents for a in STATE.accumulators]
    if not scopes:
        return False
    for key, seed in seeds.items():
        seed_id = seed._id if type(seed) is Tensor else 0
        if any(key in w or seed_id in w for w in scopes):
            return True
    for entry in entries:
        out_id = entry[4]
        keys = entry[1] + (out_id if type(out_id) is tuple else (out_id,))
        for w in scopes:
            for key in keys:
                if key in w:
                    return True
    return False


def _no_complex(s: Any) -> None:
    if s.dtype.kind == "c":
        raise TypeError(
            f"tape does not differentiate complex values yet (a source has dtype {s.dtype}): "
            "split it into real and imaginary parts, which are float tensors."
        )


def _unconnected(value: Any) -> UnconnectedGradients:
    if type(value) is UnconnectedGradients:
        return value
    try:
        return UnconnectedGradients(value)
    except ValueError:
        raise ValueError(
            f"Unknown value for unconnected_gradients: {value!r}. "
            "Use 'none' or 'zero' (tape.UnconnectedGradients.NONE or .ZERO)."
        ) from None


def _as_differentiable(t: Any, what: str) -> Tensor:
    if isinstance(t, Variable):
        return t._read()
    if isinstance(t, Tensor):
        ensure_id(t)
        return t
    if t is None:
        raise TypeError(
            f"The {what} is None: it should be a tape.Tensor or tape.Variable to be "
            "differentiated. Did you forget to return a value from a function?"
        )
    raise TypeError(
        f"The {what} must be a tape.Tensor or tape.Variable, got {type(t).__name__} "
        f"({t!r}). A Python number has no gradient: differentiate the tensor it came from "
        "(e.g. the loss before calling float() or .numpy() on it)."
    )
