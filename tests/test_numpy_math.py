"""NumPy's math functions called on tensors: values, shapes and dtypes against NumPy on plain
arrays, derivatives against closed forms, the conventions at NaNs and ties, and the errors.

(Derivatives on ordinary inputs, to second order in both modes, are checked against finite
differences by the op sweep: see the ``np.*`` entries of tests/samples.)
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tape

R = np.random.default_rng(7)
X = R.uniform(-2.0, 2.0, (3, 4, 5))
Y = R.uniform(-2.0, 2.0, (3, 4, 5))
W = R.uniform(0.5, 1.5, (4,))
XN = X.copy()
XN[0, 1, 2] = XN[2, 3, 0] = np.nan
XP = np.asarray([-1.0, -0.2, 0.5, 0.9, 2.0])
FP = R.uniform(-1.0, 1.0, 5)
Q = np.asarray([0.1, 0.5, 0.93])

# (id, function of the arrays, arrays). Each is run on plain NumPy arrays and on tensors.
CASES = [
    ("exp2", np.exp2, [X]),
    ("logaddexp2", np.logaddexp2, [X, Y]),
    ("hypot", np.hypot, [X, Y]),
    ("hypot-number", lambda a: np.hypot(a, 1.5), [X]),
    ("fabs", np.fabs, [X]),
    ("deg2rad", np.deg2rad, [X]),
    ("radians", np.radians, [X]),
    ("rad2deg", np.rad2deg, [X]),
    ("degrees", np.degrees, [X]),
    ("fmax", np.fmax, [XN, Y]),
    ("fmin", np.fmin, [X, XN]),
    ("sinc", np.sinc, [np.concatenate([X.ravel(), [0.0, -0.0, 1e-12]])]),
    ("nan_to_num", np.nan_to_num, [np.asarray([1.0, np.nan, np.inf, -np.inf])]),
    ("nan_to_num-fills", lambda a: np.nan_to_num(a, nan=2.0, posinf=9.0, neginf=-9.0),
     [np.asarray([1.0, np.nan, np.inf, -np.inf])]),
    ("select", lambda a, b: np.select([a > 0, b > 1], [a, b], 0.5), [X, Y]),
    ("select-default", lambda a, b, c: np.select([a > 0], [b], c), [X, Y, X[0, 0]]),
    ("interp", lambda x, fp: np.interp(x, XP, fp), [X, FP]),
    ("interp-left-right", lambda x, fp: np.interp(x, XP, fp, left=-5.0, right=5.0), [X, FP]),
    ("interp-period", lambda x, fp: np.interp(x, XP, fp, period=2.5), [X, FP]),
    ("linspace", lambda a, b: np.linspace(a, b, 7), [X[0, 0, 0], X[0, 0, 1]]),
    ("linspace-arrays", lambda a, b: np.linspace(a, b, 4, axis=-1), [X[0], Y[0, 0]]),
    ("linspace-open", lambda a, b: np.linspace(a, b, 5, endpoint=False, retstep=True),
     [X[0, 0, 0], X[0, 0, 1]]),
    ("linspace-one", lambda a, b: np.linspace(a, b, 1), [X[0, 0, 0], X[0, 0, 1]]),
    ("linspace-equal", lambda a: np.linspace(a, a, 3), [X[0, 0, 0]]),
    ("ptp", lambda a: np.ptp(a, axis=1), [X]),
    ("ptp-keepdims", lambda a: np.ptp(a, axis=(0, 2), keepdims=True), [X]),
    ("nansum", lambda a: np.nansum(a, axis=2), [XN]),
    ("nanprod", lambda a: np.nanprod(a, axis=(0, 2), keepdims=True), [XN]),
    ("nanmean", lambda a: np.nanmean(a, axis=1), [XN]),
    ("nanmax", lambda a: np.nanmax(a, axis=0), [XN]),
    ("nanmin", np.nanmin, [XN]),
    ("median", np.median, [X]),
    ("median-axis", lambda a: np.median(a, axis=(0, 2), keepdims=True), [X]),
    ("quantile", lambda a: np.quantile(a, 0.3, axis=1), [X]),
    ("quantile-q-array", lambda a: np.quantile(a, Q, axis=-1, keepdims=True), [X]),
    ("quantile-nearest", lambda a: np.quantile(a, Q, method="nearest"), [X]),
    ("quantile-weibull", lambda a: np.quantile(a, 0.7, axis=0, method="weibull"), [X]),
    ("percentile", lambda a: np.percentile(a, [10.0, 75.0], axis=1), [X]),
    ("average", lambda a: np.average(a, axis=1), [X]),
    ("average-weights", lambda a, w: np.average(a, axis=1, weights=w), [X, W]),
    ("average-returned", lambda a, w: np.average(a, axis=1, weights=w, returned=True), [X, W]),
    ("average-unweighted-returned", lambda a: np.average(a, returned=True), [X]),
    ("diff", np.diff, [X]),
    ("diff-n-axis", lambda a: np.diff(a, 2, 0), [X]),
    ("diff-prepend-append", lambda a, b: np.diff(a, axis=1, prepend=b[:, :1], append=0.5),
     [X, Y]),
    ("ediff1d", lambda a, b: np.ediff1d(a, to_end=b[0, 0], to_begin=[1.0, 2.0]), [X, Y]),
    ("trapezoid", np.trapezoid, [X]),
    ("trapezoid-dx", lambda y: np.trapezoid(y, dx=0.25, axis=0), [X]),
    ("trapezoid-x", lambda y, x: np.trapezoid(y, np.sort(x[0, :, 0]), axis=1), [X, Y]),
    ("gradient", np.gradient, [X]),
    ("gradient-edge2", lambda f: np.gradient(f, 0.5, axis=1, edge_order=2), [X]),
    ("gradient-coords", lambda f: np.gradient(f, [0.0, 0.5, 1.7], axis=0, edge_order=2), [X]),
    ("gradient-even-coords", lambda f: np.gradient(f, [0, 2, 4, 6], axis=1), [X]),
]
if hasattr(np, "cumulative_sum"):  # NumPy >= 2.1
    CASES += [
        ("cumulative_sum", lambda a: np.cumulative_sum(a, axis=1, include_initial=True), [X]),
        ("cumulative_prod", lambda a: np.cumulative_prod(a[0, 0], include_initial=True), [X]),
    ]


def _outputs(out) -> list:
    return list(out) if isinstance(out, tuple) else [out]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("case", "func", "arrays"), [pytest.param(*c, id=c[0]) for c in CASES])
def test_values_shapes_and_dtypes_match_numpy(case, func, arrays, dtype) -> None:
    """On tensors, each function gives NumPy's values, shapes and dtypes on the same arrays
    (float32 stays float32 where NumPy keeps it; np.interp is the one stated exception)."""
    arrays = [np.asarray(a, dtype=dtype) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = _outputs(func(*arrays))
        got = _outputs(func(*[tape.constant(a) for a in arrays]))
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        value = g.numpy() if isinstance(g, tape.Tensor) else g
        assert np.shape(value) == np.shape(e)
        expected_dtype = np.asarray(e).dtype
        if case.startswith("interp"):
            expected_dtype = np.dtype(dtype)  # tape keeps float32 (NumPy computes in float64)
        assert np.asarray(value).dtype == expected_dtype
        rtol = 1e-6 if dtype == np.float32 else 1e-14
        np.testing.assert_allclose(value, e, rtol=rtol, atol=1e-6 if dtype == np.float32 else 0)


def test_integer_inputs_give_numpys_results() -> None:
    """Integer input has no gradient: the result is NumPy's, its dtype included."""
    a = np.asarray([[3, 1, 4], [1, 5, 9]])
    t = tape.constant(a)
    for func in (np.ptp, np.nansum, np.nanmax, np.median, np.fabs, np.sinc, np.deg2rad,
                 np.gradient, np.nan_to_num, lambda v: np.quantile(v, 0.3, axis=1),
                 lambda v: np.diff(v, axis=0), lambda v: np.average(v, axis=0)):
        expected = func(a)
        got = _outputs(func(t))
        for g, e in zip(got, _outputs(expected)):
            assert g.dtype == np.asarray(e).dtype
            np.testing.assert_allclose(g.numpy(), e, rtol=1e-15)


