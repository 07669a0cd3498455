"""GradientTape with TensorFlow's semantics: recording, watching, gradient(), errors, higher
order, scale, threads, and the Tensor, Variable and op API the tape records.

Every gradient is checked against something independent of tape: a closed form, or central
finite differences of a plain NumPy function in float64 (``numerical_gradient``, conftest.py).
"""

from __future__ import annotations

import gc
import math
import threading
import warnings
import weakref

import numpy as np
import pytest

import tape
from tape import GradientTape, UnconnectedGradients
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


# =========================================================================== gradient()


@pytest.mark.usefixtures("mode")
def test_nested_targets_are_summed():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        y1 = x * x  # 2x = 4
        y2 = x * x * x  # 3x^2 = 12
        y3 = tape.sin(x)  # cos x
    g = t.gradient({"a": y1, "b": [y2, (y3,)]}, x)
    assert g.numpy() == pytest.approx(4.0 + 12.0 + math.cos(2.0), abs=1e-12)


@pytest.mark.usefixtures("mode")
def test_targets_of_different_shapes_are_summed():
    x = f64([1.0, 2.0])
    with GradientTape() as t:
        t.watch(x)
        y1 = x * x  # shape (2,)
        y2 = tape.reduce_sum(x) * 3.0  # shape ()
    np.testing.assert_allclose(t.gradient([y1, y2], x).numpy(), [2.0 + 3.0, 4.0 + 3.0])


@pytest.mark.usefixtures("mode")
def test_nested_sources_result_mirrors_structure():
    a, b, c = f64(1.0), f64(2.0), f64(3.0)
    v = tape.Variable(np.float64(4.0))
    with GradientTape() as t:
        t.watch([a, b, c])
        y = a * b * c * v
    g = t.gradient(y, {"first": a, "more": [b, (c, v)]})
    assert set(g) == {"first", "more"}
    assert isinstance(g["more"], list) and isinstance(g["more"][1], tuple)
    assert g["first"].numpy() == 24.0
    assert g["more"][0].numpy() == 12.0
    assert g["more"][1][0].numpy() == 8.0
    assert g["more"][1][1].numpy() == 6.0


def test_single_source_gives_tensor_and_list_gives_list():
    x = f64(2.0)
    with GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
    assert isinstance(t.gradient(y, x), tape.Tensor)
    g = t.gradient(y, [x])
    assert isinstance(g, list) and len(g) == 1 and g[0].numpy() == 4.0


@pytest.mark.usefixtures("mode")
def test_dict_structures_match_by_key_not_by_order():
    a, b = f64(2.0), f64(5.0)
    with GradientTape() as t:
        t.watch({"z": a, "a": b})
        ya = a * a  # d/da = 4
        yb = b * 3.0  # d/db = 3
    g = t.gradient(
        {"zz": ya, "aa": yb}, {"z": a, "a": b}, output_gradients={"zz": f64(10.0), "aa": f64(1.0)}
    )
    assert list(g) == ["z", "a"]
    assert g["z"].numpy() == 40.0
    assert g["a"].numpy() == 3.0


@pytest.mark.usefixtures("mode")
def test_intermediate_sources():
    x = f64(3.0)
    with GradientTape() as t:
        t.watch(x)
        y = x * x  # 9
        z = tape.sin(y)
    dz_dy, dz_dx = t.gradient(z, [y, x])
    assert dz_dy.numpy() == pytest.approx(math.cos(9.0), abs=1e-12)
    assert dz_dx.numpy() == pytest.approx(math.cos(9.0) * 6.0, abs=1e-12)


@pytest.mark.usefixtures("mode")
def test_duplicate_sources():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        y = x**3
    g1, g2, g3 = t.gradient(y, [x, x, x])
    assert g1.numpy() == g2.numpy() == g3.numpy() == 12.0


@pytest.mark.usefixtures("mode")
def test_duplicate_targets_count_twice():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        y = x**3
    assert t.gradient([y, y], x).numpy() == 24.0


@pytest.mark.usefixtures("mode")
def test_target_is_source():
    x = f64([1.0, 2.0])
    v = tape.Variable(np.float64(3.0))
    with GradientTape(persistent=True) as t:
        t.watch(x)
    np.testing.assert_array_equal(t.gradient(x, x).numpy(), [1.0, 1.0])
    assert t.gradient(v, v).numpy() == 1.0


@pytest.mark.usefixtures("mode")
def test_output_gradients_is_the_vjp_vector(numerical_gradient):
    a = np.array([0.5, -1.0, 2.0])
    cot = np.array([1.0, -2.0, 0.25])
    x = f64(a)
    with GradientTape() as t:
        t.watch(x)
        y = x * x * tape.sin(x)
    g = t.gradient(y, x, output_gradients=f64(cot))
    closed = cot * (2 * a * np.sin(a) + a * a * np.cos(a))
    np.testing.assert_allclose(g.numpy(), closed, rtol=1e-12)
    (fd,) = numerical_gradient(lambda u: u * u * np.sin(u), [a], weights=cot)
    np.testing.assert_allclose(g.numpy(), fd, rtol=1e-6)


@pytest.mark.usefixtures("mode")
def test_output_gradients_one_per_target():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        y1 = x * x  # 2x = 4
        y2 = x * 3.0  # 3
    g = t.gradient([y1, y2], x, output_gradients=[f64(10.0), None])
    assert g.numpy() == 43.0


@pytest.mark.usefixtures("mode")
def test_output_gradients_accepts_python_and_numpy_values():
    x = f64([1.0, 2.0])
    with GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        s = tape.reduce_sum(x)
    np.testing.assert_array_equal(
        t.gradient(y, x, output_gradients=np.array([0.5, 1.0])).numpy(), [1.0, 4.0]
    )
    np.testing.assert_array_equal(t.gradient(s, x, output_gradients=3.0).numpy(), [3.0, 3.0])


@pytest.mark.usefixtures("mode")
@pytest.mark.parametrize(
    "unconnected", ["none", UnconnectedGradients.NONE, "zero", UnconnectedGradients.ZERO]
)
def test_unconnected_gradients(unconnected):
    x = f64(2.0)
    z = f64([[1.0, 2.0, 3.0]])
    v = tape.Variable(np.zeros(2, dtype=np.float32))
    with GradientTape() as t:
        t.watch([x, z])
        y = x * x
    gx, gz, gv = t.gradient(y, [x, z, v], unconnected_gradients=unconnected)
    assert gx.numpy() == 4.0
    if UnconnectedGradients(unconnected) is UnconnectedGradients.NONE:
        assert gz is None and gv is None
    else:
        assert gz.shape == (1, 3) and gz.dtype == tape.float64
        np.testing.assert_array_equal(gz.numpy(), np.zeros((1, 3)))
        assert gv.shape == (2,) and gv.dtype == tape.float32
        np.testing.assert_array_equal(gv.numpy(), [0.0, 0.0])


