"""Tracing a function into a program: the engine of ``tape.function``.

A :class:`Tracer` is a tape that watches everything computed from a function's inputs and
the variables it reads, differentiable or not. Running the function once under it gives a
:class:`Trace`: the Wengert list of every op on a traced value, in order, with four kinds of
events between the ops --

- ``guard``: a traced value left the trace and steered Python (``bool(x)`` in an ``if``,
  ``int(x)``, ``float(x)``, ``x.numpy()``, an integer index), with the value it had;
- ``assign``: a variable was assigned a value (traced or constant);
- ``call``: a call that must happen on every run (``tape.print``, an optimizer's update, a
  random draw), with its arguments;
- and the reads of variables, which need no event: a variable's reads carry its id.

A trace is then run in one of two ways. :meth:`Trace.run` calls a Python function generated
from the list (:func:`generate`): straight-line NumPy calls, each op's forward function
applied to values, with each guard re-checked where it happened; when one fails it raises
:class:`Retrace` (variables are put back as they were), and the caller traces again.
:meth:`Trace.replay` runs the list op by op through :func:`~tape._record.bind` on tensors,
so that tapes and accumulators outside the function record it as they would record the
function run eagerly (and a function compiled inside another one is inlined in its trace).

Ops on values that do not depend on the inputs are not on the list: they ran once, while
tracing, and their results are constants of the program (constant folding for free).
"""

from __future__ import annotations

import builtins
import keyword
import linecache
import math
import operator
import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy import ndarray

from ._checks import _ERRSTATE
from ._record import bind, ensure_id
from ._registry import PRIMITIVES, Primitive
from ._tensor import STATE, Tensor, Variable, count_active, next_id, scalarize, wrap

_TAPE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__)) + os.sep


class Retrace(Exception):
    """A guard of a trace failed: the traced program does not hold for these inputs."""


class _Seen:
    """What a trace keeps of a traced array an op read or made: its shape and dtype, and for
    a variable's value, which version of the variable it was. (NumPy scalars are kept as
    they are: they are small.)"""

    __slots__ = ("cls", "shape", "dtype", "size", "ndim", "version")

    def __init__(self, value: Any, version: int | None = None) -> None:
        self.cls = type(value)
        self.shape, self.dtype, self.size = value.shape, value.dtype, value.size
        self.ndim = len(self.shape)
        self.version = version

    def __repr__(self) -> str:
        return f"<{self.dtype}{list(self.shape)} traced>"


def _cls(v: Any) -> type:
    """The type of a value a trace kept (see :class:`_Seen`)."""
    return v.cls if type(v) is _Seen else type(v)


def _slim(step: Any, versions: dict[int, tuple[int, int]], variables: dict) -> Any:
    """A recorded op as a trace keeps it (see :class:`_Seen`); other steps as they are."""
    prim, ids, vals, static, out_id, ans, connected = step
    vals = list(vals)
    for i in connected:
        v = vals[i]
        if ids[i] in variables:
            vals[i] = _Seen(np.asarray(v) if type(v) is not ndarray else v,
                            versions.get(id(v), (0, None))[1])
            vals[i].cls = type(v)
        elif type(v) is ndarray:
            vals[i] = _Seen(v)
    if type(ans) is tuple:
        ans = tuple(_Seen(a) if type(a) is ndarray else a for a in ans)
    elif type(ans) is ndarray:
        ans = _Seen(ans)
    return (prim, ids, tuple(vals), static, out_id, ans, connected)


class RunEagerly(Exception):
    """The generated code raised an error before any update was made: the call runs the
    Python function eagerly instead (which raises the error, or handles it)."""


# --------------------------------------------------------------------------- the tracer


def _user_frame() -> Any:
    """The innermost frame of code outside tape and NumPy: where the user wrote the op."""
    frame = sys._getframe(2)
    while frame is not None and _inside(frame.f_code):
        frame = frame.f_back
    return frame


def _inside(code: Any) -> bool:
    """Whether ``code`` is tape's or NumPy's."""
    skip = _INSIDE.get(code)
    if skip is None:
        name = code.co_filename
        skip = _INSIDE[code] = name.startswith(_TAPE_DIR) or name.startswith(_NUMPY_DIR)
    return skip


_INSIDE: dict[Any, bool] = {}  # per code object: whether it is tape's or NumPy's


class _Steps(list):
    """A trace's list of steps; appending one also notes the user's frame and line."""

    def __init__(self, tracer: Tracer) -> None:
        super().__init__()
        self.tracer = tracer
        self.places: list[tuple[Any, int] | None] = []  # (code, instruction offset)
        self.locate = True
        self.errstate = False
        self.start = np.geterr()
        self.seen = None if _ERRSTATE is None else _ERRSTATE.get()
        self.frames: dict[int, Any] = {}

    def append(self, step: Any) -> None:
        if type(step[0]) is Primitive:  # kept slim from the start (see _slim)
            step = _slim(step, self.tracer.versions, self.tracer._variables)
        list.append(self, step)
        if type(step[0]) is Primitive and (_ERRSTATE is None or _ERRSTATE.get() is not self.seen):
            err = np.geterr()  # (NumPy's error state changed since the last look)
            if err != self.start and "raise" in err.values():
                self.errstate = True  # an op ran under np.errstate(...="raise") of its own
            self.seen = None if _ERRSTATE is None else _ERRSTATE.get()
        if not self.locate:
            self.places.append(None)
            return
        f = _user_frame()
        if f is None:
            self.places.append(None)
        else:
            self.frames.setdefault(id(f), f)
            self.places.append((f.f_code, f.f_lasti))


