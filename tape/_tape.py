"""GradientTape: the TensorFlow API of reverse mode.

A tape watches tensors and variables; while it is in its context, every op on something it
watches is appended to its Wengert list (``tape._record``), and :meth:`GradientTape.gradient`
runs the reverse sweep over that list (``tape._sweep``).
"""

from __future__ import annotations

import enum
import functools
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy import ndarray

from . import _show
from ._batch import Basis, Unbatchable, run_batched
from ._checks import end_warnings_at_caller, warnings_at_caller
from ._record import Entry, ensure_id
from ._sparse import IndexedSlices, densify
from ._structure import flatten, pack_as
from ._sweep import _zeros, backward
from ._tensor import (
    STATE,
    Grad,
    Tensor,
    Value,
    Variable,
    count_active,
    next_id,
    scalarize,
    to_value,
    wrap,
)
from ._trace import trace
from .ops.shape import concat, one_hot, reshape, stack, transpose

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

    _traces = False  # (a tracer of tape.function says True)

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._persistent = bool(persistent)
        self._watch_accessed = bool(watch_accessed_variables)
        self._entries: list[tuple[Any, ...]] | None = []  # Entry layouts, as plain tuples
        self._watched: set[int] = set()
        self._variables: dict[int, Variable] = {}
        self._in_context = False
        self._warned_inside = False
        self._last_seeds: dict[int, Value] | None = None  # of the last gradient(), for table()
        self._where: dict[int, str] = {}  # under detect_anomaly: where each op was recorded
        self._seq = 0
        self._errstate: Any = None

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
        self._errstate = warnings_at_caller()  # NumPy's warnings name the user's line
        return self

    def __exit__(self, *exc: object) -> None:
        if self._in_context:
            self._in_context = False
            count_active(-1)
        self._pop()
        end_warnings_at_caller(self._errstate)
        self._errstate = None

    def _release(self) -> None:
        """A non-persistent tape used up by its one gradient or Jacobian: its entries go."""
        self._entries = None
        self._watched, self._where = set(), {}

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

    def __iter__(self) -> Iterator[_show.TapeEntry]:
        return iter(_show.entries(self))

    def _producer(self, key: int) -> str | None:
        """The name of the recorded op whose output has the id ``key`` (None if none)."""
        for entry in map(Entry._make, reversed(self._entries or ())):
            out = entry.out_id
            if out == key or (type(out) is tuple and key in out):
                return entry.prim.name
        return None

    def __repr__(self) -> str:
        state = "recording" if self._recording else "not recording"
        kind = "persistent" if self._persistent else "non-persistent"
        if self._entries is None:
            return f"<GradientTape {kind}, released after gradient()>"
        n = len(self)
        return f"<GradientTape {kind}, {state}, {n} {'entry' if n == 1 else 'entries'}>"

    def __str__(self) -> str:
        return self.table()

    def _repr_html_(self) -> str:
        """Jupyter's rich display: the Wengert list as an HTML table (the rows of
        :meth:`table`), and the graph as inline SVG when the ``graphviz`` package and Graphviz's
        ``dot`` program are installed (without them, the table alone).

        >>> import tape
        >>> x = tape.constant(2.0)
        >>> with tape.GradientTape() as t:
        ...     t.watch(x)
        ...     y = x * x
        >>> "<table>" in t._repr_html_()
        True
        """
        return _show.tape_html(self)

    def table(
        self, names: dict[str, Tensor | Variable] | None = None, precision: int = 7
    ) -> str:
        """The Wengert list as a table: one row per value (inputs first, then each recorded
        op's output) with its op, inputs, value, local derivatives (for scalar ops) and, after
        ``gradient()`` on a persistent tape, its adjoint. ``names`` maps labels to tensors.
        A value used in several argument positions of one op (``x * x``) has one local
        derivative per position, ``(arg 1)``, ``(arg 2)``, and their sum: the chain rule adds
        the contributions of every path.

        >>> import numpy as np, tape
        >>> x = tape.constant(np.float64(2.0))
        >>> with tape.GradientTape(persistent=True) as t:
        ...     t.watch(x)
        ...     f = x * x + x
        >>> _ = t.gradient(f, x)
        >>> print(t.table(names={"x": x, "f": f}))
        value  op        inputs  result  shape  dtype    local derivatives                   adjoint
        -----  --------  ------  ------  -----  -------  ----------------------------------  -------
        x      input             2       ()     float64                                      5
        v1     multiply  x, x    4       ()     float64  dv1/dx = 2 (arg 1) + 2 (arg 2) = 4  1
        f      add       v1, x   6       ()     float64  df/dv1 = 1, df/dx = 1               1
        """
        return _show.table(self, names, precision)

    def to_dot(self, names: dict[str, Tensor | Variable] | None = None) -> str:
        """The recorded graph as Graphviz DOT text: values as ellipses, ops as boxes."""
        return _show.to_dot(self, names)

    def render(self, path: str, names: dict[str, Tensor | Variable] | None = None) -> str:
        """Draw the recorded graph to ``path`` (.svg or .png); needs the ``graphviz`` package."""
        return _show.render(self.to_dot(names), path)

    def _adjoints(self) -> dict[int, Grad | IndexedSlices]:
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
            if s._value.dtype.kind in "fc":
                want.add(ensure_id(s))
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
                    self._release()

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
        target: object,
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
        rows = None
        if experimental_use_pfor and target.size > 1:
            rows = self._rows_at_once(target, flat_sources, unconnected_gradients,
                                      parallel_iterations)
        if rows is None:
            rows = self._rows(target, flat_sources, _one_hots(target.size, target.dtype),
                              unconnected_gradients)
        jac = [
            None if r is None else reshape(r, target.shape + s.shape)
            for r, s in zip(rows, flat_sources)
        ]
        return pack_as(sources, jac)

    def batch_jacobian(
        self,
        target: object,
        source: object,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
        parallel_iterations: int | None = None,
        experimental_use_pfor: bool = True,
    ) -> Tensor | None:
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
        (source,) = self._check_sources([source], experimental_use_pfor, "batch_jacobian")
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

        def seeds(start: int, count: int) -> np.ndarray:
            """Per inner element, a cotangent of that element in every example at once."""
            eye = np.eye(inner, dtype=target.dtype)[start:start + count, None, :]
            return np.broadcast_to(eye, (count, batch, inner)).reshape((count, *target.shape))

        found = None
        if experimental_use_pfor and inner > 1:
            found = self._rows_at_once(target, [src], unconnected_gradients,
                                       parallel_iterations, seeds, inner)
        if found is None:
            found = self._rows(target, [src], seeds(0, inner), unconnected_gradients)
        (rows,) = found
        if rows is None:  # as TensorFlow: zeros, whatever unconnected_gradients says
            return wrap(np.zeros(target.shape + src.shape[1:], dtype=target.dtype))
        rows = transpose(reshape(rows, (inner, batch, -1)), (1, 0, 2))
        return reshape(rows, target.shape + src.shape[1:])

    def _check_sources(
        self, sources: Any, use_pfor: bool = True, what: str = "jacobian"
    ) -> list[Tensor | Variable]:
        """The flat sources, checked: tensors or variables (given ids), on a tape not used up."""
        if self._entries is None:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients (or jacobians). Create it with GradientTape(persistent=True) to "
                "compute gradients more than once."
            )
        if not use_pfor and not self._persistent:
            raise RuntimeError(
                "GradientTape must be created with persistent=True to compute the "
                + _NO_PFOR[what] + " "
                "(Drop experimental_use_pfor=False to compute all rows in one batched "
                "sweep, or create the tape with persistent=True.)"
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

    def _rows_at_once(
        self, target: Tensor, sources: list[Tensor | Variable], unconnected: Any,
        chunk: int | None = None, seeds: Callable[[int, int], Any] | None = None,
        n: int | None = None,
    ) -> list[Tensor | None] | None:
        """The rows of a Jacobian in one reverse sweep on a batch of cotangents: the sweep is
        traced as a function of one cotangent, then run on all of them by the ops' batching
        rules (``tape._batch``), ``chunk`` rows at a time (``parallel_iterations``: memory
        grows with it, not with the number of rows). The cotangents are the identity's
        ``target.size`` rows, or ``n`` rows given by ``seeds(start, count)`` (with the
        target's shape after the batch axis). A sweep that a tape, accumulator or tracer
        records runs as one recorded op (:meth:`_recorded_rows`). None when it cannot run
        batched (anomaly detection, IndexedSlices, a program that is not linear code of its
        cotangent): the caller sweeps row by row."""
        if STATE.anomaly:
            return None
        if _taping(self._entries or [], {target._id: None}):
            if not VMAP:
                return None
            return self._recorded_rows(target, sources, unconnected, chunk, seeds, n)
        want = {s._id for s in sources if _is_float(s.dtype)}
        entries, where = self._entries, self._where

        def row(u: Tensor) -> list:
            with np.errstate(all="ignore"):
                found = backward(entries, {target._id: u}, want, False, False, where)
            return [found.get(s._id) for s in sources]

        if seeds is None:
            n = target.size
            seeds = functools.partial(_identity_rows, target)
        first = seeds(0, 1)
        first = wrap(scalarize((first.dense() if type(first) is Basis else first)[0].copy()))
        try:
            tr, example = trace(row, (first,), {}, [first], locate=False)
            if tr.unsupported or any(type(g) is IndexedSlices for g in example):
                return None
            step = _rows_per_chunk(chunk, n)
            values: list = []
            with np.errstate(all="ignore"):
                for start in range(0, n, step):
                    count = min(step, n - start)
                    part = run_batched(tr, [seeds(start, count)], [True], count)
                    if count == n:  # one chunk: its arrays (copies of views and of
                        # values the same for every row)
                        values = [v if b and getattr(v, "base", 0) is None
                                  else np.array(np.broadcast_to(v, (n, *np.shape(v)[b:])))
                                  for v, b in part]
                        break
                    if not values:  # the rows of every result, filled chunk by chunk
                        values = [np.empty((n, *np.shape(v)[b:]), dtype=np.result_type(v))
                                  for v, b in part]
                    for whole, (v, _) in zip(values, part):
                        whole[start:start + count] = v
        except Unbatchable:
            return None
        full = iter(values)
        zero = _unconnected(unconnected) is UnconnectedGradients.ZERO
        out: list[Tensor | None] = []
        for s, g in zip(sources, example):
            if not _is_float(s.dtype) or (g is None and not zero):
                out.append(None)
            elif g is None:
                out.append(wrap(np.zeros((n, *s.shape), dtype=s.dtype)))
            elif isinstance(g, Tensor) and any(g._id == k for k in tr._out_ids):
                out.append(wrap(next(full)))
            else:  # the same for every row (a constant of the sweep)
                out.append(wrap(np.broadcast_to(g._value, (n, *s.shape)).copy()))
        if not self._persistent:
            self._release()
        return [None if r is None else reshape(r, (n, *s.shape)) for r, s in zip(out, sources)]

    def _recorded_rows(
        self, target: Tensor, sources: list[Tensor | Variable], unconnected: Any,
        chunk: int | None, seeds: Callable[[int, int], Any] | None, n: int | None,
    ) -> list[Tensor | None]:
        """The rows of a Jacobian whose sweep a tape, accumulator or ``tape.function``'s
        tracer records: the sweep of one cotangent, mapped over all of them by ``vmap``,
        which they record as one op (whose own gradient is a batched sweep in turn), or
        sweeps row by row where the sweep cannot run on a batch."""
        want = {s._id for s in sources if _is_float(s.dtype)}
        entries, where = self._entries, self._where
        if self._recording and not self._persistent:
            self._pop()
        reached: list[set[int]] = []

        def row(u: Tensor) -> list:
            if seeds is None:  # the number of an identity's row: the row (kept sparse)
                u = reshape(one_hot(u, n, dtype=target.dtype), target.shape)
            with np.errstate(all="ignore"):
                found = backward(entries, {target._id: u}, want, False, False, where)
            reached.append({k for k in want if found.get(k) is not None})
            return [densify(found[s._id]) if s._id in found else _zeros(s, raw=False)
                    for s in sources]

        if seeds is None:
            n = target.size
            numbers = np.arange(n)
        step = _rows_per_chunk(chunk, n)
        parts = [VMAP[0](row)(wrap(numbers[start:start + step] if seeds is None
                                   else seeds(start, min(step, n - start))))
                 for start in range(0, n, step)]
        if not self._persistent:
            self._release()
        zero = _unconnected(unconnected) is UnconnectedGradients.ZERO
        out: list[Tensor | None] = []
        for k, s in enumerate(sources):
            if not _is_float(s.dtype) or (s._id not in reached[0] and not zero):
                out.append(None)
                continue
            rows = [p[k] for p in parts]
            out.append(rows[0] if len(rows) == 1 else concat(rows, axis=0))
        return out

    def _rows(
        self,
        target: Tensor,
        sources: list[Tensor | Variable],
        seeds: Iterable[Value],
        unconnected: UnconnectedGradients | str,
    ) -> list[Tensor | None]:
        """Reverse sweeps with each seed in turn (``seeds`` rows, reshaped to the target's
        shape); per source, the stacked cotangents (a tensor, differentiable when an outer
        tape records) or None when never connected."""
        zero = _unconnected(unconnected) is UnconnectedGradients.ZERO
        if self._recording and not self._persistent:
            self._pop()
        want = {s._id for s in sources if _is_float(s.dtype)}
        raw = not _taping(self._entries, {target._id: None})
        stacked: list[list[Any]] = [[] for _ in sources]
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
            self._release()
        out: list[Tensor | None] = []
        for k, s in enumerate(sources):
            if not _is_float(s.dtype) or not (connected[k] or zero):
                out.append(None)
            elif stacked[k]:
                out.append(stack(stacked[k]))
            else:
                out.append(wrap(np.zeros((0,) + s.shape, dtype=s.dtype)))
        return out

    def _seeds(self, targets: list[Tensor], output_gradients: Any, raw: bool) -> dict[int, Any]:
        """The cotangent to start the sweep from, per target id: ones, or the given
        ``output_gradients`` (checked); summed for a target given twice."""
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
                if og.dtype.kind == "c" and t.dtype.kind != "c":
                    raise ValueError(
                        f"output_gradients is complex ({og.dtype}) but its target is real "
                        f"({t.dtype}): a real target's cotangent is real. Pass its real part "
                        "(tape.math.real), or make the target complex (tape.cast)."
                    )
                g = og._value if raw else (og._read() if isinstance(og, Variable) else og)
            prev = seeds.get(t._id)
            seeds[t._id] = g if prev is None else prev + g
        return seeds


# TensorFlow's texts, spacing and all
_NO_PFOR = {
    "jacobian": "jacobian with eager execution enabled and with  experimental_use_pfor set to "
    "False.",
    "batch_jacobian": "batch_jacobian with eager execution enabled and  with "
    "experimental_use_pfor set to False.",
}


def _own(g: Value, seeds: list[Any]) -> Value:
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


def _taping(entries: list[tuple[Any, ...]], seeds: dict[int, Grad | None]) -> bool:
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
    for entry in map(Entry._make, entries):
        out_id = entry.out_id
        keys = entry.ids + (out_id if type(out_id) is tuple else (out_id,))
        for w in scopes:
            for key in keys:
                if key in w:
                    return True
    return False


#: ``tape.vmap``, put here by :mod:`tape.functional` (which builds on this module): a Jacobian
#: whose sweep is recorded maps the sweep of one row over all of them with it.
VMAP: list[Callable[..., Any]] = []


def _rows_per_chunk(chunk: int | None, n: int) -> int:
    """The rows a Jacobian's batched sweep takes at a time (``parallel_iterations``; all of
    them when it is None or not positive)."""
    return n if not chunk or chunk <= 0 else min(int(chunk), n)


def _identity_rows(target: Tensor, start: int, count: int) -> Basis:
    """Rows ``start .. start + count`` of the identity over the target's elements."""
    return Basis(np.ones(count, dtype=target.dtype), start, target.shape)


def _unconnected(value: object) -> UnconnectedGradients:
    """``unconnected_gradients`` as the enum, with a clear error for an unknown value."""
    if type(value) is UnconnectedGradients:
        return value
    try:
        return UnconnectedGradients(value)
    except ValueError:
        raise ValueError(
            f"Unknown value for unconnected_gradients: {value!r}. "
            "Use 'none' or 'zero' (tape.UnconnectedGradients.NONE or .ZERO)."
        ) from None


def _as_differentiable(t: object, what: str) -> Tensor:
    """A target as a tensor with an id (a variable's current value); the error for anything
    else names ``what`` it is."""
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
