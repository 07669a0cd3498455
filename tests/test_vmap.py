"""``tape.vmap`` and ``tape.vectorized_map``: every op of the sweep, mapped over a batch of
three examples (the sample, a moved one, one with its values reversed), agrees with a loop
over the examples -- values and first-order gradients -- with the batch axis first or last;
and per-example gradients of an MLP agree with a loop."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tape
from tape._registry import PRIMITIVES
from tests.test_function_sweep import CASES, _diff_arrays, _moved, _program
from tests.test_op_sweep import SAMPLES


def _as_arrays(result) -> list:
    outs, grads = result
    return [np.asarray(t.numpy()) for t in list(outs) + list(grads)]


#: Samples on which a batching rule declines (returns NotImplemented) for the sample's static
#: arguments, so that the op loops over the examples: (sample's op, index, looping op).
DECLINED: set[tuple[str, int, str]] = set()


def _index(name: str, sample) -> int:
    return next(i for i, s in enumerate(SAMPLES[name]) if s is sample)


def _batch_axes(xs: list) -> list[tuple]:
    """in_axes to check: the batch first, last, and on a middle axis of every argument of
    rank >= 2 (others first) where there is one."""
    axes = [(0,) * len(xs), (-1,) * len(xs)]
    if any(np.ndim(x) >= 2 for x in xs):
        axes.append(tuple(1 if np.ndim(x) >= 2 else 0 for x in xs))
    return axes


@pytest.mark.parametrize(("name", "sample"), CASES)
def test_the_op_and_its_gradient_on_a_batch_agree_with_a_loop(name, sample, monkeypatch) -> None:
    xs = _diff_arrays(sample)
    if not xs:
        pytest.skip("no differentiable argument")
    program = _program(name, sample)
    examples = [[x if k == 0 else _moved(x, k) for x in xs] for k in range(3)]
    declined = {op for n, i, op in DECLINED if n == name and i == _index(name, sample)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's at singular samples; ops that loop
        try:
            loop = [_as_arrays(program(*[tape.constant(x) for x in ex])) for ex in examples]
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            pytest.skip("an example outside the op's domain")
        want = [np.stack([r[j] for r in loop]) for j in range(len(loop[0]))]
        for axes in _batch_axes(xs):
            looped: set[str] = set()
            monkeypatch.setattr(tape._batch, "LOOPED", looped)  # the ops that loop, this run
            batch = [tape.constant(np.stack([ex[i] for ex in examples], axis=ax))
                     for i, ax in enumerate(axes)]
            mapped = tape.vmap(program, in_axes=axes)(*batch)
            got = [np.asarray(t.numpy()) for t in list(mapped[0]) + list(mapped[1])]
            assert len(got) == len(want)
            for g, w in zip(got, want):
                np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12, equal_nan=True)
            assert looped <= declined, f"ops that looped: {sorted(looped)}"


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


def test_every_op_of_the_table_has_a_batching_rule():
    ops = {n: p for n, p in PRIMITIVES.items() if n.startswith(tuple("abcdefghijklmnopqrstuvwxyz"))
           and "." not in n and ":" not in n}
    assert [n for n, p in ops.items() if p.batch is None] == []


def test_fallback_to_while_loop_false_refuses_to_loop():
    # a batch of vectors times a stack of matrices: matmul's rule declines, the op loops
    x = tape.constant([[1.0, 2.0], [3.0, 4.0]])
    stack = tape.constant(np.stack([np.eye(2), 2.0 * np.eye(2), 3.0 * np.eye(2)]))
    with pytest.raises(tape._batch.Unbatchable, match="matmul"):
        tape.vectorized_map(lambda v: v @ stack, x, fallback_to_while_loop=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = tape.vectorized_map(lambda v: v @ stack, x)
    np.testing.assert_array_equal(out.numpy(), x.numpy()[:, None, :] * [[1.0], [2.0], [3.0]])


def test_a_jacobian_through_indexing_runs_batched_and_equals_the_closed_form(monkeypatch):
    # matvec's gradient indexes (getitem), whose gradient is a scatter_add: both batch
    looped: set[str] = set()
    monkeypatch.setattr(tape._batch, "LOOPED", looped)
    m = np.random.default_rng(2).standard_normal((3, 4))
    x = tape.constant(np.linspace(-1.0, 1.0, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no op loops (each would warn)
        with tape.GradientTape() as t:
            t.watch(x)
            y = tape.linalg.matvec(tape.constant(m), tape.tanh(x))
        jac = t.jacobian(y, x)
    assert not looped
    np.testing.assert_allclose(jac.numpy(), m * (1 - np.tanh(x.numpy()) ** 2), rtol=1e-14,
                               atol=1e-15)


def test_batching_rules_of_convolutions_and_pooling_agree_with_a_loop(monkeypatch):
    """Images, filters or both batched; each op's transposes (its gradients) too."""
    looped: set[str] = set()
    monkeypatch.setattr(tape._batch, "LOOPED", looped)
    rng = np.random.default_rng(3)
    xs = rng.standard_normal((3, 2, 6, 5, 2))  # a batch of 3 stacks of NHWC images
    ws = rng.standard_normal((3, 3, 2, 2, 4))  # a batch of 3 filters

    def conv(x, w):
        return tape.nn.conv2d(x, w, strides=[1, 2, 1, 1], padding="SAME", dilations=1)

    def pooled(x):
        return tape.concat([tape.reshape(tape.nn.max_pool2d(x, 2, 1, "VALID"), [-1]),
                            tape.reshape(tape.nn.avg_pool2d(x, 2, 2, "SAME"), [-1])], 0)

    def grads(f, *args):
        with tape.GradientTape() as t:
            t.watch(list(args))
            y = f(*args)
            loss = tape.reduce_sum(tape.sin(y) * y)
        return [y, *t.gradient(loss, list(args))]

    cases = [
        (lambda x, w: grads(conv, x, w), (xs, ws), (0, 0)),
        (lambda x, w: grads(conv, x, w), (xs, ws[0]), (0, None)),
        (lambda x, w: grads(conv, x, w), (xs[0], ws), (None, 0)),
        (lambda x: grads(pooled, x), (xs,), (0,)),
    ]
    for f, args, axes in cases:
        args = [tape.constant(a) for a in args]
        got = tape.vmap(f, in_axes=axes)(*args)
        for k in range(3):
            want = f(*[a if ax is None else a[k] for a, ax in zip(args, axes)])
            for g, w in zip(got, want):
                np.testing.assert_allclose(g.numpy()[k], w.numpy(), rtol=1e-12, atol=1e-13)
    assert not looped


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