def _grad(f, *xs):
    ts = [tape.constant(np.asarray(x, dtype=np.float64)) for x in xs]
    with tape.GradientTape() as t:
        t.watch(ts)
        y = tape.reduce_sum(f(*ts))
    grads = t.gradient(y, ts, unconnected_gradients="zero")
    return [g.numpy() for g in grads]


def _derivatives(f, x: float, order: int) -> list[float]:
    """f(x) and its first ``order`` derivatives, by nested tapes."""
    xt = tape.constant(np.float64(x))
    tapes = [tape.GradientTape() for _ in range(order)]
    for t in tapes:
        t.__enter__()
        t.watch(xt)
    values = [f(xt)]
    for t in reversed(tapes):
        t.__exit__(None, None, None)
        values.append(t.gradient(values[-1], xt))
    return [float(v) for v in values]


def test_sinc_at_zero_value_and_derivatives() -> None:
    """sinc(0) = 1, sinc'(0) = 0, sinc''(0) = -pi^2/3, sinc'''(0) = 0, sinc''''(0) = pi^4/5
    (the Taylor series 1 - (pi x)^2/6 + (pi x)^4/120 - ...)."""
    values = _derivatives(np.sinc, 0.0, 4)
    expected = [1.0, 0.0, -math.pi**2 / 3, 0.0, math.pi**4 / 5]
    np.testing.assert_allclose(values, expected, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("x", [1e-7, 0.01, 0.3, 0.63, 0.64, 1.0, 2.5, -7.25])
def test_sinc_derivatives_match_closed_forms(x: float) -> None:
    """sinc' = (cos(pi x) - sinc x) / x and sinc'' = -pi^2 sinc x - 2 sinc'(x) / x, also near
    0 (evaluated there from the Taylor series) and on both sides of the series' range."""
    u = math.pi * x
    s = math.sin(u) / u
    if abs(u) < 1e-3:
        d1 = -(math.pi**2) * x / 3 + math.pi**4 * x**3 / 30
        d2 = -(math.pi**2) / 3 + math.pi**4 * x**2 / 10
    else:
        d1 = (math.cos(u) - s) / x
        d2 = -(math.pi**2) * s - 2 * d1 / x
    values = _derivatives(np.sinc, x, 2)
    np.testing.assert_allclose(values, [s, d1, d2], rtol=1e-10, atol=1e-12)


def test_sinc_forward_mode_second_order_at_zero() -> None:
    x = tape.constant(np.float64(0.0))
    with tape.autodiff.ForwardAccumulator(x, tape.constant(np.float64(1.0))) as outer:
        with tape.autodiff.ForwardAccumulator(x, tape.constant(np.float64(1.0))) as inner:
            y = np.sinc(x)
        dy = inner.jvp(y)
    assert float(dy) == 0.0
    assert float(outer.jvp(dy)) == pytest.approx(-math.pi**2 / 3, rel=1e-14)


def test_quantile_gradient_is_the_interpolation_weights() -> None:
    """Linear method: q = 0.3 of 6 values sits at rank 1.5 -> half to the 2nd and 3rd
    smallest; percentile the same with q in percent; a tuple axis reduces each group."""
    x = np.asarray([5.0, 0.0, 2.0, 1.0, 4.0, 3.0])
    expected = [0.0, 0.0, 0.5, 0.5, 0.0, 0.0]
    np.testing.assert_allclose(_grad(lambda t: np.quantile(t, 0.3), x)[0], expected)
    np.testing.assert_allclose(_grad(lambda t: np.percentile(t, 30.0), x)[0], expected)
    lower = _grad(lambda t: np.quantile(t, 0.3, method="lower"), x)[0]
    np.testing.assert_allclose(lower, [0, 0, 0, 1, 0, 0])
    m = np.asarray([[3.0, 9.0], [1.0, 7.0]])
    np.testing.assert_allclose(_grad(lambda t: np.median(t, axis=(0, 1)), m)[0],
                               [[0.5, 0.0], [0.0, 0.5]])


def test_median_of_a_group_with_nan_is_nan_with_gradient_nan() -> None:
    x = np.asarray([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]])
    t = tape.constant(x)
    with tape.GradientTape() as g:
        g.watch(t)
        m = np.median(t, axis=1)
    np.testing.assert_array_equal(m.numpy(), np.median(x, axis=1))
    grad = g.gradient(m, t).numpy()
    assert np.all(np.isnan(grad[0]))
    np.testing.assert_array_equal(grad[1], [0.0, 1.0, 0.0])


