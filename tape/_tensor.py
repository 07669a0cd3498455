"""Tensor (immutable) and Variable (mutable, watched automatically), and value conversion.

The operators (``__add__``, ``__mul__``, ``__getitem__``...), NumPy's protocols, ndarray's
methods and ``Variable.read_value`` are installed from the op table by
``tape.ops._protocols.install_operators()``, so that every operator is an ordinary recorded op.
"""

from __future__ import annotations

import itertools
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from html import escape
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

#: What a tensor or variable holds: a NumPy array, or a NumPy scalar for a 0-d value (see
#: :func:`scalarize`). Gradient rules compute with these in a plain NumPy sweep.
Value: TypeAlias = np.ndarray | np.generic

# Ids come from a counter, never from ``id()``: a collected object's ``id()`` can be reused.
_ids = itertools.count(1)
next_id = _ids.__next__

float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
bool_ = np.dtype("bool")
complex64 = np.dtype("complex64")
complex128 = np.dtype("complex128")

_INT32 = np.iinfo(np.int32)


class _State(threading.local):
    """Per-thread state: tapes recording and forward accumulators active (innermost last),
    the variables read by custom gradients (filled by ``bind``), and detect_anomaly."""

    def __init__(self) -> None:
        self.recording: list[Any] = []  # GradientTape (tape._tape, a higher layer)
        self.accumulators: list[Any] = []  # ForwardAccumulator (tape.forward)
        self.var_watchers: list[dict[int, Variable]] = []
        self.tracers: list[Any] = []  # tracing tapes of tape.function (tape._trace), also
        # on ``recording``: they record guards, assignments and non-differentiable ops too
        self.anomaly: bool | None = None  # True inside detect_anomaly()
        # both stacks in one attribute: the hot path reads them with one lookup (the lists
        # are only ever changed in place)
        self.stacks = (self.recording, self.accumulators)


STATE = _State()

# How many tapes and accumulators are inside their context, in all threads: while it is 0,
# an op skips the thread-local lookups. An upper bound is enough (so no lock for reads).
ACTIVE = [0]
_ACTIVE_LOCK = threading.Lock()


ANOMALY = [0]  # likewise for detect_anomaly contexts


def count_active(delta: int, counter: list[int] = ACTIVE) -> None:
    """Add ``delta`` to ``counter`` (:data:`ACTIVE` or :data:`ANOMALY`) under the lock."""
    with _ACTIVE_LOCK:
        counter[0] += delta


def as_dtype(dtype: DTypeLike | None) -> np.dtype | None:
    """Normalise a dtype given as a NumPy dtype, a type, or a name such as ``'float32'``."""
    if dtype is None:
        return None
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{dtype!r} is not a dtype; use e.g. tape.float32 or 'float64'.") from None


def _python_default(arr: np.ndarray) -> np.ndarray:
    """TensorFlow's inference for Python values: float -> float32, int -> int32."""
    kind = arr.dtype.kind
    if kind == "f":
        return arr.astype(np.float32)
    if kind == "i" and arr.dtype != np.int32:
        if arr.size and (arr.min() < _INT32.min or arr.max() > _INT32.max):
            return arr.astype(np.int64)
        return arr.astype(np.int32)
    if kind == "c":
        return arr.astype(np.complex128)
    return arr


def scalarize(value: Value) -> Value:
    """Keep 0-d values as NumPy scalars: their arithmetic is several times faster."""
    if type(value) is np.ndarray and value.ndim == 0:
        return value[()]
    return value


