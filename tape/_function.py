"""``tape.function`` and ``tape.TensorSpec``, and TensorFlow's eager control flow and utilities:
``cond``, ``while_loop``, ``print``, ``device``.

``tape.function`` compiles as TensorFlow's ``tf.function`` does: the first call with a new
input signature (shapes and dtypes of tensors, values of Python arguments, identities of
variables and objects) runs the Python function once under a tracer (``tape._trace``), which
records every op on a value computed from the inputs and the variables read; later calls with
that signature run a Python function generated from the recording, of plain NumPy calls.
Python side effects (``print``, appending to a list) happen only while tracing; ``tape.print``,
random draws and optimizer updates happen on every call. Wherever a traced value steered
Python (``if x > 0``, ``int(n)``, ``x.numpy()``), the generated code checks the value again
and traces anew when it differs.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ._custom import _record_custom
from ._structure import flatten
from ._tape import GradientTape
from ._tensor import (
    ACTIVE,
    STATE,
    Tensor,
    Variable,
    as_dtype,
    float32,
    scalarize,
    value_of,
    wrap,
)
from ._trace import Retrace, RunEagerly, Trace, call, signature, trace
from .ops.shape import identity

_print = builtins.print


# --------------------------------------------------------------------------- TensorSpec


def _dim(n: Any) -> int | None:
    if n is None:
        return None
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"A TensorSpec dimension must be an int or None, got {n!r}.")
    if n < 0:
        raise ValueError(f"A TensorSpec dimension must be non-negative or None, got {n}.")
    return int(n)


def _shape_str(shape: tuple | None) -> str:
    if shape is None:
        return "<unknown>"
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


class TensorSpec:
    """The shape and dtype of a tensor, as an ``input_signature`` entry of ``tape.function``.

    ``shape`` may hold ``None`` for a dimension of any size, or be ``None`` for any rank.

    >>> import tape
    >>> spec = tape.TensorSpec(shape=[None, 2], dtype=tape.float32)
    >>> spec
    TensorSpec(shape=(None, 2), dtype=tape.float32, name=None)
    >>> spec.is_compatible_with(tape.zeros((5, 2)))
    True
    """

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape: Any, dtype: Any = float32, name: str | None = None) -> None:
        if shape is not None:
            shape = (shape,) if isinstance(shape, (int, np.integer)) else shape
            shape = tuple(_dim(n) for n in shape)
        self._shape: tuple | None = shape
        self._dtype = as_dtype(dtype)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"A TensorSpec name must be a string or None, got {name!r}.")
        self._name = name

    @classmethod
    def from_tensor(cls, tensor: Any, name: str | None = None) -> TensorSpec:
        """The spec of ``tensor``: its shape and dtype."""
        v = _value_of(tensor)
        return cls(np.shape(v), np.asarray(v).dtype, name)

    @property
    def shape(self) -> tuple | None:
        """The shape, a tuple with ``None`` for unknown dimensions (``None``: unknown rank)."""
        return self._shape

    @property
    def dtype(self) -> np.dtype:
        """The dtype."""
        return self._dtype

    @property
    def name(self) -> str | None:
        """The name, or None."""
        return self._name

    def _shape_ok(self, shape: tuple | None) -> bool:
        if self._shape is None or shape is None:
            return True
        return len(shape) == len(self._shape) and all(
            a is None or b is None or a == b for a, b in zip(self._shape, shape)
        )

    def is_compatible_with(self, spec_or_value: Any) -> bool:
        """Whether a tensor (or value, or spec) has this dtype and a shape this one allows."""
        other = spec_or_value
        if not isinstance(other, TensorSpec):
            if isinstance(other, (Tensor, Variable, np.ndarray, np.generic)):
                other = TensorSpec.from_tensor(other)
            else:
                return False
        return self._dtype == other._dtype and self._shape_ok(other._shape)

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and self._shape == other._shape  # type: ignore[attr-defined]
            and self._dtype == other._dtype  # type: ignore[attr-defined]
            and self._name == other._name  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((self._shape, self._dtype, self._name))

    def __repr__(self) -> str:
        name = "None" if self._name is None else repr(self._name)
        return (
            f"TensorSpec(shape={_shape_str(self._shape)}, dtype=tape.{self._dtype.name}, "
            f"name={name})"
        )


def _value_of(x: Any) -> Any:
    if isinstance(x, (Tensor, Variable)):
        return x._value
    return np.asarray(x)


# --------------------------------------------------------------------------- function

_IGNORED_OPTIONS = (
    "experimental_implements",
    "experimental_autograph_options",
    "experimental_attributes",
    "experimental_relax_shapes",
    "experimental_compile",
    "experimental_follow_type_hints",
)


#: Traces of one input signature after which a function whose guards keep failing runs
#: eagerly (TensorFlow warns after this many retracings).
RETRACE_LIMIT = 5
#: Input signatures a function keeps the traces of (the least recently used are dropped).
CACHE_SIZE = 64


class Function:
    """What ``tape.function`` returns: a function compiled per input signature (see
    ``tape.function``)."""

    def __init__(
        self,
        func: Callable[..., Any],
        input_signature: Any,
        options: dict[str, Any],
    ) -> None:
        if not callable(func):
            raise TypeError(f"tape.function needs a callable, got {func!r}.")
        self._func = func
        self._signature = _check_signature(input_signature)
        self._options = options
        self._instance: Any = None
        self._cache: dict[Any, list[Trace]] = {}
        self._tracing_count = [0]  # (a list: bound methods share it)
        self._warned: set[Any] = set()
        functools.update_wrapper(self, func)

    @property
    def python_function(self) -> Callable[..., Any]:
        """The Python function this wraps."""
        return self._func

    @property
    def input_signature(self) -> tuple | None:
        """The ``input_signature`` given, as a tuple (or None)."""
        return self._signature

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        bound = Function.__new__(Function)
        bound.__dict__.update(self.__dict__)
        bound._instance = instance
        return bound

    def _args(self, args: tuple) -> tuple:
        return args if self._instance is None else (self._instance, *args)

    def _check(self, args: tuple, kwargs: dict) -> None:
        sig = self._signature
        if sig is None:
            return
        problem = None
        if kwargs:
            problem = f"unexpected keyword arguments {sorted(kwargs)}"
        elif len(args) != len(sig):
            more = "too many" if len(args) > len(sig) else "missing"
            problem = f"{more} positional arguments"
        else:
            for arg, spec in zip(args, sig):
                problem = _mismatch(spec, arg)
                if problem:
                    break
        if problem:
            shown = ", ".join(repr(s) for s in sig)
            raise TypeError(
                f"Binding inputs to tf.function failed due to `{problem}`. Received args: "
                f"{args!r} and kwargs: {kwargs!r} for signature: ({shown}). "
                "Call the function with tensors that match its input_signature (a "
                "TensorSpec's None dimensions match any size)."
            )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._check(args, kwargs)
        args = self._args(args)
        if STATE.tracers:  # inside a function being traced: its Python is part of that trace
            return self._func(*args, **kwargs)
        try:
            key, leaves, named = signature(args, kwargs)
            traces = self._cache.pop(key, None)
        except TypeError:  # a Python argument that cannot be a key: no compiling
            return self._func(*args, **kwargs)
        traces = [] if traces is None else traces
        self._cache[key] = traces  # (now the most recently used)
        if len(self._cache) > CACHE_SIZE:
            del self._cache[next(iter(self._cache))]
        outer = ACTIVE[0] and (STATE.recording or STATE.accumulators)
        failed = None
        for tr in traces:
            if tr.unsupported:
                return self._func(*args, **kwargs)
            try:
                if not outer:
                    return tr.run(leaves)
                if STATE.accumulators or not tr.pure:
                    return tr.replay(leaves)
                return _recorded(tr, leaves, self.__name__)
            except Retrace as exc:
                failed = (tr, exc.args[0] if exc.args else None)
            except RunEagerly:  # the generated code raised: the Python function decides
                return self._func(*args, **kwargs)
        if len(traces) >= RETRACE_LIMIT:
            self._warn_eager(key, failed)
            return self._func(*args, **kwargs)
        tr, result = trace(self._func, args, kwargs, leaves, keep=named)
        self._tracing_count[0] += 1
        traces.insert(0, tr)
        if tr.unsupported and key not in self._warned:
            self._warned.add(key)
            warnings.warn(
                f"tape.function '{self.__name__}' runs eagerly (uncompiled) for this input "
                f"signature: {tr.unsupported}. Results are the same, without the speed.",
                stacklevel=2,
            )
        return result

    def _warn_eager(self, key: Any, failed: Any) -> None:
        if key in self._warned:
            return
        self._warned.add(key)
        where = ""
        if failed is not None and failed[1] is not None:
            tr, k = failed
            line = tr.line(k)
            kind = tr.steps[k][2]
            if line is not None:
                where = (
                    f" The last retrace came from the {kind}() of a traced value at "
                    f"{line[0]}, line {line[1]}, whose value changes from call to call."
                )
        warnings.warn(
            f"tape.function '{self.__name__}' was traced {RETRACE_LIMIT} times for one input "
            f"signature, because values it branches on or converts (if x > 0:, int(x), "
            f"float(x), x.numpy()) keep changing; it now runs eagerly for new values of them."
            f"{where} To keep it compiled, compute with tensors instead: tape.where(x > 0, a, b) "
            "in place of an if, a mask or tape.gather in place of an index.",
            stacklevel=3,
        )

    def experimental_get_tracing_count(self) -> int:
        """How many times the function has been traced (TensorFlow's name)."""
        return self._tracing_count[0]

    def source(self, *args: Any, **kwargs: Any) -> str:
        """The Python source generated for these arguments' input signature (tracing the
        function if it has not been traced for it): one line per op, forward and backward,
        with the names the function gave its values where it kept them in variables.

        >>> import sys, tape
        >>> @tape.function
        ... def f(x):
        ...     return x * x + x
        >>> _ = sys.stdout.write(f.source(tape.constant(2.0)))
        def f(x):
            v2 = x * x + x
            return (v2,)
        """
        args = self._args(args)
        key, _, _ = signature(args, kwargs)
        traces = self._cache.get(key)
        if not traces:
            self(*args[1:] if self._instance is not None else args, **kwargs)
            traces = self._cache[key]
        tr = traces[0]
        tr.compiled()
        return tr.source

    def get_concrete_function(self, *args: Any, **kwargs: Any) -> Function:
        """A callable for one input signature: the ``input_signature`` when there is one, else
        that of the given tensors or ``TensorSpec``s (Python values given here are fixed, and
        the callable takes the tensors only). Calls with other shapes or dtypes raise."""
        if kwargs:
            raise TypeError("get_concrete_function takes the arguments positionally here.")
        if self._signature is not None:
            if args:
                self._check(args, {})
            specs: tuple = self._signature
        else:
            specs = tuple(
                a if isinstance(a, TensorSpec)
                else TensorSpec.from_tensor(a) if isinstance(a, (Tensor, Variable, np.ndarray))
                else a
                for a in args
            )
        concrete = Function.__new__(Function)
        concrete.__dict__.update(self.__dict__)
        concrete._cache, concrete._tracing_count, concrete._warned = {}, [0], set()
        concrete._signature = tuple(s for s in specs if isinstance(s, TensorSpec))
        if len(concrete._signature) != len(specs):  # Python values: fixed in the call
            func, bound = self._func, self._args

            def call(*tensors: Any) -> Any:
                it = iter(tensors)
                full = tuple(next(it) if isinstance(f, TensorSpec) else f for f in specs)
                return func(*bound(full))

            concrete._func = call
            concrete._instance = None
        return concrete

    def __repr__(self) -> str:
        return f"<tape.function {getattr(self._func, '__qualname__', self._func)!r}>"


def _recorded(tr: Trace, leaves: list[Any], name: str) -> Any:
    """The compiled function called under recording tapes: its generated code runs, and the
    tapes record one entry from its inputs and the variables it reads to its result, whose
    gradient rule is a compiled function too: the trace replayed under a tape and swept
    (it recomputes the forward values it needs). Called under a tape itself (second order),
    that function's ops are recorded, so derivatives of every order are the eager ones."""
    outs = [wrap(v) for v in tr.run_values(leaves)]
    inputs = [x if isinstance(x, Tensor) else wrap(scalarize(np.array(x))) for x in leaves]
    variables = list(tr.variables.values())
    reads = [v._read() for v in variables]  # the values the gradient is taken at
    if tr.vjp is None:
        tr.vjp = Function(_vjp_program(tr), None, {})
    n = len(inputs)

    def grads_of(upstream: list[Tensor]) -> tuple[list, list]:
        grads = tr.vjp(*inputs, *reads, *upstream)
        return grads[:n], grads[n:]

    recorded = _record_custom(f"tape.function:{name}", inputs, variables, outs, grads_of,
                              lambda acc, outs: None)
    return tr.fill(recorded)


def _vjp_program(tr: Trace) -> Callable[..., list]:
    """The VJP of a trace: ``vjp(*inputs, *variable_values, *cotangents)`` gives the
    gradients of the inputs and then of the variables (None for those not floating)."""
    n, keys = len(tr.inputs), list(tr.variables)
    m = n + len(keys)

    def vjp(*args: Tensor) -> list:
        xs = [identity(x) for x in args[:m]]  # each its own source, even one passed twice
        sources = [s for s in xs if s.dtype.kind in "fc"]
        with GradientTape() as t:
            t.watch(sources)
            outs = tr.replay(xs[:n], flat=True, reads=dict(zip(keys, xs[n:])))
        found = iter(t.gradient(outs, sources, output_gradients=list(args[m:]),
                                unconnected_gradients="zero"))
        return [next(found) if s.dtype.kind in "fc" else None for s in xs]

    vjp.__name__ = f"vjp_of_{tr.name}"
    return vjp


def _check_signature(sig: Any) -> tuple | None:
    if sig is None:
        return None
    if not isinstance(sig, (list, tuple)):
        raise TypeError(f"input_signature must be either a tuple or a list, got {type(sig)}.")
    for s in flatten(list(sig)):
        if not isinstance(s, TensorSpec):
            raise TypeError(
                f"input_signature must be a possibly nested sequence of TensorSpec objects, "
                f"got invalid args {s!r} of type {type(s).__name__!r}."
            )
    return tuple(sig)


def _mismatch(spec: Any, arg: Any) -> str | None:
    if isinstance(spec, (list, tuple)):
        if not isinstance(arg, (list, tuple)) or len(arg) != len(spec):
            return f"Can not cast {arg!r} to a sequence of {len(spec)}"
        for s, a in zip(spec, arg):
            problem = _mismatch(s, a)
            if problem:
                return problem
        return None
    if isinstance(arg, TensorSpec):
        got = arg
    elif isinstance(arg, (Tensor, Variable, np.ndarray, np.generic)):
        got = TensorSpec.from_tensor(arg)
    else:  # a Python value converts as tape.constant would
        try:
            v = np.asarray(arg)
        except Exception:  # noqa: BLE001 - any value that is not array-like
            return f"Can not cast {arg!r} to {spec!r}"
        if v.dtype.kind not in "biufc":
            return f"Can not cast {arg!r} to {spec!r}"
        got = TensorSpec(v.shape, spec.dtype if _fits(v, spec.dtype) else v.dtype)
    if spec.is_compatible_with(got):
        return None
    return f"Can not cast {got!r} to {spec!r}"


def _fits(v: np.ndarray, dtype: np.dtype) -> bool:
    """Whether a Python value converts to ``dtype`` (ints to floats, not floats to ints)."""
    return np.can_cast(v.dtype, dtype, "same_kind") or (v.dtype.kind in "iu" and dtype.kind == "f")


def function(
    func: Callable[..., Any] | None = None,
    input_signature: Any = None,
    autograph: bool = True,
    jit_compile: bool | None = None,
    reduce_retracing: bool = False,
    **options: Any,
) -> Any:
    """TensorFlow's ``tf.function`` (and JAX's ``jit``): ``@tape.function``,
    ``@tape.function(input_signature=...)`` or ``tape.function(f)``; compiles ``func``.

    The first call with a new input signature -- the shapes and dtypes of tensor and array
    arguments, the values of Python arguments, the identity of variables and other objects --
    runs ``func`` once under a tracer, which records every op on a value computed from the
    arguments or from variables: the Wengert list of the call, backward sweeps of tapes
    inside it included. Later calls with that signature run a Python function generated from
    the list: straight-line NumPy calls, one line per op (``f.source(*args)`` shows it).

    As in TensorFlow, Python side effects (``print``, appending to a list) happen while
    tracing only; ``tape.print``, ``tape.random`` draws, optimizer updates, metric updates and
    variable assignments happen on every call. Wherever a value steered Python (``if x > 0``,
    ``while n > 0``, ``int(x)``, ``float(x)``, ``x.numpy()``, an index ``x[i]`` with a tensor
    ``i``), the generated code checks the value again; when it differs, the function is
    traced again for the new case (up to ``RETRACE_LIMIT`` traces per signature, after which
    such calls run eagerly, with a warning). Called under a ``GradientTape`` or
    ``ForwardAccumulator``, the recorded ops run one by one on tensors, so the outer tape
    records them and gradients are those of the eager function. A call that does not match
    ``input_signature`` raises TensorFlow's ``TypeError``. ``autograph`` and
    ``reduce_retracing`` change nothing; ``jit_compile=True`` is accepted with a warning
    (no fusion into native code). Methods work too (the function binds like a method).

    >>> import tape
    >>> @tape.function(input_signature=[tape.TensorSpec([None], tape.float32)])
    ... def square_sum(x):
    ...     return tape.reduce_sum(x * x)
    >>> square_sum(tape.constant([1.0, 2.0]))
    tape.Tensor(5.0, shape=(), dtype=float32)
    >>> square_sum(tape.constant([3.0, 4.0]))  # the generated code
    tape.Tensor(25.0, shape=(), dtype=float32)
    """
    for key in options:
        if key not in _IGNORED_OPTIONS:
            raise TypeError(f"tape.function got an unexpected keyword argument {key!r}.")
    if jit_compile:
        warnings.warn(
            "tape.function(jit_compile=True): tape compiles to NumPy code and does not fuse "
            "ops into native code; jit_compile is ignored.",
            stacklevel=2,
        )
    opts = dict(options, autograph=autograph, jit_compile=jit_compile,
                reduce_retracing=reduce_retracing)
    if func is None:
        return lambda f: Function(f, input_signature, opts)
    return Function(func, input_signature, opts)


#: JAX's name for :func:`function`: ``tape.jit(f)`` compiles ``f``.
jit = function


# --------------------------------------------------------------------------- control flow


def _truth(pred: Any, what: str) -> bool:
    if isinstance(pred, (Tensor, Variable)):
        v = value_of(pred)  # a boolean decision: static, not differentiated
        if np.ndim(v) != 0:
            raise ValueError(
                f"{what} must be a scalar (one boolean), got a tensor of shape {np.shape(v)}; "
                "reduce it first, e.g. with tape.reduce_all or tape.reduce_any."
            )
        return builtins.bool(v)
    if isinstance(pred, np.ndarray) and pred.ndim != 0:
        raise ValueError(f"{what} must be a scalar (one boolean), got shape {pred.shape}.")
    return builtins.bool(pred)


def cond(
    pred: Any,
    true_fn: Callable[[], Any] | None = None,
    false_fn: Callable[[], Any] | None = None,
    name: str | None = None,
) -> Any:
    """``true_fn()`` if ``pred`` else ``false_fn()``, as TensorFlow's ``tf.cond`` runs eagerly.

    Only the branch taken runs, so only it is recorded: gradients flow through that branch.

    >>> import tape
    >>> x = tape.constant(3.0)
    >>> tape.cond(x > 0, lambda: x * x, lambda: -x)
    tape.Tensor(9.0, shape=(), dtype=float32)
    """
    if true_fn is None or not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if false_fn is None or not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    result = true_fn() if _truth(pred, "cond's pred") else false_fn()
    if isinstance(result, (list, tuple)) and len(result) == 1 and not hasattr(result, "_fields"):
        return result[0]  # TensorFlow unpacks a singleton list
    return result


def _same_structure(a: Any, b: Any) -> bool:
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and sorted(a) == sorted(b)
                and all(_same_structure(a[k], b[k]) for k in a))
    seq_a, seq_b = isinstance(a, (list, tuple)), isinstance(b, (list, tuple))
    if seq_a or seq_b:
        return seq_a and seq_b and len(a) == len(b) and all(map(_same_structure, a, b))
    return True


