"""Numerical differentiation and the gradient checker.

Finite differences are the independent reference that automatic differentiation is compared
with: :func:`numerical_gradient` computes them, :func:`check_gradients` compares tape's reverse
and forward modes with them, to any order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._sparse import densify
from ._structure import flatten
from ._tape import GradientTape
from ._tensor import Tensor, Variable, as_tensor
from .forward import ForwardAccumulator

_METHODS = ("central", "forward", "backward")


def _default_step(dtype: np.dtype, method: str) -> float:
    """Steps that balance truncation and rounding error: eps^(1/3) central, eps^(1/2) one-sided."""
    eps = np.finfo(dtype).eps
    return float(eps ** (1 / 3) if method == "central" else eps**0.5)


def _as_float_array(x: Any) -> np.ndarray:
    if isinstance(x, (Tensor, Variable)):
        x = x.numpy()
    arr = np.array(x, copy=True)
    if arr.dtype.kind not in "fc":
        arr = arr.astype(np.float64)
    return arr


def _evaluate(f: Callable[..., Any], args: Sequence[Any]) -> np.ndarray:
    out = f(*args)
    return np.asarray(out.numpy() if isinstance(out, (Tensor, Variable)) else out)


def numerical_gradient(
    f: Callable[..., Any],
    *args: Any,
    method: str = "central",
    h: float | None = None,
) -> Any:
    """Finite-difference gradient of a scalar function ``f`` at ``args``.

    ``method`` is ``'central'`` (f(x+h/2) - f(x-h/2)) / h, ``'forward'`` (f(x+h) - f(x)) / h or
    ``'backward'`` (f(x) - f(x-h)) / h, the three formulas of numerical differentiation. The
    step ``h`` defaults to one suited to the arguments' dtype, scaled by ``max(1, |x_i|)``.
    Returns one array per argument (a single array when there is one argument).

    >>> import numpy as np, tape
    >>> f = lambda x, y: (x**2 + 2 * x) * np.log(y)
    >>> [round(float(g), 4) for g in tape.numerical_gradient(f, 1.0, 2.0)]
    [2.7726, 1.5]
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}.")
    xs = [_as_float_array(a) for a in args]
    grads = []
    for k, x in enumerate(xs):
        step = h if h is not None else _default_step(x.dtype, method)
        g = np.zeros(x.shape, dtype=x.dtype)
        for idx in np.ndindex(x.shape):
            hi = step * max(1.0, abs(float(x[idx]))) if h is None else step

            def at(delta: float, idx: tuple = idx, k: int = k) -> float:
                shifted = [a.copy() for a in xs]
                shifted[k][idx] += delta
                value = _evaluate(f, shifted)
                if value.size != 1:
                    raise ValueError(
                        f"numerical_gradient needs a scalar function; f returned shape "
                        f"{value.shape}."
                    )
                return float(value.reshape(()))

            if method == "central":
                g[idx] = (at(hi / 2) - at(-hi / 2)) / hi
            elif method == "forward":
                g[idx] = (at(hi) - at(0.0)) / hi
            else:
                g[idx] = (at(0.0) - at(-hi)) / hi
        grads.append(g)
    return grads[0] if len(grads) == 1 else tuple(grads)


class GradientCheckError(AssertionError):
    """A derivative computed by tape disagrees with finite differences.

    ``result`` is the :class:`GradientCheckResult` of the whole check, every comparison made
    up to the order that failed.
    """

    def __init__(self, message: str, result: GradientCheckResult | None = None) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class GradientCheckResult:
    """What :func:`check_gradients` compared, and how closely tape matched.

    ``errors[order, mode, argument]`` is the largest absolute difference between tape's
    derivative and finite differences for that order (1 for first derivatives), mode
    (``'rev'``: the reverse-mode product ``<J^T u, v>``; ``'fwd'``: the forward-mode ``J v``,
    largest over the outputs) and argument (its position in ``args``). ``passed`` says
    whether every comparison was within ``atol + rtol * |finite differences|``; ``failures``
    holds the message of each one that was not. A result is true when it passed.

    >>> import numpy as np, tape
    >>> result = tape.check_gradients(lambda x, y: x * tape.exp(y), [1.5, 0.5], order=1)
    >>> result.passed, sorted(result.errors)
    (True, [(1, 'fwd', 0), (1, 'fwd', 1), (1, 'rev', 0), (1, 'rev', 1)])
    >>> result.max_error(argument=1) < 1e-8
    True
    """

    passed: bool
    errors: dict[tuple[int, str, int], float] = field(default_factory=dict)
    failures: tuple[str, ...] = ()
    rtol: float = 1e-5
    atol: float = 1e-6

    def max_error(
        self, order: int | None = None, mode: str | None = None, argument: int | None = None
    ) -> float:
        """The largest error among the comparisons of this ``order``, ``mode`` and
        ``argument`` (any, when None); 0.0 when there are none. A NaN error (tape or the
        finite differences gave NaN) makes it NaN.

        >>> import numpy as np, tape
        >>> tape.check_gradients(tape.sin, [np.zeros(3)]).max_error(order=2) < 1e-8
        True
        """
        picked = [
            e for (o, m, a), e in self.errors.items()
            if (order is None or o == order) and (mode is None or m == mode)
            and (argument is None or a == argument)
        ]
        if any(np.isnan(e) for e in picked):
            return float("nan")
        return max(picked, default=0.0)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        head = (f"gradient check {'passed' if self.passed else 'FAILED'} (rtol {self.rtol:g}, "
                f"atol {self.atol:g})")
        rows = [head, "order  mode  argument  max error"]
        for (o, m, a), e in sorted(self.errors.items()):
            rows.append(f"{o:>5}  {m:>4}  {a:>8}  {e:>9.2g}")
        rows.extend(self.failures)
        return "\n".join(rows)


