"""Helpers shared by the tests of the tape API: float64 tensors, the thread's tape stack, and a
check of a function's value and vector-Jacobian product against NumPy and finite differences."""

from __future__ import annotations

import numpy as np

import tape
from tape import GradientTape
from tape import _tensor as tape_internals


def f64(value) -> tape.Tensor:
    """A float64 tensor."""
    return tape.constant(np.asarray(value, dtype=np.float64))


def recording() -> list:
    """The tapes recording on this thread (the engine's thread-local stack)."""
    return list(tape_internals.STATE.recording)


def assert_vjp(fn, args, numerical_gradient, rng, np_fn=None, rtol=1e-6, atol=1e-7):
    """Check ``fn`` on float64 tensors against NumPy: its value, and the vector-Jacobian
    product for a random cotangent (passed as ``output_gradients``) against central
    differences of ``np_fn`` (``fn`` itself, run on plain ndarrays, when not given)."""
    np_fn = fn if np_fn is None else np_fn
    args = [np.asarray(a, dtype=np.float64) for a in args]
    xs = [f64(a) for a in args]
    with GradientTape() as t:
        t.watch(xs)
        y = fn(*xs)
    expected = np.asarray(np_fn(*args))
    assert isinstance(y, tape.Tensor)
    assert y.shape == expected.shape
    assert y.dtype == tape.float64
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12, atol=1e-12)
    v = rng.normal(size=expected.shape)
    grads = t.gradient(y, xs, output_gradients=f64(v))
    reference = numerical_gradient(np_fn, args, weights=v)
    for g, ref, x in zip(grads, reference, xs):
        assert g is not None
        assert g.shape == x.shape
        assert g.dtype == tape.float64
        np.testing.assert_allclose(g.numpy(), ref, rtol=rtol, atol=atol)
