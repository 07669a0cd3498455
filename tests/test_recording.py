"""Recording as in TensorFlow: which ops a tape records, watching, variables read on a tape,
stop_recording and reset.

Every gradient is checked against something independent of tape: a closed form, or central
finite differences of a plain NumPy function in float64 (``numerical_gradient``, conftest.py).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tape
from tape import GradientTape
from tests.common import f64

# =========================================================================== recording rule


def test_op_on_watched_input_is_recorded():
    x = f64(3.0)
    with GradientTape() as t:
        t.watch(x)
        y = x * x
    assert t.gradient(y, x).numpy() == 6.0


def test_op_without_watched_input_is_not_recorded():
    """An op none of whose inputs is watched is not on the tape, so its output is not a
    watched intermediate: gradient with respect to it is None (as in TensorFlow)."""
    x, c = f64(2.0), f64(5.0)
    with GradientTape(persistent=True) as t:
        t.watch(x)
        k = c * 2.0  # c is not watched: not recorded
        y = k * x
    assert t.gradient(y, c) is None
    assert t.gradient(y, k) is None
    assert t.gradient(y, x).numpy() == 10.0


def test_op_outside_the_context_is_not_recorded():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
    y = x * x
    assert t.gradient(y, x) is None


def test_unwatched_constant_gives_none():
    x = tape.constant(3.0)
    with GradientTape() as t:
        y = x * x
    assert t.gradient(y, x) is None


def test_variable_assign_after_forward_does_not_change_gradient():
    v = tape.Variable(3.0)
    with GradientTape() as t:
        y = v * v
    v.assign(10.0)
    assert t.gradient(y, v).numpy() == 6.0
    assert y.numpy() == 9.0


def test_variable_reads_before_and_after_assign_both_count():
    """y = v0**2 read at 3, then v := 5 and z = y * v: dz/dv = 2*3*5 + 9 = 39 (every read of
    the variable contributes, each with the value it had when read)."""
    v = tape.Variable(3.0)
    with GradientTape() as t:
        y = v * v
        v.assign(5.0)
        z = y * v
    assert z.numpy() == 45.0
    assert t.gradient(z, v).numpy() == 39.0


@pytest.mark.parametrize("read", ["read_value", "convert_to_tensor"])
def test_value_read_from_variable_before_the_tape_is_a_constant(read):
    v = tape.Variable(3.0)
    r = v.read_value() if read == "read_value" else tape.convert_to_tensor(v)
    with GradientTape() as t:
        y = v * r
    assert y.numpy() == 9.0
    assert t.gradient(y, v).numpy() == 3.0


def test_value_read_from_variable_inside_the_tape_is_the_variable():
    v = tape.Variable(3.0)
    with GradientTape() as t:
        r = v.read_value()
        y = r * r
    assert t.gradient(y, v).numpy() == 6.0


def test_assign_is_not_recorded():
    """A variable assigned from a watched tensor does not depend on it (as in TensorFlow)."""
    x = f64(2.0)
    v = tape.Variable(np.float64(0.0))
    with GradientTape(persistent=True) as t:
        t.watch(x)
        v.assign(x * 3.0)
        y = v * 1.0
    assert y.numpy() == 6.0
    assert t.gradient(y, x) is None
    assert t.gradient(y, v).numpy() == 1.0


def test_numpy_array_mutated_after_forward_does_not_change_gradient():
    x = f64([1.0, 1.0])
    a = np.array([1.0, 2.0])
    with GradientTape() as t:
        t.watch(x)
        y = x * a
    a[:] = 100.0
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), [1.0, 2.0])


def test_several_tapes_record_only_what_they_watch():
    x, y = f64(2.0), f64(3.0)
    with GradientTape() as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(y)
            z = x * x * y
    assert inner.gradient(z, x) is None  # inner never watched x
    assert outer.gradient(z, x).numpy() == 12.0  # 2xy


# =========================================================================== watch


def test_watch_nested_structure():
    a, b, c, d = f64(1.0), f64(2.0), f64(3.0), f64(4.0)
    with GradientTape() as t:
        t.watch({"a": a, "rest": [b, (c, {"d": d})]})
        y = a * b * c * d
    ga, gb, gc, gd = t.gradient(y, [a, b, c, d])
    assert (ga.numpy(), gb.numpy(), gc.numpy(), gd.numpy()) == (24.0, 12.0, 8.0, 6.0)


def test_watch_variable_with_watch_accessed_variables_false():
    v = tape.Variable(2.0)
    with GradientTape(watch_accessed_variables=False) as t:
        t.watch(v)
        y = v * v * v
    assert t.gradient(y, v).numpy() == 12.0


@pytest.mark.parametrize(
    "obj, type_name",
    [(3.0, "float"), (np.array([1.0]), "ndarray"), ([1.0, 2.0], "float"), ("x", "str")],
)
def test_watch_non_tensor_raises_value_error_naming_type(obj, type_name):
    with GradientTape() as t:
        with pytest.raises(ValueError, match=type_name):
            t.watch(obj)


def test_watch_integer_tensor_warns_and_its_gradient_is_none():
    x = tape.constant(3)
    with GradientTape() as t:
        with pytest.warns(UserWarning, match="floating"):
            t.watch(x)
        y = x * x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert t.gradient(y, x) is None


# =========================================================================== variables on tapes


def test_trainable_variable_is_watched_automatically():
    v = tape.Variable(3.0)
    with GradientTape() as t:
        y = v * v
    assert t.gradient(y, v).numpy() == 6.0


def test_non_trainable_variable_is_not_watched_automatically():
    v = tape.Variable(3.0, trainable=False)
    with GradientTape() as t:
        y = v * v
    assert t.gradient(y, v) is None
    with GradientTape() as t:
        t.watch(v)  # but it can be watched explicitly
        y = v * v
    assert t.gradient(y, v).numpy() == 6.0


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        (lambda v, x: v * x, 3.0),  # an operator, variable on the left
        (lambda v, x: x * v, 3.0),  # an operator, variable on the right
        (lambda v, x: 2.0 * v * x, 6.0),  # a reflected operator
        (lambda v, x: tape.multiply(x, v), 3.0),  # a two-operand function
        (lambda v, x: tape.sin(v) * x, np.cos(0.5) * 3.0),  # a one-operand function
        (lambda v, x: tape.matmul(tape.reshape(v, (1, 1)), tape.reshape(x, (1, 1))), 3.0),
    ],
    ids=["operator", "operator-right", "reflected", "binary", "unary", "matmul"],
)
def test_variable_read_by_any_fast_path_is_watched_and_differentiated(read, expected):
    """Every way an op can read a variable makes the tape watch it; the gradient is the
    op's closed form at v = 0.5, x = 3."""
    v = tape.Variable(np.float64(0.5))
    x = tape.constant(np.float64(3.0))
    with GradientTape() as t:
        y = tape.reduce_sum(read(v, x))
    assert t.watched_variables() == (v,)
    assert float(t.gradient(y, v)) == pytest.approx(expected, rel=1e-15)


