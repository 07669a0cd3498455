"""``tape.random``: random tensors under TensorFlow's names, drawn by NumPy's ``Generator``.

The functions take TensorFlow's arguments and defaults (``dtype=float32``, ``seed=None``):
:func:`normal`, :func:`uniform`, :func:`truncated_normal`, :func:`shuffle`,
:func:`categorical`, the seeded ``stateless_*`` variants, and :class:`Generator`.

**The numbers are not TensorFlow's.** TensorFlow draws with its own Philox kernels; tape draws
with NumPy's bit generators, so the same seed gives different numbers in the two libraries.
What carries over is the distribution and the rules of reproducibility: under
:func:`set_seed` a program prints the same numbers every time it runs.

Seeds follow the rules that ``tf.random.set_seed`` documents. An op's randomness comes from
two seeds, the global seed (:func:`set_seed`) and the op seed (its ``seed=`` argument):

1. neither set: fresh randomness, different in every call and every run;
2. global seed only: every call takes the next op seed of a sequence that the global seed
   determines, so calls differ from each other but the program repeats itself, and
   ``set_seed`` starts the sequence again;
3. op seed only: a default global seed is used with the op seed;
4. both: both determine the sequence.

With an op seed (cases 3 and 4), repeated calls of the same op (same function, dtype and
seeds) continue one sequence, as TensorFlow's kernel counter does: they differ from each
other, and ``set_seed`` restarts every such sequence.

>>> import tape
>>> tape.random.set_seed(1234)
>>> a1, a2 = tape.random.uniform([2]), tape.random.uniform([2])
>>> tape.random.set_seed(1234)
>>> b1, b2 = tape.random.uniform([2]), tape.random.uniform([2])
>>> bool((a1 == b1).numpy().all() and (a2 == b2).numpy().all()), bool((a1 != a2).numpy().any())
(True, True)
>>> tape.random.set_seed(None)  # back to fresh randomness

The global seed is process-wide, as TensorFlow's is: :func:`set_seed` in one thread applies
to the ops of every thread (a draw itself is thread-safe, but the order of draws across
threads is up to the scheduler).

**Gradients.** As in TensorFlow, a draw itself is a constant: the random numbers are not
recorded and no gradient flows into them (TensorFlow registers no gradient for its sampling
kernels either). TensorFlow then scales and shifts the draw with ordinary ops, so gradients do
reach ``mean`` and ``stddev`` (and ``minval``/``maxval`` of a float ``uniform``) when they are
tensors or variables; tape records the same ops, so the reparameterization trick works:

>>> mu, sigma = tape.Variable(1.0), tape.Variable(2.0)
>>> with tape.GradientTape() as t:
...     z = tape.random.normal([4], mean=mu, stddev=sigma, seed=7)
>>> g_mu, g_sigma = t.gradient(z, [mu, sigma])
>>> float(g_mu), bool(abs(float(g_sigma) - float(tape.reduce_sum((z - mu) / sigma))) < 1e-5)
(4.0, True)

:func:`shuffle` of a tensor is a gather, so gradients flow back through the permutation;
:func:`categorical` returns integers (no gradient).
"""

from __future__ import annotations

import functools
import operator
import sys
import threading
import types
import zlib
from typing import Any

import numpy as np

from ._tensor import (
    STATE,
    Tensor,
    Variable,
    as_dtype,
    float32,
    int64,
    scalarize,
    to_value,
    value_of,
    wrap,
)
from ._trace import call
from .ops.creation import convert_to_tensor
from .ops.shape import gather

__all__ = [
    "Generator",
    "categorical",
    "experimental",
    "get_global_generator",
    "normal",
    "set_global_generator",
    "set_seed",
    "shuffle",
    "stateless_categorical",
    "stateless_normal",
    "stateless_truncated_normal",
    "stateless_uniform",
    "truncated_normal",
    "uniform",
]

# TensorFlow's default global seed when only an op seed is given (random_seed.py); the value
# matters only in that it is fixed.
DEFAULT_GLOBAL_SEED = 87654321
_MASK64 = (1 << 64) - 1
_IMPLICIT = 0x5EED  # marks the op seeds drawn from the global seed's sequence

_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
_INTS = tuple(np.dtype(t) for t in (np.int32, np.int64, np.uint32, np.uint64))
_SAMPLE_INTS = (np.dtype(np.int32), np.dtype(np.int64))


# ----------------------------------------------------------------------------- arguments


def _drawn(fn: Any) -> Any:
    """``fn``, a draw that ``tape.function`` makes again on every call of the compiled
    function (it is not a constant of the trace)."""

    @functools.wraps(fn)
    def draw(*args: Any, **kwargs: Any) -> Any:
        if not STATE.tracers:
            return fn(*args, **kwargs)
        return call(fn, *args, keep=False, hint=_DRAW_HINT, **kwargs)

    return draw


