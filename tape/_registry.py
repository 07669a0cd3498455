"""The table of primitives: each op's forward computation and gradient rules, side by side.

A gradient rule (VJP) for argument ``i`` is a function ``vjp(g, ans, *args, **static)`` that
returns the cotangent of argument ``i`` given the cotangent ``g`` of the output ``ans``. Rules
are written with NumPy functions and operators. In a plain ``gradient()`` call they receive
NumPy values and run at NumPy speed; when an outer tape is recording they receive tensors, and
NumPy's ``__array_ufunc__``/``__array_function__`` protocols send the same calls back through
the tape, so the backward computation is itself recorded (higher-order gradients).

A forward-mode rule (JVP) for argument ``i`` is ``jvp(t, ans, *args, **static)``: the
output's tangent contributed by the tangent ``t`` of argument ``i``. JVP rules always run on
tensors.

Rules return the cotangent in the output's shape and the tangent in the argument's
broadcast shape: undoing broadcasting and restoring dtypes happen in one place,
:func:`tape._sweep.fit` and :func:`tape._record.fit_tangent`.
"""

from __future__ import annotations

import dis
import functools
import inspect
import sys
from collections.abc import Callable, Sequence
from types import CodeType
from typing import Any, TypeVar

import numpy as np

VJP = Callable[..., Any]
JVP = Callable[..., Any]

PRIMITIVES: dict[str, Primitive] = {}
UFUNCS: dict[np.ufunc, Callable[..., Any]] = {}  # NumPy ufunc -> tape function
# NumPy function -> tape function (same signature)
FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {}


_G = TypeVar("_G")


def through(g: _G, ans: object, *args: object, **static: object) -> _G:
    """The gradient rule that passes the cotangent on unchanged (``x + y`` for either
    argument, ``identity``). The backward sweep recognises it and skips the call."""
    return g


class Primitive:
    """One entry of the op table.

    ``saves[i]`` (the argument positions whose values the VJP of argument ``i`` reads, or
    None for all) and ``saves_ans[i]`` (whether it reads the output) are read off the rules'
    code when the op is declared (:func:`rule_reads`), so that a tape keeps only the values
    the rules it will run need.
    """

    __slots__ = (
        "name", "fwd", "vjps", "jvps", "differentiable", "saves", "saves_ans", "joint",
        "elementwise", "linear", "keeps", "batch", "complex", "twin",
    )

    def __init__(
        self,
        name: str,
        fwd: Callable[..., Any],
        vjps: Sequence[VJP | None] = (),
        jvps: Sequence[JVP | None] = (),
        differentiable: bool = True,
        joint: Callable[..., Any] | None = None,
        linear: bool = False,
        batch: Callable[..., Any] | None = None,
        complex: bool | str = False,  # noqa: A002 - the column's name
    ) -> None:
        self.name = name
        self.fwd = fwd
        # ``joint(g, ans, *args)`` gives every argument's cotangent in one call, for rules
        # that cannot be split per argument (a user's custom gradient).
        self.joint = joint
        self.vjps = vjps if isinstance(vjps, PerPosition) else tuple(vjps)
        self.jvps = jvps if isinstance(jvps, PerPosition) else tuple(jvps)
        self.differentiable = differentiable
        # Linear in its (only) differentiable first argument: the JVP of argument 0 is the
        # op itself applied to the tangent (``tape._record.push_tangents`` does that).
        self.linear = linear
        # Whether the output has the broadcast shape of the arguments (so that it is at least
        # as large as each of them); set by ``tape.ops._define.elementwise``.
        self.elementwise = False
        # The batching rule (``tape._batch``): the op on a batch of examples at once, by
        # ``batch(prim, args, batched, ndims, rank, static, size)``; None: it runs once per
        # example.
        self.batch = batch
        # Complex values: True when the rules hold for them as written (ops linear with real
        # coefficients, rules written for complex values); "holomorphic" when the rules are
        # the transposes of a complex derivative, which the engine conjugates around (see
        # :func:`conjugated`); False when the op refuses to differentiate complex values.
        # (an op without rules has none that complex values could make wrong: tracers record
        # comparisons of complex values too)
        self.complex = complex if differentiable else True
        # a holomorphic op's conjugated twin (built on first use); a twin's: the op itself
        self.twin: Primitive | None = None
        self.saves, self.saves_ans = rule_reads(self.vjps)
        # per tuple of connected argument positions, what their rules read (see
        # tape._record._keep), worked out on first use
        self.keeps: dict[tuple[int, ...], tuple[frozenset[int] | None, bool]] = {}

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


_LOADS = ("LOAD_DEREF", "LOAD_CLOSURE", "MAKE_CELL", "LOAD_FROM_DICT_OR_DEREF")


@functools.cache
def _loaded(code: CodeType) -> frozenset[str] | None:
    """Names of local variables that ``code`` reads (None when it cannot tell). Any
    instruction that loads a fast local counts, fused ones included (``LOAD_FAST_LOAD_FAST``,
    ``STORE_FAST_LOAD_FAST``...): reading too much only keeps a value, reading too little
    would drop one a rule needs."""
    if "locals" in code.co_names or "vars" in code.co_names:
        return None
    names: set[str] = set()
    for ins in dis.get_instructions(code):
        if "LOAD_FAST" in ins.opname or ins.opname in _LOADS:
            arg = ins.argval
            names.update(arg if isinstance(arg, tuple) else (arg,))
    return frozenset(names)


