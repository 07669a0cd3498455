"""Tensors and variables as TensorFlow's: dtype inference, the Tensor and Variable API,
creation functions.

Every gradient is checked against something independent of tape: a closed form, or central
finite differences of a plain NumPy function in float64 (``numerical_gradient``, conftest.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tape
from tape import GradientTape
from tests.common import assert_vjp, f64

# =========================================================================== dtype inference


@pytest.mark.parametrize(
    "value, dtype",
    [
        (1.0, tape.float32),
        (1, tape.int32),
        (True, tape.bool),
        ([1.0, 2.0], tape.float32),
        ([1, 2], tape.int32),
        ([1, 2.5], tape.float32),
        ([[1, 2], [3, 4]], tape.int32),
        (np.float64(1.0), tape.float64),
        (np.float32(1.0), tape.float32),
        (np.array([1.0, 2.0]), tape.float64),
        (np.array([1, 2], dtype=np.int64), tape.int64),
        (np.array(1.0, dtype=np.float16), tape.float16),
        (np.array([True, False]), tape.bool),
    ],
)
def test_dtype_inference(value, dtype):
    assert tape.constant(value).dtype == dtype
    assert tape.convert_to_tensor(value).dtype == dtype
    assert tape.Variable(value).dtype == dtype


def test_explicit_dtype():
    assert tape.constant(1, dtype=tape.float64).dtype == tape.float64
    assert tape.constant([1.0, 2.0], dtype="float16").dtype == tape.float16
    assert tape.Variable(1, dtype=tape.float32).dtype == tape.float32


@pytest.mark.parametrize(
    "dtype, scalar",
    [(d, s) for d in (tape.float16, tape.float32, tape.float64) for s in (2, 2.0)]
    + [(tape.int32, 2), (tape.int64, 2)],
    ids=str,
)
def test_python_scalar_adopts_tensor_dtype(dtype, scalar):
    x = tape.constant([1, 2], dtype=dtype)
    for y in (x * scalar, scalar * x, x + scalar, scalar - x, x**scalar):
        assert y.dtype == dtype


def test_large_python_int_becomes_int64():
    assert tape.constant(2**40).dtype == tape.int64


def test_reduce_sum_keeps_integer_dtype():
    y = tape.reduce_sum(tape.constant([1, 2, 4]))
    assert y.dtype == tape.int32 and y.numpy() == 7


def test_reduce_mean_keeps_integer_dtype():
    y = tape.reduce_mean(tape.constant([1, 2]))
    assert y.dtype == tape.int32 and y.numpy() == 1


def test_integer_true_division_gives_float64():
    """As tf.divide / the / operator: int32 / int32 is float64."""
    y = tape.constant([1, 2]) / tape.constant([2, 2])
    assert y.dtype == tape.float64
    np.testing.assert_array_equal(y.numpy(), [0.5, 1.0])


def test_cast_to_integer_blocks_the_gradient():
    x = f64(2.7)
    with GradientTape(persistent=True) as t:
        t.watch(x)
        i = tape.cast(x, tape.int32)
        y = tape.cast(i, tape.float64) * x
        h = tape.cast(x, tape.float16)
    assert i.dtype == tape.int32 and i.numpy() == 2
    assert t.gradient(y, x).numpy() == 2.0  # only through the float path
    g = t.gradient(h, x)  # a float-to-float cast passes the gradient, in the source's dtype
    assert g.dtype == tape.float64 and g.numpy() == 1.0


def test_dtype_constants():
    assert tape.float16 == np.float16
    assert tape.float32 == np.float32
    assert tape.float64 == np.float64
    assert tape.int32 == np.int32
    assert tape.int64 == np.int64
    assert tape.bool == np.bool_


# =========================================================================== Tensor API


def test_tensor_basic_properties():
    x = tape.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert x.shape == (2, 3)
    assert x.dtype == tape.float32
    assert x.ndim == 2
    arr = x.numpy()
    assert isinstance(arr, np.ndarray) and arr.dtype == np.float32
    np.testing.assert_array_equal(arr, [[1, 2, 3], [4, 5, 6]])
    arr[0, 0] = 100.0  # .numpy() is a copy: the tensor is immutable
    assert x.numpy()[0, 0] == 1.0


def test_tensor_class_is_not_called_with_a_value():
    """As in TensorFlow, tensors come from tape.constant / convert_to_tensor and from ops."""
    with pytest.raises(TypeError, match="takes no arguments"):
        tape.Tensor([1.0, 2.0])
    assert isinstance(tape.constant([1.0, 2.0]), tape.Tensor)


def test_scalar_numpy_value():
    v = tape.constant(2.5).numpy()
    assert v == 2.5 and np.asarray(v).dtype == np.float32 and np.ndim(v) == 0


def test_constant_copies_its_input():
    a = np.array([1.0, 2.0])
    x = tape.constant(a)
    a[0] = 9.0
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])


@pytest.mark.parametrize(
    "value, text",
    [
        (8.0, "tape.Tensor(8.0, shape=(), dtype=float32)"),
        (3, "tape.Tensor(3, shape=(), dtype=int32)"),
        ([1.0, 2.0], "tape.Tensor([1. 2.], shape=(2,), dtype=float32)"),
        (np.float64(0.5), "tape.Tensor(0.5, shape=(), dtype=float64)"),
        (True, "tape.Tensor(True, shape=(), dtype=bool)"),
    ],
)
def test_tensor_repr(value, text):
    assert repr(tape.constant(value)) == text


def test_tensor_repr_of_matrix():
    assert repr(tape.constant([[1.0, 2.0], [3.0, 4.0]])) == (
        "tape.Tensor([[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)"
    )


def test_tensor_is_immutable_and_unhashable():
    x = tape.constant([1.0, 2.0])
    with pytest.raises(TypeError):
        x[0] = 3.0
    with pytest.raises(TypeError):
        hash(x)
    assert {x.ref(): 1}[x.ref()] == 1


INDEX_KEYS = {
    "int": 1,
    "negative_int": -1,
    "int_int": (1, 2),
    "slice": slice(1, None),
    "step_slice": (slice(None), slice(None, None, 2)),
    "negative_step": (slice(None, None, -1), 1),
    "ellipsis_newaxis": (Ellipsis, None, 1),
    "int_array_repeats": np.array([0, 0, 2]),
    "list_of_ints": [2, 0],
    "bool_mask": np.array([True, False, True]),
}


@pytest.mark.parametrize("name", sorted(INDEX_KEYS))
def test_indexing_value_and_gradient(name, numerical_gradient, rng):
    key = INDEX_KEYS[name]
    a = rng.normal(size=(3, 4))
    assert_vjp(lambda x: x[key] * 2.0, [a], numerical_gradient, rng)


def test_indexing_with_integer_tensor():
    a = np.arange(6.0).reshape(2, 3)
    x = f64(a)
    i = tape.constant(1)
    with GradientTape() as t:
        t.watch(x)
        y = x[i]
    np.testing.assert_array_equal(y.numpy(), a[1])
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), [[0, 0, 0], [1, 1, 1]])


def test_chained_indexing_as_in_the_tutorial():
    x = f64(np.arange(6.0).reshape(2, 3))
    with GradientTape() as t:
        t.watch(x)
        y = x[1][2] * x[0][1]  # 5 * 1
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), [[0, 5, 0], [0, 0, 1]])


REFLECTED = {
    "radd": (lambda x: 2.0 + x, lambda a: 2.0 + a, lambda a: 1.0),
    "rsub": (lambda x: 2.0 - x, lambda a: 2.0 - a, lambda a: -1.0),
    "rmul": (lambda x: 2.0 * x, lambda a: 2.0 * a, lambda a: 2.0),
    "rtruediv": (lambda x: 2.0 / x, lambda a: 2.0 / a, lambda a: -2.0 / a**2),
    "rpow": (lambda x: 2.0**x, lambda a: 2.0**a, lambda a: math.log(2.0) * 2.0**a),
    "neg": (lambda x: -x, lambda a: -a, lambda a: -1.0),
    "pos": (lambda x: +x, lambda a: a, lambda a: 1.0),
    "abs": (lambda x: abs(x), lambda a: abs(a), lambda a: math.copysign(1.0, a)),
    "sub": (lambda x: x - 2.0, lambda a: a - 2.0, lambda a: 1.0),
    "truediv": (lambda x: x / 2.0, lambda a: a / 2.0, lambda a: 0.5),
    "pow": (lambda x: x**2.5, lambda a: a**2.5, lambda a: 2.5 * a**1.5),
}


@pytest.mark.parametrize("name", sorted(REFLECTED))
def test_operators_with_python_scalars(name):
    op, value, derivative = REFLECTED[name]
    a = 1.7
    x = f64(a)
    with GradientTape() as t:
        t.watch(x)
        y = op(x)
    assert isinstance(y, tape.Tensor)
    assert y.numpy() == pytest.approx(value(a), rel=1e-14)
    assert t.gradient(y, x).numpy() == pytest.approx(derivative(a), rel=1e-12)


@pytest.mark.parametrize(
    "op",
    [
        lambda n, x: n + x,
        lambda n, x: n - x,
        lambda n, x: n * x,
        lambda n, x: n / x,
        lambda n, x: n**x,
        lambda n, x: n @ x,
    ],
    ids=["add", "sub", "mul", "div", "pow", "matmul"],
)
def test_operators_with_numpy_array_on_the_left(op, numerical_gradient, rng):
    n = rng.uniform(0.5, 2.0, size=(3, 3))
    a = rng.uniform(0.5, 2.0, size=(3, 3))
    with GradientTape() as t:
        x = f64(a)
        t.watch(x)
        y = op(n, x)
    assert isinstance(y, tape.Tensor)
    np.testing.assert_allclose(y.numpy(), op(n, a), rtol=1e-12)
    (fd,) = numerical_gradient(lambda u: op(n, u), [a])
    np.testing.assert_allclose(t.gradient(y, x).numpy(), fd, rtol=1e-6)


def test_matmul_operator(numerical_gradient, rng):
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(3, 4))
    assert_vjp(lambda u, w: u @ w, [a, b], numerical_gradient, rng)


COMPARISONS = {
    "eq": (lambda x, y: x == y, np.equal, tape.equal),
    "ne": (lambda x, y: x != y, np.not_equal, tape.not_equal),
    "lt": (lambda x, y: x < y, np.less, tape.less),
    "le": (lambda x, y: x <= y, np.less_equal, tape.less_equal),
    "gt": (lambda x, y: x > y, np.greater, tape.greater),
    "ge": (lambda x, y: x >= y, np.greater_equal, tape.greater_equal),
}


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_comparisons_give_bool_tensors(name):
    op, np_op, fn = COMPARISONS[name]
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])
    x, y = f64(a), f64(b)
    for result in (op(x, y), fn(x, y), op(x, 2.0)):
        assert isinstance(result, tape.Tensor)
        assert result.dtype == tape.bool
        np.testing.assert_array_equal(result.numpy(), np_op(a, b))


def test_comparisons_are_not_differentiable():
    a = np.array([0.5, 1.5, 2.5])
    x = f64(a)
    with GradientTape() as t:
        t.watch(x)
        mask = tape.cast(x > 1.0, tape.float64)  # no gradient through the comparison
        y = mask * x
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), [0.0, 1.0, 1.0])


def test_compare_with_none():
    x = tape.constant(1.0)
    assert (x == None) is False  # noqa: E711
    assert (x != None) is True  # noqa: E711


def test_python_conversions():
    assert bool(tape.constant(1.0)) is True
    assert bool(tape.constant(0.0)) is False
    assert float(tape.constant(2.5)) == 2.5
    assert int(tape.constant(3.7)) == 3
    assert int(tape.constant(7)) == 7
    assert len(tape.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])) == 2
    with pytest.raises(TypeError):
        len(tape.constant(1.0))
    with pytest.raises(TypeError):
        iter(tape.constant(1.0))
    with pytest.raises(ValueError):
        bool(tape.constant([1.0, 2.0]))


def test_integer_scalar_tensor_is_an_index():
    assert list(range(10))[tape.constant(2)] == 2
    with pytest.raises(TypeError):
        list(range(10))[tape.constant(2.0)]


def test_iteration_gives_tensors_that_carry_gradients():
    a = np.array([1.0, 2.0, 3.0])
    x = f64(a)
    with GradientTape() as t:
        t.watch(x)
        rows = list(x)
        y = rows[0] * rows[2] + rows[1] ** 2  # 1*3 + 2^2
    assert all(isinstance(r, tape.Tensor) for r in rows)
    assert [float(r) for r in rows] == [1.0, 2.0, 3.0]
    assert y.numpy() == 7.0
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), [3.0, 4.0, 1.0])


def test_array_protocol():
    x = tape.constant([[1.0, 2.0], [3.0, 4.0]])
    arr = np.asarray(x)
    assert isinstance(arr, np.ndarray) and arr.dtype == np.float32
    np.testing.assert_array_equal(arr, [[1, 2], [3, 4]])
    assert np.asarray(x, dtype=np.float64).dtype == np.float64
    assert np.array(tape.Variable([1, 2])).dtype == np.int32


# =========================================================================== Variable API


def test_variable_api():
    v = tape.Variable([1.0, 2.0], name="weights")
    assert v.name == "weights:0"
    assert v.trainable is True
    assert v.shape == (2,) and v.dtype == tape.float32 and v.ndim == 1
    assert repr(tape.Variable(1.0, name="w")) == (
        "<tape.Variable 'w:0' shape=() dtype=float32, numpy=1.0>"
    )

    v.assign([3.0, 4.0])
    np.testing.assert_array_equal(v.numpy(), [3.0, 4.0])
    v.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(v.numpy(), [4.0, 5.0])
    v.assign_sub([0.5, 0.5])
    np.testing.assert_array_equal(v.numpy(), [3.5, 4.5])
    assert v.dtype == tape.float32

    for read in (v.read_value(), v.value(), tape.convert_to_tensor(v)):
        assert isinstance(read, tape.Tensor) and not isinstance(read, tape.Variable)
        np.testing.assert_array_equal(read.numpy(), [3.5, 4.5])

    y = v * 2.0
    assert isinstance(y, tape.Tensor)
    np.testing.assert_array_equal(y.numpy(), [7.0, 9.0])


def test_read_value_is_a_snapshot():
    v = tape.Variable(1.0)
    r = v.read_value()
    v.assign(2.0)
    assert r.numpy() == 1.0 and v.read_value().numpy() == 2.0


def test_variable_defaults_and_options():
    assert tape.Variable(1.0).name.endswith(":0")
    assert tape.Variable(1.0, trainable=False).trainable is False
    assert tape.Variable(lambda: 3.0).numpy() == 3.0  # a callable initial value
    assert tape.Variable(1, dtype=tape.float64).dtype == tape.float64


def test_variable_assign_wrong_shape_raises():
    v = tape.Variable([1.0, 2.0])
    with pytest.raises(ValueError):
        v.assign([1.0, 2.0, 3.0])


def test_gradient_through_variable_is_a_tensor():
    v = tape.Variable([1.0, 2.0])
    with GradientTape() as t:
        y = tape.reduce_sum(v * v)
    g = t.gradient(y, v)
    assert isinstance(g, tape.Tensor) and not isinstance(g, tape.Variable)
    np.testing.assert_array_equal(g.numpy(), [2.0, 4.0])


# =========================================================================== creation


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: tape.ones((2, 3)), np.ones((2, 3), np.float32)),
        (lambda: tape.ones(3), np.ones(3, np.float32)),
        (lambda: tape.ones([2, 2], dtype=tape.float64), np.ones((2, 2))),
        (lambda: tape.zeros((2, 3)), np.zeros((2, 3), np.float32)),
        (lambda: tape.zeros([4], dtype=tape.int32), np.zeros(4, np.int32)),
        (lambda: tape.ones_like(tape.constant([[1, 2, 3]])), np.ones((1, 3), np.int32)),
        (lambda: tape.zeros_like(f64([1.0, 2.0])), np.zeros(2)),
        (lambda: tape.ones_like(np.zeros(2, np.float16)), np.ones(2, np.float16)),
        (lambda: tape.zeros_like(tape.Variable([1.0])), np.zeros(1, np.float32)),
        (lambda: tape.fill([2, 3], 9), np.full((2, 3), 9, np.int32)),
        (lambda: tape.fill([2], 0.5), np.full(2, 0.5, np.float32)),
        (lambda: tape.eye(3), np.eye(3, dtype=np.float32)),
        (lambda: tape.eye(2, 3), np.eye(2, 3, dtype=np.float32)),
        (lambda: tape.eye(2, batch_shape=[3]), np.stack([np.eye(2, dtype=np.float32)] * 3)),
        (lambda: tape.linspace(10.0, 12.0, 3), np.array([10.0, 11.0, 12.0], np.float32)),
        (lambda: tape.range(5), np.arange(5, dtype=np.int32)),
        (lambda: tape.range(1, 10, 3), np.array([1, 4, 7], np.int32)),
        (lambda: tape.range(0.0, 1.0, 0.25), np.array([0.0, 0.25, 0.5, 0.75], np.float32)),
        (lambda: tape.range(3, dtype=tape.float64), np.arange(3.0)),
        (lambda: tape.constant(2.0, shape=(2, 2)), np.full((2, 2), 2.0, np.float32)),
        (lambda: tape.constant([1, 2, 3, 4], shape=(2, 2)), np.array([[1, 2], [3, 4]], np.int32)),
    ],
)
def test_creation_functions(make, expected):
    t = make()
    assert isinstance(t, tape.Tensor)
    assert t.shape == expected.shape
    assert t.dtype == expected.dtype
    np.testing.assert_array_equal(t.numpy(), expected)


def test_convert_to_tensor_returns_tensors_unchanged():
    x = tape.constant([1.0])
    assert tape.convert_to_tensor(x) is x


def test_created_tensors_are_constants():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        o = tape.ones_like(x)
        y = x * o
    gx, go = t.gradient(y, [x, o])
    assert gx.numpy() == 1.0
    assert go is None
