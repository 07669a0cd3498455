"""How tape treats each public NumPy function called on tensors: the NumPy coverage table.

Every public callable of ``numpy``, ``numpy.linalg`` and ``numpy.fft`` has one of three
statuses (the other public submodules are classified as a whole, see :data:`NAMESPACES`):

- **differentiable**: tape has a handler (``FUNCTIONS``) or a ufunc op (``UFUNCS``) whose
  primitive has gradient rules. Read off the registries, never listed here.
- **no gradient**: the result carries no meaningful gradient (indices, booleans, counts,
  shapes, dtypes, piecewise-constant values, or nothing array-valued at all). The function runs
  on the tensors' values, watched or not, and returns exactly what NumPy returns: a constant to
  every tape. Listed in :data:`NO_GRADIENT`; ufuncs whose tape op is declared not
  differentiable (comparisons, logic) count too.
- **unsupported**: no gradient rule yet, or no meaning on tensors. On a tensor that a tape
  watches it raises a ``TypeError`` naming the function by its public path, the reason and the
  fix (:data:`UNSUPPORTED`); on plain values and unwatched tensors it runs as in NumPy. A
  function that writes into its argument (``np.copyto``, ``np.put``, ``out=``) refuses a
  tensor as the written argument, watched or not: tensors are immutable.

A NumPy function that none of these lists knows (a new NumPy release) behaves as unsupported,
with a generic reason. ``tests/test_numpy_coverage.py`` requires every public callable to be
classified, and the documentation's NumPy coverage page is generated from this table.
"""

from __future__ import annotations

import functools
import sys
import types
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .._registry import FUNCTIONS, UFUNCS

DIFFERENTIABLE = "differentiable"
NO_GRADIENT_STATUS = "no gradient"
UNSUPPORTED_STATUS = "unsupported"

# The namespaces whose callables are classified one by one.
WALKED = ("np", "np.linalg", "np.fft")

# ----------------------------------------------------------------------------- no gradient

_INDICES = "returns indices (integers)"
_ORDER = "returns indices of an ordering (integers)"
_BOOL = "returns booleans"
_COUNT = "returns counts (integers)"
_SHAPE = "returns a shape, a size or a number of dimensions"
_DTYPE = "works on dtypes, not values"
_BITS = "integer and bitwise arithmetic"
_STEP = "piecewise constant: its gradient is zero almost everywhere"
_MAKE = "makes a new array from a shape or numbers; use the tape.* creation ops for a tensor"
_LIKE = "reads only the shape and dtype of its argument"
_TEXT = "formats values as text"
_CONFIG = "takes no array values (configuration, information)"
_SET = "returns sorted unique values as constants (use the returned indices to gather " \
    "differentiably: x[np.unique(x, return_index=True)[1]])"

