"""The op sweep through ``tape.function``: for every op and sample, a compiled function that
computes the op and its gradient (a fixed cotangent, the sweep inside the function) gives
bit for bit what the same function gives eagerly -- on the inputs it was traced with, and on
other inputs of the same shapes, which run the generated code (or retrace, where a value
steered Python)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tape
from tests.samples import Sample
from tests.test_op_sweep import CASES, _call, _diff_arrays, _is_float, _outputs


def _program(name: str, sample: Sample):
    def program(*srcs):
        srcs = list(srcs)
        with tape.GradientTape() as t:
            t.watch(srcs)
            outs = [o for o in _outputs(_call(name, sample, srcs)) if _is_float(o)]
        # a cotangent that depends on the values (so that gradients of linear ops do too)
        us = [tape.cos(tape.stop_gradient(o) + 0.5) for o in outs]
        grads = t.gradient(outs, srcs, output_gradients=us,
                           unconnected_gradients="zero") if outs else []
        grads = [tape.convert_to_tensor(g) if isinstance(g, tape.IndexedSlices) else g
                 for g in grads]
        return outs, grads

    return program


def _values(result) -> list:
    outs, grads = result
    return [np.asarray(t.numpy()) for t in list(outs) + list(grads)]


def _assert_same(got: list, want: list) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        assert np.array_equal(g, w, equal_nan=True), (g, w)


def _moved(x: np.ndarray, k: int) -> np.ndarray:
    """Other inputs of the same shape and dtype (integers and booleans as they are): for
    k = 1 each value moved by a small relative step; for k = 2 the values in reverse order,
    which changes which is largest, their order and any choice made from them."""
    if x.dtype.kind != "f":
        return x
    if k == 2:
        return x.reshape(-1)[::-1].reshape(x.shape).copy()
    step = 1e-3 * np.cos(np.arange(x.size) + k).reshape(x.shape)
    return x * (1 + step) + step * 1e-3


@pytest.mark.parametrize(("name", "sample"), CASES)
def test_compiled_op_and_gradient_equal_eager_bit_for_bit(name: str, sample: Sample) -> None:
    xs = _diff_arrays(sample)
    program = _program(name, sample)
    compiled = tape.function(program)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's, at singular samples
        for k in range(3):  # the trace, then the generated code on two other inputs
            inputs = [tape.constant(x if k == 0 else _moved(x, k)) for x in xs]
            try:
                want = _values(program(*inputs))
            except (ValueError, np.linalg.LinAlgError, FloatingPointError):
                continue
            _assert_same(_values(compiled(*inputs)), want)
