"""Complex numbers: TensorFlow's convention under GradientTape, JAX's in the functional API.

The references are closed forms in the real and imaginary parts, worked by hand, and the
values the peers document: for ``L = |z|^2 + Re z`` at ``1 + 2j``, TensorFlow and PyTorch give
``3 + 4j`` (``dL/dx + i dL/dy``), ``jax.grad`` gives ``3 - 4j``.
"""

from __future__ import annotations

import numpy as np
import pytest

import tape


def c128(v) -> tape.Tensor:
    return tape.constant(np.asarray(v, dtype=np.complex128))


def loss(z):
    return tape.math.abs(z) ** 2 + tape.math.real(z)


def test_gradient_tape_follows_tensorflow():
    z = c128(1 + 2j)
    with tape.GradientTape() as t:
        t.watch(z)
        y = loss(z)
    assert complex(t.gradient(y, z)) == pytest.approx(3 + 4j)


def test_a_complex_variable_is_watched_and_differentiated():
    v = tape.Variable(np.array([1 + 2j, -0.5 + 0.25j]))
    with tape.GradientTape() as t:
        y = tape.reduce_sum(loss(v))
    x, yv = v.numpy().real, v.numpy().imag
    np.testing.assert_allclose(t.gradient(y, v).numpy(), (2 * x + 1) + 2j * yv)


def test_functional_grad_follows_jax():
    assert complex(tape.grad(loss)(1 + 2j)) == pytest.approx(3 - 4j)
    assert complex(tape.value_and_grad(loss)(1 + 2j)[1]) == pytest.approx(3 - 4j)


def test_holomorphic_derivatives_are_the_complex_derivative():
    """f(z) = z^3 exp(z): f' = (3 z^2 + z^3) exp z, f'' = (6 z + 6 z^2 + z^3) exp z."""
    z0 = np.array([0.3 + 0.4j, -1.0 + 0.5j])
    f = lambda z: z**3 * tape.exp(z)  # noqa: E731
    d1 = (3 * z0**2 + z0**3) * np.exp(z0)
    d2 = (6 * z0 + 6 * z0**2 + z0**3) * np.exp(z0)
    g = tape.grad(lambda z: f(z)[0], holomorphic=True)(z0)
    np.testing.assert_allclose(g.numpy(), [d1[0], 0])
    np.testing.assert_allclose(tape.jacrev(f, holomorphic=True)(z0).numpy(), np.diag(d1))
    np.testing.assert_allclose(tape.jacfwd(f, holomorphic=True)(z0).numpy(), np.diag(d1))
    h = tape.hessian(lambda z: tape.reduce_sum(f(z)), holomorphic=True)(z0)
    np.testing.assert_allclose(h.numpy(), np.diag(d2))
    # GradientTape gives the conjugate of the complex derivative (seed 1)
    z = c128(z0)
    with tape.GradientTape() as t:
        t.watch(z)
        y = f(z)
    np.testing.assert_allclose(t.gradient(y, z).numpy(), np.conj(d1))


def test_vjp_and_jvp_follow_jax():
    """jax.vjp: u * f'(z) for a holomorphic f; jvp: f'(z) t."""
    z0 = np.array([1 + 2j])
    _, pullback = tape.vjp(lambda z: z * z, z0)
    np.testing.assert_allclose(pullback(np.array([1j]))[0].numpy(), 1j * 2 * z0)
    _, dy = tape.jvp(lambda z: z * z, (z0,), (np.array([0.5 - 1j]),))
    np.testing.assert_allclose(dy.numpy(), 2 * z0 * (0.5 - 1j))


