"""tape.scipy.stats: values equal SciPy's; gradients in the data and the parameters agree with
closed forms and with central differences of SciPy's own functions (float64); out of the
support the values are SciPy's and the gradients are not NaN; the directions without a closed
form raise."""

from __future__ import annotations

import numpy as np
import pytest

scipy_stats = pytest.importorskip("scipy.stats", reason="SciPy is optional (tape[scipy])")
special = pytest.importorskip("scipy.special")

import tape  # noqa: E402
from tape.scipy import stats  # noqa: E402

F64 = tape.float64


def grads(fn, *args):
    """The value of sum(fn(*args)) and its gradients in every argument, by tape."""
    ts = [tape.constant(np.asarray(a, dtype=np.float64)) for a in args]
    with tape.GradientTape() as g:
        for x in ts:
            g.watch(x)
        y = np.sum(fn(*ts))
    return float(y), [None if d is None else d.numpy() for d in g.gradient(y, ts)]


def central(fn, args, i, h=1e-6):
    """The central difference of sum(fn(*args)) in argument i, elementwise, with SciPy's fn."""
    args = [np.array(a, dtype=np.float64) for a in args]
    out = np.zeros_like(args[i])
    for idx in np.ndindex(args[i].shape):
        up = [a.copy() for a in args]
        down = [a.copy() for a in args]
        up[i][idx] += h
        down[i][idx] -= h
        out[idx] = (np.sum(fn(*up)) - np.sum(fn(*down))) / (2 * h)
    return out


# (name, method, arguments in SciPy's order; every argument differentiable)
DIFFERENTIABLE = [
    ("norm", "logpdf", ([-1.0, 0.3, 2.0], 0.5, 1.5)),
    ("norm", "pdf", ([-1.0, 0.3, 2.0], 0.5, 1.5)),
    ("norm", "cdf", ([-1.0, 0.3, 2.0], 0.5, 1.5)),
    ("norm", "logcdf", ([-1.0, 0.3, 2.0], 0.5, 1.5)),
    ("norm", "sf", ([-1.0, 0.3, 2.0], 0.5, 1.5)),
    ("norm", "logsf", ([-1.0, 0.3, 2.0], 0.5, 1.5)),
    ("norm", "ppf", ([0.1, 0.5, 0.9], 0.5, 1.5)),
    ("t", "logpdf", ([-1.0, 0.3, 2.0], 3.5, 0.5, 1.5)),
    ("t", "pdf", ([-1.0, 0.3, 2.0], 3.5, 0.5, 1.5)),
    ("gamma", "logpdf", ([0.5, 1.0, 3.0], 2.5, -0.2, 1.5)),
    ("gamma", "pdf", ([0.5, 1.0, 3.0], 2.5, -0.2, 1.5)),
    ("beta", "logpdf", ([0.1, 0.4, 0.9], 2.5, 1.5, -0.1, 1.2)),
    ("beta", "pdf", ([0.1, 0.4, 0.9], 2.5, 1.5, -0.1, 1.2)),
]

# (name, method, arguments, the indices of the differentiable arguments)
PARTLY = [
    ("t", "cdf", ([-1.0, 0.3, 2.0], 3.5, 0.5, 1.5), (0, 2, 3)),
    ("t", "logcdf", ([-1.0, 0.3, 2.0], 3.5, 0.5, 1.5), (0, 2, 3)),
    ("t", "sf", ([-1.0, 0.3, 2.0], 3.5, 0.5, 1.5), (0, 2, 3)),
    ("gamma", "cdf", ([0.5, 1.0, 3.0], 2.5, -0.2, 1.5), (0, 2, 3)),
    ("gamma", "logcdf", ([0.5, 1.0, 3.0], 2.5, -0.2, 1.5), (0, 2, 3)),
    ("gamma", "sf", ([0.5, 1.0, 3.0], 2.5, -0.2, 1.5), (0, 2, 3)),
    ("beta", "cdf", ([0.1, 0.4, 0.9], 2.5, 1.5, -0.1, 1.2), (0, 3, 4)),
    ("beta", "logcdf", ([0.1, 0.4, 0.9], 2.5, 1.5, -0.1, 1.2), (0, 3, 4)),
    ("poisson", "logpmf", ([0.0, 1.0, 4.0], 2.5), (1,)),
    ("poisson", "pmf", ([0.0, 1.0, 4.0], 2.5), (1,)),
    ("poisson", "cdf", ([0.0, 1.0, 4.0], 2.5), (1,)),
    ("poisson", "logcdf", ([0.0, 1.0, 4.0], 2.5), (1,)),
]


