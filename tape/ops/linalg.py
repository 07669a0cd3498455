"""Linear algebra: products, solves and decompositions, batched over leading axes.

Matrices are the last two axes of a tensor, ``(..., M, N)``. Every gradient rule below is
written with registered ops — matmul, solve, inv, einsum and the decompositions themselves —
so that it can be differentiated again (second order), and every forward-mode rule likewise.
"""

from __future__ import annotations

import functools
import string
from collections import Counter, namedtuple
from typing import Any

import numpy as np

from .._registry import UFUNCS, defprim
from .._tape import bind, bind2
from .._tensor import Tensor, Variable, scalarize
from . import reductions as _reductions
from ._define import numpy_function
from .reductions import reduce_sum
from .shape import expand_dims, getitem, reshape, transpose

_LETTERS = string.ascii_letters


# --------------------------------------------------------------------------- helpers


def _value(x: Any) -> Any:
    return x._value if isinstance(x, (Tensor, Variable)) else np.asarray(x)


def _shape(x: Any) -> tuple[int, ...]:
    return x.shape if isinstance(x, (Tensor, Variable)) else np.shape(x)


def _is_tensor(x: Any) -> bool:
    return isinstance(x, (Tensor, Variable))


def _mT(x: Any) -> Any:
    """Transpose of the last two axes (a registered op on tensors; an array's own method,
    which skips NumPy's Python-level wrapper, in a first-order sweep)."""
    return x.swapaxes(-1, -2) if type(x) is np.ndarray else np.swapaxes(x, -1, -2)


def _float_dtype(x: Any) -> np.dtype:
    dt = _value(x).dtype
    return dt if dt.kind in "fc" else np.dtype(np.float64)


def _phi_mask(n: int, dtype: Any) -> np.ndarray:
    """Lower triangle with the diagonal halved: Phi(X) = X * mask."""
    return np.tri(n, n, dtype=dtype) - 0.5 * np.eye(n, dtype=dtype)


def _square(x: Any, op: str) -> tuple[int, ...]:
    shape = _shape(x)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(
            f"{op} needs a square matrix or a batch of them (shape (..., M, M)), got shape "
            f"{tuple(shape)}."
        )
    return shape


def _rank2(x: Any, op: str) -> tuple[int, ...]:
    shape = _shape(x)
    if len(shape) < 2:
        raise ValueError(f"{op} needs a tensor of rank >= 2 (shape (..., M, N)), got {shape}.")
    return shape


def _offdiag_ratio(x: Any, d: Any) -> Any:
    """``x / d`` off the diagonal, 0 on it: the ``F o X`` of eigen- and singular-vector rules.

    Where ``d`` vanishes off the diagonal (repeated eigen- or singular values) the derivative
    is undefined: the result is NaN there, unless ``x`` is exactly 0 (no contribution).
    """
    dv = _value(d)
    n = dv.shape[-1]
    off = ~np.eye(n, dtype=bool)
    tie = off & (dv == 0)
    good = off & ~tie
    dtype = _float_dtype(d)
    r = x / np.where(good, d, 1) * good.astype(dtype)
    if tie.any():
        r = r + np.where(tie & (_value(x) != 0), np.nan, 0).astype(dtype)
    return r


def _divide_columns(x: Any, s: Any) -> Any:
    """``x / s[..., None, :]``, NaN where ``s`` is 0 and ``x`` is not (undefined there)."""
    sv = _value(s)
    zero = sv == 0
    if not zero.any():
        return x / np.expand_dims(s, -2)
    safe = np.where(zero, 1, s)
    nan = np.where(np.expand_dims(zero, -2) & (_value(x) != 0), np.nan, 0)
    return x / np.expand_dims(safe, -2) + nan.astype(_float_dtype(s))


def _sym_from_triangle(t: Any, uplo: str) -> Any:
    """The symmetric matrix that an op reading only the lower (``'L'``) or upper (``'U'``)
    triangle of ``t`` sees."""
    n = _shape(t)[-1]
    dtype = _float_dtype(t)
    mask, strict = np.tri(n, n, dtype=dtype), np.tri(n, n, -1, dtype=dtype)
    if uplo == "U":
        mask, strict = mask.T, strict.T
    return t * mask + _mT(t * strict)


def _triangle_grad(m: Any, uplo: str) -> Any:
    """The cotangent of a triangle-reading op from the cotangent ``m`` of the symmetric
    matrix it sees: ``m + m^T`` on the triangle read, halved on the diagonal."""
    mask = _phi_mask(_shape(m)[-1], _float_dtype(m))
    return (m + _mT(m)) * (mask if uplo == "L" else mask.T)


# --------------------------------------------------------------------------- matmul


def _matmul_vjp_a(g, ans, a, b):
    if b.ndim == 1:  # (..., n, k) @ (k,) -> (..., n);  (k,) @ (k,) -> ()
        return np.expand_dims(g, -1) * b
    if a.ndim == 1:  # (k,) @ (..., k, m) -> (..., m)
        if b.ndim == 2:
            return np.matmul(b, g)
        return np.matmul(b, np.expand_dims(g, -1))[..., 0]
    return np.matmul(g, _mT(b))


def _matmul_vjp_b(g, ans, a, b):
    if a.ndim == 1:
        if b.ndim == 1:
            return g * a
        return np.expand_dims(a, -1) * np.expand_dims(g, -2)
    if b.ndim == 1:  # (..., n, k) @ (k,): summed over batch axes by the engine
        if a.ndim == 2:
            return np.matmul(g, a)  # (n,) @ (n, k): a^T g without transposing
        return np.matmul(_mT(a), np.expand_dims(g, -1))[..., 0]
    return np.matmul(_mT(a), g)


_matmul = defprim(
    "matmul", np.matmul, _matmul_vjp_a, _matmul_vjp_b,
    jvps=(lambda t, ans, a, b: np.matmul(t, b), lambda t, ans, a, b: np.matmul(a, t)),
)


