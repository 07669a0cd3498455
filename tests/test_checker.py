"""The gradient checker tests itself: planted bugs must make it fail."""

from __future__ import annotations

import numpy as np
import pytest

import tape
import tape._sweep as engine
from tape.ops import elementwise as ew

X = np.linspace(0.3, 1.7, 6).reshape(2, 3)
B = np.array([0.5, -1.0, 2.0])


def _plant(monkeypatch, op, *vjps):
    monkeypatch.setattr(op.prim, "vjps", vjps)
    monkeypatch.setattr(op.prim, "jvps", vjps)


def test_correct_rules_pass() -> None:
    tape.check_gradients(lambda x, b: tape.sin(x) * b, [X, B], order=2)


def test_scaled_gradient_is_caught(monkeypatch) -> None:
    _plant(monkeypatch, ew.sin, lambda g, ans, x: 1.001 * g * np.cos(x))
    with pytest.raises(tape.GradientCheckError, match="reverse mode, order 1"):
        tape.check_gradients(tape.sin, [X], modes=("rev",))
    with pytest.raises(tape.GradientCheckError, match="forward mode, order 1"):
        tape.check_gradients(tape.sin, [X], modes=("fwd",))


def test_wrong_second_derivative_is_caught(monkeypatch) -> None:
    # cos(x) replaced by a function with the right value but the wrong derivative at X
    _plant(monkeypatch, ew.sin, lambda g, ans, x: g * (np.cos(x) + 1e-2 * np.sin(x - X)))
    tape.check_gradients(tape.sin, [X], order=1)  # first order still right at X
    with pytest.raises(tape.GradientCheckError, match="order 2"):
        tape.check_gradients(tape.sin, [X], order=2)


def test_missing_unbroadcast_is_caught(monkeypatch) -> None:
    monkeypatch.setattr(engine, "fit", lambda g, x: g)
    with pytest.raises(tape.GradientCheckError):
        tape.check_gradients(lambda x, b: x * b, [X, B], modes=("rev",))


def test_nan_gradient_is_caught(monkeypatch) -> None:
    _plant(monkeypatch, ew.sin, lambda g, ans, x: g * np.cos(x) * np.nan)
    with pytest.raises(tape.GradientCheckError):
        tape.check_gradients(tape.sin, [X], modes=("rev",))


def test_report_names_argument_order_and_size(monkeypatch) -> None:
    _plant(monkeypatch, ew.multiply, lambda g, ans, x, y: g * y, lambda g, ans, x, y: 2 * g * x)
    with pytest.raises(tape.GradientCheckError, match=r"order 1, argument 1: .*off by"):
        tape.check_gradients(lambda x, b: x * b, [X, B], modes=("rev",))
