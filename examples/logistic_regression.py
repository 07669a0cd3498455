"""Seed 003's linear classifier: minimize C(w) by gradient descent on real data.

The lecture slides end with the cost of logistic regression,

    C(w) = -sum_i [ y_i log s(x_i . w) + (1 - y_i) log(1 - s(x_i . w)) ],   s = sigmoid,

and the remark that automatic differentiation gives its gradient for free. Here it trains on
scikit-learn's breast-cancer data (569 tumours, 30 features, malignant or benign): tape
computes dC/dw, gradient descent (``tape.optimizers.SGD``) updates w, and the accuracy is
measured on held-out data.

    python examples/logistic_regression.py [--fast] [--out DIR]   # needs scikit-learn and tqdm
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import tape as tf
from tape import optimizers

try:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split
    from tqdm import tqdm
except ModuleNotFoundError as _exc:
    _package = _exc.name.split(".")[0]
    raise SystemExit(f"examples/logistic_regression.py needs the optional package '{_package}', "
                     'part of the examples extra: pip install -e ".[examples]"') from None


def load_data(seed: int = 0):
    """Standardized features with a column of ones for the bias, 0/1 labels, float64."""
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=seed)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)  # statistics of the training set

    def prepare(A):
        A = (A - mean) / std
        return np.hstack([A, np.ones((len(A), 1))])

    return prepare(X_train), y_train.astype(np.float64), prepare(X_test), y_test.astype(np.float64)


def cost(w, X, y):
    """C(w) / N, as on the slide. log s(z) and log(1 - s(z)) = log s(-z) are computed as
    log_sigmoid, which stays finite where s(z) rounds to 0 or 1."""
    z = tf.linalg.matvec(X, w)  # x_i . w for every example i
    log_likelihood = y * tf.math.log_sigmoid(z) + (1 - y) * tf.math.log_sigmoid(-z)
    return -tf.reduce_sum(log_likelihood) / len(y)


def accuracy(w, X, y) -> float:
    predicted = (X @ w.numpy()) > 0  # s(x . w) > 1/2
    return float(np.mean(predicted == (y == 1)))


def check_the_gradient(w, X, y) -> None:
    """Before training: the cost agrees with the slide's formula written literally and with
    TensorFlow's fused loss, and tape's gradient with the closed form X^T (s(Xw) - y) / N."""
    Xt, yt = tf.constant(X), tf.constant(y)
    s = 1 / (1 + np.exp(-(X @ w.numpy())))
    literal = -np.sum(y * np.log(s) + (1 - y) * np.log(1 - s)) / len(y)
    fused = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
        labels=yt, logits=tf.linalg.matvec(Xt, w)))
    with tf.GradientTape() as t:
        c = cost(w, Xt, yt)
    g = t.gradient(c, w)
    assert np.isclose(float(c), literal, rtol=1e-12) and np.isclose(float(c), float(fused))
    np.testing.assert_allclose(g.numpy(), X.T @ (s - y) / len(y), rtol=1e-10, atol=1e-14)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="few steps (for CI)")
    parser.add_argument("--steps", type=int, help="gradient-descent steps (default 500)")
    parser.add_argument("--lr", type=float, default=0.5, help="learning rate")
    parser.add_argument("--out", type=Path, default=Path("examples-output"),
                        help="directory for pictures (accepted; this example draws none)")
    args = parser.parse_args(argv)
    steps = args.steps or (40 if args.fast else 500)

    X_train, y_train, X_test, y_test = load_data()
    print(f"breast cancer: {len(y_train)} training and {len(y_test)} test examples, "
          f"{X_train.shape[1] - 1} features + bias")
    rng = np.random.default_rng(0)
    w = tf.Variable(rng.normal(scale=0.01, size=X_train.shape[1]), name="w")
    check_the_gradient(w, X_train, y_train)

    Xt, yt = tf.constant(X_train), tf.constant(y_train)
    optimizer = optimizers.SGD(learning_rate=args.lr)  # w <- w - lr * dC/dw
    history = []
    start = time.perf_counter()
    with tqdm(range(steps), desc="gradient descent", unit="step") as bar:
        for _ in bar:
            with tf.GradientTape() as t:
                loss = cost(w, Xt, yt)
            grads = t.gradient(loss, [w])
            optimizer.apply_gradients(zip(grads, [w]))
            history.append(float(loss))
            bar.set_postfix(cost=f"{float(loss):.4f}", refresh=False)
    seconds = time.perf_counter() - start

    results = {
        "cost": history[-1],
        "train accuracy": accuracy(w, X_train, y_train),
        "test accuracy": accuracy(w, X_test, y_test),
        "seconds": seconds,
    }
    print(f"C(w)/N: {history[0]:.4f} -> {history[-1]:.4f} after {steps} steps "
          f"({seconds:.2f} s, {1e3 * seconds / steps:.2f} ms per step)")
    print(f"accuracy: training {results['train accuracy']:.3f}, "
          f"held-out {results['test accuracy']:.3f}")

    assert all(b <= a + 1e-12 for a, b in zip(history, history[1:])), "the cost went up"
    assert results["test accuracy"] > (0.9 if args.fast else 0.95), results
    return results


if __name__ == "__main__":
    main()
