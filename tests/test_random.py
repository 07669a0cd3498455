"""tape.random: shapes and dtypes, TensorFlow's seed rules, the distributions' statistics,
Generator, gradients of the parameters of a draw, and the errors for bad arguments.

Statistical checks use fixed seeds (so they are deterministic) and bounds of several standard
errors computed from the distributions' closed forms: a correct sampler passes them with a
wide margin, a wrong location, scale, range or probability fails them.
"""

from __future__ import annotations

import math
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import tape
import tape as tf

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_randomness():
    tf.random.set_seed(None)
    yield
    tf.random.set_seed(None)


def same(a, b) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a.numpy(), b.numpy())


# ============================================================================ shapes, dtypes

SHAPES = [
    ([2, 3], (2, 3)),
    ((4,), (4,)),
    (5, (5,)),
    ([], ()),
    ([0, 3], (0, 3)),
    (np.array([3, 1]), (3, 1)),
    (tape.constant([2, 2]), (2, 2)),
    (tape.constant([2, 2], dtype=tape.int64), (2, 2)),
    (tape.constant(3), (3,)),
    ((np.int64(2), 2), (2, 2)),
]


def _drawers():
    gen = tf.random.Generator.from_seed(0)
    return {
        "normal": tf.random.normal,
        "uniform": tf.random.uniform,
        "truncated_normal": tf.random.truncated_normal,
        "stateless_normal": lambda s, **k: tf.random.stateless_normal(s, seed=[1, 2], **k),
        "stateless_uniform": lambda s, **k: tf.random.stateless_uniform(s, seed=[1, 2], **k),
        "stateless_truncated_normal":
            lambda s, **k: tf.random.stateless_truncated_normal(s, seed=[1, 2], **k),
        "Generator.normal": gen.normal,
        "Generator.uniform": gen.uniform,
        "Generator.truncated_normal": gen.truncated_normal,
    }


DRAWERS = sorted(_drawers())


@pytest.mark.parametrize("fn", DRAWERS)
@pytest.mark.parametrize("shape, expected", SHAPES, ids=[repr(s[1]) + str(i)
                                                         for i, s in enumerate(SHAPES)])
def test_shape_and_default_dtype(fn, shape, expected):
    x = _drawers()[fn](shape)
    assert isinstance(x, tape.Tensor)
    assert x.shape == expected
    assert x.dtype == np.float32


@pytest.mark.parametrize("fn", DRAWERS)
@pytest.mark.parametrize("dtype", [tape.float16, tape.float32, tape.float64, "float64"])
def test_float_dtypes(fn, dtype):
    x = _drawers()[fn]([3, 2], dtype=dtype)
    assert x.dtype == np.dtype(dtype)
    assert np.all(np.isfinite(x.numpy()))


@pytest.mark.parametrize("dtype", [tape.int32, tape.int64, np.uint32, np.uint64])
def test_integer_uniform_dtypes(dtype):
    for x in (tf.random.uniform([50], maxval=7, dtype=dtype, seed=1),
              tf.random.Generator.from_seed(1).uniform([50], maxval=7, dtype=dtype),
              tf.random.stateless_uniform([50], seed=[1, 1], maxval=7, dtype=dtype)):
        assert x.dtype == np.dtype(dtype) and x.shape == (50,)
        assert x.numpy().min() >= 0 and x.numpy().max() < 7


def test_zero_dimensional_draws_are_tensors():
    for x in (tf.random.normal([]), tf.random.uniform(()), tf.random.uniform([], maxval=3,
                                                                          dtype=tf.int32)):
        assert isinstance(x, tape.Tensor) and x.shape == ()


def test_categorical_and_shuffle_shapes():
    s = tf.random.categorical(tf.zeros([3, 4]), 5)
    assert s.shape == (3, 5) and s.dtype == np.int64
    assert tf.random.categorical(tf.zeros([3, 4]), 5, dtype=tf.int32).dtype == np.int32
    assert tf.random.categorical(tf.zeros([3, 4]), 0).shape == (3, 0)
    assert tf.random.categorical(tf.zeros([0, 4]), 2).shape == (0, 2)
    assert tf.random.stateless_categorical(tf.zeros([2, 4]), 6, seed=[1, 2]).shape == (2, 6)
    x = tf.reshape(tf.range(24), [4, 3, 2])
    y = tf.random.shuffle(x)
    assert y.shape == x.shape and y.dtype == x.dtype
    assert tf.random.shuffle(tf.constant(3.0)).numpy() == 3.0
    assert tf.random.shuffle(tf.zeros([0, 2])).shape == (0, 2)


