"""Samples for the elementwise ops.

Every unary op gets a 0-d, a 1-d, a 2-d, a non-contiguous and a zero-size input inside its
domain; every binary op the broadcast pairs below. Inputs stay at least 0.05 away from kinks
and jumps (relu at 0, round at halves, ...) so that finite differences are valid; the
conventions at those points are SPECIAL entries.
"""

from __future__ import annotations

import math

import numpy as np

from . import Sample, Special, noncontiguous, rng

R = rng(11)
SHAPES = [(), (5,), (3, 4)]
PAIRS = [((), ()), ((3, 4), (3, 4)), ((3, 1), (4,)), ((), (2, 3)), ((2, 3), ()), ((0, 3), (3,))]


def _away(a: np.ndarray, points: tuple = (), gap: float = 0.05) -> np.ndarray:
    """``a`` with every value within ``gap`` of one of ``points`` pushed ``gap`` away."""
    for p in points:
        close = np.abs(a - p) < gap
        a = np.where(close, p + gap * np.where(a >= p, 1.0, -1.0), a)
    return np.asarray(a, dtype=np.float64)


def arr(shape, lo: float, hi: float, away: tuple = ()) -> np.ndarray:
    return _away(np.asarray(R.uniform(lo, hi, shape)), away)


def mag(shape, lo: float, hi: float) -> np.ndarray:
    """Values with magnitude in [lo, hi] and a random sign."""
    return np.asarray(R.uniform(lo, hi, shape) * R.choice([-1.0, 1.0], shape))


def unary(lo: float, hi: float, away: tuple = (), **kw) -> list[Sample]:
    out = [Sample((arr(s, lo, hi, away),), **kw) for s in SHAPES]
    out.append(Sample((noncontiguous(arr((2, 3), lo, hi, away)),), **kw))
    out.append(Sample((arr((0, 3), lo, hi, away),), **kw))
    return out


def binary(x_range: tuple, y_range: tuple, y_magnitude: bool = False, **kw) -> list[Sample]:
    """The broadcast pairs; ``y_magnitude`` draws y with |y| in ``y_range`` and either sign."""

    def y_of(shape):
        return mag(shape, *y_range) if y_magnitude else arr(shape, *y_range)

    out = [Sample((arr(sx, *x_range), y_of(sy)), **kw) for sx, sy in PAIRS]
    out.append(Sample((noncontiguous(arr((2, 3), *x_range)), noncontiguous(y_of((2, 3)))), **kw))
    out.append(Sample((arr((2, 3), *x_range), float(y_of(()))), **kw))  # a Python number
    return out


def _distinct(shape_x, shape_y, lo=-2.0, hi=2.0, gap=0.05):
    """x, y whose broadcast pairs all differ by more than ``gap`` (no ties)."""
    while True:
        x, y = arr(shape_x, lo, hi), arr(shape_y, lo, hi)
        if np.all(np.abs(np.subtract(x, y)) > gap):
            return x, y


def _selection(**kw) -> list[Sample]:
    out = [Sample(_distinct(sx, sy), **kw) for sx, sy in PAIRS]
    x, y = _distinct((2, 3), (2, 3))
    out.append(Sample((noncontiguous(x), noncontiguous(y)), **kw))
    x, _ = _distinct((2, 3), ())
    out.append(Sample((_away(x, (0.3,)), 0.3), **kw))
    return out


def _quotients(shape_x, shape_y, **kw) -> Sample:
    """x, y with x / y at least 0.2 away from an integer (floordiv, floormod jump there)."""
    y = mag(shape_y, 0.5, 2.0)
    shape = np.broadcast_shapes(shape_x, shape_y)
    q = R.integers(-3, 3, shape) + R.uniform(0.2, 0.8, shape)
    x = np.asarray(q * y, dtype=np.float64)
    if x.shape != shape_x:
        raise AssertionError("x must carry the broadcast shape")
    return Sample((x, y), **kw)


def _division_samples() -> list[Sample]:
    out = [_quotients(sx, sy) for sx, sy in [((), ()), ((3, 4), (3, 4)), ((3, 4), (4,)),
                                               ((2, 3), ()), ((0, 3), (3,))]]
    s = _quotients((2, 3), (2, 3))
    out.append(Sample((noncontiguous(s.args[0]), noncontiguous(s.args[1]))))
    out.append(Sample((np.asarray([0.5, 1.6, -2.3]), 0.7)))
    return out