@pytest.mark.parametrize(("func", "message", "expected"), [
    (np.nanmax, "All-NaN slice", [[0.0, 0.0], [0.0, 1.0]]),
    (np.nanmin, "All-NaN slice", [[0.0, 0.0], [1.0, 0.0]]),
    (np.nanmean, "Mean of empty slice", [[0.0, 0.0], [0.5, 0.5]]),
])
def test_an_all_nan_group_gives_nan_and_gradient_zero(func, message, expected) -> None:
    x = np.asarray([[np.nan, np.nan], [1.0, 2.0]])
    t = tape.constant(x)
    with tape.GradientTape() as g:
        g.watch(t)
        with pytest.warns(RuntimeWarning, match=message):
            y = func(t, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        np.testing.assert_array_equal(y.numpy(), func(x, axis=1))
    np.testing.assert_array_equal(g.gradient(y, t).numpy(), expected)


def test_interp_gradients_closed_form() -> None:
    """d/dfp: the two interpolation weights (fp[0] and fp[-1] outside the range, as the
    value); d/dx: the slope of the piece (0 outside)."""
    xp, fp = [0.0, 1.0, 3.0], np.asarray([1.0, 3.0, 2.0])
    x = np.asarray([0.25, 2.0, -1.0, 5.0])
    gx, gfp = _grad(lambda a, f: np.interp(a, xp, f), x, fp)
    np.testing.assert_allclose(gx, [2.0, -0.5, 0.0, 0.0])
    np.testing.assert_allclose(gfp, [0.75 + 1.0, 0.25 + 0.5, 0.5 + 1.0])
    gx, gfp = _grad(lambda a, f: np.interp(a, xp, f, left=0.0, right=0.0), x, fp)
    np.testing.assert_allclose(gfp, [0.75, 0.25 + 0.5, 0.5])


def test_interp_keeps_float32() -> None:
    x, fp = X.astype(np.float32), FP.astype(np.float32)
    out = np.interp(tape.constant(x), XP, tape.constant(fp))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), np.interp(x, XP, fp).astype(np.float32))


