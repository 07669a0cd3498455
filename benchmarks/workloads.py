"""The workloads W1-W8 and W4t, each written once per implementation.

A workload holds its data (NumPy arrays, made from a fixed seed) and one *builder* per
implementation. A builder does the setup (converting the data, building a jitted function) and
returns a function of no arguments that runs the measured computation once and returns its
result (the gradients, the Hessian, the Jacobian, or the forward value for W6). The harness
calls that function once to check the result against the hand-written NumPy baseline, then
times it.

A builder raises :class:`~benchmarks.impls.Unavailable` when the implementation lacks a feature
that the workload needs (for example ``GradientTape.jacobian`` for W5).

The "tape-function" builders (W1-W4, W4t, W7, W8) run the "tape" builders' code inside a
``tape.function``; their workloads also keep the compiled function's maker, uncalled, for the
measurement of its first calls (tracing and code generation).
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .impls import Unavailable, module

Builder = Callable[[dict], Callable[[], Any]]
#: Makes a workload's ``tape.function`` and the arguments to call it with, without calling it.
Compiler = Callable[[dict], tuple[Any, tuple]]

OPS_PER_LINE = 5  # x = sin(x) * 0.9 + x * x * 1e-3: sin, mul, mul, mul, add


@dataclass
class Workload:
    key: str
    title: str
    description: str
    data: dict
    builders: dict[str, Builder]
    tol: float  # normwise relative error allowed against the NumPy baseline
    ops: int | None = None  # elementwise ops per call, for the time-per-op column
    memory: tuple[str, ...] = ()  # implementations whose peak memory tracemalloc can see
    notes: list[str] = field(default_factory=list)
    #: Seconds of timing to aim for, in place of the harness's default (for slow workloads).
    budget: float | None = None
    #: Repetitions of the first-call measurement, at most (for slow workloads).
    first_call_reps: int | None = None
    #: Makes the "tape-function" row's compiled function afresh (for the first-call timings).
    tape_function: Compiler | None = None


# --------------------------------------------------------------------------- tape.function
# The "tape-function" rows run tape's code under ``tape.function``: the gradient computation,
# GradientTape included, is traced on the first call and runs as generated NumPy code after.


def compiled_builder(compiler: Compiler) -> Builder:
    """A builder that makes the ``tape.function`` with ``compiler`` and calls it twice during
    setup, the first call tracing it and the second generating its code, so that the timed calls
    run the generated code only. Raises when ``tape.function`` did not compile (it warns and runs
    eagerly when a function cannot be compiled) or traced more than once."""

    def build(d: dict) -> Callable[[], Any]:
        f, args = compiler(d)
        if not hasattr(f, "source"):
            raise Unavailable("not available: this tape.function does not compile")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            f(*args)  # traces
            f(*args)  # generates the code, then runs it
        for w in caught:
            if "tape.function" in str(w.message):
                raise RuntimeError(f"tape.function did not compile: {w.message}")
        count = f.experimental_get_tracing_count()
        if count != 1:
            raise RuntimeError(f"tape.function traced {count} times in two identical calls")
        return lambda: f(*args)

    return build


# --------------------------------------------------------------------------- the chain (W1, W2,
# W4, W6): x = sin(x) * 0.9 + x * x * 1e-3, repeated; W4t has tanh in place of sin. It is
# written once and run with each library's module (numpy, tape, torch, autograd.numpy,
# jax.numpy) as ``m``.


def chain(m: Any, x: Any, lines: int, fn: str = "sin") -> Any:
    """``lines`` lines of ``x = fn(x) * 0.9 + x * x * 1e-3`` with ``fn`` (``"sin"`` or
    ``"tanh"``) taken from the library ``m``."""
    f = getattr(m, fn)
    for _ in range(lines):
        x = f(x) * 0.9 + x * x * 1e-3
    return x


def np_chain_grad(x0: Any, lines: int, reduce: bool) -> Any:
    """Hand-written forward and backward of the chain: keep each line's input, then multiply
    the cotangent by the line's derivative, 0.9 cos(x) + 2e-3 x."""
    saved = []
    x = x0
    for _ in range(lines):
        saved.append(x)
        x = np.sin(x) * 0.9 + x * x * 1e-3
    y = np.sum(x) if reduce else x  # noqa: F841 - the forward value, computed as a user would
    g = 1.0
    for x in reversed(saved):
        g = g * (np.cos(x) * 0.9 + x * 2e-3)
    if np.ndim(x0) and np.ndim(g) == 0:  # lines == 0
        g = np.full_like(x0, g)
    return g


