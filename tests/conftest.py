"""Shared test helpers: an independent reference for gradients.

``central_difference`` differentiates a plain NumPy function numerically, in float64. It never
calls tape, so a gradient computed by tape can be checked against it without comparing the
library with itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest

import tape
import tape._tape
from tape import GradientTape


def central_difference(
    f: Callable[..., np.ndarray],
    args: Sequence[np.ndarray],
    weights: np.ndarray | None = None,
    eps: float = 1e-6,
) -> list[np.ndarray]:
    """Gradients of ``sum(weights * f(*args))`` with respect to each of ``args``.

    ``f`` must be written with plain NumPy. Without ``weights`` this is the gradient of
    ``sum(f(*args))``; with them, the vector-Jacobian product ``weights @ J``. Every element of
    every argument is perturbed by ``+-eps`` (central differences, error O(eps**2)).
    """
    xs = [np.array(a, dtype=np.float64) for a in args]

    def scalar(*values: np.ndarray) -> float:
        out = np.asarray(f(*values), dtype=np.float64)
        return float(np.sum(out if weights is None else out * weights))

    grads = []
    for x in xs:
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            orig = x[idx]
            x[idx] = orig + eps
            up = scalar(*xs)
            x[idx] = orig - eps
            down = scalar(*xs)
            x[idx] = orig
            g[idx] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


@pytest.fixture
def numerical_gradient() -> Callable[..., list[np.ndarray]]:
    """The central-difference reference (see :func:`central_difference`)."""
    return central_difference


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator: every run draws the same test inputs."""
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _no_tape_left_active():
    """Every test must leave the thread's tape stack as it found it (empty)."""
    from tape import _tensor as _tape

    assert _tape.STATE.recording == []
    yield
    leaked = list(_tape.STATE.recording)
    _tape.STATE.recording.clear()
    assert leaked == [], f"a test left {len(leaked)} tape(s) recording"



def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """After a run that included the op sweep, say what it covered."""
    import sys

    sweep = next((m for k, m in sys.modules.items() if k.endswith("test_op_sweep")), None)
    if sweep is None or not getattr(sweep, "STATS", None):
        return
    ops = sorted(k[3:] for k in sweep.STATS if k.startswith("op:"))
    terminalreporter.write_line(
        f"op sweep: {len(ops)} ops covered, {len(sweep.CASES)} samples, "
        f"{len(sweep.SPECIAL_CASES)} special points, {sweep.STATS['checks']} checks run"
    )


@pytest.fixture(params=["plain", "under_outer_tape"])
def mode(request, monkeypatch):
    """Run a test as it is, and again inside an outer recording tape with gradient() made to
    run its rules on tensors (as when the outer tape watches what it differentiates): both
    must give the same values."""
    if request.param == "plain":
        yield request.param
    else:
        monkeypatch.setattr(tape._tape, "_taping", lambda entries, seeds: True)
        with GradientTape():
            yield request.param
