"""NumPy's API on tensors: every public callable classified, and each class behaving as declared.

- Functions with no meaningful gradient (indices, booleans, counts, shapes, dtypes...) run on
  watched tensors and variables and return exactly what NumPy returns on the plain values,
  without converting a tensor through ``np.asarray``.
- Every public callable of ``numpy``, ``numpy.linalg`` and ``numpy.fft`` is classified
  (differentiable, read off the registries; no gradient; unsupported with a reason), every
  other public submodule as a whole; a stale or missing entry fails.
- Unsupported functions on a watched tensor raise a TypeError naming the function by its
  public path, the reason and the fix; writing into a tensor in place is refused.
- Every differentiable NumPy function has op-sweep samples.
"""

from __future__ import annotations

import functools
import sys
import types

import numpy as np
import pytest

import tape
from tape._registry import FUNCTIONS, UFUNCS
from tape._tensor import _ArrayLike
from tape.ops import _numpy_api as api
from tests.samples import load, resolve

# Differentiable NumPy functions that have a handler but no op-sweep samples under their
# public path yet (see test_every_differentiable_function_has_sweep_samples).
SAMPLES_PENDING = frozenset(
    f"np.{name}" for name in """
    amax amin around broadcast_to clip concat concatenate cumprod cumsum diag diagonal dot
    expand_dims inner matmul matrix_transpose max mean min outer pad permute_dims prod ravel
    reshape round squeeze stack std sum swapaxes tensordot tile trace transpose
    unstack var where
    linalg.cholesky linalg.det linalg.diagonal linalg.inv linalg.matmul
    linalg.matrix_transpose linalg.outer linalg.qr linalg.slogdet linalg.solve linalg.svd
    linalg.svdvals linalg.tensordot linalg.trace
    """.split()
)


def _current(names: frozenset[str]) -> list[str]:
    """The names that this NumPy has."""
    return sorted(n for n in names if api.resolve(n) is not None)


# ============================================================================ no gradient

INPUTS = {
    "a": np.array([3.0, 1.0, 2.0, 2.5]),
    "b": np.array([3.0, 1.5, 2.0, 4.0]),
    "m": np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -2.5]]),
    "s": np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]]),
    "sorted": np.array([1.0, 2.0, 3.0]),
    "special": np.array([1.0, np.nan, -np.inf, np.inf, -0.0]),
    "i": np.array([0, 3, 1, 1]),
    "j": np.array([5, 2, 6, 3]),
    "flags": np.array([True, False, True, True]),
    "bytes": np.array([1, 255, 16], dtype=np.uint8),
}

