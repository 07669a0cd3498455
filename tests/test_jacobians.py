"""Jacobians and Hessians: ``GradientTape.jacobian`` and ``batch_jacobian``.

The docstring examples of both methods and the Jacobian examples of TensorFlow's guide
"Advanced automatic differentiation" (a Dense layer's Jacobian, the Hessian via nested tapes
and a Newton step, batch Jacobians, and the batch-normalisation caveat), adapted to
``import tape as tf``: Keras ``Dense`` layers are written as ``act(x @ kernel + bias)`` with
variables; ``tf.nn.elu`` (not in tape) is replaced by ``tf.tanh``; ``tf.einsum`` and
``tf.linalg.solve`` (not in tape) by NumPy on the results. Values are checked against closed
forms or central finite differences in float64.
"""

from __future__ import annotations

import numpy as np
import pytest

import tape as tf
from tests.conftest import central_difference


def _relu_mask(z):
    return (z > 0).astype(z.dtype)


def _numerical_jacobian(f, x):
    """d f(x) / d x by central differences, shape f(x).shape + x.shape (one VJP per output)."""
    out_shape = np.shape(f(x))
    rows = []
    for k in range(int(np.prod(out_shape))):
        e = np.zeros(int(np.prod(out_shape)))
        e[k] = 1.0
        rows.append(central_difference(f, [x], weights=e.reshape(out_shape))[0])
    return np.stack(rows).reshape(out_shape + np.shape(x))


# --------------------------------------------------------------------------- docstrings


def test_doc_jacobian_example():
    with tf.GradientTape() as g:
        x = tf.constant([1.0, 2.0])
        g.watch(x)
        y = x * x
    jacobian = g.jacobian(y, x)
    # the docstring's value [[2., 0.], [0., 4.]] is the closed form diag(2 x)
    np.testing.assert_array_equal(jacobian.numpy(), np.diag(2 * x.numpy()))
    assert jacobian.dtype == tf.float32


def test_doc_batch_jacobian_example():
    with tf.GradientTape() as g:
        x = tf.constant([[1, 2], [3, 4]], dtype=tf.float32)
        g.watch(x)
        y = x * x
    batch_jacobian = g.batch_jacobian(y, x)
    expected = [[[2, 0], [0, 4]], [[6, 0], [0, 8]]]  # the docstring's value: diag(2 x[i])
    np.testing.assert_array_equal(batch_jacobian.numpy(), expected)
    np.testing.assert_array_equal(batch_jacobian.numpy(),
                                  [np.diag(2 * row) for row in x.numpy()])


# --------------------------------------------------------------------------- the guide


def test_guide_scalar_source():
    x = tf.linspace(-10.0, 10.0, 200 + 1)
    delta = tf.Variable(0.0)
    with tf.GradientTape() as tape:
        y = tf.nn.sigmoid(x + delta)
    dy_dx = tape.jacobian(y, delta)
    # "When you take the Jacobian with respect to a scalar the result has the shape of the
    # target": (201,), and each element is sigmoid'(x) = s (1 - s).
    assert y.shape == (201,) and dy_dx.shape == (201,)
    s = 1 / (1 + np.exp(-x.numpy().astype(np.float64)))
    np.testing.assert_allclose(dy_dx.numpy(), s * (1 - s), rtol=1e-5, atol=1e-7)