def _outputs(f: Callable[..., Any], xs: Sequence[Any]) -> list:
    return flatten(f(*xs))


def _wide(a: Any) -> np.ndarray:
    """``a`` in float64, or complex128 when it is complex."""
    a = np.asarray(a)
    return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)


def _directional(f: Callable[..., Any], xs: list[np.ndarray], v: list[np.ndarray], h: float):
    """Central-difference derivative of every output of f along direction v (a complex
    argument moves along a complex direction: its real and imaginary parts both)."""
    plus = _outputs(f, [as_tensor(x + h * d) for x, d in zip(xs, v)])
    minus = _outputs(f, [as_tensor(x - h * d) for x, d in zip(xs, v)])
    return [(_wide(p.numpy()) - _wide(m.numpy())) / (2 * h) for p, m in zip(plus, minus)]


def _random_like(rng: np.random.Generator, x: Any) -> np.ndarray:
    dtype = np.asarray(x).dtype
    r = rng.standard_normal(np.shape(x))
    if dtype.kind == "c":
        r = r + 1j * rng.standard_normal(np.shape(x))
    return r.astype(dtype)


def _inner(a: Any, b: Any) -> float:
    """The real inner product Re sum(conj(a) b): for complex values, the sum over their real
    and imaginary parts, by which a loss ``Re <u, y>`` pairs a cotangent with a change."""
    return float(np.real(np.sum(np.conjugate(_wide(a)) * _wide(b))))


def _close(a: Any, b: Any, rtol: float, atol: float) -> tuple[bool, float]:
    a, b = _wide(a), _wide(b)
    err = float(np.max(np.abs(a - b))) if a.size else 0.0
    return bool(np.allclose(a, b, rtol=rtol, atol=atol)), err


def _vjp_function(f: Callable[..., Any], us: list[np.ndarray]) -> Callable[..., Any]:
    """x -> J(x)^T u, built with a tape (so it can be differentiated again)."""

    def vjp(*xs: Any) -> list:
        with GradientTape() as t:
            t.watch(list(xs))
            ys = _outputs(f, xs)
        grads = t.gradient(ys, list(xs), output_gradients=[as_tensor(u) for u in us],
                           unconnected_gradients="zero")
        return [densify(g) for g in grads]

    return vjp


