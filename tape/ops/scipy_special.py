"""SciPy's special functions as tape ops, declared when first needed.

SciPy's special functions are NumPy ufuncs, so ``scipy.special.gamma(x)`` on a tensor reaches
tape through ``__array_ufunc__``. This module is imported on the first such call (see
``tape.ops._protocols``), or by ``tape.scipy``; importing tape alone never imports SciPy. It
declares one elementwise op per function, with rules written with differentiable functions
(SciPy's ufuncs, which dispatch back to these ops on tensors, and NumPy's), so that every
order of derivative is recorded: gamma's rule uses digamma, digamma's polygamma(1, x),
polygamma(n, x)'s polygamma(n + 1, x). Each rule is its own JVP, as for the elementwise ops.

Arguments that are orders or shape parameters (``v`` of ``iv``, ``n`` of ``yn`` and
``polygamma``, ``a`` of ``gammainc``) are not differentiated: a tensor that a tape watches
there is refused with an error that says so.

Conventions at the edges of the domains, in the docstrings and docs/reference/numpy.md:
``xlogy(0, y)`` and ``xlog1py(0, y)`` are 0, and so is their derivative in ``y`` (at
``y = 0`` too, where JAX gives NaN); their derivative in ``x`` is ``log(y)`` (``-inf`` at
``y = 0``), as JAX's. ``entr``'s derivative ``-(1 + log x)`` is ``+inf`` at 0. ``i0e`` has a
kink at 0, where its gradient is taken as 0 (``sign(0)``), as ``abs``'s.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.special as sc

from .. import _batch
from .._fast import binary_caller, unary_caller
from .._registry import UFUNCS, defprim
from .._tensor import Tensor, Variable, scalarize, tracked
from ._define import apply

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2.0
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SQRT_2PI = math.sqrt(2.0 * math.pi)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2 = 1.0 / math.sqrt(2.0)

#: The tape op of each SciPy function, by SciPy's public name (``digamma`` and ``psi`` are the
#: same ufunc).
OPS: dict[str, Callable[..., Any]] = {}

#: The argument of each function with a parameter that is not differentiated, by name.
PARAMETERS: dict[str, str] = {}


def _typed(ufunc: Any) -> Callable[..., Any]:
    """A two-argument SciPy ufunc whose result has NumPy's dtype for its arguments (NEP 50:
    float32 stays float32 next to a Python number, which SciPy's ufuncs promote to float64)."""

    def fwd(a: Any, b: Any) -> Any:
        out = ufunc(a, b)
        dtype = np.result_type(a, b, np.float16)
        if out.dtype != dtype and out.dtype.kind == "f":
            out = out.astype(dtype)
        return out

    fwd.__name__ = fwd.__qualname__ = ufunc.__name__
    return fwd


def _declare(name: str, ufunc: Any, *rules: Any, doc: str = "") -> Any:
    """An elementwise op of SciPy's ``ufunc`` with a rule per argument (None for a parameter
    that is not differentiated), registered as the ufunc's handler."""
    fwd = ufunc if len(rules) == 1 else _typed(ufunc)
    prim = defprim(f"scipy.special.{name}", fwd, *rules, jvps=rules,
                   batch=_batch.elementwise)
    prim.elementwise = True
    op = unary_caller(prim) if len(rules) == 1 else binary_caller(prim)
    if rules[0] is None:  # a parameter first: refuse a watched tensor there
        op = _refusing(name, op)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    op.prim = prim  # type: ignore[attr-defined]
    op.call = op  # type: ignore[attr-defined]
    UFUNCS[ufunc] = op
    OPS[name] = op
    return op


def parameter_error(name: str, param: str) -> TypeError:
    """The error for a watched tensor given as a parameter that tape does not differentiate."""
    return TypeError(
        f"scipy.special.{name}: tape differentiates it with respect to its last argument "
        f"only; it is not differentiable in {param} (the first argument) in tape, and {param} "
        "was given a tensor that a GradientTape or ForwardAccumulator is watching. Pass "
        f"tape.stop_gradient({param}) to use it as a constant."
    )


def _refusing(name: str, op: Callable[..., Any]) -> Callable[..., Any]:
    param = PARAMETERS[name]

    def call(p: Any, x: Any, name_: str | None = None) -> Any:
        if isinstance(p, (Tensor, Variable)) and tracked(p):
            raise parameter_error(name, param)
        return op(p, x)

    return call


# ---- gamma and related