def test_guide_tensor_source_dense_layer(rng):
    """layer = Dense(10, activation=relu) on x of shape (7, 5): the Jacobian of the output
    with respect to the kernel has shape (7, 10) + (5, 10), and summed over the target's
    axes it is the gradient."""
    x = tf.constant(rng.standard_normal((7, 5)))
    kernel = tf.Variable(rng.standard_normal((5, 10)) * 0.5)
    bias = tf.Variable(rng.standard_normal(10) * 0.1)
    with tf.GradientTape(persistent=True) as tape:
        y = tf.nn.relu(tf.matmul(x, kernel) + bias)
    assert y.shape == (7, 10) and kernel.shape == (5, 10)
    j = tape.jacobian(y, kernel)
    assert j.shape == (7, 10, 5, 10)
    # closed form: dy[i, j] / dK[k, l] = relu'(z[i, j]) x[i, k] delta(j, l)
    z = x.numpy() @ kernel.numpy() + bias.numpy()
    expected = np.einsum("ij,ik,jl->ijkl", _relu_mask(z), x.numpy(), np.eye(10))
    np.testing.assert_allclose(j.numpy(), expected, rtol=1e-12, atol=1e-12)
    g = tape.gradient(y, kernel)
    assert g.shape == (5, 10)
    j_sum = tf.reduce_sum(j, axis=[0, 1])
    delta = tf.reduce_max(abs(g - j_sum)).numpy()
    assert delta < 1e-3  # the guide's assertion
    np.testing.assert_allclose(g.numpy(), x.numpy().T @ _relu_mask(z), rtol=1e-12)


def _two_relu_layers(rng):
    x = rng.standard_normal((7, 5))
    params = {
        "w1": rng.standard_normal((5, 8)) * 0.6, "b1": rng.standard_normal(8) * 0.1,
        "w2": rng.standard_normal((8, 6)) * 0.6, "b2": rng.standard_normal(6) * 0.1,
    }
    return x, params


def test_guide_hessian_via_nested_tapes_and_newton_step(rng):
    """The guide's Hessian of mean(layer2(layer1(x))**2) with respect to layer1's kernel.

    Closed form: the network output o = relu(relu(x W1 + b1) W2 + b2) is piecewise linear in
    W1, so H = 2/size(o) * J^T J with J[n, o, k, j] = m2[n, o] W2[j, o] m1[n, j] x[n, k]
    (m1, m2 the ReLU masks); the gradient is 2/size(o) * J^T o."""
    xv, p = _two_relu_layers(rng)
    x = tf.constant(xv)
    layer1_kernel = tf.Variable(p["w1"])
    layer1_bias = tf.Variable(p["b1"])
    layer2_kernel = tf.Variable(p["w2"])
    layer2_bias = tf.Variable(p["b2"])

    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            h = tf.nn.relu(tf.matmul(x, layer1_kernel) + layer1_bias)
            h = tf.nn.relu(tf.matmul(h, layer2_kernel) + layer2_bias)
            loss = tf.reduce_mean(h**2)
        g = t1.gradient(loss, layer1_kernel)
    hess = t2.jacobian(g, layer1_kernel)
    assert layer1_kernel.shape == (5, 8) and hess.shape == (5, 8, 5, 8)

    a1 = xv @ p["w1"] + p["b1"]
    m1 = _relu_mask(a1)
    a2 = (np.maximum(a1, 0)) @ p["w2"] + p["b2"]
    m2 = _relu_mask(a2)
    out = np.maximum(a2, 0)
    jac = np.einsum("no,jo,nj,nk->nokj", m2, p["w2"], m1, xv)
    scale = 2.0 / out.size
    np.testing.assert_allclose(g.numpy(), scale * np.einsum("nokj,no->kj", jac, out), rtol=1e-10)
    np.testing.assert_allclose(hess.numpy(), scale * np.einsum("nokj,nomi->kjmi", jac, jac),
                               rtol=1e-10, atol=1e-14)

    n_params = int(np.prod(layer1_kernel.shape))  # tf.reduce_prod is not part of tape
    g_vec = tf.reshape(g, [n_params, 1])
    h_mat = tf.reshape(hess, [n_params, n_params])
    np.testing.assert_allclose(h_mat.numpy(), h_mat.numpy().T, rtol=1e-12)  # symmetric
    eps = 1e-3
    eye_eps = tf.eye(h_mat.shape[0], dtype=tf.float64) * eps
    # tf.linalg.solve is not part of tape: the solve runs in NumPy
    update = np.linalg.solve((h_mat + eye_eps).numpy(), g_vec.numpy())
    before = layer1_kernel.numpy()
    _ = layer1_kernel.assign_sub(tf.reshape(tf.constant(update), layer1_kernel.shape))
    np.testing.assert_allclose(layer1_kernel.numpy(), before - update.reshape(5, 8))


