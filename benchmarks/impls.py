"""The implementations compared, their lazy imports, and conversion of their results to NumPy.

Peers (PyTorch, HIPS autograd, JAX) are optional: each is imported the first time a workload
asks for it, and a missing one becomes a "not installed" row instead of an error.
"""

from __future__ import annotations

import ctypes
import functools
import importlib
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
from typing import Any

import numpy as np

BASELINE = "numpy"  # the hand-written forward + backward in plain NumPy
PEER_REFERENCE = "torch"  # the second ratio column

#: Every implementation, in the order rows are printed.
IMPLS = ("numpy", "tape", "tape-function", "torch", "autograd", "jax", "jax-jit")

#: What each name means, for the README, ``--help`` and the JSON.
DESCRIPTIONS = {
    "numpy": "hand-written NumPy forward and backward (the baseline)",
    "tape": "tape (this project), GradientTape",
    "tape-function": "tape under tape.function: GradientTape and gradient() traced once, then "
    "generated NumPy code (tracing and code generation excluded from the timings)",
    "torch": "PyTorch eager on the CPU, torch.autograd / torch.func",
    "autograd": "HIPS autograd",
    "jax": "JAX without jit (op-by-op dispatch)",
    "jax-jit": "JAX with jax.jit (compilation excluded from the timings)",
}


#: Threads each library may use (None: the libraries' own defaults). Set by
#: :func:`limit_threads` before any peer is imported.
THREADS: int | None = None
#: What :func:`limit_threads` managed to do, for the report.
THREAD_NOTES: dict[str, str] = {}

_XLA_THREAD_FLAGS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


def limit_threads(n: int | None, jax: bool = True) -> None:
    """Let every library use ``n`` threads: NumPy's OpenBLAS now, PyTorch and JAX when they
    are imported (``jax`` False: JAX will not be used, skip preparing it). None leaves each
    library's default.

    With the defaults, two multithreaded runtimes in one process on a small machine slow each
    other down: OpenBLAS worker threads keep spinning after a matrix product and stall
    PyTorch's OpenMP threads that run next (and the reverse), which turns round-robin timings
    into noise.
    """
    global THREADS
    THREADS = n
    if n is None:
        return
    THREAD_NOTES["numpy"] = _set_openblas_threads(n)
    if n == 1 and jax and "jax" not in sys.modules:
        THREAD_NOTES["jax"] = _prepare_xla_single_thread()


def _set_openblas_threads(n: int) -> str:
    """Set the thread count of each OpenBLAS loaded in this process (as threadpoolctl does)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
    except OSError:
        return "OpenBLAS threads unchanged (no /proc/self/maps)"
    done = []
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                fn = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                if fn is not None:
                    fn(ctypes.c_int(n))
                    done.append(os.path.basename(path))
                    break
            else:
                continue
            break
    if not done:
        return "OpenBLAS threads unchanged (library not found)"
    return f"OpenBLAS set to {n} thread(s): {', '.join(done)}"


def _prepare_xla_single_thread() -> str:
    """Ask XLA's CPU backend for one thread, through XLA_FLAGS, before JAX starts. XLA aborts
    the process on a flag it does not know, so the flags are first tried in a child process."""
    flags = os.environ.get("XLA_FLAGS", "")
    try:
        missing = importlib.util.find_spec("jax") is None
    except (ImportError, ValueError):
        missing = True
    if missing or "intra_op_parallelism_threads" in flags:
        return "XLA_FLAGS unchanged"
    env = dict(os.environ, XLA_FLAGS=f"{flags} {_XLA_THREAD_FLAGS}".strip(), JAX_PLATFORMS="cpu")
    probe = "import jax.numpy as jnp; jnp.zeros(1).block_until_ready()"
    try:
        ok = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, timeout=120
        ).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if not ok:
        return "XLA_FLAGS unchanged (this XLA rejects the thread flags)"
    os.environ["XLA_FLAGS"] = env["XLA_FLAGS"]
    return f"XLA_FLAGS += {_XLA_THREAD_FLAGS}"


class Unavailable(Exception):
    """The implementation cannot run this workload: not installed, or lacks a feature."""


@functools.cache
def module(name: str) -> Any:
    """The library behind implementation ``name``, imported on first use.

    Raises :class:`Unavailable` when it is not installed.
    """
    try:
        if name == "numpy":
            return np
        if name in ("tape", "tape-function"):
            return importlib.import_module("tape")
        if name == "torch":
            torch = importlib.import_module("torch")
            importlib.import_module("torch.func")
            if THREADS is not None:
                torch.set_num_threads(THREADS)
                THREAD_NOTES["torch"] = f"torch.set_num_threads({THREADS})"
            return torch
        if name == "autograd":
            importlib.import_module("autograd.numpy")
            return importlib.import_module("autograd")
        if name in ("jax", "jax-jit"):
            jax = importlib.import_module("jax")
            # Before the first computation: CPU only, and float64 for the float64 workloads
            # (float32 inputs stay float32).
            jax.config.update("jax_platforms", "cpu")
            jax.config.update("jax_enable_x64", True)
            importlib.import_module("jax.numpy")
            return jax
    except ImportError as exc:
        raise Unavailable(f"not installed ({exc.name or exc})") from None
    except Exception as exc:  # noqa: BLE001 - a broken install is skipped, not fatal
        raise Unavailable(f"not available: import failed ({type(exc).__name__}: {exc})") from None
    raise ValueError(f"unknown implementation {name!r}; choose from {', '.join(IMPLS)}")


def version(name: str) -> str | None:
    """The installed version of the library behind ``name``, or None when it is missing."""
    try:
        mod = module(name)
    except Unavailable:
        return None
    found = getattr(mod, "__version__", None)
    if found is None:
        try:
            found = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found = "?"
    return str(found)


def to_numpy(value: Any) -> Any:
    """A result of any implementation (nested lists and tuples of tensors) as NumPy arrays."""
    if isinstance(value, (list, tuple)):
        return [to_numpy(v) for v in value]
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach"):  # torch.Tensor
        return value.detach().cpu().numpy()
    if hasattr(value, "numpy") and callable(value.numpy):  # tape.Tensor / tape.Variable
        return np.asarray(value.numpy())
    return np.asarray(value)  # NumPy scalars, Python numbers, jax.Array


def max_error(got: Any, want: Any) -> float:
    """The largest normwise relative error between two results of the same structure:
    ``max|got - want| / max|want|`` for each array, maximised over arrays (inf on a shape
    mismatch or a missing result)."""
    got, want = to_numpy(got), to_numpy(want)
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return float("inf")
        return max((max_error(g, w) for g, w in zip(got, want)), default=0.0)
    if isinstance(got, list):
        return float("inf")
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return float("inf")
    if not np.all(np.isfinite(got)):
        return float("inf")
    scale = float(np.max(np.abs(want))) if want.size else 0.0
    diff = float(np.max(np.abs(got - want))) if want.size else 0.0
    return diff / scale if scale > 0 else diff
