"""Maximum likelihood with tape.scipy.stats: a Student-t's loc, scale and df, and a gamma's
shape and scale, fitted by Adam on their log-likelihoods, next to SciPy's own ``fit``.

1. Data from a Student-t (df 4, loc 1, scale 2). The parameters are kept unconstrained
   (loc, log scale, log df); the loss is the mean negative log-likelihood
   -mean(tape.scipy.stats.t.logpdf(x, df, loc, scale)), whose gradient in df goes through
   digamma (tape's rule for gammaln). Its gradient at the start is checked against central
   differences of SciPy's own t.logpdf.
2. Data from a gamma (shape 3, scale 1.5), fitted the same way (log shape, log scale), against
   ``scipy.stats.gamma.fit(x, floc=0)``.
3. The histograms and both fitted densities as a PNG (with matplotlib, optional).

    python examples/fit_distribution.py [--fast] [--out DIR]   # needs SciPy; the plot
                                                               # needs matplotlib
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import tape
from tape.keras import optimizers


def missing(exc: ModuleNotFoundError, extra: str) -> SystemExit:
    """The error for an optional package that is not installed: which extra to install."""
    package = exc.name.split(".")[0]
    return SystemExit(f"examples/{Path(__file__).name} needs the optional package '{package}', "
                      f'part of the {extra} extra: pip install -e ".[{extra}]"')


try:
    import scipy.stats as scipy_stats

    from tape.scipy import stats
except ModuleNotFoundError as exc:
    raise missing(exc, "scipy") from None


def fit(nll, params: list[tape.Variable], steps: int, learning_rate: float) -> list[float]:
    """Minimize nll() over params with Adam; the losses along the way."""
    opt = optimizers.Adam(learning_rate=learning_rate)
    losses = []
    for _ in range(steps):
        with tape.GradientTape() as g:
            loss = nll()
        opt.apply_gradients(zip(g.gradient(loss, params), params))
        losses.append(float(loss))
    return losses


def student_t(x: np.ndarray, steps: int) -> tuple[float, float, float]:
    loc = tape.Variable(float(np.median(x)), dtype=tape.float64)
    log_scale = tape.Variable(float(np.log(np.std(x))), dtype=tape.float64)
    log_df = tape.Variable(np.log(10.0), dtype=tape.float64)
    params = [loc, log_scale, log_df]

    def nll():
        return -np.mean(stats.t.logpdf(x, np.exp(log_df), loc, np.exp(log_scale)))

    # tape's gradient at the start against central differences of SciPy's t.logpdf
    with tape.GradientTape() as g:
        loss = nll()
    ours = [float(d) for d in g.gradient(loss, params)]
    start = np.array([float(p) for p in params])

    def scipy_nll(p):
        return -np.mean(scipy_stats.t.logpdf(x, np.exp(p[2]), p[0], np.exp(p[1])))

    h = 1e-6
    central = [(scipy_nll(start + h * e) - scipy_nll(start - h * e)) / (2 * h)
               for e in np.eye(3)]
    np.testing.assert_allclose(ours, central, rtol=1e-5, atol=1e-8)
    print("gradient of the Student-t negative log-likelihood at the start = central "
          "differences of SciPy's t.logpdf")

    losses = fit(nll, params, steps, learning_rate=0.05)
    assert losses[-1] < losses[0]
    return float(np.exp(log_df)), float(loc), float(np.exp(log_scale))


def gamma(x: np.ndarray, steps: int) -> tuple[float, float]:
    log_a = tape.Variable(0.0, dtype=tape.float64)
    log_scale = tape.Variable(float(np.log(np.mean(x))), dtype=tape.float64)

    def nll():
        return -np.mean(stats.gamma.logpdf(x, np.exp(log_a), scale=np.exp(log_scale)))

    losses = fit(nll, [log_a, log_scale], steps, learning_rate=0.05)
    assert losses[-1] < losses[0]
    return float(np.exp(log_a)), float(np.exp(log_scale))


def plot(t_data, t_fit, g_data, g_fit, path: Path) -> None:
    try:
        import matplotlib
    except ModuleNotFoundError as exc:
        raise missing(exc, "examples") from None

    matplotlib.use("Agg")  # no window: the figure goes to a file
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    grid = np.linspace(-10, 12, 400)
    left.hist(t_data, bins=np.linspace(-10, 12, 60), density=True, color="0.8")
    df, loc, scale = t_fit
    left.plot(grid, stats.t.pdf(grid, df, loc, scale).numpy(), "C0",
              label=f"tape: df {df:.2f}, loc {loc:.2f}, scale {scale:.2f}")
    left.set_title("Student-t")
    left.legend(fontsize=8)
    grid = np.linspace(1e-3, float(np.max(g_data)), 400)
    right.hist(g_data, bins=50, density=True, color="0.8")
    a, scale = g_fit
    right.plot(grid, stats.gamma.pdf(grid, a, scale=scale).numpy(), "C1",
               label=f"tape: a {a:.2f}, scale {scale:.2f}")
    right.set_title("gamma")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="less data, fewer steps (for CI)")
    parser.add_argument("--out", type=Path, default=Path("examples-output"),
                        help="directory for the picture (default: ./examples-output)")
    args = parser.parse_args(argv)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    n, steps = (500, 400) if args.fast else (5000, 1500)

    # 1. Student-t
    t_data = 1.0 + 2.0 * rng.standard_t(4.0, size=n)
    t_fit = student_t(t_data, steps)
    t_scipy = scipy_stats.t.fit(t_data)
    print("Student-t (true df 4, loc 1, scale 2):")
    print(f"  tape + Adam:  df {t_fit[0]:.4f}, loc {t_fit[1]:.4f}, scale {t_fit[2]:.4f}")
    print(f"  SciPy's fit:  df {t_scipy[0]:.4f}, loc {t_scipy[1]:.4f}, scale {t_scipy[2]:.4f}")
    ours = -np.mean(scipy_stats.t.logpdf(t_data, *t_fit))
    theirs = -np.mean(scipy_stats.t.logpdf(t_data, *t_scipy))
    print(f"  mean negative log-likelihood: tape {ours:.6f}, SciPy {theirs:.6f}")
    assert ours < theirs + 1e-6
    np.testing.assert_allclose(t_fit, t_scipy, rtol=1e-3)

    # 2. gamma
    g_data = rng.gamma(3.0, 1.5, size=n)
    g_fit = gamma(g_data, steps)
    a, _, scale = scipy_stats.gamma.fit(g_data, floc=0)
    print("gamma (true shape 3, scale 1.5):")
    print(f"  tape + Adam:  a {g_fit[0]:.4f}, scale {g_fit[1]:.4f}")
    print(f"  SciPy's fit:  a {a:.4f}, scale {scale:.4f}")
    ours = -np.mean(scipy_stats.gamma.logpdf(g_data, g_fit[0], scale=g_fit[1]))
    theirs = -np.mean(scipy_stats.gamma.logpdf(g_data, a, scale=scale))
    print(f"  mean negative log-likelihood: tape {ours:.6f}, SciPy {theirs:.6f}")
    assert ours < theirs + 1e-6
    np.testing.assert_allclose(g_fit, (a, scale), rtol=1e-3)

    try:
        png = out / "fit_distribution.png"
        plot(t_data, t_fit, g_data, g_fit, png)
        print(f"histograms and fitted densities saved to {png}")
    except SystemExit as note:  # matplotlib is optional here
        print(note)


if __name__ == "__main__":
    main()
