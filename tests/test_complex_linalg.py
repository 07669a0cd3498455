"""Linear algebra of complex matrices: eig and eigvals, eigh and eigvalsh of Hermitian
matrices, svd, slogdet, cholesky, qr and pinv.

Values match NumPy's (dtypes included); derivatives match central finite differences along
complex directions to second order, in reverse and forward mode (``tape.check_gradients``,
TensorFlow's convention: the gradient of a real loss is ``dL/dRe z + i dL/dIm z``), and closed
forms: the eigenvalue derivative ``u^H dA v / (u^H v)`` with the left eigenvector ``u``, the
Hermitian ``u^H dA u``, the singular values' ``Re(u^H dA v)``, ``d log|det A| = Re tr(A^-1
dA)``; TensorFlow's formula for eig's gradient on losses that do not see the eigenvectors'
phases, and a 2 x 2 example worked by hand. The phases LAPACK gives the vectors (which the
rules differentiate) are checked too, and what happens at repeated eigenvalues.
"""

from __future__ import annotations

import numpy as np
import pytest

import tape

R = np.random.default_rng(20240611)


def _c(*shape: int) -> np.ndarray:
    return R.standard_normal(shape) + 1j * R.standard_normal(shape)


def _h(x: np.ndarray) -> np.ndarray:
    return np.conj(np.swapaxes(x, -1, -2))


def _hermitian(values: list[float], batch: tuple[int, ...] = ()) -> np.ndarray:
    """Hermitian matrices with the given eigenvalues."""
    n = len(values)
    q, _ = np.linalg.qr(_c(*batch, n, n))
    return (q * np.asarray(values)) @ _h(q)


def _general(n: int, batch: tuple[int, ...] = ()) -> np.ndarray:
    """Complex matrices with well-separated eigenvalues (and well-conditioned eigenvectors)."""
    w = np.array([2.0 + 1j, -1.0 + 0.5j, 0.5 - 1.5j, 3.0 - 0.5j, -2.0 - 2j])[:n]
    x = np.eye(n) + 0.3 * _c(*batch, n, n)
    return (x * w) @ np.linalg.inv(x)


def _singular(values: list[float], m: int, n: int) -> np.ndarray:
    k = len(values)
    u, _ = np.linalg.qr(_c(m, k))
    v, _ = np.linalg.qr(_c(n, k))
    return (u * np.asarray(values)) @ _h(v)


def _grad(f, x: np.ndarray) -> np.ndarray:
    x = tape.constant(x)
    with tape.GradientTape() as t:
        t.watch(x)
        y = f(x)
    return t.gradient(y, x).numpy()


def _jvp(f, x: np.ndarray, dx: np.ndarray):
    primal = tape.constant(x)
    with tape.autodiff.ForwardAccumulator(primal, tape.constant(dx)) as acc:
        out = f(primal)
    return acc.jvp(out).numpy()


