"""The op sweep on complex values: every sample of the op sweep again, with complex inputs.

Each sample's differentiable arguments get imaginary parts (all of them, and, for ops of
several arguments, the first alone beside real ones). Then either

- NumPy does not define the op on complex values (the plain call raises): skipped;
- the op refuses to differentiate complex values with the error that names the fix; or
- reverse and forward mode, to second order, agree with central finite differences along
  complex directions (real and imaginary parts both move), in TensorFlow's convention
  (:func:`tape.check_gradients`), and the value is NumPy's.

The ops in :data:`MUST_DIFFERENTIATE` must not refuse.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import tape
from tests.samples import Sample, load, resolve

SAMPLES, _ = load()
STATS: Counter = Counter()

REFUSAL = "has no gradient rule for complex values"


def _complexified(sample: Sample, which: str, seed: int) -> list[np.ndarray]:
    """The sample's differentiable arrays, with imaginary parts on all (``"all"``) or on
    the first only (``"first"``)."""
    rng = np.random.default_rng(seed)
    if sample.complexify is not None:
        return sample.complexify([np.asarray(a, np.float64) for a in sample.diff_values()], rng)
    out = []
    for k, a in enumerate(sample.diff_values()):
        a = np.asarray(a, dtype=np.float64)
        if which == "all" or k == 0:
            a = a + 0.5j * rng.uniform(0.2, 1.0, a.shape) * rng.choice([-1.0, 1.0], a.shape)
        out.append(a)
    return out


CASES = [
    pytest.param(name, sample, which, id=f"{name}[{i}]-{which}")
    for name, items in sorted(SAMPLES.items())
    for i, sample in enumerate(items)
    if sample.diff_values()
    for which in (("all", "first") if len(sample.diff_values()) > 1 else ("all",))
]

# Ops whose complex derivatives the scientific stack needs: they must differentiate, not
# refuse, on every sample NumPy computes.
MUST_DIFFERENTIATE = {
    *(f"math.{n}" for n in """add subtract multiply divide negative square sqrt rsqrt exp
      expm1 log log1p sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh pow
      reciprocal abs conj real imag angle reduce_sum reduce_mean reduce_prod cumsum
      cumprod""".split()),
    "reshape", "transpose", "concat", "stack", "tile", "pad", "gather", "matmul",
    "einsum", "linalg.inv", "linalg.det", "linalg.solve", "linalg.eig", "linalg.eigvals",
    "linalg.eigh", "linalg.eigvalsh", "linalg.svd", "linalg.slogdet", "linalg.cholesky",
    "linalg.qr", "linalg.pinv", "np.linalg.eig", "np.linalg.eigvals", "math.sigmoid",
    "np.vdot",
    "np.fft.fft", "np.fft.ifft", "np.fft.rfft", "np.fft.irfft", "np.fft.fftn", "np.fft.ifftn",
    "np.fft.hfft", "np.fft.ihfft", "np.fft.rfftn", "np.fft.irfftn",
}
if "scipy.linalg.expm" in SAMPLES:  # (SciPy's samples are there when SciPy is installed)
    MUST_DIFFERENTIATE |= {"scipy.linalg.expm", "scipy.linalg.solve_triangular",
                           "scipy.linalg.solve_sylvester", "scipy.signal.convolve",
                           "scipy.signal.correlate"}


def _call(name: str, sample: Sample, values: list):
    return resolve(name)(*sample.with_values(values), **sample.kwargs)


def _outputs(out) -> list:
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _inexact(o) -> bool:
    return isinstance(o, tape.Tensor) and o.dtype.kind in "fc"


@pytest.mark.parametrize(("name", "sample", "which"), CASES)
def test_complex_derivatives_match_finite_differences(name, sample, which) -> None:
    xs = _complexified(sample, which, seed=len(name))
    try:
        plain = _call(name, sample, [tape.constant(x) for x in xs])
    except (TypeError, ValueError, np.linalg.LinAlgError):
        pytest.skip("not defined on complex values")
    # NumPy's own value on the arrays (not where the sample declares a symmetric matrix
    # Hermitian, which with imaginary parts it no longer is)
    if name.startswith("np.") and not sample.kwargs.get("hermitian"):
        try:
            expected = _outputs(_call(name, sample, xs))
        except (TypeError, ValueError, ArithmeticError):
            expected = None
        if expected is not None:
            for o, e in zip(_outputs(plain), expected):
                if isinstance(o, tape.Tensor):
                    np.testing.assert_allclose(o.numpy(), e, rtol=1e-12, atol=1e-12)
    if not any(_inexact(o) for o in _outputs(plain)):
        pytest.skip("no inexact output")

    def f(*ts):
        return [o for o in _outputs(_call(name, sample, list(ts))) if _inexact(o)]

    srcs = [tape.constant(x) for x in xs]
    try:
        with tape.GradientTape() as t:
            t.watch(srcs)
            f(*srcs)
    except TypeError as e:
        if REFUSAL not in str(e):
            raise
        assert name not in MUST_DIFFERENTIATE, f"{name} refuses complex values: {e}"
        STATS["refused"] += 1
        return
    tape.check_gradients(f, xs, order=min(sample.order, 2), modes=sample.modes,
                         rtol=max(sample.rtol, 1e-5), atol=max(sample.atol, 1e-6))
    STATS[f"op:{name}"] = 1


def test_the_ops_that_must_differentiate_have_samples() -> None:
    missing = sorted(n for n in MUST_DIFFERENTIATE if n not in SAMPLES)
    assert not missing, f"no samples for {missing}"