# (public path, call, names of its inputs in INPUTS): each call runs once on the plain
# values and once on tensors (the float ones watched), and must give the same result.
CASES = [
    # orderings and indices
    ("np.argsort", lambda a: np.argsort(a), "a"),
    ("np.argpartition", lambda a: np.argpartition(a, 1), "a"),
    ("np.lexsort", lambda a, b: np.lexsort((a, b)), "a b"),
    ("np.argmax", lambda m: np.argmax(m, axis=1), "m"),
    ("np.argmin", lambda a: np.argmin(a), "a"),
    ("np.nanargmax", lambda a: np.nanargmax(a), "a"),
    ("np.nanargmin", lambda a: np.nanargmin(a), "a"),
    ("np.searchsorted", lambda s, a: np.searchsorted(s, a), "sorted a"),
    ("np.digitize", lambda a, s: np.digitize(a, s), "a sorted"),
    ("np.nonzero", lambda m: np.nonzero(m), "m"),
    ("np.flatnonzero", lambda m: np.flatnonzero(m), "m"),
    ("np.argwhere", lambda m: np.argwhere(m), "m"),
    ("np.where", lambda m: np.where(m), "m"),
    ("np.unravel_index", lambda i: np.unravel_index(i, (2, 2)), "i"),
    ("np.ravel_multi_index", lambda i, j: np.ravel_multi_index((i, j), (4, 7)), "i j"),
    ("np.diag_indices", lambda: np.diag_indices(3), ""),
    ("np.diag_indices_from", lambda s: np.diag_indices_from(s), "s"),
    ("np.tril_indices", lambda: np.tril_indices(3, -1), ""),
    ("np.tril_indices_from", lambda s: np.tril_indices_from(s), "s"),
    ("np.triu_indices", lambda: np.triu_indices(3, 1, 4), ""),
    ("np.triu_indices_from", lambda m: np.triu_indices_from(m, 1), "m"),
    ("np.mask_indices", lambda: np.mask_indices(3, np.triu), ""),
    ("np.indices", lambda: np.indices((2, 3)), ""),
    ("np.ix_", lambda i, j: np.ix_(i, j), "i j"),
    # booleans
    ("np.allclose", lambda a, b: np.allclose(a, b, atol=0.6), "a b"),
    ("np.isclose", lambda a, b: np.isclose(a, b), "a b"),
    ("np.array_equal", lambda a, b: np.array_equal(a, b), "a b"),
    ("np.array_equiv", lambda s: np.array_equiv(s, s[0]), "s"),
    ("np.all", lambda m: np.all(m > -2, axis=0), "m"),
    ("np.any", lambda m: np.any(m), "m"),
    ("np.isfinite", lambda x: np.isfinite(x), "special"),
    ("np.isnan", lambda x: np.isnan(x), "special"),
    ("np.isinf", lambda x: np.isinf(x), "special"),
    ("np.isneginf", lambda x: np.isneginf(x), "special"),
    ("np.isposinf", lambda x: np.isposinf(x), "special"),
    ("np.signbit", lambda x: np.signbit(x), "special"),
    ("np.iscomplex", lambda a: np.iscomplex(a), "a"),
    ("np.isreal", lambda a: np.isreal(a), "a"),
    ("np.iscomplexobj", lambda a: np.iscomplexobj(a), "a"),
    ("np.isrealobj", lambda a: np.isrealobj(a), "a"),
    ("np.isin", lambda a, b: np.isin(a, b), "a b"),
    ("np.isscalar", lambda a: np.isscalar(a), "a"),
    ("np.iterable", lambda a: np.iterable(a), "a"),
    ("np.shares_memory", lambda a, b: np.shares_memory(a, b), "a b"),
    ("np.may_share_memory", lambda a, b: np.may_share_memory(a, b), "a b"),
    ("np.equal", lambda a, b: np.equal(a, b), "a b"),
    ("np.not_equal", lambda a, b: np.not_equal(a, b), "a b"),
    ("np.less", lambda a, b: np.less(a, b), "a b"),
    ("np.less_equal", lambda a, b: np.less_equal(a, b), "a b"),
    ("np.greater", lambda a, b: np.greater(a, b), "a b"),
    ("np.greater_equal", lambda a, b: np.greater_equal(a, b), "a b"),
    ("np.logical_and", lambda a, b: np.logical_and(a > 2, b), "a b"),
    ("np.logical_or", lambda a, b: np.logical_or(a > 2, b > 3), "a b"),
    ("np.logical_xor", lambda a, b: np.logical_xor(a > 2, b > 3), "a b"),
    ("np.logical_not", lambda a: np.logical_not(a > 2), "a"),
    # counts
    ("np.count_nonzero", lambda m: np.count_nonzero(m, axis=0), "m"),
    ("np.linalg.matrix_rank", lambda s: np.linalg.matrix_rank(s), "s"),
    ("np.bincount", lambda i: np.bincount(i, minlength=5), "i"),
    # unique values
    ("np.unique", lambda a: np.unique(a, return_index=True, return_counts=True), "a"),
    ("np.unique_all", lambda a: np.unique_all(a), "a"),
    ("np.unique_counts", lambda a: np.unique_counts(a), "a"),
    ("np.unique_inverse", lambda a: np.unique_inverse(a), "a"),
    ("np.unique_values", lambda a: np.unique_values(a), "a"),
    # shapes and dtypes
    ("np.shape", lambda m: np.shape(m), "m"),
    ("np.ndim", lambda m: np.ndim(m), "m"),
    ("np.size", lambda m: np.size(m, 1), "m"),
    ("np.broadcast_shapes", lambda: np.broadcast_shapes((2, 1), (3,)), ""),
    ("np.result_type", lambda a, i: np.result_type(a, i), "a i"),
    ("np.can_cast", lambda a: np.can_cast(a, np.float32), "a"),
    ("np.min_scalar_type", lambda a: np.min_scalar_type(a), "a"),
    ("np.common_type", lambda a, m: np.common_type(a, m), "a m"),
    ("np.mintypecode", lambda: np.mintypecode("fd"), ""),
    ("np.promote_types", lambda: np.promote_types("f4", "i8"), ""),
    ("np.isdtype", lambda a: np.isdtype(a.dtype, "real floating"), "a"),
    ("np.issubdtype", lambda a: np.issubdtype(a.dtype, np.floating), "a"),
    ("np.typename", lambda: np.typename("d"), ""),
    # integer and bitwise arithmetic
    ("np.bitwise_and", lambda i, j: np.bitwise_and(i, j), "i j"),
    ("np.bitwise_or", lambda i, j: np.bitwise_or(i, j), "i j"),
    ("np.bitwise_xor", lambda i, j: np.bitwise_xor(i, j), "i j"),
    ("np.bitwise_count", lambda j: np.bitwise_count(j), "j"),
    ("np.invert", lambda i: np.invert(i), "i"),
    ("np.left_shift", lambda i, j: np.left_shift(i, j), "i j"),
    ("np.right_shift", lambda j, i: np.right_shift(j, i), "j i"),
    ("np.gcd", lambda i, j: np.gcd(i, j), "i j"),
    ("np.lcm", lambda i, j: np.lcm(i, j), "i j"),
    ("np.packbits", lambda f: np.packbits(f), "flags"),
    ("np.unpackbits", lambda u: np.unpackbits(u), "bytes"),
    # piecewise constant
    ("np.trunc", lambda m: np.trunc(m * 1.5), "m"),
    ("np.fix", lambda m: np.fix(m * 1.5), "m"),
    ("np.spacing", lambda a: np.spacing(a), "a"),
    # new arrays from shapes or numbers
    ("np.zeros", lambda m: np.zeros(np.shape(m)), "m"),
    ("np.ones", lambda m: np.ones(np.shape(m)), "m"),
    ("np.empty", lambda: np.empty((2, 3)).shape, ""),
    ("np.full", lambda: np.full((2,), 3.0), ""),
    ("np.eye", lambda: np.eye(3, k=1), ""),
    ("np.identity", lambda: np.identity(2), ""),
    ("np.tri", lambda: np.tri(3), ""),
    ("np.arange", lambda: np.arange(1.0, 3.0, 0.5), ""),
    ("np.bartlett", lambda: np.bartlett(5), ""),
    ("np.blackman", lambda: np.blackman(5), ""),
    ("np.hamming", lambda: np.hamming(5), ""),
    ("np.hanning", lambda: np.hanning(5), ""),
    ("np.kaiser", lambda: np.kaiser(5, 2.0), ""),
    ("np.fft.fftfreq", lambda: np.fft.fftfreq(8, 0.5), ""),
    ("np.fft.rfftfreq", lambda: np.fft.rfftfreq(8), ""),
    ("np.zeros_like", lambda m: np.zeros_like(m), "m"),
    ("np.ones_like", lambda m: np.ones_like(m, dtype=np.float32), "m"),
    ("np.empty_like", lambda m: np.empty_like(m).shape, "m"),
    ("np.full_like", lambda m: np.full_like(m, 7.0), "m"),
    ("np.fromfunction", lambda: np.fromfunction(lambda i, j: i + 2 * j, (2, 3)), ""),
    # text
    ("np.array2string", lambda m: np.array2string(m, precision=2), "m"),
    ("np.array_repr", lambda m: np.array_repr(m), "m"),
    ("np.array_str", lambda a: np.array_str(a), "a"),
    ("np.base_repr", lambda: np.base_repr(10, 3), ""),
    ("np.binary_repr", lambda: np.binary_repr(5), ""),
    ("np.einsum_path", lambda m, s: np.einsum_path("ij,jk->ik", m, s), "m s"),
]

