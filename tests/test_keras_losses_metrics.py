"""tape.keras.losses, metrics and optimizers: every loss against its NumPy closed form (values,
reductions, sample weights, from_logits both ways, label smoothing) and its gradients against
central finite differences; metrics against NumPy over several batches and after a reset;
get() lookups; the optimizers added under Keras's names against updates worked out in NumPy."""

from __future__ import annotations

import numpy as np
import pytest

import tape
from tape import optimizers as tape_optimizers
from tape.keras import losses, metrics, optimizers

EPS = 1e-7
RNG = np.random.default_rng(1234)


def f64(x):
    return tape.constant(np.asarray(x, dtype=np.float64))


def close(a, b, rtol=1e-12, atol=1e-12):
    np.testing.assert_allclose(np.asarray(a.numpy() if hasattr(a, "numpy") else a), b,
                               rtol=rtol, atol=atol)


# ----------------------------------------------------------------------------- NumPy forms


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_log_softmax(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


def np_bce(z, p, axis=-1):
    p = np.clip(p, EPS, 1 - EPS)
    return np.mean(-(z * np.log(p + EPS) + (1 - z) * np.log(1 - p + EPS)), axis=axis)


def np_bce_logits(z, x, axis=-1):
    # -z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x)), with log sigmoid(x) = -log(1 + e^-x)
    return np.mean(z * np.logaddexp(0, -x) + (1 - z) * np.logaddexp(0, x), axis=axis)


def np_cce(y, p, axis=-1):
    p = np.clip(p / p.sum(axis=axis, keepdims=True), EPS, 1 - EPS)
    return -np.sum(y * np.log(p), axis=axis)


def np_cce_logits(y, x, axis=-1):
    return -np.sum(y * np_log_softmax(x, axis), axis=axis)


def np_scce(labels, p):
    logp = np.log(np.clip(p, EPS, 1 - EPS))
    return -np.take_along_axis(np_log_softmax(logp), labels[..., None], -1)[..., 0]


def np_huber(y, p, delta=1.0):
    e = p - y
    a = np.abs(e)
    return np.mean(np.where(a <= delta, 0.5 * e**2, delta * a - 0.5 * delta**2), axis=-1)


def probs(shape):
    return RNG.uniform(0.05, 0.95, size=shape)


def onehot(labels, n):
    return np.eye(n)[labels]


# ----------------------------------------------------------------------------- loss values

REGRESSION = [
    (losses.mean_squared_error, lambda y, p: np.mean((p - y) ** 2, axis=-1)),
    (losses.mean_absolute_error, lambda y, p: np.mean(np.abs(p - y), axis=-1)),
    (losses.huber, np_huber),
]


@pytest.mark.parametrize("fn,ref", REGRESSION, ids=["mse", "mae", "huber"])
@pytest.mark.parametrize("shape", [(5,), (4, 3), (2, 3, 4)])
def test_regression_losses_per_sample(fn, ref, shape):
    y, p = RNG.normal(size=shape), RNG.normal(size=shape) * 2
    out = fn(f64(y), f64(p))
    assert out.shape == shape[:-1]
    close(out, ref(y, p))


def test_aliases_are_the_functions():
    assert losses.mse is losses.MSE is losses.mean_squared_error
    assert losses.mae is losses.MAE is losses.mean_absolute_error


def test_huber_delta():
    y, p = RNG.normal(size=(6, 2)), RNG.normal(size=(6, 2)) * 3
    close(losses.huber(f64(y), f64(p), delta=2.5), np_huber(y, p, 2.5))
    close(losses.Huber(delta=0.5)(f64(y), f64(p)), np.mean(np_huber(y, p, 0.5)))
    with pytest.raises(ValueError, match="delta must be positive"):
        losses.huber([0.0], [1.0], delta=0)


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_binary_crossentropy_from_probabilities(smoothing):
    z = RNG.integers(0, 2, size=(6, 3)).astype(float)
    p = probs((6, 3))
    zs = z * (1 - smoothing) + 0.5 * smoothing
    close(losses.binary_crossentropy(f64(z), f64(p), label_smoothing=smoothing), np_bce(zs, p))


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_binary_crossentropy_from_logits(smoothing):
    z = RNG.integers(0, 2, size=(5, 4)).astype(float)
    x = RNG.normal(size=(5, 4)) * 4
    zs = z * (1 - smoothing) + 0.5 * smoothing
    out = losses.binary_crossentropy(f64(z), f64(x), from_logits=True, label_smoothing=smoothing)
    close(out, np_bce_logits(zs, x))


def test_binary_crossentropy_clips_certain_predictions():
    # log(0) would be -inf: Keras clips to [1e-7, 1 - 1e-7] and adds 1e-7 inside the log
    out = losses.binary_crossentropy(f64([[1.0, 0.0]]), f64([[0.0, 1.0]]))
    expected = -np.log(EPS + EPS)
    close(out, [expected], rtol=1e-9)
    assert np.isfinite(out.numpy()).all()


def test_binary_crossentropy_large_logits_are_exact():
    out = losses.binary_crossentropy(f64([[1.0, 0.0]]), f64([[800.0, -800.0]]), from_logits=True)
    close(out, [0.0])


@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("axis", [-1, 0])
def test_categorical_crossentropy_from_probabilities(smoothing, axis):
    y = onehot(RNG.integers(0, 4, size=5), 4)
    p = probs((5, 4)) * 3  # not normalised: Keras divides by the sum
    if axis == 0:
        y, p = y.T.copy(), p.T.copy()
    n = y.shape[axis]
    ys = y * (1 - smoothing) + smoothing / n
    out = losses.categorical_crossentropy(f64(y), f64(p), label_smoothing=smoothing, axis=axis)
    close(out, np_cce(ys, p, axis))


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_categorical_crossentropy_from_logits(smoothing):
    y = onehot(RNG.integers(0, 3, size=(2, 4)), 3)  # rank 3: per-sample shape (2, 4)
    x = RNG.normal(size=(2, 4, 3)) * 3
    ys = y * (1 - smoothing) + smoothing / 3
    out = losses.categorical_crossentropy(f64(y), f64(x), from_logits=True,
                                          label_smoothing=smoothing)
    assert out.shape == (2, 4)
    close(out, np_cce_logits(ys, x))


@pytest.mark.parametrize("label_shape", ["flat", "column", "float"])
def test_sparse_categorical_crossentropy_from_probabilities(label_shape):
    labels = RNG.integers(0, 4, size=6)
    p = probs((6, 4))
    p /= p.sum(axis=-1, keepdims=True)
    given = {"flat": labels, "column": labels[:, None], "float": labels.astype(float)}[label_shape]
    out = losses.sparse_categorical_crossentropy(given, f64(p))
    close(out, np_scce(labels, p))
    close(out, -np.log(p[np.arange(6), labels]), rtol=1e-9)  # normalised rows: -log p[label]


def test_sparse_categorical_crossentropy_from_logits_and_axis():
    labels = RNG.integers(0, 5, size=(3, 2))
    x = RNG.normal(size=(3, 2, 5)) * 3
    ref = -np.take_along_axis(np_log_softmax(x), labels[..., None], -1)[..., 0]
    close(losses.sparse_categorical_crossentropy(labels, f64(x), from_logits=True), ref)
    moved = np.moveaxis(x, -1, 1)  # classes on axis 1
    close(losses.sparse_categorical_crossentropy(labels, f64(moved), from_logits=True, axis=1),
          ref)


def test_sparse_matches_categorical_on_one_hot():
    labels = RNG.integers(0, 3, size=7)
    x = RNG.normal(size=(7, 3))
    for from_logits in (False, True):
        pred = x if from_logits else np.exp(np_log_softmax(x))
        a = losses.sparse_categorical_crossentropy(labels, f64(pred), from_logits=from_logits)
        b = losses.categorical_crossentropy(f64(onehot(labels, 3)), f64(pred),
                                            from_logits=from_logits)
        close(a, b.numpy(), rtol=1e-9)


def test_sparse_categorical_crossentropy_errors():
    p = f64([[0.5, 0.5], [0.2, 0.8]])
    with pytest.raises(ValueError, match="integer class indices"):
        losses.sparse_categorical_crossentropy([0.5, 1.0], p)
    with pytest.raises(ValueError, match="outside the valid range"):
        losses.sparse_categorical_crossentropy([0, 2], p)
    with pytest.raises(ValueError, match="shape of y_pred without its class axis"):
        losses.sparse_categorical_crossentropy([0, 1, 1], p)
    with pytest.raises(NotImplementedError, match="ignore_class"):
        losses.SparseCategoricalCrossentropy(ignore_class=0)
    with pytest.raises(NotImplementedError, match="ignore_class"):
        losses.sparse_categorical_crossentropy([0, 1], p, ignore_class=0)


def test_loss_input_checks():
    with pytest.raises(ValueError, match=r"does not match y_pred of shape \(2, 3\)"):
        losses.mean_squared_error(np.zeros((2, 2)), f64(np.zeros((2, 3))))
    with pytest.raises(TypeError, match="floating-point"):
        losses.mean_squared_error([1, 2], [1, 2])
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        losses.binary_crossentropy([1.0], [0.5], label_smoothing=1.5)


def test_targets_broadcast_and_take_the_predictions_dtype():
    out = losses.mean_squared_error([1, 0], tape.constant([[0.5, 0.5], [1.0, 0.0]]))
    assert out.dtype == np.float32
    close(out, [0.25, 0.0], rtol=1e-7)  # [1, 0] is every row's target
    close(losses.mean_squared_error(0.0, f64([[1.0, 3.0]])), [5.0])


def test_trailing_axis_of_one_is_matched_sample_by_sample():
    # (N,) targets against (N, 1) predictions: per sample, not an (N, N) broadcast
    y, p = RNG.normal(size=4), RNG.normal(size=(4, 1))
    expected = np.mean((p[:, 0] - y) ** 2)
    close(losses.MeanSquaredError()(f64(y), f64(p)), expected)
    close(losses.MeanSquaredError()(f64(p), f64(y)), expected)


# ----------------------------------------------------------------------------- reductions

CLASSES = [
    (lambda **k: losses.MeanSquaredError(**k), lambda y, p: np.mean((p - y) ** 2, axis=-1)),
    (lambda **k: losses.MeanAbsoluteError(**k), lambda y, p: np.mean(np.abs(p - y), axis=-1)),
    (lambda **k: losses.BinaryCrossentropy(**k), np_bce),
    (lambda **k: losses.BinaryCrossentropy(from_logits=True, **k), np_bce_logits),
    (lambda **k: losses.CategoricalCrossentropy(**k), np_cce),
    (lambda **k: losses.CategoricalCrossentropy(from_logits=True, **k), np_cce_logits),
]
IDS = ["mse", "mae", "bce", "bce_logits", "cce", "cce_logits"]


def _batch(ref):
    y = onehot(RNG.integers(0, 3, size=6), 3)
    return y, (probs((6, 3)) if ref in (np_bce, np_cce) else RNG.normal(size=(6, 3)))


@pytest.mark.parametrize("make,ref", CLASSES, ids=IDS)
def test_class_reductions(make, ref):
    y, p = _batch(ref)
    per_sample = ref(y, p)
    close(make()(f64(y), f64(p)), np.mean(per_sample))
    close(make(reduction="sum_over_batch_size")(f64(y), f64(p)), np.mean(per_sample))
    close(make(reduction="sum")(f64(y), f64(p)), np.sum(per_sample))
    close(make(reduction="none")(f64(y), f64(p)), per_sample)
    assert make()(f64(y), f64(p)).shape == ()


@pytest.mark.parametrize("make,ref", CLASSES, ids=IDS)
def test_class_sample_weights(make, ref):
    y, p = _batch(ref)
    per_sample = ref(y, p)
    w = RNG.uniform(0, 2, size=6)
    # SUM_OVER_BATCH_SIZE divides the weighted sum by the number of samples, not sum(w)
    close(make()(f64(y), f64(p), sample_weight=w), np.sum(w * per_sample) / 6)
    close(make()(f64(y), f64(p), sample_weight=w[:, None]), np.sum(w * per_sample) / 6)
    close(make()(f64(y), f64(p), sample_weight=2.5), 2.5 * np.mean(per_sample))
    close(make(reduction="sum")(f64(y), f64(p), sample_weight=w), np.sum(w * per_sample))
    close(make(reduction="none")(f64(y), f64(p), sample_weight=w), w * per_sample)


def test_sample_weight_on_per_sample_losses_of_rank_two():
    y, p = RNG.normal(size=(3, 4, 2)), RNG.normal(size=(3, 4, 2))
    per = np.mean((p - y) ** 2, axis=-1)  # (3, 4)
    w = np.array([1.0, 0.0, 2.0])
    close(losses.MeanSquaredError()(f64(y), f64(p), sample_weight=w),
          np.sum(w[:, None] * per) / per.size)
    with pytest.raises(ValueError, match="does not broadcast"):
        losses.MeanSquaredError()(f64(y), f64(p), sample_weight=np.ones(5))


def test_sparse_class_reduction_and_weights():
    labels = RNG.integers(0, 3, size=5)
    x = RNG.normal(size=(5, 3))
    per = -np_log_softmax(x)[np.arange(5), labels]
    w = RNG.uniform(0, 1, size=5)
    scce = losses.SparseCategoricalCrossentropy(from_logits=True)
    close(scce(labels, f64(x)), np.mean(per))
    close(scce(labels[:, None], f64(x), sample_weight=w), np.sum(w * per) / 5)
    close(losses.SparseCategoricalCrossentropy(reduction="none")(labels, f64(np.exp(
        np_log_softmax(x)))), per, rtol=1e-9)


def test_invalid_reduction_and_empty_batch():
    with pytest.raises(ValueError, match="Invalid reduction 'mean'"):
        losses.MeanSquaredError(reduction="mean")
    out = losses.MeanSquaredError()(f64(np.zeros((0, 3))), f64(np.zeros((0, 3))))
    close(out, 0.0)


def test_subclassing_loss_with_call():
    class Squared(losses.Loss):
        def call(self, y_true, y_pred):
            return tape.reduce_sum((y_pred - y_true) ** 2, axis=-1)

    loss = Squared()
    assert loss.name == "squared"
    y, p = RNG.normal(size=(4, 2)), RNG.normal(size=(4, 2))
    close(loss(f64(y), f64(p)), np.mean(np.sum((p - y) ** 2, axis=-1)))
    with pytest.raises(NotImplementedError, match="must implement call"):
        losses.Loss()(f64(y), f64(p))


# ----------------------------------------------------------------------------- gradients


def _fd_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


GRADIENT_CASES = {
    "mse": (lambda y: losses.MeanSquaredError(), "normal"),
    "mae": (lambda y: losses.MeanAbsoluteError(), "normal"),
    "huber": (lambda y: losses.Huber(delta=0.7), "normal"),
    "bce": (lambda y: losses.BinaryCrossentropy(label_smoothing=0.1), "probs"),
    "bce_logits": (lambda y: losses.BinaryCrossentropy(from_logits=True), "normal"),
    "cce": (lambda y: losses.CategoricalCrossentropy(label_smoothing=0.2), "probs"),
    "cce_logits": (lambda y: losses.CategoricalCrossentropy(from_logits=True), "normal"),
    "scce": (lambda y: losses.SparseCategoricalCrossentropy(), "probs"),
    "scce_logits": (lambda y: losses.SparseCategoricalCrossentropy(from_logits=True), "normal"),
}


@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
def test_loss_gradients_against_finite_differences(case):
    make, kind = GRADIENT_CASES[case]
    labels = np.array([0, 2, 1, 2])
    y = labels if case.startswith("scce") else onehot(labels, 3)
    p = probs((4, 3)) if kind == "probs" else RNG.normal(size=(4, 3))
    if case in ("mae", "huber"):  # keep away from the kinks |e| = 0 and |e| = delta
        e = p - y
        p = np.where(np.abs(np.abs(e) - 0.7) < 0.05, p + 0.2, p)
        p = np.where(np.abs(p - y) < 0.05, p + 0.1, p)
    w = np.array([1.0, 0.5, 2.0, 0.0])
    loss = make(y)
    yt = y if case.startswith("scce") else f64(y)

    def value(pred):
        return loss(yt, pred, sample_weight=w)

    tape.check_gradients(value, [np.asarray(p, dtype=np.float64)], order=2)
    x = tape.Variable(np.asarray(p, dtype=np.float64))
    with tape.GradientTape() as t:
        out = value(x)
    numeric = _fd_grad(lambda a: float(value(f64(a)).numpy()), np.asarray(p, dtype=np.float64))
    np.testing.assert_allclose(t.gradient(out, x).numpy(), numeric, rtol=1e-6, atol=1e-8)


def test_crossentropy_from_logits_gradient_closed_forms():
    z = RNG.integers(0, 2, size=(5, 2)).astype(float)
    x = RNG.normal(size=(5, 2))
    v = tape.Variable(x)
    with tape.GradientTape() as t:
        loss = losses.BinaryCrossentropy(from_logits=True)(f64(z), v)
    close(t.gradient(loss, v), (np_sigmoid(x) - z) / z.size)
    y = onehot(RNG.integers(0, 4, size=3), 4)
    x = RNG.normal(size=(3, 4))
    v = tape.Variable(x)
    with tape.GradientTape() as t:
        loss = losses.CategoricalCrossentropy(from_logits=True)(f64(y), v)
    close(t.gradient(loss, v), (np.exp(np_log_softmax(x)) - y) / 3)


def test_mse_gradient_reaches_the_targets_too():
    y, p = RNG.normal(size=(3, 2)), RNG.normal(size=(3, 2))
    tape.check_gradients(lambda a, b: losses.MeanSquaredError()(a, b), [y, p], order=2)


# ----------------------------------------------------------------------------- losses.get


@pytest.mark.parametrize("name,cls", [
    ("mse", losses.MeanSquaredError), ("mean_squared_error", losses.MeanSquaredError),
    ("MSE", losses.MeanSquaredError), ("mae", losses.MeanAbsoluteError),
    ("mean_absolute_error", losses.MeanAbsoluteError), ("huber", losses.Huber),
    ("binary_crossentropy", losses.BinaryCrossentropy),
    ("categorical_crossentropy", losses.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy),
    ("BinaryCrossentropy", losses.BinaryCrossentropy),
])
def test_loss_get_names(name, cls):
    loss = losses.get(name)
    assert type(loss) is cls
    assert loss.reduction == "auto"


def test_loss_get_instances_functions_and_errors():
    inst = losses.BinaryCrossentropy(from_logits=True)
    assert losses.get(inst) is inst
    assert losses.get(None) is None
    y, p = RNG.normal(size=(4, 2)), RNG.normal(size=(4, 2))
    wrapped = losses.get(losses.mean_squared_error)
    close(wrapped(f64(y), f64(p)), np.mean((p - y) ** 2))
    assert wrapped.name == "mean_squared_error"

    def my_loss(y_true, y_pred):
        return tape.reduce_mean(tape.abs(y_pred - y_true) ** 3, axis=-1)

    custom = losses.get(my_loss)
    assert custom(f64(y), f64(p)).shape == ()
    close(custom(f64(y), f64(p)), np.mean(np.abs(p - y) ** 3))
    assert type(losses.get(losses.MeanAbsoluteError)) is losses.MeanAbsoluteError
    with pytest.raises(ValueError, match="Unknown loss function: 'msee'"):
        losses.get("msee")
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 3"):
        losses.get(3)
    again = losses.deserialize(losses.serialize(inst))
    assert type(again) is losses.BinaryCrossentropy and again.from_logits


# ----------------------------------------------------------------------------- metrics


def _batches(sizes, make):
    return [make(n) for n in sizes]


def test_mean_over_batches_weights_and_reset():
    m = metrics.Mean()
    assert m.name == "mean"
    close(m.result(), 0.0)  # an empty state gives 0, not nan
    a, b = RNG.normal(size=5), RNG.normal(size=(2, 3))
    m.update_state(a)
    m.update_state(tape.constant(b))
    expected = np.concatenate([a, b.ravel()]).mean()
    assert m.result().dtype == np.float32
    close(m.result(), expected, rtol=1e-6, atol=1e-6)
    m.reset_state()
    close(m.result(), 0.0)
    w = RNG.uniform(0, 1, size=5)
    close(m(a, sample_weight=w), np.sum(w * a) / np.sum(w), rtol=1e-6)
    m.update_state(b, sample_weight=[1.0, 0.0])  # a per-row weight covers the row
    total = np.sum(w * a) + np.sum(b[0])
    close(m.result(), total / (np.sum(w) + 3), rtol=1e-6)
    m.reset_states()
    close(m.result(), 0.0)
    assert all(not v.trainable for v in m.variables) and m.trainable_variables == []


def _acc_data(n):
    labels = RNG.integers(0, 4, size=n)
    p = RNG.uniform(size=(n, 4))
    return labels, p


@pytest.mark.parametrize("kind", ["sparse", "sparse_column", "categorical"])
def test_categorical_accuracies_over_batches_and_reset(kind):
    m = (metrics.CategoricalAccuracy() if kind == "categorical"
         else metrics.SparseCategoricalAccuracy())
    batches = _batches([5, 3, 8], _acc_data)
    hits = []
    for labels, p in batches:
        given = {"sparse": labels, "sparse_column": labels[:, None],
                 "categorical": onehot(labels, 4)}[kind]
        m.update_state(given, tape.constant(p))
        hits.append(p.argmax(-1) == labels)
        close(m.result(), np.concatenate(hits).mean(), rtol=1e-6)
    m.reset_state()
    labels, p = batches[0]
    w = RNG.uniform(0, 1, size=5)
    given = onehot(labels, 4) if kind == "categorical" else labels
    m.update_state(given, p, sample_weight=w)
    close(m.result(), np.sum(w * (p.argmax(-1) == labels)) / np.sum(w), rtol=1e-6)


@pytest.mark.parametrize("threshold", [0.5, 0.3])
def test_binary_accuracy_over_batches(threshold):
    m = metrics.BinaryAccuracy(threshold=threshold)
    matches = []
    for n in (4, 7):
        z = RNG.integers(0, 2, size=(n, 1)).astype(float)
        p = RNG.uniform(size=(n, 1))
        m.update_state(z, p)
        matches.append(z == (p > threshold))
    close(m.result(), np.concatenate(matches).mean(), rtol=1e-6)
    m.reset_state()
    z, p = np.array([1.0, 0.0, 1.0]), np.array([[0.9], [0.8], [0.1]])  # (N,) against (N, 1)
    close(m(z, p), 1 / 3, rtol=1e-6)
    assert metrics.binary_accuracy([[1.0, 0.0]], [[0.9, 0.2]]).numpy().tolist() == [1.0]


def test_accuracy_exact_match():
    m = metrics.Accuracy()
    m.update_state([1, 2, 3, 4], [1, 2, 0, 4])
    m.update_state([[1, 1]], [[0, 1]])
    close(m.result(), 4 / 6, rtol=1e-6)
    with pytest.raises(ValueError, match="same shape"):
        metrics.accuracy([1, 2], [1, 2, 3])


@pytest.mark.parametrize("cls,ref", [
    (metrics.MeanSquaredError, lambda y, p: np.mean((p - y) ** 2, axis=-1)),
    (metrics.MeanAbsoluteError, lambda y, p: np.mean(np.abs(p - y), axis=-1)),
])
def test_regression_metrics_over_batches(cls, ref):
    m = cls()
    per = []
    for n in (3, 6, 2):
        y, p = RNG.normal(size=(n, 2)), RNG.normal(size=(n, 2))
        m.update_state(y, p)
        per.append(ref(y, p))
    close(m.result(), np.concatenate(per).mean(), rtol=1e-6)
    m.reset_state()
    y, p = RNG.normal(size=(4, 2)), RNG.normal(size=(4, 2))
    w = RNG.uniform(size=4)
    close(m(y, p, sample_weight=w), np.sum(w * ref(y, p)) / np.sum(w), rtol=1e-6)


def test_crossentropy_metrics_match_the_losses():
    labels, p = _acc_data(6)
    p /= p.sum(-1, keepdims=True)
    m = metrics.SparseCategoricalCrossentropy()
    m.update_state(labels, p)
    close(m.result(), np.mean(np_scce(labels, p)), rtol=1e-6)
    m = metrics.CategoricalCrossentropy(from_logits=True)
    m.update_state(onehot(labels, 4), p)
    close(m.result(), np.mean(np_cce_logits(onehot(labels, 4), p)), rtol=1e-6)


def test_metrics_read_tracked_tensors_without_recording():
    w = tape.Variable(RNG.normal(size=(4, 3)))
    m = metrics.SparseCategoricalAccuracy()
    labels = np.array([0, 1, 2, 0])
    with tape.GradientTape() as t:
        logits = w * 2.0
        m.update_state(labels, logits)
        loss = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    close(m.result(), np.mean(w.numpy().argmax(-1) == labels), rtol=1e-6)
    assert t.gradient(loss, w).shape == (4, 3)


# ----------------------------------------------------------------------------- metrics.get


@pytest.mark.parametrize("loss,cls", [
    ("binary_crossentropy", metrics.BinaryAccuracy),
    (losses.BinaryCrossentropy(from_logits=True), metrics.BinaryAccuracy),
    (losses.binary_crossentropy, metrics.BinaryAccuracy),
    ("categorical_crossentropy", metrics.CategoricalAccuracy),
    (losses.CategoricalCrossentropy(), metrics.CategoricalAccuracy),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalAccuracy),
    (losses.SparseCategoricalCrossentropy(from_logits=True), metrics.SparseCategoricalAccuracy),
    (losses.get(losses.sparse_categorical_crossentropy), metrics.SparseCategoricalAccuracy),
])
def test_accuracy_follows_the_loss(loss, cls):
    m = metrics.get("accuracy", loss=loss)
    assert type(m) is cls and m.name == "accuracy"
    assert metrics.get("acc", loss=loss).name == "acc"


