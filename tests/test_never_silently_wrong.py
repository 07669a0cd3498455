"""Gradients are never silently wrong: state changed after the forward pass does not leak into
the backward sweep, NaN and inf propagate exactly (and quietly), mixed dtypes follow NumPy, and
detect_anomaly() points at the first op that produced a NaN or inf.

Expected values are closed forms written out in the tests; nothing is compared with tape itself.
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import pickle
import re
import sys
import warnings

import numpy as np
import pytest

import tape
from tape import GradientTape
from tape import _tensor as engine

THIS_FILE = os.path.abspath(__file__)


def f64(value) -> tape.Tensor:
    return tape.constant(np.asarray(value, dtype=np.float64))


def caller_line() -> int:
    """The line number of the statement that called this function."""
    return sys._getframe(1).f_lineno


def where(line: int, function: str) -> str:
    """How detect_anomaly names a line of this file."""
    return f"{THIS_FILE}:{line} in {function}"


# =========================================================================== variables


ASSIGNS = {
    "assign": lambda v: v.assign(np.full(v.shape, 10.0)),
    "assign_add": lambda v: v.assign_add(np.full(v.shape, 7.0)),
    "assign_sub": lambda v: v.assign_sub(np.full(v.shape, 5.0)),
}


@pytest.mark.parametrize("assign", list(ASSIGNS), ids=list(ASSIGNS))
@pytest.mark.parametrize("persistent", [False, True], ids=["once", "persistent"])
def test_variable_assigned_inside_the_tape_after_a_read_uses_the_value_read(assign, persistent):
    """y = sum(sin(v) * v * x) read at v0; assigning v afterwards, still inside the tape, must
    not change dy/dv = (cos(v0) v0 + sin(v0)) x, nor dy/dx = sin(v0) v0."""
    v0, x0 = np.array([0.5, -1.0, 2.0]), np.array([1.5, 2.0, -0.5])
    v, x = tape.Variable(v0), f64(x0)
    with GradientTape(persistent=persistent) as t:
        t.watch(x)
        y = tape.reduce_sum(tape.sin(v) * v * x)
        ASSIGNS[assign](v)
    assert not np.allclose(v.numpy(), v0)
    gv, gx = t.gradient(y, [v, x])
    np.testing.assert_allclose(gv.numpy(), (np.cos(v0) * v0 + np.sin(v0)) * x0, rtol=1e-14)
    np.testing.assert_allclose(gx.numpy(), np.sin(v0) * v0, rtol=1e-14)
    assert y.numpy() == pytest.approx(float(np.sum(np.sin(v0) * v0 * x0)), rel=1e-14)
    if persistent:
        ASSIGNS[assign](v)  # and again, between two gradient calls
        np.testing.assert_allclose(t.gradient(y, x).numpy(), np.sin(v0) * v0, rtol=1e-14)


@pytest.mark.parametrize("assign", list(ASSIGNS), ids=list(ASSIGNS))
def test_matmul_with_a_variable_assigned_after_the_read(assign):
    """y = sum(x @ W): dy/dx = row sums of the W that was read; dy/dW = x^T 1."""
    w0 = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    x0 = np.array([[0.5, -1.0]])
    w, x = tape.Variable(w0), f64(x0)
    with GradientTape() as t:
        t.watch(x)
        r = w.read_value()
        ASSIGNS[assign](w)
        y = tape.reduce_sum(tape.matmul(x, r))
    gx, gw = t.gradient(y, [x, w])
    np.testing.assert_array_equal(gx.numpy(), [[6.0, 15.0]])
    np.testing.assert_array_equal(gw.numpy(), np.repeat(x0.T, 3, axis=1))


@pytest.mark.parametrize("nested", [False, True], ids=["plain", "under_outer_tape"])
def test_variable_assigned_while_an_op_reads_it_uses_the_value_the_op_used(nested):
    """The op computes with the value it read; the gradient must use that same value, even if
    the variable is assigned before the op has finished recording (here by an operand's
    __array__; another thread could do the same). Under an outer tape the rules once ran on a
    second read of the variable and gave d(v**3)/dv = 3 * 5**2 = 75 at v = 2."""
    v = tape.Variable(np.float64(2.0))

    class AssignsWhenConverted:
        def __array__(self, dtype=None, copy=None):
            v.assign(np.float64(5.0))
            return np.array(3.0)

    with GradientTape() if nested else contextlib.nullcontext():
        with GradientTape() as t:
            y = tape.pow(v, AssignsWhenConverted())
        g = t.gradient(y, v)
    assert v.numpy() == 5.0
    assert y.numpy() == 8.0  # 2 ** 3
    assert g.numpy() == 12.0  # 3 * 2 ** 2


def test_a_snapshot_of_a_replaced_value_is_never_used():
    """An assign() in another thread can land between an op's read of a variable and the
    caching of that read; the cache then holds the old value. Every later read must still
    see the current value (here the state such a race leaves is set up directly)."""
    v = tape.Variable(np.float64(1.0))
    stale = v._read()  # a read of 1.0 ...
    v.assign(np.float64(5.0))
    v._snapshot = stale  # ... cached after the assign had cleared the cache
    assert float(v * 1.0) == 5.0 and float(tape.exp(v)) == math.exp(5.0)
    with GradientTape() as t:
        y = v * v
    assert float(y) == 25.0 and float(t.gradient(y, v)) == 10.0  # d(v^2)/dv = 2v


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))],
                         ids=["deepcopy", "pickle"])
def test_a_copied_variable_is_a_different_variable(duplicate):
    """y = v^2 + 10 w with w a copy of v (both 3): dy/dv = 6 and dy/dw = 10; and assigning
    one leaves the other alone."""
    v = tape.Variable(3.0)
    w = duplicate(v)
    assert w is not v and float(w) == 3.0 and w.dtype == v.dtype and w.name == v.name
    with GradientTape() as t:
        y = v * v + 10.0 * w
    assert [float(g) for g in t.gradient(y, [v, w])] == [6.0, 10.0]
    w.assign(5.0)
    assert float(v) == 3.0


def test_a_shallow_copy_of_a_variable_or_tensor_is_itself():
    v, x = tape.Variable(1.0), tape.constant(1.0)
    assert copy.copy(v) is v and copy.copy(x) is x and copy.deepcopy(x) is x


def test_an_unpickled_tensor_is_not_the_watched_original():
    """y = 3 x + 5 x' with x' unpickled from x: dy/dx = 3 (x' is a constant to the tape)."""
    x = tape.constant(2.0)
    with GradientTape() as t:
        t.watch(x)
        y = x * 3.0 + pickle.loads(pickle.dumps(x)) * 5.0
    assert float(y) == 16.0 and float(t.gradient(y, x)) == 3.0


def test_variable_assigned_from_a_function_of_itself_inside_the_tape():
    """v <- v * 2 (the assignment itself is not differentiated, as in TensorFlow), then a second
    read: y = v0^2 + v1 with v1 = 2 v0 read as a new value: dy/dv = 2 v0 + 1."""
    v = tape.Variable(np.float64(3.0))
    with GradientTape() as t:
        a = v * v
        v.assign(v * 2.0)
        y = a + v
    assert y.numpy() == 15.0
    assert t.gradient(y, v).numpy() == 7.0


# =========================================================================== arrays mutated later


A0 = np.array([2.0, 3.0])
X0 = np.array([0.5, -1.5])

# build(x, A) -> scalar y; grad(A0) -> dy/dx, a closed form.
DIRECT = {
    "x * A": (lambda x, A: tape.reduce_sum(x * A), lambda a: a),
    "A * x": (lambda x, A: tape.reduce_sum(A * x), lambda a: a),
    "multiply(x, A)": (lambda x, A: tape.reduce_sum(tape.multiply(x, A)), lambda a: a),
    "x / A": (lambda x, A: tape.reduce_sum(x / A), lambda a: 1 / a),
    "A / x": (lambda x, A: tape.reduce_sum(A / x), lambda a: -a / X0**2),
    "x ** A": (lambda x, A: tape.reduce_sum(x**A), lambda a: a * X0 ** (a - 1)),
    "np.multiply(A, x)": (lambda x, A: tape.reduce_sum(np.multiply(A, x)), lambda a: a),
    "A @ x": (lambda x, A: A @ x, lambda a: a),
    "matmul(A[None], x[:, None])": (
        lambda x, A: tape.reduce_sum(tape.matmul(A[None], tape.reshape(x, (2, 1)))),
        lambda a: a,
    ),
    "where(mask, x, 0)": (
        lambda x, A: tape.reduce_sum(tape.where(A > 2.5, x, 0.0) * 2.0),
        lambda a: np.where(a > 2.5, 2.0, 0.0),
    ),
    "stack([x, A]) * stack([A, x])": (
        lambda x, A: tape.reduce_sum(tape.stack([x, A]) * tape.stack([A, x])),
        lambda a: 2 * a,
    ),
}


@pytest.mark.parametrize("case", list(DIRECT), ids=list(DIRECT))
def test_array_mutated_in_place_after_the_forward_pass(case):
    """The tape keeps its own copy of an ndarray operand: zeroing it afterwards changes nothing."""
    build, grad = DIRECT[case]
    x, A = f64(X0), A0.copy()
    with GradientTape() as t:
        t.watch(x)
        y = build(x, A)
    value = float(y.numpy())
    A[...] = 0.0
    np.testing.assert_allclose(t.gradient(y, x).numpy(), grad(A0), rtol=1e-15)
    assert float(y.numpy()) == value


def test_boolean_mask_array_mutated_after_the_forward_pass():
    mask = np.array([True, False])
    x = f64(X0)
    with GradientTape() as t:
        t.watch(x)
        y = tape.reduce_sum(tape.where(mask, x * x, x))
    mask[...] = [False, True]
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), [2 * X0[0], 1.0])


