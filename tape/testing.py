"""Numerical differentiation and the gradient checker.

Finite differences are the independent reference that automatic differentiation is compared
with: :func:`numerical_gradient` computes them, :func:`check_gradients` compares tape's reverse
and forward modes with them, to any order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    """A derivative computed by tape disagrees with finite differences."""


def _outputs(f: Callable[..., Any], xs: Sequence[Any]) -> list:
    return flatten(f(*xs))


def _directional(f: Callable[..., Any], xs: list[np.ndarray], v: list[np.ndarray], h: float):
    """Central-difference derivative of every output of f along direction v."""
    plus = _outputs(f, [as_tensor(x + h * d) for x, d in zip(xs, v)])
    minus = _outputs(f, [as_tensor(x - h * d) for x, d in zip(xs, v)])
    return [
        (np.asarray(p.numpy(), dtype=np.float64) - np.asarray(m.numpy(), dtype=np.float64))
        / (2 * h)
        for p, m in zip(plus, minus)
    ]


def _random_like(rng: np.random.Generator, x: Any) -> np.ndarray:
    return rng.standard_normal(np.shape(x)).astype(np.asarray(x).dtype)


def _close(a: Any, b: Any, rtol: float, atol: float) -> tuple[bool, float]:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
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
) -> None:
    """Check tape's derivatives of ``f`` at ``args`` against central finite differences.

    For random directions ``v`` and cotangents ``u``, reverse mode must satisfy
    ``<J^T u, v> = <u, (f(x + h v) - f(x - h v)) / 2h>`` and forward mode ``J v`` must match the
    difference itself. With ``order=2`` the reverse-mode gradient function, built with nested
    tapes, is checked the same way, and so on up to ``order``. ``f`` takes tensors and returns
    a tensor or a list of them; ``args`` should be float64 for tight tolerances. Raises
    :class:`GradientCheckError` saying which argument, order and mode, and by how much.

    >>> import tape
    >>> tape.check_gradients(lambda x: tape.sin(x) * x, [np.linspace(0.1, 1.0, 3)])
    """
    for m in modes:
        if m not in ("rev", "fwd"):
            raise ValueError(f"modes may contain 'rev' and 'fwd', got {m!r}.")
    xs = [_as_float_array(a) for a in args]
    rng = np.random.default_rng(seed)
    _check(f, xs, order, tuple(modes), rtol, atol, h, rng, 1)


def _check(f, xs, order, modes, rtol, atol, h, rng, level) -> None:
    ys = _outputs(f, [as_tensor(x) for x in xs])
    for y in ys:
        if not isinstance(y, (Tensor, Variable)):
            raise TypeError(f"f must return tensors, got {type(y).__name__}.")
    v = [_random_like(rng, x) for x in xs]
    us = [_random_like(rng, y) for y in ys]
    grads = _vjp_function(f, us)(*[as_tensor(x) for x in xs])
    for i, (g, x) in enumerate(zip(grads, xs)):
        if g.shape != x.shape or g.dtype != x.dtype:
            raise GradientCheckError(
                f"reverse mode, order {level}, argument {i}: gradient has shape {g.shape} "
                f"and dtype {g.dtype}, but the argument has shape {x.shape} and dtype "
                f"{x.dtype}."
            )
        # Along a direction in argument i alone, so a wrong rule is attributed to its argument.
        vi = [d if k == i else np.zeros_like(d) for k, d in enumerate(v)]
        fd = _directional(f, xs, vi, h)
        if "fwd" in modes:
            primals = [as_tensor(x) for x in xs]
            with ForwardAccumulator(primals, [as_tensor(d) for d in vi]) as acc:
                outs = _outputs(f, primals)
            for j, (out, d) in enumerate(zip(outs, fd)):
                jv = acc.jvp(out, unconnected_gradients="zero").numpy()
                ok, err = _close(jv, d, rtol, atol)
                if not ok:
                    raise GradientCheckError(
                        f"forward mode, order {level}, argument {i}, output {j}: J v differs "
                        f"from finite differences by up to {err:.3g}.\n tape: {jv}\n finite "
                        f"differences: {d}"
                    )
        if "rev" in modes:
            lhs = float(np.sum(np.asarray(g.numpy(), np.float64) * v[i]))
            rhs = float(sum(np.sum(u.astype(np.float64) * d) for u, d in zip(us, fd)))
            ok, err = _close(lhs, rhs, rtol, atol)
            if not ok:
                raise GradientCheckError(
                    f"reverse mode, order {level}, argument {i}: <J^T u, v> = {lhs:.8g} but "
                    f"finite differences give {rhs:.8g} (off by {err:.3g})."
                )
    if order > 1:
        _check(_vjp_function(f, us), xs, order - 1, modes, rtol, atol, h, rng, level + 1)