def _left_eigenvectors(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Left eigenvectors (``u^H a = w u^H``) in the order of ``w``, from NumPy's eig of
    ``a^H``."""
    wl, ul = np.linalg.eig(_h(a))
    order = [int(np.argmin(np.abs(np.conj(wl) - x))) for x in w]
    return ul[:, order]


# --------------------------------------------------------------------------- values


def test_eig_values_and_dtypes_follow_tensorflow_and_numpy() -> None:
    """tape.linalg.eig is complex for real matrices too (TensorFlow); np.linalg.eig on a
    tensor is NumPy's, real arrays when every eigenvalue is real."""
    real_spectrum = np.array([[2.0, 1.0], [0.5, 3.0]])
    rotation = np.array([[0.0, 1.0], [-1.0, 0.0]])
    for a in (real_spectrum, rotation, _general(3), _general(3, batch=(2,))):
        e, v = tape.linalg.eig(tape.constant(a))
        assert e.dtype == np.complex128 and v.dtype == np.complex128
        want_e, want_v = np.linalg.eig(a)
        np.testing.assert_allclose(e.numpy(), want_e, rtol=1e-13)
        # the same vectors up to sign (tape makes the largest component positive)
        ratio = np.sum(np.conj(want_v) * v.numpy(), axis=-2)
        np.testing.assert_allclose(np.abs(ratio), 1.0, rtol=1e-12)
        np.testing.assert_allclose(
            np.matmul(a, v.numpy()), v.numpy() * e.numpy()[..., None, :], atol=1e-12)
        got = np.linalg.eig(tape.constant(a))
        assert type(got).__name__ == "EigResult" and len(got) == 2
        for x, y in zip(got, np.linalg.eig(a)):
            assert x.dtype == y.dtype and x.shape == y.shape
            np.testing.assert_array_equal(x.numpy(), y)
        w = np.linalg.eigvals(tape.constant(a))
        assert w.dtype == np.linalg.eigvals(a).dtype
        np.testing.assert_array_equal(w.numpy(), np.linalg.eigvals(a))
        np.testing.assert_array_equal(tape.linalg.eigvals(tape.constant(a)).numpy(),
                                      np.linalg.eigvals(a).astype(complex))
    assert np.linalg.eig(tape.constant(real_spectrum)).eigenvalues.dtype == np.float64
    assert np.linalg.eig(tape.constant(rotation)).eigenvalues.dtype == np.complex128
    e32 = tape.linalg.eig(tape.constant(real_spectrum, dtype=tape.float32))[0]
    assert e32.dtype == np.complex64


def test_eig_of_a_real_matrix_has_a_continuous_phase() -> None:
    """For a pair of complex eigenvalues LAPACK's real routine takes the eigenvectors' sign
    from a number at the level of rounding errors at some matrices (here, one of them):
    tape.linalg.eig makes the largest component positive, so that it does not jump."""
    rng = np.random.default_rng(1)
    a, d = None, None
    for _ in range(200):
        a, d = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
        if np.abs(np.linalg.eig(a + 1e-12 * d)[1] - np.linalg.eig(a)[1]).max() > 0.1:
            break
    else:
        pytest.skip("no matrix where LAPACK's phase jumps")
    v0 = tape.linalg.eig(tape.constant(a))[1].numpy()
    v1 = tape.linalg.eig(tape.constant(a + 1e-12 * d))[1].numpy()
    assert np.abs(v1 - v0).max() < 1e-9
    rows = np.argmax(np.abs(v0), axis=0)
    assert np.all(v0[rows, np.arange(4)].real > 0)


def test_hermitian_svd_cholesky_qr_pinv_slogdet_values_match_numpy() -> None:
    h = _hermitian([-1.0, 0.5, 2.0])
    e, v = tape.linalg.eigh(tape.constant(h))
    assert e.dtype == np.float64 and v.dtype == np.complex128
    np.testing.assert_array_equal(e.numpy(), np.linalg.eigh(h)[0])
    np.testing.assert_array_equal(v.numpy(), np.linalg.eigh(h)[1])
    np.testing.assert_array_equal(tape.linalg.eigvalsh(tape.constant(h)).numpy(),
                                  np.linalg.eigvalsh(h))
    a = _c(4, 3)
    s, u, w = tape.linalg.svd(tape.constant(a))
    np.testing.assert_allclose((u.numpy() * s.numpy()) @ _h(w.numpy()), a, atol=1e-13)
    for got, want in zip(np.linalg.svd(tape.constant(a), full_matrices=False),
                         np.linalg.svd(a, full_matrices=False)):
        np.testing.assert_array_equal(got.numpy(), want)  # vh is the conjugate transpose
    b = _general(3)
    sign, logabs = np.linalg.slogdet(tape.constant(b))
    assert sign.dtype == np.complex128 and logabs.dtype == np.float64
    np.testing.assert_array_equal(sign.numpy(), np.linalg.slogdet(b)[0])
    np.testing.assert_allclose(abs(sign.numpy()), 1.0)
    np.testing.assert_allclose(sign.numpy() * np.exp(logabs.numpy()), np.linalg.det(b))
    p = a.conj().T @ a + np.eye(3)
    low = tape.linalg.cholesky(tape.constant(p)).numpy()
    np.testing.assert_allclose(low @ _h(low), p, atol=1e-13)
    np.testing.assert_array_equal(np.diag(low).imag, 0)
    np.testing.assert_allclose(np.linalg.cholesky(tape.constant(p), upper=True).numpy(),
                               np.linalg.cholesky(p, upper=True), rtol=1e-14)
    q, r = tape.linalg.qr(tape.constant(a))
    np.testing.assert_allclose(q.numpy() @ r.numpy(), a, atol=1e-13)
    np.testing.assert_array_equal(np.diag(r.numpy()).imag, 0)
    np.testing.assert_allclose(tape.linalg.pinv(tape.constant(a)).numpy(), np.linalg.pinv(a),
                               rtol=1e-12, atol=1e-14)


def test_adjoint_means_the_conjugate_transpose() -> None:
    """TensorFlow's ``adjoint`` arguments conjugate complex matrices."""
    a, b = _general(3), _c(3, 2)
    ta, tb = tape.constant(a), tape.constant(b)
    np.testing.assert_allclose(tape.matmul(ta, tb, adjoint_a=True).numpy(), _h(a) @ b)
    np.testing.assert_allclose(tape.matmul(tb, ta, transpose_a=True).numpy(), b.T @ a)
    np.testing.assert_allclose(tape.matmul(tb, tb, adjoint_b=True).numpy(), b @ _h(b))
    np.testing.assert_allclose(tape.linalg.matvec(ta, tb[:, 0], adjoint_a=True).numpy(),
                               _h(a) @ b[:, 0])
    np.testing.assert_allclose(tape.linalg.inv(ta, adjoint=True).numpy(),
                               np.linalg.inv(_h(a)))
    np.testing.assert_allclose(tape.linalg.solve(ta, tb, adjoint=True).numpy(),
                               np.linalg.solve(_h(a), b))
    low = np.tril(a)
    np.testing.assert_allclose(
        tape.linalg.triangular_solve(ta, tb, lower=True, adjoint=True).numpy(),
        np.linalg.solve(_h(low), b))
    chol = np.linalg.cholesky(_h(a) @ a + np.eye(3))
    np.testing.assert_allclose(tape.linalg.cholesky_solve(tape.constant(chol), tb).numpy(),
                               np.linalg.solve(_h(a) @ a + np.eye(3), b))


# --------------------------------------------------------------------------- LAPACK's phases


def test_lapacks_phases_are_the_ones_the_rules_differentiate() -> None:
    """The rules differentiate the eigenvectors and singular vectors in the phase NumPy's
    LAPACK gives them: eig's largest component real; eigh's first component (lower
    triangle) or last (upper); svd's first component of each v_k (M >= N) or u_k (M < N)."""
    a = _general(4)
    v = np.linalg.eig(a)[1]
    rows = np.argmax(np.abs(v), axis=0)
    assert np.all(v[rows, np.arange(4)].imag == 0)
    h = _hermitian([1.0, 2.0, 3.5, 5.0])
    assert np.all(np.linalg.eigh(h, UPLO="L")[1][0].imag == 0)
    assert np.all(np.linalg.eigh(h, UPLO="U")[1][-1].imag == 0)
    for m, n in ((4, 4), (5, 3), (30, 4)):
        vh = np.linalg.svd(_c(m, n), full_matrices=False)[2]
        assert np.all(vh[:, 0].imag == 0), (m, n)
    for m, n in ((3, 5), (4, 30)):
        u = np.linalg.svd(_c(m, n), full_matrices=False)[0]
        np.testing.assert_allclose(u[0].imag, 0, atol=1e-15)


# --------------------------------------------------------------------------- finite differences

CHECKS = {
    "eig": (lambda a: list(tape.linalg.eig(a)), _general(3)),
    "eig, batched": (lambda a: list(tape.linalg.eig(a)), _general(3, batch=(2,))),
    "eig of a real matrix": (lambda a: list(tape.linalg.eig(a)),
                             np.array([[1.0, 2.0, 0.5], [-1.5, 0.3, 1.0], [0.2, -0.7, 2.0]])),
    "np.linalg.eig": (lambda a: list(np.linalg.eig(a)), _general(4)),
    "eigvals": (lambda a: tape.linalg.eigvals(a), _general(4)),
    "np.linalg.eigvals": (lambda a: np.linalg.eigvals(a), _general(3, batch=(2,))),
    "eigh": (lambda a: list(tape.linalg.eigh(a)), _hermitian([-1.0, 0.5, 2.0, 3.5])),
    "eigh of a matrix that is not Hermitian (the lower triangle is read)": (
        lambda a: list(tape.linalg.eigh(a)), _hermitian([1.0, 2.0, 4.0]) + np.triu(_c(3, 3))),
    "np.linalg.eigh, upper triangle": (lambda a: list(np.linalg.eigh(a, UPLO="U")),
                                       _hermitian([1.0, 2.0, 4.0]) + np.tril(_c(3, 3), -1)),
    "eigvalsh": (lambda a: tape.linalg.eigvalsh(a), _hermitian([1.0, 2.0, 4.0], batch=(2,))),
    "svd, square": (lambda a: list(tape.linalg.svd(a)), _singular([3.0, 2.0, 1.0], 3, 3)),
    "svd, tall": (lambda a: list(tape.linalg.svd(a)), _singular([3.0, 2.0, 1.0], 5, 3)),
    "svd, wide": (lambda a: list(tape.linalg.svd(a)), _singular([3.0, 1.5], 2, 4)),
    "np.linalg.svd": (lambda a: list(np.linalg.svd(a, full_matrices=False)),
                      _singular([2.0, 1.0, 0.5], 3, 4)),
    "svdvals": (lambda a: tape.linalg.svd(a, compute_uv=False), _singular([3.0, 2.0], 4, 2)),
    "slogdet": (lambda a: list(tape.linalg.slogdet(a)), _general(3)),
    "det": (lambda a: tape.linalg.det(a), _general(3)),
    "cholesky": (lambda a: tape.linalg.cholesky(a), _hermitian([1.0, 2.0, 4.0])),
    "logdet": (lambda a: tape.linalg.logdet(a), _hermitian([1.0, 2.0, 4.0])),
    "qr, tall": (lambda a: list(tape.linalg.qr(a)), _c(4, 3)),
    "qr, wide": (lambda a: list(tape.linalg.qr(a)), _c(2, 4)),
    "pinv": (lambda a: tape.linalg.pinv(a), _singular([3.0, 2.0, 1.0], 4, 3)),
    "np.linalg.pinv, hermitian": (lambda a: np.linalg.pinv(a, hermitian=True),
                                  _hermitian([1.0, -2.0, 3.0])),
    "nuclear norm": (lambda a: np.linalg.norm(a, "nuc"), _singular([3.0, 2.0, 1.0], 3, 4)),
    "2-norm": (lambda a: np.linalg.norm(a, 2), _singular([3.0, 2.0, 1.0], 3, 4)),
    "cond": (lambda a: np.linalg.cond(a), _singular([3.0, 2.0, 1.0], 3, 3)),
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_derivatives_to_second_order_match_finite_differences(name: str) -> None:
    """Every output as it is, eigenvectors and singular vectors included (in LAPACK's
    phase), then through a nonlinear head, to second order, reverse and forward."""
    f, a = CHECKS[name]
    tape.check_gradients(f, [a], order=2)

    def head(x):
        out = f(x)
        return [tape.math.sin(o) for o in (out if isinstance(out, list) else [out])]

    tape.check_gradients(head, [a], order=2, seed=3)


def _projectors(v):
    return tape.matmul(v[..., :, :1], v[..., :, :1], adjoint_b=True)


PHASE_FREE = {
    "eig: |v|^2": (lambda a: tape.math.abs(tape.linalg.eig(a)[1]) ** 2, _general(3)),
    "eig: the spectral projector v u^H / (u^H v)": (
        lambda a: _spectral_projector(a), _general(3)),
    "eigh: |v|^2": (lambda a: tape.math.abs(tape.linalg.eigh(a)[1]) ** 2,
                    _hermitian([1.0, 2.0, 4.0])),
    "eigh: the projector v_0 v_0^H": (lambda a: _projectors(tape.linalg.eigh(a)[1]),
                                      _hermitian([1.0, 2.0, 4.0])),
    "svd: u_0 v_0^H": (lambda a: _svd_pair(a), _singular([3.0, 2.0, 1.0], 4, 3)),
    "svd: |u|^2 and |v|^2, wide": (
        lambda a: [tape.math.abs(x) ** 2 for x in tape.linalg.svd(a)[1:]],
        _singular([3.0, 1.0], 2, 3)),
}


def _spectral_projector(a):
    e, v = tape.linalg.eig(a)
    vinv = tape.linalg.inv(v)
    return tape.matmul(v[:, :1], vinv[:1, :])


def _svd_pair(a):
    _, u, v = tape.linalg.svd(a)
    return tape.matmul(u[:, :1], v[:, :1], adjoint_b=True)


@pytest.mark.parametrize("name", list(PHASE_FREE))
def test_losses_that_do_not_see_the_phases(name: str) -> None:
    f, a = PHASE_FREE[name]
    tape.check_gradients(f, [a], order=2)


def test_real_inputs_get_the_real_part_of_the_complex_gradient() -> None:
    """A real matrix with complex eigenvalues: reverse and forward mode along real
    directions, to second order."""
    a = np.array([[0.5, -2.0, 0.3], [1.5, 0.2, -0.4], [0.1, 0.6, 1.0]])
    tape.check_gradients(lambda x: list(tape.linalg.eig(x)), [a], order=2)
    tape.check_gradients(lambda x: np.linalg.eigvals(x), [a], order=2)
    g = _grad(lambda x: tape.reduce_sum(tape.math.real(tape.linalg.eigvals(x))), a)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, np.eye(3), atol=1e-12)  # sum of the eigenvalues: the trace


# --------------------------------------------------------------------------- closed forms


def test_the_eigenvalue_derivative_is_u_dA_v_over_u_v() -> None:
    a, da = _general(4), _c(4, 4)
    w, v = np.linalg.eig(a)
    u = _left_eigenvectors(a, w)
    c = np.sum(np.conj(u) * v, axis=0)  # u_k^H v_k
    want = np.einsum("ik,ij,jk->k", np.conj(u), da, v) / c
    np.testing.assert_allclose(_jvp(lambda x: tape.linalg.eigvals(x), a, da), want, rtol=1e-10)
    np.testing.assert_allclose(_jvp(lambda x: tape.linalg.eig(x)[0], a, da), want, rtol=1e-10)
    for k in range(4):
        # Re(lambda_k): the gradient u_k v_k^H / conj(u_k^H v_k); Im: i times that
        x = np.outer(u[:, k], np.conj(v[:, k])) / np.conj(c[k])
        g = _grad(lambda t, k=k: tape.math.real(tape.linalg.eigvals(t)[k]), a)
        np.testing.assert_allclose(g, x, rtol=1e-10, atol=1e-12)
        g = _grad(lambda t, k=k: tape.math.imag(tape.linalg.eig(t)[0][k]), a)
        np.testing.assert_allclose(g, 1j * x, rtol=1e-10, atol=1e-12)


def test_the_hermitian_eigenvalue_derivative_is_u_dA_u() -> None:
    h = _hermitian([-1.0, 0.5, 2.0, 3.5])
    dh = _c(4, 4)
    dh = dh + _h(dh)
    e, u = np.linalg.eigh(h)
    want = np.real(np.einsum("ik,ij,jk->k", np.conj(u), dh, u))
    got = _jvp(lambda x: tape.linalg.eigvalsh(x), h, dh)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-10)
    np.testing.assert_allclose(_jvp(lambda x: tape.linalg.eigh(x)[0], h, dh), want, rtol=1e-10)
    # the gradient of e_k reads the lower triangle (TensorFlow's): the Hermitian u_k u_k^H
    # folded onto it, 2 u_k u_k^H below the diagonal and |u_k|^2 on it
    for k in range(4):
        p = np.outer(u[:, k], np.conj(u[:, k]))
        want_g = 2 * np.tril(p, -1) + np.diag(np.abs(u[:, k]) ** 2)
        g = _grad(lambda x, k=k: tape.linalg.eigvalsh(x)[k], h)
        np.testing.assert_allclose(g, want_g, atol=1e-12)


