"""A functional API in JAX's style, built on the tape: ``grad``, ``value_and_grad``, ``vjp``,
``jvp``, ``jacrev``, ``jacfwd``, ``jacobian``, ``hessian`` and ``hvp``. They compose:
``grad(grad(f))`` is the second derivative.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._sparse import densify
from ._structure import flatten, pack_as
from ._tape import GradientTape
from ._tensor import Tensor, Variable, as_tensor
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
