"""Custom gradients and checkpointing: ``tape.custom_gradient`` and ``tape.recompute_grad``.

Every example of the ``tf.custom_gradient`` and ``tf.recompute_grad`` documentation and of the
guide "Advanced automatic differentiation" (``clip_gradients``), adapted to
``import tape as tf``: ``tf.clip_by_norm``, ``tf.random.shuffle``, ``tf.print`` and Keras
layers are not part of tape and are rewritten with tape ops (said where it happens). Values are
checked against the documentation's numbers, closed forms, or central finite differences in
float64. Also: the error when ``grad_fn`` returns the wrong number or shape of gradients, and a
tracemalloc measurement that ``recompute_grad`` lowers the peak memory of a deep stack; and
both wrappers under every nesting of tapes and forward accumulators to third order, in closed
form (a tape around an accumulator differentiates the JVP of a checkpointed function).
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import tape as tf
from tests.conftest import central_difference


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


@tf.custom_gradient
def log1pexp(x):
    """The documentation's numerically stable log(1 + e^x)."""
    e = tf.exp(x)

    def grad(upstream):
        return upstream * (1 - 1 / (1 + e))

    return tf.math.log(1 + e), grad


def _naive_log1pexp(x):
    return tf.math.log(1 + tf.exp(x))


# --------------------------------------------------------------------------- custom_gradient


def test_doc_log1pexp_naive_gradient_is_nan_and_custom_is_one():
    """The doc: "the gradient of this function evaluated at x=100 is NaN" and, with the custom
    gradient, "the gradient dy_dx at x = 100 will be correctly evaluated as 1.0"."""
    x = tf.constant(100.0)
    with np.errstate(over="ignore", invalid="ignore"):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = _naive_log1pexp(x)
        assert np.isnan(tape.gradient(y, x).numpy())
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = log1pexp(x)
    dy_dx = tape.gradient(y, x)
    assert dy_dx.dtype == tf.float32 and dy_dx.numpy() == 1.0


@pytest.mark.parametrize("x0", [-3.0, 0.0, 2.5, 100.0])
def test_log1pexp_value_and_gradient_match_closed_form(x0):
    x = tf.constant(x0, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    np.testing.assert_allclose(y.numpy(), np.logaddexp(0.0, x0), rtol=1e-14)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), _sigmoid(x0), rtol=1e-14)


@pytest.mark.parametrize("x0", [-2.0, 0.0, 3.0])
def test_log1pexp_second_derivative_under_nested_tapes(x0):
    """grad_fn is written with tape ops, so an outer tape differentiates it again:
    d2/dx2 log(1 + e^x) = sigmoid(x) (1 - sigmoid(x))."""
    x = tf.constant(x0, dtype=tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = log1pexp(x)
        g = inner.gradient(y, x)
    s = _sigmoid(x0)
    np.testing.assert_allclose(g.numpy(), s, rtol=1e-14)
    np.testing.assert_allclose(outer.gradient(g, x).numpy(), s * (1 - s), rtol=1e-13)


def test_log1pexp_forward_mode_matches_closed_form():
    x = tf.constant(np.array([-1.0, 0.5, 4.0]))
    with tf.autodiff.ForwardAccumulator(x, tf.constant(np.array([1.0, 2.0, -1.0]))) as acc:
        y = log1pexp(x)
    np.testing.assert_allclose(acc.jvp(y).numpy(), _sigmoid(x.numpy()) * [1.0, 2.0, -1.0],
                               rtol=1e-14)


def test_log1pexp_forward_mode_uses_the_custom_gradient():
    """TensorFlow derives forward mode through a custom_gradient from its grad_fn (TF's
    forwardprop_test.testCustomGradient checks J v for a function whose forward pass is plain
    NumPy), so the stable gradient is used: J v at x = 100 is 1.0, not NaN."""
    x = tf.constant(100.0)
    with np.errstate(over="ignore", invalid="ignore"):
        with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0)) as acc:
            y = log1pexp(x)
    assert acc.jvp(y).numpy() == 1.0