def test_unconnected_gradients_default_is_none():
    assert UnconnectedGradients.NONE.value == "none"
    assert UnconnectedGradients.ZERO.value == "zero"
    x, z = f64(2.0), f64(1.0)
    with GradientTape() as t:
        t.watch([x, z])
        y = x * x
    assert t.gradient(y, z) is None


def test_unconnected_gradients_unknown_value_raises():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        y = x * x
    with pytest.raises(ValueError, match="unconnected_gradients"):
        t.gradient(y, x, unconnected_gradients="zeros")


@pytest.mark.usefixtures("mode")
def test_integer_source_gives_none():
    n = tape.constant(3)
    x = f64(2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with GradientTape() as t:
            t.watch([n, x])
            y = x * tape.cast(n, tape.float64)
        gn, gx = t.gradient(y, [n, x])
    assert gn is None
    assert gx.numpy() == 3.0


@pytest.mark.usefixtures("mode")
def test_persistent_tape_gives_gradients_many_times():
    x = f64(3.0)
    with GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        z = y * y
    for _ in range(3):
        assert t.gradient(z, x).numpy() == 108.0
        assert t.gradient(y, x).numpy() == 6.0


def test_persistent_tape_reentered_keeps_recording():
    x = f64(2.0)
    t = GradientTape(persistent=True)
    with t:
        t.watch(x)
        y = x * x
    with t:
        z = y * x
    assert t.gradient(z, x).numpy() == 12.0  # 3x^2


def test_used_non_persistent_tape_starts_afresh_when_reentered():
    x = f64(2.0)
    t = GradientTape()
    with t:
        t.watch(x)
        y = x * x
    assert t.gradient(y, x).numpy() == 4.0
    with t:
        t.watch(x)
        z = x * x * x
    assert t.gradient(z, x).numpy() == 12.0


def test_gradient_inside_non_persistent_context_stops_recording_without_warning():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        y = x * x
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            g = t.gradient(y, x)
        assert recording() == []  # the tape no longer records
    assert g.numpy() == 4.0


def test_gradients_own_their_memory():
    x = f64([1.0, 2.0])
    with GradientTape() as t:
        t.watch(x)
        y = x * 1.0
    g = t.gradient(y, x).numpy()
    g[:] = 7.0
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])


@pytest.mark.usefixtures("mode")
@pytest.mark.parametrize("dtype", [tape.float16, tape.float32, tape.float64])
def test_gradient_has_the_source_dtype(dtype):
    x = tape.constant([1.0, 2.0], dtype=dtype)
    with GradientTape() as t:
        t.watch(x)
        y = tape.reduce_sum(x * x * 0.5)
    g = t.gradient(y, x)
    assert g.dtype == dtype
    np.testing.assert_array_equal(g.numpy(), [1.0, 2.0])


# =========================================================================== errors


def test_second_gradient_on_non_persistent_tape_raises():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        y = x * x
    t.gradient(y, x)
    with pytest.raises(RuntimeError, match=r"persistent=True"):
        t.gradient(y, x)


def test_target_none_raises_type_error():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
    with pytest.raises(TypeError, match="None"):
        t.gradient(None, x)


def test_output_gradients_of_wrong_shape_raises_naming_both_shapes():
    x = f64([1.0, 2.0, 3.0])
    with GradientTape() as t:
        t.watch(x)
        y = x * x
    with pytest.raises(ValueError, match=r"\(2, 2\)") as info:
        t.gradient(y, x, output_gradients=f64(np.ones((2, 2))))
    assert "(3,)" in str(info.value)


def test_reentering_an_active_tape_raises():
    with GradientTape() as t:
        with pytest.raises(ValueError, match="already-active"):
            with t:
                pass
        assert recording() == [t]  # the failed re-entry left the stack as it was
    assert recording() == []


def test_exception_inside_with_leaves_no_tape_active():
    x = f64(2.0)
    t = GradientTape()
    with pytest.raises(KeyError, match="boom"):
        with GradientTape() as outer:
            outer.watch(x)
            with t:
                t.watch(x)
                raise KeyError("boom")
    assert recording() == []
    y = x * x  # after the exception: recorded on no tape
    assert t.gradient(y, x) is None
    assert outer.gradient(y, x) is None


def test_gradient_with_respect_to_a_python_number_raises():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        y = x * x
    with pytest.raises((TypeError, ValueError), match="float"):
        t.gradient(y, 2.0)


# =========================================================================== higher order


@pytest.mark.parametrize("x0", [-1.3, 0.5, 2.0])
def test_fifth_power_four_derivatives_with_nested_tapes(x0):
    x = f64(x0)
    with GradientTape() as t4:
        t4.watch(x)
        with GradientTape() as t3:
            t3.watch(x)
            with GradientTape() as t2:
                t2.watch(x)
                with GradientTape() as t1:
                    t1.watch(x)
                    y = x**5
                d1 = t1.gradient(y, x)
            d2 = t2.gradient(d1, x)
        d3 = t3.gradient(d2, x)
    d4 = t4.gradient(d3, x)
    assert d1.numpy() == pytest.approx(5 * x0**4, rel=1e-12)
    assert d2.numpy() == pytest.approx(20 * x0**3, rel=1e-12)
    assert d3.numpy() == pytest.approx(60 * x0**2, rel=1e-12)
    assert d4.numpy() == pytest.approx(120 * x0, rel=1e-12)