def _tanh_layers(rng):
    x = rng.standard_normal((7, 5))
    w1, b1 = rng.standard_normal((5, 8)) * 0.5, rng.standard_normal(8) * 0.1
    w2, b2 = rng.standard_normal((8, 6)) * 0.5, rng.standard_normal(6) * 0.1
    return x, w1, b1, w2, b2


def test_guide_batch_jacobian(rng):
    """Two Dense layers (tanh instead of the guide's elu, which tape does not have) on a
    (batch, ins) = (7, 5) input: the full Jacobian has shape (7, 6, 7, 5) and is zero across
    examples; batch_jacobian gives the (7, 6, 5) diagonal blocks directly."""
    xv, w1, b1, w2, b2 = _tanh_layers(rng)
    x = tf.constant(xv)
    layer1 = (tf.Variable(w1), tf.Variable(b1))
    layer2 = (tf.Variable(w2), tf.Variable(b2))
    with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
        tape.watch(x)
        y = tf.tanh(tf.matmul(x, layer1[0]) + layer1[1])
        y = tf.tanh(tf.matmul(y, layer2[0]) + layer2[1])
    assert y.shape == (7, 6)
    j = tape.jacobian(y, x)
    assert j.shape == (7, 6, 7, 5)
    off_diagonal = j.numpy().copy()
    for b in range(7):
        off_diagonal[b, :, b, :] = 0
    assert not off_diagonal.any()  # "every (batch, batch) slice of this tensor is diagonal"

    j_sum = tf.reduce_sum(j, axis=2)
    j_select = np.einsum("bxby->bxy", j.numpy())  # tf.einsum is not part of tape
    assert j_sum.shape == (7, 6, 5) and j_select.shape == (7, 6, 5)
    jb = tape.batch_jacobian(y, x)
    assert jb.shape == (7, 6, 5)
    error = tf.reduce_max(abs(jb - j_sum))
    assert error.numpy() < 1e-3  # the guide's assertion
    np.testing.assert_allclose(jb.numpy(), j_select, rtol=1e-12)
    # closed form per example: diag(1 - y^2) W2^T diag(1 - h^2) W1^T
    h = np.tanh(xv @ w1 + b1)
    out = np.tanh(h @ w2 + b2)
    expected = np.einsum("bo,ho,bh,ih->boi", 1 - out**2, w2, 1 - h**2, w1)
    np.testing.assert_allclose(jb.numpy(), expected, rtol=1e-10)


def test_guide_batch_jacobian_with_batch_normalisation(rng):
    """The guide's caution: batch normalisation mixes the examples, so the Jacobian is not
    block-diagonal, and batch_jacobian "still runs and returns something with the expected
    shape". (tf.keras.layers.BatchNormalization is written out with tape ops.)"""
    xv, w1, b1, w2, b2 = _tanh_layers(rng)

    def net(x, lib):
        h = lib.tanh(lib.matmul(x, w1) + b1)
        mean = lib.mean(h, axis=0, keepdims=True)
        var = lib.mean((h - mean) ** 2, axis=0, keepdims=True)
        h = (h - mean) / lib.sqrt(var + 1e-3)
        return lib.tanh(lib.matmul(h, w2) + b2)

    class TapeLib:
        tanh, matmul, sqrt = tf.tanh, tf.matmul, tf.sqrt
        mean = staticmethod(lambda t, axis, keepdims: tf.reduce_mean(t, axis=axis,
                                                                     keepdims=keepdims))

    x = tf.constant(xv)
    with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
        tape.watch(x)
        y = net(x, TapeLib)
    j = tape.jacobian(y, x)
    assert j.shape == (7, 6, 7, 5)
    np.testing.assert_allclose(j.numpy(), _numerical_jacobian(lambda v: net(v, np), xv),
                               rtol=1e-6, atol=1e-8)
    assert np.abs(j.numpy()[:, :, 0, :][1:]).max() > 1e-3  # "These slices are not diagonal"
    jb = tape.batch_jacobian(y, x)
    assert jb.shape == (7, 6, 5)