def check_gradients(
    f: Callable[..., Any],
    args: Sequence[Any],
    order: int = 2,
    modes: Sequence[str] = ("rev", "fwd"),
    rtol: float = 1e-5,
    atol: float = 1e-6,
    h: float = 1e-6,
    seed: int = 0,
    raise_on_failure: bool = True,
) -> GradientCheckResult:
    """Check tape's derivatives of ``f`` at ``args`` against central finite differences.

    For random directions ``v`` and cotangents ``u``, reverse mode must satisfy
    ``<J^T u, v> = <u, (f(x + h v) - f(x - h v)) / 2h>`` and forward mode ``J v`` must match the
    difference itself. With ``order=2`` the reverse-mode gradient function, built with nested
    tapes, is checked the same way, and so on up to ``order``. ``f`` takes tensors and returns
    a tensor or a list of them; ``args`` should be float64 (or complex128) for tight
    tolerances.

    Complex arguments and outputs follow TensorFlow's convention: a gradient is
    ``dL/dRe z + i dL/dIm z`` for the real loss ``L = Re <u, f(x)>``, so the reverse-mode check
    is ``Re <J^T u, v> = Re <u, J v>`` along complex directions ``v`` (both parts move), and
    the forward-mode one compares ``J v`` itself.

    Returns a :class:`GradientCheckResult`: the largest error for each order, mode and
    argument, and whether all passed. When one does not, raises :class:`GradientCheckError`
    saying which argument, order and mode, and by how much (its ``result`` holds every
    comparison made); with ``raise_on_failure=False`` the failing result is returned instead.
    Every argument and mode of an order is compared; the orders above one that failed are
    not.

    >>> import numpy as np, tape
    >>> result = tape.check_gradients(lambda x: tape.sin(x) * x, [np.linspace(0.1, 1.0, 3)])
    >>> result.passed, result.max_error() < 1e-8
    (True, True)
    >>> @tape.custom_gradient
    ... def square(x):  # a wrong rule: the derivative of x**2 is 2x
    ...     return x * x, lambda g: g * x
    >>> result = tape.check_gradients(square, [np.array([1.0, 2.0])], modes=["rev"],
    ...                               raise_on_failure=False)
    >>> result.passed, sorted(result.errors)
    (False, [(1, 'rev', 0)])
    >>> tape.check_gradients(square, [np.array([1.0, 2.0])], modes=["rev"])
    Traceback (most recent call last):
    ...
    tape.testing.GradientCheckError: reverse mode, order 1, argument 0: ...
    """
    for m in modes:
        if m not in ("rev", "fwd"):
            raise ValueError(f"modes may contain 'rev' and 'fwd', got {m!r}.")
    xs = [_as_float_array(a) for a in args]
    rng = np.random.default_rng(seed)
    errors: dict[tuple[int, str, int], float] = {}
    failures: list[str] = []
    _check(f, xs, order, tuple(modes), rtol, atol, h, rng, 1, errors, failures)
    result = GradientCheckResult(not failures, errors, tuple(failures), rtol, atol)
    if failures and raise_on_failure:
        raise GradientCheckError(failures[0], result)
    return result


def _check(f, xs, order, modes, rtol, atol, h, rng, level, errors, failures) -> None:
    """Compare the derivatives of ``f`` (order ``level``) for every argument and mode, noting
    each largest error in ``errors`` and each failure's message in ``failures``; then, if all
    passed, those of the reverse-mode gradient function, up to ``order``."""
    ys = _outputs(f, [as_tensor(x) for x in xs])
    for y in ys:
        if not isinstance(y, (Tensor, Variable)):
            raise TypeError(f"f must return tensors, got {type(y).__name__}.")
    v = [_random_like(rng, x) for x in xs]
    us = [_random_like(rng, y) for y in ys]
    grads = _vjp_function(f, us)(*[as_tensor(x) for x in xs])
    failed = len(failures)
    for i, (g, x) in enumerate(zip(grads, xs)):
        if g.shape != x.shape or g.dtype != x.dtype:
            errors[level, "rev", i] = float("inf")
            failures.append(
                f"reverse mode, order {level}, argument {i}: gradient has shape {g.shape} "
                f"and dtype {g.dtype}, but the argument has shape {x.shape} and dtype "
                f"{x.dtype}."
            )
            continue
        # Along a direction in argument i alone, so a wrong rule is attributed to its argument.
        vi = [d if k == i else np.zeros_like(d) for k, d in enumerate(v)]
        fd = _directional(f, xs, vi, h)
        if "fwd" in modes:
            primals = [as_tensor(x) for x in xs]
            with ForwardAccumulator(primals, [as_tensor(d) for d in vi]) as acc:
                outs = _outputs(f, primals)
            worst = 0.0
            for j, (out, d) in enumerate(zip(outs, fd)):
                jv = acc.jvp(out, unconnected_gradients="zero").numpy()
                ok, err = _close(jv, d, rtol, atol)
                worst = _worse(worst, err)
                if not ok:
                    failures.append(
                        f"forward mode, order {level}, argument {i}, output {j}: J v differs "
                        f"from finite differences by up to {err:.3g}.\n tape: {jv}\n finite "
                        f"differences: {d}"
                    )
            errors[level, "fwd", i] = worst
        if "rev" in modes:
            lhs = _inner(g.numpy(), v[i])
            rhs = sum(_inner(u, d) for u, d in zip(us, fd))
            ok, err = _close(lhs, rhs, rtol, atol)
            errors[level, "rev", i] = err
            if not ok:
                failures.append(
                    f"reverse mode, order {level}, argument {i}: <J^T u, v> = {lhs:.8g} but "
                    f"finite differences give {rhs:.8g} (off by {err:.3g})."
                )
    if order > 1 and len(failures) == failed:
        _check(_vjp_function(f, us), xs, order - 1, modes, rtol, atol, h, rng, level + 1,
               errors, failures)


def _worse(a: float, b: float) -> float:
    """The larger of two errors, NaN if either is."""
    return b if np.isnan(b) or b > a else a