def test_doc_two_inputs():
    """The doc's z = x * y with grad returning one gradient per input."""

    @tf.custom_gradient
    def bar(x, y):
        def grad(upstream):
            dz_dx = y
            dz_dy = x
            return upstream * dz_dx, upstream * dz_dy

        z = x * y
        return z, grad

    x = tf.constant(2.0, dtype=tf.float32)
    y = tf.constant(3.0, dtype=tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        tape.watch(y)
        z = bar(x, y)
    assert z.numpy() == 6.0
    assert tape.gradient(z, x).numpy() == 3.0
    assert tape.gradient(z, y).numpy() == 2.0


def test_doc_variables_linear_poly():
    """The doc's example with a trainable variable: grad_fn(dpoly, variables) returns
    (input gradients, variable gradients); poly = w1 x + w0."""
    weights = tf.Variable(tf.ones([2]))
    received = []

    @tf.custom_gradient
    def linear_poly(x):
        poly = weights[1] * x + weights[0]

        def grad_fn(dpoly, variables):
            grad_xs = dpoly * weights[1]
            grad_vars = []
            received.append(variables)
            dy_dw = dpoly * tf.stack([x**1, x**0])
            grad_vars.append(tf.reduce_sum(tf.reshape(dy_dw, [2, -1]), axis=1))
            return grad_xs, grad_vars

        return poly, grad_fn

    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        poly = linear_poly(x)
    np.testing.assert_array_equal(poly.numpy(), [2.0, 3.0, 4.0])  # poly = x + 1
    np.testing.assert_array_equal(tape.gradient(poly, x).numpy(), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(tape.gradient(poly, weights).numpy(), [6.0, 3.0])
    # the doc's assertions inside grad_fn
    assert received and all(len(v) == 1 and v[0] is weights for v in received)


def _clip_by_norm(t, clip_norm):
    """tf.clip_by_norm is not part of tape: t * clip_norm / max(|t|, clip_norm)."""
    norm = tf.sqrt(tf.reduce_sum(t * t))
    return tf.where(norm > clip_norm, t * clip_norm / norm, t)


@tf.custom_gradient
def clip_gradients(y):
    """The guide's identity whose gradient is clipped to norm 0.5."""

    def backward(dy):
        return _clip_by_norm(dy, 0.5)

    return y, backward


@pytest.mark.parametrize(("scale", "expected"), [(1.0, 2.0), (10.0, 2.0), (0.1, 0.4)])
def test_guide_clip_gradients(scale, expected):
    """output = clip_gradients(v * v) at v = 2: the upstream gradient `scale` is clipped to
    min(scale, 0.5), then multiplied by d(v^2)/dv = 4 (the guide prints 2.0 for scale 1)."""
    v = tf.Variable(2.0)
    with tf.GradientTape() as t:
        output = clip_gradients(v * v) * scale
    assert output.numpy() == 4.0 * scale  # the forward pass is the identity
    np.testing.assert_allclose(t.gradient(output, v).numpy(), expected, rtol=1e-6)


def test_doc_stop_gradient_inside_custom_gradient():
    """The doc's test_func_with_stop_grad: ops without a gradient inside f are wrapped in
    stop_gradient; the custom gradient (here the identity) is used. tf.random.shuffle is not
    part of tape: tf.reverse stands in for it."""
    x = tf.constant([0.3, 0.5], dtype=tf.float32)

    @tf.custom_gradient
    def test_func_with_stop_grad(x):
        res = tf.stop_gradient(tf.reverse(x, [0]))

        def grad(upstream):
            return upstream

        return res, grad

    with tf.GradientTape() as g:
        g.watch(x)
        res = test_func_with_stop_grad(x)
    np.testing.assert_array_equal(res.numpy(), np.float32([0.5, 0.3]))
    np.testing.assert_array_equal(g.gradient(res, x).numpy(), [1.0, 1.0])


def test_guide_stop_gradient():
    """The guide's "Stop gradient flow with precision": z = x^2 + stop_gradient(y^2) gives
    dz/dx = 2 x = 4 and no gradient for y."""
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y_sq = y**2
        z = x**2 + tf.stop_gradient(y_sq)
    grad = t.gradient(z, {"x": x, "y": y})
    assert grad["x"].numpy() == 4.0
    assert grad["y"] is None
    zeros = tf.UnconnectedGradients.ZERO
    with tf.GradientTape() as t:
        z = x**2 + tf.stop_gradient(y**2)
    assert t.gradient(z, y, unconnected_gradients=zeros).numpy() == 0.0


def test_doc_nested_custom_gradients_for_second_order():
    """The doc's op_with_fused_backprop pattern: the first-order gradient is itself a
    custom_gradient function whose own gradient gives the second order. For sin:
    first order cos(x), second order -sin(x)."""

    @tf.custom_gradient
    def op_with_fused_backprop(x):
        y, x_grad = tf.sin(x), tf.cos(x)  # the "fused op"

        def first_order_gradient(dy):
            @tf.custom_gradient
            def first_order_custom(unused_x):
                def second_order_and_transpose(ddy):
                    return ddy * -tf.sin(x)

                return x_grad, second_order_and_transpose

            return dy * first_order_custom(x)

        return y, first_order_gradient

    xv = np.array([0.2, 1.3, -0.7])
    x = tf.constant(xv)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = op_with_fused_backprop(x)
        g = inner.gradient(y, x)
    np.testing.assert_allclose(g.numpy(), np.cos(xv), rtol=1e-15)
    np.testing.assert_allclose(outer.gradient(g, x).numpy(), -np.sin(xv), rtol=1e-15)


def test_several_outputs():
    """f(x) = (2 x, x^3): grad_fn receives one upstream gradient per output."""

    @tf.custom_gradient
    def two(x):
        def grad(d1, d2):
            return d1 * 2.0 + d2 * 3.0 * x * x

        return (x * 2.0, x**3), grad

    x = tf.constant(2.0, dtype=tf.float64)
    with tf.GradientTape() as t:
        t.watch(x)
        a, b = two(x)
        s = 5.0 * a + b
    assert (a.numpy(), b.numpy()) == (4.0, 8.0)
    assert t.gradient(s, x).numpy() == 5.0 * 2.0 + 3.0 * 4.0


def test_custom_gradient_inside_a_larger_computation_matches_finite_differences():
    """A deliberately different but correct grad_fn (the derivative of x^3 written as
    3 x x) inside sin(.) * w: the chain rule passes the upstream gradient correctly."""

    @tf.custom_gradient
    def cube(x):
        return x * x * x, lambda dy: dy * 3.0 * x * x

    xv, wv = np.array([0.4, -1.1, 0.9]), np.array([1.5, 0.5, -2.0])
    x, w = tf.constant(xv), tf.constant(wv)
    with tf.GradientTape() as t:
        t.watch([x, w])
        y = tf.reduce_sum(tf.sin(cube(x)) * w)
    gx, gw = t.gradient(y, [x, w])
    fx, fw = central_difference(lambda x, w: np.sum(np.sin(x**3) * w), [xv, wv])
    np.testing.assert_allclose(gx.numpy(), fx, rtol=1e-8)
    np.testing.assert_allclose(gw.numpy(), fw, rtol=1e-8)


# --------------------------------------------------------------------------- errors


def wrong_count(x, y):
    return x * y, lambda dz: dz * y  # one gradient for two inputs


def wrong_shape(x, y):
    return tf.reduce_sum(x) * y, lambda dz: (tf.ones([2], dtype=tf.float64), dz)


def too_many(x, y):
    return x * y, lambda dz: (dz, dz, dz)


ERRORS = {
    "wrong_count": (wrong_count, "returned 1 input gradients but it has 2 inputs"),
    "too_many": (too_many, "returned 3 input gradients but it has 2 inputs"),
    "wrong_shape": (wrong_shape,
                    r"returned a gradient of shape \(2,\) for input 0, whose shape is \(3,\)"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_wrong_gradients_raise_naming_function_index_and_shapes(name):
    body, message = ERRORS[name]
    f = tf.custom_gradient(body)
    x = tf.constant(np.array([1.0, 2.0, 3.0]))
    y = tf.constant(np.array(2.0)) if name == "wrong_shape" else tf.constant(np.ones(3))
    with tf.GradientTape() as t:
        t.watch([x, y])
        z = f(x, y)
    with pytest.raises(ValueError, match=f"custom_gradient function '{name}' {message}"):
        t.gradient(z, [x, y])


def _variable_case(kind):
    w = tf.Variable(np.array([1.0, 2.0]))
    if kind == "count":
        grad_fn = lambda dz, variables=None: (dz, [])
    else:
        grad_fn = lambda dz, variables=None: (dz, [tf.ones([3], dtype=tf.float64)])

    def body(x):
        return x * w[0], grad_fn

    body.__name__ = f"variable_{kind}"
    return tf.custom_gradient(body)


@pytest.mark.parametrize(("kind", "message"), [
    ("count", "'variable_count' returned 0 variable gradients but it has 1 variables"),
    ("shape", r"'variable_shape' returned a gradient of shape \(3,\) for variable 0, whose "
              r"shape is \(2,\)"),
])
def test_wrong_variable_gradients_raise(kind, message):
    f = _variable_case(kind)
    x = tf.constant(np.array([1.0, 2.0, 3.0]))
    with tf.GradientTape() as t:
        t.watch(x)
        z = f(x)
    with pytest.raises(ValueError, match=message):
        t.gradient(z, x)


def test_reading_variables_needs_a_variables_argument():
    w = tf.Variable(2.0)

    @tf.custom_gradient
    def uses_w(x):
        return x * w, lambda dz: dz * w

    with tf.GradientTape() as t:
        x = tf.constant(1.0)
        t.watch(x)
        with pytest.raises(TypeError, match="'uses_w' reads variables, so its grad_fn must "
                                            "accept a keyword argument 'variables'"):
            uses_w(x)


@pytest.mark.parametrize("inside_a_tape", [True, False])
def test_variables_read_through_fast_paths_are_found(inside_a_tape):
    """A variable read by a one-operand op and an operator inside f (no bind call) is still
    seen: passed to grad_fn as ``variables``, or refused when grad_fn cannot take them.
    y = tanh(w) x at w = 0.5, x = 2: dy/dw = x (1 - tanh(w)^2)."""
    w = tf.Variable(np.float64(0.5))
    received = []

    @tf.custom_gradient
    def f(x):
        y = tf.tanh(w) * x

        def grad_fn(dy, variables):
            received.append(list(variables))
            return dy * tf.tanh(w), [dy * x * (1 - tf.tanh(w) ** 2)]

        return y, grad_fn

    @tf.custom_gradient
    def no_variables_argument(x):
        return x * tf.tanh(w), lambda dy: dy * tf.tanh(w)

    x = tf.constant(np.float64(2.0))
    if not inside_a_tape:
        with pytest.raises(TypeError, match="reads variables"):
            no_variables_argument(x)
        assert float(f(x)) == pytest.approx(np.tanh(0.5) * 2.0, rel=1e-15)
        return
    with tf.GradientTape() as t:
        with pytest.raises(TypeError, match="reads variables"):
            no_variables_argument(x)
        y = f(x)
    assert float(t.gradient(y, w)) == pytest.approx(2.0 * (1 - np.tanh(0.5) ** 2), rel=1e-15)
    assert received == [[w]]


def test_variable_read_only_by_an_op_without_gradient_is_passed_to_grad_fn():
    """f reads v only through argmax: v is still one of f's variables (its gradient None).
    y = 2x + argmax(v), so dy/dx = 2."""
    v = tf.Variable(np.array([1.0, 3.0, 2.0]))
    received = []

    @tf.custom_gradient
    def f(x):
        k = tf.math.argmax(v)

        def grad_fn(dy, variables):
            received.append(list(variables))
            return dy * 2.0, [None]

        return x * 2.0 + tf.cast(k, x.dtype), grad_fn

    x = tf.constant(1.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = f(x)
    assert float(y) == 3.0 and float(t.gradient(y, x)) == 2.0
    assert received == [[v]]


def test_nested_custom_gradients_reading_variables():
    """outer(x) = inner(x) u with inner(x) = x v: y = x v u at x = 1.5, v = 2, u = 3, so
    (dy/dx, dy/dv, dy/du) = (v u, x u, x v) = (6, 4.5, 3)."""
    v, u = tf.Variable(np.float64(2.0)), tf.Variable(np.float64(3.0))

    @tf.custom_gradient
    def inner(x):
        return x * v, lambda dy, variables: ([dy * v], [dy * x])

    @tf.custom_gradient
    def outer(x):
        def grad_fn(dy, variables):
            assert variables == [v, u]
            return [dy * v * u], [dy * x * u, dy * x * v]

        return inner(x) * u, grad_fn

    x = tf.constant(np.float64(1.5))
    with tf.GradientTape() as t:
        t.watch(x)
        y = outer(x)
    assert [float(g) for g in t.gradient(y, [x, v, u])] == [6.0, 4.5, 3.0]


# --------------------------------------------------------------------------- recompute_grad


def test_doc_recompute_grad_recomputes_during_backward():
    """The doc's my_function (tf.print('running') becomes a call counter): with
    recompute_grad, f runs 4 times forward and 4 more times in tape.gradient; r = y^4, so
    dr/dy = 4 y^3 = 4."""
    y = tf.Variable(1.0)
    calls = []

    def my_function(x):
        calls.append("running")
        z = x * y
        return z

    my_function_recompute = tf.recompute_grad(my_function)
    with tf.GradientTape() as tape:
        r = tf.constant(1.0)
        for _ in range(4):
            r = my_function_recompute(r)
    assert len(calls) == 4
    grad = tape.gradient(r, [y])
    assert len(calls) == 8
    assert grad[0] is not None and grad[0].numpy() == 4.0


def test_doc_without_recompute_grad_nothing_is_recomputed():
    y = tf.Variable(1.0)
    calls = []

    def my_function(x):
        calls.append("running")
        return x * y

    with tf.GradientTape() as tape:
        r = tf.constant(1.0)
        for _ in range(4):
            r = my_function(r)
    grad = tape.gradient(r, [y])
    assert len(calls) == 4
    assert grad[0].numpy() == 4.0  # d(y^4)/dy at 1


class _Model:
    """The doc's tf.keras.Sequential([Lambda(print_running_and_return), Dense(2)]), with the
    Dense layer written as x @ kernel + bias and the print as a call counter."""

    def __init__(self):
        self.kernel = tf.Variable(np.array([[0.5, -0.2], [0.3, 0.8]]))
        self.bias = tf.Variable(np.array([0.1, -0.3]))
        self.variables = [self.kernel, self.bias]
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return tf.matmul(x, self.kernel) + self.bias


def _model_closed_form(model, r0):
    """Gradients of sum(model^4(r0)) by central differences of the NumPy model."""

    def total(k, b):
        r = r0
        for _ in range(4):
            r = r @ k + b
        return np.sum(r)

    return central_difference(total, [model.kernel.numpy(), model.bias.numpy()])


def test_doc_recompute_grad_of_a_model():
    model = _Model()
    model_recompute = tf.recompute_grad(model)
    r0 = np.array([[1.0, 2.0]])
    with tf.GradientTape(persistent=True) as tape:
        r = tf.constant(r0)
        for _ in range(4):
            r = model_recompute(r)
    assert model.calls == 4
    grad = tape.gradient(r, model.variables)
    assert model.calls == 8
    assert all(g is not None for g in grad)
    for g, expected in zip(grad, _model_closed_form(model, r0)):
        np.testing.assert_allclose(g.numpy(), expected, rtol=1e-8)
    # "Alternatively, use the __wrapped__ attribute to access the original model object."
    grad = tape.gradient(r, model_recompute.__wrapped__.variables)
    assert model.calls == 12


def test_recompute_grad_wraps_the_original_function():
    model = _Model()
    assert tf.recompute_grad(model).__wrapped__ is model


def _layers(rng, n_layers, width):
    return [rng.standard_normal((width, width)) / np.sqrt(width) for _ in range(n_layers)]


def _forward(x, weights, layer):
    h = x
    for w in weights:
        h = layer(h, w)
    return h


def _tanh_layer(x, w):
    return tf.tanh(tf.matmul(x, w))


def test_recompute_grad_gradients_match_finite_differences(rng):
    """Three checkpointed tanh(x @ W) layers: the gradients with respect to the input and to
    every W agree with central differences of the NumPy network, and each layer runs once
    forward and once more in the backward sweep."""
    xv = rng.standard_normal((4, 3))
    wv = _layers(rng, 3, 3)
    calls = []

    def layer(x, w):
        calls.append(1)
        return _tanh_layer(x, w)

    checkpointed = tf.recompute_grad(layer)
    x = tf.constant(xv)
    ws = [tf.constant(w) for w in wv]
    with tf.GradientTape() as t:
        t.watch([x, *ws])
        loss = tf.reduce_sum(_forward(x, ws, checkpointed) ** 2)
    assert len(calls) == 3
    grads = t.gradient(loss, [x, *ws])
    assert len(calls) == 6

    def loss_np(x, *ws):
        h = x
        for w in ws:
            h = np.tanh(h @ w)
        return np.sum(h**2)

    for g, fd in zip(grads, central_difference(loss_np, [xv, *wv])):
        np.testing.assert_allclose(g.numpy(), fd, rtol=1e-7, atol=1e-10)


def test_recompute_grad_second_order_matches_closed_form():
    """Gradients of a checkpointed function can be differentiated again (TF's
    testCustomGradientRecomputeGrad): f = sum(tanh(x)^2), H = diag(2 s^2 - 4 t^2 s)."""
    f = tf.recompute_grad(lambda x: tf.reduce_sum(tf.tanh(x) ** 2))
    xv = np.array([1.0, 2.0, -0.5])
    t, s = np.tanh(xv), 1 - np.tanh(xv) ** 2
    np.testing.assert_allclose(tf.hessian(f)(tf.constant(xv)).numpy(),
                               np.diag(2 * s**2 - 4 * t**2 * s), rtol=1e-12, atol=1e-15)


def test_recompute_grad_forward_mode():
    """TF's forwardprop_test.testCustomGradientRecomputeGrad checks forward-mode Jacobians of a
    recompute_grad function against numerical ones; here J v = 2 tanh(x) (1 - tanh(x)^2) v."""
    f = tf.recompute_grad(lambda x: tf.reduce_sum(tf.tanh(x) ** 2))
    xv, v = np.array([1.0, 2.0]), np.array([1.0, -3.0])
    x = tf.constant(xv)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(v)) as acc:
        y = f(x)
    jv = acc.jvp(y)
    assert jv is not None
    np.testing.assert_allclose(jv.numpy(), np.sum(2 * np.tanh(xv) * (1 - np.tanh(xv) ** 2) * v))


N_LAYERS, WIDTH = 30, 256


def _gradient_of_stack(x, weights, layer):
    with tf.GradientTape() as t:
        t.watch(x)
        loss = tf.reduce_sum(_forward(x, weights, layer))
    return t.gradient(loss, x)


def _peak_bytes(x, weights, layer):
    """The gradient and the tracemalloc peak of forward + gradient."""
    gc.collect()
    tracemalloc.start()
    try:
        grad = _gradient_of_stack(x, weights, layer)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return grad.numpy(), peak


def _gated_layer(x, w):
    """tanh(x W) * sigmoid(x W): the tape keeps three arrays per layer for its gradient (the
    input, tanh and sigmoid), recompute_grad only the layer's input."""
    h = tf.matmul(x, w)
    return tf.tanh(h) * tf.sigmoid(h)


@pytest.fixture(scope="module")
def deep_stack():
    """30 layers of tanh(x @ W) on a (256, 256) float64 input, differentiated once plainly and
    once with every layer wrapped in recompute_grad (run once for the tests below)."""
    rng = np.random.default_rng(0)
    x = tf.constant(rng.standard_normal((WIDTH, WIDTH)))
    weights = [tf.constant(w) for w in _layers(rng, N_LAYERS, WIDTH)]
    plain = _peak_bytes(x, weights, _gated_layer)
    checkpointed = _peak_bytes(x, weights, tf.recompute_grad(_gated_layer))
    return plain, checkpointed


def test_recompute_grad_deep_stack_gradient_matches_unwrapped(deep_stack):
    (plain, _), (checkpointed, _) = deep_stack
    np.testing.assert_allclose(checkpointed, plain, rtol=1e-12, atol=1e-14)


def test_recompute_grad_deep_stack_needs_less_memory(deep_stack):
    """Without checkpoints the tape keeps three 512 KiB arrays per gated layer; checkpointed,
    only each layer's input is kept and the rest is recomputed one layer at a time in the
    backward sweep, so the peak of forward + gradient must be clearly smaller."""
    (_, plain_peak), (_, checkpointed_peak) = deep_stack
    assert plain_peak > N_LAYERS * 2 * WIDTH * WIDTH * 8  # the tape held several per layer
    assert checkpointed_peak < 0.6 * plain_peak, (checkpointed_peak, plain_peak)


def test_dropped_gradients_are_freed_without_the_cyclic_gc():
    """A gradient the caller drops must be freed at once (by reference counting), not only
    when the cyclic garbage collector runs."""
    x = tf.constant(np.ones(1000))
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        grads = t.gradient(y, [x])
        ref = weakref.ref(grads[0])
        del grads
        assert ref() is None
    finally:
        if was_enabled:
            gc.enable()


def test_custom_gradient_is_recomputed_for_every_sweep():
    """A persistent tape swept twice with the same output_gradients tensor, with the variable
    the gradient reads assigned in between: each sweep calls grad_fn afresh (closed form:
    d/dx of scale * x is the current scale)."""
    scale = tf.Variable(np.float64(2.0), trainable=False)

    @tf.custom_gradient
    def scaled(x):
        def grad(upstream):
            return upstream * scale

        return x * 2.0, grad

    x = tf.constant(np.float64(1.0))
    u = tf.constant(np.float64(1.0))
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = scaled(x)
    assert float(t.gradient(y, x, output_gradients=u)) == 2.0
    scale.assign(5.0)
    assert float(t.gradient(y, x, output_gradients=u)) == 5.0


def test_recompute_grad_gated_layers_match_finite_differences():
    """Two checkpointed gated layers, tanh(x W) * sigmoid(x W), on a small input: the
    gradients with respect to the input and both weights agree with central differences of
    the NumPy network."""
    rng = np.random.default_rng(3)
    x0 = rng.standard_normal((2, 3))
    ws = [rng.standard_normal((3, 3)) * 0.5 for _ in range(2)]

    def numpy_net(x, w1, w2):
        for w in (w1, w2):
            h = x @ w
            x = np.tanh(h) / (1 + np.exp(-h))
        return np.sum(x)

    layer = tf.recompute_grad(_gated_layer)
    x = tf.constant(x0)
    weights = [tf.constant(w) for w in ws]
    with tf.GradientTape() as t:
        t.watch([x, *weights])
        h = x
        for w in weights:
            h = layer(h, w)
        y = tf.reduce_sum(h)
    grads = t.gradient(y, [x, *weights])
    for g, ref in zip(grads, central_difference(numpy_net, [x0, *ws])):
        np.testing.assert_allclose(g.numpy(), ref, rtol=1e-6, atol=1e-8)


# --------------------------------------------------------------------------- nesting with tapes
# and forward accumulators: f(v) = v sin(v) + v^2 elementwise, whose k-th derivative is
# v sin^(k)(v) + k sin^(k-1)(v) plus that of v^2.


def _f(v):
    return tf.sin(v) * v + tf.square(v)


def _f_derivative(v, k):
    sin_k = [np.sin, np.cos, lambda a: -np.sin(a), lambda a: -np.cos(a)]
    out = v * sin_k[k % 4](v) + (k * sin_k[(k - 1) % 4](v) if k else 0.0)
    return out + [v**2, 2 * v, 2.0 + 0 * v][k] if k < 3 else out


@tf.custom_gradient
def _f_custom(v):
    """_f with its gradient written by hand (with tape ops, so it is differentiable)."""

    def grad(upstream):
        return upstream * (tf.cos(v) * v + tf.sin(v) + 2 * v)

    return _f(v), grad


def _twice(v):
    """_f from a checkpointed function of two arguments given the same tensor."""
    return tf.recompute_grad(lambda a, b: tf.sin(a) * b + a * b)(v, v)


def _two_outputs(v):
    first, second = tf.recompute_grad(lambda a: (tf.sin(a) * a, tf.square(a)))(v)
    return first + second


WRAPPED = {
    "recompute_grad": tf.recompute_grad(_f),
    "custom_gradient": _f_custom,
    "recompute_grad(custom_gradient)": tf.recompute_grad(_f_custom),
    "recompute_grad(recompute_grad)": tf.recompute_grad(tf.recompute_grad(_f)),
    "recompute_grad, one input twice": _twice,
    "recompute_grad, two outputs": _two_outputs,
}
X0 = np.array([2.3, -1.1, 0.4])
DIRECTIONS = np.random.default_rng(11).standard_normal((3, 3))


def _nested(order, x, fn, level=0):
    """The derivative of sum(fn(x)) along DIRECTIONS[level], DIRECTIONS[level + 1], ... taken
    by a tape ('T', the gradient dotted with the direction) or an accumulator ('A') at each
    level, the first letter outermost."""
    if not order:
        return tf.reduce_sum(fn(x))
    d = tf.constant(DIRECTIONS[level])
    if order[0] == "T":
        with tf.GradientTape() as t:
            t.watch(x)
            inner = _nested(order[1:], x, fn, level + 1)
        return tf.reduce_sum(t.gradient(inner, x) * d)
    with tf.autodiff.ForwardAccumulator(x, d) as acc:
        inner = _nested(order[1:], x, fn, level + 1)
    return acc.jvp(inner)


def test_gradient_of_a_jvp_through_recompute_grad_is_the_hessian_times_the_tangent():
    """A tape around an accumulator around a checkpointed function: d/dx <grad f, u> = H u.
    The accumulator's tangent computation must be taped although f's ops are not (it was
    lost: the gradient was None). JAX gives [-1.04767403, 0.96343207] for
    grad(lambda x: jvp(lambda v: sum(f(v)), (x,), (u,))[1])."""
    xv, uv = np.array([2.3, -1.1]), np.array([1.0, 0.5])
    for fn in (_f, *WRAPPED.values()):
        x, u = tf.constant(xv), tf.constant(uv)
        with tf.GradientTape() as t:
            t.watch(x)
            with tf.autodiff.ForwardAccumulator(x, u) as acc:
                y = tf.reduce_sum(fn(x))
            jv = acc.jvp(y)
        g = t.gradient(jv, x)
        np.testing.assert_allclose(g.numpy(), _f_derivative(xv, 2) * uv, rtol=1e-13)
        np.testing.assert_allclose(g.numpy(), [-1.04767403, 0.96343207], rtol=1e-8)


@pytest.mark.parametrize("name", list(WRAPPED))
def test_gradient_of_a_jvp_inside_a_larger_computation(name):
    """The wrapped value used twice more outside the wrapper, so that a lost dependence gives
    wrong numbers rather than None: s = sum(f(x) x + cos(f(x))), and d/dx <grad s, u> = s'' u
    with s'' = f'' x + 2 f' - cos(f) f'^2 - sin(f) f''."""
    fn = WRAPPED[name]
    xv, uv = X0, DIRECTIONS[0]
    x = tf.constant(xv)
    with tf.GradientTape() as t:
        t.watch(x)
        with tf.autodiff.ForwardAccumulator(x, tf.constant(uv)) as acc:
            fx = fn(x)
            s = tf.reduce_sum(fx * x + tf.cos(fx))
        jv = acc.jvp(s)
    f0, f1, f2 = (_f_derivative(xv, k) for k in range(3))
    s1 = f1 * xv + f0 - np.sin(f0) * f1
    s2 = f2 * xv + 2 * f1 - np.cos(f0) * f1**2 - np.sin(f0) * f2
    np.testing.assert_allclose(jv.numpy(), np.sum(s1 * uv), rtol=1e-13)
    np.testing.assert_allclose(t.gradient(jv, x).numpy(), s2 * uv, rtol=1e-12)


@pytest.mark.parametrize("order", ["T", "A", "TT", "TA", "AT", "AA", "TTT", "TTA", "TAT",
                                   "TAA", "ATT", "ATA", "AAT", "AAA"])
@pytest.mark.parametrize("name", list(WRAPPED))
def test_every_nesting_of_tapes_and_accumulators_to_third_order(name, order):
    """Every order of tapes and accumulators around the wrapped function, to third order:
    sum_i f^(k)(x_i) d1_i ... dk_i, in closed form."""
    got = _nested(order, tf.constant(X0), WRAPPED[name])
    k = len(order)
    expected = np.sum(_f_derivative(X0, k) * np.prod(DIRECTIONS[:k], axis=0))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("name", list(WRAPPED))
def test_gradient_of_a_jvp_whose_tangent_depends_on_x(name):
    """A tangent computed from x under the tape, u = sin(x) c: d/dx <f'(x), sin(x) c> =
    (f''(x) sin(x) + f'(x) cos(x)) c."""
    xv, c = X0, DIRECTIONS[0]
    x = tf.constant(xv)
    with tf.GradientTape() as t:
        t.watch(x)
        with tf.autodiff.ForwardAccumulator(x, tf.sin(x) * tf.constant(c)) as acc:
            y = tf.reduce_sum(WRAPPED[name](x))
        jv = acc.jvp(y)
    f1, f2 = _f_derivative(xv, 1), _f_derivative(xv, 2)
    np.testing.assert_allclose(t.gradient(jv, x).numpy(),
                               (f2 * np.sin(xv) + f1 * np.cos(xv)) * c, rtol=1e-12)


def _g(x, w):
    return tf.sin(x * w)


@tf.custom_gradient
def _g_custom(x):
    """sin(x W) for the variable W, with a hand-written gradient for x and W."""

    def grad(upstream, variables=None):
        c = tf.cos(x * W)
        return [upstream * c * W], [upstream * c * x]

    return _g(x, W), grad


W = tf.Variable(np.array([0.7, -0.3, 1.2]))


@pytest.mark.parametrize("wrap", ["recompute_grad", "custom_gradient"])
def test_gradient_of_a_jvp_reading_a_variable(wrap):
    """f(x) = sin(x W) with W a variable that f reads. With the tangent u on x,
    J u = cos(xW) W u, whose gradients are -sin(xW) W^2 u (x) and (cos(xW) - sin(xW) x W) u
    (W); with the tangent dW on W, J dW = cos(xW) x dW, whose gradient for x is
    (cos(xW) - sin(xW) x W) dW."""
    fn = tf.recompute_grad(lambda x: _g(x, W)) if wrap == "recompute_grad" else _g_custom
    xv, uv, wv = X0, DIRECTIONS[0], W.numpy()
    s, c = np.sin(xv * wv), np.cos(xv * wv)
    x = tf.constant(xv)
    with tf.GradientTape() as t:
        t.watch(x)
        with tf.autodiff.ForwardAccumulator(x, tf.constant(uv)) as acc:
            y = tf.reduce_sum(fn(x))
        jv = acc.jvp(y)
    np.testing.assert_allclose(jv.numpy(), np.sum(c * wv * uv), rtol=1e-13)
    gx, gw = t.gradient(jv, [x, W])
    np.testing.assert_allclose(gx.numpy(), -s * wv**2 * uv, rtol=1e-13)
    np.testing.assert_allclose(gw.numpy(), (c - s * xv * wv) * uv, rtol=1e-13)

    dw = DIRECTIONS[1]
    with tf.GradientTape() as t:
        t.watch(x)
        with tf.autodiff.ForwardAccumulator(W, tf.constant(dw)) as acc:
            y = tf.reduce_sum(fn(x))
        jv = acc.jvp(y)
    np.testing.assert_allclose(jv.numpy(), np.sum(c * xv * dw), rtol=1e-13)
    np.testing.assert_allclose(t.gradient(jv, x).numpy(), (c - s * xv * wv) * dw, rtol=1e-13)


def test_gradient_of_a_jvp_through_recompute_grad_keeps_one_entry_on_the_tape():
    """The tape around the accumulator records the checkpointed function and its JVP as one
    entry each, whatever the number of ops inside (here 40), and recomputes them in the
    backward sweep: d/dx of J u for g(v) = v sin(v) applied 10 times, against central
    differences of the NumPy J u."""

    def deep(v):
        for _ in range(10):
            v = tf.sin(v) * v
        return v

    def numpy_jvp(xv, uv):
        jv = uv
        for _ in range(10):
            jv = (np.cos(xv) * xv + np.sin(xv)) * jv
            xv = np.sin(xv) * xv
        return np.sum(jv)

    xv, uv = np.array([1.9, 2.2]), np.array([1.0, 2.0])
    x = tf.constant(xv)
    with tf.GradientTape() as t:
        t.watch(x)
        with tf.autodiff.ForwardAccumulator(x, tf.constant(uv)) as acc:
            y = tf.reduce_sum(tf.recompute_grad(deep)(x))
        jv = acc.jvp(y)
    assert [e.op for e in t][:2] == ["custom_gradient:deep", "custom_gradient:jvp_of_deep"]
    assert len(t) <= 4
    np.testing.assert_allclose(jv.numpy(), numpy_jvp(xv, uv), rtol=1e-13)
    (ref,) = central_difference(lambda v: numpy_jvp(v, uv), [xv])
    np.testing.assert_allclose(t.gradient(jv, x).numpy(), ref, rtol=1e-7, atol=1e-9)


def test_recompute_grad_with_an_integer_argument_under_a_tape_and_an_accumulator():
    """An integer argument (indices) is neither watched nor differentiated, and nothing warns:
    s = sum(gather(x, [2, 0]) x0) = (x2 + x0) x0, grad = (x2 + 2 x0, 0, x0), H u =
    (2 u0 + u2, 0, u0)."""
    import warnings

    f = tf.recompute_grad(lambda a, i: tf.gather(a, i) * a[0])
    xv, uv = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.5, 0.25])
    idx = tf.constant(np.array([2, 0]))
    x = tf.constant(xv)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with tf.GradientTape() as t:
            t.watch(x)
            with tf.autodiff.ForwardAccumulator(x, tf.constant(uv)) as acc:
                y = tf.reduce_sum(f(x, idx))
            jv = acc.jvp(y)
        hu = t.gradient(jv, x)
        with tf.GradientTape() as t:
            t.watch(x)
            y = tf.reduce_sum(f(x, idx))
        g = t.gradient(y, x)
    np.testing.assert_allclose(jv.numpy(), np.dot([xv[2] + 2 * xv[0], 0, xv[0]], uv))
    np.testing.assert_allclose(hu.numpy(), [2 * uv[0] + uv[2], 0, uv[0]])
    np.testing.assert_allclose(g.numpy(), [xv[2] + 2 * xv[0], 0, xv[0]])
