"""Run the benchmarks: ``python -m benchmarks.run [--quick] [--json PATH] [--only tape,numpy]``.

Every implementation runs in this one process. Each workload is checked once per
implementation against the hand-written NumPy baseline, then timed in repetitions that go
round-robin over the implementations (the starting one rotates), so that drift of the machine
during the run falls on all of them alike. Tables give the median time per call, the range,
and the ratios to the baseline and to PyTorch. Three sections follow the workloads: the first
calls of ``tape.function`` (tracing and code generation), vectorizing (tape's Jacobian and
per-example gradients against one gradient, and the Jacobian's peak memory against
``parallel_iterations``) and tape's scaling with chain length.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

if __package__ in (None, ""):  # run as a script: python benchmarks/run.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import impls as _impls  # noqa: E402
from benchmarks.impls import (  # noqa: E402
    BASELINE,
    DESCRIPTIONS,
    IMPLS,
    PEER_REFERENCE,
    Unavailable,
    max_error,
    module,
    to_numpy,
    version,
)
from benchmarks.workloads import (  # noqa: E402
    FULL,
    JACOBIAN,
    MLP,
    PER_EXAMPLE,
    QUICK,
    WORKLOAD_KEYS,
    Sizes,
    Workload,
    chain_data,
    jacobian_data,
    make_workload,
    mlp_data,
    tape_loss_path,
    tape_tanh_gradient,
    tape_tanh_jacobian,
)

FIRST_CALL = "first-call"
VECTORIZING = "vectorizing"
SCALING = "scaling"
SECTIONS = (FIRST_CALL, VECTORIZING, SCALING)

#: The targets of the vectorizing section: a Jacobian (W7) at most this many times one
#: gradient of the same function, per-example gradients (W8) at most this many times one batch
#: gradient (W3).
JACOBIAN_TARGET = 5.0
PER_EXAMPLE_TARGET = 3.0
#: The ``parallel_iterations`` whose peak memory the vectorizing section measures (None: all
#: rows at once, the default).
PARALLEL_ITERATIONS = (10, 100, 1000, None)


class Settings:
    """How long to measure. ``target`` is the least time of one sample (a sample repeats the
    call ``number`` times); repetitions are chosen to fill about ``budget`` seconds per workload,
    between ``min_reps`` and ``max_reps``."""

    def __init__(self, quick: bool, reps: int | None, pause: float | None = None) -> None:
        self.quick = quick
        self.target = 0.002 if quick else 0.02
        self.budget = 0.15 if quick else 15.0
        self.min_reps = 3 if quick else 5
        self.max_reps = 5 if quick else 25
        self.fixed_reps = reps
        self.scaling_reps = 2 if quick else 5
        self.first_call_reps = 2 if quick else 5
        self.vectorizing_reps = 3 if quick else 10
        self.steady_calls = 3  # steady-state calls timed after each first and second call
        # Between samples: lets the worker threads of BLAS, OpenMP and XLA, which spin for a
        # while after a parallel call, go idle before the next library runs.
        self.pause = 0.0005 if pause is None else pause


# --------------------------------------------------------------------------- measuring


def _sample(fn: Callable[[], Any], number: int) -> float:
    """Seconds per call, over ``number`` consecutive calls."""
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def _calibrate(fn: Callable[[], Any], target: float) -> tuple[int, float]:
    """Calls per sample so that a sample lasts at least ``target`` seconds, and the time of
    one call."""
    t = _sample(fn, 1)
    number = 1
    while t * number < target:
        number = min(max(number * 2, math.ceil(target / max(t, 1e-9))), 1_000_000)
        t = _sample(fn, number)
        if number == 1_000_000:
            break
    return number, t


def _fmt_time(s: float | None) -> str:
    if s is None or not math.isfinite(s):
        return "-"
    if s >= 1.0:
        return f"{s:.3f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3f} ms"
    return f"{s * 1e6:.2f} us"


def _fmt_ratio(r: float | None) -> str:
    if r is None:
        return "-"
    return f"{r:.2f}x" if r < 100 else f"{r:.0f}x"


def _fmt_bytes(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def _peak_memory(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated (as tracemalloc sees them) during one call of ``fn``."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        out = fn()
        peak = tracemalloc.get_traced_memory()[1] - base
        del out
    finally:
        tracemalloc.stop()
    return peak


def run_workload(w: Workload, impls: list[str], settings: Settings) -> dict:
    """Check, calibrate and time every selected implementation of ``w``."""
    rows: dict[str, dict] = {}
    fns: dict[str, Callable[[], Any]] = {}
    reference = to_numpy(w.builders[BASELINE](w.data)())
    for name in impls:
        row: dict[str, Any] = {"status": "ok"}
        rows[name] = row
        try:
            module(name)
            fn = w.builders[name](w.data)
            t0 = time.perf_counter()
            out = fn()  # warm-up: includes jit compilation
            row["first_call_s"] = time.perf_counter() - t0
        except Unavailable as exc:
            row.update(status="unavailable", message=str(exc))
            continue
        except Exception as exc:  # noqa: BLE001 - any failure becomes an error row
            row.update(status="error", message=f"{type(exc).__name__}: {exc}")
            continue
        err = max_error(out, reference)
        row["max_rel_error"] = err if math.isfinite(err) else None
        if not err <= w.tol:
            row.update(
                status="error",
                message=f"result disagrees with the NumPy baseline: relative error {err:.3g} "
                f"> {w.tol:g}",
            )
            continue
        fns[name] = fn

    numbers: dict[str, int] = {}
    per_rep = 0.0
    for name, fn in list(fns.items()):
        try:
            numbers[name], t = _calibrate(fn, settings.target)
        except Exception as exc:  # noqa: BLE001
            rows[name].update(status="error", message=f"{type(exc).__name__}: {exc}")
            del fns[name]
            continue
        per_rep += numbers[name] * t
    budget = settings.budget if settings.quick or w.budget is None else w.budget
    reps = settings.fixed_reps or max(
        settings.min_reps, min(settings.max_reps, int(budget / max(per_rep, 1e-9)))
    )

    samples: dict[str, list[float]] = {name: [] for name in fns}
    order = list(fns)
    gc.collect()
    gc.freeze()  # what is alive now (libraries, data) is not rescanned by collections
    try:
        for r in range(reps):
            gc.collect()
            k = r % len(order) if order else 0
            for name in order[k:] + order[:k]:
                if name not in fns:
                    continue
                time.sleep(settings.pause)
                try:
                    samples[name].append(_sample(fns[name], numbers[name]))
                except Exception as exc:  # noqa: BLE001
                    rows[name].update(status="error", message=f"{type(exc).__name__}: {exc}")
                    del fns[name]
    finally:
        gc.unfreeze()

    for name, ts in samples.items():
        if rows[name]["status"] != "ok":
            continue
        rows[name].update(
            median_s=statistics.median(ts), min_s=min(ts), max_s=max(ts), samples_s=ts,
            reps=len(ts), number=numbers[name],
        )
        if w.ops:
            rows[name]["median_us_per_op"] = statistics.median(ts) / w.ops * 1e6

    for name in w.memory:
        if name in fns:
            rows[name]["peak_bytes"] = _peak_memory(fns[name])

    for ref_name, key in ((BASELINE, "ratio_numpy"), (PEER_REFERENCE, "ratio_torch")):
        ref = rows.get(ref_name, {})
        for row in rows.values():
            if "median_s" in row and "median_s" in ref:
                row[key] = _paired_ratio(row["samples_s"], ref["samples_s"])
                row[key + "_of_medians"] = row["median_s"] / ref["median_s"]
    result: dict[str, Any] = {
        "title": w.title, "description": w.description, "tolerance": w.tol, "ops": w.ops,
        "reps": reps, "rows": rows, "notes": list(w.notes),
    }
    if w.memory:
        base_peak = rows.get(BASELINE, {}).get("peak_bytes")
        for row in rows.values():
            if base_peak and "peak_bytes" in row:
                row["peak_ratio_numpy"] = row["peak_bytes"] / base_peak
    return result


def _paired_ratio(samples: list[float], ref: list[float]) -> float:
    """The median over repetitions of sample / reference sample of the same repetition: the
    two were taken moments apart, so drift of the machine cancels. Falls back to the ratio of
    the medians when the repetitions do not pair up (an implementation failed midway)."""
    if len(samples) != len(ref):
        return statistics.median(samples) / statistics.median(ref)
    return statistics.median(a / b for a, b in zip(samples, ref))


def run_first_call(sizes: Sizes, settings: Settings) -> dict:
    """What the first calls of ``tape.function`` cost, for each workload with a compiled
    (tape-function) row. Each repetition makes a fresh compiled function and times its first
    call (the trace: the function runs eagerly under the tracer), its second call (code
    generation and compilation of the generated source, then a run of it) and then
    ``settings.steady_calls`` steady-state calls; code generation is the second call minus the
    median steady call. An eager tape call (no tape.function) is timed alongside, to compare
    the trace with. A workload whose function fails gets an error row."""
    rows: dict[str, dict] = {}
    for key in WORKLOAD_KEYS:
        w = make_workload(key, sizes)
        if w.tape_function is None:
            continue
        try:
            rows[key] = _first_calls(w, settings)
        except Exception as exc:  # noqa: BLE001 - any failure becomes an error row
            rows[key] = {"status": "error", "message": f"{type(exc).__name__}: {exc}"}
    return {
        "title": "tape.function first call",
        "description": "A fresh tape.function per repetition: the first call traces, the second "
        "generates and compiles the code (second call minus a steady-state call), later calls "
        "run the generated code. Medians over the repetitions.",
        "reps": settings.first_call_reps, "rows": rows,
    }


def _first_calls(w: Workload, settings: Settings) -> dict:
    """The first-call timings of one workload's tape.function (see :func:`run_first_call`)."""
    assert w.tape_function is not None
    eager = w.builders["tape"](w.data)
    eager()  # warm-up, also of tape's own first-use work
    samples: dict[str, list[float]] = {
        k: [] for k in ("trace_s", "second_call_s", "steady_s", "codegen_s", "eager_s")
    }
    reps = min(settings.first_call_reps, w.first_call_reps or settings.first_call_reps)
    for _ in range(reps):
        f, args = w.tape_function(w.data)
        call = functools.partial(f, *args)
        gc.collect()
        first = _sample(call, 1)
        second = _sample(call, 1)
        steady = statistics.median(_sample(call, 1) for _ in range(settings.steady_calls))
        eager_t = statistics.median(_sample(eager, 1) for _ in range(settings.steady_calls))
        for k, v in (("trace_s", first), ("second_call_s", second), ("steady_s", steady),
                     ("codegen_s", second - steady), ("eager_s", eager_t)):
            samples[k].append(v)
    row: dict[str, Any] = {"status": "ok", "reps": reps}
    row.update((k, statistics.median(v)) for k, v in samples.items())
    row["samples"] = samples
    row["tracing_count"] = f.experimental_get_tracing_count()
    row["generated_lines"] = len(f.source(*args).splitlines())
    row["trace_x_eager"] = row["trace_s"] / row["eager_s"]
    return row


