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


# ---------------------------------------------------------------- the result it returns


def test_result_has_an_error_for_each_order_mode_and_argument() -> None:
    result = tape.check_gradients(lambda x, b: tape.sin(x) * b, [X, B], order=2)
    assert isinstance(result, tape.testing.GradientCheckResult)
    assert result.passed and bool(result) and result.failures == ()
    assert set(result.errors) == {
        (o, m, a) for o in (1, 2) for m in ("rev", "fwd") for a in (0, 1)
    }
    assert all(0 <= e < 1e-6 for e in result.errors.values())
    assert result.max_error() == max(result.errors.values())
    assert result.max_error(order=2, mode="fwd", argument=1) == result.errors[2, "fwd", 1]
    assert result.max_error(order=3) == 0.0  # nothing compared at order 3
    assert (result.rtol, result.atol) == (1e-5, 1e-6)


def test_only_the_modes_asked_for_are_in_the_result() -> None:
    result = tape.check_gradients(tape.sin, [X], order=3, modes=("rev",))
    assert sorted(result.errors) == [(1, "rev", 0), (2, "rev", 0), (3, "rev", 0)]


def test_the_wrong_argument_has_the_large_error(monkeypatch) -> None:
    # d(x*b)/db planted as 2x: the rule of argument 0 is still right
    _plant(monkeypatch, ew.multiply, lambda g, ans, x, y: g * y, lambda g, ans, x, y: 2 * g * x)
    result = tape.check_gradients(lambda x, b: x * b, [X, B], order=1, modes=("rev",),
                                  raise_on_failure=False)
    assert not result.passed and not result
    assert result.errors[1, "rev", 0] < 1e-8
    assert result.errors[1, "rev", 1] > 1e-2
    assert result.max_error(argument=1) == result.errors[1, "rev", 1]
    assert len(result.failures) == 1 and "argument 1" in result.failures[0]


def test_the_raised_error_carries_the_result(monkeypatch) -> None:
    _plant(monkeypatch, ew.sin, lambda g, ans, x: 1.001 * g * np.cos(x))
    with pytest.raises(tape.GradientCheckError, match="reverse mode, order 1, argument 0") as info:
        tape.check_gradients(tape.sin, [X], modes=("rev",))
    returned = tape.check_gradients(tape.sin, [X], modes=("rev",), raise_on_failure=False)
    assert info.value.result == returned
    assert str(info.value) == returned.failures[0]


def test_orders_above_a_failing_one_are_not_compared(monkeypatch) -> None:
    _plant(monkeypatch, ew.sin, lambda g, ans, x: 1.001 * g * np.cos(x))
    result = tape.check_gradients(tape.sin, [X], order=3, raise_on_failure=False)
    assert sorted(result.errors) == [(1, "fwd", 0), (1, "rev", 0)]
    # both modes of the failing order are compared, and both fail
    assert [m[:12] for m in result.failures] == ["forward mode", "reverse mode"]


def test_a_wrong_second_derivative_shows_in_order_two_only(monkeypatch) -> None:
    _plant(monkeypatch, ew.sin, lambda g, ans, x: g * (np.cos(x) + 1e-2 * np.sin(x - X)))
    result = tape.check_gradients(tape.sin, [X], order=2, raise_on_failure=False)
    assert result.max_error(order=1) < 1e-8
    assert result.max_error(order=2) > 1e-5  # against atol 1e-6
    assert not result.passed and all("order 2" in m for m in result.failures)


def test_nan_and_wrong_shapes_in_the_result(monkeypatch) -> None:
    _plant(monkeypatch, ew.sin, lambda g, ans, x: g * np.cos(x) * np.nan)
    result = tape.check_gradients(tape.sin, [X], modes=("rev",), raise_on_failure=False)
    assert np.isnan(result.errors[1, "rev", 0]) and np.isnan(result.max_error())
    monkeypatch.undo()
    monkeypatch.setattr(engine, "fit", lambda g, x: g)
    result = tape.check_gradients(lambda x, b: x * b, [X, B], modes=("rev",),
                                  raise_on_failure=False)
    assert result.errors[1, "rev", 1] == np.inf and "shape" in result.failures[0]


def test_the_result_prints_as_a_table() -> None:
    text = str(tape.check_gradients(tape.sin, [X], order=1))
    lines = text.splitlines()
    assert lines[0].startswith("gradient check passed")
    assert lines[1].split() == ["order", "mode", "argument", "max", "error"]
    assert [line.split()[:3] for line in lines[2:]] == [["1", "fwd", "0"], ["1", "rev", "0"]]
