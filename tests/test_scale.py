"""Scale, memory and threads: long tapes, values freed when no longer needed, one tape stack
per thread.

Every gradient is checked against something independent of tape: a closed form, or central
finite differences of a plain NumPy function in float64 (``numerical_gradient``, conftest.py).
"""

from __future__ import annotations

import gc
import threading
import weakref

import numpy as np
import pytest

import tape
from tape import GradientTape
from tests.common import f64, recording

# =========================================================================== scale, memory, threads


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value")
def test_second_order_through_a_mean_over_no_elements_is_zero():
    """The first-order gradient with respect to an empty E has no elements, so its sum is 0
    for every w: the second-order gradient is exactly 0 (not 0 * inf)."""
    w = tape.Variable(np.ones(3))
    empty = tape.constant(np.zeros((0, 3)))
    with GradientTape() as outer:
        with GradientTape() as inner:
            inner.watch(empty)
            y = tape.reduce_sum(tape.reduce_mean(empty, axis=0) * w)
        s = tape.reduce_sum(inner.gradient(y, empty))
    np.testing.assert_array_equal(outer.gradient(s, w).numpy(), [0.0, 0.0, 0.0])


def test_100000_op_chain_differentiates_without_recursion_error():
    n, c = 100_000, 1.000001
    x = f64(0.5)
    with GradientTape() as t:
        t.watch(x)
        y = x
        for _ in range(n):
            y = y * c
    assert t.gradient(y, x).numpy() == pytest.approx(c**n, rel=1e-9)


def test_non_persistent_tape_releases_entries_after_gradient():
    x = f64(2.0)
    with GradientTape() as t:
        t.watch(x)
        h = x * x
        y = h * 3.0
    ref = weakref.ref(h)
    del h
    assert t.gradient(y, x).numpy() == 12.0
    gc.collect()
    assert ref() is None  # nothing left on the used tape keeps the intermediate alive


def test_persistent_tape_releases_entries_when_deleted():
    x = f64(2.0)
    with GradientTape(persistent=True) as t:
        t.watch(x)
        h = x * x
        y = h * 3.0
    ref = weakref.ref(h)
    del h
    assert t.gradient(y, x).numpy() == 12.0
    assert t.gradient(y, x).numpy() == 12.0  # a persistent tape keeps what it needs ...
    del t
    gc.collect()
    assert ref() is None  # ... until it is collected


def test_tape_stack_is_thread_local():
    x = f64(2.0)
    seen = {}

    def worker():
        seen["stack"] = recording()
        seen["y"] = x * x  # on another thread: not recorded on this thread's tape

    with GradientTape(persistent=True) as t:
        t.watch(x)
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        z = x * 3.0
    assert seen["stack"] == []
    assert t.gradient(seen["y"], x) is None
    assert t.gradient(z, x).numpy() == 3.0


def test_tapes_on_concurrent_threads_are_independent():
    n = 4
    barrier = threading.Barrier(n)
    results, errors = {}, []

    def worker(k):
        try:
            x = f64(float(k + 1))
            with GradientTape() as t:
                t.watch(x)
                barrier.wait(timeout=10)  # every thread's tape is active at once
                y = x**3
                barrier.wait(timeout=10)
            results[k] = (t.gradient(y, x).numpy(), recording())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    for k in range(n):
        grad, stack = results[k]
        assert grad == 3.0 * (k + 1) ** 2
        assert stack == []