def _round_robin(fns: dict[str, Callable[[], Any]], reps: int, settings: Settings
                 ) -> dict[str, dict]:
    """Calibrate, then time the functions in ``reps`` round-robin repetitions (as
    :func:`run_workload` does): per name, the median, min and max and every sample."""
    numbers = {name: _calibrate(fn, settings.target)[0] for name, fn in fns.items()}
    samples: dict[str, list[float]] = {name: [] for name in fns}
    order = list(fns)
    gc.collect()
    gc.freeze()
    try:
        for r in range(reps):
            gc.collect()
            k = r % len(order)
            for name in order[k:] + order[:k]:
                time.sleep(settings.pause)
                samples[name].append(_sample(fns[name], numbers[name]))
    finally:
        gc.unfreeze()
    return {
        name: {"median_s": statistics.median(ts), "min_s": min(ts), "max_s": max(ts),
               "samples_s": ts, "reps": len(ts), "number": numbers[name]}
        for name, ts in samples.items()
    }


def _nbytes(value: Any) -> int:
    """Bytes of a result (nested lists of arrays or tensors)."""
    return sum(a.nbytes for a in _flat_arrays(to_numpy(value)))


def _flat_arrays(value: Any) -> list:
    if isinstance(value, list):
        return [a for v in value for a in _flat_arrays(v)]
    return [value]