NO_GRADIENT: dict[str, str] = {
    **dict.fromkeys(
        ["np.argsort", "np.argpartition", "np.lexsort", "np.argmax", "np.argmin",
         "np.nanargmax", "np.nanargmin", "np.searchsorted", "np.digitize"],
        _ORDER,
    ),
    **dict.fromkeys(
        ["np.nonzero", "np.flatnonzero", "np.argwhere", "np.unravel_index",
         "np.ravel_multi_index", "np.diag_indices", "np.diag_indices_from",
         "np.tril_indices", "np.tril_indices_from", "np.triu_indices", "np.triu_indices_from",
         "np.mask_indices", "np.indices", "np.ix_"],
        _INDICES,
    ),
    **dict.fromkeys(
        ["np.allclose", "np.isclose", "np.array_equal", "np.array_equiv", "np.all", "np.any",
         "np.iscomplex", "np.isreal", "np.iscomplexobj", "np.isrealobj", "np.isneginf",
         "np.isposinf", "np.isin", "np.signbit", "np.isscalar", "np.iterable",
         "np.shares_memory", "np.may_share_memory"],
        _BOOL,
    ),
    **dict.fromkeys(["np.count_nonzero", "np.linalg.matrix_rank"], _COUNT),
    "np.bincount": _COUNT + " (with weights= a tensor that a tape watches: unsupported)",
    **dict.fromkeys(
        ["np.unique", "np.unique_all", "np.unique_counts", "np.unique_inverse",
         "np.unique_values"],
        _SET,
    ),
    **dict.fromkeys(["np.shape", "np.ndim", "np.size", "np.broadcast_shapes"], _SHAPE),
    **dict.fromkeys(
        ["np.result_type", "np.can_cast", "np.min_scalar_type", "np.common_type",
         "np.mintypecode", "np.promote_types", "np.isdtype", "np.issubdtype", "np.typename"],
        _DTYPE,
    ),
    **dict.fromkeys(
        ["np.bitwise_and", "np.bitwise_or", "np.bitwise_xor", "np.bitwise_count", "np.invert",
         "np.left_shift", "np.right_shift", "np.gcd", "np.lcm", "np.packbits",
         "np.unpackbits"],
        _BITS,
    ),
    **dict.fromkeys(["np.trunc", "np.fix", "np.spacing"], _STEP),
    **dict.fromkeys(
        ["np.zeros", "np.ones", "np.empty", "np.eye", "np.identity", "np.tri", "np.arange",
         "np.bartlett", "np.blackman", "np.hamming", "np.hanning", "np.kaiser",
         "np.fft.fftfreq", "np.fft.rfftfreq"],
        _MAKE,
    ),
    "np.full": _MAKE + " (a fill_value tensor is converted: refused while a tape watches it; "
    "use tape.fill(shape, value))",
    **dict.fromkeys(["np.zeros_like", "np.ones_like", "np.empty_like"], _LIKE),
    "np.full_like": _LIKE + " (with fill_value a tensor that a tape watches: unsupported)",
    "np.fromfunction": "calls the function on index grids and returns its result: tensor ops "
    "inside the function are recorded as usual",
    **dict.fromkeys(
        ["np.array2string", "np.array_repr", "np.array_str", "np.base_repr", "np.binary_repr"],
        _TEXT,
    ),
    "np.einsum_path": "returns a contraction order, not values",
    **dict.fromkeys(
        ["np.get_include", "np.get_printoptions", "np.set_printoptions", "np.printoptions",
         "np.getbufsize", "np.setbufsize", "np.geterr", "np.seterr", "np.geterrcall",
         "np.seterrcall", "np.show_config", "np.show_runtime", "np.info", "np.test",
         "np.linalg.test", "np.fft.test"],
        _CONFIG,
    ),
}

# Arguments that make a "no gradient" function differentiable when a tape watches them.
DIFFERENTIABLE_ARGUMENTS: dict[str, tuple[str, int, str]] = {
    # path: (keyword, position, fix)
    "np.bincount": (
        "weights", 1,
        "sum the weights per bin with a one-hot matrix: "
        "weights @ tape.one_hot(x, n, dtype=weights.dtype)",
    ),
    "np.full_like": (
        "fill_value", 1, "use np.zeros_like(a) + fill_value, or tape.fill(shape, value)",
    ),
}

# Functions NumPy does not dispatch that call one it does: their status is the other's.
DELEGATES: dict[str, str] = {
    "np.row_stack": "np.vstack",
}

# Caveats of differentiable functions, for the coverage page.
NOTES: dict[str, str] = {
    "np.where": "with one argument, np.where(condition): indices, without gradient",
    "np.round": "piecewise constant: gradient zero",
    "np.around": "piecewise constant: gradient zero",
    "np.floor": "piecewise constant: gradient zero",
    "np.ceil": "piecewise constant: gradient zero",
    "np.rint": "piecewise constant: gradient zero",
    "np.sign": "piecewise constant: gradient zero",
    "np.floor_divide": "piecewise constant: gradient zero",
}

# ----------------------------------------------------------------------------- unsupported

