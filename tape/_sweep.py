"""The reverse sweep: from the cotangents of the targets back along the tape to the sources.

:func:`backward` pops entries off the Wengert list, runs each connected argument's gradient
rule, gives the result its argument's shape and dtype (:func:`fit`: the one place where
broadcasting is undone) and adds it to that argument's pending cotangent.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy import ndarray

from ._checks import _check_backward
from ._registry import Primitive, through
from ._sparse import IndexedSlices
from ._tensor import STATE, Tensor, scalarize, wrap

_add_reduce = np.add.reduce


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``g`` over the axes that broadcasting added or stretched, giving ``shape``."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    if type(g) is ndarray:  # C-level calls, not NumPy's Python-level wrappers
        if axes:
            g = _add_reduce(g, axis=axes, keepdims=True)
        return g.reshape(shape) if lead or g.shape != shape else g
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    return np.reshape(g, shape) if lead or g.shape != shape else g


def fit(g: Any, x: Any) -> Any:
    """Give the cotangent ``g`` the shape and dtype of the argument ``x``: the one place
    where broadcasting is undone and the argument's dtype restored. A real argument of an
    op with a complex result takes the real part of its complex cotangent (TensorFlow's
    convention: ``dL/dRe z`` is the derivative along the real axis)."""
    if g.shape != x.shape:
        g = unbroadcast(g, x.shape)
    if g.dtype != x.dtype:
        if g.dtype.kind == "c" and x.dtype.kind != "c":
            g = np.real(g)
        g = g.astype(x.dtype)
    return g


def _zeros(x: Any, raw: bool) -> Any:
    """Zeros of ``x``'s shape and dtype: a NumPy value when ``raw``, else a tensor."""
    z = scalarize(np.zeros(x.shape, dtype=x.dtype))
    return z if raw else wrap(z)


def backward(
    entries: list[tuple[Any, ...]],
    seeds: dict[int, Any],
    want: set[int],
    raw: bool,
    consume: bool,
    where: dict[int, str] | None = None,
) -> dict[int, Any]:
    """The reverse sweep: from cotangents of the targets (``seeds``, by tensor id) to the
    cotangents of the ids in ``want``.

    Entries are taken from the last to the first. An entry whose output no cotangent reached
    is skipped; otherwise the gradient rule of each connected argument maps the output's
    cotangent ``g`` to the argument's, which :func:`fit` gives the argument's shape and dtype,
    and which is added to the argument's pending cotangent. A pending cotangent is popped
    once its producer's entry is reached: every use of the value has been swept by then.

    ``raw`` runs the rules on NumPy values; otherwise on tensors (with the recorded ids), so
    that an outer tape can record the sweep. ``consume`` pops entries off the list as it
    goes, freeing saved values. ``where`` says where each op was recorded (detect_anomaly).
    The rare cases have their own functions: ops with several outputs
    (:func:`_cotangents_of_outputs`), the rules' values as tensors (:func:`_as_tensors`),
    cotangents to convert (:func:`_fitted`), summing large ones in place
    (:func:`_accumulate`), anomaly checks, and joint rules (``prim.joint``, a custom
    gradient's, which gives every argument's cotangent in one call).
    """
    adj = seeds  # pending cotangents, by tensor id
    found: dict[int, Any] = {}
    anomaly = STATE.anomaly
    where = where or {}
    stack = entries if consume else entries[:]
    pop = stack.pop
    while stack:
        prim, ids, vals, static, out_id, ans, connected = pop()  # an Entry's fields
        if type(out_id) is not tuple:
            g = adj.pop(out_id, None)
            if g is None:
                continue  # no cotangent reached this op's output
            if type(g) is IndexedSlices:  # a sparse cotangent is dense for the rules
                g = g._dense()
            if out_id in want:
                found[out_id] = g
            if not raw:
                ans = wrap(ans, out_id)
        else:
            g, ans = _cotangents_of_outputs(out_id, ans, adj, want, found, raw)
            if g is None:
                continue
        xs = vals if raw else _as_tensors(vals, ids)
        vjps = prim.vjps
        joint = prim.joint(g, ans, *xs) if prim.joint is not None else None
        for i in connected:
            x = xs[i]
            if joint is not None:
                gi = joint[i]
            else:
                try:
                    rule = vjps[i]
                except IndexError:
                    rule = None
                if rule is None:
                    raise _no_gradient(prim, i)
                if rule is through:  # no call for the commonest rule, d(x + y)/dx
                    gi = g
                elif static:
                    gi = rule(g, ans, *xs, **static)
                elif len(xs) == 2:  # plain calls are cheaper than unpacking ``*xs``
                    gi = rule(g, ans, xs[0], xs[1])
                elif len(xs) == 1:
                    gi = rule(g, ans, xs[0])
                else:
                    gi = rule(g, ans, *xs)
            cls = type(gi)
            # NumPy scalars of one type share shape () and dtype: only arrays need a look
            # (and dtypes are usually one object, so ``is not`` is checked first).
            if cls is not type(x) or (
                (cls is ndarray or cls is Tensor)
                and (gi.shape != x.shape or gi.dtype is not x.dtype)
            ):
                gi = _fitted(gi, x, raw)
            if anomaly:
                _check_backward(prim, i, gi, out_id, where)
            key = ids[i]
            prev = adj.get(key)
            if prev is None:
                adj[key] = gi
            elif (
                raw and type(gi) is ndarray and type(prev) is ndarray
                and gi.size >= _IN_PLACE_SIZE
            ):
                adj[key] = _accumulate(prev, gi)
            else:
                adj[key] = prev + gi
            prev = gi = None
        # Drop this step's values now, not when the next step overwrites them: with large
        # arrays, that is the difference between one step's temporaries and two.
        vals = xs = ans = g = None
    for key in want:
        if key not in found and key in adj:
            found[key] = adj[key]
    return found