def to_value(value: object, dtype: DTypeLike | None = None) -> Value:
    """Convert a Python or NumPy value to a fresh NumPy value, inferring dtypes as TensorFlow.

    ``value`` is a :data:`TensorLike` or anything else NumPy converts to a numeric array (an
    object with ``__array__``); anything else is refused with a ``TypeError``. NumPy arrays and
    scalars keep their dtype; Python floats become float32 and Python ints int32. The result
    never shares memory with ``value``.
    """
    dtype = as_dtype(dtype)
    if isinstance(value, (Tensor, Variable)):
        value = value_of(value)  # (a compiled function checks it again: a constant now)
        native = True
    else:
        native = isinstance(value, (np.ndarray, np.generic))
    if isinstance(value, str) or (
        not native and isinstance(value, (list, tuple)) and _has_str(value)
    ):
        raise TypeError(f"Cannot convert {value!r} to a tensor: strings are not supported.")
    if dtype is not None and dtype.kind != "c" and _complex_value(value, native):
        raise TypeError(
            f"Cannot convert a complex value to {dtype}: its imaginary part would be dropped. "
            "Take its real part explicitly (tape.math.real, np.real), or use a complex dtype."
        )
    try:
        arr = np.array(value, dtype=dtype, copy=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"Cannot convert a value of type {type(value).__name__} to a tensor: {exc}"
        ) from None
    if arr.dtype == object:
        raise TypeError(
            f"Cannot convert {value!r} to a tensor: it is not a number, array or nested list "
            "of numbers with a regular shape."
        )
    if dtype is None and not native:
        arr = _python_default(arr)
    return scalarize(arr)


def _complex_value(value: object, native: bool) -> bool:
    """Whether ``value`` holds complex numbers (a complex array, scalar or list of them)."""
    if native:
        return value.dtype.kind == "c"  # type: ignore[union-attr]
    if type(value) is complex:
        return True
    if isinstance(value, (list, tuple)):
        try:
            return np.asarray(value).dtype.kind == "c"
        except (TypeError, ValueError):
            return False
    return False


def _has_str(seq: list[Any] | tuple[Any, ...]) -> bool:
    return any(
        isinstance(v, str) or (isinstance(v, (list, tuple)) and _has_str(v)) for v in seq
    )


def _value_repr(value: Value) -> str:
    if np.ndim(value) == 0:
        return str(value)
    return np.array2string(np.asarray(value), separator=" ", threshold=50)


class UntrackedWarning(UserWarning):
    """A tracked tensor's value left the tape as a Python number: ``float(x)``, ``int(x)``,
    ``complex(x)``, ``x.item()``, or a function that calls them (``math.exp(x)``), while a tape
    or forward accumulator tracks ``x``. Whatever is computed from that number is a constant
    to the tape. Filter it as any warning, or make it an error to find every such place:
    ``warnings.simplefilter("error", tape.UntrackedWarning)``."""


def tracked(x: _ArrayLike) -> bool:
    """Whether a recording tape watches, or an active forward accumulator has a tangent for,
    the tensor or variable ``x`` (watched itself, or computed from something watched). A
    trainable variable is tracked by every recording tape that watches the variables it
    reads."""
    if not ACTIVE[0]:
        return False
    key = x._id
    for tape in STATE.recording:
        if tape._traces:
            continue
        if key in tape._watched or (
            type(x) is Variable and x.trainable and tape._watch_accessed
        ):
            return True
    return any(key in acc._tangents for acc in STATE.accumulators)


def _origin(x: _ArrayLike) -> str:
    """What a tracked tensor is, for error messages: a variable, a watched source, or the
    output of a recorded op (named from the innermost tape that recorded it)."""
    if type(x) is Variable:
        return f"variable '{x._name}'"
    for tape in reversed(STATE.recording):
        op = tape._producer(x._id)
        if op is not None:
            return f"the output of op '{op}'"
        if x._id in tape._watched:
            return "a tensor the tape watches"
    return "a tensor with a tangent in a forward accumulator"


def steers(x: _ArrayLike, kind: str, value: object) -> None:
    """Tell the tracers of ``tape.function`` that ``x``'s value steered Python, converted as
    ``kind`` (``'bool'``, ``'int'``, ``'index'``, ``'float'``, ``'complex'``, ``'value'``):
    the compiled function checks it again on every call (a guard)."""
    for tracer in STATE.tracers:
        tracer.guard(x, kind, value)


