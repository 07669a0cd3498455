"""A value leaves the tape only when the user says so.

NumPy converts objects to arrays through ``__array__`` (``np.asarray(x)``, ``np.array([a, b])``,
``np.r_``, lists given to NumPy functions, SciPy functions that call ``np.asarray``). For a
tensor that a tape or forward accumulator tracks, that copy would be a constant and the
gradient silently wrong, so it raises and names the fixes. ``float()``, ``int()``,
``complex()`` and ``.item()`` are explicit conversions that warn (``tape.UntrackedWarning``);
``bool()`` of a comparison and integer indexing are Python control flow and stay silent.
Every expected value is a closed form.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tape


def f64(value) -> tape.Tensor:
    return tape.constant(np.float64(value))


GUARD = r"converted to a NumPy array implicitly.*tape\.stack\(\[a, b\]\).*x\.numpy\(\)"

# The programs that were silently wrong, y(x), each with the spelling the message offers and
# the true dy/dx at x (a closed form).
PROGRAMS = [
    ("x * np.sum(np.array([x, x]))", lambda x: x * np.sum(np.array([x, x])),
     lambda x: x * np.sum(tape.stack([x, x])), 3.0, 4 * 3.0),
    ("x * np.asarray(x)", lambda x: x * np.asarray(x), lambda x: x * x, 3.0, 2 * 3.0),
    ("x * np.mean([x, x + 2])", lambda x: x * np.mean([x, x + 2]),
     lambda x: x * np.mean(tape.stack([x, x + 2])), 3.0, 2 * 3.0 + 1),
    ("x * np.sum(np.r_[x, x])", lambda x: x * np.sum(np.r_[x, x]),
     lambda x: x * np.sum(tape.concat([x[None], x[None]], 0)), 3.0, 4 * 3.0),
    ("x * np.linalg.norm([x, x])", lambda x: x * np.linalg.norm([x, x]),
     lambda x: x * np.linalg.norm(tape.stack([x, x])), 3.0, 2 * 2**0.5 * 3.0),
    ("x * np.array(x)", lambda x: x * np.array(x), lambda x: x * x, 3.0, 2 * 3.0),
    ("x * np.asarray(x, dtype)", lambda x: x * np.asarray(x, dtype=np.float32),
     lambda x: x * tape.cast(x, np.float32), 3.0, 2 * 3.0),
]


@pytest.mark.parametrize(("wrong", "right", "x0", "true"), [
    pytest.param(w, r, a, d, id=n) for n, w, r, a, d in PROGRAMS])
def test_implicit_conversions_of_a_watched_tensor_raise_naming_the_fix(wrong, right, x0, true):
    x = f64(x0)
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError, match=GUARD):
            wrong(x)
        y = right(x)
    assert float(t.gradient(y, x).numpy()) == pytest.approx(true, rel=1e-12)


def test_the_message_names_the_op_that_made_the_tensor():
    x = f64(3.0)
    with tape.GradientTape() as t:
        t.watch(x)
        y = tape.sin(x) + 1.0
        with pytest.raises(TypeError, match=r"the output of op 'add'"):
            np.asarray(y)
        with pytest.raises(TypeError, match=r"a tensor the tape watches"):
            np.asarray(x)
    v = tape.Variable(2.0, name="w")
    with tape.GradientTape():
        with pytest.raises(TypeError, match=r"variable 'w'"):
            np.asarray(v)


def test_a_scipy_function_without_a_rule_raises_instead_of_dropping_the_tape():
    """scipy.special.logsumexp calls np.asarray on the stacked tensor: the true gradient of
    x * logsumexp([x, 2x]) at 0.7 is 2.971, the untracked one 1.803."""
    special = pytest.importorskip("scipy.special")
    x = f64(0.7)
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError, match=r"implicitly|no gradient rule"):
            x * special.logsumexp(np.stack([x, 2 * x]))
        y = x * tape.reduce_logsumexp(tape.stack([x, 2 * x]))
    lse = np.logaddexp(0.7, 1.4)
    true = lse + 0.7 * (np.exp(0.7) + 2 * np.exp(1.4)) / np.exp(lse)
    assert true == pytest.approx(2.971, abs=5e-4)
    assert float(t.gradient(y, x).numpy()) == pytest.approx(true, rel=1e-12)


def test_a_forward_accumulators_tangent_is_tracked_too():
    x = f64(1.5)
    with tape.autodiff.ForwardAccumulator(x, f64(1.0)):
        y = x * x
        with pytest.raises(TypeError, match="ForwardAccumulator"):
            np.asarray(y)


@pytest.mark.parametrize("where", ["no tape", "after the tape", "stop_recording",
                                   "not watched", "watch_accessed_variables=False"])
def test_conversions_of_untracked_values_stay_free(where):
    x = f64(2.0)
    v = tape.Variable(np.array([1.0, 2.0]))
    if where == "no tape":
        assert np.asarray(x) == 2.0 and np.array([x, x]).tolist() == [2.0, 2.0]
        assert np.asarray(v).tolist() == [1.0, 2.0]
        return
    if where == "watch_accessed_variables=False":
        with tape.GradientTape(watch_accessed_variables=False):
            assert np.asarray(v).tolist() == [1.0, 2.0]
        return
    with tape.GradientTape() as t:
        if where != "not watched":
            t.watch(x)
        y = x * 3
        if where == "stop_recording":
            with t.stop_recording():
                assert np.asarray(y) == 6.0
        elif where == "not watched":
            assert np.asarray(y) == 6.0 and np.mean([y, x]) == 4.0
    if where == "after the tape":
        assert np.asarray(y) == 6.0


def test_explicit_conversions_are_silent_and_control_flow_works():
    x = f64(2.0)
    idx = tape.constant(1)
    v = tape.constant(np.array([1.0, 5.0]))
    with tape.GradientTape() as t:
        t.watch([x, v])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = x * x
            assert y.numpy() == 4.0
            assert bool(y > 3.0)
            z = y * 2 if y > 3.0 else y  # bool() of a comparison
            w = v[idx] * x  # an integer tensor as an index
            text = f"{z:.2f}"
            s = tape.stop_gradient(y)
            assert np.asarray(s) == 4.0
            total = z + w
    assert text == "8.00"
    gx, gv = t.gradient(total, [x, v])
    assert gx.numpy() == pytest.approx(4 * 2.0 + 5.0)
    np.testing.assert_array_equal(gv.numpy(), [0.0, 2.0])


@pytest.mark.parametrize(("convert", "name"), [
    (float, "float()"), (int, "int()"), (complex, "complex()"),
    (lambda y: y.item(), ".item()"), (math.exp, "float()"), (np.float64, "float()"),
])
def test_python_numbers_of_a_tracked_tensor_warn(convert, name):
    """math.exp(x) * x at 0.5: the true derivative is 1.5 e^0.5 = 2.4731; through float() the
    tape sees only the factor x and gives e^0.5 = 1.6487 — visible now as a warning."""
    x = f64(0.5)
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.warns(tape.UntrackedWarning, match=rf"{re_escape(name)} of a tensor the tape"):
            c = convert(x)
        y = c * x
    if convert is math.exp:
        assert float(t.gradient(y, x).numpy()) == pytest.approx(math.exp(0.5))
        assert 1.5 * math.exp(0.5) == pytest.approx(2.4731, abs=1e-4)


def re_escape(text: str) -> str:
    import re

    return re.escape(text)


def test_the_warning_is_shown_once_per_line_and_can_be_an_error():
    x = f64(0.5)
    with tape.GradientTape() as t:
        t.watch(x)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            for _ in range(3):
                math.exp(x)  # one line: one warning
            math.exp(x)  # another line
        assert len([w for w in caught if w.category is tape.UntrackedWarning]) == 2
        assert all(w.filename == __file__ for w in caught)
        with warnings.catch_warnings():
            warnings.simplefilter("error", tape.UntrackedWarning)
            with pytest.raises(tape.UntrackedWarning):
                float(x)


def test_numbers_of_untracked_tensors_do_not_warn():
    x, y = f64(0.5), f64(1.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(x) == 0.5 and int(y) == 1 and x.item() == 0.5
        with tape.GradientTape() as t:
            t.watch(x)
            assert float(y) == 1.5  # not watched
            with t.stop_recording():
                assert float(x) == 0.5


# --------------------------------------------------------------------------- captured arguments

W = np.array([1.0, 10.0])

# (label, op on x and a caller's index array, mutation after the op): the gradient of
# sum(op(x, idx) * W) at x = [1, 2, 3] for the original index [0, 1] is [1, 10, 0].
INDEXED = [
    ("x[idx]", lambda x, i: x[i], "int"),
    ("x[(idx,)]", lambda x, i: x[(i,)], "int"),
    ("x[mask]", lambda x, i: x[i], "mask"),
    ("tape.gather", lambda x, i: tape.gather(x, i), "int"),
    ("tape.gather_nd", lambda x, i: tape.gather_nd(x, i[:, None]), "int"),
    ("tape.boolean_mask", lambda x, i: tape.boolean_mask(x, i), "mask"),
    ("np.take", lambda x, i: np.take(x, i), "int"),
    ("np.take_along_axis", lambda x, i: np.take_along_axis(x, i, 0), "int"),
]


@pytest.mark.parametrize(("op", "kind"), [pytest.param(o, k, id=n) for n, o, k in INDEXED])
@pytest.mark.parametrize("persistent", [False, True])
def test_index_arrays_are_captured_when_the_op_runs(op, kind, persistent):
    x = tape.constant(np.array([1.0, 2.0, 3.0]))
    idx = np.array([0, 1]) if kind == "int" else np.array([True, True, False])
    with tape.GradientTape(persistent=persistent) as t:
        t.watch(x)
        y = tape.reduce_sum(op(x, idx) * W)
        if kind == "int":
            idx[0] = 2
        else:
            idx[:] = [False, True, True]
    g = tape.convert_to_tensor(t.gradient(y, x)).numpy()
    np.testing.assert_array_equal(g, [1.0, 10.0, 0.0])


def test_sparse_cross_entropy_labels_are_captured():
    """d/dlogits of sum(CE) = softmax(logits) - one_hot(labels), for the labels used."""
    logits = np.array([[1.0, 2.0, 3.0], [0.5, 0.1, -1.0]])
    labels = np.array([0, 1])
    x = tape.constant(logits)
    with tape.GradientTape() as t:
        t.watch(x)
        loss = tape.reduce_sum(
            tape.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x))
        labels[:] = [2, 2]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(t.gradient(loss, x).numpy(), p - np.eye(3)[[0, 1]], rtol=1e-12)


@pytest.mark.parametrize(("call", "op", "position"), [
    (lambda: tape.reduce_sum(None), "sum", 0),
    (lambda: tape.reduce_mean(None), "mean", 0),
    (lambda: tape.sin(None), "sin", 0),
    (lambda: tape.add(1.0, None), "add", 1),
    (lambda: tape.matmul(None, np.eye(2)), "matmul", 0),
])
def test_none_as_an_argument_is_refused_at_the_op(call, op, position):
    with pytest.raises(TypeError, match=rf"Op '{op}' got None as its argument {position}"):
        call()


# --------------------------------------------------------------------------- lists of tensors

X0 = 3.0
V0 = np.array([1.0, 2.0])

# Lists holding tensors that NumPy hands to tape (a tensor sits directly among the arguments):
# packed with a recorded stack. (program, d/dx as a closed form at x = 3, v = [1, 2])
HANDED_OVER = [
    ("np.concatenate([v, [x, x]])", lambda x, v: np.sum(np.concatenate([v, [x, x]])) * x,
     3 + 4 * X0),
    ("np.einsum operand", lambda x, v: np.einsum("i,i", [x, x], v), V0.sum()),
    ("np.dot([x, x], v)", lambda x, v: np.dot([x, x], v), V0.sum()),
    ("np.vstack([[x, x], v])", lambda x, v: np.sum(np.vstack([[x, x], v])), 2.0),
    ("np.average weights=", lambda x, v: np.average(v, weights=[x, 1.0]),
     (V0[0] * (X0 + 1) - (V0[0] * X0 + V0[1])) / (X0 + 1) ** 2),
    ("np.linalg.multi_dot", lambda x, v: np.linalg.multi_dot([[x, x], np.eye(2), v]),
     V0.sum()),
    ("np.select choices", lambda x, v: np.sum(np.select([v > 1.5, v < 1.5], [[x, x], v])),
     1.0),
    ("v + [x, x]", lambda x, v: np.sum(v + [x, x]), 2.0),
    ("np.maximum([x, x], v)", lambda x, v: np.sum(np.maximum([x, x], v)), 2.0),
]


@pytest.mark.parametrize(("fn", "true"), [pytest.param(f, d, id=n) for n, f, d in HANDED_OVER])
def test_lists_that_numpy_hands_over_are_packed_with_a_recorded_stack(fn, true):
    x, v = f64(X0), tape.constant(V0)
    with tape.GradientTape() as t:
        t.watch(x)
        y = fn(x, v)
    assert float(t.gradient(y, x).numpy()) == pytest.approx(true, rel=1e-12)


@pytest.mark.parametrize("fn", [
    lambda x: np.where(np.array([True, False]), [x, x], 0.0),
    lambda x: np.stack([[x, x], [x, 1.0]]),
    lambda x: np.clip([x, x], 0.0, 10.0),
    lambda x: np.mean([x, x + 2]),
])
def test_lists_that_numpy_converts_itself_meet_the_guard(fn):
    """NumPy's dispatch does not look inside these lists, so it converts them itself."""
    x = f64(X0)
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError, match=r"tape\.stack\(\[a, b\]\)"):
            fn(x)


def test_no_buffer_or_array_interface_bypasses_the_guard():
    x = f64(X0)
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError):
            memoryview(x)
        assert not hasattr(x, "__array_interface__")
        assert not hasattr(x, "__array_struct__")