# ============================================================================ the seed rules


def _program():
    """A short program using every kind of seeding after set_seed."""
    tf.random.set_seed(1234)
    return [
        tf.random.uniform([3]),
        tf.random.uniform([3]),
        tf.random.normal([2, 2]),
        tf.random.uniform([3], seed=1),
        tf.random.uniform([3], seed=1),
        tf.random.truncated_normal([4]),
        tf.random.shuffle(tf.range(10)),
        tf.random.categorical(tf.zeros([2, 5]), 4),
        tf.random.uniform([4], maxval=100, dtype=tf.int64, seed=2),
    ]


def test_the_same_program_twice_gives_the_same_values():
    first, second = _program(), _program()
    assert all(same(a, b) for a, b in zip(first, second))


def test_neither_seed_set_gives_fresh_values():
    a, b = tf.random.uniform([8]), tf.random.uniform([8])
    assert not same(a, b)
    tf.random.set_seed(None)
    assert not same(tf.random.uniform([8]), a)


def test_global_seed_only_differs_per_call_and_restarts_at_set_seed():
    tf.random.set_seed(1234)
    a1, a2 = tf.random.uniform([8]), tf.random.uniform([8])
    assert not same(a1, a2)
    tf.random.set_seed(1234)
    b1, b2 = tf.random.uniform([8]), tf.random.uniform([8])
    assert same(a1, b1) and same(a2, b2)
    tf.random.set_seed(4321)
    assert not same(tf.random.uniform([8]), a1)


def test_global_seed_sequence_is_shared_by_all_ops_in_program_order():
    """The op seeds come from one sequence: which op comes first changes what it draws."""
    tf.random.set_seed(7)
    u1 = tf.random.uniform([8])
    tf.random.set_seed(7)
    tf.random.normal([8])
    u2 = tf.random.uniform([8])
    assert not same(u1, u2)


def test_op_seed_only_differs_per_call_and_repeats_in_a_fresh_program():
    a1, a2 = tf.random.uniform([8], seed=1), tf.random.uniform([8], seed=1)
    assert not same(a1, a2)  # the op's counter advanced
    tf.random.set_seed(None)  # resets the counters, as a new program starts them
    b1, b2 = tf.random.uniform([8], seed=1), tf.random.uniform([8], seed=1)
    assert same(a1, b1) and same(a2, b2)
    assert not same(tf.random.uniform([8], seed=2), a1)


def test_both_seeds_restart_at_set_seed_and_depend_on_both():
    tf.random.set_seed(1234)
    a1, a2 = tf.random.uniform([8], seed=1), tf.random.uniform([8], seed=1)
    assert not same(a1, a2)
    tf.random.set_seed(1234)
    b1, b2 = tf.random.uniform([8], seed=1), tf.random.uniform([8], seed=1)
    assert same(a1, b1) and same(a2, b2)
    tf.random.set_seed(99)
    assert not same(tf.random.uniform([8], seed=1), a1)
    tf.random.set_seed(None)
    assert not same(tf.random.uniform([8], seed=1), a1)  # the default global seed differs


def test_op_seeded_draws_and_the_global_sequence_do_not_disturb_each_other():
    tf.random.set_seed(5)
    x1, x2 = tf.random.normal([4]), tf.random.normal([4])
    s1, s2 = tf.random.uniform([4], seed=3), tf.random.uniform([4], seed=3)
    tf.random.set_seed(5)
    t1 = tf.random.uniform([4], seed=3)
    y1 = tf.random.normal([4])
    tf.random.categorical(tf.zeros([1, 3]), 2, seed=9)
    t2 = tf.random.uniform([4], seed=3)
    y2 = tf.random.normal([4])
    assert same(x1, y1) and same(x2, y2) and same(s1, t1) and same(s2, t2)


def test_op_seed_sequences_are_per_op_and_dtype():
    a = tf.random.uniform([4], seed=1)
    tf.random.normal([4], seed=1)
    tf.random.uniform([4], seed=1, dtype=tf.float64)
    b = tf.random.uniform([4], seed=1)
    tf.random.set_seed(None)
    c1, c2 = tf.random.uniform([4], seed=1), tf.random.uniform([4], seed=1)
    assert same(a, c1) and same(b, c2)