def value_of(x: Any) -> Any:
    """The value of a tensor or variable (anything else as it is), read by tape's own code to
    decide something in Python: an axis, a shape, an index, a mask, a result computed in
    NumPy. A function that ``tape.function`` is tracing checks it again on every call (a
    guard), so the compiled function never keeps a stale value."""
    if isinstance(x, _ArrayLike):
        v = x._value
        if ACTIVE[0] and STATE.tracers:
            steers(x, "value", v)
        return v
    return x


def peek(x: Any) -> Any:
    """The value of a tensor or variable (anything else as it is), read by tape's own code for
    its shape or dtype only, which a compiled function fixes anyway: no guard (see
    :func:`value_of`)."""
    return x._value if isinstance(x, _ArrayLike) else x


def leaves_tape(x: _ArrayLike, how: str, instead: str) -> None:
    """Warn (once per line of user code, as Python's warnings do) that a tracked value leaves
    the tape as a Python number."""
    warnings.warn(
        f"{how} of {_origin(x)}, which a GradientTape or ForwardAccumulator is tracking, gives "
        "a Python number: anything computed from it is a constant to the tape, so its "
        f"gradient is lost. {instead} If the constant is intended, convert explicitly with "
        "x.numpy() or compute it under tape.stop_gradient or t.stop_recording().",
        UntrackedWarning,
        stacklevel=3,
    )


MATH_HINT = (
    "To keep the gradient, compute with tensors: tape ops or NumPy functions on the tensor "
    "(np.exp(x), not math.exp(x))."
)


#: PyTorch's autograd attributes, with what to write in tape instead. A tape records onto
#: itself, not onto tensors: a tensor has no gradient, no grad_fn and no requires_grad flag.
PYTORCH_NAMES = {
    "backward": (
        "gradients are asked of the tape that recorded the computation: "
        "`with tape.GradientTape() as t: t.watch(x); y = f(x)` then `t.gradient(y, x)`."
    ),
    "grad": (
        "a tensor does not hold its gradient; `t.gradient(y, x)` returns it "
        "(or `tape.grad(f)(x)` for a function)."
    ),
    "requires_grad": (
        "tensors carry no flag; a tape differentiates what it watches: `t.watch(x)` inside "
        "`with tape.GradientTape() as t:`, or make x a `tape.Variable`, which tapes watch "
        "on their own."
    ),
    "requires_grad_": (
        "tensors carry no flag; call `t.watch(x)` inside `with tape.GradientTape() as t:`, "
        "or make x a `tape.Variable`, which tapes watch on their own."
    ),
    "detach": (
        "use `tape.stop_gradient(x)` for a tensor the gradient does not flow through, or "
        "`x.numpy()` for a NumPy value."
    ),
    "retain_grad": (
        "no flag is needed: `t.gradient(y, h)` works for an intermediate tensor h computed "
        "while the tape recorded."
    ),
    "grad_fn": (
        "the tape records the operations, not the tensors: print the tape (`print(t)`) "
        "or draw it (`t.render(...)`) to see them."
    ),
    "zero_": (
        "tensors are immutable and gradients are returned, not accumulated, so there is "
        "nothing to zero; set a tape.Variable with `v.assign(tape.zeros_like(v))`."
    ),
}


