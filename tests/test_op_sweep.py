"""The op sweep: every differentiable op, on every declared sample, checked automatically.

For each (op, sample): reverse and forward mode against central finite differences in float64,
to second order through nested tapes; float32 against float64; gradient shape, dtype and
memory; a zero cotangent; determinism; inputs left unmutated. Declared conventions at special
points are checked separately, and binary ops on hypothesis-drawn broadcastable shapes.
"""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, mutually_broadcastable_shapes

import tape
from tape.ops import exported
from tests.samples import Sample, load, resolve

SAMPLES, SPECIALS = load()
STATS: Counter = Counter()

CASES = [
    pytest.param(name, sample, id=f"{name}[{i}]")
    for name, items in sorted(SAMPLES.items())
    for i, sample in enumerate(items)
]
SPECIAL_CASES = [
    pytest.param(name, special, id=f"{name}[special{i}]")
    for name, items in sorted(SPECIALS.items())
    for i, special in enumerate(items)
]


def _call(name: str, sample: Sample, diff_values: list):
    """Call the op with the differentiable arguments replaced by ``diff_values``."""
    return resolve(name)(*sample.with_values(diff_values), **sample.kwargs)


def _diff_arrays(sample: Sample, dtype=np.float64) -> list[np.ndarray]:
    return [np.asarray(a, dtype=dtype) for a in sample.diff_values()]


def _outputs(out) -> list:
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _is_float(t) -> bool:
    """A differentiable result: floating, or complex (a transform of a real signal), whose
    derivatives follow TensorFlow's convention."""
    return isinstance(t, tape.Tensor) and t.dtype.kind in "fc"


def _random(rng, shape, dtype):
    """Random values of ``dtype``: with imaginary parts for a complex one."""
    u = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        u = u + 1j * rng.standard_normal(shape)
    return u.astype(dtype)


def _grads(name: str, sample: Sample, xs: list, cotangents=None, seed: int = 1):
    """Gradients of <u, op(xs)> for a random (or given) cotangent u; also returns u."""
    srcs = [tape.constant(x) for x in xs]
    with tape.GradientTape() as t:
        t.watch(srcs)
        outs = [o for o in _outputs(_call(name, sample, srcs)) if _is_float(o)]
    if cotangents is None:
        rng = np.random.default_rng(seed)
        cotangents = [_random(rng, o.shape, o.dtype) for o in outs]
    us = [tape.constant(u) for u in cotangents]
    grads = t.gradient(outs, srcs, output_gradients=us, unconnected_gradients="zero")
    grads = [tape.convert_to_tensor(g) if isinstance(g, tape.IndexedSlices) else g for g in grads]
    return srcs, grads, us, cotangents


@pytest.mark.parametrize(("name", "sample"), CASES)
def test_derivatives_match_finite_differences(name: str, sample: Sample) -> None:
    """Checks 1 and 2: reverse and forward mode, to ``sample.order``, against finite
    differences (float64, random projections <u, J v>)."""
    if name in NO_GRADIENT:
        _check_no_gradient(name, sample)
        return
    xs = _diff_arrays(sample)
    out = _outputs(_call(name, sample, [tape.constant(x) for x in xs]))
    if not xs or not any(_is_float(o) for o in out):
        _check_not_differentiable(name, sample)
        return
    def f(*ts):
        return [o for o in _outputs(_call(name, sample, list(ts))) if _is_float(o)]

    def head(*ts):  # a nonlinear head, so that rules are checked in the cotangent too
        return [tape.sin(o) for o in f(*ts)]

    tol = {"rtol": sample.rtol, "atol": sample.atol, "modes": sample.modes}
    tape.check_gradients(f, xs, order=1, **tol)
    if sample.order > 1:
        tape.check_gradients(head, xs, order=sample.order, **tol)
    STATS[f"op:{name}"] = 1
    STATS["checks"] += sample.order * len(sample.modes)


NO_GRADIENT = {"stop_gradient"}  # float in, float out, and by definition no gradient


def _check_no_gradient(name: str, sample: Sample) -> None:
    """The value passes through unchanged and the gradient is None."""
    x = tape.constant(np.asarray(sample.args[0], dtype=np.float64))
    with tape.GradientTape() as t:
        t.watch(x)
        y = resolve(name)(x, *sample.args[1:], **sample.kwargs)
    np.testing.assert_array_equal(y.numpy(), x.numpy())
    assert t.gradient(y, x) is None
    STATS[f"op:{name}"] = 1
    STATS["checks"] += 1