def _off_integers(shape) -> np.ndarray:
    """Values at least 0.1 away from integers and from halves (floor, ceil, round jump)."""
    frac = R.choice([0.25, 0.75], shape) + R.uniform(-0.1, 0.1, shape)
    return np.asarray(R.integers(-3, 3, shape) + frac, dtype=np.float64)


def _piecewise_constant() -> list[Sample]:
    out = [Sample((_off_integers(s),)) for s in SHAPES]
    out.append(Sample((noncontiguous(_off_integers((2, 3))),)))
    out.append(Sample((_off_integers((0, 3)),)))
    return out


SAMPLES: dict[str, list[Sample]] = {
    # arithmetic
    "math.add": binary((-2, 2), (-2, 2)),
    "math.subtract": binary((-2, 2), (-2, 2)),
    "math.multiply": binary((-2, 2), (-2, 2)),
    "math.divide": binary((-2, 2), (0.5, 2), y_magnitude=True),
    "math.pow": binary((0.5, 2), (-2, 2)),
    "math.negative": unary(-2, 2),
    "math.floordiv": _division_samples(),
    "math.floormod": _division_samples(),
    "math.mod": _division_samples()[:3],
    "math.squared_difference": binary((-2, 2), (-2, 2)),
    "math.reciprocal": [Sample((mag(s, 0.5, 2),)) for s in [*SHAPES, (0, 3)]]
    + [Sample((noncontiguous(mag((2, 3), 0.5, 2)),))],
    # powers, exponentials, logarithms
    "math.square": unary(-2, 2),
    "math.sqrt": unary(0.5, 3),
    "math.rsqrt": unary(0.5, 3),
    "math.exp": unary(-2, 2),
    "math.expm1": unary(-2, 2),
    "math.log": unary(0.5, 3),
    "math.log1p": unary(-0.5, 2),
    "math.log2": unary(0.5, 3),
    "math.log10": unary(0.5, 3),
    "math.logaddexp": binary((-2, 2), (-2, 2)),
    # trigonometric and hyperbolic
    "math.sin": unary(-3, 3),
    "math.cos": unary(-3, 3),
    "math.tan": unary(-1.2, 1.2),
    "math.asin": unary(-0.9, 0.9),
    "math.acos": unary(-0.9, 0.9),
    "math.atan": unary(-3, 3),
    "math.atan2": binary((-2, 2), (0.5, 2), y_magnitude=True),
    "math.sinh": unary(-2, 2),
    "math.cosh": unary(-2, 2),
    "math.tanh": unary(-2, 2),
    "math.asinh": unary(-3, 3),
    "math.acosh": unary(1.2, 3),
    "math.atanh": unary(-0.9, 0.9),
    "math.erf": unary(-2, 2),
    "math.erfc": unary(-2, 2),
    # piecewise constant: gradient 0
    "math.sign": unary(-2, 2, away=(0,)),
    "math.floor": _piecewise_constant(),
    "math.ceil": _piecewise_constant(),
    "math.round": _piecewise_constant(),
    # activations
    "math.abs": unary(-2, 2, away=(0,)),
    # the parts of complex numbers (the complex sweep, tests/test_complex_sweep.py, gives
    # them imaginary parts; on real values they are the identity, zeros, and 0 or pi)
    "math.real": unary(-2, 2),
    "math.imag": unary(-2, 2),
    "math.conj": unary(-2, 2),
    "math.angle": unary(-2, 2, away=(0,)),
    "np.real": unary(-2, 2),
    "np.imag": unary(-2, 2),
    "np.angle": unary(-2, 2, away=(0,)) + [Sample((arr((3,), -2, 2, (0,)),), {"deg": True})],
    "np.real_if_close": unary(-2, 2),
    "nn.relu": unary(-2, 2, away=(0,)),
    "nn.relu6": unary(-2, 8, away=(0, 6)),
    "nn.elu": unary(-3, 2, away=(0,)),
    "nn.selu": unary(-3, 2, away=(0,)),
    "math.sigmoid": unary(-4, 4),
    "math.log_sigmoid": unary(-4, 4),
    "math.softplus": unary(-4, 4),
    "nn.softsign": unary(-3, 3, away=(0,)),
    "nn.gelu": unary(-3, 3) + [Sample((arr((3, 4), -3, 3),), {"approximate": True}),
                               Sample((arr((), -3, 3),), {"approximate": True})],
    "nn.leaky_relu": unary(-2, 2, away=(0,))
    + [Sample((arr((3, 4), -2, 2, away=(0,)),), {"alpha": 0.01})],
    "nn.silu": unary(-3, 3) + [
        Sample((arr((3, 4), -3, 3), 1.7)),
        Sample((arr((3, 4), -3, 3), np.asarray(0.8))),  # beta differentiable
        Sample((arr((), -3, 3), np.asarray(1.3))),
    ],
    "nn.swish": unary(-3, 3)[:2],
    # selection
    "math.maximum": _selection(),
    "math.minimum": _selection(),
    "clip_by_value": [
        Sample((arr((3, 4), -2, 2, away=(-1, 1)), -1.0, 1.0)),
        Sample((arr((), -2, 2, away=(-1, 1)), -1.0, 1.0)),
        Sample((arr((0, 3), -2, 2), -1.0, 1.0)),
        Sample((noncontiguous(arr((2, 3), -2, 2, away=(-1, 1))), -1.0, 1.0)),
        # differentiable bounds: the gradient goes to a bound where t is outside the range
        Sample((arr((3, 4), -2, 2, away=(-1, 1)), np.asarray(-1.0), np.asarray(1.0))),
        Sample((np.asarray([[-1.5, 0.2, 1.8], [0.7, -0.6, 2.5]]), np.asarray([-1.0, 0.0, 1.0]),
                np.asarray([[0.5], [2.0]]))),
    ],
    "where": [
        Sample((R.random((3, 4)) > 0.5, arr((3, 4), -2, 2), arr((3, 4), -2, 2))),
        Sample((R.random((3, 1)) > 0.5, arr((4,), -2, 2), arr((3, 4), -2, 2))),
        Sample((np.asarray(True), arr((), -2, 2), arr((), -2, 2))),
        Sample((R.random((2, 3)) > 0.5, noncontiguous(arr((2, 3), -2, 2)), 0.5)),
        Sample((np.zeros((0, 3), bool), arr((0, 3), -2, 2), arr((3,), -2, 2))),
    ],
}

