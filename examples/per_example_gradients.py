"""Per-example gradients, clipped, as differentially private training needs them.

Differentially private SGD bounds each example's influence: it takes the gradient of every
example's loss separately, clips each to a norm of at most C, and adds up the clipped
gradients. ``tape.vmap(tape.grad(loss))`` computes all the per-example gradients of an MLP in
one batched pass; this script checks them against a loop of ordinary gradients, clips them,
and takes a few noisy steps.

    python examples/per_example_gradients.py [--fast] [--out DIR]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import tape as tf


def loss(params: list, x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
    """Softmax cross-entropy of a one-hidden-layer tanh MLP on one example."""
    w1, b1, w2, b2 = params
    z = tf.tanh(x @ w1 + b1) @ w2 + b2
    return tf.reduce_logsumexp(z) - tf.reduce_sum(y * z)


def clipped_sum(grads: list, limit: float) -> list:
    """Each example's gradient (all parameters together) scaled to a norm of at most
    ``limit``, then summed over the examples."""
    norms = np.sqrt(sum(np.sum(g.numpy().reshape(len(g), -1) ** 2, axis=1) for g in grads))
    scale = np.minimum(1.0, limit / np.maximum(norms, 1e-12))
    return [np.tensordot(scale, g.numpy(), axes=1) for g in grads]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="a smaller problem")
    parser.add_argument("--out", default="examples-output", help="(writes nothing)")
    args = parser.parse_args()
    batch, inputs, hidden, classes = (32, 8, 16, 3) if args.fast else (128, 32, 64, 10)

    rng = np.random.default_rng(0)
    params = [rng.standard_normal((inputs, hidden)) / np.sqrt(inputs), np.zeros(hidden),
              rng.standard_normal((hidden, classes)) / np.sqrt(hidden), np.zeros(classes)]
    x = tf.constant(rng.standard_normal((batch, inputs)))
    y = tf.constant(np.eye(classes)[rng.integers(0, classes, batch)])

    per_example = tf.vmap(tf.grad(loss), in_axes=(None, 0, 0))
    ps = [tf.constant(p) for p in params]
    start = time.perf_counter()
    grads = per_example(ps, x, y)
    batched_time = time.perf_counter() - start
    start = time.perf_counter()
    loop = [tf.grad(loss)(ps, x[k], y[k]) for k in range(batch)]
    loop_time = time.perf_counter() - start
    worst = max(float(np.max(np.abs(g.numpy()[k] - loop[k][i].numpy())))
                for i, g in enumerate(grads) for k in range(batch))
    assert worst < 1e-12, worst
    print(f"per-example gradients of {batch} examples: batched {batched_time * 1e3:.1f} ms, "
          f"a loop {loop_time * 1e3:.1f} ms; largest difference {worst:.1e}")

    limit, noise, lr = 1.0, 0.5, 0.1
    for step in range(3 if args.fast else 20):
        ps = [tf.constant(p) for p in params]
        total = clipped_sum(per_example(ps, x, y), limit)
        for p, g in zip(params, total):
            p -= lr * (g + noise * limit * rng.standard_normal(g.shape)) / batch
        mean = float(np.mean([float(loss(ps, x[k], y[k])) for k in range(batch)]))
        print(f"step {step}: mean loss {mean:.4f}")
    print("clipped per-example gradients: each example's norm is at most", limit)


if __name__ == "__main__":
    main()