_NO_RULE = "no gradient rule yet"
_CUSTOM = "or give it a gradient with tape.custom_gradient"
_CONVERT = (
    "it makes a plain NumPy array, so the value would leave the tape",
    "Use the tensor itself (tensors are immutable), t.numpy() for a constant copy, or "
    "tape.cast(t, dtype) to change the dtype.",
)
_WRITES = (
    "it writes into an array in place, out of the tape's sight (and tensors are immutable)",
    "Compute a new tensor instead (np.where(mask, values, x), np.concatenate, arithmetic); "
    "to change a tape.Variable, use v.assign(...).",
)
_READS = (
    "it reads data from a file, a buffer or an iterator into a new NumPy array",
    "Wrap the result with tape.constant.",
)
_SAVES = (
    "it writes values to a file, which a gradient cannot flow through",
    "Save t.numpy().",
)
_DATES = (
    "it works on dates (datetime64), which tensors do not hold",
    "Call it on NumPy arrays.",
)
_EMATH = (
    "its result's dtype depends on the values (complex where a real input is out of the "
    "real domain), and no rule is written for that",
    "Make the input complex first and use NumPy's own functions: np.sqrt(x + 0j), "
    "np.log(x + 0j), np.power(x + 0j, p) are differentiated.",
)
_POLY = (
    _NO_RULE,
    "Write it with arithmetic on the coefficient tensors (np.polyval: Horner's rule, "
    f"y = y * x + c for each coefficient c); {_CUSTOM}.",
)
_NAN_STATS = (
    _NO_RULE,
    "Select the non-NaN values first: f(x[~np.isnan(x)]) with f the plain reduction.",
)
_SETS = (
    "it returns input values as a set, and no rule exists for that yet",
    "Get indices instead (np.unique(x, return_index=True), np.isin, np.flatnonzero) and "
    "gather the values with x[indices].",
)
_PYFUNC = (
    "it calls a Python function on plain NumPy slices, out of the tape's sight",
    "Call the function on the tensor (or its slices, joined with np.stack): tape records "
    "the ops it uses.",
)