def matmul(
    a: Any,
    b: Any,
    transpose_a: bool = False,
    transpose_b: bool = False,
    adjoint_a: bool = False,
    adjoint_b: bool = False,
    a_is_sparse: bool = False,
    b_is_sparse: bool = False,
    output_type: Any = None,
    name: str | None = None,
) -> Any:
    """Matrix product ``a @ b``, batched over leading axes (broadcast as NumPy's matmul).

    >>> import tape
    >>> a = tape.constant([[1.0, 2.0], [3.0, 4.0]])
    >>> tape.matmul(a, a, transpose_b=True).numpy()
    array([[ 5., 11.],
           [11., 25.]], dtype=float32)
    """
    if transpose_a or adjoint_a:
        a = _swap_last(a)
    if transpose_b or adjoint_b:
        b = _swap_last(b)
    return bind2(_matmul, a, b)


UFUNCS[np.matmul] = lambda a, b: bind2(_matmul, a, b)


def _swap_last(x: Any) -> Any:
    nd = len(_shape(x))
    if nd < 2:
        raise ValueError(f"Cannot transpose a tensor of rank {nd}: matmul needs rank >= 2.")
    perm = list(range(nd))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return transpose(x, perm)


def matrix_transpose(a: Any, name: str = "matrix_transpose", conjugate: bool = False) -> Any:
    """Transpose of the last two axes of ``a`` (a batch of matrices)."""
    if conjugate and np.iscomplexobj(_value(a)):
        raise NotImplementedError("tape does not differentiate complex conjugation yet.")
    return _swap_last(a)


def adjoint(matrix: Any, name: str | None = None) -> Any:
    """Conjugate transpose of the last two axes (the transpose, for real matrices)."""
    return matrix_transpose(matrix, conjugate=True)


def matvec(
    a: Any,
    b: Any,
    transpose_a: bool = False,
    adjoint_a: bool = False,
    a_is_sparse: bool = False,
    b_is_sparse: bool = False,
    name: str | None = None,
) -> Any:
    """Matrix-vector product: ``a`` is ``(..., M, N)``, ``b`` is ``(..., N)``, the result
    ``(..., M)`` (batch axes broadcast)."""
    if transpose_a or adjoint_a:
        a = _swap_last(a)
    _rank2(a, "matvec")
    return getitem(matmul(a, expand_dims(b, -1)), (Ellipsis, 0))


# --------------------------------------------------------------------------- einsum


def _einsum_normalize(equation: str, shapes: list[tuple[int, ...]]) -> str:
    """An explicit equation without ellipses, e.g. ``'...ij,...jk'`` -> ``'Aij,Ajk->Aik'``."""
    if not isinstance(equation, str):
        raise TypeError(f"einsum's equation must be a string, got {type(equation).__name__}.")
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(
            f"einsum equation {equation!r} names {len(ins)} operand(s) but {len(shapes)} "
            "were given."
        )
    for part in ins + ([out] if arrow else []):
        body = part.replace("...", "", 1)
        if any(c not in _LETTERS for c in body):
            raise ValueError(
                f"Invalid einsum equation {equation!r}: subscripts are letters, at most one "
                "'...' per operand, ',' between operands and '->' before the output."
            )
    spare = [c for c in _LETTERS if c not in eq]
    counts = []  # the number of axes each operand's '...' stands for
    sizes: dict[str, tuple[int, int]] = {}  # subscript -> (size, operand), for the error
    for i, (s, shape) in enumerate(zip(ins, shapes)):
        named = s.replace("...", "")
        k = len(shape) - len(named) if "..." in s else 0
        if k < 0 or ("..." not in s and len(named) != len(shape)):
            raise ValueError(
                f"einsum operand {i} has rank {len(shape)}, which does not match its "
                f"subscripts {s!r} in {equation!r}."
            )
        counts.append(k)
        dims = shape[: s.index("...")] + shape[s.index("...") + k:] if "..." in s else shape
        for c, n in zip(named, dims):
            if n != 1 and sizes.get(c, (1, i))[0] not in (1, n):
                raise ValueError(
                    f"einsum {equation!r}: subscript {c!r} has size {sizes[c][0]} in operand "
                    f"{sizes[c][1]} but {n} in operand {i}."
                )
            if n != 1 or c not in sizes:
                sizes[c] = (n, i)
    n_ell = max(counts, default=0)
    if n_ell > len(spare):
        raise ValueError(f"einsum equation {equation!r} has too many axes.")
    ell = "".join(spare[:n_ell])
    ins = [s.replace("...", ell[n_ell - k:]) for s, k in zip(ins, counts)]
    if arrow:
        if "..." in out:
            out = out.replace("...", ell)
        elif n_ell:
            raise ValueError(
                f"einsum equation {equation!r}: the operands' '...' axes must appear in the "
                "output as '...' too (write the output as '...' + subscripts)."
            )
        letters = set("".join(ins))
        if len(set(out)) != len(out) or not set(out) <= letters:
            raise ValueError(
                f"einsum equation {equation!r}: every output subscript must appear once in "
                "the output and in at least one operand."
            )
    else:
        once = Counter("".join(ins))
        out = ell + "".join(sorted(c for c, n in once.items() if n == 1 and c not in ell))
    return ",".join(ins) + "->" + out


@functools.lru_cache(maxsize=512)
def _einsum_split(equation: str) -> tuple[list[str], str]:
    lhs, _, out = equation.partition("->")
    return lhs.split(","), out


def _einsum_fwd(*ops: Any, equation: str) -> Any:
    big = len(ops) > 2 or any(np.size(x) >= 1024 for x in ops)
    out = np.einsum(equation, *ops, optimize=big)
    if type(out) is np.ndarray and out.base is not None:  # a view of an operand (e.g. 'ii->i')
        out = out.copy()
    return scalarize(out)


def _einsum_call(equation: str, *ops: Any) -> Any:
    """An einsum in rules: recorded when an operand is a tensor, plain NumPy otherwise."""
    if any(_is_tensor(x) for x in ops):
        return bind(_einsum, *ops, equation=equation)
    return _einsum_fwd(*ops, equation=equation)