@pytest.mark.parametrize("name, method, args", DIFFERENTIABLE)
def test_values_and_gradients_in_every_argument(name, method, args):
    ours = getattr(getattr(stats, name), method)
    theirs = getattr(getattr(scipy_stats, name), method)
    value, gs = grads(ours, *args)
    assert value == pytest.approx(float(np.sum(theirs(*args))), rel=1e-12, abs=1e-12)
    for i, g in enumerate(gs):
        np.testing.assert_allclose(g, central(theirs, args, i), rtol=1e-6, atol=1e-7,
                                   err_msg=f"{name}.{method} argument {i}")


@pytest.mark.parametrize("name, method, args, which", PARTLY)
def test_values_and_gradients_where_closed_forms_exist(name, method, args, which):
    ours = getattr(getattr(stats, name), method)
    theirs = getattr(getattr(scipy_stats, name), method)
    consts = [np.asarray(a, dtype=np.float64) for a in args]
    ts = [tape.constant(a) for a in consts]
    with tape.GradientTape() as g:
        for i in which:
            g.watch(ts[i])
        y = np.sum(ours(*ts))
    assert float(y) == pytest.approx(float(np.sum(theirs(*args))), rel=1e-12)
    got = g.gradient(y, [ts[i] for i in which])
    for i, d in zip(which, got):
        np.testing.assert_allclose(d.numpy(), central(theirs, args, i), rtol=1e-6, atol=1e-7,
                                   err_msg=f"{name}.{method} argument {i}")


def test_norm_closed_forms_to_second_order():
    x, mu, sigma = 1.3, 0.4, 1.7
    z = (x - mu) / sigma
    m, s = tape.constant(mu, dtype=F64), tape.constant(sigma, dtype=F64)
    with tape.GradientTape(persistent=True) as outer:
        outer.watch([m, s])
        with tape.GradientTape() as inner:
            inner.watch([m, s])
            y = stats.norm.logpdf(x, m, s)
        dm, ds = inner.gradient(y, [m, s])
    assert float(dm) == pytest.approx(z / sigma, rel=1e-12)
    assert float(ds) == pytest.approx((z * z - 1) / sigma, rel=1e-12)
    assert float(outer.gradient(dm, m)) == pytest.approx(-1 / sigma**2, rel=1e-12)
    assert float(outer.gradient(ds, s)) == pytest.approx((1 - 3 * z * z) / sigma**2, rel=1e-12)
    assert float(outer.gradient(ds, m)) == pytest.approx(-2 * z / sigma**2, rel=1e-12)


def test_gamma_closed_forms_to_second_order():
    x, a, scale = 2.2, 1.8, 1.3
    y = x / scale
    at, st = tape.constant(a, dtype=F64), tape.constant(scale, dtype=F64)
    with tape.GradientTape(persistent=True) as outer:
        outer.watch([at, st])
        with tape.GradientTape() as inner:
            inner.watch([at, st])
            out = stats.gamma.logpdf(x, at, scale=st)
        da, ds = inner.gradient(out, [at, st])
    assert float(da) == pytest.approx(np.log(y) - special.digamma(a), rel=1e-12)
    assert float(ds) == pytest.approx((y - a) / scale, rel=1e-12)
    assert float(outer.gradient(da, at)) == pytest.approx(-special.polygamma(1, a), rel=1e-12)
    assert float(outer.gradient(ds, st)) == pytest.approx((a - 2 * y) / scale**2, rel=1e-12)
    assert float(outer.gradient(da, st)) == pytest.approx(-1 / scale, rel=1e-12)


def test_t_cdf_second_order_in_x_is_the_density_derivative():
    x, df = 0.7, 4.0
    xt = tape.constant(x, dtype=F64)
    with tape.GradientTape() as outer:
        outer.watch(xt)
        with tape.GradientTape() as inner:
            inner.watch(xt)
            y = stats.t.cdf(xt, df)
        d1 = inner.gradient(y, xt)
    assert float(d1) == pytest.approx(scipy_stats.t.pdf(x, df), rel=1e-12)
    # d/dx t.pdf = -(df + 1) x / (df + x^2) pdf
    expected = -(df + 1) * x / (df + x * x) * scipy_stats.t.pdf(x, df)
    assert float(outer.gradient(d1, xt)) == pytest.approx(expected, rel=1e-10)