def _cotangents_of_outputs(
    out_ids: tuple[int, ...], ans: tuple, adj: dict[int, Any], want: set[int],
    found: dict[int, Any], raw: bool,
) -> tuple[tuple | None, tuple]:
    """An op with several outputs: their pending cotangents (popped; zeros for an output
    none reached), or None when none was reached; and the outputs (tensors unless ``raw``)."""
    gs = [adj.pop(o, None) for o in out_ids]
    gs = [g._dense() if type(g) is IndexedSlices else g for g in gs]
    if all(g is None for g in gs):
        return None, ans
    for o, g in zip(out_ids, gs):
        if o in want and g is not None:
            found[o] = g
    g = tuple((_zeros(a, raw) if g is None else g) for a, g in zip(ans, gs))
    if not raw:
        ans = tuple(wrap(a, o) for a, o in zip(ans, out_ids))
    return g, ans


def _as_tensors(vals: Sequence[Any], ids: tuple[int, ...]) -> tuple:
    """The arguments of an entry as its rules see them when an outer tape may record the
    sweep: tensors with their recorded ids. Constant arrays are wrapped too (untracked), so
    that an op of the sweep does not copy them again (the tape's are private already)."""
    return tuple([wrap(v, key) if key or type(v) is ndarray else v
                  for v, key in zip(vals, ids)])


def _fitted(gi: Any, x: Any, raw: bool) -> Any:
    """A cotangent whose type, shape or dtype is not its argument's, made so: a value in the
    NumPy sweep, a tensor in the taped one, then :func:`fit`."""
    cls = type(gi)
    if raw and cls is Tensor:
        gi = gi._value  # a rule built a tensor: the NumPy sweep keeps values
    elif not raw and cls is not Tensor:
        gi = wrap(gi)  # a constant cotangent, e.g. a zero gradient
    return fit(gi, x)


def _no_gradient(prim: Primitive, i: int) -> LookupError:
    """The error for a connected argument whose op has no gradient rule."""
    return LookupError(
        f"No gradient defined for op '{prim.name}' with respect to its argument {i}. Wrap "
        "the computation in tape.stop_gradient() if no gradient should flow through it."
    )


_IN_PLACE_SIZE = 1 << 14  # elements: below this, a new array is cheaper than the checks


def _refs_of_a_private_local() -> int:
    private = np.empty(1)
    return sys.getrefcount(private)


_PRIVATE = _refs_of_a_private_local()  # this interpreter's count for an unshared local


def _accumulate(prev: ndarray, gi: ndarray) -> ndarray:
    """``prev + gi``, written into whichever operand no one else holds, so that summing large
    cotangents does not allocate (the two were fitted to the same shape and dtype)."""
    if (
        sys.getrefcount(gi) <= _PRIVATE + 1  # the caller's variable and ours
        and gi.flags.writeable and gi.flags.owndata and gi.shape == prev.shape
    ):
        return np.add(gi, prev, out=gi)
    return prev + gi