# "no gradient" functions that take no arrays at all: nothing to compare on tensors.
NO_ARRAY_ARGUMENTS = frozenset(
    f"np.{name}" for name in """
    get_include get_printoptions set_printoptions printoptions getbufsize setbufsize geterr
    seterr geterrcall seterrcall show_config show_runtime info test linalg.test fft.test
    """.split()
)

# Functions NumPy gives the tensor itself (it does not dispatch them): they see a tensor
# as an object, not as its value, so their result is compared with theirs on a NumPy array.
NOT_DISPATCHED_SAME_AS_ARRAY = {"np.isscalar", "np.iterable"}


@pytest.fixture
def no_conversion(monkeypatch):
    """Make converting any tensor or variable to an array an error, so that a function that
    runs on tensors is seen to read their values (``._value``), never ``np.asarray``."""

    def refuse(self, dtype=None, copy=None):
        raise AssertionError("a tensor was converted with __array__")

    monkeypatch.setattr(_ArrayLike, "__array__", refuse)


def _value(x):
    return x._value if isinstance(x, (tape.Tensor, tape.Variable)) else x


def assert_same(got, expected, where: str = "result") -> None:
    """``got`` is NumPy's result ``expected``: the same structure, values, dtypes and types
    (a tensor stands for its value)."""
    if isinstance(got, (tape.Tensor, tape.Variable)):
        got = got._value
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and type(got) is type(expected), (where, got)
        assert len(got) == len(expected), where
        for k, (g, e) in enumerate(zip(got, expected)):
            assert_same(g, e, f"{where}[{k}]")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), (where, got)
        for k, (g, e) in enumerate(zip(got, expected)):
            assert_same(g, e, f"{where}[{k}]")
    elif isinstance(expected, (np.ndarray, np.generic)):
        got_arr = np.asarray(got)
        assert got_arr.dtype == expected.dtype, (where, got_arr.dtype, expected.dtype)
        np.testing.assert_array_equal(got_arr, expected, err_msg=where)
    else:
        assert type(got) is type(expected) and got == expected, (where, got, expected)


