"""SciPy's special functions on tensors: values equal SciPy's, first and second derivatives
against closed forms and central differences, conventions at the domains' edges, the clear
errors, and the lazy import (tape alone never imports SciPy)."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

sc = pytest.importorskip("scipy.special", reason="SciPy is optional (pip install 'tape[scipy]')")

import tape  # noqa: E402
import tape.scipy.special as sp  # noqa: E402
from tape.ops import scipy_special as ops  # noqa: E402

X = np.array([0.3, 0.7, 1.3, 2.5, 4.0])  # inside every domain below


def _grad(f, x, order=1):
    """The derivative of order 1 or 2 of an elementwise f at x (float64), by nested tapes."""
    x = tape.constant(np.asarray(x, dtype=np.float64))
    with tape.GradientTape() as outer:
        outer.watch(x)
        with tape.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        g = inner.gradient(y, x)
    if order == 1:
        return g.numpy()
    return outer.gradient(g, x, unconnected_gradients="zero").numpy()


def _central(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


UNARY = {
    "gamma": X, "gammaln": X, "digamma": X, "psi": X, "rgamma": X, "erf": X - 1, "erfc": X - 1,
    "erfinv": X / 5, "erfcinv": X / 3, "erfcx": X - 1, "expit": X - 2, "logit": X / 5,
    "ndtr": X - 2, "ndtri": X / 5, "log_ndtr": X - 3, "entr": X, "i0": X - 2, "i1": X - 2,
    "i0e": X - 2.1, "i1e": X - 2.1, "j0": X, "j1": X, "y0": X, "y1": X,
}
PARAM = {"iv": 2.5, "ive": 1.5, "jv": 1.5, "kv": 0.5, "yn": 2, "gammainc": 2.5,
         "gammaincc": 2.5, "beta": 1.7, "betaln": 1.7, "xlogy": 1.7, "xlog1py": 1.7}


def test_every_function_is_covered() -> None:
    assert set(UNARY) | set(PARAM) | {"polygamma"} == set(ops.OPS)
    assert set(ops.OPS) <= set(sp.__all__)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_values_equal_scipys_through_the_ufunc_and_tape_scipy(name: str) -> None:
    x = UNARY[name]
    want = getattr(sc, name)(x)
    np.testing.assert_array_equal(getattr(sc, name)(tape.constant(x)).numpy(), want)
    np.testing.assert_array_equal(getattr(sp, name)(x).numpy(), want)


@pytest.mark.parametrize("name", sorted(PARAM))
def test_two_argument_values_equal_scipys(name: str) -> None:
    p = PARAM[name]
    want = getattr(sc, name)(p, X)
    np.testing.assert_array_equal(getattr(sc, name)(p, tape.constant(X)).numpy(), want)
    np.testing.assert_array_equal(getattr(sp, name)(p, X).numpy(), want)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_first_and_second_derivatives_against_central_differences(name: str) -> None:
    x, f = UNARY[name], getattr(sc, name)
    np.testing.assert_allclose(_grad(f, x), _central(f, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(_grad(f, x, 2), _central(lambda v: _central(f, v, 1e-4), x),
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(PARAM))
def test_derivatives_in_x_against_central_differences(name: str) -> None:
    p, f = PARAM[name], getattr(sc, name)
    g = lambda v: f(p, v)  # noqa: E731
    np.testing.assert_allclose(_grad(g, X), _central(g, X), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(_grad(g, X, 2), _central(lambda v: _central(g, v, 1e-4), X),
                               rtol=1e-4, atol=1e-5)


CLOSED_FORMS = [
    # (function, first derivative, second derivative), all independent of tape
    (sc.gammaln, sc.psi, lambda x: sc.polygamma(1, x)),
    (sc.gamma, lambda x: sc.gamma(x) * sc.psi(x),
     lambda x: sc.gamma(x) * (sc.psi(x) ** 2 + sc.polygamma(1, x))),
    (sc.psi, lambda x: sc.polygamma(1, x), lambda x: sc.polygamma(2, x)),
    (sc.erf, lambda x: 2 / math.sqrt(math.pi) * np.exp(-x * x),
     lambda x: -4 * x / math.sqrt(math.pi) * np.exp(-x * x)),
    (sc.expit, lambda x: sc.expit(x) * (1 - sc.expit(x)),
     lambda x: sc.expit(x) * (1 - sc.expit(x)) * (1 - 2 * sc.expit(x))),
    (sc.ndtr, lambda x: np.exp(-x * x / 2) / math.sqrt(2 * math.pi),
     lambda x: -x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi)),
    (sc.i0, sc.i1, lambda x: (sc.i0(x) + sc.iv(2, x)) / 2),
    (sc.j0, lambda x: -sc.j1(x), lambda x: -(sc.j0(x) - sc.jv(2, x)) / 2),
    (sc.y0, lambda x: -sc.y1(x), lambda x: -(sc.y0(x) - sc.yv(2, x)) / 2),
    (sc.entr, lambda x: -(1 + np.log(x)), lambda x: -1 / x),
    (sc.logit, lambda x: 1 / (x * (1 - x)), lambda x: (2 * x - 1) / (x * (1 - x)) ** 2),
    (lambda x: sc.gammainc(2.5, x), lambda x: x**1.5 * np.exp(-x) / sc.gamma(2.5),
     lambda x: (1.5 / x - 1) * x**1.5 * np.exp(-x) / sc.gamma(2.5)),
    (lambda x: sc.xlogy(x, 3.0), lambda x: np.full_like(x, np.log(3.0)), lambda x: 0 * x),
    (lambda x: sc.xlogy(1.5, x), lambda x: 1.5 / x, lambda x: -1.5 / x**2),
    (lambda x: sc.betaln(x, 2.0), lambda x: sc.psi(x) - sc.psi(x + 2),
     lambda x: sc.polygamma(1, x) - sc.polygamma(1, x + 2)),
    (lambda x: sc.polygamma(1, x), lambda x: sc.polygamma(2, x), lambda x: sc.polygamma(3, x)),
]


@pytest.mark.parametrize(("f", "d1", "d2"), CLOSED_FORMS)
def test_first_and_second_derivatives_against_closed_forms(f, d1, d2) -> None:
    if f is CLOSED_FORMS[-1][0]:  # SciPy's polygamma converts with np.asarray: tape's
        f = lambda x: sp.polygamma(1, x)  # noqa: E731
    np.testing.assert_allclose(_grad(f, X), d1(X), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(_grad(f, X, 2), d2(X), rtol=1e-10, atol=1e-12)


def test_check_gradients_to_second_order_in_both_modes() -> None:
    for f in (sc.gammaln, sc.erfinv, lambda x: sc.kv(1.5, x + 1), lambda x: sc.ive(0.5, x)):
        tape.check_gradients(f, [X / 5], order=2)


def test_xlogy_at_zero() -> None:
    """xlogy(0, y) is 0 for every y, y = 0 included. d/dx = log(y), -inf at y = 0 (as JAX);
    d/dy = 0 where x == 0 (the function is constant along y there; JAX gives NaN at y = 0)."""
    x = tape.constant([0.0, 0.0, 2.0], tape.float64)
    y = tape.constant([0.0, 2.0, 0.5], tape.float64)
    with tape.GradientTape() as t:
        t.watch([x, y])
        z = sc.xlogy(x, y)
    np.testing.assert_array_equal(z.numpy(), [0.0, 0.0, 2.0 * np.log(0.5)])
    dx, dy = t.gradient(z, [x, y])
    np.testing.assert_array_equal(dx.numpy(), [-np.inf, np.log(2.0), np.log(0.5)])
    np.testing.assert_array_equal(dy.numpy(), [0.0, 0.0, 4.0])
    x, y = tape.constant(0.0), tape.constant(-1.0)
    with tape.GradientTape() as t:
        t.watch([x, y])
        z = sc.xlog1py(x, y)
    assert float(z) == 0.0 and float(t.gradient(z, y)) == 0.0


def test_values_at_edges() -> None:
    # entr's derivative is +inf at 0; i0e has a kink at 0 (gradient 0, as abs); i1e is smooth
    assert _grad(sc.entr, 0.0) == np.inf
    assert _grad(sc.i0e, 0.0) == 0.0
    np.testing.assert_allclose(_grad(sc.i1e, 0.0), 0.5, rtol=1e-15)
    # 1 / gamma at the poles of gamma: d/dx rgamma at -k is (-1)^k k!
    np.testing.assert_allclose(_grad(sc.rgamma, [0.0, -1.0, -2.0, -3.0]), [1, -1, 2, -6])


def test_gammainc_at_zero_with_a_one_is_the_exponential_density() -> None:
    np.testing.assert_allclose(_grad(lambda x: sc.gammainc(1.0, x), [0.0, 1.0]),
                               [1.0, np.exp(-1.0)], rtol=1e-15)


def test_float32_stays_float32_next_to_a_python_number() -> None:
    x = tape.constant([0.5, 1.5])  # float32
    for f in (lambda v: sc.iv(2, v), lambda v: sc.gammainc(2.0, v), lambda v: sc.beta(2.0, v),
              lambda v: sp.polygamma(1, v), sc.gammaln):
        assert f(x).dtype == np.float32


@pytest.mark.parametrize(("name", "param"), [
    ("iv", "v"), ("ive", "v"), ("jv", "v"), ("kv", "v"), ("yn", "n"), ("gammainc", "a"),
    ("gammaincc", "a"),
])
def test_a_watched_parameter_raises(name: str, param: str) -> None:
    p, x = tape.constant(2.0), tape.constant(1.5)
    with tape.GradientTape() as t:
        t.watch(p)
        with pytest.raises(TypeError, match=f"not differentiable in {param}"):
            getattr(sc, name)(p, x)
        with pytest.raises(TypeError, match=rf"tape.stop_gradient\({param}\)"):
            getattr(sp, name)(p, x)
    # a constant tensor there is fine
    np.testing.assert_array_equal(getattr(sc, name)(tape.constant(2.0), x).numpy(),
                                  getattr(sc, name)(2.0, np.float32(1.5)).astype(np.float32))


def test_polygamma_order_must_be_a_constant_integer() -> None:
    n = tape.constant(1.0)
    with tape.GradientTape() as t:
        t.watch(n)
        with pytest.raises(TypeError, match="not differentiable in n"):
            sp.polygamma(n, 2.0)
    with pytest.raises(ValueError, match="non-negative integer"):
        sp.polygamma(1.5, 2.0)


def test_a_special_function_without_a_rule_names_what_to_do() -> None:
    x = tape.constant([0.2, 0.5])
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError) as info:
            sc.ellipk(x)
    message = str(info.value)
    assert "scipy.special.ellipk has no gradient rule" in message
    assert "tape.scipy.special" in message and "tape.custom_gradient" in message
    # unwatched, it runs on the values
    np.testing.assert_array_equal(np.asarray(sc.ellipk(tape.constant([0.2]))),
                                  sc.ellipk(np.float32([0.2])))


def test_logsumexp_softmax_log_softmax() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 4)), rng.uniform(0.5, 2.0, (3, 4))
    for kw in ({}, {"axis": 1}, {"axis": 0, "keepdims": True}, {"axis": 1, "b": b}):
        np.testing.assert_allclose(sp.logsumexp(a, **kw).numpy(), sc.logsumexp(a, **kw),
                                   rtol=1e-14)
    signed = np.array([[1.0, -2.0], [2.0, -1.0]])
    out, sign = sp.logsumexp(np.zeros((2, 2)), axis=1, b=signed, return_sign=True)
    want, want_sign = sc.logsumexp(np.zeros((2, 2)), axis=1, b=signed, return_sign=True)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-14)
    np.testing.assert_array_equal(sign.numpy(), want_sign)
    inf = np.array([[-np.inf, -np.inf], [0.0, 1.0]])
    np.testing.assert_array_equal(sp.logsumexp(inf, axis=1).numpy(), sc.logsumexp(inf, axis=1))
    for axis in (None, 1):
        np.testing.assert_allclose(sp.softmax(a, axis=axis).numpy(), sc.softmax(a, axis=axis),
                                   rtol=1e-14)
        np.testing.assert_allclose(sp.log_softmax(a, axis=axis).numpy(),
                                   sc.log_softmax(a, axis=axis), rtol=1e-14)
    # d logsumexp / da = softmax; d / db = exp(a) / sum(b exp(a)) (closed forms)
    ta, tb = tape.constant(a), tape.constant(b)
    with tape.GradientTape() as t:
        t.watch([ta, tb])
        y = sp.logsumexp(ta, 1, tb)
    ga, gb = t.gradient(y, [ta, tb])
    total = np.sum(b * np.exp(a), axis=1, keepdims=True)
    np.testing.assert_allclose(ga.numpy(), b * np.exp(a) / total, rtol=1e-13)
    np.testing.assert_allclose(gb.numpy(), np.exp(a) / total, rtol=1e-13)


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)


def test_importing_and_using_tape_does_not_import_scipy() -> None:
    proc = _run("""
        import sys
        import numpy as np
        import tape
        x = tape.constant([1.0, 2.0])
        with tape.GradientTape() as t:
            t.watch(x)
            y = np.sum(np.exp(x) * np.sin(x))
        t.gradient(y, x)
        try:
            with tape.GradientTape() as t:
                t.watch(x)
                np.ldexp(x, 2)
        except TypeError:
            pass
        assert not any(m == "scipy" or m.startswith("scipy.") for m in sys.modules), "scipy"
        assert "tape.ops.scipy_special" not in sys.modules
        import scipy.special as sc
        assert "tape.ops.scipy_special" not in sys.modules
        print(float(sc.gamma(tape.constant(3.0))))
        assert "tape.ops.scipy_special" in sys.modules
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "2.0"


