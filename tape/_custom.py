"""User-defined gradients: ``custom_gradient`` and ``recompute_grad``, as in TensorFlow.

Both record one tape entry from the function's inputs (and the variables it read) to fresh
output tensors; the entry's gradient rule is the user's ``grad_fn`` or a recomputation.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from ._record import _record, ensure_id, only_outside
from ._registry import Primitive
from ._structure import flatten, pack_as
from ._tape import GradientTape
from ._tensor import STATE, Tensor, Variable, count_active, wrap
from .forward import ForwardAccumulator
from .ops.creation import convert_to_tensor
from .ops.elementwise import real_product
from .ops.reductions import reduce_sum
from .ops.shape import identity


def _inputs(args: tuple) -> list[Tensor]:
    return [a if isinstance(a, Tensor) else convert_to_tensor(a) for a in args]


class _VariableWatcher:
    """Collects the variables read while active (for ``grad_fn(..., variables=...)``)."""

    def __enter__(self) -> dict:
        self.seen: dict[int, Variable] = {}
        STATE.var_watchers.append(self.seen)
        count_active(1)  # ops then look for variables among their arguments
        return self.seen

    def __exit__(self, *exc: Any) -> None:
        count_active(-1)
        watchers = STATE.var_watchers  # this one's dict, by identity: dicts compare by value
        del watchers[next(i for i, w in enumerate(watchers) if w is self.seen)]


def _record_custom(
    name: str,
    inputs: list[Tensor],
    variables: list[Variable],
    results: list[Tensor],
    grads_of: Callable[[list[Tensor]], tuple[list, list]],
    push: Callable[[Any, list[Tensor]], None],
) -> list[Tensor]:
    """Record ``inputs + variables -> fresh copies of results`` with a gradient rule that calls
    ``grads_of(upstream tensors)`` once per backward step and hands out its parts;
    ``push(acc, outs)`` gives the outputs their tangents in each active accumulator."""
    outs = [wrap(r._value) for r in results]
    args = tuple(inputs) + tuple(v._read() for v in variables)
    several = len(outs) > 1
    zeros = [(a.shape, a.dtype) for a in args]

    def joint(g: Any, ans: Any, *xs: Any) -> list:
        """All the cotangents at once, from one call of the user's gradient."""
        gs = list(g) if several else [g]
        raw = type(gs[0]) is not Tensor
        upstream = [wrap(x) if raw else x for x in gs]
        in_grads, var_grads = _validate(name, grads_of(upstream), inputs, variables)
        out = []
        for gi, (shape, dtype) in zip(list(in_grads) + list(var_grads), zeros):
            if gi is None:
                gi = wrap(np.zeros(shape, dtype=dtype))
            out.append(gi._value if raw else gi)
        return out

    # the user's rule, in TensorFlow's convention for complex values (as TensorFlow takes it)
    prim = Primitive(f"custom_gradient:{name}", None, joint=joint,  # type: ignore[arg-type]
                     complex=True)
    out: Any = tuple(outs) if len(outs) > 1 else outs[0]
    _record(prim, args, [a._value for a in args], {}, out, forward=False)
    for acc in list(STATE.accumulators):
        push(acc, outs)
    return outs


def _push_through_grad_fn(acc, name, inputs, variables, outs, grads_of) -> None:
    """Forward mode from the custom gradient, as TensorFlow does: ``grad_fn`` is linear in
    its upstream ``u``, so the output tangent ``J v`` is the gradient of ``<grad_fn(u), v>``
    with respect to ``u``."""
    tangents = [acc._tangents.get(a._id) for a in list(inputs) + list(variables)]
    if all(t is None for t in tangents):
        return
    with only_outside(acc):
        upstream = [wrap(np.zeros(o.shape, dtype=o.dtype)) for o in outs]
        with GradientTape() as t:
            t.watch(upstream)
            in_grads, var_grads = _validate(name, grads_of(upstream), inputs, variables)
            pairs = [(g, v) for g, v in zip(list(in_grads) + list(var_grads), tangents)
                     if g is not None and v is not None]
            # (Re(conj(g) v) for complex values: then the gradient in u is A v + B conj(v))
            total = sum((reduce_sum(real_product(g, v)) for g, v in pairs),
                        start=wrap(np.float64(0)))
        jv = t.gradient(total, upstream, unconnected_gradients="zero")
    for o, j in zip(outs, jv):
        acc._tangents[ensure_id(o)] = j if j.dtype == o.dtype else j.astype(o.dtype)


