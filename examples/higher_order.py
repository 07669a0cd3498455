"""Higher-order derivatives: Newton's method with Hessians, Hessian-vector products, and
gradient descent drawn on a contour map (the picture at the top of seed 001).

1. The Hessian of Rosenbrock's function f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 by nested
   tapes (the jacobian of a gradient), checked against the Hessian worked out by hand.
2. Newton's method w <- w - H^-1 grad f from (-1.2, 1): a handful of steps to the minimum
   (1, 1), where gradient descent needs thousands.
3. Hessian-vector products H v without forming H: forward-over-reverse (``tape.hvp``) and
   reverse-over-reverse (the gradient of grad f . v), for a function of 200 variables.
4. The paths of gradient descent, momentum, Adam and Newton on the contour map, as a PNG.

    python examples/higher_order.py [--fast] [--out DIR]     # the plot needs matplotlib
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import tape as tf
from tape import optimizers

START = np.array([-1.2, 1.0])
MINIMUM = np.array([1.0, 1.0])


def missing(exc: ModuleNotFoundError) -> SystemExit:
    """The error for an optional package that is not installed: which extra to install."""
    package = exc.name.split(".")[0]
    return SystemExit(f"examples/{Path(__file__).name} needs the optional package '{package}', "
                      'part of the examples extra: pip install -e ".[examples]"')


def rosenbrock(w):
    x, y = w[0], w[1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def hessian_by_hand(w: np.ndarray) -> np.ndarray:
    x, y = w
    return np.array([[2 - 400 * (y - x**2) + 800 * x**2, -400 * x], [-400 * x, 200.0]])


def gradient_and_hessian(f, w: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """f(w), its gradient and its Hessian with two tapes: the outer tape records the inner
    tape's backward pass, so the gradient can be differentiated again."""
    w = tf.constant(w)
    with tf.GradientTape() as outer:
        outer.watch(w)
        with tf.GradientTape() as inner:
            inner.watch(w)
            value = f(w)
        g = inner.gradient(value, w)
    H = outer.jacobian(g, w)
    return float(value), g.numpy(), H.numpy()


def newton(f, w0: np.ndarray, steps: int) -> list[np.ndarray]:
    path = [w0]
    for _ in range(steps):
        _, g, H = gradient_and_hessian(f, path[-1])
        if np.linalg.norm(g) == 0:  # converged to the last bit
            break
        path.append(path[-1] - np.linalg.solve(H, g))
    return path


def first_order(f, w0: np.ndarray, optimizer, steps: int) -> list[np.ndarray]:
    w = tf.Variable(w0)
    path = [w.numpy()]
    for _ in range(steps):
        optimizer.minimize(lambda: f(w), [w])
        path.append(w.numpy())
    return path