def run_vectorizing(sizes: Sizes, settings: Settings) -> dict:
    """tape's vectorized Jacobian and per-example gradients against one gradient.

    Timed together, round-robin: W7's Jacobian (``GradientTape.jacobian``) and one gradient
    of ``sum(M @ tanh(x))`` on the same data; W8's per-example gradients (``vmap(grad)``), W3's
    batch gradient and the hand-written per-example baseline (the NumPy floor). Then the peak
    memory (tracemalloc) and time of W7's Jacobian for each ``parallel_iterations`` in
    :data:`PARALLEL_ITERATIONS`, next to the size of the Jacobian itself."""
    tf = module("tape")
    jdata = jacobian_data(sizes.w7_n)
    mdata = mlp_data(sizes.w3_sizes, sizes.w3_batch)
    m, x = tf.constant(jdata["m"]), tf.constant(jdata["x0"])
    res: dict[str, Any] = {
        "title": "vectorizing: tape's Jacobian and per-example gradients against one gradient",
        "description": "Round-robin timings of tape alone: W7's Jacobian and one gradient of "
        "sum(M @ tanh(x)); W8's per-example gradients, W3's batch gradient and the NumPy "
        "per-example baseline (W8's numpy row). Then the peak memory (tracemalloc) of W7's "
        "GradientTape.jacobian for several parallel_iterations, against the Jacobian's size.",
        "reps": settings.vectorizing_reps, "rows": {},
    }
    fns: dict[str, Callable[[], Any]] = {}
    makers: dict[str, Callable[[], Callable[[], Any]]] = {
        "jacobian": lambda: JACOBIAN["tape"](jdata),
        "gradient": lambda: functools.partial(tape_tanh_gradient, tf, m, x),
        "per_example": lambda: PER_EXAMPLE["tape"](mdata),
        "batch_gradient": lambda: MLP["tape"](mdata),
        "numpy_per_example": lambda: PER_EXAMPLE["numpy"](mdata),
    }
    outputs: dict[str, Any] = {}
    for name, make in makers.items():
        try:
            fn = make()
            outputs[name] = fn()
            fns[name] = fn
        except Exception as exc:  # noqa: BLE001 - any failure becomes an error row
            res["rows"][name] = {"status": "error", "message": f"{type(exc).__name__}: {exc}"}
    timed = _round_robin(fns, settings.vectorizing_reps, settings)
    for name, row in timed.items():
        res["rows"][name] = {"status": "ok", **row}

    def paired(a: str, b: str) -> float | None:
        if a in timed and b in timed:
            return _paired_ratio(timed[a]["samples_s"], timed[b]["samples_s"])
        return None

    def median(name: str) -> float | None:
        return timed[name]["median_s"] if name in timed else None

    ratio = paired("jacobian", "gradient")
    res["jacobian"] = {
        "n": sizes.w7_n, "jacobian_s": median("jacobian"), "gradient_s": median("gradient"),
        "ratio": ratio, "target": JACOBIAN_TARGET,
        "met": None if ratio is None else ratio <= JACOBIAN_TARGET,
    }
    ratio = paired("per_example", "batch_gradient")
    per_example = res["per_example"] = {
        "batch": sizes.w3_batch, "per_example_s": median("per_example"),
        "batch_gradient_s": median("batch_gradient"), "ratio": ratio,
        "target": PER_EXAMPLE_TARGET, "met": None if ratio is None else ratio <= PER_EXAMPLE_TARGET,
        "numpy_per_example_s": median("numpy_per_example"),
        "numpy_ratio": paired("numpy_per_example", "batch_gradient"),
        "tape_x_numpy": paired("per_example", "numpy_per_example"),
    }
    if "numpy_per_example" in outputs:
        per_example["per_example_bytes"] = _nbytes(outputs["numpy_per_example"])
        per_example["gradient_bytes"] = sum(p.nbytes for p in mdata["params"])
        per_example["size_ratio"] = per_example["per_example_bytes"] / per_example["gradient_bytes"]
    outputs.clear()

    memory: dict[str, Any] = {
        "n": sizes.w7_n, "output_bytes": jdata["m"].nbytes, "rows": {},
    }
    res["memory"] = memory
    jac_fns = {
        str(k): functools.partial(tape_tanh_jacobian, tf, m, x, k) for k in PARALLEL_ITERATIONS
    }
    try:
        times = _round_robin(jac_fns, settings.vectorizing_reps, settings)
    except Exception as exc:  # noqa: BLE001
        memory["error"] = f"{type(exc).__name__}: {exc}"
        return res
    for k, fn in jac_fns.items():
        peak = _peak_memory(fn)
        rows = sizes.w7_n if k == "None" else min(int(k), sizes.w7_n)
        memory["rows"][k] = {
            "parallel_iterations": None if k == "None" else int(k),
            "chunk_bytes": rows * jdata["m"].shape[1] * jdata["m"].itemsize, "peak_bytes": peak,
            "beyond_output_bytes": peak - memory["output_bytes"],
            "peak_x_output": peak / memory["output_bytes"], **times[k],
        }
    return res


