"""Linear algebra: products, solves and decompositions, batched over leading axes.

Matrices are the last two axes of a tensor, ``(..., M, N)``. Every gradient rule below is
written with registered ops — matmul, solve, inv, einsum and the decompositions themselves —
so that it can be differentiated again (second order), and every forward-mode rule likewise.
"""

from __future__ import annotations

import functools
import numbers
import operator
import string
import warnings
from collections import Counter, namedtuple
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from .._batch import elementwise as _broadcasting
from .._batch import lift, reduction, same_call
from .._fast import bind2
from .._record import bind
from .._registry import UFUNCS, conj_if_complex, defprim
from .._tensor import Tensor, Variable, scalarize, value_of, wrap
from .._tensor import peek as _peek
from . import reductions as _reductions
from ._define import numpy_function
from .reductions import reduce_sum
from .shape import cast, expand_dims, getitem, reshape, stack, transpose

_LETTERS = string.ascii_letters


# --------------------------------------------------------------------------- helpers


def _value(x: Any) -> Any:
    return value_of(x) if isinstance(x, (Tensor, Variable)) else np.asarray(x)


def _shape(x: Any) -> tuple[int, ...]:
    return x.shape if isinstance(x, (Tensor, Variable)) else np.shape(x)


def _is_tensor(x: Any) -> bool:
    return isinstance(x, (Tensor, Variable))


def _mT(x: Any) -> Any:
    """Transpose of the last two axes (a registered op on tensors; an array's own method,
    which skips NumPy's Python-level wrapper, in a first-order sweep)."""
    return x.swapaxes(-1, -2) if type(x) is np.ndarray else np.swapaxes(x, -1, -2)


def _float_dtype(x: Any) -> np.dtype:
    dt = _peek(x).dtype
    return dt if dt.kind in "fc" else np.dtype(np.float64)


def _real_dtype(x: Any) -> np.dtype:
    """The real dtype of ``x``'s precision (float64 for complex128)."""
    return np.finfo(_float_dtype(x)).dtype


def _is_complex(x: Any) -> bool:
    return _peek(x).dtype.kind == "c"


def _mH(x: Any) -> Any:
    """The conjugate transpose of the last two axes (the transpose, for real values)."""
    return conj_if_complex(_mT(x))


def _re(x: Any) -> Any:
    """The real part of a complex value (recorded on tensors); a real one as it is."""
    return np.real(x) if _is_complex(x) else x


def _column_dots(x: Any, y: Any) -> Any:
    """``diag(x^H y)``: the inner product of each column of ``x`` with the same column of
    ``y``, shape ``(..., K)``."""
    return np.sum(conj_if_complex(x) * y, axis=-2)


def _diag_matrix(d: Any) -> Any:
    """Diagonal matrices with the vectors ``d`` (``(..., K)``) on their diagonals."""
    n = _shape(d)[-1]
    return np.expand_dims(d, -1) * np.eye(n, dtype=_real_dtype(d))


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


