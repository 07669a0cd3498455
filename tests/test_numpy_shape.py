"""NumPy's shape-moving and selection functions called on tensors.

Values, shapes and dtypes are compared with NumPy's own answer on plain arrays, and errors with
the exception NumPy raises. Gradients are checked against closed forms (which element each
output copies) and central finite differences; the op sweep (tests/samples/shape.py) checks
every function in both modes to second order.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tape
from tests.conftest import central_difference

_r = np.random.default_rng(11)
A = _r.standard_normal((3, 4))
C = _r.standard_normal((2, 3, 4))
V = _r.standard_normal(5)
S = np.array(0.7)
Z = np.zeros((0, 3))
I = np.array


def _tensors(args: tuple) -> list:
    """Arrays (also inside lists) as tape constants; anything else as it is."""
    out = []
    for a in args:
        if isinstance(a, np.ndarray) and a.dtype.kind in "fiub":
            out.append(tape.constant(a))
        elif isinstance(a, list) and all(isinstance(b, np.ndarray) for b in a):
            out.append([tape.constant(b) for b in a])
        else:
            out.append(a)
    return out


def _as(args: tuple, dtype) -> tuple:
    """The float arrays among ``args`` (also inside lists) in ``dtype``."""
    def conv(a):
        return a.astype(dtype) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a

    return tuple([conv(b) for b in a] if isinstance(a, list) else conv(a) for a in args)


def _flat(result) -> list:
    return list(result) if isinstance(result, (list, tuple)) else [result]


VALUES = [
    (np.tril, (A,), {}), (np.tril, (A, 1), {}), (np.tril, (C,), {"k": -1}), (np.tril, (V,), {}),
    (np.triu, (A,), {}), (np.triu, (C,), {"k": 2}), (np.triu, (V,), {"k": -1}),
    (np.triu, (Z,), {}),
    (np.repeat, (A, 2), {}), (np.repeat, (A, [1, 0, 2]), {"axis": 0}),
    (np.repeat, (C, 3), {"axis": -1}), (np.repeat, (S, 3), {}), (np.repeat, (A, [2]), {}),
    (np.repeat, (A, 0), {"axis": 1}), (np.repeat, (Z, 2), {"axis": 0}),
    (np.roll, (A, 1), {}), (np.roll, (A, -2), {"axis": 1}),
    (np.roll, (C, (1, 2)), {"axis": (0, 2)}),
    (np.roll, (C, 2), {"axis": (1, 1)}), (np.roll, (C, (1, -1, 2)), {"axis": -1}),
    (np.roll, (S, 1), {}), (np.roll, (Z, 1), {"axis": 1}), (np.roll, (A, 1.7), {}),
    (np.rollaxis, (C, 2), {}), (np.rollaxis, (C, 0, 3), {}), (np.rollaxis, (C, -1, 1), {}),
    (np.rollaxis, (A, 1, 1), {}), (np.rollaxis, (C, 1, -3), {}),
    (np.moveaxis, (C, 0, -1), {}), (np.moveaxis, (C, [0, 1], [-1, -2]), {}),
    (np.flip, (C,), {}), (np.flip, (C,), {"axis": (0, 2)}), (np.fliplr, (C,), {}),
    (np.flipud, (V,), {}),
    (np.rot90, (A,), {}), (np.rot90, (A, 2), {}), (np.rot90, (A, 3), {}), (np.rot90, (A, -5), {}),
    (np.rot90, (A, 4), {}), (np.rot90, (C, 1, (1, 2)), {}), (np.rot90, (C, 3, (2, 0)), {}),
    (np.rot90, (C, 2, (-1, 0)), {}),
    (np.sort, (A,), {}), (np.sort, (A,), {"axis": 0}), (np.sort, (C,), {"axis": None}),
    (np.sort, (C,), {"axis": 1, "kind": "stable"}), (np.sort, (A,), {"kind": "heapsort"}),
    (np.sort, (A,), {"stable": True}), (np.sort, (S,), {"axis": None}), (np.sort, (Z,), {}),
    (np.sort, (_r.standard_normal((4, 300)),), {}),
    (np.partition, (V, 2), {}), (np.partition, (A, [0, 2]), {"axis": 0}),
    (np.partition, (C, -1), {"axis": 1}), (np.partition, (C, 5), {"axis": None}),
    (np.partition, (_r.standard_normal((3, 200)), [5, 100]), {}),
    (np.partition, (_r.standard_normal((300, 2)), 150), {"axis": 0}),
    (np.append, (A, _r.standard_normal((2, 4))), {"axis": 0}), (np.append, (A, V), {}),
    (np.append, (S, S), {}), (np.append, (A, [1.0, 2.0]), {}), (np.append, ([1.0, 2.0], V), {}),
    (np.column_stack, ([V, V],), {}), (np.column_stack, ([A[:, 0], A],), {}),
    (np.column_stack, ([S, S],), {}),
    (np.vstack, ([A, A],), {}), (np.vstack, ([V, V],), {}), (np.vstack, ([S, S],), {}),
    (np.vstack, ([A, [[1.0, 2.0, 3.0, 4.0]]],), {}),
    (np.hstack, ([V, V],), {}), (np.hstack, ([A, A],), {}), (np.hstack, ([S, S],), {}),
    (np.dstack, ([A, A],), {}), (np.dstack, ([V, V],), {}), (np.dstack, ([S, S],), {}),
    (np.concatenate, ([A, [[1.0, 2.0, 3.0, 4.0]]],), {}), (np.concatenate, ([A, C[0]],), {}),
    (np.concatenate, ([A, V],), {"axis": None}), (np.stack, ([V, V],), {"axis": -1}),
    (np.hsplit, (A, 2), {}), (np.hsplit, (V, [1, 3]), {}), (np.vsplit, (A, [1]), {}),
    (np.dsplit, (C, [1, 3]), {}), (np.split, (A, [2, 1]), {"axis": 1}),
    (np.array_split, (A, 3, 1), {}), (np.array_split, (V, [2, 9]), {}),
    (np.atleast_1d, (S,), {}), (np.atleast_2d, (V,), {}), (np.atleast_3d, (A,), {}),
    (np.atleast_3d, (S, V, A), {}),
    (np.take_along_axis, (A, I([[0, 2], [1, 1], [3, 0]]), 1), {}),
    (np.take_along_axis, (A, I([[2, 0, 1, 1]]), 0), {}),
    (np.take_along_axis, (C, I([0, 23, 5]), None), {}),
    (np.take, (A, I([11, 0, 5])), {}), (np.take, (A, I([5, -7])), {"axis": 0, "mode": "wrap"}),
]


def _case_id(case) -> str:
    f, args, kwargs = case
    return f.__name__


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
@pytest.mark.parametrize("case", VALUES, ids=[_case_id(c) for c in VALUES])
def test_values_shapes_dtypes_match_numpy(case, dtype) -> None:
    f, args, kwargs = case
    args = _as(args, dtype)
    expected = _flat(f(*args, **kwargs))
    got = _flat(f(*_tensors(args), **kwargs))
    assert len(got) == len(expected)
    for e, g in zip(expected, got):
        value = g.numpy() if isinstance(g, tape.Tensor) else np.asarray(g)
        assert value.dtype == e.dtype and value.shape == e.shape
        np.testing.assert_array_equal(value, e)
        assert np.array_equal(np.signbit(value), np.signbit(e)) or f in (np.sort, np.partition)


ERRORS = [
    (np.tril, (S,), {}), (np.triu, (S,), {}),
    (np.repeat, (A, [1, 2]), {"axis": 0}), (np.repeat, (A, -1), {}),
    (np.repeat, (A, 2), {"axis": 2}), (np.repeat, (A, [[2]]), {}),
    (np.roll, (A, 1), {"axis": 2}), (np.roll, (A, [[1]]), {"axis": 0}),
    (np.roll, (A, [1, 2, 3]), {"axis": [0, 1]}),
    (np.rollaxis, (C, 3), {}), (np.rollaxis, (C, 0, 5), {}), (np.rollaxis, (C, 0, -4), {}),
    (np.moveaxis, (C, [0, 0], [1, 2]), {}), (np.moveaxis, (C, [0], [1, 2]), {}),
    (np.moveaxis, (C, 3, 0), {}),
    (np.flip, (A, 2), {}), (np.fliplr, (V,), {}), (np.flipud, (S,), {}),
    (np.rot90, (A,), {"axes": (0, 0)}), (np.rot90, (A,), {"axes": (0,)}),
    (np.rot90, (C,), {"axes": (0, 3)}), (np.rot90, (A,), {"axes": (0, -2)}),
    (np.sort, (S,), {}), (np.sort, (A,), {"axis": 2}), (np.sort, (A,), {"kind": "bogus"}),
    (np.sort, (A,), {"kind": "stable", "stable": True}), (np.sort, (A,), {"order": "x"}),
    (np.partition, (A, 4), {}), (np.partition, (A, 1.5), {}), (np.partition, (A, 1), {"axis": 2}),
    (np.partition, (A, []), {}),
    (np.append, (A, V), {"axis": 0}), (np.append, (A, A), {"axis": 2}),
    (np.column_stack, ([V, A[0]],), {}),
    (np.vstack, ([],), {}), (np.hstack, ([],), {}), (np.dstack, ([],), {}),
    (np.vstack, ([A, V],), {}), (np.vstack, ([A, A],), {"dtype": np.int64}),
    (np.concatenate, ([A, A.astype(np.float32)],), {"casting": "no"}),
    (np.concatenate, ([S, S],), {}),
    (np.hsplit, (S, 2), {}), (np.vsplit, (V, 2), {}), (np.dsplit, (A, 2), {}),
    (np.hsplit, (A, 3), {}), (np.array_split, (A, 0), {}),
    (np.take_along_axis, (A, I([0, 1]), 1), {}), (np.take_along_axis, (A, I([[0.0]]), 1), {}),
    (np.take_along_axis, (A, I([[5]]), 1), {}), (np.take_along_axis, (A, I([[0]]), None), {}),
    (np.take, (A, I([12])), {}),
]


@pytest.mark.parametrize("case", ERRORS, ids=[_case_id(c) for c in ERRORS])
def test_errors_are_numpys(case) -> None:
    """Tape raises the exception NumPy raises (an instance of its class) on the same input."""
    f, args, kwargs = case
    with pytest.raises(Exception) as numpy_error:
        f(*args, **kwargs)
    x = tape.constant(args[0]) if isinstance(args[0], np.ndarray) else args[0]
    rest = _tensors(args[1:]) if f in (np.vstack, np.hstack, np.dstack) else list(args[1:])
    if isinstance(args[0], list):
        x = [tape.constant(a) for a in args[0]]
    with tape.GradientTape() as t:
        if isinstance(x, tape.Tensor):
            t.watch(x)
        with pytest.raises(type(numpy_error.value)):
            f(x, *rest, **kwargs)


# --------------------------------------------------------------------------- gradients


def _grad(f, x: np.ndarray, w: np.ndarray | None = None, *args, **kwargs) -> np.ndarray:
    """The gradient of ``sum(w * f(x, *args))`` with respect to ``x`` (float64)."""
    t_x = tape.constant(x)
    with tape.GradientTape() as t:
        t.watch(t_x)
        y = f(t_x, *args, **kwargs)
        total = np.sum(y if w is None else y * w)
    return t.gradient(total, t_x).numpy()


def test_repeat_gradient_counts_the_copies() -> None:
    counts = I([2, 0, 3])
    np.testing.assert_array_equal(
        _grad(np.repeat, A, None, counts, axis=0), np.broadcast_to(counts[:, None], A.shape)
    )
    np.testing.assert_array_equal(_grad(np.repeat, A, None, 3), np.full(A.shape, 3.0))


def test_tril_triu_gradients_are_the_masks() -> None:
    for k in (-1, 0, 2):
        np.testing.assert_array_equal(_grad(np.tril, C, None, k), np.broadcast_to(
            np.tri(3, 4, k), C.shape))
        np.testing.assert_array_equal(_grad(np.triu, C, None, k), 1 - np.broadcast_to(
            np.tri(3, 4, k - 1), C.shape))
    # a 1-d input is broadcast to a square: row i of the square copies it; column sums
    np.testing.assert_array_equal(_grad(np.tril, V), np.tri(5).sum(axis=0))


def test_roll_and_rot90_gradients_move_the_cotangent_back() -> None:
    w = _r.standard_normal(C.shape)
    np.testing.assert_array_equal(
        _grad(np.roll, C, w, (1, -2), axis=(0, 2)), np.roll(w, (-1, 2), axis=(0, 2))
    )
    np.testing.assert_array_equal(_grad(np.roll, C, w, 7), np.roll(w, -7))
    for k in range(4):
        wk = np.rot90(w, k, axes=(1, 2))
        np.testing.assert_array_equal(
            _grad(np.rot90, C, wk, k, (1, 2)), np.rot90(wk, -k, axes=(1, 2))
        )


def test_sort_ties_follow_numpys_permutation() -> None:
    """A convention: among equal elements, the gradient of each output goes to the element
    that ``np.argsort`` (same kind) puts there; with a stable sort, the first occurrence
    takes the first place."""
    x = np.array([2.0, 1.0, 2.0, 1.0, 2.0])
    w = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    np.testing.assert_array_equal(
        _grad(np.sort, x, w, kind="stable"), np.array([30.0, 10.0, 40.0, 20.0, 50.0])
    )
    for kind in (None, "quicksort", "heapsort"):
        expected = np.zeros(5)
        expected[np.argsort(x, kind=kind)] = w
        np.testing.assert_array_equal(_grad(np.sort, x, w, kind=kind), expected)


def test_sort_gradient_against_finite_differences() -> None:
    x = _r.standard_normal((4, 300))
    w = _r.standard_normal(x.shape)
    expected = central_difference(lambda v: np.sort(v, axis=1), [x], w)[0]
    np.testing.assert_allclose(_grad(np.sort, x, w, axis=1), expected, atol=1e-8)


@pytest.mark.parametrize(("shape", "kth", "axis"), [
    ((3, 200), [5, 100], -1), ((300, 2), 150, 0), ((2, 30), 7, 1), ((500,), [0, 250, 499], None),
])
def test_partition_on_long_rows(shape, kth, axis) -> None:
    """Outside the kth places, np.partition and np.argpartition may arrange long rows
    differently (they do on this machine from about 80 elements); the values are
    np.partition's and each output's gradient reaches the element it holds."""
    x = _r.standard_normal(shape)
    w = _r.standard_normal(np.partition(x, kth, axis).shape)
    out = np.partition(tape.constant(x), kth, axis)
    np.testing.assert_array_equal(out.numpy(), np.partition(x, kth, axis))
    g = _grad(np.partition, x, w, kth, axis)
    expected = central_difference(lambda v: np.partition(v, kth, axis), [x], w)[0]
    np.testing.assert_allclose(g, expected, atol=1e-8)
    tape.check_gradients(lambda v: np.sin(np.partition(v, kth, axis)), [x], order=2)


def test_partition_ties_send_each_gradient_to_an_equal_element() -> None:
    x = np.round(_r.standard_normal(200) * 2)
    w = _r.standard_normal(200)
    out = np.partition(x, [20, 100])
    g = _grad(np.partition, x, w, [20, 100])
    for value in np.unique(x):  # each value's elements receive that value's cotangents
        np.testing.assert_allclose(g[x == value].sum(), w[out == value].sum(), atol=1e-12)
    assert np.count_nonzero(g) <= len(x)


def test_sort_and_partition_of_variables_and_integers() -> None:
    v = tape.Variable(np.array([3.0, 1.0, 2.0]))
    with tape.GradientTape() as t:
        y = np.sum(np.sort(v) * np.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(t.gradient(y, v).numpy(), [100.0, 1.0, 10.0])
    n = tape.constant(np.array([3, 1, 2]))
    s, p = np.sort(n), np.partition(n, 0)
    assert s.dtype == p.dtype == np.int64 and s.numpy().tolist() == [1, 2, 3]


def test_argsort_and_argpartition_give_constant_indices() -> None:
    """Indices are not differentiable: on a watched tensor they are NumPy's answer, and
    they feed take_along_axis, whose gradient reaches the tensor."""
    x = tape.constant(C)
    with tape.GradientTape() as t:
        t.watch(x)
        order = np.argsort(x, axis=1)
        part = np.argpartition(x, 1, axis=-1)
        y = np.take_along_axis(x, order, axis=1)
    np.testing.assert_array_equal(order.numpy(), np.argsort(C, axis=1))
    np.testing.assert_array_equal(part.numpy(), np.argpartition(C, 1, axis=-1))
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), np.ones(C.shape))


# --------------------------------------------------------------------------- indexing


def test_indexing_with_an_empty_list_selects_nothing() -> None:
    """``x[[]]`` is NumPy's empty selection: shape (0,) + x.shape[1:], a zero gradient."""
    x = tape.constant(C)
    with tape.GradientTape() as t:
        t.watch(x)
        y = x[[]]
        z = x[:, []]
    assert y.shape == C[[]].shape == (0, 3, 4) and y.dtype == C.dtype
    assert z.shape == C[:, []].shape == (2, 0, 4)
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), np.zeros(C.shape))
    assert x[[[]]].shape == C[[[]]].shape
    assert np.take(x, []).shape == np.take(C, []).shape


