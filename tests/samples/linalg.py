"""Samples for the linalg ops.

Matrices are kept well conditioned so that central differences are accurate: general square
matrices are ``random + n I`` (diagonally dominant), symmetric positive definite ones
``X X^T + n I``, and the matrices given to eigh/svd have well-separated eigen/singular values.
"""

from __future__ import annotations

import numpy as np

import tape

from . import Sample, Special, noncontiguous, rng

R = rng(7)


def _normal(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


def _general(*shape: int) -> np.ndarray:
    """Random square matrices shifted to be well conditioned (batched over leading axes)."""
    n = shape[-1]
    return _normal(*shape) * 0.5 + n * np.eye(n)


def _spd(*shape: int) -> np.ndarray:
    n = shape[-1]
    x = _normal(*shape)
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


def _spectrum(values: list[float], batch: tuple[int, ...] = ()) -> np.ndarray:
    """Symmetric matrices with the given (well-separated) eigenvalues, random eigenvectors."""
    n = len(values)
    q, _ = np.linalg.qr(_normal(*batch, n, n))
    return (q * np.asarray(values)) @ np.swapaxes(q, -1, -2)


def _singular(values: list[float], m: int, n: int, batch: tuple[int, ...] = ()) -> np.ndarray:
    """m x n matrices with the given (distinct, nonzero) singular values."""
    k = len(values)
    u, _ = np.linalg.qr(_normal(*batch, m, k))
    v, _ = np.linalg.qr(_normal(*batch, n, k))
    return (u * np.asarray(values)) @ np.swapaxes(v, -1, -2)


SAMPLES: dict[str, list[Sample]] = {
    "matmul": [
        Sample((_normal(3, 4), _normal(4, 2))),
        Sample((_normal(2, 1, 3, 4), _normal(5, 4, 2))),  # broadcast batch axes
        Sample((_normal(4), _normal(4))),  # vector . vector -> 0-d
        Sample((_normal(3, 4), _normal(4))),  # matrix @ vector
        Sample((_normal(4), _normal(4, 2))),  # vector @ matrix
        Sample((_normal(2, 3, 4), _normal(4))),  # batched matrix @ vector
        Sample((_normal(3), _normal(2, 3, 4))),  # vector @ batched matrix
        Sample((_normal(4, 3), _normal(2, 4)), {"transpose_a": True, "transpose_b": True}),
        Sample((_normal(3, 4), _normal(2, 4)), {"adjoint_b": True}),
        Sample((_normal(0, 3), _normal(3, 2))),
        Sample((_normal(3, 0), _normal(0, 2))),  # empty contraction: zeros
        Sample((noncontiguous(_normal(3, 4)), noncontiguous(_normal(4, 2)))),
    ],
    "einsum": [
        Sample(("ij,jk->ik", _normal(3, 4), _normal(4, 2))),
        Sample(("ij,jk", _normal(3, 4), _normal(4, 2))),  # implicit output
        Sample(("bij,bjk->bik", _normal(2, 3, 4), _normal(2, 4, 2))),
        Sample(("...ij,...jk->...ik", _normal(2, 1, 3, 4), _normal(5, 4, 2))),
        Sample(("...ij->...ji", _normal(2, 3, 4))),
        Sample(("ii->i", _normal(3, 3))),  # diagonal
        Sample(("ii", _normal(3, 3))),  # trace
        Sample(("iji->j", _normal(3, 2, 3))),  # repeated, non-adjacent subscript
        Sample(("ij->", _normal(3, 4))),
        Sample(("ij->j", _normal(3, 4))),
        Sample(("i,j->ij", _normal(3), _normal(4))),
        Sample(("ij,k->ik", _normal(3, 4), _normal(2))),  # j summed inside one operand
        Sample(("ij,ij->ij", _normal(1, 3), _normal(4, 3))),  # size-1 broadcast
        Sample(("ij,jk,kl->il", _normal(2, 3), _normal(3, 4), _normal(4, 2))),
        Sample(("i,i->", _normal(5), _normal(5))),
        Sample((",i->i", np.array(2.0), _normal(3))),  # a 0-d operand
        Sample(("ij,jk->ik", _normal(0, 3), _normal(3, 2))),
        Sample(("ij,jk->ik", noncontiguous(_normal(3, 4)), _normal(4, 2))),
    ],
    "tensordot": [
        Sample((_normal(3, 4), _normal(4, 2), 1)),
        Sample((_normal(2, 3, 4), _normal(3, 4, 2), 2)),
        Sample((_normal(3, 4), _normal(3, 2), [[0], [0]])),
        Sample((_normal(2, 3, 4), _normal(4, 3), [[1, 2], [1, 0]])),
        Sample((_normal(3), _normal(2), 0)),  # outer product
        Sample((_normal(0, 4), _normal(4, 2), 1)),
        Sample((noncontiguous(_normal(3, 4)), _normal(4, 2), 1)),
    ],
    "linalg.matvec": [
        Sample((_normal(3, 4), _normal(4))),
        Sample((_normal(2, 3, 4), _normal(2, 4))),
        Sample((_normal(2, 3, 4), _normal(4))),
        Sample((_normal(4, 3), _normal(4)), {"transpose_a": True}),
        Sample((_normal(0, 4), _normal(4))),
        Sample((noncontiguous(_normal(3, 4)), noncontiguous(_normal(4)))),
    ],
    "linalg.outer": [
        Sample((_normal(3), _normal(4))),
        Sample((_normal(2, 2), _normal(3))),  # flattened, as NumPy's outer
        Sample((_normal(0), _normal(3))),
        Sample((noncontiguous(_normal(3)), _normal(2))),
    ],
    "linalg.matrix_transpose": [
        Sample((_normal(3, 4),)),
        Sample((_normal(2, 3, 4),)),
        Sample((_normal(0, 3, 2),)),
        Sample((noncontiguous(_normal(3, 4)),)),
    ],
    "linalg.adjoint": [
        Sample((_normal(3, 4),)),
        Sample((_normal(2, 3, 4),)),
    ],
    "linalg.trace": [
        Sample((_normal(3, 3),)),
        Sample((_normal(2, 3, 4),)),  # non-square: the main diagonal
        Sample((_normal(0, 3, 3),)),
        Sample((noncontiguous(_normal(3, 3)),)),
    ],
    "linalg.diag": [
        Sample((_normal(3),)),
        Sample((_normal(2, 3),)),
        Sample((_normal(3),), {"k": 1}),
        Sample((_normal(2, 3),), {"k": -2}),
        Sample((_normal(3),), {"num_rows": 3, "num_cols": 5}),
        Sample((_normal(3),), {"padding_value": 9.0}),
        Sample((_normal(0, 3),)),
        Sample((noncontiguous(_normal(3)),)),
    ],
    "linalg.diag_part": [
        Sample((_normal(3, 3),)),
        Sample((_normal(2, 3, 4),)),
        Sample((_normal(3, 4),), {"k": 1}),
        Sample((_normal(4, 3),), {"k": -2}),
        Sample((_normal(0, 3, 3),)),
        Sample((noncontiguous(_normal(3, 3)),)),
    ],
    "linalg.inv": [
        Sample((_general(3, 3),)),
        Sample((_general(2, 3, 3),)),
        Sample((_general(3, 3),), {"adjoint": True}),
        Sample((_general(1, 1),)),
        Sample((_general(0, 3, 3),)),
        Sample((noncontiguous(_general(3, 3)),)),
    ],
    "linalg.det": [
        Sample((_general(3, 3),)),
        Sample((_general(2, 3, 3),)),
        Sample((_normal(3, 3) + 2 * np.eye(3),)),
        Sample((-_general(3, 3),)),  # negative determinant
        Sample((_general(0, 2, 2),)),
        Sample((noncontiguous(_general(3, 3)),)),
    ],
    "linalg.slogdet": [
        Sample((_general(3, 3),)),
        Sample((-_general(2, 3, 3),)),
        Sample((_general(0, 2, 2),)),
        Sample((noncontiguous(_general(3, 3)),)),
    ],
    "linalg.logdet": [
        Sample((_spd(3, 3),)),
        Sample((_spd(2, 3, 3),)),
        Sample((_spd(0, 3, 3),)),
    ],
    "linalg.solve": [
        Sample((_general(3, 3), _normal(3, 2))),
        Sample((_general(2, 3, 3), _normal(2, 3, 1))),
        Sample((_general(2, 3, 3), _normal(3, 2))),  # rhs broadcast over the batch
        Sample((_general(3, 3), _normal(3, 2)), {"adjoint": True}),
        Sample((_general(3, 3), _normal(3, 0))),
        Sample((noncontiguous(_general(3, 3)), noncontiguous(_normal(3, 2)))),
    ],
    "linalg.triangular_solve": [
        Sample((_general(3, 3), _normal(3, 2))),  # only the lower triangle is read
        Sample((_general(3, 3), _normal(3, 2)), {"lower": False}),
        Sample((_general(2, 3, 3), _normal(2, 3, 2)), {"adjoint": True}),
        Sample((_general(3, 3), _normal(3, 2)), {"lower": False, "adjoint": True}),
        Sample((noncontiguous(_general(3, 3)), _normal(3, 1))),
    ],
    "linalg.cholesky": [
        Sample((_spd(3, 3),)),
        Sample((_spd(2, 4, 4),)),
        Sample((_spd(3, 3) + np.triu(_normal(3, 3), 1) * 0.1,)),  # not symmetric: symmetrized
        Sample((_spd(1, 1),)),
        Sample((_spd(0, 3, 3),)),
        Sample((noncontiguous(_spd(3, 3)),)),
    ],
    "linalg.cholesky_solve": [
        Sample((np.linalg.cholesky(_spd(3, 3)), _normal(3, 2))),
        Sample((np.linalg.cholesky(_spd(2, 3, 3)), _normal(2, 3, 1))),
    ],
    "linalg.qr": [
        Sample((_general(3, 3),)),
        Sample((_normal(4, 3),)),  # tall
        Sample((_normal(2, 4),)),  # wide
        Sample((_normal(2, 5, 3),)),
        Sample((_normal(3, 3),), {"full_matrices": True}),
        Sample((_normal(2, 4),), {"full_matrices": True}),
        Sample((_normal(0, 3, 2),)),
        Sample((noncontiguous(_normal(4, 3)),)),
    ],
    "linalg.eigh": [
        Sample((_spectrum([1.0, 2.0, 4.0]),)),
        Sample((_spectrum([-1.0, 0.5, 2.0, 3.5], batch=(2,)),)),
        Sample((_spectrum([1.0, 3.0]) + np.triu(_normal(2, 2), 1),)),  # lower triangle read
        Sample((_spectrum([2.0]),)),
        Sample((_spectrum([1.0, 2.0, 3.0], batch=(0,)),)),
        Sample((noncontiguous(_spectrum([1.0, 2.0, 4.0])),)),
    ],
    "linalg.eigvalsh": [
        Sample((_spectrum([1.0, 2.0, 4.0]),)),
        Sample((_spectrum([-1.0, 0.5, 2.0], batch=(2,)),)),
        Sample((_spectrum([1.0, 3.0]) + np.triu(_normal(2, 2), 1),)),
        Sample((_spectrum([1.0, 2.0], batch=(0,)),)),
    ],
    "linalg.svd": [
        Sample((_singular([3.0, 2.0, 1.0], 3, 3),)),
        Sample((_singular([3.0, 2.0, 1.0], 4, 3),)),  # tall
        Sample((_singular([3.0, 1.5], 2, 4),)),  # wide
        Sample((_singular([3.0, 2.0, 1.0], 3, 5, batch=(2,)),)),
        Sample((_singular([3.0, 2.0, 1.0], 3, 3),), {"full_matrices": True}),
        Sample((_singular([3.0, 2.0, 1.0], 4, 3),), {"compute_uv": False}),
        Sample((_singular([3.0, 2.0], 2, 2, batch=(0,)),)),
        Sample((noncontiguous(_singular([3.0, 2.0, 1.0], 3, 4)),)),
    ],
}

if hasattr(tape.linalg, "norm"):  # tf.linalg.norm is tf.norm (the reductions group's op)
    SAMPLES["linalg.norm"] = [
        Sample((_normal(2, 3, 4),), {"ord": "fro", "axis": (-2, -1)}),
        Sample((_singular([3.0, 2.0, 1.0], 3, 4, batch=(2,)),), {"ord": 2, "axis": (-2, -1)}),
    ]

SPECIAL: dict[str, list[Special]] = {
    "linalg.eigvalsh": [
        Special((np.eye(3),), np.eye(3), note="repeated eigenvalues: sum(e) = trace(A)"),
    ],
    "linalg.svd": [
        Special(
            (2 * np.eye(3),), np.eye(3), {"compute_uv": False},
            note="repeated singular values: sum(s) = trace(A) for A = 2I",
        ),
    ],
}