def _einsum_vjp(i: int, g: Any, ans: Any, *ops: Any, equation: str) -> Any:
    """Operand ``i``'s cotangent: the einsum of ``g`` with the other operands that produces
    operand ``i``'s subscripts. A repeated subscript (a diagonal) is produced with an identity
    factor, a subscript of operand ``i`` alone (a sum) with a factor of ones."""
    ins, out = _einsum_split(equation)
    terms = [out] + [s for j, s in enumerate(ins) if j != i]
    arrays = [g] + [x for j, x in enumerate(ops) if j != i]
    present = set("".join(terms))
    spare = iter(c for c in _LETTERS if c not in equation)
    dtype = _float_dtype(g)
    target, seen = [], set()
    for c, n in zip(ins[i], _shape(ops[i])):
        if c in seen:
            d = next(spare)
            terms.append(c + d)
            arrays.append(np.eye(n, dtype=dtype))
            target.append(d)
            continue
        seen.add(c)
        target.append(c)
        if c not in present:
            terms.append(c)
            arrays.append(np.ones(n, dtype=dtype))
            present.add(c)
    return _einsum_call(",".join(terms) + "->" + "".join(target), *arrays)


def _einsum_jvp(i: int, t: Any, ans: Any, *ops: Any, equation: str) -> Any:
    return _einsum_call(equation, *ops[:i], t, *ops[i + 1:])  # linear in each operand


_MAX_OPERANDS = 64
_einsum = defprim(
    "einsum", _einsum_fwd,
    *(functools.partial(_einsum_vjp, i) for i in range(_MAX_OPERANDS)),
    jvps=tuple(functools.partial(_einsum_jvp, i) for i in range(_MAX_OPERANDS)),
)


def einsum(equation: str, *inputs: Any, **kwargs: Any) -> Any:
    """Einstein summation: ``'ij,jk->ik'`` is a matrix product, ``'ii->'`` a trace,
    ``'...ij->...ji'`` a batched transpose. Implicit outputs and ``...`` follow NumPy.

    Gradients are einsums of the output's cotangent with the other operands (repeated
    subscripts and subscripts summed inside one operand included).

    >>> import tape
    >>> a = tape.constant([[1.0, 2.0], [3.0, 4.0]])
    >>> float(tape.einsum('ij,ij->', a, a))
    30.0
    """
    if not inputs:
        raise ValueError("einsum needs at least one operand.")
    if len(inputs) > _MAX_OPERANDS // 2:
        raise ValueError(f"einsum supports at most {_MAX_OPERANDS // 2} operands.")
    eq = _einsum_normalize(equation, [tuple(_shape(x)) for x in inputs])
    return bind(_einsum, *inputs, equation=eq)


def _axes_list(axes: Any, ndim: int, which: str) -> list[int]:
    out = []
    for ax in np.atleast_1d(axes).tolist():
        if not -ndim <= int(ax) < ndim:
            raise ValueError(f"tensordot: axis {ax} is out of range for {which} of rank {ndim}.")
        out.append(int(ax) % ndim)
    return out


def tensordot(a: Any, b: Any, axes: Any, name: str | None = None) -> Any:
    """Sum of products over ``axes``: an int ``N`` contracts the last ``N`` axes of ``a`` with
    the first ``N`` of ``b``; a pair ``[a_axes, b_axes]`` names them. The result has ``a``'s
    free axes then ``b``'s.

    >>> import tape
    >>> tape.tensordot(tape.ones((2, 3)), tape.ones((3, 4)), axes=1).shape
    (2, 4)
    """
    sa, sb = tuple(_shape(a)), tuple(_shape(b))
    if isinstance(axes, (Tensor, Variable)):
        axes = axes.numpy().tolist()
    if not isinstance(axes, (list, tuple, np.ndarray)):
        n = int(axes)
        if not 0 <= n <= min(len(sa), len(sb)):
            raise ValueError(
                f"tensordot: axes={n} must be between 0 and the smaller rank "
                f"({min(len(sa), len(sb))})."
            )
        a_axes, b_axes = list(range(len(sa) - n, len(sa))), list(range(n))
    else:
        if len(axes) != 2:
            raise ValueError("tensordot: axes must be an int or a pair [a_axes, b_axes].")
        a_axes = _axes_list(axes[0], len(sa), "a")
        b_axes = _axes_list(axes[1], len(sb), "b")
    if len(a_axes) != len(b_axes) or len(set(a_axes)) != len(a_axes):
        raise ValueError(f"tensordot: axes {a_axes} of a and {b_axes} of b do not pair up.")
    for i, j in zip(a_axes, b_axes):
        if sa[i] != sb[j]:
            raise ValueError(
                f"tensordot: axis {i} of a (size {sa[i]}) and axis {j} of b (size {sb[j]}) "
                "must have the same size."
            )
    la = _LETTERS[: len(sa)]
    lb = list(_LETTERS[len(sa): len(sa) + len(sb)])
    for i, j in zip(a_axes, b_axes):
        lb[j] = la[i]
    out = "".join(c for k, c in enumerate(la) if k not in a_axes) + "".join(
        c for k, c in enumerate(lb) if k not in b_axes
    )
    return bind(_einsum, a, b, equation=f"{la},{''.join(lb)}->{out}")


def outer(a: Any, b: Any, name: str | None = None) -> Any:
    """Outer product of the flattened ``a`` and ``b``: ``out[i, j] = a[i] * b[j]``
    (NumPy's ``outer``; TensorFlow spells it ``tf.experimental.numpy.outer``)."""
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))


def _dot(a: Any, b: Any) -> Any:
    """NumPy's ``dot``: products for scalars, matmul for matrices, else a tensordot over the
    last axis of ``a`` and the second-to-last of ``b``."""
    na, nb = len(_shape(a)), len(_shape(b))
    if na == 0 or nb == 0:
        return np.multiply(a, b) if (_is_tensor(a) or _is_tensor(b)) else a * b
    if na <= 2 and nb <= 2:
        return matmul(a, b)
    return tensordot(a, b, [[na - 1], [max(nb - 2, 0)]])


# --------------------------------------------------------------------------- diagonals


def _diag_part_fwd(x, k):
    return np.diagonal(x, offset=k, axis1=-2, axis2=-1).copy()


def _diag_embed_fwd(v, k, shape):
    out = np.zeros(np.shape(v)[:-1] + shape, dtype=np.result_type(v))
    i = np.arange(np.shape(v)[-1])
    out[..., i + max(-k, 0), i + max(k, 0)] = v
    return out