def np_tanh_chain_grad(x0: Any, lines: int, reduce: bool) -> Any:
    """Hand-written forward and backward of the tanh chain: keep each line's input x and
    t = tanh(x), then multiply the cotangent by the line's derivative, 0.9 (1 - t^2) + 2e-3 x."""
    saved = []
    x = x0
    for _ in range(lines):
        t = np.tanh(x)
        saved.append((x, t))
        x = t * 0.9 + x * x * 1e-3
    y = np.sum(x) if reduce else x  # noqa: F841 - the forward value, computed as a user would
    g = 1.0
    for x, t in reversed(saved):
        g = g * ((1 - t * t) * 0.9 + x * 2e-3)
    if np.ndim(x0) and np.ndim(g) == 0:  # lines == 0
        g = np.full_like(x0, g)
    return g


NP_CHAIN_GRAD = {"sin": np_chain_grad, "tanh": np_tanh_chain_grad}


def _chain_numpy(d: dict) -> Callable[[], Any]:
    x0, lines, reduce = d["x0"], d["lines"], d["reduce"]
    grad = NP_CHAIN_GRAD[d["fn"]]
    return lambda: grad(x0, lines, reduce)


def tape_chain_grad(tf: Any, x: Any, lines: int, reduce: bool, fn: str) -> Any:
    """The chain's gradient with tape: under a GradientTape watching ``x``, the chain (and
    its sum when ``reduce``), then ``gradient``."""
    with tf.GradientTape() as t:
        t.watch(x)
        y = chain(tf, x, lines, fn)
        if reduce:
            y = tf.reduce_sum(y)
    return t.gradient(y, x)


def _chain_tape(d: dict) -> Callable[[], Any]:
    tf = module("tape")
    x = tf.constant(d["x0"])
    lines, reduce, fn = d["lines"], d["reduce"], d["fn"]
    return lambda: tape_chain_grad(tf, x, lines, reduce, fn)


def compile_chain_grad(d: dict) -> tuple[Any, tuple]:
    """:func:`tape_chain_grad` under ``tape.function``, with the input as its argument."""
    tf = module("tape-function")
    lines, reduce, fn = d["lines"], d["reduce"], d["fn"]

    @tf.function
    def chain_grad(x: Any) -> Any:
        return tape_chain_grad(tf, x, lines, reduce, fn)

    return chain_grad, (tf.constant(d["x0"]),)


def _chain_torch(d: dict) -> Callable[[], Any]:
    torch = module("torch")
    x = torch.tensor(d["x0"], dtype=torch.float64, requires_grad=True)
    lines, reduce, fn = d["lines"], d["reduce"], d["fn"]

    def run() -> Any:
        y = chain(torch, x, lines, fn)
        if reduce:
            y = y.sum()
        (g,) = torch.autograd.grad(y, x)
        return g

    return run


def _chain_autograd(d: dict) -> Callable[[], Any]:
    ag = module("autograd")
    anp = importlib.import_module("autograd.numpy")
    lines, reduce, fn = d["lines"], d["reduce"], d["fn"]

    def f(x: Any) -> Any:
        y = chain(anp, x, lines, fn)
        return anp.sum(y) if reduce else y

    grad = ag.grad(f)
    x0 = d["x0"]
    return lambda: grad(x0)


def _chain_jax(jit: bool) -> Builder:
    def build(d: dict) -> Callable[[], Any]:
        jax = module("jax")
        jnp = jax.numpy
        lines, reduce, fn = d["lines"], d["reduce"], d["fn"]

        def f(x: Any) -> Any:
            y = chain(jnp, x, lines, fn)
            return jnp.sum(y) if reduce else y

        grad = jax.jit(jax.grad(f)) if jit else jax.grad(f)
        x = jnp.asarray(d["x0"])
        return lambda: grad(x).block_until_ready()

    return build


CHAIN_GRAD: dict[str, Builder] = {
    "numpy": _chain_numpy,
    "tape": _chain_tape,
    "tape-function": compiled_builder(compile_chain_grad),
    "torch": _chain_torch,
    "autograd": _chain_autograd,
    "jax": _chain_jax(jit=False),
    "jax-jit": _chain_jax(jit=True),
}


# --------------------------------------------------------------------------- W6: the chain's
# forward pass only, no tape and no gradient: the overhead of each library's op dispatch.


def _forward_numpy(d: dict) -> Callable[[], Any]:
    x0, lines = d["x0"], d["lines"]
    return lambda: chain(np, x0, lines)


def _forward_tape(d: dict) -> Callable[[], Any]:
    tf = module("tape")
    x, lines = tf.constant(d["x0"]), d["lines"]
    return lambda: chain(tf, x, lines)


def _forward_torch(d: dict) -> Callable[[], Any]:
    torch = module("torch")
    x, lines = torch.tensor(d["x0"], dtype=torch.float64), d["lines"]  # requires_grad=False
    return lambda: chain(torch, x, lines)


def _forward_autograd(d: dict) -> Callable[[], Any]:
    module("autograd")
    anp = importlib.import_module("autograd.numpy")
    x0, lines = d["x0"], d["lines"]
    return lambda: chain(anp, x0, lines)