def _polygamma_fwd(x: Any, n: int) -> Any:
    x = np.asarray(x)
    out = np.asarray(sc.polygamma(n, x))
    dtype = np.result_type(x, np.float16)
    return scalarize(out.astype(dtype) if out.dtype != dtype else out)


_polygamma_fwd.__name__ = _polygamma_fwd.__qualname__ = "polygamma"


def _polygamma_rule(g: Any, ans: Any, x: Any, n: int) -> Any:
    return g * polygamma(n + 1, x)


_polygamma = defprim("scipy.special.polygamma", _polygamma_fwd, _polygamma_rule,
                     jvps=(_polygamma_rule,), batch=_batch.elementwise)
_polygamma.elementwise = True


def polygamma(n: Any, x: Any) -> Any:
    """The n-th derivative of digamma at x, ``scipy.special.polygamma(n, x)`` recorded
    (SciPy's own converts its arguments with ``np.asarray``, which a watched tensor refuses).
    ``n`` is a non-negative integer, not differentiated; d/dx = polygamma(n + 1, x)."""
    if isinstance(n, (Tensor, Variable)):
        if tracked(n):
            raise parameter_error("polygamma", "n")
        n = n._value
    if np.ndim(n) != 0 or float(n) != int(n) or int(n) < 0:
        raise ValueError(f"polygamma: n must be a non-negative integer, got {n!r}.")
    return apply(_polygamma, x, n=int(n))


polygamma.prim = _polygamma  # type: ignore[attr-defined]
OPS["polygamma"] = polygamma


def rgamma_rule(g: Any, ans: Any, x: Any) -> Any:
    """-rgamma(x) psi(x); near the poles x = -k of gamma (where rgamma is 0 and psi
    infinite), the derivative of the reflection formula rgamma(x) = sin(pi x) gamma(1 - x) /
    pi, cos(pi x) gamma(1 - x) - sin(pi x) gamma(1 - x) psi(1 - x) / pi, which is smooth
    through them ((-1)^k k! at x = -k), so that its own derivative is right there too."""
    near = np.logical_and(x <= 0.25, np.abs(x - np.rint(x)) < 0.25)
    xn, xf = np.where(near, x, -0.5), np.where(near, 0.5, x)
    g1 = sc.gamma(1 - xn)
    reflected = np.cos(np.pi * xn) * g1 - np.sin(np.pi * xn) * g1 * sc.psi(1 - xn) / np.pi
    return g * np.where(near, reflected, -sc.rgamma(xf) * sc.psi(xf))


gamma = _declare("gamma", sc.gamma, lambda g, ans, x: g * ans * sc.psi(x),
                 doc="The gamma function; d/dx = gamma(x) digamma(x).")
gammaln = _declare("gammaln", sc.gammaln, lambda g, ans, x: g * sc.psi(x),
                   doc="log |gamma(x)|; d/dx = digamma(x).")
digamma = _declare("digamma", sc.psi, lambda g, ans, x: g * polygamma(1, x),
                   doc="The digamma function psi(x) = d/dx log gamma(x); d/dx = "
                   "polygamma(1, x).")
OPS["psi"] = digamma
rgamma = _declare("rgamma", sc.rgamma, rgamma_rule,
                  doc="1 / gamma(x); d/dx = -rgamma(x) digamma(x), and its limit (-1)^k k! "
                  "at the poles x = -k of gamma, where rgamma is 0.")
beta = _declare(
    "beta", sc.beta,
    lambda g, ans, a, b: g * ans * (sc.psi(a) - sc.psi(a + b)),
    lambda g, ans, a, b: g * ans * (sc.psi(b) - sc.psi(a + b)),
    doc="The beta function gamma(a) gamma(b) / gamma(a + b); d/da = beta(a, b) (psi(a) - "
    "psi(a + b)).",
)
betaln = _declare(
    "betaln", sc.betaln,
    lambda g, ans, a, b: g * (sc.psi(a) - sc.psi(a + b)),
    lambda g, ans, a, b: g * (sc.psi(b) - sc.psi(a + b)),
    doc="log |beta(a, b)|; d/da = psi(a) - psi(a + b).",
)

# ---- error functions and the normal distribution
erf = _declare("erf", sc.erf, lambda g, ans, x: g * _TWO_OVER_SQRT_PI * np.exp(-x * x),
               doc="The error function; d/dx = 2 / sqrt(pi) exp(-x^2).")
erfc = _declare("erfc", sc.erfc, lambda g, ans, x: -g * _TWO_OVER_SQRT_PI * np.exp(-x * x),
                doc="1 - erf(x), accurate where erf is near 1; d/dx = -2 / sqrt(pi) "
                "exp(-x^2).")