UNSUPPORTED: dict[str, tuple[str, str]] = {
    # the bin edges are values that depend on the data (its min and max): constants would
    # silently drop that dependence
    **dict.fromkeys(
        ["np.histogram", "np.histogram2d", "np.histogramdd", "np.histogram_bin_edges"],
        ("its bin edges depend on the values (their range), and no rule exists for that yet",
         "The counts have no gradient: call it on x.numpy() or on tape.stop_gradient(x), "
         "which make the edges constants explicitly; with weights, sum them per bin with a "
         "one-hot matrix of np.digitize's bins."),
    ),
    # converting and copying
    **dict.fromkeys(
        ["np.array", "np.asarray", "np.asanyarray", "np.ascontiguousarray",
         "np.asfortranarray", "np.asarray_chkfinite", "np.asmatrix", "np.bmat", "np.require",
         "np.copy", "np.astype", "np.from_dlpack", "np.nested_iters"],
        _CONVERT,
    ),
    **dict.fromkeys(
        ["np.format_float_positional", "np.format_float_scientific", "np.isfortran"],
        ("it reads a NumPy scalar or array itself, not a tensor's value",
         "Pass t.numpy()."),
    ),
    # writing in place
    **dict.fromkeys(
        ["np.copyto", "np.put", "np.place", "np.putmask", "np.fill_diagonal",
         "np.put_along_axis"],
        _WRITES,
    ),
    # input and output
    **dict.fromkeys(
        ["np.load", "np.loadtxt", "np.genfromtxt", "np.fromfile", "np.frombuffer",
         "np.fromstring", "np.fromregex", "np.fromiter"],
        _READS,
    ),
    **dict.fromkeys(["np.save", "np.savez", "np.savez_compressed", "np.savetxt"], _SAVES),
    # dates
    **dict.fromkeys(
        ["np.busday_count", "np.busday_offset", "np.is_busday", "np.datetime_as_string",
         "np.datetime_data", "np.isnat"],
        _DATES,
    ),
    # complex values
    **dict.fromkeys(
        ["np.sort_complex"],
        ("it sorts complex numbers by their real, then imaginary parts, an order with no "
         "derivative", "Sort by a real key instead: z[np.argsort(np.real(z))]."),
    ),
    "np.roots": (
        _NO_RULE,
        "Find the roots with your own iteration on tensors (Newton's method, which a tape "
        f"differentiates), or from the companion matrix's eigenvalues; {_CUSTOM}.",
    ),
    # elementwise functions without a rule yet
    "np.cbrt": (_NO_RULE, "Use np.sign(x) * np.abs(x) ** (1 / 3)."),
    "np.float_power": (_NO_RULE, "Use np.power on float64 tensors."),
    "np.positive": (_NO_RULE, "Use the tensor itself: +x is x."),
    "np.copysign": (_NO_RULE,
                    "Use np.abs(x1) * np.sign(x2) where x2 is nonzero."),
    "np.heaviside": (_NO_RULE,
                     "Use np.where(x1 > 0, 1.0, np.where(x1 < 0, 0.0, x2))."),
    "np.ldexp": (_NO_RULE, "Use x1 * 2.0 ** x2."),
    "np.frexp": (_NO_RULE,
                 "Get the exponent e from np.frexp(x.numpy())[1] and use x / 2.0 ** e."),
    "np.modf": (_NO_RULE,
                "Use x - np.trunc(x) for the fractional part and np.trunc(x) for the "
                "integral part."),
    "np.fmod": (_NO_RULE, "Use x1 - np.trunc(x1 / x2) * x2."),
    "np.divmod": (_NO_RULE, "Use np.floor_divide(x1, x2) and np.remainder(x1, x2)."),
    "np.nextafter": (_NO_RULE,
                     "The result differs from x1 by one unit in the last place: use x1."),
    "np.i0": (_NO_RULE,
              f"Its derivative is the modified Bessel function I1: {_CUSTOM}."),
    "np.unwrap": (_NO_RULE,
                  "It adds constant multiples of the period: x + (np.unwrap(x.numpy()) - "
                  "x.numpy()) has the same value and gradient 1."),
    # products and statistics
    "np.matvec": (_NO_RULE, "Use np.matmul(A, x[..., None])[..., 0]."),
    "np.vecdot": (_NO_RULE, "Use np.sum(np.conj(x1) * x2, axis=-1)."),
    "np.linalg.vecdot": (_NO_RULE, "Use np.sum(np.conj(x1) * x2, axis=-1)."),
    "np.vecmat": (_NO_RULE, "Use np.matmul(x[..., None, :], A)[..., 0, :]."),
    "np.linalg.cross": (_NO_RULE, "Use np.cross(x1, x2, axis=-1)."),
    "np.convolve": (_NO_RULE,
                    "Write it as a sum of shifted products, or as a matrix product with a "
                    "Toeplitz matrix of one input."),
    "np.correlate": (_NO_RULE,
                     "Write it as a sum of shifted products, or as a matrix product with a "
                     "Toeplitz matrix of one input."),
    "np.cov": (_NO_RULE,
               "c = x - np.mean(x, axis=1, keepdims=True); c @ c.T / (n - 1)."),
    "np.corrcoef": (_NO_RULE,
                    "Compute the covariance with np.mean and @, then divide by the outer "
                    "product of the standard deviations."),
    "np.nancumsum": (_NO_RULE, "Use np.cumsum(np.where(np.isnan(x), 0.0, x))."),
    "np.nancumprod": (_NO_RULE, "Use np.cumprod(np.where(np.isnan(x), 1.0, x))."),
    **dict.fromkeys(
        ["np.nanstd", "np.nanvar", "np.nanmedian", "np.nanpercentile", "np.nanquantile"],
        _NAN_STATS,
    ),
    # building and rearranging arrays
    "np.logspace": (_NO_RULE, "Use base ** np.linspace(start, stop, num)."),
    "np.geomspace": (_NO_RULE,
                     "Use np.exp(np.linspace(np.log(start), np.log(stop), num))."),
    "np.block": (_NO_RULE, "Join the blocks with nested np.concatenate calls."),
    "np.broadcast_arrays": (_NO_RULE,
                            "Use np.broadcast_to(x, shape) on each array."),
    "np.meshgrid": (_NO_RULE,
                    "Reshape each vector and np.broadcast_to the common shape."),
    "np.diagflat": (_NO_RULE, "Use np.diag(np.ravel(x))."),
    "np.vander": (_NO_RULE, "Use x[:, None] ** np.arange(n - 1, -1, -1)."),
    "np.choose": (_NO_RULE, "Use np.where (or np.select) on the choices."),
    "np.compress": (_NO_RULE, "Use tape.boolean_mask(x, condition, axis)."),
    "np.extract": (_NO_RULE,
                   "Use tape.boolean_mask(np.ravel(x), np.ravel(condition))."),
    "np.delete": (_NO_RULE, "Keep the other entries with np.take(x, kept, axis)."),
    "np.insert": (_NO_RULE, "Join the pieces with np.concatenate."),
    "np.resize": (_NO_RULE, "Use np.tile and np.reshape, or slicing."),
    "np.trim_zeros": (_NO_RULE,
                      "Slice: x[i:j] with i and j from np.flatnonzero(x)."),
    **dict.fromkeys(
        ["np.intersect1d", "np.union1d", "np.setdiff1d", "np.setxor1d"], _SETS
    ),
    # calling Python functions
    **dict.fromkeys(["np.apply_along_axis", "np.apply_over_axes"], _PYFUNC),
    "np.piecewise": ("it calls Python functions on plain NumPy slices, out of the tape's sight",
                     "Use np.where(condition, f1(x), f2(x))."),
    "np.frompyfunc": ("it makes an object ufunc that runs a Python function on each element",
                      "Call the Python function on tensors directly: tape records the ops "
                      "it uses."),
    # polynomials
    **dict.fromkeys(
        ["np.poly", "np.polyadd", "np.polysub", "np.polymul", "np.polydiv", "np.polyder",
         "np.polyint", "np.polyval"],
        _POLY,
    ),
    "np.polyfit": (_NO_RULE,
                   "Solve the normal equations: v = x[:, None] ** np.arange(deg, -1, -1); "
                   "np.linalg.solve(v.T @ v, v.T @ y)."),
    # linear algebra
    "np.linalg.lstsq": (_NO_RULE,
                        "For a full column rank a use np.linalg.solve(a.T @ a, a.T @ b), or "
                        "np.linalg.pinv(a) @ b."),
    "np.linalg.tensorinv": (_NO_RULE,
                            "Reshape to a matrix, use np.linalg.inv, reshape back."),
    "np.linalg.tensorsolve": (_NO_RULE,
                              "Reshape to a matrix equation and use np.linalg.solve."),
}