def test_linspace_gradient_closed_form() -> None:
    """y_i = start + i (stop - start) / (n - 1): d/dstart = 1 - i/(n-1), d/dstop = i/(n-1)."""
    gs, ge = _grad(lambda a, b: np.linspace(a, b, 5) * np.arange(1.0, 6.0), 0.5, 2.0)
    i = np.arange(5)
    assert float(gs) == pytest.approx(np.sum((1 - i / 4) * np.arange(1.0, 6.0)))
    assert float(ge) == pytest.approx(np.sum(i / 4 * np.arange(1.0, 6.0)))


def test_linspace_with_an_integer_dtype_is_numpys_and_constant() -> None:
    start = tape.constant(np.float64(0.5))
    with tape.GradientTape() as g:
        g.watch(start)
        y = np.linspace(start, 10.0, 4, dtype=int)
    np.testing.assert_array_equal(y.numpy(), np.linspace(0.5, 10.0, 4, dtype=int))
    assert y.dtype == np.linspace(0.5, 10.0, 4, dtype=int).dtype
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert g.gradient(y, start) is None


def test_average_returned_sum_of_weights_is_differentiable() -> None:
    a, w = X[0], R.uniform(0.5, 1.5, (4, 5))
    _, gw = _grad(lambda x, v: np.average(x, axis=1, weights=v, returned=True)[1], a, w)
    np.testing.assert_allclose(gw, np.ones_like(w))


def test_diff_of_order_zero_is_the_input() -> None:
    t = tape.constant(X)
    assert np.diff(t, 0) is t