# Boolean results: checked to pass no gradient.
for _name in ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
              "logical_and", "logical_or", "logical_xor"]:
    SAMPLES["math." + _name] = [
        Sample((np.asarray([[0.0, 1.0], [2.0, -1.0]]), np.asarray([0.0, 2.0]))),
        Sample((np.asarray(1.5), np.asarray(1.5))),
    ]
for _name in ["logical_not", "is_nan", "is_inf", "is_finite"]:
    SAMPLES["math." + _name] = [
        Sample((np.asarray([0.0, np.inf, np.nan, -2.0]),)),
        Sample((np.asarray(0.0),)),
    ]

_SELU_SCALE = 1.0507009873554804934193349852946

SPECIAL: dict[str, list[Special]] = {
    "math.abs": [Special((np.asarray([0.0, -0.0]),), [0.0, 0.0], note="|x|' = 0 at 0")],
    "math.sign": [Special((np.asarray([0.0, 1.0]),), [0.0, 0.0], note="sign' = 0")],
    "math.floor": [Special((np.asarray([2.0, -1.0]),), [0.0, 0.0], note="0 at the jumps")],
    "math.ceil": [Special((np.asarray([2.0, -1.0]),), [0.0, 0.0], note="0 at the jumps")],
    "math.round": [Special((np.asarray([0.5, 1.5, -2.5]),), [0.0] * 3, note="0 at the jumps")],
    "math.floordiv": [Special((np.asarray([2.0, 3.0]), 1.0), [0.0, 0.0], note="0 at jumps")],
    "nn.relu": [Special((np.asarray([0.0, 0.0]),), [0.0, 0.0], note="relu'(0) = 0, as TF")],
    "nn.relu6": [Special((np.asarray([0.0, 6.0]),), [0.0, 0.0], note="0 at both kinks, as TF")],
    "nn.leaky_relu": [
        Special((np.asarray([0.0]),), [0.2], note="alpha at 0, as TF"),
        Special((np.asarray([0.0]),), [0.1], {"alpha": 0.1}, note="alpha at 0, as TF"),
    ],
    "nn.elu": [Special((np.asarray([0.0, -800.0]),), [1.0, 0.0], note="1 at 0; no overflow")],
    "nn.selu": [Special((np.asarray([0.0]),), [_SELU_SCALE], note="scale at 0, as TF")],
    "math.maximum": [
        Special((np.asarray([1.0, 2.0]), np.asarray([1.0, 2.0])), [1.0, 1.0],
                note="a tie gives the whole gradient to x, as TF"),
    ],
    "math.minimum": [
        Special((np.asarray([1.0, 2.0]), np.asarray([1.0, 2.0])), [1.0, 1.0],
                note="a tie gives the whole gradient to x, as TF"),
    ],
    "clip_by_value": [
        Special((np.asarray([-1.0, 1.0, 0.5, 2.0, -3.0]), -1.0, 1.0), [1.0, 1.0, 1.0, 0.0, 0.0],
                note="passes at the bounds (closed range), 0 strictly outside, as TF"),
    ],
    "math.tanh": [Special((np.asarray([1000.0, -1000.0]),), [0.0, 0.0], note="saturates")],
    "math.exp": [Special((np.asarray([50.0, -50.0]),), [math.exp(50.0), math.exp(-50.0)])],
    "math.sigmoid": [Special((np.asarray([1000.0, -1000.0]),), [0.0, 0.0], note="saturates")],
    "math.softplus": [Special((np.asarray([1000.0, -1000.0]),), [1.0, 0.0], note="no overflow")],
    "math.log_sigmoid": [
        Special((np.asarray([1000.0, -1000.0]),), [0.0, 1.0], note="no overflow"),
    ],
    "math.logaddexp": [
        Special((np.asarray([1000.0]), np.asarray([1000.0])), [0.5], note="no overflow"),
    ],
    "nn.gelu": [
        Special((np.asarray([0.0, -40.0, 40.0]),), [0.5, 0.0, 1.0], note="Phi(0) = 1/2; tails"),
        Special((np.asarray([0.0, -40.0, 40.0]),), [0.5, 0.0, 1.0], {"approximate": True}),
    ],
    "nn.silu": [Special((np.asarray([0.0, -800.0, 800.0]),), [0.5, 0.0, 1.0], note="tails")],
    "math.erf": [Special((np.asarray([0.0, 30.0]),), [2 / math.sqrt(math.pi), 0.0])],
    "math.atan": [Special((np.asarray([1e200]),), [0.0], note="no overflow to nan")],
}