def test_singular_value_and_determinant_derivatives() -> None:
    """ds_k = Re(u_k^H dA v_k), whose gradient is u_k v_k^H; d log|det A| = Re tr(A^-1 dA),
    gradient A^-H; |det A| has gradient |det A| A^-H; d sign = i sign Im tr(A^-1 dA)."""
    a = _singular([3.0, 2.0, 1.0], 4, 3)
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    for k in range(3):
        g = _grad(lambda x, k=k: tape.linalg.svd(x, compute_uv=False)[k], a)
        np.testing.assert_allclose(g, np.outer(u[:, k], vh[k]), atol=1e-12)
    da = _c(4, 3)
    np.testing.assert_allclose(_jvp(lambda x: tape.linalg.svd(x)[0], a, da),
                               np.real(np.einsum("ik,ij,kj->k", np.conj(u), da, vh.conj())),
                               rtol=1e-10)
    b, db = _general(3), _c(3, 3)
    inv_h = _h(np.linalg.inv(b))
    np.testing.assert_allclose(_grad(lambda x: tape.linalg.slogdet(x)[1], b), inv_h,
                               rtol=1e-10)
    np.testing.assert_allclose(_grad(lambda x: tape.math.abs(tape.linalg.det(x)), b),
                               abs(np.linalg.det(b)) * inv_h, rtol=1e-10)
    tau = np.trace(np.linalg.solve(b, db))
    sign = np.linalg.slogdet(b)[0]
    np.testing.assert_allclose(_jvp(lambda x: tape.linalg.slogdet(x)[0], b, db),
                               sign * 1j * tau.imag, rtol=1e-10)
    np.testing.assert_allclose(_jvp(lambda x: tape.linalg.slogdet(x)[1], b, db), tau.real,
                               rtol=1e-10)