def test_real_inputs_with_complex_intermediates():
    """Real x, complex values in between: d/dx Re(exp(ix)) = -sin x, d/dx Im(x (2 + 3j)) = 3."""
    x0 = np.array([0.3, 1.1])
    x = tape.constant(x0)
    with tape.GradientTape() as t:
        t.watch(x)
        y = tape.reduce_sum(tape.math.real(tape.exp(1j * x)) + tape.math.imag(x * (2 + 3j)))
    np.testing.assert_allclose(t.gradient(y, x).numpy(), -np.sin(x0) + 3)
    np.testing.assert_allclose(tape.grad(lambda x: tape.reduce_sum(
        tape.math.real(tape.exp(1j * x))))(x0).numpy(), -np.sin(x0))
    np.testing.assert_allclose(
        tape.jacfwd(lambda x: tape.exp(1j * x))(x0).numpy(), np.diag(1j * np.exp(1j * x0)))


def test_jax_refusals_name_holomorphic():
    with pytest.raises(TypeError, match="holomorphic=True"):
        tape.grad(lambda z: z * z)(1 + 2j)
    with pytest.raises(TypeError, match="holomorphic=True"):
        tape.jacrev(lambda z: z * z)(np.array([1 + 2j]))
    with pytest.raises(TypeError, match="holomorphic=True"):
        tape.jacfwd(lambda z: z * z)(np.array([1 + 2j]))
    with pytest.raises(TypeError, match="requires inputs with complex dtype"):
        tape.grad(lambda x: x * 1j, holomorphic=True)(1.0)
    with pytest.raises(TypeError, match="requires outputs with complex dtype"):
        tape.grad(lambda z: tape.math.abs(z), holomorphic=True)(1j)


def test_jacrev_of_a_real_function_of_complex_inputs_is_the_conjugate_of_the_tape():
    z0 = np.array([1 + 2j, -1 + 0.5j])
    j = tape.jacrev(lambda z: tape.math.abs(z) ** 2)(z0).numpy()
    np.testing.assert_allclose(j, np.diag(2 * np.conj(z0)))
    z = c128(z0)
    with tape.GradientTape() as t:
        t.watch(z)
        y = tape.math.abs(z) ** 2
    np.testing.assert_allclose(t.jacobian(y, z).numpy(), np.diag(2 * z0))


def test_make_complex_and_parts():
    re, im = tape.constant([1.0, 2.0]), tape.constant([3.0, -1.0])
    with tape.GradientTape(persistent=True) as t:
        t.watch([re, im])
        z = tape.complex(re, im)
        y = tape.reduce_sum(tape.math.abs(z) ** 2 * (1 + 2j))  # complex target, seed 1
    assert z.dtype == tape.complex64
    np.testing.assert_allclose(z.numpy(), [1 + 3j, 2 - 1j])
    # L = Re(y) = (re^2 + im^2) (the seed 1 pairs with the real part)
    np.testing.assert_allclose(t.gradient(y, re).numpy(), 2 * re.numpy())
    np.testing.assert_allclose(t.gradient(y, im).numpy(), 2 * im.numpy())
    with pytest.raises(TypeError, match="two floating tensors of one dtype"):
        tape.complex(tape.constant([1.0]), tape.constant([1.0], dtype=tape.float64))


def test_cast_between_real_and_complex():
    """cast real -> complex keeps the gradient's real part; complex -> real takes the real
    part of the value, and its gradient is g + 0j (TensorFlow's)."""
    x = tape.constant([0.5, -2.0], dtype=tape.float64)
    with tape.GradientTape() as t:
        t.watch(x)
        y = tape.reduce_sum(tape.math.imag(tape.cast(x, tape.complex128) * (1 + 1j)))
    np.testing.assert_allclose(t.gradient(y, x).numpy(), [1.0, 1.0])
    z = c128([1 + 2j])
    with tape.GradientTape() as t:
        t.watch(z)
        y = tape.cast(z, tape.float64) * 3.0
    np.testing.assert_allclose(y.numpy(), [3.0])
    np.testing.assert_allclose(t.gradient(y, z).numpy(), [3 + 0j])