# Public submodules whose callables are not classified one by one: (status, reason, fix).
NAMESPACES: dict[str, tuple[str, str, str]] = {
    "np.random": (
        UNSUPPORTED_STATUS,
        "random draws are not differentiable, and these functions do not dispatch to tape "
        "(a watched tensor passed to them is refused on conversion)",
        "Reparameterise: draw a standard sample as a constant and transform it with tape ops "
        "(mu + sigma * np.random.default_rng().standard_normal(shape)).",
    ),
    "np.emath": (UNSUPPORTED_STATUS, *_EMATH),
    "np.lib.scimath": (UNSUPPORTED_STATUS, *_EMATH),
    "np.strings": (UNSUPPORTED_STATUS, "works on strings, which tensors do not hold",
                   "Call it on NumPy arrays."),
    "np.char": (UNSUPPORTED_STATUS, "works on strings, which tensors do not hold",
                "Call it on NumPy arrays."),
    "np.rec": (UNSUPPORTED_STATUS, "works on record arrays, which tensors do not hold",
               "Call it on NumPy arrays."),
    "np.ma": (UNSUPPORTED_STATUS, "masked arrays are a separate array type",
              "Select values with tape.boolean_mask or np.where instead."),
    "np.polynomial": (UNSUPPORTED_STATUS, "polynomial classes hold NumPy coefficient arrays",
                      "Evaluate polynomials with arithmetic on tensors (Horner's rule)."),
    "np.lib": (UNSUPPORTED_STATUS, "no gradient rules (stride tricks, array utilities)",
               "Use the np.* function of the same purpose, or slicing and np.stack."),
    "np.testing": (NO_GRADIENT_STATUS, "test assertions: compare t.numpy() with expected "
                   "values", ""),
    "np.ctypeslib": (UNSUPPORTED_STATUS, "C interoperability", "Pass t.numpy()."),
    "np.f2py": (NO_GRADIENT_STATUS, "a Fortran wrapper generator, not array functions", ""),
    "np.typing": (NO_GRADIENT_STATUS, "type annotations, not array functions", ""),
    "np.dtypes": (NO_GRADIENT_STATUS, "dtype classes, not array functions", ""),
    "np.exceptions": (NO_GRADIENT_STATUS, "exception classes, not array functions", ""),
    "np.core": (NO_GRADIENT_STATUS, "a deprecated alias of NumPy's internals; use np.*", ""),
}

GENERIC_FIX = (
    "Use a tape op instead (see tape.math, tape.nn, tape.linalg), compute it outside the "
    f"tape on t.numpy(), {_CUSTOM}."
)

# ----------------------------------------------------------------------------- lookup


