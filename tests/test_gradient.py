"""GradientTape.gradient: targets and sources, output_gradients, unconnected gradients,
intermediates, and the errors of misuse.

Every gradient is checked against something independent of tape: a closed form, or central
finite differences of a plain NumPy function in float64 (``numerical_gradient``, conftest.py).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tape
from tape import GradientTape, UnconnectedGradients
from tests.common import f64, recording

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
