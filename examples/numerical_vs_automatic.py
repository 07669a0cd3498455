"""Analytical, numerical and automatic differentiation side by side (seed 003's comparison).

For f(x, y) = (x^2 + 2x) ln y at (1, 2) this prints the derivative by hand, by forward,
backward and central differences, and by tape's reverse mode, as the slide's table does. Then
it sweeps the step h of the finite differences from 1e-1 down to 1e-15 and plots their error
against h on log-log axes beside the error of automatic differentiation: truncation error
(O(h) one-sided, O(h^2) central) falls with h until rounding error (about eps / h) takes over,
while automatic differentiation is exact to rounding at every point.

    python examples/numerical_vs_automatic.py [--fast] [--out DIR]     # needs matplotlib
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import tape as tf

EPS = np.finfo(np.float64).eps
METHODS = ("forward", "backward", "central")


def missing(exc: ModuleNotFoundError) -> SystemExit:
    """The error for an optional package that is not installed: which extra to install."""
    package = exc.name.split(".")[0]
    return SystemExit(f"examples/{Path(__file__).name} needs the optional package '{package}', "
                      'part of the examples extra: pip install -e ".[examples]"')


def f(x, y):
    """The slide's function; works on floats, NumPy arrays and tape tensors alike."""
    return (x**2 + 2 * x) * np.log(y)


def df_analytical(x: float, y: float) -> np.ndarray:
    """By hand (the product rule): df/dx = (2x + 2) ln y, df/dy = (x^2 + 2x) / y."""
    return np.array([(2 * x + 2) * np.log(y), (x**2 + 2 * x) / y])


def df_automatic(x: float, y: float) -> np.ndarray:
    """By reverse-mode AD: record f on a tape, then walk it backwards."""
    xt, yt = tf.constant(np.float64(x)), tf.constant(np.float64(y))
    with tf.GradientTape() as t:
        t.watch([xt, yt])
        out = f(xt, yt)  # np.log on a tensor is recorded as tape's log op
    dx, dy = t.gradient(out, [xt, yt])
    return np.array([float(dx), float(dy)])


def df_numerical(x: float, y: float, method: str, h: float) -> np.ndarray:
    """By finite differences, with the slide's formulas:
    forward (f(x+h) - f(x)) / h, backward (f(x) - f(x-h)) / h, central
    (f(x+h/2) - f(x-h/2)) / h."""
    dx, dy = tf.numerical_gradient(f, np.float64(x), np.float64(y), method=method, h=h)
    return np.array([float(dx), float(dy)])


def comparison_table(x: float, y: float, h: float) -> dict[str, np.ndarray]:
    results = {"analytical": df_analytical(x, y)}
    for m in METHODS:
        results[f"{m} difference (h={h:g})"] = df_numerical(x, y, m, h)
    results["automatic (tape)"] = df_automatic(x, y)
    exact = results["analytical"]
    print(f"f(x, y) = (x^2 + 2x) ln y at ({x:g}, {y:g})")
    print(f"{'method':<32}{'df/dx':>14}{'df/dy':>14}{'max error':>12}")
    for name, d in results.items():
        err = np.max(np.abs(d - exact))
        print(f"{name:<32}{d[0]:>14.10f}{d[1]:>14.10f}{err:>12.2e}")
    return results


def error_sweep(x: float, y: float, steps: np.ndarray) -> dict[str, np.ndarray]:
    """The largest error over both partial derivatives, for each method and step."""
    exact = df_analytical(x, y)
    errors = {
        m: np.array([np.max(np.abs(df_numerical(x, y, m, h) - exact)) for h in steps])
        for m in METHODS
    }
    ad = np.max(np.abs(df_automatic(x, y) - exact))
    errors["automatic"] = np.full(len(steps), ad)
    return errors