def _float_tensors(result) -> list:
    if isinstance(result, (tape.Tensor, tape.Variable)):
        return [result] if result.dtype.kind == "f" else []
    if isinstance(result, (list, tuple)):
        return [t for r in result for t in _float_tensors(r)]
    return []


def _run(call, names: str, kind: str):
    plain = [INPUTS[n].copy() for n in names.split()]
    expected = call(*plain)
    if kind == "variable":
        args = [tape.Variable(v) for v in plain]
    else:
        args = [tape.constant(v) for v in plain]
    with tape.GradientTape(persistent=True) as t:
        t.watch([x for x in args if x.dtype.kind == "f"])
        got = call(*args)
    for x, v in zip(args, plain):
        np.testing.assert_array_equal(_value(x), v)  # inputs untouched
    return got, expected, t, args


@pytest.mark.parametrize("kind", ["tensor", "variable"])
@pytest.mark.parametrize(("path", "call", "names"), CASES, ids=[c[0] for c in CASES])
def test_runs_on_watched_values_and_returns_what_numpy_returns(
    path, call, names, kind, no_conversion
):
    got, expected, t, args = _run(call, names, kind)
    assert_same(got, expected, path)
    # nothing differentiable comes out: no float tensor, or one with no path to the inputs
    for out in _float_tensors(got):
        sources = [x for x in args if x.dtype.kind == "f"]
        assert all(g is None for g in t.gradient(out, sources)), path


def test_every_no_gradient_function_has_a_case():
    covered = {path for path, _, _ in CASES}
    for path in _current(frozenset(api.NO_GRADIENT)):
        assert path in covered or path in NO_ARRAY_ARGUMENTS, f"{path}: add a case to CASES"
    for path, _, _ in CASES:
        coverage = api.classify(api.resolve(path))
        assert coverage is not None and (
            coverage.status == api.NO_GRADIENT_STATUS or path == "np.where"
        ), path


def test_functions_taking_no_arrays_run():
    """The configuration and information functions need no tensors: they are classified so
    that the coverage page lists them."""
    for path in _current(NO_ARRAY_ARGUMENTS):
        assert api.classify(api.resolve(path)).status == api.NO_GRADIENT_STATUS, path
    old = np.geterr()
    assert np.seterr(**old) == old
    assert np.getbufsize() > 0


def test_fromfunction_records_the_ops_of_its_function():
    """np.fromfunction hands index grids to the function: tensor ops inside it are recorded.
    f = sum_ij (i + j) * w with i in 0..1, j in 0..2: df/dw = sum (i + j) = 9."""
    w = tape.constant(2.0, dtype=tape.float64)
    with tape.GradientTape() as t:
        t.watch(w)
        y = np.sum(np.fromfunction(lambda i, j: (i + j) * w, (2, 3)))
    assert float(t.gradient(y, w)) == 9.0


