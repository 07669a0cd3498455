"""Smoke test of the benchmark harness: the quick run completes for tape (eager and under
tape.function) and the NumPy baseline, and writes JSON with every workload, the tape.function
first-call section, the vectorizing section and the scaling run. Nothing about timings is
asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = ("W1", "W2", "W3", "W4", "W4t", "W5", "W6", "W7", "W8")
COMPILED = ("W1", "W2", "W3", "W4", "W4t", "W7", "W8")  # the workloads with a tape-function row


def test_quick_run_writes_every_workload(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--only", "tape,tape-function,numpy",
         "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(out.read_text())
    assert set(WORKLOADS) <= set(data["workloads"])
    for key in WORKLOADS:
        rows = data["workloads"][key]["rows"]
        expected = {"numpy", "tape", "tape-function"} if key in COMPILED else {"numpy", "tape"}
        assert set(rows) == expected, key
        assert rows["numpy"]["status"] == "ok", (key, rows["numpy"])
        # tape ran and agreed with the baseline (a wrong result or a crash is an error row)
        for name in expected - {"numpy"}:
            assert rows[name]["status"] == "ok", (key, name, rows[name])
            assert "median_s" in rows[name], (key, name)
            assert "ratio_numpy" in rows[name], (key, name)
        assert key in proc.stdout
    for key in ("W4", "W4t", "W8"):
        for name in ("numpy", "tape", "tape-function"):
            assert "peak_bytes" in data["workloads"][key]["rows"][name], (key, name)
    assert "scaling" in data
    assert "vectorizing" in data


def test_quick_run_measures_vectorizing(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--only", "numpy,tape",
         "--workloads", "W7,W8,vectorizing", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(out.read_text())
    assert set(data["workloads"]) == {"W7", "W8"}
    res = data["vectorizing"]
    assert res["title"] in proc.stdout
    for name in ("jacobian", "gradient", "per_example", "batch_gradient", "numpy_per_example"):
        assert res["rows"][name]["status"] == "ok", (name, res["rows"][name])
        assert "median_s" in res["rows"][name], name
    for key in ("ratio", "target", "met"):
        assert res["jacobian"][key] is not None, key
        assert res["per_example"][key] is not None, key
    per_example = res["per_example"]
    for key in ("numpy_per_example_s", "per_example_bytes", "gradient_bytes"):
        assert key in per_example, key
    # every example has a gradient of every parameter
    assert per_example["per_example_bytes"] == per_example["batch"] * per_example["gradient_bytes"]
    memory = res["memory"]
    assert "error" not in memory, memory.get("error")
    assert memory["output_bytes"] == memory["n"] ** 2 * 8
    assert set(memory["rows"]) == {"10", "100", "1000", "None"}
    for row in memory["rows"].values():
        assert row["peak_bytes"] > 0


def test_quick_run_measures_first_calls(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--only", "numpy,tape-function",
         "--workloads", "W1,first-call", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(out.read_text())
    assert set(data["workloads"]) == {"W1"}
    assert set(data["workloads"]["W1"]["rows"]) == {"numpy", "tape-function"}
    assert "tape.function first call" in proc.stdout
    rows = data["first-call"]["rows"]
    assert set(rows) == set(COMPILED)
    for key, row in rows.items():
        assert row["status"] == "ok", (key, row)
        assert row["tracing_count"] == 1, key
        assert row["generated_lines"] > 0, key
        for field in ("trace_s", "second_call_s", "codegen_s", "steady_s", "eager_s"):
            assert field in row, (key, field)
