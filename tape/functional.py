"""A functional API in JAX's style, built on the tape: ``grad``, ``value_and_grad``, ``vjp``,
``jvp``, ``jacrev``, ``jacfwd``, ``jacobian``, ``hessian`` and ``hvp``. They compose:
``grad(grad(f))`` is the second derivative.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._batch import Unbatchable, run_batched
from ._sparse import densify
from ._structure import flatten, pack_as
from ._tape import GradientTape
from ._tensor import STATE, Tensor, Variable, as_tensor, wrap
from ._trace import signature, trace
from .forward import ForwardAccumulator
from .ops.creation import convert_to_tensor
from .ops.shape import identity, reshape, stack, transpose


def _tensor(x: Any) -> Any:
    return x if isinstance(x, (Tensor, Variable)) else convert_to_tensor(x)


def _tree(x: Any) -> Any:
    """``x`` (possibly nested) with every leaf a new tensor: its own identity, so that a
    tensor passed twice, or also closed over, is differentiated as separate inputs (outer
    tapes still see through the identity)."""
    return pack_as(x, [identity(_tensor(leaf)) for leaf in flatten(x)])


def _argnums(argnums: int | Sequence[int], n: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for k in nums:
        if not -n <= k < n:
            raise ValueError(f"argnums {k} is out of range for a function of {n} arguments.")
    return tuple(k % n for k in nums)


def _split_aux(out: Any, has_aux: bool) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise TypeError("With has_aux=True, the function must return a pair (output, aux).")
    return out[0], out[1]


def value_and_grad(
    f: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    allow_int: bool = False,
) -> Callable[..., Any]:
    """A function returning ``(f(*args), gradient)``; with ``has_aux``, ``((f, aux), grad)``.

    The gradient has the structure of ``args[argnums]`` (a tuple of them when ``argnums`` is
    a tuple). ``f`` must return a scalar; integer inputs raise ``TypeError`` unless
    ``allow_int``.

    >>> import tape
    >>> value, g = tape.value_and_grad(lambda x: x**2 + x)(2.0)
    >>> float(value), float(g)
    (6.0, 5.0)
    """

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums(argnums, len(args))
        args = tuple(_tree(a) if i in nums else a for i, a in enumerate(args))
        for i in nums:
            for leaf in flatten(args[i]):
                if leaf.dtype.kind not in "fc" and not allow_int:
                    raise TypeError(
                        "grad requires real- or complex-valued inputs (a floating dtype), but "
                        f"argument {i} has dtype {leaf.dtype}. Pass floats (e.g. 2.0, not 2), "
                        "or set allow_int=True to get None for integer inputs."
                    )
        with GradientTape() as t:
            t.watch([args[i] for i in nums])
            out, aux = _split_aux(f(*args, **kwargs), has_aux)
        if not isinstance(out, (Tensor, Variable)) or out.shape != ():
            shape = getattr(out, "shape", type(out).__name__)
            raise TypeError(
                f"Gradient only defined for scalar-output functions. Output had shape: {shape}."
            )
        sources = [args[i] for i in nums]
        grads = t.gradient(out, sources, unconnected_gradients="zero")
        grads = [pack_as(g, [densify(leaf) for leaf in flatten(g)]) for g in grads]
        g = grads[0] if isinstance(argnums, int) else tuple(grads)
        return ((out, aux), g) if has_aux else (out, g)

    return wrapped


def grad(
    f: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    allow_int: bool = False,
) -> Callable[..., Any]:
    """The gradient of a scalar function, as a function: ``grad(f)(x)``.

    >>> import tape
    >>> df = tape.grad(lambda x: x**3)
    >>> float(df(2.0)), float(tape.grad(df)(2.0))
    (12.0, 12.0)
    """
    vg = value_and_grad(f, argnums, has_aux, allow_int)

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        (out, g) = vg(*args, **kwargs)
        return (g, out[1]) if has_aux else g

    return wrapped


def vjp(f: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """``(f(*primals), vjp_fn)``: ``vjp_fn(cotangent)`` returns a tuple with one cotangent per
    primal. With ``has_aux``, ``(out, vjp_fn, aux)``.

    >>> import tape
    >>> y, pullback = tape.vjp(lambda x: x * x, tape.constant([1.0, 2.0]))
    >>> pullback(tape.constant([1.0, 1.0]))[0].numpy()
    array([2., 4.], dtype=float32)
    """
    xs = tuple(_tree(p) for p in primals)
    t = GradientTape(persistent=True)
    with t:
        t.watch(list(xs))
        out, aux = _split_aux(f(*xs), has_aux)

    def vjp_fn(cotangent: Any) -> tuple:
        flat_out, flat_ct = flatten(out), flatten(cotangent)
        if len(flat_ct) != len(flat_out):
            raise ValueError(
                f"The cotangent has {len(flat_ct)} parts but the output has {len(flat_out)}."
            )
        grads = t.gradient(flat_out, flatten(list(xs)), output_gradients=flat_ct,
                           unconnected_gradients="zero")
        return tuple(pack_as(list(xs), [densify(g) for g in grads]))

    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple:
    """``(f(*primals), J tangents)`` by forward mode. ``primals`` and ``tangents`` are tuples.

    >>> import tape
    >>> y, dy = tape.jvp(lambda x: tape.sin(x), (0.0,), (1.0,))
    >>> float(dy)
    1.0
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp takes primals and tangents as tuples, e.g. jvp(f, (x,), (v,)).")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp got {len(primals)} primals but {len(tangents)} tangents.")
    xs = [_tree(p) for p in primals]
    flat_x = flatten(xs)
    flat_t = [
        _tensor(np.asarray(t, dtype=x.dtype) if not isinstance(t, (Tensor, Variable)) else t)
        for t, x in zip(flatten(list(tangents)), flat_x)
    ]
    with ForwardAccumulator(flat_x, flat_t) as acc:
        out = f(*xs)
    return out, acc.jvp(out, unconnected_gradients="zero")


