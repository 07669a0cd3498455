"""Jacobians in one batched sweep: for every op of the sweep, ``GradientTape.jacobian`` on a
batch of the identity's rows agrees with the row-by-row sweep; the sparse form of those rows
(:class:`tape._batch.Basis`) gives exactly what dense rows give; and Jacobians of maps built
from the ops that keep the rows sparse agree with closed forms and central differences."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest

import tape
from tape import _batch
from tests.samples import Sample
from tests.test_op_sweep import CASES, _call, _diff_arrays, _is_float, _outputs


def _jacobians(name: str, sample: Sample, xs: list, use_pfor: bool) -> list[np.ndarray]:
    srcs = [tape.constant(x) for x in xs]
    with tape.GradientTape(persistent=True) as t:
        t.watch(srcs)
        outs = [o for o in _outputs(_call(name, sample, srcs)) if _is_float(o)]
    found = []
    for o in outs[:2]:
        for j in t.jacobian(o, srcs, unconnected_gradients="zero",
                            experimental_use_pfor=use_pfor):
            found.append(np.asarray(tape.convert_to_tensor(j).numpy()))
    return found


@pytest.mark.parametrize(("name", "sample"), CASES)
def test_jacobian_rows_at_once_agree_with_row_sweeps(name: str, sample: Sample,
                                                     monkeypatch) -> None:
    xs = _diff_arrays(sample)
    if not xs:
        pytest.skip("no differentiable argument")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's at singular samples; ops that loop
        try:
            rows = _jacobians(name, sample, xs, use_pfor=False)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            pytest.skip("outside the op's domain")
        at_once = _jacobians(name, sample, xs, use_pfor=True)
        monkeypatch.setattr(_batch, "on_basis", lambda *a: NotImplemented)
        dense = _jacobians(name, sample, xs, use_pfor=True)
    assert len(at_once) == len(rows) == len(dense)
    for a, r, d in zip(at_once, rows, dense):
        assert a.shape == r.shape and a.dtype == r.dtype
        np.testing.assert_allclose(a, r, rtol=1e-10, atol=1e-13, equal_nan=True)
        assert np.array_equal(a, d, equal_nan=True)  # the sparse rows are exact


def _central(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """The Jacobian of ``f`` (arrays to arrays) by central differences, float64."""
    cols = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = h
        e = e.reshape(x.shape)
        cols.append(((f(x + e) - f(x - e)) / (2 * h)).reshape(-1))
    return np.stack(cols, axis=-1).reshape(np.shape(f(x)) + x.shape)


def _jacobian(f, x: np.ndarray, **kwargs) -> np.ndarray:
    xt = tape.constant(x)
    with tape.GradientTape(persistent=True) as t:
        t.watch(xt)
        y = f(xt)
    return t.jacobian(y, xt, **kwargs).numpy()


MAPS = {
    # name: (the map on tensors, on arrays)
    "M @ tanh(x)": (lambda M: lambda x: M @ tape.tanh(x), lambda M: lambda x: M @ np.tanh(x)),
    "tanh(x) @ M": (lambda M: lambda x: tape.tanh(x) @ M, lambda M: lambda x: np.tanh(x) @ M),
    "matvec": (lambda M: lambda x: tape.linalg.matvec(M, tape.sin(x)),
               lambda M: lambda x: M @ np.sin(x)),
    "fan-out, scaled, divided": (
        lambda M: lambda x: -(x * x) / 3.0 + tape.sin(x) * M[0] - x / M[1],
        lambda M: lambda x: -(x * x) / 3.0 + np.sin(x) * M[0] - x / M[1]),
    "reshaped, summed": (
        lambda M: lambda x: tape.reduce_sum(tape.reshape(tape.exp(x), (2, -1)) * 2.0) * x,
        lambda M: lambda x: np.sum(np.exp(x).reshape(2, -1) * 2.0) * x),
    "relu, and its mirror": (
        lambda M: lambda x: tape.nn.relu(x) - tape.nn.relu(-x) * M[0],
        lambda M: lambda x: np.maximum(x, 0) - np.maximum(-x, 0) * M[0]),
    "dot with a vector": (lambda M: lambda x: (tape.tanh(x) @ M[2]) * x,
                          lambda M: lambda x: (np.tanh(x) @ M[2]) * x),
}


@pytest.mark.parametrize("name", sorted(MAPS))
@pytest.mark.parametrize("chunk", [None, 3])
def test_jacobians_through_sparse_rows_agree_with_central_differences(name, chunk) -> None:
    rng = np.random.default_rng(0)
    M = rng.standard_normal((6, 6))
    x = rng.standard_normal(6)
    on_tensors, on_arrays = MAPS[name]
    got = _jacobian(on_tensors(tape.constant(M)), x, parallel_iterations=chunk)
    np.testing.assert_allclose(got, _central(on_arrays(M), x), rtol=1e-7, atol=1e-8)


def test_the_closed_form_of_m_at_tanh_x_in_chunks() -> None:
    rng = np.random.default_rng(1)
    M, x = rng.standard_normal((50, 40)), rng.standard_normal(40)
    want = M * (1 - np.tanh(x) ** 2)
    for chunk in (None, 1, 7, 50):
        got = _jacobian(lambda v: tape.constant(M) @ tape.tanh(v), x, parallel_iterations=chunk)
        assert np.array_equal(got, want)


def test_non_finite_values_give_what_dense_rows_give() -> None:
    """0 * inf is NaN: where a matrix or a scale is not finite, the Jacobian's other entries
    are NaN as the row-by-row sweep makes them, not zero."""
    M = np.array([[1.0, np.inf], [2.0, 3.0]])
    x = np.array([0.5, -0.25])
    for f in (lambda v: tape.constant(M) @ v, lambda v: v @ tape.constant(M),
              lambda v: v * tape.constant(M[0]), lambda v: v / tape.constant([0.0, 2.0])):
        pfor = _jacobian(f, x)
        rows = _jacobian(f, x, experimental_use_pfor=False)
        assert np.array_equal(pfor, rows, equal_nan=True), (pfor, rows)


@pytest.mark.parametrize("chunk", [None, 2])
def test_batch_jacobian_in_one_batched_sweep_agrees_with_the_closed_form(chunk,
                                                                         monkeypatch) -> None:
    rng = np.random.default_rng(2)
    W, x = rng.standard_normal((4, 3)), rng.standard_normal((5, 4))
    xt = tape.constant(x)
    with tape.GradientTape(persistent=True) as t:
        t.watch(xt)
        y = tape.tanh(xt @ tape.constant(W))
    got = t.batch_jacobian(y, xt, parallel_iterations=chunk).numpy()
    want = (1 - np.tanh(x @ W) ** 2)[:, :, None] * W.T[None]
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    rows = t.batch_jacobian(y, xt, experimental_use_pfor=False).numpy()
    np.testing.assert_allclose(got, rows, rtol=1e-13, atol=1e-15)
    monkeypatch.setattr(_batch, "_loop", None)  # no op loops over the rows
    monkeypatch.setattr(tape.GradientTape, "_rows", None)  # nor sweeps row by row
    np.testing.assert_allclose(t.batch_jacobian(y, xt).numpy(), want, rtol=1e-13, atol=1e-15)


def test_the_memory_of_a_jacobian_grows_with_parallel_iterations_not_the_rows() -> None:
    """Peak memory (tracemalloc sees NumPy's allocations) beyond the Jacobian itself: with
    ``parallel_iterations=k`` the sweep holds k rows of its intermediates at a time."""

    rng = np.random.default_rng(3)
    n = 400
    A, x = tape.constant(rng.standard_normal((n, n))), tape.constant(rng.standard_normal(n))
    beyond = {}
    for k in (None, 10):
        with tape.GradientTape() as t:
            t.watch(x)
            y = tape.tanh(A @ tape.tanh(x))
        tracemalloc.start()
        try:
            jac = t.jacobian(y, x, parallel_iterations=k)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        want = (1 - y.numpy() ** 2)[:, None] * A.numpy() * (1 - np.tanh(x.numpy()) ** 2)
        np.testing.assert_allclose(jac.numpy(), want, rtol=1e-12, atol=1e-14)
        beyond[k] = peak - jac.numpy().nbytes
    row = 8 * n
    assert beyond[None] >= 0.9 * n * row  # all rows' intermediates at once
    assert beyond[10] <= 0.25 * n * row  # a few arrays of ten rows


def test_rows_of_a_matrix_are_laid_out_as_a_product_s_so_later_sums_round_the_same() -> None:
    rng = np.random.default_rng(0)
    W = rng.standard_normal((200, 50)).astype(np.float32)
    x = rng.standard_normal(200).astype(np.float32)
    f = lambda v: tape.nn.softmax(v) @ tape.constant(W)  # noqa: E731
    assert np.array_equal(_jacobian(f, x), _jacobian(f, x, experimental_use_pfor=False))


def test_a_jacobian_under_a_tape_that_does_not_watch_its_sweep_runs_batched(monkeypatch):
    rng = np.random.default_rng(4)
    M, x = rng.standard_normal((5, 4)), tape.constant(rng.standard_normal(4))
    other = tape.constant(3.0)
    monkeypatch.setattr(tape.GradientTape, "_rows", None)  # never row by row
    with tape.GradientTape() as outer:
        outer.watch(other)
        with tape.GradientTape() as t:
            t.watch(x)
            y = tape.constant(M) @ tape.tanh(x)
        jac = t.jacobian(y, x)
        z = other * other
    np.testing.assert_array_equal(jac.numpy(), M * (1 - np.tanh(x.numpy()) ** 2))
    assert float(outer.gradient(z, other)) == 6.0


def test_a_recorded_jacobian_is_one_batched_op_in_compiled_code_and_under_outer_tapes():
    """Inside tape.function the Jacobian is one line of generated code, whatever its size,
    and follows new inputs; under an outer tape its gradient (a third derivative) agrees with
    the row-by-row sweep's and with central differences of the closed form."""
    rng = np.random.default_rng(6)
    n = 7
    A = rng.standard_normal((n, n))
    a = tape.constant(A)

    def jac_of(x):
        with tape.GradientTape() as t:
            t.watch(x)
            y = a @ tape.tanh(x)
        return t.jacobian(y, x)

    compiled = tape.function(jac_of)
    for shift in (0.0, 0.5, -1.0):
        x = rng.standard_normal(n) + shift
        np.testing.assert_allclose(compiled(tape.constant(x)).numpy(),
                                   A * (1 - np.tanh(x) ** 2), rtol=1e-14, atol=1e-15)
    assert compiled.experimental_get_tracing_count() == 1
    assert len(compiled.source(tape.constant(x)).splitlines()) < 10

    W, x0 = rng.standard_normal((n, n)), rng.standard_normal(n)

    def weighted_hessian(x, use_pfor):
        with tape.GradientTape() as t3:
            t3.watch(x)
            with tape.GradientTape(persistent=True) as t2:
                t2.watch(x)
                with tape.GradientTape() as t1:
                    t1.watch(x)
                    y = tape.reduce_sum(tape.tanh(a @ x) ** 3)
                g = t1.gradient(y, x)
            h = t2.jacobian(g, x, experimental_use_pfor=use_pfor)
            total = tape.reduce_sum(h * W)
        return t3.gradient(total, x).numpy()

    batched = weighted_hessian(tape.constant(x0), True)
    np.testing.assert_allclose(batched, weighted_hessian(tape.constant(x0), False),
                               rtol=1e-12, atol=1e-12)

    def hessian_closed_form(x):  # of sum(tanh(A x)^3): A^T diag(f''(A x)) A
        t = np.tanh(A @ x)
        second = 6 * t * (1 - t ** 2) ** 2 - 6 * t ** 3 * (1 - t ** 2)
        return A.T @ (second[:, None] * A)

    fd = np.array([(np.sum(hessian_closed_form(x0 + e) * W)
                    - np.sum(hessian_closed_form(x0 - e) * W)) / 2e-6
                   for e in np.eye(n) * 1e-6])
    np.testing.assert_allclose(batched, fd, rtol=1e-6, atol=1e-6)