def _validate(name: str, grads: tuple[list, list], inputs: list, variables: list):
    in_grads, var_grads = grads
    for kind, got, expected in (("input", in_grads, inputs), ("variable", var_grads, variables)):
        if len(got) != len(expected):
            tf_text = (
                f"custom_gradient function expected to return {len(expected)} gradients, but "
                f"returned {len(got)} instead."
                if kind == "input"
                else "Must return gradient for each variable from @custom_gradient grad_fn."
            )
            raise ValueError(
                f"{tf_text} (custom_gradient function '{name}' returned {len(got)} {kind} "
                f"gradients but it has {len(expected)} {kind}s: return one gradient (or None) "
                f"per {kind}.)"
            )
        for k, (g, x) in enumerate(zip(got, expected)):
            if g is None:
                continue
            if not isinstance(g, Tensor):
                g = wrap(np.asarray(g, dtype=x.dtype))
                got[k] = g
            if g.shape != x.shape:
                raise ValueError(
                    f"custom_gradient function '{name}' returned a gradient of shape "
                    f"{g.shape} for {kind} {k}, whose shape is {x.shape}."
                )
    return in_grads, var_grads


def custom_gradient(f: Callable[..., Any] | None = None) -> Any:
    """Decorate ``f(*x) -> (y, grad_fn)`` to give it a gradient of your own.

    ``grad_fn(*upstream)`` returns one gradient per input (a tensor or ``None``). When ``f``
    reads variables, ``grad_fn(*upstream, variables=None)`` must return
    ``(input_grads, variable_grads)``. ``grad_fn`` written with tape ops is differentiated
    again by outer tapes.

    >>> import tape
    >>> @tape.custom_gradient
    ... def log1pexp(x):
    ...     e = tape.exp(x)
    ...     def grad(upstream):
    ...         return upstream * (1 - 1 / (1 + e))
    ...     return tape.math.log(1 + e), grad
    >>> x = tape.constant(100.0, dtype=tape.float64)
    >>> with tape.GradientTape() as t:
    ...     t.watch(x)
    ...     y = log1pexp(x)
    >>> float(t.gradient(y, x))
    1.0
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        inputs = _inputs(args)
        with _VariableWatcher() as seen:
            result, grad_fn = f(*inputs, **kwargs)
        variables = [seen[k] for k in sorted(seen)]
        takes_variables = "variables" in inspect.signature(grad_fn).parameters
        if variables and not takes_variables:
            raise TypeError(
                f"custom_gradient function '{f.__name__}' reads variables, so its grad_fn "
                "must accept a keyword argument 'variables' and return (input_grads, "
                "variable_grads)."
            )

        def grads_of(upstream: list[Tensor]) -> tuple[list, list]:
            if takes_variables:
                in_grads, var_grads = grad_fn(*upstream, variables=variables)
            else:
                in_grads, var_grads = grad_fn(*upstream), []
            in_list = list(in_grads) if isinstance(in_grads, (list, tuple)) else [in_grads]
            return in_list, list(var_grads or [])

        results = [r if isinstance(r, Tensor) else _inputs((r,))[0] for r in flatten(result)]

        def push(acc: Any, outs: list[Tensor]) -> None:
            _push_through_grad_fn(acc, f.__name__, inputs, variables, outs, grads_of)

        outs = _record_custom(f.__name__, inputs, variables, results, grads_of, push)
        return pack_as(result, outs)

    return wrapper


def recompute_grad(f: Callable[..., Any]) -> Callable[..., Any]:
    """Trade compute for memory: ``f``'s intermediate values are not kept on the tape; they are
    recomputed during the backward sweep.

    Forward mode follows the ops ``f`` runs, except for an accumulator inside a recording tape:
    that tape must differentiate the tangents too, so they come from a recomputed
    Jacobian-vector product of ``f``, recorded as one entry (no intermediate values kept).

    >>> import tape
    >>> layer = tape.recompute_grad(lambda x: tape.tanh(x) * x)
    >>> x = tape.constant(0.5)
    >>> with tape.GradientTape() as t:
    ...     t.watch(x)
    ...     y = layer(x)
    >>> round(float(t.gradient(y, x)), 6)  # tanh(x) + x (1 - tanh(x)^2)
    0.855341
    """
    name = getattr(f, "__name__", "f")

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        inputs = _inputs(args)
        tapes, accs = STATE.recording[:], STATE.accumulators[:]
        # tangents a tape outside their accumulator will differentiate: see _push_recomputed
        taped = {id(a) for a in accs if any(t._seq < a._seq for t in tapes)}
        STATE.recording[:] = []  # nothing inside f is taped; forward mode still sees it
        STATE.accumulators[:] = [a for a in accs if id(a) not in taped]
        try:
            with _VariableWatcher() as seen:
                result = f(*inputs, **kwargs)
        finally:
            STATE.recording[:], STATE.accumulators[:] = tapes, accs
        variables = [seen[k] for k in sorted(seen)]
        results = flatten(result)

        def grads_of(upstream: list[Tensor]) -> tuple[list, list]:
            # each input its own tensor, so that one passed twice gets each use's gradient
            # once (outer tapes see through the identity)
            fresh = [identity(x) for x in inputs]
            sources = [s for s in fresh + variables if s.dtype.kind in "fc"]  # not indices
            with GradientTape() as t:
                t.watch(sources)
                again = flatten(f(*fresh, **kwargs))
            pairs = [(y, u) for y, u in zip(again, upstream) if y.dtype.kind in "fc"]
            found = iter(t.gradient([y for y, _ in pairs], sources,
                                    output_gradients=[u for _, u in pairs]))
            grads = [next(found) if s.dtype.kind in "fc" else None for s in fresh + variables]
            return grads[: len(inputs)], grads[len(inputs):]

        def push(acc: Any, outs: list[Tensor]) -> None:
            if id(acc) in taped:
                _push_recomputed(acc, f, kwargs, inputs, variables, outs)
            else:  # the tangents of the ops f ran
                for r, o in zip(results, outs):
                    if r._id in acc._tangents:
                        acc._tangents[ensure_id(o)] = acc._tangents[r._id]

        outs = _record_custom(name, inputs, variables, results, grads_of, push)
        return pack_as(result, outs)

    return wrapper


def _push_recomputed(
    acc: Any, f: Callable[..., Any], kwargs: dict, inputs: list[Tensor],
    variables: list[Variable], outs: list[Tensor],
) -> None:
    """The output tangents of ``recompute_grad(f)`` in ``acc``, an accumulator inside a
    recording tape. Those tangents depend on the inputs through ``f``'s intermediate values,
    which no tape keeps; so they are computed by ``jvp(x, v) = J_f(x) v``, itself wrapped in
    ``recompute_grad`` and run where ``acc``'s own tangent computations run (seen by the tapes
    and accumulators entered before it). A tape then records one entry from ``x`` and ``v`` to
    the tangents, and differentiates it by recomputing the JVP; an accumulator entered before
    ``acc`` follows the JVP's ops, or recurses here if a tape is outside it too."""
    tangents = acc._tangents
    moved = [k for k, x in enumerate(inputs) if x._id in tangents]
    moved_vars = [v for v in variables if v._id in tangents]
    floating = [k for k, o in enumerate(outs) if o.dtype.kind in "fc"]
    if not (moved or moved_vars) or not floating:
        return
    n = len(inputs)

    def jvp(*xs_and_vs: Tensor) -> list[Tensor]:
        xs = [identity(x) for x in xs_and_vs[:n]]  # distinct primals, even for a repeated input
        with ForwardAccumulator([xs[k] for k in moved] + moved_vars,
                                list(xs_and_vs[n:])) as inner:
            ys = flatten(f(*xs, **kwargs))
        return [inner.jvp(ys[k], unconnected_gradients="zero") for k in floating]

    jvp.__name__ = f"jvp_of_{getattr(f, '__name__', 'f')}"
    vs = [tangents[inputs[k]._id] for k in moved] + [tangents[v._id] for v in moved_vars]
    with only_outside(acc):
        jv = recompute_grad(jvp)(*inputs, *vs)
    for k, j in zip(floating, jv):
        o = outs[k]
        tangents[ensure_id(o)] = j if j.dtype == o.dtype else j.astype(o.dtype)
