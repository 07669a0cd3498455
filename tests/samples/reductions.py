"""Samples for the reductions, cumulative ops and norms.

Each reduction is sampled over every axis form (None, int, negative int, tuple, list, empty),
with and without keepdims, on 0-d, zero-size and non-contiguous inputs. Max/min inputs have no
ties and norm inputs no zeros (finite differences need smooth points); ties, zeros and the
origin are SPECIAL entries. Products and cumulative products are sampled with one and with
several zeros: their derivatives are exact polynomials there.
"""

from __future__ import annotations

import numpy as np

from . import Sample, Special, noncontiguous, rng

R = rng(12)
AXES = [None, 0, 1, -1, (0, 2), [1, -1], ()]


def uni(shape, lo=-2.0, hi=2.0) -> np.ndarray:
    return np.asarray(R.uniform(lo, hi, shape), dtype=np.float64)


def mag(shape, lo=0.5, hi=1.5) -> np.ndarray:
    return np.asarray(R.uniform(lo, hi, shape) * R.choice([-1.0, 1.0], shape))


def distinct(shape, gap=0.1) -> np.ndarray:
    """Values that differ pairwise by at least ``gap`` (no ties for max/min)."""
    n = int(np.prod(shape))
    return np.asarray(R.permutation(n) * gap - n * gap / 2 + 0.01, dtype=np.float64).reshape(shape)


def with_zeros(x: np.ndarray, *indices) -> np.ndarray:
    x = x.copy()
    for i in indices:
        x[i] = 0.0
    return x


def reduction(make, axes=AXES, zero_size="both", **extra) -> list[Sample]:
    """``op(x, axis=..., keepdims=...)`` over every axis form, plus the special shapes."""
    out = []
    for axis in axes:
        for keepdims in (False, True):
            out.append(Sample((make((3, 4, 2)),), {"axis": axis, "keepdims": keepdims, **extra}))
    out.append(Sample((make(()),), dict(extra)))
    out.append(Sample((make(()),), {"axis": [], "keepdims": True, **extra}))
    out.append(Sample((noncontiguous(make((3, 4))),), {"axis": 1, **extra}))
    out.append(Sample((make((5,)),), dict(extra)))
    if zero_size:  # reducing the non-empty axis of a (0, 3) array gives shape (0,)
        out.append(Sample((make((0, 3)),), {"axis": 1, **extra}))
    if zero_size == "both":  # reducing the empty axis gives the identity (0 for a sum)
        out.append(Sample((make((0, 3)),), {"axis": 0, **extra}))
    return out


def cumulative(make, **extra) -> list[Sample]:
    out = []
    for axis in (0, 1, -1):
        for exclusive in (False, True):
            for reverse in (False, True):
                out.append(Sample((make((3, 4)),), {"axis": axis, "exclusive": exclusive,
                                                    "reverse": reverse, **extra}))
    out.append(Sample((make((5,)),), dict(extra)))
    out.append(Sample((noncontiguous(make((2, 3))),), {"axis": 1, "reverse": True, **extra}))
    out.append(Sample((make((0, 3)),), {"axis": 0, **extra}))
    out.append(Sample((make((1, 3)),), {"axis": 0, "exclusive": True, **extra}))
    return out


_x = mag((3, 4))
_prod_zero_samples = [
    Sample((with_zeros(mag((5,)), 2),)),
    Sample((with_zeros(mag((5,)), 1, 3),)),
    Sample((with_zeros(mag((5,)), 0, 2, 4),)),
    Sample((with_zeros(mag((3, 4)), (1, 2)),), {"axis": 1}),
    Sample((with_zeros(mag((3, 4)), (1, 2), (1, 0), (0, 3)),), {"axis": 0, "keepdims": True}),
    Sample((with_zeros(mag((3, 4, 2)), (0, 1, 1), (2, 3, 0)),), {"axis": (0, 2)}),
    Sample((np.zeros((3,)),)),
]
_cumprod_zero_samples = [
    Sample((with_zeros(mag((6,)), 2),), {"exclusive": e, "reverse": r})
    for e in (False, True) for r in (False, True)
] + [
    Sample((with_zeros(mag((6,)), 1, 4),), {"exclusive": e, "reverse": r})
    for e in (False, True) for r in (False, True)
] + [Sample((with_zeros(mag((3, 4)), (0, 1), (2, 1), (2, 3)),), {"axis": 1})]


