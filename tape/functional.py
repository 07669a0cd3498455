"""A functional API in JAX's style, built on the tape: ``grad``, ``value_and_grad``, ``vjp``,
``jvp``, ``jacrev``, ``jacfwd``, ``jacobian``, ``hessian`` and ``hvp``. They compose:
``grad(grad(f))`` is the second derivative.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _tape
from ._batch import Basis, Unbatchable, run_batched
from ._record import bind
from ._registry import PerPosition, Primitive, conj_if_complex
from ._sparse import densify
from ._structure import flatten, pack_as
from ._tape import GradientTape
from ._tensor import STATE, Tensor, Variable, as_tensor, scalarize, wrap
from ._trace import _Slot, _slots, _substitute, signature, trace
from .forward import ForwardAccumulator
from .ops.creation import convert_to_tensor, zeros_like
from .ops.reductions import reduce_sum
from .ops.shape import broadcast_to, identity, reshape, stack, transpose


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
    holomorphic: bool = False,
) -> Callable[..., Any]:
    """A function returning ``(f(*args), gradient)``; with ``has_aux``, ``((f, aux), grad)``.

    The gradient has the structure of ``args[argnums]`` (a tuple of them when ``argnums`` is
    a tuple). ``f`` must return a scalar; integer inputs raise ``TypeError`` unless
    ``allow_int``.

    Complex numbers follow JAX's convention, as the whole functional API does: for a real
    ``f`` of a complex ``z = x + iy`` the gradient is ``df/dx - i df/dy`` (the conjugate of
    what ``GradientTape.gradient`` gives, which follows TensorFlow); a complex ``f`` needs
    ``holomorphic=True`` (complex inputs), and then the gradient is the complex derivative
    ``f'(z)``.

    >>> import tape
    >>> value, g = tape.value_and_grad(lambda x: x**2 + x)(2.0)
    >>> float(value), float(g)
    (6.0, 5.0)
    >>> complex(tape.grad(lambda z: tape.math.abs(z) ** 2 + tape.math.real(z))(1 + 2j))
    (3-4j)
    >>> complex(tape.grad(lambda z: z**2, holomorphic=True)(1 + 2j))
    (2+4j)
    """

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums(argnums, len(args))
        args = tuple(_tree(a) if i in nums else a for i, a in enumerate(args))
        for i in nums:
            for leaf in flatten(args[i]):
                _check_input("grad", leaf, i, holomorphic, allow_int)
        with GradientTape() as t:
            t.watch([args[i] for i in nums])
            out, aux = _split_aux(f(*args, **kwargs), has_aux)
        if not isinstance(out, (Tensor, Variable)) or out.shape != ():
            shape = getattr(out, "shape", type(out).__name__)
            raise TypeError(
                f"Gradient only defined for scalar-output functions. Output had shape: {shape}."
            )
        _check_output("grad", out, holomorphic)
        sources = [args[i] for i in nums]
        grads = t.gradient(out, sources, unconnected_gradients="zero")
        # (complex values in JAX's convention: the conjugate of the tape's)
        grads = [pack_as(g, [conj_if_complex(densify(leaf)) for leaf in flatten(g)])
                 for g in grads]
        g = grads[0] if isinstance(argnums, int) else tuple(grads)
        return ((out, aux), g) if has_aux else (out, g)

    return wrapped


def _check_input(name: str, leaf: Any, i: int, holomorphic: bool, allow_int: bool) -> None:
    """JAX's checks of a differentiated input's dtype."""
    kind = leaf.dtype.kind
    if holomorphic and kind != "c":
        raise TypeError(
            f"{name} with holomorphic=True requires inputs with complex dtype, but argument "
            f"{i} has dtype {leaf.dtype}. Pass complex values (tape.complex(x, y), x + 0j)."
        )
    if name == "jacfwd" and not holomorphic and kind == "c":
        raise TypeError(
            f"jacfwd requires real-valued inputs, but argument {i} has dtype {leaf.dtype}. "
            "For holomorphic differentiation, pass holomorphic=True; for a function that is "
            "not holomorphic, use tape.jvp along the real and the imaginary directions, or "
            "jacrev."
        )
    if kind not in "fc" and not allow_int:
        raise TypeError(
            f"{name} requires real- or complex-valued inputs (a floating dtype), but "
            f"argument {i} has dtype {leaf.dtype}. Pass floats (e.g. 2.0, not 2), "
            "or set allow_int=True to get None for integer inputs."
        )


def _check_output(name: str, out: Any, holomorphic: bool) -> None:
    """JAX's checks of a differentiated output's dtype."""
    kind = out.dtype.kind
    if holomorphic and kind != "c":
        raise TypeError(
            f"{name} with holomorphic=True requires outputs with complex dtype, but got "
            f"{out.dtype}."
        )
    if not holomorphic and kind == "c" and name != "jacfwd":
        raise TypeError(
            f"{name} requires real-valued outputs, but got {out.dtype}. For holomorphic "
            "differentiation, pass holomorphic=True. For a function that is not holomorphic, "
            "differentiate its real and imaginary parts (tape.math.real, tape.math.imag), or "
            "use tape.vjp or GradientTape directly."
        )


def grad(
    f: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    allow_int: bool = False,
    holomorphic: bool = False,
) -> Callable[..., Any]:
    """The gradient of a scalar function, as a function: ``grad(f)(x)``. Complex values
    follow JAX's convention (see :func:`value_and_grad`).

    >>> import tape
    >>> df = tape.grad(lambda x: x**3)
    >>> float(df(2.0)), float(tape.grad(df)(2.0))
    (12.0, 12.0)
    """
    vg = value_and_grad(f, argnums, has_aux, allow_int, holomorphic)

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        (out, g) = vg(*args, **kwargs)
        return (g, out[1]) if has_aux else g

    return wrapped


def vjp(f: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """``(f(*primals), vjp_fn)``: ``vjp_fn(cotangent)`` returns a tuple with one cotangent per
    primal. With ``has_aux``, ``(out, vjp_fn, aux)``.

    Complex cotangents follow JAX's convention: ``vjp_fn(u)`` is ``u`` times the derivative,
    the conjugate of ``GradientTape.gradient`` with ``output_gradients=conj(u)``.

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
        grads = t.gradient(flat_out, flatten(list(xs)),
                           output_gradients=[conj_if_complex(_tensor(u)) for u in flat_ct],
                           unconnected_gradients="zero")
        return tuple(pack_as(list(xs), [conj_if_complex(densify(g)) for g in grads]))

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
        _tensor(_tangent_value(t, x) if not isinstance(t, (Tensor, Variable)) else t)
        for t, x in zip(flatten(list(tangents)), flat_x)
    ]
    with ForwardAccumulator(flat_x, flat_t) as acc:
        out = f(*xs)
    return out, acc.jvp(out, unconnected_gradients="zero")


