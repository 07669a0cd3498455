"""SciPy's special functions on tensors, differentiated: ``tape.scipy.special``.

Each function is the tape op that ``scipy.special.<name>(tensor)`` itself records (SciPy's
special functions are ufuncs, which NumPy hands to tape), with its derivatives to every order:
``gamma``, ``gammaln``, ``digamma``/``psi``, ``polygamma``, ``rgamma``, ``beta``, ``betaln``,
``erf``, ``erfc``, ``erfinv``, ``erfcinv``, ``erfcx``, ``expit``, ``logit``, ``ndtr``,
``ndtri``, ``log_ndtr``, ``xlogy``, ``xlog1py``, ``entr``, the Bessel functions ``i0``, ``i1``,
``i0e``, ``i1e``, ``iv``, ``ive``, ``jv``, ``j0``, ``j1``, ``y0``, ``y1``, ``yn``, ``kv``, and
``gammainc``/``gammaincc``. Orders and shape parameters (``v``, ``n``, ``a``) are not
differentiated: a watched tensor there raises.

``logsumexp``, ``softmax`` and ``log_softmax`` are recorded equivalents of SciPy's, which are
written in Python on ``np.asarray`` (a watched tensor refuses that conversion).

>>> import tape
>>> import tape.scipy.special as sp
>>> x = tape.constant([0.5, 1.5], dtype=tape.float64)
>>> with tape.GradientTape() as t:
...     t.watch(x)
...     y = sp.gammaln(x)
>>> print(t.gradient(y, x).numpy().round(6))  # digamma
[-1.96351  0.03649]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._tensor import Tensor, Variable, as_tensor
from ..ops import scipy_special as _ops
from ..ops.shape import stop_gradient

ArrayLike = Any


def _example(name: str, args: tuple, shown: str) -> str:
    call = ", ".join([*map(repr, args[:-1]), "x"])
    return (
        "\n\n>>> import tape\n>>> import tape.scipy.special as sp\n"
        f">>> x = tape.constant({args[-1]!r}, dtype=tape.float64)\n"
        ">>> with tape.GradientTape() as t:\n"
        "...     t.watch(x)\n"
        f"...     y = sp.{name}({call})\n"
        '>>> print(f"{float(y):.6f} {float(t.gradient(y, x)):.6f}")\n'
        f"{shown}\n"
    )


def _unary(name: str, args: tuple, shown: str) -> Callable[[ArrayLike], Tensor]:
    op = _ops.OPS[name]

    def fn(x: ArrayLike) -> Tensor:
        return op(x)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"scipy.special.{name}: {op.__doc__}{_example(name, args, shown)}"
    return fn


def _binary(name: str, args: tuple, shown: str, params: str) -> Callable[..., Tensor]:
    op = _ops.OPS[name]

    if params == "a, b":
        def fn(a: ArrayLike, b: ArrayLike) -> Tensor:
            return op(a, b)
    elif params == "x, y":
        def fn(x: ArrayLike, y: ArrayLike) -> Tensor:  # type: ignore[misc]
            return op(x, y)
    elif params == "n, x":  # an integer order: not differentiated
        def fn(n: ArrayLike, x: ArrayLike) -> Tensor:  # type: ignore[misc]
            return op(n, x)
    elif params == "a, x":  # a shape parameter: not differentiated
        def fn(a: ArrayLike, x: ArrayLike) -> Tensor:  # type: ignore[misc]
            return op(a, x)
    else:  # an order: not differentiated
        def fn(v: ArrayLike, x: ArrayLike) -> Tensor:  # type: ignore[misc]
            return op(v, x)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"scipy.special.{name}: {op.__doc__}{_example(name, args, shown)}"
    return fn


gamma = _unary("gamma", (2.5,), "1.329340 0.934735")
gammaln = _unary("gammaln", (2.5,), "0.284683 0.703157")
digamma = _unary("digamma", (2.5,), "0.703157 0.490358")
psi = digamma
rgamma = _unary("rgamma", (2.5,), "0.752253 -0.528952")
beta = _binary("beta", (2.0, 3.0), "0.083333 -0.048611", "a, b")
betaln = _binary("betaln", (2.0, 3.0), "-2.484907 -0.583333", "a, b")
erf = _unary("erf", (0.5,), "0.520500 0.878783")
erfc = _unary("erfc", (0.5,), "0.479500 -0.878783")
erfinv = _unary("erfinv", (0.5,), "0.476936 1.112585")
erfcinv = _unary("erfcinv", (0.5,), "0.476936 -1.112585")
erfcx = _unary("erfcx", (0.5,), "0.615690 -0.512689")
expit = _unary("expit", (0.5,), "0.622459 0.235004")
logit = _unary("logit", (0.25,), "-1.098612 5.333333")
ndtr = _unary("ndtr", (0.5,), "0.691462 0.352065")
ndtri = _unary("ndtri", (0.25,), "-0.674490 3.146865")
log_ndtr = _unary("log_ndtr", (0.5,), "-0.368946 0.509160")
xlogy = _binary("xlogy", (2.0, 3.0), "2.197225 0.666667", "x, y")
xlog1py = _binary("xlog1py", (2.0, 3.0), "2.772589 0.500000", "x, y")
entr = _unary("entr", (0.5,), "0.346574 -0.306853")
i0 = _unary("i0", (1.5,), "1.646723 0.981666")
i1 = _unary("i1", (1.5,), "0.981666 0.992279")
i0e = _unary("i0e", (1.5,), "0.367434 -0.148394")
i1e = _unary("i1e", (1.5,), "0.219039 0.002368")
iv = _binary("iv", (2.5, 1.5), "0.171662 0.321646", "v, x")
ive = _binary("ive", (2.5, 1.5), "0.038303 0.033466", "v, x")
jv = _binary("jv", (2.5, 1.5), "0.124446 0.179732", "v, x")
j0 = _unary("j0", (1.5,), "0.511828 -0.557937")
j1 = _unary("j1", (1.5,), "0.557937 0.139870")
y0 = _unary("y0", (1.5,), "0.382449 0.412309")
y1 = _unary("y1", (1.5,), "-0.412309 0.657321")
yn = _binary("yn", (2, 1.5), "-0.932194 0.830616", "n, x")
kv = _binary("kv", (2.5, 1.5), "0.989452 -2.029645", "v, x")
gammainc = _binary("gammainc", (2.0, 1.5), "0.442175 0.334695", "a, x")
gammaincc = _binary("gammaincc", (2.0, 1.5), "0.557825 -0.334695", "a, x")


def polygamma(n: int, x: ArrayLike) -> Tensor:
    """scipy.special.polygamma(n, x), the n-th derivative of digamma, recorded (SciPy's own
    converts its arguments with ``np.asarray``, which a watched tensor refuses). ``n`` is a
    non-negative integer, not differentiated; d/dx polygamma(n, x) = polygamma(n + 1, x).

    >>> import tape
    >>> import tape.scipy.special as sp
    >>> x = tape.constant(2.5, dtype=tape.float64)
    >>> with tape.GradientTape() as t:
    ...     t.watch(x)
    ...     y = sp.polygamma(1, x)
    >>> print(f"{float(y):.6f} {float(t.gradient(y, x)):.6f}")
    0.490358 -0.236204
    """
    return _ops.polygamma(n, x)


def _tensor(a: Any) -> Any:
    return a if isinstance(a, (Tensor, Variable)) else as_tensor(np.asarray(a))


def logsumexp(
    a: ArrayLike,
    axis: int | tuple[int, ...] | None = None,
    b: ArrayLike | None = None,
    keepdims: bool = False,
    return_sign: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """log(sum(b * exp(a))) over ``axis`` (all axes by default), without overflow, as
    ``scipy.special.logsumexp``, recorded: differentiable in ``a`` and in the weights ``b``.

    With ``return_sign=True`` (for weights that make the sum negative) returns
    ``(log|sum|, sign)``, the sign a constant. The largest element is subtracted before
    exponentiating (as a constant: it cancels out of the value and of the gradient); a slice
    of ``-inf`` gives ``-inf``, as SciPy.

    >>> import numpy as np, tape
    >>> import tape.scipy.special as sp
    >>> a = tape.constant([1.0, 2.0, 3.0], dtype=tape.float64)
    >>> with tape.GradientTape() as t:
    ...     t.watch(a)
    ...     y = sp.logsumexp(a)
    >>> print(f"{float(y):.6f}")
    3.407606
    >>> t.gradient(y, a).numpy()  # the softmax
    array([0.09003057, 0.24472847, 0.66524096])
    """
    a = _tensor(a)
    top = stop_gradient(np.max(a, axis=axis, keepdims=True))
    top = np.where(np.isfinite(top), top, 0)
    terms = np.exp(a - top)
    if b is not None:
        terms = _tensor(b) * terms
    total = np.sum(terms, axis=axis, keepdims=True)
    sign = None
    if return_sign:
        sign = stop_gradient(np.sign(total))
        total = np.abs(total)
    with np.errstate(divide="ignore"):
        out = np.log(total) + top
    if not keepdims:
        out = np.squeeze(out, axis=axis)
        if sign is not None:
            sign = np.squeeze(sign, axis=axis)
    return (out, sign) if return_sign else out


def softmax(x: ArrayLike, axis: int | tuple[int, ...] | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) over ``axis`` (all axes by default, as
    ``scipy.special.softmax``), recorded.

    >>> import tape
    >>> import tape.scipy.special as sp
    >>> sp.softmax(tape.constant([1.0, 2.0, 3.0], dtype=tape.float64)).numpy()
    array([0.09003057, 0.24472847, 0.66524096])
    """
    x = _tensor(x)
    return np.exp(x - logsumexp(x, axis=axis, keepdims=True))


def log_softmax(x: ArrayLike, axis: int | tuple[int, ...] | None = None) -> Tensor:
    """x - logsumexp(x) over ``axis`` (all axes by default, as
    ``scipy.special.log_softmax``), recorded.

    >>> import tape
    >>> import tape.scipy.special as sp
    >>> sp.log_softmax(tape.constant([1.0, 2.0, 3.0], dtype=tape.float64)).numpy()
    array([-2.40760596, -1.40760596, -0.40760596])
    """
    x = _tensor(x)
    return x - logsumexp(x, axis=axis, keepdims=True)


__all__ = [
    "beta", "betaln", "digamma", "entr", "erf", "erfc", "erfcinv", "erfcx", "erfinv", "expit",
    "gamma", "gammainc", "gammaincc", "gammaln", "i0", "i0e", "i1", "i1e", "iv", "ive", "j0",
    "j1", "jv", "kv", "log_ndtr", "log_softmax", "logit", "logsumexp", "ndtr", "ndtri",
    "polygamma", "psi", "rgamma", "softmax", "xlog1py", "xlogy", "y0", "y1", "yn",
]