def test_seeds_accept_integers_of_any_kind():
    tf.random.set_seed(np.int64(3))
    a = tf.random.normal([3], seed=tape.constant(4))
    tf.random.set_seed(3)
    b = tf.random.normal([3], seed=4)
    assert same(a, b)
    tf.random.set_seed(-1)  # negative and huge seeds are fine
    tf.random.normal([2], seed=2**70)


def test_set_seed_applies_to_other_threads():
    tf.random.set_seed(11)
    expected = tf.random.normal([5])
    tf.random.set_seed(11)
    out = []
    thread = threading.Thread(target=lambda: out.append(tf.random.normal([5])))
    thread.start()
    thread.join()
    assert same(out[0], expected)


_SUBPROCESS = """
import tape as tf
{seed}
print(tf.random.normal([3]).numpy().tolist(), tf.random.uniform([2], seed=5).numpy().tolist())
"""


def _run(seed_line: str) -> str:
    code = _SUBPROCESS.format(seed=seed_line)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout


def test_fresh_processes_repeat_under_set_seed_and_differ_without():
    assert _run("tf.random.set_seed(1234)") == _run("tf.random.set_seed(1234)")
    assert _run("") != _run("")


# ============================================================================ statistics

N = 200_000
Z = 5.0  # standard errors allowed


def _check_moments(x: np.ndarray, mean: float, std: float) -> None:
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    assert abs(x.mean() - mean) < Z * std / math.sqrt(n), (x.mean(), mean)
    # the standard error of the sample standard deviation, for a kurtosis kappa:
    # std * sqrt((kappa - 1) / (4 n)); kappa <= 3 for every distribution checked here
    assert abs(x.std() - std) < Z * std * math.sqrt(2.0 / (4 * n)), (x.std(), std)


def _phi(x: float) -> float:
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _Phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _fraction_within(x: np.ndarray, lo: float, hi: float, p: float) -> None:
    """The fraction of x in [lo, hi] is p within Z binomial standard errors."""
    frac = np.mean((x >= lo) & (x <= hi))
    assert abs(frac - p) < Z * math.sqrt(p * (1 - p) / x.size), (frac, p)


@pytest.mark.parametrize("dtype", [tape.float32, tape.float64])
def test_normal_moments_and_mass(dtype):
    x = tf.random.normal([N], mean=3.0, stddev=2.0, dtype=dtype, seed=1).numpy()
    _check_moments(x, 3.0, 2.0)
    _fraction_within(x, 1.0, 5.0, 2 * _Phi(1.0) - 1)  # one standard deviation: 68.3%
    _fraction_within(x, 3.0, np.inf, 0.5)
    g = tf.random.Generator.from_seed(2).normal([N], mean=-1.0, stddev=0.5, dtype=dtype)
    _check_moments(g.numpy(), -1.0, 0.5)


def test_normal_with_broadcast_parameters():
    mean = np.array([-5.0, 0.0, 5.0])
    std = np.array([[0.5], [2.0]])
    x = tf.random.normal([20000, 2, 3], mean=mean, stddev=std, seed=3).numpy()
    for i in range(2):
        for j in range(3):
            _check_moments(x[:, i, j], mean[j], std[i, 0])


@pytest.mark.parametrize("dtype", [tape.float32, tape.float64])
def test_truncated_normal_bound_and_moments(dtype):
    mean, std = 1.0, 3.0
    x = tf.random.truncated_normal([N], mean=mean, stddev=std, dtype=dtype, seed=4).numpy()
    eps = 8 * np.finfo(np.dtype(dtype)).eps * (abs(mean) + 2 * std)
    assert np.all(np.abs(x - mean) <= 2 * std + eps)
    # N(0, 1) truncated to [-2, 2]: variance 1 - 2 * 2 phi(2) / (2 Phi(2) - 1)
    var = 1 - 4 * _phi(2.0) / (2 * _Phi(2.0) - 1)
    _check_moments(x, mean, std * math.sqrt(var))
    # the mass within one standard deviation, renormalised by the truncation
    _fraction_within(x, mean - std, mean + std, (2 * _Phi(1.0) - 1) / (2 * _Phi(2.0) - 1))