def _tensorflow_eig_grad(w, v, gw, gv):
    """TensorFlow's gradient of eig (``_EigGrad`` in tensorflow/python/ops/linalg_grad.py),
    in NumPy: ``V^-H (diag(gw) + conj(F) o (V^H gV - V^H V diag(Re diag(V^H gV)))) V^H``."""
    n = len(w)
    gaps = w[None, :] - w[:, None]
    f = np.where(np.eye(n, dtype=bool), 0, 1 / np.where(np.eye(n, dtype=bool), 1, gaps))
    vgv = _h(v) @ gv
    mid = np.diag(gw) + np.conj(f) * (vgv - _h(v) @ v @ np.diag(np.real(np.diag(vgv))))
    return np.linalg.solve(_h(v), mid @ _h(v))


def test_on_losses_blind_to_the_phases_the_gradient_is_tensorflows() -> None:
    """L = sum(c o |V|^2) + Re(sum(b o e)): dL/dV = 2 c o V, dL/de = b (TensorFlow's
    convention), and tape's gradient is TensorFlow's formula."""
    a = _general(4)
    c, b = R.uniform(0.5, 1.5, (4, 4)), _c(4)
    w, v = np.linalg.eig(a)
    want = _tensorflow_eig_grad(w, v, b, 2 * c * v)

    def loss(x):
        e, vec = tape.linalg.eig(x)
        return (tape.reduce_sum(c * tape.math.abs(vec) ** 2)
                + tape.reduce_sum(tape.math.real(np.conj(b) * e)))

    np.testing.assert_allclose(_grad(loss, a), want, rtol=1e-9, atol=1e-12)