def _rule_cases():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 2, 4, 5, 2))
    index = np.array([[0, 7, 7], [39, 2, 5]])
    return [  # (op, arguments (batch on axis 0 where batched), batched, static)
        ("pool_gather", [x], [True], {"index": index}),
        ("pool_scatter", [rng.standard_normal((3, 2, 3))], [True],
         {"index": index, "shape": (2, 4, 5, 2)}),
        ("max_pool2d", [x], [True],
         {"ksize": (2, 2), "strides": (1, 2), "pads": ((0, 1), (1, 0))}),
        ("avg_pool2d_grad", [rng.standard_normal((3, 2, 2, 3, 2))], [True],
         {"input_shape": (2, 4, 5, 2), "ksize": (2, 2), "strides": (2, 2),
          "pads": ((0, 0), (0, 1))}),
        ("conv2d_backprop_input", [rng.standard_normal((3, 2, 2, 2, 3)),
                                   rng.standard_normal((2, 3, 4, 3))], [True, False],
         {"input_shape": (2, 4, 5, 2), "strides": (1, 1), "pads": ((0, 0), (0, 0)),
          "dilations": (1, 1)}),
        ("conv2d_backprop_filter", [x, rng.standard_normal((3, 2, 3, 4, 3))], [True, True],
         {"filter_shape": (2, 2, 2, 3), "strides": (1, 1), "pads": ((0, 0), (0, 0)),
          "dilations": (1, 1)}),
        ("one_hot", [np.array([[0, 2], [1, 1], [2, 0]])], [True],
         {"depth": 3, "on": 1.0, "off": 0.0, "axis": 0, "dtype": np.dtype(np.float64)}),
        ("argmax", [x[:, 0, :, 0, 0]], [True], {"axis": 0, "output_type": np.dtype(np.int64)}),
        ("numpy_reduction", [np.arange(24).reshape(3, 2, 4)], [True],
         {"func": np.sum, "kwargs": {"axis": None, "keepdims": True}}),
        ("numpy_reduction", [np.arange(24).reshape(3, 8)], [True],
         {"func": np.cumsum, "kwargs": {"axis": None}}),
        ("numpy_reduction", [np.arange(24).reshape(3, 2, 4)], [True],
         {"func": np.diff, "kwargs": {"axis": -1, "n": 1}}),
        ("quantile", [x[:, 0, :, :, 0]], [True],
         {"q": np.array([0.2, 0.5]), "axis": (1,), "method": "linear", "keepdims": True,
          "kind": "quantile"}),
        ("interp", [rng.standard_normal((3, 4)), rng.standard_normal((3, 5))], [True, True],
         {"xp": np.linspace(-1.0, 1.0, 5), "left": None, "right": 7.0}),
        ("interp", [rng.standard_normal(4), rng.standard_normal((3, 5))], [False, True],
         {"xp": np.linspace(-1.0, 1.0, 5), "left": -7.0, "right": None}),
        ("matrix_rank", [np.array([[0.0, 0.0], [0.0, 1.0], [2.0, 0.0]])], [True],
         {"tol": None, "hermitian": False, "rtol": None}),
        ("diag_embed", [x[:, 0, 0, :3, 0]], [True], {"k": 1, "shape": (3, 4)}),
        ("linear_recurrence", [x[:, 0, :, 0, 0], x[0, 1, :, :, 1].T[:3]], [False, True],
         {"axis": 0, "reverse": True}),
        ("shift", [x[:, 0]], [True], {"axis": 1, "reverse": False}),
        ("solve", [2.0 * np.eye(3) + 0.1, rng.standard_normal((3, 3, 2))], [False, True], {}),
        ("pinv", [x[:, 0, :, :3, 0]], [True], {"rcond": np.asarray(1e-15)}),
    ]


