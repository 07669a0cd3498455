"""``tape.vmap`` composed with tapes, accumulators, ``tape.function`` and the functional API,
and the batched ``jacfwd``: every value and derivative against a closed form or central
finite differences (float64); and, where the call runs on the batch as a whole, the mapped
function runs a number of times that does not depend on the batch size."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest

import tape

RNG = np.random.default_rng(7)


def _fd(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """The Jacobian of ``f`` (arrays to an array) at ``x`` by central differences: shape
    ``f(x).shape + x.shape``."""
    x = np.asarray(x, dtype=np.float64)
    cols = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = h
        e = e.reshape(x.shape)
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    out = np.stack(cols, axis=-1)
    return out.reshape(out.shape[:-1] + x.shape)


class _Counted:
    """A function of one example that counts its Python calls."""

    def __init__(self, fn) -> None:
        self.fn, self.calls = fn, 0
        self.__name__ = "counted"

    def __call__(self, *args):
        self.calls += 1
        return self.fn(*args)


def _calls_for(batches, run) -> list[int]:
    """How many times the mapped function ran, per batch size (``run(n, counted)``)."""
    counts = []
    for n in batches:
        counted = _Counted(lambda r: tape.sin(r) * r)
        run(n, counted)
        counts.append(counted.calls)
    return counts


# --------------------------------------------------------------------------- tapes


def test_a_gradient_tape_around_vmap_first_and_second_order():
    x_np = RNG.standard_normal((5, 3))
    x = tape.constant(x_np)
    f = tape.vmap(lambda r: tape.reduce_sum(tape.sin(r) * r))
    with tape.GradientTape() as outer:
        outer.watch(x)
        with tape.GradientTape() as inner:
            inner.watch(x)
            y = tape.reduce_sum(f(x) ** 2)
        g = inner.gradient(y, x)
        s = tape.reduce_sum(g)
    fx = np.sum(np.sin(x_np) * x_np, axis=1, keepdims=True)
    d = np.cos(x_np) * x_np + np.sin(x_np)  # d fx / dx, elementwise
    np.testing.assert_allclose(g.numpy(), 2 * fx * d, rtol=1e-12)
    # d/dx of sum(2 fx d): 2 d * sum(d) over the row + 2 fx (2 cos x - x sin x)
    want = 2 * d * d.sum(axis=1, keepdims=True) + 2 * fx * (2 * np.cos(x_np) - x_np * np.sin(x_np))
    np.testing.assert_allclose(outer.gradient(s, x).numpy(), want, rtol=1e-12)


def test_third_order_through_nested_tapes():
    x_np = np.array([[0.5, -1.0], [2.0, 0.25]])
    x = tape.constant(x_np)
    f = tape.vmap(lambda r: r**4)
    with tape.GradientTape() as t3:
        t3.watch(x)
        with tape.GradientTape() as t2:
            t2.watch(x)
            with tape.GradientTape() as t1:
                t1.watch(x)
                y = tape.reduce_sum(f(x))
            g1 = t1.gradient(y, x)
        g2 = t2.gradient(g1, x)
    g3 = t3.gradient(g2, x)
    np.testing.assert_allclose(g1.numpy(), 4 * x_np**3, rtol=1e-13)
    np.testing.assert_allclose(g2.numpy(), 12 * x_np**2, rtol=1e-13)
    np.testing.assert_allclose(g3.numpy(), 24 * x_np, rtol=1e-13)


def test_under_a_tape_the_batch_runs_as_a_whole():
    def run(n, counted):
        x = tape.constant(RNG.standard_normal((n, 3)))
        with tape.GradientTape() as t:
            t.watch(x)
            y = tape.reduce_sum(tape.vmap(counted)(x))
        g = t.gradient(y, x)
        xv = x.numpy()
        np.testing.assert_allclose(g.numpy(), np.cos(xv) * xv + np.sin(xv), rtol=1e-12)

    small, large = _calls_for((2, 8), run)
    assert small == large  # traced on one example: not once per example


def test_an_argument_without_the_batch_gets_the_sum_of_the_examples_gradients():
    x_np, w_np = RNG.standard_normal((6, 3)), RNG.standard_normal(3)
    x, w = tape.constant(x_np), tape.constant(w_np)
    f = tape.vmap(lambda r, w: tape.reduce_sum(r * w) ** 2, in_axes=(0, None))
    with tape.GradientTape() as t:
        t.watch([x, w])
        y = tape.reduce_sum(f(x, w))
    gx, gw = t.gradient(y, [x, w])
    s = x_np @ w_np
    np.testing.assert_allclose(gx.numpy(), 2 * s[:, None] * w_np, rtol=1e-12)
    np.testing.assert_allclose(gw.numpy(), 2 * (s[:, None] * x_np).sum(axis=0), rtol=1e-12)


def test_a_tensor_closed_over_and_watched_is_differentiated_on_the_whole_batch():
    w_np = RNG.standard_normal(3)
    w = tape.constant(w_np)
    calls = []

    def f(r):
        calls.append(1)
        return tape.reduce_sum(r * tape.exp(w))  # exp(w): computed from the closed-over w

    for n in (2, 8):
        x_np = RNG.standard_normal((n, 3))
        calls.clear()
        with tape.GradientTape() as t:
            t.watch(w)
            y = tape.reduce_sum(tape.vmap(f)(tape.constant(x_np)) ** 2)
        s = x_np @ np.exp(w_np)
        np.testing.assert_allclose(t.gradient(y, w).numpy(),
                                   2 * np.exp(w_np) * (s[:, None] * x_np).sum(axis=0),
                                   rtol=1e-12)
        assert len(calls) == 1  # traced once: not once per example


def test_a_function_reading_a_variable_is_differentiated_on_the_whole_batch():
    w_np = RNG.standard_normal(3)
    w = tape.Variable(w_np)
    calls = []

    def f(r):
        calls.append(1)
        return tape.reduce_sum(tape.tanh(r * w))

    for n in (2, 8):
        x_np = RNG.standard_normal((n, 3))
        x = tape.constant(x_np)
        calls.clear()
        with tape.GradientTape() as t:
            t.watch(x)
            y = tape.reduce_sum(tape.vmap(f)(x))
        gx, gw = t.gradient(y, [x, w])
        sech2 = 1 - np.tanh(x_np * w_np) ** 2
        np.testing.assert_allclose(gx.numpy(), sech2 * w_np, rtol=1e-12)
        np.testing.assert_allclose(gw.numpy(), (sech2 * x_np).sum(axis=0), rtol=1e-12)
        assert len(calls) == 1


def test_a_variable_read_inside_a_compiled_vmap_is_read_on_every_call():
    w_np = RNG.standard_normal(3)
    w = tape.Variable(w_np)
    f = tape.function(lambda x: tape.vmap(lambda r: tape.reduce_sum(r * w) ** 2)(x))
    x_np = RNG.standard_normal((4, 3))
    x = tape.constant(x_np)
    np.testing.assert_allclose(f(x).numpy(), (x_np @ w_np) ** 2, rtol=1e-13)
    w.assign(2 * w_np)
    np.testing.assert_allclose(f(x).numpy(), (x_np @ (2 * w_np)) ** 2, rtol=1e-13)
    with tape.GradientTape() as t:
        y = tape.reduce_sum(f(x))
    s = x_np @ (2 * w_np)
    np.testing.assert_allclose(t.gradient(y, w).numpy(), (2 * s[:, None] * x_np).sum(axis=0),
                               rtol=1e-12)
    assert f.experimental_get_tracing_count() == 1


def test_several_outputs_an_integer_one_among_them():
    x_np = RNG.standard_normal((4, 3))
    x = tape.constant(x_np)
    f = tape.vmap(lambda r: (tape.argmax(r), {"sq": r * r, "sum": tape.reduce_sum(r)}))
    with tape.GradientTape() as t:
        t.watch(x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # argmax loops over the batch
            idx, d = f(x)
        y = tape.reduce_sum(d["sq"]) + 3.0 * tape.reduce_sum(d["sum"])
    np.testing.assert_array_equal(idx.numpy(), np.argmax(x_np, axis=1))
    np.testing.assert_allclose(t.gradient(y, x).numpy(), 2 * x_np + 3.0, rtol=1e-13)


# --------------------------------------------------------------------------- functional


def test_grad_of_a_function_calling_vmap_and_vmap_of_grad_of_vmap():
    x_np = RNG.standard_normal((4, 3))
    f = tape.vmap(lambda r: tape.reduce_sum(tape.sin(r) * r))
    g = tape.grad(lambda x: tape.reduce_sum(f(x) ** 2))(tape.constant(x_np))
    fx = np.sum(np.sin(x_np) * x_np, axis=1, keepdims=True)
    np.testing.assert_allclose(g.numpy(), 2 * fx * (np.cos(x_np) * x_np + np.sin(x_np)),
                               rtol=1e-12)

    def inner(m):  # a function of a matrix that maps over its rows
        return tape.reduce_sum(tape.vmap(lambda r: tape.exp(r) * r)(m))

    xs = RNG.standard_normal((2, 4, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing loops over a batch
        out = tape.vmap(tape.grad(inner))(tape.constant(xs))
    np.testing.assert_allclose(out.numpy(), np.exp(xs) * (xs + 1), rtol=1e-13)


@pytest.mark.filterwarnings("ignore:op 'scatter_add' has no batching rule")  # an index's VJP
def test_jacobian_and_hessian_through_a_vmap():
    x_np = RNG.standard_normal(4)
    x = tape.constant(x_np)
    f = tape.vmap(lambda r: tape.sin(r) * r)  # elementwise over the batch of scalars
    np.testing.assert_allclose(tape.jacobian(f)(x).numpy(),
                               np.diag(np.cos(x_np) * x_np + np.sin(x_np)), rtol=1e-13)
    np.testing.assert_allclose(tape.jacfwd(f)(x).numpy(),
                               np.diag(np.cos(x_np) * x_np + np.sin(x_np)), rtol=1e-13)
    loss = lambda v: tape.reduce_sum(f(v) ** 2)  # noqa: E731
    h = tape.hessian(loss)(x).numpy()
    want = _fd(lambda v: 2 * np.sin(v) * v * (np.cos(v) * v + np.sin(v)), x_np)
    np.testing.assert_allclose(h, want, rtol=1e-7, atol=1e-8)
    # a batch of matrices: the Jacobian of each example's map
    m_np = RNG.standard_normal((3, 2))
    with tape.GradientTape() as t:
        m = tape.constant(m_np)
        t.watch(m)
        y = tape.vmap(lambda r: tape.stack([r[0] * r[1], r[0] ** 2]))(m)
    jac = t.jacobian(y, m).numpy()
    want = _fd(lambda v: np.stack([v[:, 0] * v[:, 1], v[:, 0] ** 2], axis=1), m_np)
    np.testing.assert_allclose(jac, want, rtol=1e-7, atol=1e-8)


def test_jvp_vjp_and_hvp_of_vmap():
    x_np, v_np = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    f = tape.vmap(lambda r: tape.sin(r) * tape.reduce_sum(r))
    fd = lambda x: np.sin(x) * x.sum(axis=1, keepdims=True)  # noqa: E731
    jac = _fd(fd, x_np)  # (4, 3, 4, 3)
    y, dy = tape.jvp(f, (tape.constant(x_np),), (tape.constant(v_np),))
    np.testing.assert_allclose(y.numpy(), fd(x_np), rtol=1e-13)
    np.testing.assert_allclose(dy.numpy(), np.einsum("ijkl,kl->ij", jac, v_np), rtol=1e-7,
                               atol=1e-8)
    y, pullback = tape.vjp(f, tape.constant(x_np))
    (ct,) = pullback(tape.constant(v_np))
    np.testing.assert_allclose(ct.numpy(), np.einsum("ij,ijkl->kl", v_np, jac), rtol=1e-7,
                               atol=1e-8)
    loss = lambda x: tape.reduce_sum(f(x) ** 2)  # noqa: E731
    (hv,) = tape.hvp(loss, (tape.constant(x_np),), (tape.constant(v_np),))
    grad_fd = lambda x: _fd(lambda z: np.sum(fd(z) ** 2), x)  # noqa: E731
    h_v = (grad_fd(x_np + 1e-4 * v_np) - grad_fd(x_np - 1e-4 * v_np)) / 2e-4
    np.testing.assert_allclose(hv.numpy(), h_v, rtol=1e-4, atol=1e-5)


def test_a_forward_accumulator_around_vmap():
    x_np, v_np = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 3))
    x = tape.constant(x_np)
    w_np = RNG.standard_normal(3)
    w = tape.constant(w_np)
    f = tape.vmap(lambda r, w: tape.tanh(r * w), in_axes=(0, None))
    u_np = RNG.standard_normal(3)
    tangents = [tape.constant(v_np), tape.constant(u_np)]
    with tape.autodiff.ForwardAccumulator([x, w], tangents) as acc:
        y = f(x, w)
    sech2 = 1 - np.tanh(x_np * w_np) ** 2
    np.testing.assert_allclose(acc.jvp(y).numpy(), sech2 * (v_np * w_np + x_np * u_np),
                               rtol=1e-12)

    def run(n, counted):
        x = tape.constant(RNG.standard_normal((n, 3)))
        with tape.autodiff.ForwardAccumulator(x, tape.ones_like(x)) as acc:
            y = tape.vmap(counted)(x)
        xv = x.numpy()
        np.testing.assert_allclose(acc.jvp(y).numpy(), np.cos(xv) * xv + np.sin(xv),
                                   rtol=1e-12)

    small, large = _calls_for((2, 8), run)
    assert small == large


# --------------------------------------------------------------------------- tape.function


def test_vmap_inside_tape_function_does_not_grow_with_the_batch():
    @tape.function
    def per_row(x, w):
        return tape.vmap(lambda r: tape.reduce_sum(tape.tanh(r * w)) ** 2)(x)

    w_np = RNG.standard_normal(3)
    w = tape.constant(w_np)
    lines = []
    for n in (2, 8):
        x = tape.constant(RNG.standard_normal((n, 3)))
        lines.append(len(per_row.source(x, w).splitlines()))
        x_np = x.numpy()
        s = np.tanh(x_np * w_np).sum(axis=1)
        np.testing.assert_allclose(per_row(x, w).numpy(), s**2, rtol=1e-13)
        np.testing.assert_allclose(per_row(x, w).numpy(), s**2, rtol=1e-13)  # compiled
        with tape.GradientTape() as t:
            t.watch([x, w])
            y = tape.reduce_sum(per_row(x, w))
        gx, gw = t.gradient(y, [x, w])
        sech2 = 1 - np.tanh(x_np * w_np) ** 2
        np.testing.assert_allclose(gx.numpy(), 2 * s[:, None] * sech2 * w_np, rtol=1e-12)
        np.testing.assert_allclose(gw.numpy(), (2 * s[:, None] * sech2 * x_np).sum(axis=0),
                                   rtol=1e-12)
    assert lines[0] == lines[1]


def test_gradient_inside_tape_function_of_a_vmap_and_its_second_order():
    @tape.function
    def grads(x):
        with tape.GradientTape() as t:
            t.watch(x)
            y = tape.reduce_sum(tape.vmap(lambda r: tape.reduce_sum(r**3))(x))
        return t.gradient(y, x)

    lines = []
    for n in (2, 8):
        x_np = RNG.standard_normal((n, 2))
        x = tape.constant(x_np)
        lines.append(len(grads.source(x).splitlines()))
        np.testing.assert_allclose(grads(x).numpy(), 3 * x_np**2, rtol=1e-13)
        with tape.GradientTape() as t:
            t.watch(x)
            s = tape.reduce_sum(grads(x))
        np.testing.assert_allclose(t.gradient(s, x).numpy(), 6 * x_np, rtol=1e-13)
    assert lines[0] == lines[1]


def test_inside_tape_function_python_branches_run_per_example_and_stay_right():
    @tape.function
    def f(x):
        return tape.vmap(lambda r: r * 2.0 if float(tape.reduce_sum(r)) > 0 else -r)(x)

    x_np = np.array([[1.0, 2.0], [-3.0, -4.0]])
    np.testing.assert_array_equal(f(tape.constant(x_np)).numpy(), [[2.0, 4.0], [3.0, 4.0]])
    np.testing.assert_array_equal(f(tape.constant(-x_np)).numpy(), [[1.0, 2.0], [6.0, 8.0]])


# --------------------------------------------------------------------------- jacfwd


def test_jacfwd_of_an_elementwise_map_and_a_matrix_product():
    x_np = RNG.standard_normal(6)
    j = tape.jacfwd(lambda v: tape.sin(v) * v + v**2)(tape.constant(x_np)).numpy()
    np.testing.assert_allclose(j, np.diag(np.cos(x_np) * x_np + np.sin(x_np) + 2 * x_np),
                               rtol=1e-13)
    a = RNG.standard_normal((2, 3))
    m_np = RNG.standard_normal((3, 5))
    j = tape.jacfwd(lambda m: tape.tanh(tape.constant(a) @ m))(tape.constant(m_np)).numpy()
    assert j.shape == (2, 5, 3, 5)
    np.testing.assert_allclose(j, _fd(lambda m: np.tanh(a @ m), m_np), rtol=1e-7, atol=1e-9)


def test_jacfwd_with_several_argnums_and_outputs():
    x_np, y_np = RNG.standard_normal(3), RNG.standard_normal((2, 3))

    def f(x, y, scale):
        return {"a": tape.reduce_sum(y * x, axis=1) * scale, "b": tape.exp(x)}, x[0] * y

    out = tape.jacfwd(f, argnums=(0, 1))(tape.constant(x_np), tape.constant(y_np), 2.0)
    first, second = out
    jx, jy = first["a"]
    np.testing.assert_allclose(jx.numpy(), 2.0 * y_np, rtol=1e-13)
    np.testing.assert_allclose(
        jy.numpy(), _fd(lambda y: 2.0 * np.sum(y * x_np, axis=1), y_np), rtol=1e-7,
        atol=1e-9)
    bx, by = first["b"]
    np.testing.assert_allclose(bx.numpy(), np.diag(np.exp(x_np)), rtol=1e-13)
    np.testing.assert_array_equal(by.numpy(), np.zeros((3, 2, 3)))
    sx, sy = second
    np.testing.assert_allclose(sx.numpy(), _fd(lambda x: x[0] * y_np, x_np), rtol=1e-7,
                               atol=1e-9)
    np.testing.assert_allclose(sy.numpy(), _fd(lambda y: x_np[0] * y, y_np), rtol=1e-7,
                               atol=1e-9)
    # a negative argnums, and the second argument alone
    j = tape.jacfwd(lambda x, y: tape.reduce_sum(y * x, axis=1), argnums=-1)(
        tape.constant(x_np), tape.constant(y_np))
    np.testing.assert_allclose(j.numpy(), _fd(lambda y: np.sum(y * x_np, axis=1), y_np),
                               rtol=1e-7, atol=1e-9)


def test_jacfwd_of_a_function_whose_control_flow_depends_on_x():
    def f(v):
        if tape.reduce_sum(v).numpy() > 0:  # a constant to the accumulator: explicit
            return v**3
        return tape.sin(v) * tape.reduce_sum(v)

    def f_np(v):
        return v**3 if v.sum() > 0 else np.sin(v) * v.sum()

    for x_np in (np.array([1.0, 2.0, -0.5]), np.array([-1.0, 0.3, -0.5])):
        j = tape.jacfwd(f)(tape.constant(x_np)).numpy()
        np.testing.assert_allclose(j, _fd(f_np, x_np), rtol=1e-7, atol=1e-9)


def test_jacfwd_under_an_outer_tape_and_inside_tape_function():
    x_np = RNG.standard_normal(3)
    x = tape.constant(x_np)
    with tape.GradientTape() as t:
        t.watch(x)
        j = tape.jacfwd(lambda v: tape.sin(v) * tape.reduce_sum(v))(x)
        s = tape.reduce_sum(j)
    # J_ij = cos(v_i) S delta_ij + sin(v_i) with S = sum(v), so that
    # s = S sum(cos v) + n sum(sin v) and ds/dv_k = sum(cos v) - S sin(v_k) + n cos(v_k)
    want = np.cos(x_np).sum() - x_np.sum() * np.sin(x_np) + 3 * np.cos(x_np)
    np.testing.assert_allclose(t.gradient(s, x).numpy(), want, rtol=1e-12)
    compiled = tape.function(tape.jacfwd(lambda v: tape.exp(v) * v[0]))
    want = _fd(lambda v: np.exp(v) * v[0], x_np)
    np.testing.assert_allclose(compiled(x).numpy(), want, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(compiled(x).numpy(), want, rtol=1e-7, atol=1e-9)


def test_jacfwd_of_an_argument_with_no_elements():
    j = tape.jacfwd(lambda v: v * 2.0)(tape.constant(np.zeros(0)))
    assert j.shape == (0, 0)


@pytest.mark.parametrize("n", [1, 5])
def test_vmap_of_vmap_under_a_tape(n):
    x_np = RNG.standard_normal((n, 2, 3))
    x = tape.constant(x_np)
    f = tape.vmap(tape.vmap(lambda r: tape.reduce_sum(r**2) * r))
    with tape.GradientTape() as t:
        t.watch(x)
        y = tape.reduce_sum(f(x))
    s = np.sum(x_np**2, axis=2, keepdims=True)
    np.testing.assert_allclose(y.numpy(), np.sum(s * x_np), rtol=1e-13)
    # d/dx of sum_k s x_k = 2 x sum_k x_k + s
    want = 2 * x_np * x_np.sum(axis=2, keepdims=True) + s
    np.testing.assert_allclose(t.gradient(y, x).numpy(), want, rtol=1e-12)


def test_a_hessian_by_jacfwd_of_grad():
    x_np = np.array([0.3, -1.2, 2.0])
    h = tape.jacfwd(tape.grad(lambda v: tape.reduce_sum(tape.sin(v) * v**2)))(
        tape.constant(x_np)).numpy()
    want = np.diag(-np.sin(x_np) * x_np**2 + 4 * x_np * np.cos(x_np) + 2 * np.sin(x_np))
    np.testing.assert_allclose(h, want, rtol=1e-13, atol=1e-15)


def test_per_example_gradients_differentiated_by_an_outer_tape():
    x_np, w_np = RNG.standard_normal((5, 2)), np.array([0.5, -0.3])
    w = tape.constant(w_np)
    per_example = tape.vmap(tape.grad(lambda w, r: tape.reduce_sum(tape.tanh(r * w))),
                            in_axes=(None, 0))
    with tape.GradientTape() as t:
        t.watch(w)
        g = per_example(w, tape.constant(x_np))
        s = tape.reduce_sum(g**2)
    th = np.tanh(x_np * w_np)
    g_np = (1 - th**2) * x_np
    np.testing.assert_allclose(g.numpy(), g_np, rtol=1e-13)
    dg = -2 * th * (1 - th**2) * x_np**2  # d g / d w, elementwise
    np.testing.assert_allclose(t.gradient(s, w).numpy(), (2 * g_np * dg).sum(axis=0),
                               rtol=1e-12)


def test_an_argument_without_the_batch_may_be_a_dict_of_tensors():
    x_np, w_np = RNG.standard_normal((3, 2)), RNG.standard_normal(2)
    params = {"w": tape.constant(w_np), "b": tape.constant(0.5, dtype=tape.float64)}
    f = tape.vmap(lambda r, p: tape.reduce_sum(r * p["w"]) + p["b"], in_axes=(0, None))
    np.testing.assert_allclose(f(tape.constant(x_np), params).numpy(), x_np @ w_np + 0.5,
                               rtol=1e-13)
    with tape.GradientTape() as t:
        t.watch(params["w"])
        y = tape.reduce_sum(f(tape.constant(x_np), params) ** 2)
    s = x_np @ w_np + 0.5
    np.testing.assert_allclose(t.gradient(y, params["w"]).numpy(),
                               (2 * s[:, None] * x_np).sum(axis=0), rtol=1e-12)


def test_jacfwd_of_a_scalar_and_of_an_op_that_loops_on_a_batch():
    j = tape.jacfwd(lambda v: tape.stack([tape.sin(v), v**2]))(tape.constant(0.7, tape.float64))
    np.testing.assert_allclose(j.numpy(), [np.cos(0.7), 1.4], rtol=1e-14)
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    x_np = np.array([0.5, -1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # solve has no batching rule: it loops
        j = tape.jacfwd(lambda v: tape.linalg.solve(tape.constant(a), (v**2)[:, None])[:, 0])(
            tape.constant(x_np))
    np.testing.assert_allclose(j.numpy(), np.linalg.solve(a, np.diag(2 * x_np)), rtol=1e-13)


def test_a_result_computed_only_from_what_the_function_closes_over_is_differentiated():
    """``vmap(lambda r: (r @ W, sum(W**2)))``: the second result does not depend on the
    batch; under a tape its gradient still reaches ``W`` (closed form), and inside a compiled
    function it follows ``W`` from call to call."""
    rng = np.random.default_rng(7)
    x, W = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))
    w = tape.constant(W)
    with tape.GradientTape(persistent=True) as t:
        t.watch(w)
        logits, reg = tape.vmap(lambda r: (r @ w, tape.reduce_sum(w ** 2)))(tape.constant(x))
        total = tape.reduce_sum(logits) + tape.reduce_sum(reg)
    want = x.sum(0)[:, None] * np.ones((1, 2)) + 4 * 2 * W  # 4 examples of sum(W**2)
    np.testing.assert_allclose(t.gradient(total, w).numpy(), want, rtol=1e-13)
    with tape.autodiff.ForwardAccumulator(w, tape.constant(np.ones_like(W))) as acc:
        _, reg = tape.vmap(lambda r: (r @ w, tape.reduce_sum(w ** 2)))(tape.constant(x))
    np.testing.assert_allclose(acc.jvp(reg).numpy(), np.full(4, 2 * W.sum()), rtol=1e-13)

    @tape.function
    def f(x, w):
        return tape.vmap(lambda r: (r * w, w * 2.0))(x)

    for scale in (1.0, 10.0):
        _, doubled = f(tape.constant(x), tape.constant(scale * W[:, 0]))
        np.testing.assert_array_equal(doubled.numpy(), np.tile(2 * scale * W[:, 0], (4, 1)))


def test_a_function_with_effects_runs_once_per_example_wherever_it_is_mapped():
    x = tape.constant(np.ones((4, 3)))
    v = tape.Variable(0.0, dtype=tape.float64)

    def f(r):
        v.assign_add(1.0)
        return r * v

    def check(y, before):
        assert float(v.numpy()) == before + 4
        np.testing.assert_array_equal(y.numpy()[:, 0], before + np.arange(1.0, 5.0))

    check(tape.vmap(f)(x), 0.0)  # no tape (a fresh trace)
    with tape.GradientTape() as t:
        t.watch(x)
        y = tape.vmap(f)(x)
        total = tape.reduce_sum(y)
    check(y, 4.0)
    np.testing.assert_array_equal(t.gradient(total, x).numpy(),
                                  np.repeat([[5.0], [6.0], [7.0], [8.0]], 3, axis=1))
    compiled = tape.function(lambda x: tape.vmap(f)(x))
    for before in (8.0, 12.0):
        check(compiled(x), before)
    v.assign(0.0)
    jac = tape.jacfwd(lambda r: r * v.assign_add(1.0))(tape.constant([1.0, 1.0, 1.0]))
    assert float(v.numpy()) == 3.0
    np.testing.assert_array_equal(np.diag(jac.numpy()), [1.0, 2.0, 3.0])


def test_what_the_mapped_function_closes_over_is_read_on_every_call():
    """Rebinding a closed-over tensor, changing a closed-over array in place, or flipping a
    Python flag between calls changes the result, as a loop's would."""
    x = np.arange(6.0).reshape(3, 2)
    state = {"w": tape.constant(2.0, dtype=tape.float64), "flip": False}
    arr = np.array([1.0, 1.0])
    f = tape.vmap(lambda r: (-r if state["flip"] else r) * state["w"] * arr)
    np.testing.assert_array_equal(f(x).numpy(), 2 * x)
    state["w"] = tape.constant(5.0, dtype=tape.float64)
    np.testing.assert_array_equal(f(x).numpy(), 5 * x)
    arr[:] = [1.0, 3.0]
    np.testing.assert_array_equal(f(x).numpy(), 5 * x * [1.0, 3.0])
    state["flip"] = True
    np.testing.assert_array_equal(f(x).numpy(), -5 * x * [1.0, 3.0])