def test_poisson_closed_form():
    mu = tape.constant(2.5, dtype=F64)
    with tape.GradientTape() as g:
        g.watch(mu)
        y = stats.poisson.cdf(3, mu)
    assert float(g.gradient(y, mu)) == pytest.approx(-scipy_stats.poisson.pmf(3, 2.5),
                                                     rel=1e-12)


OUTSIDE = [
    ("norm", "logpdf", ([1.0], 0.0, -1.0), (0, 1, 2)),
    ("gamma", "logpdf", ([-1.0, 0.0, 0.0, 0.0, 2.0], [2.0, 0.5, 1.0, 3.0, 1.0], 0.0, 1.0),
     (0, 1, 2, 3)),
    ("gamma", "pdf", ([-1.0, 0.0, 2.0], [2.0, 1.0, 1.0], 0.0, 1.0), (0, 1, 2, 3)),
    ("gamma", "cdf", ([-1.0, 0.0, 2.0], [2.0, 1.0, 1.0], 0.0, 1.0), (0, 2, 3)),
    ("gamma", "logcdf", ([-1.0, 0.0, 2.0], [2.0, 1.0, 1.0], 0.0, 1.0), (0, 2, 3)),
    ("beta", "logpdf", ([-1.0, 0.0, 1.0, 1.5, 0.5], [0.5, 1.0, 2.0, 2.0, 2.0], 2.0, 0.0, 1.0),
     (0, 1, 2, 3, 4)),
    ("beta", "pdf", ([-1.0, 0.0, 1.5, 0.5], 2.0, 2.0, 0.0, 1.0), (0, 1, 2, 3, 4)),
    ("beta", "cdf", ([-1.0, 0.0, 1.0, 1.5, 0.5], 2.0, 3.0, 0.0, 1.0), (0, 3, 4)),
    ("poisson", "logpmf", ([-1.0, 1.5, 0.0, 2.0], 2.0), (1,)),
    ("poisson", "pmf", ([-1.0, 1.5, 0.0, 2.0], 2.0), (1,)),
    ("poisson", "cdf", ([-1.0, 1.5, 0.0, 2.0], 2.0), (1,)),
    ("poisson", "logcdf", ([-1.0, 1.5, 0.0, 2.0], 2.0), (1,)),
    ("poisson", "logpmf", ([0.0, 2.0], 0.0), ()),
]


@pytest.mark.parametrize("name, method, args, which", OUTSIDE)
def test_outside_the_support_values_are_scipys_gradients_not_nan(name, method, args, which):
    ours = getattr(getattr(stats, name), method)
    theirs = getattr(getattr(scipy_stats, name), method)
    ts = [tape.constant(np.asarray(a, dtype=np.float64)) for a in args]
    with tape.GradientTape() as g:
        for i in which:
            g.watch(ts[i])
        y = ours(*ts)
        total = np.sum(np.where(np.isfinite(y.numpy()), y, 0.0))
    expected = np.broadcast_to(theirs(*args), y.shape)
    np.testing.assert_array_equal(np.isnan(y.numpy()), np.isnan(expected))
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12)
    finite = np.isfinite(expected)
    for i, d in zip(which, g.gradient(total, [ts[i] for i in which])):
        d = np.broadcast_to(np.asarray(d.numpy()), y.shape) if np.ndim(args[i]) else d.numpy()
        if np.ndim(args[i]):
            assert not np.isnan(d[finite]).any(), (name, method, i, d)
        elif finite.any():
            assert not np.isnan(d), (name, method, i, d)


def test_outside_the_support_gradients_are_zero_in_x():
    x = tape.constant([-1.0, 0.5, 2.0], dtype=F64)
    with tape.GradientTape() as g:
        g.watch(x)
        y = np.sum(stats.beta.cdf(x, 2.0, 3.0))
    np.testing.assert_allclose(g.gradient(y, x).numpy(),
                               [0.0, scipy_stats.beta.pdf(0.5, 2.0, 3.0), 0.0], rtol=1e-12)