def _matrix_norms() -> list[Sample]:
    out = []
    for ord_ in ("euclidean", "fro", 1, np.inf, 2):  # 2: the largest singular value
        for axis in ((0, 1), (1, 0), (-1, -2)):
            for keepdims in (False, True):
                out.append(Sample((mag((3, 4)),), {"ord": ord_, "axis": axis,
                                                   "keepdims": keepdims}))
        out.append(Sample((mag((2, 3, 4)),), {"ord": ord_, "axis": (0, 2)}))
        out.append(Sample((mag((2, 3, 4)),), {"ord": ord_, "axis": [2, 1], "keepdims": True}))
    return out


def _vector_norms() -> list[Sample]:
    out = []
    for ord_ in ("euclidean", 2, 1, np.inf, 3, 1.5, 0.7):
        for axis in (None, 0, -1):
            for keepdims in (False, True):
                x = distinct((3, 4)) if ord_ == np.inf else mag((3, 4))
                out.append(Sample((x,), {"ord": ord_, "axis": axis, "keepdims": keepdims}))
        out.append(Sample((mag(()),), {"ord": ord_}))
        out.append(Sample((noncontiguous(mag((2, 3))),), {"ord": ord_, "axis": 1}))
    out.append(Sample((mag((0, 3)),), {"axis": 0}))
    out.append(Sample((mag((3, 0)),), {"axis": 0}))
    return out


SAMPLES: dict[str, list[Sample]] = {
    "math.reduce_sum": reduction(uni),
    "math.reduce_mean": reduction(uni, zero_size="nonempty"),
    "math.reduce_prod": reduction(mag) + _prod_zero_samples,
    "math.reduce_max": reduction(distinct, zero_size="nonempty"),
    "math.reduce_min": reduction(distinct, zero_size="nonempty"),
    "math.reduce_logsumexp": reduction(uni, zero_size="nonempty")
    + [Sample((uni((3, 4), 990.0, 1010.0),), {"axis": 1}, note="large values, stable")],
    "math.reduce_variance": reduction(uni, zero_size="nonempty"),
    "math.reduce_std": reduction(uni, axes=[None, 0, 1, -1, (0, 2), [1, -1]], zero_size="nonempty"),
    "math.reduce_euclidean_norm": reduction(mag, axes=[None, 0, -1, (0, 2), [1, 2]]),
    "norm": _vector_norms() + _matrix_norms(),
    "math.cumsum": cumulative(uni),
    "math.cumprod": cumulative(mag) + _cumprod_zero_samples,
    "clip_by_norm": [
        Sample((uni((3, 4)), 1.0)),  # norm > 1: rescaled
        Sample((uni((3, 4)) * 0.1, 1.0)),  # norm < 1: unchanged
        Sample((uni((3, 4)), 0.9), {"axes": [1]}),
        Sample((uni((3, 4)), np.asarray(1.2)), {"axes": 0}),  # clip_norm differentiable
        Sample((uni((2, 3, 2)), 0.5), {"axes": (0, 2)}),
        Sample((uni(()), 0.5)),
        Sample((noncontiguous(uni((2, 3))), 1.0), {"axes": -1}),
        Sample((uni((0, 3)), 1.0)),
    ],
    # integer and boolean results: checked to pass no gradient
    "argmax": [
        Sample((distinct((3, 4)),)),
        Sample((distinct((3, 4)),), {"axis": 1}),
        Sample((distinct((3, 4)),), {"axis": -1, "output_type": np.int32}),
    ],
    "argmin": [
        Sample((distinct((3, 4)),)),
        Sample((distinct((3, 4)),), {"axis": 1}),
    ],
    "math.reduce_all": [Sample((uni((3, 4)),), {"axis": 1}), Sample((uni((3,)),))],
    "math.reduce_any": [Sample((uni((3, 4)),), {"axis": 1}), Sample((uni((3,)),))],
}