def resolve(path: str) -> Any:
    """The object at a public path such as ``"np.linalg.lstsq"`` (None when this NumPy has
    no such name)."""
    obj: Any = np
    for part in path.split(".")[1:]:
        obj = getattr(obj, part, None) if isinstance(obj, types.ModuleType) else None
        if obj is None:
            return None
    return obj


class _Tables(NamedTuple):
    """The tables keyed by the objects their public paths name."""

    no_gradient: dict[Any, tuple[str, str]]
    unsupported: dict[Any, tuple[str, tuple[str, str]]]
    arguments: dict[Any, tuple[str, tuple[str, int, str]]]
    notes: dict[Any, tuple[str, str]]
    delegates: dict[Any, tuple[str, str]]
    writes: frozenset


def _by_object(table: dict[str, Any]) -> dict[Any, tuple[str, Any]]:
    out: dict[Any, tuple[str, Any]] = {}
    for path, entry in table.items():
        obj = resolve(path)
        if obj is not None and not isinstance(obj, types.ModuleType):
            out.setdefault(obj, (path, entry))
    return out


@functools.cache
def _tables() -> _Tables:
    """Made on first use: resolving the paths imports np.fft."""
    unsupported = _by_object(UNSUPPORTED)
    return _Tables(
        no_gradient=_by_object(NO_GRADIENT),
        unsupported=unsupported,
        arguments=_by_object(DIFFERENTIABLE_ARGUMENTS),
        notes=_by_object(NOTES),
        delegates=_by_object(DELEGATES),
        writes=frozenset(obj for obj, (_, entry) in unsupported.items() if entry is _WRITES),
    )


def writes_in_place(func: Any) -> bool:
    """Whether ``func`` writes into its first argument (``np.copyto``, ``np.put``...)."""
    return func in _tables().writes


@dataclass(frozen=True)
class Coverage:
    """How tape treats one NumPy callable: ``status`` (one of ``"differentiable"``,
    ``"no gradient"``, ``"unsupported"``), a one-line ``note`` (for an unsupported function,
    the reason) and, for an unsupported one, the ``fix``."""

    status: str
    note: str = ""
    fix: str = ""


def classify(func: Any) -> Coverage | None:
    """How tape treats the NumPy function or ufunc ``func``: None when it is not classified.

    ``differentiable`` is read off the registries (a ``FUNCTIONS`` handler, or a ``UFUNCS``
    op whose primitive is differentiable); the other statuses come from the tables above.
    """
    tables = _tables()
    found = tables.no_gradient.get(func)
    if found is not None:
        return Coverage(NO_GRADIENT_STATUS, found[1])
    if func in FUNCTIONS:
        return Coverage(DIFFERENTIABLE, tables.notes.get(func, ("", ""))[1])
    op = UFUNCS.get(func)
    if op is not None:
        prim = getattr(op, "prim", None)
        if prim is not None and not prim.differentiable:
            return Coverage(NO_GRADIENT_STATUS, f"{_BOOL} (tape's {prim.name} op, which is not "
                            "differentiable)")
        note = tables.notes.get(func, ("", ""))[1]
        return Coverage(DIFFERENTIABLE, note or (f"tape's {prim.name} op" if prim else ""))
    found = tables.unsupported.get(func)
    if found is not None:
        reason, fix = found[1]
        return Coverage(UNSUPPORTED_STATUS, reason, fix)
    found = tables.delegates.get(func)
    if found is not None:
        target = resolve(found[1])
        coverage = classify(target) if target is not None else None
        if coverage is not None:
            note = f"calls {found[1]}" + (f" ({coverage.note})" if coverage.note else "")
            return Coverage(coverage.status, note, coverage.fix)
    return None


def runs_without_gradient(func: Any) -> bool:
    """Whether ``func`` runs on tensors' values and returns NumPy's result even when a tape
    watches its inputs."""
    if func in _tables().no_gradient:
        return True
    op = UFUNCS.get(func)
    prim = getattr(op, "prim", None)
    return prim is not None and not prim.differentiable


def differentiable_argument(func: Any, args: tuple, kwargs: dict) -> tuple[str, Any, str]:
    """For a "no gradient" function with an argument that is differentiable (``weights`` of
    ``np.bincount``): (argument name, its value or None, fix)."""
    found = _tables().arguments.get(func)
    if found is None:
        return "", None, ""
    name, position, fix = found[1]
    value = kwargs.get(name, args[position] if len(args) > position else None)
    return name, value, fix