@pytest.mark.parametrize("y_true,y_pred,expected", [
    (np.array([[1.0], [0.0]]), np.array([[0.7], [0.2]]), 1.0),  # binary: last axis 1
    (np.array([1, 0]), np.array([[0.1, 0.9], [0.2, 0.8]]), 0.5),  # sparse: lower rank
    (np.array([[1], [0]]), np.array([[0.1, 0.9], [0.8, 0.2]]), 1.0),  # sparse: column
    (np.array([[0, 1], [1, 0]]), np.array([[0.1, 0.9], [0.2, 0.8]]), 0.5),  # categorical
])
def test_accuracy_for_other_losses_follows_the_shapes(y_true, y_pred, expected):
    m = metrics.get("accuracy", loss="mse")
    assert m.name == "accuracy"
    close(m.result(), 0.0)
    close(m(y_true, y_pred), expected, rtol=1e-6)
    m.reset_state()
    close(m.result(), 0.0)


def test_metric_get_names_and_errors():
    assert type(metrics.get("mse")) is metrics.MeanSquaredError
    assert metrics.get("mse").name == "mse"
    assert metrics.get("mean_absolute_error").name == "mean_absolute_error"
    assert type(metrics.get("sparse_categorical_accuracy")) is metrics.SparseCategoricalAccuracy
    assert type(metrics.get("Mean")) is metrics.Mean
    assert type(metrics.get("crossentropy", loss="binary_crossentropy")) is (
        metrics.BinaryCrossentropy)
    inst = metrics.BinaryAccuracy()
    assert metrics.get(inst) is inst and metrics.get(None) is None
    wrapped = metrics.get(losses.mean_squared_error)
    assert isinstance(wrapped, metrics.MeanMetricWrapper)
    assert wrapped.name == "mean_squared_error"
    with pytest.raises(ValueError, match="Unknown metric function: 'acuracy'"):
        metrics.get("acuracy")
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        metrics.get(1.5)