def test_existing_handlers_keep_their_results():
    """np.argmax, np.all, np.isnan and np.where(cond) on a watched tensor keep returning
    tensors, as before; their values are NumPy's."""
    m = tape.constant(INPUTS["m"])
    with tape.GradientTape() as t:
        t.watch(m)
        amax = np.argmax(m)
        everywhere = np.all(m > -3)
        nan = np.isnan(m)
        where = np.where(m > 0)
    for got, expected in [(amax, np.argmax(INPUTS["m"])), (everywhere, np.all(INPUTS["m"] > -3)),
                          (nan, np.isnan(INPUTS["m"]))]:
        assert isinstance(got, tape.Tensor)
        assert_same(got._value, np.asarray(expected)[()])
    for got, expected in zip(where, np.where(INPUTS["m"] > 0)):
        np.testing.assert_array_equal(got._value, expected)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda x: np.bincount(np.array([0, 1, 1]), weights=x[:3]), "np.bincount"),
        (lambda x: np.full_like(x, x[0]), "np.full_like"),
    ],
    ids=["bincount", "full_like"],
)
def test_a_watched_differentiable_argument_of_a_no_gradient_function_raises(call, name):
    """The counts of np.bincount(x, weights=w) are linear in w: with w watched, refuse."""
    x = tape.constant([1.0, 2.0, 3.0], dtype=tape.float64)
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError) as info:
            call(x)
    message = str(info.value)
    assert message.startswith(f"{name} has no gradient rule in tape for its argument ")
    assert "GradientTape is watching" in message and "Instead, " in message
    call(tape.constant([1.0, 2.0, 3.0]))  # unwatched: runs


# ============================================================================ classification


def _walk(module: types.ModuleType, prefix: str) -> dict[str, object]:
    """The public callables of a namespace: in ``__all__`` or ``dir()`` without a leading
    underscore, callable, and neither a class nor a module."""
    names = set(getattr(module, "__all__", ())) | {
        n for n in dir(module) if not n.startswith("_")
    }
    out = {}
    for name in names:
        obj = getattr(module, name, None)
        if obj is None or isinstance(obj, (type, types.ModuleType)) or not callable(obj):
            continue
        out[f"{prefix}.{name}"] = obj
    return out


PUBLIC = {**_walk(np, "np"), **_walk(np.linalg, "np.linalg"), **_walk(np.fft, "np.fft")}


def test_the_walk_matches_the_documented_namespaces():
    """The coverage page walks the same namespaces and finds the same callables."""
    walked = {}
    for path in api.WALKED:
        walked.update(api.public_callables(path))
    assert walked == PUBLIC


def test_every_public_numpy_callable_is_classified():
    missing = sorted(
        path for path, obj in PUBLIC.items()
        if api.classify(obj) is None
    )
    assert not missing, (
        "NumPy callables that tape does not classify: add each to NO_GRADIENT or UNSUPPORTED "
        f"in tape/ops/_numpy_api.py (or give it a handler): {missing}"
    )


def test_every_public_submodule_is_walked_or_classified():
    for path in api.public_submodules():
        assert path in api.WALKED or path in api.NAMESPACES, (
            f"{path} is a new public NumPy namespace: add it to NAMESPACES or WALKED"
        )
    for path in api.NAMESPACES:
        assert path not in api.WALKED, path


def test_no_unsupported_entry_has_a_handler():
    """A function that gained a handler is no longer unsupported: delete its entry."""
    stale = sorted(
        path for path in api.UNSUPPORTED
        if (obj := api.resolve(path)) is not None and (obj in FUNCTIONS or obj in UFUNCS)
    )
    assert not stale, f"stale UNSUPPORTED entries (they have handlers now): {stale}"


def test_the_tables_do_not_overlap_and_resolve():
    assert not set(api.NO_GRADIENT) & set(api.UNSUPPORTED)
    for path in api.DIFFERENTIABLE_ARGUMENTS:
        assert path in api.NO_GRADIENT, path
    for path, target in api.DELEGATES.items():
        assert path not in api.NO_GRADIENT and path not in api.UNSUPPORTED, path
        assert target not in api.DELEGATES, target
    if np.lib.NumpyVersion(np.__version__) >= "2.2.0":
        unknown = [p for p in [*api.NO_GRADIENT, *api.UNSUPPORTED] if api.resolve(p) is None]
        assert not unknown, f"entries naming nothing in NumPy {np.__version__}: {unknown}"
    # the same object is never classified twice, differently
    by_object: dict = {}
    for table in (api.NO_GRADIENT, api.UNSUPPORTED):
        for path in table:
            obj = api.resolve(path)
            if obj is not None:
                assert by_object.setdefault(obj, id(table)) == id(table), path


