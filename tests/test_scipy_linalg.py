"""tape.scipy.linalg and tape.scipy.signal: values equal SciPy's; gradients agree with closed
forms and with central differences of SciPy's own functions (float64), to second order for
solve_triangular and expm; matrices outside sqrtm's real domain raise. (Every op also runs
through the op sweep, with samples in tests/samples/scipy_linalg.py.)"""

from __future__ import annotations

import numpy as np
import pytest

sl = pytest.importorskip("scipy.linalg", reason="SciPy is optional (tape[scipy])")
ss = pytest.importorskip("scipy.signal")

import tape  # noqa: E402
import tape.scipy.linalg as tl  # noqa: E402
import tape.scipy.signal as ts  # noqa: E402

F64 = tape.float64
R = np.random.default_rng(3)


def _general(n: int) -> np.ndarray:
    return R.standard_normal((n, n)) * 0.5 + n * np.eye(n)


def _spd(n: int) -> np.ndarray:
    x = R.standard_normal((n, n))
    return x @ x.T + n * np.eye(n)


def grads(fn, *args, u=None):
    """<u, fn(*args)> (u random, fixed) and its gradients in every argument, by tape."""
    xs = [tape.constant(np.asarray(a, dtype=np.float64)) for a in args]
    with tape.GradientTape() as g:
        g.watch(xs)
        out = fn(*xs)
        u = np.random.default_rng(0).standard_normal(out.shape) if u is None else u
        y = tape.reduce_sum(out * u)
    return u, [d.numpy() for d in g.gradient(y, xs, unconnected_gradients="zero")]


def central(fn, args, i, u, h=1e-6):
    """The gradient of <u, fn(*args)> in argument i by central differences (float64)."""
    args = [np.asarray(a, dtype=np.float64) for a in args]
    out = np.zeros_like(args[i])
    for k in np.ndindex(*args[i].shape):
        up, down = [a.copy() for a in args], [a.copy() for a in args]
        up[i][k] += h
        down[i][k] -= h
        out[k] = (np.sum(u * fn(*up)) - np.sum(u * fn(*down))) / (2 * h)
    return out


def check_against_scipy(mine, theirs, args, rtol=1e-6, atol=1e-8):
    """Values equal SciPy's, and tape's gradient in every argument equals central
    differences of SciPy's function."""
    np.testing.assert_allclose(mine(*[tape.constant(a) for a in args]).numpy(), theirs(*args),
                               rtol=1e-10, atol=1e-12)
    u, got = grads(mine, *args)
    for i in range(len(args)):
        np.testing.assert_allclose(got[i], central(theirs, args, i, u), rtol=rtol, atol=atol)


# --------------------------------------------------------------------------- linalg


@pytest.mark.parametrize("kw", [
    {}, {"lower": True}, {"trans": 1}, {"trans": "T", "lower": True}, {"trans": 2},
    {"unit_diagonal": True}, {"unit_diagonal": True, "lower": True, "trans": "N"},
])
@pytest.mark.parametrize("bshape", [(3,), (3, 2)])
def test_solve_triangular(kw, bshape):
    a, b = _general(3), R.standard_normal(bshape)
    check_against_scipy(lambda a, b: tl.solve_triangular(a, b, **kw),
                        lambda a, b: sl.solve_triangular(a, b, **kw), [a, b])


def test_solve_triangular_reads_one_triangle():
    a, b = _general(3), R.standard_normal(3)
    _, (ga, _) = grads(lambda a, b: tl.solve_triangular(a, b, lower=True), a, b)
    assert np.all(np.triu(ga, 1) == 0)
    _, (ga, _) = grads(lambda a, b: tl.solve_triangular(a, b, unit_diagonal=True), a, b)
    assert np.all(np.tril(ga) == 0)


