"""``python -m tape``: the seed examples differentiated, beside closed forms and differences."""

from __future__ import annotations

import argparse
import sys

import numpy as np

import tape as tf


def central_difference(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central finite differences of a scalar function of a float64 vector."""
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        grad.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


def row(name: str, ad: float, exact: float, fd: float) -> str:
    return f"  {name:<10} AD {ad:>12.7f}   closed form {exact:>12.7f}   central FD {fd:>12.7f}"


def seed_examples() -> None:
    print("Seed examples (float64): derivative by tape, by hand, and by central differences")

    x = tf.constant(np.float64(2.0))
    with tf.GradientTape() as t:
        t.watch(x)
        f = x**2 + x
    fd = central_difference(lambda v: v[0] ** 2 + v[0], [2.0])[0]
    print(" f(x) = x^2 + x at x = 2")
    print(row("df/dx", float(t.gradient(f, x)), 2 * 2.0 + 1, fd))

    x, y = tf.constant(np.float64(1.0)), tf.constant(np.float64(2.0))
    with tf.GradientTape() as t:
        t.watch([x, y])
        f = (x**2 + 2 * x) * tf.math.log(y)
    dx, dy = t.gradient(f, [x, y])
    fd = central_difference(lambda v: (v[0] ** 2 + 2 * v[0]) * np.log(v[1]), [1.0, 2.0])
    print(" f(x, y) = (x^2 + 2x) ln y at (1, 2)")
    print(row("df/dx", float(dx), (2 * 1.0 + 2) * np.log(2.0), fd[0]))
    print(row("df/dy", float(dy), (1.0 + 2 * 1.0) / 2.0, fd[1]))

    x = tf.constant(np.float64(1.0))
    with tf.GradientTape() as t:
        t.watch(x)
        f = (x**2 + 2 * x) * tf.math.log(x)
    fd = central_difference(lambda v: (v[0] ** 2 + 2 * v[0]) * np.log(v[0]), [1.0])[0]
    print(" f(x) = (x^2 + 2x) ln x at x = 1")
    print(row("df/dx", float(t.gradient(f, x)), 2 * (1 + 1) * np.log(1.0) + (1 + 2), fd))


def wengert_table() -> None:
    print("\nThe Wengert list of f(x, y) = (x^2 + 2x) ln y at (1, 2), as in seed 003's table:")
    x, y = tf.constant(np.float64(1.0)), tf.constant(np.float64(2.0))
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, y])
        a = x * x
        b = 2 * x
        c = a + b
        d = tf.math.log(y)
        f = c * d
    t.gradient(f, [x, y])
    table = t.table(names={"x": x, "y": y, "a": a, "b": b, "c": c, "d": d, "f": f})
    print("\n".join("  " + line for line in table.splitlines()))


def tutorial() -> None:
    print("\nThe GradientTape tutorial with `import tape as tf`:")

    x = tf.ones((2, 2))
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(x)
        z = tf.multiply(y, y)
    dz_dx = t.gradient(z, x)
    for i in [0, 1]:
        for j in [0, 1]:
            assert dz_dx[i][j].numpy() == 8.0
    print("  dz/dx of (sum x)^2 at ones((2, 2)):", dz_dx.numpy().tolist(), "ok")

    x = tf.ones((2, 2))
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(x)
        z = tf.multiply(y, y)
    dz_dy = t.gradient(z, y)
    assert dz_dy.numpy() == 8.0
    print("  dz/dy with respect to the intermediate y:", dz_dy.numpy(), "ok")

    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        z = y * y
    dz_dx = t.gradient(z, x)
    dy_dx = t.gradient(y, x)
    del t
    assert dz_dx.numpy() == 108.0 and dy_dx.numpy() == 6.0
    print("  persistent tape: dz/dx = 4x^3 =", dz_dx.numpy(), " dy/dx = 2x =", dy_dx.numpy(), "ok")

    def f(x, y):
        output = 1.0
        for i in range(y):
            if i > 1 and i < 5:
                output = tf.multiply(output, x)
        return output

    def grad(x, y):
        with tf.GradientTape() as t:
            t.watch(x)
            out = f(x, y)
        return t.gradient(out, x)

    x = tf.convert_to_tensor(2.0)
    assert grad(x, 6).numpy() == 12.0
    assert grad(x, 5).numpy() == 12.0
    assert grad(x, 4).numpy() == 4.0
    print("  control flow: grad(x, 6) = 12, grad(x, 5) = 12, grad(x, 4) = 4 ok")

    x = tf.Variable(1.0)
    with tf.GradientTape() as t:
        with tf.GradientTape() as t2:
            y = x * x * x
        dy_dx = t2.gradient(y, x)
    d2y_dx2 = t.gradient(dy_dx, x)
    assert dy_dx.numpy() == 3.0
    assert d2y_dx2.numpy() == 6.0
    print("  higher order: dy/dx = 3x^2 =", dy_dx.numpy(), " d2y/dx2 = 6x =", d2y_dx2.numpy(), "ok")


DESCRIPTION = """\
Run tape's demo: the seed examples differentiated by tape beside their closed forms and
central differences, seed 003's Wengert list with its adjoints, and TensorFlow's GradientTape
tutorial with `import tape as tf`, every assert included. It takes no options and exits
with status 0 when every check passes."""

NEXT_STEPS = """\
Where to go next:
  examples/            programs to run: python examples/tutorial.py, examples/wengert_list.py,
                       examples/mlp_digits.py, ... (pip install -e ".[examples]" for their extras)
  docs/                the guide: getting-started.md, seeing-the-tape.md, concepts.md
                       (built as a site with: mkdocs serve)
  docs/tensorflow.md   for TensorFlow users: what is the same and what differs
  docs/pytorch.md      for PyTorch users: each autograd idiom and tape's equivalent"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line of ``python -m tape``: only ``--help``."""
    parser = argparse.ArgumentParser(
        prog="python -m tape",
        description=DESCRIPTION,
        epilog=NEXT_STEPS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run the demo (or print the help text for ``--help``)."""
    parse_args(sys.argv[1:] if argv is None else argv)
    seed_examples()
    wengert_table()
    tutorial()
    print("\nAll tutorial asserts passed.")
    print("\n" + NEXT_STEPS)


if __name__ == "__main__":
    main()
