"""tape.keras layers, activations, initializers and models, checked against NumPy.

Layer outputs are compared with the layers' formulas written in NumPy; gradients with central
finite differences of those NumPy formulas (float64); training with ``fit`` against the
least-squares solution (``np.linalg.lstsq``) and against one SGD step computed by hand.
Losses and metrics are defined here, so these tests need nothing from tape.keras.losses or
tape.keras.metrics beyond passing a callable or an object through.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import tape
from tape.keras import activations, initializers, layers
from tests.conftest import central_difference

F64 = "float64"


def mse(y_true, y_pred):
    return tape.reduce_mean(tape.square(y_pred - tape.constant(np.asarray(y_true, F64))))


class MeanAbsError(tape.keras.metrics.Metric):
    """A user's metric with Keras's interface, computed in NumPy."""

    def __init__(self) -> None:
        super().__init__(name="mae")
        self.reset_state()

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0

    def update_state(self, y_true, y_pred) -> None:
        err = np.abs(np.asarray(y_true) - y_pred.numpy())
        self.total += float(err.sum())
        self.count += err.size

    def result(self) -> float:
        return self.total / self.count


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------- Dense


def test_dense_values_names_and_shapes() -> None:
    x = rng().normal(size=(4, 3))
    layer = layers.Dense(2, activation="relu", dtype=F64)
    y = layer(x)
    k, b = layer.kernel.numpy(), layer.bias.numpy()
    np.testing.assert_allclose(y.numpy(), np.maximum(x @ k + b, 0), rtol=1e-12)
    assert re.fullmatch(r"dense(_\d+)?/kernel:0", layer.kernel.name)
    assert layer.bias.name.endswith("/bias:0") and layer.built
    assert [w.shape for w in layer.weights] == [(3, 2), (2,)]
    assert layer.trainable_variables == layer.trainable_weights == [layer.kernel, layer.bias]
    # rank 3: along the last axis
    x3 = rng(1).normal(size=(2, 5, 3))
    np.testing.assert_allclose(layer(x3).numpy(), np.maximum(x3 @ k + b, 0), rtol=1e-12)


def test_dense_float32_default_and_input_checks() -> None:
    layer = layers.Dense(2, use_bias=False)
    out = layer(np.ones((1, 3)))
    assert out.dtype == np.float32 and layer.kernel.dtype == np.float32
    assert layer.weights == [layer.kernel]
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(np.ones((1, 4)))
    with pytest.raises(ValueError, match="positive integer"):
        layers.Dense(0)
    with pytest.raises(NotImplementedError, match="kernel_regularizer"):
        layers.Dense(2, kernel_regularizer="l2")
    with pytest.raises(TypeError, match="not understood"):
        layers.Dense(2, bogus=1)


def test_dense_gradients_match_finite_differences() -> None:
    x = rng(2).normal(size=(5, 3))
    layer = layers.Dense(4, activation="tanh", dtype=F64, bias_initializer="random_normal")
    layer(x)
    k, b = layer.kernel.numpy(), layer.bias.numpy()
    u = rng(3).normal(size=(5, 4))  # a cotangent: checks the whole vector-Jacobian product
    xt = tape.constant(x)
    with tape.GradientTape() as t:
        t.watch(xt)
        y = tape.reduce_sum(layer(xt) * u)
    gx, gk, gb = t.gradient(y, [xt, layer.kernel, layer.bias])

    def f(x_, k_, b_):
        return np.tanh(x_ @ k_ + b_)

    ex, ek, eb = central_difference(f, [x, k, b], weights=u)
    for got, want in ((gx, ex), (gk, ek), (gb, eb)):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-6, atol=1e-8)


# --------------------------------------------------------------------------- BatchNormalization


def bn_reference(x, gamma, beta, eps=1e-3):
    mean, var = x.mean(axis=0), x.var(axis=0)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def test_batchnorm_training_values_and_gradients() -> None:
    x = rng(4).normal(2.0, 3.0, size=(6, 3))
    bn = layers.BatchNormalization(dtype=F64, gamma_initializer="random_normal",
                                   beta_initializer="random_normal")
    bn(x, training=False)  # build
    gamma, beta = bn.gamma.numpy(), bn.beta.numpy()
    xt = tape.constant(x)
    u = rng(5).normal(size=(6, 3))
    with tape.GradientTape() as t:
        t.watch(xt)
        y = bn(xt, training=True)
        s = tape.reduce_sum(y * u)
    np.testing.assert_allclose(y.numpy(), bn_reference(x, gamma, beta), rtol=1e-10)
    gx, gg, gb = t.gradient(s, [xt, bn.gamma, bn.beta])
    ex, eg, eb = central_difference(bn_reference, [x, gamma, beta], weights=u)
    for got, want in ((gx, ex), (gg, eg), (gb, eb)):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-7)
    assert [w.name.split("/")[-1] for w in bn.weights] == [
        "gamma:0", "beta:0", "moving_mean:0", "moving_variance:0"]
    assert bn.trainable_weights == [bn.gamma, bn.beta]
    assert bn.non_trainable_weights == [bn.moving_mean, bn.moving_variance]


def test_batchnorm_moving_statistics_rule_and_inference() -> None:
    momentum = 0.9
    bn = layers.BatchNormalization(momentum=momentum, epsilon=1e-5, dtype=F64)
    mm, mv = np.zeros(2), np.ones(2)
    for seed in range(3):
        x = rng(seed).normal(seed, 1 + seed, size=(8, 2))
        bn(x, training=True)
        mm = mm * momentum + x.mean(axis=0) * (1 - momentum)
        mv = mv * momentum + x.var(axis=0) * (1 - momentum)
        np.testing.assert_allclose(bn.moving_mean.numpy(), mm, rtol=1e-12)
        np.testing.assert_allclose(bn.moving_variance.numpy(), mv, rtol=1e-12)
    x = rng(9).normal(size=(4, 2))
    expected = (x - mm) / np.sqrt(mv + 1e-5)  # gamma 1, beta 0
    for training in (False, None):
        np.testing.assert_allclose(bn(x, training=training).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mm)  # inference leaves them alone
    bn.trainable = False  # a frozen layer runs in inference mode, as in Keras
    np.testing.assert_allclose(bn(x, training=True).numpy(), expected, rtol=1e-12)


def test_batchnorm_axis_one_on_images() -> None:
    x = rng(6).normal(size=(3, 2, 4, 4))  # channels first
    bn = layers.BatchNormalization(axis=1, dtype=F64)
    y = bn(x, training=True).numpy()
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-10)
    assert bn.gamma.shape == (2,)


# --------------------------------------------------------------------------- Dropout etc.


def test_dropout_scaling_and_inference_identity() -> None:
    rate = 0.25
    drop = layers.Dropout(rate, seed=3, dtype=F64)
    x = rng(7).normal(size=(200, 50))
    assert np.array_equal(drop(x).numpy(), x)
    assert np.array_equal(drop(x, training=False).numpy(), x)
    xt = tape.constant(x)
    with tape.GradientTape() as t:
        t.watch(xt)
        y = drop(xt, training=True)
    out = y.numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], x[kept] / (1 - rate), rtol=1e-12)
    assert abs((~kept).mean() - rate) < 0.02
    # the gradient is the mask, scaled
    np.testing.assert_allclose(t.gradient(y, xt).numpy(), kept / (1 - rate))
    # a new mask at each call; the same sequence for the same seed
    again = layers.Dropout(rate, seed=3, dtype=F64)
    assert np.array_equal(again(x, training=True).numpy(), out)
    assert not np.array_equal(drop(x, training=True).numpy(), out)
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(1.5)


def test_dropout_noise_shape_shares_decisions() -> None:
    drop = layers.Dropout(0.5, noise_shape=(None, 1), seed=0)
    out = drop(np.ones((20, 6)), training=True).numpy()
    assert all(len(set(row.tolist())) == 1 for row in out)


def test_flatten_and_activation() -> None:
    x = rng(8).normal(size=(2, 3, 4))
    assert layers.Flatten()(x).shape == (2, 12)
    assert layers.Flatten()(np.ones(5)).shape == (5, 1)
    y = layers.Activation("sigmoid", dtype=F64)(x).numpy()
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-x)), rtol=1e-12)


ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "linear": lambda x: x,
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "silu": lambda x: x / (1 + np.exp(-x)),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True),
    "gelu": lambda x: x * 0.5 * (1 + np.vectorize(__import__("math").erf)(x / np.sqrt(2))),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_match_formulas(name: str) -> None:
    x = rng(10).normal(size=(3, 4)) * 2
    got = activations.get(name)(tape.constant(x)).numpy()
    np.testing.assert_allclose(got, ACTIVATIONS[name](x), rtol=1e-10, atol=1e-12)


def test_activation_options_and_get() -> None:
    x = np.array([-2.0, 0.5, 3.0, 7.0])
    got = activations.relu(tape.constant(x), negative_slope=0.1, max_value=6.0, threshold=1.0)
    np.testing.assert_allclose(got.numpy(), [-0.3, -0.05, 3.0, 6.0])
    np.testing.assert_allclose(activations.elu(tape.constant(x), alpha=2.0).numpy(),
                               np.where(x > 0, x, 2 * np.expm1(x)))
    assert activations.get(None) is activations.linear
    assert activations.get(np.abs) is np.abs
    with pytest.raises(ValueError, match="Unknown activation"):
        activations.get("nope")


# --------------------------------------------------------------------------- initializers


def test_initializers_follow_keras_formulas() -> None:
    shape = (400, 300)
    w = initializers.GlorotUniform(seed=1)(shape, F64)
    limit = np.sqrt(6 / 700)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit
    np.testing.assert_allclose(w.std(), limit / np.sqrt(3), rtol=0.02)
    w = initializers.HeUniform(seed=1)(shape, F64)
    assert np.abs(w).max() <= np.sqrt(6 / 400)
    for cls, sd in ((initializers.HeNormal, np.sqrt(2 / 400)),
                    (initializers.GlorotNormal, np.sqrt(2 / 700))):
        w = cls(seed=2)(shape, F64)
        np.testing.assert_allclose(w.std(), sd, rtol=0.02)  # the truncation is corrected
        assert np.abs(w).max() <= 2 * sd / 0.87962566103423978 + 1e-12
    w = initializers.RandomNormal(mean=1.0, stddev=0.5, seed=0)((1000,), F64)
    assert abs(w.mean() - 1) < 0.05 and abs(w.std() - 0.5) < 0.05
    w = initializers.RandomUniform(-1, 2, seed=0)((1000,))
    assert w.dtype == np.float32 and w.min() >= -1 and w.max() < 2
    assert np.array_equal(initializers.GlorotUniform(seed=5)((3, 3)),
                          initializers.GlorotUniform(seed=5)((3, 3)))
    assert not np.array_equal(*(initializers.get("glorot_uniform")((3, 3)) for _ in range(2)))
    assert np.array_equal(initializers.Zeros()((2,)), [0, 0])
    assert np.array_equal(initializers.Ones()((2,)), [1, 1])
    assert np.array_equal(initializers.Constant(3)((2,)), [3, 3])
    assert isinstance(initializers.get("HeNormal"), initializers.HeNormal)
    with pytest.raises(ValueError, match="Unknown initializer"):
        initializers.get("nope")


# --------------------------------------------------------------------------- models


def test_sequential_build_and_summary(capsys: pytest.CaptureFixture) -> None:
    model = tape.keras.Sequential([
        layers.Dense(16, activation="relu", input_shape=(4,)),
        layers.BatchNormalization(),
        layers.Dropout(0.1),
        layers.Dense(3, activation="softmax"),
    ], name="clf")
    assert model.built
    assert [layer.count_params() for layer in model.layers] == [80, 64, 0, 51]
    assert len(model.trainable_variables) == 6 and len(model.variables) == 8
    assert model.layers[0].kernel.name.startswith("dense")
    model.summary()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == 'Model: "clf"'
    assert re.match(r" dense(_\d+)? \(Dense\) +\(None, 16\) +80$", out[4])
    assert "Total params: 195" in out and "Trainable params: 163" in out
    assert "Non-trainable params: 32" in out
    lazy = tape.keras.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="not yet been built"):
        lazy.summary()
    lazy(np.ones((1, 5)))
    assert lazy.count_params() == 12


def test_training_flag_reaches_nested_layers() -> None:
    class Net(tape.keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.drop = layers.Dropout(0.5, seed=0)

        def call(self, inputs):
            return self.drop(inputs)  # no training argument: it comes from the outer call

    net = Net()
    x = np.ones((4, 10))
    assert np.array_equal(net(x).numpy(), x)
    assert set(net(x, training=True).numpy().ravel().tolist()) == {0.0, 2.0}
    with pytest.raises(NotImplementedError, match="functional API"):
        tape.keras.Model(inputs=None, outputs=None)
    with pytest.raises(NotImplementedError, match="functional API"):
        layers.Dense(2)(tape.keras.Input(shape=(3,)))


def regression_data(n: int = 64):
    g = rng(11)
    x = g.normal(size=(n, 3))
    y = x @ np.array([[1.5], [-2.0], [0.5]]) + 0.3 + 0.1 * g.normal(size=(n, 1))
    return x, y


def linear_model(lr: float) -> tape.keras.Sequential:
    model = tape.keras.Sequential([layers.Dense(1, input_shape=(3,), dtype=F64)], dtype=F64)
    model.compile(optimizer=tape.optimizers.SGD(learning_rate=lr), loss=mse,
                  metrics=[MeanAbsError()])
    return model


def test_fit_converges_to_least_squares(capsys: pytest.CaptureFixture) -> None:
    x, y = regression_data()
    model = linear_model(0.1)
    history = model.fit(x, y, epochs=300, batch_size=64, verbose=0)
    design = np.hstack([x, np.ones((len(x), 1))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(np.vstack([kernel, bias[None]]), solution, atol=1e-6)
    assert set(history.history) == {"loss", "mae"} and len(history.history["loss"]) == 300
    best = np.mean((design @ solution - y) ** 2)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0)[0], best, rtol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), design @ solution, atol=1e-5)
    assert capsys.readouterr().out == ""


def test_one_sgd_step_matches_numpy() -> None:
    x, y = regression_data(10)
    model = linear_model(0.05)
    w0, b0 = model.get_weights()
    history = model.fit(x, y, epochs=1, batch_size=10, shuffle=False, verbose=0)
    residual = x @ w0 + b0 - y
    w1 = w0 - 0.05 * 2 * x.T @ residual / len(x)
    b1 = b0 - 0.05 * 2 * residual.mean(axis=0)
    w, b = model.get_weights()
    np.testing.assert_allclose(w, w1, rtol=1e-12)
    np.testing.assert_allclose(b, b1, rtol=1e-12)
    np.testing.assert_allclose(history.history["loss"][0], np.mean(residual**2), rtol=1e-12)
    np.testing.assert_allclose(history.history["mae"][0], np.abs(residual).mean(), rtol=1e-12)


def test_fit_progress_lines_and_validation(capsys: pytest.CaptureFixture) -> None:
    x, y = regression_data(40)
    model = linear_model(0.05)
    history = model.fit(x, y, epochs=2, batch_size=16, validation_data=(x[:8], y[:8]))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    pattern = (r"3/3 \[={30}\] - \d+s \d+[mu]?s/step - loss: \d+\.\d{4} - mae: \d+\.\d{4} "
               r"- val_loss: \d+\.\d{4} - val_mae: \d+\.\d{4}")
    assert re.fullmatch(pattern, lines[1]) and re.fullmatch(pattern, lines[3])
    assert list(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert history.epoch == [0, 1]
    loss = float(lines[3].split("loss: ")[1].split()[0])
    assert loss == pytest.approx(history.history["loss"][1], abs=1e-4)


def test_save_and_load_weights_round_trip(tmp_path) -> None:
    model = tape.keras.Sequential([layers.Dense(4, input_shape=(3,)),
                                   layers.BatchNormalization(), layers.Dense(2)])
    model(np.ones((5, 3)), training=True)  # moves the moving statistics too
    path = tmp_path / "w.npz"
    model.save_weights(path)
    other = tape.keras.Sequential([layers.Dense(4, input_shape=(3,)),
                                   layers.BatchNormalization(), layers.Dense(2)])
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        assert np.array_equal(a, b)
    x = rng(12).normal(size=(2, 3))
    assert np.array_equal(model.predict(x, verbose=0), other.predict(x, verbose=0))
    wrong = tape.keras.Sequential([layers.Dense(5, input_shape=(3,))])
    with pytest.raises(ValueError, match="holds"):
        wrong.load_weights(path)
    with pytest.raises(ValueError, match="not yet been built"):
        tape.keras.Sequential([layers.Dense(1)]).load_weights(path)


def test_subclassed_model_variables_in_assignment_order() -> None:
    class Net(tape.keras.Model):
        def __init__(self) -> None:
            super().__init__(name="net")
            self.second = layers.Dense(2, name="z_first")
            self.first = layers.BatchNormalization(name="a_second")

        def call(self, inputs, training=None):
            return self.first(self.second(inputs), training=training)

    net = Net()
    net(np.ones((3, 4)))
    assert [v.name for v in net.variables] == [
        "net/z_first/kernel:0", "net/z_first/bias:0", "net/a_second/gamma:0",
        "net/a_second/beta:0", "net/a_second/moving_mean:0", "net/a_second/moving_variance:0"]
    assert len(net.trainable_variables) == 4
    assert [m.name for m in net.submodules] == ["a_second", "z_first"]  # tf.Module's order


def test_set_seed_makes_unseeded_weights_repeat_and_none_gives_fresh_ones() -> None:
    """As tf.random.set_seed does for Keras's initializers."""

    def kernel() -> np.ndarray:
        layer = layers.Dense(2)
        layer(tape.ones((1, 3)))
        return layer.kernel.numpy()

    try:
        tape.random.set_seed(3)
        first = kernel()
        tape.random.set_seed(3)
        np.testing.assert_array_equal(kernel(), first)
        tape.random.set_seed(None)
        assert not np.array_equal(kernel(), kernel())
    finally:
        tape.random.set_seed(None)