# ----------------------------------------------------------------------------- optimizers


def test_optimizer_get():
    assert type(optimizers.get("sgd")) is tape_optimizers.SGD
    assert type(optimizers.get("SGD")) is tape_optimizers.SGD
    assert type(optimizers.get("adam")) is tape_optimizers.Adam
    assert optimizers.SGD is tape_optimizers.SGD and optimizers.Adam is tape_optimizers.Adam
    assert type(optimizers.get("rmsprop")) is optimizers.RMSprop
    assert type(optimizers.get("Adagrad")) is optimizers.Adagrad
    opt = optimizers.Adam(learning_rate=0.01)
    assert optimizers.get(opt) is opt
    again = optimizers.deserialize(optimizers.serialize(optimizers.RMSprop(0.05, rho=0.8)))
    assert type(again) is optimizers.RMSprop and again.rho == 0.8
    with pytest.raises(ValueError, match="Unknown optimizer: 'adamm'"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get(None)


@pytest.mark.parametrize("name", ["Nadam", "Adadelta", "Adamax", "Ftrl"])
def test_unsupported_optimizers_say_so(name):
    with pytest.raises(NotImplementedError, match=f"{name} is not supported"):
        getattr(optimizers, name)(learning_rate=0.1)
    with pytest.raises(NotImplementedError, match=f"{name} is not supported"):
        optimizers.get(name.lower())


def _steps(opt, grads, w0):
    w = tape.Variable(np.asarray(w0, dtype=np.float64))
    for g in grads:
        opt.apply_gradients([(f64(g), w)])
    return w.numpy()


@pytest.mark.parametrize("momentum,centered", [(0.0, False), (0.5, False), (0.0, True),
                                               (0.3, True)])
def test_rmsprop_against_numpy(momentum, centered):
    lr, rho, eps = 0.05, 0.8, 1e-7
    grads = [RNG.normal(size=3) for _ in range(3)]
    w0 = RNG.normal(size=3)
    w, v, a, m = w0.copy(), np.zeros(3), np.zeros(3), np.zeros(3)
    for g in grads:
        v = rho * v + (1 - rho) * g**2
        a = rho * a + (1 - rho) * g
        d = v - a**2 if centered else v
        step = lr * g / np.sqrt(d + eps)
        m = momentum * m + step
        w = w - (m if momentum else step)
    opt = optimizers.RMSprop(lr, rho=rho, momentum=momentum, centered=centered)
    np.testing.assert_allclose(_steps(opt, grads, w0), w, rtol=1e-12)


def test_adagrad_against_numpy():
    lr, s0, eps = 0.1, 0.1, 1e-7
    grads = [RNG.normal(size=(2, 2)) for _ in range(3)]
    w0 = RNG.normal(size=(2, 2))
    w, s = w0.copy(), np.full((2, 2), s0)
    for g in grads:
        s = s + g**2
        w = w - lr * g / np.sqrt(s + eps)
    np.testing.assert_allclose(_steps(optimizers.Adagrad(lr), grads, w0), w, rtol=1e-12)
    with pytest.raises(ValueError, match="initial_accumulator_value"):
        optimizers.Adagrad(initial_accumulator_value=-1.0)


def test_adamw_is_adam_with_decoupled_weight_decay():
    grads = [RNG.normal(size=3) for _ in range(2)]
    w0 = RNG.normal(size=3)
    a = _steps(optimizers.AdamW(0.01, weight_decay=0.1), grads, w0)
    b = _steps(tape_optimizers.Adam(0.01, weight_decay=0.1), grads, w0)
    np.testing.assert_array_equal(a, b)
    assert optimizers.AdamW().weight_decay == 0.004


# ----------------------------------------------------------------------------- together


def test_logistic_regression_matches_numpy_gradient_descent():
    # the loop of the guides, with a Keras loss, metric and optimizer by name
    x = RNG.normal(size=(32, 3))
    z = (x @ np.array([1.5, -2.0, 0.5]) > 0).astype(float)[:, None]
    w = tape.Variable(np.zeros((3, 1)))
    loss_fn, opt = losses.BinaryCrossentropy(from_logits=True), optimizers.get("sgd")
    acc = metrics.get("accuracy", loss=loss_fn)
    w_ref = np.zeros((3, 1))
    for _ in range(5):
        with tape.GradientTape() as t:
            logits = tape.matmul(f64(x), w)
            loss = loss_fn(f64(z), logits)
        opt.apply_gradients(zip(t.gradient(loss, [w]), [w]))
        acc.update_state(z, tape.sigmoid(logits))
        w_ref -= 0.01 * x.T @ (np_sigmoid(x @ w_ref) - z) / 32
    np.testing.assert_allclose(w.numpy(), w_ref, rtol=1e-10)
    assert isinstance(acc, metrics.BinaryAccuracy)
    assert 0.0 <= float(acc.result()) <= 1.0