def test_tangent_array_mutated_after_the_accumulator_is_made():
    """ForwardAccumulator(x, T) with T an ndarray: zeroing T afterwards changes nothing."""
    tangent = np.array([1.0, -2.0])
    x = f64(X0)
    with tape.autodiff.ForwardAccumulator(x, tangent) as acc:
        tangent[...] = 0.0
        y = tape.reduce_sum(x * x)
    assert acc.jvp(y).numpy() == 2 * X0[0] * 1.0 + 2 * X0[1] * -2.0


class _Subclass(np.ndarray):
    """An ndarray subclass, as user code and libraries define them."""


def _memmap(tmp_path):
    m = np.memmap(tmp_path / "operand.dat", dtype=np.float64, mode="w+", shape=A0.shape)
    m[...] = A0
    return m


SUBCLASSES = {
    "ndarray subclass": lambda tmp_path: A0.copy().view(_Subclass),
    "np.memmap": _memmap,
}


@pytest.mark.parametrize("make", list(SUBCLASSES), ids=list(SUBCLASSES))
def test_array_subclass_mutated_in_place_after_the_forward_pass(make, tmp_path):
    A = SUBCLASSES[make](tmp_path)
    x = f64(X0)
    with GradientTape() as t:
        t.watch(x)
        y = tape.reduce_sum(x * A)
    A[...] = 0.0
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), A0)


# Ops applied to the user's array alone (no watched input): their result must not be a view of
# it, or mutating the array changes an "immutable" tensor, its later uses and their gradients.
ON_ARRAY = {
    "constant": lambda A: tape.constant(A),
    "convert_to_tensor": lambda A: tape.convert_to_tensor(A),
    "cast": lambda A: tape.cast(A, tape.float64),
    "gather": lambda A: tape.gather(A, [0, 1]),
    "A + 0": lambda A: tape.add(A, 0.0),
    "stack(unstack)": lambda A: tape.stack(tape.unstack(A)),
    "reshape": lambda A: tape.reshape(A, (2,)),
    "transpose": lambda A: tape.transpose(A),
    "identity": lambda A: tape.identity(A),
    "squeeze(view)": lambda A: tape.squeeze(A[None, :]),
    "expand_dims": lambda A: tape.reshape(tape.expand_dims(A, 0), (2,)),
    "getitem": lambda A: tape.getitem(A, slice(None)),
    "reverse twice": lambda A: tape.reverse(tape.reverse(A, [0]), [0]),
    "unstack": lambda A: tape.unstack(A)[0] * np.array([1.0, 0.0]) + np.array([0.0, 3.0]),
    "Variable": lambda A: tape.Variable(A) * 1.0,
}
@pytest.mark.parametrize("case", list(ON_ARRAY), ids=list(ON_ARRAY))
def test_tensor_made_from_an_array_does_not_follow_its_mutation(case):
    """Shape ops on an ndarray once returned views of it (reshape, transpose, identity,
    expand_dims, getitem, reverse): zeroing the array then zeroed the tensor and the gradient."""
    A = A0.copy()
    x = f64(X0)
    with GradientTape() as t:
        t.watch(x)
        r = ON_ARRAY[case](A)
        y = tape.reduce_sum(x * r)
    A[...] = 0.0
    np.testing.assert_array_equal(r.numpy(), A0)  # tensors are immutable
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), A0)