def test_persistent_tape_records_its_own_gradient_and_warns():
    x = f64(1.5)
    with GradientTape(persistent=True) as t:
        t.watch(x)
        y = x**5
        with pytest.warns(UserWarning, match="persistent tape inside its context"):
            d1 = t.gradient(y, x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            d2 = t.gradient(d1, x)
            d3 = t.gradient(d2, x)
    d4 = t.gradient(d3, x)
    assert d1.numpy() == pytest.approx(5 * 1.5**4, rel=1e-12)
    assert d2.numpy() == pytest.approx(20 * 1.5**3, rel=1e-12)
    assert d3.numpy() == pytest.approx(60 * 1.5**2, rel=1e-12)
    assert d4.numpy() == pytest.approx(120 * 1.5, rel=1e-12)


def test_mixed_second_partials_of_x2_y3():
    """f = x**2 y**3: fx = 2xy^3, fy = 3x^2y^2, fxx = 2y^3, fxy = 6xy^2, fyy = 6x^2y."""
    x0, y0 = 1.5, -0.7
    x, y = f64(x0), f64(y0)
    with GradientTape(persistent=True) as outer:
        outer.watch([x, y])
        with GradientTape() as inner:
            inner.watch([x, y])
            f = x**2 * y**3
        fx, fy = inner.gradient(f, [x, y])
    fxx, fxy = outer.gradient(fx, [x, y])
    fyx, fyy = outer.gradient(fy, [x, y])
    assert fx.numpy() == pytest.approx(2 * x0 * y0**3, rel=1e-12)
    assert fy.numpy() == pytest.approx(3 * x0**2 * y0**2, rel=1e-12)
    assert fxx.numpy() == pytest.approx(2 * y0**3, rel=1e-12)
    assert fxy.numpy() == pytest.approx(6 * x0 * y0**2, rel=1e-12)
    assert fyx.numpy() == pytest.approx(6 * x0 * y0**2, rel=1e-12)
    assert fyy.numpy() == pytest.approx(6 * x0**2 * y0, rel=1e-12)


def test_second_partials_of_pow_in_base_and_exponent():
    """z = x**y: z_xy = x**(y-1) (1 + y ln x), z_yy = x**y (ln x)**2, z_xx = y(y-1) x**(y-2)."""
    x0, y0 = 1.5, 0.8
    x, y = f64(x0), f64(y0)
    with GradientTape(persistent=True) as outer:
        outer.watch([x, y])
        with GradientTape() as inner:
            inner.watch([x, y])
            z = x**y
        zx, zy = inner.gradient(z, [x, y])
    zxx, zxy = outer.gradient(zx, [x, y])
    zyx, zyy = outer.gradient(zy, [x, y])
    assert zxx.numpy() == pytest.approx(y0 * (y0 - 1) * x0 ** (y0 - 2), rel=1e-12)
    assert zxy.numpy() == pytest.approx(x0 ** (y0 - 1) * (1 + y0 * math.log(x0)), rel=1e-12)
    assert zyx.numpy() == pytest.approx(x0 ** (y0 - 1) * (1 + y0 * math.log(x0)), rel=1e-12)
    assert zyy.numpy() == pytest.approx(x0**y0 * math.log(x0) ** 2, rel=1e-12)


def test_second_order_through_repeated_index_gather():
    """f = sum(x[[0, 0, 2]]**3) = 2 x0^3 + x2^3: gradient (6 x0^2, 0, 3 x2^2), Hessian
    diag(12 x0, 0, 6 x2)."""
    a = np.array([1.0, 2.0, 3.0])
    x = f64(a)
    with GradientTape() as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            f = tape.reduce_sum(x[np.array([0, 0, 2])] ** 3)
        g = inner.gradient(f, x)
    v = np.array([1.0, -1.0, 0.5])
    hv = outer.gradient(g, x, output_gradients=f64(v))
    np.testing.assert_allclose(g.numpy(), [6.0, 0.0, 27.0], rtol=1e-14)
    np.testing.assert_allclose(hv.numpy(), np.array([12.0, 0.0, 18.0]) * v, rtol=1e-14)


def test_second_order_through_broadcasting():
    """f = sum_ij b_i^2 c_j over b (2, 1) and c (3,): f_b = 2 b_i sum(c), f_c = sum(b^2);
    f_bb = 2 sum(c), f_bc = 2 b_i, f_cb = 2 b summed, f_cc = 0."""
    b0, c0 = np.array([[1.0], [2.0]]), np.array([1.0, 2.0, 3.0])
    b, c = f64(b0), f64(c0)
    with GradientTape(persistent=True) as outer:
        outer.watch([b, c])
        with GradientTape() as inner:
            inner.watch([b, c])
            f = tape.reduce_sum(b * b * c)
        gb, gc = inner.gradient(f, [b, c])
    np.testing.assert_allclose(gb.numpy(), 2 * b0 * c0.sum(), rtol=1e-14)
    np.testing.assert_allclose(gc.numpy(), np.full(3, (b0**2).sum()), rtol=1e-14)
    gbb, gbc = outer.gradient(gb, [b, c])  # summed over the rows of gb
    np.testing.assert_allclose(gbb.numpy(), np.full((2, 1), 2 * c0.sum()), rtol=1e-14)
    np.testing.assert_allclose(gbc.numpy(), np.full(3, 2 * b0.sum()), rtol=1e-14)
    gcb, gcc = outer.gradient(gc, [b, c], unconnected_gradients="zero")
    np.testing.assert_allclose(gcb.numpy(), 3 * 2 * b0, rtol=1e-14)
    np.testing.assert_array_equal(gcc.numpy(), np.zeros(3))


def test_hessian_vector_product_through_matmul_reductions_and_slices(rng):
    """f(x) = 1/2 x.A x + sum(x[1:] * x[:-1]) has Hessian (A + A^T)/2 + S, where S has ones
    on the first off-diagonals."""
    n = 5
    A = rng.normal(size=(n, n))
    x0, v0 = rng.normal(size=n), rng.normal(size=n)
    x = f64(x0)
    with GradientTape() as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            Ax = tape.reshape(tape.matmul(f64(A), tape.reshape(x, (n, 1))), (n,))
            quad = 0.5 * tape.reduce_sum(x * Ax)
            f = quad + tape.reduce_sum(x[1:] * x[:-1])
        g = inner.gradient(f, x)
    hv = outer.gradient(g, x, output_gradients=f64(v0))
    S = np.eye(n, k=1) + np.eye(n, k=-1)
    np.testing.assert_allclose(g.numpy(), 0.5 * (A + A.T) @ x0 + S @ x0, rtol=1e-12)
    np.testing.assert_allclose(hv.numpy(), (0.5 * (A + A.T) + S) @ v0, rtol=1e-12)


SECOND_DERIVATIVES = {
    "exp": (tape.exp, lambda x: np.exp(x), 0.7),
    "log": (tape.log, lambda x: -1 / x**2, 0.7),
    "sin": (tape.sin, lambda x: -np.sin(x), 0.7),
    "cos": (tape.cos, lambda x: -np.cos(x), 0.7),
    "tanh": (tape.tanh, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2), 0.7),
    "sqrt": (tape.sqrt, lambda x: -0.25 * x**-1.5, 0.7),
    "square": (tape.square, lambda x: 2.0, 0.7),
    "abs": (tape.abs, lambda x: 0.0, -0.7),
    "relu": (tape.nn.relu, lambda x: 0.0, 0.7),
    "sigmoid": (
        tape.sigmoid,
        lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s),
        0.7,
    ),
    "cube": (lambda x: x**3, lambda x: 6 * x, 0.7),
    "reciprocal": (lambda x: 1.0 / x, lambda x: 2 / x**3, 0.7),
    "reduce_mean": (lambda x: tape.reduce_mean(x * x), lambda x: 2.0, 0.7),
}


@pytest.mark.parametrize("name", sorted(SECOND_DERIVATIVES))
def test_second_derivative_of_each_op(name):
    fn, second, x0 = SECOND_DERIVATIVES[name]
    x = f64(x0)
    with GradientTape() as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            y = fn(x)
        dy = inner.gradient(y, x)
    d2 = outer.gradient(dy, x, unconnected_gradients="zero")
    assert d2.numpy() == pytest.approx(second(x0), rel=1e-12, abs=1e-15)