def test_differentiable_is_read_off_the_registries():
    delegates = {api.resolve(p): api.resolve(t) for p, t in api.DELEGATES.items()}
    for path, obj in PUBLIC.items():
        coverage = api.classify(obj)
        if coverage is None or coverage.status != api.DIFFERENTIABLE:
            continue
        obj = delegates.get(obj, obj)  # a function that calls a differentiable one
        assert obj in FUNCTIONS or obj in UFUNCS, path
        prim = getattr(UFUNCS.get(obj), "prim", None)
        assert prim is None or prim.differentiable, path
    assert api.classify(np.sin).status == api.DIFFERENTIABLE
    assert api.classify(np.equal).status == api.NO_GRADIENT_STATUS  # a non-differentiable op


# ============================================================================ unsupported


def _call_protocol(obj, x):
    """Call ``obj`` on ``x`` through tape's NumPy protocols, as NumPy's dispatch does."""
    if isinstance(obj, np.ufunc):
        return x.__array_ufunc__(obj, "__call__", *([x] * obj.nin))
    return x.__array_function__(obj, (tape.Tensor,), (x,), {})


@pytest.mark.parametrize("path", _current(frozenset(api.UNSUPPORTED)))
def test_unsupported_raises_naming_the_function_reason_and_fix(path):
    obj = api.resolve(path)
    x = tape.constant([1.0, 2.0, 3.0], dtype=tape.float64)
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError) as info:
            _call_protocol(obj, x)
    message = str(info.value)
    name = message.split(" ", 1)[0]
    assert name.startswith("np.") and "._" not in name, message
    assert api.resolve(name) is obj, (name, path)  # the public path (or an alias's)
    reason, fix = api.UNSUPPORTED[path]
    if api.writes_in_place(obj):
        assert message.startswith(f"{name} would write into its first argument"), message
    else:
        assert message.startswith(f"{name} has no gradient rule in tape"), message
        assert "GradientTape is watching" in message
        assert reason in message or reason == "no gradient rule yet", message
        assert message.endswith(fix), message


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda x: np.convolve(x, x), "np.convolve"),
        (lambda x: np.cov(x), "np.cov"),
        (lambda x: np.linalg.lstsq(np.eye(3), x), "np.linalg.lstsq"),
        (lambda x: np.linalg.tensorinv(np.diag(x), ind=1), "np.linalg.tensorinv"),
        (lambda x: np.polyval(x, 2.0), "np.polyval"),
        (lambda x: np.cbrt(x), "np.cbrt"),
        (lambda x: np.emath.sqrt(x), "np.emath.sqrt"),
        (lambda x: np.add.reduce(x), "np.add.reduce"),
        (lambda x: np.maximum.reduce(x), "np.maximum.reduce"),
        (lambda x: np.multiply.accumulate(x), "np.multiply.accumulate"),
        (lambda x: np.add.reduceat(x, [0, 2]), "np.add.reduceat"),
        (lambda x: np.subtract.outer(x, x), "np.subtract.outer"),
        (lambda x: np.logaddexp.reduce(x), "np.logaddexp.reduce"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_numpy_dispatch_names_the_public_path(call, name):
    x = tape.constant([3.0, 1.0, 2.0], dtype=tape.float64)
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError) as info:
            call(x)
    message = str(info.value)
    assert message.startswith(f"{name} has no gradient rule in tape"), message
    assert "numpy." not in message and "._" not in message, message
    call(tape.constant([3.0, 1.0, 2.0], dtype=tape.float64))  # unwatched: NumPy's result


def test_ufunc_method_fixes_name_what_to_use():
    x = tape.constant([3.0, 1.0, 2.0], dtype=tape.float64)
    expected = {
        "add.reduce": "np.sum(x, axis=0)", "maximum.reduce": "np.max(x, axis=0)",
        "multiply.accumulate": "np.cumprod(x, axis=0)",
        "logaddexp.reduce": "functools.reduce(np.logaddexp, x)",
    }
    with tape.GradientTape() as t:
        t.watch(x)
        for method, fix in expected.items():
            ufunc, name = method.split(".")
            with pytest.raises(TypeError, match=fix.replace("(", r"\(").replace(")", r"\)")):
                getattr(getattr(np, ufunc), name)(x)
        # the suggested fix works and agrees with the method on plain values
        y = functools.reduce(np.logaddexp, x)
    assert np.isclose(float(y), np.logaddexp.reduce(x._value))