def test_dicts_of_batched_arguments_and_results_and_an_empty_batch():
    x = np.arange(6.0).reshape(3, 2)
    got = tape.vmap(lambda d: d["a"] * d["b"])({"a": tape.constant(x), "b": x + 1})
    np.testing.assert_array_equal(got.numpy(), x * (x + 1))
    got = tape.vectorized_map(lambda d: d["a"] + 1, {"a": tape.constant(x)})
    np.testing.assert_array_equal(got.numpy(), x + 1)
    branchy = tape.vmap(lambda r: {"y": r * 2 if float(r[0]) > 1 else r, "z": r})(x)
    np.testing.assert_array_equal(branchy["y"].numpy(), [[0, 1], [4, 6], [8, 10]])
    with pytest.raises(ValueError, match="the batch is empty"):
        tape.vmap(lambda r: r)(np.zeros((0, 2)))


def test_results_the_same_for_every_example_have_the_batch_as_the_loop_s():
    """A closed-over variable returned as it is, a NumPy array and a number: stacked by the
    loop, broadcast by the batched call, and the variable's gradient counts every example."""
    v = tape.Variable([1.0, 2.0, 3.0], dtype=tape.float64)
    const = np.array([1.0, 2.0, 3.0])
    x = tape.constant(np.ones((4, 3)))
    f = tape.vmap(lambda r: (r * 2.0, v, const, 1.5))
    assert [tuple(o.shape) for o in f(x)] == [(4, 3), (4, 3), (4, 3), (4,)]
    with tape.GradientTape() as t:
        out = f(x)
        total = tape.reduce_sum(out[1])
    np.testing.assert_array_equal(t.gradient(total, v).numpy(), [4.0, 4.0, 4.0])


def test_fallback_to_while_loop_false_raises_under_a_tape_too():
    v = tape.Variable(0.0)

    def f(r):
        return r * v.assign_add(1.0)

    for outer in (False, True):
        with tape.GradientTape() if outer else contextlib.nullcontext():
            with pytest.raises(ValueError, match="fallback_to_while_loop=True"):
                tape.vmap(f, fallback_to_while_loop=False)(np.ones((3, 2)))
