"""SciPy's distributions on tensors, differentiated: ``tape.scipy.stats``.

``norm``, ``t``, ``poisson``, ``beta``, ``gamma``, ``dirichlet`` and ``multivariate_normal``
have SciPy's method names, signatures and argument order (``logpdf(x, loc=0, scale=1)``,
``poisson.logpmf(k, mu, loc=0)``, ...), and SciPy's values, written with tape's ops and
:mod:`tape.scipy.special`: gradients flow with respect to the data and to the parameters
(``loc``, ``scale`` and the shape parameters), to every order. Out of the support, the
log-density is ``-inf`` and the density 0, as SciPy's, with gradients that are 0, not NaN.
Calling a distribution freezes its parameters, as in SciPy: ``norm(loc, scale).logpdf(x)``.

What has no closed form is refused with an error that says so, rather than a wrong number:
the derivatives of a CDF with respect to a shape parameter inside a regularized incomplete
function (``t.cdf`` in ``df``, ``gamma.cdf`` in ``a``, ``beta.cdf`` in ``a`` and ``b``), and
the derivatives with respect to the integer ``k`` and ``loc`` of ``poisson``.

>>> import tape
>>> from tape.scipy import stats
>>> sigma = tape.Variable(2.0, dtype=tape.float64)
>>> with tape.GradientTape() as t:
...     y = stats.norm.logpdf(1.0, loc=0.0, scale=sigma)
>>> print(f"{float(y):.6f} {float(t.gradient(y, sigma)):.6f}")  # d/dsigma = (z^2 - 1)/sigma
-1.737086 -0.375000
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.special as _sc

from .._custom import custom_gradient
from .._tensor import Tensor, Variable, as_tensor, tracked
from ..ops.shape import stop_gradient
from . import special as sp

ArrayLike = Any

_LOG_2PI = math.log(2.0 * math.pi)


def _tensor(a: Any) -> Any:
    """``a`` as a tensor; Python numbers and integer arrays become float64."""
    if isinstance(a, (Tensor, Variable)):
        return a
    a = np.asarray(a)
    if a.dtype.kind in "biu":
        a = a.astype(np.float64)
    return as_tensor(a)


def _value(a: Any) -> np.ndarray:
    return a.numpy() if isinstance(a, (Tensor, Variable)) else np.asarray(a)


def _refuse(a: Any, where: str, param: str, why: str) -> None:
    """Raise if ``a`` is a tensor that a tape or accumulator follows: ``where`` is not
    differentiable in ``param`` in tape."""
    if isinstance(a, (Tensor, Variable)) and tracked(a):
        raise TypeError(
            f"tape.scipy.stats.{where} is not differentiable with respect to {param} in tape: "
            f"{why} {param} was given a tensor that a GradientTape or ForwardAccumulator is "
            f"watching; pass tape.stop_gradient({param}) to use it as a constant."
        )


_INCOMPLETE = ("the derivative of the regularized incomplete {} function with respect to its "
               "parameters has no closed form (only the derivative in x does).")


def _where(cond: Any, value: Any, other: float) -> Any:
    return np.where(cond, value, other)


def _safe(scale: Any) -> tuple[Any, np.ndarray]:
    """``scale`` with 1 where it is not positive (there the result is NaN, as SciPy's, and
    computing it raises no warning), and where it is positive."""
    ok = _value(scale) > 0
    return np.where(ok, scale, 1.0), ok


class _Frozen:
    """A distribution with its parameters fixed, as SciPy's frozen distributions:
    ``norm(0.0, 2.0).logpdf(x)`` is ``norm.logpdf(x, 0.0, 2.0)``."""

    def __init__(self, dist: Any, args: tuple, kwds: dict) -> None:
        self.dist, self.args, self.kwds = dist, args, kwds

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.dist, name)

        def frozen(*x: Any) -> Any:
            return method(*x, *self.args, **self.kwds)

        frozen.__name__ = name
        frozen.__doc__ = method.__doc__
        return frozen

    def __repr__(self) -> str:
        return f"<frozen tape.scipy.stats.{self.dist.name}{self.args + tuple(self.kwds.items())}>"


class _Distribution:
    name = ""

    def __call__(self, *args: Any, **kwds: Any) -> _Frozen:
        """The distribution with its parameters fixed (SciPy's "frozen" distribution)."""
        return _Frozen(self, args, kwds)

    def __repr__(self) -> str:
        return f"<tape.scipy.stats.{self.name}>"


class _Norm(_Distribution):
    """The normal distribution, as ``scipy.stats.norm``: ``logpdf(x, loc=0, scale=1)``."""

    name = "norm"

    def logpdf(self, x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Tensor:
        """log N(x; loc, scale^2) = -z^2/2 - log(scale) - log(2 pi)/2, z = (x - loc) / scale.

        >>> import tape
        >>> from tape.scipy import stats
        >>> print(f"{float(stats.norm.logpdf(1.0, 0.0, 2.0)):.6f}")
        -1.737086
        """
        x, loc, scale = _tensor(x), _tensor(loc), _tensor(scale)
        scale, ok = _safe(scale)
        z = (x - loc) / scale
        out = -0.5 * z * z - np.log(scale) - 0.5 * _LOG_2PI
        return _where(ok, out, np.nan)

    def pdf(self, x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Tensor:
        """The density, exp(logpdf).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.norm.pdf(0.0)):.6f}")
        0.398942
        """
        return np.exp(self.logpdf(x, loc, scale))

    def cdf(self, x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Tensor:
        """ndtr((x - loc) / scale).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.norm.cdf(1.0)):.6f}")
        0.841345
        """
        x, loc, scale = _tensor(x), _tensor(loc), _tensor(scale)
        scale, ok = _safe(scale)
        return _where(ok, sp.ndtr((x - loc) / scale), np.nan)

    def logcdf(self, x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Tensor:
        """log_ndtr((x - loc) / scale), accurate far in the left tail.

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.norm.logcdf(-40.0)):.3f}")
        -804.608
        """
        x, loc, scale = _tensor(x), _tensor(loc), _tensor(scale)
        scale, ok = _safe(scale)
        return _where(ok, sp.log_ndtr((x - loc) / scale), np.nan)

    def sf(self, x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Tensor:
        """1 - cdf, as ndtr(-(x - loc) / scale).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.norm.sf(1.0)):.6f}")
        0.158655
        """
        x, loc, scale = _tensor(x), _tensor(loc), _tensor(scale)
        return self.cdf(-x, -loc, scale)

    def logsf(self, x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Tensor:
        """log(1 - cdf), as log_ndtr(-(x - loc) / scale).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.norm.logsf(1.0)):.6f}")
        -1.841022
        """
        x, loc, scale = _tensor(x), _tensor(loc), _tensor(scale)
        return self.logcdf(-x, -loc, scale)

    def ppf(self, q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Tensor:
        """The quantile function, loc + scale ndtri(q).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.norm.ppf(0.975)):.6f}")
        1.959964
        """
        q, loc, scale = _tensor(q), _tensor(loc), _tensor(scale)
        scale, ok = _safe(scale)
        return _where(ok, loc + scale * sp.ndtri(q), np.nan)


def _t_logpdf_std(z: Any, df: Any) -> Any:
    """-log(df) / 2 - betaln(1/2, df/2) - (df + 1) / 2 log1p(z^2 / df): no difference of two
    large gammaln (accurate for large df); the normal's log-density at df = inf."""
    finite = np.isfinite(df)
    d = np.where(finite, df, 1.0)
    t = -0.5 * np.log(d) - sp.betaln(0.5, 0.5 * d) - 0.5 * (d + 1) * np.log1p(z * z / d)
    return np.where(finite, t, -0.5 * z * z - 0.5 * _LOG_2PI)


def _t_cdf_std(z: Any, df: Any) -> Any:
    """stdtr(df, z), differentiable in z (its derivative the density), df a constant."""
    df_value = _value(df)

    @custom_gradient
    def stdtr(z: Any) -> Any:
        def grad(g: Any) -> Any:
            return g * np.exp(_t_logpdf_std(z, df_value))

        return as_tensor(np.asarray(_sc.stdtr(df_value, z.numpy()), dtype=z.dtype)), grad

    return stdtr(z)


class _T(_Distribution):
    """Student's t distribution, as ``scipy.stats.t``: ``logpdf(x, df, loc=0, scale=1)``."""

    name = "t"

    def logpdf(self, x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0,
               scale: ArrayLike = 1) -> Tensor:
        """log gamma((df+1)/2) - log gamma(df/2) - log(pi df)/2 - log(scale) - (df+1)/2
        log(1 + z^2/df), z = (x - loc) / scale; differentiable in x, df, loc and scale.

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.t.logpdf(1.0, 3.0)):.6f}")
        -1.576253
        """
        x, df, loc, scale = _tensor(x), _tensor(df), _tensor(loc), _tensor(scale)
        scale, ok = _safe(scale)
        out = _t_logpdf_std((x - loc) / scale, np.where(_value(df) > 0, df, 1.0))
        out = out - np.log(scale)
        return _where(np.logical_and(ok, _value(df) > 0), out, np.nan)

    def pdf(self, x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0,
            scale: ArrayLike = 1) -> Tensor:
        """The density, exp(logpdf).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.t.pdf(0.0, 1.0)):.6f}")  # Cauchy: 1/pi
        0.318310
        """
        return np.exp(self.logpdf(x, df, loc, scale))

    def cdf(self, x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0,
            scale: ArrayLike = 1) -> Tensor:
        """``scipy.special.stdtr(df, (x - loc) / scale)``: differentiable in x, loc and scale,
        not in df (a regularized incomplete beta function's parameter).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.t.cdf(-1.0, 3.0)):.6f}")
        0.195501
        """
        _refuse(df, "t.cdf", "df", _INCOMPLETE.format("beta"))
        x, loc, scale = _tensor(x), _tensor(loc), _tensor(scale)
        scale, ok = _safe(scale)
        df = stop_gradient(_tensor(df))
        out = _t_cdf_std((x - loc) / scale, df)
        return _where(np.logical_and(ok, _value(df) > 0), out, np.nan)

    def logcdf(self, x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0,
               scale: ArrayLike = 1) -> Tensor:
        """log(cdf), as SciPy's.

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.t.logcdf(-1.0, 3.0)):.6f}")
        -1.632189
        """
        with np.errstate(divide="ignore"):
            return np.log(self.cdf(x, df, loc, scale))

    def sf(self, x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0,
           scale: ArrayLike = 1) -> Tensor:
        """1 - cdf, as stdtr(df, -(x - loc) / scale).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.t.sf(1.0, 3.0)):.6f}")
        0.195501
        """
        x, loc = _tensor(x), _tensor(loc)
        return self.cdf(-x, df, -loc, scale)


class _Poisson(_Distribution):
    """The Poisson distribution, as ``scipy.stats.poisson``: ``logpmf(k, mu, loc=0)``;
    differentiable in ``mu``. ``k`` and ``loc`` are integers, not differentiated (a watched
    tensor there raises)."""

    name = "poisson"

    def _k(self, k: Any, loc: Any, method: str) -> np.ndarray:
        _refuse(k, f"poisson.{method}", "k", "k is a count, a discrete variable.")
        _refuse(loc, f"poisson.{method}", "loc", "loc shifts a discrete variable.")
        return _value(k) - _value(loc)

    def logpmf(self, k: ArrayLike, mu: ArrayLike, loc: ArrayLike = 0) -> Tensor:
        """xlogy(k, mu) - gammaln(k + 1) - mu for the integers k >= 0 (``-inf`` elsewhere);
        d/dmu = k / mu - 1.

        >>> import tape
        >>> from tape.scipy import stats
        >>> mu = tape.constant(2.0, dtype=tape.float64)
        >>> with tape.GradientTape() as t:
        ...     t.watch(mu)
        ...     y = stats.poisson.logpmf(3, mu)
        >>> print(f"{float(y):.6f} {float(t.gradient(y, mu)):.6f}")
        -1.712318 0.500000
        """
        k = self._k(k, loc, "logpmf")
        mu = _tensor(mu)
        inside = np.logical_and(k >= 0, k == np.floor(k))
        ks = np.where(inside, k, 0.0)
        out = sp.xlogy(ks, mu) - _sc.gammaln(ks + 1) - mu
        return _where(_value(mu) >= 0, _where(inside, out, -np.inf), np.nan)

    def pmf(self, k: ArrayLike, mu: ArrayLike, loc: ArrayLike = 0) -> Tensor:
        """The probability mass, exp(logpmf).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.poisson.pmf(0, 2.0)):.6f}")
        0.135335
        """
        return np.exp(self.logpmf(k, mu, loc))

    def cdf(self, k: ArrayLike, mu: ArrayLike, loc: ArrayLike = 0) -> Tensor:
        """gammaincc(floor(k) + 1, mu) for k >= 0 (0 below); d/dmu = -pmf(floor(k), mu).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.poisson.cdf(2, 2.0)):.6f}")
        0.676676
        """
        k = np.floor(self._k(k, loc, "cdf"))
        mu = _tensor(mu)
        inside = k >= 0
        out = sp.gammaincc(np.where(inside, k, 0.0) + 1, mu)
        return _where(_value(mu) >= 0, _where(inside, out, 0.0), np.nan)

    def logcdf(self, k: ArrayLike, mu: ArrayLike, loc: ArrayLike = 0) -> Tensor:
        """log(cdf).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.poisson.logcdf(2, 2.0)):.6f}")
        -0.390562
        """
        with np.errstate(divide="ignore"):
            return np.log(self.cdf(k, mu, loc))


class _Gamma(_Distribution):
    """The gamma distribution, as ``scipy.stats.gamma``: ``logpdf(x, a, loc=0, scale=1)``
    (shape ``a``; the rate is 1/scale)."""

    name = "gamma"

    def logpdf(self, x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0,
               scale: ArrayLike = 1) -> Tensor:
        """xlogy(a - 1, y) - y - gammaln(a) - log(scale), y = (x - loc) / scale >= 0
        (``-inf`` below); differentiable in x, a, loc and scale. At the edge y = 0 only
        ``scale`` is differentiated (the value there is infinite unless a = 1).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.gamma.logpdf(1.0, 2.0)):.6f}")
        -1.000000
        """
        x, a, loc, scale = _tensor(x), _tensor(a), _tensor(loc), _tensor(scale)
        scale, ok = _safe(scale)
        y = (x - loc) / scale
        yv, av = _value(y), _value(a)
        inside = yv > 0
        ys = np.where(inside, y, 1.0)
        out = sp.xlogy(a - 1, ys) - ys - sp.gammaln(a)
        # at y = 0, SciPy's value (infinite unless a = 1), a constant but for log(scale)
        with np.errstate(invalid="ignore"):
            edge = _sc.xlogy(av - 1, 0.0) - _sc.gammaln(av)
        out = _where(inside, out, np.where(yv == 0, edge, -np.inf)) - np.log(scale)
        return _where(np.logical_and(ok, _value(a) > 0), out, np.nan)

    def pdf(self, x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0,
            scale: ArrayLike = 1) -> Tensor:
        """The density, exp(logpdf).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.gamma.pdf(1.0, 1.0)):.6f}")
        0.367879
        """
        return np.exp(self.logpdf(x, a, loc, scale))

    def cdf(self, x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0,
            scale: ArrayLike = 1) -> Tensor:
        """gammainc(a, (x - loc) / scale): differentiable in x, loc and scale, not in a.

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.gamma.cdf(1.0, 1.0)):.6f}")
        0.632121
        """
        _refuse(a, "gamma.cdf", "a", _INCOMPLETE.format("gamma"))
        x, loc, scale = _tensor(x), _tensor(loc), _tensor(scale)
        scale, ok = _safe(scale)
        a = stop_gradient(_tensor(a))
        y = (x - loc) / scale
        inside = _value(y) > 0
        out = _where(inside, sp.gammainc(a, np.where(inside, y, 1.0)), 0.0)
        return _where(np.logical_and(ok, _value(a) > 0), out, np.nan)

    def logcdf(self, x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0,
               scale: ArrayLike = 1) -> Tensor:
        """log(cdf).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.gamma.logcdf(1.0, 1.0)):.6f}")
        -0.458675
        """
        with np.errstate(divide="ignore"):
            return np.log(self.cdf(x, a, loc, scale))

    def sf(self, x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0,
           scale: ArrayLike = 1) -> Tensor:
        """1 - cdf, gammaincc(a, (x - loc) / scale): not differentiable in a.

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.gamma.sf(1.0, 1.0)):.6f}")
        0.367879
        """
        _refuse(a, "gamma.sf", "a", _INCOMPLETE.format("gamma"))
        x, loc, scale = _tensor(x), _tensor(loc), _tensor(scale)
        scale, ok = _safe(scale)
        a = stop_gradient(_tensor(a))
        y = (x - loc) / scale
        inside = _value(y) > 0
        out = _where(inside, sp.gammaincc(a, np.where(inside, y, 1.0)), 1.0)
        return _where(np.logical_and(ok, _value(a) > 0), out, np.nan)


def _beta_logpdf_std(y: Any, a: Any, b: Any) -> Any:
    return sp.xlogy(a - 1, y) + sp.xlog1py(b - 1, -y) - sp.betaln(a, b)


class _Beta(_Distribution):
    """The beta distribution, as ``scipy.stats.beta``: ``logpdf(x, a, b, loc=0, scale=1)``."""

    name = "beta"

    def logpdf(self, x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0,
               scale: ArrayLike = 1) -> Tensor:
        """xlogy(a - 1, y) + xlog1py(b - 1, -y) - betaln(a, b) - log(scale) for
        0 <= y = (x - loc) / scale <= 1 (``-inf`` outside); differentiable in every argument
        (at the edges y = 0 and y = 1, where the value is infinite unless a = 1 or b = 1, in
        ``scale`` only).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.beta.logpdf(0.5, 2.0, 2.0)):.6f}")
        0.405465
        """
        x, a, b = _tensor(x), _tensor(a), _tensor(b)
        loc, scale = _tensor(loc), _tensor(scale)
        scale, ok = _safe(scale)
        y = (x - loc) / scale
        yv, av, bv = _value(y), _value(a), _value(b)
        inside = np.logical_and(yv > 0, yv < 1)
        ys = np.where(inside, y, 0.5)
        # at y = 0 and y = 1, SciPy's value (infinite unless a = 1, or b = 1), a constant
        # but for log(scale)
        with np.errstate(invalid="ignore"):
            edge = _sc.xlogy(av - 1, yv) + _sc.xlog1py(bv - 1, -yv) - _sc.betaln(av, bv)
        edge = np.where(np.logical_or(yv == 0, yv == 1), edge, -np.inf)
        out = _where(inside, _beta_logpdf_std(ys, a, b), edge) - np.log(scale)
        valid = np.logical_and(ok, np.logical_and(_value(a) > 0, _value(b) > 0))
        return _where(valid, out, np.nan)

    def pdf(self, x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0,
            scale: ArrayLike = 1) -> Tensor:
        """The density, exp(logpdf).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.beta.pdf(0.5, 2.0, 2.0)):.6f}")
        1.500000
        """
        return np.exp(self.logpdf(x, a, b, loc, scale))

    def cdf(self, x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0,
            scale: ArrayLike = 1) -> Tensor:
        """``scipy.special.betainc(a, b, y)``, y = (x - loc) / scale clipped to [0, 1]:
        differentiable in x, loc and scale (the derivative in y is the density), not in a and b.

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.beta.cdf(0.5, 2.0, 3.0)):.6f}")
        0.687500
        """
        _refuse(a, "beta.cdf", "a", _INCOMPLETE.format("beta"))
        _refuse(b, "beta.cdf", "b", _INCOMPLETE.format("beta"))
        x, loc, scale = _tensor(x), _tensor(loc), _tensor(scale)
        scale, ok = _safe(scale)
        av, bv = _value(a), _value(b)
        y = (x - loc) / scale
        yv = _value(y)
        inside = np.logical_and(yv > 0, yv < 1)

        @custom_gradient
        def betainc(y: Any) -> Any:
            def grad(g: Any) -> Any:
                return g * np.exp(_beta_logpdf_std(y, av, bv))

            value = np.asarray(_sc.betainc(av, bv, y.numpy()), dtype=y.dtype)
            return as_tensor(value), grad

        out = _where(inside, betainc(np.where(inside, y, 0.5)), 0.0)
        out = np.where(yv >= 1, 1.0, out)
        valid = np.logical_and(ok, np.logical_and(av > 0, bv > 0))
        return _where(valid, out, np.nan)

    def logcdf(self, x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0,
               scale: ArrayLike = 1) -> Tensor:
        """log(cdf).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.beta.logcdf(0.5, 2.0, 3.0)):.6f}")
        -0.374693
        """
        with np.errstate(divide="ignore"):
            return np.log(self.cdf(x, a, b, loc, scale))


class _Dirichlet(_Distribution):
    """The Dirichlet distribution, as ``scipy.stats.dirichlet``: ``logpdf(x, alpha)``, the
    components of ``x`` along its first axis (K of them, or K - 1 and the last one implied),
    as SciPy's."""

    name = "dirichlet"

    def logpdf(self, x: ArrayLike, alpha: ArrayLike) -> Tensor:
        """sum((alpha - 1) log x) - sum(gammaln(alpha)) + gammaln(sum(alpha)); differentiable
        in x and alpha. As SciPy, raises ValueError for x off the simplex.

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.dirichlet.logpdf([0.2, 0.3, 0.5], [1.5, 2.0, 3.0])):.6f}")
        1.695211
        """
        x, alpha = _tensor(x), _tensor(alpha)
        if alpha.ndim != 1 or np.any(_value(alpha) <= 0):
            raise ValueError("dirichlet: alpha must be a 1-D array of positive numbers.")
        k = alpha.shape[0]
        if x.shape[0] == k - 1:
            x = np.concatenate([x, 1 - np.sum(x, axis=0, keepdims=True)], axis=0)
        if x.shape[0] != k:
            raise ValueError(f"dirichlet: x has {x.shape[0]} components along its first axis; "
                             f"alpha has {k}.")
        xv = _value(x)
        if np.any(xv < 0) or np.any(xv > 1) or np.any(np.abs(xv.sum(axis=0) - 1) > 1e-9):
            raise ValueError("dirichlet: each x must be on the simplex (components in [0, 1] "
                             "summing to 1), as SciPy requires.")
        av = _value(alpha).reshape((k,) + (1,) * (xv.ndim - 1))
        if np.any((xv == 0) & (av < 1)):
            raise ValueError("dirichlet: a component of x is 0 where alpha is below 1 (the "
                             "density is infinite there), as SciPy refuses.")
        a = np.reshape(alpha, (k,) + (1,) * (x.ndim - 1))
        norm = np.sum(sp.gammaln(alpha)) - sp.gammaln(np.sum(alpha))
        return np.sum(sp.xlogy(a - 1, x), axis=0) - norm

    def pdf(self, x: ArrayLike, alpha: ArrayLike) -> Tensor:
        """The density, exp(logpdf).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.dirichlet.pdf([0.5, 0.5], [1.0, 1.0])):.6f}")
        1.000000
        """
        return np.exp(self.logpdf(x, alpha))


class _MultivariateNormal(_Distribution):
    """The multivariate normal distribution, as ``scipy.stats.multivariate_normal``:
    ``logpdf(x, mean=None, cov=1)``, the points along the last axis of ``x``; ``cov`` a
    matrix, a vector (its diagonal) or a number (times the identity). Differentiable in x,
    mean and cov (positive definite)."""

    name = "multivariate_normal"

    def logpdf(self, x: ArrayLike, mean: ArrayLike | None = None,
               cov: ArrayLike = 1) -> Tensor:
        """-(d log(2 pi) + log det(cov) + (x - mean)^T cov^-1 (x - mean)) / 2, with SciPy's
        shapes (one point gives a scalar).

        >>> from tape.scipy import stats
        >>> y = stats.multivariate_normal.logpdf([0.0, 1.0], [0.0, 1.0], [[2.0, 0.5], [0.5, 1.0]])
        >>> print(f"{float(y):.6f}")
        -2.117685
        """
        cov = _tensor(cov)
        if mean is None:
            dim = 1 if cov.ndim == 0 else cov.shape[0]
            mean = np.zeros(dim)
        mean = _tensor(mean)
        dim = mean.size if mean.ndim else (1 if cov.ndim == 0 else cov.shape[0])
        mean = np.reshape(mean, (dim,))
        if cov.ndim == 0:
            cov = cov * np.eye(dim)
        elif cov.ndim == 1:
            cov = cov * np.eye(dim)  # its diagonal
        x = _tensor(x)
        if x.ndim == 0:
            x = np.reshape(x, (1, 1) if dim == 1 else (dim,))
        elif x.ndim == 1 and dim == 1:
            x = np.reshape(x, (-1, 1))
        if x.shape[-1] != dim:
            raise ValueError(f"multivariate_normal: x has {x.shape[-1]} coordinates along its "
                             f"last axis; the mean has {dim}.")
        cv = _value(cov)
        if not np.allclose(cv, cv.T, rtol=1e-12, atol=0):
            raise ValueError("multivariate_normal: cov must be symmetric (SciPy reads only one "
                             "triangle of it; tape refuses rather than guess which).")
        try:
            np.linalg.cholesky(cv)
        except np.linalg.LinAlgError:
            raise ValueError("multivariate_normal: cov must be positive definite, as SciPy "
                             "requires.") from None
        diff = x - mean
        flat = np.reshape(diff, (-1, dim))
        solved = np.linalg.solve(cov, np.transpose(flat))  # (dim, n)
        maha = np.sum(np.transpose(flat) * solved, axis=0)
        _, logdet = np.linalg.slogdet(cov)
        out = -0.5 * (dim * _LOG_2PI + logdet + maha)
        out = np.reshape(out, x.shape[:-1])
        if out.size == 1:
            return np.reshape(out, ())
        return np.squeeze(out)

    def pdf(self, x: ArrayLike, mean: ArrayLike | None = None, cov: ArrayLike = 1) -> Tensor:
        """The density, exp(logpdf).

        >>> from tape.scipy import stats
        >>> print(f"{float(stats.multivariate_normal.pdf([0.0, 0.0], [0.0, 0.0])):.6f}")
        0.159155
        """
        return np.exp(self.logpdf(x, mean, cov))


norm = _Norm()
t = _T()
poisson = _Poisson()
gamma = _Gamma()
beta = _Beta()
dirichlet = _Dirichlet()
multivariate_normal = _MultivariateNormal()

#: The differentiable methods of each distribution, by name (docs and the conversion error).
METHODS: dict[str, tuple[str, ...]] = {
    "norm": ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf"),
    "t": ("logpdf", "pdf", "cdf", "logcdf", "sf"),
    "poisson": ("logpmf", "pmf", "cdf", "logcdf"),
    "gamma": ("logpdf", "pdf", "cdf", "logcdf", "sf"),
    "beta": ("logpdf", "pdf", "cdf", "logcdf"),
    "dirichlet": ("logpdf", "pdf"),
    "multivariate_normal": ("logpdf", "pdf"),
}

#: The arguments that a method is not differentiable in (a watched tensor there raises).
NOT_DIFFERENTIABLE: dict[str, tuple[str, ...]] = {
    "t.cdf": ("df",), "t.logcdf": ("df",), "t.sf": ("df",),
    "gamma.cdf": ("a",), "gamma.logcdf": ("a",), "gamma.sf": ("a",),
    "beta.cdf": ("a", "b"), "beta.logcdf": ("a", "b"),
    **{f"poisson.{m}": ("k", "loc") for m in METHODS["poisson"]},
}

__all__ = ["beta", "dirichlet", "gamma", "multivariate_normal", "norm", "poisson", "t"]