_DRAW_HINT = (
    "inside tape.function, draw with plain numbers and transform the draw with tensors "
    "(mean + stddev * tape.random.normal(shape), minval + (maxval - minval) * "
    "tape.random.uniform(shape))"
)


def _is_tensor(x: Any) -> bool:
    return isinstance(x, (Tensor, Variable))


def _shape(shape: Any, fn: str) -> tuple[int, ...]:
    """A shape given as an int, a list or tuple of ints, or a 0-d or 1-d integer tensor/array."""
    if type(shape) in (list, tuple) and all(type(n) is int and n >= 0 for n in shape):
        return tuple(shape)  # the common case, quickly
    value = value_of(shape) if _is_tensor(shape) else shape
    bad = TypeError(
        f"tape.random.{fn}: shape must be an int or a 1-d list, tuple or tensor of ints, "
        f"got {shape!r}."
    )
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise bad from None
    if arr.size == 0 and arr.ndim == 1:
        return ()
    if arr.dtype.kind not in "iu" or arr.ndim > 1:
        raise bad
    dims = tuple(int(n) for n in np.atleast_1d(arr))
    if any(n < 0 for n in dims):
        raise ValueError(f"tape.random.{fn}: shape {dims} has a negative dimension.")
    return dims


def _float_dtype(dtype: Any, fn: str) -> np.dtype:
    dt = as_dtype(dtype)
    if dt not in _FLOATS:
        raise TypeError(
            f"tape.random.{fn}: dtype {dt} is not supported; use a floating dtype "
            "(tape.float16, tape.float32 or tape.float64)."
        )
    return dt


def _seed_int(seed: Any, what: str = "seed") -> int:
    """An integer seed (Python or NumPy int, or an integer 0-d tensor), as a uint64."""
    if isinstance(seed, (float, np.floating)) or (
        _is_tensor(seed) and seed.dtype.kind not in "iu"
    ):
        raise TypeError(f"{what} must be an integer, got {seed!r}.")
    try:
        return operator.index(seed) & _MASK64
    except TypeError:
        raise TypeError(f"{what} must be an integer, got {seed!r}.") from None


@functools.lru_cache(maxsize=256)
def _code(*parts: Any) -> int:
    """A fixed number naming a stream (the same in every run, unlike ``hash``)."""
    return zlib.crc32(":".join(map(str, parts)).encode())


def _make_rng(entropy: list[int]) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))


# ----------------------------------------------------------------------------- the seeds