@pytest.mark.parametrize("dtype", [tape.float16, tape.float32, tape.float64])
def test_uniform_float_range_and_moments(dtype):
    lo, hi = -2.0, 3.0
    x = tf.random.uniform([N], minval=lo, maxval=hi, dtype=dtype, seed=5).numpy()
    assert x.min() >= lo and x.max() < hi
    _check_moments(x, (lo + hi) / 2, (hi - lo) / math.sqrt(12))
    u = tf.random.uniform([N], dtype=dtype, seed=6).numpy()
    assert u.min() >= 0 and u.max() < 1
    _fraction_within(u, 0.0, 0.25, 0.25)


def test_uniform_float16_never_reaches_maxval():
    """Rounding to float16 would give 1.0 for about one draw in 4000 if left unchecked."""
    u = tf.random.uniform([1_000_000], dtype=tape.float16, seed=7).numpy()
    assert u.max() < 1.0
    v = tf.random.uniform([1_000_000], minval=10.0, maxval=11.0, dtype=tape.float16,
                          seed=8).numpy()
    assert v.min() >= 10.0 and v.max() < 11.0


def _chi_square_bound(counts: np.ndarray, probs: np.ndarray) -> None:
    """Pearson's statistic against its mean (dof) plus Z standard deviations (sqrt(2 dof))."""
    counts = np.asarray(counts, dtype=np.float64)
    expected = counts.sum() * probs
    keep = expected > 0
    assert np.all(counts[~keep] == 0), "a class of probability 0 was drawn"
    stat = np.sum((counts[keep] - expected[keep]) ** 2 / expected[keep])
    dof = keep.sum() - 1
    assert stat < dof + Z * math.sqrt(2 * dof), (stat, dof)


@pytest.mark.parametrize("dtype", [tape.int32, tape.int64])
def test_uniform_integers_are_equally_likely(dtype):
    x = tf.random.uniform([60000], minval=-3, maxval=9, dtype=dtype, seed=9).numpy()
    assert x.min() == -3 and x.max() == 8
    counts = np.bincount(x + 3, minlength=12)
    _chi_square_bound(counts, np.full(12, 1 / 12))


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_categorical_frequencies_follow_softmax():
    logits = np.array([[0.0, 1.0, 2.0, -1.0],
                       [3.0, 3.0, 3.0, 3.0],
                       [-np.inf, 0.5, -np.inf, 0.0]])
    n = 40000
    s = tf.random.categorical(tf.constant(logits, dtype=tf.float32), n, seed=10).numpy()
    probs = _softmax(np.where(np.isinf(logits), -1e300, logits))
    for row in range(3):
        _chi_square_bound(np.bincount(s[row], minlength=4), probs[row])


def test_categorical_with_infinite_logits_picks_among_them():
    s = tf.random.categorical([[np.inf, 0.0, np.inf]], 6000, seed=11).numpy()[0]
    _chi_square_bound(np.bincount(s, minlength=3), np.array([0.5, 0.0, 0.5]))


def test_shuffle_is_a_permutation_of_rows():
    x = tf.reshape(tf.range(30.0), [10, 3])
    for seed in (None, 1, 2):
        y = tf.random.shuffle(x, seed=seed).numpy()
        order = y[:, 0].astype(int) // 3
        assert sorted(order) == list(range(10))
        np.testing.assert_array_equal(y, x.numpy()[order])


def test_shuffle_orders_are_equally_likely():
    perms = {}
    for _ in range(3000):
        key = tuple(tf.random.shuffle(tf.constant([0, 1, 2])).numpy().tolist())
        perms[key] = perms.get(key, 0) + 1
    assert len(perms) == 6
    _chi_square_bound(np.array(list(perms.values())), np.full(6, 1 / 6))


# ============================================================================ Generator


def test_generator_from_seed_is_deterministic_and_advances():
    g1, g2 = tf.random.Generator.from_seed(42), tf.random.Generator.from_seed(42)
    a = [g1.normal([4]), g1.uniform([3]), g1.truncated_normal([2]),
         g1.uniform([5], maxval=10, dtype=tf.int32), g1.make_seeds(3)]
    b = [g2.normal([4]), g2.uniform([3]), g2.truncated_normal([2]),
         g2.uniform([5], maxval=10, dtype=tf.int32), g2.make_seeds(3)]
    assert all(same(x, y) for x, y in zip(a, b))
    assert not same(g1.normal([4]), a[0])
    assert not same(tf.random.Generator.from_seed(43).normal([4]), a[0])
    g1.reset_from_seed(42)
    assert same(g1.normal([4]), a[0])