def _call(prim: Any, x: Any, **static: Any) -> Any:
    """A primitive in rules: recorded on tensors, plain NumPy otherwise."""
    return bind(prim, x, **static) if _is_tensor(x) else prim.fwd(x, **static)


_diag_part = defprim(
    "diag_part", _diag_part_fwd,
    lambda g, ans, x, k: _call(_diag_embed, g, k=k, shape=tuple(_shape(x)[-2:])),
    linear=True,
)
_diag_embed = defprim(
    "diag_embed", _diag_embed_fwd,
    lambda g, ans, v, k, shape: _call(_diag_part, g, k=k),
    linear=True,
)


def diag_part(
    input: Any,
    name: str = "diag_part",
    k: int = 0,
    padding_value: Any = 0,
    align: str = "RIGHT_LEFT",
) -> Any:
    """The ``k``-th diagonal of each matrix in ``input`` (``(..., M, N)``): shape
    ``(..., L)``. ``k > 0`` is above the main diagonal. A band of diagonals (a pair ``k``) is
    not supported."""
    _rank2(input, "diag_part")
    if np.ndim(k) != 0:
        raise NotImplementedError("tape's diag_part takes a single diagonal k, not a band.")
    return bind(_diag_part, input, k=int(k))


def diag(
    diagonal: Any,
    name: str = "diag",
    k: int = 0,
    num_rows: int = -1,
    num_cols: int = -1,
    padding_value: Any = 0,
    align: str = "RIGHT_LEFT",
) -> Any:
    """Matrices with ``diagonal`` (``(..., L)``) on their ``k``-th diagonal, zeros (or
    ``padding_value``) elsewhere: ``(..., L + |k|, L + |k|)`` unless ``num_rows``/``num_cols``
    say otherwise.

    >>> import tape
    >>> tape.linalg.diag(tape.constant([1.0, 2.0])).numpy()
    array([[1., 0.],
           [0., 2.]], dtype=float32)
    """
    if np.ndim(k) != 0:
        raise NotImplementedError("tape's diag takes a single diagonal k, not a band.")
    shape = _shape(diagonal)
    if len(shape) < 1:
        raise ValueError("diag needs a diagonal of rank >= 1 (shape (..., L)).")
    k, n = int(k), shape[-1]
    min_rows, min_cols = n + max(-k, 0), n + max(k, 0)
    rows, cols = int(num_rows), int(num_cols)
    if rows == -1 and cols == -1:
        rows = cols = max(min_rows, min_cols)
    rows = min_rows if rows == -1 else rows
    cols = min_cols if cols == -1 else cols
    if not (rows >= min_rows and cols >= min_cols and (rows == min_rows or cols == min_cols)):
        raise ValueError(
            f"diag: a diagonal of length {n} at k={k} does not fit a {rows}x{cols} matrix."
        )
    out = bind(_diag_embed, diagonal, k=k, shape=(rows, cols))
    if not _is_zero(padding_value):
        dtype = out.dtype
        off = 1 - _diag_embed_fwd(np.ones(n, dtype=dtype), k, (rows, cols))
        out = out + off * np.asarray(_value(padding_value), dtype=dtype)
    return out


def _is_zero(v: Any) -> bool:
    return bool(np.all(_value(v) == 0))


def trace(x: Any, name: str | None = None) -> Any:
    """Sum of the main diagonal of each matrix in ``x`` (``(..., M, N)`` -> ``(...)``).

    >>> import tape
    >>> float(tape.linalg.trace(tape.constant([[1.0, 2.0], [3.0, 4.0]])))
    5.0
    """
    return reduce_sum(diag_part(x), axis=-1)


# --------------------------------------------------------------------------- inverse, det


def _inv_for_grad(a: Any, op: str) -> Any:
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise np.linalg.LinAlgError(
            f"The derivative of {op} at a singular matrix is not implemented (it needs the "
            "adjugate, not the inverse)."
        ) from None


def _trace_of_inv_times(a: Any, t: Any, op: str) -> Any:
    """``trace(inv(a) @ t)`` over the last two axes."""
    return np.sum(_mT(_inv_for_grad(a, op)) * t, axis=(-2, -1))


_inv = defprim(
    "inv", np.linalg.inv,
    lambda g, ans, a: -np.matmul(_mT(ans), np.matmul(g, _mT(ans))),
    jvps=(lambda t, ans, a: -np.matmul(ans, np.matmul(t, ans)),),
)
_det = defprim(
    "det", lambda a: scalarize(np.linalg.det(a)),
    lambda g, ans, a: np.expand_dims(np.expand_dims(g * ans, -1), -1)
    * _mT(_inv_for_grad(a, "det")),
    jvps=(lambda t, ans, a: ans * _trace_of_inv_times(a, t, "det"),),
)


def _slogdet_fwd(a):
    sign, logdet = np.linalg.slogdet(a)
    return scalarize(sign), scalarize(logdet)


_slogdet = defprim(
    "slogdet", _slogdet_fwd,
    lambda g, ans, a: np.expand_dims(np.expand_dims(g[1], -1), -1)
    * _mT(_inv_for_grad(a, "slogdet")),
    jvps=(
        lambda t, ans, a: (
            scalarize(np.zeros(_shape(ans[0]), _float_dtype(ans[0]))),
            _trace_of_inv_times(a, t, "slogdet"),
        ),
    ),
)


def inv(input: Any, adjoint: bool = False, name: str | None = None) -> Any:
    """Inverse of each square matrix in ``input`` (of its adjoint with ``adjoint=True``).

    Gradient: ``-inv(A)^T g inv(A)^T``. A singular matrix raises ``LinAlgError``.

    >>> import tape
    >>> tape.linalg.inv(tape.constant([[2.0, 0.0], [0.0, 4.0]])).numpy()
    array([[0.5 , 0.  ],
           [0.  , 0.25]], dtype=float32)
    """
    _square(input, "inv")
    out = bind(_inv, input)
    return _swap_last(out) if adjoint else out


