"""The ops a tape records, by family, against NumPy and finite differences; the namespaces
and NumPy's dispatch to them.

Every gradient is checked against something independent of tape: a closed form, or central
finite differences of a plain NumPy function in float64 (``numerical_gradient``, conftest.py).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tape
from tape import GradientTape
from tests.common import assert_vjp, f64

# =========================================================================== ops: elementwise


UNARY = {
    "exp": (tape.exp, np.exp, (-2.0, 2.0)),
    "log": (tape.log, np.log, (0.2, 3.0)),
    "sin": (tape.sin, np.sin, (-3.0, 3.0)),
    "cos": (tape.cos, np.cos, (-3.0, 3.0)),
    "tanh": (tape.tanh, np.tanh, (-2.0, 2.0)),
    "sqrt": (tape.sqrt, np.sqrt, (0.2, 3.0)),
    "square": (tape.square, np.square, (-3.0, 3.0)),
    "abs": (tape.abs, np.abs, (-3.0, 3.0)),
    "negative": (tape.negative, np.negative, (-3.0, 3.0)),
    "sigmoid": (tape.sigmoid, lambda a: 1 / (1 + np.exp(-a)), (-4.0, 4.0)),
    "relu": (tape.nn.relu, lambda a: np.maximum(a, 0.0), (-3.0, 3.0)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_value_and_gradient(name, numerical_gradient, rng):
    fn, np_fn, (lo, hi) = UNARY[name]
    a = rng.uniform(lo, hi, size=(2, 3))
    a[np.abs(a) < 0.1] = 0.5  # keep finite differences away from kinks at 0
    assert_vjp(fn, [a], numerical_gradient, rng, np_fn=np_fn)


@pytest.mark.parametrize(
    "fn, x0, expected",
    [(tape.nn.relu, 0.0, 0.0), (tape.abs, 0.0, 0.0), (tape.nn.relu, -1.0, 0.0)],
    ids=["relu_at_0", "abs_at_0", "relu_negative"],
)
def test_gradient_at_kinks_as_tensorflow(fn, x0, expected):
    x = f64(x0)
    with GradientTape() as t:
        t.watch(x)
        y = fn(x)
    assert t.gradient(y, x).numpy() == expected


def test_sigmoid_saturates_without_overflow():
    x = f64([-1000.0, 0.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with GradientTape() as t:
            t.watch(x)
            y = tape.sigmoid(x)
        g = t.gradient(y, x)
    np.testing.assert_array_equal(y.numpy(), [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.25, 0.0])


BINARY = {
    "add": (lambda x, y: x + y, tape.add),
    "sub": (lambda x, y: x - y, tape.subtract),
    "mul": (lambda x, y: x * y, tape.multiply),
    "div": (lambda x, y: x / y, tape.divide),
    "pow": (lambda x, y: x**y, tape.pow),
}
SHAPE_PAIRS = [
    ((3, 1), (4,)),
    ((4,), (3, 1)),
    ((2, 3), (2, 3)),
    ((2, 3), (3,)),
    ((), (2, 3)),
    ((2, 1, 3), (4, 1)),
    ((1,), ()),
]


@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_broadcasting_gradients(name, shapes, numerical_gradient, rng):
    op, fn = BINARY[name]
    a = rng.uniform(0.5, 2.0, size=shapes[0])
    b = rng.uniform(0.5, 2.0, size=shapes[1])
    assert_vjp(op, [a, b], numerical_gradient, rng)  # the operator
    assert_vjp(fn, [a, b], numerical_gradient, rng, np_fn=op)  # the function


def test_pow_gradient_for_exponent_at_zero_base():
    """d(x**y)/dy = x**y log x, taken as 0 at x = 0 (where x**y = 0 for y > 0)."""
    x, y = f64([0.0, 2.0]), f64([2.0, 3.0])
    with GradientTape() as t:
        t.watch([x, y])
        z = x**y
    gx, gy = t.gradient(z, [x, y])
    np.testing.assert_allclose(gx.numpy(), [0.0, 12.0])
    np.testing.assert_allclose(gy.numpy(), [0.0, 8.0 * math.log(2.0)])


def test_mixed_float_and_variable_operands():
    v = tape.Variable(np.float64(2.0))
    x = f64(3.0)
    with GradientTape() as t:
        t.watch(x)
        y = v * x + x / v - v**2
    gv, gx = t.gradient(y, [v, x])
    assert gv.numpy() == pytest.approx(3.0 - 3.0 / 4.0 - 4.0, rel=1e-14)
    assert gx.numpy() == pytest.approx(2.0 + 0.5, rel=1e-14)


VARIABLE_OPERANDS = {
    # name: (op on (v, x), d/dv, d/dx) at v = 2, x = 3
    "rsub_scalar": (lambda v, x: 2.0 - v, -1.0, 0.0),
    "rtruediv_scalar": (lambda v, x: 2.0 / v, -0.5, 0.0),
    "rpow_scalar": (lambda v, x: 2.0**v, 4 * math.log(2.0), 0.0),
    "sub": (lambda v, x: v - x, 1.0, -1.0),
    "rsub": (lambda v, x: x - v, -1.0, 1.0),
    "truediv": (lambda v, x: v / x, 1 / 3, -2 / 9),
    "rtruediv": (lambda v, x: x / v, -0.75, 0.5),
    "pow": (lambda v, x: v**x, 12.0, 8 * math.log(2.0)),
    "rpow": (lambda v, x: x**v, 9 * math.log(3.0), 6.0),
    "neg": (lambda v, x: -v, -1.0, 0.0),
    "abs": (lambda v, x: abs(v), 1.0, 0.0),
    "matmul": (
        lambda v, x: tape.reshape(v, (1, 1)) @ tape.reshape(x, (1, 1)), 3.0, 2.0,
    ),
}


@pytest.mark.parametrize("name", sorted(VARIABLE_OPERANDS))
def test_operators_with_variable_operands(name):
    op, dv, dx = VARIABLE_OPERANDS[name]
    v = tape.Variable(np.float64(2.0))
    x = f64(3.0)
    with GradientTape() as t:
        t.watch(x)
        y = op(v, x)
    gv, gx = t.gradient(y, [v, x], unconnected_gradients="zero")
    assert gv.numpy() == pytest.approx(dv, rel=1e-14)
    assert gx.numpy() == pytest.approx(dx, rel=1e-14)


# =========================================================================== ops: reductions


AXES = [
    None, 0, 1, 2, -1, -3, (0, 2), (2, 0), (-1, 0), [0, 1], (0, 1, 2), (-3, -2, -1),
    pytest.param((), id="()"),
    pytest.param([], id="[]"),
]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize(
    "fn, np_fn",
    [(tape.reduce_sum, np.sum), (tape.reduce_mean, np.mean)],
    ids=["reduce_sum", "reduce_mean"],
)
def test_reductions(fn, np_fn, axis, keepdims, numerical_gradient, rng):
    a = rng.normal(size=(2, 3, 4))
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    assert_vjp(
        lambda x: fn(x, axis=axis, keepdims=keepdims),
        [a],
        numerical_gradient,
        rng,
        np_fn=lambda u: np_fn(u, axis=np_axis, keepdims=keepdims),
    )


def test_reduce_sum_default_is_all_axes():
    x = tape.ones((2, 3))
    y = tape.reduce_sum(x)
    assert y.shape == () and y.numpy() == 6.0
    assert tape.reduce_mean(tape.constant([[1.0, 2.0], [3.0, 6.0]])).numpy() == 3.0


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("fn", [tape.reduce_sum, tape.reduce_mean], ids=lambda f: f.__name__)
def test_reductions_of_a_scalar(fn, keepdims):
    x = f64(3.0)
    with GradientTape() as t:
        t.watch(x)
        y = fn(x, keepdims=keepdims)
    assert y.shape == () and y.numpy() == 3.0
    assert t.gradient(y, x).numpy() == 1.0


def test_reduce_mean_gradient_closed_form():
    x = f64(np.arange(6.0).reshape(2, 3))
    with GradientTape() as t:
        t.watch(x)
        y = tape.reduce_mean(x, axis=1)
    np.testing.assert_allclose(t.gradient(y, x).numpy(), np.full((2, 3), 1 / 3))


# =========================================================================== ops: matmul, reshape


MATMUL_SHAPES = [
    ((3, 4), (4, 5)),
    ((1, 1), (1, 1)),
    ((2, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((1, 3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((4,), (4, 5)),
    ((3, 4), (4,)),
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
    ((4,), (4,)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_shapes(shapes, numerical_gradient, rng):
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    assert_vjp(tape.matmul, [a, b], numerical_gradient, rng, np_fn=np.matmul)


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_matmul_transpose_flags(transpose_a, transpose_b, numerical_gradient, rng):
    a = rng.normal(size=(4, 3) if transpose_a else (3, 4))
    b = rng.normal(size=(5, 4) if transpose_b else (4, 5))

    def reference(u, w):
        return (u.T if transpose_a else u) @ (w.T if transpose_b else w)

    assert_vjp(
        lambda u, w: tape.linalg.matmul(u, w, transpose_a=transpose_a, transpose_b=transpose_b),
        [a, b],
        numerical_gradient,
        rng,
        np_fn=reference,
    )


@pytest.mark.parametrize(
    "shape, new_shape",
    [((2, 3), (3, 2)), ((2, 3), (6,)), ((2, 3), (-1, 2)), ((2, 3), (1, 6, 1)), ((), (1, 1)),
     ((1, 1), ())],
    ids=str,
)
def test_reshape(shape, new_shape, numerical_gradient, rng):
    a = rng.normal(size=shape)
    assert_vjp(
        lambda x: tape.reshape(x, new_shape) * 3.0,
        [a],
        numerical_gradient,
        rng,
        np_fn=lambda u: np.reshape(u, new_shape) * 3.0,
    )


# =========================================================================== namespaces


@pytest.mark.parametrize(
    "namespace, names",
    [
        (
            "math",
            ["add", "subtract", "multiply", "divide", "pow", "negative", "exp", "log", "sin",
             "cos", "tanh", "sqrt", "square", "abs", "sigmoid", "reduce_sum", "reduce_mean"],
        ),
        ("nn", ["relu", "sigmoid"]),
        ("linalg", ["matmul"]),
    ],
)
def test_namespaces(namespace, names):
    module = getattr(tape, namespace)
    for name in names:
        assert callable(getattr(module, name)), f"tape.{namespace}.{name}"


def test_namespaced_ops_compute(numerical_gradient, rng):
    a, b = rng.uniform(0.5, 2.0, size=(2, 3)), rng.uniform(0.5, 2.0, size=(3, 2))

    def fn(x, w):
        h = tape.nn.relu(tape.linalg.matmul(x, w) - 1.0)
        return tape.math.reduce_sum(tape.math.log(tape.nn.sigmoid(h) + tape.math.square(x[0, 0])))

    def reference(u, w):
        h = np.maximum(u @ w - 1.0, 0.0)
        return np.sum(np.log(1 / (1 + np.exp(-h)) + u[0, 0] ** 2))

    assert_vjp(fn, [a, b], numerical_gradient, rng, np_fn=reference)


# =========================================================================== NumPy dispatch


@pytest.mark.parametrize(
    "np_fn",
    [np.sin, np.cos, np.exp, np.log, np.tanh, np.sqrt, np.square, np.abs, np.negative],
    ids=lambda f: f.__name__,
)
def test_numpy_ufunc_on_tensor_is_recorded(np_fn, numerical_gradient, rng):
    a = rng.uniform(0.5, 2.0, size=(3,))
    assert_vjp(np_fn, [a], numerical_gradient, rng)


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)], ids=str)
@pytest.mark.parametrize("np_fn", [np.sum, np.mean], ids=lambda f: f.__name__)
def test_numpy_reductions_on_tensor_are_recorded(np_fn, axis, numerical_gradient, rng):
    a = rng.normal(size=(2, 3))
    assert_vjp(lambda x: np_fn(x, axis=axis), [a], numerical_gradient, rng)


def test_numpy_binary_ufuncs_on_tensors_are_recorded():
    x, y = f64(2.0), f64(3.0)
    with GradientTape() as t:
        t.watch([x, y])
        z = np.multiply(np.add(x, y), np.power(x, 2.0))  # (x + y) x^2
    assert isinstance(z, tape.Tensor) and z.numpy() == 20.0
    gx, gy = t.gradient(z, [x, y])
    assert gx.numpy() == 4.0 + 2 * 2.0 * 5.0 and gy.numpy() == 4.0


def test_numpy_reshape_and_transpose_on_tensor_are_recorded(numerical_gradient, rng):
    a = rng.normal(size=(2, 3))
    assert_vjp(lambda x: np.transpose(np.reshape(x, (3, 2))) * 2.0, [a], numerical_gradient, rng)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda x: np.nancumprod(x), "nancumprod"),
        (lambda x: np.unwrap(x), "unwrap"),
        (lambda x: np.fmod(x, 2.0), "fmod"),
        (lambda x: np.multiply.accumulate(x), "multiply.accumulate"),
    ],
    ids=["nancumprod", "unwrap", "fmod", "multiply.accumulate"],
)
def test_numpy_function_without_gradient_rule_on_watched_tensor_raises(call, name):
    x = f64([3.0, 1.0, 2.0])
    with GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError, match=name.replace(".", r"\.")):
            call(x)
    # on a tensor no tape watches, the NumPy function simply runs
    result = call(x)
    np.testing.assert_allclose(np.asarray(result), call(np.array([3.0, 1.0, 2.0])))