def test_solve_triangular_second_order():
    """d2/da2 of <u, solve_triangular(a, b)> in a direction v against differences of the
    first derivative in closed form, -a^-T u x^T (x the solution, both triangles masked)."""
    a, b = _general(3), R.standard_normal((3, 2))
    u, v = R.standard_normal((3, 2)), np.triu(R.standard_normal((3, 3)))

    def first(a):  # the closed-form gradient in a (upper triangle)
        x = sl.solve_triangular(a, b)
        return np.triu(-sl.solve_triangular(a, u, trans=1) @ x.T)

    at = tape.constant(a)
    with tape.GradientTape() as outer:
        outer.watch(at)
        with tape.GradientTape() as inner:
            inner.watch(at)
            y = tape.reduce_sum(tl.solve_triangular(at, b) * u)
        gy = inner.gradient(y, at)
        np.testing.assert_allclose(gy.numpy(), first(a), rtol=1e-10, atol=1e-12)
        z = tape.reduce_sum(gy * v)
    h = 1e-6
    want = (first(a + h * v) - first(a - h * v)) / (2 * h)
    np.testing.assert_allclose(outer.gradient(z, at).numpy(), want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("lower", [False, True])
def test_cho_factor_and_cho_solve(lower):
    a, b = _spd(3), R.standard_normal((3, 2))
    c, low = tl.cho_factor(tape.constant(a), lower=lower)
    c_ref, low_ref = sl.cho_factor(a, lower=lower)
    assert low is low_ref
    np.testing.assert_allclose(c.numpy(), c_ref, rtol=1e-12, atol=1e-12)
    # through the factor: the solve of A x = b, differentiated in A (one triangle) and b
    check_against_scipy(
        lambda a, b: tl.cho_solve(tl.cho_factor(a, lower=lower), b),
        lambda a, b: sl.cho_solve(sl.cho_factor(a, lower=lower), b), [a, b])
    # the factor itself, and cho_solve in the factor
    check_against_scipy(lambda a: tl.cho_factor(a, lower=lower)[0],
                        lambda a: sl.cho_factor(a, lower=lower)[0], [a])
    check_against_scipy(lambda c, b: tl.cho_solve((c, lower), b),
                        lambda c, b: sl.cho_solve((c, lower), b), [c_ref, b[:, 0]])


def test_expm_values_and_gradients():
    for a in (R.standard_normal((3, 3)), R.standard_normal((2, 4, 4)) * 0.5):
        check_against_scipy(tl.expm, sl.expm, [a])


def test_expm_closed_forms():
    """d/dt expm(t A) = A expm(t A); d/dA trace(expm(A)) = expm(A)^T."""
    a, t0 = R.standard_normal((3, 3)), 0.7
    t = tape.constant(t0, dtype=F64)
    with tape.autodiff.ForwardAccumulator(t, tape.constant(1.0, dtype=F64)) as acc:
        e = tl.expm(t * a)
    np.testing.assert_allclose(acc.jvp(e).numpy(), a @ sl.expm(t0 * a), rtol=1e-10)
    at = tape.constant(a)
    with tape.GradientTape() as g:
        g.watch(at)
        y = tape.linalg.trace(tl.expm(at))
    np.testing.assert_allclose(g.gradient(y, at).numpy(), sl.expm(a).T, rtol=1e-10)


def test_expm_second_order():
    """d2/dt2 expm(t A) = A^2 expm(t A), through nested tapes; and the Hessian of
    trace(expm(A)) in a direction V against differences of expm(A)^T."""
    a, t0 = R.standard_normal((3, 3)), 0.4
    t = tape.constant(t0, dtype=F64)
    with tape.GradientTape() as outer:
        outer.watch(t)
        with tape.GradientTape() as inner:
            inner.watch(t)
            y = tl.expm(t * a)[0, 1]
        dy = inner.gradient(y, t)
    np.testing.assert_allclose(float(outer.gradient(dy, t)),
                               (a @ a @ sl.expm(t0 * a))[0, 1], rtol=1e-9)
    v, h = R.standard_normal((3, 3)), 1e-6
    at = tape.constant(a)
    with tape.GradientTape() as outer:
        outer.watch(at)
        with tape.GradientTape() as inner:
            inner.watch(at)
            y = tape.linalg.trace(tl.expm(at))
        z = tape.reduce_sum(inner.gradient(y, at) * v)
    want = (sl.expm(a + h * v).T - sl.expm(a - h * v).T) / (2 * h)
    np.testing.assert_allclose(outer.gradient(z, at).numpy(), want, rtol=1e-6, atol=1e-8)


def test_sqrtm_values_and_gradients():
    for a in (_spd(3), _general(3)):
        check_against_scipy(tl.sqrtm, sl.sqrtm, [a])


def test_sqrtm_closed_form():
    """For a diagonal positive matrix, d trace(sqrtm(A)) / dA = diag(1 / (2 sqrt(a_ii)))."""
    d = np.array([1.0, 4.0, 9.0])
    _, (g,) = grads(tl.sqrtm, np.diag(d), u=np.eye(3))
    np.testing.assert_allclose(g, np.diag(0.5 / np.sqrt(d)), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("a", [
    np.diag([-1.0, 1.0]),  # a negative eigenvalue: SciPy's root is complex
    -np.eye(2),  # real square roots exist, but not the principal one
    np.array([[0.0, 1.0], [0.0, 0.0]]),  # singular: no square root
])
def test_sqrtm_outside_its_real_domain_raises(a):
    with pytest.raises(ValueError, match="negative real axis"):
        tl.sqrtm(a)


def test_solve_sylvester():
    a, b, q = _general(3), _general(2), R.standard_normal((3, 2))
    check_against_scipy(tl.solve_sylvester, sl.solve_sylvester, [a, b, q])


def test_complex_matrices_are_refused_by_sqrtm():
    with pytest.raises(TypeError, match="real"):
        tl.sqrtm(np.eye(2) * (1 + 1j))


@pytest.mark.parametrize("lower", [True, False])
def test_complex_cholesky_factor_and_solve_are_scipys_and_differentiated(lower):
    """Only the triangle SciPy reads counts (the other is perturbed); gradients against
    central differences along real and imaginary directions."""
    m = _complex(3, 3)
    a = m @ m.conj().T + 3 * np.eye(3)
    a[0, 2] += 0.2
    b = _complex(3, 2)
    c, _ = tl.cho_factor(tape.constant(a), lower=lower)
    np.testing.assert_allclose(c.numpy(), sl.cho_factor(a, lower=lower)[0], atol=1e-13)
    np.testing.assert_allclose(tl.cho_solve((c, lower), tape.constant(b)).numpy(),
                               sl.cho_solve(sl.cho_factor(a, lower=lower), b), atol=1e-13)
    tape.check_gradients(lambda u, v: tl.cho_solve(tl.cho_factor(u, lower=lower), v), [a, b])


def _complex(*shape):
    return R.standard_normal(shape) + 1j * R.standard_normal(shape)


@pytest.mark.parametrize("trans", [0, 1, 2])
def test_complex_triangular_solves_are_scipys_and_differentiated(trans):
    """trans=2 ('C') solves with the conjugate transpose, as SciPy; gradients (TensorFlow's
    convention) against central differences along real and imaginary directions."""
    a, b = np.triu(_complex(3, 3)) + 3 * np.eye(3), _complex(3, 2)
    got = tl.solve_triangular(tape.constant(a), tape.constant(b), trans=trans).numpy()
    np.testing.assert_array_equal(got, sl.solve_triangular(a, b, trans=trans))
    tape.check_gradients(lambda m, v: tl.solve_triangular(m, v, trans=trans), [a, b])


def test_complex_expm_sylvester_convolve_and_correlate_are_scipys_and_differentiated():
    a = 0.5 * _complex(3, 3)
    np.testing.assert_array_equal(tl.expm(tape.constant(a)).numpy(), sl.expm(a))
    tape.check_gradients(tl.expm, [a])
    b, c, q = _complex(3, 3) + 3 * np.eye(3), _complex(2, 2) + 3 * np.eye(2), _complex(3, 2)
    np.testing.assert_allclose(tl.solve_sylvester(b, c, q).numpy(), sl.solve_sylvester(b, c, q))
    tape.check_gradients(tl.solve_sylvester, [b, c, q])
    x, k, real = _complex(6), _complex(3), R.standard_normal(6)
    for ours, theirs in ((ts.convolve, ss.convolve), (ts.correlate, ss.correlate)):
        for mode in ("full", "same", "valid"):
            for first in (x, real):  # correlate conjugates its second input
                np.testing.assert_allclose(ours(first, k, mode=mode).numpy(),
                                           theirs(first, k, mode=mode), atol=1e-13)
            tape.check_gradients(lambda u, v, ours=ours, mode=mode: ours(u, v, mode=mode),
                                 [x, k])


@pytest.mark.parametrize("call, name", [
    (lambda x: sl.expm(x), "scipy.linalg.expm"),
    (lambda x: sl.sqrtm(x), "scipy.linalg.sqrtm"),
    (lambda x: sl.cho_solve((x, True), np.ones(2)), "scipy.linalg.cho_solve"),
    (lambda x: ss.convolve(x, x), "scipy.signal.convolve"),
    (lambda x: ss.correlate(x, x), "scipy.signal.correlate"),
    (lambda x: sl.solve_triangular(x, np.ones(2)), "scipy.linalg.solve_triangular"),
    (lambda x: sl.cho_factor(x), "scipy.linalg.cho_factor"),
])
def test_the_conversion_error_names_the_equivalent(call, name):
    x = tape.constant(np.eye(2) * 2.0, dtype=F64)
    with tape.GradientTape() as g:
        g.watch(x)
        with pytest.raises(TypeError, match=f"tape.{name} is its recorded equivalent"):
            call(x)


# --------------------------------------------------------------------------- signal


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("method", ["direct", "auto"])
@pytest.mark.parametrize("shapes", [((6,), (3,)), ((3,), (5,)), ((4,), (4,)),
                                    ((4, 5), (2, 3))])
@pytest.mark.parametrize("which", ["convolve", "correlate"])
def test_convolve_and_correlate(which, shapes, method, mode):
    a, b = (R.standard_normal(s) for s in shapes)
    check_against_scipy(
        lambda a, b: getattr(ts, which)(a, b, mode=mode, method=method),
        lambda a, b: getattr(ss, which)(a, b, mode=mode, method=method), [a, b])


def test_convolve_second_order():
    """<u, convolve(a, b)> is bilinear: its mixed second derivative d2/da db is the
    correlation structure u[i + j], and its second derivative in a alone is zero."""
    a, b = R.standard_normal(4), R.standard_normal(3)
    u = R.standard_normal(6)
    at, bt = tape.constant(a), tape.constant(b)
    with tape.GradientTape(persistent=True) as outer:
        outer.watch([at, bt])
        with tape.GradientTape() as inner:
            inner.watch(at)
            y = tape.reduce_sum(ts.convolve(at, bt) * u)
        ga = inner.gradient(y, at)
    jac = outer.jacobian(ga, bt).numpy()
    want = np.array([[u[i + j] for j in range(3)] for i in range(4)])
    np.testing.assert_allclose(jac, want, rtol=1e-12)
    assert np.all(outer.jacobian(ga, at, unconnected_gradients="zero").numpy() == 0)


def test_convolve_refuses_bad_arguments():
    with pytest.raises(ValueError, match="dimensionality"):
        ts.convolve(np.ones(3), np.ones((2, 2)))
    with pytest.raises(ValueError, match="valid"):
        ts.convolve(np.ones((3, 1)), np.ones((1, 3)), mode="valid")
    with pytest.raises(ValueError, match="mode"):
        ts.convolve(np.ones(3), np.ones(2), mode="circular")


def test_sqrtm_takes_small_positive_eigenvalues():
    for a in (1e-13 * np.eye(2), np.diag([1e-7, 1e5])):
        np.testing.assert_allclose(tl.sqrtm(a).numpy(), sl.sqrtm(a), rtol=1e-12)