def test_angle_and_conj_closed_forms():
    """angle: d/dx = -y/r^2, d/dy = x/r^2; conj: the gradient of Re(conj(z) w) is w."""
    z0 = np.array([1 + 2j, -1 - 1j])
    z = c128(z0)
    w = np.array([0.5 - 1j, 2 + 0.25j])
    with tape.GradientTape(persistent=True) as t:
        t.watch(z)
        a = tape.reduce_sum(np.angle(z))
        c = tape.reduce_sum(tape.math.real(np.conj(z) * w))
    r2 = np.abs(z0) ** 2
    np.testing.assert_allclose(t.gradient(a, z).numpy(), (-z0.imag + 1j * z0.real) / r2)
    np.testing.assert_allclose(t.gradient(c, z).numpy(), w)
    np.testing.assert_allclose(np.angle(z, deg=True).numpy(), np.angle(z0, deg=True))


def test_abs_of_complex_zero_has_gradient_zero():
    z = c128([0j, 3 + 4j])
    with tape.GradientTape() as t:
        t.watch(z)
        y = tape.reduce_sum(tape.math.abs(z))
    np.testing.assert_allclose(t.gradient(y, z).numpy(), [0, 0.6 + 0.8j])


def test_real_if_close_and_iscomplex():
    z = c128([1 + 1e-20j, 2 + 0j])
    assert np.real_if_close(z).dtype == tape.float64
    assert np.real_if_close(c128([1 + 1j])).dtype == tape.complex128
    np.testing.assert_array_equal(np.iscomplex(c128([1 + 1j, 2])), [True, False])


def test_compiled_and_vmapped_complex_programs_match_eager():
    f = lambda z: tape.reduce_sum(tape.math.abs(tape.exp(z) * z) ** 2)  # noqa: E731
    z0 = np.array([[0.1 + 0.2j, -0.3 + 0.4j], [0.5 - 0.1j, 1j]])

    def grad_of(z):
        with tape.GradientTape() as t:
            t.watch(z)
            y = f(z)
        return t.gradient(y, z)

    eager = grad_of(c128(z0)).numpy()
    np.testing.assert_allclose(tape.function(grad_of)(c128(z0)).numpy(), eager)
    rows = tape.vmap(grad_of)(c128(z0)).numpy()
    np.testing.assert_allclose(rows, eager)
    # against central differences of the real and imaginary parts
    tape.check_gradients(f, [z0], order=2)


def test_a_complex_variable_is_refused_by_the_optimizers_naming_the_fix():
    v = tape.Variable(np.array([1 + 2j]))
    opt = tape.keras.optimizers.SGD(0.1)
    with pytest.raises(TypeError, match=r"tape.complex\(re, im\)"):
        opt.apply_gradients([(tape.constant(np.array([1 + 0j])), v)])


def test_ndarray_attributes_real_imag_and_conj_are_recorded():
    """L = (Re z)^2 + 3 Im z + Re(conj(z) w): dL/dx + i dL/dy = 2x + 3i + w."""
    z0, w = np.array([1 + 2j, -0.5 + 1j]), np.array([0.25 - 1j, 2 + 0j])
    z = c128(z0)
    with tape.GradientTape() as t:
        t.watch(z)
        y = tape.reduce_sum(z.real**2 + 3 * z.imag + (z.conj() * w).real)
    np.testing.assert_allclose(t.gradient(y, z).numpy(), 2 * z0.real + 3j + w)


def test_the_table_shows_a_holomorphic_ops_complex_derivative():
    """The local derivative of exp at z is exp(z) (not the conjugate the sweep uses); abs of
    a complex value has none (it is not holomorphic), but its adjoint is shown."""
    z0 = 1 + 2j
    z = c128(z0)
    with tape.GradientTape(persistent=True) as t:
        t.watch(z)
        y = tape.math.abs(tape.exp(z))
    t.gradient(y, z)
    text = t.table(precision=6)
    line = next(row for row in text.splitlines() if " exp " in row)
    assert f"dv1/dx0 = ({np.exp(z0).real:.6g}+{np.exp(z0).imag:.6g}j)" in line
    abs_line = next(row for row in text.splitlines() if " abs " in row)
    assert "dv" not in abs_line


