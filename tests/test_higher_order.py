"""Higher-order derivatives: nested tapes, persistent tapes, gradients of gradients.

Every gradient is checked against something independent of tape: a closed form, or central
finite differences of a plain NumPy function in float64 (``numerical_gradient``, conftest.py).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tape
from tape import GradientTape
from tests.common import f64

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