def _mutated_after(op, idx: np.ndarray) -> None:
    """The gradient of ``op(x, idx)`` is the same when the caller changes ``idx`` after the
    op (in reverse and forward mode, and for a second sweep of a persistent tape)."""
    w = _r.standard_normal(op(A, idx).shape)
    expected = central_difference(lambda v: op(v, idx), [A], w)[0]
    x = tape.constant(A)
    original = idx.copy()
    with tape.GradientTape(persistent=True) as t:
        t.watch(x)
        y = op(x, idx)
        total = np.sum(y * w)
    idx[...] = 0
    for _ in range(2):
        np.testing.assert_allclose(t.gradient(total, x).numpy(), expected, atol=1e-8)
    idx[...] = original


@pytest.mark.parametrize("op", [
    lambda x, i: np.take_along_axis(x, i, axis=1),
    lambda x, i: np.take(x, i, axis=1),
    lambda x, i: np.take(x, i),
    lambda x, i: x[i],
    lambda x, i: x[:, i],
    lambda x, i: tape.gather(x, i, axis=1) if isinstance(x, tape.Tensor) else np.take(x, i, 1),
    lambda x, i: np.repeat(x, i[0, :3] + 1, axis=0),
], ids=["take_along_axis", "take-axis", "take-flat", "getitem", "getitem-2", "gather", "repeat"])
def test_index_arrays_are_captured_when_the_op_runs(op) -> None:
    _mutated_after(op, I([[2, 1, 1], [0, 2, 2], [1, 1, 0]]))