def _np_square(x: Any, op: str) -> tuple[int, ...]:
    """:func:`_square` for NumPy's functions, which raise ``LinAlgError`` (a ValueError)."""
    try:
        return _square(x, op)
    except ValueError as e:
        raise np.linalg.LinAlgError(str(e)) from None


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
    triangle of ``t`` sees; for complex values the Hermitian one, with the real part of the
    diagonal (LAPACK takes its imaginary part as 0)."""
    n = _shape(t)[-1]
    dtype = _real_dtype(t)
    mask, strict = np.tri(n, n, dtype=dtype), np.tri(n, n, -1, dtype=dtype)
    if uplo == "U":
        mask, strict = mask.T, strict.T
    if _is_complex(t):
        off = t * strict
        return off + _mH(off) + np.real(t) * np.eye(n, dtype=dtype)
    return t * mask + _mT(t * strict)


def _triangle_grad(m: Any, uplo: str) -> Any:
    """The cotangent of a triangle-reading op from the cotangent ``m`` of the symmetric
    (Hermitian) matrix it sees: ``m + m^H`` on the triangle read, halved on the diagonal
    (where it is the real part of ``m``'s)."""
    mask = _phi_mask(_shape(m)[-1], _real_dtype(m))
    return (m + _mH(m)) * (mask if uplo == "L" else mask.T)


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


def _matmul_batch(prim, args, batched, ndims, rank, static, size):
    """``a @ b`` with the batch on axis 0 of either or both (NumPy's rules for vectors:
    a vector operand becomes a row or a column, and that axis is dropped again)."""
    a, b = args
    (ba, bb), (na, nb) = batched, ndims
    if ba and na == 1 and not bb and nb > 2:  # vectors times a stack of matrices: loop
        return NotImplemented
    if bb and nb == 1:  # a batch of vectors on the right: columns
        if na == 1:  # dot products
            if ba:
                return np.matmul(a[:, None, :], b[:, :, None])[:, 0, 0]
            return np.matmul(b, a)
        column = b.reshape((size,) + (1,) * (na - 2) + (b.shape[-1], 1))
        return np.matmul(a, column)[..., 0]
    if ba and na == 1:  # a batch of vectors on the left: rows
        if not bb:
            return np.matmul(a, b)  # (batch, m) @ (m, k) or (m,): rows of the results
        row = a.reshape((size,) + (1,) * (nb - 2) + (1, a.shape[-1]))
        return np.matmul(row, b)[..., 0, :]
    # stacks of matrices: lift the batched ones (axes after the batch, to broadcast with
    # the other's stacked axes)
    top = max(na, nb)
    a, b = lift(a, na, top) if ba else a, lift(b, nb, top) if bb else b
    if a.shape[-1] == 1:  # outer products (per-example gradients): a broadcast product is
        # one multiply per entry, as matmul's, and faster (on contiguous factors)
        return np.multiply(np.ascontiguousarray(a), np.ascontiguousarray(b))
    return np.matmul(a, b)


_matmul = defprim(
    "matmul", np.matmul, _matmul_vjp_a, _matmul_vjp_b,
    jvps=(lambda t, ans, a, b: np.matmul(t, b), lambda t, ans, a, b: np.matmul(a, t)),
    batch=_matmul_batch, complex="holomorphic",
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
        a = matrix_transpose(a, conjugate=adjoint_a)
    if transpose_b or adjoint_b:
        b = matrix_transpose(b, conjugate=adjoint_b)
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
    """Transpose of the last two axes of ``a`` (a batch of matrices); with ``conjugate``,
    of the complex conjugate.

    >>> import tape
    >>> tape.linalg.matrix_transpose(tape.constant([[1j, 2.0]]), conjugate=True).numpy()
    array([[0.-1.j],
           [2.-0.j]])
    """
    if conjugate and np.iscomplexobj(_peek(a)):
        a = np.conjugate(a)  # the recorded conjugate (NumPy's protocol)
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
        a = matrix_transpose(a, conjugate=adjoint_a)
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
def _einsum_batch(prim, args, batched, ndims, rank, static, size):
    """A new index letter for the batch, on the batched operands and the output (an
    equation with an ellipsis or without an explicit output loops)."""
    equation = static["equation"].replace(" ", "")
    if "->" not in equation or "..." in equation:
        return NotImplemented
    inputs, output = equation.split("->")
    free = next(c for c in "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA"
                if c not in inputs + output)
    specs = [free + spec if b else spec for spec, b in zip(inputs.split(","), batched)]
    return prim.fwd(*args, equation=f"{','.join(specs)}->{free}{output}")


_einsum = defprim(
    "einsum", _einsum_fwd,
    *(functools.partial(_einsum_vjp, i) for i in range(_MAX_OPERANDS)),
    jvps=tuple(functools.partial(_einsum_jvp, i) for i in range(_MAX_OPERANDS)),
    batch=_einsum_batch, complex="holomorphic",
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
    batch=same_call, complex=True,
)
_diag_embed = defprim(
    "diag_embed", _diag_embed_fwd,
    lambda g, ans, v, k, shape: _call(_diag_part, g, k=k),
    linear=True,
    batch=same_call, complex=True,
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
    batch=same_call, complex="holomorphic",
)
_det = defprim(
    "det", lambda a: scalarize(np.linalg.det(a)),
    lambda g, ans, a: np.expand_dims(np.expand_dims(g * ans, -1), -1)
    * _mT(_inv_for_grad(a, "det")),
    jvps=(lambda t, ans, a: ans * _trace_of_inv_times(a, t, "det"),),
    batch=same_call, complex="holomorphic",
)


def _slogdet_fwd(a):
    sign, logdet = np.linalg.slogdet(a)
    return scalarize(sign), scalarize(logdet)


def _slogdet_vjp(g, ans, a):
    # With tau = tr(A^-1 dA) = d log det A: d log|det A| = Re(tau), and d sign = i sign Im(tau)
    # (0 for a real matrix, whose sign is piecewise constant). Transposed: (g_log + i Im(g_sign
    # conj(sign))) A^-H.
    gsign, glog = g
    sign = ans[0]
    w = glog + np.imag(gsign * np.conj(sign)) * 1j if _is_complex(sign) else glog
    return np.expand_dims(np.expand_dims(w, -1), -1) * _mH(_inv_for_grad(a, "slogdet"))


def _slogdet_jvp(t, ans, a):
    tau = _trace_of_inv_times(a, t, "slogdet")
    sign = ans[0]
    if _is_complex(sign):
        return sign * (np.imag(tau) * 1j), np.real(tau)
    return scalarize(np.zeros(_shape(sign), _float_dtype(sign))), tau


_slogdet = defprim("slogdet", _slogdet_fwd, _slogdet_vjp, jvps=(_slogdet_jvp,),
                   batch=same_call, complex=True)


def inv(input: Any, adjoint: bool = False, name: str | None = None) -> Any:
    """Inverse of each square matrix in ``input`` (of its adjoint, the conjugate transpose,
    with ``adjoint=True``).

    Gradient: ``-inv(A)^H g inv(A)^H`` (``^H`` the conjugate transpose, ``^T`` for real
    matrices). A singular matrix raises ``LinAlgError``.

    >>> import tape
    >>> tape.linalg.inv(tape.constant([[2.0, 0.0], [0.0, 4.0]])).numpy()
    array([[0.5 , 0.  ],
           [0.  , 0.25]], dtype=float32)
    """
    _square(input, "inv")
    out = bind(_inv, input)
    return matrix_transpose(out, conjugate=True) if adjoint else out


def det(input: Any, name: str | None = None) -> Any:
    """Determinant of each square matrix in ``input``.

    Gradient: ``conj(det(A)) inv(A)^H`` (``det(A) inv(A)^T`` for real matrices); at an
    exactly singular matrix it raises ``LinAlgError``,
    as TensorFlow raises (the derivative there is the adjugate, which JAX returns and tape
    does not compute). Use :func:`slogdet` for products of many factors.

    >>> import tape
    >>> float(tape.linalg.det(tape.constant([[2.0, 1.0], [1.0, 3.0]])))
    5.0
    """
    _square(input, "det")
    return bind(_det, input)


def slogdet(input: Any, name: str | None = None) -> tuple[Any, Any]:
    """``(sign, log_abs_determinant)`` of each square matrix in ``input``: ``det = sign *
    exp(log_abs_determinant)``, the sign ±1 for real matrices and ``det / |det|``, of
    modulus 1, for complex ones; ``log_abs_determinant`` is real.

    With ``tau = tr(A^-1 dA)``, ``d log|det A| = Re(tau)`` (gradient ``inv(A)^H``) and
    ``d sign = i sign Im(tau)``: a real matrix's sign is piecewise constant, with gradient
    zero. At a singular matrix the gradient raises ``LinAlgError``, as TensorFlow raises
    (JAX gives inf).

    >>> import numpy as np, tape
    >>> sign, logabs = tape.linalg.slogdet(tape.constant(np.array([[2j, 0.0], [0.0, 3.0]])))
    >>> complex(sign), round(float(logabs), 6)
    (1j, 1.791759)
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
    batch=_broadcasting, complex="holomorphic",
)


def solve(matrix: Any, rhs: Any, adjoint: bool = False, name: str | None = None) -> Any:
    """Solve ``matrix @ X = rhs`` for ``X``: ``matrix`` is ``(..., M, M)``, ``rhs``
    ``(..., M, K)`` (batch axes broadcast). ``adjoint=True`` solves with ``adjoint(matrix)``,
    the conjugate transpose.

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
        matrix = matrix_transpose(matrix, conjugate=True)
    return bind(_solve, matrix, rhs)


def triangular_solve(
    matrix: Any, rhs: Any, lower: bool = True, adjoint: bool = False, name: str | None = None
) -> Any:
    """Solve ``matrix @ X = rhs`` with ``matrix`` triangular: only its lower (``lower=True``)
    or upper triangle is read, so the gradient with respect to ``matrix`` is triangular too.
    ``adjoint=True`` solves with ``adjoint(matrix)``, the conjugate transpose."""
    n = _square(matrix, "triangular_solve")[-1]
    mask = np.tri(n, n, dtype=_float_dtype(matrix))
    tri = matrix * (mask if lower else mask.T)
    return solve(tri, rhs, adjoint=adjoint)


def _cholesky_fwd(a):
    at = np.swapaxes(a, -1, -2)
    return np.linalg.cholesky((a + (at.conj() if at.dtype.kind == "c" else at)) / 2)


def _right_solve(x: Any, a: Any) -> Any:
    """``x @ inv(a)``, as a solve."""
    return _mT(np.linalg.solve(_mT(a), _mT(x)))


def _cholesky_vjp(g, ans, a):
    # dL = L Phi(L^-1 dA L^-H), so  grad A = herm(L^-H Phi(L^H g) L^-1).
    n = _shape(ans)[-1]
    p = np.matmul(_mH(ans), g) * _phi_mask(n, _real_dtype(ans))
    s = _right_solve(np.linalg.solve(_mH(ans), p), ans)
    return (s + _mH(s)) / 2


def _cholesky_jvp(t, ans, a):
    n = _shape(ans)[-1]
    c = _right_solve(np.linalg.solve(ans, (t + _mH(t)) / 2), _mH(ans))
    return np.matmul(ans, c * _phi_mask(n, _real_dtype(ans)))


_cholesky = defprim(
    "cholesky", _cholesky_fwd, _cholesky_vjp, jvps=(_cholesky_jvp,), batch=same_call,
    complex=True,
)


def cholesky(input: Any, name: str | None = None) -> Any:
    """Lower-triangular ``L`` with ``L @ adjoint(L) = input``, for symmetric (complex:
    Hermitian) positive definite matrices (``(..., M, M)``); ``L`` has a real positive
    diagonal.

    The input is symmetrized first, ``(A + A^H) / 2`` — the same result for the Hermitian
    matrices the op is defined on — so that the gradient is TensorFlow's Hermitian one and
    is the true derivative in every direction. A matrix that is not positive definite
    raises ``LinAlgError``.

    >>> import numpy as np, tape
    >>> tape.linalg.cholesky(tape.constant(np.array([[4.0, 2j], [-2j, 2.0]]))).numpy()
    array([[2.+0.j, 0.+0.j],
           [0.-1.j, 1.+0.j]])
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
    """Cotangent of A = QR, Q (m, n) with orthonormal columns, R (n, n) upper triangular
    with a real diagonal: (gQ + Q copyltu(M)) R^-H with M = R gR^H - gQ^H Q, copyltu(M) =
    M's strict lower triangle mirrored (conjugated) onto the upper one, with the real part of
    M's diagonal."""
    n = _shape(r)[-1]
    dtype = _real_dtype(r)
    m = np.matmul(r, _mH(gr)) - np.matmul(_mH(gq), q)
    low = m * np.tri(n, n, -1, dtype=dtype)
    copyltu = low + _mH(low) + _re(m) * np.eye(n, dtype=dtype)
    return _right_solve(gq + np.matmul(q, copyltu), _mH(r))


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
    gx = _qr_grad_square(q, u, gq + np.matmul(y, _mH(gv)), gu)
    return _join_columns(gx, np.matmul(q, gv), n)


def _qr_tangent_square(q, r, da):
    """(dQ, dR) of A = QR (R square, with a real diagonal): with C = Q^H dA R^-1, Q^H dQ is
    the skew-Hermitian matrix with C's strict lower triangle and the imaginary part of its
    diagonal, and dR R^-1 = C - Q^H dQ is upper triangular with a real diagonal."""
    n = _shape(r)[-1]
    dtype = _real_dtype(r)
    da_rinv = _right_solve(da, r)
    c = np.matmul(_mH(q), da_rinv)
    low = c * np.tri(n, n, -1, dtype=dtype)
    skew = low - _mH(low)
    if _is_complex(c):
        skew = skew + np.imag(c) * np.eye(n, dtype=dtype) * 1j
    upper = c - skew  # dR R^-1
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
    dv = np.matmul(_mH(dq), y) + np.matmul(_mH(q), dy)
    return dq, _join_columns(du, dv, n)


_qr = defprim("qr", _qr_fwd, _qr_vjp, jvps=(_qr_jvp,), batch=same_call, complex=True)


def qr(input: Any, full_matrices: bool = False, name: str | None = None) -> tuple[Any, Any]:
    """``(q, r)`` with ``q @ r = input``, ``q`` with orthonormal columns and ``r`` upper
    triangular (batched). Signs follow LAPACK: the diagonal of ``r`` is real, and may be
    negative; for complex matrices that makes ``q`` and ``r`` unique, and differentiable.

    Differentiable when ``r``'s leading square block is invertible (full column rank for
    tall matrices); with ``full_matrices=True`` and more rows than columns the extra columns
    of ``q`` are not unique and the gradient raises ``NotImplementedError``, as in
    TensorFlow.
    """
    _rank2(input, "qr")
    return bind(_qr, input, full=bool(full_matrices))


# --------------------------------------------------------------------------- eigh, svd, eig


def _eig_gaps(e: Any) -> Any:
    """``d[..., i, j] = e[..., j] - e[..., i]``."""
    return np.expand_dims(e, -2) - np.expand_dims(e, -1)


# The phase of complex eigenvectors and singular vectors. Each is defined up to a factor
# e^{i phi}, which LAPACK fixes by making one component of each vector real: the largest one
# for eig (geev); the first one for eigh reading the lower triangle, the last one reading the
# upper triangle (heevd: the reduction to a real tridiagonal matrix leaves that row alone);
# for svd (gesdd), the first component of each right singular vector of a matrix with at
# least as many rows as columns, of each left singular vector otherwise. The rules below
# differentiate the vectors in that phase, so that their derivatives are those of the values
# NumPy returns; a loss that does not depend on the phases (|v|, v v^H, the eigenvalues, u_k
# and v_k together for svd) does not see the choice, and gets the same gradient as
# TensorFlow's and JAX's.


def _phase_pick(x: Any, rows: Any) -> np.ndarray:
    """A constant ``(..., N, K)`` array of 0s with a 1 at ``(rows[..., k], k)``: the component
    of each column of ``x`` that its phase keeps real."""
    shape = tuple(_shape(x))
    rows = np.broadcast_to(rows, shape[:-2] + shape[-1:])
    return (np.arange(shape[-2])[:, None] == np.expand_dims(rows, -2)).astype(_real_dtype(x))


def _eig_rows(v: Any) -> np.ndarray:
    """The component of each eigenvector that geev made real: the largest of the exactly real
    ones (the largest one, if none is)."""
    vv = _value(v)
    if vv.shape[-2] == 0:  # empty matrices: no components
        return np.zeros(vv.shape[:-2] + vv.shape[-1:], dtype=np.intp)
    return np.argmax(np.abs(vv) + 2.0 * (vv.imag == 0), axis=-2)


def _picked(x: Any, pick: np.ndarray) -> tuple[Any, np.ndarray]:
    """The real part of the picked component of each column of ``x``, with 1 where it is
    nonzero and 0 where it is 0: there the phase is not defined (NumPy's vectors jump), and
    the phase terms below are left out."""
    xj = np.sum(np.real(x) * pick, axis=-2)
    keep = (_value(xj) != 0).astype(pick.dtype)
    return np.where(keep > 0, xj, 1), keep


def _phase_factor(x: Any, dx: Any, pick: np.ndarray) -> Any:
    """``i theta`` as a row ``(..., 1, K)``, the change of phase that keeps the picked
    component of each column of ``x + dx`` real: ``theta_k = -Im(dx[j, k]) / x[j, k]``, for
    ``dx`` the tangent of the vectors in the phase where ``Im(x_k^H dx_k) = 0``."""
    xj, keep = _picked(x, pick)
    theta = -np.sum(np.imag(dx) * pick, axis=-2) * keep / xj
    return np.expand_dims(theta * 1j, -2)


def _phase_cotangent(pairs: list[tuple[Any, Any]], x: Any, pick: np.ndarray) -> Any:
    """The transpose of :func:`_phase_factor`: the cotangent to add to that of ``x`` when the
    vectors ``y`` of ``pairs`` (with cotangents ``gy``) all turn by ``i theta``:
    ``-i c_k / x[j, k]`` at the picked component, with ``c_k = sum Im(y_k^H gy_k)``."""
    c = sum(np.imag(_column_dots(y, gy)) for y, gy in pairs)
    xj, keep = _picked(x, pick)
    return pick * np.expand_dims(c * keep / xj * -1j, -2)


def _eigh_fwd(a, uplo):
    e, v = np.linalg.eigh(a, UPLO=uplo)
    return e, v


def _eigh_pick(v: Any, uplo: str) -> np.ndarray:
    return _phase_pick(v, 0 if uplo == "L" else _shape(v)[-1] - 1)


def _eigh_vjp(g, ans, a, uplo):
    # dV = V (F o V^H dA V) (and the phase term), de = diag(V^H dA V), F_ij = 1 / (e_j - e_i)
    ge, gv = g
    e, v = ans
    if _is_complex(v):
        gv = gv + _phase_cotangent([(v, gv)], v, _eigh_pick(v, uplo))
    inner = np.expand_dims(ge, -2) * v + np.matmul(
        v, _offdiag_ratio(np.matmul(_mH(v), gv), _eig_gaps(e))
    )
    return _triangle_grad(np.matmul(inner, _mH(v)), uplo)


def _eigh_jvp(t, ans, a, uplo):
    e, v = ans
    tv = np.matmul(_sym_from_triangle(t, uplo), v)
    de = _re(_column_dots(v, tv))
    dv = np.matmul(v, _offdiag_ratio(np.matmul(_mH(v), tv), _eig_gaps(e)))
    if _is_complex(v):
        dv = dv + v * _phase_factor(v, dv, _eigh_pick(v, uplo))
    return de, dv


_eigh = defprim("eigh", _eigh_fwd, _eigh_vjp, jvps=(_eigh_jvp,), batch=same_call,
                complex=True)


def _eigvalsh_vjp(g, ans, a, uplo):
    _, v = np.linalg.eigh(a, UPLO=uplo)
    return _triangle_grad(np.matmul(np.expand_dims(g, -2) * v, _mH(v)), uplo)


def _eigvalsh_jvp(t, ans, a, uplo):
    _, v = np.linalg.eigh(a, UPLO=uplo)
    return _re(_column_dots(v, np.matmul(_sym_from_triangle(t, uplo), v)))


_eigvalsh = defprim(
    "eigvalsh", lambda a, uplo: np.linalg.eigvalsh(a, UPLO=uplo), _eigvalsh_vjp,
    jvps=(_eigvalsh_jvp,),
    batch=same_call, complex=True,
)


def eigh(tensor: Any, name: str | None = None) -> tuple[Any, Any]:
    """``(e, v)``: eigenvalues (ascending, real) and eigenvectors (columns) of symmetric or
    complex Hermitian matrices, ``tensor @ v = v * e``.

    Only the lower triangle is read, as in TensorFlow (and the imaginary part of the
    diagonal is taken as 0), so the gradient is lower triangular (TensorFlow's). The
    eigenvalue derivative is ``de_k = Re(v_k^H dA v_k)``.

    Eigenvectors are defined up to sign, complex ones up to a phase ``e^{i phi}`` each. A
    loss that does not depend on it (``|v|``, projectors ``v_k v_k^H``, the eigenvalues) is
    differentiated as in TensorFlow and JAX; for any other, tape differentiates the phase
    NumPy's LAPACK returns (the first component of each eigenvector real), where that
    component is not 0. The eigenvectors' derivative is undefined at repeated eigenvalues:
    where the computed eigenvalues are exactly equal, tape returns NaN wherever the
    eigenvector cotangent (or tangent) couples two of them, and 0 where that term vanishes
    (a loss such as ``sum(v ** 2)``). TensorFlow returns 0 for every such term, JAX NaN for
    every one. Eigenvalues equal only up to rounding give a finite gradient of the order of
    one over their gap, which is not accurate (as in TensorFlow and JAX). Eigenvalue
    derivatives stay exact; use :func:`eigvalsh` when only the eigenvalues are needed.

    >>> import numpy as np, tape
    >>> e, v = tape.linalg.eigh(tape.constant(np.array([[2.0, 1j], [-1j, 2.0]])))
    >>> e.numpy()
    array([1., 3.])
    """
    _square(tensor, "eigh")
    return bind(_eigh, tensor, uplo="L")


def eigvalsh(tensor: Any, name: str | None = None) -> Any:
    """Eigenvalues (ascending, real) of symmetric or complex Hermitian matrices, reading the
    lower triangle.

    The gradient ``V diag(g) V^H`` (made lower triangular, as in TensorFlow) is defined even
    at repeated eigenvalues.
    """
    _square(tensor, "eigvalsh")
    return bind(_eigvalsh, tensor, uplo="L")


def _svd_fwd(a, full):
    u, s, vh = np.linalg.svd(a, full_matrices=full)
    return s, u, np.swapaxes(vh.conj() if vh.dtype.kind == "c" else vh, -1, -2)


def _svd_undefined(a: Any, full: bool) -> None:
    m, n = _shape(a)[-2:]
    if full and m != n:
        raise NotImplementedError(
            "The derivative of svd with full_matrices=True is not defined for non-square "
            "matrices (the extra singular vectors are not unique); use full_matrices=False."
        )


def _svd_phase(u: Any, v: Any, m: int, n: int) -> tuple[Any, np.ndarray]:
    """The singular vectors whose first component gesdd makes real (``v`` for a matrix
    with at least as many rows as columns, ``u`` otherwise), and its pick."""
    x = v if m >= n else u
    return x, _phase_pick(x, 0)


def _svd_vjp(g, ans, a, full):
    # A = U S V^H, F_ij = 1 / (s_j^2 - s_i^2):  grad A = U [(F o (U^H gU - gU^H U)) S
    #   + diag(gs) + i Im diag(U^H gU) S^-1 + S (F o (V^H gV - gV^H V))] V^H
    #   + (I - U U^H) gU S^-1 V^H + U S^-1 gV^H (I - V V^H), the last two terms for tall and
    #   wide matrices, after the phase term's cotangent is added to gV (or gU).
    _svd_undefined(a, full)
    gs, gu, gv = g
    s, u, v = ans
    m, n = _shape(a)[-2:]
    cplx = _is_complex(u)
    if cplx:
        x, pick = _svd_phase(u, v, m, n)
        extra = _phase_cotangent([(u, gu), (v, gv)], x, pick)
        if m >= n:
            gv = gv + extra
        else:
            gu = gu + extra
    d = _eig_gaps(s * s)
    ut_gu, vt_gv = np.matmul(_mH(u), gu), np.matmul(_mH(v), gv)
    j = _offdiag_ratio(ut_gu - _mH(ut_gu), d) * np.expand_dims(s, -2)
    k = np.expand_dims(s, -1) * _offdiag_ratio(vt_gv - _mH(vt_gv), d)
    inner = j + k + _diag_matrix(gs)
    if cplx:  # the phase of u_k against v_k
        inner = inner + _divide_columns(_diag_matrix(np.imag(_column_dots(u, gu)) * 1j), s)
    ga = np.matmul(u, np.matmul(inner, _mH(v)))
    if m > n:
        ga = ga + np.matmul(_divide_columns(gu - np.matmul(u, ut_gu), s), _mH(v))
    if n > m:
        ga = ga + np.matmul(u, _mH(_divide_columns(gv - np.matmul(v, vt_gv), s)))
    return ga


def _svd_jvp(t, ans, a, full):
    # dP = U^H dA V: ds = Re diag(dP), U^H dU = F o (dP S + S dP^H) + i Im diag(dP) S^-1,
    # V^H dV = F o (S dP + dP^H S), plus (I - U U^H) dA V S^-1 for dU of tall matrices and
    # (I - V V^H) dA^H U S^-1 for dV of wide ones; then both turn by the phase term.
    _svd_undefined(a, full)
    s, u, v = ans
    m, n = _shape(a)[-2:]
    tv = np.matmul(t, v)
    dp = np.matmul(_mH(u), tv)
    dots = _column_dots(u, tv)
    ds = _re(dots)
    d = _eig_gaps(s * s)
    srow, scol = np.expand_dims(s, -2), np.expand_dims(s, -1)
    du = np.matmul(u, _offdiag_ratio(dp * srow + scol * _mH(dp), d))
    dv = np.matmul(v, _offdiag_ratio(scol * dp + _mH(dp) * srow, d))
    cplx = _is_complex(u)
    if cplx:
        du = du + _divide_columns(u * np.expand_dims(np.imag(dots) * 1j, -2), s)
    if m > n:
        du = du + _divide_columns(tv - np.matmul(u, dp), s)
    if n > m:
        tu = np.matmul(_mH(t), u)
        dv = dv + _divide_columns(tu - np.matmul(v, np.matmul(_mH(v), tu)), s)
    if cplx:
        x, pick = _svd_phase(u, v, m, n)
        turn = _phase_factor(x, dv if m >= n else du, pick)
        du, dv = du + u * turn, dv + v * turn
    return ds, du, dv


_svd = defprim("svd", _svd_fwd, _svd_vjp, jvps=(_svd_jvp,), batch=same_call, complex=True)


def _svd_uv(a: Any) -> tuple[Any, Any]:
    if _is_tensor(a):
        _, u, v = bind(_svd, a, full=False)
        return u, v
    _, u, v = _svd_fwd(a, False)
    return u, v


def _svdvals_vjp(g, ans, a):
    u, v = _svd_uv(a)
    return np.matmul(np.expand_dims(g, -2) * u, _mH(v))


def _svdvals_jvp(t, ans, a):
    u, v = _svd_uv(a)
    return _re(_column_dots(u, np.matmul(t, v)))


_svdvals = defprim(
    "svdvals", lambda a: np.linalg.svd(a, compute_uv=False), _svdvals_vjp,
    jvps=(_svdvals_jvp,),
    batch=same_call, complex=True,
)


def svd(
    tensor: Any, full_matrices: bool = False, compute_uv: bool = True, name: str | None = None
) -> Any:
    """Singular values ``s`` (descending, real) and, with ``compute_uv``, singular vectors:
    returns ``(s, u, v)`` — TensorFlow's order — with ``tensor = u @ diag(s) @ adjoint(v)``
    (``v`` is not transposed, unlike NumPy's ``vh``; for real matrices ``adjoint(v)`` is
    ``v^T``).

    The singular values' derivative is ``ds_k = Re(u_k^H dA v_k)``, and their gradient
    ``u diag(g) v^H`` is always finite (``compute_uv=False``, or a loss of ``s`` alone), even
    at repeated singular values.

    Singular vectors are defined up to sign, complex ones up to a phase shared by each pair:
    ``u_k -> u_k e^{i phi}``, ``v_k -> v_k e^{i phi}`` leaves the matrix unchanged. A loss
    that does not depend on the phases (``|u|``, ``u_k v_k^H``, ``u_k u_k^H``) is
    differentiated as in TensorFlow and JAX; for any other, tape differentiates the phase
    NumPy's LAPACK returns (the first component of each ``v_k`` real when ``M >= N``, of each
    ``u_k`` when ``M < N``), where that component is not 0. The singular vectors' derivative
    is undefined at repeated singular values (and at zero ones for non-square matrices; for
    complex ones, the relative phase of ``u_k`` and ``v_k`` at a zero singular value): there
    tape returns NaN wherever the singular-vector cotangent (or tangent) couples exactly
    equal values, and takes a term that vanishes as 0 (TensorFlow returns 0 for every such
    term, JAX NaN). Values equal only up to rounding give a finite gradient of the order of
    one over their gap, which is not accurate (as in TensorFlow and JAX).

    >>> import tape
    >>> s, u, v = tape.linalg.svd(tape.constant([[3.0, 0.0], [0.0, -2.0]]))
    >>> s.numpy()
    array([3., 2.], dtype=float32)
    """
    _rank2(tensor, "svd")
    if not compute_uv:
        return bind(_svdvals, tensor)
    return bind(_svd, tensor, full=bool(full_matrices))


def _complex_of(x: np.ndarray) -> np.ndarray:
    return x.astype(np.result_type(x.dtype, np.complex64), copy=False)


def _eig_fwd(a):
    w, v = np.linalg.eig(a)
    return _complex_of(w), _complex_of(v)


def _eig_solve(m: Any, x: Any) -> Any:
    """``m^-1 x`` for ``m`` the eigenvectors ``V`` or ``V^H``."""
    try:
        return np.linalg.solve(m, x)
    except np.linalg.LinAlgError:
        raise np.linalg.LinAlgError(
            "The derivative of eig is not defined at this matrix: its eigenvectors do not "
            "span (a defective matrix, with a repeated eigenvalue), so the eigenvalues are not "
            "differentiable there."
        ) from None


def _eig_vjp(g, ans, a):
    # A V = V diag(w). With P = V^-1 dA V: dw = diag(P), dV = V (F o P) minus each column's
    # component along itself (unit norm, and the phase that keeps geev's real component
    # real), F_ij = 1 / (w_j - w_i). Transposed:
    # grad A = V^-H (diag(gw) + conj(F) o (V^H gV - V^H V diag(V^H gV))) V^H.
    gw, gv = g
    w, v = ans
    gv = gv + _phase_cotangent([(v, gv)], v, _phase_pick(v, _eig_rows(v)))
    vh = _mH(v)
    along = np.matmul(vh, v) * np.expand_dims(_column_dots(v, gv), -2)
    inner = _diag_matrix(gw) + _offdiag_ratio(np.matmul(vh, gv) - along,
                                              np.conj(_eig_gaps(w)))
    return _eig_solve(vh, np.matmul(inner, vh))


def _eig_jvp(t, ans, a):
    w, v = ans
    p = _eig_solve(v, np.matmul(t, v))  # V^-1 t V
    dw = _call(_diag_part, p, k=0)
    dv = np.matmul(v, _offdiag_ratio(p, _eig_gaps(w)))
    dv = dv - v * np.expand_dims(_column_dots(v, dv), -2)
    return dw, dv + v * _phase_factor(v, dv, _phase_pick(v, _eig_rows(v)))


_eig = defprim("eig", _eig_fwd, _eig_vjp, jvps=(_eig_jvp,), batch=same_call, complex=True)


def _eigvectors_for(a: Any, w: Any) -> Any:
    """The eigenvectors of ``a`` (from :func:`eig`, recorded on a tensor) in the order of the
    eigenvalues ``w``."""
    we, v = bind(_eig, a) if _is_tensor(a) else _eig_fwd(a)
    wv, wev = _value(w), _value(we)
    if np.array_equal(wv, wev):
        return v
    n = wv.shape[-1]
    gaps = np.abs(np.expand_dims(wv, -1) - np.expand_dims(wev, -2)).reshape(-1, n, n)
    order = np.empty(gaps.shape[:2], dtype=np.intp)
    for b, d in enumerate(gaps):  # each eigenvalue of w to the nearest one left of we
        free = np.ones(n, dtype=bool)
        for i in range(n):
            order[b, i] = j = int(np.argmin(np.where(free, d[i], np.inf)))
            free[j] = False
    order = order.reshape(wv.shape)
    if np.array_equal(order, np.broadcast_to(np.arange(n), order.shape)):
        return v
    # the columns of v in the order of w, by a permutation matrix
    perm = (np.arange(n)[:, None] == np.expand_dims(order, -2)).astype(_real_dtype(v))
    return np.matmul(v, perm)


def _eigvals_fwd(a):
    return _complex_of(np.linalg.eigvals(a))


def _eigvals_vjp(g, ans, a):
    vh = _mH(_eigvectors_for(a, ans))
    return _eig_solve(vh, np.expand_dims(g, -1) * vh)  # V^-H diag(g) V^H


def _eigvals_jvp(t, ans, a):
    v = _eigvectors_for(a, ans)
    return _call(_diag_part, _eig_solve(v, np.matmul(t, v)), k=0)  # diag(V^-1 t V)


_eigvals = defprim("eigvals", _eigvals_fwd, _eigvals_vjp, jvps=(_eigvals_jvp,),
                   batch=same_call, complex=True)


def eig(tensor: Any, name: str | None = None) -> tuple[Any, Any]:
    """``(e, v)``: eigenvalues and eigenvectors (columns, of unit norm) of general square
    matrices (``(..., M, M)``), ``tensor @ v = v * e``, in LAPACK's order (NumPy's). Both
    are complex, for real matrices too, as ``tf.linalg.eig``; ``np.linalg.eig`` on a tensor
    follows NumPy instead: real arrays for a real matrix whose eigenvalues are all real.

    The eigenvalues' derivative is ``de_k = (u_k^H dA v_k) / (u_k^H v_k)``, ``u_k`` the left
    eigenvector; their gradient ``V^-H diag(g) V^H``. A real matrix gets the real part of the
    complex gradient (TensorFlow's convention).

    Each eigenvector is defined up to a phase ``e^{i phi}``. A loss that does not depend on
    the phases — ``|v|``, the eigenvalues, a spectral projector ``v_k u_k^H / (u_k^H v_k)``
    — gets TensorFlow's and JAX's gradient, ``V^-H (diag(g_e) + conj(F) o (V^H g_V - V^H V
    Re diag(V^H g_V))) V^H`` with ``F_ij = 1 / (e_j - e_i)``. Any other is differentiated in
    the phase the values have: LAPACK makes the largest component of each eigenvector real
    (positive for complex matrices; tape makes it positive for real ones too, where LAPACK's
    sign can jump under a change of the order of rounding errors).

    At repeated eigenvalues the eigenvectors' derivative is undefined: tape returns NaN
    wherever the eigenvector cotangent (or tangent) couples two exactly equal eigenvalues
    (JAX gives NaN, TensorFlow 0), and 0 where that term vanishes; eigenvalues equal only up
    to rounding give a finite gradient of the order of one over their gap, not accurate.
    The eigenvalues' gradient stays finite where the eigenvectors span: at ``A = 2 I``,
    ``sum(e)`` (the trace) has gradient ``I``. A defective matrix (a Jordan block) has no
    eigenvalue derivative: its eigenvectors are parallel up to rounding, and one
    eigenvalue's gradient is of the order of ``1 / eps`` (``LinAlgError`` if they are
    exactly parallel); ``sum(e)`` keeps ``I``.

    >>> import numpy as np, tape
    >>> e, v = tape.linalg.eig(tape.constant(np.array([[0.0, 1.0], [-1.0, 0.0]])))
    >>> e.numpy()
    array([0.+1.j, 0.-1.j])
    """
    _square(tensor, "eig")
    e, v = bind(_eig, tensor)
    if not _is_complex(tensor):
        v = _positive_largest(v)
    return e, v


def _positive_largest(v: Any) -> Any:
    """Eigenvectors of a real matrix with the sign that makes the component geev keeps real
    positive, as geev makes it for complex matrices. (For a pair of complex eigenvalues
    geev takes the sign from a number that can be at the level of rounding errors, so that
    its eigenvectors can jump to their opposites under any change of the matrix.)"""
    vv = _value(v)
    top = np.take_along_axis(vv, np.expand_dims(_eig_rows(vv), -2), axis=-2).real
    if not np.any(top < 0):
        return v
    return v * np.where(top < 0, -1.0, 1.0).astype(_real_dtype(vv))


def eigvals(tensor: Any, name: str | None = None) -> Any:
    """Eigenvalues of general square matrices, complex (for real matrices too, as in
    TensorFlow), in LAPACK's order. The gradient is ``V^-H diag(g) V^H`` for the
    eigenvectors ``V``; see :func:`eig` for repeated eigenvalues.

    >>> import numpy as np, tape
    >>> tape.linalg.eigvals(tape.constant(np.array([[2.0, 1.0], [0.0, 3.0]]))).numpy()
    array([2.+0.j, 3.+0.j])
    """
    _square(tensor, "eigvals")
    return bind(_eigvals, tensor)


# --------------------------------------------------------------------------- NumPy interop

SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])
QRResult = namedtuple("QRResult", ["Q", "R"])
EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
EigResult = namedtuple("EigResult", ["eigenvalues", "eigenvectors"])
SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])