erfinv = _declare("erfinv", sc.erfinv,
                  lambda g, ans, x: g * SQRT_PI_OVER_2 * np.exp(ans * ans),
                  doc="The inverse of erf on (-1, 1); d/dx = sqrt(pi) / 2 exp(erfinv(x)^2), "
                  "inf at +-1.")
erfcinv = _declare("erfcinv", sc.erfcinv,
                   lambda g, ans, x: -g * SQRT_PI_OVER_2 * np.exp(ans * ans),
                   doc="The inverse of erfc on (0, 2); d/dx = -sqrt(pi) / 2 "
                   "exp(erfcinv(x)^2).")
erfcx = _declare("erfcx", sc.erfcx,
                 lambda g, ans, x: g * (2 * x * ans - _TWO_OVER_SQRT_PI),
                 doc="exp(x^2) erfc(x), without overflow; d/dx = 2 x erfcx(x) - 2 / sqrt(pi).")
expit = _declare("expit", sc.expit, lambda g, ans, x: g * ans * sc.expit(-x),
                 doc="The logistic sigmoid 1 / (1 + exp(-x)); d/dx = expit(x) expit(-x) "
                 "(= expit(x) (1 - expit(x)), without 1 - expit(x) rounding to 0 for large x).")
logit = _declare("logit", sc.logit, lambda g, ans, x: g / (x * (1 - x)),
                 doc="log(x / (1 - x)) on (0, 1); d/dx = 1 / (x (1 - x)).")
ndtr = _declare("ndtr", sc.ndtr, lambda g, ans, x: g * _INV_SQRT_2PI * np.exp(-0.5 * x * x),
                doc="The standard normal CDF; d/dx = exp(-x^2 / 2) / sqrt(2 pi).")
ndtri = _declare("ndtri", sc.ndtri, lambda g, ans, x: g * SQRT_2PI * np.exp(0.5 * ans * ans),
                 doc="The inverse of ndtr on (0, 1); d/dx = sqrt(2 pi) exp(ndtri(x)^2 / 2).")
log_ndtr = _declare(
    "log_ndtr", sc.log_ndtr,
    lambda g, ans, x: g * SQRT_2_OVER_PI / sc.erfcx(-x * INV_SQRT_2),
    doc="log(ndtr(x)), accurate in both tails; d/dx = pdf(x) / ndtr(x) = sqrt(2 / pi) / "
    "erfcx(-x / sqrt(2)), accurate for every x (no difference of large logarithms).",
)


# ---- x log y and entropy


def _xlogy_dy(g: Any, ans: Any, x: Any, y: Any) -> Any:
    # x / y, and 0 where x == 0 (xlogy(0, y) is 0 for every y): at y == 0 too
    return g * x / np.where(np.logical_and(x == 0, y == 0), 1, y)


def _xlog1py_dy(g: Any, ans: Any, x: Any, y: Any) -> Any:
    return g * x / np.where(np.logical_and(x == 0, y == -1), 1, 1 + y)


xlogy = _declare(
    "xlogy", sc.xlogy, lambda g, ans, x, y: g * np.log(y), _xlogy_dy,
    doc="x log(y), and 0 where x == 0 (y = 0 included). d/dx = log(y), -inf at y = 0 (as "
    "JAX; TensorFlow gives 0 where x == 0); d/dy = x / y, and 0 where x == 0 (at y = 0 too, "
    "where JAX gives NaN; TensorFlow gives 0).",
)
xlog1py = _declare(
    "xlog1py", sc.xlog1py, lambda g, ans, x, y: g * np.log1p(y), _xlog1py_dy,
    doc="x log(1 + y), and 0 where x == 0. d/dx = log1p(y); d/dy = x / (1 + y), and 0 where "
    "x == 0 (as xlogy).",
)
entr = _declare("entr", sc.entr, lambda g, ans, x: -g * (1 + np.log(x)),
                doc="-x log(x) for x > 0, 0 at 0, -inf for x < 0; d/dx = -(1 + log x), +inf "
                "at 0 (as JAX).")

# ---- Bessel functions
PARAMETERS.update(iv="v", ive="v", jv="v", kv="v", yn="n", gammainc="a", gammaincc="a")

i0 = _declare("i0", sc.i0, lambda g, ans, x: g * sc.i1(x),
              doc="The modified Bessel function I0; d/dx = I1(x).")
i1 = _declare("i1", sc.i1, lambda g, ans, x: g * 0.5 * (sc.i0(x) + sc.iv(2, x)),
              doc="The modified Bessel function I1; d/dx = (I0(x) + I2(x)) / 2.")