class _Seeds:
    """The global seed, the position in its sequence of op seeds, and the generator of each
    op seeded explicitly (TensorFlow's kernel counters). Process-wide, as TensorFlow's."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.global_seed: int | None = None
        self.op_count = 0
        self.kernels: dict[tuple, np.random.Generator] = {}
        self.fresh = np.random.default_rng()  # OS entropy: case 1, no seed at all

    def rng(self, kind: str, dtype: np.dtype, seed: Any) -> np.random.Generator:
        op_seed = None if seed is None else _seed_int(seed, f"tape.random.{kind}: seed")
        code = _code(kind, dtype.str)
        with self.lock:
            g = self.global_seed
            if op_seed is None:
                if g is None:
                    return self.fresh
                n = self.op_count
                self.op_count += 1
                return _make_rng([g, _IMPLICIT, n, code])
            key = (kind, dtype, g, op_seed)
            rng = self.kernels.get(key)
            if rng is None:
                base = DEFAULT_GLOBAL_SEED if g is None else g
                rng = self.kernels[key] = _make_rng([base, op_seed, code])
            return rng

    def set(self, seed: int | None) -> None:
        with self.lock:
            self.global_seed = seed
            self.op_count = 0
            self.kernels.clear()


_SEEDS = _Seeds()


def set_seed(seed: Any) -> None:
    """Set the global random seed (``None`` returns to fresh randomness), as
    ``tf.random.set_seed``.

    Afterwards, ops without a ``seed`` take their op seeds from a sequence that starts again
    at every ``set_seed``, and ops with a ``seed`` start their sequences again: a program
    that calls ``set_seed`` first prints the same numbers in every run. See the module's
    documentation for the four cases. The numbers differ from TensorFlow's for the same seed.

    >>> import tape
    >>> tape.random.set_seed(42)
    >>> x = tape.random.normal([3])
    >>> y = tape.random.normal([3], seed=1)
    >>> tape.random.set_seed(42)
    >>> bool((tape.random.normal([3]) == x).numpy().all())
    True
    >>> bool((tape.random.normal([3], seed=1) == y).numpy().all())
    True
    >>> tape.random.set_seed(None)  # back to fresh randomness
    """
    _SEEDS.set(None if seed is None else _seed_int(seed, "tape.random.set_seed: seed"))


# ----------------------------------------------------------------------------- sampling


def _standard_normal(rng: np.random.Generator, shape: tuple, dtype: np.dtype) -> np.ndarray:
    draw_dtype = np.float64 if dtype == np.float64 else np.float32
    return rng.standard_normal(shape, dtype=draw_dtype).astype(dtype, copy=False)


def _standard_truncated(rng: np.random.Generator, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """Standard normal values with those beyond 2 (in magnitude) drawn again."""
    draw_dtype = np.float64 if dtype == np.float64 else np.float32
    z = rng.standard_normal(shape, dtype=draw_dtype)
    bad = np.abs(z) > 2.0
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()), dtype=draw_dtype)
        bad = np.abs(z) > 2.0
    return z.astype(dtype, copy=False)


def _affine(
    z: np.ndarray, scale: Any, shift: Any, shape: tuple, dtype: np.dtype, fn: str,
    names: tuple[str, str] = ("stddev", "mean"),
) -> Tensor:
    """``z * scale + shift``: in NumPy for numbers (a constant tensor), with tape's ops when
    either is a tensor or variable, so that gradients reach them as in TensorFlow."""
    if type(scale) in (int, float) and type(shift) in (int, float):  # the common case
        if scale != 1 or shift != 0:
            z = z * dtype.type(scale) + dtype.type(shift)
        return wrap(scalarize(z))
    if _is_tensor(scale) or _is_tensor(shift):
        s = convert_to_tensor(scale, dtype)
        m = convert_to_tensor(shift, dtype)
        _check_broadcast(shape, (s.shape, m.shape), names, fn)
        return wrap(scalarize(z)) * s + m
    s = to_value(scale, dtype)
    m = to_value(shift, dtype)
    _check_broadcast(shape, (np.shape(s), np.shape(m)), names, fn)
    return wrap(scalarize(np.asarray(z * s + m, dtype=dtype)))


def _check_broadcast(shape: tuple, shapes: tuple, names: tuple[str, str], fn: str) -> None:
    for name, s in zip(names, shapes):
        try:
            ok = np.broadcast_shapes(shape, s) == shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(
                f"tape.random.{fn}: {name} of shape {s} does not broadcast to the shape "
                f"{shape} of the result; give a scalar or a shape that broadcasts to it."
            )


def _normal(rng, shape, mean, stddev, dtype, fn) -> Tensor:
    return _affine(_standard_normal(rng, shape, dtype), stddev, mean, shape, dtype, fn)


def _truncated_normal(rng, shape, mean, stddev, dtype, fn) -> Tensor:
    return _affine(_standard_truncated(rng, shape, dtype), stddev, mean, shape, dtype, fn)


def _int_bound(value: Any, dtype: np.dtype, name: str, fn: str) -> int:
    v = value_of(value) if _is_tensor(value) else value
    if np.ndim(v) != 0 or isinstance(v, (float, np.floating, bool, np.bool_)):
        raise TypeError(
            f"tape.random.{fn}: {name} must be a scalar integer for dtype {dtype}, got {value!r}."
        )
    try:
        n = operator.index(v)
    except TypeError:
        raise TypeError(
            f"tape.random.{fn}: {name} must be a scalar integer for dtype {dtype}, got {value!r}."
        ) from None
    info = np.iinfo(dtype)
    if not info.min <= n <= info.max:
        raise ValueError(f"tape.random.{fn}: {name}={n} is out of the range of {dtype}.")
    return n


def _uniform(rng, shape, minval, maxval, dtype, fn, full_range_ok=False) -> Tensor:
    if dtype in _INTS:
        if maxval is None and minval is None and full_range_ok:
            info = np.iinfo(dtype)
            return wrap(scalarize(rng.integers(info.min, info.max, shape, dtype, endpoint=True)))
        if maxval is None:
            raise ValueError(
                f"Must specify maxval for integer dtype {dtype}: tape.random.{fn} draws from "
                f"[minval, maxval), e.g. tape.random.{fn}(shape, minval=0, maxval=10, "
                f"dtype=tape.{dtype})."
            )
        lo = _int_bound(minval, dtype, "minval", fn)
        hi = _int_bound(maxval, dtype, "maxval", fn)
        if lo >= hi:
            raise ValueError(
                f"tape.random.{fn}: need minval < maxval for an integer dtype, got "
                f"minval={lo} and maxval={hi}."
            )
        return wrap(scalarize(rng.integers(lo, hi, shape, dtype)))
    if dtype not in _FLOATS:
        raise ValueError(
            f"Invalid dtype {dtype} for tape.random.{fn}: use tape.float16, tape.float32, "
            "tape.float64, tape.int32 or tape.int64."
        )
    if minval is None:
        minval = 0
    if maxval is None:
        maxval = 1
    u = rng.random(shape, dtype=np.float64 if dtype == np.float64 else np.float32)
    if _is_tensor(minval) or _is_tensor(maxval):
        lo = convert_to_tensor(minval, dtype)
        hi = convert_to_tensor(maxval, dtype)
        _check_broadcast(shape, (lo.shape, hi.shape), ("minval", "maxval"), fn)
        return wrap(scalarize(u.astype(dtype, copy=False))) * (hi - lo) + lo
    lo = np.asarray(to_value(minval, dtype))
    hi = np.asarray(to_value(maxval, dtype))
    _check_broadcast(shape, (lo.shape, hi.shape), ("minval", "maxval"), fn)
    lo64, hi64 = lo.astype(np.float64), hi.astype(np.float64)
    value = (lo64 + u * (hi64 - lo64)).astype(dtype)
    # rounding to the dtype must not reach maxval, which is excluded
    below = np.nextafter(hi, np.asarray(-np.inf, dtype))
    value = np.where(hi > lo, np.minimum(value, below), value).astype(dtype, copy=False)
    return wrap(scalarize(value))


def _logits(logits: Any, fn: str) -> np.ndarray:
    value = value_of(logits) if _is_tensor(logits) else to_value(logits)
    arr = np.asarray(value)
    if arr.dtype.kind not in "fiu" or arr.ndim != 2:
        raise ValueError(
            f"tape.random.{fn}: logits must be a 2-d float tensor [batch_size, num_classes] "
            f"of unnormalized log-probabilities, got shape {arr.shape} and dtype {arr.dtype}."
        )
    if arr.shape[1] == 0 and arr.shape[0] > 0:
        raise ValueError(f"tape.random.{fn}: logits have no classes (shape {arr.shape}).")
    arr = arr.astype(np.float64)
    if np.isnan(arr).any():
        raise ValueError(f"tape.random.{fn}: logits contain NaN.")
    empty = np.all(arr == -np.inf, axis=1)
    if empty.any():
        raise ValueError(
            f"tape.random.{fn}: row {int(np.argmax(empty))} of logits is all -inf: it gives "
            "no class a positive probability."
        )
    return arr


def _categorical(rng, logits, num_samples, dtype, fn) -> Tensor:
    dt = as_dtype(int64 if dtype is None else dtype)
    if dt not in _SAMPLE_INTS:
        raise TypeError(f"tape.random.{fn}: dtype must be tape.int32 or tape.int64, got {dt}.")
    n = None
    if not isinstance(num_samples, (bool, float, np.bool_, np.floating)):
        try:
            n = operator.index(num_samples)
        except TypeError:
            pass
    if n is None or n < 0:
        raise ValueError(
            f"tape.random.{fn}: num_samples must be a non-negative integer, got {num_samples!r}."
        )
    arr = _logits(logits, fn)
    out = np.empty((arr.shape[0], n), dtype=dt)
    for i, row in enumerate(arr):
        top = row.max()
        p = (row == np.inf).astype(np.float64) if top == np.inf else np.exp(row - top)
        cdf = np.cumsum(p)
        cdf /= cdf[-1]
        # class k for u in [cdf[k-1], cdf[k]): classes of probability 0 are never drawn
        k = np.searchsorted(cdf, rng.random(n), side="right")
        out[i] = np.minimum(k, arr.shape[1] - 1)
    return wrap(out)


def _shuffle(rng, value, fn) -> Tensor:
    x = convert_to_tensor(value)
    if x.ndim == 0:
        return x
    return gather(x, rng.permutation(x.shape[0]))


# ----------------------------------------------------------------------------- the ops


@_drawn
def normal(
    shape: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = float32,
    seed: Any = None,
    name: str | None = None,
) -> Tensor:
    """Values from a normal distribution, as ``tf.random.normal``.

    ``shape`` is an int, a list or tuple of ints, or an integer tensor; ``mean`` and
    ``stddev`` are numbers or tensors that broadcast to it (gradients reach tensors and
    variables, as in TensorFlow; a negative ``stddev`` is not checked, as in TensorFlow: its
    values are the mirror image). ``dtype`` is a floating dtype (float32 by default).
    ``seed`` is the op seed (see :func:`set_seed`). The numbers are not TensorFlow's.

    >>> import tape
    >>> x = tape.random.normal([2, 3], seed=1)
    >>> x.shape, x.dtype
    ((2, 3), dtype('float32'))
    >>> tape.random.normal([1000], mean=5.0, stddev=0.1, dtype=tape.float64).dtype
    dtype('float64')
    """
    dims = _shape(shape, "normal")
    dt = _float_dtype(dtype, "normal")
    return _normal(_SEEDS.rng("normal", dt, seed), dims, mean, stddev, dt, "normal")


@_drawn
def truncated_normal(
    shape: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = float32,
    seed: Any = None,
    name: str | None = None,
) -> Tensor:
    """Values from a normal distribution truncated at two standard deviations, as
    ``tf.random.truncated_normal``: draws more than ``2 * stddev`` from ``mean`` are dropped
    and drawn again. Arguments as :func:`normal`.

    >>> import tape
    >>> x = tape.random.truncated_normal([10000], mean=1.0, stddev=0.5, seed=3)
    >>> bool(tape.reduce_all(tape.abs(x - 1.0) <= 1.0))
    True
    """
    dims = _shape(shape, "truncated_normal")
    dt = _float_dtype(dtype, "truncated_normal")
    rng = _SEEDS.rng("truncated_normal", dt, seed)
    return _truncated_normal(rng, dims, mean, stddev, dt, "truncated_normal")


@_drawn
def uniform(
    shape: Any,
    minval: Any = 0,
    maxval: Any = None,
    dtype: Any = float32,
    seed: Any = None,
    name: str | None = None,
) -> Tensor:
    """Values from a uniform distribution on ``[minval, maxval)``, as ``tf.random.uniform``.

    For a floating ``dtype`` (float32 by default) ``maxval`` defaults to 1, and ``minval`` and
    ``maxval`` may be tensors that broadcast to ``shape`` (gradients reach them, as in
    TensorFlow). For an integer dtype (int32, int64, uint32, uint64) ``maxval`` is required and
    both bounds are scalar integers with ``minval < maxval``. ``seed`` is the op seed (see
    :func:`set_seed`). The numbers are not TensorFlow's.

    >>> import tape
    >>> tape.random.uniform([2, 2], seed=1).shape
    (2, 2)
    >>> d = tape.random.uniform([1000], minval=1, maxval=7, dtype=tape.int32, seed=1)
    >>> int(tape.reduce_min(d)) >= 1, int(tape.reduce_max(d)) < 7
    (True, True)
    """
    dims = _shape(shape, "uniform")
    dt = as_dtype(dtype)
    if dt in _INTS and minval is None:
        minval = 0
    return _uniform(_SEEDS.rng("uniform", dt, seed), dims, minval, maxval, dt, "uniform")


@_drawn
def shuffle(value: Any, seed: Any = None, name: str | None = None) -> Tensor:
    """``value`` with its first axis in a random order, as ``tf.random.shuffle``.

    Each slice ``value[i]`` appears exactly once. A tensor is shuffled by a gather, so
    gradients flow back to ``value`` through the permutation. ``seed`` is the op seed (see
    :func:`set_seed`).

    >>> import tape
    >>> x = tape.random.shuffle(tape.constant([[1, 2], [3, 4], [5, 6]]), seed=5)
    >>> sorted(x.numpy().tolist())
    [[1, 2], [3, 4], [5, 6]]
    """
    x = convert_to_tensor(value)
    return _shuffle(_SEEDS.rng("shuffle", x.dtype, seed), x, "shuffle")


@_drawn
def categorical(
    logits: Any,
    num_samples: Any,
    dtype: Any = None,
    seed: Any = None,
    name: str | None = None,
) -> Tensor:
    """Class indices drawn from categorical distributions, as ``tf.random.categorical``.

    ``logits`` is ``[batch_size, num_classes]``: row ``i`` holds the unnormalized
    log-probabilities of the ``i``-th distribution (class ``k`` has probability
    ``softmax(logits[i])[k]``). The result is ``[batch_size, num_samples]`` of int64 (or
    ``dtype=tape.int32``). A logit of ``-inf`` gives its class probability 0; a row with
    ``+inf`` logits chooses among those classes evenly. No gradient flows through a draw.

    >>> import tape
    >>> s = tape.random.categorical([[0.0, 0.0, float("-inf")]], 8, seed=2)
    >>> s.shape, s.dtype, bool(tape.reduce_all(s < 2))
    ((1, 8), dtype('int64'), True)
    """
    dt = as_dtype(int64 if dtype is None else dtype)
    rng = _SEEDS.rng("categorical", dt, seed)
    return _categorical(rng, logits, num_samples, dt, "categorical")


# ----------------------------------------------------------------------------- stateless


def _stateless_rng(seed: Any, kind: str, dtype: np.dtype) -> np.random.Generator:
    value = value_of(seed) if _is_tensor(seed) else seed
    arr = np.asarray(value)
    if arr.shape != (2,) or arr.dtype.kind not in "iu":
        raise ValueError(
            f"tape.random.{kind}: seed must be a shape [2] integer tensor or list, e.g. "
            f"seed=[1, 2], got {seed!r}."
        )
    return _make_rng([int(arr[0]) & _MASK64, int(arr[1]) & _MASK64, _code(kind, dtype.str)])


@_drawn
def stateless_normal(
    shape: Any,
    seed: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = float32,
    name: str | None = None,
    alg: Any = "auto_select",
) -> Tensor:
    """As :func:`normal`, but a function of ``seed`` (shape [2] integers) alone, as
    ``tf.random.stateless_normal``: the same arguments always give the same values, whatever
    :func:`set_seed` says.

    >>> import tape
    >>> a = tape.random.stateless_normal([3], seed=[1, 2])
    >>> bool(tape.reduce_all(a == tape.random.stateless_normal([3], seed=[1, 2])))
    True
    """
    dims = _shape(shape, "stateless_normal")
    dt = _float_dtype(dtype, "stateless_normal")
    rng = _stateless_rng(seed, "stateless_normal", dt)
    return _normal(rng, dims, mean, stddev, dt, "stateless_normal")


@_drawn
def stateless_truncated_normal(
    shape: Any,
    seed: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = float32,
    name: str | None = None,
    alg: Any = "auto_select",
) -> Tensor:
    """As :func:`truncated_normal`, but a function of ``seed`` (shape [2] integers) alone, as
    ``tf.random.stateless_truncated_normal``.

    >>> import tape
    >>> tape.random.stateless_truncated_normal([2, 2], seed=[3, 4]).shape
    (2, 2)
    """
    fn = "stateless_truncated_normal"
    dims = _shape(shape, fn)
    dt = _float_dtype(dtype, fn)
    return _truncated_normal(_stateless_rng(seed, fn, dt), dims, mean, stddev, dt, fn)


@_drawn
def stateless_uniform(
    shape: Any,
    seed: Any,
    minval: Any = 0,
    maxval: Any = None,
    dtype: Any = float32,
    name: str | None = None,
    alg: Any = "auto_select",
) -> Tensor:
    """As :func:`uniform`, but a function of ``seed`` (shape [2] integers) alone, as
    ``tf.random.stateless_uniform``. For an integer dtype, ``minval=None, maxval=None`` draws
    from the dtype's full range.

    >>> import tape
    >>> a = tape.random.stateless_uniform([3], seed=[5, 6], maxval=10, dtype=tape.int64)
    >>> bool(tape.reduce_all(a == tape.random.stateless_uniform(
    ...     [3], seed=[5, 6], maxval=10, dtype=tape.int64)))
    True
    """
    fn = "stateless_uniform"
    dims = _shape(shape, fn)
    dt = as_dtype(dtype)
    full = dt in _INTS and minval is None and maxval is None
    if dt in _INTS and minval is None and not full:
        minval = 0
    return _uniform(_stateless_rng(seed, fn, dt), dims, minval, maxval, dt, fn, full)


@_drawn
def stateless_categorical(
    logits: Any,
    num_samples: Any,
    seed: Any,
    dtype: Any = int64,
    name: str | None = None,
) -> Tensor:
    """As :func:`categorical`, but a function of ``seed`` (shape [2] integers) alone, as
    ``tf.random.stateless_categorical``.

    >>> import tape
    >>> tape.random.stateless_categorical([[0.0, 0.0]], 4, seed=[7, 8]).shape
    (1, 4)
    """
    fn = "stateless_categorical"
    dt = as_dtype(int64 if dtype is None else dtype)
    return _categorical(_stateless_rng(seed, fn, dt), logits, num_samples, dt, fn)


# ----------------------------------------------------------------------------- Generator

# TensorFlow's names and its Algorithm enum's values (PHILOX = 1, AUTO_SELECT = 3)
_ALGORITHMS = {None: "philox", "philox": "philox", "auto_select": "philox", 1: "philox",
               3: "philox"}


def _philox(seed_entropy: Any) -> np.random.Generator:
    return np.random.Generator(np.random.Philox(np.random.SeedSequence(seed_entropy)))


def _algorithm(alg: Any) -> str:
    key = alg.lower() if isinstance(alg, str) else getattr(alg, "value", alg)
    if key not in _ALGORITHMS:
        raise NotImplementedError(
            f"tape.random.Generator: the algorithm {alg!r} is not available; tape draws with "
            "NumPy's Philox ('philox', the default; NumPy has no ThreeFry)."
        )
    return _ALGORITHMS[key]


class Generator:
    """A random-number generator with its own state, as ``tf.random.Generator``.

    Make one with :meth:`from_seed` (the same seed gives the same sequence in every run) or
    :meth:`from_non_deterministic_state`. Its draws do not depend on :func:`set_seed` or on
    other generators, and each call advances its state. It is backed by NumPy's Philox bit
    generator, so its numbers are not TensorFlow's for the same seed.

    >>> import tape
    >>> g1, g2 = tape.random.Generator.from_seed(1), tape.random.Generator.from_seed(1)
    >>> a = g1.normal([3])
    >>> bool(tape.reduce_all(a == g2.normal([3]))), bool(tape.reduce_any(a != g1.normal([3])))
    (True, True)
    """

    def __init__(self, copy_from: Generator | None = None, state: Any = None,
                 alg: Any = None) -> None:
        if state is not None:
            raise NotImplementedError(
                "tape.random.Generator(state=...) is not supported: tape's generators hold "
                "NumPy's state, not TensorFlow's. Use Generator.from_seed(seed)."
            )
        if copy_from is not None:
            if not isinstance(copy_from, Generator):
                raise TypeError(
                    f"copy_from must be a tape.random.Generator, got {type(copy_from).__name__}."
                )
            self._alg = copy_from._alg
            self._rng = np.random.Generator(type(copy_from._rng.bit_generator)())
            self._rng.bit_generator.state = copy_from._rng.bit_generator.state
            return
        raise ValueError(
            "tape.random.Generator needs a seed or another generator: use "
            "Generator.from_seed(seed), Generator.from_non_deterministic_state() or "
            "Generator(copy_from=g)."
        )

    @classmethod
    def _new(cls, rng: np.random.Generator, alg: str) -> Generator:
        g = cls.__new__(cls)
        g._rng = rng
        g._alg = alg
        return g

    @classmethod
    def from_seed(cls, seed: Any, alg: Any = None) -> Generator:
        """A generator whose sequence is determined by the integer ``seed``."""
        return cls._new(_philox([_seed_int(seed, "Generator.from_seed: seed")]), _algorithm(alg))

    @classmethod
    def from_non_deterministic_state(cls, alg: Any = None) -> Generator:
        """A generator seeded from the operating system's entropy: different in every run."""
        return cls._new(_philox(None), _algorithm(alg))

    @property
    def algorithm(self) -> str:
        """The bit generator's name ("philox")."""
        return self._alg

    def reset_from_seed(self, seed: Any) -> None:
        """Start again from ``seed``, as a new ``Generator.from_seed(seed)`` would."""
        self._rng = _philox([_seed_int(seed, "Generator.reset_from_seed: seed")])

    @_drawn
    def normal(self, shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = float32,
               name: str | None = None) -> Tensor:
        """Values from a normal distribution; arguments as :func:`tape.random.normal`."""
        dims = _shape(shape, "Generator.normal")
        dt = _float_dtype(dtype, "Generator.normal")
        return _normal(self._rng, dims, mean, stddev, dt, "Generator.normal")

    @_drawn
    def truncated_normal(self, shape: Any, mean: Any = 0.0, stddev: Any = 1.0,
                         dtype: Any = float32, name: str | None = None) -> Tensor:
        """Values from a normal distribution truncated at two standard deviations;
        arguments as :func:`tape.random.truncated_normal`."""
        fn = "Generator.truncated_normal"
        dims = _shape(shape, fn)
        dt = _float_dtype(dtype, fn)
        return _truncated_normal(self._rng, dims, mean, stddev, dt, fn)

    @_drawn
    def uniform(self, shape: Any, minval: Any = 0, maxval: Any = None, dtype: Any = float32,
                name: str | None = None) -> Tensor:
        """Values from a uniform distribution on ``[minval, maxval)``; arguments as
        :func:`tape.random.uniform` (an integer dtype needs ``maxval``)."""
        dims = _shape(shape, "Generator.uniform")
        dt = as_dtype(dtype)
        if dt in _INTS and minval is None:
            minval = 0
        return _uniform(self._rng, dims, minval, maxval, dt, "Generator.uniform")

    @_drawn
    def uniform_full_int(self, shape: Any, dtype: Any = np.uint64,
                         name: str | None = None) -> Tensor:
        """Integers from the whole range of ``dtype`` (uint64 by default)."""
        dims = _shape(shape, "Generator.uniform_full_int")
        dt = as_dtype(dtype)
        if dt not in _INTS:
            raise TypeError(
                f"Generator.uniform_full_int: dtype must be an integer dtype, got {dt}."
            )
        return _uniform(self._rng, dims, None, None, dt, "Generator.uniform_full_int", True)

    @_drawn
    def make_seeds(self, count: int = 1) -> Tensor:
        """``count`` seeds for the ``stateless_*`` ops: an int64 tensor of shape
        ``[2, count]`` whose column ``i`` is one seed.

        >>> import tape
        >>> g = tape.random.Generator.from_seed(3)
        >>> seeds = g.make_seeds(2)
        >>> seeds.shape, tape.random.stateless_normal([2], seed=seeds[:, 0]).shape
        ((2, 2), (2,))
        """
        n = operator.index(count)
        if n < 0:
            raise ValueError(f"Generator.make_seeds: count must be non-negative, got {count}.")
        info = np.iinfo(np.int64)
        return wrap(self._rng.integers(info.min, info.max, (2, n), np.int64, endpoint=True))

    @_drawn
    def split(self, count: int = 1) -> list[Generator]:
        """``count`` new generators, independent of this one and of each other; this
        generator's state advances.

        >>> import tape
        >>> a, b = tape.random.Generator.from_seed(0).split(2)
        >>> bool(tape.reduce_any(a.normal([4]) != b.normal([4])))
        True
        """
        n = operator.index(count)
        if n < 0:
            raise ValueError(f"Generator.split: count must be non-negative, got {count}.")
        entropy = self._rng.integers(0, 1 << 63, (n, 4), dtype=np.int64)
        return [Generator._new(_philox([int(e) for e in row]), self._alg) for row in entropy]

    def __repr__(self) -> str:
        return f"<tape.random.Generator algorithm={self._alg!r}>"


