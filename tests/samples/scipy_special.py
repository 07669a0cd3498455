"""Samples for SciPy's special functions (``tape.scipy.special``), loaded only when SciPy is
installed. Each name resolves to the function of ``tape.scipy.special``; the same tape op is
what ``scipy.special.<name>(tensor)`` records (tests/test_scipy_special.py checks both).

Orders and shape parameters (``v``, ``n``, ``a``) are Python numbers, never differentiated.
Inputs stay inside each function's domain and away from poles and kinks.
"""

from __future__ import annotations

import tape.scipy.special  # noqa: F401  (makes tape.scipy.special resolvable)

from . import Sample, noncontiguous
from .elementwise import arr, binary, unary


def param(p, lo: float, hi: float, away: tuple = (), **kw) -> list[Sample]:
    """The unary samples with a parameter ``p`` (an order, a shape) first."""
    return [Sample((p, *s.args), **kw) for s in unary(lo, hi, away)]


def _logsumexp() -> list[Sample]:
    a = arr((3, 4), -3, 3)
    return [
        Sample((arr((), -3, 3),)),
        Sample((arr((5,), -3, 3),)),
        Sample((a,)),
        Sample((a,), {"axis": 1}),
        Sample((a,), {"axis": 0, "keepdims": True}),
        Sample((noncontiguous(arr((2, 3), -3, 3)),), {"axis": -1}),
        Sample((a, 1, arr((3, 4), 0.5, 2))),  # weights b, differentiated too
        Sample((a, None, arr((4,), 0.5, 2))),
    ]


def _normalised() -> list[Sample]:
    a = arr((3, 4), -3, 3)
    return [Sample((arr((5,), -3, 3),)), Sample((a,)), Sample((a,), {"axis": 1}),
            Sample((noncontiguous(arr((2, 3), -3, 3)),), {"axis": 0})]


SP = "scipy.special."

SAMPLES: dict[str, list[Sample]] = {
    SP + "gamma": unary(0.3, 3.5) + unary(-1.9, -1.1)[:2],
    SP + "gammaln": unary(0.3, 4.0) + unary(-1.9, -1.1)[:2],
    SP + "digamma": unary(0.3, 4.0),
    SP + "psi": unary(0.3, 4.0)[:2],
    SP + "polygamma": [Sample((1, s.args[0])) for s in unary(0.5, 3.0)]
    + [Sample((2, arr((5,), 0.5, 3.0)))],
    SP + "rgamma": unary(-2.8, 3.0, away=(0.0, -1.0, -2.0)),
    SP + "beta": binary((0.5, 3.0), (0.5, 3.0)),
    SP + "betaln": binary((0.5, 3.0), (0.5, 3.0)),
    SP + "erf": unary(-2.0, 2.0),
    SP + "erfc": unary(-2.0, 2.0),
    SP + "erfinv": unary(-0.9, 0.9),
    SP + "erfcinv": unary(0.1, 1.9),
    SP + "erfcx": unary(-1.5, 3.0),
    SP + "expit": unary(-4.0, 4.0),
    SP + "logit": unary(0.05, 0.95),
    SP + "ndtr": unary(-3.0, 3.0),
    SP + "ndtri": unary(0.05, 0.95),
    SP + "log_ndtr": unary(-5.0, 3.0),
    SP + "xlogy": binary((-2.0, 2.0), (0.2, 3.0)),
    SP + "xlog1py": binary((-2.0, 2.0), (-0.8, 2.0)),
    SP + "entr": unary(0.1, 2.0),
    SP + "i0": unary(-3.0, 3.0),
    SP + "i1": unary(-3.0, 3.0),
    SP + "i0e": unary(-3.0, 3.0, away=(0.0,)),
    SP + "i1e": unary(-3.0, 3.0, away=(0.0,)),
    SP + "iv": param(2.5, 0.3, 3.0) + param(1, -3.0, 3.0)[:3],
    SP + "ive": param(2.5, 0.3, 3.0) + param(1, -3.0, 3.0, away=(0.0,))[:3],
    SP + "jv": param(1.5, 0.3, 5.0) + param(2, -5.0, 5.0)[:3],
    SP + "j0": unary(-5.0, 5.0),
    SP + "j1": unary(-5.0, 5.0),
    SP + "y0": unary(0.3, 5.0),
    SP + "y1": unary(0.3, 5.0),
    SP + "yn": param(2, 0.5, 5.0) + param(0, 0.5, 5.0)[:2],
    SP + "kv": param(0.5, 0.3, 3.0) + param(2, 0.3, 3.0)[:3],
    SP + "gammainc": param(2.5, 0.2, 4.0) + param(1.0, 0.2, 4.0)[:3],
    SP + "gammaincc": param(2.5, 0.2, 4.0) + param(1.0, 0.2, 4.0)[:3],
    SP + "logsumexp": _logsumexp(),
    SP + "softmax": _normalised(),
    SP + "log_softmax": _normalised(),
}