# =========================================================================== large cotangents

# Large cotangents may be summed in place: these programs fan values out and in on arrays big
# enough for that, and check that no array anyone else holds (an output_gradients tensor, a value
# a persistent tape keeps, a gradient already handed out) is written to.
N = 1 << 15
XL = np.linspace(-1.0, 1.0, N)
WL = np.cos(np.arange(N) * 0.37)


def _broadcast_grad(w):
    W = w.reshape(2, N // 2)
    return np.concatenate([2 * W[0] + W[1], W[1]])


LARGE = {
    "x + x": (lambda x: x + x, lambda w: 2 * w),
    "(x + x) + x": (lambda x: (x + x) + x, lambda w: 3 * w),
    "a + a + a": (lambda x: (lambda a: a + a + a)(x * 2.0), lambda w: 6 * w),
    "identity fan-out": (
        lambda x: (lambda h: tape.identity(h) + tape.identity(h) + h)(x * 1.0),
        lambda w: 3 * w,
    ),
    "sin + square + exp": (
        lambda x: tape.sin(x) + x * x + tape.exp(x),
        lambda w: w * (np.cos(XL) + 2 * XL + np.exp(XL)),
    ),
    "h * h + h": (lambda x: (lambda h: h * h + h)(x + x), lambda w: w * 2 * (4 * XL + 1)),
    "overlapping slices": (
        lambda x: tape.concat([x[:-1] + x[1:], x[:1]], 0),
        lambda w: np.bincount(np.r_[np.arange(N - 1), np.arange(1, N), [0]],
                              weights=np.r_[w[:-1], w[:-1], w[-1:]], minlength=N),
    ),
    "broadcast row": (
        lambda x: tape.reshape(
            tape.reshape(x, (2, N // 2)) + tape.reshape(x, (2, N // 2))[0:1, :], (N,)
        ),
        _broadcast_grad,
    ),
}


@pytest.mark.parametrize("persistent", [False, True], ids=["once", "persistent"])
@pytest.mark.parametrize("case", list(LARGE), ids=list(LARGE))
def test_large_cotangents_summed_without_clobbering_anything(case, persistent):
    fn, closed = LARGE[case]
    x = f64(XL)
    w = tape.constant(WL)
    with GradientTape(persistent=persistent) as t:
        t.watch(x)
        y = fn(x)
    assert y.shape == (N,)
    value = y.numpy()
    g = t.gradient(y, x, output_gradients=w)
    np.testing.assert_allclose(g.numpy(), closed(WL), rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(w.numpy(), WL)  # the cotangent given was not written to
    np.testing.assert_array_equal(y.numpy(), value)
    if persistent:
        first = g.numpy()
        again = t.gradient(y, x, output_gradients=w)
        np.testing.assert_array_equal(again.numpy(), first)  # nothing kept was clobbered
        np.testing.assert_array_equal(g.numpy(), first)  # nor the gradient handed out


def test_large_gradients_of_an_intermediate_and_its_source():
    """dy/dh and dy/dx for h = x + x, y = h * h + h: (2h + 1) and 2 (2h + 1), both handed out
    from one sweep whose cotangents are summed in place."""
    x = f64(XL)
    with GradientTape() as t:
        t.watch(x)
        h = x + x
        y = h * h + h
    gh, gx = t.gradient(y, [h, x])
    np.testing.assert_allclose(gh.numpy(), 4 * XL + 1, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(gx.numpy(), 2 * (4 * XL + 1), rtol=1e-14, atol=1e-14)


# =========================================================================== NaN and inf


_inf_minus_inf = lambda x: x - x  # one line: detect_anomaly names the line of its op


NONFINITE = {
    # name: (function, x0, value, gradient), value and gradient in closed form
    "sqrt(0)": (tape.sqrt, 0.0, 0.0, math.inf),  # 1 / (2 sqrt 0)
    "sqrt(-1)": (tape.sqrt, -1.0, math.nan, math.nan),
    "log(0)": (tape.log, 0.0, -math.inf, math.inf),  # 1 / 0
    "log(-1)": (tape.log, -1.0, math.nan, -1.0),  # the rule 1/x is finite there, as in TF
    "1/x at 0": (lambda x: 1.0 / x, 0.0, math.inf, -math.inf),
    "x/x at 0": (lambda x: x / x, 0.0, math.nan, math.nan),
    "exp(1000)": (tape.exp, 1000.0, math.inf, math.inf),
    "x*x at nan": (lambda x: x * x, math.nan, math.nan, math.nan),
    "x*x at inf": (lambda x: x * x, math.inf, math.inf, math.inf),
    "x-x at inf": (_inf_minus_inf, math.inf, math.nan, 0.0),  # 1 + (-1), cotangents only
    "0*x at inf": (lambda x: x * 0.0, math.inf, math.nan, 0.0),
    "tanh(inf)": (tape.tanh, math.inf, 1.0, 0.0),
    "sigmoid(-inf)": (tape.sigmoid, -math.inf, 0.0, 0.0),
    "sin(inf)": (tape.sin, math.inf, math.nan, math.nan),
    "x**0.5 at 0": (lambda x: x**0.5, 0.0, 0.0, math.inf),
}

# The cases whose derivative rules divide by zero or take cos(inf) where the primal did not:
# jacobian, batch_jacobian and forward mode run those rules outside np.errstate, so NumPy's
# RuntimeWarnings escape.
RULES_WARN = {"sqrt(0)", "log(0)", "x/x at 0", "x**0.5 at 0", "sin(inf)"}


def _record(fn, x0, shape=()):
    x = f64(np.full(shape, x0))
    with np.errstate(all="ignore"):  # the forward pass is NumPy's business
        with GradientTape(persistent=True) as t:
            t.watch(x)
            y = fn(x)
    return t, x, y


def _assert_same(got, expected):
    np.testing.assert_array_equal(np.asarray(got), np.asarray(expected, dtype=np.float64))


@pytest.mark.parametrize("case", list(NONFINITE), ids=list(NONFINITE))
@pytest.mark.parametrize("outer", [False, True], ids=["plain", "under_outer_tape"])
def test_nan_and_inf_propagate_through_gradient_quietly(case, outer):
    fn, x0, value, grad = NONFINITE[case]
    t, x, y = _record(fn, x0)
    _assert_same(y.numpy(), value)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        if outer:  # the rules then run on tensors, recorded by the outer tape
            with GradientTape() as o:
                o.watch(x)
                g = t.gradient(y, x)
        else:
            g = t.gradient(y, x)
    _assert_same(g.numpy(), grad)


def _jacobian_params():
    for method in ("jacobian", "batch_jacobian"):
        for case in NONFINITE:
            yield pytest.param(method, case, id=f"{method}-{case}")


@pytest.mark.parametrize("method, case", list(_jacobian_params()))
def test_nan_and_inf_propagate_through_jacobians_quietly(method, case):
    fn, x0, value, grad = NONFINITE[case]
    t, x, y = _record(fn, x0, shape=(1, 1))
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        j = t.jacobian(y, x) if method == "jacobian" else t.batch_jacobian(y, x)
    _assert_same(j.numpy().reshape(()), grad)


def _forward_params():
    for case in NONFINITE:
        yield pytest.param(case, id=case)


@pytest.mark.parametrize("case", list(_forward_params()))
def test_nan_and_inf_propagate_through_forward_mode_adding_no_warning(case):
    """Forward mode interleaves the JVP rules with the user's forward pass: the warnings seen
    must be exactly those of the forward pass alone, and the tangent the closed form."""
    fn, x0, value, grad = NONFINITE[case]

    def messages(forward_mode: bool):
        x = f64(x0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if forward_mode:
                with tape.autodiff.ForwardAccumulator(x, f64(1.0)) as acc:
                    y = fn(x)
                tangent = acc.jvp(y).numpy()
            else:
                y, tangent = fn(x), None
        return sorted({str(w.message) for w in caught}), y, tangent

    alone, y_alone, _ = messages(False)
    both, y, tangent = messages(True)
    _assert_same(y.numpy(), value)
    _assert_same(tangent, grad)
    assert both == alone


def test_nan_in_one_element_does_not_spread_through_a_sum():
    x = f64([1.0, math.nan, 2.0])
    with GradientTape() as t:
        t.watch(x)
        y = tape.reduce_sum(x * 3.0)
    assert math.isnan(y.numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _assert_same(t.gradient(y, x).numpy(), [3.0, 3.0, 3.0])


def test_where_sqrt_at_a_negative_point_has_a_nan_gradient_as_in_tensorflow_and_jax():
    """y = where(x > 0, sqrt(x), 0) at x = -1.

    The forward result is 0 (the untaken branch is discarded), but sqrt(-1) = nan was still
    computed, and NumPy says so with a RuntimeWarning ("invalid value encountered in sqrt").
    In the backward sweep where() sends a zero cotangent to the untaken branch, and sqrt's rule
    multiplies it by 1 / (2 sqrt(x)) = nan: 0 * nan = nan. So dy/dx is NaN, exactly as in
    TensorFlow and JAX. The cure is the same too: make the untaken branch safe,
    sqrt(where(x > 0, x, 1)), whose gradient at x = -1 is 0.
    """
    x = f64([-1.0, 4.0])
    with pytest.warns(RuntimeWarning, match="invalid value encountered in sqrt"):
        with GradientTape() as t:
            t.watch(x)
            y = tape.where(x > 0, tape.sqrt(x), 0.0)
    _assert_same(y.numpy(), [0.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the sweep itself adds no warning
        _assert_same(t.gradient(y, x).numpy(), [math.nan, 0.25])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with GradientTape() as t:
            t.watch(x)
            safe = tape.where(x > 0, x, 1.0)
            y = tape.where(x > 0, tape.sqrt(safe), 0.0)
        _assert_same(y.numpy(), [0.0, 2.0])
        _assert_same(t.gradient(y, x).numpy(), [0.0, 0.25])


# =========================================================================== mixed dtypes


def test_mixed_float32_and_float64_tensors_promote_and_gradients_keep_source_dtypes():
    a0, b0 = np.array([1.5, -2.0], np.float32), np.array([3.0, 0.25])
    a, b = tape.constant(a0), f64(b0)
    with GradientTape() as t:
        t.watch([a, b])
        y = a * b + tape.sin(a)
    assert y.dtype == np.result_type(a0, b0) == tape.float64
    ga, gb = t.gradient(y, [a, b])
    assert (ga.dtype, gb.dtype) == (tape.float32, tape.float64)
    np.testing.assert_allclose(ga.numpy(), b0 + np.cos(a0.astype(np.float64)), rtol=1e-6)
    np.testing.assert_array_equal(gb.numpy(), a0.astype(np.float64))


@pytest.mark.parametrize(
    "other, result_dtype",
    [
        (np.array([3.0, 4.0]), tape.float64),  # float64 array: NumPy promotes
        (np.float64(3.0), tape.float64),  # NumPy scalars are typed (NEP 50)
        (3.0, tape.float32),  # Python floats are weak: the tensor's dtype wins
        (np.float16(3.0), tape.float32),
    ],
    ids=["ndarray-f64", "np.float64", "python-float", "np.float16"],
)
def test_float32_source_with_other_operands_follows_numpy_promotion(other, result_dtype):
    a0 = np.array([1.0, 2.0], np.float32)
    a = tape.constant(a0)
    with GradientTape() as t:
        t.watch(a)
        y = a * other
    assert y.dtype == result_dtype == np.result_type(a0, other)
    g = t.gradient(y, a)
    assert g.dtype == tape.float32
    np.testing.assert_array_equal(g.numpy(), np.broadcast_to(np.float32(other), (2,)))


@pytest.mark.parametrize(
    "da, db", [("float16", "float32"), ("float32", "float64"), ("float16", "float64")]
)
def test_matmul_of_mixed_precisions(da, db):
    a0 = np.array([[1.0, 2.0]], dtype=da)
    b0 = np.array([[3.0], [0.5]], dtype=db)
    a, b = tape.constant(a0), tape.constant(b0)
    with GradientTape() as t:
        t.watch([a, b])
        y = tape.matmul(a, b)
    assert y.dtype == np.result_type(da, db)
    ga, gb = t.gradient(y, [a, b])
    assert (ga.dtype, gb.dtype) == (np.dtype(da), np.dtype(db))
    np.testing.assert_array_equal(ga.numpy(), b0.T.astype(da))  # d(a b)/da = b^T
    np.testing.assert_array_equal(gb.numpy(), a0.T.astype(db))


def test_float32_variable_times_float64_tensor():
    v, x = tape.Variable(np.float32(2.0)), f64(0.1)
    with GradientTape() as t:
        t.watch(x)
        y = v * x
    assert y.dtype == tape.float64
    gv, gx = t.gradient(y, [v, x])
    assert (gv.dtype, gx.dtype) == (tape.float32, tape.float64)
    assert gv.numpy() == np.float32(0.1)
    assert gx.numpy() == 2.0


# =========================================================================== detect_anomaly


def test_detect_anomaly_names_the_op_and_line_of_a_nan_in_the_forward_pass():
    x = f64([4.0, -1.0])
    with pytest.raises(FloatingPointError) as info:
        with tape.detect_anomaly(), GradientTape() as t:
            t.watch(x)
            h = x * 2.0
            line = caller_line() + 1
            tape.sqrt(h - 1.0)
    assert str(info.value) == (
        f"op 'sqrt' produced nan in the forward pass, at "
        f"{where(line, 'test_detect_anomaly_names_the_op_and_line_of_a_nan_in_the_forward_pass')}."
    )
    assert os.path.basename(__file__) in str(info.value)


FORWARD = {
    # name: (function, x0, op, kind)
    "log(0)": (tape.log, 0.0, "log", "inf"),
    "exp(1000)": (tape.exp, 1000.0, "exp", "inf"),
    "x*x overflows": (lambda x: x * x, 1e200, "multiply", "inf"),
    "1/x at 0": (lambda x: 1.0 / x, 0.0, "divide", "inf"),
    "x-x at inf": (_inf_minus_inf, math.inf, "subtract", "nan"),
    "sqrt(-1)": (tape.sqrt, -1.0, "sqrt", "nan"),
}


@pytest.mark.parametrize("case", list(FORWARD), ids=list(FORWARD))
def test_detect_anomaly_forward_pass(case):
    """The line named is the innermost one of user code: the test's own line for a tape
    function called directly, the lambda's line otherwise."""
    fn, x0, op, kind = FORWARD[case]
    x = f64(x0)
    with tape.detect_anomaly(), GradientTape() as t:
        t.watch(x)
        line = caller_line() + 2
        with pytest.raises(FloatingPointError) as info:
            fn(x)
    if fn.__code__.co_filename == THIS_FILE:
        line, function = fn.__code__.co_firstlineno, fn.__name__
    else:
        function = "test_detect_anomaly_forward_pass"
    assert str(info.value) == (
        f"op '{op}' produced {kind} in the forward pass, at {where(line, function)}."
    )


def test_detect_anomaly_names_the_op_and_line_of_an_inf_in_the_backward_sweep():
    x = f64([0.0, 1.0])
    with tape.detect_anomaly():
        with GradientTape() as t:
            t.watch(x)
            h = tape.sqrt(x)
            line = caller_line() - 1
            y = tape.reduce_sum(h * 3.0)
        with pytest.raises(FloatingPointError) as info:
            t.gradient(y, x)
    function = "test_detect_anomaly_names_the_op_and_line_of_an_inf_in_the_backward_sweep"
    assert str(info.value) == (
        "the gradient rule of op 'sqrt' produced inf for its argument 0 in the backward sweep; "
        f"the op was recorded at {where(line, function)}."
    )


def test_detect_anomaly_names_the_argument_whose_gradient_overflowed():
    a, b = f64(1.0), f64(1e-200)
    with tape.detect_anomaly():
        with GradientTape() as t:
            t.watch([a, b])
            y = a / b  # 1e200: finite; d/db = -a / b^2 overflows
            line = caller_line() - 1
        assert y.numpy() == 1e200
        with pytest.raises(FloatingPointError) as info:
            t.gradient(y, [a, b])
    assert str(info.value).startswith(
        "the gradient rule of op 'divide' produced inf for its argument 1 in the backward sweep; "
        f"the op was recorded at {where(line, '')}"
    )


@pytest.mark.parametrize("method", ["jacobian", "batch_jacobian"])
def test_detect_anomaly_in_jacobian_sweeps(method):
    x = f64([[1.0, 2.0]])
    with tape.detect_anomaly():
        with GradientTape() as t:
            t.watch(x)
            y = tape.sqrt(x - 1.0)
            line = caller_line() - 1
        with pytest.raises(FloatingPointError, match=re.escape(
            "the gradient rule of op 'sqrt' produced inf for its argument 0 in the backward "
            f"sweep; the op was recorded at {where(line, 'test_detect_anomaly_in_jacobian_sweeps')}"
        )):
            getattr(t, method)(y, x)


def test_detect_anomaly_in_a_custom_gradient():
    @tape.custom_gradient
    def bad(x):
        return x * 1.0, lambda u: u * math.nan

    x = f64(1.0)
    with tape.detect_anomaly():
        with GradientTape() as t:
            t.watch(x)
            y = bad(x)
            line = caller_line() - 1
        with pytest.raises(FloatingPointError) as info:
            t.gradient(y, x)
    assert str(info.value) == (
        "the gradient rule of op 'custom_gradient:bad' produced nan for its argument 0 in the "
        f"backward sweep; the op was recorded at "
        f"{where(line, 'test_detect_anomaly_in_a_custom_gradient')}."
    )


def test_detect_anomaly_in_a_second_order_sweep_points_at_the_inner_gradient_call():
    """d2/dx2 x^1.5 = 0.75 / sqrt(x) is inf at 0, though x^1.5 and its first derivative are
    finite there: the op at fault was recorded by the inner gradient() call."""
    x = f64(0.0)
    with tape.detect_anomaly():
        with GradientTape() as outer:
            outer.watch(x)
            with GradientTape() as inner:
                inner.watch(x)
                y = x**1.5
            g = inner.gradient(y, x)
            line = caller_line() - 1
        assert g.numpy() == 0.0
        with pytest.raises(FloatingPointError) as info:
            outer.gradient(g, x)
    function = "test_detect_anomaly_in_a_second_order_sweep_points_at_the_inner_gradient_call"
    assert str(info.value) == (
        "the gradient rule of op 'pow' produced inf for its argument 0 in the backward sweep; "
        f"the op was recorded at {where(line, function)}."
    )


def test_detect_anomaly_raises_at_the_first_bad_op_only():
    x = f64(-1.0)
    with pytest.raises(FloatingPointError, match="^op 'sqrt'"):
        with tape.detect_anomaly(), GradientTape() as t:
            t.watch(x)
            y = tape.sqrt(x)  # the first: nan
            tape.log(y * 0.0)  # would be -inf, never reached
    assert engine.STATE.anomaly is None


def test_detect_anomaly_on_an_unselected_where_branch_is_still_reported():
    """detect_anomaly reports every NaN an op produces, even in a where() branch that is
    discarded afterwards: that NaN is what makes the gradient NaN (see the where/sqrt test)."""
    x = f64(4.0)
    with pytest.raises(FloatingPointError, match="^op 'sqrt' produced nan in the forward pass"):
        with tape.detect_anomaly(), GradientTape() as t:
            t.watch(x)
            tape.where(x > 2.0, x, tape.sqrt(2.0 - x))


def test_without_detect_anomaly_nothing_is_raised_and_state_is_restored():
    before = np.geterr()
    x = f64(-1.0)
    with pytest.raises(FloatingPointError):
        with tape.detect_anomaly(), GradientTape() as t:
            t.watch(x)
            tape.sqrt(x)
    assert np.geterr() == before
    assert engine.STATE.anomaly is None
    with np.errstate(all="ignore"):
        with GradientTape() as t:
            t.watch(x)
            y = tape.sqrt(x)
    assert math.isnan(y.numpy())
    assert math.isnan(t.gradient(y, x).numpy())


def test_detect_anomaly_with_finite_values_changes_no_result():
    x0 = np.array([0.3, 1.2])
    x = f64(x0)
    with tape.detect_anomaly():
        with GradientTape() as t:
            t.watch(x)
            y = tape.reduce_sum(tape.sqrt(x) * tape.exp(x))
        g = t.gradient(y, x)
    np.testing.assert_allclose(g.numpy(), np.exp(x0) * (np.sqrt(x0) + 0.5 / np.sqrt(x0)),
                               rtol=1e-14)


def test_nested_detect_anomaly_contexts():
    x = f64(0.0)
    with tape.detect_anomaly():
        with tape.detect_anomaly():
            with GradientTape() as t:
                t.watch(x)
                y = tape.sqrt(x)
        assert engine.STATE.anomaly is not None  # the outer context is still active
        with pytest.raises(FloatingPointError, match="op 'sqrt' produced inf .* backward"):
            t.gradient(y, x)
    assert engine.STATE.anomaly is None


def test_op_recorded_before_detect_anomaly_is_reported_without_a_line():
    x = f64(0.0)
    with GradientTape() as t:
        t.watch(x)
        y = tape.sqrt(x)
    with tape.detect_anomaly(), pytest.raises(FloatingPointError) as info:
        t.gradient(y, x)
    assert str(info.value) == (
        "the gradient rule of op 'sqrt' produced inf for its argument 0 in the backward sweep; "
        "the op was recorded at <unknown>."
    )


def test_two_tapes_watching_different_operands_of_a_large_op_keep_what_each_needs():
    """A tape keeps only the values the rules of its own connected arguments read; two tapes
    that watch different operands of one op need different values. Closed form: for
    z = sum(x * y), dz/dx = y and dz/dy = x (arrays large enough that unread values are
    dropped)."""
    x0, y0 = np.linspace(1.0, 2.0, 5000), np.linspace(3.0, 4.0, 5000)
    x, y = f64(x0), f64(y0)
    with GradientTape() as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(y)
            z = tape.reduce_sum(x * y)
    np.testing.assert_array_equal(inner.gradient(z, y).numpy(), x0)
    np.testing.assert_array_equal(outer.gradient(z, x).numpy(), y0)


# --------------------------------------------------------------------------- found by a search
# for silently wrong values: each of these returned a wrong number without an error before.


def test_numpy_where_with_one_argument_gives_numpy_indices():
    """sum(a[np.where(a > 0)]) is the sum of the positive entries; its gradient, the mask."""
    a = np.array([[1.0, -2.0, 3.0], [4.0, -5.0, 6.0], [-7.0, 8.0, 9.0]])
    t = tape.constant(a)
    with GradientTape() as g:
        g.watch(t)
        y = tape.reduce_sum(t[np.where(t > 0)])
    assert float(y) == 31.0
    np.testing.assert_array_equal(g.gradient(y, t).numpy(), (a > 0).astype(float))


def test_jacfwd_of_an_argument_passed_twice_or_closed_over():
    """d(a * b)/da at a = b = x is diag(x), whatever else refers to x."""
    x = tape.constant(np.array([1.0, 2.0]))
    ja, jb = tape.jacfwd(lambda a, b: a * b, argnums=(0, 1))(x, x)
    np.testing.assert_array_equal(ja.numpy(), np.diag([1.0, 2.0]))
    np.testing.assert_array_equal(tape.jacfwd(lambda y: y * x)(x).numpy(), np.diag([1.0, 2.0]))
    inner = tape.jacfwd(lambda y: tape.jacfwd(lambda u: u * y)(y))  # d/dy [d(u y)/du] = 1
    assert float(inner(tape.constant(3.0))) == 1.0


def test_recompute_grad_of_an_input_passed_twice():
    """f(a, b) = a b at a = b = x = 3: d f(x, x)/dx = 2x = 6."""
    f = tape.recompute_grad(lambda a, b: a * b)
    x = f64(3.0)
    with GradientTape() as t:
        t.watch(x)
        y = f(x, x)
    assert float(t.gradient(y, x)) == 6.0


def test_numpy_call_without_a_rule_on_a_variable_not_yet_read_raises():
    """np.linalg.lstsq(a, v) cannot be differentiated: it must raise, as it does on a watched
    tensor, even before any op has read v (its result is not a constant in v)."""
    v = tape.Variable([1.0, 2.0, 3.0])
    with GradientTape() as t, pytest.raises(TypeError, match="np.linalg.lstsq has no gradient"):
        np.linalg.lstsq(np.eye(3), v)
    with GradientTape() as t, pytest.raises(TypeError, match="no gradient rule"):
        np.maximum.reduce(v)
    assert t.watched_variables() == ()


def test_complex_intermediates_of_a_watched_value_are_differentiated_exactly():
    """|x * 1j| = |x|: the rules conjugate, so the gradient is sign(x) with the right sign, in
    reverse and in forward mode (|x (1 + 1j)| = sqrt(2) |x|)."""
    x = f64([1.5, -2.0])
    with GradientTape() as t:
        t.watch(x)
        y = tape.reduce_sum(tape.abs(x * 1j))
    np.testing.assert_allclose(t.gradient(y, x).numpy(), [1.0, -1.0])
    with tape.autodiff.ForwardAccumulator(x, f64([1.0, 0.0])) as acc:
        y = tape.abs(tape.cast(x, tape.complex128) * (1 + 1j))
    np.testing.assert_allclose(acc.jvp(y).numpy(), [np.sqrt(2), 0.0])


def test_ops_whose_rules_are_written_for_real_values_refuse_complex_ones():
    """NumPy orders complex numbers (maximum, max) by their real, then imaginary parts, which
    has no derivative: an error that names the fix, never a gradient. (A sort is a
    permutation, gathered: that gradient holds.)"""
    z = tape.constant(np.array([1 + 2j, 3 - 1j]))
    for op in (lambda z: np.maximum(z, 0), np.max, tape.nn.relu):
        with GradientTape() as t, pytest.raises(TypeError, match="no gradient rule for complex"):
            t.watch(z)
            op(z)


@pytest.mark.parametrize("update", ["+=", "-=", "*=", "/=", "**=", "//="])
def test_augmented_assignment_to_a_variable_raises(update):
    """v -= lr * g would rebind v to a tensor and leave the variable unchanged."""
    v = tape.Variable(1.0)
    with pytest.raises(RuntimeError, match="assign_sub"):
        exec(f"v {update} 0.5", {}, {"v": v})
    assert float(v) == 1.0


def test_lists_holding_tensors_are_packed_with_a_recorded_stack():
    """At x = 2, y = 3 (v = 1): d sum(x [y, y])/dy = 2x = 4; d sum([x, y]^2) = (2x, 2y) =
    (4, 6); d([[x, y]] @ [[1], [1]]) = (1, 1); d(2 [v, 1])[0]/dv = 2."""
    x, y, v = tape.constant(2.0), tape.constant(3.0), tape.Variable(1.0)
    with GradientTape(persistent=True) as t:
        t.watch([x, y])
        z1 = tape.reduce_sum(x * [y, y])
        z2 = tape.reduce_sum(tape.convert_to_tensor([x, y]) ** 2)
        z3 = tape.matmul([[x, y]], [[1.0], [1.0]])
        z4 = (tape.convert_to_tensor([v, 1.0]) * 2.0)[0]
    assert float(t.gradient(z1, y)) == 4.0
    assert [float(g) for g in t.gradient(z2, [x, y])] == [4.0, 6.0]
    assert [float(g) for g in t.gradient(z3, [x, y])] == [1.0, 1.0]
    assert float(t.gradient(z4, v)) == 2.0


def test_a_list_of_numbers_takes_the_dtype_of_a_float64_operand():
    """x * [0.1, 0.3] with float64 x = [1, 2] is 0.1 + 0.6 exactly as in NumPy (not via
    float32), and its gradient is [0.1, 0.3]."""
    x = f64([1.0, 2.0])
    with GradientTape() as t:
        t.watch(x)
        y = tape.reduce_sum(x * [0.1, 0.3])
    assert float(y) == float(np.sum(np.array([1.0, 2.0]) * [0.1, 0.3]))
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), [0.1, 0.3])
    assert float(tape.where([True, False], [0.1, 0.1], x)[0]) == 0.1  # where is elementwise
    assert float(tape.matmul(tape.reshape(x, (1, 2)), [[0.1], [0.3]])[0, 0]) == 0.1 + 0.6
    np.testing.assert_array_equal(tape.gather(x, [1, 0]).numpy(), [2.0, 1.0])  # int indices


def test_fill_and_linspace_pass_gradients_to_tensor_arguments():
    """sum(fill([2, 3], a)) = 6a; sum(linspace(a, b, 5)) = 5 (a + b) / 2, so 2.5 for each
    end; the values equal NumPy's."""
    a, b = f64(1.0), f64(3.0)
    with GradientTape(persistent=True) as t:
        t.watch([a, b])
        filled = tape.fill([2, 3], a)
        spaced = tape.linspace(a, b, 5)
        y1, y2 = tape.reduce_sum(filled), tape.reduce_sum(spaced)
    np.testing.assert_array_equal(filled.numpy(), np.ones((2, 3)))
    np.testing.assert_array_equal(spaced.numpy(), np.linspace(1.0, 3.0, 5))
    assert float(t.gradient(y1, a)) == 6.0
    assert [float(g) for g in t.gradient(y2, [a, b])] == [2.5, 2.5]


@pytest.mark.parametrize(
    ("func", "values", "dtype"),
    [
        (np.mean, [1, 2, 4], np.int32),
        (np.sum, [100, 100, 100], np.int8),
        (np.sum, [2**30, 2**30], np.int32),
        (np.cumsum, [100, 100, 100], np.int8),
        (np.prod, [100, 100, 100], np.int8),
        (np.cumprod, [100, 100, 100], np.int8),
        (np.sum, [True, True, False], np.bool_),
    ],
)
def test_numpy_reductions_of_integer_tensors_follow_numpy(func, values, dtype):
    """Called through NumPy, a reduction gives NumPy's value (no wrap-around, a float mean);
    tape.reduce_* keep TensorFlow's integer rules."""
    a = np.array(values, dtype=dtype)
    got = func(tape.constant(a))
    np.testing.assert_array_equal(got.numpy(), func(a))
    assert got.dtype == func(a).dtype


def test_constant_of_a_watched_tensor_is_the_tensor():
    """As in TensorFlow, tape.constant(x) of a tensor is x itself: d(constant(x) x)/dx = 2x;
    with another dtype it is a new (unwatched) tensor."""
    x = f64(3.0)
    with GradientTape() as t:
        t.watch(x)
        y = tape.constant(x) * x + tape.constant(x, dtype=tape.float32)
    assert tape.constant(x) is x
    assert float(t.gradient(y, x)) == 6.0


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda x: pickle.loads(pickle.dumps(x))],
                         ids=["deepcopy", "pickle"])
def test_an_optimizer_copied_with_its_variable_continues_in_step(duplicate):
    """Adam on sum(v^2): after one step, a copy of (v, optimizer) takes the same next step
    as the original (its moments follow the copied variable)."""
    v = tape.Variable([1.0, 2.0])
    opt = tape.optimizers.Adam(0.1)

    def step(v, opt):
        with GradientTape() as t:
            loss = tape.reduce_sum(v * v)
        opt.apply_gradients([(t.gradient(loss, v), v)])

    step(v, opt)
    v2, opt2 = duplicate((v, opt))
    step(v, opt)
    step(v2, opt2)
    np.testing.assert_array_equal(v2.numpy(), v.numpy())
    assert opt2.variables == [v2]


@pytest.mark.parametrize(
    ("start", "stop", "num", "axis"),
    [
        (np.zeros(2), np.array(1.0), 3, 1),
        (np.zeros((2, 3)), np.ones(3), 4, -1),
        (np.array(0.7), np.array(0.7), 5, 0),
        (np.array(0.0), np.array(1.0), 1, 0),
    ],
)
def test_linspace_with_tensor_ends_matches_numpy(start, stop, num, axis):
    got = tape.linspace(tape.constant(start), stop, num, axis=axis).numpy()
    np.testing.assert_allclose(got, np.linspace(start, stop, num, axis=axis), rtol=0, atol=1e-15)


def test_jacfwd_of_a_list_argument():
    """d(x * x)/dx at x = [1, 2] is diag(2x)."""
    np.testing.assert_array_equal(tape.jacfwd(lambda x: x * x)([1.0, 2.0]).numpy(),
                                  [[2.0, 0.0], [0.0, 4.0]])


def test_lists_holding_tensors_inside_stack_and_concat_values():
    """sum(stack([x, [a, b]])^2) has gradient (2a, 2b) = (6, 8) in a and b; concat with
    weights (1, 1, 2, 3) gives (2, 3)."""
    x, a, b = f64([1.0, 2.0]), f64(3.0), f64(4.0)
    with GradientTape(persistent=True) as t:
        t.watch([x, a, b])
        y = tape.reduce_sum(tape.stack([x, [a, b]]) ** 2)
        z = tape.reduce_sum(tape.concat([x, [a, b]], 0) * [1.0, 1.0, 2.0, 3.0])
    assert [float(g) for g in t.gradient(y, [a, b])] == [6.0, 8.0]
    assert [float(g) for g in t.gradient(z, [a, b])] == [2.0, 3.0]


def _either(name):
    """tape's function on tensors, NumPy's on arrays."""
    return lambda a, b: getattr(tape if isinstance(a, tape.Tensor) or isinstance(
        b, tape.Tensor) else np, name)(a, b)


_WITH_NUMBERS = {
    "add": lambda a, b: a + b, "subtract": lambda a, b: a - b, "multiply": lambda a, b: a * b,
    "divide": lambda a, b: a / b, "power": lambda a, b: a**b, "greater": lambda a, b: a > b,
    "maximum": _either("maximum"), "logical_or": _either("logical_or"),
}


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "longdouble"])
@pytest.mark.parametrize("op", sorted(_WITH_NUMBERS))
@pytest.mark.parametrize(
    "number", [0.1, 0.5, 2.0, -0.0, 0.0, 1e-8, 1e5, 1e300, 5e-324, float("inf"), float("nan")]
)
def test_python_float_operands_give_numpys_values_for_each_float_dtype(op, number, dtype):
    """A Python float next to an array gives NumPy's values, bit for bit and with the sign of
    zero, on either side of the operator, every time (arithmetic reuses its conversion of the
    float; ``x ** 0.5`` stays NumPy's square root; a tiny float is still true)."""
    f = _WITH_NUMBERS[op]
    with np.errstate(all="ignore"):
        a0 = np.array([-0.0, 0.3, 1.5, 2.0, -np.inf, 7e4], dtype)
        x = tape.constant(a0)
        for _ in range(2):
            for got, want in ((f(x, number), f(a0, number)), (f(number, x), f(number, a0))):
                assert got.dtype == want.dtype
                np.testing.assert_array_equal(got.numpy(), want)
                np.testing.assert_array_equal(np.signbit(got.numpy()), np.signbit(want))


def test_a_python_float_that_overflows_the_dtype_warns_on_every_call_as_in_numpy():
    a = np.ones(2, np.float16)
    x = tape.constant(a)
    for _ in range(2):
        with np.errstate(over="raise"):
            try:
                want = a * 1e5  # NumPy 2 converts 1e5 to float16: overflow
            except FloatingPointError:
                with pytest.raises(FloatingPointError, match="overflow"):
                    x * 1e5
            else:
                np.testing.assert_array_equal((x * 1e5).numpy(), want)


def test_constants_on_the_tape_cannot_be_changed_to_alter_later_results():
    x = tape.constant(np.array([1.0, 2.0]))
    with GradientTape() as t:
        t.watch(x)
        x * 3.0
    constant = next(iter(t)).inputs[1]
    with pytest.raises(ValueError):
        constant.flags.writeable = True
    np.testing.assert_array_equal((x * 3.0).numpy(), [3.0, 6.0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradients_through_python_float_operands(dtype):
    """d/dx sum(0.1 * x - x / 4.0 + x ** 2.5 - 2.0 ** x) = 0.1 - 0.25 + 2.5 x^1.5 - ln 2 2^x,
    d/dx of x * -0.0 is -0.0, and d/dx 1e5 ** x = ln(1e5) 1e5^x (inf and 0 where it
    overflows and underflows, as in the forward pass)."""
    a0 = np.array([0.5, 1.0, 3.0], dtype)
    x = tape.constant(a0)
    with GradientTape(persistent=True) as t:
        t.watch(x)
        y = tape.reduce_sum(0.1 * x - x / 4.0 + x**2.5 - 2.0**x)
        z = x * -0.0
    want = 0.1 - 0.25 + 2.5 * a0.astype(np.float64) ** 1.5 - np.log(2) * 2.0 ** a0
    g = t.gradient(y, x)
    assert g.dtype == dtype
    np.testing.assert_allclose(g.numpy(), want, rtol=1e-6 if dtype == "float32" else 1e-14)
    assert np.signbit(t.gradient(z, x).numpy()).all()


def test_gradient_of_a_float_power_whose_base_overflows_float16():
    """d/dx 1e5 ** x = ln(1e5) 1e5^x, with 1e5^x as NumPy computes it (in float16, where 1e5
    overflows: [0, inf] at x = [-1, 0.5])."""
    a = np.array([-1.0, 0.5], np.float16)
    x = tape.constant(a)
    with np.errstate(all="ignore"), GradientTape() as t:
        t.watch(x)
        y = 1e5**x
        want = (np.log(1e5) * (1e5**a).astype(np.float64)).astype(np.float16)
        np.testing.assert_allclose(t.gradient(y, x).numpy(), want, rtol=2e-3)
