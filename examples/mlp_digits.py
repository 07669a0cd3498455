"""A small neural network trained with Adam: scikit-learn's handwritten digits.

A 64-64-10 multilayer perceptron (tanh hidden layer, softmax output) on the 8x8 digit images
(1,797 of them, 10 classes), trained on minibatches with ``tape.optimizers.Adam`` as a
TensorFlow training loop would be written: the loss under a ``GradientTape``,
``t.gradient(loss, params)``, ``optimizer.apply_gradients(zip(grads, params))``. It reports
the accuracy on held-out images and saves the loss curve as a PNG.

    python examples/mlp_digits.py [--fast] [--out DIR]   # needs scikit-learn, tqdm, matplotlib
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import tape as tf
from tape import optimizers

try:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from tqdm import tqdm
except ModuleNotFoundError as _exc:
    _package = _exc.name.split(".")[0]
    raise SystemExit(f"examples/mlp_digits.py needs the optional package '{_package}', "
                     'part of the examples extra: pip install -e ".[examples]"') from None


def missing(exc: ModuleNotFoundError) -> SystemExit:
    """The error for an optional package that is not installed: which extra to install."""
    package = exc.name.split(".")[0]
    return SystemExit(f"examples/{Path(__file__).name} needs the optional package '{package}', "
                      'part of the examples extra: pip install -e ".[examples]"')


def load_data(seed: int = 0):
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)  # pixel intensities 0..16 -> 0..1
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)


class MLP:
    """x -> tanh(x W1 + b1) W2 + b2: the logits of the 10 classes."""

    def __init__(self, sizes: tuple[int, ...], rng: np.random.Generator) -> None:
        self.params: list[tf.Variable] = []
        for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
            limit = np.sqrt(6.0 / (n_in + n_out))  # Glorot uniform, as Keras's Dense
            w = rng.uniform(-limit, limit, size=(n_in, n_out)).astype(np.float32)
            self.params += [tf.Variable(w, name=f"W{k + 1}"),
                            tf.Variable(np.zeros(n_out, np.float32), name=f"b{k + 1}")]

    def __call__(self, x):
        h = x
        layers = list(zip(self.params[::2], self.params[1::2]))
        for k, (w, b) in enumerate(layers):
            h = tf.matmul(h, w) + b
            if k < len(layers) - 1:
                h = tf.tanh(h)
        return h


def loss_fn(model: MLP, x, y):
    logits = model(x)
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))


def accuracy(model: MLP, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.argmax(model(tf.constant(x)).numpy(), axis=1) == y))


def plot(losses: list[float], steps_per_epoch: int, test_acc: list[float], path: Path) -> None:
    try:
        import matplotlib
    except ModuleNotFoundError as exc:
        raise missing(exc) from None

    matplotlib.use("Agg")  # no window: the figure goes to a file
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    steps = np.arange(1, len(losses) + 1)
    ax1.semilogy(steps, losses, lw=0.6, alpha=0.5, label="minibatch loss")
    window = max(1, steps_per_epoch)
    if len(losses) >= window:
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
        ax1.semilogy(steps[window - 1:], smooth, lw=2, label="running mean (1 epoch)")
    ax1.set_xlabel("step")
    ax1.set_ylabel("cross-entropy")
    ax1.set_title("training loss")
    ax1.legend()
    epochs = np.arange(1, len(test_acc) + 1)
    ax2.plot(epochs, test_acc, "o-")
    ax2.axhline(0.95, color="gray", ls=":", label="95%")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("accuracy")
    ax2.set_title("held-out accuracy")
    ax2.legend()
    fig.suptitle("64-64-10 MLP on scikit-learn's digits, Adam, tape")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="3 epochs (for CI)")
    parser.add_argument("--epochs", type=int, help="training epochs (default 30)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3, help="Adam's learning rate")
    parser.add_argument("--out", type=Path, default=Path("examples-output"),
                        help="directory for the pictures (default: ./examples-output)")
    args = parser.parse_args(argv)
    epochs = args.epochs or (3 if args.fast else 30)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    X_train, X_test, y_train, y_test = load_data()
    print(f"digits: {len(y_train)} training and {len(y_test)} test images of 8x8 pixels")
    rng = np.random.default_rng(0)
    model = MLP((64, 64, 10), rng)
    optimizer = optimizers.Adam(learning_rate=args.lr)

    steps_per_epoch = int(np.ceil(len(y_train) / args.batch_size))
    losses: list[float] = []
    test_acc: list[float] = []
    start = time.perf_counter()
    with tqdm(total=epochs * steps_per_epoch, desc="training", unit="step") as bar:
        for epoch in range(epochs):
            order = rng.permutation(len(y_train))
            for k in range(steps_per_epoch):
                batch = order[k * args.batch_size:(k + 1) * args.batch_size]
                x, y = tf.constant(X_train[batch]), y_train[batch]
                with tf.GradientTape() as t:
                    loss = loss_fn(model, x, y)
                grads = t.gradient(loss, model.params)
                optimizer.apply_gradients(zip(grads, model.params))
                losses.append(float(loss))
                bar.update()
            test_acc.append(accuracy(model, X_test, y_test))
            bar.set_postfix(epoch=epoch + 1, loss=f"{np.mean(losses[-steps_per_epoch:]):.4f}",
                            test_acc=f"{test_acc[-1]:.3f}")
    seconds = time.perf_counter() - start

    results = {
        "train accuracy": accuracy(model, X_train, y_train),
        "test accuracy": test_acc[-1],
        "seconds": seconds,
        "steps": len(losses),
    }
    print(f"{epochs} epochs, {len(losses)} steps of Adam in {seconds:.1f} s "
          f"({1e3 * seconds / len(losses):.2f} ms per step)")
    print(f"accuracy: training {results['train accuracy']:.3f}, "
          f"held-out {results['test accuracy']:.3f}")
    path = out / "mlp_digits_loss.png"
    plot(losses, steps_per_epoch, test_acc, path)
    print(f"loss curve saved to {path}")

    first, last = np.mean(losses[:steps_per_epoch]), np.mean(losses[-steps_per_epoch:])
    assert last < 0.5 * first, (first, last)
    assert results["test accuracy"] >= (0.85 if args.fast else 0.95), results
    return results


if __name__ == "__main__":
    main()