@pytest.mark.parametrize("call, param", [
    (lambda p: stats.t.cdf(0.5, p), "df"),
    (lambda p: stats.t.logcdf(0.5, p), "df"),
    (lambda p: stats.gamma.cdf(0.5, p), "a"),
    (lambda p: stats.gamma.sf(0.5, p), "a"),
    (lambda p: stats.beta.cdf(0.5, p, 2.0), "a"),
    (lambda p: stats.beta.cdf(0.5, 2.0, p), "b"),
    (lambda p: stats.poisson.logpmf(p, 2.0), "k"),
    (lambda p: stats.poisson.cdf(3.0, 2.0, loc=p), "loc"),
])
def test_directions_without_a_closed_form_raise(call, param):
    p = tape.Variable(2.0, dtype=F64)
    with tape.GradientTape():
        with pytest.raises(TypeError, match=f"not differentiable with respect to {param}"):
            call(p)
    call(p)  # outside a tape it is a constant
    with tape.GradientTape():
        call(tape.stop_gradient(p))


def test_dirichlet():
    alpha = np.array([1.5, 2.0, 3.0])
    x = np.array([[0.2, 0.3], [0.3, 0.3], [0.5, 0.4]])
    for xs in (x, x[:, 0], x[:2]):
        value, (gx, ga) = grads(stats.dirichlet.logpdf, xs, alpha)
        assert value == pytest.approx(np.sum(scipy_stats.dirichlet.logpdf(xs, alpha)), rel=1e-12)
        np.testing.assert_allclose(
            ga, central(scipy_stats.dirichlet.logpdf, (xs, alpha), 1), rtol=1e-6)
    # closed forms: d/dx_i = (alpha_i - 1) / x_i; d/dalpha_i = log x_i - psi(alpha_i) + psi(sum)
    _, (gx, ga) = grads(stats.dirichlet.logpdf, x[:, 0], alpha)
    np.testing.assert_allclose(gx, (alpha - 1) / x[:, 0], rtol=1e-12)
    np.testing.assert_allclose(
        ga, np.log(x[:, 0]) - special.digamma(alpha) + special.digamma(alpha.sum()), rtol=1e-12)
    assert float(stats.dirichlet.pdf(x[:, 0], alpha)) == pytest.approx(
        scipy_stats.dirichlet.pdf(x[:, 0], alpha), rel=1e-12)
    with pytest.raises(ValueError, match="simplex"):
        stats.dirichlet.logpdf([0.5, 0.6, 0.1], alpha)


def test_multivariate_normal():
    mean = np.array([0.3, -0.2])
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    x = np.array([[0.0, 1.0], [1.0, 2.0], [0.5, -0.5]])
    for xs in (x, x[0]):
        value, (gx, gm, gc) = grads(stats.multivariate_normal.logpdf, xs, mean, cov)
        assert value == pytest.approx(
            np.sum(scipy_stats.multivariate_normal.logpdf(xs, mean, cov)), rel=1e-12)
        inv = np.linalg.inv(cov)
        d = np.atleast_2d(xs) - mean
        np.testing.assert_allclose(gx, np.reshape(-(d @ inv), np.shape(xs)), rtol=1e-12)
        np.testing.assert_allclose(gm, np.sum(d @ inv, axis=0), rtol=1e-12)
        # d/dcov = (inv d d^T inv - inv) / 2 per point (as an unconstrained matrix)
        expected = sum(0.5 * (inv @ np.outer(r, r) @ inv - inv) for r in d)
        np.testing.assert_allclose(gc, expected, rtol=1e-10)
    assert stats.multivariate_normal.logpdf(x[0], mean, cov).shape == ()
    # SciPy's shapes: a number or a 1-D x in one dimension, diagonal and scalar covariances
    for args in ((0.3, 1.0, 2.0), ([0.0, 1.0, 2.0],), ([0.0, 1.0], [0.0, 0.5], [2.0, 3.0]),
                 (x, mean, 1.5)):
        ours = stats.multivariate_normal.logpdf(*args).numpy()
        np.testing.assert_allclose(ours, scipy_stats.multivariate_normal.logpdf(*args),
                                   rtol=1e-12)
        assert np.shape(ours) == np.shape(scipy_stats.multivariate_normal.logpdf(*args))
    assert float(stats.multivariate_normal.pdf([0.0, 0.0], [0.0, 0.0])) == pytest.approx(
        1 / (2 * np.pi), rel=1e-12)