# =========================================================================== scale, memory, threads


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value")
def test_second_order_through_a_mean_over_no_elements_is_zero():
    """The first-order gradient with respect to an empty E has no elements, so its sum is 0
    for every w: the second-order gradient is exactly 0 (not 0 * inf)."""
    w = tape.Variable(np.ones(3))
    empty = tape.constant(np.zeros((0, 3)))
    with GradientTape() as outer:
        with GradientTape() as inner:
            inner.watch(empty)
            y = tape.reduce_sum(tape.reduce_mean(empty, axis=0) * w)
        s = tape.reduce_sum(inner.gradient(y, empty))
    np.testing.assert_array_equal(outer.gradient(s, w).numpy(), [0.0, 0.0, 0.0])


def test_100000_op_chain_differentiates_without_recursion_error():
    n, c = 100_000, 1.000001
    x = f64(0.5)
    with GradientTape() as t:
        t.watch(x)
        y = x
        for _ in range(n):
            y = y * c
    assert t.gradient(y, x).numpy() == pytest.approx(c**n, rel=1e-9)


def test_non_persistent_tape_releases_entries_after_gradient():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        h = x * x
        y = h * 3.0
    ref = weakref.ref(h)
    del h
    assert t.gradient(y, x).numpy() == 12.0
    gc.collect()
    assert ref() is None  # nothing left on the used tape keeps the intermediate alive


def test_persistent_tape_releases_entries_when_deleted():
    x = f64(2.0)
    with GradientTape(persistent=True) as t:
        t.watch(x)
        h = x * x
        y = h * 3.0
    ref = weakref.ref(h)
    del h
    assert t.gradient(y, x).numpy() == 12.0
    assert t.gradient(y, x).numpy() == 12.0  # a persistent tape keeps what it needs ...
    del t
    gc.collect()
    assert ref() is None  # ... until it is collected


def test_tape_stack_is_thread_local():
    x = f64(2.0)
    seen = {}

    def worker():
        seen["stack"] = recording()
        seen["y"] = x * x  # on another thread: not recorded on this thread's tape

    with GradientTape(persistent=True) as t:
        t.watch(x)
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        z = x * 3.0
    assert seen["stack"] == []
    assert t.gradient(seen["y"], x) is None
    assert t.gradient(z, x).numpy() == 3.0


def test_tapes_on_concurrent_threads_are_independent():
    n = 4
    barrier = threading.Barrier(n)
    results, errors = {}, []

    def worker(k):
        try:
            x = f64(float(k + 1))
            with GradientTape() as t:
                t.watch(x)
                barrier.wait(timeout=10)  # every thread's tape is active at once
                y = x**3
                barrier.wait(timeout=10)
            results[k] = (t.gradient(y, x).numpy(), recording())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    for k in range(n):
        grad, stack = results[k]
        assert grad == 3.0 * (k + 1) ** 2
        assert stack == []


# =========================================================================== dtype inference


@pytest.mark.parametrize(
    "value, dtype",
    [
        (1.0, tape.float32),
        (1, tape.int32),
        (True, tape.bool),
        ([1.0, 2.0], tape.float32),
        ([1, 2], tape.int32),
        ([1, 2.5], tape.float32),
        ([[1, 2], [3, 4]], tape.int32),
        (np.float64(1.0), tape.float64),
        (np.float32(1.0), tape.float32),
        (np.array([1.0, 2.0]), tape.float64),
        (np.array([1, 2], dtype=np.int64), tape.int64),
        (np.array(1.0, dtype=np.float16), tape.float16),
        (np.array([True, False]), tape.bool),
    ],
)
def test_dtype_inference(value, dtype):
    assert tape.constant(value).dtype == dtype
    assert tape.convert_to_tensor(value).dtype == dtype
    assert tape.Variable(value).dtype == dtype


def test_explicit_dtype():
    assert tape.constant(1, dtype=tape.float64).dtype == tape.float64
    assert tape.constant([1.0, 2.0], dtype="float16").dtype == tape.float16
    assert tape.Variable(1, dtype=tape.float32).dtype == tape.float32


@pytest.mark.parametrize(
    "dtype, scalar",
    [(d, s) for d in (tape.float16, tape.float32, tape.float64) for s in (2, 2.0)]
    + [(tape.int32, 2), (tape.int64, 2)],
    ids=str,
)
def test_python_scalar_adopts_tensor_dtype(dtype, scalar):
    x = tape.constant([1, 2], dtype=dtype)
    for y in (x * scalar, scalar * x, x + scalar, scalar - x, x**scalar):
        assert y.dtype == dtype


def test_large_python_int_becomes_int64():
    assert tape.constant(2**40).dtype == tape.int64


def test_reduce_sum_keeps_integer_dtype():
    y = tape.reduce_sum(tape.constant([1, 2, 4]))
    assert y.dtype == tape.int32 and y.numpy() == 7


def test_reduce_mean_keeps_integer_dtype():
    y = tape.reduce_mean(tape.constant([1, 2]))
    assert y.dtype == tape.int32 and y.numpy() == 1


def test_integer_true_division_gives_float64():
    """As tf.divide / the / operator: int32 / int32 is float64."""
    y = tape.constant([1, 2]) / tape.constant([2, 2])
    assert y.dtype == tape.float64
    np.testing.assert_array_equal(y.numpy(), [0.5, 1.0])


def test_cast_to_integer_blocks_the_gradient():
    x = f64(2.7)
    with GradientTape(persistent=True) as t:
        t.watch(x)
        i = tape.cast(x, tape.int32)
        y = tape.cast(i, tape.float64) * x
        h = tape.cast(x, tape.float16)
    assert i.dtype == tape.int32 and i.numpy() == 2
    assert t.gradient(y, x).numpy() == 2.0  # only through the float path
    g = t.gradient(h, x)  # a float-to-float cast passes the gradient, in the source's dtype
    assert g.dtype == tape.float64 and g.numpy() == 1.0


def test_dtype_constants():
    assert tape.float16 == np.float16
    assert tape.float32 == np.float32
    assert tape.float64 == np.float64
    assert tape.int32 == np.int32
    assert tape.int64 == np.int64
    assert tape.bool == np.bool_


# =========================================================================== Tensor API


def test_tensor_basic_properties():
    x = tape.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert x.shape == (2, 3)
    assert x.dtype == tape.float32
    assert x.ndim == 2
    arr = x.numpy()
    assert isinstance(arr, np.ndarray) and arr.dtype == np.float32
    np.testing.assert_array_equal(arr, [[1, 2, 3], [4, 5, 6]])
    arr[0, 0] = 100.0  # .numpy() is a copy: the tensor is immutable
    assert x.numpy()[0, 0] == 1.0


