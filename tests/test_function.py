"""``tape.function`` compiles: traces, generated code, guards, variables, calls made on every
run, differentiation from outside, and the readable source. Values are checked against closed
forms, the seed documents' numbers, and the same Python function run eagerly (bit for bit)."""

from __future__ import annotations

import collections
import gc
import io
import math
import tracemalloc
import warnings

import numpy as np
import pytest

import tape
from tape import _function


def _eq(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


# --------------------------------------------------------------------------- the seed examples


def test_seed_example_value_and_gradient_compiled_and_its_adjoint_program_readable():
    """(x² + 2x)·ln y at (1, 2): z = 3 ln 2, dz/dx = (2x + 2) ln y = 4 ln 2, dz/dy =
    (x² + 2x)/y = 1.5 (the seed blog's table)."""

    @tape.function
    def f(x, y):
        with tape.GradientTape() as t:
            t.watch([x, y])
            z = (x * x + 2 * x) * tape.math.log(y)
        dz_dx, dz_dy = t.gradient(z, [x, y])
        return z, dz_dx, dz_dy

    x, y = tape.constant(1.0, tape.float64), tape.constant(2.0, tape.float64)
    for _ in range(3):  # the trace, then the generated code
        z, dx, dy = f(x, y)
        assert float(z) == pytest.approx(3 * math.log(2), rel=1e-15)
        assert float(dx) == pytest.approx(4 * math.log(2), rel=1e-15)
        assert float(dy) == pytest.approx(1.5, rel=1e-15)
    z, dx, dy = f(tape.constant(3.0, tape.float64), y)  # other values: the same program
    assert float(dx) == pytest.approx(8 * math.log(2), rel=1e-15)
    assert f.experimental_get_tracing_count() == 1
    source = f.source(x, y)
    compile(source, "<source>", "exec")
    assert source.startswith("def f(x, y):")
    assert "log(y)" in source and "return (z, dz_dx, dz_dy)" in source


def test_x_squared_plus_x_at_two():
    @tape.function
    def f(x):
        with tape.GradientTape() as t:
            t.watch(x)
            y = x * x + x
        return y, t.gradient(y, x)

    for _ in range(2):
        y, g = f(tape.constant(2.0))
        assert (float(y), float(g)) == (6.0, 5.0)


# --------------------------------------------------------------------------- guards


def test_branch_on_sign_gives_the_eager_answer_on_both_sides_first_and_second_order():
    def f(x):
        if x > 0:
            return x * x * x
        return -2.0 * x * x

    compiled = tape.function(f)
    for v in [1.5, -0.5, 2.0, -3.0, 0.25]:
        x = tape.constant(v, tape.float64)
        with tape.GradientTape() as t2:
            t2.watch(x)
            with tape.GradientTape() as t1:
                t1.watch(x)
                y = compiled(x)
            g = t1.gradient(y, x)
        h = t2.gradient(g, x)
        want = (v**3, 3 * v * v, 6 * v) if v > 0 else (-2 * v * v, -4 * v, -4.0)
        assert (float(y), float(g), float(h)) == pytest.approx(want, rel=1e-14)
        assert float(compiled(x)) == pytest.approx(want[0], rel=1e-14)  # generated code
    assert compiled.experimental_get_tracing_count() == 2  # one trace per branch


def test_value_dependent_loop_retraces_per_count_and_stays_exact():
    @tape.function
    def power(x, n):
        i = tape.constant(0)
        while i < n:
            x = x * 1.5
            i = i + 1
        return x

    for n in [1, 2, 3, 2, 1, 3]:
        assert float(power(tape.constant(2.0), tape.constant(n))) == 2.0 * 1.5**n
    assert power.experimental_get_tracing_count() == 3


def test_computed_integer_index_and_float_of_a_tensor_are_checked_on_every_call():
    @tape.function
    def pick(x, i):
        return x[i] * 2.0

    x = tape.constant([1.0, 2.0, 3.0])
    assert [float(pick(x, tape.constant(k))) for k in [0, 1, 2, 1, 0]] == [2.0, 4.0, 6.0, 4.0, 2.0]

    @tape.function
    def scaled(x):
        return x * float(tape.reduce_sum(x))

    np.testing.assert_array_equal(scaled(x).numpy(), [6.0, 12.0, 18.0])
    np.testing.assert_array_equal(scaled(x * 2).numpy(), [24.0, 48.0, 72.0])


def test_retracing_on_new_shapes_and_dtypes():
    @tape.function
    def f(x):
        return tape.reduce_sum(x * x)

    assert float(f(tape.constant([1.0, 2.0]))) == 5.0
    assert float(f(tape.constant([3.0, 4.0]))) == 25.0
    assert f.experimental_get_tracing_count() == 1
    assert float(f(tape.constant([1.0, 2.0, 2.0]))) == 9.0
    out = f(tape.constant([1.0, 2.0], tape.float64))
    assert out.dtype == np.float64 and float(out) == 5.0
    assert float(f(np.array([1.0, 3.0]))) == 10.0  # a NumPy array counts as a tensor
    assert f.experimental_get_tracing_count() == 3


def test_python_arguments_are_part_of_the_signature():
    @tape.function
    def f(x, k):
        return x * k

    assert float(f(tape.constant(2.0), 3)) == 6.0
    assert float(f(tape.constant(2.0), 4)) == 8.0
    assert f.experimental_get_tracing_count() == 2


def test_a_function_whose_guards_keep_failing_runs_eagerly_with_a_warning():
    @tape.function
    def f(x):
        return x * float(x)

    with pytest.warns(UserWarning, match="traced 5 times") as record:
        for v in range(1, 9):
            assert float(f(tape.constant(float(v)))) == v * v
    assert "line" in str(record[0].message)
    assert f.experimental_get_tracing_count() == _function.RETRACE_LIMIT


# --------------------------------------------------------------------------- state


def test_variables_are_read_on_every_call_and_assignments_happen_on_every_call():
    v = tape.Variable(1.0)

    @tape.function
    def f(x):
        return v * x

    assert float(f(tape.constant(2.0))) == 2.0
    v.assign(5.0)
    assert float(f(tape.constant(2.0))) == 10.0

    counter = tape.Variable(0.0)

    @tape.function
    def bump(d):
        counter.assign_add(d)
        return counter.read_value() * 2.0

    assert [float(bump(tape.constant(1.0))) for _ in range(3)] == [2.0, 4.0, 6.0]
    assert float(counter) == 3.0


def test_python_side_effects_while_tracing_and_tape_print_on_every_call():
    seen = []
    out = io.StringIO()

    @tape.function
    def f(x):
        seen.append(1)
        tape.print("x =", x, output_stream=out)
        return x + 1

    f(tape.constant(1.0))
    f(tape.constant(2.0))
    assert len(seen) == 1
    assert out.getvalue() == "x = 1\nx = 2\n"


def test_random_draws_differ_between_calls_and_follow_the_eager_sequence():
    @tape.function
    def noisy(x):
        return x + tape.random.normal([3], dtype=tape.float64)

    x = tape.constant(np.zeros(3))
    a, b = noisy(x).numpy(), noisy(x).numpy()
    assert not np.array_equal(a, b)

    def draws(fn):
        tape.random.set_seed(7)
        return [fn(x).numpy() for _ in range(4)]

    compiled = tape.function(lambda x: x + tape.random.normal([3], dtype=tape.float64))
    eager = draws(lambda x: x + tape.random.normal([3], dtype=tape.float64))
    for got, want in zip(draws(compiled), eager):
        assert _eq(got, want)
    tape.random.set_seed(None)


def _training_run(compiled: bool, make_opt, steps: int):
    rng = np.random.default_rng(0)
    xs = tape.constant(rng.standard_normal((16, 3)))
    ys = tape.constant(rng.standard_normal((16, 1)))
    w = tape.Variable(rng.standard_normal((3, 1)))
    b = tape.Variable(np.zeros(1))
    opt = make_opt()

    def step(x, y):
        with tape.GradientTape() as t:
            loss = tape.reduce_mean((tape.tanh(x @ w) + b - y) ** 2)
        grads = t.gradient(loss, [w, b])
        opt.apply_gradients(zip(grads, [w, b]))
        return loss

    step = tape.function(step) if compiled else step
    losses = [step(xs, ys).numpy() for _ in range(steps)]
    return losses, w.numpy(), b.numpy(), step


@pytest.mark.parametrize(
    "make_opt",
    [lambda: tape.optimizers.SGD(0.1, momentum=0.9), lambda: tape.optimizers.Adam(0.05)],
    ids=["sgd-momentum", "adam"],
)
def test_a_compiled_training_step_matches_the_eager_one_over_100_steps(make_opt):
    eager = _training_run(False, make_opt, 100)
    compiled = _training_run(True, make_opt, 100)
    assert all(_eq(a, b) for a, b in zip(eager[0], compiled[0]))
    assert _eq(eager[1], compiled[1]) and _eq(eager[2], compiled[2])
    assert eager[0][-1] < 0.7 * eager[0][0]  # it trains
    assert compiled[3].experimental_get_tracing_count() == 1


def test_a_keras_model_train_step_with_a_metric_matches_eager():
    def run(compiled: bool):
        tape.random.set_seed(3)
        model = tape.keras.Sequential(
            [tape.keras.layers.Dense(4, activation="relu"), tape.keras.layers.Dense(1)]
        )
        opt = tape.keras.optimizers.Adam(0.01)
        metric = tape.keras.metrics.Mean()
        rng = np.random.default_rng(1)
        x = tape.constant(rng.standard_normal((8, 3)).astype(np.float32))
        y = tape.constant(rng.standard_normal((8, 1)).astype(np.float32))

        def step(x, y):
            with tape.GradientTape() as t:
                loss = tape.reduce_mean((model(x) - y) ** 2)
            grads = t.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            metric.update_state(loss)
            return loss

        step = tape.function(step) if compiled else step
        losses = [step(x, y).numpy() for _ in range(20)]
        return losses, [v.numpy() for v in model.trainable_variables], metric.result().numpy()

    eager, compiled = run(False), run(True)
    assert all(_eq(a, b) for a, b in zip(eager[0], compiled[0]))
    assert all(_eq(a, b) for a, b in zip(eager[1], compiled[1]))
    assert _eq(eager[2], compiled[2])
    tape.random.set_seed(None)


# --------------------------------------------------------------------------- from outside


def test_differentiable_from_outside_first_second_order_jacobian_and_forward_mode():
    @tape.function
    def f(x):
        return tape.sin(x) * x

    x = tape.constant([0.3, -1.2, 2.0], tape.float64)
    xv = x.numpy()
    f(x)  # traced
    with tape.GradientTape(persistent=True) as t2:
        t2.watch(x)
        with tape.GradientTape() as t1:
            t1.watch(x)
            y = f(x)
        g = t1.gradient(y, x)
    np.testing.assert_allclose(g.numpy(), np.cos(xv) * xv + np.sin(xv), rtol=1e-14)
    np.testing.assert_allclose(
        t2.gradient(g, x).numpy(), -np.sin(xv) * xv + 2 * np.cos(xv), rtol=1e-14
    )
    np.testing.assert_allclose(
        t2.jacobian(y, x).numpy(), np.diag(np.cos(xv) * xv + np.sin(xv)), rtol=1e-14
    )
    with tape.autodiff.ForwardAccumulator(x, tape.ones_like(x)) as acc:
        y = f(x)
    np.testing.assert_allclose(acc.jvp(y).numpy(), np.cos(xv) * xv + np.sin(xv), rtol=1e-14)


def test_a_gradient_taken_outside_a_compiled_function_equals_the_eager_one_bit_for_bit():
    def chain(x):
        for _ in range(20):
            x = tape.sin(x) * 0.9 + x * x * 1e-3
        return tape.reduce_sum(x)

    compiled = tape.function(chain)
    x = tape.constant(np.linspace(-1.0, 1.0, 5))
    compiled(x)
    for fn in (compiled, compiled):  # the entry's compiled gradient: traced, then generated
        with tape.GradientTape() as t:
            t.watch(x)
            y = fn(x)
        got = t.gradient(y, x)
        with tape.GradientTape() as t:
            t.watch(x)
            y = chain(x)
        assert _eq(got.numpy(), t.gradient(y, x).numpy())
    h, x0 = 1e-6, x.numpy()  # and against central differences
    central = [(float(chain(tape.constant(x0 + h * e))) - float(chain(tape.constant(x0 - h * e))))
               / (2 * h) for e in np.eye(5)]
    np.testing.assert_allclose(got.numpy(), central, rtol=1e-7)


def test_a_compiled_function_inside_another_is_part_of_its_program():
    @tape.function
    def inner(x):
        return x * x

    @tape.function
    def outer(x):
        with tape.GradientTape() as t:
            t.watch(x)
            y = inner(x) + x
        return t.gradient(y, x)

    assert [float(outer(tape.constant(v))) for v in (1.0, 2.0, 3.0)] == [3.0, 5.0, 7.0]
    assert outer.experimental_get_tracing_count() == 1


# --------------------------------------------------------------------------- errors


def test_an_error_in_generated_code_is_raised_by_the_function_run_eagerly():
    caught = []

    @tape.function
    def solve(a):
        try:
            return tape.linalg.solve(a, tape.ones((2, 1), tape.float64))
        except np.linalg.LinAlgError:
            caught.append(1)
            return tape.zeros((2, 1), tape.float64)

    np.testing.assert_array_equal(solve(tape.constant(np.eye(2))).numpy(), [[1.0], [1.0]])
    # singular: the generated code raises, and the Python function, run eagerly, handles it
    np.testing.assert_array_equal(solve(tape.constant(np.zeros((2, 2)))).numpy(), [[0], [0]])
    assert caught == [1]


def test_an_error_after_an_update_names_the_users_line():
    w = tape.Variable(np.eye(2))
    opt = tape.optimizers.SGD(0.0)

    @tape.function
    def step(a):
        with tape.GradientTape() as t:
            loss = tape.reduce_sum(w * a)
        opt.apply_gradients(zip(t.gradient(loss, [w]), [w]))
        return tape.linalg.solve(a, tape.ones((2, 1), tape.float64))

    step(tape.constant(np.eye(2)))
    with pytest.raises(np.linalg.LinAlgError) as info:
        step(tape.constant(np.zeros((2, 2))))
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "compiled function 'step'" in notes and "tape.linalg.solve(a" in notes


def test_a_guard_failing_after_an_update_raises_instead_of_updating_twice():
    w = tape.Variable(1.0)
    opt = tape.optimizers.SGD(0.1)
    log = []

    @tape.function
    def step(x):
        with tape.GradientTape() as t:
            loss = (w * x - 1.0) ** 2
        opt.apply_gradients(zip(t.gradient(loss, [w]), [w]))
        log.append(float(loss))
        return loss

    step(tape.constant(2.0))
    with pytest.raises(RuntimeError, match="update twice.*Convert the value outside"):
        step(tape.constant(3.0))
    assert int(opt.iterations) == 2  # one update per call, none made twice


def test_implicit_conversion_of_a_traced_tensor_is_refused_with_the_fix():
    @tape.function
    def f(x):
        return np.asarray(x) * 2

    with pytest.raises(TypeError, match="tape.function is tracing.*x.numpy"):
        f(tape.constant([1.0]))


def test_custom_gradient_inside_runs_eagerly_with_a_warning_and_the_right_gradient():
    @tape.custom_gradient
    def clipped(x):
        def grad(dy):
            return tape.clip_by_value(dy, -0.5, 0.5)

        return x * 1.0, grad

    @tape.function
    def f(x):
        return clipped(x) * 3.0

    x = tape.constant(2.0)
    with pytest.warns(UserWarning, match="runs eagerly"):
        f(x)
    with tape.GradientTape() as t:
        t.watch(x)
        y = f(x)
    assert float(y) == 6.0 and float(t.gradient(y, x)) == 0.5


def test_jit_is_jax_s_name_and_jit_compile_is_ignored_with_a_warning():
    assert tape.jit is tape.function
    with pytest.warns(UserWarning, match="jit_compile is ignored"):
        f = tape.function(lambda x: x + 1.0, jit_compile=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(f(tape.constant(1.0))) == 2.0


# --------------------------------------------------------------------------- edge cases


def test_a_gradient_taken_after_an_assign_uses_the_values_the_tape_saw():
    w = tape.Variable(3.0, dtype=tape.float64)

    def f(x):
        with tape.GradientTape() as t:
            y = w * w * x
        w.assign_add(1.0)
        return t.gradient(y, w), w * x

    eager = [f(tape.constant(2.0, tape.float64)) for _ in range(3)]
    w.assign(3.0)
    compiled = tape.function(f)
    got = [compiled(tape.constant(2.0, tape.float64)) for _ in range(3)]
    for (g1, y1), (g2, y2) in zip(eager, got):
        assert float(g1) == float(g2) and float(y1) == float(y2)
    assert [float(g) for g, _ in got] == [12.0, 16.0, 20.0]  # 2 w x at w = 3, 4, 5


def test_named_tuples_and_dicts_of_tensors_are_arguments_not_constants():

    Batch = collections.namedtuple("Batch", "x y")

    @tape.function
    def loss(batch, scale):
        return tape.reduce_sum((batch.x - batch.y) ** 2) * scale["k"]

    for v in [1.0, 2.0, 3.0]:
        b = Batch(tape.constant([v, 0.0]), tape.constant([0.0, v]))
        assert float(loss(b, {"k": 0.5})) == v * v
    assert loss.experimental_get_tracing_count() == 1


def test_minus_zero_is_not_zero_in_signatures_or_programs():
    @tape.function
    def f(x, s):
        return x * s

    assert np.signbit(f(tape.constant(1.0), 0.0).numpy()) == np.False_
    assert np.signbit(f(tape.constant(1.0), -0.0).numpy()) == np.True_

    @tape.function
    def g(x):
        return x + 0.0, x + -0.0

    a, b = g(tape.constant(-0.0))
    a, b = g(tape.constant(-0.0))
    assert not np.signbit(a.numpy()) and np.signbit(b.numpy())


def test_an_error_handled_with_try_while_tracing_leaves_the_function_eager():
    def safe_inv(a):
        try:
            return tape.linalg.inv(a)
        except np.linalg.LinAlgError:
            return tape.zeros_like(a)

    f = tape.function(safe_inv)
    singular, eye = tape.constant(np.zeros((2, 2))), tape.constant(np.eye(2))
    with pytest.warns(UserWarning, match="cannot branch on errors"):
        assert not f(singular).numpy().any()
    assert not f(singular).numpy().any()
    g = tape.function(safe_inv)  # traced on the invertible one: the singular one runs eagerly
    np.testing.assert_array_equal(g(eye).numpy(), np.eye(2))
    assert not g(singular).numpy().any()


def test_dropout_draws_a_new_mask_on_every_call():
    layer = tape.keras.layers.Dropout(0.5)

    @tape.function
    def f(x):
        return layer(x, training=True), tape.nn.dropout(x, 0.5)

    x = tape.ones([64])
    masks = [tuple(np.asarray(m.numpy()) != 0 for m in f(x)) for _ in range(3)]
    for k in (0, 1):
        assert not np.array_equal(masks[0][k], masks[1][k])
        assert not np.array_equal(masks[1][k], masks[2][k])


def test_a_compiled_function_called_inside_another_keeps_its_effects():
    v = tape.Variable(0.0)
    out = io.StringIO()

    @tape.function
    def inner(x):
        v.assign_add(1.0)
        tape.print("inner", output_stream=out)
        return x + tape.random.normal([], dtype=tape.float64)

    @tape.function
    def outer(x):
        return inner(x) * 2.0

    inner(tape.constant(0.0, tape.float64))
    draws = {float(outer(tape.constant(0.0, tape.float64))) for _ in range(3)}
    assert len(draws) == 3 and float(v) == 4.0 and out.getvalue() == "inner\n" * 4


def test_concrete_functions_with_python_arguments_keep_their_own_programs():
    @tape.function
    def f(x, double):
        return x * 2.0 if double else x

    x = tape.constant([1.0, 2.0])
    f(x, False)
    twice = f.get_concrete_function(tape.TensorSpec([2]), True)
    np.testing.assert_array_equal(twice(x).numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(f(x, False).numpy(), [1.0, 2.0])


def test_user_names_that_clash_with_generated_helpers_are_renamed():
    out = io.StringIO()

    @tape.function
    def f(x):
        _a = x * 2.0
        _fill = _a + 1.0
        tape.print(_fill, output_stream=out)
        return _fill

    assert [float(f(tape.constant(v))) for v in (1.0, 2.0)] == [3.0, 5.0]
    assert out.getvalue() == "3\n5\n"


def test_a_compiled_function_keeps_no_array_of_the_call_it_was_traced_on():

    @tape.function
    def f(x):
        with tape.GradientTape() as t:
            t.watch(x)
            y = tape.reduce_sum(tape.sin(tape.sin(tape.sin(x) * 0.5) * 0.5))
        return t.gradient(y, x)

    x = tape.constant(np.linspace(-1.0, 1.0, 10**5))  # 0.8 MB per value
    tracemalloc.start()
    try:
        g = f(x)
        g = f(x)  # the generated code
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert retained < 3 * 0.8e6  # the result (and little else), not the trace's 20 values
    np.testing.assert_allclose(
        g.numpy(),
        np.cos(np.sin(np.sin(x.numpy()) * 0.5) * 0.5) * 0.5
        * np.cos(np.sin(x.numpy()) * 0.5) * 0.5 * np.cos(x.numpy()),
        rtol=1e-12,
    )


def test_text_of_a_traced_value_is_checked_and_numpy_inputs_are_copied():
    @tape.function
    def describe(x):
        return f"loss: {x}", repr(x * 2.0)

    assert describe(tape.constant(1.0)) == ("loss: tape.Tensor(1.0, shape=(), dtype=float32)",
                                            "tape.Tensor(2.0, shape=(), dtype=float32)")
    assert describe(tape.constant(3.0))[0] == "loss: tape.Tensor(3.0, shape=(), dtype=float32)"

    @tape.function
    def head(x):
        return tape.reshape(x, [-1])[:2]

    a = np.arange(4.0)
    head(a)
    out = head(a)  # the generated code
    a[0] = 100.0  # the caller changes its array afterwards
    np.testing.assert_array_equal(out.numpy(), [0.0, 1.0])