def jacrev(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The Jacobian by reverse mode: shape ``out.shape + arg.shape``.

    >>> import tape
    >>> tape.jacrev(lambda x: x * x)(tape.constant([1.0, 2.0])).numpy()
    array([[2., 0.],
           [0., 4.]], dtype=float32)
    """

    @functools.wraps(f)
    def wrapped(*args: Any) -> Any:
        nums = _argnums(argnums, len(args))
        args = tuple(_tree(a) if i in nums else a for i, a in enumerate(args))
        sources = [args[i] for i in nums]
        with GradientTape(persistent=True) as t:
            t.watch(sources)
            out = f(*args)
        per_output = []
        for o in flatten(out):
            jac = t.jacobian(o, sources, unconnected_gradients="zero")
            per_output.append(jac[0] if isinstance(argnums, int) else tuple(jac))
        return pack_as(out, per_output)

    return wrapped


jacobian = jacrev


def jacfwd(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The Jacobian by forward mode (one pass per input element): shape
    ``out.shape + arg.shape``. Cheaper than :func:`jacrev` for tall Jacobians.

    >>> import tape
    >>> tape.jacfwd(lambda x: x * x)(tape.constant([1.0, 2.0])).numpy()
    array([[2., 0.],
           [0., 4.]], dtype=float32)
    """

    @functools.wraps(f)
    def wrapped(*args: Any) -> Any:
        nums = _argnums(argnums, len(args))
        # each differentiated argument one tensor of its own (see _tree)
        args = tuple(identity(_tensor(a)) if i in nums else a for i, a in enumerate(args))
        per_arg = []  # per argument, per output: the Jacobian
        out: Any = None
        for i in nums:
            x = args[i]
            columns: list[list] = []
            for k in range(x.size):
                e = np.zeros(x.size, dtype=x.dtype)
                e[k] = 1
                with ForwardAccumulator(x, e.reshape(x.shape)) as acc:
                    out = f(*args)
                flat = flatten(out)
                columns = columns or [[] for _ in flat]
                for col, o in zip(columns, flat):
                    col.append(acc.jvp(o, unconnected_gradients="zero"))
            if out is None:  # an argument with no elements: run f once for the shapes
                out = f(*args)
            jacs = []
            for j, o in enumerate(flatten(out)):
                if x.size == 0:
                    jacs.append(as_tensor(np.zeros(o.shape + x.shape, dtype=o.dtype)))
                    continue
                cols = stack(columns[j])  # (x.size,) + o.shape: move the column axis last
                cols = transpose(cols, tuple(range(1, cols.ndim)) + (0,))
                jacs.append(reshape(cols, o.shape + x.shape))
            per_arg.append(jacs)
        per_output = [
            per_arg[0][j] if isinstance(argnums, int) else tuple(a[j] for a in per_arg)
            for j in range(len(flatten(out)))
        ]
        return pack_as(out, per_output)

    return wrapped


def hessian(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Any]:
    """The Hessian of a scalar function: the reverse-mode Jacobian of its gradient.

    >>> import tape
    >>> tape.hessian(lambda x: tape.reduce_sum(x**3))(tape.constant([1.0, 2.0])).numpy()
    array([[ 6.,  0.],
           [ 0., 12.]], dtype=float32)
    """
    if not isinstance(argnums, int):
        raise TypeError("hessian takes a single argnums (an int).")
    return jacrev(grad(f, argnums), argnums)


def hvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> Any:
    """The Hessian-vector product of a scalar function, forward-over-reverse: one tangent
    per primal, and one product per primal (a tuple).

    >>> import tape
    >>> f = lambda x: tape.reduce_sum(x**3)
    >>> tape.hvp(f, (tape.constant([1.0, 2.0]),), (tape.constant([1.0, 0.0]),))[0].numpy()
    array([6., 0.], dtype=float32)
    """
    argnums = tuple(range(len(primals)))
    _, out = jvp(lambda *xs: grad(f, argnums)(*xs), tuple(primals), tuple(tangents))
    return tuple(out)


# --------------------------------------------------------------------------- vectorizing


def vmap(
    fn: Callable[..., Any], in_axes: Any = 0, out_axes: int = 0,
    fallback_to_while_loop: bool = True,
) -> Callable[..., Any]:
    """JAX's ``vmap``: ``fn`` mapped over an axis of its arguments, run on the whole batch at
    once. ``in_axes`` is an int or None for every argument, or a tuple with one per argument
    (None: not batched, the same for every example); the results have the batch on
    ``out_axes``.

    ``fn`` is traced on one example, and its ops then run on the batch by their batching
    rules (an op without one loops over the examples, with a warning). A function whose
    Python control flow depends on values that differ between examples, or that assigns
    variables, runs once per example instead (results stacked); so does a call under a
    recording tape, so that the tape records it. It composes with ``grad``: ``vmap(grad(f))``
    gives per-example gradients.

    >>> import numpy as np, tape
    >>> f = lambda x, w: tape.reduce_sum(tape.sin(x) * w)
    >>> tape.vmap(f, in_axes=(0, None))(np.zeros((3, 2)), np.ones(2)).numpy()
    array([0., 0., 0.])
    >>> per_example = tape.vmap(tape.grad(lambda x: tape.reduce_sum(x ** 3)))
    >>> per_example(tape.constant([[1.0, 2.0], [3.0, 4.0]])).numpy()
    array([[ 3., 12.],
           [27., 48.]], dtype=float32)
    """
    cache: dict[Any, Any] = {}

    @functools.wraps(fn)
    def batched(*args: Any) -> Any:
        axes = tuple(in_axes) if isinstance(in_axes, (tuple, list)) else (in_axes,) * len(args)
        if len(axes) != len(args):
            raise ValueError(
                f"vmap: in_axes has {len(axes)} entries for {len(args)} arguments; give one "
                "per argument (None for an argument that is not batched)."
            )
        moved, size = _batch_first(args, axes)
        examples = [_example(a, ax) for a, ax in zip(moved, axes)]
        result = None
        if not (STATE.recording or STATE.accumulators):
            looped: list[str] = []
            try:
                result = _run_batched(fn, moved, axes, examples, size, cache, looped)
            except Unbatchable:
                if not fallback_to_while_loop:
                    raise
            if not fallback_to_while_loop and looped:
                raise Unbatchable(
                    f"ops without a batching rule: {sorted(set(looped))}; pass "
                    "fallback_to_while_loop=True to run them once per example."
                )
        if result is None:
            result = _looped(fn, moved, axes, size)
        return _out_axis(result, out_axes)

    return batched


def vectorized_map(
    fn: Callable[[Any], Any], elems: Any, fallback_to_while_loop: bool = True,
    warn: bool = True,
) -> Any:
    """TensorFlow's ``tf.vectorized_map``: ``fn`` applied to each element of ``elems`` (a
    tensor, or a nested structure of tensors, sliced along axis 0), run on the batch at
    once; see :func:`vmap`.

    >>> import tape
    >>> tape.vectorized_map(lambda e: e[0] * e[1], (tape.constant([1.0, 2.0]),
    ...                                             tape.constant([3.0, 4.0]))).numpy()
    array([3., 8.], dtype=float32)
    """
    return vmap(fn, fallback_to_while_loop=fallback_to_while_loop)(elems)


def _batch_first(args: tuple, axes: tuple) -> tuple[list, int]:
    """The arguments with their batch axis moved to the front (tensors; nested lists and
    tuples of them), and the batch size."""
    sizes = set()
    moved = []
    for a, ax in zip(args, axes):
        if ax is None:
            moved.append(a)
            continue
        leaves = [convert_to_tensor(v) for v in flatten(a)]
        front = [np.moveaxis(v, ax, 0) if ax != 0 else v for v in leaves]
        for v in front:
            if v.ndim == 0:
                raise ValueError("vmap: a batched argument must have the batch axis.")
            sizes.add(v.shape[0])
        moved.append(pack_as(a, front) if type(a) in (list, tuple) else front[0])
    if len(sizes) != 1:
        raise ValueError(
            f"vmap: the batched arguments must have one batch size on their axes, got sizes "
            f"{sorted(sizes)}."
        )
    return moved, sizes.pop()


def _example(a: Any, ax: Any, k: int = 0) -> Any:
    if ax is None:
        return a
    if type(a) in (list, tuple):
        return type(a)(_example(v, 0, k) for v in a)
    return a[k]


def _run_batched(fn: Callable[..., Any], moved: list, axes: tuple, examples: list, size: int,
                 cache: dict, looped: list[str]) -> Any:
    """``fn`` on the batch by its trace on one example (see :mod:`tape._batch`)."""
    key, leaves, named = signature(tuple(examples), {})
    tr = cache.get(key)
    if tr is None:
        tr, _ = trace(fn, tuple(examples), {}, leaves, keep=named)
        if len(cache) > 64:
            cache.clear()
        cache[key] = tr
    if tr.unsupported:
        raise Unbatchable(tr.unsupported)
    values, flags = [], []
    for a, ax in zip(moved, axes):
        for leaf in flatten(a) if type(a) in (list, tuple) else [a]:
            if isinstance(leaf, (Tensor, np.ndarray, np.generic)):
                values.append(leaf._value if isinstance(leaf, Tensor) else np.asarray(leaf))
                flags.append(ax is not None)
    outs = run_batched(tr, values, flags, size, looped)
    full = [wrap(v if b else np.broadcast_to(v, (size, *np.shape(v))).copy())
            for v, b in outs]
    made = {id(t) for t in full}
    # results that do not depend on the inputs are the same for every example
    return pack_as(tr.out, [
        t if id(t) in made or not isinstance(t, Tensor)
        else wrap(np.broadcast_to(t._value, (size, *t.shape)).copy())
        for t in flatten(tr.fill(full))
    ])


def _looped(fn: Callable[..., Any], moved: list, axes: tuple, size: int) -> Any:
    """``fn`` once per example, the results stacked (recorded by any tape)."""
    results = [fn(*[_example(a, ax, k) for a, ax in zip(moved, axes)]) for k in range(size)]
    first = results[0]
    if isinstance(first, (list, tuple)):
        parts = [flatten(r) for r in results]
        return pack_as(first, [stack(list(p)) for p in zip(*parts)])
    return stack(results)


def _out_axis(result: Any, out_axes: int) -> Any:
    """The results with their batch axis moved from the front to ``out_axes``."""
    if out_axes == 0:
        return result
    return pack_as(result, [np.moveaxis(v, 0, out_axes) for v in flatten(result)])