def test_generator_ignores_set_seed_and_other_generators():
    tf.random.set_seed(1)
    a = tf.random.Generator.from_seed(5).normal([4])
    tf.random.set_seed(2)
    other = tf.random.Generator.from_seed(5)
    g = tf.random.Generator.from_seed(5)
    other.normal([100])
    tf.random.normal([100])
    assert same(g.normal([4]), a)


def test_generator_copy_continues_the_same_sequence_independently():
    g = tf.random.Generator.from_seed(3)
    g.normal([2])
    h = tf.random.Generator(copy_from=g)
    a = g.normal([5])
    assert same(h.normal([5]), a)
    assert not same(g.normal([5]), a)


def test_split_generators_are_independent_and_deterministic():
    parent = tf.random.Generator.from_seed(0)
    kids = parent.split(3)
    again = tf.random.Generator.from_seed(0).split(3)
    draws = [k.normal([N // 4], dtype=tf.float64).numpy() for k in kids]
    assert all(same(tf.constant(d), k.normal([N // 4], dtype=tf.float64))
               for d, k in zip(draws, again))
    after = parent.normal([N // 4], dtype=tf.float64).numpy()
    fresh = tf.random.Generator.from_seed(0).normal([N // 4], dtype=tf.float64).numpy()
    assert not np.array_equal(after, fresh)  # split advanced the parent
    n = N // 4
    series = draws + [after]
    for i in range(len(series)):
        for j in range(i):
            corr = np.corrcoef(series[i], series[j])[0, 1]
            assert abs(corr) < Z / math.sqrt(n)
    for d in draws:
        _check_moments(d, 0.0, 1.0)


def test_non_deterministic_generators_differ():
    a = tf.random.Generator.from_non_deterministic_state().normal([8])
    b = tf.random.Generator.from_non_deterministic_state().normal([8])
    assert not same(a, b)


def test_make_seeds_feed_stateless_ops():
    seeds = tf.random.Generator.from_seed(9).make_seeds(4)
    assert seeds.shape == (2, 4) and seeds.dtype == np.int64
    x = tf.random.stateless_normal([3], seed=seeds[:, 1])
    assert same(x, tf.random.stateless_normal([3], seed=seeds[:, 1]))
    assert not same(x, tf.random.stateless_normal([3], seed=seeds[:, 2]))


def test_global_generator_can_be_replaced():
    g = tf.random.Generator.from_seed(1)
    tf.random.set_global_generator(g)
    assert tf.random.get_global_generator() is g
    assert tf.random.experimental.get_global_generator() is g
    assert tf.random.Generator.from_seed(1).algorithm == "philox"


def test_stateless_ops_depend_on_the_seed_only():
    tf.random.set_seed(1)
    a = tf.random.stateless_uniform([5], seed=[3, 4])
    tf.random.normal([3])
    tf.random.set_seed(2)
    assert same(a, tf.random.stateless_uniform([5], seed=[3, 4]))
    assert not same(a, tf.random.stateless_uniform([5], seed=[4, 3]))
    full = tf.random.stateless_uniform([1000], seed=[1, 2], minval=None, maxval=None,
                                       dtype=tf.int64).numpy()
    assert full.min() < -(2**61) and full.max() > 2**61  # the whole int64 range
    split = tf.random.experimental.stateless_split([1, 2], num=3)
    assert split.shape == (3, 2) and len({tuple(r) for r in split.numpy().tolist()}) == 3
    fold = tf.random.experimental.stateless_fold_in([1, 2], 7)
    assert fold.shape == (2,)
    assert same(fold, tf.random.experimental.stateless_fold_in([1, 2], 7))
    assert not same(fold, tf.random.experimental.stateless_fold_in([1, 2], 8))


# ============================================================================ gradients


def test_draws_are_constants_and_gradients_reach_mean_and_stddev():
    """z = mean + stddev * eps, where eps is the standard draw of the same stateless seed: the
    gradient of sum(w * z) is sum(w) for mean and sum(w * eps) for stddev (closed forms)."""
    seed = [5, 6]
    eps = tf.random.stateless_normal([4, 3], seed=seed, dtype=tf.float64).numpy()
    mean = tf.Variable(np.array([1.0, -2.0, 0.5]))
    std = tf.Variable(1.5, dtype=tf.float64)
    w = np.arange(12.0).reshape(4, 3)
    with tf.GradientTape() as t:
        z = tf.random.stateless_normal([4, 3], seed=seed, mean=mean, stddev=std,
                                       dtype=tf.float64)
        loss = tf.reduce_sum(z * w)
    np.testing.assert_allclose(z.numpy(), mean.numpy() + 1.5 * eps, rtol=1e-12)
    g_mean, g_std = t.gradient(loss, [mean, std])
    np.testing.assert_allclose(g_mean.numpy(), w.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(g_std.numpy(), np.sum(w * eps), rtol=1e-12)


def test_truncated_normal_gradients_reach_mean_and_stddev():
    seed = [1, 9]
    eps = tf.random.stateless_truncated_normal([50], seed=seed, dtype=tf.float64).numpy()
    mean, std = tf.constant(2.0, dtype=tf.float64), tf.constant(0.5, dtype=tf.float64)
    with tf.GradientTape() as t:
        t.watch([mean, std])
        z = tf.random.stateless_truncated_normal([50], seed=seed, mean=mean, stddev=std,
                                                 dtype=tf.float64)
    g_mean, g_std = t.gradient(z, [mean, std])
    assert g_mean.numpy() == 50.0
    np.testing.assert_allclose(g_std.numpy(), eps.sum(), rtol=1e-12)


def test_uniform_gradients_reach_minval_and_maxval():
    """z = lo + u (hi - lo): dz/dlo = 1 - u, dz/dhi = u, with u the [0, 1) draw of the seed."""
    seed = [2, 3]
    u = tf.random.stateless_uniform([6], seed=seed, dtype=tf.float64).numpy()
    lo, hi = tf.Variable(-1.0, dtype=tf.float64), tf.Variable(4.0, dtype=tf.float64)
    with tf.GradientTape() as t:
        z = tf.random.stateless_uniform([6], seed=seed, minval=lo, maxval=hi,
                                        dtype=tf.float64)
    g_lo, g_hi = t.gradient(z, [lo, hi])
    np.testing.assert_allclose(z.numpy(), -1.0 + 5.0 * u, rtol=1e-12)
    np.testing.assert_allclose(g_lo.numpy(), np.sum(1 - u), rtol=1e-12)
    np.testing.assert_allclose(g_hi.numpy(), np.sum(u), rtol=1e-12)


def test_forward_mode_reaches_mean():
    mean = tf.constant(1.0)
    with tape.autodiff.ForwardAccumulator(mean, tf.constant(1.0)) as acc:
        z = tf.random.normal([3], mean=mean)
    np.testing.assert_array_equal(acc.jvp(z).numpy(), np.ones(3))


def test_a_draw_with_number_parameters_is_a_constant():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as t:
        eps = tf.random.normal([3], seed=1)
        y = x * eps
        u = tf.random.uniform([2])
    assert t.gradient(u, x) is None
    assert t.gradient(eps, x) is None
    np.testing.assert_allclose(t.gradient(y, x).numpy(), eps.numpy().sum(), rtol=1e-6)


def test_shuffle_gradient_follows_the_permutation():
    x = tf.Variable([1.0, 2.0, 3.0, 4.0])
    w = tf.constant([1.0, 10.0, 100.0, 1000.0])
    with tf.GradientTape() as t:
        y = tf.random.shuffle(x, seed=3)
        loss = tf.reduce_sum(y * w)
    order = (y.numpy() - 1).astype(int)  # y[i] = x[order[i]]
    expected = np.zeros(4, dtype=np.float32)
    expected[order] = w.numpy()
    np.testing.assert_array_equal(tf.convert_to_tensor(t.gradient(loss, x)).numpy(), expected)


def test_negative_stddev_mirrors_the_draw_as_tensorflow():
    eps = tf.random.stateless_normal([5], seed=[1, 1]).numpy()
    z = tf.random.stateless_normal([5], seed=[1, 1], mean=1.0, stddev=-2.0).numpy()
    np.testing.assert_allclose(z, 1.0 - 2.0 * eps, rtol=1e-6)


# ============================================================================ errors


@pytest.mark.parametrize("call, error, words", [
    (lambda: tf.random.uniform([2], dtype=tf.int32), ValueError,
     "Must specify maxval for integer dtype int32"),
    (lambda: tf.random.Generator.from_seed(1).uniform([2], dtype=tf.int64), ValueError,
     "Must specify maxval"),
    (lambda: tf.random.uniform([2], minval=5, maxval=5, dtype=tf.int32), ValueError,
     "minval < maxval"),
    (lambda: tf.random.uniform([2], maxval=2.5, dtype=tf.int32), TypeError, "scalar integer"),
    (lambda: tf.random.uniform([2], maxval=[3, 4], dtype=tf.int32), TypeError,
     "scalar integer"),
    (lambda: tf.random.uniform([2], maxval=2**40, dtype=tf.int32), ValueError, "out of the"),
    (lambda: tf.random.uniform([2], dtype=tf.complex64), ValueError, "Invalid dtype"),
    (lambda: tf.random.uniform([2], dtype=tf.bool), ValueError, "Invalid dtype"),
    (lambda: tf.random.normal([2], dtype=tf.int32), TypeError, "floating dtype"),
    (lambda: tf.random.truncated_normal([2], dtype=tf.int64), TypeError, "floating dtype"),
    (lambda: tf.random.normal([2], dtype="no such dtype"), TypeError, "not a dtype"),
    (lambda: tf.random.normal([2.0, 3]), TypeError, "shape must be"),
    (lambda: tf.random.normal([[2, 3]]), TypeError, "shape must be"),
    (lambda: tf.random.normal([2, -1]), ValueError, "negative dimension"),
    (lambda: tf.random.normal(tf.constant([2.0])), TypeError, "shape must be"),
    (lambda: tf.random.normal([2], mean=[1.0, 2.0, 3.0]), ValueError, "does not broadcast"),
    (lambda: tf.random.normal([2], stddev=tf.ones([3])), ValueError, "does not broadcast"),
    (lambda: tf.random.uniform([2], maxval=tf.ones([2, 2])), ValueError, "does not broadcast"),
    (lambda: tf.random.normal([2], mean=tf.constant(1.0, dtype=tf.float64)), ValueError,
     "dtype"),
    (lambda: tf.random.normal([2], seed=1.5), TypeError, "seed must be an integer"),
    (lambda: tf.random.set_seed("1"), TypeError, "seed must be an integer"),
    (lambda: tf.random.categorical([0.0, 1.0], 3), ValueError, "2-d"),
    (lambda: tf.random.categorical([[0.0, 1.0]], -1), ValueError, "num_samples"),
    (lambda: tf.random.categorical([[0.0, 1.0]], 2.0), ValueError, "num_samples"),
    (lambda: tf.random.categorical([[0.0, 1.0]], 2, dtype=tf.float32), TypeError, "int32"),
    (lambda: tf.random.categorical([[0.0, np.nan]], 2), ValueError, "NaN"),
    (lambda: tf.random.categorical([[-np.inf, -np.inf]], 2), ValueError, "all -inf"),
    (lambda: tf.random.categorical(np.zeros((2, 0)), 2), ValueError, "no classes"),
    (lambda: tf.random.stateless_normal([2], seed=1), ValueError, "shape [2]"),
    (lambda: tf.random.stateless_normal([2], seed=[1.0, 2.0]), ValueError, "shape [2]"),
    (lambda: tf.random.Generator(), ValueError, "from_seed"),
    (lambda: tf.random.Generator(state=[0, 0, 0]), NotImplementedError, "state"),
    (lambda: tf.random.Generator(copy_from=3), TypeError, "Generator"),
    (lambda: tf.random.Generator.from_seed(1, alg="threefry"), NotImplementedError, "Philox"),
    (lambda: tf.random.Generator.from_seed(1).split(-1), ValueError, "non-negative"),
    (lambda: tf.random.Generator.from_seed(1).uniform_full_int([2], dtype=tf.float32),
     TypeError, "integer dtype"),
    (lambda: tf.random.set_global_generator(np.random.default_rng()), TypeError, "Generator"),
    (lambda: tf.random.gamma([2], 1.0), AttributeError, "tape.random has no gamma"),
])
def test_bad_arguments_raise_clear_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
