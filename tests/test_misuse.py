"""Misuse and bad input get clear errors: each case asserts the exception type and its message.

Complements tests/test_gradient_tape.py (which covers the basic form of several of these) with
every entry point (gradient, jacobian, batch_jacobian), every state of a tape, and the exact
wording a user sees. Where a misuse is not an error in TensorFlow (an integer source, a duplicate
source) the test asserts the exact result instead.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import tape
from tape import GradientTape, UnconnectedGradients
from tape import _record as engine
from tape import _registry as registry

ONE_SET = re.escape(
    "A non-persistent GradientTape can only be used to compute one set of gradients (or "
    "jacobians). Create it with GradientTape(persistent=True) to compute gradients more than once."
)


def f64(value) -> tape.Tensor:
    return tape.constant(np.asarray(value, dtype=np.float64))


def square_tape(persistent: bool = False):
    """A tape that recorded y = x * x for a (2, 2) float64 x: every derivative is diagonal 2x."""
    x = f64([[1.0, 2.0], [3.0, 4.0]])
    with GradientTape(persistent=persistent) as t:
        t.watch(x)
        y = x * x
    return t, x, y


def run(method: str, t: GradientTape, y, x, **kwargs):
    """Call one of the three differentiation methods of a tape."""
    if method == "gradient":
        return t.gradient(y, x, **kwargs)
    if method == "jacobian":
        return t.jacobian(y, x, **kwargs)
    return t.batch_jacobian(y, x, **kwargs)


def expected_square(method: str, x: np.ndarray) -> np.ndarray:
    """The closed form of each method for y = x * x, x of shape (2, 2)."""
    if method == "gradient":
        return 2 * x
    if method == "jacobian":
        return np.einsum("ij,ik,jl->ijkl", 2 * x, np.eye(2), np.eye(2))
    return np.einsum("ij,jl->ijl", 2 * x, np.eye(2))


METHODS = ["gradient", "jacobian", "batch_jacobian"]


# =========================================================================== one set of gradients


@pytest.mark.parametrize("second", METHODS)
@pytest.mark.parametrize("first", METHODS)
def test_non_persistent_tape_differentiates_once(first, second):
    t, x, y = square_tape()
    np.testing.assert_array_equal(run(first, t, y, x).numpy(), expected_square(first, x.numpy()))
    with pytest.raises(RuntimeError, match=ONE_SET):
        run(second, t, y, x)


@pytest.mark.parametrize("second", METHODS)
@pytest.mark.parametrize("first", METHODS)
def test_persistent_tape_differentiates_any_number_of_times(first, second):
    t, x, y = square_tape(persistent=True)
    for method in (first, second, first):
        got = run(method, t, y, x)
        np.testing.assert_array_equal(got.numpy(), expected_square(method, x.numpy()))


def test_misuse_error_does_not_use_up_a_non_persistent_tape():
    """A call rejected for its arguments has not differentiated anything: the tape still works."""
    t, x, y = square_tape()
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients"):
        t.gradient(y, x, unconnected_gradients="zeros")
    with pytest.raises(TypeError, match="received None"):
        t.gradient(None, x)
    with pytest.raises(ValueError, match="Mismatch between the shape of output_gradients"):
        t.gradient(y, x, output_gradients=f64([1.0, 2.0]))
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), 2 * x.numpy())


# =========================================================================== non-float dtypes


@pytest.mark.parametrize("dtype", [tape.int32, tape.int64, tape.bool])
def test_non_float_source_warns_and_gets_none(dtype):
    n = tape.constant(np.array([1, 0, 1]).astype(dtype))
    x = f64([1.0, 2.0, 3.0])
    with GradientTape() as t:
        with pytest.warns(UserWarning, match=f"must be floating .*got {dtype}"):
            t.watch(n)
        t.watch(x)
        y = tape.reduce_sum(x * tape.cast(n, tape.float64))
    with pytest.warns(UserWarning) as record:
        gn, gx = t.gradient(y, [n, x], unconnected_gradients="zero")
    assert [str(w.message) for w in record] == [
        "The dtype of the source tensor must be floating (e.g. tape.float32) when calling "
        f"GradientTape.gradient, got {dtype}. Its gradient is None."
    ]
    assert gn is None  # even with unconnected_gradients='zero', as in TensorFlow
    np.testing.assert_array_equal(gx.numpy(), [1.0, 0.0, 1.0])


@pytest.mark.parametrize(
    "make_target, dtype",
    [
        (lambda x: tape.cast(x, tape.int32), tape.int32),
        (lambda x: tape.cast(x, tape.int64), tape.int64),
        (lambda x: x > 1.5, tape.bool),
    ],
    ids=["int32", "int64", "bool"],
)
def test_non_float_target_warns_and_contributes_nothing(make_target, dtype):
    x = f64([1.0, 2.0])
    with GradientTape(persistent=True) as t:
        t.watch(x)
        bad = make_target(x)
        good = x * 3.0
    message = re.escape(
        "The dtype of the target tensor must be floating (e.g. tape.float32) when calling "
        f"GradientTape.gradient, got {dtype}."
    )
    with pytest.warns(UserWarning, match=message):
        assert t.gradient(bad, x) is None
    with pytest.warns(UserWarning, match=message):
        g = t.gradient([bad, good], x)  # the float target still counts
    np.testing.assert_array_equal(g.numpy(), [3.0, 3.0])


def test_jacobian_of_integer_target_warns_and_gives_none():
    x = f64([1.0, 2.0])
    with GradientTape() as t:
        t.watch(x)
        y = tape.cast(x, tape.int32)
    with pytest.warns(UserWarning, match="dtype of the target tensor must be floating"):
        assert t.jacobian(y, x) is None


# =========================================================================== watch


@pytest.mark.parametrize(
    "obj, shown, type_name",
    [
        (3.0, "3.0", "float"),
        (3, "3", "int"),
        (np.float64(2.5), "2.5", "float64"),
        ([1.0, 2.0], "1.0", "float"),  # a list is a structure: its first leaf is named
        ((f64(1.0), 2.0), "2.0", "float"),
        (np.array([1.0, 2.0]), "[1. 2.]", "ndarray"),
        ("x", "x", "str"),
        (None, "None", "NoneType"),
        ({"w": "abc"}, "abc", "str"),
    ],
    ids=["float", "int", "np.float64", "list", "tuple", "ndarray", "str", "None", "dict"],
)
def test_watching_a_non_tensor_raises_value_error_naming_its_type(obj, shown, type_name):
    with GradientTape() as t:
        with pytest.raises(ValueError) as info:
            t.watch(obj)
    assert str(info.value) == (
        f"Passed in object {shown} of type {type_name!r}, not tape.Tensor or tape.Variable. "
        "Convert it first with tape.constant(...) or wrap it in tape.Variable(...)."
    )


# =========================================================================== targets


LOSS_AS_NUMBER = {
    "float()": lambda loss: float(loss),
    ".numpy()": lambda loss: loss.numpy(),
    ".numpy().item()": lambda loss: loss.numpy().item(),
    "int": lambda loss: 3,
}


@pytest.mark.parametrize("method", ["gradient", "jacobian"])
@pytest.mark.parametrize("convert", list(LOSS_AS_NUMBER), ids=list(LOSS_AS_NUMBER))
def test_python_number_as_target_is_a_type_error_not_none(convert, method):
    """The loss.item() mistake: the number has lost its history, and saying so beats None."""
    x = f64([1.0, 2.0])
    with GradientTape() as t:
        t.watch(x)
        loss = tape.reduce_sum(x * x)
    number = LOSS_AS_NUMBER[convert](loss)
    with pytest.raises(TypeError) as info:
        run(method, t, number, x)
    assert str(info.value) == (
        f"The target must be a tape.Tensor or tape.Variable, got {type(number).__name__} "
        f"({number!r}). A Python number has no gradient: differentiate the tensor it came from "
        "(e.g. the loss before calling float() or .numpy() on it)."
    )
    # The refused call did not use the tape up.
    np.testing.assert_array_equal(t.gradient(loss, x).numpy(), [2.0, 4.0])


def test_python_number_among_targets_is_a_type_error():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        y = x * x
    with pytest.raises(TypeError, match=r"got float \(4\.0\)\. A Python number has no gradient"):
        t.gradient([y, float(y)], x)


def test_target_none_asks_whether_a_return_was_forgotten():
    t, x, _ = square_tape()
    with pytest.raises(TypeError) as info:
        t.gradient(None, x)
    assert str(info.value) == (
        "Argument `target` should be a list or nested structure of Tensors or Variables to be "
        "differentiated, but received None. Did you forget to return a value from a function?"
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda t, x, y: t.jacobian(None, x),
        lambda t, x, y: t.batch_jacobian(None, x),
        lambda t, x, y: t.gradient([y, None], x),
    ],
    ids=["jacobian", "batch_jacobian", "gradient-list"],
)
def test_target_none_everywhere_asks_whether_a_return_was_forgotten(call):
    t, x, y = square_tape()
    with pytest.raises(TypeError, match="Did you forget to return a value from a function"):
        call(t, x, y)


# =========================================================================== sources


@pytest.mark.parametrize(
    "source, type_name",
    [(2.0, "float"), (np.array([1.0, 2.0]), "ndarray"), ("x", "str")],
    ids=["float", "ndarray", "str"],
)
@pytest.mark.parametrize("method", ["gradient", "jacobian"])
def test_non_tensor_source_raises_value_error_naming_its_type(method, source, type_name):
    t, x, y = square_tape()
    with pytest.raises(ValueError, match=rf"Sources must be tensors or variables, got .* of "
                                         rf"type '{type_name}'"):
        run(method, t, y, [x, source])


def test_batch_jacobian_non_tensor_source_raises_value_error_naming_its_type():
    t, x, y = square_tape()
    with pytest.raises(ValueError, match="Sources must be tensors or variables.*'list'"):
        t.batch_jacobian(y, [[1.0, 2.0], [3.0, 4.0]])


def test_duplicate_sources_in_nested_structures_each_get_the_full_gradient():
    x = f64([1.0, 2.0])
    v = tape.Variable(np.array([3.0, 4.0]))
    with GradientTape() as t:
        t.watch([x, x])  # watching twice counts once
        y = tape.reduce_sum(x**3 * v)
    got = t.gradient(y, {"a": x, "b": [x, v, (v, x)]})
    dx, dv = 3 * np.array([1.0, 2.0]) ** 2 * [3.0, 4.0], np.array([1.0, 8.0])
    for g in (got["a"], got["b"][0], got["b"][2][1]):
        np.testing.assert_array_equal(g.numpy(), dx)
    for g in (got["b"][1], got["b"][2][0]):
        np.testing.assert_array_equal(g.numpy(), dv)


def test_duplicate_sources_in_jacobian():
    t, x, y = square_tape()
    j1, j2 = t.jacobian(y, [x, x])
    np.testing.assert_array_equal(j1.numpy(), expected_square("jacobian", x.numpy()))
    np.testing.assert_array_equal(j2.numpy(), expected_square("jacobian", x.numpy()))


# =========================================================================== output_gradients


@pytest.mark.parametrize("shape", [(3,), (1, 2), (2, 1), ()], ids=str)
def test_output_gradients_of_wrong_shape_is_rejected_not_broadcast(shape):
    x = f64([1.0, 2.0])
    with GradientTape() as t:
        t.watch(x)
        y = x * x
    with pytest.raises(ValueError) as info:
        t.gradient(y, x, output_gradients=np.ones(shape))
    assert str(info.value) == (
        f"Mismatch between the shape of output_gradients {shape} and the shape of its target "
        "(2,): they must be equal."
    )


@pytest.mark.parametrize(
    "og, dtype",
    [
        (np.array([1, 2]), "int64"),
        (tape.constant([1, 2]), "int32"),
        (np.array([True, False]), "bool"),
        (tape.Variable(np.array([1, 2], dtype=np.int32)), "int32"),
    ],
    ids=["ndarray-int64", "tensor-int32", "bool", "variable-int32"],
)
def test_output_gradients_of_non_float_dtype_is_rejected(og, dtype):
    x = f64([1.0, 2.0])
    with GradientTape() as t:
        t.watch(x)
        y = x * x
    with pytest.raises(ValueError) as info:
        t.gradient(y, x, output_gradients=og)
    assert str(info.value) == (
        f"output_gradients must have a floating dtype, got {dtype}; cast it to float64."
    )


def test_output_gradients_count_must_match_targets():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        y = x * x
    with pytest.raises(ValueError) as info:
        t.gradient(y, x, output_gradients=[f64(1.0), f64(2.0)])
    assert str(info.value) == (
        "output_gradients has 2 entries but there are 1 targets: pass one per target (None for "
        "ones)."
    )


# =========================================================================== unconnected_gradients

BAD_UNCONNECTED = ["zeros", "ZERO", None, 0, "None"]


@pytest.mark.parametrize("value", BAD_UNCONNECTED, ids=repr)
def test_unknown_unconnected_gradients_value_in_gradient(value):
    t, x, y = square_tape()
    with pytest.raises(ValueError) as info:
        t.gradient(y, x, unconnected_gradients=value)
    assert str(info.value) == (
        f"Unknown value for unconnected_gradients: {value!r}. Use 'none' or 'zero' "
        "(tape.UnconnectedGradients.NONE or .ZERO)."
    )


@pytest.mark.parametrize("method", ["jacobian", "batch_jacobian"])
def test_unknown_unconnected_gradients_value_in_jacobians(method):
    t, x, y = square_tape()
    with pytest.raises(ValueError, match=r"Unknown value for unconnected_gradients: 'zeros'\. "
                                         r"Use 'none' or 'zero'"):
        run(method, t, y, x, unconnected_gradients="zeros")


@pytest.mark.parametrize("value", ["zero", UnconnectedGradients.ZERO])
@pytest.mark.parametrize("method", METHODS)
def test_valid_unconnected_gradients_in_every_method(method, value):
    t, x, y = square_tape(persistent=True)
    other = f64([[5.0, 6.0], [7.0, 8.0]])
    got = run(method, t, y, x if method == "batch_jacobian" else [x, other],
              unconnected_gradients=value)
    if method != "batch_jacobian":
        got, zero = got
        assert zero.shape == (other.shape if method == "gradient" else y.shape + other.shape)
        assert not np.any(zero.numpy())
    np.testing.assert_array_equal(got.numpy(), expected_square(method, x.numpy()))


# =========================================================================== context misuse


@pytest.mark.parametrize("persistent", [False, True])
def test_reentering_an_active_tape_raises_and_changes_nothing(persistent):
    x = f64(3.0)
    t = GradientTape(persistent=persistent)
    with t:
        t.watch(x)
        y = x * x
        with GradientTape():
            with pytest.raises(ValueError) as info:
                with t:
                    pass  # pragma: no cover - never entered
        z = y * x  # still recording on t
    assert str(info.value) == (
        "Tape is still recording, This can happen if you try to re-enter an already-active tape."
    )
    assert t.gradient(z, x).numpy() == 27.0


def _never_entered():
    return GradientTape()


def _exited():
    with GradientTape() as t:
        pass
    return t


def _used():
    x = f64(1.0)
    with GradientTape() as t:
        t.watch(x)
        y = x * x
    t.gradient(y, x)
    return t


TAPE_STATES = {"never entered": _never_entered, "exited": _exited, "used": _used}


@pytest.mark.parametrize("state", list(TAPE_STATES), ids=list(TAPE_STATES))
def test_reset_outside_the_context_raises(state):
    t = TAPE_STATES[state]()
    with pytest.raises(ValueError) as info:
        t.reset()
    assert str(info.value) == (
        "Tape is not recording. reset() clears a tape inside its context; outside it, create a "
        "new GradientTape instead."
    )
    assert engine.STATE.recording == []


@pytest.mark.parametrize("state", list(TAPE_STATES), ids=list(TAPE_STATES))
def test_stop_recording_outside_the_context_raises(state):
    t = TAPE_STATES[state]()
    with pytest.raises(RuntimeError) as info:
        with t.stop_recording():
            pass  # pragma: no cover - never entered
    assert str(info.value) == "Trying to stop recording a tape which is not recording."
    assert engine.STATE.recording == []


def test_stop_recording_twice_raises_and_recording_resumes():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        with t.stop_recording():
            with pytest.raises(ValueError, match=r"^Tape is not recording\.$"):
                with t.stop_recording():
                    pass  # pragma: no cover - never entered
            assert engine.STATE.recording == []
        assert engine.STATE.recording == [t]
        y = x * x
    assert t.gradient(y, x).numpy() == 4.0


def test_reset_inside_stop_recording_raises():
    with GradientTape() as t:
        with t.stop_recording():
            with pytest.raises(ValueError, match=r"^Tape is not recording\. reset\(\)"):
                t.reset()


# =========================================================================== custom gradients


def _grad_fns():
    two = lambda x, y: x * y  # noqa: E731

    def one_for_two(x, y):
        return two(x, y), lambda u: [u * y]

    def three_for_two(x, y):
        return two(x, y), lambda u: (u * y, u * x, u)

    def wrong_shape(x, y):
        return two(x, y), lambda u: (tape.ones((3,), dtype=tape.float64), u * x)

    def broadcastable_shape(x, y):
        return two(x, y), lambda u: (tape.reshape(u * y, (1, 2)), u * x)

    def scalar_for_vector(x, y):
        return two(x, y), lambda u: (1.0, u * x)

    return {
        "one_for_two": (one_for_two, "returned 1 input gradients but it has 2 inputs: return "
                                     "one gradient (or None) per input."),
        "three_for_two": (three_for_two, "returned 3 input gradients but it has 2 inputs"),
        "wrong_shape": (wrong_shape, "returned a gradient of shape (3,) for input 0, whose "
                                     "shape is (2,)."),
        "broadcastable_shape": (broadcastable_shape, "returned a gradient of shape (1, 2) for "
                                                     "input 0, whose shape is (2,)."),
        "scalar_for_vector": (scalar_for_vector, "returned a gradient of shape () for input 0, "
                                                 "whose shape is (2,)."),
    }


GRAD_FNS = _grad_fns()


@pytest.mark.parametrize("method", ["gradient", "jacobian"])
@pytest.mark.parametrize("case", list(GRAD_FNS), ids=list(GRAD_FNS))
def test_custom_gradient_returning_wrong_number_or_shape_of_gradients(case, method):
    fn, message = GRAD_FNS[case]
    f = tape.custom_gradient(fn)
    a, b = f64([1.0, 2.0]), f64([3.0, 4.0])
    with GradientTape() as t:
        t.watch([a, b])
        y = f(a, b)
    np.testing.assert_array_equal(y.numpy(), [3.0, 8.0])  # the forward pass is unaffected
    with pytest.raises(ValueError) as info:
        run(method, t, y, [a, b])
    if "input gradients" in message:  # TensorFlow's text first, then tape's
        assert str(info.value).startswith("custom_gradient function expected to return ")
    else:
        assert str(info.value).startswith(f"custom_gradient function '{fn.__name__}' ")
    assert f"custom_gradient function '{fn.__name__}' " in str(info.value)
    assert message in str(info.value)


def test_custom_gradient_wrong_number_of_variable_gradients():
    v = tape.Variable(np.array([1.0, 2.0]))

    @tape.custom_gradient
    def scale(x):
        def grad(u, variables=None):
            return [u * v], []  # forgot the variable's gradient

        return x * v, grad

    x = f64([3.0, 4.0])
    with GradientTape() as t:
        t.watch(x)
        y = scale(x)
    with pytest.raises(ValueError) as info:
        t.gradient(y, [x, v])
    assert str(info.value) == (
        "Must return gradient for each variable from @custom_gradient grad_fn. "
        "(custom_gradient function 'scale' returned 0 variable gradients but it has 1 variables: "
        "return one gradient (or None) per variable.)"
    )


def test_custom_gradient_reading_variables_needs_a_variables_argument():
    v = tape.Variable(2.0)

    @tape.custom_gradient
    def scale(x):
        return x * v, lambda u: u * v

    with GradientTape(), pytest.raises(TypeError) as info:
        scale(tape.constant(1.0))
    assert str(info.value) == (
        "custom_gradient function 'scale' reads variables, so its grad_fn must accept a keyword "
        "argument 'variables' and return (input_grads, variable_grads)."
    )


# =========================================================================== ops with no rule


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda x: np.linalg.lstsq(np.eye(3), x), "np.linalg.lstsq"),
        (lambda x: np.polyval(x, 2.0), "np.polyval"),
        (lambda x: np.add.reduceat(x, [0, 2]), "np.add.reduceat"),
    ],
    ids=["lstsq", "polyval", "add.reduceat"],
)
def test_numpy_function_without_rule_on_a_watched_tensor_raises_naming_it(call, name):
    x = f64([3.0, 1.0, 2.0])
    with GradientTape() as t:
        t.watch(x)
        with pytest.raises(TypeError) as info:
            call(x)
    message = str(info.value)
    assert message.startswith(f"{name} has no gradient rule in tape"), message
    assert (
        "It was called on a tensor that a GradientTape is watching, so its result could not "
        "be differentiated." in message
    )


_NO_VJP = registry.defprim("test_misuse.no_vjp", lambda x: x * 2.0)
_HALF_VJP = registry.defprim(
    "test_misuse.half_vjp", lambda x, y: x * y, lambda g, ans, x, y: g * y
)
_NO_JVP = registry.defprim(
    "test_misuse.no_jvp", lambda x: x * 2.0, lambda g, ans, x: g * 2.0
)


def _lookup_message(name: str, i: int) -> str:
    return (
        f"No gradient defined for op '{name}' with respect to its argument {i}. Wrap the "
        "computation in tape.stop_gradient() if no gradient should flow through it."
    )


@pytest.mark.parametrize("method", METHODS)
def test_primitive_without_vjp_on_the_watched_path_raises_naming_it(method):
    x = f64([[1.0, 2.0]])
    with GradientTape() as t:
        t.watch(x)
        y = tape.sin(engine.bind(_NO_VJP, x))
    np.testing.assert_allclose(y.numpy(), np.sin([[2.0, 4.0]]), rtol=1e-15)
    with pytest.raises(LookupError) as info:
        run(method, t, y, x)
    assert str(info.value) == _lookup_message("test_misuse.no_vjp", 0)


def test_primitive_without_vjp_off_the_watched_path_is_harmless():
    x, c = f64(3.0), f64(5.0)
    with GradientTape(persistent=True) as t:
        t.watch(x)
        unwatched = engine.bind(_NO_VJP, c)  # not recorded: no watched input
        y = x * unwatched
        side = engine.bind(_NO_VJP, x)  # recorded, but y does not depend on it
    assert t.gradient(y, x).numpy() == 10.0
    with pytest.raises(LookupError, match="test_misuse.no_vjp"):
        t.gradient(side, x)


def test_primitive_missing_the_vjp_of_one_argument_names_that_argument():
    """An op's rules run for every watched argument the target depends on: with both arguments
    watched, the missing rule of argument 1 is reported whichever source is asked for."""
    a, b = f64(2.0), f64(3.0)
    with GradientTape(persistent=True) as t:
        t.watch(a)
        only_a = engine.bind(_HALF_VJP, a, b)
        t.watch(b)
        both = engine.bind(_HALF_VJP, a, b)
    assert t.gradient(only_a, a).numpy() == 3.0
    for source in (b, a):
        with pytest.raises(LookupError) as info:
            t.gradient(both, source)
        assert str(info.value) == _lookup_message("test_misuse.half_vjp", 1)


def test_primitive_without_jvp_raises_in_forward_mode_naming_it():
    x = f64([1.0, 2.0])
    with pytest.raises(LookupError) as info:
        with tape.autodiff.ForwardAccumulator(x, f64([1.0, 0.0])):
            engine.bind(_NO_JVP, x)
    assert str(info.value) == (
        "No forward-mode rule (JVP) defined for op 'test_misuse.no_jvp' with respect to its "
        "argument 0."
    )
    assert engine.STATE.accumulators == []
    with GradientTape() as t:  # reverse mode has its rule
        t.watch(x)
        y = engine.bind(_NO_JVP, x)
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), [2.0, 2.0])


def test_complex_sources_are_differentiated_in_tensorflows_convention():
    """d(z^2) is 2z dz: the gradient (seed 1) is its conjugate 2 conj(z), as TensorFlow's;
    the tangent along 1 is 2z."""
    z = tape.constant(np.array([1 + 2j]))
    with GradientTape() as t:
        t.watch(z)
        y = z * z
    np.testing.assert_allclose(t.gradient(y, z).numpy(), [2 - 4j])
    with tape.autodiff.ForwardAccumulator(z, tape.constant(np.array([1 + 0j]))) as acc:
        y = z * z
    np.testing.assert_allclose(acc.jvp(y).numpy(), [2 + 4j])


def test_an_op_with_real_rules_refuses_complex_values_naming_the_fix():
    z = tape.constant(np.array([1 + 2j, 3 - 1j]))
    with GradientTape() as t, pytest.raises(TypeError, match="no gradient rule for complex"):
        t.watch(z)
        np.maximum(z, 0)
    with pytest.raises(TypeError, match=r"tape.math.real\(z\)"):
        with tape.autodiff.ForwardAccumulator(z, tape.constant(np.array([1j, 0j]))):
            tape.reduce_max(z)


def test_a_failed_sweep_still_uses_up_a_non_persistent_tape():
    @tape.custom_gradient
    def bad(x):
        return x * 1.0, lambda upstream: tape.constant([1.0, 2.0])  # wrong shape

    x = tape.constant(1.0)
    with GradientTape() as t:
        t.watch(x)
        y = bad(x)
    with pytest.raises(ValueError, match="custom_gradient function 'bad' returned a gradient"):
        t.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape can only be used"):
        t.gradient(y, x)