class _GlobalGenerator:
    lock = threading.Lock()
    generator: Generator | None = None


def get_global_generator() -> Generator:
    """The global :class:`Generator`, made from non-deterministic state on first use (it does
    not follow :func:`set_seed`; replace it with :func:`set_global_generator`).

    >>> import tape
    >>> tape.random.get_global_generator().normal([2]).shape
    (2,)
    """
    with _GlobalGenerator.lock:
        if _GlobalGenerator.generator is None:
            _GlobalGenerator.generator = Generator.from_non_deterministic_state()
        return _GlobalGenerator.generator


def set_global_generator(generator: Generator) -> None:
    """Make ``generator`` the one :func:`get_global_generator` returns."""
    if not isinstance(generator, Generator):
        raise TypeError(
            f"set_global_generator needs a tape.random.Generator, got "
            f"{type(generator).__name__}."
        )
    with _GlobalGenerator.lock:
        _GlobalGenerator.generator = generator


# ----------------------------------------------------------------------------- experimental


def _stateless_split(seed: Any, num: int = 2, alg: Any = "auto_select") -> Tensor:
    """``num`` new seeds (an int64 tensor of shape ``[num, 2]``) from one shape [2] seed, as
    ``tf.random.experimental.stateless_split``."""
    rng = _stateless_rng(seed, "stateless_split", np.dtype(np.int64))
    info = np.iinfo(np.int64)
    n = operator.index(num)
    return wrap(rng.integers(info.min, info.max, (n, 2), np.int64, endpoint=True))