def test_a_mask_is_captured_when_the_op_runs() -> None:
    mask = A > 0
    x = tape.constant(A)
    with tape.GradientTape() as t:
        t.watch(x)
        y = np.sum(tape.boolean_mask(x, mask))
    expected = mask.astype(float)
    mask[...] = False
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), expected)


# --------------------------------------------------------------------------- joins


def test_joins_convert_other_operands_as_numpy_does() -> None:
    """A Python list next to a float32 tensor is float64 in NumPy (it becomes an array
    first), so the result is float64; the tensor's gradient is float32."""
    x = tape.constant(A.astype(np.float32))
    with tape.GradientTape() as t:
        t.watch(x)
        y = np.append(x, [1.0, 2.0])
    assert y.dtype == np.append(A.astype(np.float32), [1.0, 2.0]).dtype == np.float64
    g = t.gradient(y, x)
    assert g.dtype == np.float32
    np.testing.assert_array_equal(g.numpy(), np.ones(A.shape))


def test_join_dtype_and_casting() -> None:
    a, b = tape.constant(A.astype(np.float32)), tape.constant(A)
    with tape.GradientTape() as t:
        t.watch([a, b])
        y = np.vstack([a, b], dtype=np.float32)
    assert y.dtype == np.float32
    ga, gb = t.gradient(y, [a, b])
    assert ga.dtype == np.float32 and gb.dtype == np.float64
    np.testing.assert_array_equal(gb.numpy(), np.ones(A.shape))
    np.testing.assert_array_equal(
        np.concatenate([b, A], casting="no").numpy(), np.concatenate([A, A], casting="no")
    )
    with pytest.raises(NotImplementedError, match="out"):
        np.concatenate([b, b], out=np.empty((6, 4)))


@pytest.mark.skipif(not hasattr(np, "row_stack"), reason="np.row_stack was removed")
def test_row_stack_is_vstack() -> None:
    x = tape.constant(A)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with tape.GradientTape() as t:
            t.watch(x)
            y = np.row_stack([x, V[:4]])
        expected = np.row_stack([A, V[:4]])
    np.testing.assert_array_equal(y.numpy(), expected)
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), np.ones(A.shape))