SPECIAL: dict[str, list[Special]] = {
    "math.reduce_max": [
        Special((np.asarray([1.0, 3.0, 3.0]),), [0.0, 0.5, 0.5], note="ties share, as TF"),
        Special((np.asarray([[2.0, 2.0], [1.0, 5.0]]),), [[0.5, 0.5], [0.0, 1.0]], {"axis": 1}),
        Special((np.asarray([4.0, 4.0, 4.0]),), [1 / 3] * 3, note="ties share, as TF"),
    ],
    "math.reduce_min": [
        Special((np.asarray([1.0, 1.0, 3.0]),), [0.5, 0.5, 0.0], note="ties share, as TF"),
    ],
    "math.reduce_prod": [
        Special((np.asarray([2.0, 0.0, 3.0]),), [0.0, 6.0, 0.0], note="one zero"),
        Special((np.asarray([0.0, 0.0, 3.0]),), [0.0, 0.0, 0.0], note="two zeros"),
        Special((np.asarray([[0.0, 2.0], [4.0, 0.0]]),), [[2.0, 0.0], [0.0, 4.0]], {"axis": 1}),
    ],
    "math.cumprod": [
        Special((np.asarray([2.0, 0.0, 3.0]),), [1.0, 8.0, 0.0], note="exact at a zero"),
    ],
    "norm": [
        Special((np.zeros(3),), [0.0] * 3, note="subgradient 0 at the origin"),
        Special((np.zeros((2, 2)),), np.zeros((2, 2)), {"ord": "fro", "axis": (0, 1)}),
        Special((np.zeros(3),), [0.0] * 3, {"ord": 1}),
        Special((np.zeros(3),), [0.0] * 3, {"ord": np.inf}),
        Special((np.zeros(3),), [0.0] * 3, {"ord": 3}),
        Special((np.asarray([0.0, 3.0, 4.0]),), [0.0, 0.6, 0.8], {"ord": 2.0},
                note="2-norm with a zero element: the gradient x/|x|"),
        Special((np.asarray([3.0, -3.0, 1.0]),), [0.5, -0.5, 0.0], {"ord": np.inf},
                note="ties for the max |x| share"),
    ],
    "math.reduce_euclidean_norm": [Special((np.zeros((2, 3)),), np.zeros((2, 3)))],
    "math.reduce_std": [
        Special((np.full(4, 2.0),), [0.0] * 4, note="0 where the std is 0 (a kink)"),
    ],
    "clip_by_norm": [
        Special((np.zeros(3), 1.0), [1.0] * 3, note="zero input: finite, identity"),
    ],
    "math.reduce_logsumexp": [
        Special((np.asarray([1000.0, 1000.0]),), [0.5, 0.5], note="no overflow"),
        Special((np.asarray([-1000.0, -1000.0]),), [0.5, 0.5], note="no underflow"),
    ],
}

# ---- NumPy's functions, called on tensors as users call them

NP_AXES = [None, 0, 1, -1, (0, 2)]  # the axis forms NumPy's reductions take


def with_nans(x: np.ndarray, *indices) -> np.ndarray:
    x = x.copy()
    for i in indices:
        x[i] = np.nan
    return x


def _nan_samples(make, zero_size="both") -> list[Sample]:
    """The reduction samples, plus NaNs scattered so that no group is all NaN."""
    x = make((3, 4, 2))
    return reduction(make, axes=NP_AXES, zero_size=zero_size) + [
        Sample((with_nans(x, (0, 1, 1), (2, 3, 0), (1, 0, 0)),), {"axis": 1}),
        Sample((with_nans(x, (0, 1, 1), (2, 3, 0)),), {"axis": (0, 2), "keepdims": True}),
        Sample((with_nans(make((5,)), 1, 3),)),
    ]


QUANTILE_METHODS = [
    "linear", "lower", "higher", "midpoint", "nearest", "hazen", "weibull", "median_unbiased",
    "normal_unbiased", "inverted_cdf", "averaged_inverted_cdf", "closest_observation",
    "interpolated_inverted_cdf",
]


def _quantile_samples(scale: float) -> list[Sample]:
    """np.quantile (q in [0, 1]) or np.percentile (scale 100): q a Python number or a float32
    array (so that float32 input stays float32, as NumPy), every method, axis forms."""
    out = [Sample((distinct((3, 4, 2)), 0.3 * scale), {"axis": axis, "keepdims": keepdims})
           for axis in NP_AXES for keepdims in (False, True)]
    out += [Sample((distinct((4, 5)), 0.37 * scale), {"axis": 1, "method": m})
            for m in QUANTILE_METHODS]
    qs = np.asarray([0.0, 0.15, 0.5, 0.9, 1.0], np.float32) * np.float32(scale)
    out += [
        Sample((distinct((4, 5)),), {"q": qs, "axis": 0}),
        Sample((distinct((3, 4, 2)),), {"q": qs.reshape(5, 1), "axis": (0, 2), "keepdims": True}),
        Sample((distinct((6,)),), {"q": qs, "method": "midpoint"}),
        Sample((distinct(()), 0.4 * scale)),
        Sample((noncontiguous(distinct((3, 4))), 0.6 * scale), {"axis": 1}),
        Sample((distinct((0, 3)), 0.5 * scale), {"axis": 1}),
    ]
    return out