def _no_out(out: Any, name: str) -> None:
    if out is not None:
        raise NotImplementedError(f"tape's np.{name} does not support out=.")


_EINSUM_DEFAULTS = {"dtype": None, "order": "K", "casting": "safe"}


@numpy_function(np.einsum)
def _np_einsum(*operands, out=None, optimize=False, **kwargs):
    """``np.einsum`` on tensors, in the subscripts form (``'ij,jk->ik', a, b``) or the
    sublist form (``a, [0, 1], b, [1, 2], [0, 2]``, with ``Ellipsis`` for ``...``); both
    record one einsum. ``optimize`` is accepted (the contraction order is tape's own)."""
    _no_out(out, "einsum")
    for key, value in kwargs.items():
        if key not in _EINSUM_DEFAULTS:
            raise TypeError(f"np.einsum got an unexpected keyword argument {key!r}.")
        if value != _EINSUM_DEFAULTS[key]:
            raise NotImplementedError(
                f"tape's np.einsum does not support {key}={value!r}; cast the operands "
                "instead (e.g. tape.cast or .astype)."
            )
    if not operands:
        raise ValueError("np.einsum needs at least one operand.")
    if isinstance(operands[0], str):
        return einsum(operands[0], *operands[1:])
    equation, arrays = _einsum_from_sublists(operands)
    return einsum(equation, *arrays)