# --------------------------------------------------------------------------- closed forms


def _tanh_squared_problem():
    rng = np.random.default_rng(7)
    a = rng.standard_normal((7, 10))
    x = rng.standard_normal(10) * 0.3
    t = np.tanh(a @ x)
    s = 1 - t**2
    hessian = a.T @ np.diag(2 * s**2 - 4 * t**2 * s) @ a
    gradient = a.T @ (2 * t * s)
    return a, x, gradient, hessian


def _hessian_nested_tapes(f, x):
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        g = inner.gradient(y, x)
    return outer.jacobian(g, x)


def _hessian_forward_over_reverse(f, x):
    """One column H e_k per accumulator, as in the ForwardAccumulator documentation."""
    columns = []
    for e in np.eye(x.shape[0]):
        with tf.autodiff.ForwardAccumulator(x, tf.constant(e)) as acc:
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = f(x)
            g = tape.gradient(y, x)
        columns.append(acc.jvp(g).numpy())
    return np.stack(columns, axis=1)


def _hessian_reverse_over_forward(f, x):
    rows = []
    for e in np.eye(x.shape[0]):
        with tf.GradientTape() as tape:
            tape.watch(x)
            with tf.autodiff.ForwardAccumulator(x, tf.constant(e)) as acc:
                y = f(x)
            directional = acc.jvp(y)
        rows.append(tape.gradient(directional, x).numpy())
    return np.stack(rows)


HESSIAN_METHODS = {
    "nested-tapes-jacobian": _hessian_nested_tapes,
    "tape.hessian": lambda f, x: tf.hessian(f)(x),
    "jacfwd(grad)": lambda f, x: tf.jacfwd(tf.grad(f))(x),
    "hvp-columns": lambda f, x: np.stack(
        [tf.hvp(f, (x,), (tf.constant(e),))[0].numpy() for e in np.eye(x.shape[0])], axis=1),
    "forward-over-reverse": _hessian_forward_over_reverse,
    "reverse-over-forward": _hessian_reverse_over_forward,
}


@pytest.mark.parametrize("method", sorted(HESSIAN_METHODS))
def test_hessian_of_sum_tanh_squared_matches_closed_form(method):
    """f(x) = sum(tanh(A x)**2), x in R^10: H = A^T diag(2 s^2 - 4 t^2 s) A with t = tanh(A x),
    s = 1 - t^2."""
    a, xv, _, expected = _tanh_squared_problem()
    a_t = tf.constant(a)
    f = lambda x: tf.reduce_sum(tf.tanh(tf.matmul(a_t, tf.reshape(x, [10, 1]))) ** 2)
    hess = np.asarray(HESSIAN_METHODS[method](f, tf.constant(xv)))
    assert hess.shape == (10, 10)
    np.testing.assert_allclose(hess, expected, rtol=1e-10, atol=1e-12)


def test_jacobian_of_gradient_matches_finite_differences_of_closed_form_gradient():
    """The same Hessian against central differences of the closed-form gradient."""
    a, xv, grad, expected = _tanh_squared_problem()
    numeric = _numerical_jacobian(lambda v: a.T @ (2 * np.tanh(a @ v) * (1 - np.tanh(a @ v) ** 2)),
                                  xv)
    np.testing.assert_allclose(a.T @ (2 * np.tanh(a @ xv) * (1 - np.tanh(a @ xv) ** 2)), grad)
    np.testing.assert_allclose(numeric, expected, rtol=1e-6, atol=1e-8)
    a_t = tf.constant(a)
    f = lambda x: tf.reduce_sum(tf.tanh(tf.matmul(a_t, tf.reshape(x, [10, 1]))) ** 2)
    np.testing.assert_allclose(_hessian_nested_tapes(f, tf.constant(xv)).numpy(), numeric,
                               rtol=1e-6, atol=1e-8)