def det(input: Any, name: str | None = None) -> Any:
    """Determinant of each square matrix in ``input``.

    Gradient: ``det(A) inv(A)^T``; at an exactly singular matrix it raises ``LinAlgError``,
    as TensorFlow raises (the derivative there is the adjugate, which JAX returns and tape
    does not compute). Use :func:`slogdet` for products of many factors.

    >>> import tape
    >>> float(tape.linalg.det(tape.constant([[2.0, 1.0], [1.0, 3.0]])))
    5.0
    """
    _square(input, "det")
    return bind(_det, input)


def slogdet(input: Any, name: str | None = None) -> tuple[Any, Any]:
    """``(sign, log_abs_determinant)`` of each square matrix in ``input``.

    The sign is piecewise constant: its gradient is zero. ``log|det A|`` has gradient
    ``inv(A)^T``; at a singular matrix the gradient raises ``LinAlgError``, as TensorFlow
    raises (JAX gives inf).
    """
    _square(input, "slogdet")
    return bind(_slogdet, input)


def logdet(matrix: Any, name: str | None = None) -> Any:
    """``log(det(matrix))`` of Hermitian positive definite matrices, through their Cholesky
    factor: ``2 sum(log(diag(L)))``."""
    return 2.0 * reduce_sum(np.log(diag_part(cholesky(matrix))), axis=-1)


# --------------------------------------------------------------------------- solves


def _solve_vjp_a(g, ans, a, b):
    return -np.matmul(np.linalg.solve(_mT(a), g), _mT(ans))


def _solve_fwd(a, b):
    if np.ndim(b) < np.ndim(a):  # a batch-less rhs: never read as a stack of vectors
        b = np.reshape(b, (1,) * (np.ndim(a) - np.ndim(b)) + np.shape(b))
    return np.linalg.solve(a, b)


_solve = defprim(
    "solve", _solve_fwd,
    _solve_vjp_a,
    lambda g, ans, a, b: np.linalg.solve(_mT(a), g),
    jvps=(
        lambda t, ans, a, b: -np.linalg.solve(a, np.matmul(t, ans)),
        lambda t, ans, a, b: np.linalg.solve(a, t),
    ),
)


def solve(matrix: Any, rhs: Any, adjoint: bool = False, name: str | None = None) -> Any:
    """Solve ``matrix @ X = rhs`` for ``X``: ``matrix`` is ``(..., M, M)``, ``rhs``
    ``(..., M, K)`` (batch axes broadcast). ``adjoint=True`` solves with ``matrix^T``.

    >>> import tape
    >>> tape.linalg.solve(tape.constant([[2.0, 0.0], [0.0, 4.0]]),
    ...                   tape.constant([[2.0], [2.0]])).numpy()
    array([[1. ],
           [0.5]], dtype=float32)
    """
    _square(matrix, "solve")
    sr = _shape(rhs)
    if len(sr) < 2 or sr[-2] != _shape(matrix)[-1]:
        raise ValueError(
            f"solve: rhs must have shape (..., {_shape(matrix)[-1]}, K) to match the "
            f"matrix {tuple(_shape(matrix))}, got {tuple(sr)}."
        )
    if adjoint:
        matrix = _swap_last(matrix)
    return bind(_solve, matrix, rhs)


def triangular_solve(
    matrix: Any, rhs: Any, lower: bool = True, adjoint: bool = False, name: str | None = None
) -> Any:
    """Solve ``matrix @ X = rhs`` with ``matrix`` triangular: only its lower (``lower=True``)
    or upper triangle is read, so the gradient with respect to ``matrix`` is triangular too.
    ``adjoint=True`` solves with ``matrix^T``."""
    n = _square(matrix, "triangular_solve")[-1]
    mask = np.tri(n, n, dtype=_float_dtype(matrix))
    tri = matrix * (mask if lower else mask.T)
    return solve(tri, rhs, adjoint=adjoint)


def _cholesky_fwd(a):
    return np.linalg.cholesky((a + np.swapaxes(a, -1, -2)) / 2)


def _right_solve(x: Any, a: Any) -> Any:
    """``x @ inv(a)``, as a solve."""
    return _mT(np.linalg.solve(_mT(a), _mT(x)))


def _cholesky_vjp(g, ans, a):
    # dL = L Phi(L^-1 dA L^-T), so  grad A = sym(L^-T Phi(L^T g) L^-1).
    n = _shape(ans)[-1]
    p = np.matmul(_mT(ans), g) * _phi_mask(n, _float_dtype(ans))
    s = _right_solve(np.linalg.solve(_mT(ans), p), ans)
    return (s + _mT(s)) / 2


def _cholesky_jvp(t, ans, a):
    n = _shape(ans)[-1]
    c = _right_solve(np.linalg.solve(ans, (t + _mT(t)) / 2), _mT(ans))
    return np.matmul(ans, c * _phi_mask(n, _float_dtype(ans)))


_cholesky = defprim("cholesky", _cholesky_fwd, _cholesky_vjp, jvps=(_cholesky_jvp,))


def cholesky(input: Any, name: str | None = None) -> Any:
    """Lower-triangular ``L`` with ``L @ L^T = input``, for symmetric positive definite
    matrices (``(..., M, M)``).

    The input is symmetrized first, ``(A + A^T) / 2`` — the same result for the symmetric
    matrices the op is defined on — so that the gradient is TensorFlow's symmetric one and
    is the true derivative in every direction. A matrix that is not positive definite
    raises ``LinAlgError``.
    """
    _square(input, "cholesky")
    return bind(_cholesky, input)


def cholesky_solve(chol: Any, rhs: Any, name: str | None = None) -> Any:
    """Solve ``A X = rhs`` given the Cholesky factor ``chol`` of ``A`` (two triangular
    solves)."""
    y = triangular_solve(chol, rhs, lower=True)
    return triangular_solve(chol, y, lower=True, adjoint=True)


# --------------------------------------------------------------------------- QR


def _qr_fwd(a, full):
    q, r = np.linalg.qr(a, mode="complete" if full else "reduced")
    return q, r


def _qr_wide_parts(x: Any, m: int) -> tuple[Any, Any]:
    return x[..., :, :m], x[..., :, m:]