def run_scaling(ops: tuple[int, int], settings: Settings) -> dict:
    """tape on the W1 chain at two lengths, interleaved: the time should grow linearly. Each
    length also runs with Python's cyclic garbage collector disabled during the call, which
    shows how much of any non-linearity is the collector's."""
    from benchmarks.workloads import CHAIN_GRAD

    small, large = ops
    fns = {n: CHAIN_GRAD["tape"](chain_data(n, None, reduce=False)) for n in ops}
    for fn in fns.values():
        fn()
    variants = [(gc_on, n) for gc_on in (True, False) for n in ops]
    samples: dict[tuple[bool, int], list[float]] = {v: [] for v in variants}
    gc.collect()
    gc.freeze()
    try:
        for r in range(settings.scaling_reps):
            gc.collect()
            k = r % len(variants)
            for gc_on, n in variants[k:] + variants[:k]:
                time.sleep(settings.pause)
                if not gc_on:
                    gc.disable()
                try:
                    samples[gc_on, n].append(_sample(fns[n], 1))
                finally:
                    gc.enable()
                    gc.collect()
    finally:
        gc.unfreeze()
    rows = {
        f"{n}{'' if gc_on else '-gc-off'}": {
            "ops": n, "gc": gc_on, "median_s": statistics.median(ts), "min_s": min(ts),
            "max_s": max(ts), "samples_s": ts, "median_us_per_op": statistics.median(ts) / n * 1e6,
        }
        for (gc_on, n), ts in samples.items()
    }
    ratio = rows[str(large)]["median_s"] / rows[str(small)]["median_s"]
    ratio_off = rows[f"{large}-gc-off"]["median_s"] / rows[f"{small}-gc-off"]["median_s"]
    return {
        "title": f"tape, W1 chain at {small:,} vs {large:,} ops",
        "reps": settings.scaling_reps, "rows": rows, "ops_ratio": large / small,
        "time_ratio": ratio, "per_op_ratio": ratio / (large / small),
        "time_ratio_gc_off": ratio_off, "per_op_ratio_gc_off": ratio_off / (large / small),
    }