def test_variable_read_by_a_comparison_is_watched():
    """As in TensorFlow, reading a trainable variable inside the tape's context watches it,
    whatever op reads it; the comparison itself has no gradient."""
    v = tape.Variable(1.0)
    with GradientTape() as t:
        _ = v > 0.0
    assert t.watched_variables() == (v,)


@pytest.mark.parametrize(
    "read",
    [
        lambda v: tape.math.argmax(v),
        lambda v: tape.cast(v, tape.int32),
        lambda v: tape.reduce_any(v > 0.0),
    ],
    ids=["argmax", "cast-to-int", "comparison-then-reduce_any"],
)
def test_variable_read_by_an_op_without_gradient_is_watched(read):
    v = tape.Variable([1.0, 3.0, 2.0])
    with GradientTape() as t:
        read(v)
    assert t.watched_variables() == (v,)


def test_integer_variable_read_inside_a_tape_is_watched_silently():
    """As in TensorFlow, only an explicit watch() warns about a non-floating dtype: a step
    counter compared inside the tape does not."""
    step = tape.Variable(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with GradientTape() as t:
            assert bool(step > 1)
    assert t.watched_variables() == (step,)
    with GradientTape() as t, pytest.warns(UserWarning, match="must be floating"):
        t.watch(step)


def test_tensor_subclass_is_a_tensor_on_either_side_of_an_operator():
    """d(s * x)/ds = d(x * s)/ds = x, and likewise through a function-style op."""

    class Sub(tape.Tensor):
        __slots__ = ()

    s = Sub()
    s._value, s._id = np.array([3.0, 4.0]), 0
    x = tape.constant(np.array([1.0, 2.0]))
    with GradientTape(persistent=True) as t:
        t.watch([x, s])
        ys = [s * x, x * s, tape.multiply(x, s), tape.reduce_sum(s * x)]
    for y in ys:
        np.testing.assert_array_equal(t.gradient(y, s).numpy(), [1.0, 2.0])


def test_watch_accessed_variables_false():
    v = tape.Variable(3.0)
    with GradientTape(watch_accessed_variables=False) as t:
        y = v * v
    assert t.gradient(y, v) is None
    assert t.watched_variables() == ()


def test_watched_variables_in_creation_order():
    a = tape.Variable(1.0, name="a")
    b = tape.Variable(2.0, name="b")
    c = tape.Variable(3.0, name="c")
    frozen = tape.Variable(4.0, trainable=False)
    with GradientTape() as t:
        _ = c * b  # read c first ...
        _ = frozen * 2.0
        _ = a + 1.0  # ... and a last
    watched = t.watched_variables()
    assert isinstance(watched, tuple)
    assert [v.name for v in watched] == ["a:0", "b:0", "c:0"]
    assert all(w is v for w, v in zip(watched, (a, b, c)))


def test_watched_variables_available_after_gradient():
    a, b = tape.Variable(1.0), tape.Variable(2.0)
    with GradientTape() as t:
        loss = a * b
    grads = t.gradient(loss, t.watched_variables())
    assert [g.numpy() for g in grads] == [2.0, 1.0]
    assert [v is w for v, w in zip(t.watched_variables(), (a, b))] == [True, True]


def test_watched_variables_include_explicitly_watched():
    a, b = tape.Variable(1.0), tape.Variable(2.0, trainable=False)
    with GradientTape(watch_accessed_variables=False) as t:
        t.watch(b)
        _ = a * b
    assert len(t.watched_variables()) == 1 and t.watched_variables()[0] is b


def test_variable_training_loop_matches_closed_form():
    """Gradient descent on (w - 3)**2 with rate r: w_k = 3 + (w_0 - 3)(1 - 2r)**k."""
    w = tape.Variable(np.float64(0.0))
    rate = 0.1
    for _ in range(20):
        with GradientTape() as t:
            loss = (w - 3.0) ** 2
        w.assign_sub(rate * t.gradient(loss, w))
    assert float(w) == pytest.approx(3.0 + (0.0 - 3.0) * (1 - 2 * rate) ** 20, rel=1e-12)


# =========================================================================== stop_recording, reset


def test_stop_recording():
    x = f64(2.0)
    with GradientTape(persistent=True) as t:
        t.watch(x)
        with t.stop_recording():
            y = x * x
        z = x * 3.0  # recording resumes
    assert t.gradient(y, x) is None
    assert t.gradient(z, x).numpy() == 3.0


def test_stop_recording_stops_only_that_tape():
    x = f64(2.0)
    with GradientTape() as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            with inner.stop_recording():
                y = x * x
    assert inner.gradient(y, x) is None
    assert outer.gradient(y, x).numpy() == 4.0


def test_stop_recording_on_tape_never_entered_raises():
    t = GradientTape()
    with pytest.raises(RuntimeError, match="not recording"):
        with t.stop_recording():
            pass


def test_reset_forgets_recorded_ops_and_watches():
    x = f64(2.0)
    with GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        t.reset()
        z = x * 3.0  # x is no longer watched: not recorded
        t.watch(x)
        w = x * 5.0
    assert t.gradient(y, x) is None
    assert t.gradient(z, x) is None
    assert t.gradient(w, x).numpy() == 5.0


def test_reset_forgets_variables_until_read_again():
    a, b = tape.Variable(1.0), tape.Variable(2.0)
    with GradientTape() as t:
        _ = a * 2.0
        t.reset()
        y = b * 2.0
    assert [v is b for v in t.watched_variables()] == [True]
    assert t.gradient(y, [a, b])[1].numpy() == 2.0


def test_reset_outside_the_context_raises():
    t = GradientTape()
    with t:
        pass
    with pytest.raises(ValueError, match="not recording"):
        t.reset()