def test_a_two_by_two_example_worked_by_hand() -> None:
    """A = [[a, b], [c, d]] at c = 0: lambda_0 = a + b c / (a - d) + O(c^2). For
    L = |lambda_0|^2 the gradient (dL/dRe + i dL/dIm) of an entry with
    dlambda_0 = k dx is 2 lambda_0 conj(k): at a = 1 + 2j, b = 5, d = 3 - 1j it is 2 + 4j for
    a, 2 (1 + 2j) conj(5 / (-2 + 3j)) = (-80 - 10j) / 13 for c, 0 for b and d. A real
    rotation [[0, 1], [-1, 0]] has lambda_0 = i, and Im(lambda_0) has gradient
    [[0, 1/2], [-1/2, 0]]."""
    a = np.array([[1 + 2j, 5.0], [0.0, 3 - 1j]])
    g = _grad(lambda x: tape.math.abs(tape.linalg.eigvals(x)[0]) ** 2, a)
    np.testing.assert_allclose(g, [[2 + 4j, 0], [(-80 - 10j) / 13, 0]], atol=1e-12)
    rotation = np.array([[0.0, 1.0], [-1.0, 0.0]])
    assert tape.linalg.eigvals(tape.constant(rotation)).numpy()[0] == 1j
    g = _grad(lambda x: tape.math.imag(tape.linalg.eig(x)[0][0]), rotation)
    np.testing.assert_allclose(g, [[0, 0.5], [-0.5, 0]], atol=1e-12)