def test_methods_of_no_gradient_ufuncs_run():
    x = tape.constant([3.0, -1.0, 2.0], dtype=tape.float64)
    with tape.GradientTape() as t:
        t.watch(x)
        assert_same(np.logical_and.reduce(x > 0), np.logical_and.reduce(x._value > 0))
        assert_same(np.equal.outer(x, x), np.equal.outer(x._value, x._value))
        assert_same(np.bitwise_or.reduce(np.array([1, 2, 4])), np.int64(7))


def test_scipy_ufuncs_are_named_by_their_public_path():
    """A SciPy ufunc on a watched tensor is named as users import it, when SciPy is loaded
    (tape itself never imports SciPy)."""
    special = pytest.importorskip("scipy.special")
    x = tape.constant([3.0, 1.0, 2.0], dtype=tape.float64)
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError) as info:
            special.ellipk(x)  # (one without a rule)
    assert str(info.value).startswith("scipy.special.ellipk has no gradient rule in tape")
    assert api.public_name(special.ellipk) == "scipy.special.ellipk"


def test_tape_never_imports_scipy():
    import subprocess

    code = "import tape, sys; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_public_names_are_never_internal_modules():
    assert np.sum.__module__ == "numpy" or "." in np.sum.__module__
    for obj, name in [
        (np.sum, "np.sum"), (np.linalg.lstsq, "np.linalg.lstsq"), (np.fft.fft, "np.fft.fft"),
        (np.abs, "np.absolute"), (np.emath.sqrt, "np.emath.sqrt"),
        (np.lib.stride_tricks.sliding_window_view,
         "np.lib.stride_tricks.sliding_window_view"),
    ]:
        assert api.public_name(obj) == name
    assert api.public_name(np.add, "at") == "np.add.at"
    for path, obj in PUBLIC.items():
        name = api.public_name(obj)
        assert "._" not in name and api.resolve(name) is obj, (path, name)


def test_unclassified_functions_get_the_generic_message():
    """A NumPy function no table knows (a newer NumPy's) is refused on a watched tensor with
    the generic reason and fix."""
    sliding = np.lib.stride_tricks.sliding_window_view
    x = tape.constant([3.0, 1.0, 2.0], dtype=tape.float64)
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError) as info:
            sliding(x, 2)
    message = str(info.value)
    assert message.startswith("np.lib.stride_tricks.sliding_window_view has no gradient rule")
    assert "stride tricks" in message and message.endswith(
        "Use the np.* function of the same purpose, or slicing and np.stack."
    )
    np.testing.assert_array_equal(sliding(tape.constant([1, 2, 3]), 2), [[1, 2], [2, 3]])


def test_keyword_arguments_of_a_differentiable_ufunc_on_a_watched_tensor_raise():
    x = tape.constant([3.0, 1.0, 2.0], dtype=tape.float64)
    buf = np.empty(3)
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError, match=r"^np.sin on a tensor that a GradientTape is "
                           r"watching takes no keyword arguments in tape \(got out=\)"):
            np.sin(x, out=buf)
        with pytest.raises(TypeError, match=r"np.add on a .* \(got dtype=\)"):
            np.add(x, x, dtype=np.float32)
    np.sin(tape.constant([0.0]), out=buf[:1])  # unwatched: NumPy's behaviour
    assert buf[0] == 0.0


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda x: np.sin(np.ones(3), out=x), "np.sin would write into its out= argument"),
        (lambda x: np.add.at(x, [0], 1.0), "np.add.at would write into its first argument"),
        (lambda x: np.copyto(x, 1.0), "np.copyto would write into its first argument"),
        (lambda x: np.put(x, [0], 5.0), "np.put would write into its first argument"),
        (lambda x: np.fill_diagonal(np.reshape(x, (1, 3)), 0.0), None),
        (lambda x: np.cumsum(np.ones(3), out=x), None),
    ],
    ids=["out", "add.at", "copyto", "put", "fill_diagonal-of-a-new-tensor", "cumsum-out"],
)
@pytest.mark.parametrize("watched", [False, True])
def test_writing_into_a_tensor_is_refused_watched_or_not(call, name, watched):
    x = tape.constant([1.0, 2.0, 3.0], dtype=tape.float64)
    with tape.GradientTape() as t:
        if watched:
            t.watch(x)
        with pytest.raises((TypeError, NotImplementedError)) as info:
            call(x)
    if name is not None:
        assert str(info.value).startswith(name), str(info.value)
    np.testing.assert_array_equal(x._value, [1.0, 2.0, 3.0])