def _join_columns(x: Any, y: Any, n: int) -> Any:
    """``[x | y]`` along the last axis, with selection matrices (differentiable matmuls)."""
    m = _shape(x)[-1]
    dtype = _float_dtype(x)
    return np.matmul(x, np.eye(m, n, dtype=dtype)) + np.matmul(y, np.eye(n - m, n, m, dtype=dtype))


def _qr_grad_square(q, r, gq, gr):
    """Cotangent of A = QR, Q (m, n) with orthonormal columns, R (n, n) upper triangular:
    (gQ + Q copyltu(M)) R^-T with M = R gR^T - gQ^T Q, copyltu(M) = M's lower triangle
    mirrored to the upper one."""
    n = _shape(r)[-1]
    dtype = _float_dtype(r)
    m = np.matmul(r, _mT(gr)) - np.matmul(_mT(gq), q)
    copyltu = m * np.tri(n, n, dtype=dtype) + _mT(m * np.tri(n, n, -1, dtype=dtype))
    return _right_solve(gq + np.matmul(q, copyltu), _mT(r))


def _qr_vjp(g, ans, a, full):
    gq, gr = g
    q, r = ans
    m, n = _shape(a)[-2:]
    if m >= n:
        if full and m > n:
            raise NotImplementedError(
                "The gradient of qr with full_matrices=True is not defined for matrices with "
                "more rows than columns (the extra columns of Q are not unique); use "
                "full_matrices=False."
            )
        return _qr_grad_square(q, r, gq, gr)
    # A = [X | Y] = Q [U | V]: X = QU is a square QR, and V = Q^T Y.
    _, y = _qr_wide_parts(a, m)
    u, _ = _qr_wide_parts(r, m)
    gu, gv = _qr_wide_parts(gr, m)
    gx = _qr_grad_square(q, u, gq + np.matmul(y, _mT(gv)), gu)
    return _join_columns(gx, np.matmul(q, gv), n)


def _qr_tangent_square(q, r, da):
    """(dQ, dR) of A = QR (R square): with C = Q^T dA R^-1, Q^T dQ is the skew-symmetric
    matrix with C's strict lower triangle and dR R^-1 = C - Q^T dQ is upper triangular."""
    n = _shape(r)[-1]
    da_rinv = _right_solve(da, r)
    c = np.matmul(_mT(q), da_rinv)
    low = c * np.tri(n, n, -1, dtype=_float_dtype(r))
    upper = c - (low - _mT(low))  # dR R^-1
    return da_rinv - np.matmul(q, upper), np.matmul(upper, r)


def _qr_jvp(t, ans, a, full):
    q, r = ans
    m, n = _shape(a)[-2:]
    if m >= n:
        if full and m > n:
            raise NotImplementedError(
                "The derivative of qr with full_matrices=True is not defined for matrices "
                "with more rows than columns; use full_matrices=False."
            )
        return _qr_tangent_square(q, r, t)
    _, y = _qr_wide_parts(a, m)
    dx, dy = _qr_wide_parts(t, m)
    u, _ = _qr_wide_parts(r, m)
    dq, du = _qr_tangent_square(q, u, dx)
    dv = np.matmul(_mT(dq), y) + np.matmul(_mT(q), dy)
    return dq, _join_columns(du, dv, n)


_qr = defprim("qr", _qr_fwd, _qr_vjp, jvps=(_qr_jvp,))


def qr(input: Any, full_matrices: bool = False, name: str | None = None) -> tuple[Any, Any]:
    """``(q, r)`` with ``q @ r = input``, ``q`` with orthonormal columns and ``r`` upper
    triangular (batched). Signs follow LAPACK (the diagonal of ``r`` may be negative).

    Differentiable when ``r``'s leading square block is invertible (full column rank for
    tall matrices); with ``full_matrices=True`` and more rows than columns the extra columns
    of ``q`` are not unique and the gradient raises ``NotImplementedError``, as in
    TensorFlow.
    """
    _rank2(input, "qr")
    return bind(_qr, input, full=bool(full_matrices))


# --------------------------------------------------------------------------- eigh, svd


def _eig_gaps(e: Any) -> Any:
    """``d[..., i, j] = e[..., j] - e[..., i]``."""
    return np.expand_dims(e, -2) - np.expand_dims(e, -1)


def _eigh_fwd(a, uplo):
    e, v = np.linalg.eigh(a, UPLO=uplo)
    return e, v


def _eigh_vjp(g, ans, a, uplo):
    # dV = V (F o V^T dA V), de = diag(V^T dA V), F_ij = 1 / (e_j - e_i)
    ge, gv = g
    e, v = ans
    inner = np.expand_dims(ge, -2) * v + np.matmul(
        v, _offdiag_ratio(np.matmul(_mT(v), gv), _eig_gaps(e))
    )
    return _triangle_grad(np.matmul(inner, _mT(v)), uplo)


def _eigh_jvp(t, ans, a, uplo):
    e, v = ans
    tv = np.matmul(_sym_from_triangle(t, uplo), v)
    de = np.sum(v * tv, axis=-2)
    return de, np.matmul(v, _offdiag_ratio(np.matmul(_mT(v), tv), _eig_gaps(e)))


_eigh = defprim("eigh", _eigh_fwd, _eigh_vjp, jvps=(_eigh_jvp,))


def _eigvalsh_vjp(g, ans, a, uplo):
    _, v = np.linalg.eigh(a, UPLO=uplo)
    return _triangle_grad(np.matmul(np.expand_dims(g, -2) * v, _mT(v)), uplo)


def _eigvalsh_jvp(t, ans, a, uplo):
    _, v = np.linalg.eigh(a, UPLO=uplo)
    return np.sum(v * np.matmul(_sym_from_triangle(t, uplo), v), axis=-2)


_eigvalsh = defprim(
    "eigvalsh", lambda a, uplo: np.linalg.eigvalsh(a, UPLO=uplo), _eigvalsh_vjp,
    jvps=(_eigvalsh_jvp,),
)