# --------------------------------------------------------------------------- vmap


def test_vmap_over_a_batch_of_complex_matrices_agrees_with_a_loop() -> None:
    batch = _general(3, batch=(4,))

    def per_example(a):
        with tape.GradientTape() as t:
            t.watch(a)
            e, v = tape.linalg.eig(a)
            s = tape.linalg.svd(a, compute_uv=False)
            loss = (tape.reduce_sum(tape.math.abs(v) ** 3) + tape.reduce_sum(s)
                    + tape.reduce_sum(tape.math.real(e * e)))
        return e, t.gradient(loss, a)

    mapped = tape.vmap(per_example)(tape.constant(batch))
    for k in range(4):
        e, g = per_example(tape.constant(batch[k]))
        np.testing.assert_allclose(mapped[0].numpy()[k], e.numpy(), rtol=1e-12)
        np.testing.assert_allclose(mapped[1].numpy()[k], g.numpy(), rtol=1e-10, atol=1e-12)
    herm = _hermitian([1.0, 2.0, 4.0], batch=(3,))
    mapped = tape.vmap(lambda a: tape.linalg.eigh(a)[1])(tape.constant(herm))
    np.testing.assert_array_equal(mapped.numpy(), np.linalg.eigh(herm)[1])


# --------------------------------------------------------------------------- where undefined