def _stateless_fold_in(seed: Any, data: Any, alg: Any = "auto_select") -> Tensor:
    """A new shape [2] seed from ``seed`` and the integer ``data``, as
    ``tf.random.experimental.stateless_fold_in``."""
    d = _seed_int(data, "stateless_fold_in: data")
    rng = _stateless_rng(seed, f"stateless_fold_in:{d}", np.dtype(np.int64))
    info = np.iinfo(np.int64)
    return wrap(rng.integers(info.min, info.max, (2,), np.int64, endpoint=True))


experimental = types.ModuleType(
    f"{__name__}.experimental",
    "``tape.random.experimental``: TensorFlow's experimental random API that tape has "
    "(Generator, the global generator, stateless_split and stateless_fold_in).",
)
experimental.Generator = Generator
experimental.get_global_generator = get_global_generator
experimental.set_global_generator = set_global_generator
experimental.stateless_split = _stateless_split
experimental.stateless_fold_in = _stateless_fold_in
experimental.__all__ = [
    "Generator", "get_global_generator", "set_global_generator", "stateless_fold_in",
    "stateless_split",
]
_stateless_split.__name__ = "stateless_split"
_stateless_fold_in.__name__ = "stateless_fold_in"
sys.modules[experimental.__name__] = experimental


def __getattr__(name: str) -> Any:
    """A plain answer for a name of ``tf.random`` that tape does not have."""
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    raise AttributeError(
        f"tape.random has no {name} (TensorFlow's tf.random.{name} is not part of tape). "
        f"tape.random has: {', '.join(n for n in __all__ if n != 'experimental')}; see the "
        "TensorFlow page of tape's documentation for what tape covers."
    )