def rule_reads(
    vjps: Sequence[VJP | None],
) -> tuple[tuple[frozenset[int] | None, ...] | None, tuple[bool, ...] | None]:
    """Per VJP: which argument values (by position) it reads, and whether it reads the
    output value (None for an op whose rules cannot be read, which then keeps everything).

    Learned once, when the op is declared, from the rules' bytecode: which of their
    parameters they load. A tape recording a large array then keeps it only if a rule it may
    run reads it, so that values no gradient needs are freed as soon as the user's code
    drops them. (A rule replaced after declaration needs ``saves`` set again.)"""
    if isinstance(vjps, PerPosition):
        return None, None
    saves: list[frozenset[int] | None] = []
    answers: list[bool] = []
    for rule in vjps:
        # Plain functions only: a bound method's or a partial's parameters do not line up.
        code = getattr(rule, "__code__", None) if inspect.isfunction(rule) else None
        used = _loaded(code) if code is not None else None
        if used is None or code.co_flags & inspect.CO_VARARGS and (
            code.co_varnames[code.co_argcount + code.co_kwonlyargcount] in used
        ):
            saves.append(None)
            answers.append(True)
            continue
        params = code.co_varnames[: code.co_argcount]
        answers.append(len(params) > 1 and params[1] in used)
        saves.append(frozenset(k for k, name in enumerate(params[2:]) if name in used))
    return tuple(saves), tuple(answers)


class PerPosition(Sequence):
    """The rules of an op with any number of operands (concat, stack): ``rule_at(i)`` gives
    the rule for operand ``i``."""

    def __init__(self, rule_at: Callable[[int], VJP | JVP | None]) -> None:
        self._rule_at = functools.lru_cache(maxsize=None)(rule_at)

    def __getitem__(self, i: int) -> VJP | JVP | None:  # type: ignore[override]
        return self._rule_at(i)

    def __len__(self) -> int:
        return sys.maxsize


def defprim(
    name: str,
    fwd: Callable[..., Any],
    *vjps: VJP | None,
    jvps: Sequence[JVP | None] | None = None,
    linear: bool = False,
    differentiable: bool = True,
    vjp_at: Callable[[int], VJP] | None = None,
    jvp_at: Callable[[int], JVP] | None = None,
    batch: Callable[..., Any] | None = None,
    complex: bool | str = False,  # noqa: A002 - the column's name
) -> Primitive:
    """Declare a primitive: its forward function, one VJP per differentiable argument, one
    JVP per differentiable argument, its batching rule (``batch``, see
    :mod:`tape._batch`; None: on a batch the op runs once per example), and what its rules
    do with complex values (``complex``: see :class:`Primitive`).

    ``linear=True`` declares the op linear in its (only) differentiable first argument: its
    JVP is then the op itself applied to the tangent. An op of any number of operands gives
    ``vjp_at(i)`` and ``jvp_at(i)``, which return the rules for operand ``i``.
    """
    if name in PRIMITIVES:
        raise ValueError(f"Primitive {name!r} is declared twice.")
    if vjp_at is not None:
        vjps = PerPosition(vjp_at)  # type: ignore[assignment]
    if jvp_at is not None:
        jvps = PerPosition(jvp_at)
    if linear:
        jvps = ()
    prim = Primitive(name, fwd, vjps, jvps or (), differentiable, linear=linear, batch=batch,
                     complex=complex)
    PRIMITIVES[name] = prim
    return prim


def conj_if_complex(v: Any) -> Any:
    """The complex conjugate of a complex value or tensor (recorded for a tensor, through
    NumPy's protocol); anything else as it is."""
    dtype = getattr(v, "dtype", None)
    return np.conjugate(v) if dtype is not None and dtype.kind == "c" else v


def _conjugated_rule(rule: VJP | None) -> VJP | None:
    if rule is None or rule is through:
        return rule

    def conjugated_rule(g: Any, ans: Any, *args: Any, **static: Any) -> Any:
        return conj_if_complex(rule(conj_if_complex(g), ans, *args, **static))

    return conjugated_rule


def conjugated(prim: Primitive) -> Primitive:
    """The twin of a holomorphic op that a tape records when its values are complex.

    A holomorphic op's rules are written as for real values: the transpose of its derivative
    applied to the cotangent, ``g * f'(x)``. The cotangent of a complex value follows
    TensorFlow's convention, ``dL/dRe z + i dL/dIm z`` for a real loss ``L``, which for a
    holomorphic op is ``g * conj(f'(x))``: the twin's rules are ``conj(rule(conj(g)))``. Its
    forward function, JVPs (a complex derivative applied to a tangent, as written) and
    batching rule are the op's own.
    """
    if prim.twin is None:
        twin = Primitive.__new__(Primitive)
        for slot in Primitive.__slots__:
            setattr(twin, slot, getattr(prim, slot))
        vjps = prim.vjps
        twin.vjps = (
            PerPosition(lambda i: _conjugated_rule(vjps[i])) if isinstance(vjps, PerPosition)
            else tuple(_conjugated_rule(r) for r in vjps)
        )
        twin.keeps = {}
        twin.complex = True
        twin.twin = prim
        prim.twin = twin
    return prim.twin