# ----------------------------------------------------------------------------- public names

_NAMES: dict[Any, str] = {}


def _public_module(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split("."))


def _module_aliases() -> dict[str, str]:
    """Modules that NumPy exposes under another public name: np.emath is numpy.lib.scimath."""
    out = {}
    for key, value in list(vars(np).items()):
        if isinstance(value, types.ModuleType) and not key.startswith("_"):
            out.setdefault(value.__name__, f"numpy.{key}")
    return out


def public_name(obj: Any, method: str | None = None) -> str:
    """The public path of a NumPy (or SciPy, or other library's) function or ufunc, as users
    write it: ``np.fft.fft``, ``np.linalg.lstsq``, ``np.add.at``, ``scipy.special.gammaln``;
    never an internal module such as ``numpy._core.fromnumeric``. Only modules already
    imported are searched (tape imports no library to name a function)."""
    name = _NAMES.get(obj)
    if name is None:
        name = _NAMES[obj] = _find_public_name(obj)
    return f"{name}.{method}" if method and method != "__call__" else name


def _short(module: str) -> str:
    return "np" + module[len("numpy"):] if module.split(".")[0] == "numpy" else module


def _find_public_name(obj: Any) -> str:
    attr = getattr(obj, "__name__", None)
    candidates: list[str] = []
    if isinstance(attr, str):
        for modname, module in list(sys.modules.items()):
            if module is None or not _public_module(modname):
                continue
            try:
                found = vars(module).get(attr)
            except TypeError:
                continue
            if found is obj:
                candidates.append(modname)
    if candidates:
        # NumPy's own namespace first, then the shortest path
        aliases = _module_aliases()
        candidates = [aliases.get(m, m) for m in candidates]
        best = min(candidates, key=lambda m: (m.split(".")[0] != "numpy", m.count("."), m))
        return f"{_short(best)}.{attr}"
    for path in WALKED:  # an alias whose name differs from __name__
        module = resolve(path)
        for key, value in vars(module).items():
            if value is obj and not key.startswith("_"):
                return f"{path}.{key}"
    if isinstance(obj, np.ufunc) and "O" in "".join(obj.types):
        return f"the object ufunc {attr!r} (made by np.frompyfunc)"
    module = getattr(obj, "__module__", None) or ""
    public = ".".join(p for p in module.split(".") if p)  # keep what is public of the path
    parts = []
    for p in public.split("."):
        if p.startswith("_"):
            break
        parts.append(p)
    prefix = _short(".".join(parts)) if parts else ""
    return f"{prefix}.{attr}" if prefix else str(attr or obj)


def namespace_of(path: str) -> tuple[str, tuple[str, str, str]] | None:
    """The classified namespace (longest prefix) that holds ``path``, if any."""
    best = None
    for prefix, entry in NAMESPACES.items():
        if path.startswith(prefix + ".") and (best is None or len(prefix) > len(best[0])):
            best = (prefix, entry)
    return best


# ----------------------------------------------------------------------------- messages

_WATCHED = "It was called on a tensor that a GradientTape is watching"

# what to use instead of a ufunc method, for the ufuncs with a differentiable tape op
_METHOD_FIXES = {
    ("add", "reduce"): "Use np.sum(x, axis=0).",
    ("multiply", "reduce"): "Use np.prod(x, axis=0).",
    ("maximum", "reduce"): "Use np.max(x, axis=0).",
    ("minimum", "reduce"): "Use np.min(x, axis=0).",
    ("add", "accumulate"): "Use np.cumsum(x, axis=0).",
    ("multiply", "accumulate"): "Use np.cumprod(x, axis=0).",
}


def _method_fix(ufunc: Any, method: str, path: str) -> str:
    fix = _METHOD_FIXES.get((ufunc.__name__, method))
    if fix:
        return fix
    call = path[: -len(method) - 1]
    if method == "reduce":
        return f"Use functools.reduce({call}, x) (along axis 0)."
    if method == "accumulate":
        return f"Use np.stack(list(itertools.accumulate(x, {call}))) (along axis 0)."
    if method == "outer":
        return f"Broadcast instead: {call}(a[:, None], b) for 1-d a and b."
    if method == "reduceat":
        return "Reduce each slice with the plain reduction and join them with np.stack."
    return GENERIC_FIX