# --------------------------------------------------------------------------- printing


def _table(headers: list[str], lines: list[list[str]]) -> str:
    full = [r for r in lines if len(r) == len(headers)]  # not the two-cell message rows
    widths = [max(len(h), *(len(r[i]) for r in full)) for i, h in enumerate(headers)]
    widths[0] = max(widths[0], *(len(r[0]) for r in lines))

    def fmt(cells: list[str]) -> str:
        if len(cells) == 2 and len(headers) > 2:  # an error or "not installed" row
            return f"{cells[0]:<{widths[0]}}  {cells[1]}"
        out = [f"{cells[0]:<{widths[0]}}"]
        out += [f"{c:>{widths[i + 1]}}" for i, c in enumerate(cells[1:])]
        return "  ".join(out).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(headers), sep, *(fmt(r) for r in lines)])


def print_workload(key: str, res: dict) -> None:
    rows = res["rows"]
    has_ops = bool(res["ops"])
    has_mem = any("peak_bytes" in r for r in rows.values())
    has_torch = any("ratio_torch" in r for r in rows.values())
    headers = ["implementation", "median", "min - max"]
    if has_ops:
        headers.append("us/op")
    headers.append("x numpy")
    if has_torch:
        headers.append("x torch")
    if has_mem:
        headers += ["peak memory", "mem x numpy"]
    headers.append("calls")
    lines = []
    for name, row in rows.items():
        if row["status"] != "ok":
            label = "not installed" if row["status"] == "unavailable" else "ERROR"
            msg = row.get("message", "")
            text = msg if msg.startswith("not ") else f"{label}: {msg}"
            lines.append([name, text])
            continue
        cells = [
            name, _fmt_time(row["median_s"]),
            f"{_fmt_time(row['min_s'])} - {_fmt_time(row['max_s'])}",
        ]
        if has_ops:
            cells.append(f"{row['median_us_per_op']:.3f}")
        cells.append(_fmt_ratio(row.get("ratio_numpy")))
        if has_torch:
            cells.append(_fmt_ratio(row.get("ratio_torch")))
        if has_mem:
            if "peak_bytes" in row:
                cells += [_fmt_bytes(row["peak_bytes"]), _fmt_ratio(row.get("peak_ratio_numpy"))]
            else:
                cells += ["not traced", "-"]
        cells.append(f"{row['reps']}x{row['number']}")
        lines.append(cells)
    print(f"\n{key}  {res['title']}")
    print(f"({res['reps']} round-robin repetitions, {res.get('elapsed_s', 0):.1f} s)")
    print(_table(headers, lines))
    for note in res["notes"]:
        print(f"  note: {note}")
    sys.stdout.flush()