def test_frozen_distributions():
    s = tape.Variable(1.5, dtype=F64)
    with tape.GradientTape() as g:
        y = stats.norm(0.5, s).logpdf(2.0)
    assert float(y) == pytest.approx(scipy_stats.norm(0.5, 1.5).logpdf(2.0), rel=1e-12)
    assert float(g.gradient(y, s)) == pytest.approx(((1.0) ** 2 - 1) / 1.5, rel=1e-12)
    assert float(stats.gamma(2.0, scale=3.0).cdf(4.0)) == pytest.approx(
        scipy_stats.gamma(2.0, scale=3.0).cdf(4.0), rel=1e-12)
    assert "norm" in repr(stats.norm(0.5, s))


def test_float32_stays_float32():
    x = tape.constant([0.5, 1.0], dtype=tape.float32)
    assert stats.norm.logpdf(x, np.float32(0.0), np.float32(1.0)).dtype == np.float32


@pytest.mark.parametrize("call, shown", [
    (lambda x: scipy_stats.norm.logpdf(x), "tape.scipy.stats.norm.logpdf"),
    (lambda x: scipy_stats.gamma.logpdf(x, 2.0), "tape.scipy.stats.gamma.logpdf"),
    (lambda x: scipy_stats.poisson.logpmf(x, 2.0), "tape.scipy.stats.poisson.logpmf"),
    (lambda x: scipy_stats.multivariate_normal.logpdf(x),
     "tape.scipy.stats.multivariate_normal.logpdf"),
])
def test_the_conversion_error_names_the_recorded_equivalent(call, shown):
    x = tape.constant([1.0, 2.0], dtype=F64)
    with tape.GradientTape() as g:
        g.watch(x)
        with pytest.raises(TypeError, match=shown.replace(".", r"\.")):
            call(x)


def test_the_conversion_error_for_a_method_without_an_equivalent():
    x = tape.constant([1.0, 2.0], dtype=F64)
    with tape.GradientTape() as g:
        g.watch(x)
        with pytest.raises(TypeError, match="tape has no recorded equivalent"):
            scipy_stats.norm.entropy(x)


@pytest.mark.parametrize("name, method, args", [
    ("norm", "logpdf", (1.0, 0.0, -1.0)),
    ("norm", "cdf", (1.0, 0.0, 0.0)),
    ("t", "logpdf", (1.0, -1.0)),
    ("t", "cdf", (1.0, 3.0, 0.0, -2.0)),
    ("gamma", "logpdf", (1.0, -2.0)),
    ("gamma", "cdf", (1.0, 2.0, 0.0, -1.0)),
    ("beta", "logpdf", (0.5, 2.0, 2.0, 0.0, 0.0)),
    ("beta", "cdf", (0.5, 2.0, -2.0)),
    ("poisson", "logpmf", (1.0, -2.0)),
])
def test_invalid_parameters_give_nan_as_scipy(name, method, args):
    with np.errstate(all="ignore"):
        expected = getattr(getattr(scipy_stats, name), method)(*args)
    assert np.isnan(expected)
    assert np.isnan(getattr(getattr(stats, name), method)(*args).numpy())


def test_student_t_at_large_and_infinite_degrees_of_freedom():
    for df in (1e12, 1e15, np.inf):
        np.testing.assert_allclose(float(stats.t.logpdf(0.5, df)),
                                   scipy_stats.t.logpdf(0.5, df), rtol=1e-13)
        x = tape.constant(0.5, dtype=tape.float64)
        with tape.GradientTape() as t:
            t.watch(x)
            y = stats.t.cdf(x, df)
        np.testing.assert_allclose(float(t.gradient(y, x)), scipy_stats.t.pdf(0.5, df),
                                   rtol=1e-13)


def test_invalid_covariances_and_dirichlet_points_are_refused_as_scipy_refuses():
    for cov in ([[-1.0, 0.0], [0.0, -1.0]], [[1.0, 2.0], [2.0, 1.0]]):
        with pytest.raises(ValueError, match="positive definite"):
            stats.multivariate_normal.logpdf([0.0, 0.0], [0.0, 0.0], cov)
    with pytest.raises(ValueError, match="symmetric"):
        stats.multivariate_normal.logpdf([0.0, 0.0], [0.0, 0.0], [[2.0, 0.9], [0.1, 1.0]])
    with pytest.raises(ValueError, match="alpha is below 1"):
        stats.dirichlet.logpdf([0.0, 0.4, 0.6], [0.5, 2.0, 3.0])