def test_tensor_class_is_not_called_with_a_value():
    """As in TensorFlow, tensors come from tape.constant / convert_to_tensor and from ops."""
    with pytest.raises(TypeError, match="takes no arguments"):
        tape.Tensor([1.0, 2.0])
    assert isinstance(tape.constant([1.0, 2.0]), tape.Tensor)


def test_scalar_numpy_value():
    v = tape.constant(2.5).numpy()
    assert v == 2.5 and np.asarray(v).dtype == np.float32 and np.ndim(v) == 0


def test_constant_copies_its_input():
    a = np.array([1.0, 2.0])
    x = tape.constant(a)
    a[0] = 9.0
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])


@pytest.mark.parametrize(
    "value, text",
    [
        (8.0, "tape.Tensor(8.0, shape=(), dtype=float32)"),
        (3, "tape.Tensor(3, shape=(), dtype=int32)"),
        ([1.0, 2.0], "tape.Tensor([1. 2.], shape=(2,), dtype=float32)"),
        (np.float64(0.5), "tape.Tensor(0.5, shape=(), dtype=float64)"),
        (True, "tape.Tensor(True, shape=(), dtype=bool)"),
    ],
)
def test_tensor_repr(value, text):
    assert repr(tape.constant(value)) == text


def test_tensor_repr_of_matrix():
    assert repr(tape.constant([[1.0, 2.0], [3.0, 4.0]])) == (
        "tape.Tensor([[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)"
    )


def test_tensor_is_immutable_and_unhashable():
    x = tape.constant([1.0, 2.0])
    with pytest.raises(TypeError):
        x[0] = 3.0
    with pytest.raises(TypeError):
        hash(x)
    assert {x.ref(): 1}[x.ref()] == 1


INDEX_KEYS = {
    "int": 1,
    "negative_int": -1,
    "int_int": (1, 2),
    "slice": slice(1, None),
    "step_slice": (slice(None), slice(None, None, 2)),
    "negative_step": (slice(None, None, -1), 1),
    "ellipsis_newaxis": (Ellipsis, None, 1),
    "int_array_repeats": np.array([0, 0, 2]),
    "list_of_ints": [2, 0],
    "bool_mask": np.array([True, False, True]),
}


@pytest.mark.parametrize("name", sorted(INDEX_KEYS))
def test_indexing_value_and_gradient(name, numerical_gradient, rng):
    key = INDEX_KEYS[name]
    a = rng.normal(size=(3, 4))
    assert_vjp(lambda x: x[key] * 2.0, [a], numerical_gradient, rng)


def test_indexing_with_integer_tensor():
    a = np.arange(6.0).reshape(2, 3)
    x = f64(a)
    i = tape.constant(1)
    with GradientTape() as t:
        t.watch(x)
        y = x[i]
    np.testing.assert_array_equal(y.numpy(), a[1])
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), [[0, 0, 0], [1, 1, 1]])


def test_chained_indexing_as_in_the_tutorial():
    x = f64(np.arange(6.0).reshape(2, 3))
    with GradientTape() as t:
        t.watch(x)
        y = x[1][2] * x[0][1]  # 5 * 1
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), [[0, 5, 0], [0, 0, 1]])


REFLECTED = {
    "radd": (lambda x: 2.0 + x, lambda a: 2.0 + a, lambda a: 1.0),
    "rsub": (lambda x: 2.0 - x, lambda a: 2.0 - a, lambda a: -1.0),
    "rmul": (lambda x: 2.0 * x, lambda a: 2.0 * a, lambda a: 2.0),
    "rtruediv": (lambda x: 2.0 / x, lambda a: 2.0 / a, lambda a: -2.0 / a**2),
    "rpow": (lambda x: 2.0**x, lambda a: 2.0**a, lambda a: math.log(2.0) * 2.0**a),
    "neg": (lambda x: -x, lambda a: -a, lambda a: -1.0),
    "pos": (lambda x: +x, lambda a: a, lambda a: 1.0),
    "abs": (lambda x: abs(x), lambda a: abs(a), lambda a: math.copysign(1.0, a)),
    "sub": (lambda x: x - 2.0, lambda a: a - 2.0, lambda a: 1.0),
    "truediv": (lambda x: x / 2.0, lambda a: a / 2.0, lambda a: 0.5),
    "pow": (lambda x: x**2.5, lambda a: a**2.5, lambda a: 2.5 * a**1.5),
}


@pytest.mark.parametrize("name", sorted(REFLECTED))
def test_operators_with_python_scalars(name):
    op, value, derivative = REFLECTED[name]
    a = 1.7
    x = f64(a)
    with GradientTape() as t:
        t.watch(x)
        y = op(x)
    assert isinstance(y, tape.Tensor)
    assert y.numpy() == pytest.approx(value(a), rel=1e-14)
    assert t.gradient(y, x).numpy() == pytest.approx(derivative(a), rel=1e-12)


@pytest.mark.parametrize(
    "op",
    [
        lambda n, x: n + x,
        lambda n, x: n - x,
        lambda n, x: n * x,
        lambda n, x: n / x,
        lambda n, x: n**x,
        lambda n, x: n @ x,
    ],
    ids=["add", "sub", "mul", "div", "pow", "matmul"],
)
def test_operators_with_numpy_array_on_the_left(op, numerical_gradient, rng):
    n = rng.uniform(0.5, 2.0, size=(3, 3))
    a = rng.uniform(0.5, 2.0, size=(3, 3))
    with GradientTape() as t:
        x = f64(a)
        t.watch(x)
        y = op(n, x)
    assert isinstance(y, tape.Tensor)
    np.testing.assert_allclose(y.numpy(), op(n, a), rtol=1e-12)
    (fd,) = numerical_gradient(lambda u: op(n, u), [a])
    np.testing.assert_allclose(t.gradient(y, x).numpy(), fd, rtol=1e-6)


def test_matmul_operator(numerical_gradient, rng):
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(3, 4))
    assert_vjp(lambda u, w: u @ w, [a, b], numerical_gradient, rng)


COMPARISONS = {
    "eq": (lambda x, y: x == y, np.equal, tape.equal),
    "ne": (lambda x, y: x != y, np.not_equal, tape.not_equal),
    "lt": (lambda x, y: x < y, np.less, tape.less),
    "le": (lambda x, y: x <= y, np.less_equal, tape.less_equal),
    "gt": (lambda x, y: x > y, np.greater, tape.greater),
    "ge": (lambda x, y: x >= y, np.greater_equal, tape.greater_equal),
}


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_comparisons_give_bool_tensors(name):
    op, np_op, fn = COMPARISONS[name]
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])
    x, y = f64(a), f64(b)
    for result in (op(x, y), fn(x, y), op(x, 2.0)):
        assert isinstance(result, tape.Tensor)
        assert result.dtype == tape.bool
        np.testing.assert_array_equal(result.numpy(), np_op(a, b))