def test_a_batched_call_and_a_custom_gradient_take_complex_values_under_a_tape():
    """|e^z|^2 = e^(2 Re z): gradient 2 e^(2x) (+ 0i) through a batched call; a custom
    gradient's rule is taken as written."""
    z0 = np.array([0.3 + 1j, -0.2 - 0.5j])
    z = c128(z0)
    with tape.GradientTape() as t:
        t.watch(z)
        y = tape.reduce_sum(tape.math.abs(tape.vmap(tape.exp)(z)) ** 2)
    np.testing.assert_allclose(t.gradient(y, z).numpy(), 2 * np.exp(2 * z0.real))

    @tape.custom_gradient
    def twice(x):
        return 2 * x, lambda g: 2 * g

    with tape.GradientTape() as t:
        t.watch(z)
        y = tape.reduce_sum(tape.math.real(twice(z) * (1 - 1j)))
    np.testing.assert_allclose(t.gradient(y, z).numpy(), 2 * (1 + 1j) * np.ones(2))


def test_a_complex_output_gradient_for_a_real_target_raises():
    """Its imaginary part would be dropped silently."""
    x = tape.constant([0.5])
    with tape.GradientTape() as t:
        t.watch(x)
        y = x * 2.0
    with pytest.raises(ValueError, match="a real target's cotangent is real"):
        t.gradient(y, x, output_gradients=tape.constant(np.array([1j], np.complex64)))


def test_a_complex_tangent_for_a_real_primal_raises():
    with pytest.raises(TypeError, match="A tangent of a real primal must be real"):
        tape.jvp(lambda x: x * 2, (np.array([0.5]),), (np.array([1j]),))
    with pytest.raises(TypeError, match="does not match its primal's dtype"):
        tape.autodiff.ForwardAccumulator(tape.constant(np.array([0.5])),
                                         tape.constant(np.array([1j])))


def test_ops_without_rules_take_complex_values_when_traced():
    """A compiled function compares and stops complex values (no rules, nothing to refuse)."""

    @tape.function
    def f(z):
        kept = tape.where(tape.math.not_equal(z, 0), tape.stop_gradient(z), 1.0)
        return tape.reduce_sum(tape.math.abs(kept * z) ** 2)

    z0 = np.array([1 + 2j, 0j, -0.5 + 0.5j])
    expected = np.sum(np.abs(np.where(z0 != 0, z0, 1) * z0) ** 2)
    np.testing.assert_allclose(f(c128(z0)).numpy(), expected)
    np.testing.assert_allclose(f(c128(z0)).numpy(), expected)


def test_a_negative_real_base_to_a_complex_power():
    """d/dy (-2)^y = (-2)^y log(-2), the principal logarithm (not 0, the real convention)."""
    y0 = np.array([0.3 + 0.4j])
    tape.check_gradients(lambda y: (-2.0) ** y, [y0], order=2)
    tape.check_gradients(lambda x, y: x**y, [np.array([-2.0, 3.0]), np.array([0.3 + 0.4j, 1 - 1j])])
    expected = (-2 + 0j) ** y0[0] * np.log(-2 + 0j)
    assert complex(tape.grad(lambda y: (-2.0) ** y, holomorphic=True)(y0[0])) == pytest.approx(
        expected)


def test_forward_mode_through_a_custom_gradient_of_complex_values():
    """A custom gradient's rule in TensorFlow's convention gives the tangent A v + B conj(v):
    c z -> c v; conj(z) -> conj(v); |z|^2 -> 2 Re(conj(z) v)."""
    z0, v0, c = np.array([0.5 - 1j]), np.array([0.3 + 0.7j]), 1.2 - 0.4j

    @tape.custom_gradient
    def scale(z):
        return z * c, lambda g: g * np.conj(c)

    @tape.custom_gradient
    def conjugate(z):
        return np.conj(z), lambda g: np.conj(g)

    @tape.custom_gradient
    def power(z):
        return tape.math.abs(z) ** 2, lambda g: 2 * tape.cast(g, z.dtype) * z

    for f, expected in [(scale, c * v0), (conjugate, np.conj(v0)),
                        (power, 2 * np.real(np.conj(z0) * v0))]:
        _, jv = tape.jvp(f, (z0,), (v0,))
        np.testing.assert_allclose(jv.numpy(), expected)


