"""A first model in Keras's style: Sequential, compile, fit (with its progress bar), evaluate.

Three classes of points on concentric rings in the plane -- not separable by a line -- are
classified by a small network, written as TensorFlow's beginner tutorials write it with only
the import changed::

    model = tf.keras.Sequential([
        tf.keras.layers.Dense(32, activation="relu", input_shape=(2,)),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.Dropout(0.1),
        tf.keras.layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=..., batch_size=32)

tape records every layer's computation and ``fit`` differentiates the loss with a
GradientTape; the weights then round-trip through ``save_weights``/``load_weights``.

    python examples/keras_style.py [--fast] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np

import tape as tf


def rings(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points: class k on a noisy ring of radius k + 1, in float32."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=n)
    angle = rng.uniform(0, 2 * np.pi, size=n)
    radius = labels + 1 + rng.normal(0, 0.15, size=n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x.astype(np.float32), labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="a few epochs only")
    parser.add_argument("--out", type=Path, default=Path("examples-output"),
                        help="directory for pictures (accepted; this example draws none)")
    args = parser.parse_args()
    epochs = 5 if args.fast else 40

    x_train, y_train = rings(600, seed=0)
    x_test, y_test = rings(300, seed=1)

    model = tf.keras.Sequential([
        tf.keras.layers.Dense(32, activation="relu", input_shape=(2,),
                              kernel_initializer=tf.keras.initializers.GlorotUniform(seed=0)),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.Dropout(0.1, seed=0),
        tf.keras.layers.Dense(3, activation="softmax",
                              kernel_initializer=tf.keras.initializers.GlorotUniform(seed=1)),
    ])
    model.summary()
    model.compile(optimizer=tf.optimizers.Adam(learning_rate=0.02),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=32)
    losses = history.history["loss"]
    assert losses[-1] < losses[0], losses

    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.3f}")
    if not args.fast:
        assert test_accuracy > 0.9, test_accuracy

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "rings.weights.npz")
        model.save_weights(path)
        copy = tf.keras.models.Sequential([
            tf.keras.layers.Dense(32, activation="relu", input_shape=(2,)),
            tf.keras.layers.BatchNormalization(),
            tf.keras.layers.Dropout(0.1),
            tf.keras.layers.Dense(3, activation="softmax"),
        ])
        copy.load_weights(path)
    same = np.array_equal(copy.predict(x_test, verbose=0), model.predict(x_test, verbose=0))
    assert same
    print("weights saved and loaded: the copy predicts the same")


if __name__ == "__main__":
    main()