def plot(steps: np.ndarray, errors: dict[str, np.ndarray], path: Path) -> None:
    try:
        import matplotlib
    except ModuleNotFoundError as exc:
        raise missing(exc) from None

    matplotlib.use("Agg")  # no window: the figure goes to a file
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 4.5))
    styles = {"forward": "o-", "backward": "s--", "central": "^-"}
    for m in METHODS:
        ax.loglog(steps, np.maximum(errors[m], EPS / 4), styles[m], label=f"{m} difference")
    ad = float(errors["automatic"][0])
    label = "automatic differentiation: error " + (
        "0 (drawn at ε/4)" if ad == 0 else f"{ad:.1e}")
    ax.loglog(steps, np.full(len(steps), max(ad, EPS / 4)), "k-", lw=2, label=label)
    ax.loglog(steps, steps, ":", color="gray", label="truncation O(h)")
    ax.loglog(steps, steps**2, "-.", color="gray", label="truncation O(h²)")
    ax.loglog(steps, EPS / steps, "--", color="silver", label="rounding ε/h")
    ax.set_xlabel("step h")
    ax.set_ylabel("max |error| of (∂f/∂x, ∂f/∂y)")
    ax.set_title("f(x, y) = (x² + 2x) ln y at (1, 2): finite differences vs AD")
    ax.set_ylim(EPS / 8, 10)
    ax.invert_xaxis()
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="fewer steps h (for CI)")
    parser.add_argument("--out", type=Path, default=Path("examples-output"),
                        help="directory for the pictures (default: ./examples-output)")
    args = parser.parse_args(argv)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    x, y = 1.0, 2.0
    results = comparison_table(x, y, h=1e-3)  # the slide's h = 0.001
    exact = results["analytical"]
    # AD agrees with the closed form to rounding; the differences do not.
    assert np.allclose(results["automatic (tape)"], exact, rtol=4 * EPS, atol=0)
    assert np.allclose(exact, [4 * np.log(2), 1.5])  # the slide: 2.7726, 1.5

    steps = 10.0 ** -np.arange(1, 15.01, 2 if args.fast else 0.5)
    errors = error_sweep(x, y, steps)
    print("\nError against the step h (the largest over df/dx and df/dy):")
    print(f"{'h':>8}" + "".join(f"{m:>12}" for m in (*METHODS, "automatic")))
    for k, h in enumerate(steps):
        print(f"{h:>8.0e}" + "".join(f"{errors[m][k]:>12.1e}"
                                     for m in (*METHODS, "automatic")))

    def at(h: float, m: str) -> float:
        return float(errors[m][np.argmin(np.abs(np.log10(steps / h)))])

    def slope(m: str, h1: float = 1e-1, h2: float = 1e-3) -> float:
        return float(np.log10(at(h1, m) / at(h2, m)) / np.log10(h1 / h2))

    # Truncation error: O(h) for one-sided differences, O(h^2) for central differences.
    assert 0.9 < slope("forward") < 1.1 and 0.9 < slope("backward") < 1.1
    assert 1.9 < slope("central") < 2.1
    # The best step balances truncation and rounding: about sqrt(eps) one-sided (error
    # ~1e-8) and eps^(1/3) central (error ~1e-11) -- never near AD's rounding-level error.
    best = {m: float(np.min(errors[m])) for m in METHODS}
    assert 1e-10 < best["forward"] < 1e-6 and 1e-10 < best["backward"] < 1e-6
    assert 1e-13 < best["central"] < 1e-8
    # Rounding error: below the best step, smaller h makes it worse.
    assert at(1e-15, "central") > 100 * best["central"]
    assert float(errors["automatic"][0]) <= 4 * EPS

    path = out / "numerical_vs_automatic.png"
    plot(steps, errors, path)
    print(f"\nbest error: forward {best['forward']:.1e}, backward {best['backward']:.1e}, "
          f"central {best['central']:.1e}; automatic {errors['automatic'][0]:.1e}")
    print(f"plot saved to {path}")
    return path


if __name__ == "__main__":
    main()