def _fmt_ms(s: float) -> str:
    return f"{s * 1e3:.3f} ms"


def print_first_call(res: dict) -> None:
    headers = ["workload", "trace (1st call)", "2nd call", "code generation", "steady call",
               "eager tape call", "trace x eager", "generated lines"]
    lines = [
        [key, _fmt_ms(row["trace_s"]), _fmt_ms(row["second_call_s"]),
         _fmt_ms(row["codegen_s"]), _fmt_ms(row["steady_s"]), _fmt_ms(row["eager_s"]),
         _fmt_ratio(row["trace_x_eager"]), f"{row['generated_lines']:,}"]
        if row["status"] == "ok" else [key, f"ERROR: {row['message']}"]
        for key, row in res["rows"].items()
    ]
    fewer = ", ".join(f"{key} {row['reps']}" for key, row in res["rows"].items()
                      if row.get("reps", res["reps"]) != res["reps"])
    print(f"\n{res['title']}")
    print(f"(a fresh tape.function in each of {res['reps']} repetitions"
          + (f" ({fewer})" if fewer else "") + f", medians; {res.get('elapsed_s', 0):.1f} s)")
    print(_table(headers, lines))
    print("code generation = 2nd call - steady call; the eager call is tape without "
          "tape.function")
    sys.stdout.flush()


def _fmt_mb(n: int) -> str:
    """Bytes in MB (kB below 1 MB)."""
    return f"{n / 1e6:.1f} MB" if abs(n) >= 1e6 else f"{n / 1e3:.1f} kB"