def test_comparisons_are_not_differentiable():
    a = np.array([0.5, 1.5, 2.5])
    x = f64(a)
    with GradientTape() as t:
        t.watch(x)
        mask = tape.cast(x > 1.0, tape.float64)  # no gradient through the comparison
        y = mask * x
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), [0.0, 1.0, 1.0])


def test_compare_with_none():
    x = tape.constant(1.0)
    assert (x == None) is False  # noqa: E711
    assert (x != None) is True  # noqa: E711


def test_python_conversions():
    assert bool(tape.constant(1.0)) is True
    assert bool(tape.constant(0.0)) is False
    assert float(tape.constant(2.5)) == 2.5
    assert int(tape.constant(3.7)) == 3
    assert int(tape.constant(7)) == 7
    assert len(tape.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])) == 2
    with pytest.raises(TypeError):
        len(tape.constant(1.0))
    with pytest.raises(TypeError):
        iter(tape.constant(1.0))
    with pytest.raises(ValueError):
        bool(tape.constant([1.0, 2.0]))


def test_integer_scalar_tensor_is_an_index():
    assert list(range(10))[tape.constant(2)] == 2
    with pytest.raises(TypeError):
        list(range(10))[tape.constant(2.0)]


def test_iteration_gives_tensors_that_carry_gradients():
    a = np.array([1.0, 2.0, 3.0])
    x = f64(a)
    with GradientTape() as t:
        t.watch(x)
        rows = list(x)
        y = rows[0] * rows[2] + rows[1] ** 2  # 1*3 + 2^2
    assert all(isinstance(r, tape.Tensor) for r in rows)
    assert [float(r) for r in rows] == [1.0, 2.0, 3.0]
    assert y.numpy() == 7.0
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), [3.0, 4.0, 1.0])


def test_array_protocol():
    x = tape.constant([[1.0, 2.0], [3.0, 4.0]])
    arr = np.asarray(x)
    assert isinstance(arr, np.ndarray) and arr.dtype == np.float32
    np.testing.assert_array_equal(arr, [[1, 2], [3, 4]])
    assert np.asarray(x, dtype=np.float64).dtype == np.float64
    assert np.array(tape.Variable([1, 2])).dtype == np.int32


# =========================================================================== Variable API


def test_variable_api():
    v = tape.Variable([1.0, 2.0], name="weights")
    assert v.name == "weights:0"
    assert v.trainable is True
    assert v.shape == (2,) and v.dtype == tape.float32 and v.ndim == 1
    assert repr(tape.Variable(1.0, name="w")) == (
        "<tape.Variable 'w:0' shape=() dtype=float32, numpy=1.0>"
    )

    v.assign([3.0, 4.0])
    np.testing.assert_array_equal(v.numpy(), [3.0, 4.0])
    v.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(v.numpy(), [4.0, 5.0])
    v.assign_sub([0.5, 0.5])
    np.testing.assert_array_equal(v.numpy(), [3.5, 4.5])
    assert v.dtype == tape.float32

    for read in (v.read_value(), v.value(), tape.convert_to_tensor(v)):
        assert isinstance(read, tape.Tensor) and not isinstance(read, tape.Variable)
        np.testing.assert_array_equal(read.numpy(), [3.5, 4.5])

    y = v * 2.0
    assert isinstance(y, tape.Tensor)
    np.testing.assert_array_equal(y.numpy(), [7.0, 9.0])


def test_read_value_is_a_snapshot():
    v = tape.Variable(1.0)
    r = v.read_value()
    v.assign(2.0)
    assert r.numpy() == 1.0 and v.read_value().numpy() == 2.0


def test_variable_defaults_and_options():
    assert tape.Variable(1.0).name.endswith(":0")
    assert tape.Variable(1.0, trainable=False).trainable is False
    assert tape.Variable(lambda: 3.0).numpy() == 3.0  # a callable initial value
    assert tape.Variable(1, dtype=tape.float64).dtype == tape.float64


def test_variable_assign_wrong_shape_raises():
    v = tape.Variable([1.0, 2.0])
    with pytest.raises(ValueError):
        v.assign([1.0, 2.0, 3.0])


def test_gradient_through_variable_is_a_tensor():
    v = tape.Variable([1.0, 2.0])
    with GradientTape() as t:
        y = tape.reduce_sum(v * v)
    g = t.gradient(y, v)
    assert isinstance(g, tape.Tensor) and not isinstance(g, tape.Variable)
    np.testing.assert_array_equal(g.numpy(), [2.0, 4.0])


# =========================================================================== creation


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: tape.ones((2, 3)), np.ones((2, 3), np.float32)),
        (lambda: tape.ones(3), np.ones(3, np.float32)),
        (lambda: tape.ones([2, 2], dtype=tape.float64), np.ones((2, 2))),
        (lambda: tape.zeros((2, 3)), np.zeros((2, 3), np.float32)),
        (lambda: tape.zeros([4], dtype=tape.int32), np.zeros(4, np.int32)),
        (lambda: tape.ones_like(tape.constant([[1, 2, 3]])), np.ones((1, 3), np.int32)),
        (lambda: tape.zeros_like(f64([1.0, 2.0])), np.zeros(2)),
        (lambda: tape.ones_like(np.zeros(2, np.float16)), np.ones(2, np.float16)),
        (lambda: tape.zeros_like(tape.Variable([1.0])), np.zeros(1, np.float32)),
        (lambda: tape.fill([2, 3], 9), np.full((2, 3), 9, np.int32)),
        (lambda: tape.fill([2], 0.5), np.full(2, 0.5, np.float32)),
        (lambda: tape.eye(3), np.eye(3, dtype=np.float32)),
        (lambda: tape.eye(2, 3), np.eye(2, 3, dtype=np.float32)),
        (lambda: tape.eye(2, batch_shape=[3]), np.stack([np.eye(2, dtype=np.float32)] * 3)),
        (lambda: tape.linspace(10.0, 12.0, 3), np.array([10.0, 11.0, 12.0], np.float32)),
        (lambda: tape.range(5), np.arange(5, dtype=np.int32)),
        (lambda: tape.range(1, 10, 3), np.array([1, 4, 7], np.int32)),
        (lambda: tape.range(0.0, 1.0, 0.25), np.array([0.0, 0.25, 0.5, 0.75], np.float32)),
        (lambda: tape.range(3, dtype=tape.float64), np.arange(3.0)),
        (lambda: tape.constant(2.0, shape=(2, 2)), np.full((2, 2), 2.0, np.float32)),
        (lambda: tape.constant([1, 2, 3, 4], shape=(2, 2)), np.array([[1, 2], [3, 4]], np.int32)),
    ],
)
def test_creation_functions(make, expected):
    t = make()
    assert isinstance(t, tape.Tensor)
    assert t.shape == expected.shape
    assert t.dtype == expected.dtype
    np.testing.assert_array_equal(t.numpy(), expected)


