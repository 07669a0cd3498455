"""Gradients *through* a batched call: for every op of the sweep, a ``GradientTape`` around
``tape.vmap(op)`` records the batched call as one op, whose gradient is the batched VJP; it
agrees with the gradients of a loop over the examples, which the op sweep checks against
central differences. Apart from the ops whose rules read values to choose (sorting, medians,
pooling's maxima, rank cut-offs: :data:`STEERED`), where examples may differ, the batched call
must not fall back to the loop."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tape
from tape import functional
from tests.samples import Sample
from tests.test_function_sweep import _moved
from tests.test_op_sweep import CASES, _call, _diff_arrays, _is_float, _outputs

#: Ops whose gradient (or forward) rule reads values in Python: a batch of examples that
#: steer it differently runs once per example.
STEERED = {
    "argsort", "linalg.eig", "linalg.eigh", "linalg.eigvals", "linalg.norm", "linalg.pinv",
    "linalg.svd", "nn.dropout", "np.linalg.eig", "np.linalg.eigvals",
    "nn.max_pool", "nn.max_pool1d", "nn.max_pool2d", "norm", "np.gradient", "np.interp",
    "np.linalg.cond", "np.linalg.eigh", "np.linalg.matrix_norm", "np.linalg.norm",
    "np.linalg.pinv", "np.median", "np.partition", "np.percentile", "np.quantile", "np.sort",
    "sort",
}


def _loss(name: str, sample: Sample, xs: list) -> tape.Tensor:
    """A scalar of the op's float outputs, with weights that depend on the position."""
    outs = [o for o in _outputs(_call(name, sample, list(xs))) if _is_float(o)]
    total = tape.constant(0.0, dtype=tape.float64)
    for o in outs:
        w = np.cos(np.arange(int(np.prod(o.shape)))).reshape(o.shape) + 0.5
        total = total + tape.reduce_sum(tape.cast(o, tape.float64) * w)
    return total


@pytest.mark.parametrize(("name", "sample"), CASES)
def test_gradients_through_a_batched_op_agree_with_a_loop(name: str, sample: Sample,
                                                          monkeypatch) -> None:
    xs = _diff_arrays(sample)
    if not xs:
        pytest.skip("no differentiable argument")
    examples = [[x if k == 0 else _moved(x, k) for x in xs] for k in range(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's at singular samples
        want = []
        try:
            for ex in examples:
                srcs = [tape.constant(x) for x in ex]
                with tape.GradientTape() as t:
                    t.watch(srcs)
                    loss = _loss(name, sample, srcs)
                want.append(t.gradient(loss, srcs, unconnected_gradients="zero"))
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            pytest.skip("an example outside the op's domain")
        batch = [tape.constant(np.stack([ex[i] for ex in examples])) for i in range(len(xs))]
        looped = []
        loop = functional._looped
        monkeypatch.setattr(functional, "_looped", lambda *a: looped.append(1) or loop(*a))
        with tape.GradientTape() as t:
            t.watch(batch)
            losses = tape.vmap(lambda *v: _loss(name, sample, v))(*batch)
            total = tape.reduce_sum(losses)
        got = t.gradient(total, batch, unconnected_gradients="zero")
    assert not looped or name in STEERED
    for i, g in enumerate(got):
        expected = np.stack([tape.convert_to_tensor(w[i]).numpy() for w in want])
        np.testing.assert_allclose(tape.convert_to_tensor(g).numpy(), expected,
                                   rtol=1e-9, atol=1e-12, equal_nan=True)
