"""Threads: recording is thread-local, as in TensorFlow, and concurrent tapes are correct.

A tape records the ops run on its own thread only; forward accumulators, stop_recording and
detect_anomaly are per thread too. Many threads differentiating at once (with the interpreter
switching threads as often as it can) all get their closed-form gradients, and an exception
raised in a worker reaches the caller through ``Future.result()``.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import tape
from tape import GradientTape
from tape import _tensor as engine

WORKERS = 8
TAPES_PER_WORKER = 50


def f64(value) -> tape.Tensor:
    return tape.constant(np.asarray(value, dtype=np.float64))


def in_thread(fn):
    """Run ``fn`` on a fresh thread and return its result (or raise its exception)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result(timeout=60)


@contextlib.contextmanager
def frequent_switches():
    """Make the interpreter switch threads as often as it can, to interleave the workers."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


# =========================================================================== thread-local state


def test_ops_run_on_another_thread_are_not_recorded_on_this_threads_tape():
    x = f64(2.0)
    with GradientTape(persistent=True) as t:
        t.watch(x)

        def worker():
            assert engine.STATE.recording == []  # this thread's stack is its own
            return x * x

        y_elsewhere = in_thread(worker)
        y_here = x * x * x
    assert y_elsewhere.numpy() == 4.0
    assert t.gradient(y_elsewhere, x) is None
    assert t.gradient(y_here, x).numpy() == 12.0


def test_a_tape_on_another_thread_records_only_its_own_ops():
    x = f64(3.0)
    with GradientTape(persistent=True) as main_tape:
        main_tape.watch(x)
        a = x * x  # recorded here

        def worker():
            with GradientTape() as t:
                t.watch(x)
                b = tape.sin(x)
            assert engine.STATE.recording == []
            return b, t.gradient(b, x)

        b, db = in_thread(worker)
        c = a * 2.0
    assert db.numpy() == pytest.approx(np.cos(3.0), rel=1e-15)
    assert main_tape.gradient(b, x) is None  # the worker's op is not on the main tape
    assert main_tape.gradient(c, x).numpy() == 12.0


def test_variables_read_on_another_thread_are_not_watched_by_this_threads_tape():
    mine, theirs = tape.Variable(1.0, name="mine"), tape.Variable(2.0, name="theirs")
    with GradientTape() as t:
        y = mine * 3.0
        z = in_thread(lambda: theirs * 5.0)
    assert [v.name for v in t.watched_variables()] == ["mine:0"]
    gm, gt = t.gradient([y, z], [mine, theirs])
    assert gm.numpy() == 3.0
    assert gt is None


def test_stop_recording_pauses_only_this_threads_tape():
    x = f64(2.0)
    started, release = threading.Event(), threading.Event()

    def worker():
        with GradientTape() as t:
            t.watch(x)
            started.set()
            release.wait(timeout=30)
            y = x * x  # runs while the main thread's tape is paused
        return t.gradient(y, x)

    with ThreadPoolExecutor(1) as pool:
        with GradientTape() as main_tape:
            main_tape.watch(x)
            future = pool.submit(worker)
            assert started.wait(timeout=30)
            with main_tape.stop_recording():
                release.set()
                g = future.result(timeout=60)
                unrecorded = x * 10.0
            y = x * 3.0 + unrecorded
    assert g.numpy() == 4.0
    assert main_tape.gradient(y, x).numpy() == 3.0


def test_forward_accumulator_is_thread_local():
    x = f64(2.0)
    with tape.autodiff.ForwardAccumulator(x, f64(1.0)) as acc:
        y_elsewhere = in_thread(lambda: x * x)
        y_here = x * x
    assert acc.jvp(y_here).numpy() == 4.0
    assert acc.jvp(y_elsewhere) is None


def test_detect_anomaly_is_thread_local():
    x = f64(-1.0)

    def worker():
        with np.errstate(invalid="ignore"):
            with GradientTape() as t:
                t.watch(x)
                y = tape.sqrt(x)  # nan, but this thread detects no anomaly
        assert engine.STATE.anomaly is None
        return y

    with tape.detect_anomaly():
        y = in_thread(worker)
        assert np.isnan(y.numpy())
        with GradientTape() as t:
            t.watch(x)
            with pytest.raises(FloatingPointError, match="op 'sqrt' produced nan"):
                tape.sqrt(x)


# =========================================================================== many threads at once


def _one_tape(rng, v):
    """One tape's worth of work, checked against closed forms; returns the number of checks.

    y = sum(sin(x) * x * v) + sum(concat([x, x * x])[1:4]) + sum(x @ W) on a (3,) x.
    """
    x0 = rng.uniform(-2.0, 2.0, size=3)
    w0 = rng.uniform(-1.0, 1.0, size=(3, 2))
    x, w = f64(x0), f64(w0)
    persistent = bool(rng.integers(2))
    with GradientTape(persistent=persistent) as t:
        t.watch([x, w])
        y = (
            tape.reduce_sum(tape.sin(x) * x * v)
            + tape.reduce_sum(tape.concat([x, x * x], 0)[1:4])
            + tape.reduce_sum(tape.matmul(tape.reshape(x, (1, 3)), w))
        )
    v0 = v.numpy()
    gx, gw, gv = t.gradient(y, [x, w, v])
    expected_x = (np.cos(x0) * x0 + np.sin(x0)) * v0 + [2 * x0[0], 1.0, 1.0] + w0.sum(axis=1)
    np.testing.assert_allclose(gx.numpy(), expected_x, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(gw.numpy(), np.repeat(x0[:, None], 2, axis=1), rtol=1e-15)
    np.testing.assert_allclose(gv.numpy(), np.sin(x0) * x0, rtol=1e-15)
    if persistent:  # and a second derivative through nested tapes
        with GradientTape() as outer:
            outer.watch(x)
            with GradientTape() as inner:
                inner.watch(x)
                z = tape.reduce_sum(x * x * x)
            g = inner.gradient(z, x)
        np.testing.assert_allclose(outer.gradient(g, x).numpy(), 6 * x0, rtol=1e-15)
        np.testing.assert_allclose(t.gradient(y, v).numpy(), np.sin(x0) * x0, rtol=1e-15)
    return 1


def _worker(k, barrier):
    rng = np.random.default_rng(k)
    v = tape.Variable(rng.uniform(-1.0, 1.0, size=3), name=f"v{k}")
    barrier.wait(timeout=60)  # every worker starts at once
    done = sum(_one_tape(rng, v) for _ in range(TAPES_PER_WORKER))
    assert engine.STATE.recording == []
    return k, done


def test_eight_threads_each_running_fifty_tapes_get_closed_form_gradients():
    barrier = threading.Barrier(WORKERS)
    with frequent_switches(), ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(_worker, k, barrier) for k in range(WORKERS)]
        results = sorted(f.result(timeout=120) for f in futures)
    assert results == [(k, TAPES_PER_WORKER) for k in range(WORKERS)]


def test_threads_share_a_persistent_tape_for_reading():
    """Several threads call gradient() and jacobian() on one persistent tape at once."""
    x0 = np.array([0.5, 1.0, 1.5])
    x = f64(x0)
    with GradientTape(persistent=True) as t:
        t.watch(x)
        h = tape.exp(x) * x
        y = tape.reduce_sum(h)

    def reader(k):
        for _ in range(20):
            if k % 2:
                np.testing.assert_allclose(t.gradient(y, x).numpy(), np.exp(x0) * (1 + x0),
                                           rtol=1e-15)
            else:
                np.testing.assert_allclose(t.jacobian(h, x).numpy(),
                                           np.diag(np.exp(x0) * (1 + x0)), rtol=1e-15)
        return k

    with frequent_switches(), ThreadPoolExecutor(WORKERS) as pool:
        assert sorted(f.result(timeout=120) for f in
                      [pool.submit(reader, k) for k in range(WORKERS)]) == list(range(WORKERS))


def test_shared_variable_assigned_concurrently_gradient_uses_the_value_read():
    """One thread keeps assigning a variable while others differentiate y = r^3 of the value r
    they read: each gradient must be 3 r^2 of that very read, whatever was assigned since."""
    v = tape.Variable(np.float64(1.0))
    stop = threading.Event()

    def assigner():
        k = 0
        while not stop.is_set():
            k += 1
            v.assign(np.float64(1.0 + (k % 7)))
        return k

    def reader(_):
        mismatches = 0
        for _ in range(200):
            with GradientTape() as t:
                r = v.read_value()
                y = r * r * r
            g = t.gradient(y, v).numpy()
            if g != 3.0 * r.numpy() ** 2:
                mismatches += 1
        return mismatches

    with frequent_switches(), ThreadPoolExecutor(4) as pool:
        writer = pool.submit(assigner)
        readers = [pool.submit(reader, k) for k in range(3)]
        try:
            mismatches = [f.result(timeout=120) for f in readers]
        finally:
            stop.set()
        assert writer.result(timeout=60) > 0
    assert mismatches == [0, 0, 0]


# =========================================================================== exceptions


def test_an_exception_in_a_worker_reaches_the_caller():
    def misuse():
        x = f64(1.0)
        with GradientTape() as t:
            t.watch(x)
            y = x * x
        t.gradient(y, x)
        return t.gradient(y, x)  # a second time on a non-persistent tape

    with ThreadPoolExecutor(2) as pool:
        future = pool.submit(misuse)
        with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used "
                                               "to compute one set of gradients"):
            future.result(timeout=60)


def test_an_exception_inside_a_workers_tape_leaves_that_thread_clean():
    """The failing task's tapes are popped from its thread's stack, so the next task run on the
    same worker thread starts with nothing recording."""

    def failing():
        x = f64(1.0)
        with GradientTape() as outer:
            outer.watch(x)
            with GradientTape():
                raise KeyError("boom in worker")

    def state():
        return list(engine.STATE.recording), engine.STATE.accumulators[:], engine.STATE.anomaly

    with ThreadPoolExecutor(1) as pool:  # one thread: the second task runs where the first did
        with pytest.raises(KeyError, match="boom in worker"):
            pool.submit(failing).result(timeout=60)
        assert pool.submit(state).result(timeout=60) == ([], [], None)


@pytest.mark.parametrize("failing", [0, 3, 7])
def test_one_failing_worker_among_many(failing):
    def task(k):
        x = f64(float(k))
        with GradientTape() as t:
            t.watch(x)
            y = x * x
        if k == failing:
            return t.gradient(2.0, x)  # the loss.item() mistake
        return t.gradient(y, x).numpy()

    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(task, k) for k in range(WORKERS)]
        for k, f in enumerate(futures):
            if k == failing:
                with pytest.raises(TypeError, match="A Python number has no gradient"):
                    f.result(timeout=60)
            else:
                assert f.result(timeout=60) == 2.0 * k
