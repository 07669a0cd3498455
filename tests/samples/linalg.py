"""Samples for the linalg ops.

Matrices are kept well conditioned so that central differences are accurate: general square
matrices are ``random + n I`` (diagonally dominant), symmetric positive definite ones
``X X^T + n I``, and the matrices given to eig/eigh/svd have well-separated eigen/singular
values. Ops whose complex inputs need a structure say how to make them (``complexify``, for
the complex sweep): Hermitian matrices with the same eigenvalues for eigh, complex matrices
with the same singular values for svd, with well-separated complex eigenvalues for eig.
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


def _eigen(values: list[complex], batch: tuple[int, ...] = ()) -> np.ndarray:
    """Real matrices with the given eigenvalues (real ones, and complex ones in conjugate
    pairs, each pair given once as ``a + bj``): ``X B X^-1`` with ``B`` block diagonal and
    ``X`` well conditioned."""
    blocks = []
    for w in values:
        w = complex(w)
        # a pair: a block that is not normal, whose eigenvectors' phases are generic
        blocks.append([[w.real]] if w.imag == 0 else [[w.real, 2 * w.imag],
                                                     [-w.imag / 2, w.real]])
    n = sum(len(b) for b in blocks)
    b, i = np.zeros((n, n)), 0
    for block in blocks:
        k = len(block)
        b[i:i + k, i:i + k] = block
        i += k
    x = _normal(*batch, n, n) * 0.3 + np.eye(n)
    return x @ b @ np.linalg.inv(x)


def _unitary(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Random complex matrices with orthonormal columns (``shape[-2] >= shape[-1]``)."""
    q, _ = np.linalg.qr(rng.standard_normal(shape) + 1j * rng.standard_normal(shape))
    return q


