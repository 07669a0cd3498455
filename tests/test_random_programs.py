"""Randomized programs: hypothesis draws DAGs of registered ops on random shapes, with reuse of
intermediate values and Python control flow, and tape must differentiate each correctly.

A program is a list of instructions over a pool of values (the inputs first); each appends one
value. It is interpreted twice: with NumPy, the independent reference, and with tape. Checks:

* the forward values agree with NumPy;
* the reverse-mode gradient of a random weighting of the outputs, and the Jacobians of the first
  output so weighted, agree with central finite differences of the NumPy program (every input
  element), from ``conftest.central_difference``;
* reverse and forward mode agree with each other, <J^T u, v> = <u, J v>, to rounding;
* ``tape.check_gradients(f, args, order=2)``: both modes against finite differences, and the
  second order through nested tapes.

A program may run stretches of its instructions inside ``tape.custom_gradient`` (whose
gradient is the stretch's own VJP, from a tape) or ``tape.recompute_grad``, nested or side by
side; the NumPy reference ignores them. Such programs are also differentiated in every nesting
of tapes and forward accumulators to second order (tape over tape, tape over accumulator,
accumulator over tape, accumulator over accumulator): each gives H v, checked against central
differences along v of the program's gradient computed without the wrappers.

Values are kept in safe domains: log and sqrt act on v^2 + 1/2, division is by w^2 + 1, exp only
on values of magnitude <= 3, and a condition (where, if, while) is used only when it is at least
1e-3 away from its threshold, so that finite differences never cross a branch.

Examples that failed once are kept in REGRESSIONS, as ordinary parametrized tests. Set
TAPE_RANDOM_PROGRAMS=<n> to explore with n fresh random examples instead of the fixed ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pytest
from conftest import central_difference
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import tape
from tape import GradientTape

MARGIN = 1e-3  # how far a condition must be from its threshold
EXP_LIMIT = 3.0  # exp only on |v| <= this
VALUE_LIMIT = 50.0  # every value of the program stays within this magnitude


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


# name: (NumPy reference, tape implementation). Domain-limited ops act on safe expressions.
UNARY: dict[str, tuple[Any, Any]] = {
    "sin": (np.sin, tape.sin),
    "cos": (np.cos, tape.cos),
    "tanh": (np.tanh, tape.tanh),
    "exp": (np.exp, tape.exp),  # guarded by EXP_LIMIT when drawn
    "square": (np.square, tape.square),
    "sigmoid": (_sigmoid, tape.sigmoid),
    "negative": (np.negative, lambda v: -v),
    "log_pos": (lambda v: np.log(v * v + 0.5), lambda v: tape.log(tape.square(v) + 0.5)),
    "sqrt_pos": (lambda v: np.sqrt(v * v + 0.5), lambda v: tape.sqrt(v * v + 0.5)),
    "np.sin": (np.sin, np.sin),  # NumPy's own function on a tensor: the dispatch protocol
    "np.exp_tanh": (lambda v: np.exp(np.tanh(v)), lambda v: np.exp(np.tanh(v))),
}
OPTIONAL_UNARY = {  # ops other engineers are adding: used when present
    "softplus": (lambda v: np.logaddexp(0.0, v), "softplus"),
    "atan": (np.arctan, "atan"),
    "asinh": (np.arcsinh, "asinh"),
    "log1p_pos": (lambda v: np.log1p(v * v), "log1p"),
}
for _name, (_ref, _attr) in OPTIONAL_UNARY.items():
    if hasattr(tape, _attr):
        _fn = getattr(tape, _attr)
        UNARY[_name] = (_ref, (lambda f: (lambda v: f(v * v)))(_fn) if _name == "log1p_pos"
                        else _fn)

BINARY: dict[str, tuple[Any, Any]] = {
    "add": (np.add, tape.add),
    "subtract": (np.subtract, tape.subtract),
    "multiply": (np.multiply, tape.multiply),
    "divide_pos": (lambda a, b: a / (b * b + 1.0), lambda a, b: a / (b * b + 1.0)),
    "operator+": (np.add, lambda a, b: a + b),
    "operator*": (np.multiply, lambda a, b: a * b),
    "np.subtract": (np.subtract, np.subtract),
}
if hasattr(tape, "pow"):
    BINARY["pow_pos"] = (
        lambda a, b: np.power(a * a + 0.5, np.tanh(b)),
        lambda a, b: tape.pow(a * a + 0.5, tape.tanh(b)),
    )
LOOP_BODIES = ["sin", "tanh", "sigmoid", "cos"]  # bounded: safe to iterate


def _np_logsumexp(v, axes, keepdims):
    return np.log(np.sum(np.exp(v), axis=axes, keepdims=keepdims))


# name: (NumPy(v, axes, keepdims), tape(v, axes, keepdims)), the optional ones when present
REDUCTIONS: dict[str, tuple[Any, Any]] = {
    "sum": (lambda v, a, k: np.sum(v, axis=a, keepdims=k), tape.reduce_sum),
    "mean": (lambda v, a, k: np.mean(v, axis=a, keepdims=k), tape.reduce_mean),
}
for _name, _ref in {
    "reduce_prod": lambda v, a, k: np.prod(v, axis=a, keepdims=k),
    "reduce_logsumexp": _np_logsumexp,
    "reduce_variance": lambda v, a, k: np.var(v, axis=a, keepdims=k),
}.items():
    if hasattr(tape, _name):
        REDUCTIONS[_name] = (_ref, getattr(tape, _name))


def _np_cumsum(v, axis, exclusive, reverse):
    if reverse:
        v = np.flip(v, axis)
    out = np.cumsum(v, axis)
    if exclusive:
        out = out - v
    return np.flip(out, axis) if reverse else out


# Shape ops and other structural ops: name: (NumPy, tape), same signatures.
SHAPE_OPS: dict[str, tuple[Any, Any]] = {}
for _name, _ref, _attr in [
    ("concat", lambda vs, axis: np.concatenate(vs, axis), "concat"),
    ("stack", lambda vs, axis: np.stack(vs, axis), "stack"),
    ("expand_dims", np.expand_dims, "expand_dims"),
    ("squeeze", np.squeeze, "squeeze"),
    ("tile", np.tile, "tile"),
    ("broadcast_to", np.broadcast_to, "broadcast_to"),
    ("gather", lambda v, idx, axis: np.take(v, idx, axis), "gather"),
    ("cumsum", _np_cumsum, "cumsum"),
]:
    if hasattr(tape, _attr):
        _fn = getattr(tape, _attr)
        if _name == "gather":
            _fn = (lambda f: lambda v, idx, axis: f(v, idx, axis=axis))(_fn)
        SHAPE_OPS[_name] = (_ref, _fn)


class Backend:
    """The operations a program needs, in NumPy or in tape."""

    def __init__(self, which: int) -> None:  # 0: NumPy, 1: tape
        self.which = which
        self.unary = {k: v[which] for k, v in UNARY.items()}
        self.binary = {k: v[which] for k, v in BINARY.items()}
        if which == 0:
            self.reduce = {k: v[0] for k, v in REDUCTIONS.items()}
            self.shape_ops = {k: v[0] for k, v in SHAPE_OPS.items()}
            self.matmul, self.reshape, self.transpose = np.matmul, np.reshape, np.transpose
            self.getitem = lambda v, key: v[key]
            self.where = lambda c, a, b: np.where(c > 0, a, b)
            self.total = lambda v: float(np.sum(v))
        else:
            self.reduce = {k: v[1] for k, v in REDUCTIONS.items()}
            self.shape_ops = {k: v[1] for k, v in SHAPE_OPS.items()}
            self.matmul, self.reshape = tape.matmul, tape.reshape
            self.transpose = lambda v, perm: tape.transpose(v, perm)
            self.getitem = lambda v, key: v[key]
            self.where = lambda c, a, b: tape.where(c > 0, a, b)
            # (explicit: the margin is a number)
            self.total = lambda v: float(tape.reduce_sum(v).numpy())


NP, TP = Backend(0), Backend(1)


def _reduce(B, kind, v, axes, keepdims):
    return B.reduce[kind](v, axes, keepdims)


def execute(instr: tuple, pool: list, B: Backend) -> tuple[Any, float]:
    """Run one instruction; return its value and the distance of its condition (if any) from
    the threshold (inf when it has none)."""
    kind = instr[0]
    if kind == "unary":
        _, name, i = instr
        return B.unary[name](pool[i]), np.inf
    if kind == "binary":
        _, name, i, j = instr
        return B.binary[name](pool[i], pool[j]), np.inf
    if kind == "const":
        _, name, i, c = instr
        c = np.asarray(c)
        return (B.binary[name](c, pool[i]) if name == "subtract" else
                B.binary[name](pool[i], c)), np.inf
    if kind == "reduce":
        _, how, i, axes, keepdims = instr
        return _reduce(B, how, pool[i], axes, keepdims), np.inf
    if kind == "matmul":
        _, i, j = instr
        b = np.asarray(j) if isinstance(j, (list, np.ndarray)) else pool[j]
        return B.matmul(pool[i], b), np.inf
    if kind == "shape_op":
        _, name, operands, *rest = instr
        values = [pool[k] for k in operands]
        if name in ("concat", "stack"):
            return B.shape_ops[name](values, *rest), np.inf
        return B.shape_ops[name](*values, *rest), np.inf
    if kind == "reshape":
        _, i, shape = instr
        return B.reshape(pool[i], shape), np.inf
    if kind == "transpose":
        _, i, perm = instr
        return B.transpose(pool[i], perm), np.inf
    if kind == "slice":
        _, i, key = instr
        return B.getitem(pool[i], key), np.inf
    if kind == "where":
        _, c, a, b = instr
        margin = float(np.min(np.abs(np.asarray(pool[c] if B.which == 0 else pool[c].numpy()))))
        return B.where(pool[c], pool[a], pool[b]), margin
    if kind == "if":  # Python control flow on a value
        _, i, then, other = instr
        s = B.total(pool[i])
        return (B.unary[then](pool[i]) if s > 0 else B.unary[other](pool[i])), abs(s)
    if kind == "loop":  # a fixed number of iterations reusing an earlier value each time
        _, i, j, body, n = instr
        v = pool[i]
        for _ in range(n):
            v = B.unary[body](v) + pool[j] * 0.5
        return v, np.inf
    if kind == "while":  # a data-dependent number of iterations
        _, i, limit = instr
        v, margin, k = pool[i], np.inf, 0
        while k < 3:
            s = B.total(v * v)
            margin = min(margin, abs(s - limit))
            if s >= limit:
                break
            v, k = v * 1.5 + 0.25, k + 1
        return v, margin
    raise AssertionError(f"unknown instruction {instr!r}")


@dataclass
class Program:
    inputs: list
    instrs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)  # pool indices returned
    # (wrapper, start, stop): instructions start..stop-1 run inside the wrapper (tape only);
    # outermost first, each nested in an earlier one or apart from it
    wraps: list = field(default_factory=list)

    def run(self, xs: list, B: Backend) -> list:
        pool = list(xs)
        if B.which == 1 and self.wraps:
            _run_wrapped(pool, self.instrs, 0, len(self.instrs), self.wraps)
        else:
            for instr in self.instrs:
                pool.append(execute(instr, pool, B)[0])
        return [pool[k] for k in self.outputs]

    def unwrapped(self) -> Program:
        return Program(self.inputs, self.instrs, self.outputs)

    def __repr__(self) -> str:
        with np.printoptions(threshold=20, precision=17):
            lines = [f"inputs: {[np.asarray(x) for x in self.inputs]}"]
        n = len(self.inputs)
        lines += [f"  v{n + k} = {ins!r}" for k, ins in enumerate(self.instrs)]
        lines.append(f"  return {[f'v{k}' for k in self.outputs]}")
        lines += [f"  {kind}: instructions {a}..{b - 1}" for kind, a, b in self.wraps]
        return "\n".join(lines)


def _custom(segment):
    """``segment`` under ``tape.custom_gradient``, its gradient the segment's VJP from a tape
    (written with tape ops, so outer tapes and accumulators differentiate it again)."""

    @tape.custom_gradient
    def custom(*values):
        xs = [tape.identity(v) for v in values]  # one source per argument, even if repeated
        with GradientTape(persistent=True) as t:
            t.watch(xs)
            ys = segment(*xs)

        def grad_fn(*upstream):
            return t.gradient(ys, xs, output_gradients=list(upstream),
                              unconnected_gradients="zero")

        return ys, grad_fn

    return custom


WRAPPERS = {"recompute_grad": tape.recompute_grad, "custom_gradient": _custom}


def _run_wrapped(pool: list, instrs: list, lo: int, hi: int, wraps: list) -> None:
    """Run instructions lo..hi-1 on ``pool`` with tape; a stretch that a wrapper starts runs as
    one call of the wrapped function, from the whole pool to the values it appends."""
    k = lo
    while k < hi:
        i = next((i for i, w in enumerate(wraps) if w[1] == k), None)
        if i is None:
            pool.append(execute(instrs[k], pool, TP)[0])
            k += 1
            continue
        kind, a, b = wraps[i]
        inner = [w for w in wraps[i + 1:] if a <= w[1] and w[2] <= b]
        n = len(pool)

        def segment(*values, a=a, b=b, inner=inner, n=n):
            p = list(values)
            _run_wrapped(p, instrs, a, b, inner)
            return p[n:]

        pool.extend(WRAPPERS[kind](segment)(*pool))
        k = b


# --------------------------------------------------------------------------- the generator

SHAPES = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)
BIG_SIZE = 60_000
BIG_SHAPES = st.lists(st.sampled_from([1, 3, 16_500]), min_size=1, max_size=2).map(tuple).filter(
    lambda s: int(np.prod(s)) <= BIG_SIZE
)
ELEMENTS = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False, allow_subnormal=False)
KINDS = ["unary", "binary", "const", "reduce", "matmul", "reshape", "transpose", "slice",
         "where", "if", "loop", "while", "shape_op"]


def _broadcasts(a: tuple, b: tuple) -> bool:
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def _slice_key(draw, shape: tuple) -> tuple:
    if draw(st.integers(0, 3)) == 0:  # advanced indexing, an element picked several times
        idx = draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=4))
        return (np.array(idx),)
    key = []
    for n in shape:
        if n > 1 and draw(st.booleans()):
            key.append(draw(st.integers(-n, n - 1)))  # an integer index drops the axis
            continue
        start = draw(st.integers(0, n - 1))
        stop = draw(st.integers(start + 1, n))
        if draw(st.booleans()):
            key.append(slice(start, stop))
        else:  # reversed
            key.append(slice(stop - 1, None if start == 0 else start - 1, -1))
    return tuple(key)


def _constant(draw, shape: tuple, big: bool) -> np.ndarray:
    """A constant operand: drawn element by element, or from a drawn seed for big arrays."""
    if big:
        seed = draw(st.integers(0, 2**32 - 1))
        return np.random.default_rng(seed).uniform(-2.0, 2.0, shape)
    return draw(arrays(np.float64, shape, elements=ELEMENTS))


def _matmul_size(a: tuple, b: tuple) -> int:
    if len(b) == 1:
        return int(np.prod(a[:-1]))
    out = np.broadcast_shapes(a[:-2], b[:-2]) + a[-2:-1] + b[-1:]
    return int(np.prod(out))


def _draw_instr(draw, pool: list, big: bool = False) -> tuple:
    """Draw one instruction valid on ``pool`` (NumPy values); fall back to a unary op."""
    n = len(pool)
    index = st.integers(0, n - 1)
    i = draw(index)
    v = pool[i]
    kind = draw(st.sampled_from(KINDS))
    if kind == "binary":
        partners = [j for j in range(n) if _broadcasts(v.shape, pool[j].shape)]
        j = draw(st.sampled_from(partners))
        return ("binary", draw(st.sampled_from(sorted(BINARY))), i, j)
    if kind == "const":
        shape = draw(st.sampled_from([(), v.shape[-1:], v.shape]))
        c = _constant(draw, shape, big)
        return ("const", draw(st.sampled_from(["add", "subtract", "multiply"])), i, c)
    if kind == "reduce":
        axes = None
        if v.ndim and draw(st.booleans()):
            axes = tuple(sorted(draw(st.sets(st.integers(0, v.ndim - 1), min_size=1))))
        how = draw(st.sampled_from(sorted(REDUCTIONS)))
        return ("reduce", how, i, axes, draw(st.booleans()))
    if kind == "matmul" and v.ndim >= 1:
        k = v.shape[-1]
        partners = [  # (..., m, k) @ (k,) or (..., k, n) with broadcasting batch axes
            j for j in range(n)
            if (pool[j].ndim == 1 and pool[j].shape[0] == k)
            or (pool[j].ndim >= 2 and pool[j].shape[-2] == k
                and _broadcasts(v.shape[:-2], pool[j].shape[:-2]))
        ]
        partners = [j for j in partners if _matmul_size(v.shape, pool[j].shape) <= BIG_SIZE]
        if partners and draw(st.booleans()):
            return ("matmul", i, draw(st.sampled_from(partners)))
        cols = draw(st.integers(1, 3))
        return ("matmul", i, _constant(draw, (k, cols), big))
    if kind == "reshape":
        size = v.size
        shapes = [(size,), (1, size), (size, 1), v.shape[::-1]] + ([()] if size == 1 else [])
        return ("reshape", i, draw(st.sampled_from(shapes)))
    if kind == "transpose" and v.ndim >= 2:
        return ("transpose", i, tuple(draw(st.permutations(range(v.ndim)))))
    if kind == "slice" and v.ndim >= 1:
        return ("slice", i, _slice_key(draw, v.shape))
    if kind == "where":
        conds = [c for c in range(n) if np.min(np.abs(pool[c]), initial=np.inf) > MARGIN]
        if conds:
            c = draw(st.sampled_from(conds))
            fits = [j for j in range(n) if _broadcasts(pool[c].shape, pool[j].shape)]
            a = draw(st.sampled_from(fits))
            both = np.broadcast_shapes(pool[c].shape, pool[a].shape)
            b = draw(st.sampled_from([j for j in fits if _broadcasts(both, pool[j].shape)]))
            return ("where", c, a, b)
    if kind == "if" and abs(float(np.sum(v))) > MARGIN:
        names = sorted(k for k in UNARY if k != "exp")
        return ("if", i, draw(st.sampled_from(names)), draw(st.sampled_from(names)))
    if kind == "loop":
        fits = [j for j in range(n) if _broadcasts(v.shape, pool[j].shape)
                and np.broadcast_shapes(v.shape, pool[j].shape) == v.shape]
        return ("loop", i, draw(st.sampled_from(fits)), draw(st.sampled_from(LOOP_BODIES)),
                draw(st.integers(1, 3)))
    if kind == "while":
        return ("while", i, draw(st.sampled_from([0.5, 2.0, 8.0])))
    if kind == "shape_op" and SHAPE_OPS:
        instr = _draw_shape_op(draw, pool, i)
        if instr is not None:
            return instr
    names = sorted(UNARY)
    if np.max(np.abs(v), initial=0.0) > EXP_LIMIT:
        names.remove("exp")
    return ("unary", draw(st.sampled_from(names)), i)


def _draw_shape_op(draw, pool: list, i: int) -> tuple | None:
    v = pool[i]
    name = draw(st.sampled_from(sorted(SHAPE_OPS)))
    if name in ("concat", "stack") and v.ndim >= (1 if name == "concat" else 0):
        axis = draw(st.integers(0, v.ndim - 1 if name == "concat" else v.ndim))
        if name == "stack":
            same = [j for j in range(len(pool)) if pool[j].shape == v.shape]
        else:
            same = [j for j in range(len(pool)) if pool[j].ndim == v.ndim
                    and all(a == b for k, (a, b) in enumerate(zip(pool[j].shape, v.shape))
                            if k != axis)]
        others = draw(st.lists(st.sampled_from(same), min_size=1, max_size=2))
        return ("shape_op", name, [i, *others], axis)
    if name == "expand_dims":
        return ("shape_op", name, [i], draw(st.integers(-v.ndim - 1, v.ndim)))
    if name == "squeeze" and 1 in v.shape:
        return ("shape_op", name, [i], v.shape.index(1))
    if name == "tile" and v.ndim >= 1:
        return ("shape_op", name, [i], tuple(draw(st.integers(1, 2)) for _ in v.shape))
    if name == "broadcast_to" and v.ndim <= 2:
        shape = tuple(2 if n == 1 and draw(st.booleans()) else n for n in v.shape)
        return ("shape_op", name, [i], (draw(st.integers(1, 2)),) + shape)
    if name == "gather" and v.ndim >= 1:
        axis = draw(st.integers(0, v.ndim - 1))
        n = v.shape[axis]
        idx = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4))  # repeats too
        return ("shape_op", name, [i], np.array(idx), axis)
    if name == "cumsum" and v.ndim >= 1:
        return ("shape_op", name, [i], draw(st.integers(0, v.ndim - 1)), draw(st.booleans()),
                draw(st.booleans()))
    return None


@st.composite
def programs(draw, min_steps: int = 3, max_steps: int = 10, big: bool = False) -> Program:
    if big:  # arrays large enough for the engine's in-place summation of cotangents
        shapes = draw(st.lists(BIG_SHAPES, min_size=1, max_size=3))
        inputs = [_constant(draw, s, big) for s in shapes]
    else:
        shapes = draw(st.lists(SHAPES, min_size=1, max_size=3))
        inputs = [draw(arrays(np.float64, s, elements=ELEMENTS)) for s in shapes]
    prog = Program(inputs)
    pool = [x.copy() for x in inputs]
    for _ in range(draw(st.integers(min_steps, max_steps))):
        instr = _draw_instr(draw, pool, big)
        with np.errstate(all="ignore"):
            value, margin = execute(instr, pool, NP)
        value = np.asarray(value, dtype=np.float64)
        if (margin <= MARGIN or not np.all(np.isfinite(value))
                or np.max(np.abs(value), initial=0.0) > VALUE_LIMIT):
            break  # a program stays in its safe domain: stop before the bad step
        prog.instrs.append(instr)
        pool.append(value)
    last = len(pool) - 1
    extra = draw(st.integers(0, last))
    prog.outputs = [last] if extra == last or not draw(st.booleans()) else [last, extra]
    return prog


@st.composite
def wrapped_programs(draw) -> Program:
    """A program with one or two stretches under custom_gradient or recompute_grad: nested,
    side by side, or one stretch under both."""
    prog = draw(programs(min_steps=2, max_steps=6))
    m = len(prog.instrs)
    assume(m >= 1)
    kinds = st.sampled_from(sorted(WRAPPERS))
    a = draw(st.integers(0, m - 1))
    b = draw(st.integers(a + 1, m))
    prog.wraps = [(draw(kinds), a, b)]
    second = draw(st.sampled_from(["none", "inside", "after"]))
    if second == "inside":
        a2 = draw(st.integers(a, b - 1))
        prog.wraps.append((draw(kinds), a2, draw(st.integers(a2 + 1, b))))
    elif second == "after" and b < m:
        a2 = draw(st.integers(b, m - 1))
        prog.wraps.append((draw(kinds), a2, draw(st.integers(a2 + 1, m))))
    return prog


# --------------------------------------------------------------------------- the checks


def tape_function(prog: Program):
    def f(*xs):
        out = prog.run(list(xs), TP)
        return out if len(out) > 1 else out[0]

    return f


def check_program(prog: Program, per_element: bool = True) -> None:
    xs = [np.array(x, dtype=np.float64) for x in prog.inputs]
    f = tape_function(prog)
    rng = np.random.default_rng(len(prog.instrs))

    # 1. forward values against NumPy
    expected = prog.run(xs, NP)
    got = prog.run([tape.constant(x) for x in xs], TP)
    for e, g in zip(expected, got):
        assert g.shape == np.shape(e)
        assert g.dtype == tape.float64
        np.testing.assert_allclose(g.numpy(), e, rtol=1e-10, atol=1e-12)

    # 2. reverse mode against central differences of the NumPy program, every element
    weights = [rng.standard_normal(np.shape(e)) for e in expected]
    sources = [tape.constant(x) for x in xs]
    with GradientTape() as t:
        t.watch(sources)
        outs = prog.run(sources, TP)
    grads = t.gradient(outs, sources, output_gradients=[tape.constant(w) for w in weights],
                       unconnected_gradients="zero")
    if per_element:
        _check_per_element(prog, xs, sources, grads, weights)

    # 3. reverse and forward mode agree: <J^T u, v> = <u, J v>
    directions = [rng.standard_normal(x.shape) for x in xs]
    primals = [tape.constant(x) for x in xs]
    with tape.autodiff.ForwardAccumulator(primals, [tape.constant(d) for d in directions]) as acc:
        outs = prog.run(primals, TP)
    jv = [acc.jvp(o, unconnected_gradients="zero").numpy() for o in outs]
    lhs = sum(float(np.sum(g.numpy() * d)) for g, d in zip(grads, directions))
    rhs = sum(float(np.sum(w * j)) for w, j in zip(weights, jv))
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-10)

    # 4. both modes against finite differences, to second order through nested tapes
    tape.check_gradients(f, xs, order=2 if per_element else 1)


def _check_per_element(prog, xs, sources, grads, weights) -> None:
    """The gradient, and the weighted Jacobians of the first output, against central
    differences of the NumPy program in every input element."""

    def weighted(*values):
        return sum(float(np.sum(w * o)) for w, o in zip(weights, prog.run(list(values), NP)))

    reference = central_difference(weighted, xs)
    for g, r, x in zip(grads, reference, xs):
        assert g.shape == x.shape and g.dtype == tape.float64
        np.testing.assert_allclose(g.numpy(), r, rtol=1e-6, atol=1e-6)

    # 2b. the Jacobians of the first output, weighted, give the same (finite differences of
    # the first output alone)
    with GradientTape() as t:
        t.watch(sources)
        first = prog.run(sources, TP)[0]
    jacobians = t.jacobian(first, sources, unconnected_gradients="zero")
    w = weights[0]
    reference = central_difference(lambda *v: w * prog.run(list(v), NP)[0], xs)
    for j, r, x in zip(jacobians, reference, xs):
        assert j.shape == np.shape(w) + x.shape
        contracted = np.tensordot(w, j.numpy(), axes=np.ndim(w))
        np.testing.assert_allclose(contracted, r, rtol=1e-6, atol=1e-6)


def _weighted_sum(prog: Program, xs: list, weights: list) -> Any:
    """The tape scalar sum_k <w_k, output_k>, of a differentiable program run."""
    outs = prog.run(xs, TP)
    return sum(tape.reduce_sum(o * tape.constant(w)) for o, w in zip(outs, weights))


def check_nestings(prog: Program, h: float = 2e-6) -> None:
    """First and second derivatives of s = sum_k <w_k, output_k> through every nesting of tapes
    (T) and forward accumulators (A): T and A give the gradient and J v, checked against
    central differences of the NumPy program; TT, TA (a tape over an accumulator), AT and AA
    give H v (AA: <v2, H v>), checked against central differences along v of the gradient of
    the program without its wrappers (itself checked against the NumPy program), with steps
    h and 2h combined to cancel the error term in h^2."""
    xs = [np.array(x, dtype=np.float64) for x in prog.inputs]
    rng = np.random.default_rng(len(prog.instrs) + 7)
    expected = prog.run(xs, NP)
    weights = [rng.standard_normal(np.shape(e)) for e in expected]
    v = [rng.standard_normal(x.shape) for x in xs]
    v2 = [rng.standard_normal(x.shape) for x in xs]
    V, V2 = [tape.constant(d) for d in v], [tape.constant(d) for d in v2]
    Acc = tape.autodiff.ForwardAccumulator

    def weighted(*values):
        return sum(float(np.sum(w * o)) for w, o in zip(weights, prog.run(list(values), NP)))

    plain = prog.unwrapped()

    def plain_gradient(at: list) -> list:
        x = [tape.constant(a) for a in at]
        with GradientTape() as t:
            t.watch(x)
            s = _weighted_sum(plain, x, weights)
        return [g.numpy() for g in t.gradient(s, x, unconnected_gradients="zero")]

    g_ref = central_difference(weighted, xs)
    for g, r in zip(plain_gradient(xs), g_ref):
        np.testing.assert_allclose(g, r, rtol=1e-6, atol=1e-6)

    def difference(step: float) -> list:
        up = plain_gradient([x + step * d for x, d in zip(xs, v)])
        down = plain_gradient([x - step * d for x, d in zip(xs, v)])
        return [(a - b) / (2 * step) for a, b in zip(up, down)]

    # Richardson's extrapolation cancels the h^2 term: steep programs (a product of many
    # factors) have third derivatives large enough to show in a plain central difference
    hv_ref = [(4 * a - b) / 3 for a, b in zip(difference(h), difference(2 * h))]
    scale = max([1.0] + [float(np.max(np.abs(r), initial=0.0)) for r in hv_ref])

    def close(got: list, ref: list, what: str, tol: float = 1e-5) -> None:
        for k, (g, r) in enumerate(zip(got, ref)):
            np.testing.assert_allclose(np.asarray(g.numpy()), r, rtol=tol, atol=tol * scale,
                                       err_msg=f"{what}, input {k}")

    def sources() -> list:
        return [tape.constant(x) for x in xs]

    # first order
    x = sources()
    with GradientTape() as t:
        t.watch(x)
        s = _weighted_sum(prog, x, weights)
    close(t.gradient(s, x, unconnected_gradients="zero"), g_ref, "T", 1e-6)
    x = sources()
    with Acc(x, V) as acc:
        s = _weighted_sum(prog, x, weights)
    jv_ref = sum(float(np.sum(r * d)) for r, d in zip(g_ref, v))
    close([acc.jvp(s, unconnected_gradients="zero")], [jv_ref], "A", 1e-6)

    # second order: H v
    x = sources()
    with GradientTape() as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            s = _weighted_sum(prog, x, weights)
        g = inner.gradient(s, x, unconnected_gradients="zero")
        gv = sum(tape.reduce_sum(a * d) for a, d in zip(g, V))
    close(outer.gradient(gv, x, unconnected_gradients="zero"), hv_ref, "TT")

    x = sources()
    with GradientTape() as outer:
        outer.watch(x)
        with Acc(x, V) as acc:
            s = _weighted_sum(prog, x, weights)
        jv = acc.jvp(s, unconnected_gradients="zero")
    close(outer.gradient(jv, x, unconnected_gradients="zero"), hv_ref, "TA")

    x = sources()
    with Acc(x, V) as acc:
        with GradientTape() as inner:
            inner.watch(x)
            s = _weighted_sum(prog, x, weights)
        g = inner.gradient(s, x, unconnected_gradients="zero")
    close(acc.jvp(g, unconnected_gradients="zero"), hv_ref, "AT")

    x = sources()
    with Acc(x, V2) as acc2:
        with Acc(x, V) as acc:
            s = _weighted_sum(prog, x, weights)
        jv = acc.jvp(s, unconnected_gradients="zero")
    vhv_ref = sum(float(np.sum(r * d)) for r, d in zip(hv_ref, v2))
    close([acc2.jvp(jv, unconnected_gradients="zero")], [vhv_ref], "AA")


_EXPLORE = int(os.environ.get("TAPE_RANDOM_PROGRAMS", "0"))
SETTINGS = settings(
    max_examples=_EXPLORE or 60,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the checkout
    derandomize=not _EXPLORE,  # the same examples on every run, unless exploring
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(prog=programs())
def test_random_programs(prog):
    note(repr(prog))
    check_program(prog)


@settings(SETTINGS, max_examples=_EXPLORE or 15)
@given(prog=programs(big=True))
def test_random_programs_on_large_arrays(prog):
    """Arrays of 16,500 elements and more, where the engine sums large cotangents in place:
    forward values, reverse against forward mode, and both against finite differences along
    random directions (per-element differences would be too slow here)."""
    note(repr(prog))
    check_program(prog, per_element=False)


@SETTINGS
@given(prog=programs(min_steps=1, max_steps=3))
def test_random_short_programs_at_first_order_in_forward_and_reverse(prog):
    """Short programs exercise more shapes per second: first order only."""
    note(repr(prog))
    xs = [np.array(x, dtype=np.float64) for x in prog.inputs]
    tape.check_gradients(tape_function(prog), xs, order=1)


@settings(SETTINGS, max_examples=_EXPLORE or 30)
@given(prog=wrapped_programs())
def test_random_programs_with_custom_gradients_in_every_nesting(prog):
    """Stretches under custom_gradient and recompute_grad: the checks of every program, and
    first and second order through each nesting of tapes and accumulators."""
    note(repr(prog))
    check_program(prog)
    check_nestings(prog)


# --------------------------------------------------------------------------- regressions

REGRESSIONS: dict[str, Program] = {
    # name: Program(inputs, instrs, outputs), kept from examples that once failed
}

# Hand-written programs covering each instruction kind at least once, as a baseline that does
# not depend on what hypothesis happens to draw.
BASELINE: dict[str, Program] = {
    "reuse-and-control-flow": Program(
        [np.array([[0.5, -1.2, 0.3], [1.1, 0.4, -0.7]]), np.array([0.2, -0.6, 1.3])],
        [
            ("binary", "multiply", 0, 1),  # v2 (2, 3)
            ("unary", "log_pos", 2),  # v3
            ("where", 0, 3, 2),  # v4: v0 has no element near 0
            ("if", 1, "tanh", "sin"),  # v5 (3,)
            ("loop", 4, 5, "sigmoid", 2),  # v6, reusing v5 twice
            ("matmul", 6, [[1.0], [-0.5], [2.0]]),  # v7 (2, 1)
            ("transpose", 0, (1, 0)),  # v8 (3, 2)
            ("matmul", 8, 7),  # v9 (3, 1)
            ("slice", 6, (slice(1, None, -1), slice(0, 3))),  # v10 (2, 3)
            ("reduce", "mean", 10, (1,), True),  # v11 (2, 1)
            ("const", "subtract", 11, np.array([0.25])),  # v12
            ("while", 12, 2.0),  # v13
            ("reshape", 13, (1, 2)),  # v14
            ("binary", "divide_pos", 9, 14),  # v15 (3, 2)
        ],
        [15, 5],
    ),
    "scalars-and-broadcasting": Program(
        [np.array(0.7), np.array([[1.5], [-0.5]])],
        [
            ("binary", "add", 0, 1),  # v2 (2, 1)
            ("unary", "sqrt_pos", 2),
            ("reduce", "sum", 3, None, False),  # v4 ()
            ("binary", "operator*", 4, 1),  # v5 (2, 1)
            ("unary", "exp", 5),
            ("slice", 6, (0, slice(0, 1))),  # v7 (1,)
            ("binary", "np.subtract", 7, 0),
        ],
        [8],
    ),
}


# The same programs with stretches under custom_gradient and recompute_grad: nested in each
# other, side by side, one stretch under both, a stretch with control flow, one that reuses a
# value it gets twice.
_FLOW = BASELINE["reuse-and-control-flow"]
_SCALARS = BASELINE["scalars-and-broadcasting"]
BASELINE.update({
    "recompute-around-custom": replace(
        _FLOW, wraps=[("recompute_grad", 1, 12), ("custom_gradient", 3, 7)]),
    "custom-around-recompute": replace(
        _FLOW, wraps=[("custom_gradient", 0, 14), ("recompute_grad", 10, 14)]),
    "side-by-side": replace(
        _SCALARS, wraps=[("custom_gradient", 0, 3), ("recompute_grad", 3, 6)]),
    "one-stretch-under-both": replace(
        _SCALARS, wraps=[("recompute_grad", 2, 6), ("custom_gradient", 2, 6)]),
})


@pytest.mark.parametrize("name", list(REGRESSIONS) + list(BASELINE))
def test_kept_programs(name):
    prog = REGRESSIONS.get(name) or BASELINE[name]
    check_program(prog)
    if prog.wraps:
        check_nestings(prog)