class Tracer:
    """A recorder for tracing: on the recording stack like a tape (so ops on traced values,
    and gradient sweeps over them, are recorded), and on :data:`STATE.tracers`, so that
    non-differentiable ops, guards, assignments and calls are recorded too."""

    _traces = True
    _persistent = True  # entries keep every value: constants of the program
    _watch_accessed = False  # variables are watched through watch_variable, all of them

    def __init__(self) -> None:
        self._entries: list[Any] = _Steps(self)
        self._watched: set[int] = set()
        self._variables: dict[int, Variable] = {}
        self._where: dict[int, str] = {}
        self._seq = next_id()
        self.unsupported: str | None = None
        # A variable's reads all carry its id; which value a read saw is told by the value
        # object itself (an assignment makes a new one): its version, 0 for the first seen.
        self.versions: dict[int, tuple[int, int]] = {}  # id(value) -> (variable id, version)
        self._current: dict[int, int] = {}
        self._objects: list[Any] = []  # the values, so that their ids stay theirs

    def _watch_variable(self, var: Variable, accessed: bool = False) -> None:
        if var._id not in self._variables:
            self._variables[var._id] = var
            self._watched.add(var._id)
            self._version(var, 0)

    def _version(self, var: Variable, k: int) -> None:
        self._current[var._id] = k
        self.versions[id(var._value)] = (var._id, k)
        self._objects.append(var._value)

    def _producer(self, key: int) -> str | None:
        for step in reversed(self._entries):
            if type(step[0]) is Primitive and (
                step[4] == key or (type(step[4]) is tuple and key in step[4])
            ):
                return step[0].name
        return None

    def traces(self, x: Any) -> bool:
        """Whether ``x`` (a tensor or variable) is a value of this trace."""
        if type(x) is Variable:
            self._watch_variable(x)
            return True
        return isinstance(x, Tensor) and x._id in self._watched

    def guard(self, x: Any, kind: str, observed: Any) -> None:
        if self.traces(x):
            self._entries.append(("guard", x._id, kind, _frozen(observed)))

    def assign(self, var: Variable, value: Any) -> None:
        """``var`` was assigned ``value`` (watched before, so its old value is a version)."""
        k = self._current[var._id] + 1
        self._version(var, k)
        if isinstance(value, (Tensor, Variable)) and self.traces(value):
            self._entries.append(("assign", var, value._id, None, k))
        else:
            self._entries.append(("assign", var, 0, value, k))

    def refuse(self, why: str) -> None:
        if self.unsupported is None:
            self.unsupported = why


def _frozen(v: Any) -> Any:
    return v.copy() if type(v) is ndarray else v


#: How each kind of guard converts a value: applied to tensors when replaying, to values in
#: generated code.
_CONVERT: dict[str, Callable[[Any], Any]] = {
    "bool": bool,
    "int": int,
    "index": operator.index,
    "float": float,
    "complex": complex,
    "value": lambda v: v.numpy() if isinstance(v, (Tensor, Variable)) else _frozen(v),
}


def _same(a: Any, b: Any) -> bool:
    """Whether a guard's value now equals the traced one (NaN equals NaN; same dtype)."""
    if type(a) is not type(b):
        return False
    if type(a) is float or type(a) is complex:
        return a == b or (a != a and b != b)
    if isinstance(a, (ndarray, np.generic)):
        return a.dtype == b.dtype and np.shape(a) == np.shape(b) and bool(
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
        )
    return bool(a == b)


def _differs(a: Any, b: Any) -> bool:
    return not _same(a, b)