@pytest.mark.parametrize("make", [
    lambda x: tape.autodiff.ForwardAccumulator(x, np.array([1j])),
    lambda x: tape.constant(np.array([1 + 2j]), dtype=tape.float64),
    lambda x: tape.Variable(np.array([1.0])).assign(np.array([1j])),
    lambda x: tape.multiply(x, [np.complex128(1j)]),
])
def test_a_complex_value_is_never_cast_to_a_real_dtype_silently(make):
    x = tape.constant(np.array([0.5]))
    with pytest.raises(TypeError, match="imaginary part would be dropped"):
        make(x)


def test_a_python_complex_number_is_weak_as_in_numpy():
    x = tape.constant(np.array([0.5, 1.0], np.float32))
    for y in (x * 1j, 1j * x, x + (1 + 2j), np.exp(1j * x), x ** (1j)):
        assert y.dtype == tape.complex64


def test_refusing_ops_run_where_nothing_differentiates_them():
    """maximum of complex values (NumPy's order) in a compiled function, under vmap, or next
    to an accumulator whose tangent does not reach it runs; differentiating it refuses."""
    c = tape.constant(np.array([1 + 2j, -1j]))
    y = tape.constant(0.5)
    with tape.autodiff.ForwardAccumulator(y, tape.constant(1.0)):
        np.testing.assert_allclose(np.maximum(c, 0).numpy(), np.maximum(c.numpy(), 0))
    f = tape.function(lambda z: tape.reduce_sum(np.maximum(z, 0)))
    np.testing.assert_allclose(f(c).numpy(), np.sum(np.maximum(c.numpy(), 0)))
    mapped = tape.vmap(lambda z: np.maximum(z, 0))(tape.reshape(c, (2, 1)))
    np.testing.assert_allclose(mapped.numpy()[:, 0], np.maximum(c.numpy(), 0))
    with tape.GradientTape() as t:  # the compiled function's gradient (its traced VJP)
        t.watch(c)
        total = f(c)
    with pytest.raises(TypeError, match="no gradient rule for complex"):
        t.gradient(total, c)


def test_squared_difference_of_complex_values_is_tensorflows():
    """TensorFlow: conj(x - y) (x - y), real values in a complex dtype."""
    x, y = np.array([1 + 1j, 2j]), np.array([1 + 2j, 1 + 1j])
    np.testing.assert_allclose(
        tape.math.squared_difference(c128(x), c128(y)).numpy(), np.abs(x - y) ** 2)
    tape.check_gradients(tape.math.squared_difference, [x, y], order=2)


def test_hessian_of_complex_inputs_needs_holomorphic():
    with pytest.raises(TypeError, match="needs holomorphic=True"):
        tape.hessian(lambda z: tape.reduce_sum(tape.math.abs(z) ** 2))(np.array([1j]))


def test_a_python_complex_number_takes_the_precision_numpy_gives_it():
    """NumPy's weak scalars: beside a float64 array and a bool condition, 0.1+0.1j stays
    complex128 exactly; beside int8, complex128; beside float32, complex64."""
    x = tape.constant(np.array([1.0, 2.0]))
    cond = tape.constant(np.array([True, False]))
    assert np.where(cond, 0.1 + 0.1j, x).numpy()[0] == 0.1 + 0.1j
    assert (tape.constant(np.array([1], np.int8)) * (0.1 + 0.1j)).dtype == tape.complex128
    assert (tape.constant(np.array([1.0], np.float32)) * 1j).dtype == tape.complex64


def test_complex_sigmoid_far_out_and_near_its_poles():
    """1/2 + tanh(z/2)/2: no overflow for large |Re z|, and the real part 1/2 at z = i pi."""
    z = np.array([-800 + 1j, 800 - 1j, 1j * np.pi])
    s = tape.math.sigmoid(tape.constant(z)).numpy()
    np.testing.assert_allclose(s[:2], [0.0, 1.0], atol=1e-300)
    assert s[2].real == 0.5