def hessian_vector_products(n: int, seed: int = 0) -> None:
    """H v for f(x) = sum(tanh(A x)^2), three ways, against the Hessian in closed form."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, n)) / np.sqrt(n)
    x, v = rng.standard_normal(n), rng.standard_normal(n)

    def f(x):
        return tf.reduce_sum(tf.tanh(tf.linalg.matvec(tf.constant(A), x)) ** 2)

    # forward-over-reverse: a forward-mode pass through the gradient computation
    (hv_fwd,) = tf.hvp(f, (tf.constant(x),), (tf.constant(v),))

    # reverse-over-reverse: the gradient of the scalar (grad f . v)
    xt = tf.constant(x)
    with tf.GradientTape() as outer:
        outer.watch(xt)
        with tf.GradientTape() as inner:
            inner.watch(xt)
            y = f(xt)
        g = inner.gradient(y, xt)
        gv = tf.reduce_sum(g * tf.constant(v))
    hv_rev = outer.gradient(gv, xt)

    # the full Hessian, n reverse sweeps: affordable here, not for a million parameters
    H = tf.hessian(f)(tf.constant(x)).numpy()
    t = np.tanh(A @ x)
    H_exact = A.T @ np.diag((2 - 6 * t**2) * (1 - t**2)) @ A
    np.testing.assert_allclose(H, H_exact, rtol=1e-10, atol=1e-12)
    for hv in (hv_fwd.numpy(), hv_rev.numpy(), H @ v):
        np.testing.assert_allclose(hv, H_exact @ v, rtol=1e-10, atol=1e-12)
    print(f"Hessian-vector products in R^{n}: forward-over-reverse, reverse-over-reverse and "
          f"H @ v agree with the closed form (|Hv| = {np.linalg.norm(H_exact @ v):.6f})")


def plot(paths: dict[str, list[np.ndarray]], path: Path) -> None:
    try:
        import matplotlib
    except ModuleNotFoundError as exc:
        raise missing(exc) from None

    matplotlib.use("Agg")  # no window: the figure goes to a file
    import matplotlib.pyplot as plt

    xs, ys = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-3.5, 3, 300))
    zs = (1 - xs) ** 2 + 100 * (ys - xs**2) ** 2
    fig, ax = plt.subplots(figsize=(7, 7))
    ax.contourf(xs, ys, np.log10(zs + 1e-3), levels=30, cmap="Blues_r", alpha=0.5)
    ax.contour(xs, ys, zs, levels=np.logspace(-1, 3.5, 18), colors="0.55", linewidths=0.5)
    for (name, p), style in zip(paths.items(), ("o-", "s-", "^-", "D-")):
        p = np.array(p)
        every = max(1, len(p) // 40)
        ax.plot(p[:, 0], p[:, 1], style, ms=3, lw=1.2, markevery=every,
                label=f"{name} ({len(p) - 1} steps)")
    ax.plot(*START, "ko")
    ax.annotate("start", START, textcoords="offset points", xytext=(-10, 8))
    ax.plot(*MINIMUM, "r*", ms=14, label="minimum (1, 1)")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("Rosenbrock: (1 - x)² + 100 (y - x²)²")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="fewer steps, smaller n (for CI)")
    parser.add_argument("--out", type=Path, default=Path("examples-output"),
                        help="directory for the pictures (default: ./examples-output)")
    args = parser.parse_args(argv)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    # 1. The Hessian by nested tapes, against the one by hand.
    for w in (START, MINIMUM, np.array([0.3, -0.7])):
        _, _, H = gradient_and_hessian(rosenbrock, w)
        np.testing.assert_allclose(H, hessian_by_hand(w), rtol=1e-14)
    print("Rosenbrock's Hessian by nested tapes = the Hessian by hand at 3 points")
    H_start = gradient_and_hessian(rosenbrock, START)[2]
    print(f"at the start (-1.2, 1): H = {H_start.tolist()}")

    # 2. Newton's method: quadratic convergence near the minimum.
    path = newton(rosenbrock, START, steps=20)
    print("Newton's method:")
    for k, w in enumerate(path):
        print(f"  step {k}: w = ({w[0]: .12f}, {w[1]: .12f}), "
              f"|w - w*| = {np.linalg.norm(w - MINIMUM):.2e}")
    assert np.linalg.norm(path[-1] - MINIMUM) < 1e-12 and len(path) - 1 <= 8

    # 3. Hessian-vector products.
    hessian_vector_products(n=20 if args.fast else 200)

    # 4. First-order methods from the same start, and the picture.
    steps = 300 if args.fast else 5000
    paths = {
        "gradient descent, lr 1e-3": first_order(
            rosenbrock, START, optimizers.SGD(learning_rate=1e-3), steps),
        "momentum 0.9, lr 1e-4": first_order(
            rosenbrock, START, optimizers.SGD(learning_rate=1e-4, momentum=0.9), steps),
        "Adam, lr 0.02": first_order(rosenbrock, START, optimizers.Adam(learning_rate=0.02),
                                     steps),
        "Newton": path,
    }
    for name, p in paths.items():
        f_end = float(rosenbrock(p[-1]))
        print(f"{name:>28}: {len(p) - 1:>5} steps, f = {f_end:.2e}, "
              f"|w - w*| = {np.linalg.norm(p[-1] - MINIMUM):.2e}")
        values = [float(rosenbrock(w)) for w in p]
        assert values[-1] < values[0], name
    if not args.fast:
        assert np.linalg.norm(paths["Adam, lr 0.02"][-1] - MINIMUM) < 1e-2
    png = out / "higher_order_paths.png"
    plot(paths, png)
    print(f"contour map saved to {png}")
    return png


if __name__ == "__main__":
    main()
