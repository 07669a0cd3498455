"""``tape.vmap`` and ``tape.vectorized_map``: every op of the sweep, mapped over a batch of
three examples (the sample, a moved one, one with its values reversed), agrees with a loop
over the examples -- values and first-order gradients -- with the batch axis first or last;
and per-example gradients of an MLP agree with a loop."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tape
from tests.test_function_sweep import CASES, _diff_arrays, _moved, _program


def _as_arrays(result) -> list:
    outs, grads = result
    return [np.asarray(t.numpy()) for t in list(outs) + list(grads)]


@pytest.mark.parametrize(("name", "sample"), CASES)
def test_the_op_and_its_gradient_on_a_batch_agree_with_a_loop(name, sample) -> None:
    xs = _diff_arrays(sample)
    if not xs:
        pytest.skip("no differentiable argument")
    program = _program(name, sample)
    examples = [[x if k == 0 else _moved(x, k) for x in xs] for k in range(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's at singular samples; ops that loop
        try:
            loop = [_as_arrays(program(*[tape.constant(x) for x in ex])) for ex in examples]
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            pytest.skip("an example outside the op's domain")
        last = sample.kwargs.get("axis", 0) is not None and len(xs) == 1  # vary the axis
        for axis in (0, -1) if last else (0,):
            batch = [tape.constant(np.stack([ex[i] for ex in examples], axis=axis))
                     for i in range(len(xs))]
            mapped = tape.vmap(program, in_axes=axis)(*batch)
            got = [np.asarray(t.numpy()) for t in list(mapped[0]) + list(mapped[1])]
            want = [np.stack([r[j] for r in loop]) for j in range(len(loop[0]))]
            assert len(got) == len(want)
            for g, w in zip(got, want):
                np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12, equal_nan=True)


def _mlp_loss(params, x, y):
    w1, b1, w2 = params
    z = tape.tanh(x @ w1 + b1) @ w2
    return tape.reduce_sum(y * (tape.reduce_logsumexp(z) - z))


def test_per_example_gradients_of_an_mlp_agree_with_a_loop_and_finite_differences():
    rng = np.random.default_rng(0)
    params = [tape.constant(rng.standard_normal((4, 8))), tape.constant(rng.standard_normal(8)),
              tape.constant(rng.standard_normal((8, 3)))]
    x = tape.constant(rng.standard_normal((16, 4)))
    y = tape.constant(np.eye(3)[rng.integers(0, 3, 16)])
    grad = tape.grad(_mlp_loss)
    batched = tape.vmap(grad, in_axes=(None, 0, 0))(params, x, y)
    for k in range(16):
        want = grad(params, x[k], y[k])
        for b, w in zip(batched, want):
            np.testing.assert_allclose(b.numpy()[k], w.numpy(), rtol=1e-12, atol=1e-14)
    # one entry against central differences
    h, w1 = 1e-6, params[0].numpy()
    bumped = [w1.copy(), w1.copy()]
    bumped[0][1, 2] += h
    bumped[1][1, 2] -= h
    loss = [float(_mlp_loss([tape.constant(b), *params[1:]], x[3], y[3])) for b in bumped]
    assert batched[0].numpy()[3, 1, 2] == pytest.approx((loss[0] - loss[1]) / (2 * h), abs=1e-8)


def test_vectorized_map_over_nested_structures_and_vmap_of_vmap():
    a, b = tape.constant([[1.0, 2.0], [3.0, 4.0]]), tape.constant([10.0, 20.0])
    out = tape.vectorized_map(lambda e: e[0] * e[1], (a, b))
    np.testing.assert_array_equal(out.numpy(), [[10.0, 20.0], [60.0, 80.0]])
    outer = tape.vmap(tape.vmap(lambda v: v * v + 1.0))
    np.testing.assert_array_equal(outer(a).numpy(), a.numpy() ** 2 + 1.0)


def test_value_dependent_branches_and_outer_tapes_run_once_per_example():
    f = tape.vmap(lambda v: v * 2.0 if float(tape.reduce_sum(v)) > 0 else -v)
    x = tape.constant([[1.0, 2.0], [-3.0, -4.0]])
    np.testing.assert_array_equal(f(x).numpy(), [[2.0, 4.0], [3.0, 4.0]])
    g = tape.vmap(lambda v: tape.reduce_sum(v * v))
    with tape.GradientTape() as t:
        t.watch(x)
        y = tape.reduce_sum(g(x))
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), 2 * x.numpy())


def test_a_jacobian_in_one_batched_sweep_agrees_with_row_sweeps_and_the_closed_form():
    a = np.random.default_rng(1).standard_normal((5, 4))
    x = tape.constant(np.linspace(-1.0, 1.0, 4))
    with tape.GradientTape(persistent=True) as t:
        t.watch(x)
        y = tape.tanh(tape.constant(a) @ x) ** 2
    at_once = t.jacobian(y, x)
    rows = t.jacobian(y, x, experimental_use_pfor=False)
    th = np.tanh(a @ x.numpy())
    np.testing.assert_allclose(at_once.numpy(), rows.numpy(), rtol=1e-14)
    np.testing.assert_allclose(at_once.numpy(), (2 * th * (1 - th**2))[:, None] * a,
                               rtol=1e-12)


def test_every_op_of_the_table_has_a_batching_rule_or_is_listed_as_looping():
    from tape._batch import LOOPS, rule_of
    from tape._registry import PRIMITIVES

    ops = {n: p for n, p in PRIMITIVES.items() if n.startswith(tuple("abcdefghijklmnopqrstuvwxyz"))
           and "." not in n and ":" not in n}
    without = {n for n, p in ops.items() if rule_of(p, {"key": 0, "equation": "i->i"}) is None}
    assert without == set(LOOPS)


def test_fallback_to_while_loop_false_refuses_to_loop():
    x = tape.constant([[1.0, 2.0], [3.0, 4.0]])
    two = tape.constant(2.0 * np.eye(2))
    with pytest.raises(tape._batch.Unbatchable, match="solve"):
        tape.vectorized_map(lambda v: tape.linalg.solve(two, v[:, None])[:, 0], x,
                            fallback_to_while_loop=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = tape.vectorized_map(lambda v: tape.linalg.solve(two, v[:, None])[:, 0], x)
    np.testing.assert_array_equal(out.numpy(), x.numpy() / 2)


def test_a_jacobian_in_chunks_of_parallel_iterations_rows():
    a = np.random.default_rng(1).standard_normal((50, 40))
    x = tape.constant(np.linspace(-1.0, 1.0, 40))
    with tape.GradientTape(persistent=True) as t:
        t.watch(x)
        y = tape.tanh(tape.constant(a) @ x) ** 2
    th = np.tanh(a @ x.numpy())
    for k in (1, 7, 50, 64):
        np.testing.assert_allclose(t.jacobian(y, x, parallel_iterations=k).numpy(),
                                   (2 * th * (1 - th**2))[:, None] * a, rtol=1e-12)