def eigh(tensor: Any, name: str | None = None) -> tuple[Any, Any]:
    """``(e, v)``: eigenvalues (ascending) and eigenvectors (columns) of symmetric matrices.

    Only the lower triangle is read, as in TensorFlow, and the gradient is TensorFlow's: it
    is lower triangular. Eigenvectors are defined up to sign, and their derivative is
    undefined at repeated eigenvalues: there tape returns NaN — rather than a number that
    would be wrong — wherever the eigenvector cotangent (or tangent) couples two equal
    eigenvalues, and 0 where that term vanishes (a loss such as ``sum(v ** 2)``).
    TensorFlow returns 0 for every such term, JAX NaN for every one. Eigenvalue derivatives
    stay exact; use :func:`eigvalsh` when only the eigenvalues are needed.
    """
    _square(tensor, "eigh")
    return bind(_eigh, tensor, uplo="L")


def eigvalsh(tensor: Any, name: str | None = None) -> Any:
    """Eigenvalues (ascending) of symmetric matrices, reading the lower triangle.

    The gradient ``V diag(g) V^T`` (made lower triangular, as in TensorFlow) is defined even
    at repeated eigenvalues.
    """
    _square(tensor, "eigvalsh")
    return bind(_eigvalsh, tensor, uplo="L")


def _svd_fwd(a, full):
    u, s, vh = np.linalg.svd(a, full_matrices=full)
    return s, u, np.swapaxes(vh, -1, -2)


def _svd_undefined(a: Any, full: bool) -> None:
    m, n = _shape(a)[-2:]
    if full and m != n:
        raise NotImplementedError(
            "The derivative of svd with full_matrices=True is not defined for non-square "
            "matrices (the extra singular vectors are not unique); use full_matrices=False."
        )


def _svd_vjp(g, ans, a, full):
    # A = U S V^T, F_ij = 1 / (s_j^2 - s_i^2):  grad A = U [(F o (U^T gU - gU^T U)) S
    #   + diag(gs) + S (F o (V^T gV - gV^T V))] V^T + (I - U U^T) gU S^-1 V^T
    #   + U S^-1 gV^T (I - V V^T), the last two terms for tall and wide matrices.
    _svd_undefined(a, full)
    gs, gu, gv = g
    s, u, v = ans
    m, n = _shape(a)[-2:]
    s2 = s * s
    d = _eig_gaps(s2)
    ut_gu, vt_gv = np.matmul(_mT(u), gu), np.matmul(_mT(v), gv)
    j = _offdiag_ratio(ut_gu - _mT(ut_gu), d) * np.expand_dims(s, -2)
    k = np.expand_dims(s, -1) * _offdiag_ratio(vt_gv - _mT(vt_gv), d)
    inner = j + k + np.expand_dims(gs, -1) * np.eye(_shape(s)[-1], dtype=_float_dtype(s))
    ga = np.matmul(u, np.matmul(inner, _mT(v)))
    if m > n:
        ga = ga + np.matmul(_divide_columns(gu - np.matmul(u, ut_gu), s), _mT(v))
    if n > m:
        ga = ga + np.matmul(u, _mT(_divide_columns(gv - np.matmul(v, vt_gv), s)))
    return ga


def _svd_jvp(t, ans, a, full):
    # dP = U^T dA V: ds = diag(dP), U^T dU = F o (dP S + S dP^T), V^T dV = F o (S dP + dP^T S),
    # plus (I - U U^T) dA V S^-1 for dU of tall matrices and (I - V V^T) dA^T U S^-1 for dV
    # of wide ones.
    _svd_undefined(a, full)
    s, u, v = ans
    m, n = _shape(a)[-2:]
    tv = np.matmul(t, v)
    dp = np.matmul(_mT(u), tv)
    ds = np.sum(u * tv, axis=-2)
    d = _eig_gaps(s * s)
    srow, scol = np.expand_dims(s, -2), np.expand_dims(s, -1)
    du = np.matmul(u, _offdiag_ratio(dp * srow + scol * _mT(dp), d))
    dv = np.matmul(v, _offdiag_ratio(scol * dp + _mT(dp) * srow, d))
    if m > n:
        du = du + _divide_columns(tv - np.matmul(u, dp), s)
    if n > m:
        tu = np.matmul(_mT(t), u)
        dv = dv + _divide_columns(tu - np.matmul(v, np.matmul(_mT(v), tu)), s)
    return ds, du, dv


_svd = defprim("svd", _svd_fwd, _svd_vjp, jvps=(_svd_jvp,))


def _svd_uv(a: Any) -> tuple[Any, Any]:
    if _is_tensor(a):
        _, u, v = bind(_svd, a, full=False)
        return u, v
    _, u, v = _svd_fwd(a, False)
    return u, v


def _svdvals_vjp(g, ans, a):
    u, v = _svd_uv(a)
    return np.matmul(np.expand_dims(g, -2) * u, _mT(v))


def _svdvals_jvp(t, ans, a):
    u, v = _svd_uv(a)
    return np.sum(u * np.matmul(t, v), axis=-2)


_svdvals = defprim(
    "svdvals", lambda a: np.linalg.svd(a, compute_uv=False), _svdvals_vjp,
    jvps=(_svdvals_jvp,),
)


def svd(
    tensor: Any, full_matrices: bool = False, compute_uv: bool = True, name: str | None = None
) -> Any:
    """Singular values ``s`` (descending) and, with ``compute_uv``, singular vectors:
    returns ``(s, u, v)`` — TensorFlow's order — with ``tensor = u @ diag(s) @ v^T`` (``v``
    is not transposed, unlike NumPy's ``vh``).

    Singular vectors are defined up to sign; their derivative is undefined at repeated
    singular values (and at zero ones for non-square matrices): there tape returns NaN
    wherever the singular-vector cotangent (or tangent) couples the equal values, and takes a
    term that vanishes as 0 (TensorFlow returns 0 for every such term, JAX NaN). The
    singular values' own gradient ``u diag(g) v^T`` is always finite (``compute_uv=False``,
    or a loss of ``s`` alone).

    >>> import tape
    >>> s, u, v = tape.linalg.svd(tape.constant([[3.0, 0.0], [0.0, -2.0]]))
    >>> s.numpy()
    array([3., 2.], dtype=float32)
    """
    _rank2(tensor, "svd")
    if not compute_uv:
        return bind(_svdvals, tensor)
    return bind(_svd, tensor, full=bool(full_matrices))


# --------------------------------------------------------------------------- NumPy interop

SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])
QRResult = namedtuple("QRResult", ["Q", "R"])
EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])