# NumPy's letters for sublist integers (0 is 'A', 26 is 'a'): an implicit output lists them
# in this order.
_SUBLIST_LETTERS = string.ascii_uppercase + string.ascii_lowercase


def _sublist_subscripts(sublist: Any, which: str) -> str:
    """A sublist such as ``[0, 1]`` or ``[Ellipsis, 0]`` as subscript letters ``'ab'``."""
    if isinstance(sublist, (str, Tensor, Variable, np.ndarray)) or not hasattr(
        sublist, "__iter__"
    ):
        raise TypeError(
            f"np.einsum: in the sublist form (np.einsum(a, [0, 1], b, [1, 2])) the {which} "
            f"must be a list of integers and Ellipsis, got {type(sublist).__name__}."
        )
    out = []
    for item in sublist:
        if item is Ellipsis:
            out.append("...")
            continue
        try:
            k = operator.index(item)
        except TypeError:
            raise TypeError(
                f"np.einsum: the {which} holds {item!r}; a sublist holds integers in "
                "[0, 52) and Ellipsis."
            ) from None
        if not 0 <= k < 52:
            raise ValueError(
                f"np.einsum: subscript {k} in the {which} is outside the valid range [0, 52)."
            )
        out.append(_SUBLIST_LETTERS[k])
    return "".join(out)