def _forward_jax(jit: bool) -> Builder:
    def build(d: dict) -> Callable[[], Any]:
        jax = module("jax")
        jnp = jax.numpy
        lines = d["lines"]

        def f(x: Any) -> Any:
            return chain(jnp, x, lines)

        f = jax.jit(f) if jit else f
        x = jnp.asarray(d["x0"])
        return lambda: f(x).block_until_ready()

    return build


CHAIN_FORWARD: dict[str, Builder] = {
    "numpy": _forward_numpy,
    "tape": _forward_tape,
    "torch": _forward_torch,
    "autograd": _forward_autograd,
    "jax": _forward_jax(jit=False),
    "jax-jit": _forward_jax(jit=True),
}


# --------------------------------------------------------------------------- W3: one training
# step of a tanh MLP with softmax cross-entropy: the loss and the gradients of all parameters.


def mlp_data(sizes: tuple[int, ...], batch: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    labels = rng.integers(0, sizes[-1], batch)
    onehot = np.eye(sizes[-1], dtype=np.float32)[labels]
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        params.append((rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(np.float32))
        params.append((0.1 * rng.standard_normal(n_out)).astype(np.float32))
    return {"x": x, "labels": labels, "onehot": onehot, "params": params}


def np_mlp_grads(x: np.ndarray, onehot: np.ndarray, params: list) -> list:
    """Hand-written forward and backward of the MLP with a stable softmax cross-entropy."""
    hs = [x]
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        a = h @ params[2 * i] + params[2 * i + 1]
        h = np.tanh(a) if i < n_layers - 1 else a
        hs.append(h)
    z = hs.pop()
    zs = z - z.max(axis=1, keepdims=True)
    e = np.exp(zs)
    s = e.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(s)[:, 0] - np.sum(onehot * zs, axis=1))  # noqa: F841 - the forward
    da = (e / s - onehot) / x.shape[0]
    grads: list = [None] * len(params)
    for i in range(n_layers - 1, -1, -1):
        h = hs[i]
        grads[2 * i] = h.T @ da
        grads[2 * i + 1] = da.sum(axis=0)
        if i:
            da = (da @ params[2 * i].T) * (1 - h * h)
    return grads


def _mlp_numpy(d: dict) -> Callable[[], Any]:
    x, onehot, params = d["x"], d["onehot"], d["params"]
    return lambda: np_mlp_grads(x, onehot, params)


def tape_softmax_cross_entropy(tf: Any, labels: Any, logits: Any) -> Any:
    """Per-example softmax cross-entropy with tape's ops: the built-in one when tape has it,
    otherwise log-sum-exp with the row max (a constant: no gradient flows through it)."""
    nn = getattr(tf, "nn", None)
    if hasattr(nn, "softmax_cross_entropy_with_logits"):
        return nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    if hasattr(tf, "reduce_max"):
        m = tf.stop_gradient(tf.reduce_max(logits, axis=1, keepdims=True))
    else:
        m = tf.constant(np.max(tf.stop_gradient(logits).numpy(), axis=1, keepdims=True))
    zs = logits - m
    lse = tf.math.log(tf.reduce_sum(tf.exp(zs), axis=1, keepdims=True))
    return tf.reduce_sum(labels * (lse - zs), axis=1)


def tape_loss_path(tf: Any) -> str:
    """Which softmax cross-entropy :func:`tape_softmax_cross_entropy` uses, for the report."""
    if hasattr(getattr(tf, "nn", None), "softmax_cross_entropy_with_logits"):
        return "tape.nn.softmax_cross_entropy_with_logits"
    if hasattr(tf, "reduce_max"):
        return "log-sum-exp, row max from tape.reduce_max under tape.stop_gradient"
    return "log-sum-exp, row max computed in NumPy on the raw value"


def tape_mlp_grads(tf: Any, x: Any, onehot: Any, params: list) -> Any:
    """The MLP's forward pass and mean loss under a GradientTape (which watches the
    ``tape.Variable`` parameters as they are read), and the gradients of all parameters."""
    n_layers = len(params) // 2
    with tf.GradientTape() as t:
        h = x
        for i in range(n_layers):
            a = tf.matmul(h, params[2 * i]) + params[2 * i + 1]
            h = tf.tanh(a) if i < n_layers - 1 else a
        loss = tf.reduce_mean(tape_softmax_cross_entropy(tf, onehot, h))
    return t.gradient(loss, params)


def _mlp_tape(d: dict) -> Callable[[], Any]:
    tf = module("tape")
    x, onehot = tf.constant(d["x"]), tf.constant(d["onehot"])
    params = [tf.Variable(p) for p in d["params"]]
    return lambda: tape_mlp_grads(tf, x, onehot, params)


def compile_mlp_grads(d: dict) -> tuple[Any, tuple]:
    """:func:`tape_mlp_grads` under ``tape.function``: the inputs and labels are its
    arguments, the parameters ``tape.Variable``s it reads."""
    tf = module("tape-function")
    params = [tf.Variable(p) for p in d["params"]]

    @tf.function
    def mlp_grads(x: Any, onehot: Any) -> Any:
        return tape_mlp_grads(tf, x, onehot, params)

    return mlp_grads, (tf.constant(d["x"]), tf.constant(d["onehot"]))


def _mlp_torch(d: dict) -> Callable[[], Any]:
    torch = module("torch")
    functional = importlib.import_module("torch.nn.functional")
    x = torch.from_numpy(d["x"])
    labels = torch.from_numpy(d["labels"].astype(np.int64))
    params = [torch.tensor(p, requires_grad=True) for p in d["params"]]
    n_layers = len(params) // 2

    def run() -> Any:
        h = x
        for i in range(n_layers):
            a = h @ params[2 * i] + params[2 * i + 1]
            h = torch.tanh(a) if i < n_layers - 1 else a
        loss = functional.cross_entropy(h, labels)
        return torch.autograd.grad(loss, params)

    return run


def _mlp_loss(m: Any, logsumexp: Callable[..., Any]) -> Callable[..., Any]:
    """The loss as a function of the parameter list, for autograd and JAX."""

    def loss(params: list, x: Any, onehot: Any) -> Any:
        n_layers = len(params) // 2
        h = x
        for i in range(n_layers):
            a = m.dot(h, params[2 * i]) + params[2 * i + 1]
            h = m.tanh(a) if i < n_layers - 1 else a
        return m.mean(logsumexp(h, axis=1) - m.sum(onehot * h, axis=1))

    return loss


def _mlp_autograd(d: dict) -> Callable[[], Any]:
    ag = module("autograd")
    anp = importlib.import_module("autograd.numpy")

    def logsumexp(z: Any, axis: int) -> Any:  # autograd.scipy.special's needs SciPy
        m = anp.max(z, axis=axis, keepdims=True)  # any m gives the same value and gradient
        return anp.log(anp.sum(anp.exp(z - m), axis=axis)) + anp.squeeze(m, axis=axis)

    grad = ag.grad(_mlp_loss(anp, logsumexp))
    params, x, onehot = list(d["params"]), d["x"], d["onehot"]
    return lambda: grad(params, x, onehot)


def _mlp_jax(jit: bool) -> Builder:
    def build(d: dict) -> Callable[[], Any]:
        jax = module("jax")
        jnp = jax.numpy
        grad = jax.grad(_mlp_loss(jnp, jax.nn.logsumexp))
        grad = jax.jit(grad) if jit else grad
        params = [jnp.asarray(p) for p in d["params"]]
        x, onehot = jnp.asarray(d["x"]), jnp.asarray(d["onehot"])
        return lambda: jax.block_until_ready(grad(params, x, onehot))

    return build


MLP: dict[str, Builder] = {
    "numpy": _mlp_numpy,
    "tape": _mlp_tape,
    "tape-function": compiled_builder(compile_mlp_grads),
    "torch": _mlp_torch,
    "autograd": _mlp_autograd,
    "jax": _mlp_jax(jit=False),
    "jax-jit": _mlp_jax(jit=True),
}


# --------------------------------------------------------------------------- W5: the full
# Hessian of f(x) = sum(tanh(A @ x) ** 2).


def hessian_data(n: int, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    return {"a": rng.standard_normal((n, n)) / np.sqrt(n), "x0": rng.standard_normal(n)}


def np_hessian(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Hand-written: with t = tanh(A x), f' = A^T (2t - 2t^3) and
    H = A^T diag((2 - 6 t^2)(1 - t^2)) A."""
    t = np.tanh(a @ x)
    w = (2 - 6 * t * t) * (1 - t * t)
    return a.T @ (w[:, None] * a)


def _hessian_numpy(d: dict) -> Callable[[], Any]:
    a, x0 = d["a"], d["x0"]
    return lambda: np_hessian(a, x0)


def _hessian_tape(d: dict) -> Callable[[], Any]:
    tf = module("tape")
    if not hasattr(tf.GradientTape, "jacobian"):
        raise Unavailable("not available: tape.GradientTape has no jacobian()")
    a, x = tf.constant(d["a"]), tf.constant(d["x0"])

    def run() -> Any:
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = tf.reduce_sum(tf.tanh(tf.matmul(a, x)) ** 2)
            g = inner.gradient(y, x)
        return outer.jacobian(g, x)

    return run


def _hessian_torch(d: dict) -> Callable[[], Any]:
    torch = module("torch")
    a, x = torch.from_numpy(d["a"]), torch.from_numpy(d["x0"])

    def f(x: Any) -> Any:
        return (torch.tanh(a @ x) ** 2).sum()

    hessian = torch.func.hessian(f)
    return lambda: hessian(x)


def _hessian_autograd(d: dict) -> Callable[[], Any]:
    ag = module("autograd")
    anp = importlib.import_module("autograd.numpy")
    a, x0 = d["a"], d["x0"]

    def f(x: Any) -> Any:
        return anp.sum(anp.tanh(anp.dot(a, x)) ** 2)

    hessian = ag.hessian(f)
    return lambda: hessian(x0)


def _hessian_jax(jit: bool) -> Builder:
    def build(d: dict) -> Callable[[], Any]:
        jax = module("jax")
        jnp = jax.numpy
        a, x = jnp.asarray(d["a"]), jnp.asarray(d["x0"])

        def f(x: Any) -> Any:
            return jnp.sum(jnp.tanh(a @ x) ** 2)

        hessian = jax.jit(jax.hessian(f)) if jit else jax.hessian(f)
        return lambda: hessian(x).block_until_ready()

    return build


HESSIAN: dict[str, Builder] = {
    "numpy": _hessian_numpy,
    "tape": _hessian_tape,
    "torch": _hessian_torch,
    "autograd": _hessian_autograd,
    "jax": _hessian_jax(jit=False),
    "jax-jit": _hessian_jax(jit=True),
}


# --------------------------------------------------------------------------- W7: the Jacobian
# of y = M @ tanh(x), an elementwise map followed by a matrix product: the Jacobian is
# M diag(1 - tanh(x)^2).


def jacobian_data(n: int, seed: int = 3) -> dict:
    rng = np.random.default_rng(seed)
    return {"m": rng.standard_normal((n, n)) / np.sqrt(n), "x0": rng.uniform(-1.0, 1.0, n)}


def np_tanh_jacobian(m: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Hand-written: the Jacobian of M @ tanh(x) is M scaled column-wise by 1 - tanh(x)^2."""
    t = np.tanh(x)
    return m * (1 - t * t)


def _jacobian_numpy(d: dict) -> Callable[[], Any]:
    m, x0 = d["m"], d["x0"]
    return lambda: np_tanh_jacobian(m, x0)


def tape_tanh_jacobian(tf: Any, m: Any, x: Any, parallel_iterations: int | None = None) -> Any:
    """``GradientTape.jacobian`` of ``m @ tanh(x)`` with respect to ``x`` (all rows in one
    batched sweep by default; ``parallel_iterations`` rows at a time when given)."""
    with tf.GradientTape() as t:
        t.watch(x)
        y = m @ tf.tanh(x)
    return t.jacobian(y, x, parallel_iterations=parallel_iterations)


def tape_tanh_gradient(tf: Any, m: Any, x: Any) -> Any:
    """One gradient of the same function: of ``sum(m @ tanh(x))`` with respect to ``x``."""
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(m @ tf.tanh(x))
    return t.gradient(y, x)


def _require_jacobian(tf: Any) -> None:
    if not hasattr(tf.GradientTape, "jacobian"):
        raise Unavailable("not available: tape.GradientTape has no jacobian()")


def _jacobian_tape(d: dict) -> Callable[[], Any]:
    tf = module("tape")
    _require_jacobian(tf)
    m, x = tf.constant(d["m"]), tf.constant(d["x0"])
    return lambda: tape_tanh_jacobian(tf, m, x)


def compile_tanh_jacobian(d: dict) -> tuple[Any, tuple]:
    """:func:`tape_tanh_jacobian` under ``tape.function``, with ``x`` as its argument."""
    tf = module("tape-function")
    _require_jacobian(tf)
    m = tf.constant(d["m"])

    @tf.function
    def tanh_jacobian(x: Any) -> Any:
        return tape_tanh_jacobian(tf, m, x)

    return tanh_jacobian, (tf.constant(d["x0"]),)


def _jacobian_torch(d: dict) -> Callable[[], Any]:
    torch = module("torch")
    m, x = torch.from_numpy(d["m"]), torch.from_numpy(d["x0"])

    def f(x: Any) -> Any:
        return m @ torch.tanh(x)

    jacobian = torch.func.jacrev(f)
    return lambda: jacobian(x)


def _jacobian_autograd(d: dict) -> Callable[[], Any]:
    ag = module("autograd")
    anp = importlib.import_module("autograd.numpy")
    m, x0 = d["m"], d["x0"]

    def f(x: Any) -> Any:
        return anp.dot(m, anp.tanh(x))

    jacobian = ag.jacobian(f)
    return lambda: jacobian(x0)


def _jacobian_jax(jit: bool) -> Builder:
    def build(d: dict) -> Callable[[], Any]:
        jax = module("jax")
        jnp = jax.numpy
        m, x = jnp.asarray(d["m"]), jnp.asarray(d["x0"])

        def f(x: Any) -> Any:
            return m @ jnp.tanh(x)

        jacobian = jax.jit(jax.jacrev(f)) if jit else jax.jacrev(f)
        return lambda: jacobian(x).block_until_ready()

    return build


JACOBIAN: dict[str, Builder] = {
    "numpy": _jacobian_numpy,
    "tape": _jacobian_tape,
    "tape-function": compiled_builder(compile_tanh_jacobian),
    "torch": _jacobian_torch,
    "autograd": _jacobian_autograd,
    "jax": _jacobian_jax(jit=False),
    "jax-jit": _jacobian_jax(jit=True),
}


# --------------------------------------------------------------------------- W8: per-example
# gradients of the W3 MLP: for every example of the batch, the gradients of all parameters
# of that example's loss (not divided by the batch size), each of shape (batch, *param.shape).


def np_mlp_per_example_grads(x: np.ndarray, onehot: np.ndarray, params: list) -> list:
    """Hand-written: the W3 backward pass without the sum over the batch. The cotangent of
    the logits is softmax - onehot for every example, and a weight's per-example gradients
    are the outer products of each example's input and cotangent."""
    hs = [x]
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        a = h @ params[2 * i] + params[2 * i + 1]
        h = np.tanh(a) if i < n_layers - 1 else a
        hs.append(h)
    z = hs.pop()
    zs = z - z.max(axis=1, keepdims=True)
    e = np.exp(zs)
    s = e.sum(axis=1, keepdims=True)
    losses = np.log(s)[:, 0] - np.sum(onehot * zs, axis=1)  # noqa: F841 - the forward
    da = e / s - onehot
    grads: list = [None] * len(params)
    for i in range(n_layers - 1, -1, -1):
        h = hs[i]
        grads[2 * i] = np.einsum("bi,bj->bij", h, da)
        grads[2 * i + 1] = da
        if i:
            da = (da @ params[2 * i].T) * (1 - h * h)
    return grads


def _per_example_numpy(d: dict) -> Callable[[], Any]:
    x, onehot, params = d["x"], d["onehot"], d["params"]
    return lambda: np_mlp_per_example_grads(x, onehot, params)


def tape_example_loss(tf: Any, params: list, x: Any, onehot: Any) -> Any:
    """One example's loss with tape's ops: the W3 forward pass on ``x`` (one input row) as a
    batch of one, and its softmax cross-entropy against ``onehot``."""
    n_layers = len(params) // 2
    h = tf.reshape(x, (1, -1))
    for i in range(n_layers):
        a = tf.matmul(h, params[2 * i]) + params[2 * i + 1]
        h = tf.tanh(a) if i < n_layers - 1 else a
    return tf.reduce_sum(tape_softmax_cross_entropy(tf, tf.reshape(onehot, (1, -1)), h))


def tape_per_example_grads(tf: Any) -> Callable[..., Any]:
    """``tape.vmap(tape.grad(loss), in_axes=(None, 0, 0))`` of :func:`tape_example_loss`:
    the parameters shared, the inputs and labels mapped over the batch."""
    if not (hasattr(tf, "vmap") and hasattr(tf, "grad")):
        raise Unavailable("not available: tape has no vmap() or grad()")

    def loss(params: list, x: Any, onehot: Any) -> Any:
        return tape_example_loss(tf, params, x, onehot)

    return tf.vmap(tf.grad(loss), in_axes=(None, 0, 0))


def _per_example_tape(d: dict) -> Callable[[], Any]:
    tf = module("tape")
    per_example = tape_per_example_grads(tf)
    params = [tf.constant(p) for p in d["params"]]
    x, onehot = tf.constant(d["x"]), tf.constant(d["onehot"])
    return lambda: per_example(params, x, onehot)


def compile_per_example_grads(d: dict) -> tuple[Any, tuple]:
    """:func:`tape_per_example_grads` under ``tape.function``: the inputs and labels are its
    arguments, the parameters constants it reads."""
    tf = module("tape-function")
    per_example = tape_per_example_grads(tf)
    params = [tf.constant(p) for p in d["params"]]

    @tf.function
    def per_example_grads(x: Any, onehot: Any) -> Any:
        return per_example(params, x, onehot)

    return per_example_grads, (tf.constant(d["x"]), tf.constant(d["onehot"]))


def _per_example_torch(d: dict) -> Callable[[], Any]:
    torch = module("torch")
    functional = importlib.import_module("torch.nn.functional")
    x = torch.from_numpy(d["x"])
    labels = torch.from_numpy(d["labels"].astype(np.int64))
    params = tuple(torch.from_numpy(p) for p in d["params"])
    n_layers = len(params) // 2

    def loss(params: tuple, x: Any, label: Any) -> Any:
        h = x.unsqueeze(0)  # one example as a batch of one
        for i in range(n_layers):
            a = h @ params[2 * i] + params[2 * i + 1]
            h = torch.tanh(a) if i < n_layers - 1 else a
        return functional.cross_entropy(h, label.unsqueeze(0))

    per_example = torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0, 0))
    return lambda: per_example(params, x, labels)


def _per_example_autograd(d: dict) -> Callable[[], Any]:
    ag = module("autograd")
    anp = importlib.import_module("autograd.numpy")

    def logsumexp(z: Any, axis: int) -> Any:
        m = anp.max(z, axis=axis, keepdims=True)
        return anp.log(anp.sum(anp.exp(z - m), axis=axis)) + anp.squeeze(m, axis=axis)

    batch_loss = _mlp_loss(anp, logsumexp)
    grad = ag.grad(lambda params, x, onehot: batch_loss(params, x[None], onehot[None]))
    params, x, onehot = list(d["params"]), d["x"], d["onehot"]

    def run() -> Any:  # autograd has no vmap: one gradient per example, stacked
        per = [grad(params, x[b], onehot[b]) for b in range(x.shape[0])]
        return [np.stack(g) for g in zip(*per)]

    return run


def _per_example_jax(jit: bool) -> Builder:
    def build(d: dict) -> Callable[[], Any]:
        jax = module("jax")
        jnp = jax.numpy
        batch_loss = _mlp_loss(jnp, jax.nn.logsumexp)

        def loss(params: list, x: Any, onehot: Any) -> Any:
            return batch_loss(params, x[None], onehot[None])

        per_example = jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))
        per_example = jax.jit(per_example) if jit else per_example
        params = [jnp.asarray(p) for p in d["params"]]
        x, onehot = jnp.asarray(d["x"]), jnp.asarray(d["onehot"])
        return lambda: jax.block_until_ready(per_example(params, x, onehot))

    return build


