"""TensorFlow's guides run as a user copying their code cells would, with ``import tape as tf``.

Each test follows one guide (or a coherent part of one) in the order of its cells: "Introduction
to gradients and automatic differentiation", "Advanced automatic differentiation", "Introduction
to Variables" and "Basic training loops". Plotting lines are left out. Every value is checked
against a closed form, central finite differences of a NumPy-only function, or a NumPy-only
reimplementation of the same computation; printed lines are checked where TensorFlow's output
is deterministic in form. Random draws are made reproducible with ``tf.random.set_seed`` (the
guides draw without a seed; the values differ from TensorFlow's either way).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import tape as tf
from tests.conftest import central_difference


@pytest.fixture
def seeded():
    """A fixed global seed for the test, fresh randomness again afterwards."""
    tf.random.set_seed(1234)
    yield
    tf.random.set_seed(None)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _relu(x):
    return np.maximum(x, 0.0)


def _elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))


def _jacobian_fd(f, x):
    """Full Jacobian d f(x)[i...] / d x[j...] of a NumPy function, by central differences."""
    out = np.asarray(f(x))
    jac = np.zeros(out.shape + x.shape)
    for idx in np.ndindex(out.shape):
        w = np.zeros(out.shape)
        w[idx] = 1.0
        jac[idx] = central_difference(f, [x], weights=w)[0]
    return jac


# ============================================================ Introduction to gradients


def test_autodiff_guide_gradient_tapes_and_model_gradients(capsys, seeded):
    # Gradient tapes: y = x**2 at 3.0.
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x**2
    dy_dx = tape.gradient(y, x)
    assert dy_dx.numpy() == 6.0

    w = tf.Variable(tf.random.normal((3, 2)), name="w")
    b = tf.Variable(tf.zeros(2, dtype=tf.float32), name="b")
    x = [[1.0, 2.0, 3.0]]

    with tf.GradientTape(persistent=True) as tape:
        y = x @ w + b
        loss = tf.reduce_mean(y**2)

    [dl_dw, dl_db] = tape.gradient(loss, [w, b])
    print(w.shape)
    print(dl_dw.shape)
    assert capsys.readouterr().out == "(3, 2)\n(3, 2)\n"

    my_vars = {"w": w, "b": b}
    grad = tape.gradient(loss, my_vars)

    # loss = mean(y**2) over 2 elements, so dloss/dy = y; dw = x^T y, db = y.
    xn = np.array(x)
    yn = xn @ w.numpy() + b.numpy()
    np.testing.assert_allclose(dl_dw.numpy(), xn.T @ yn, rtol=1e-6)
    np.testing.assert_allclose(dl_db.numpy(), yn[0], rtol=1e-6)
    np.testing.assert_allclose(grad["b"].numpy(), yn[0], rtol=1e-6)
    np.testing.assert_allclose(grad["w"].numpy(), xn.T @ yn, rtol=1e-6)
    assert dl_dw.dtype == tf.float32
    del tape

    # Gradients with respect to a model.
    tf.keras.clear_session()  # a fresh session: the layer is named "dense", as in the guide
    layer = tf.keras.layers.Dense(2, activation="relu")
    x = tf.constant([[1.0, 2.0, 3.0]])

    with tf.GradientTape() as tape:
        # Forward pass
        y = layer(x)
        loss = tf.reduce_mean(y**2)

    # Calculate gradients with respect to every trainable variable
    grad = tape.gradient(loss, layer.trainable_variables)

    for var, g in zip(layer.trainable_variables, grad):
        print(f"{var.name}, shape: {g.shape}")
    assert capsys.readouterr().out == (
        "dense/kernel:0, shape: (3, 2)\ndense/bias:0, shape: (2,)\n"
    )
    kernel, bias = layer.kernel.numpy(), layer.bias.numpy()
    pre = x.numpy() @ kernel + bias
    dpre = _relu(pre) * (pre > 0)  # dloss/dy = y for 2 elements
    np.testing.assert_allclose(grad[0].numpy(), x.numpy().T @ dpre, rtol=1e-6)
    np.testing.assert_allclose(grad[1].numpy(), dpre[0], rtol=1e-6)


def test_autodiff_guide_controlling_what_the_tape_watches(capsys):
    # A trainable variable
    x0 = tf.Variable(3.0, name="x0")
    # Not trainable
    x1 = tf.Variable(3.0, name="x1", trainable=False)
    # Not a Variable: A variable + tensor returns a tensor.
    x2 = tf.Variable(2.0, name="x2") + 1.0
    # Not a variable
    x3 = tf.constant(3.0, name="x3")

    with tf.GradientTape() as tape:
        y = (x0**2) + (x1**2) + (x2**2)

    grad = tape.gradient(y, [x0, x1, x2, x3])

    for g in grad:
        print(g)
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"\w+\.Tensor\(6\.0, shape=\(\), dtype=float32\)", out[0])
    assert out[1:] == ["None", "None", "None"]

    assert [var.name for var in tape.watched_variables()] == ["x0:0"]

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x**2

    # dy = 2x * dx
    dy_dx = tape.gradient(y, x)
    print(dy_dx.numpy())
    assert capsys.readouterr().out == "6.0\n"

    x0 = tf.Variable(0.0)
    x1 = tf.Variable(10.0)

    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(x1)
        y0 = tf.math.sin(x0)
        y1 = tf.nn.softplus(x1)
        y = y0 + y1
        ys = tf.reduce_sum(y)

    # dys/dx1 = exp(x1) / (1 + exp(x1)) = sigmoid(x1)
    grad = tape.gradient(ys, {"x0": x0, "x1": x1})

    print("dy/dx0:", grad["x0"])
    print("dy/dx1:", grad["x1"].numpy())
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "dy/dx0: None"
    assert out[1].startswith("dy/dx1: ")
    np.testing.assert_allclose(float(out[1].split()[1]), _sigmoid(10.0), rtol=1e-6)


def test_autodiff_guide_intermediate_results_and_targets(capsys):
    x = tf.constant(3.0)

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        z = y * y

    # dz_dy = 2 * y and y = x ** 2 = 9
    print(tape.gradient(z, y).numpy())
    assert capsys.readouterr().out == "18.0\n"

    x = tf.constant([1, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y

    print(tape.gradient(z, x).numpy())  # [4.0, 108.0] (4 * x**3 at x = [1.0, 3.0])
    print(tape.gradient(y, x).numpy())  # [2.0, 6.0] (2 * x at x = [1.0, 3.0])
    assert capsys.readouterr().out == "[  4. 108.]\n[2. 6.]\n"
    del tape  # Drop the reference to the tape

    # Gradient of multiple targets: the sum of the gradients.
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y0 = x**2
        y1 = 1 / x

    print(tape.gradient(y0, x).numpy())
    print(tape.gradient(y1, x).numpy())
    assert capsys.readouterr().out == "4.0\n-0.25\n"

    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y0 = x**2
        y1 = 1 / x

    print(tape.gradient({"y0": y0, "y1": y1}, x).numpy())
    assert capsys.readouterr().out == "3.75\n"

    x = tf.Variable(2.0)

    with tf.GradientTape() as tape:
        y = x * [3.0, 4.0]

    print(tape.gradient(y, x).numpy())
    assert capsys.readouterr().out == "7.0\n"

    # An elementwise gradient: sigmoid over a grid.
    x = tf.linspace(-10.0, 10.0, 200 + 1)

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.sigmoid(x)

    dy_dx = tape.gradient(y, x)
    s = _sigmoid(np.linspace(-10.0, 10.0, 201))
    np.testing.assert_allclose(y.numpy(), s, rtol=1e-6)
    np.testing.assert_allclose(dy_dx.numpy(), s * (1 - s), rtol=1e-5, atol=1e-7)


def test_autodiff_guide_control_flow_and_none_gradients(capsys):
    x = tf.constant(1.0)

    v0 = tf.Variable(2.0)
    v1 = tf.Variable(2.0)

    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        if x > 0.0:
            result = v0
        else:
            result = v1**2

    dv0, dv1 = tape.gradient(result, [v0, v1])

    print(dv0)
    print(dv1)
    dx = tape.gradient(result, x)
    print(dx)
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"\w+\.Tensor\(1\.0, shape=\(\), dtype=float32\)", out[0])
    assert out[1:] == ["None", "None"]
    del tape

    # Getting a gradient of None: an unconnected target.
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)

    with tf.GradientTape() as tape:
        z = y * y
    assert tape.gradient(z, x) is None

    # Replacing a variable with a tensor: the second gradient is None.
    x = tf.Variable(2.0)
    grads = []
    for _epoch in range(2):
        with tf.GradientTape() as tape:
            y = x + 1

        grads.append(tape.gradient(y, x))
        x = x + 1  # This should be `x.assign_add(1)`
    assert grads[0].numpy() == 1.0 and grads[1] is None

    # Took gradients through an integer: None, with TensorFlow's warnings.
    x = tf.constant(10)

    with pytest.warns(UserWarning, match="must be floating"):
        with tf.GradientTape() as g:
            g.watch(x)
            y = x * x
        assert g.gradient(y, x) is None

    # Took gradients through a stateful object: the tape starts from x1's new value.
    x0 = tf.Variable(3.0)
    x1 = tf.Variable(0.0)

    with tf.GradientTape() as tape:
        # Update x1 = x1 + x0.
        x1.assign_add(x0)
        # The tape starts recording from x1.
        y = x1**2  # y = (x1 + x0)**2

    # This doesn't work.
    assert tape.gradient(y, x0) is None

    # Zeros instead of None.
    x = tf.Variable([2.0, 2.0])
    y = tf.Variable(3.0)

    with tf.GradientTape() as tape:
        z = y**2
    g = tape.gradient(z, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.0])
    assert g.dtype == tf.float32


def test_autodiff_guide_numpy_step_is_recorded_unlike_tensorflow():
    """The cell "Took gradients through another library". In TensorFlow, ``np.mean`` turns the
    tensor into an array and the gradient is None; tape records NumPy functions (documented on
    the TensorFlow page of the docs), so the gradient is the true one: y = mean(x**2), dy/dx =
    2x/4."""
    x = tf.Variable([[1.0, 2.0], [3.0, 4.0]], dtype=tf.float32)

    with tf.GradientTape() as tape:
        x2 = x**2

        # This step is calculated with NumPy
        y = np.mean(x2, axis=0)

        # Like most ops, reduce_mean will cast the NumPy array to a constant tensor
        # using `tf.convert_to_tensor`.
        y = tf.reduce_mean(y, axis=0)

    g = tape.gradient(y, x)
    np.testing.assert_allclose(g.numpy(), x.numpy() / 2)


def test_autodiff_guide_image_cell_is_out_of_scope():
    # The cell "No gradient registered" uses tf.image.adjust_contrast: tf.image is out of
    # scope, and tape says so plainly.
    with pytest.raises(AttributeError, match=r"tape has no tf\.image"):
        tf.image.adjust_contrast  # noqa: B018


# ============================================================ Advanced automatic differentiation


def test_advanced_guide_controlling_recording(capsys):
    # Stop recording.
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)

    with tf.GradientTape() as t:
        x_sq = x * x
        with t.stop_recording():
            y_sq = y * y
        z = x_sq + y_sq

    grad = t.gradient(z, {"x": x, "y": y})

    print("dz/dx:", grad["x"])  # 2*x => 4
    print("dz/dy:", grad["y"])

    # Reset / start recording from scratch.
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)
    reset = True

    with tf.GradientTape() as t:
        y_sq = y * y
        if reset:
            # Throw out all the tape recorded so far.
            t.reset()
        z = x * x + y_sq

    grad = t.gradient(z, {"x": x, "y": y})

    print("dz/dx:", grad["x"])  # 2*x => 4
    print("dz/dy:", grad["y"])

    # Stop gradient flow with precision.
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)

    with tf.GradientTape() as t:
        y_sq = y**2
        z = x**2 + tf.stop_gradient(y_sq)

    grad = t.gradient(z, {"x": x, "y": y})

    print("dz/dx:", grad["x"])  # 2*x => 4
    print("dz/dy:", grad["y"])

    out = capsys.readouterr().out.splitlines()
    assert len(out) == 6
    for line in out[0::2]:
        assert re.fullmatch(r"dz/dx: \w+\.Tensor\(4\.0, shape=\(\), dtype=float32\)", line)
    assert out[1::2] == ["dz/dy: None"] * 3


def test_advanced_guide_custom_gradient_and_function_with_signature(capsys):
    # Establish an identity operation, but clip during the gradient pass.
    @tf.custom_gradient
    def clip_gradients(y):
        def backward(dy):
            return tf.clip_by_norm(dy, 0.5)

        return y, backward

    v = tf.Variable(2.0)
    with tf.GradientTape() as t:
        output = clip_gradients(v * v)
    print(t.gradient(output, v))  # calls "backward", which clips 4 to 2
    # d output/d(v*v) is clipped from 1 to 0.5; times d(v*v)/dv = 4 gives 2.
    assert re.fullmatch(r"\w+\.Tensor\(2\.0, shape=\(\), dtype=float32\)\n",
                        capsys.readouterr().out)

    class MyModule(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec(None)])
        def call_custom_grad(self, x):
            return clip_gradients(x)

    model = MyModule()

    # The next cell saves and reloads `model` with tf.saved_model: SavedModel is out of scope
    # (tape says so plainly). The gradient through the method itself is the same as above.
    with pytest.raises(AttributeError, match=r"tape has no tf\.saved_model"):
        tf.saved_model.save  # noqa: B018
    v = tf.Variable(2.0)
    with tf.GradientTape() as t:
        output = model.call_custom_grad(v * v)
    assert t.gradient(output, v).numpy() == 2.0

    # The same decorator on a plain function clips larger upstream gradients to norm 0.5.
    w = tf.Variable([3.0, 4.0])
    with tf.GradientTape() as t:
        out = tf.reduce_sum(clip_gradients(w) * w)  # upstream gradient is w, norm 5
    np.testing.assert_allclose(t.gradient(out, w).numpy(), 0.1 * w.numpy() + w.numpy())


def test_advanced_guide_multiple_tapes_and_higher_order(capsys):
    x0 = tf.constant(0.0)
    x1 = tf.constant(0.0)

    with tf.GradientTape() as tape0, tf.GradientTape() as tape1:
        tape0.watch(x0)
        tape1.watch(x1)

        y0 = tf.math.sin(x0)
        y1 = tf.nn.sigmoid(x1)

        y = y0 + y1

        ys = tf.reduce_sum(y)

    assert tape0.gradient(ys, x0).numpy() == 1.0  # cos(x) => 1.0
    assert tape1.gradient(ys, x1).numpy() == 0.25  # sigmoid(x1)*(1-sigmoid(x1)) => 0.25

    x = tf.Variable(1.0)  # Create a Tensorflow variable initialized to 1.0

    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            y = x * x * x

        # Compute the gradient inside the outer `t2` context manager
        # which means the gradient computation is differentiable as well.
        dy_dx = t1.gradient(y, x)
    d2y_dx2 = t2.gradient(dy_dx, x)

    print("dy_dx:", dy_dx.numpy())  # 3 * x**2 => 3.0
    print("d2y_dx2:", d2y_dx2.numpy())  # 6 * x => 6.0
    assert capsys.readouterr().out == "dy_dx: 3.0\nd2y_dx2: 6.0\n"


def test_advanced_guide_input_gradient_regularization(seeded):
    x = tf.random.normal([7, 5])

    layer = tf.keras.layers.Dense(10, activation=tf.nn.relu)

    with tf.GradientTape() as t2:
        # The inner tape only takes the gradient with respect to the input,
        # not the variables.
        with tf.GradientTape(watch_accessed_variables=False) as t1:
            t1.watch(x)
            y = layer(x)
            out = tf.reduce_sum(layer(x) ** 2)
        # 1. Calculate the input gradient.
        g1 = t1.gradient(out, x)
        # 2. Calculate the magnitude of the input gradient.
        g1_mag = tf.norm(g1)

    # 3. Calculate the gradient of the magnitude with respect to the model.
    dg1_mag = t2.gradient(g1_mag, layer.trainable_variables)

    assert [var.shape for var in dg1_mag] == [(5, 10), (10,)]
    assert y.shape == (7, 10)

    xn = x.numpy().astype(np.float64)

    def magnitude(kernel, bias):
        pre = xn @ kernel + bias
        g = (2 * _relu(pre) * (pre > 0)) @ kernel.T
        return np.sqrt(np.sum(g**2))

    k, b = layer.kernel.numpy(), layer.bias.numpy()
    np.testing.assert_allclose(g1_mag.numpy(), magnitude(k, b), rtol=1e-5)
    ref = central_difference(magnitude, [k, b])
    np.testing.assert_allclose(dg1_mag[0].numpy(), ref[0], rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(dg1_mag[1].numpy(), ref[1], rtol=1e-3, atol=1e-4)


def test_advanced_guide_jacobians_scalar_source_and_tensor_source(capsys, seeded):
    # Scalar source.
    x = tf.linspace(-10.0, 10.0, 200 + 1)
    delta = tf.Variable(0.0)

    with tf.GradientTape() as tape:
        y = tf.nn.sigmoid(x + delta)

    dy_dx = tape.jacobian(y, delta)
    print(y.shape)
    print(dy_dx.shape)
    assert capsys.readouterr().out == "(201,)\n(201,)\n"
    s = _sigmoid(x.numpy().astype(np.float64))
    np.testing.assert_allclose(dy_dx.numpy(), s * (1 - s), rtol=1e-5, atol=1e-7)

    # Tensor source.
    x = tf.random.normal([7, 5])
    layer = tf.keras.layers.Dense(10, activation=tf.nn.relu)

    with tf.GradientTape(persistent=True) as tape:
        y = layer(x)

    assert y.shape == (7, 10)
    assert layer.kernel.shape == (5, 10)

    j = tape.jacobian(y, layer.kernel)
    assert j.shape == (7, 10, 5, 10)

    g = tape.gradient(y, layer.kernel)
    print("g.shape:", g.shape)

    j_sum = tf.reduce_sum(j, axis=[0, 1])
    delta = tf.reduce_max(abs(g - j_sum)).numpy()
    assert delta < 1e-3
    print("delta:", delta)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "g.shape: (5, 10)"
    assert re.fullmatch(r"delta: \S+", out[1])

    # y[i, c] = relu(x[i] @ K[:, c] + b[c]): dy[i, c]/dK[a, d] = x[i, a] [pre > 0] [c == d].
    pre = x.numpy() @ layer.kernel.numpy() + layer.bias.numpy()
    ref = np.einsum("ia,ic,cd->icad", x.numpy(), (pre > 0).astype(np.float64), np.eye(10))
    np.testing.assert_allclose(j.numpy(), ref, rtol=1e-6, atol=1e-7)
    del tape


def test_advanced_guide_hessian_and_newton_step(capsys, seeded):
    x = tf.random.normal([7, 5])
    layer1 = tf.keras.layers.Dense(8, activation=tf.nn.relu)
    layer2 = tf.keras.layers.Dense(6, activation=tf.nn.relu)
    x_in = x.numpy().astype(np.float64)

    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            x = layer1(x)
            x = layer2(x)
            loss = tf.reduce_mean(x**2)

        g = t1.gradient(loss, layer1.kernel)

    h = t2.jacobian(g, layer1.kernel)
    print(f"layer.kernel.shape: {layer1.kernel.shape}")
    print(f"h.shape: {h.shape}")
    assert capsys.readouterr().out == "layer.kernel.shape: (5, 8)\nh.shape: (5, 8, 5, 8)\n"

    b1 = layer1.bias.numpy().astype(np.float64)
    k2 = layer2.kernel.numpy().astype(np.float64)
    b2 = layer2.bias.numpy().astype(np.float64)

    def grad_k1(k1):
        """dloss/dK1, backpropagated by hand in NumPy."""
        a1 = x_in @ k1 + b1
        a2 = _relu(a1) @ k2 + b2
        da2 = 2 * _relu(a2) / a2.size * (a2 > 0)
        da1 = (da2 @ k2.T) * (a1 > 0)
        return x_in.T @ da1

    k1 = layer1.kernel.numpy().astype(np.float64)
    np.testing.assert_allclose(g.numpy(), grad_k1(k1), rtol=1e-4, atol=1e-6)
    h_ref = _jacobian_fd(grad_k1, k1)
    np.testing.assert_allclose(h.numpy(), h_ref, rtol=1e-3, atol=1e-5)

    n_params = tf.reduce_prod(layer1.kernel.shape)

    g_vec = tf.reshape(g, [n_params, 1])
    h_mat = tf.reshape(h, [n_params, n_params])
    assert g_vec.shape == (40, 1) and h_mat.shape == (40, 40)
    np.testing.assert_allclose(h_mat.numpy(), h_mat.numpy().T, atol=1e-5)

    eps = 1e-3
    eye_eps = tf.eye(h_mat.shape[0]) * eps

    # X(k+1) = X(k) - (∇²f(X(k)))^-1 @ ∇f(X(k))
    # h_mat = ∇²f(X(k))
    # g_vec = ∇f(X(k))
    update = tf.linalg.solve(h_mat + eye_eps, g_vec)

    # Reshape the update and apply it to the variable.
    _ = layer1.kernel.assign_sub(tf.reshape(update, layer1.kernel.shape))

    ref_update = np.linalg.solve(h_mat.numpy().astype(np.float64) + eps * np.eye(40),
                                 g_vec.numpy().astype(np.float64))
    np.testing.assert_allclose(update.numpy(), ref_update, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(layer1.kernel.numpy(), k1 - ref_update.reshape(5, 8),
                               rtol=1e-4, atol=1e-4)


def test_advanced_guide_batch_jacobian(capsys, seeded):
    x = tf.random.normal([7, 5])

    layer1 = tf.keras.layers.Dense(8, activation=tf.nn.elu)
    layer2 = tf.keras.layers.Dense(6, activation=tf.nn.elu)

    with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
        tape.watch(x)
        y = layer1(x)
        y = layer2(y)

    assert y.shape == (7, 6)

    j = tape.jacobian(y, x)
    assert j.shape == (7, 6, 7, 5)

    # The plot_as_patches cell without the plotting.
    jp = tf.transpose(j, [1, 0, 3, 2])
    lim = tf.reduce_max(abs(jp))
    jp = tf.pad(jp, [[0, 0], [1, 1], [0, 0], [1, 1]], constant_values=-lim)
    s = jp.shape
    jp = tf.reshape(jp, [s[0] * s[1], s[2] * s[3]])
    assert jp.shape == (54, 45)

    j_sum = tf.reduce_sum(j, axis=2)
    print(j_sum.shape)
    j_select = tf.einsum("bxby->bxy", j)
    print(j_select.shape)

    jb = tape.batch_jacobian(y, x)
    assert jb.shape == (7, 6, 5)

    error = tf.reduce_max(abs(jb - j_sum))
    assert error < 1e-3
    print(error.numpy())
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["(7, 6, 5)", "(7, 6, 5)"]
    np.testing.assert_allclose(j_select.numpy(), jb.numpy(), atol=1e-7)

    k1, b1 = (v.numpy().astype(np.float64) for v in (layer1.kernel, layer1.bias))
    k2, b2 = (v.numpy().astype(np.float64) for v in (layer2.kernel, layer2.bias))

    def net(xv):
        return _elu(_elu(xv @ k1 + b1) @ k2 + b2)

    ref = _jacobian_fd(net, x.numpy().astype(np.float64))
    np.testing.assert_allclose(j.numpy(), ref, rtol=1e-3, atol=1e-5)
    del tape


def test_advanced_guide_batch_norm_couples_the_batch(capsys, seeded):
    x = tf.random.normal([7, 5])

    layer1 = tf.keras.layers.Dense(8, activation=tf.nn.elu)
    bn = tf.keras.layers.BatchNormalization()
    layer2 = tf.keras.layers.Dense(6, activation=tf.nn.elu)

    with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
        tape.watch(x)
        y = layer1(x)
        y = bn(y, training=True)
        y = layer2(y)

    j = tape.jacobian(y, x)
    print(f"j.shape: {j.shape}")

    jb = tape.batch_jacobian(y, x)
    print(f"jb.shape: {jb.shape}")
    assert capsys.readouterr().out == "j.shape: (7, 6, 7, 5)\njb.shape: (7, 6, 5)\n"
    del tape

    k1, b1 = (v.numpy().astype(np.float64) for v in (layer1.kernel, layer1.bias))
    k2, b2 = (v.numpy().astype(np.float64) for v in (layer2.kernel, layer2.bias))
    x_in = x.numpy().astype(np.float64)

    def net(xv):
        h = _elu(xv @ k1 + b1)
        h = (h - h.mean(axis=0)) / np.sqrt(h.var(axis=0) + 1e-3)  # Keras's epsilon
        return _elu(h @ k2 + b2)

    np.testing.assert_allclose(y.numpy(), net(x_in), rtol=1e-4, atol=1e-5)
    ref = _jacobian_fd(net, x_in)
    np.testing.assert_allclose(j.numpy(), ref, rtol=1e-3, atol=1e-4)
    # "These slices are not diagonal": output row 0 depends on input row 1.
    assert np.abs(j.numpy()[0, :, 1, :]).max() > 1e-3
    # "Don't use batch_jacobian": it assumes y[b] depends on x[b] only. Like TensorFlow's, it
    # then gives d(sum over b of y[b, i]) / dx[b'] rather than the diagonal blocks.
    np.testing.assert_allclose(jb.numpy(), ref.sum(axis=0).transpose(1, 0, 2), rtol=1e-3,
                               atol=1e-4)
    assert np.abs(jb.numpy() - np.einsum("bxby->bxy", ref)).max() > 1e-2

    # The training call moved the statistics by (1 - momentum) = 0.01 toward the batch's
    # (the batch's variance with divisor n, as Keras's moments).
    h = _elu(x_in @ k1 + b1)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * h.mean(axis=0), rtol=1e-4,
                               atol=1e-7)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.99 + 0.01 * h.var(axis=0),
                               rtol=1e-4)
    assert {v.name.split("/")[-1] for v in bn.trainable_variables} == {"gamma:0", "beta:0"}


# ============================================================ Introduction to Variables


def test_variables_guide(capsys):
    my_tensor = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    my_variable = tf.Variable(my_tensor)

    # Variables can be all kinds of types, just like tensors
    bool_variable = tf.Variable([False, False, False, True])
    complex_variable = tf.Variable([5 + 4j, 6 + 1j])
    assert bool_variable.dtype == tf.bool
    assert complex_variable.dtype == tf.complex128

    print("Shape: ", my_variable.shape)
    print("DType: ", my_variable.dtype)
    print("As NumPy: ", my_variable.numpy())
    out = capsys.readouterr().out
    assert out.startswith("Shape:  (2, 2)\nDType:  ")
    assert "float32" in out.splitlines()[1]
    assert out.endswith("As NumPy:  [[1. 2.]\n [3. 4.]]\n")

    print("A variable:", my_variable)
    print("\nViewed as a tensor:", tf.convert_to_tensor(my_variable))
    print("\nIndex of highest value:", tf.math.argmax(my_variable))

    # This creates a new tensor; it does not reshape the variable.
    print("\nCopying and reshaping: ", tf.reshape(my_variable, [1, 4]))
    out = capsys.readouterr().out
    assert "shape=(2, 2) dtype=float32, numpy=" in out
    assert "Index of highest value: " in out and "[1 1], shape=(2,), dtype=int64)" in out
    assert "Copying and reshaping:  " in out and "[[1. 2. 3. 4.]], shape=(1, 4)" in out
    np.testing.assert_array_equal(tf.math.argmax(my_variable).numpy(), [1, 1])
    assert my_variable.shape == (2, 2)

    a = tf.Variable([2.0, 3.0])
    # This will keep the same dtype, float32
    a.assign([1, 2])
    assert a.dtype == tf.float32
    np.testing.assert_array_equal(a.numpy(), [1.0, 2.0])
    # Not allowed as it resizes the variable:
    try:
        a.assign([1.0, 2.0, 3.0])
    except Exception as e:
        print(f"{type(e).__name__}: {e}")
    out = capsys.readouterr().out
    assert re.match(
        r"ValueError: Cannot assign value to variable ' \w+:0': Shape mismatch\.The variable "
        r"shape \(2,\), and the assigned value shape \(3,\) are incompatible\.", out
    )
    np.testing.assert_array_equal(a.numpy(), [1.0, 2.0])

    a = tf.Variable([2.0, 3.0])
    # Create b based on the value of a
    b = tf.Variable(a)
    a.assign([5, 6])

    # a and b are different
    print(a.numpy())
    print(b.numpy())

    # There are other versions of assign
    print(a.assign_add([2, 3]).numpy())  # [7. 9.]
    print(a.assign_sub([7, 9]).numpy())  # [0. 0.]
    assert capsys.readouterr().out == "[5. 6.]\n[2. 3.]\n[7. 9.]\n[0. 0.]\n"

    # Create a and b; they will have the same name but will be backed by
    # different tensors.
    a = tf.Variable(my_tensor, name="Mark")
    # A new variable with the same name, but different value
    # Note that the scalar add is broadcast
    b = tf.Variable(my_tensor + 1, name="Mark")

    # These are elementwise-unequal, despite having the same name
    print(a == b)
    out = capsys.readouterr().out
    assert "[[False False]\n [False False]], shape=(2, 2), dtype=bool)" in out
    assert a.name == b.name == "Mark:0"

    step_counter = tf.Variable(1, trainable=False)
    assert step_counter.dtype == tf.int32 and not step_counter.trainable
    with tf.GradientTape() as tape:
        z = step_counter * 2
    assert tape.watched_variables() == () or list(tape.watched_variables()) == []
    assert z.numpy() == 2

    # Placing variables and tensors: tf.device is accepted and does nothing (tape runs on
    # NumPy on the CPU; devices are out of scope).
    with tf.device("CPU:0"):
        # Create some tensors
        a = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        b = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        c = tf.matmul(a, b)

    print(c)
    out = capsys.readouterr().out
    assert "[[22. 28.]\n [49. 64.]], shape=(2, 2), dtype=float32)" in out

    with tf.device("CPU:0"):
        a = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        b = tf.Variable([[1.0, 2.0, 3.0]])

    with tf.device("GPU:0"):
        # Element-wise multiply
        k = a * b

    print(k)
    out = capsys.readouterr().out
    assert "[[ 1.  4.  9.]\n [ 4. 10. 18.]], shape=(2, 3), dtype=float32)" in out


# ============================================================ Basic training loops


def _reference_gd(xn, yn, w, b, steps, lr=0.1):
    """The guide's loop in NumPy (float64): loss before each step, weights after each step."""
    losses, ws, bs = [], [], []
    for _ in range(steps):
        r = yn - (w * xn + b)
        losses.append(np.mean(r**2))
        dw = np.mean(-2 * r * xn)
        db = np.mean(-2 * r)
        w, b = w - lr * dw, b - lr * db
        ws.append(w)
        bs.append(b)
    return np.array(losses), np.array(ws), np.array(bs)