def test_jacobian_of_softmax_matches_closed_form(rng):
    """d softmax(z) / d z = diag(s) - s s^T."""
    zv = rng.standard_normal(6)
    z = tf.constant(zv)
    with tf.GradientTape() as g:
        g.watch(z)
        s = tf.nn.softmax(z)
    sv = np.exp(zv) / np.exp(zv).sum()
    np.testing.assert_allclose(g.jacobian(s, z).numpy(), np.diag(sv) - np.outer(sv, sv),
                               rtol=1e-12, atol=1e-15)


def test_jacobian_of_matmul_with_respect_to_both_factors(rng):
    """Y = A B: dY[i,j]/dA[k,l] = delta(i,k) B[l,j] and dY[i,j]/dB[k,l] = A[i,k] delta(j,l)."""
    av, bv = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    a, b = tf.constant(av), tf.constant(bv)
    with tf.GradientTape() as g:
        g.watch([a, b])
        y = tf.matmul(a, b)
    ja, jb = g.jacobian(y, [a, b])
    assert ja.shape == (3, 2, 3, 4) and jb.shape == (3, 2, 4, 2)
    np.testing.assert_allclose(ja.numpy(), np.einsum("ik,lj->ijkl", np.eye(3), bv))
    np.testing.assert_allclose(jb.numpy(), np.einsum("ik,jl->ijkl", av, np.eye(2)))