# ---- NumPy's functions and ufuncs, called on tensors as users call them


def _with_nans(x: np.ndarray, *indices) -> np.ndarray:
    x = x.copy()
    for i in indices:
        x[i] = np.nan
    return x


def _sinc_samples() -> list[Sample]:
    out = unary(-3, 3)
    # at and near 0, where sinc's formula is 0/0, and near |pi x| = 2
    out.append(Sample((np.asarray([0.0, 1e-9, -1e-4, 0.03, 0.6366, -0.64, 12.3]),)))
    out.append(Sample((np.asarray(0.0),)))
    return out


def _fmax_samples() -> list[Sample]:
    out = _selection()
    # one NaN argument or the other (never both: the result would be NaN)
    x, y = _distinct((3, 4), (3, 4))
    out.append(Sample((_with_nans(x, (0, 1), (2, 3)), _with_nans(y, (1, 0), (2, 2)))))
    out.append(Sample((_with_nans(arr((4,), -2, 2), 1), 0.5)))
    return out


_XP = np.asarray([-1.0, -0.2, 0.5, 0.9, 2.0])


def _interp_x(shape) -> np.ndarray:
    """Points inside and outside [-1, 2], at least 0.05 away from every knot."""
    return _away(arr(shape, -1.6, 2.6), tuple(_XP))


def _interp_samples() -> list[Sample]:
    fp = arr((5,), -2, 2)
    out = [Sample((_interp_x(s), _XP, arr((5,), -2, 2)), static=(1,)) for s in SHAPES]
    out.append(Sample((noncontiguous(_interp_x((2, 3))), _XP, fp), static=(1,)))
    out.append(Sample((_interp_x((0, 3)), _XP, fp), static=(1,)))
    out.append(Sample((_interp_x((6,)), _XP, fp), {"left": -3.0, "right": 4.0}, static=(1,)))
    out.append(Sample((_interp_x((6,)), _XP, fp), {"period": 3.5}, static=(1,)))
    out.append(Sample((0.3, _XP, fp), static=(1,)))  # a Python number: fp alone is differentiable
    return out