PER_EXAMPLE: dict[str, Builder] = {
    "numpy": _per_example_numpy,
    "tape": _per_example_tape,
    "tape-function": compiled_builder(compile_per_example_grads),
    "torch": _per_example_torch,
    "autograd": _per_example_autograd,
    "jax": _per_example_jax(jit=False),
    "jax-jit": _per_example_jax(jit=True),
}


# --------------------------------------------------------------------------- the suite


@dataclass(frozen=True)
class Sizes:
    w1_ops: int
    w2_ops: int
    w2_n: int
    w3_sizes: tuple[int, ...]
    w3_batch: int
    w4_n: int
    w4_ops: int
    w5_n: int
    w6_ops: int
    w6_n: int
    w7_n: int
    scaling_ops: tuple[int, int]


FULL = Sizes(
    w1_ops=1000, w2_ops=1000, w2_n=100, w3_sizes=(784, 256, 256, 10), w3_batch=128,
    w4_n=10**6, w4_ops=20, w5_n=100, w6_ops=1000, w6_n=100, w7_n=1000,
    scaling_ops=(10_000, 100_000),
)
QUICK = Sizes(
    w1_ops=100, w2_ops=100, w2_n=100, w3_sizes=(64, 32, 32, 10), w3_batch=16,
    w4_n=10**4, w4_ops=20, w5_n=10, w6_ops=100, w6_n=100, w7_n=20,
    scaling_ops=(1_000, 10_000),
)