def _no_out(out: Any, name: str) -> None:
    if out is not None:
        raise NotImplementedError(f"tape's np.{name} does not support out=.")


@numpy_function(np.einsum)
def _np_einsum(*operands, out=None, optimize=False, **kw):
    _no_out(out, "einsum")
    if not operands or not isinstance(operands[0], str):
        raise NotImplementedError("tape's np.einsum takes a subscripts string first.")
    return einsum(operands[0], *operands[1:])


@numpy_function(np.tensordot)
def _np_tensordot(a, b, axes=2):
    return tensordot(a, b, axes)


@numpy_function(np.dot)
def _np_dot(a, b, out=None):
    _no_out(out, "dot")
    return _dot(a, b)


@numpy_function(np.inner)
def _np_inner(a, b):
    na, nb = len(_shape(a)), len(_shape(b))
    if na == 0 or nb == 0:
        return _dot(a, b)
    return tensordot(a, b, [[na - 1], [nb - 1]])


@numpy_function(np.outer)
def _np_outer(a, b, out=None):
    _no_out(out, "outer")
    return outer(a, b)


def _move_to_end(a: Any, axis1: int, axis2: int) -> Any:
    nd = len(_shape(a))
    axis1, axis2 = axis1 % nd, axis2 % nd
    perm = [i for i in range(nd) if i not in (axis1, axis2)] + [axis1, axis2]
    return a if perm == list(range(nd)) else transpose(a, perm)


@numpy_function(np.diagonal)
def _np_diagonal(a, offset=0, axis1=0, axis2=1):
    return diag_part(_move_to_end(a, axis1, axis2), k=offset)


@numpy_function(np.trace)
def _np_trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    _no_out(out, "trace")
    if dtype is not None:
        raise NotImplementedError("tape's np.trace does not support dtype=.")
    return reduce_sum(_np_diagonal(a, offset, axis1, axis2), axis=-1)


@numpy_function(np.diag)
def _np_diag(v, k=0):
    nd = len(_shape(v))
    if nd == 1:
        return diag(v, k=k)
    if nd == 2:
        return diag_part(v, k=k)
    raise ValueError("np.diag needs a 1-d or 2-d input.")


@numpy_function(np.linalg.inv)
def _np_inv(a):
    return inv(a)


@numpy_function(np.linalg.det)
def _np_det(a):
    return det(a)


@numpy_function(np.linalg.slogdet)
def _np_slogdet(a):
    return SlogdetResult(*slogdet(a))


@numpy_function(np.linalg.solve)
def _np_solve(a, b):
    if len(_shape(b)) == 1:  # a vector right-hand side (NumPy 2 rule)
        return getitem(solve(a, expand_dims(b, -1)), (Ellipsis, 0))
    return solve(a, b)


@numpy_function(np.linalg.cholesky)
def _np_cholesky(a, upper=False):
    out = cholesky(a)
    return _swap_last(out) if upper else out


@numpy_function(np.linalg.qr)
def _np_qr(a, mode="reduced"):
    if mode not in ("reduced", "complete", "r"):
        raise NotImplementedError(f"tape's np.linalg.qr does not support mode={mode!r}.")
    q, r = qr(a, full_matrices=mode == "complete")
    return r if mode == "r" else QRResult(q, r)


def _uplo(a: Any, UPLO: str) -> str:
    _square(a, "eigh")
    uplo = str(UPLO).upper()
    if uplo not in ("L", "U"):
        raise ValueError(f"UPLO must be 'L' or 'U', got {UPLO!r}.")
    return uplo


@numpy_function(np.linalg.eigh)
def _np_eigh(a, UPLO="L"):
    return EighResult(*bind(_eigh, a, uplo=_uplo(a, UPLO)))


@numpy_function(np.linalg.eigvalsh)
def _np_eigvalsh(a, UPLO="L"):
    return bind(_eigvalsh, a, uplo=_uplo(a, UPLO))


@numpy_function(np.linalg.svd)
def _np_svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    if not compute_uv:
        return svd(a, compute_uv=False)
    s, u, v = svd(a, full_matrices=full_matrices)
    return SVDResult(u, s, _swap_last(v))


def _register_numpy2() -> None:
    """Functions that only NumPy 2 has."""
    la = np.linalg
    extra = {
        "svdvals": lambda x: svd(x, compute_uv=False),
        "matrix_transpose": lambda x: matrix_transpose(x),
        "matmul": lambda x1, x2: matmul(x1, x2),
        "tensordot": lambda x1, x2, axes=2: tensordot(x1, x2, axes),
        "outer": lambda x1, x2: outer(x1, x2),
        "diagonal": lambda x, offset=0: diag_part(x, k=offset),
        "trace": lambda x, offset=0, dtype=None: reduce_sum(diag_part(x, k=offset), axis=-1),
    }
    for name, handler in extra.items():
        if hasattr(la, name):
            numpy_function(getattr(la, name))(handler)
    if hasattr(np, "matrix_transpose"):
        numpy_function(np.matrix_transpose)(lambda x: matrix_transpose(x))


_register_numpy2()

# tf.linalg.norm is tf.norm.
norm = _reductions.norm


@numpy_function(np.linalg.norm)
def _np_norm(x, ord=None, axis=None, keepdims=False):
    nd = len(_shape(x))
    if axis is None and ord is not None:
        if nd not in (1, 2):
            raise ValueError("np.linalg.norm: ord needs a 1-d or 2-d input, or an axis.")
        axis = 0 if nd == 1 else (0, 1)
    matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    if ord is None:
        ord = "fro" if matrix else "euclidean"
    elif isinstance(axis, (tuple, list)) and len(axis) == 1:
        axis = axis[0]
    return norm(x, ord=ord, axis=axis, keepdims=keepdims)

__all__ = [
    "adjoint",
    "cholesky",
    "cholesky_solve",
    "det",
    "diag",
    "diag_part",
    "eigh",
    "eigvalsh",
    "einsum",
    "inv",
    "logdet",
    "matmul",
    "matrix_transpose",
    "matvec",
    "outer",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "tensordot",
    "trace",
    "triangular_solve",
] + (["norm"] if norm is not None else [])