def test_repeated_eigenvalues() -> None:
    """At A = 2 I (complex): the eigenvalues' gradient for sum(e) is the trace's, I; a loss
    of the eigenvectors that couples the equal eigenvalues gets NaN (as JAX; TensorFlow
    gives 0), one that does not couple them (|v|^2 summed) gets 0."""
    a = 2 * np.eye(3, dtype=complex)
    g = _grad(lambda x: tape.math.real(tape.reduce_sum(tape.linalg.eigvals(x))), a)
    np.testing.assert_allclose(g, np.eye(3), atol=1e-15)
    g = _grad(lambda x: tape.math.real(tape.reduce_sum(tape.linalg.eig(x)[1][0])), a)
    assert np.isnan(g).any()
    g = _grad(lambda x: tape.reduce_sum(tape.math.abs(tape.linalg.eig(x)[1]) ** 2), a)
    np.testing.assert_array_equal(g, 0)
    h = np.diag([1.0, 3.0, 1.0]).astype(complex)  # eigenvalues 1, 1, 3, exactly equal
    g = _grad(lambda x: tape.math.real(tape.reduce_sum(tape.linalg.eigh(x)[1][0])), h)
    assert np.isnan(g).any()
    # sum |v|^2 over a unitary matrix is n, a constant: gradient 0
    g = _grad(lambda x: tape.reduce_sum(tape.math.abs(tape.linalg.eigh(x)[1]) ** 2), h)
    np.testing.assert_allclose(g, 0, atol=1e-15)
    g = _grad(lambda x: tape.reduce_sum(tape.linalg.eigvalsh(x)), h)  # the trace's: I
    np.testing.assert_allclose(g, np.eye(3), atol=1e-12)
    s2 = np.diag([2.0, 1.0, 2.0]) * np.exp(0.3j)
    # the nuclear norm's gradient is U V^H, here e^{0.3i} I
    g = _grad(lambda x: tape.reduce_sum(tape.linalg.svd(x, compute_uv=False)), s2)
    np.testing.assert_allclose(g, np.exp(0.3j) * np.eye(3), atol=1e-14)
    g = _grad(lambda x: tape.math.real(tape.reduce_sum(tape.linalg.svd(x)[1])), s2)
    assert np.isnan(g).any()