class _ArrayLike:
    """What tensors and variables share: a NumPy value and Python's number protocols."""

    __slots__ = ()
    _value: Any  # a Value
    _id: int  # 0 for a tensor no tape or accumulator has needed to name yet

    @property
    def shape(self) -> tuple[int, ...]:
        return self._value.shape

    @property
    def dtype(self) -> np.dtype:
        return self._value.dtype

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def size(self) -> int:
        return self._value.size

    def numpy(self) -> Value:
        """The value as a NumPy array (a copy) or NumPy scalar for 0-d values: an explicit
        conversion, which leaves the tape silently (the result is a constant)."""
        v = self._value
        if ACTIVE[0] and STATE.tracers:
            steers(self, "value", v)
        return v.copy() if type(v) is np.ndarray else v

    def __bool__(self) -> bool:  # Python control flow: silent, as in TensorFlow
        value = bool(self._value)
        if ACTIVE[0] and STATE.tracers:
            steers(self, "bool", value)
        return value

    def __float__(self) -> float:
        value = float(self._value)
        if ACTIVE[0]:
            steers(self, "float", value)
            if tracked(self):
                leaves_tape(self, "float()", MATH_HINT)
        return value

    def __int__(self) -> int:
        value = int(self._value)
        if ACTIVE[0]:
            steers(self, "int", value)
            if tracked(self):
                leaves_tape(self, "int()", MATH_HINT)
        return value

    def __complex__(self) -> complex:
        value = complex(self._value)
        if ACTIVE[0]:
            steers(self, "complex", value)
            if tracked(self):
                leaves_tape(self, "complex()", MATH_HINT)
        return value

    def item(self, *args: int) -> bool | int | float | complex:
        """The value (or one element of it) as a Python number, as ``ndarray.item``."""
        if ACTIVE[0]:
            steers(self, "value", self._value)
            if tracked(self):
                leaves_tape(self, ".item()", MATH_HINT)
        return np.asarray(self._value).item(*args)

    def __len__(self) -> int:
        if self.ndim == 0:
            kind = type(self).__name__.lower()
            raise TypeError(f"len() of a 0-d {kind} (a scalar) is undefined.")
        return self.shape[0]

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        """NumPy's implicit conversion (``np.asarray(x)``, ``np.array([x, y])``, ``np.r_``, a
        NumPy or SciPy function without a tape rule): a copy of the value, refused for a
        tensor that a tape or accumulator tracks, whose gradient would be silently lost."""
        if ACTIVE[0] and STATE.tracers and any(t.traces(self) for t in STATE.tracers):
            raise TypeError(
                f"A tape.{type(self).__name__} computed inside a function that tape.function "
                f"is tracing ({_origin(self)}) was converted to a NumPy array implicitly "
                "(np.asarray, np.array([a, b]), or a NumPy or SciPy function that tape has no "
                "rule for): the compiled function would keep this call's value as a "
                "constant. Compute with tape ops instead (tape.stack([a, b]) for "
                "np.array([a, b])), or convert explicitly with x.numpy(), which the compiled "
                "function checks again on every call."
            )
        if ACTIVE[0] and tracked(self):
            raise TypeError(
                f"A tape.{type(self).__name__} that a GradientTape or ForwardAccumulator is "
                f"tracking ({_origin(self)}) was converted to a NumPy array implicitly, "
                "through __array__: by np.asarray or np.array, by a list or tuple of tensors "
                "that NumPy converted itself (np.array([a, b]), np.mean([a, b]), np.r_[a, b]), "
                "or by a NumPy or SciPy function that tape has no gradient rule for. The "
                "array would be a constant and the gradient would silently miss it. Instead: "
                "build arrays from tensors with tape ops (tape.stack([a, b]) for "
                "np.array([a, b]), tape.concat for np.r_), call NumPy functions on tensors "
                "rather than on lists (np.mean(tape.stack([a, b]))); for an intended "
                "constant, convert explicitly with x.numpy() or use tape.stop_gradient(x); "
                "or compute outside the tape with t.stop_recording()." + _scipy_hint()
            )
        if copy is False:
            raise ValueError(
                f"A tape.{type(self).__name__} cannot be viewed without a copy; use copy=None."
            )
        return np.array(self._value, dtype=dtype, copy=True)