def _select_samples() -> list[Sample]:
    x = arr((3, 4), -2, 2)
    conds = [x > 0.5, x < -0.5]
    return [
        Sample((conds, [arr((3, 4), -2, 2), arr((3, 4), -2, 2)])),
        Sample((conds, [arr((3, 4), -2, 2), arr((4,), -2, 2)], arr((3, 1), -2, 2))),  # default
        Sample(([x > 0, x > 1], [arr((), -2, 2), 0.5], arr((), -2, 2))),
        Sample(([np.asarray(True)], [arr((), -2, 2)], arr((), -2, 2))),
        Sample(([np.zeros((0, 3), bool)], [arr((0, 3), -2, 2)])),
    ]


def _linspace_samples() -> list[Sample]:
    return [
        Sample((arr((), -2, 2), arr((), -2, 2)), {"num": 5}),
        Sample((arr((), -2, 2), arr((), -2, 2))),  # num=50
        Sample((arr((), -2, 2), arr((), -2, 2)), {"num": 4, "endpoint": False}),
        Sample((arr((), -2, 2), arr((), -2, 2)), {"num": 1}),
        Sample((arr((), -2, 2), arr((), -2, 2)), {"num": 0}),
        Sample((arr((3,), -2, 2), arr((3,), -2, 2)), {"num": 4}),
        Sample((arr((2, 1), -2, 2), arr((3,), -2, 2)), {"num": 4, "axis": 1}),
        Sample((arr((3,), -2, 2), arr((), -2, 2)), {"num": 3, "axis": -1, "endpoint": False}),
        Sample((arr((), -2, 2), arr((), -2, 2)), {"num": 6, "retstep": True}),
        Sample((arr((2,), -2, 2), 1.5), {"num": 3, "retstep": True}),
    ]


SAMPLES.update({
    "np.exp2": unary(-2, 2),
    "np.logaddexp2": binary((-2, 2), (-2, 2)),
    "np.hypot": binary((-2, 2), (0.5, 2), y_magnitude=True),
    "np.fabs": unary(-2, 2, away=(0,)),
    "np.deg2rad": unary(-200, 200),
    "np.radians": unary(-200, 200)[:2],
    "np.rad2deg": unary(-3, 3),
    "np.degrees": unary(-3, 3)[:2],
    "np.fmax": _fmax_samples(),
    "np.fmin": _fmax_samples(),
    "np.sinc": _sinc_samples(),
    "np.nan_to_num": unary(-2, 2) + [
        Sample((np.asarray([1.0, np.nan, np.inf, -np.inf, -0.5]),),
               {"nan": 1.5, "posinf": 3.0, "neginf": -3.0}),
        Sample((np.asarray([[np.nan, 0.2], [-0.7, np.nan]]),)),
    ],
    "np.select": _select_samples(),
    "np.interp": _interp_samples(),
    "np.linspace": _linspace_samples(),
})

SPECIAL.update({
    "np.fabs": [Special((np.asarray([0.0, -0.0]),), [0.0, 0.0], note="|x|' = 0 at 0, as abs")],
    "np.hypot": [
        Special((np.asarray([0.0, 3.0]), np.asarray([0.0, 4.0])), [0.0, 0.6],
                note="0 at the origin (a kink), x / hypot elsewhere"),
    ],
    "np.fmax": [
        Special((np.asarray([1.0, np.nan, 2.0, np.nan]), np.asarray([1.0, 2.0, np.nan, np.nan])),
                [1.0, 0.0, 1.0, 1.0],
                note="a tie goes to x; a NaN argument gets nothing; x when both are NaN"),
    ],
    "np.fmin": [
        Special((np.asarray([1.0, np.nan, 2.0, np.nan]), np.asarray([1.0, 2.0, np.nan, np.nan])),
                [1.0, 0.0, 1.0, 1.0],
                note="a tie goes to x; a NaN argument gets nothing; x when both are NaN"),
    ],
    "np.sinc": [
        Special((np.asarray([0.0, 1.0, -2.0]),), [0.0, -1.0, -0.5],
                note="sinc'(0) = 0; (cos(pi x) - sinc x) / x elsewhere"),
    ],
    "np.nan_to_num": [
        Special((np.asarray([1.0, np.nan, np.inf, -np.inf]),), [1.0, 0.0, 0.0, 0.0],
                note="1 where finite, 0 where replaced"),
    ],
    "np.interp": [
        Special((np.asarray([1.0, 0.0, 3.0, -1.0, 4.0]), [0.0, 1.0, 2.0, 3.0],
                 np.asarray([0.0, 2.0, 3.0, 5.0])), [1.0, 2.0, 2.0, 0.0, 0.0],
                note="slope of the piece to the right at an inner knot, of the piece inside "
                "the range at the ends, 0 outside"),
    ],
})