def _average_samples() -> list[Sample]:
    w = R.uniform(0.5, 1.5, (3, 4, 2))
    return reduction(uni, axes=NP_AXES, zero_size="nonempty") + [
        Sample((uni((3, 4, 2)), None, w)),  # weights differentiable, same shape
        Sample((uni((3, 4, 2)), 1, R.uniform(0.5, 1.5, (4,)))),  # 1-d weights along axis 1
        Sample((uni((3, 4, 2)), (2, 0), R.uniform(0.5, 1.5, (2, 3))), {"keepdims": True}),
        Sample((uni((3, 4, 2)), 1, R.uniform(0.5, 1.5, (4,))), {"returned": True}),
        Sample((uni((3, 4)),), {"axis": 0, "returned": True}),
        Sample((uni((3, 4)), None, R.uniform(0.5, 1.5, (3, 4)), True)),
        Sample((noncontiguous(uni((3, 4))), -1, noncontiguous(R.uniform(0.5, 1.5, (3, 4))))),
    ]


def _diff_samples() -> list[Sample]:
    return [
        Sample((uni((3, 4, 2)),)),
        Sample((uni((3, 4, 2)), 2, 1)),
        Sample((uni((3, 4, 2)), 3, 0)),
        Sample((uni((5,)), 4)),
        Sample((noncontiguous(uni((3, 4))), 1, 0)),
        Sample((uni((0, 3)), 1, 1)),
        Sample((uni((3, 1)), 1, 1)),  # one element along the axis: an empty result
        # prepend and append differentiable: arrays, and scalars broadcast along the axis
        Sample((uni((3, 4)), 1, 1, uni((3, 2)), uni((3, 1)))),
        Sample((uni((3, 4)), 2, 0, uni(()), uni(()))),
        Sample((uni((4,)), 1, -1, uni((1,)))),
    ]


def _trapezoid_samples() -> list[Sample]:
    def points(n):
        return np.cumsum(R.uniform(0.2, 1.0, n)) - 1.0

    return [
        Sample((uni((3, 4)),)),
        Sample((uni((3, 4, 2)),), {"axis": 1}),
        Sample((uni((3, 4)),), {"dx": 0.3, "axis": 0}),
        Sample((uni((5,)), points(5))),  # sample points differentiable
        Sample((uni((3, 4)), points(3), 1.0, 0)),
        Sample((uni((3, 4)), np.sort(uni((3, 4)), axis=1))),  # points per row
        Sample((uni((3, 4)), None, np.asarray(0.7))),  # dx differentiable
        Sample((noncontiguous(uni((3, 4))),)),
        Sample((uni((0, 3)),)),
        Sample((uni((3, 1)),)),
    ]


def _gradient_samples() -> list[Sample]:
    def coords(n):
        return np.cumsum(R.uniform(0.3, 1.0, n))

    out = []
    for edge_order in (1, 2):
        out += [
            Sample((uni((5,)),), {"edge_order": edge_order}),
            Sample((uni((3, 4)),), {"edge_order": edge_order}),  # a tuple of two
            Sample((uni((3, 4, 5)), 0.5), {"axis": (0, 2), "edge_order": edge_order}),
            Sample((uni((4, 3)), coords(3)), {"axis": 1, "edge_order": edge_order}),
            Sample((uni((4, 3)), coords(4)), {"axis": 0, "edge_order": edge_order},
                   static=(1,)),
            Sample((uni((4, 3)), np.asarray(0.7)), {"axis": -1, "edge_order": edge_order}),
            Sample((uni((3, 4)), 2.0, coords(4)), {"edge_order": edge_order}),
            Sample((noncontiguous(uni((3, 4))),), {"axis": 0, "edge_order": edge_order}),
        ]
    out.append(Sample((uni((2, 3)),), {"axis": 0}))  # two points: one-sided differences only
    out.append(Sample((uni((3, 0)),), {"axis": 0}))
    return out


