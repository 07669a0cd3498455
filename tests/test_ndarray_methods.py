"""A tensor behaves like an ndarray: its methods and attributes give NumPy's values, and the
differentiable ones are recorded. Each method is called with the same code on a NumPy array
(the reference, differentiated by central differences) and on a tensor."""

from __future__ import annotations

import numpy as np
import pytest

import tape
from tests.conftest import central_difference

R = np.random.default_rng(3)
A = R.standard_normal((3, 4))
B = R.standard_normal((2, 3, 4))
SQ = R.standard_normal((3, 3))
V = R.standard_normal(5)
POS = R.uniform(0.5, 1.5, (3, 4))

# (label, method call, input): the call is the same Python code for arrays and tensors.
DIFFERENTIABLE = [
    ("T", lambda x: x.T, B),
    ("mT", lambda x: x.mT, B),
    ("reshape(args)", lambda x: x.reshape(4, 3), A),
    ("reshape(tuple)", lambda x: x.reshape((2, -1)), A),
    ("reshape(order)", lambda x: x.reshape(12, order="C"), A),
    ("ravel", lambda x: x.ravel(), B),
    ("flatten", lambda x: x.flatten(), A),
    ("squeeze", lambda x: x[:, None, :1].squeeze(), A),
    ("squeeze(axis)", lambda x: x[:, None].squeeze(axis=1), A),
    ("transpose()", lambda x: x.transpose(), B),
    ("transpose(args)", lambda x: x.transpose(1, 2, 0), B),
    ("transpose(tuple)", lambda x: x.transpose((2, 0, 1)), B),
    ("swapaxes", lambda x: x.swapaxes(0, 2), B),
    ("sum", lambda x: x.sum(), A),
    ("sum(axis, keepdims)", lambda x: x.sum(axis=1, keepdims=True), B),
    ("mean", lambda x: x.mean(axis=(0, 2)), B),
    ("prod", lambda x: x.prod(axis=0), POS),
    ("max", lambda x: x.max(axis=1), A),
    ("min", lambda x: x.min(), A),
    ("std", lambda x: x.std(axis=0, ddof=1), A),
    ("var", lambda x: x.var(keepdims=True), A),
    ("cumsum", lambda x: x.cumsum(axis=1), A),
    ("cumsum(flat)", lambda x: x.cumsum(), A),
    ("cumprod", lambda x: x.cumprod(axis=0), POS),
    ("dot", lambda x: x.dot(A.T), A),
    ("dot(vector)", lambda x: x.dot(V), V),
    ("clip", lambda x: x.clip(-0.5, 0.5), np.array([-1.2, -0.3, 0.1, 0.7, 2.0])),
    ("clip(min)", lambda x: x.clip(min=0.0), np.array([-1.2, -0.3, 0.1, 0.7, 2.0])),
    ("round", lambda x: x.round(1) * x, np.array([0.123, -1.46, 2.71])),  # d = round(x, 1)
    ("conj", lambda x: x.conj(), A),
    ("trace", lambda x: x.trace(), SQ),
    ("trace(offset)", lambda x: x.trace(offset=1), A),
    ("diagonal", lambda x: x.diagonal(), SQ),
    ("diagonal(axes)", lambda x: x.diagonal(0, 1, 2), B),
    ("repeat", lambda x: x.repeat(2, axis=0), A),
    ("repeat(flat)", lambda x: x.repeat(3), V),
    ("take", lambda x: x.take([0, 2, 2], axis=1), A),
    ("take(flat)", lambda x: x.take([5, 0]), A),
    ("copy", lambda x: x.copy() * 2, A),
    ("astype", lambda x: x.astype(np.float64), A),
]


@pytest.mark.parametrize(
    ("call", "x0"), [pytest.param(c, x, id=n) for n, c, x in DIFFERENTIABLE]
)
def test_differentiable_methods_match_numpy_and_finite_differences(call, x0):
    expected = call(x0.copy())
    x = tape.constant(x0)
    with tape.GradientTape() as t:
        t.watch(x)
        y = call(x)
        total = tape.reduce_sum(tape.sin(y))
    assert isinstance(y, tape.Tensor)
    assert y.shape == np.shape(expected) and y.dtype == np.asarray(expected).dtype
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12, atol=1e-12)
    (want,) = central_difference(lambda v: np.sin(call(v)), [x0])
    np.testing.assert_allclose(t.gradient(total, x).numpy(), want, rtol=1e-6, atol=1e-8)


def test_methods_of_a_variable_read_it_through_the_tape():
    """d/dv sum(v.T @ v) = 2 v (v's row sums broadcast) for v of shape (2, 2); the closed form
    is 2 * v @ ones."""
    v0 = np.array([[1.0, 2.0], [3.0, 4.0]])
    v = tape.Variable(v0)
    with tape.GradientTape() as t:
        y = v.T.dot(v).sum() + v.reshape(4).max()
    expected = 2 * v0 @ np.ones((2, 2))
    expected[1, 1] += 1.0  # the maximum element, 4
    np.testing.assert_allclose(t.gradient(y, v).numpy(), expected)