i0e = _declare("i0e", sc.i0e, lambda g, ans, x: g * (sc.i1e(x) - np.sign(x) * ans),
               doc="exp(-|x|) I0(x); d/dx = i1e(x) - sign(x) i0e(x): at its kink, x = 0, the "
               "gradient is taken as 0, as for abs.")
i1e = _declare(
    "i1e", sc.i1e,
    lambda g, ans, x: g * (0.5 * (sc.i0e(x) + sc.ive(2, x)) - np.sign(x) * ans),
    doc="exp(-|x|) I1(x); d/dx = (i0e(x) + ive(2, x)) / 2 - sign(x) i1e(x).",
)
iv = _declare(
    "iv", sc.iv, None, lambda g, ans, v, x: g * 0.5 * (sc.iv(v - 1, x) + sc.iv(v + 1, x)),
    doc="The modified Bessel function of the first kind I_v(x); d/dx = (I_(v-1)(x) + "
    "I_(v+1)(x)) / 2. Not differentiable in the order v.",
)
ive = _declare(
    "ive", sc.ive, None,
    lambda g, ans, v, x: g * (0.5 * (sc.ive(v - 1, x) + sc.ive(v + 1, x)) - np.sign(x) * ans),
    doc="exp(-|x|) I_v(x); d/dx = (ive(v - 1, x) + ive(v + 1, x)) / 2 - sign(x) ive(v, x). "
    "Not differentiable in the order v.",
)
jv = _declare(
    "jv", sc.jv, None, lambda g, ans, v, x: g * 0.5 * (sc.jv(v - 1, x) - sc.jv(v + 1, x)),
    doc="The Bessel function of the first kind J_v(x); d/dx = (J_(v-1)(x) - J_(v+1)(x)) / 2. "
    "Not differentiable in the order v.",
)
j0 = _declare("j0", sc.j0, lambda g, ans, x: -g * sc.j1(x),
              doc="The Bessel function J0; d/dx = -J1(x).")
j1 = _declare("j1", sc.j1, lambda g, ans, x: g * 0.5 * (sc.j0(x) - sc.jv(2, x)),
              doc="The Bessel function J1; d/dx = (J0(x) - J2(x)) / 2.")
y0 = _declare("y0", sc.y0, lambda g, ans, x: -g * sc.y1(x),
              doc="The Bessel function of the second kind Y0 (x > 0); d/dx = -Y1(x).")
y1 = _declare("y1", sc.y1, lambda g, ans, x: g * (sc.y0(x) - ans / x),
              doc="The Bessel function of the second kind Y1 (x > 0); d/dx = Y0(x) - "
              "Y1(x) / x.")
yn = _declare(
    "yn", sc.yn, None, lambda g, ans, n, x: g * 0.5 * (sc.yn(n - 1, x) - sc.yn(n + 1, x)),
    doc="The Bessel function of the second kind Y_n(x) of integer order n (x > 0); d/dx = "
    "(Y_(n-1)(x) - Y_(n+1)(x)) / 2. Not differentiable in n.",
)
kv = _declare(
    "kv", sc.kv, None, lambda g, ans, v, x: -g * 0.5 * (sc.kv(v - 1, x) + sc.kv(v + 1, x)),
    doc="The modified Bessel function of the second kind K_v(x) (x > 0); d/dx = "
    "-(K_(v-1)(x) + K_(v+1)(x)) / 2. Not differentiable in the order v.",
)


# ---- incomplete gamma functions


def gamma_density(g: Any, ans: Any, a: Any, x: Any) -> Any:
    """The density of the gamma distribution, x^(a-1) exp(-x) / gamma(a): d/dx gammainc."""
    return g * np.exp(sc.xlogy(a - 1, x) - x - sc.gammaln(a))


gammainc = _declare(
    "gammainc", sc.gammainc, None, gamma_density,
    doc="The regularized lower incomplete gamma function P(a, x); d/dx = x^(a-1) exp(-x) / "
    "gamma(a). Not differentiable in a.",
)
gammaincc = _declare(
    "gammaincc", sc.gammaincc, None,
    lambda g, ans, a, x: -gamma_density(g, ans, a, x),
    doc="The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x); d/dx = "
    "-x^(a-1) exp(-x) / gamma(a). Not differentiable in a.",
)

#: The SciPy ufuncs that have rules, by public name (``psi`` is ``digamma``).
UFUNC_NAMES = sorted(name for name in OPS if name != "polygamma")