def test_copyto_into_a_variable_points_to_assign():
    v = tape.Variable([1.0, 2.0])
    with pytest.raises(TypeError, match=r"v\.assign"):
        np.copyto(v, [3.0, 4.0])
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])


# ============================================================================ op-sweep samples


def _sampled_objects() -> tuple[set[int], set[int]]:
    samples, _ = load()
    objects, prims = set(), set()
    for key in samples:
        try:
            obj = resolve(key)
        except AttributeError:
            continue
        objects.add(id(obj))
        prim = getattr(obj, "prim", None)
        if prim is not None:
            prims.add(id(prim))
    return objects, prims


def _has_samples(obj, objects: set[int], prims: set[int]) -> bool:
    """A NumPy function is swept when a sample key names it (``"np.<path>"``, or an alias:
    the key resolves to the same object). A ufunc is also swept when a sample key names its
    tape op: NumPy's dispatch calls that very op (``UFUNCS[ufunc](*inputs)``), so the op's
    samples run the code path ``np.<ufunc>(tensor)`` takes."""
    if id(obj) in objects:
        return True
    op = UFUNCS.get(obj)
    if op is None:
        return False
    prim = getattr(op, "prim", None)
    return id(op) in objects or (prim is not None and id(prim) in prims)


def test_every_differentiable_function_has_sweep_samples():
    objects, prims = _sampled_objects()
    missing, stale = [], []
    for path, obj in sorted(PUBLIC.items()):
        coverage = api.classify(obj)
        differentiable = coverage is not None and coverage.status == api.DIFFERENTIABLE
        swept = differentiable and _has_samples(obj, objects, prims)
        if path in SAMPLES_PENDING:
            if swept or not differentiable:
                stale.append(path)
        elif differentiable and not swept:
            missing.append(path)
    assert not missing, (
        "differentiable NumPy functions without op-sweep samples: add samples keyed by the "
        f"public path to tests/samples/<group>.py: {missing}"
    )
    assert not stale, f"SAMPLES_PENDING entries that have samples now (delete them): {stale}"


# ============================================================================ the docs page


def _load_page_generator():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "docs" / "gen_numpy_coverage.py"
    spec = importlib.util.spec_from_file_location("gen_numpy_coverage", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_coverage_page_lists_every_public_callable_with_its_status():
    page = _load_page_generator().markdown()
    assert page.startswith("# NumPy coverage")
    rows = {}
    for line in page.splitlines():
        if line.startswith("| `"):
            assert line.count(" | ") == 2, line  # three cells: no stray pipe in a note
            cell = line.split(" | ")[0][3:]
            rows[cell.split("`")[0]] = line.split(" | ")[1]
    for path, obj in PUBLIC.items():
        coverage = api.classify(obj)
        expected = coverage.status if coverage else api.UNSUPPORTED_STATUS
        assert rows.get(path) == expected, path
    for path in api.NAMESPACES:
        assert path in rows, path


def test_notes_are_for_differentiable_functions():
    for path in api.NOTES:
        obj = api.resolve(path)
        assert obj is not None and api.classify(obj).status == api.DIFFERENTIABLE, path


@pytest.mark.parametrize("call", [
    lambda x: np.histogram(x, bins=3),
    lambda x: np.histogram_bin_edges(x, bins=4),
    lambda x: np.histogram2d(x, x, bins=2),
    lambda x: np.histogramdd(x[:, None], bins=2),
])
def test_histograms_of_a_watched_tensor_raise_because_their_edges_depend_on_it(call):
    """The bin edges are linspace(min(x), max(x)): returned as constants they would drop that
    dependence silently. With the edges made constant explicitly, the counts are NumPy's."""
    x0 = np.array([0.5, 1.0, 3.0, 2.5])
    x = tape.constant(x0)
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError, match=r"bin edges depend on the values.*stop_gradient"):
            call(x)
        got = call(tape.stop_gradient(x))
    for g, e in zip(got, call(x0)):
        np.testing.assert_array_equal(np.asarray(g), np.asarray(e))