def _watched(value):
    t = tape.constant(np.asarray(value, dtype=np.float64))
    g = tape.GradientTape()
    g.__enter__()
    g.watch(t)
    return g, t


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda w: np.interp(X, w, FP), TypeError, "xp"),
    (lambda w: np.quantile(X, w[:1] * 0 + 0.5), TypeError, "q"),
    (lambda w: np.nan_to_num(tape.constant(X), nan=w[0]), TypeError, "nan"),
])
def test_a_watched_constant_argument_is_refused(call, error, match) -> None:
    """An argument tape does not differentiate (interp's xp, quantile's q, nan_to_num's
    fills) would silently get no gradient: a watched tensor there is an error."""
    g, t = _watched(XP)
    try:
        with pytest.raises(error, match=match):
            call(t)
    finally:
        g.__exit__(None, None, None)


def test_an_unwatched_tensor_is_a_fine_constant_argument() -> None:
    np.testing.assert_array_equal(
        np.interp(tape.constant(X), tape.constant(XP), FP).numpy(), np.interp(X, XP, FP)
    )


T = tape.constant(X)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: np.nanmax(T, out=np.empty(5)), NotImplementedError, "out"),
    (lambda: np.quantile(T, 0.5, weights=np.ones_like(X), method="inverted_cdf"),
     NotImplementedError, "weights"),
    (lambda: np.quantile(T, 0.5, method="no-such-method"), ValueError, "method"),
    (lambda: np.quantile(T, 1.5), ValueError, "Quantiles must be in the range"),
    (lambda: np.gradient(T, edge_order=3), ValueError, "edge_order"),
    (lambda: np.gradient(T[:, :1], axis=1), ValueError, "too small"),
    (lambda: np.gradient(T, 1.0, 2.0), TypeError, "invalid number of arguments"),
    (lambda: np.gradient(T, [0.0, 1.0], axis=0), ValueError, "must match the length"),
    (lambda: np.select([T > 0], [T, T]), ValueError, "same length"),
    (lambda: np.select([X], [T]), TypeError, "should be boolean"),
    (lambda: np.select([], []), ValueError, "empty condition list"),
    (lambda: np.average(T, axis=1, weights=np.zeros(4)), ZeroDivisionError, "sum to zero"),
    (lambda: np.average(T, weights=np.ones(4)), TypeError, "Axis must be specified"),
    (lambda: np.average(T, axis=1, weights=np.ones(5)), ValueError, "consistent"),
    (lambda: np.diff(T, -1), ValueError, "non-negative"),
    (lambda: np.diff(tape.constant(1.0)), ValueError, "at least one dimensional"),
    (lambda: np.ediff1d(tape.constant([1, 2, 3]), to_begin=0.5), TypeError, "same_kind"),
    (lambda: np.linspace(tape.constant(0.0), 1.0, -1), ValueError, "non-negative"),
    (lambda: np.interp(T, [0.0, 1.0], [1.0, 2.0, 3.0]), ValueError, "same length"),
    (lambda: np.interp(T, XP, FP, period=0.0), ValueError, "period"),
    (lambda: np.ptp(tape.constant(np.zeros((0, 3)))), ValueError, "zero-size"),
    (lambda: np.nanmin(tape.constant(np.zeros((0, 3))), axis=0), ValueError, "zero-size"),
] + ([(lambda: np.cumulative_sum(T), ValueError, "axis")]
     if hasattr(np, "cumulative_sum") else []))
def test_bad_arguments_raise_clear_errors(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("y0", [0.0, "x"])
def test_hypot_at_the_origin_is_flat_to_second_order(y0):
    """hypot(x, 0) = |x| and hypot(x, x) = sqrt(2)|x|: tape takes 0 for |x|'s derivatives at
    0, at every order, so hypot's first and second derivatives there are 0 too."""
    x = tape.constant(np.float64(0.0))
    with tape.GradientTape() as outer:
        outer.watch(x)
        with tape.GradientTape() as inner:
            inner.watch(x)
            y = np.hypot(x, x if y0 == "x" else y0)
        g = inner.gradient(y, x)
    assert float(g.numpy()) == 0.0
    assert float(outer.gradient(g, x).numpy()) == 0.0