def _hermitian_like(uplo: str = "L"):
    """The ``complexify`` of eigh samples: each matrix becomes the Hermitian one with the
    eigenvalues of the symmetric matrix the op reads (its ``uplo`` triangle), turned by a
    random complex unitary; the triangle it does not read gets complex noise."""

    def complexify(arrays: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
        out = []
        for a in arrays:
            n = a.shape[-1]
            low = np.tril(a) if uplo == "L" else np.swapaxes(np.triu(a), -1, -2)
            e = np.linalg.eigvalsh(low, UPLO="L")
            w = _unitary(rng, *a.shape)
            h = (w * e[..., None, :]) @ np.conj(np.swapaxes(w, -1, -2))
            noise = a + 0.5j * rng.standard_normal(a.shape)
            read = np.tri(n, dtype=bool) if uplo == "L" else np.tri(n, dtype=bool).T
            out.append(np.where(read, h, noise))
        return out

    return complexify


def _complex_singular(arrays: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """The ``complexify`` of svd samples: complex matrices with the same singular values."""
    out = []
    for a in arrays:
        m, n = a.shape[-2:]
        s = np.linalg.svd(a, compute_uv=False)
        k = s.shape[-1]
        u, v = _unitary(rng, *a.shape[:-2], m, k), _unitary(rng, *a.shape[:-2], n, k)
        out.append((u * s[..., None, :]) @ np.conj(np.swapaxes(v, -1, -2)))
    return out


def _complex_eigen(arrays: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """The ``complexify`` of eig samples: complex matrices ``X diag(w) X^-1`` whose
    eigenvalues ``w`` are the real matrix's moved off the real axis, by different amounts
    (so that the two of a conjugate pair stay apart), and ``X`` complex."""
    out = []
    for a in arrays:
        n = a.shape[-1]
        w = np.linalg.eigvals(a) + 1j * np.linspace(0.5, 1.0, n)
        x = np.eye(n) + 0.3 * (rng.standard_normal(a.shape) + 1j * rng.standard_normal(a.shape))
        out.append((x * w[..., None, :]) @ np.linalg.inv(x))
    return out


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
        Sample((_spectrum([1.0, 2.0, 4.0]),), complexify=_hermitian_like()),
        Sample((_spectrum([-1.0, 0.5, 2.0, 3.5], batch=(2,)),), complexify=_hermitian_like()),
        Sample((_spectrum([1.0, 3.0]) + np.triu(_normal(2, 2), 1),),  # lower triangle read
               complexify=_hermitian_like()),
        Sample((_spectrum([2.0]),), complexify=_hermitian_like()),
        Sample((_spectrum([1.0, 2.0, 3.0], batch=(0,)),), complexify=_hermitian_like()),
        Sample((noncontiguous(_spectrum([1.0, 2.0, 4.0])),), complexify=_hermitian_like()),
    ],
    "linalg.eigvalsh": [
        Sample((_spectrum([1.0, 2.0, 4.0]),), complexify=_hermitian_like()),
        Sample((_spectrum([-1.0, 0.5, 2.0], batch=(2,)),), complexify=_hermitian_like()),
        Sample((_spectrum([1.0, 3.0]) + np.triu(_normal(2, 2), 1),),
               complexify=_hermitian_like()),
        Sample((_spectrum([1.0, 2.0], batch=(0,)),), complexify=_hermitian_like()),
    ],
    "linalg.svd": [
        Sample((_singular([3.0, 2.0, 1.0], 3, 3),), complexify=_complex_singular),
        Sample((_singular([3.0, 2.0, 1.0], 4, 3),), complexify=_complex_singular),  # tall
        Sample((_singular([3.0, 1.5], 2, 4),), complexify=_complex_singular),  # wide
        Sample((_singular([3.0, 2.0, 1.0], 3, 5, batch=(2,)),), complexify=_complex_singular),
        Sample((_singular([3.0, 2.0, 1.0], 3, 3),), {"full_matrices": True},
               complexify=_complex_singular),
        Sample((_singular([3.0, 2.0, 1.0], 4, 3),), {"compute_uv": False},
               complexify=_complex_singular),
        Sample((_singular([3.0, 2.0], 2, 2, batch=(0,)),), complexify=_complex_singular),
        Sample((noncontiguous(_singular([3.0, 2.0, 1.0], 3, 4)),), complexify=_complex_singular),
        Sample((_singular([2.5, 1.0], 5, 2),), complexify=_complex_singular),  # tall, 1 column
        Sample((_singular([2.0], 1, 3),), complexify=_complex_singular),  # a row
    ],
    "linalg.eig": [
        Sample((_eigen([1.0, 2.5, -1.5]),), complexify=_complex_eigen),  # real eigenvalues
        Sample((_eigen([1 + 2j, 3.0]),), complexify=_complex_eigen),  # a complex pair
        Sample((_eigen([0.5 + 1j, -1 + 0.5j], batch=(2,)),), complexify=_complex_eigen),
        Sample((_eigen([2.0]),), complexify=_complex_eigen),
        Sample((_eigen([1.0, 2.0], batch=(0,)),), complexify=_complex_eigen),
        Sample((noncontiguous(_eigen([1.0, -1 + 1.5j])),), complexify=_complex_eigen),
    ],
    "linalg.eigvals": [
        Sample((_eigen([1.0, 2.5, -1.5]),), complexify=_complex_eigen),
        Sample((_eigen([1 + 2j, 3.0], batch=(2,)),), complexify=_complex_eigen),
        Sample((_eigen([1.0, 2.0], batch=(0,)),), complexify=_complex_eigen),
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


# --------------------------------------------------------------------------- NumPy's linalg
# NumPy functions called on tensors, keyed by their public path. Norm inputs have no zeros,
# no ties for a max/min and distinct singular values (the smooth points); zeros, ties and
# repeated singular values are SPECIAL entries. pinv samples have full rank (pinv is not
# continuous where the rank changes).

Q = rng(11)


def _mag(*shape: int) -> np.ndarray:
    """Entries of magnitude in [0.5, 1.5] with random signs, pairwise distinct magnitudes
    (no ties for max/min |x|) in expectation."""
    return Q.uniform(0.5, 1.5, shape) * Q.choice([-1.0, 1.0], shape)


def _q(*shape: int) -> np.ndarray:
    return Q.standard_normal(shape)


def _well(*shape: int) -> np.ndarray:
    n = shape[-1]
    return Q.standard_normal(shape) * 0.5 + n * np.eye(n)


def _vector_norm_samples() -> list[Sample]:
    out = []
    for ord_ in (None, 2, 1, np.inf, -np.inf, 0, 3, 1.5, 0.5, -1, -2, -0.5):
        out.append(Sample((_mag(5),), {"ord": ord_}))
        out.append(Sample((_mag(3, 4),), {"ord": ord_, "axis": 1}))
        out.append(Sample((_mag(3, 4),), {"ord": ord_, "axis": (0,), "keepdims": True}))
    out += [
        Sample((_mag(2, 3, 4),)),  # ord None, axis None: the flattened 2-norm
        Sample((_mag(2, 3, 4),), {"keepdims": True}),
        Sample((np.array(-0.7),)),
        Sample((_mag(2, 3, 4),), {"axis": -2}),
        Sample((np.zeros((0, 3)),), {"axis": 0}),
        Sample((np.zeros((3, 0)),), {"ord": np.inf, "axis": 1}),  # max over nothing: 0
        Sample((np.zeros((0, 3)),), {"ord": 1, "axis": 1}),
        Sample((noncontiguous(_mag(3, 4)),), {"ord": 3, "axis": 0}),
        Sample((noncontiguous(_mag(3, 4)),), {"ord": -np.inf, "axis": -1}),
    ]
    return out


def _matrix_norm_samples() -> list[Sample]:
    out = []
    for ord_ in (None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf):
        out.append(Sample((_mag(3, 4),), {"ord": ord_}))  # axis None on a matrix
        out.append(Sample((_mag(2, 3, 4),), {"ord": ord_, "axis": (1, 2)}))
        out.append(Sample((_mag(3, 2, 4),), {"ord": ord_, "axis": (2, 0), "keepdims": True}))
    out += [
        Sample((_mag(4, 3),), {"ord": "f", "axis": (-1, -2)}),
        Sample((np.zeros((2, 0, 3)),), {"ord": "fro", "axis": (1, 2)}),
        Sample((np.zeros((0, 3, 3)),), {"ord": "nuc", "axis": (1, 2)}),
        Sample((np.zeros((3, 0)),), {"ord": 2}),  # no singular values: 0, as NumPy
        Sample((np.zeros((0, 3)),), {"ord": 1}),
        Sample((noncontiguous(_mag(3, 4)),), {"ord": "nuc"}),
        Sample((noncontiguous(_mag(3, 4)),), {"ord": -np.inf}),
    ]
    return out


def _symmetric(n: int, batch: tuple[int, ...] = ()) -> np.ndarray:
    """An indefinite, well-conditioned symmetric matrix (eigenvalues away from 0)."""
    return _spectrum(list(np.linspace(-2.0, 3.0, n) + 0.25), batch)


SAMPLES.update({
    "np.linalg.norm": _vector_norm_samples() + _matrix_norm_samples(),
    "np.linalg.vector_norm": [
        Sample((_mag(2, 3, 4),)),
        Sample((_mag(2, 3, 4),), {"axis": (0, 2), "ord": 3}),
        Sample((_mag(2, 3, 4),), {"axis": (2, 1), "ord": np.inf, "keepdims": True}),
        Sample((_mag(2, 3, 4),), {"axis": -1, "ord": -1.5}),
        Sample((_mag(2, 3),), {"ord": 0, "keepdims": True}),
        Sample((_mag(2, 3),), {"ord": -np.inf}),
    ],
    "np.linalg.matrix_norm": [
        Sample((_mag(2, 3, 4),)),
        Sample((_mag(2, 3, 4),), {"ord": "nuc", "keepdims": True}),
        Sample((_mag(3, 4),), {"ord": 2}),
        Sample((_mag(2, 4, 3),), {"ord": -2}),
        Sample((_mag(2, 3, 4),), {"ord": -np.inf}),
        Sample((_mag(2, 3, 4),), {"ord": 1, "keepdims": True}),
    ],
    "np.linalg.pinv": [
        Sample((_well(3, 3),)),
        Sample((_singular([3.0, 2.0, 1.0], 4, 3),)),  # tall, full column rank
        Sample((_singular([2.5, 1.0], 2, 4),)),  # wide, full row rank
        Sample((_singular([3.0, 2.0, 1.0], 3, 5, batch=(2,)),)),
        Sample((_q(2, 4, 3) + np.eye(4, 3),)),
        Sample((_singular([3.0, 2.0, 1.0], 4, 3),), {"rcond": 1e-3}),
        Sample((_singular([3.0, 2.0, 1.0], 4, 3, batch=(2,)),), {"rcond": np.array([1e-3, 0.1])}),
        Sample((_singular([3.0, 1.0], 2, 3),), {"rtol": 1e-6}),
        Sample((_singular([3.0, 1.0], 2, 3),), {"rtol": None}),
        Sample((_symmetric(3),), {"hermitian": True}),
        Sample((_symmetric(3) + np.triu(_q(3, 3), 1),), {"hermitian": True}),  # lower read
        Sample((_symmetric(3, batch=(2,)),), {"hermitian": True}),
        Sample((_well(1, 1),)),
        Sample((_q(0, 3, 2),)),
        Sample((_q(3, 0),)),
        Sample((noncontiguous(_singular([3.0, 2.0, 1.0], 4, 3)),)),
    ],
    "linalg.pinv": [
        Sample((_well(3, 3),)),
        Sample((_singular([3.0, 2.0, 1.0], 4, 3, batch=(2,)),)),
        Sample((_singular([3.0, 2.0, 1.0], 3, 5),), {"rcond": 1e-4}),
    ],
    # matrices scaled to eigenvalues near 1, so that high powers stay of order 1
    "np.linalg.matrix_power": [
        *(Sample((_well(3, 3) / 3, n)) for n in (0, 1, 2, 3, 4, 5, 7, -1, -2, -3)),
        Sample((_well(2, 3, 3) / 3, 6)),
        Sample((_well(2, 2, 2) / 2, -4)),
        Sample((_well(1, 1), 3)),
        Sample((_q(0, 2, 2), 3)),
        Sample((noncontiguous(_well(3, 3)) / 3, 5)),
    ],
    "np.linalg.multi_dot": [
        Sample(([_q(3, 4), _q(4, 2)],)),  # two arrays: dot
        Sample(([_q(2, 3, 4), _q(4, 2)],)),  # two arrays, any rank (dot)
        Sample(([_q(5, 3), _q(3, 7), _q(7, 2)],)),  # (AB)C
        Sample(([_q(2, 7), _q(7, 3), _q(3, 5)],)),  # A(BC)
        Sample(([_q(4), _q(4, 3), _q(3, 6), _q(6, 2), _q(2)],)),  # vector ends: 0-d result
        Sample(([_q(4), _q(4, 3), _q(3, 6), _q(6, 2)],)),  # 1-d result
        Sample(([_q(3, 6), _q(6, 2), _q(2, 5), _q(5, 4), _q(4, 3)],)),
        Sample(([_q(0, 3), _q(3, 2), _q(2, 4)],)),
        Sample(([noncontiguous(_q(3, 4)), _q(4, 2), noncontiguous(_q(2, 3))],)),
    ],
    "np.einsum": [
        Sample((_q(3, 4), [0, 1], _q(4, 2), [1, 2])),  # implicit output: [0, 2]
        Sample((_q(3, 4), [0, 1], _q(4, 2), [1, 2], [2, 0])),
        Sample((_q(2, 3, 4), [Ellipsis, 0, 1], _q(4, 2), [1, 2], [Ellipsis, 2])),
        Sample((_q(2, 3, 4), [Ellipsis, 1])),  # implicit: the '...' axes first, 1 summed
        Sample((_q(3, 3), [0, 0])),  # trace
        Sample((_q(3, 3), [0, 0], [0])),  # diagonal
        Sample((_q(3), [0], _q(4), [1], _q(3), [0], [1])),
        Sample((np.array(1.5), [], _q(3), [5])),
        Sample((_q(0, 3), [0, 1], _q(3, 2), [1, 2])),
        Sample(("ij,jk", _q(3, 4), _q(4, 2))),  # the string form, through np.einsum
        Sample((noncontiguous(_q(3, 4)), [0, 1], _q(4), [1])),
    ],
    "np.vdot": [
        Sample((_q(3), _q(3))),
        Sample((_q(2, 3), _q(6))),  # flattened
        Sample((np.array(1.5), np.array(-0.5))),
        Sample((_q(0), _q(0))),
    ],
    "np.kron": [
        Sample((_q(2, 3), _q(3, 2))),
        Sample((_q(3), _q(4))),
        Sample((_q(2, 3), _q(4))),  # ranks differ: the vector is (1, 4)
        Sample((_q(2), _q(2, 2, 3))),
        Sample((np.array(1.5), _q(2, 3))),  # 0-d: a product
        Sample((_q(0, 2), _q(2, 2))),
        Sample((noncontiguous(_q(2, 3)), _q(2, 2))),
    ],
    "np.cross": [
        Sample((_q(3), _q(3))),
        Sample((_q(4, 3), _q(4, 3))),
        Sample((_q(2, 1, 3), _q(5, 3))),  # broadcast batch axes
        Sample((_q(3, 4), _q(4, 3)), {"axisa": 0}),
        Sample((_q(4, 3), _q(3, 4)), {"axisb": 0, "axisc": 0}),
        Sample((_q(3, 2, 4), _q(3, 2, 4)), {"axis": 0}),
        Sample((_q(2, 3, 4), _q(4, 3)), {"axisa": 1, "axisc": 1}),
        Sample((_q(4, 2), _q(4, 3))),  # a 2-vector: zero third component (deprecated)
        Sample((_q(3), _q(2))),
        Sample((_q(4, 2), _q(4, 2))),  # two 2-vectors: the scalar z-component
        Sample((_q(0, 3), _q(3))),
        Sample((noncontiguous(_q(4, 3)), _q(4, 3))),
    ],
    "np.linalg.eigvalsh": [
        Sample((_spectrum([1.0, 2.0, 4.0]),), {"UPLO": "U"}, complexify=_hermitian_like("U")),
        Sample((_spectrum([1.0, 3.0]) + np.tril(_q(2, 2), -1),), {"UPLO": "U"},  # upper read
               complexify=_hermitian_like("U")),
        Sample((_spectrum([1.0, 3.0]) + np.triu(_q(2, 2), 1),), {"UPLO": "L"},  # lower read
               complexify=_hermitian_like()),
        Sample((_spectrum([-1.0, 0.5, 2.0], batch=(2,)),), complexify=_hermitian_like()),
        Sample((noncontiguous(_spectrum([1.0, 2.0, 4.0])),), {"UPLO": "u"},
               complexify=_hermitian_like("U")),
    ],
    "np.linalg.eigh": [
        Sample((_spectrum([1.0, 2.0, 4.0]),), complexify=_hermitian_like()),
        Sample((_spectrum([1.0, 3.0, 4.5]) + np.tril(_q(3, 3), -1),), {"UPLO": "U"},
               complexify=_hermitian_like("U")),
    ],
    "np.linalg.eig": [
        Sample((_eigen([1.0, 2.5, -1.5]),), complexify=_complex_eigen),  # real results
        Sample((_eigen([1 + 2j, 3.0]),), complexify=_complex_eigen),  # complex results
        Sample((_eigen([-1.0, 2.0, 0.5 + 1j], batch=(2,)),), complexify=_complex_eigen),
    ],
    "np.linalg.eigvals": [
        Sample((_eigen([1.0, 2.5, -1.5]),), complexify=_complex_eigen),
        Sample((_eigen([1 + 2j, 3.0], batch=(2,)),), complexify=_complex_eigen),
    ],
    "np.linalg.cond": [
        *(Sample((_well(3, 3),), {"p": p}) for p in (None, 2, -2, "fro", "nuc", 1, -1, np.inf,
                                                    -np.inf)),
        Sample((_singular([3.0, 2.0, 1.0], 4, 3, batch=(2,)),)),  # not square: s_max / s_min
        Sample((_well(2, 3, 3),), {"p": "fro"}),
    ],
    "np.linalg.matrix_rank": [
        Sample((_well(3, 3),)),
        Sample((_singular([3.0, 1.0], 3, 4, batch=(2,)),)),
        Sample((_well(3, 3),), {"tol": 2.0}),
    ],
})

SPECIAL.update({
    "np.linalg.norm": [
        Special((np.zeros(3),), np.zeros(3), note="2-norm at the origin: 0, as tf.norm"),
        *(Special((np.zeros(3),), np.zeros(3), {"ord": o}, note=f"ord={o} at the origin: 0")
          for o in (2, 1, np.inf, -np.inf, 3, 0.5, -1, -2)),
        Special((np.array([0.0, 1.0, -2.0]),), np.zeros(3), {"ord": -np.inf},
                note="-inf: min |x| is 0 at a zero element (a kink, as |x| at 0)"),
        Special((np.array([0.0, 3.0, -4.0]),), np.zeros(3), {"ord": -1},
                note="negative p with a zero element: the norm is 0 (a kink)"),
        Special((np.array([0.0, 3.0, -4.0]),), [0.0, 0.6, -0.8], {"ord": 2}),
        Special((np.array([0.0, 3.0, -4.0]),), [0.0, 0.0, 0.0], {"ord": 0},
                note="ord=0 counts nonzeros: piecewise constant, gradient 0 (as sign)"),
        Special((np.array([3.0, -3.0, 1.0]),), [0.5, -0.5, 0.0], {"ord": np.inf},
                note="ties for the max |x| share"),
        *(Special((np.zeros((2, 3)),), np.zeros((2, 3)), {"ord": o},
                  note=f"matrix ord={o} at the zero matrix: 0")
          for o in ("fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf)),
        Special((2 * np.eye(3),), np.eye(3) / 3, {"ord": 2},
                note="2-norm at a tied largest singular value: the ties share, U V^T / 3"),
        Special((2 * np.eye(3),), np.eye(3), {"ord": "nuc"},
                note="repeated singular values: the nuclear norm's gradient U V^T is defined"),
        Special((np.diag([3.0, 1.0, 1.0]),), np.diag([0.0, 0.5, 0.5]), {"ord": -2},
                note="-2-norm at a tied smallest singular value: the ties share"),
        Special((np.diag([2.0, -1.0, 0.0]),), np.diag([1.0, -1.0, 0.0]), {"ord": "nuc"},
                note="a zero singular value: the least-norm subgradient U_r V_r^T"),
    ],
})