def _einsum_from_sublists(operands: tuple) -> tuple[str, list]:
    """``(a, [0, 1], b, [1, 2], [0, 2])`` -> ``('ab,bc->ac', [a, b])``."""
    if len(operands) < 2:
        raise TypeError(
            "np.einsum takes a subscripts string and operands ('ij,jk', a, b), or operands "
            "each followed by its sublist (a, [0, 1], b, [1, 2])."
        )
    arrays = list(operands[0::2][: len(operands) // 2])
    ins = [
        _sublist_subscripts(operands[2 * i + 1], f"sublist of operand {i}")
        for i in range(len(arrays))
    ]
    equation = ",".join(ins)
    if len(operands) % 2:
        equation += "->" + _sublist_subscripts(operands[-1], "output sublist")
    return equation, arrays


@numpy_function(np.tensordot)
def _np_tensordot(a, b, axes=2):
    return tensordot(a, b, axes)


@numpy_function(np.dot)
def _np_dot(a, b, out=None):
    _no_out(out, "dot")
    return _dot(a, b)


@numpy_function(np.vdot)
def _np_vdot(a, b):
    """NumPy's vdot: the flattened arguments' sum of ``conj(a) * b``."""
    a, b = np.ravel(a), np.ravel(b)
    if _shape(a) != _shape(b):
        raise ValueError(f"vdot: the arguments have {_shape(a)[0]} and {_shape(b)[0]} "
                         "elements; they need as many.")
    return reduce_sum(np.conjugate(a) * b)


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
    if len(_shape(a)) < 2:
        raise ValueError("diag requires an array of at least two dimensions")  # NumPy's
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
    # NumPy reads one triangle (the lower one, the upper one with upper=True): the Hermitian
    # matrix it stands for is built from it, so that the gradient reaches that triangle only
    a = _hermitian_from(a, upper)
    out = cholesky(a)
    return matrix_transpose(out, conjugate=True) if upper else out


def _hermitian_from(a: Any, upper: bool) -> Any:
    """The Hermitian matrix whose lower (``upper``: upper) triangle is ``a``'s."""
    side = np.triu if upper else np.tril
    return side(a) + matrix_transpose(side(a, 1 if upper else -1), conjugate=True)


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


def _numpy_real(a: Any, w: Any) -> bool:
    """NumPy's eig and eigvals return real arrays for a real input whose eigenvalues are
    all real (exactly: every imaginary part is 0)."""
    return not _is_complex(a) and not np.any(np.imag(_value(w)))


@numpy_function(np.linalg.eig)
def _np_eig(a):
    """``np.linalg.eig`` on a tensor: NumPy's values and dtypes (real arrays when the input
    and every eigenvalue are real); its derivative, its phase and where it is undefined:
    :func:`eig`."""
    _np_square(a, "eig")
    w, v = bind(_eig, a)
    if _numpy_real(a, w):
        w, v = np.real(w), np.real(v)
    return EigResult(w, v)


@numpy_function(np.linalg.eigvals)
def _np_eigvals(a):
    """``np.linalg.eigvals`` on a tensor (real when the input and every eigenvalue are
    real); see :func:`eigvals`."""
    _np_square(a, "eigvals")
    w = bind(_eigvals, a)
    return np.real(w) if _numpy_real(a, w) else w


@numpy_function(np.linalg.svd)
def _np_svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    if hermitian:  # as NumPy: from the eigendecomposition (of the lower triangle)
        return _hermitian_svd(a, compute_uv)
    if not compute_uv:
        return svd(a, compute_uv=False)
    s, u, v = svd(a, full_matrices=full_matrices)
    return SVDResult(u, s, matrix_transpose(v, conjugate=True))


def _hermitian_svd(a: Any, compute_uv: bool) -> Any:
    """NumPy's SVD of a Hermitian matrix: the eigenvalues' moduli, in decreasing order, with
    the eigenvectors (and their signs) reordered to match, from recorded ops."""
    if not compute_uv:
        return np.flip(np.sort(np.abs(bind(_eigvalsh, a, uplo="L")), axis=-1), axis=-1)
    w, u = bind(_eigh, a, uplo="L")
    order = np.flip(np.argsort(np.abs(_value(w)), axis=-1), axis=-1)
    w = np.take_along_axis(w, order, axis=-1)
    u = np.take_along_axis(u, order[..., None, :], axis=-1)
    sign = np.sign(_value(w))  # +-1 (a constant: piecewise constant in w)
    vh = matrix_transpose(u * sign[..., None, :], conjugate=True)
    return SVDResult(u, np.abs(w), vh)


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

# ------------------------------------------------------------- norm (tf.norm, tf.linalg.norm)


def norm(
    tensor: Any, ord: Any = "euclidean", axis: Any = None, keepdims: bool | None = None,
    name: str | None = None,
) -> Tensor:
    """The norm of a vector, a matrix, or a batch of them (``tf.norm``).

    With ``axis=None`` the whole tensor is one vector; with an int, a batch of vectors along
    that axis; with a pair of ints, a batch of matrices. Vector ``ord``: ``'euclidean'`` (2),
    1, ``np.inf`` or any p > 0. Matrix ``ord``: ``'euclidean'``/``'fro'`` (Frobenius), 1 (max
    column sum), ``np.inf`` (max row sum), 2 (largest singular value). Where a norm has a kink
    (the origin, a zero element for ord 1 or p < 1) the gradient there is taken as 0, a
    subgradient: TensorFlow and JAX give NaN at the origin for ord 2 and p, and NaN or inf
    at a zero element for p < 1. Ties for the max (ord ``np.inf``, and a repeated largest
    singular value for the matrix 2-norm) share the gradient equally.

    >>> import tape
    >>> float(tape.norm(tape.constant([3.0, 4.0])))
    5.0
    """
    keepdims = bool(keepdims)
    nd = _reductions._ndim(tensor)
    matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    if matrix:
        axes = _reductions._axes(axis, nd)
        if len(axes) != 2:
            raise ValueError(f"norm: axis must hold two different axes for a matrix norm, got "
                             f"{axis!r}.")
        rows, cols = (int(a) % nd for a in axis)
        if ord not in ("euclidean", "fro", 1, 2, np.inf):
            raise ValueError(
                f"norm: ord {ord!r} is not a supported matrix norm; use 'euclidean', 'fro', 1, "
                "2 or np.inf."
            )
        return _matrix_norm(tensor, None if ord in ("euclidean", "fro") else ord,
                            (rows, cols), keepdims)
    if axis is not None and not isinstance(axis, numbers.Integral):
        raise ValueError(
            f"norm: axis must be None, an integer, or a pair of integers, got {axis!r}."
        )
    if not (ord == "euclidean" or (
        isinstance(ord, numbers.Real) and not isinstance(ord, bool) and ord > 0
    )):
        raise ValueError(
            f"norm: ord {ord!r} is not a supported vector norm; use 'euclidean', 1, 2, np.inf "
            "or any p > 0 ('fro' is for matrices: give a pair of axes)."
        )
    return _vector_norm(tensor, None if ord == "euclidean" else ord,
                        _reductions._axes(axis, nd), keepdims)


# --------------------------------------------------------------------------- NumPy norms


def _inexact(x: Any) -> Any:
    """``x`` as a float tensor: NumPy's norms compute integers and booleans in float64."""
    return x if _peek(x).dtype.kind in "fc" else cast(x, np.float64)


def _count_fwd(x, axes, keepdims):
    return scalarize(np.add.reduce((x != 0).astype(x.dtype), axis=axes, keepdims=keepdims))


# The number of nonzero entries is piecewise constant: its derivative is 0 wherever it has one
# (as for sign and floor), and taken as 0 at the jumps.
_count_nonzero = defprim(
    "count_nonzero_norm", _count_fwd,
    lambda g, ans, x, axes, keepdims: _reductions._spread(g, x, axes) * 0,
    jvps=(lambda t, ans, x, axes, keepdims:
          np.real(_reductions._reduced_sum(t, axes, keepdims)) * 0,),
    batch=reduction, complex=True,
)


def _empty_min(op: str) -> ValueError:
    return ValueError(f"zero-size array to reduction operation {op} which has no identity")


def _max_of(x: Any, axis: Any, keepdims: bool = False) -> Any:
    """``max(x, axis, initial=0)`` of nonnegative ``x``: NumPy's norms give 0 over an empty
    axis (and the sum of nothing is the same 0)."""
    if any(_shape(x)[a] == 0 for a in np.atleast_1d(axis).tolist()):
        return reduce_sum(x, axis, keepdims)
    return _reductions.reduce_max(x, axis, keepdims)


def _min_of(x: Any, axis: Any, keepdims: bool = False) -> Any:
    if any(_shape(x)[a] == 0 for a in np.atleast_1d(axis).tolist()):
        raise _empty_min("minimum")
    return _reductions.reduce_min(x, axis, keepdims)


def _vector_norm(x: Any, ord: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    """A vector norm of float ``x`` over ``axes`` (reduced as one flattened vector)."""
    if ord is None or (not isinstance(ord, str) and ord == 2):
        return bind(_reductions._l2, x, axes=axes, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    if ord == np.inf:
        return _max_of(np.abs(x), axes, keepdims)
    if ord == -np.inf:
        return _min_of(np.abs(x), axes, keepdims)
    if ord == 0:
        return bind(_count_nonzero, x, axes=axes, keepdims=keepdims)
    if ord == 1:
        return reduce_sum(np.abs(x), axes, keepdims)
    return bind(_reductions._pnorm, x, axes=axes, keepdims=keepdims, p=float(ord))


def _singular_values(x: Any, rows: int, cols: int) -> Any:
    """The singular values of the matrices on axes ``(rows, cols)`` of ``x``, with those that
    are exactly 0 cut off from the gradient: there the norms built on them have a kink, and
    tape takes the subgradient of least norm (``U_r V_r^T`` for the nuclear norm, 0 at the
    zero matrix), as it takes 0 for ``|x|`` at 0."""
    nd = len(_shape(x))
    perm = [i for i in range(nd) if i not in (rows, cols)] + [rows, cols]
    if perm != list(range(nd)):
        x = transpose(x, perm)
    s = svd(x, compute_uv=False)
    sv = _value(s)
    if sv.size and not np.all(sv > 0):
        s = s * (sv > 0).astype(sv.dtype)
    return s


def _matrix_norm(x: Any, ord: Any, axis: tuple[int, int], keepdims: bool) -> Any:
    """A matrix norm of float ``x`` over the two axes ``axis`` (rows, columns)."""
    nd = len(_shape(x))
    rows, cols = (normalize_axis_index(int(a), nd) for a in axis)
    if rows == cols:
        raise ValueError("Duplicate axes given.")
    if isinstance(ord, str):
        if ord in ("fro", "f"):
            ord = None
        elif ord != "nuc":
            raise ValueError("Invalid norm order for matrices.")
    if ord is None:
        out = bind(_reductions._l2, x, axes=tuple(sorted((rows, cols))), keepdims=False)
    elif ord == "nuc":
        out = reduce_sum(_singular_values(x, rows, cols), -1)
    elif ord in (2, -2):
        s = _singular_values(x, rows, cols)
        out = _max_of(s, -1) if ord == 2 else _min_of(s, -1)
    elif ord in (1, -1, np.inf, -np.inf):
        # 1: the largest column sum of |x|; inf: the largest row sum; -1, -inf: the smallest.
        summed, other = (rows, cols) if abs(ord) == 1 else (cols, rows)
        sums = reduce_sum(np.abs(x), summed)
        if other > summed:
            other -= 1
        out = _max_of(sums, other) if ord > 0 else _min_of(sums, other)
    else:
        raise ValueError("Invalid norm order for matrices.")
    if keepdims:
        shape = list(_shape(x))
        shape[rows] = shape[cols] = 1
        out = reshape(out, tuple(shape))
    return out


@numpy_function(np.linalg.norm)
def _np_norm(x, ord=None, axis=None, keepdims=False):
    """``np.linalg.norm`` on a tensor: NumPy's orders, axes, values, shapes and dtypes.

    Vectors: None or 2, 1, inf, -inf, 0 (the number of nonzero entries), any other p
    (negative too: ``sum(|x|^p)^(1/p)``). Matrices: None or 'fro', 'nuc', 1, -1, 2, -2, inf,
    -inf. Integers are computed in float64.

    Where a norm has a kink tape takes a subgradient, the one of least norm where there is
    a choice, as ``tf.norm``: 0 at the origin (every order, vector or matrix), 0 for a
    zero entry (``|x|``'s derivative at 0), 0 for the count (ord 0, piecewise constant, as
    ``sign``); a tie for a max or a min (ord inf, -inf, 1, -1 and, for matrices, 2 and -2 at
    repeated extreme singular values) shares the gradient equally, and a singular value that
    is exactly 0 passes no gradient (the nuclear norm's gradient is then ``U_r V_r^T``).
    The nuclear norm's gradient ``U V^T`` is defined at repeated singular values; the
    second derivatives of the 2, -2 and nuclear norms go through the singular vectors and
    are NaN at repeated singular values.
    """
    x = _inexact(x)
    nd = len(_shape(x))
    if isinstance(ord, (Tensor, Variable)):  # a number, as NumPy takes it (not differentiated)
        ord = value_of(ord).item()
    if axis is None:
        if ord is None or (ord in ("f", "fro") and nd == 2) or (
            nd == 1 and not isinstance(ord, str) and ord == 2
        ):
            return bind(_reductions._l2, x, axes=tuple(range(nd)), keepdims=bool(keepdims))
        axis = tuple(range(nd))
    elif not isinstance(axis, tuple):
        try:
            axis = (int(axis),)
        except Exception as e:
            raise TypeError("'axis' must be None, an integer or a tuple of integers") from e
    if len(axis) == 1:
        if isinstance(ord, str):
            raise ValueError(f"Invalid norm order '{ord}' for vectors")
        ax = normalize_axis_index(int(axis[0]), nd)
        return _vector_norm(x, ord, (ax,), bool(keepdims))
    if len(axis) == 2:
        return _matrix_norm(x, ord, axis, bool(keepdims))
    raise ValueError("Improper number of dimensions to norm.")


def _np_vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    x = _inexact(x)
    nd = len(_shape(x))
    if axis is None:
        axes = tuple(range(nd))
    elif isinstance(axis, tuple):
        axes = tuple(sorted(normalize_axis_tuple(axis, nd)))
    else:
        axes = (normalize_axis_index(axis, nd),)
    return _vector_norm(x, ord, axes, bool(keepdims))


def _np_matrix_norm(x, /, *, keepdims=False, ord="fro"):
    x = _inexact(x)
    return _matrix_norm(x, ord, (-2, -1), bool(keepdims))


if hasattr(np.linalg, "vector_norm"):
    numpy_function(np.linalg.vector_norm)(_np_vector_norm)
    numpy_function(np.linalg.matrix_norm)(_np_matrix_norm)


@numpy_function(np.linalg.cond)
def _np_cond(x, p=None):
    """NumPy's condition number: ``s_max / s_min`` from the singular values (``p`` None, 2;
    -2 gives the inverse), else ``norm(x, p) * norm(inv(x), p)`` for square matrices."""
    shape = _shape(x)
    _rank2(x, "np.linalg.cond")
    if shape[-1] * shape[-2] == 0:
        raise np.linalg.LinAlgError("cond is not defined on empty arrays")
    x = _inexact(x)
    if p is None or (not isinstance(p, str) and p in (2, -2)):
        s = svd(x, compute_uv=False)
        big, small = getitem(s, (Ellipsis, 0)), getitem(s, (Ellipsis, -1))
        with np.errstate(all="ignore"):
            r = small / big if p == -2 else big / small
    else:
        _np_square(x, "np.linalg.cond")
        try:
            xinv = inv(x)
        except np.linalg.LinAlgError:
            raise np.linalg.LinAlgError(
                f"np.linalg.cond(x, p={p!r}) of a tensor: a matrix is singular, so its "
                "condition number is infinite and has no derivative. NumPy gives inf: call it "
                "on x.numpy() for the value, or use p=None (singular values)."
            ) from None
        r = _matrix_norm(x, p, (-2, -1), False) * _matrix_norm(xinv, p, (-2, -1), False)
    rv = _value(r)
    nan = np.isnan(rv) & ~np.isnan(_value(x)).any(axis=(-2, -1))
    if np.any(nan):  # 0 / 0 at a zero matrix: an infinite condition number, as NumPy
        r = np.where(nan, np.inf, r)
    return r


def _matrix_rank_fwd(a, tol, hermitian, rtol):
    return scalarize(np.asarray(np.linalg.matrix_rank(a, tol, hermitian, rtol=rtol)))


def _matrix_rank_batch(prim, args, batched, ndims, rank, static, size):
    """Ranks of a stack of matrices; of a vector (or a number), NumPy's 1 unless it is 0."""
    a = np.asarray(args[0])
    if ndims[0] < 2:
        return (a != 0).reshape(size, -1).any(axis=1).astype(np.int64)
    return prim.fwd(a, **static)


_matrix_rank = defprim("matrix_rank", _matrix_rank_fwd, differentiable=False,
                       batch=_matrix_rank_batch)


@numpy_function(np.linalg.matrix_rank)
def _np_matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    """The rank, an integer: not differentiable (its gradient is None, as argmax's)."""
    return bind(
        _matrix_rank, A,
        tol=None if tol is None else _value(tol),
        hermitian=bool(hermitian),
        rtol=None if rtol is None else _value(rtol),
    )


# --------------------------------------------------------------------------- pinv


def _pinv_fwd(a, rcond):
    return np.linalg.pinv(a, rcond=rcond)


def _pinv_check(a: Any, rcond: Any) -> None:
    """Refuse the derivative where the cutoff drops singular values that are not zero: the
    formula below is the derivative at matrices of locally constant rank only."""
    av = _value(a)
    if av.size == 0:
        return
    s = np.linalg.svd(av, compute_uv=False)
    top = s[..., :1]
    dropped = s <= np.asarray(rcond)[..., None] * top
    zero = s <= max(av.shape[-2:]) * np.finfo(s.dtype).eps * top
    if np.any(dropped & ~zero):
        raise NotImplementedError(
            "The derivative of pinv is not implemented where rcond (rtol) cuts off singular "
            "values that are not zero (the pseudo-inverse of the truncated matrix): the "
            f"largest one cut off is {float(np.max(np.where(dropped & ~zero, s, 0))):.3g} "
            f"against a largest singular value of {float(np.max(top)):.3g}. Use a smaller "
            "rcond, or regularize (e.g. solve with A^T A + lambda I)."
        )


def _pinv_vjp(g, ans, a, rcond):
    # X = pinv(A): dX = -X dA X + X X^H dA^H (I - A X) + (I - X A) dA^H X^H X
    _pinv_check(a, rcond)
    xt, gt = _mH(ans), _mH(g)
    first = -np.matmul(xt, np.matmul(g, xt))
    left = gt - np.matmul(a, np.matmul(ans, gt))  # (I - A X) G^T
    right = gt - np.matmul(np.matmul(gt, ans), a)  # G^T (I - X A)
    return first + np.matmul(left, np.matmul(ans, xt)) + np.matmul(np.matmul(xt, ans), right)


def _pinv_jvp(t, ans, a, rcond):
    _pinv_check(a, rcond)
    tt = _mH(t)
    first = -np.matmul(ans, np.matmul(t, ans))
    left = tt - np.matmul(np.matmul(tt, a), ans)  # T^T (I - A X)
    right = tt - np.matmul(ans, np.matmul(a, tt))  # (I - X A) T^T
    xxt, xtx = np.matmul(ans, _mH(ans)), np.matmul(_mH(ans), ans)
    return first + np.matmul(xxt, left) + np.matmul(right, xtx)



_pinv = defprim("pinv", _pinv_fwd, _pinv_vjp, jvps=(_pinv_jvp,), batch=same_call,
                complex=True)


def _pinv_call(a: Any, rcond: Any, hermitian: bool) -> Any:
    _rank2(a, "pinv")
    a = _inexact(a)
    shape = _shape(a)
    if hermitian and shape[-1] * shape[-2]:  # NumPy reads the lower triangle (through eigh)
        _np_square(a, "pinv with hermitian=True")
        a = _sym_from_triangle(a, "L")
    return bind(_pinv, a, rcond=np.asarray(_value(rcond)))


def pinv(a: Any, rcond: Any = None, validate_args: bool = False, name: str | None = None) -> Any:
    """The Moore-Penrose pseudo-inverse of each matrix in ``a`` (``(..., M, N)`` ->
    ``(..., N, M)``), from its singular values: those at or below ``rcond`` times the
    largest are taken as zero. ``rcond`` defaults to ``10 * max(M, N) * eps``, as in
    TensorFlow (``np.linalg.pinv`` on a tensor keeps NumPy's defaults, ``rtol`` and
    ``hermitian``).

    The derivative is Golub and Pereyra's, ``dX = -X dA X + X X^H dA^H (I - A X)
    + (I - X A) dA^H X^H X`` for ``X = pinv(A)`` (``^H`` the conjugate transpose, ``^T``
    for real matrices): exact wherever the rank is locally
    constant, so everywhere near a matrix of full rank (``min(M, N)`` singular values above
    the cutoff). The pseudo-inverse is not continuous where the rank changes. At a
    rank-deficient matrix (singular values that are numerically zero, and cut off) tape
    gives the derivative along matrices of that rank, as JAX does; it is also the first
    derivative of the truncated pseudo-inverse when a larger ``rcond`` keeps the rank fixed,
    but second derivatives in directions that leave that rank are not. Where ``rcond`` cuts
    off singular values that are not numerically zero the derivative raises
    ``NotImplementedError``.

    >>> import tape
    >>> tape.linalg.pinv(tape.constant([[2.0, 0.0], [0.0, 4.0], [0.0, 0.0]])).numpy()
    array([[0.5 , 0.  , 0.  ],
           [0.  , 0.25, 0.  ]], dtype=float32)
    """
    if rcond is None:
        m, n = _rank2(a, "pinv")[-2:]
        rcond = 10.0 * max(m, n) * np.finfo(_float_dtype(a)).eps
    return _pinv_call(a, rcond, False)


_UNSET: Any = object()


@numpy_function(np.linalg.pinv)
def _np_pinv(a, rcond=None, hermitian=False, *, rtol=_UNSET):
    """``np.linalg.pinv`` on a tensor, with NumPy's ``rcond``/``rtol`` defaults; with
    ``hermitian=True`` only the lower triangle is read (as NumPy), so the gradient is lower
    triangular. Its derivative, and where it is undefined: :func:`pinv`."""
    if rcond is None:
        if rtol is _UNSET:
            rcond = 1e-15
        elif rtol is None:
            rcond = max(_rank2(a, "pinv")[-2:]) * np.finfo(_float_dtype(a)).eps
        else:
            rcond = rtol
    elif rtol is not _UNSET:
        raise ValueError("`rtol` and `rcond` can't be both set.")
    return _pinv_call(a, rcond, bool(hermitian))


# --------------------------------------------------------------------------- matrix_power


@numpy_function(np.linalg.matrix_power)
def _np_matrix_power(a, n):
    """``a`` to the integer power ``n`` by repeated squaring, as NumPy (recorded matmuls);
    ``n < 0`` inverts first; ``n == 0`` gives identity matrices, a constant."""
    shape = _np_square(a, "matrix_power")
    try:
        n = operator.index(n)
    except TypeError as e:
        raise TypeError("exponent must be an integer") from e
    if n == 0:
        eye = np.empty(shape, dtype=_peek(a).dtype)
        eye[...] = np.eye(shape[-1], dtype=eye.dtype)
        return wrap(eye)
    if n < 0:
        a, n = inv(a), -n
    if n == 1:
        return a
    if n == 2:
        return matmul(a, a)
    if n == 3:
        return matmul(matmul(a, a), a)
    z = result = None
    while n > 0:
        z = a if z is None else matmul(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else matmul(result, z)
    return result


# --------------------------------------------------------------------------- multi_dot


def _chain_order(dims: list[int]) -> dict[tuple[int, int], int]:
    """Where to split each sub-chain ``i..j`` of the matrices ``dims[k] x dims[k + 1]`` for
    the fewest scalar multiplications (dynamic programming over chain lengths; a tie keeps
    the first split, as NumPy)."""
    n = len(dims) - 1
    cost = {(i, i): 0 for i in range(n)}
    split: dict[tuple[int, int], int] = {}
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            for k in range(i, j):
                c = cost[i, k] + cost[k + 1, j] + dims[i] * dims[k + 1] * dims[j + 1]
                if (i, j) not in cost or c < cost[i, j]:
                    cost[i, j], split[i, j] = c, k
    return split


def _chain_product(arrays: list, split: dict, i: int, j: int) -> Any:
    if i == j:
        return arrays[i]
    k = split[i, j]
    return matmul(_chain_product(arrays, split, i, k), _chain_product(arrays, split, k + 1, j))


@numpy_function(np.linalg.multi_dot)
def _np_multi_dot(arrays, *, out=None):
    """NumPy's ``multi_dot``: the product of a chain of matrices in the cheapest order (the
    first and the last may be vectors), as recorded matmuls."""
    _no_out(out, "linalg.multi_dot")
    arrays = [x if _is_tensor(x) else np.asarray(x) for x in arrays]
    n = len(arrays)
    if n < 2:
        raise ValueError("Expecting at least two arrays.")
    if n == 2:
        return _dot(arrays[0], arrays[1])
    first, last = len(_shape(arrays[0])), len(_shape(arrays[-1]))
    if first == 1:
        arrays[0] = reshape(arrays[0], (1, -1))
    if last == 1:
        arrays[-1] = reshape(arrays[-1], (-1, 1))
    for x in arrays:
        if len(_shape(x)) != 2:
            raise np.linalg.LinAlgError(
                f"{len(_shape(x))}-dimensional array given. Array must be two-dimensional"
            )
    shapes = [tuple(_shape(x)) for x in arrays]
    if n == 3:  # NumPy's two costs: (AB)C and A(BC)
        (a0, a1), (_, c0), (_, c1) = shapes
        k = 1 if a0 * c0 * (a1 + c1) < a1 * c1 * (a0 + c0) else 0
        split = {(0, 2): k, (0, 1): 0, (1, 2): 1}
    else:
        split = _chain_order([s[0] for s in shapes] + [shapes[-1][1]])
    result = _chain_product(arrays, split, 0, n - 1)
    if first == 1 and last == 1:
        return getitem(result, (0, 0))
    if first == 1 or last == 1:
        return reshape(result, (-1,))
    return result


# --------------------------------------------------------------------------- kron, cross


@numpy_function(np.kron)
def _np_kron(a, b):
    """Kronecker product, ``out[i * b.shape + j] = a[i] * b[j]``: a broadcast product of
    ``a`` and ``b`` with interleaved axes (the shorter shape padded with leading 1s)."""
    a = a if _is_tensor(a) else np.asarray(a)
    b = b if _is_tensor(b) else np.asarray(b)
    sa, sb = tuple(_shape(a)), tuple(_shape(b))
    if not sa or not sb:
        return np.multiply(a, b)
    nd = max(len(sa), len(sb))
    sa, sb = (1,) * (nd - len(sa)) + sa, (1,) * (nd - len(sb)) + sb
    a = reshape(a, tuple(d for n in sa for d in (n, 1)))
    b = reshape(b, tuple(d for n in sb for d in (1, n)))
    return reshape(np.multiply(a, b), tuple(x * y for x, y in zip(sa, sb)))


def _times(x: Any, y: Any) -> Any:
    return None if x is None or y is None else x * y


def _minus(x: Any, y: Any) -> Any:
    if y is None:
        return x
    return -y if x is None else x - y


@numpy_function(np.cross)
def _np_cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross products of 3-vectors (a 2-vector has a zero third component; two 2-vectors
    give the scalar ``a0 b1 - a1 b0``, deprecated in NumPy 2), of recorded products."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a = a if _is_tensor(a) else np.asarray(a)
    b = b if _is_tensor(b) else np.asarray(b)
    na, nb = len(_shape(a)), len(_shape(b))
    if na < 1 or nb < 1:
        raise ValueError("At least one array has zero dimension")
    axisa = normalize_axis_index(axisa, na, msg_prefix="axisa")
    axisb = normalize_axis_index(axisb, nb, msg_prefix="axisb")
    if axisa != na - 1:
        a = np.moveaxis(a, axisa, -1)
    if axisb != nb - 1:
        b = np.moveaxis(b, axisb, -1)
    ka, kb = _shape(a)[-1], _shape(b)[-1]
    if ka not in (2, 3) or kb not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n(dimension must be 2 or 3)")
    if ka == 2 or kb == 2:
        warnings.warn(
            "Arrays of 2-dimensional vectors are deprecated. Use arrays of 3-dimensional "
            "vectors instead. (deprecated in NumPy 2.0)",
            DeprecationWarning, stacklevel=3,
        )
    a0, a1 = getitem(a, (Ellipsis, 0)), getitem(a, (Ellipsis, 1))
    b0, b1 = getitem(b, (Ellipsis, 0)), getitem(b, (Ellipsis, 1))
    a2 = getitem(a, (Ellipsis, 2)) if ka == 3 else None
    b2 = getitem(b, (Ellipsis, 2)) if kb == 3 else None
    c2 = a0 * b1 - a1 * b0
    if ka == 2 and kb == 2:
        return c2
    c0 = _minus(_times(a1, b2), _times(a2, b1))
    c1 = _minus(_times(a2, b0), _times(a0, b2))
    out = stack([c0, c1, c2], axis=-1)
    nd = len(_shape(out))
    axisc = normalize_axis_index(axisc, nd, msg_prefix="axisc")
    return out if axisc == nd - 1 else np.moveaxis(out, -1, axisc)


__all__ = [
    "adjoint",
    "cholesky",
    "cholesky_solve",
    "det",
    "diag",
    "diag_part",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "einsum",
    "inv",
    "logdet",
    "matmul",
    "matrix_transpose",
    "matvec",
    "norm",
    "outer",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "tensordot",
    "trace",
    "triangular_solve",
]