@pytest.mark.parametrize(("op", "args", "batched", "static"), _rule_cases())
def test_a_batching_rule_agrees_with_a_loop(op, args, batched, static):
    """The rules of ops that the sweep reaches only in some cases (or through gradients that
    a value steers), called directly."""

    prim = PRIMITIVES[op]
    ndims = [np.ndim(a) - 1 if b else np.ndim(a) for a, b in zip(args, batched)]
    want = np.stack([prim.fwd(*[a[k] if b else a for a, b in zip(args, batched)], **static)
                     for k in range(3)])
    got = prim.batch(prim, args, batched, ndims, want.ndim - 1, static, 3)
    assert got is not NotImplemented
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14)


def test_matmul_on_a_batch_beside_stacks_and_as_outer_products_agrees_with_a_loop() -> None:
    rng = np.random.default_rng(5)
    stack, ms = rng.standard_normal((4, 2, 3)), rng.standard_normal((5, 3, 6))
    got = tape.vmap(lambda m: tape.constant(stack) @ m)(ms).numpy()
    np.testing.assert_array_equal(got, np.stack([stack @ m for m in ms]))
    cols, rows = rng.standard_normal((5, 7, 1)), rng.standard_normal((5, 3, 1))
    fixed = rng.standard_normal((4, 7, 1))  # a stack of columns beside a batch of rows
    for f, want in [
        (lambda c, r: c @ tape.transpose(r), [c @ r.T for c, r in zip(cols, rows)]),
        (lambda c, r: tape.constant(fixed) @ tape.transpose(r) + c @ tape.transpose(r),
         [fixed @ r.T + c @ r.T for c, r in zip(cols, rows)]),
    ]:
        got = tape.vmap(f)(cols, rows).numpy()
        np.testing.assert_allclose(got, np.stack(want), rtol=1e-15, atol=0)


def test_one_hot_on_a_batch_of_numbers_with_array_on_values_agrees_with_a_loop():
    on = np.array([1.0, 2.0, 3.0])
    for numbers in (np.arange(3), np.array([2, 0, 1])):
        got = tape.vmap(lambda i: tape.one_hot(i, 3, on_value=on, off_value=0.0))(
            tape.constant(numbers))
        want = np.stack([np.where(np.arange(3) == i, on, 0.0) for i in numbers])
        np.testing.assert_array_equal(got.numpy(), want)