def print_vectorizing(res: dict) -> None:
    print(f"\n{res['title']}")
    print(f"({res['reps']} round-robin repetitions, {res.get('elapsed_s', 0):.1f} s)")
    for name, row in res["rows"].items():
        if row["status"] != "ok":
            print(f"  {name}: ERROR: {row['message']}")

    def met(r: dict) -> str:
        return "-" if r["met"] is None else ("met" if r["met"] else "NOT met")

    j, p = res["jacobian"], res["per_example"]
    headers = ["tape", "time", "one gradient", "ratio", "target"]
    lines = [
        [f"W7 Jacobian, n = {j['n']:,}", _fmt_time(j["jacobian_s"]),
         _fmt_time(j["gradient_s"]), _fmt_ratio(j["ratio"]),
         f"<= {j['target']:g}x {met(j)}"],
        [f"W8 per-example gradients, batch {p['batch']}", _fmt_time(p["per_example_s"]),
         _fmt_time(p["batch_gradient_s"]), _fmt_ratio(p["ratio"]),
         f"<= {p['target']:g}x {met(p)}"],
        ["W8 NumPy baseline (the floor)", _fmt_time(p["numpy_per_example_s"]),
         _fmt_time(p["batch_gradient_s"]), _fmt_ratio(p["numpy_ratio"]), "-"],
    ]
    print(_table(headers, lines))
    print("one gradient: of sum(M @ tanh(x)) for W7, W3's batch gradient (tape) for W8; "
          "ratio = median over repetitions of time / one gradient's time")
    if "per_example_bytes" in p:
        print(f"W8: tape per-example x NumPy baseline {_fmt_ratio(p['tape_x_numpy'])}; "
              f"the per-example gradients hold {_fmt_mb(p['per_example_bytes'])} against "
              f"{_fmt_mb(p['gradient_bytes'])} for one gradient ({p['size_ratio']:.0f}x)")
    mem = res["memory"]
    if "error" in mem:
        print(f"jacobian memory: ERROR: {mem['error']}")
    else:
        headers = ["parallel_iterations", "rows of a chunk", "peak memory",
                   "beyond the output", "x output", "time"]
        lines = [
            [k, _fmt_mb(r["chunk_bytes"]), _fmt_mb(r["peak_bytes"]),
             _fmt_mb(r["beyond_output_bytes"]),
             _fmt_ratio(r["peak_x_output"]), _fmt_time(r["median_s"])]
            for k, r in mem["rows"].items()
        ]
        print(f"W7 GradientTape.jacobian, peak memory (tracemalloc) against parallel_iterations; "
              f"the Jacobian itself is {_fmt_mb(mem['output_bytes'])} "
              f"({mem['n']:,} x {mem['n']:,} float64); rows of a chunk = the Jacobian rows "
              "computed at once")
        print(_table(headers, lines))
    sys.stdout.flush()


def print_scaling(res: dict) -> None:
    headers = ["ops", "gc", "median", "min - max", "us/op"]
    lines = [
        [f"{row['ops']:,}", "on" if row["gc"] else "off", _fmt_time(row["median_s"]),
         f"{_fmt_time(row['min_s'])} - {_fmt_time(row['max_s'])}",
         f"{row['median_us_per_op']:.3f}"]
        for row in res["rows"].values()
    ]
    print(f"\nScaling  {res['title']}")
    print(f"({res['reps']} round-robin repetitions, {res.get('elapsed_s', 0):.1f} s)")
    print(_table(headers, lines))
    print(
        f"time ratio {res['time_ratio']:.2f} for {res['ops_ratio']:.0f}x the ops "
        f"(per-op ratio {res['per_op_ratio']:.2f}; 1.00 is linear); with the garbage "
        f"collector off during the call: {res['time_ratio_gc_off']:.2f} "
        f"(per-op {res['per_op_ratio_gc_off']:.2f})"
    )
    sys.stdout.flush()


# --------------------------------------------------------------------------- main


def _parse_list(text: str | None, allowed: tuple[str, ...], what: str) -> list[str]:
    if not text:
        return list(allowed)
    names = [t.strip() for t in text.split(",") if t.strip()]
    lower = {a.lower(): a for a in allowed}
    bad = [n for n in names if n.lower() not in lower]
    if bad:
        raise SystemExit(f"unknown {what}: {', '.join(bad)} (choose from {', '.join(allowed)})")
    chosen = {lower[n.lower()] for n in names}
    return [a for a in allowed if a in chosen]