def _mse(xn, yn, w, b):
    return np.mean((yn - (w * xn + b)) ** 2)


def test_basic_training_loops_guide(capsys, seeded, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the guide writes "my_checkpoint" to the working directory

    # The actual line
    TRUE_W = 3.0  # noqa: N806
    TRUE_B = 2.0  # noqa: N806

    NUM_EXAMPLES = 201  # noqa: N806

    # A vector of random x values
    x = tf.linspace(-2, 2, NUM_EXAMPLES)
    assert x.dtype == tf.float64  # TensorFlow's dtype for whole-number endpoints
    x = tf.cast(x, tf.float32)

    def f(x):
        return x * TRUE_W + TRUE_B

    # Generate some noise
    noise = tf.random.normal(shape=[NUM_EXAMPLES])

    # Calculate y
    y = f(x) + noise
    assert y.shape == (201,) and y.dtype == tf.float32
    xn = x.numpy().astype(np.float64)
    yn = y.numpy().astype(np.float64)
    np.testing.assert_allclose(xn, np.linspace(-2, 2, 201), rtol=1e-6, atol=1e-7)

    class MyModel(tf.Module):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            # Initialize the weights to `5.0` and the bias to `0.0`
            # In practice, these should be randomly initialized
            self.w = tf.Variable(5.0)
            self.b = tf.Variable(0.0)

        def __call__(self, x):
            return self.w * x + self.b

    model = MyModel()

    # List the variables tf.modules's built-in variable aggregation.
    print("Variables:", model.variables)

    # Verify the model works
    assert model(3.0).numpy() == 15.0

    # tf.Module lists variables sorted by attribute name: b, then w.
    out = capsys.readouterr().out
    assert re.fullmatch(
        r"Variables: \(<\w+\.Variable '\w+:0' shape=\(\) dtype=float32, numpy=0\.0>, "
        r"<\w+\.Variable '\w+:0' shape=\(\) dtype=float32, numpy=5\.0>\)\n", out
    )

    # This computes a single loss value for an entire batch
    def loss(target_y, predicted_y):
        return tf.reduce_mean(tf.square(target_y - predicted_y))

    print("Current loss: %1.6f" % loss(y, model(x)).numpy())  # noqa: UP031
    out = capsys.readouterr().out
    assert re.fullmatch(r"Current loss: \d+\.\d{6}\n", out)
    assert float(out.split()[-1]) == pytest.approx(_mse(xn, yn, 5.0, 0.0), rel=1e-6, abs=2e-6)

    # Given a callable model, inputs, outputs, and a learning rate...
    def train(model, x, y, learning_rate):
        with tf.GradientTape() as t:
            # Trainable variables are automatically tracked by GradientTape
            current_loss = loss(y, model(x))

        # Use GradientTape to calculate the gradients with respect to W and b
        dw, db = t.gradient(current_loss, [model.w, model.b])

        # Subtract the gradient scaled by the learning rate
        model.w.assign_sub(learning_rate * dw)
        model.b.assign_sub(learning_rate * db)

    model = MyModel()

    # Collect the history of W-values and b-values to plot later
    weights = []
    biases = []
    epochs = range(10)

    # Define a training loop
    def report(model, loss):
        return f"W = {model.w.numpy():1.2f}, b = {model.b.numpy():1.2f}, loss={current_loss:2.5f}"

    def training_loop(model, x, y):
        for epoch in epochs:
            # Update the model with the single giant batch
            train(model, x, y, learning_rate=0.1)

            # Track this before I update
            weights.append(model.w.numpy())
            biases.append(model.b.numpy())
            current_loss = loss(y, model(x))

            print(f"Epoch {epoch:2d}:")
            print("    ", report(model, current_loss))

    current_loss = loss(y, model(x))

    print("Starting:")
    print("    ", report(model, current_loss))

    training_loop(model, x, y)

    ref_losses, ref_w, ref_b = _reference_gd(xn, yn, 5.0, 0.0, 10)
    np.testing.assert_allclose(weights, ref_w, rtol=1e-5)
    np.testing.assert_allclose(biases, ref_b, rtol=1e-5, atol=1e-6)
    # `report` formats the global current_loss (the starting loss), as the guide does.
    # Printed numbers are compared within one unit of their last digit (float32 vs float64).
    line = re.compile(r"     W = (\d\.\d\d), b = (\d\.\d\d), loss=(\d+\.\d{5})")
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 22 and out[0] == "Starting:"
    assert out[2::2] == [f"Epoch {epoch:2d}:" for epoch in epochs]
    for i, text in enumerate(out[1::2]):
        m = line.fullmatch(text)
        assert m, text
        w_i, b_i = (5.0, 0.0) if i == 0 else (ref_w[i - 1], ref_b[i - 1])
        assert float(m.group(1)) == pytest.approx(w_i, abs=0.006)
        assert float(m.group(2)) == pytest.approx(b_i, abs=0.006)
        assert float(m.group(3)) == pytest.approx(ref_losses[0], abs=1.1e-5)

    print("Current loss: %1.6f" % loss(model(x), y).numpy())  # noqa: UP031
    final = _mse(xn, yn, ref_w[-1], ref_b[-1])
    assert float(capsys.readouterr().out.split()[-1]) == pytest.approx(final, rel=1e-5)
    assert final < ref_losses[0]

    # The same solution, but with Keras.
    class MyModelKeras(tf.keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            # Initialize the weights to `5.0` and the bias to `0.0`
            # In practice, these should be randomly initialized
            self.w = tf.Variable(5.0)
            self.b = tf.Variable(0.0)

        def call(self, x):
            return self.w * x + self.b

    keras_model = MyModelKeras()

    # Reuse the training loop with a Keras model
    training_loop(keras_model, x, y)

    # You can also save a checkpoint using Keras's built-in support
    keras_model.save_weights("my_checkpoint")
    capsys.readouterr()
    np.testing.assert_allclose(keras_model.w.numpy(), ref_w[-1], rtol=1e-5)
    np.testing.assert_allclose(keras_model.b.numpy(), ref_b[-1], rtol=1e-5)
    assert (tmp_path / "my_checkpoint").exists()

    keras_model = MyModelKeras()

    # compile sets the training parameters
    keras_model.compile(
        # By default, fit() uses tf.function().  You can
        # turn that off for debugging, but it is on now.
        run_eagerly=False,
        # Using a built-in optimizer, configuring as an object
        optimizer=tf.keras.optimizers.SGD(learning_rate=0.1),
        # Keras comes with built-in MSE error
        # However, you could use the loss function
        # defined above
        loss=tf.keras.losses.mean_squared_error,
    )

    print(x.shape[0])
    history = keras_model.fit(x, y, epochs=10, batch_size=1000)

    # One batch per epoch: fit takes the same steps as the loop above; each epoch's loss is
    # the one computed for its step (before the update).
    np.testing.assert_allclose(keras_model.w.numpy(), ref_w[-1], rtol=1e-5)
    np.testing.assert_allclose(keras_model.b.numpy(), ref_b[-1], rtol=1e-5)
    np.testing.assert_allclose(history.history["loss"], ref_losses, rtol=1e-5)
    assert history.history["loss"][-1] < history.history["loss"][0]

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "201"
    assert len(out) == 21
    for epoch in range(10):
        assert out[1 + 2 * epoch] == f"Epoch {epoch + 1}/10"
        m = re.fullmatch(
            r"1/1 \[=+\] - \d+m?s \d+(?:us|ms|s)/step - loss: (\d+\.\d{4})",
            out[2 + 2 * epoch],
        )
        assert m, out[2 + 2 * epoch]
        assert float(m.group(1)) == pytest.approx(ref_losses[epoch], abs=1.1e-4)

    # The checkpoint written above loads back into a fresh model (its trained weights).
    restored = MyModelKeras()
    restored(x)
    restored.load_weights("my_checkpoint")
    np.testing.assert_allclose(restored.w.numpy(), ref_w[-1], rtol=1e-5)
    np.testing.assert_allclose(restored.b.numpy(), ref_b[-1], rtol=1e-5)

    # evaluate and predict with the fitted model.
    w_fit, b_fit = keras_model.w.numpy(), keras_model.b.numpy()
    ev = keras_model.evaluate(x, y, verbose=0)
    assert ev == pytest.approx(_mse(xn, yn, float(w_fit), float(b_fit)), rel=1e-5)
    np.testing.assert_allclose(keras_model.predict(x, verbose=0), w_fit * xn + b_fit,
                               rtol=1e-5, atol=1e-6)