def test_without_scipy_tape_scipy_names_the_extra() -> None:
    proc = _run("""
        import sys
        sys.modules["scipy"] = None  # as if SciPy were not installed
        import tape
        try:
            import tape.scipy
        except ImportError as e:
            print(e)
    """)
    assert proc.returncode == 0, proc.stderr
    assert "pip install 'tape[scipy]'" in proc.stdout


def test_scipy_python_functions_on_a_watched_tensor_name_tape_s_equivalent():
    special = pytest.importorskip("scipy.special")
    stats = pytest.importorskip("scipy.stats")
    x = tape.constant([1.0, 2.0], dtype=tape.float64)
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError, match=r"tape\.scipy\.special\.logsumexp is its recorded"):
            special.logsumexp(x)
        with pytest.raises(TypeError, match=r"tape\.scipy\.stats\.norm\.logpdf is its"):
            stats.norm.logpdf(x)
    # tape.scipy loads on first use of the attribute, in a fresh interpreter
    script = "import tape; print(float(tape.scipy.special.logsumexp([0.0, 0.0])))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    assert float(out) == pytest.approx(math.log(2.0), rel=1e-6)


def _derivatives(f, x0: float, order: int) -> float:
    x = tape.constant(x0, dtype=tape.float64)
    tapes = [tape.GradientTape() for _ in range(order)]
    for t in tapes:
        t.__enter__()
        t.watch(x)
    y = f(x)
    for t in reversed(tapes):
        t.__exit__(None, None, None)
        y = t.gradient(y, x)
    return float(y)


def test_derivatives_in_the_tails_and_at_the_poles():
    # log_ndtr'(x) = pdf / cdf ~ -x for x << 0 (closed form: sqrt(2/pi) / erfcx(-x/sqrt 2))
    for x in (-1e3, -1e6, -1e9):
        want = math.sqrt(2 / math.pi) / sc.erfcx(-x / math.sqrt(2))
        assert _derivatives(sc.log_ndtr, x, 1) == pytest.approx(want, rel=1e-12)
        assert want == pytest.approx(-x, rel=1e-5)
    # rgamma''(-k) = -2 (-1)^k k! psi(1 + k): 2 * Euler's gamma at 0
    for k in range(4):
        want = -2 * (-1) ** k * math.factorial(k) * sc.psi(1 + k)
        assert _derivatives(sc.rgamma, -float(k), 2) == pytest.approx(want, rel=1e-12)
    # expit'(x) = exp(-x) / (1 + exp(-x))^2, not 0, for large x
    assert _derivatives(sc.expit, 40.0, 1) == pytest.approx(
        math.exp(-40) / (1 + math.exp(-40)) ** 2, rel=1e-12)