def test_batch_jacobian_of_higher_rank_tensors(rng):
    """target (b, y1, y2), source (b, x1, x2) -> (b, y1, y2, x1, x2); here y = sin(x) @ M per
    example, so d y[b, i, j] / d x[b, k, l] = delta(i, k) cos(x[b, k, l]) M[l, j]."""
    xv, mv = rng.standard_normal((4, 2, 3)), rng.standard_normal((3, 5))
    x = tf.constant(xv)
    with tf.GradientTape() as g:
        g.watch(x)
        y = tf.matmul(tf.sin(x), tf.constant(mv))
    jb = g.batch_jacobian(y, x)
    assert jb.shape == (4, 2, 5, 2, 3)
    expected = np.einsum("ik,bkl,lj->bijkl", np.eye(2), np.cos(xv), mv)
    np.testing.assert_allclose(jb.numpy(), expected, rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------- structure


def test_jacobian_mirrors_the_structure_of_sources():
    x = tf.constant(np.array([1.0, 2.0, 3.0]))
    w = tf.constant(np.array(0.5))
    unused = tf.constant(np.ones((3, 2)))
    with tf.GradientTape(persistent=True) as g:
        g.watch([x, w, unused])
        y = x * x * w
        total = tf.reduce_sum(y)
    jac = g.jacobian(y, {"x": x, "rest": [w, unused]})
    assert set(jac) == {"x", "rest"} and isinstance(jac["rest"], list)
    np.testing.assert_allclose(jac["x"].numpy(), np.diag(2 * x.numpy() * 0.5))
    np.testing.assert_allclose(jac["rest"][0].numpy(), x.numpy() ** 2)  # scalar source: (3,)
    assert jac["rest"][1] is None
    zeros = g.jacobian(y, unused, unconnected_gradients="zero")
    assert zeros.shape == (3, 3, 2) and not zeros.numpy().any()
    scalar = g.jacobian(total, x)  # scalar target: the gradient
    np.testing.assert_allclose(scalar.numpy(), 2 * x.numpy() * 0.5)


@pytest.mark.parametrize("unconnected", ["none", "zero"])
def test_batch_jacobian_unconnected(unconnected):
    x = tf.constant(np.ones((3, 2)))
    other = tf.constant(np.ones((3, 5)))
    with tf.GradientTape() as g:
        g.watch([x, other])
        y = x * 2.0
    jb = g.batch_jacobian(y, other, unconnected_gradients=unconnected)
    # TensorFlow returns zeros here for either setting (its batch_jacobian does not map an
    # unconnected target to None)
    assert jb.shape == (3, 2, 5) and not jb.numpy().any()


def test_persistent_tape_gives_jacobians_many_times():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape(persistent=True) as g:
        g.watch(x)
        y = x * x
    # d(x_ij^2)/d x_kl = 2 x_ij when (i, j) == (k, l), else 0
    expected = np.einsum("ij,ik,jl->ijkl", 2 * x.numpy(), np.eye(2), np.eye(2))
    first = g.jacobian(y, x, parallel_iterations=2, experimental_use_pfor=False)
    np.testing.assert_array_equal(first.numpy(), expected)
    np.testing.assert_array_equal(g.jacobian(y, x).numpy(), expected)
    np.testing.assert_array_equal(g.batch_jacobian(y, x).numpy(),
                                  [np.diag(2 * r) for r in x.numpy()])


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("rank_one", ["target", "source"])
def test_batch_jacobian_needs_rank_two(rank_one):
    x = tf.constant([1.0, 2.0, 3.0])
    x2 = tf.constant(np.ones((3, 2), dtype=np.float32))
    with tf.GradientTape() as g:
        g.watch([x, x2])
        y = x * x
        y2 = x2 * 2.0
    with pytest.raises(ValueError, match=r"Shape \(3,\) must have rank at least 2"):
        if rank_one == "target":
            g.batch_jacobian(y, x2)
        else:
            g.batch_jacobian(y2, x)


def test_batch_jacobian_first_dimensions_must_match():
    x = tf.constant(np.ones((3, 2)))
    z = tf.constant(np.ones((4, 2)))
    with tf.GradientTape() as g:
        g.watch([x, z])
        y = tf.reduce_sum(x) * z
    with pytest.raises(ValueError, match=r"Need first dimension of target shape \(4, 2\) and "
                                         r"source shape \(3, 2\) to match\."):
        g.batch_jacobian(y, x)


@pytest.mark.parametrize("method", ["jacobian", "batch_jacobian"])
def test_used_non_persistent_tape_raises(method):
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
    g.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape can only be used"):
        getattr(g, method)(y, x)


@pytest.mark.parametrize("method", ["jacobian", "batch_jacobian"])
def test_second_jacobian_on_non_persistent_tape_raises(method):
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
    getattr(g, method)(y, x)
    with pytest.raises(RuntimeError, match="persistent=True"):
        getattr(g, method)(y, x)


@pytest.mark.parametrize("method", ["jacobian", "batch_jacobian"])
def test_no_pfor_on_non_persistent_tape_raises(method):
    """TF docstrings, Raises: "RuntimeError: If called on a non-persistent tape with eager
    execution enabled and without enabling experimental_use_pfor." (TF's message: "GradientTape
    must be created with persistent=True to compute the jacobian with eager execution enabled
    and with experimental_use_pfor set to False.")"""
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
    with pytest.raises(RuntimeError, match="persistent=True"):
        getattr(g, method)(y, x, experimental_use_pfor=False)


def test_jacobian_is_differentiable_by_an_outer_tape():
    """TF computes the Jacobian with gradient calls that outer tapes record, so it can be
    differentiated again: d/dx sum(d tanh(x)/dx) = -2 tanh(x) (1 - tanh(x)^2)."""
    xv = np.array([0.3, -1.2, 0.7])
    x = tf.constant(xv)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.tanh(x)
        s = tf.reduce_sum(inner.jacobian(y, x))
    g = outer.gradient(s, x)
    assert g is not None
    np.testing.assert_allclose(g.numpy(), -2 * np.tanh(xv) * (1 - np.tanh(xv) ** 2))


def test_gather_gradient_is_indexed_slices_with_the_dense_closed_form():
    """As TensorFlow: the gradient of a row gather is IndexedSlices (rows picked, with the
    cotangent rows as values); its dense form adds repeated rows. Closed form: row k of the
    gradient of sum(w * gather(p, idx)) is the sum of w's rows where idx == k."""
    p = tf.constant(np.arange(8.0).reshape(4, 2))
    idx = [3, 0, 3]
    w = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with tf.GradientTape() as t:
        t.watch(p)
        y = tf.reduce_sum(tf.gather(p, idx) * w)
    g = t.gradient(y, p)
    assert isinstance(g, tf.IndexedSlices)
    assert g.dense_shape.numpy().tolist() == [4, 2]  # a tensor, as TensorFlow's
    np.testing.assert_array_equal(g.indices.numpy(), idx)
    np.testing.assert_array_equal(g.values.numpy(), w)
    expected = np.zeros((4, 2))
    for k, i in enumerate(idx):
        expected[i] += w[k]
    np.testing.assert_array_equal(tf.convert_to_tensor(g).numpy(), expected)
    np.testing.assert_array_equal(np.asarray(g), expected)


def test_indexed_slices_add_up_sparse_and_become_dense_with_dense_gradients():
    p = tf.constant(np.ones((3, 2)))
    with tf.GradientTape(persistent=True) as t:
        t.watch(p)
        sparse_only = tf.reduce_sum(tf.gather(p, [0])) + tf.reduce_sum(tf.gather(p, [2]))
        mixed = tf.reduce_sum(tf.gather(p, [1])) + tf.reduce_sum(p * 2.0)
    g = t.gradient(sparse_only, p)
    assert isinstance(g, tf.IndexedSlices)
    np.testing.assert_array_equal(np.asarray(g), [[1, 1], [0, 0], [1, 1]])
    dense = t.gradient(mixed, p)
    assert isinstance(dense, tf.Tensor)
    np.testing.assert_array_equal(dense.numpy(), [[2, 2], [3, 3], [2, 2]])


def test_gather_gradient_is_dense_and_differentiable_under_an_outer_tape():
    """Second order through gather: d/dp of the gradient of sum(gather(p, idx)**3) is
    6 * count_k * p_k on the diagonal (count_k: how often row k is picked)."""
    p = tf.constant(np.array([1.0, 2.0, 3.0]))
    with tf.GradientTape() as outer:
        outer.watch(p)
        with tf.GradientTape() as inner:
            inner.watch(p)
            y = tf.reduce_sum(tf.gather(p, [2, 0, 2]) ** 3)
        g = inner.gradient(y, p)
    np.testing.assert_allclose(g.numpy(), [3 * 1.0, 0.0, 2 * 3 * 9.0])
    np.testing.assert_allclose(outer.gradient(g, p).numpy(), [6.0, 0.0, 2 * 6 * 3.0])


def test_a_large_dense_gradient_meets_a_sparse_one():
    """A dense cotangent large enough to be summed in place, added to the IndexedSlices of a
    gather: d/dp [sum(2 p) + sum(gather(p, [1]))] = 2 everywhere, 3 on row 1."""
    p = tf.constant(np.ones((200, 100)))
    with tf.GradientTape() as t:
        t.watch(p)
        y = tf.reduce_sum(p * 2.0) + tf.reduce_sum(tf.gather(p, [1]))
    g = np.asarray(t.gradient(y, p))
    expected = np.full((200, 100), 2.0)
    expected[1] = 3.0
    np.testing.assert_array_equal(g, expected)


def test_detect_anomaly_accepts_sparse_gradients():
    p = tf.constant(np.ones((3, 2)))
    with tf.detect_anomaly(), tf.GradientTape() as t:
        t.watch(p)
        y = tf.reduce_sum(tf.gather(p, [2]))
    with tf.detect_anomaly():
        g = t.gradient(y, p)
    np.testing.assert_array_equal(np.asarray(g), [[0, 0], [0, 0], [1, 1]])
