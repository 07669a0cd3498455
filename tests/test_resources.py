"""Memory is released: what a tape recorded dies with it (by reference counting alone, without
waiting for the cycle collector), nothing becomes uncollectable, repeated runs do not grow, and
a 100,000-op chain is differentiated and torn down without recursion.

Tensors and tapes support weak references, which is how every test here observes lifetimes.
"""

from __future__ import annotations

import contextlib
import gc
import math
import sys
import tracemalloc
import weakref

import numpy as np
import pytest

import tape
from tape import GradientTape


def f64(value) -> tape.Tensor:
    return tape.constant(np.asarray(value, dtype=np.float64))


@contextlib.contextmanager
def refcounting_only():
    """Run with the cycle collector off: what dies here dies by reference counting."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def alive(refs: list) -> list[int]:
    """The positions of the weak references whose object is still alive."""
    return [i for i, r in enumerate(refs) if r() is not None]


def track(tensors: list) -> tuple[list, list]:
    """Weak references to tensors and to their values (the arrays a tape may keep instead of
    the tensors themselves)."""
    values = [t._value for t in tensors]
    assert all(type(v) is np.ndarray for v in values)  # scenarios use arrays: weakref-able
    return [weakref.ref(t) for t in tensors], [weakref.ref(v) for v in values]


# =========================================================================== scenarios
#
# Each records a program on tape ``t`` (non-persistent unless asked) and returns
# (t, target, sources, intermediates): the intermediates are tensors the caller only watches
# through weak references.


def _elementwise(persistent):
    x = f64([0.5, 1.0, 1.5, 2.0])
    with GradientTape(persistent=persistent) as t:
        t.watch(x)
        a = tape.sin(x)
        b = a * x
        c = tape.exp(b) / (1.0 + x)
        y = tape.reduce_sum(c)
    return t, y, x, [a, b, c]


def _shapes(persistent):
    x = f64(np.arange(6.0).reshape(2, 3) / 10)
    with GradientTape(persistent=persistent) as t:
        t.watch(x)
        a = tape.reshape(x, (3, 2)) * 1.5
        b = tape.matmul(x, a)
        c = tape.transpose(b)[0:1, :]
        parts = tape.split(x, 3, axis=1)
        d = parts[0] * parts[2]
        e = tape.concat([c, tape.reshape(d, (1, 2))], 0)
        y = tape.reduce_mean(e)
    return t, y, x, [a, b, c, *parts, d, e]


def _variables(persistent):
    v = tape.Variable(np.array([1.0, 2.0]))
    x = f64([3.0, 4.0])
    with GradientTape(persistent=persistent) as t:
        t.watch(x)
        a = v * x
        b = tape.tanh(a)
        y = tape.reduce_sum(b * v)
    return t, y, [x, v], [a, b]


def _nested(persistent):
    x = f64([0.3, 0.7])
    with GradientTape(persistent=persistent) as t:
        t.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            a = tape.sin(x) * x
            s = tape.reduce_sum(a, keepdims=True)
        g = inner.gradient(s, x)
        y = tape.reduce_sum(g * g)
    return t, y, x, [a, s, g]


def _anomaly(persistent):
    x = f64([0.5, 1.0])
    with tape.detect_anomaly(), GradientTape(persistent=persistent) as t:
        t.watch(x)
        a = tape.sqrt(x)
        y = tape.reduce_sum(a * a)
    return t, y, x, [a]


def _custom(persistent):
    @tape.custom_gradient
    def softclip(v):
        e = tape.exp(v)

        def grad(u):
            return u * e / (1.0 + e)

        return tape.log(1.0 + e), grad

    x = f64([0.1, 0.2])
    with GradientTape(persistent=persistent) as t:
        t.watch(x)
        a = x * 2.0
        b = softclip(a)
        y = tape.reduce_sum(b)
    return t, y, x, [a, b]


def _recompute(persistent):
    layer = tape.recompute_grad(lambda v: tape.tanh(v) * v)
    x = f64([0.1, 0.2])
    with GradientTape(persistent=persistent) as t:
        t.watch(x)
        a = x * 2.0
        b = layer(a)
        y = tape.reduce_sum(b)
    return t, y, x, [a, b]


SCENARIOS = {
    "elementwise": _elementwise,
    "shapes": _shapes,
    "variables": _variables,
    "nested": _nested,
    "detect_anomaly": _anomaly,
    "custom_gradient": _custom,
    "recompute_grad": _recompute,
}
# custom_gradient, recompute_grad and gradient() (the inner one of "nested") return their
# outputs through pack_as: it once held every leaf it packed in a reference cycle (a recursive
# closure over an unexhausted iterator), freed only by the cycle collector. The refcounting-only
# tests below keep that from coming back.


@pytest.mark.parametrize("name", list(SCENARIOS), ids=list(SCENARIOS))
def test_non_persistent_gradient_frees_every_intermediate(name):
    with refcounting_only():
        t, y, sources, intermediates = SCENARIOS[name](False)
        tensors, values = track(intermediates)
        del intermediates
        assert alive(values) != []  # the tape keeps what its rules need ...
        t.gradient(y, sources)
        assert (alive(tensors), alive(values)) == ([], [])  # ... until gradient() used it


@pytest.mark.parametrize("name", list(SCENARIOS), ids=list(SCENARIOS))
def test_persistent_tape_frees_everything_when_deleted(name):
    with refcounting_only():
        t, y, sources, intermediates = SCENARIOS[name](True)
        tensors, values = track(intermediates)
        tape_ref = weakref.ref(t)
        del intermediates
        for _ in range(2):
            t.gradient(y, sources)
        assert alive(values) != []
        del t
        assert tape_ref() is None
        assert (alive(tensors), alive(values)) == ([], [])


MB = 1 << 20


@contextlib.contextmanager
def traced():
    """Measure memory with tracemalloc: yields a function giving the bytes allocated since."""
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    try:
        yield lambda: tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("persistent", [False, True], ids=["once", "persistent"])
def test_memory_of_intermediates_is_returned(persistent):
    """Black-box: eight 8 MB intermediates. While a persistent tape lives it holds (some of)
    them; after gradient() and deleting the tape, memory is back to where it started."""
    x = f64(np.linspace(0.1, 1.0, MB))  # 8 MB
    with traced() as allocated:
        with GradientTape(persistent=persistent) as t:
            t.watch(x)
            h = x
            for _ in range(4):
                h = tape.sin(h) * x
            y = tape.reduce_sum(h)
        del h
        held = allocated()
        g = t.gradient(y, x)
        assert g.shape == x.shape
        del g
        if persistent:
            assert held >= 4 * 8 * MB
        del t, y
        gc.collect()
        assert allocated() < MB


@pytest.mark.parametrize("outer", [tape.reduce_sum, tape.reduce_mean], ids=["sum", "mean"])
def test_nested_reductions_spread_cotangents_as_views(outer):
    """d/dx outer(reduce_sum(x, axis=1)) for x of shape (n, 1): each reduction's rule spreads
    its cotangent as a view (also a cotangent that is itself a broadcast view), so the sweep
    allocates the 8 MB gradient and nothing else of that size. The gradient is all ones
    (1/n for a mean)."""
    n = MB
    x = f64(np.linspace(0.1, 1.0, n).reshape(n, 1))  # 8 MB
    with traced():
        with GradientTape() as t:
            t.watch(x)
            y = outer(tape.reduce_sum(x, axis=1))
        g = t.gradient(y, x)
        peak = tracemalloc.get_traced_memory()[1]
    expected = 1.0 / n if outer is tape.reduce_mean else 1.0
    np.testing.assert_array_equal(g.numpy(), np.full((n, 1), expected))
    assert peak < 12 * MB


@pytest.mark.parametrize("method", ["jacobian", "batch_jacobian"])
def test_jacobians_free_a_non_persistent_tape(method):
    x = f64([[0.5, 1.0]])
    with refcounting_only():
        with GradientTape() as t:
            t.watch(x)
            a = tape.sin(x)
            y = a * x
        tensors, values = track([a])
        del a
        getattr(t, method)(y, x)
        assert (alive(tensors), alive(values)) == ([], [])


def test_tape_used_by_a_failed_gradient_is_freed_when_deleted():
    """A gradient() that raised half-way leaves a partly consumed tape: deleting it frees the
    rest, and the exception keeps nothing alive once handled."""
    from tape import _record as _tape
    from tape import _registry

    name = "test_resources.no_vjp"
    prim = _registry.PRIMITIVES.get(name) or _registry.defprim(name, lambda v: v * 2.0)
    x = f64([1.0, 2.0])
    with refcounting_only():
        with GradientTape() as t:
            t.watch(x)
            a = tape.sin(x)
            b = _tape.bind(prim, a)
            y = tape.reduce_sum(b * b)
        tensors, values = track([a, b])
        tape_ref = weakref.ref(t)
        del a, b
        with pytest.raises(LookupError, match=name):
            t.gradient(y, x)
        del t
        assert tape_ref() is None
        assert (alive(tensors), alive(values)) == ([], [])


@pytest.mark.parametrize("sources", ["single", "list"])
def test_gradients_are_freed_by_reference_counting(sources):
    x = f64(np.ones(1000))
    with refcounting_only():
        with GradientTape() as t:
            t.watch(x)
            y = tape.reduce_sum(x * x)
        g = t.gradient(y, x if sources == "single" else [x])
        ref = weakref.ref(g if sources == "single" else g[0])
        del g
        assert ref() is None


def test_nothing_is_uncollectable():
    gc.collect()
    before = len(gc.garbage)
    for scenario in SCENARIOS.values():
        for persistent in (False, True):
            t, y, sources, _ = scenario(persistent)
            t.gradient(y, sources)
            del t, y, sources, _
    gc.collect()
    assert gc.garbage[before:] == []


@pytest.mark.parametrize("name", list(SCENARIOS), ids=list(SCENARIOS))
def test_a_gradient_run_creates_no_reference_cycles(name):
    with refcounting_only():
        t, y, sources, _ = SCENARIOS[name](False)
        t.gradient(y, sources)
        del t, y, sources, _
        assert gc.collect() == 0


# =========================================================================== flat over time


def _training_step(v, x):
    with GradientTape() as t:
        t.watch(x)
        y = tape.reduce_sum(tape.sin(x) * v + tape.concat([x, x], 0)[2:6])
    gv, gx = t.gradient(y, [v, x])
    v.assign_sub(0.01 * gv)


def _persistent_step(v, x):
    with GradientTape(persistent=True) as t:
        h = tape.tanh(v * x)
        y = tape.reduce_sum(h * h)
    t.gradient(y, v)
    t.jacobian(h, v)


def _second_order_step(v, x):
    with GradientTape() as outer:
        with GradientTape() as inner:
            y = tape.reduce_sum(tape.exp(v * x * 0.1))
        g = inner.gradient(y, v)
    outer.gradient(g, v)


def _forward_step(v, x):
    with tape.autodiff.ForwardAccumulator(x, tape.ones_like(x)) as acc:
        y = tape.reduce_sum(tape.sin(x) * x)
    acc.jvp(y)


def _custom_step(v, x):
    t, y, sources, _ = _custom(False)
    t.gradient(y, sources)


STEPS = {
    "training": _training_step,
    "persistent+jacobian": _persistent_step,
    "second_order": _second_order_step,
    "forward_mode": _forward_step,
    "custom_gradient": _custom_step,
}


@pytest.mark.parametrize("step", list(STEPS), ids=list(STEPS))
def test_object_count_stays_flat_over_repeated_runs(step):
    fn = STEPS[step]
    v = tape.Variable(np.linspace(0.1, 0.4, 4))
    x = f64([1.0, 2.0, 3.0, 4.0])
    for _ in range(5):  # warm-up: lazily built caches, interned names
        fn(v, x)
    gc.collect()
    baseline = len(gc.get_objects())
    for _ in range(50):
        fn(v, x)
    gc.collect()
    growth = len(gc.get_objects()) - baseline
    assert growth <= 25, f"{growth} more objects after 50 runs"


def test_memory_stays_flat_inside_a_long_detect_anomaly_context():
    v = tape.Variable(np.linspace(0.1, 0.4, 4))
    x = f64([1.0, 2.0, 3.0, 4.0])
    with tape.detect_anomaly():
        for _ in range(10):
            _training_step(v, x)
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(100):
                _training_step(v, x)
            gc.collect()
            growth = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    assert growth < 16 * 1024, f"grew by {growth} bytes over 100 steps"


# =========================================================================== 100,000 ops


@contextlib.contextmanager
def shallow_stack(headroom: int = 150):
    """Allow only ``headroom`` frames beyond the current depth: any recursion over the chain
    (in the sweep or in deallocation) fails loudly instead of passing on a big default."""
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + headroom)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


STEPS_PER_CHAIN = 34_000  # three recorded ops per step: > 100,000 ops
EPS = 1e-5


def chain(y):
    """y <- y + EPS sin(y), three ops per step."""
    for _ in range(STEPS_PER_CHAIN):
        y = y + tape.sin(y) * EPS
    return y


def chain_closed_form(x0: float) -> tuple[float, float, float]:
    """The value, first and second derivative of the chain, by the same recurrence in floats."""
    v, d1, d2 = x0, 1.0, 0.0
    for _ in range(STEPS_PER_CHAIN):
        s, c = math.sin(v), math.cos(v)
        d1, d2 = d1 * (1 + EPS * c), d2 * (1 + EPS * c) - EPS * s * d1 * d1
        v = v + EPS * s
    return v, d1, d2


@pytest.fixture(scope="module")
def closed_form():
    return chain_closed_form(0.5)


def test_100000_op_persistent_tape_gradient_and_teardown(closed_form):
    value, d1, _ = closed_form
    x = f64(0.5)
    with refcounting_only(), shallow_stack():
        with GradientTape(persistent=True) as t:
            t.watch(x)
            y = chain(x)
        assert len(t._entries) >= 100_000
        assert y.numpy() == pytest.approx(value, rel=1e-12)
        for _ in range(2):
            assert t.gradient(y, x).numpy() == pytest.approx(d1, rel=1e-10)
        ref = weakref.ref(t)
        del t
        assert ref() is None


def test_100000_op_second_order_through_nested_tapes(closed_form):
    _, d1, d2 = closed_form
    x = f64(0.5)
    with shallow_stack():
        with GradientTape() as outer:
            outer.watch(x)
            with GradientTape() as inner:
                inner.watch(x)
                y = chain(x)
            g = inner.gradient(y, x)
        assert g.numpy() == pytest.approx(d1, rel=1e-10)
        assert outer.gradient(g, x).numpy() == pytest.approx(d2, rel=1e-8)
        del outer, inner, g, y


def test_100000_op_chain_in_forward_mode(closed_form):
    value, d1, _ = closed_form
    x = f64(0.5)
    with shallow_stack():
        with tape.autodiff.ForwardAccumulator(x, f64(1.0)) as acc:
            y = chain(x)
        assert acc.jvp(y).numpy() == pytest.approx(d1, rel=1e-10)
        del acc, y