NO_GRADIENT = [
    ("argmax", lambda x: x.argmax(), A),
    ("argmax(axis)", lambda x: x.argmax(axis=1), A),
    ("argmin", lambda x: x.argmin(axis=0), A),
    ("argsort", lambda x: x.argsort(), A),
    ("argsort(axis)", lambda x: x.argsort(axis=0), A),
    ("any", lambda x: x.any(), A > 0),
    ("any(axis)", lambda x: (x > 0).any(axis=1), A),
    ("all", lambda x: (x > -5).all(), A),
    ("nonzero", lambda x: (x > 0).nonzero(), A),
]


@pytest.mark.parametrize(("call", "x0"), [pytest.param(c, x, id=n) for n, c, x in NO_GRADIENT])
def test_methods_without_gradient_give_numpys_values_on_watched_tensors(call, x0):
    expected = call(x0.copy())
    x = tape.constant(x0)
    with tape.GradientTape() as t:
        if x.dtype.kind == "f":
            t.watch(x)
        got = call(x)
    if isinstance(expected, tuple):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            np.testing.assert_array_equal(np.asarray(g), e)
    else:
        got = got.numpy() if isinstance(got, tape.Tensor) else got
        np.testing.assert_array_equal(got, expected)
        assert np.asarray(got).dtype.kind == np.asarray(expected).dtype.kind


def test_plain_values_and_attributes():
    x = tape.constant(A)
    assert x.tolist() == A.tolist()
    assert tape.constant(np.float64(2.5)).item() == 2.5
    assert x.item(1, 2) == A.item(1, 2)
    assert (x.size, x.itemsize, x.nbytes, x.ndim) == (A.size, A.itemsize, A.nbytes, A.ndim)
    assert tape.constant(np.float32(1.0)).itemsize == 4
    c = x.copy()
    assert c is not x and np.array_equal(c.numpy(), A)


@pytest.mark.parametrize(("value", "spec", "expected"), [
    (np.float64(np.pi), ".5f", "3.14159"),
    (np.float32(0.25), "2.5f", "0.25000"),
    (np.float64(12345.678), ",.1f", "12,345.7"),
    (np.float64(0.001234), ".2e", "1.23e-03"),
    (np.int32(7), "03d", "007"),
    (np.float64(1.5), ">6", "   1.5"),
])
def test_format_of_a_0d_tensor_is_the_numbers(value, spec, expected):
    """f"{loss:.5f}", the print line of TensorFlow's training-loop guide."""
    assert format(tape.constant(value), spec) == expected
    assert format(tape.Variable(value), spec) == expected


def test_format_without_a_spec_is_str_and_a_spec_on_an_array_is_numpys_error():
    x = tape.constant([1.0, 2.0])
    assert f"{x}" == str(x)
    with pytest.raises(TypeError):
        format(x, ".2f")


def test_format_of_a_watched_loss_does_not_warn():
    x = tape.constant(np.float64(2.0))
    with tape.GradientTape() as t:
        t.watch(x)
        loss = x * x
        text = f"{loss:2.5f}"
    assert text == "4.00000"


def test_hash_of_a_tensor_names_ref_and_ref_is_a_key():
    x, y = tape.constant(1.0), tape.constant(1.0)
    with pytest.raises(TypeError, match=r"unhashable.*tensor\.ref\(\)"):
        hash(x)
    with pytest.raises(TypeError, match="unhashable"):
        {x: 1}  # noqa: B018
    keys = {x.ref(): "x", y.ref(): "y"}
    assert keys[x.ref()] == "x" and keys[y.ref()] == "y"
    assert x.ref() == x.ref() and x.ref() != y.ref()
    assert x.ref().deref() is x
    v = tape.Variable(1.0)
    assert v.ref().deref() is v and {v.ref(): 1}[v.ref()] == 1


def test_reshape_with_another_order_is_refused_clearly():
    with pytest.raises(NotImplementedError, match="order='C'"):
        tape.constant(A).reshape(4, 3, order="F")


def test_round_of_a_tensor_is_recorded_and_tolist_of_a_tracked_one_warns():
    x = tape.constant(np.array([1.26, -0.74]))
    with tape.GradientTape() as t:
        t.watch(x)
        r = round(x, 1)
        y = tape.reduce_sum(r * x)  # d/dx = round(x, 1), round's own derivative being 0
        with pytest.warns(tape.UntrackedWarning, match=r"\.tolist\(\)"):
            assert x.tolist() == [1.26, -0.74]
    np.testing.assert_array_equal(r.numpy(), [1.3, -0.7])
    np.testing.assert_allclose(t.gradient(y, x).numpy(), [1.3, -0.7])
    assert round(tape.constant(np.float64(2.6))).numpy() == 3.0


def test_an_arrays_clip_method_with_a_tensor_bound_is_recorded():
    """ndarray.clip(0, s) reaches the tensor bound through NumPy's internal clip ufunc:
    d/ds sum(clip(a, 0, s)) = the number of elements clipped to s."""
    s = tape.constant(np.float64(0.5))
    with tape.GradientTape() as t:
        t.watch(s)
        y = np.array([0.2, 1.0, 3.0]).clip(0, s)
        total = tape.reduce_sum(y)
    np.testing.assert_array_equal(y.numpy(), [0.2, 0.5, 0.5])
    assert float(t.gradient(total, s).numpy()) == 2.0