def _cumulative_samples(make) -> list[Sample]:
    out = []
    for axis in (0, 1, -1):
        for include_initial in (False, True):
            out.append(Sample((make((3, 4)),), {"axis": axis, "include_initial": include_initial}))
    out += [
        Sample((make((5,)),)),
        Sample((make((5,)),), {"include_initial": True}),
        Sample((make(()),)),
        Sample((noncontiguous(make((2, 3))),), {"axis": 1}),
        Sample((make((0, 3)),), {"axis": 0, "include_initial": True}),
    ]
    return out


SAMPLES.update({
    "np.ptp": reduction(distinct, axes=NP_AXES, zero_size="nonempty"),
    "np.nansum": _nan_samples(uni),
    "np.nanprod": _nan_samples(mag) + [Sample((with_zeros(with_nans(mag((5,)), 1), 3),))],
    "np.nanmean": _nan_samples(uni, zero_size="nonempty"),
    "np.nanmax": _nan_samples(distinct, zero_size="nonempty"),
    "np.nanmin": _nan_samples(distinct, zero_size="nonempty"),
    "np.median": reduction(distinct, axes=NP_AXES, zero_size="nonempty")
    + [Sample((distinct((4, 6)),), {"axis": 1}), Sample((distinct((7,)),))],
    "np.quantile": _quantile_samples(1.0),
    "np.percentile": _quantile_samples(100.0)[:12],
    "np.average": _average_samples(),
    "np.diff": _diff_samples(),
    "np.ediff1d": [
        Sample((uni((3, 4)),)),
        Sample((uni((5,)), uni((2,)), uni(()))),  # to_end, to_begin differentiable
        Sample((uni((2, 3)),), {"to_begin": 0.5, "to_end": [1.0, 2.0]}),
        Sample((uni(()),)),
        Sample((uni((0,)), uni((1,)))),
    ],
    "np.trapezoid": _trapezoid_samples(),
    "np.gradient": _gradient_samples(),
})
if hasattr(np, "cumulative_sum"):  # NumPy >= 2.1
    SAMPLES["np.cumulative_sum"] = _cumulative_samples(uni)
    SAMPLES["np.cumulative_prod"] = _cumulative_samples(mag)

SPECIAL.update({
    "np.ptp": [
        Special((np.asarray([1.0, 3.0, 3.0, 1.0, 2.0]),), [-0.5, 0.5, 0.5, -0.5, 0.0],
                note="ties for the max and for the min share, as reduce_max"),
    ],
    "np.nanmax": [
        Special((np.asarray([1.0, np.nan, 3.0, 3.0]),), [0.0, 0.0, 0.5, 0.5],
                note="NaN gets 0; ties share"),
    ],
    "np.nanmin": [
        Special((np.asarray([1.0, np.nan, 1.0, 3.0]),), [0.5, 0.0, 0.5, 0.0],
                note="NaN gets 0; ties share"),
    ],
    "np.nansum": [Special((np.asarray([1.0, np.nan, 2.0]),), [1.0, 0.0, 1.0])],
    "np.nanmean": [
        Special((np.asarray([1.0, np.nan, 2.0, 4.0]),), [1 / 3, 0.0, 1 / 3, 1 / 3]),
    ],
    "np.nanprod": [Special((np.asarray([2.0, np.nan, 3.0]),), [3.0, 0.0, 2.0])],
    "np.median": [
        Special((np.asarray([1.0, 2.0, 2.0]),), [0.0, 0.5, 0.5], note="tied medians share"),
        Special((np.asarray([3.0, 1.0, 3.0, 2.0]),), [0.25, 0.0, 0.25, 0.5],
                note="half to each middle rank; the tied 3s share theirs"),
        Special((np.asarray([5.0, 5.0, 5.0, 5.0]),), [0.25] * 4, note="all tied"),
    ],
    "np.quantile": [
        Special((np.asarray([4.0, 1.0, 2.0, 2.0, 3.0]), 0.3), [0.0, 0.0, 0.5, 0.5, 0.0],
                note="rank 1.2 lies between the tied 2s: they share"),
        Special((np.asarray([4.0, 1.0, 2.0, 3.0, 5.0]), 0.3), [0.0, 0.0, 0.8, 0.2, 0.0],
                note="linear: 0.8 to rank 1, 0.2 to rank 2"),
    ],
})