def _meta(args: argparse.Namespace, impls: list[str]) -> dict:
    import numpy as np

    meta: dict[str, Any] = {
        "command": " ".join([os.path.basename(sys.executable), "-m", "benchmarks.run",
                             *sys.argv[1:]]),
        "quick": args.quick,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "numpy": np.__version__,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "implementations": {name: DESCRIPTIONS[name] for name in impls},
        "versions": {},
        "time": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }
    for name in impls:
        meta["versions"][name] = version(name)
    if "torch" in impls and meta["versions"].get("torch"):
        meta["torch_threads"] = module("torch").get_num_threads()
    meta["threads"] = args.threads or "library defaults"
    meta["thread_setup"] = dict(_impls.THREAD_NOTES)
    if "tape" in impls and meta["versions"].get("tape"):
        meta["tape_w3_loss"] = tape_loss_path(module("tape"))
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Time tape (eager and under tape.function) against a hand-written NumPy "
        "baseline and optional peers (PyTorch, HIPS autograd, JAX) on workloads W1-W8 and W4t "
        "(W7: a Jacobian, W8: per-example gradients), the first calls of tape.function, "
        "tape's vectorizing targets (Jacobian and per-example gradients against one gradient, "
        "the Jacobian's peak memory against parallel_iterations), and a scaling run.",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, few repetitions")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument(
        "--only", metavar="IMPLS",
        help=f"comma-separated implementations (default all: {','.join(IMPLS)}); "
        "missing peers are reported and skipped",
    )
    parser.add_argument(
        "--workloads", metavar="KEYS",
        help="comma-separated workloads and sections (default all: "
        f"{','.join((*WORKLOAD_KEYS, *SECTIONS))})",
    )
    parser.add_argument("--reps", type=int, help="repetitions per workload (default: automatic)")
    parser.add_argument(
        "--threads", type=int, default=1, metavar="N",
        help="threads for every library: OpenBLAS, PyTorch, XLA (default 1; 0 leaves each "
        "library's own default)",
    )
    parser.add_argument(
        "--pause", type=float, metavar="SECONDS",
        help="idle time before each sample (default: automatic)",
    )
    args = parser.parse_args(argv)

    impls = _parse_list(args.only, IMPLS, "implementation")
    keys = _parse_list(args.workloads, (*WORKLOAD_KEYS, *SECTIONS), "workload")
    settings = Settings(args.quick, args.reps, args.pause)
    sizes = QUICK if args.quick else FULL

    started = time.perf_counter()
    _impls.limit_threads(args.threads or None, jax=any(n.startswith("jax") for n in impls))
    meta = _meta(args, impls)
    print(f"tape benchmarks{' (quick)' if args.quick else ''}: python {meta['python']}, "
          f"numpy {meta['numpy']}, {meta['cpus']} CPUs, {meta['platform']}")
    installed = [f"{n} {v}" for n, v in meta["versions"].items()
                 if v and n not in ("tape-function", "jax-jit")]  # same library as the one before
    missing = sorted({n for n, v in meta["versions"].items() if not v})
    print("implementations: " + ", ".join(installed)
          + (f"; not installed: {', '.join(missing)}" if missing else ""))
    print(f"threads per library: {meta['threads']}"
          + "".join(f"; {v}" for v in meta["thread_setup"].values()))
    if "tape_w3_loss" in meta:
        print(f"tape W3 loss: {meta['tape_w3_loss']}")
    print("times are per call; 'x numpy' ('x torch') = median over repetitions of the time "
          "divided by the hand-written NumPy baseline's (PyTorch's) in the same repetition")
    sys.stdout.flush()

    results: dict[str, Any] = {"meta": meta, "workloads": {}}
    for key in keys:
        if key == FIRST_CALL:
            if "tape-function" not in impls:
                continue
            t0 = time.perf_counter()
            res = run_first_call(sizes, settings)
            res["elapsed_s"] = time.perf_counter() - t0
            results[FIRST_CALL] = res
            print_first_call(res)
            continue
        if key == VECTORIZING:
            if "tape" not in impls:
                continue
            t0 = time.perf_counter()
            res = run_vectorizing(sizes, settings)
            res["elapsed_s"] = time.perf_counter() - t0
            results[VECTORIZING] = res
            print_vectorizing(res)
            continue
        if key == SCALING:
            if "tape" not in impls:
                continue
            t0 = time.perf_counter()
            res = run_scaling(sizes.scaling_ops, settings)
            res["elapsed_s"] = time.perf_counter() - t0
            results[SCALING] = res
            print_scaling(res)
            continue
        w = make_workload(key, sizes)
        t0 = time.perf_counter()
        res = run_workload(w, [n for n in impls if n in w.builders], settings)
        res["elapsed_s"] = time.perf_counter() - t0
        results["workloads"][key] = res
        print_workload(key, res)
    meta["elapsed_s"] = time.perf_counter() - started
    print(f"\ntotal {meta['elapsed_s']:.1f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1, default=_json_default)
            f.write("\n")
        print(f"wrote {args.json}")
    return 0


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    return str(o)


if __name__ == "__main__":
    raise SystemExit(main())