def while_loop(
    cond: Callable[..., Any],
    body: Callable[..., Any],
    loop_vars: Any,
    shape_invariants: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    maximum_iterations: Any = None,
    name: str | None = None,
) -> Any:
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``, as TensorFlow's
    ``tf.while_loop`` runs eagerly: a Python loop, each step recorded, so gradients flow
    through every iteration. ``loop_vars`` is a list or tuple; ``body`` returns the same
    structure. Stops after ``maximum_iterations`` steps when given.

    >>> import tape
    >>> i, x = tape.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x * 2.0),
    ...                        [tape.constant(0), tape.constant(1.0)])
    >>> float(x)
    8.0
    """
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    if parallel_iterations < 1:
        raise TypeError("'parallel_iterations' must be a positive integer.")
    if not isinstance(loop_vars, (list, tuple)):
        raise TypeError(
            f"loop_vars must be a list or tuple of the loop's variables, got "
            f"{type(loop_vars).__name__}: write [x] for one variable (body then returns [x] or "
            "(x,))."
        )
    if not loop_vars:
        raise ValueError("'loop_vars' must be provided.")
    limit = None
    if maximum_iterations is not None:
        limit = int(_value_of(maximum_iterations))
        if limit < 0:
            raise ValueError(f"maximum_iterations must be non-negative, got {limit}.")
    structure = list(loop_vars)
    steps = 0
    while (limit is None or steps < limit) and _truth(cond(*loop_vars), "while_loop's cond"):
        out = body(*loop_vars)
        if not isinstance(out, (list, tuple)) or not _same_structure(structure, list(out)):
            raise ValueError(
                "The two structures don't have the same nested structure. body returned "
                f"{out!r} for loop_vars {structure!r}: body must return a list or tuple with "
                "one value per loop variable, nested as loop_vars (for one variable, "
                "return (x,) or [x])."
            )
        loop_vars = out
        steps += 1
    return loop_vars


# --------------------------------------------------------------------------- print, device


def _fmt_scalar(v: Any) -> str:
    if isinstance(v, (np.floating, float)):
        s = str(v)
        return s[:-2] if s.endswith(".0") else s
    if isinstance(v, (np.bool_, builtins.bool)):
        return "1" if v else "0"
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v)


def _fmt_array(v: np.ndarray, summarize: int, depth: int = 0) -> str:
    if v.ndim == 0:
        return _fmt_scalar(v[()])
    n = v.shape[0]
    if summarize >= 0 and n > 2 * summarize:
        idx = [*builtins.range(summarize), None, *builtins.range(n - summarize, n)]
    else:
        idx = list(builtins.range(n))
    parts = ["..." if i is None else _fmt_array(v[i], summarize, depth + 1) for i in idx]
    sep = " " if v.ndim == 1 else "\n" + " " * (depth + 1)
    return "[" + sep.join(parts) + "]"


def _fmt(x: Any, summarize: int) -> str:
    if isinstance(x, (Tensor, Variable)):
        return _fmt_array(np.asarray(x._value), summarize)
    if isinstance(x, np.ndarray):
        return _fmt_array(x, summarize)
    if isinstance(x, list):
        return "[" + ", ".join(_fmt(i, summarize) for i in x) + "]"
    if isinstance(x, tuple) and not hasattr(x, "_fields"):
        return "(" + ", ".join(_fmt(i, summarize) for i in x) + ("," if len(x) == 1 else "") + ")"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_fmt(v, summarize)}" for k, v in x.items()) + "}"
    return str(x)


def print(  # noqa: A001 - TensorFlow's name
    *inputs: Any,
    output_stream: Any = None,
    summarize: int = 3,
    sep: str = " ",
    end: str = "\n",
    name: str | None = None,
) -> None:
    """Print ``inputs`` as TensorFlow's ``tf.print`` does: tensors as their values (``[1 2 3]``,
    ``2`` for a float 2.0, the first and last ``summarize`` entries of each long axis, -1
    for all), other values as ``str``; to ``sys.stderr`` unless ``output_stream`` is
    ``sys.stdout``, another open file, or ``"file://<path>"`` (appended to).

    >>> import sys, tape
    >>> tape.print("x:", tape.constant([1.0, 2.5]), output_stream=sys.stdout)
    x: [1 2.5]
    """
    call(_print_now, *inputs, output_stream=output_stream, summarize=summarize, sep=sep, end=end)


def _print_now(
    *inputs: Any, output_stream: Any, summarize: int, sep: str, end: str
) -> None:
    """``tape.print``'s work, which a compiled function does on every call."""
    text = sep.join(_fmt(x, summarize) for x in inputs) + end
    stream = sys.stderr if output_stream is None else output_stream
    if isinstance(stream, str):
        if not stream.startswith("file://"):
            raise ValueError(
                f"output_stream {stream!r} is not supported: give sys.stdout, sys.stderr, an "
                "open file, or 'file://<path>'."
            )
        with open(stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(text)
        return
    if not hasattr(stream, "write"):
        raise ValueError(
            f"output_stream {stream!r} is not supported: give sys.stdout, sys.stderr, an open "
            "file, or 'file://<path>'."
        )
    stream.write(text)
    if hasattr(stream, "flush"):
        stream.flush()


@contextlib.contextmanager
def device(device_name: str | None) -> Iterator[None]:
    """TensorFlow's ``tf.device``: places ops on a device. tape computes with NumPy on the
    CPU, so this context does nothing (any device name is accepted); code written for
    TensorFlow runs unchanged."""
    if device_name is not None and not isinstance(device_name, str) and not callable(device_name):
        raise TypeError(f"tape.device needs a device name (a string), got {device_name!r}.")
    yield