# SciPy's special functions are ufuncs: those without a rule in tape.ops.scipy_special
_SCIPY_SPECIAL = (
    "tape differentiates a list of SciPy's special functions (those of tape.scipy.special), "
    "and this is not one of them",
    "Write it with functions that have rules (tape.scipy.special lists them), give it a "
    "gradient with tape.custom_gradient, or compute it outside the tape on t.numpy().",
)


def unsupported_error(func: Any, method: str | None = None) -> TypeError:
    """The error for ``func`` (a ufunc's ``method``) called on a watched tensor: its public
    path, why tape cannot differentiate it, and what to do instead."""
    path = public_name(func, method)
    coverage = classify(func) if not method or method == "__call__" else None
    if coverage is not None and coverage.status == UNSUPPORTED_STATUS:
        reason, fix = coverage.note, coverage.fix
    elif method and method != "__call__":
        reason = "of a ufunc only the call itself has a gradient rule, not its methods " \
            "(reduce, accumulate, reduceat, outer, at)"
        fix = _method_fix(func, method, path)
    elif path.startswith("scipy.special."):
        reason, fix = _SCIPY_SPECIAL
    else:
        space = namespace_of(path)
        if space is not None and space[1][0] == UNSUPPORTED_STATUS:
            reason, fix = space[1][1], space[1][2] or GENERIC_FIX
        else:
            reason, fix = _NO_RULE, GENERIC_FIX
    because = "" if reason == _NO_RULE else f": {reason}"
    return TypeError(
        f"{path} has no gradient rule in tape{because}. {_WATCHED}, so its result could not "
        f"be differentiated. {fix}"
    )


def keywords_error(func: Any, kwargs: dict) -> TypeError:
    """The error for a differentiable ufunc called with keyword arguments on a watched
    tensor."""
    path = public_name(func)
    given = ", ".join(f"{k}=" for k in kwargs)
    return TypeError(
        f"{path} on a tensor that a GradientTape is watching takes no keyword arguments in "
        f"tape (got {given}). Call {path}(...) with the inputs only; then cast with "
        "tape.cast, select with np.where, or use the returned value instead of out=."
    )


def argument_error(func: Any, name: str, fix: str) -> TypeError:
    """The error for a "no gradient" function given a watched differentiable argument."""
    path = public_name(func)
    return TypeError(
        f"{path} has no gradient rule in tape for its argument {name}=, which is a tensor "
        f"that a GradientTape is watching, so the result could not be differentiated. "
        f"Instead, {fix}."
    )


def writes_error(func: Any, method: str | None = None, argument: str = "") -> TypeError:
    """The error for writing into a tensor in place (``out=`` or a function that fills its
    first argument)."""
    path = public_name(func, method)
    what = f"its {argument} argument" if argument else "its first argument"
    return TypeError(
        f"{path} would write into {what}, a tape tensor, in place; tensors are immutable. "
        "Use the returned value (y = f(x) rather than out=y), compute a new tensor "
        "(np.where, np.concatenate, arithmetic), or for a tape.Variable use v.assign(...)."
    )


# ----------------------------------------------------------------------------- the walk


def public_callables(path: str) -> dict[str, Any]:
    """The public callables of the namespace at ``path`` (``"np"``, ``"np.linalg"``...), by
    public path: names in ``__all__`` or in ``dir()`` without a leading underscore, that are
    callable, and are neither classes (np.ndarray, np.dtype, scalar types, np.vectorize,
    np.errstate...) nor modules."""
    module = resolve(path) if path != "np" else np
    names = set(getattr(module, "__all__", ())) | {
        n for n in dir(module) if not n.startswith("_")
    }
    out = {}
    for name in sorted(names):
        try:
            obj = getattr(module, name)
        except AttributeError:
            continue
        if isinstance(obj, (type, types.ModuleType)) or not callable(obj):
            continue
        out[f"{path}.{name}"] = obj
    return out


def public_submodules() -> list[str]:
    """The public submodules of ``numpy`` (``np.random``, ``np.fft``, ...)."""
    names = set(getattr(np, "__all__", ())) | {n for n in dir(np) if not n.startswith("_")}
    out = []
    for name in sorted(names):
        try:
            obj = getattr(np, name)
        except AttributeError:
            continue
        if isinstance(obj, types.ModuleType):
            out.append(f"np.{name}")
    return out