#: SciPy functions written in Python on np.asarray that tape records under tape.scipy.
SCIPY_EQUIVALENTS = {
    "scipy.special": ("logsumexp", "softmax", "log_softmax", "polygamma"),
    # the methods of scipy.stats's distributions, as "distribution.method"
    "scipy.stats": tuple(
        f"{dist}.{method}" for dist, methods in (
            ("norm", ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf")),
            ("t", ("logpdf", "pdf", "cdf", "logcdf", "sf")),
            ("poisson", ("logpmf", "pmf", "cdf", "logcdf")),
            ("gamma", ("logpdf", "pdf", "cdf", "logcdf", "sf")),
            ("beta", ("logpdf", "pdf", "cdf", "logcdf")),
            ("dirichlet", ("logpdf", "pdf")),
            ("multivariate_normal", ("logpdf", "pdf")),
        ) for method in methods
    ),
    "scipy.linalg": ("solve_triangular", "cho_factor", "cho_solve", "expm", "sqrtm",
                     "solve_sylvester"),
    "scipy.signal": ("convolve", "correlate"),
}


def _scipy_name(frame: Any, public: str) -> str:
    """The SciPy function that ``frame`` runs (or ``frame`` is); for a method of a distribution of
    scipy.stats (frozen or not), "distribution.method", as "norm.logpdf"."""
    if not hasattr(frame, "f_code"):  # the function a SciPy wrapper was running
        return frame.__name__
    name = frame.f_code.co_name
    owner = frame.f_locals.get("self") if public == "scipy.stats" else None
    if owner is None:
        return name
    owner = getattr(owner, "dist", owner)  # a frozen distribution
    dist = getattr(owner, "name", None)
    if not isinstance(dist, str):
        dist = type(owner).__name__.removesuffix("_gen").removesuffix("_frozen")
    return f"{dist}.{name}"


def _scipy_hint() -> str:
    """When SciPy's Python code made the conversion: which of its functions, and tape's
    recorded equivalent if there is one."""
    frame = sys._getframe(2)
    called = None
    while frame is not None:  # the outermost SciPy frame: the function the user called
        module = frame.f_globals.get("__name__", "")
        wrapped = frame.f_locals.get("f") if module.startswith("scipy._lib") else None
        if wrapped is not None and getattr(wrapped, "__module__", "").startswith("scipy."):
            called = (wrapped.__module__, wrapped)  # a SciPy wrapper: the function inside
        elif module.startswith("scipy.") and not module.startswith("scipy._lib"):
            called = (module, frame)
        elif called:
            break
        frame = frame.f_back
    if called is None:
        return ""
    module, frame = called
    public = ".".join(module.split(".")[:2])  # scipy.special, scipy.stats...
    name = _scipy_name(frame, public)
    if name in SCIPY_EQUIVALENTS.get(public, ()):
        return (f" Here it was {public}.{name}, which converts its arguments itself: "
                f"tape.scipy.{public[6:]}.{name} is its recorded equivalent.")
    return (f" Here it was SciPy's {name} (in {public}), which converts its arguments "
            "itself; tape has no recorded equivalent of it.")


def _pytorch_name(name: str, hint: str) -> property:
    """A property that answers PyTorch's autograd attribute ``name`` with tape's equivalent
    (a property, not ``__getattr__``: missing-name lookups, which NumPy makes on every
    conversion, stay at C speed)."""

    def refuse(self: _ArrayLike) -> NoReturn:
        kind = type(self).__name__
        raise AttributeError(
            f"tape.{kind} has no .{name} (PyTorch's autograd): {hint} See the 'For PyTorch "
            "users' page of the docs (docs/pytorch.md).",
            name=name,
        )

    return property(refuse, doc=f"Not in tape (PyTorch's ``{name}``): {hint}")


for _name, _hint in PYTORCH_NAMES.items():
    setattr(_ArrayLike, _name, _pytorch_name(_name, _hint))
del _name, _hint


class Tensor(_ArrayLike):
    """An immutable n-dimensional array. Ops on tensors are recorded by active tapes.

    Tensors come from ops and from :func:`tape.constant` and :func:`tape.convert_to_tensor`;
    as in TensorFlow, the class itself is not called with a value (``Tensor()`` takes no
    arguments, which keeps making one as cheap as Python allows). Its operators
    (``x * y`` is ``Tensor.__mul__``) are ops of the table, installed by
    ``tape.ops._protocols.install_operators()``.

    >>> import tape
    >>> x = tape.constant([[1.0, 2.0], [3.0, 4.0]])
    >>> x.shape, x.dtype
    ((2, 2), dtype('float32'))
    >>> (x * 2).numpy()
    array([[2., 4.],
           [6., 8.]], dtype=float32)
    """

    __slots__ = ("_value", "_id", "__weakref__")
    __array_priority__ = 100

    def __hash__(self) -> int:
        raise TypeError(
            "Tensor is unhashable: == compares elementwise, as in TensorFlow. Instead, use "
            "tensor.ref() as the key (and ref.deref() to get the tensor back)."
        )

    def __copy__(self) -> Tensor:
        return self  # immutable: a copy may be the tensor itself

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        return self

    def __reduce__(self) -> tuple[Callable[..., Tensor], tuple[Value]]:
        return wrap, (self._value,)  # unpickled: a new tensor, unknown to any tape

    def ref(self) -> Reference:
        """A hashable key for this tensor (tensors themselves are unhashable), as in
        TensorFlow: two references are equal when they refer to the same tensor.

        >>> import tape
        >>> x = tape.constant(1.0)
        >>> {x.ref(): "x"}[x.ref()], x.ref().deref() is x
        ('x', True)
        """
        return Reference(self)

    def __repr__(self) -> str:
        if ACTIVE[0] and STATE.tracers:  # (text of the value: a compiled function checks it)
            steers(self, "value", self._value)
        return f"tape.Tensor({_value_repr(self._value)}, shape={self.shape}, dtype={self.dtype})"

    def _repr_html_(self) -> str:
        """Jupyter's rich display: the values as an HTML table, shape and dtype in its caption
        (large arrays summarised with ellipses, as NumPy prints them).

        >>> import tape
        >>> "<caption" in tape.constant([1.0, 2.0])._repr_html_()
        True
        """
        return _value_html(self, "tape.Tensor")

    def __index__(self) -> int:
        if self.dtype.kind not in "iub":
            raise TypeError(f"Only integer tensors can be used as an index, got {self.dtype}.")
        value = int(self._value)
        if ACTIVE[0] and STATE.tracers:
            steers(self, "index", value)
        return value

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("Cannot iterate over a 0-d tensor (a scalar).")
        return (self[i] for i in range(self.shape[0]))


class Reference:
    """A hashable reference to a tensor or variable (``x.ref()``); ``deref()`` gives it back."""

    __slots__ = ("_obj",)

    def __init__(self, obj: Tensor | Variable) -> None:
        self._obj = obj

    def deref(self) -> Tensor | Variable:
        """The tensor or variable referred to."""
        return self._obj

    def __hash__(self) -> int:
        return id(self._obj)  # stable: the reference keeps the object alive

    def __eq__(self, other: object) -> bool:
        return type(other) is Reference and other._obj is self._obj

    def __repr__(self) -> str:
        return f"<Reference to {self._obj!r}>"


def wrap(value: Value, id_: int = 0) -> Tensor:
    """A tensor around the NumPy value ``value`` (not copied). Ids are given lazily (0 until
    a tape or accumulator needs one), so that ops with no tape active cost little more than
    NumPy."""
    t = Tensor()
    t._value = value
    t._id = id_
    return t


def as_tensor(value: TensorLike, dtype: DTypeLike | None = None) -> Tensor:
    """A tensor holding a copy of ``value``, with TensorFlow's dtype inference."""
    return wrap(to_value(value, dtype))


class Variable(_ArrayLike):
    """A mutable tensor for model parameters, as ``tf.Variable``.

    A tape watches every trainable variable read inside its context (unless created with
    ``watch_accessed_variables=False``). The tape keeps the value that was read, so an
    ``assign`` after the forward pass does not change the gradient.

    >>> import tape
    >>> v = tape.Variable(3.0)
    >>> with tape.GradientTape() as t:
    ...     y = v * v
    >>> float(t.gradient(y, v))
    6.0
    >>> _ = v.assign_sub(1.0); float(v)
    2.0
    """

    __slots__ = ("_value", "_id", "_snapshot", "trainable", "_name", "__weakref__")
    __array_priority__ = 100
    __hash__ = object.__hash__

    def __init__(
        self,
        initial_value: TensorLike | Callable[[], TensorLike],
        trainable: bool = True,
        name: str | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        if initial_value is None:
            raise ValueError("Variable needs an initial_value.")
        if callable(initial_value):
            initial_value = initial_value()
        self._value = to_value(initial_value, dtype)
        self._id = next_id()
        self._snapshot: Tensor | None = None
        self.trainable = bool(trainable)
        self._name = name if name is not None else "Variable"  # as TensorFlow's eager variables

    @property
    def name(self) -> str:
        return f"{self._name}:0"

    def __copy__(self) -> Variable:
        return self  # as TensorFlow: a shallow copy of a variable is the variable

    def _no_augmented_assignment(self, other: object) -> NoReturn:
        raise RuntimeError(
            f"Variable '{self._name}' cannot be updated with an augmented assignment (+=, "
            "-=, *=, /=, ...): that would "
            "rebind the name to a new tensor and leave the variable unchanged. Use "
            "v.assign_add(x), v.assign_sub(x) or v.assign(...) instead."
        )

    __iadd__ = __isub__ = __imul__ = __itruediv__ = _no_augmented_assignment
    __ipow__ = __ifloordiv__ = __imod__ = __imatmul__ = _no_augmented_assignment

    def __deepcopy__(self, memo: dict[int, Any]) -> Variable:
        """A new, independent variable (its own identity for tapes) with a copy of the value."""
        return Variable(self._value, self.trainable, self._name)

    def __reduce__(self) -> tuple[type[Variable], tuple[Value, bool, str]]:
        return Variable, (self._value, self.trainable, self._name)

    def _read(self) -> Tensor:
        """The current value as a tensor that tapes attribute to this variable."""
        for tape in STATE.recording:
            if tape._watch_accessed and self.trainable:
                tape._watch_variable(self, accessed=True)
        for tracer in STATE.tracers:  # tape.function reads every variable on every call
            tracer._watch_variable(self)
        value = self._value
        snap = self._snapshot
        # Only a snapshot of the current value is reused: one made from a value that a
        # concurrent assign() replaced is made again, never kept.
        if snap is None or snap._value is not value:
            snap = self._snapshot = wrap(value, self._id)
        return snap

    def assign(self, value: TensorLike, read_value: bool = True) -> Variable | None:
        """Replace the value. The shape and dtype must stay the same."""
        tracers = STATE.tracers if ACTIVE[0] else ()
        for tracer in tracers:  # (its value before: a version of it that reads may have seen)
            tracer._watch_variable(self)
        new = to_value(value._value if isinstance(value, _ArrayLike) else value, self.dtype)
        if np.shape(new) != self.shape:
            raise ValueError(
                f"Cannot assign value to variable ' {self.name}': Shape mismatch.The variable "
                f"shape {self.shape}, and the assigned value shape {np.shape(new)} are "
                "incompatible. (A variable keeps its shape: assign a value of the same shape, "
                "or create a new tape.Variable.)"
            )
        self._value = new  # a new array: values saved on tapes keep what was read
        self._snapshot = None
        for tracer in tracers:  # a step of the trace (the value may be traced)
            tracer.assign(self, value)
        return self if read_value else None

    def assign_add(self, delta: TensorLike, read_value: bool = True) -> Variable | None:
        """Add ``delta`` to the value."""
        if ACTIVE[0] and STATE.tracers:  # traced: the sum is an op of the program
            return self.assign(self._read() + self._same_dtype(delta), read_value)
        return self.assign(self._value + to_value(delta, self.dtype), read_value)

    def assign_sub(self, delta: TensorLike, read_value: bool = True) -> Variable | None:
        """Subtract ``delta`` from the value."""
        if ACTIVE[0] and STATE.tracers:
            return self.assign(self._read() - self._same_dtype(delta), read_value)
        return self.assign(self._value - to_value(delta, self.dtype), read_value)

    def _same_dtype(self, delta: TensorLike) -> Any:
        """``delta`` in this variable's dtype: a (recorded) cast of a tensor, else a value."""
        if isinstance(delta, _ArrayLike):
            return delta if delta.dtype == self.dtype else delta.astype(self.dtype)
        return wrap(to_value(delta, self.dtype))

    def __repr__(self) -> str:
        return (
            f"<tape.Variable '{self.name}' shape={self.shape} dtype={self.dtype}, "
            f"numpy={_value_repr(self._value)}>"
        )

    def _repr_html_(self) -> str:
        """Jupyter's rich display: the values as an HTML table, the variable's name, shape and
        dtype in its caption.

        >>> import tape
        >>> "w:0" in tape.Variable([1.0, 2.0], name="w")._repr_html_()
        True
        """
        return _value_html(self, f"tape.Variable '{self.name}'")

    def __iter__(self) -> Iterator[Tensor]:
        return iter(self._read())

    def ref(self) -> Reference:
        """A reference to this variable, as ``Tensor.ref`` (variables are hashable too)."""
        return Reference(self)


#: What ops accept as an operand and :func:`to_value` converts: tensors, variables, NumPy
#: arrays and scalars, Python numbers, and (nested) lists and tuples of them.
TensorLike: TypeAlias = (
    Tensor | Variable | Value | bool | int | float | complex | list[Any] | tuple[Any, ...]
)

#: A cotangent (reverse mode) or tangent (forward mode) as gradient rules take and return it:
#: a NumPy value in a plain NumPy sweep, a tensor when a tape or accumulator may record it.
Grad: TypeAlias = Value | Tensor


# Jupyter's rich display of tensors and variables (``_repr_html_``): the values as a table, an
# axis longer than _HTML_AXIS shown by its first and last _HTML_EDGE entries around an ellipsis.
_HTML_AXIS, _HTML_EDGE = 12, 5
_HTML_CELL = '<td style="text-align: right; font-family: monospace">{}</td>'


def _html_indices(n: int) -> list[int | None]:
    """The indices shown of an axis of length ``n``, None standing for an ellipsis."""
    if n <= _HTML_AXIS:
        return list(range(n))
    return [*range(_HTML_EDGE), None, *range(n - _HTML_EDGE, n)]


def _html_number(x: np.generic) -> str:
    """One element, floats and complex numbers with NumPy's print precision."""
    x = x.item()
    if isinstance(x, (float, complex)):
        return f"{x:.{np.get_printoptions()['precision']}g}"
    return str(x)


def _value_html(x: _ArrayLike, kind: str) -> str:
    """An HTML table of the values of ``x``, with ``kind``, shape and dtype in its caption;
    large arrays summarised with ellipses, as NumPy prints them, and arrays of more than two
    dimensions (or empty) shown as NumPy's text."""
    v = np.asarray(value_of(x))
    caption = escape(f"{kind} shape={v.shape} dtype={v.dtype}")
    if v.ndim > 2 or not v.size:
        text = np.array2string(v, separator=" ", threshold=_HTML_AXIS**2, edgeitems=3)
        body = f'<tr><td style="text-align: left"><pre>{escape(text)}</pre></td></tr>'
    else:
        m = v.reshape((1,) * (2 - v.ndim) + v.shape)
        cols = _html_indices(m.shape[1])
        rows = []
        for i in _html_indices(m.shape[0]):
            if i is None:  # vertical ellipses, and a diagonal one where both axes are cut
                cells = ["\u22f1" if j is None else "\u22ee" for j in cols]
            else:
                cells = ["\u22ef" if j is None else _html_number(m[i, j]) for j in cols]
            rows.append("<tr>" + "".join(_HTML_CELL.format(escape(c)) for c in cells) + "</tr>")
        body = "".join(rows)
    return (f'<table class="tape-tensor"><caption style="text-align: left">{caption}</caption>'
            f"<tbody>{body}</tbody></table>")