def run_paused(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` with the tracers paused (they record nothing it does)."""
    tracers = STATE.tracers[:]
    rec = STATE.recording
    saved = rec[:]
    STATE.tracers[:] = []
    rec[:] = [t for t in saved if not getattr(t, "_traces", False)]
    try:
        return fn(*args, **kwargs)
    finally:
        STATE.tracers[:] = tracers
        rec[:] = saved


class _Slot:
    """A traced tensor in the arguments of a call, or in a function's result."""

    __slots__ = ("id",)

    def __init__(self, id_: int) -> None:
        self.id = id_


def _template(obj: Any, traced: Callable[[Any], bool]) -> Any:
    """``obj`` with its traced tensors replaced by :class:`_Slot`s."""
    if isinstance(obj, (list, tuple, dict)):
        return _rebuilt(obj, lambda v: _template(v, traced))
    if isinstance(obj, Tensor) and type(obj) is not Variable and traced(obj):
        return _Slot(obj._id)
    return obj


def _slots(template: Any) -> list[int]:
    if isinstance(template, (list, tuple)):
        return [k for v in template for k in _slots(v)]
    if isinstance(template, dict):
        return [k for v in template.values() for k in _slots(v)]
    return [template.id] if type(template) is _Slot else []


def _fill(template: Any, env: dict[int, Any]) -> Any:
    """The template with each slot's tensor from ``env`` (by id)."""
    if isinstance(template, (list, tuple, dict)):
        return _rebuilt(template, lambda v: _fill(v, env))
    return env[template.id] if type(template) is _Slot else template


def call(
    fn: Callable[..., Any], *args: Any, keep: bool = True, hint: str = "", **kwargs: Any
) -> Any:
    """Call ``fn(*args, **kwargs)``, and, while a function is traced, record the call so that
    the compiled function makes it on every run: a side effect (``keep``: ``tape.print``, an
    optimizer's update) or a fresh value (a random draw: dropped when its result is unused,
    and refused, with ``hint`` saying what to write, when an argument is traced).
    ``fn`` runs with the tracers paused; the tensors it returns are values of the trace."""
    tracers = STATE.tracers
    if not tracers:
        return fn(*args, **kwargs)
    before = [{k: v._value for k, v in tracer._variables.items()} for tracer in tracers]
    result = run_paused(fn, *args, **kwargs)
    for tracer, values in zip(tracers, before):
        tmpl = _template((args, kwargs), tracer.traces)
        if not keep and _slots(tmpl):
            tracer.refuse(
                f"{getattr(fn, '__qualname__', fn)} was given a traced tensor as an argument"
                + (f"; {hint}" if hint else "")
            )
        outs = []
        for leaf in _leaves(result):
            if isinstance(leaf, Tensor):
                tracer._watched.add(ensure_id(leaf))
                outs.append(leaf._id)
        changed = []  # the variables the call assigned: their new versions
        for key, old in values.items():
            var = tracer._variables[key]
            if var._value is not old:
                tracer._version(var, tracer._current[key] + 1)
                changed.append((key, tracer._current[key]))
        tracer._entries.append(("call", fn, tmpl, tuple(outs), keep, tuple(changed)))
    return result


def _leaves(obj: Any) -> list[Any]:
    if isinstance(obj, (list, tuple)):
        return [v for item in obj for v in _leaves(item)]
    if isinstance(obj, dict):
        return [v for item in obj.values() for v in _leaves(item)]
    return [obj]


# --------------------------------------------------------------------------- tracing


def trace(
    func: Callable[..., Any], args: tuple, kwargs: dict, leaves: list[Any],
    locate: bool = True, keep: list[Any] | None = None,
) -> tuple[Trace, Any]:
    """Run ``func(*args, **kwargs)`` once under a tracer, its tensor and array arguments
    (``leaves``, in the order :func:`signature` finds them) given as new tensors. Returns the
    trace and the function's result (the call ran eagerly: tapes outside it recorded it).
    ``locate``: note where in the user's code each step was written (for error notes and
    names); ``keep``: objects the trace keeps alive (those its signature names by id)."""
    tracer = Tracer()
    tracer._entries.locate = locate  # (where each step was written: for errors and names)
    inputs = []
    for leaf in leaves:
        if isinstance(leaf, Tensor):
            t = bind(PRIMITIVES["identity"], leaf)  # outer tapes see through it
        else:
            t = wrap(scalarize(np.array(leaf)))
        ensure_id(t)
        inputs.append(t)
    tracer._watched.update(t._id for t in inputs)
    new_args, new_kwargs = _substitute((args, kwargs), inputs)
    count_active(1)
    STATE.recording.append(tracer)
    STATE.tracers.append(tracer)
    try:
        result = func(*new_args, **new_kwargs)
    finally:
        STATE.tracers.remove(tracer)
        STATE.recording.remove(tracer)
        count_active(-1)
    out = _template(result, tracer.traces)
    name = getattr(func, "__name__", "f")
    tr = Trace(tracer, inputs, out, name if name.isidentifier() else "f", keep or [])
    tracer._entries.tracer = None  # (no cycle: the trace is freed as soon as it is dropped)
    return tr, result


def _substitute(obj: Any, inputs: list[Tensor]) -> Any:
    """``obj`` with its tensor and array leaves (as :func:`signature` walks them) replaced by
    ``inputs``, in order."""
    it = iter(inputs)

    def go(o: Any) -> Any:
        if isinstance(o, (list, tuple, dict)):
            return _rebuilt(o, go)
        if _is_leaf(o):
            return next(it)
        return o

    return go(obj)


def _rebuilt(o: Any, go: Callable[[Any], Any]) -> Any:
    """A list, tuple (a named one too) or dict like ``o``, with ``go`` applied to its items."""
    cls = type(o)
    if isinstance(o, dict):
        items = {k: go(v) for k, v in o.items()}
        return items if cls is dict else cls(items)
    items = [go(v) for v in o]
    if cls is list or cls is tuple:
        return cls(items)
    if hasattr(o, "_fields"):  # a named tuple
        return cls(*items)
    return cls(items)


def _is_leaf(o: Any) -> bool:
    return (isinstance(o, Tensor) and type(o) is not Variable) or isinstance(
        o, (ndarray, np.generic)
    )


def signature(args: tuple, kwargs: dict) -> tuple[Any, list[Any], list[Any]]:
    """The key of a call for the cache of traces, its tensor and array arguments, and the
    objects the key names by identity (a trace keeps them alive, so that their ids are not
    reused). Tensors and arrays count by shape and dtype; lists, tuples (named ones too) and
    dicts by their items; variables and unhashable objects by identity; other Python values
    by type and value (floats by their text: -0.0 is not 0.0)."""
    leaves: list[Any] = []
    named: list[Any] = []

    def go(o: Any) -> Any:
        cls = type(o)
        if isinstance(o, (list, tuple)):
            return (cls, *[go(v) for v in o])
        if isinstance(o, dict):
            return (cls, *[(k, go(o[k])) for k in o])
        if _is_leaf(o):
            leaves.append(o)
            return (o.shape, o.dtype)
        if cls is float or cls is complex:
            return (cls, repr(o))
        if cls is Variable:
            named.append(o)
            return ("variable", id(o))
        try:
            hash(o)
        except TypeError:
            named.append(o)
            return ("object", id(o))
        return (cls, o)

    return go((args, kwargs)), leaves, named


# --------------------------------------------------------------------------- the trace


class Trace:
    """One traced program: its steps, inputs (ids), result template, variables, and
    (generated on first use) its Python source and function."""

    def __init__(
        self, tracer: Tracer, inputs: list[Tensor], out: Any, name: str, keep: list[Any]
    ) -> None:
        self.variables = tracer._variables
        # (the steps keep the constants; of traced values only what they were, and which
        # version of a variable an op read: a compiled function keeps no array of the call
        # it was traced on alive)
        self.steps: list[Any] = list(tracer._entries)
        self._places = tracer._entries.places
        self.inputs = [t._id for t in inputs]
        self._input_dtypes = [t.dtype for t in inputs]
        self.keep = keep  # objects the signature names by identity (their ids stay theirs)
        self.out = out
        self.name = name
        self.unsupported = tracer.unsupported or (
            "ops ran under np.errstate(...='raise') set inside the function, which a "
            "compiled function would apply while tracing only"
            if tracer._entries.errstate else None
        )
        for step in self.steps:
            if type(step[0]) is Primitive and step[0].fwd is None:
                self.unsupported = self.unsupported or (
                    f"op '{step[0].name}' (a custom gradient or recompute_grad) cannot be "
                    "compiled yet"
                )
        self._names = _user_names(tracer._entries.frames, tracer._watched)
        tracer._entries.frames.clear()
        self.source: str = ""
        self._fn: Callable[..., Any] | None = None
        self._line_steps: dict[int, int] = {}
        self.vjp: Any = None  # the compiled VJP (tape.function's), made on first use

    # ------------------------------------------------------------------ running

    def compiled(self) -> Callable[..., Any]:
        if self._fn is None:
            self.source, namespace, self._line_steps = generate(self)
            filename = f"<tape.function {self.name} {id(self):x}>"
            linecache.cache[filename] = (
                len(self.source), None, self.source.splitlines(True), filename
            )
            code = compile(self.source, filename, "exec")
            exec(code, namespace)
            self._fn = namespace[self.name]
            self._filename = filename
        return self._fn

    def run(self, leaves: list[Any]) -> Any:
        """Run the generated function on the leaves' values; raises :class:`Retrace` (with the
        variables as they were) when a guard fails."""
        outs = self.run_values(leaves)
        return _fill(self.out, {k: wrap(v) for k, v in zip(self._out_ids, outs)})

    def run_values(self, leaves: list[Any]) -> tuple:
        """:meth:`run`, giving the values of the result's traced tensors, in order."""
        fn = self.compiled()
        values = [  # (arrays copied: the caller may change its own afterwards)
            x._value if isinstance(x, Tensor) else scalarize(np.array(x)) for x in leaves
        ]
        saved = [(v, v._value) for v in self.variables.values()]
        try:
            outs = fn(*values)
        except Retrace as exc:
            self._check_retrace(exc.args[0])  # (an update made: it stays, and this raises)
            _restore(saved)
            raise
        except Exception as exc:
            k = self._failed_step(exc)
            if k is not None and not self._updated_before(k):
                _restore(saved)
                raise RunEagerly from exc
            self._locate(exc, k)
            raise
        return outs

    def _updated_before(self, k: int) -> bool:
        """Whether a call that updates state (an optimizer, a metric, ``tape.print``) is made
        before step ``k``: such a call cannot be taken back."""
        return any(
            step is not None and step[0] == "call" and step[4] for step in self.steps[:k]
        )

    def _check_retrace(self, k: int) -> None:
        """A guard at step ``k`` failed: fine to trace again unless an update was made before
        it in this call, which running the function again would make twice."""
        if not self._updated_before(k):
            return
        first = next(j for j, step in enumerate(self.steps) if step[0] == "call" and step[4])
        here, there = self.line(k), self.line(first)
        at = f" at {here[0]}, line {here[1]}" if here else ""
        by = f" (line {there[1]})" if there else ""
        raise RuntimeError(
            f"In the compiled function '{self.name}', a value that steered Python "
            f"({self.steps[k][2]}() of a traced tensor{at}) differs from the traced one, after "
            f"an update{by} had been made in this call: tape cannot trace the call again "
            "without making that update twice. Convert the value outside the function (return "
            "it), show it with tape.print, or compute with tensors (tape.where) instead of "
            "branching on it after the update."
        )

    def _failed_step(self, exc: BaseException) -> int | None:
        """The step whose line of generated code raised ``exc``."""
        tb = exc.__traceback__
        line = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self._filename:
                line = tb.tb_lineno
            tb = tb.tb_next
        return self._line_steps.get(line) if line is not None else None

    def _locate(self, exc: BaseException, k: int | None) -> None:
        """Note on an error raised in generated code the user's line of the op."""
        where = self.line(k) if k is not None else None
        if where is not None:
            text = linecache.getline(*where).strip()
            exc.add_note(
                f"In the compiled function '{self.name}', at {where[0]}, line {where[1]}: "
                f"{text}"
            )

    def fill(self, outs: list[Any]) -> Any:
        """The function's result, with ``outs`` for its traced tensors (in order)."""
        return _fill(self.out, dict(zip(self._out_ids, outs)))

    @property
    def pure(self) -> bool:
        """Whether the program only computes: no assignments or calls (draws, updates), and
        a result of floating tensors, at least one."""
        if any(type(step[0]) is not Primitive and step[0] != "guard" for step in self.steps):
            return False
        outs = [v for v in _leaves(self.out) if type(v) is _Slot]
        kinds = {s.id: s for s in outs}
        return bool(kinds) and all(self._dtype(k).kind in "fc" for k in kinds)

    def _dtype(self, key: int) -> np.dtype:
        """The dtype of the traced value ``key`` (as traced)."""
        if key in self.variables:
            return self.variables[key].dtype
        for step in self.steps:
            if type(step[0]) is Primitive:
                out = step[4]
                if out == key:
                    return step[5].dtype
                if type(out) is tuple and key in out:
                    return step[5][out.index(key)].dtype
        return self._input_dtypes[self.inputs.index(key)]

    def replay(
        self, leaves: list[Any], flat: bool = False, reads: dict[int, Tensor] | None = None
    ) -> Any:
        """Run the steps op by op on tensors (``bind``), so that active tapes, accumulators
        and tracers record them; raises :class:`Retrace` when a guard fails. ``flat``: give
        the result's traced tensors, in order. ``reads``: tensors to use for the variables'
        values (by variable id) instead of reading them."""
        env: dict[int, Any] = dict(zip(self.inputs, leaves))
        for var_id, var in self.variables.items():
            env[var_id] = var if reads is None else reads[var_id]
        current = {key: 0 for key in self.variables}
        old: dict[tuple[int, int], Tensor] = {}  # values of versions since replaced
        saved = [(v, v._value) for v in self.variables.values()]
        try:
            for k, step in enumerate(self.steps):
                head = step[0]
                if type(head) is Primitive:
                    _, ids, vals, static, out_id, _, connected = step
                    args = [
                        self._read(ids[i], vals[i], env, current, old) if i in connected
                        else vals[i] for i in range(len(ids))
                    ]
                    out = bind(head, *args, **static)
                    if type(out_id) is tuple:
                        env.update(zip(out_id, out))
                    else:
                        env[out_id] = out
                elif head == "guard":
                    _, key, kind, observed = step
                    if not _same(_CONVERT[kind](env[key]), observed):
                        self._check_retrace(k)
                        raise Retrace(k)
                elif head == "assign":
                    _, var, key, const, version = step
                    old[var._id, current[var._id]] = var._read()
                    var.assign(env[key] if key else const)
                    current[var._id] = version
                else:
                    _, fn, tmpl, outs, keep, changed = step
                    args, kwargs = _fill(tmpl, env)
                    for var_id, var in self.variables.items():
                        old[var_id, current[var_id]] = var._read()
                    result = call(fn, *args, keep=keep, **kwargs)
                    current.update(changed)
                    tensors = [v for v in _leaves(result) if isinstance(v, Tensor)]
                    env.update(zip(outs, tensors))
        except Retrace:
            _restore(saved)
            raise
        if flat:
            return [env[k] for k in self._out_ids]
        return _fill(self.out, env)

    def _read(
        self, key: int, traced: Any, env: dict[int, Any], current: dict[int, int],
        old: dict[tuple[int, int], Tensor],
    ) -> Any:
        """An op's argument in a replay: the value ``key`` names, or for a variable, the
        version the op read while tracing (``traced`` is that value)."""
        if key not in current:
            return env[key]
        version = traced.version if type(traced) is _Seen else None
        if version is None or version == current[key]:
            return env[key]
        return old[key, version]

    def line(self, k: int) -> tuple[str, int] | None:
        """The file and line of the user's code where step ``k`` was recorded."""
        place = self._places[k]
        if place is None:
            return None
        code, lasti = place
        for start, end, line in code.co_lines():
            if start <= lasti < end and line is not None:
                return code.co_filename, line
        return code.co_filename, code.co_firstlineno

    @property
    def _out_ids(self) -> list[int]:
        return _slots(self.out)


def _restore(saved: list[tuple[Variable, Any]]) -> None:
    for var, value in saved:
        var._value = value
        var._snapshot = None


def _user_names(frames: dict[int, Any], traced: set[int]) -> dict[int, str]:
    """Names the user gave traced values: the local variables of the user's frames that hold
    them when the function returned (a list or tuple of tensors named ``name_0``, ...)."""
    names: dict[int, str] = {}
    for frame in frames.values():
        try:
            local = dict(frame.f_locals)
        except Exception:  # noqa: BLE001 - a frame that cannot show its locals names nothing
            continue
        for name, value in local.items():
            if isinstance(value, Tensor) and type(value) is not Variable:
                if value._id in traced:
                    names.setdefault(value._id, name)
            elif type(value) in (list, tuple) and len(value) <= 16:
                for k, v in enumerate(value):
                    if isinstance(v, Tensor) and type(v) is not Variable and v._id in traced:
                        names.setdefault(v._id, f"{name}_{k}")
    return names


# --------------------------------------------------------------------------- code generation

_INFIX = {
    operator.add: "+", operator.sub: "-", operator.mul: "*", operator.truediv: "/",
    operator.pow: "**", operator.matmul: "@", operator.floordiv: "//", operator.mod: "%",
    np.add: "+", np.subtract: "-", np.multiply: "*", np.true_divide: "/",
}
_PREFIX = {operator.neg: "-", np.negative: "-"}
_SMALL = 1 << 12  # elements: smaller arrays are freed with their names, not explicitly
_RESERVED = {
    "np", "Retrace", "operator", "_a", "_k", "_fill", "_wrap", "_values", "_differs", "_Tensor"
} | set(dir(builtins))


def _literal(v: Any) -> str | None:
    """Python source for a constant that reads back as the same object, or None."""
    cls = type(v)
    if v is None or cls is bool or cls is int or cls is str:
        return repr(v)
    if cls is float:
        return repr(v) if math.isfinite(v) else None
    if cls is slice:
        parts = [_literal(p) for p in (v.start, v.stop, v.step)]
        return None if None in parts else f"slice({', '.join(parts)})"  # type: ignore[arg-type]
    if cls is tuple or cls is list:
        items = [_literal(x) for x in v]
        if None in items:
            return None
        body = ", ".join(items)  # type: ignore[arg-type]
        return f"({body},)" if cls is tuple and len(items) == 1 else (
            f"({body})" if cls is tuple else f"[{body}]"
        )
    return None


def _const_key(v: Any) -> Any:
    """Equal small constants are one constant of the program; others go by identity."""
    if isinstance(v, (ndarray, np.generic)) and v.size <= 16 and v.dtype.kind in "biufc":
        return (type(v), v.dtype.str, v.shape, v.tobytes())
    return ("id", id(v))


def _shown(v: Any) -> str:
    """A constant as the comments of generated code show it."""
    if isinstance(v, (ndarray, np.generic)):
        if v.size <= 6:
            text = " ".join(np.array2string(np.asarray(v), separator=", ").split())
            return f"{text}  ({v.dtype})"
        return f"an array of shape {v.shape} ({v.dtype})"
    text = " ".join(repr(v).split())
    return text if len(text) <= 60 else f"a {type(v).__name__}"


class _Writer:
    """The state of generating one function: names of values, constants, functions."""

    def __init__(self, tr: Trace) -> None:
        self.tr = tr
        self.namespace: dict[str, Any] = {"np": np, "Retrace": Retrace, "_differs": _differs,
                                           "_wrap": wrap, "_fill": _fill, "_values": _values}
        self.names: dict[int, str] = {}
        self.taken: set[str] = set(_RESERVED) | {tr.name}
        self.consts: dict[int, str] = {}
        self.const_notes: list[str] = []
        self.funcs: dict[int, str] = {}
        self.current = {key: 0 for key in tr.variables}  # each variable's version now
        self.versions: dict[tuple[int, int], str] = {}  # the names of versions read
        self.var_names: dict[int, str] = {}  # variables' names, by variable id
        self.lines: list[str] = []
        self.line_steps: dict[int, int] = {}

    def fresh(self, base: str) -> str:
        base = base if base.isidentifier() and not keyword.iskeyword(base) else "v"
        name, k = base, 1
        while name in self.taken:
            name, k = f"{base}_{k}", k + 1
        self.taken.add(name)
        return name

    def define(self, key: int) -> str:
        name = self.fresh(self.tr._names.get(key) or f"v{len(self.names) + 1}")
        self.names[key] = name
        return name

    def const(self, v: Any) -> str:
        lit = _literal(v)
        if lit is not None:
            return lit
        key = _const_key(v)
        name = self.consts.get(key)
        if name is None:
            name = self.consts[key] = self.fresh(f"c{len(self.consts) + 1}")
            self.namespace[name] = v
            self.const_notes.append(f"#   {name} = {_shown(v)}")
        return name

    def func(self, prim: Primitive) -> str:
        fwd = prim.fwd
        name = self.funcs.get(id(fwd))
        if name is None:
            base = getattr(fwd, "__name__", prim.name)
            if not base.isidentifier() or base == "<lambda>" or base.startswith("_"):
                base = prim.name if prim.name.isidentifier() else "op"
            if base in _RESERVED:  # sum, abs, round...: not Python's
                base = f"{base}_"
            name = self.funcs[id(fwd)] = self.fresh(base)
            self.namespace[name] = fwd
        return name

    def value(self, key: int, traced: Any = None) -> str:
        """The name holding the traced value ``key``; for a variable, the version that
        ``traced`` (the value an op saw while tracing) is, or the current one, read when
        first needed."""
        var = self.tr.variables.get(key)
        if var is None:
            return self.names[key]
        version = traced.version if type(traced) is _Seen else None
        if version is None:
            version = self.current[key]
        name = self.versions.get((key, version))
        if name is None:
            if version != self.current[key]:
                raise RuntimeError(f"a value of variable '{var.name}' was not read in time")
            vname = self.var_name(var)
            name = self.versions[key, version] = self.fresh(f"{vname}_value")
            self.emit(f"{name} = {vname}._value", None)
        return name

    def read_now(self, needed: set[tuple[int, int]]) -> None:
        """Read the current values of variables that steps after an update still need."""
        for key, version in self.current.items():
            if (key, version) in needed and (key, version) not in self.versions:
                self.value(key)

    def var_name(self, var: Variable) -> str:
        """The global name of a variable in the generated code."""
        name = self.var_names.get(var._id)
        if name is None:
            base = var._name.split("/")[-1].replace(":", "_") or "variable"
            name = self.var_names[var._id] = self.fresh(
                base if base.isidentifier() else "variable"
            )
            self.namespace[name] = var
        return name

    def emit(self, text: str, step: int | None) -> None:
        self.lines.append("    " + text)
        if step is not None:
            self.line_steps[len(self.lines)] = step


def _simplify(tr: Trace) -> tuple[list[Any], dict[int, int]]:
    """The steps with common subexpressions removed: an op applied again to the same values
    with the same static arguments is the first application's value (ops are pure; reads of
    variables, which assignments change, are left alone). Returns the steps (None for a
    removed one) and the ids renamed to the ids of equal values."""
    rename: dict[int, int] = {}
    seen: dict[Any, Any] = {}
    steps: list[Any] = []
    variables = tr.variables
    for step in tr.steps:
        if type(step[0]) is not Primitive:
            steps.append(step)
            continue
        prim, ids, vals, static, out_id, ans, connected = step
        if rename:
            ids = tuple([rename.get(i, i) for i in ids])
            step = (prim, ids, vals, static, out_id, ans, connected)
        same = _times_one(prim, vals, out_id, ans, connected)
        if same is not None:  # x * 1 is x, bit for bit
            rename[out_id] = ids[same]
            steps.append(None)
            continue
        key = None
        if not static or all(_literal(v) is not None for v in static.values()):
            parts = []
            for i in range(len(ids)):
                if i in connected:
                    if ids[i] in variables:
                        break
                    parts.append(ids[i])
                else:
                    v = vals[i]
                    cls = type(v)
                    parts.append(
                        (cls, v) if cls is int or cls is bool
                        else (cls, repr(v)) if cls is float or _literal(v) is not None
                        else _const_key(v)
                    )
            else:
                key = (prim, tuple(parts), repr(static) if static else None)
        first = seen.get(key) if key is not None else None
        if first is not None:
            if type(out_id) is tuple:
                rename.update(zip(out_id, first))
            else:
                rename[out_id] = first
            steps.append(None)
            continue
        if key is not None:
            seen[key] = out_id
        steps.append(step)
    return steps, rename


def _times_one(
    prim: Primitive, vals: Any, out_id: Any, ans: Any, connected: tuple[int, ...]
) -> int | None:
    """For ``x * 1`` (a traced ``x`` times a constant of ones, the seed of a sweep) with the
    result of ``x``'s type, shape and dtype: the position of ``x``."""
    if len(connected) != 1 or prim.fwd not in _MULTIPLY or len(vals) != 2:
        return None
    i = connected[0]
    x, one = vals[i], vals[1 - i]
    cls = type(one)
    if cls is float or cls is int:
        if one != 1:
            return None
    elif cls is ndarray or isinstance(one, np.generic):
        if one.size > 16 or one.dtype.kind not in "biuf" or not (one == 1).all():
            return None
    else:
        return None
    if type(out_id) is tuple or _cls(ans) is not _cls(x):
        return None
    if ans.shape != x.shape or ans.dtype != x.dtype:
        return None
    return i


_MULTIPLY = (operator.mul, np.multiply)


def _reads(step: Any, rename: dict[int, int]) -> list[int]:
    """The traced ids a step reads."""
    head = step[0]
    if type(head) is Primitive:
        ids = step[1]
        return [ids[i] for i in step[6]]
    if head == "guard":
        return [rename.get(step[1], step[1])]
    if head == "assign":
        return [rename.get(step[2], step[2])] if step[2] else []
    return [rename.get(k, k) for k in _slots(step[2])]


def _live(steps: list[Any], outs: list[int]) -> list[bool]:
    """Which steps the result needs: dead-code elimination from the outputs, guards,
    assignments and kept calls backwards."""
    need = set(outs)
    live = [False] * len(steps)
    for k in range(len(steps) - 1, -1, -1):
        step = steps[k]
        if step is None:
            continue
        head = step[0]
        if type(head) is Primitive:
            out = step[4]
            if type(out) is tuple:
                if not any(o in need for o in out):
                    continue
            elif out not in need:
                continue
            ids = step[1]
            for i in step[6]:
                need.add(ids[i])
        elif head == "call" and not step[4] and not any(o in need for o in step[3]):
            continue
        else:
            need.update(_reads(step, {}))
        live[k] = True
    return live


def generate(tr: Trace) -> tuple[str, dict[str, Any], dict[int, int]]:
    """The Python source of the traced program, the namespace it runs in, and which step each
    line of it comes from."""
    w = _Writer(tr)
    params = [w.define(k) for k in tr.inputs]
    steps, rename = _simplify(tr)
    outs = [rename.get(k, k) for k in _slots(tr.out)]
    steps = [
        step if step is None or type(step[0]) is Primitive else _renamed(step, rename)
        for step in steps
    ]
    live = _live(steps, outs)
    # where each value is last read: large ones are freed there
    keep = set(outs)
    dies: dict[int, list[int]] = {}
    last: dict[int, int] = {}
    for k, step in enumerate(steps):
        if live[k]:
            for key in _reads(step, {}):
                last[key] = k
    for key, at in last.items():
        if key not in keep:
            dies.setdefault(at, []).append(key)
    needed = {  # the versions of variables that ops read
        (step[1][i], step[2][i].version)
        for k, step in enumerate(steps) if live[k] and type(step[0]) is Primitive
        for i in step[6] if step[1][i] in tr.variables
    }
    sizes: dict[int, int] = {}
    emit, value, const, define = w.emit, w.value, w.const, w.define
    inline = _inlined(tr, steps, live, outs)
    exprs: dict[int, tuple[str, int]] = {}  # the expressions of values written inline
    later: list[int] = []  # values to free once those expressions have run

    def operand(i: int, ids: tuple, vals: Any, ans: Any, connected: tuple, small: bool):
        """An op's argument as source, with its precedence."""
        if i in connected:
            key = ids[i]
            if key in exprs:
                return exprs.pop(key)
            return value(key, vals[i]), _ATOM
        text = const(_shrunk(vals[i], ans, vals, connected) if small else vals[i])
        return text, (_UNARY if text.startswith("-") else _ATOM)

    for k, step in enumerate(steps):
        if not live[k]:
            continue
        head = step[0]
        if type(head) is Primitive:
            _, ids, vals, static, out_id, ans, connected = step
            small = head.elementwise and type(out_id) is not tuple
            args = [operand(i, ids, vals, ans, connected, small) for i in range(len(ids))]
            fwd = head.fwd
            if static:
                texts = [t for t, _ in args] + [f"{n}={const(v)}" for n, v in static.items()]
                expr, prec = f"{w.func(head)}({', '.join(texts)})", _ATOM
            elif len(args) == 2 and fwd in _INFIX:
                op = _INFIX[fwd]
                prec = _PRECEDENCE[op]
                left = _paren(args[0], prec + (op == "**"))
                right = _paren(args[1], prec + (op != "**") - 2 * (op == "**"))
                expr = f"{left} {op} {right}"
            elif len(args) == 1 and fwd in _PREFIX:
                expr, prec = f"{_PREFIX[fwd]}{_paren(args[0], _UNARY)}", _UNARY
            else:
                expr = f"{w.func(head)}({', '.join(t for t, _ in args)})"
                prec = _ATOM
            if out_id in inline:  # used once, just after: written into its user's line
                exprs[out_id] = (expr, prec)
                later.extend(dies.get(k, ()))  # freed once the expression has run
                sizes[out_id] = getattr(ans, "size", 1)
                continue
            if type(out_id) is tuple:
                targets = [define(o) for o in out_id]
                emit(f"{', '.join(targets)}{',' if len(targets) == 1 else ''} = {expr}", k)
                for o, a in zip(out_id, ans):
                    sizes[o] = getattr(a, "size", 1)
            else:
                emit(f"{define(out_id)} = {expr}", k)
                sizes[out_id] = getattr(ans, "size", 1)
        elif head == "guard":
            _, key, kind, observed = step
            v = value(key)
            if kind == "bool":
                test = f"bool({v}) is not {observed!r}"
            elif kind == "int" and type(observed) is int:
                test = f"int({v}) != {observed!r}"
            else:
                convert = w.fresh(f"_{kind}")
                w.namespace[convert] = _CONVERT[kind]
                test = f"_differs({convert}({v}), {const(observed)})"
            emit(f"if {test}:", k)
            emit(f"    raise Retrace({k})  # the traced program does not hold: trace again", k)
        elif head == "assign":
            _, var, key, c, version = step
            source = value(key) if key else const(c)
            w.read_now(needed)
            emit(f"{w.var_name(var)}.assign({source})", k)
            w.current[var._id] = version
        else:
            _, fn, tmpl, outs_of_call, _, changed = step
            w.read_now(needed)
            fname = w.fresh(getattr(fn, "__name__", "call").lstrip("_") or "call")
            w.namespace[fname] = fn
            tname = w.fresh("args")
            w.namespace[tname] = tmpl
            env = ", ".join(f"{s}: _wrap({value(s)})" for s in _slots(tmpl))
            emit(f"_a, _k = _fill({tname}, {{{env}}})", k)
            if outs_of_call:
                targets = [define(o) for o in outs_of_call]
                emit(f"{', '.join(targets)}, = _values({fname}(*_a, **_k))", k)
            else:
                emit(f"{fname}(*_a, **_k)", k)
            w.current.update(changed)  # the variables the call assigned
        gone = list(dies.get(k, ()))
        if not exprs:  # every expression written inline has run
            gone += later
            later.clear()
        else:
            later.extend(gone)
            gone = []
        dead = [key for key in gone if key in w.names and sizes.get(key, 0) > _SMALL]
        if dead:  # large intermediates are freed at their last use (small ones cost more)
            emit("del " + ", ".join(w.names[key] for key in dead), None)
    ret = ", ".join(value(key) for key in outs) + ("," if len(outs) == 1 else "")
    head_lines = [f"def {tr.name}({', '.join(params)}):"]
    if w.const_notes:
        head_lines.append("    # constants:")
        head_lines += ["    " + note for note in w.const_notes]
    offset = len(head_lines)
    source = "\n".join(head_lines + w.lines + [f"    return ({ret})"]) + "\n"
    line_steps = {n + offset: k for n, k in w.line_steps.items()}
    return source, w.namespace, line_steps


_ATOM, _UNARY = 100, 13
_PRECEDENCE = {"**": 14, "*": 12, "/": 12, "//": 12, "%": 12, "@": 12, "+": 11, "-": 11}


def _paren(arg: tuple[str, int], least: int) -> str:
    """An operand's source, in parentheses if its precedence is below ``least``."""
    text, prec = arg
    return f"({text})" if prec < least else text


def _inlined(tr: Trace, steps: list[Any], live: list[bool], outs: list[int]) -> set[int]:
    """The values to write into the expression of the op that uses them: made by an op,
    used once, by an op with no guard, assignment or call in between, unnamed by the user, not
    a result, and small (a large one gets its line, and is freed after its last use: the
    temporaries of a nested expression would live together)."""
    uses: dict[int, int] = {}
    for k, step in enumerate(steps):
        if live[k]:
            for key in _reads(step, {}):
                uses[key] = uses.get(key, 0) + 1
    inline = set()
    pending: set[int] = set()  # values that could be written into a later op's expression
    for k, step in enumerate(steps):
        if not live[k]:
            continue
        if type(step[0]) is not Primitive:  # a guard, assignment or call: nothing crosses it
            pending.clear()
            continue
        for i in step[6]:
            key = step[1][i]
            if key in pending:
                inline.add(key)
                pending.discard(key)
        out = step[4]
        if type(out) is not tuple and uses.get(out) == 1 and out not in tr._names and (
            out not in outs and step[5].size <= _SMALL  # (large ones: a line, then freed)
        ):
            pending.add(out)
    return inline


def _renamed(step: Any, rename: dict[int, int]) -> Any:
    """An event with the ids it reads renamed."""
    if not rename:
        return step
    head = step[0]
    if head == "guard":
        return (head, rename.get(step[1], step[1]), *step[2:])
    if head == "assign":
        return (head, step[1], rename.get(step[2], step[2]), *step[3:])
    return (head, step[1], _rename_slots(step[2], rename), *step[3:])


def _rename_slots(tmpl: Any, rename: dict[int, int]) -> Any:
    cls = type(tmpl)
    if cls is list or cls is tuple:
        return cls(_rename_slots(v, rename) for v in tmpl)
    if cls is dict:
        return {k: _rename_slots(v, rename) for k, v in tmpl.items()}
    if cls is _Slot and tmpl.id in rename:
        return _Slot(rename[tmpl.id])
    return tmpl


def _shrunk(c: Any, ans: Any, vals: Any, connected: tuple[int, ...]) -> Any:
    """A large constant operand of an elementwise op whose elements are all equal (a sweep's
    seed of ones times a number), as a 0-d array of its dtype when a traced operand already
    has the result's shape: the same products, without keeping a large array."""
    if type(c) is not ndarray or c.size <= 16 or c.dtype.kind not in "biufc":
        return c
    if not any(np.shape(vals[i]) == np.shape(ans) for i in connected):
        return c
    first = c.reshape(-1)[:1]
    if not np.array_equal(c, np.broadcast_to(first.reshape(()), c.shape)):
        return c
    return first.reshape(())


def _values(result: Any) -> list[Any]:
    """The values of the tensors in a call's result, in order."""
    return [t._value for t in _leaves(result) if isinstance(t, Tensor)]