def _check_not_differentiable(name: str, sample: Sample) -> None:
    """Integer and boolean results carry no gradient: sources get None. (An op with no float
    argument at all, such as one_hot, has nothing to differentiate: its values are checked by
    its own tests.)"""
    srcs = [tape.constant(a) for a in _diff_arrays(sample)]
    if not srcs:
        return
    with tape.GradientTape() as t:
        t.watch(srcs)
        outs = _outputs(_call(name, sample, srcs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grads = t.gradient(outs, srcs)
    assert all(g is None for g in grads), f"{name}: a non-float result passed a gradient"
    STATS[f"op:{name}"] = 1
    STATS["checks"] += 1


def _differentiable_cases():
    for param in CASES:
        name, sample = param.values
        xs = _diff_arrays(sample)
        if xs:
            yield param


DIFF_CASES = list(_differentiable_cases())


@pytest.mark.parametrize(("name", "sample"), DIFF_CASES)
def test_float32_agrees_with_float64_and_stays_float32(name: str, sample: Sample) -> None:
    """Check 3."""
    x64 = _diff_arrays(sample)
    out64 = _outputs(_call(name, sample, [tape.constant(x) for x in x64]))
    if not any(_is_float(o) for o in out64):
        pytest.skip("no float output")
    x32 = _diff_arrays(sample, np.float32)
    out32 = _outputs(_call(name, sample, [tape.constant(x) for x in x32]))
    for o32, o64 in zip(out32, out64):
        if _is_float(o64):
            single = np.complex64 if o64.dtype.kind == "c" else np.float32
            assert o32.dtype == single, f"{name}: float32 inputs gave {o32.dtype}"
            np.testing.assert_allclose(o32.numpy(), o64.numpy(), rtol=2e-3, atol=2e-4)
    _, g64, _, us = _grads(name, sample, x64)
    _, g32, _, _ = _grads(name, sample, x32,
                          [u.astype(np.complex64 if u.dtype.kind == "c" else np.float32)
                           for u in us])
    for a, b in zip(g32, g64):
        assert a.dtype == np.float32
        scale = max(1.0, float(np.max(np.abs(b.numpy()), initial=0.0)))
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=2e-3, atol=2e-4 * scale)
    STATS["checks"] += 1


@pytest.mark.parametrize(("name", "sample"), DIFF_CASES)
def test_gradient_shape_dtype_memory_zero_determinism(name: str, sample: Sample) -> None:
    """Checks 4 and 5."""
    xs = _diff_arrays(sample)
    if not any(_is_float(o) for o in _outputs(_call(name, sample, [tape.constant(x) for x in xs]))):
        pytest.skip("no float output")
    before = [x.copy() for x in xs]
    srcs, grads, us, cot = _grads(name, sample, xs)
    for x, b in zip(xs, before):
        np.testing.assert_array_equal(x, b, err_msg=f"{name} mutated its input")
    for s, g in zip(srcs, grads):
        assert g.shape == s.shape and g.dtype == s.dtype
        for other in [*srcs, *us]:
            assert not np.shares_memory(g._value, other._value), (
                f"{name}: a gradient shares memory with an input or a cotangent"
            )
    _, again, _, _ = _grads(name, sample, xs, cot)
    for g, h in zip(grads, again):
        np.testing.assert_array_equal(g.numpy(), h.numpy(), err_msg=f"{name}: not deterministic")
    _, zero, _, _ = _grads(name, sample, xs, [np.zeros_like(u) for u in cot])
    for z in zero:
        assert np.all(z.numpy() == 0), f"{name}: a zero cotangent gave a nonzero gradient"
    STATS["checks"] += 3


@pytest.mark.parametrize(("name", "special"), SPECIAL_CASES)
def test_special_points(name: str, special) -> None:
    """Check 6: declared conventions at non-differentiable points, finite gradients."""
    x = tape.constant(np.asarray(special.args[0], dtype=np.float64))
    with tape.GradientTape() as t:
        t.watch(x)
        y = resolve(name)(x, *special.args[1:], **special.kwargs)
        total = tape.reduce_sum(y)
    g = t.gradient(total, x).numpy()
    assert np.all(np.isfinite(g)), f"{name}: non-finite gradient at a special point"
    np.testing.assert_allclose(g, special.expected, rtol=1e-7, atol=1e-12, err_msg=special.note)
    STATS["checks"] += 1


CORE_GROUPS = ("elementwise", "reductions", "shape", "linalg", "nn")


def test_every_exported_op_has_samples() -> None:
    """The meta-test: an op without samples would go unchecked."""
    missing = []
    for group in CORE_GROUPS:
        for name, op in exported(group).items():
            if not callable(op):
                continue
            prefix = {"elementwise": "math.", "reductions": "math.", "linalg": "linalg.",
                      "nn": "nn.", "shape": ""}[group]
            candidates = {name, prefix + name, "math." + name, "nn." + name, "linalg." + name}
            if not candidates & SAMPLES.keys():
                missing.append(f"{group}.{name}")
    assert not missing, f"ops without samples: {missing}"


BINARY = {
    "math.add": (-2.0, 2.0),
    "math.subtract": (-2.0, 2.0),
    "math.multiply": (-2.0, 2.0),
    "math.divide": (0.5, 2.0),
    "math.pow": (0.5, 2.0),
}
BINARY.update({k: v for k, v in {
    "math.maximum": (-2.0, 2.0), "math.minimum": (-2.0, 2.0), "math.atan2": (0.5, 2.0),
    "math.squared_difference": (-2.0, 2.0), "math.logaddexp": (-2.0, 2.0),
}.items() if hasattr(tape.math, k.split(".")[1])})


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_binary_ops_on_broadcast_shapes(name: str, data) -> None:
    """Binary ops on hypothesis-drawn mutually broadcastable shapes."""
    lo, hi = BINARY[name]
    shapes = data.draw(mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    elems = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    xs = [data.draw(arrays(np.float64, s, elements=elems)) for s in shapes.input_shapes]
    if name in ("math.maximum", "math.minimum") and np.any(
        np.abs(np.subtract(*np.broadcast_arrays(*xs))) < 1e-3
    ):
        return  # ties are a declared convention, checked as special points
    tape.check_gradients(resolve(name), xs, order=1)
    STATS["checks"] += 1


def test_sweep_covers_samples() -> None:
    assert len(SAMPLES) > 0 and len(CASES) >= len(SAMPLES)


@pytest.mark.parametrize(("name", "sample"), DIFF_CASES)
def test_values_a_tape_drops_are_never_needed(name: str, sample: Sample, monkeypatch) -> None:
    """With every unread array dropped (not only large ones), a non-persistent tape (which
    keeps only what its rules read) gives exactly the gradients of a persistent one (which
    keeps everything), for every operand watched alone and all together."""
    import tape._record as engine

    monkeypatch.setattr(engine, "_DROP_SIZE", 0)
    xs = _diff_arrays(sample)
    if not any(_is_float(o) for o in _outputs(_call(name, sample, [tape.constant(x) for x in xs]))):
        pytest.skip("no float output")
    subsets = [list(range(len(xs)))] + ([[k] for k in range(len(xs))] if len(xs) > 1 else [])
    for watched in subsets:
        results = []
        for persistent in (False, True):
            srcs = [tape.constant(x) for x in xs]
            with tape.GradientTape(persistent=persistent) as t:
                t.watch([srcs[k] for k in watched])
                outs = [o for o in _outputs(_call(name, sample, srcs)) if _is_float(o)]
            us = [tape.constant(np.full(o.shape, 0.5, dtype=o.dtype)) for o in outs]
            grads = t.gradient(outs, [srcs[k] for k in watched], output_gradients=us,
                               unconnected_gradients="zero")
            results.append([np.asarray(g) for g in grads])
        for kept, full in zip(*results):
            np.testing.assert_array_equal(kept, full)
    STATS["checks"] += 1


@pytest.mark.parametrize(("indices", "depth", "kwargs"), [
    ([0, 2, -1, 1], 3, {}),
    ([[0, 2], [1, 5]], 3, {"axis": 1, "on_value": 2.0, "off_value": -1.0}),
    (1, 4, {}),
])
def test_one_hot_values_against_numpy(indices, depth, kwargs):
    """one_hot has no float argument, so the sweep has nothing to differentiate: its values
    are checked here against NumPy (an out-of-range index gives an all-off row)."""
    on, off = kwargs.get("on_value", 1.0), kwargs.get("off_value", 0.0)
    idx = np.asarray(indices)
    expected = np.where(idx[..., None] == np.arange(depth), on, off).astype(np.float32)
    if "axis" in kwargs:
        expected = np.moveaxis(expected, -1, kwargs["axis"])
    out = tape.one_hot(indices, depth, **kwargs)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), expected)