WORKLOAD_KEYS = ("W1", "W2", "W3", "W4", "W4t", "W5", "W6", "W7", "W8")


def _lines(ops: int) -> int:
    if ops % OPS_PER_LINE:
        raise ValueError(f"the chain has {OPS_PER_LINE} ops per line: {ops} is not a multiple")
    return ops // OPS_PER_LINE


def chain_data(ops: int, n: int | None, reduce: bool, seed: int = 2, fn: str = "sin") -> dict:
    """Inputs of the chain: a 0-d float64 value (``n`` None) or ``n`` values in [-1, 1], and
    the chain's shape: its lines, whether it ends in a sum, its elementwise function ``fn``."""
    if n is None:
        x0: Any = np.float64(0.5)
    else:
        x0 = np.random.default_rng(seed).uniform(-1.0, 1.0, n)
    return {"x0": x0, "lines": _lines(ops), "reduce": reduce, "fn": fn}


def make_workload(key: str, sizes: Sizes) -> Workload:
    s = sizes
    if key == "W1":
        return Workload(
            "W1", f"chain of {s.w1_ops:,} scalar (0-d float64) ops, gradient w.r.t. x",
            "x = sin(x)*0.9 + x*x*1e-3 repeated (5 ops a line) on a 0-d float64 value; "
            "the derivative of the result with respect to the input.",
            chain_data(s.w1_ops, None, reduce=False), CHAIN_GRAD, tol=1e-9, ops=s.w1_ops,
            tape_function=compile_chain_grad,
        )
    if key == "W2":
        return Workload(
            "W2", f"chain of {s.w2_ops:,} ops on ({s.w2_n},) float64 arrays, gradient of the sum",
            "The W1 chain on an array; the gradient of sum(result).",
            chain_data(s.w2_ops, s.w2_n, reduce=True), CHAIN_GRAD, tol=1e-9, ops=s.w2_ops,
            tape_function=compile_chain_grad,
        )
    if key == "W3":
        arch = "-".join(str(n) for n in s.w3_sizes)
        return Workload(
            "W3", f"{arch} tanh MLP, softmax cross-entropy, batch {s.w3_batch}, float32: "
            "one training step",
            "Forward pass, mean softmax cross-entropy, gradients of all weights and biases "
            "(no optimizer update).",
            mlp_data(s.w3_sizes, s.w3_batch), MLP, tol=1e-4, tape_function=compile_mlp_grads,
        )
    if key == "W4":
        return Workload(
            "W4", f"{s.w4_ops} elementwise ops on {s.w4_n:,} float64 values and a sum: "
            "time and peak memory",
            "The W1 line repeated on a large array, then sum; gradient of the sum. Peak memory "
            "of one call from tracemalloc, measured apart from the timings, for the "
            "implementations whose allocations tracemalloc sees (NumPy-backed ones).",
            chain_data(s.w4_ops, s.w4_n, reduce=True), CHAIN_GRAD, tol=1e-9, ops=s.w4_ops,
            memory=("numpy", "tape", "tape-function", "autograd"),
            tape_function=compile_chain_grad,
        )
    if key == "W4t":
        return Workload(
            "W4t", f"W4 with tanh: {s.w4_ops} elementwise ops on {s.w4_n:,} float64 values "
            "and a sum: time and peak memory",
            "x = tanh(x)*0.9 + x*x*1e-3 repeated on a large array, then sum; gradient of the "
            "sum. The hand-written baseline keeps tanh(x) from the forward pass for the "
            "derivative 1 - tanh(x)^2 (W4's recomputes cos(x)). Peak memory as in W4.",
            chain_data(s.w4_ops, s.w4_n, reduce=True, fn="tanh"), CHAIN_GRAD, tol=1e-9,
            ops=s.w4_ops, memory=("numpy", "tape", "tape-function", "autograd"),
            tape_function=compile_chain_grad,
        )
    if key == "W5":
        return Workload(
            "W5", f"full Hessian of sum(tanh(A @ x)**2), x in R^{s.w5_n}",
            "A fixed random matrix; the Hessian with respect to x. tape uses nested tapes and "
            "GradientTape.jacobian when it exists.",
            hessian_data(s.w5_n), HESSIAN, tol=1e-9,
        )
    if key == "W6":
        return Workload(
            "W6", f"no tape: chain of {s.w6_ops:,} ops on ({s.w6_n},) float64 arrays, "
            "forward only",
            "The W2 chain without any tape and without gradients: the cost of each library's "
            "op dispatch against raw NumPy (torch without requires_grad, JAX op by op or "
            "jitted, autograd.numpy outside a trace).",
            chain_data(s.w6_ops, s.w6_n, reduce=False), CHAIN_FORWARD, tol=1e-12, ops=s.w6_ops,
        )
    if key == "W7":
        return Workload(
            "W7", f"Jacobian of M @ tanh(x), x in R^{s.w7_n}, float64",
            "A fixed random matrix M; the full Jacobian of the map x -> M @ tanh(x) (an "
            "elementwise map, then a matrix product), M diag(1 - tanh(x)^2). tape uses "
            "GradientTape.jacobian (all rows in one batched sweep); the peers torch.func.jacrev, "
            "autograd.jacobian and jax.jacrev. The baseline is the closed form.",
            jacobian_data(s.w7_n), JACOBIAN, tol=1e-9, tape_function=compile_tanh_jacobian,
        )
    if key == "W8":
        arch = "-".join(str(n) for n in s.w3_sizes)
        return Workload(
            "W8", f"per-example gradients of the W3 MLP ({arch}, batch {s.w3_batch}, float32)",
            "Every parameter's gradient of every example's loss, shape (batch, *param.shape): "
            "tape.vmap(tape.grad(loss), in_axes=(None, 0, 0)) on one example's loss; "
            "torch.func.vmap(torch.func.grad(...)), jax.vmap(jax.grad(...)), and a loop of "
            "autograd.grad (autograd has no vmap). The baseline is the W3 backward pass with "
            "per-example outer products. Peak memory as in W4.",
            mlp_data(s.w3_sizes, s.w3_batch), PER_EXAMPLE, tol=1e-4,
            memory=("numpy", "tape", "tape-function", "autograd"),
            tape_function=compile_per_example_grads, budget=3.0,
            first_call_reps=2,
        )
    raise ValueError(f"unknown workload {key!r}; choose from {', '.join(WORKLOAD_KEYS)}")