def test_convert_to_tensor_returns_tensors_unchanged():
    x = tape.constant([1.0])
    assert tape.convert_to_tensor(x) is x


def test_created_tensors_are_constants():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        o = tape.ones_like(x)
        y = x * o
    gx, go = t.gradient(y, [x, o])
    assert gx.numpy() == 1.0
    assert go is None


# =========================================================================== ops: elementwise


UNARY = {
    "exp": (tape.exp, np.exp, (-2.0, 2.0)),
    "log": (tape.log, np.log, (0.2, 3.0)),
    "sin": (tape.sin, np.sin, (-3.0, 3.0)),
    "cos": (tape.cos, np.cos, (-3.0, 3.0)),
    "tanh": (tape.tanh, np.tanh, (-2.0, 2.0)),
    "sqrt": (tape.sqrt, np.sqrt, (0.2, 3.0)),
    "square": (tape.square, np.square, (-3.0, 3.0)),
    "abs": (tape.abs, np.abs, (-3.0, 3.0)),
    "negative": (tape.negative, np.negative, (-3.0, 3.0)),
    "sigmoid": (tape.sigmoid, lambda a: 1 / (1 + np.exp(-a)), (-4.0, 4.0)),
    "relu": (tape.nn.relu, lambda a: np.maximum(a, 0.0), (-3.0, 3.0)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_value_and_gradient(name, numerical_gradient, rng):
    fn, np_fn, (lo, hi) = UNARY[name]
    a = rng.uniform(lo, hi, size=(2, 3))
    a[np.abs(a) < 0.1] = 0.5  # keep finite differences away from kinks at 0
    assert_vjp(fn, [a], numerical_gradient, rng, np_fn=np_fn)


@pytest.mark.parametrize(
    "fn, x0, expected",
    [(tape.nn.relu, 0.0, 0.0), (tape.abs, 0.0, 0.0), (tape.nn.relu, -1.0, 0.0)],
    ids=["relu_at_0", "abs_at_0", "relu_negative"],
)
def test_gradient_at_kinks_as_tensorflow(fn, x0, expected):
    x = f64(x0)
    with GradientTape() as t:
        t.watch(x)
        y = fn(x)
    assert t.gradient(y, x).numpy() == expected


def test_sigmoid_saturates_without_overflow():
    x = f64([-1000.0, 0.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with GradientTape() as t:
            t.watch(x)
            y = tape.sigmoid(x)
        g = t.gradient(y, x)
    np.testing.assert_array_equal(y.numpy(), [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.25, 0.0])


BINARY = {
    "add": (lambda x, y: x + y, tape.add),
    "sub": (lambda x, y: x - y, tape.subtract),
    "mul": (lambda x, y: x * y, tape.multiply),
    "div": (lambda x, y: x / y, tape.divide),
    "pow": (lambda x, y: x**y, tape.pow),
}
SHAPE_PAIRS = [
    ((3, 1), (4,)),
    ((4,), (3, 1)),
    ((2, 3), (2, 3)),
    ((2, 3), (3,)),
    ((), (2, 3)),
    ((2, 1, 3), (4, 1)),
    ((1,), ()),
]


@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_broadcasting_gradients(name, shapes, numerical_gradient, rng):
    op, fn = BINARY[name]
    a = rng.uniform(0.5, 2.0, size=shapes[0])
    b = rng.uniform(0.5, 2.0, size=shapes[1])
    assert_vjp(op, [a, b], numerical_gradient, rng)  # the operator
    assert_vjp(fn, [a, b], numerical_gradient, rng, np_fn=op)  # the function


def test_pow_gradient_for_exponent_at_zero_base():
    """d(x**y)/dy = x**y log x, taken as 0 at x = 0 (where x**y = 0 for y > 0)."""
    x, y = f64([0.0, 2.0]), f64([2.0, 3.0])
    with GradientTape() as t:
        t.watch([x, y])
        z = x**y
    gx, gy = t.gradient(z, [x, y])
    np.testing.assert_allclose(gx.numpy(), [0.0, 12.0])
    np.testing.assert_allclose(gy.numpy(), [0.0, 8.0 * math.log(2.0)])


def test_mixed_float_and_variable_operands():
    v = tape.Variable(np.float64(2.0))
    x = f64(3.0)
    with GradientTape() as t:
        t.watch(x)
        y = v * x + x / v - v**2
    gv, gx = t.gradient(y, [v, x])
    assert gv.numpy() == pytest.approx(3.0 - 3.0 / 4.0 - 4.0, rel=1e-14)
    assert gx.numpy() == pytest.approx(2.0 + 0.5, rel=1e-14)


VARIABLE_OPERANDS = {
    # name: (op on (v, x), d/dv, d/dx) at v = 2, x = 3
    "rsub_scalar": (lambda v, x: 2.0 - v, -1.0, 0.0),
    "rtruediv_scalar": (lambda v, x: 2.0 / v, -0.5, 0.0),
    "rpow_scalar": (lambda v, x: 2.0**v, 4 * math.log(2.0), 0.0),
    "sub": (lambda v, x: v - x, 1.0, -1.0),
    "rsub": (lambda v, x: x - v, -1.0, 1.0),
    "truediv": (lambda v, x: v / x, 1 / 3, -2 / 9),
    "rtruediv": (lambda v, x: x / v, -0.75, 0.5),
    "pow": (lambda v, x: v**x, 12.0, 8 * math.log(2.0)),
    "rpow": (lambda v, x: x**v, 9 * math.log(3.0), 6.0),
    "neg": (lambda v, x: -v, -1.0, 0.0),
    "abs": (lambda v, x: abs(v), 1.0, 0.0),
    "matmul": (
        lambda v, x: tape.reshape(v, (1, 1)) @ tape.reshape(x, (1, 1)), 3.0, 2.0,
    ),
}


@pytest.mark.parametrize("name", sorted(VARIABLE_OPERANDS))
def test_operators_with_variable_operands(name):
    op, dv, dx = VARIABLE_OPERANDS[name]
    v = tape.Variable(np.float64(2.0))
    x = f64(3.0)
    with GradientTape() as t:
        t.watch(x)
        y = op(v, x)
    gv, gx = t.gradient(y, [v, x], unconnected_gradients="zero")
    assert gv.numpy() == pytest.approx(dv, rel=1e-14)
    assert gx.numpy() == pytest.approx(dx, rel=1e-14)


# =========================================================================== ops: reductions


AXES = [
    None, 0, 1, 2, -1, -3, (0, 2), (2, 0), (-1, 0), [0, 1], (0, 1, 2), (-3, -2, -1),
    pytest.param((), id="()"),
    pytest.param([], id="[]"),
]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize(
    "fn, np_fn",
    [(tape.reduce_sum, np.sum), (tape.reduce_mean, np.mean)],
    ids=["reduce_sum", "reduce_mean"],
)
def test_reductions(fn, np_fn, axis, keepdims, numerical_gradient, rng):
    a = rng.normal(size=(2, 3, 4))
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    assert_vjp(
        lambda x: fn(x, axis=axis, keepdims=keepdims),
        [a],
        numerical_gradient,
        rng,
        np_fn=lambda u: np_fn(u, axis=np_axis, keepdims=keepdims),
    )


def test_reduce_sum_default_is_all_axes():
    x = tape.ones((2, 3))
    y = tape.reduce_sum(x)
    assert y.shape == () and y.numpy() == 6.0
    assert tape.reduce_mean(tape.constant([[1.0, 2.0], [3.0, 6.0]])).numpy() == 3.0


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("fn", [tape.reduce_sum, tape.reduce_mean], ids=lambda f: f.__name__)
def test_reductions_of_a_scalar(fn, keepdims):
    x = f64(3.0)
    with GradientTape() as t:
        t.watch(x)
        y = fn(x, keepdims=keepdims)
    assert y.shape == () and y.numpy() == 3.0
    assert t.gradient(y, x).numpy() == 1.0


def test_reduce_mean_gradient_closed_form():
    x = f64(np.arange(6.0).reshape(2, 3))
    with GradientTape() as t:
        t.watch(x)
        y = tape.reduce_mean(x, axis=1)
    np.testing.assert_allclose(t.gradient(y, x).numpy(), np.full((2, 3), 1 / 3))


# =========================================================================== ops: matmul, reshape


MATMUL_SHAPES = [
    ((3, 4), (4, 5)),
    ((1, 1), (1, 1)),
    ((2, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((1, 3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((4,), (4, 5)),
    ((3, 4), (4,)),
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
    ((4,), (4,)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_shapes(shapes, numerical_gradient, rng):
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    assert_vjp(tape.matmul, [a, b], numerical_gradient, rng, np_fn=np.matmul)


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_matmul_transpose_flags(transpose_a, transpose_b, numerical_gradient, rng):
    a = rng.normal(size=(4, 3) if transpose_a else (3, 4))
    b = rng.normal(size=(5, 4) if transpose_b else (4, 5))

    def reference(u, w):
        return (u.T if transpose_a else u) @ (w.T if transpose_b else w)

    assert_vjp(
        lambda u, w: tape.linalg.matmul(u, w, transpose_a=transpose_a, transpose_b=transpose_b),
        [a, b],
        numerical_gradient,
        rng,
        np_fn=reference,
    )


@pytest.mark.parametrize(
    "shape, new_shape",
    [((2, 3), (3, 2)), ((2, 3), (6,)), ((2, 3), (-1, 2)), ((2, 3), (1, 6, 1)), ((), (1, 1)),
     ((1, 1), ())],
    ids=str,
)
def test_reshape(shape, new_shape, numerical_gradient, rng):
    a = rng.normal(size=shape)
    assert_vjp(
        lambda x: tape.reshape(x, new_shape) * 3.0,
        [a],
        numerical_gradient,
        rng,
        np_fn=lambda u: np.reshape(u, new_shape) * 3.0,
    )


# =========================================================================== namespaces


@pytest.mark.parametrize(
    "namespace, names",
    [
        (
            "math",
            ["add", "subtract", "multiply", "divide", "pow", "negative", "exp", "log", "sin",
             "cos", "tanh", "sqrt", "square", "abs", "sigmoid", "reduce_sum", "reduce_mean"],
        ),
        ("nn", ["relu", "sigmoid"]),
        ("linalg", ["matmul"]),
    ],
)
def test_namespaces(namespace, names):
    module = getattr(tape, namespace)
    for name in names:
        assert callable(getattr(module, name)), f"tape.{namespace}.{name}"


def test_namespaced_ops_compute(numerical_gradient, rng):
    a, b = rng.uniform(0.5, 2.0, size=(2, 3)), rng.uniform(0.5, 2.0, size=(3, 2))

    def fn(x, w):
        h = tape.nn.relu(tape.linalg.matmul(x, w) - 1.0)
        return tape.math.reduce_sum(tape.math.log(tape.nn.sigmoid(h) + tape.math.square(x[0, 0])))

    def reference(u, w):
        h = np.maximum(u @ w - 1.0, 0.0)
        return np.sum(np.log(1 / (1 + np.exp(-h)) + u[0, 0] ** 2))

    assert_vjp(fn, [a, b], numerical_gradient, rng, np_fn=reference)


# =========================================================================== NumPy dispatch


@pytest.mark.parametrize(
    "np_fn",
    [np.sin, np.cos, np.exp, np.log, np.tanh, np.sqrt, np.square, np.abs, np.negative],
    ids=lambda f: f.__name__,
)
def test_numpy_ufunc_on_tensor_is_recorded(np_fn, numerical_gradient, rng):
    a = rng.uniform(0.5, 2.0, size=(3,))
    assert_vjp(np_fn, [a], numerical_gradient, rng)


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)], ids=str)
@pytest.mark.parametrize("np_fn", [np.sum, np.mean], ids=lambda f: f.__name__)
def test_numpy_reductions_on_tensor_are_recorded(np_fn, axis, numerical_gradient, rng):
    a = rng.normal(size=(2, 3))
    assert_vjp(lambda x: np_fn(x, axis=axis), [a], numerical_gradient, rng)


def test_numpy_binary_ufuncs_on_tensors_are_recorded():
    x, y = f64(2.0), f64(3.0)
    with GradientTape() as t:
        t.watch([x, y])
        z = np.multiply(np.add(x, y), np.power(x, 2.0))  # (x + y) x^2
    assert isinstance(z, tape.Tensor) and z.numpy() == 20.0
    gx, gy = t.gradient(z, [x, y])
    assert gx.numpy() == 4.0 + 2 * 2.0 * 5.0 and gy.numpy() == 4.0


def test_numpy_reshape_and_transpose_on_tensor_are_recorded(numerical_gradient, rng):
    a = rng.normal(size=(2, 3))
    assert_vjp(lambda x: np.transpose(np.reshape(x, (3, 2))) * 2.0, [a], numerical_gradient, rng)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda x: np.nancumprod(x), "nancumprod"),
        (lambda x: np.unwrap(x), "unwrap"),
        (lambda x: np.fmod(x, 2.0), "fmod"),
        (lambda x: np.multiply.accumulate(x), "multiply.accumulate"),
    ],
    ids=["nancumprod", "unwrap", "fmod", "multiply.accumulate"],
)
def test_numpy_function_without_gradient_rule_on_watched_tensor_raises(call, name):
    x = f64([3.0, 1.0, 2.0])
    with GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError, match=name.replace(".", r"\.")):
            call(x)
    # on a tensor no tape watches, the NumPy function simply runs
    result = call(x)
    np.testing.assert_allclose(np.asarray(result), call(np.array([3.0, 1.0, 2.0])))