def _tangent_value(t: Any, x: Any) -> np.ndarray:
    """A tangent given as a number or an array, in its primal's dtype; a complex tangent of a
    real primal raises (casting would drop its imaginary part)."""
    value = np.asarray(t)
    if value.dtype.kind == "c" and x.dtype.kind != "c":
        raise TypeError(
            f"A tangent of a real primal must be real: got dtype {value.dtype} for a primal "
            f"of dtype {x.dtype}. Make the primal complex (x + 0j), or pass the tangent's "
            "real part."
        )
    return value.astype(x.dtype)


def jacrev(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, holomorphic: bool = False
) -> Callable[..., Any]:
    """The Jacobian by reverse mode: shape ``out.shape + arg.shape``.

    As JAX's: complex inputs give the conjugate of ``GradientTape.jacobian``'s rows (JAX's
    convention); complex outputs need ``holomorphic=True`` (and complex inputs), which gives
    the complex derivative.

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
        for i in nums:
            for leaf in flatten(args[i]):
                _check_input("jacrev", leaf, i, holomorphic, allow_int=False)
        with GradientTape(persistent=True) as t:
            t.watch(sources)
            out = f(*args)
        per_output = []
        for o in flatten(out):
            _check_output("jacrev", o, holomorphic)
            jac = [conj_if_complex(j)
                   for j in t.jacobian(o, sources, unconnected_gradients="zero")]
            per_output.append(jac[0] if isinstance(argnums, int) else tuple(jac))
        return pack_as(out, per_output)

    return wrapped


jacobian = jacrev


def jacfwd(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, holomorphic: bool = False
) -> Callable[..., Any]:
    """The Jacobian by forward mode: shape ``out.shape + arg.shape``. Cheaper than
    :func:`jacrev` for tall Jacobians. As JAX's, complex inputs need ``holomorphic=True``
    (the columns are then the complex derivative's); real inputs may give complex outputs.

    The columns come from one batched forward pass: the tangent of ``f`` for one column of
    the identity is traced, then run on all of them at once, the identity's columns kept
    sparse through the ops that keep them so (as ``GradientTape.jacobian`` keeps its rows).
    Under an outer tape or accumulator, or inside ``tape.function``, it is a :func:`vmap` of
    that tangent, which those record as one op; where the tangent cannot run on a batch
    (Python branching on it), one forward pass per column.

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
        for i in nums:
            _check_input("jacfwd", args[i], i, holomorphic, allow_int=False)
        per_arg = []  # per argument, per output: the Jacobian
        out: Any = None
        for i in nums:
            x = args[i]
            if x.size == 0:  # no columns: f once, for the shapes
                out = f(*args)
                per_arg.append([as_tensor(np.zeros(o.shape + x.shape, dtype=o.dtype))
                                for o in flatten(out)])
                continue
            seen: list[Any] = []

            def column(*xs_and_tangent: Any, i: int = i, seen: list = seen) -> list:
                xs = list(xs_and_tangent[:-1])
                xs[i] = identity(xs[i])  # its own primal, even if passed twice
                with ForwardAccumulator(xs[i], xs_and_tangent[-1]) as acc:
                    result = f(*xs)
                seen[:] = [result]
                return [acc.jvp(o, unconnected_gradients="zero") for o in flatten(result)]

            columns = None
            in_axes = (None,) * len(args) + (0,)
            eye = wrap(np.eye(x.size, dtype=x.dtype).reshape((x.size, *x.shape)))
            if not (STATE.recording or STATE.accumulators):  # the identity's rows kept sparse
                first = np.zeros(x.shape, dtype=x.dtype)
                first.flat[0] = 1
                seed = Basis(np.ones(x.size, dtype=x.dtype), 0, x.shape)
                try:
                    columns = _run_batched(column, [*args, wrap(first)], in_axes,
                                           [*args, wrap(first)], x.size, [], seed)
                except _Ran as e:  # f has run on the first column: the others, one by one
                    columns = _looped(column, [*args, eye], in_axes, x.size, e.first)
                except Unbatchable:
                    pass
            if columns is None:  # (vmap runs it on the whole batch where it can)
                columns = vmap(column, in_axes=in_axes)(*args, eye)
            out = seen[0]
            jacs = []
            for o in flatten(out):
                _check_output("jacfwd", o, holomorphic)
            for o, cols in zip(flatten(out), columns):  # (x.size,) + o.shape: columns last
                cols = transpose(cols, tuple(range(1, cols.ndim)) + (0,))
                jacs.append(reshape(cols, o.shape + x.shape))
            per_arg.append(jacs)
        per_output = [
            per_arg[0][j] if isinstance(argnums, int) else tuple(a[j] for a in per_arg)
            for j in range(len(flatten(out)))
        ]
        return pack_as(out, per_output)

    return wrapped


def hessian(
    f: Callable[..., Any], argnums: int = 0, holomorphic: bool = False
) -> Callable[..., Any]:
    """The Hessian of a scalar function: the reverse-mode Jacobian of its gradient (of a
    holomorphic function of complex inputs with ``holomorphic=True``: its second complex
    derivative).

    >>> import tape
    >>> tape.hessian(lambda x: tape.reduce_sum(x**3))(tape.constant([1.0, 2.0])).numpy()
    array([[ 6.,  0.],
           [ 0., 12.]], dtype=float32)
    """
    if not isinstance(argnums, int):
        raise TypeError("hessian takes a single argnums (an int).")
    second = jacrev(grad(f, argnums, holomorphic=holomorphic), argnums, holomorphic=holomorphic)
    if holomorphic:
        return second

    @functools.wraps(f)
    def wrapped(*args: Any) -> Any:
        for leaf in flatten(_tree(args[argnums]) if argnums < len(args) else []):
            if leaf.dtype.kind == "c":
                raise TypeError(
                    f"hessian of a function of complex inputs (dtype {leaf.dtype}) needs "
                    "holomorphic=True, as JAX's. For a real function of complex values, take "
                    "the real and imaginary parts as real inputs (z = tape.complex(x, y)) "
                    "and differentiate with respect to them."
                )
        return second(*args)

    return wrapped


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
    variables, runs once per example instead (results stacked).

    It composes with ``grad``, ``jacfwd``, tapes, accumulators and ``tape.function``:
    ``vmap(grad(f))`` gives per-example gradients; under a recording ``GradientTape`` or a
    ``ForwardAccumulator``, and inside a function being compiled, the batched call is one op,
    whose gradient and tangent are batched calls too (of ``f``'s VJP and JVP, traced on one
    example), to every order; tensors the function closes over and the variables it reads are
    differentiated too. A function with effects (assignments, random draws, ``tape.print``)
    runs once per example there instead.

    >>> import numpy as np, tape
    >>> f = lambda x, w: tape.reduce_sum(tape.sin(x) * w)
    >>> tape.vmap(f, in_axes=(0, None))(np.zeros((3, 2)), np.ones(2)).numpy()
    array([0., 0., 0.])
    >>> per_example = tape.vmap(tape.grad(lambda x: tape.reduce_sum(x ** 3)))
    >>> per_example(tape.constant([[1.0, 2.0], [3.0, 4.0]])).numpy()
    array([[ 3., 12.],
           [27., 48.]], dtype=float32)
    """
    @functools.wraps(fn)
    def batched(*args: Any) -> Any:
        axes = tuple(in_axes) if isinstance(in_axes, (tuple, list)) else (in_axes,) * len(args)
        if len(axes) != len(args):
            raise ValueError(
                f"vmap: in_axes has {len(axes)} entries for {len(args)} arguments; give one "
                "per argument (None for an argument that is not batched)."
            )
        moved, size = _batch_first(args, axes)
        result = None
        looped: list[str] = []
        composed = bool(STATE.recording or STATE.accumulators)  # (tracers record too)
        ran: list = []  # the result of a run on the first example, if the trace made one
        try:
            if composed:
                result = _bound(fn, moved, axes, size, looped)
            else:
                examples = [_example(a, ax) for a, ax in zip(moved, axes)]
                result = _run_batched(fn, moved, axes, examples, size, looped)
        except Unbatchable as e:
            if not fallback_to_while_loop:
                raise Unbatchable(
                    f"vmap: the function cannot run on the batch as a whole ({e}); pass "
                    "fallback_to_while_loop=True to run it once per example."
                ) from None
            if isinstance(e, _Ran):
                ran.append(e.first)
        if not fallback_to_while_loop and looped:
            raise Unbatchable(
                f"ops without a batching rule: {sorted(set(looped))}; pass "
                "fallback_to_while_loop=True to run them once per example."
            )
        if result is None:
            result = _looped(fn, moved, axes, size, *ran)
        return _out_axis(result, out_axes)

    return batched


_tape.VMAP.append(vmap)  # a recorded Jacobian maps its sweep with it


class _Ran(Unbatchable):
    """The function cannot run on the batch as a whole, and it has run once already, on the
    first example (to be traced), with ``first`` as its result: the loop starts from there,
    so that its effects happen once per example."""

    def __init__(self, why: str, first: Any) -> None:
        super().__init__(why)
        self.first = first


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
            if not v.shape[0]:
                raise ValueError("vmap: the batch is empty (a batched argument has size 0 on "
                                 "its batch axis); there is no example to run.")
            sizes.add(v.shape[0])
        moved.append(pack_as(a, front) if isinstance(a, (list, tuple, dict)) else front[0])
    if len(sizes) != 1:
        raise ValueError(
            f"vmap: the batched arguments must have one batch size on their axes, got sizes "
            f"{sorted(sizes)}."
        )
    return moved, sizes.pop()


def _example(a: Any, ax: Any, k: int = 0) -> Any:
    if ax is None:
        return a
    if isinstance(a, (list, tuple, dict)):
        return pack_as(a, [v[k] for v in flatten(a)])
    return a[k]


def _run_batched(fn: Callable[..., Any], moved: list, axes: tuple, examples: list, size: int,
                 looped: list[str], seed: Any = None) -> Any:
    """``fn`` on the batch by its trace on one example (see :mod:`tape._batch`); ``seed``:
    the value of the last input instead of its own (rows of the identity kept sparse)."""
    _, leaves, named = signature(tuple(examples), {})
    # traced on every call (as JAX's vmap): what the function closes over is read now
    tr, first = trace(fn, tuple(examples), {}, leaves, keep=named)
    try:
        return _batched_values(tr, moved, axes, size, looped, seed)
    except Unbatchable as e:
        raise _Ran(str(e), first) from None


def _batched_values(tr: Any, moved: list, axes: tuple, size: int, looped: list[str],
                    seed: Any) -> Any:
    """The traced function's results on the batch (see :func:`_run_batched`)."""
    if tr.unsupported:
        raise Unbatchable(tr.unsupported)
    values, flags = [], []
    for a, ax in zip(moved, axes):
        for leaf in signature((a,), {})[1]:  # (the leaves as the trace's inputs are found)
            values.append(leaf._value if isinstance(leaf, Tensor) else np.asarray(leaf))
            flags.append(ax is not None)
    if seed is not None:
        values[-1] = seed
    outs = run_batched(tr, values, flags, size, looped)
    full = [wrap(v if b else np.broadcast_to(v, (size, *np.shape(v))).copy())
            for v, b in outs]
    made = {id(t) for t in full}
    # results that do not depend on the inputs are the same for every example
    return pack_as(tr.out, [t if id(t) in made else _repeated(t, size)
                            for t in flatten(tr.fill(full))])


def _repeated(leaf: Any, size: int) -> Any:
    """A leaf of the result that is the same for every example (a tensor, variable, array or
    number the function did not compute from its inputs), with the batch in front, as the
    loop's stack makes it (by a recorded op, for the tapes outside); other leaves as they
    are."""
    if isinstance(leaf, (Tensor, Variable)):
        return broadcast_to(leaf, (size, *leaf.shape))
    if isinstance(leaf, (np.ndarray, np.generic, int, float, bool)):
        value = convert_to_tensor(leaf)
        return broadcast_to(value, (size, *value.shape))
    return leaf


def _bound(fn: Callable[..., Any], moved: list, axes: tuple, size: int,
           looped: list[str]) -> Any:
    """``fn`` on the batch as ONE op (see :func:`_mapped`), for tapes, accumulators and
    tracers outside the call: they record it as one entry, not one per example. The function
    is traced anew on each call (on fresh tensors holding one example), so that what it closes
    over is looked at now: tensors it closes over that an outer tape, accumulator or tracer
    tracks become inputs of the op (:func:`_lift_captured`), and so do the variables it
    reads. Raises :class:`Unbatchable` where that op would not be the function's: effects
    (assignments, draws, prints), a guard inside a function being compiled (the generated
    code could not check it), or the batch itself."""
    examples, inputs, flags = [], [], []
    for a, ax in zip(moved, axes):
        _, leaves, _ = signature((a,), {})
        fresh = []
        for leaf in leaves:
            t = leaf if isinstance(leaf, Tensor) else wrap(scalarize(np.array(np.asarray(leaf))))
            # the first example, recorded from the batch by the tapes outside: the run that
            # traces the function is also the first example's, should it have to loop
            fresh.append(t[0] if ax is not None else identity(t))
            inputs.append(t)
            flags.append(ax is not None)
        examples.append(_substitute(a, fresh))
    key, leaves, named = signature(tuple(examples), {})
    tr, first = trace(fn, tuple(examples), {}, leaves, locate=False, keep=named)
    if tr.unsupported:
        raise _Ran(tr.unsupported, first)
    if any(type(step[0]) is not Primitive and (step[0] != "guard" or STATE.tracers)
           for step in tr.steps):
        raise _Ran("the function has effects, or branches inside a compiled function", first)
    for k, value in _lift_captured(tr).items():  # closed over, tracked outside: inputs too
        inputs.append(wrap(value, k))
        flags.append(False)
    if tr.variables:  # read (never assigned): inputs of the op, read when it runs
        inputs.extend(tr.variables.values())
        flags.extend(False for _ in tr.variables)
        tr.inputs = [*tr.inputs, *tr.variables]
        tr._input_dtypes = [*tr._input_dtypes, *(v.dtype for v in tr.variables.values())]
        tr.variables = {}
    values = [t._value for t in inputs]
    try:
        batch = _finish(tr, run_batched(tr, values, flags, size, looped), size)
    except Unbatchable as e:
        raise _Ran(str(e), first) from None
    if not batch:  # no result computed from the inputs: nothing for an op to give
        return _unorder(tr, [], [], size)
    prim = _mapped(tr, flags, size, batch, [t.dtype.kind in "fc" for t in inputs])
    out = bind(prim, *inputs)
    outs = list(out) if type(out) is tuple else [out]
    return _unorder(tr, _order(tr), outs, size)


def _lift_captured(tr: Any) -> dict[int, Any]:
    """Make the values that ``tr``'s function closed over and that an outer tape, accumulator
    or tracer tracks (by id) inputs of the trace, so that the op of the batched call is
    recorded from them. Returns their values by id, in the order they became inputs."""
    tracked = [t._watched for t in STATE.recording] + [a._tangents for a in STATE.accumulators]
    lifted: dict[int, Any] = {}
    steps = []
    for step in tr.steps:
        if type(step[0]) is Primitive:
            ids, vals, connected = step[1], step[2], step[6]
            extra = [i for i, k in enumerate(ids)
                     if k and i not in connected and any(k in w for w in tracked)]
            if extra:
                for i in extra:
                    lifted.setdefault(ids[i], vals[i])
                step = (*step[:6], tuple(sorted({*connected, *extra})))
        steps.append(step)
    if lifted:
        tr.steps = steps
        tr.inputs = [*tr.inputs, *lifted]
        tr._input_dtypes = [*tr._input_dtypes, *(np.asarray(v).dtype for v in lifted.values())]
    return lifted


def _finish(tr: Any, outs: list, size: int) -> list:
    """The values of the trace's results (as :func:`_order` orders them) from
    :func:`run_batched`'s, each with the batch (broadcast where it is the same for all)."""
    got = dict(zip(_slots(tr.out), outs))
    full = []
    for leaf in _traced(tr.out):
        v, b = got[leaf.id]
        full.append(v if b else np.broadcast_to(v, (size, *np.shape(v))).copy())
    order = _order(tr)
    return [full[j] for j in order]


def _traced(out: Any) -> list:
    """The leaves of a result that the trace computed, in order (a trace's result holds
    slots for them; a replayed one, tensors at the same places)."""
    return [v for v in flatten(out) if type(v) is _Slot]


def _replayed(tr: Any, result: Any) -> list:
    """The leaves of a replayed result at the places of the trace's own results."""
    where = [j for j, v in enumerate(flatten(tr.out)) if type(v) is _Slot]
    leaves = flatten(result)
    return [leaves[j] for j in where]


def _order(tr: Any) -> list[int]:
    """The trace's results in the order the op gives them: floating ones first (forward
    mode looks at the first output's dtype)."""
    kinds = [tr._dtype(v.id).kind for v in _traced(tr.out)]
    return sorted(range(len(kinds)), key=lambda j: kinds[j] not in "fc")


def _unorder(tr: Any, order: list[int], outs: list, size: int) -> Any:
    """The function's result, with ``outs`` (in :func:`_order`'s order) for the trace's
    results. A tensor of the result that the trace did not compute from the inputs (what
    the function closes over, or computed from it) is the same for every example: it is
    broadcast to the batch by an op of its own, which the tapes outside record."""
    placed: list[Any] = [None] * len(order)
    for j, o in zip(order, outs):
        placed[j] = o
    it = iter(placed)
    return pack_as(tr.out, [next(it) if type(v) is _Slot else _repeated(v, size)
                            for v in flatten(tr.out)])


class _Info:
    """What a batched call's op knows, for its batching rule: its trace, which inputs are
    batched, and the batch size."""

    __slots__ = ("tr", "flags", "size")

    def __init__(self, tr: Any, flags: list[bool], size: int) -> None:
        self.tr, self.flags, self.size = tr, flags, size


def _mapped(tr: Any, flags: list[bool], size: int, first: list,
            floats: list[bool]) -> Primitive:
    """The op of one batched call of a function traced as ``tr`` on one example: its forward
    runs the trace on the batch (``first``: the values of the call at hand); its gradient
    rule is the batched VJP of the trace (an input without the batch gets the sum over the
    examples), its forward rules the batched JVPs, each a ``vmap`` of the trace replayed on
    one example under a tape or an accumulator, so that an outer tape records them in turn
    (higher orders). Inside ``tape.function`` its forward is one call of the generated code;
    inside another ``vmap``, its batching rule is :func:`_mapped_rule`."""
    order = _order(tr)
    outs_float = sum(1 for o in first if o.dtype.kind in "fc")
    several = len(first) != 1
    m = len(flags)
    where = [j for j in range(m) if floats[j]]
    pending = [first]

    def run(*values: Any) -> Any:
        full = pending.pop() if pending else _finish(
            tr, run_batched(tr, list(values), flags, size), size)
        return tuple(full) if several else full[0]

    def float_outputs(xs: list) -> list:
        """The trace replayed on one example (each input its own tensor): its floating
        results, in the op's order."""
        result = _replayed(tr, tr.replay(xs))
        return [result[j] for j in order[:outs_float]]

    vjp_map: list[Any] = []

    def vjp() -> Any:
        if not vjp_map:
            def vjp_of(*xs: Any) -> list:
                leaves = [identity(x) for x in xs[:m]]
                sources = [leaves[j] for j in where]
                with GradientTape() as t:
                    t.watch(sources)
                    out = float_outputs(leaves)
                grads = t.gradient(out, sources, output_gradients=list(xs[m:]),
                                   unconnected_gradients="zero")
                return [densify(g) for g in grads]

            vjp_of.__name__ = f"vjp_of_{tr.name}"
            axes = tuple(0 if b else None for b in flags) + (0,) * outs_float
            vjp_map.append(vmap(vjp_of, in_axes=axes))
        return vjp_map[0]

    def jvp(i: int) -> Any:
        def jvp_of(*xs: Any) -> list:
            leaves = [identity(x) for x in xs[:m]]
            with ForwardAccumulator(leaves[i], xs[m]) as acc:
                out = float_outputs(leaves)
            return [acc.jvp(o, unconnected_gradients="zero") for o in out]

        jvp_of.__name__ = f"jvp_of_{tr.name}"
        return vmap(jvp_of, in_axes=tuple(0 if b else None for b in flags)
                    + (0 if flags[i] else None,))

    def joint(g: Any, ans: Any, *xs: Any) -> list:
        gs = list(g) if several else [g]
        raw = type(gs[0]) is not Tensor
        args = [x if isinstance(x, Tensor) else wrap(x) for x in xs]
        cts = [c if isinstance(c, Tensor) else wrap(c) for c in gs[:outs_float]]
        grads = iter(vjp()(*args, *cts) if outs_float and where else ())
        result = []
        for j, x in enumerate(args):
            if floats[j]:
                gj = next(grads)
                gj = gj if flags[j] else reduce_sum(gj, axis=0)
            else:
                gj = wrap(np.zeros(x.shape, dtype=x.dtype))
            result.append(gj._value if raw else gj)
        return result

    def jvp_at(i: int) -> Any:
        if not floats[i]:
            return None

        def rule(t: Any, out: Any, *xs: Any) -> Any:
            args = [x if isinstance(x, Tensor) else wrap(x) for x in xs]
            tangents = list(jvp(i)(*args, t)) if outs_float else []
            outs = list(out) if type(out) is tuple else [out]
            tangents += [zeros_like(o) for o in outs[len(tangents):]]
            return tuple(tangents) if several else tangents[0]

        return rule

    run.__name__ = f"vmap_of_{tr.name}"
    run.mapped = _Info(tr, flags, size)  # type: ignore[attr-defined]
    # (its rules are the function's own, batched: right for complex values as they are)
    return Primitive("vmap", run, joint=joint, jvps=PerPosition(jvp_at), batch=_mapped_rule,
                     complex=True)


def _mapped_rule(prim: Primitive, args: list, batched: list[bool], ndims: list[int],
                 rank: int, static: dict, size: int) -> Any:
    """The batching rule of a batched call's op (a ``vmap`` inside a ``vmap``): the two
    batches as one, of ``size * n`` examples (an input with one of them repeated)."""
    info = getattr(prim.fwd, "mapped", None)
    if info is None:
        return NotImplemented
    n = info.size
    values, flags = [], []
    for a, outer, inner in zip(args, batched, info.flags):
        a = np.asarray(a)
        if outer and inner:
            a = a.reshape((size * n, *a.shape[2:]))
        elif outer:
            a = np.repeat(a, n, axis=0)
        elif inner:
            a = np.tile(a, (size,) + (1,) * (a.ndim - 1))
        values.append(a)
        flags.append(outer or inner)
    try:
        outs = _finish(info.tr, run_batched(info.tr, values, flags, size * n), size * n)
    except Unbatchable:
        return NotImplemented
    outs = [v.reshape((size, n, *v.shape[1:])) for v in outs]
    return tuple(outs) if len(outs) != 1 else outs[0]



def _looped(fn: Callable[..., Any], moved: list, axes: tuple, size: int,
            *first: Any) -> Any:
    """``fn`` once per example, the results stacked (recorded by any tape); ``first``: the
    first example's result, when the function has run on it already."""
    results = [*first] + [fn(*[_example(a, ax, k) for a, ax in zip(moved, axes)])
                          for k in range(len(first), size)]
    first = results[0]
    if isinstance(first, (list, tuple, dict)):
        parts = [flatten(r) for r in results]
        return pack_as(first, [stack(list(p)) for p in zip(*parts)])
    return stack(results)


def _out_axis(result: Any, out_axes: int) -> Any:
    """The results with their batch axis moved from the front to ``out_axes``."""
    if out_axes == 0:
        return result
    return pack_as(result, [np.moveaxis(v, 0, out_axes) for v in flatten(result)])