def test_a_defective_matrix() -> None:
    """A Jordan block: its eigenvectors do not span, and a single eigenvalue is not
    differentiable (it moves as the square root of a change in the corner below the
    diagonal): LAPACK's eigenvectors are parallel up to rounding, and that gradient is of
    the order of 1 / eps, where TensorFlow's and JAX's are too. The sum of the eigenvalues,
    the trace, keeps its gradient I."""
    jordan = np.array([[1.0, 1.0], [0.0, 1.0]])
    for a in (jordan, jordan.astype(complex)):
        g = _grad(lambda x: tape.math.real(tape.reduce_sum(tape.linalg.eigvals(x))), a)
        np.testing.assert_allclose(g, np.eye(2), atol=1e-12)
        g = _grad(lambda x: tape.math.real(tape.linalg.eigvals(x)[0]), a)
        assert abs(g[1, 0]) > 1e12


def test_the_full_qr_of_a_tall_complex_matrix_refuses_its_gradient_clearly() -> None:
    x = tape.constant(_c(4, 3))
    with tape.GradientTape() as t:
        t.watch(x)
        q, r = tape.linalg.qr(x, full_matrices=True)
    with pytest.raises(NotImplementedError, match="full_matrices"):
        t.gradient(q, x)


def test_numpys_hermitian_svd_and_one_triangle_cholesky_are_numpys():
    """np.linalg.svd(hermitian=True) is NumPy's (from the eigendecomposition), and
    np.linalg.cholesky reads one triangle as NumPy does; gradients against central
    differences."""
    rng = np.random.default_rng(7)
    a = rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4))
    h = a + a.conj().T
    p = a @ a.conj().T + 4 * np.eye(4)
    p[0, 2] += 0.3  # not Hermitian: only one triangle counts
    for got, expected in [
        (np.linalg.svd(tape.constant(h), hermitian=True), np.linalg.svd(h, hermitian=True)),
        (np.linalg.svd(tape.constant(p), hermitian=True), np.linalg.svd(p, hermitian=True)),
    ]:
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g.numpy(), e, atol=1e-12)
    for upper in (False, True):
        q = p.conj().T if upper else p
        np.testing.assert_allclose(np.linalg.cholesky(tape.constant(q), upper=upper).numpy(),
                                   np.linalg.cholesky(q, upper=upper), atol=1e-12)
    tape.check_gradients(lambda m: np.linalg.cholesky(m), [p])
    tape.check_gradients(lambda m: np.linalg.svd(m, hermitian=True, compute_uv=False), [h])


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_eig_of_empty_matrices(dtype):
    a = tape.constant(np.zeros((2, 0, 0), dtype))
    e, v = tape.linalg.eig(a)
    assert e.shape == (2, 0) and v.shape == (2, 0, 0)
    with tape.GradientTape() as t:
        t.watch(a)
        y = tape.reduce_sum(tape.math.abs(np.linalg.eig(a)[1]))
    assert t.gradient(y, a).shape == (2, 0, 0)
