"""NumPy's linear algebra called on tensors: values, shapes, dtypes and errors match NumPy on
plain arrays; gradients match closed forms; the conventions at kinks and the limits of pinv's
derivative hold. (Every function also runs through the op sweep: tests/samples/linalg.py.)"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tape

R = np.random.default_rng(3)


def _t(x):
    return tape.constant(x) if isinstance(x, np.ndarray) else x


def _same_as_numpy(f, *args, **kwargs) -> None:
    """``f`` on tensors gives NumPy's value, shape and dtype, or NumPy's class of error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = np.asarray(f(*args, **kwargs))
        except Exception as e:  # noqa: BLE001  (the class is compared below)
            with pytest.raises(type(e)):
                f(*[_t(a) for a in args], **kwargs)
            return
        got = f(*[_t(a) for a in args], **kwargs)
    assert isinstance(got, tape.Tensor)
    value = got.numpy()
    assert value.shape == expected.shape, (value.shape, expected.shape)
    assert value.dtype == expected.dtype, (value.dtype, expected.dtype)
    np.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-12)


def _grad(f, x, **kwargs):
    x = tape.constant(x)
    with tape.GradientTape() as t:
        t.watch(x)
        y = tape.reduce_sum(f(x, **kwargs))
    return t.gradient(y, x)


# --------------------------------------------------------------------------- norms

NORM_INPUTS = [
    R.standard_normal(5),
    R.standard_normal((3, 4)),
    R.standard_normal((2, 3, 4)),
    R.standard_normal((3, 4)).astype(np.float32),
    np.arange(6).reshape(2, 3),  # integers: computed in float64, as NumPy
    np.zeros((0, 3)),
    np.zeros((3, 0)),
    np.array(-2.0),
]
ORDS = [None, 2, 1, np.inf, -np.inf, 0, 3, 0.5, -1, -2, -1.5, "fro", "f", "nuc", "bad"]
AXES = [None, 0, -1, (0,), (0, 1), (1, 0), (-1, -2), (0, 0), (0, 1, 2), 5]


@pytest.mark.parametrize("x", NORM_INPUTS, ids=lambda x: f"{x.dtype}{list(x.shape)}")
@pytest.mark.parametrize("ord", ORDS, ids=repr)
def test_norm_matches_numpy(x, ord):
    for axis in AXES:
        for keepdims in (False, True):
            _same_as_numpy(np.linalg.norm, x, ord=ord, axis=axis, keepdims=keepdims)


@pytest.mark.parametrize("x", NORM_INPUTS[:6], ids=lambda x: f"{x.dtype}{list(x.shape)}")
def test_vector_and_matrix_norm_match_numpy(x):
    for ord in (2, 1, np.inf, -np.inf, 0, 3, -1, 0.5):
        for axis in (None, 0, -1, (0, 1), (1, 0), (0, 1, 2)):
            for keepdims in (False, True):
                _same_as_numpy(np.linalg.vector_norm, x, ord=ord, axis=axis, keepdims=keepdims)
    for ord in ("fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf, 3):
        for keepdims in (False, True):
            _same_as_numpy(np.linalg.matrix_norm, x, ord=ord, keepdims=keepdims)


def test_vector_norm_gradients_closed_form():
    x = R.uniform(0.5, 1.5, 6) * R.choice([-1.0, 1.0], 6)
    for p in (3.0, 1.5, 0.5, -1.0, -2.5):
        n = np.sum(np.abs(x) ** p) ** (1 / p)
        expected = np.sign(x) * (np.abs(x) / n) ** (p - 1)
        np.testing.assert_allclose(_grad(np.linalg.norm, x, ord=p).numpy(), expected)
    np.testing.assert_allclose(_grad(np.linalg.norm, x).numpy(), x / np.linalg.norm(x))
    np.testing.assert_allclose(_grad(np.linalg.norm, x, ord=1).numpy(), np.sign(x))
    for ord, pick in ((np.inf, np.argmax), (-np.inf, np.argmin)):
        expected = np.zeros(6)
        expected[pick(np.abs(x))] = np.sign(x[pick(np.abs(x))])
        np.testing.assert_allclose(_grad(np.linalg.norm, x, ord=ord).numpy(), expected)
    np.testing.assert_array_equal(_grad(np.linalg.norm, x, ord=0).numpy(), np.zeros(6))


def test_matrix_norm_gradients_closed_form():
    a = R.standard_normal((3, 4))
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    np.testing.assert_allclose(_grad(np.linalg.norm, a, ord="nuc").numpy(), u @ vh)
    np.testing.assert_allclose(
        _grad(np.linalg.norm, a, ord=2).numpy(), np.outer(u[:, 0], vh[0]), atol=1e-12
    )
    np.testing.assert_allclose(
        _grad(np.linalg.norm, a, ord=-2).numpy(), np.outer(u[:, -1], vh[-1]), atol=1e-12
    )
    np.testing.assert_allclose(_grad(np.linalg.norm, a, ord="fro").numpy(), a / np.sqrt(
        np.sum(a * a)))
    col = np.argmax(np.abs(a).sum(axis=0))
    expected = np.zeros_like(a)
    expected[:, col] = np.sign(a[:, col])
    np.testing.assert_allclose(_grad(np.linalg.norm, a, ord=1).numpy(), expected)
    row = np.argmin(np.abs(a).sum(axis=1))
    expected = np.zeros_like(a)
    expected[row] = np.sign(a[row])
    np.testing.assert_allclose(_grad(np.linalg.norm, a, ord=-np.inf).numpy(), expected)


def test_norm_count_has_zero_gradient_and_float_dtype():
    x = tape.constant(np.array([0.0, 1.5, -2.0], dtype=np.float32))
    with tape.GradientTape() as t:
        t.watch(x)
        y = np.linalg.norm(x, ord=0)
    assert y.dtype == np.float32 and float(y) == 2.0
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), np.zeros(3, np.float32))


# --------------------------------------------------------------------------- pinv


PINV_INPUTS = [
    R.standard_normal((3, 3)) + 3 * np.eye(3),
    R.standard_normal((4, 3)),
    R.standard_normal((2, 5)),
    R.standard_normal((2, 3, 4)),
    np.zeros((0, 3)),
    np.zeros((2, 0, 3)),
    np.zeros((3, 3)),
    (R.standard_normal((3, 3)) + 3 * np.eye(3)).astype(np.float32),
]


@pytest.mark.parametrize("a", PINV_INPUTS, ids=lambda x: f"{x.dtype}{list(x.shape)}")
def test_pinv_matches_numpy(a):
    for kw in ({}, {"rcond": 1e-3}, {"rtol": 1e-5}, {"rtol": None}, {"hermitian": True},
               {"rcond": 1e-3, "rtol": 1e-2}):
        _same_as_numpy(np.linalg.pinv, a, **kw)
    s = R.standard_normal((3, 3))
    _same_as_numpy(np.linalg.pinv, np.tril(s), hermitian=True)  # the lower triangle is read


def test_pinv_gradient_of_square_matrix_is_inverse_gradient():
    a = R.standard_normal((3, 3)) + 3 * np.eye(3)
    ai = np.linalg.inv(a)
    g = np.ones((3, 3))
    np.testing.assert_allclose(_grad(np.linalg.pinv, a).numpy(), -ai.T @ g @ ai.T)


def test_pinv_of_orthogonal_matrix_has_a_gradient():
    """Repeated singular values are no problem for pinv's derivative (only rank changes)."""
    q, _ = np.linalg.qr(R.standard_normal((3, 3)))
    g = _grad(np.linalg.pinv, q).numpy()
    np.testing.assert_allclose(g, -q @ np.ones((3, 3)) @ q)  # inv(Q)^T = Q


def test_pinv_hermitian_gradient_is_lower_triangular():
    s = R.standard_normal((3, 3))
    a = s + s.T + np.diag([3.0, -4.0, 5.0])
    g = _grad(np.linalg.pinv, a, hermitian=True).numpy()
    assert np.all(np.triu(g, 1) == 0)
    tape.check_gradients(lambda x: np.linalg.pinv(x, hermitian=True), [a], order=2)


def _rank2_matrix():
    u, _ = np.linalg.qr(R.standard_normal((4, 2)))
    v, _ = np.linalg.qr(R.standard_normal((3, 2)))
    return u, v, (u * [3.0, 1.0]) @ v.T


def test_pinv_rank_deficient_derivative_along_its_rank():
    """At a rank-2 4x3 matrix, along a path of rank-2 matrices, the derivative is exact."""
    u, v, a = _rank2_matrix()
    m, n = R.standard_normal((4, 4)), R.standard_normal((3, 3))

    def path(t):  # (I + t M) A (I + t N): rank 2 for small t
        return (np.eye(4) + t * m) @ a @ (np.eye(3) + t * n)

    da = m @ a + a @ n
    h = 1e-6
    fd = (np.linalg.pinv(path(h), rcond=1e-8) - np.linalg.pinv(path(-h), rcond=1e-8)) / (2 * h)
    x = tape.constant(a)
    with tape.autodiff.ForwardAccumulator(x, tape.constant(da)) as acc:
        y = np.linalg.pinv(x, rcond=1e-8)
    np.testing.assert_allclose(acc.jvp(y).numpy(), fd, rtol=1e-6, atol=1e-6)


def test_pinv_truncated_first_derivative_matches_finite_differences():
    """With an rcond that keeps the rank at 2 around a rank-2 matrix, the truncated
    pseudo-inverse is smooth: its first derivative is the one tape gives."""
    _, _, a = _rank2_matrix()
    tape.check_gradients(lambda x: np.linalg.pinv(x, rcond=0.1), [a], order=1)


def test_pinv_refuses_derivative_when_rcond_cuts_nonzero_singular_values():
    u, _ = np.linalg.qr(R.standard_normal((3, 3)))
    a = (u * [3.0, 2.0, 0.5]) @ u.T
    x = tape.constant(a)
    with tape.GradientTape() as t:
        t.watch(x)
        y = np.linalg.pinv(x, rcond=0.3)  # drops 0.5 <= 0.9: a value is fine
    np.testing.assert_allclose(y.numpy(), np.linalg.pinv(a, rcond=0.3))
    with pytest.raises(NotImplementedError, match="rcond"):
        t.gradient(y, x)


def test_pinv_rejects_rcond_and_rtol_together():
    with pytest.raises(ValueError, match="rtol"):
        np.linalg.pinv(tape.constant(np.eye(2)), rcond=0.1, rtol=0.1)


def test_tf_pinv_default_rcond():
    a = R.standard_normal((4, 3))
    np.testing.assert_allclose(
        tape.linalg.pinv(tape.constant(a)).numpy(),
        np.linalg.pinv(a, rcond=10 * 4 * np.finfo(np.float64).eps),
    )


# --------------------------------------------------------------------------- matrix_power


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 8, -1, -2, -5, 2.0, "2"])
def test_matrix_power_matches_numpy(n):
    for a in (R.standard_normal((3, 3)) + 3 * np.eye(3), R.standard_normal((2, 3, 3)),
              np.zeros((0, 2, 2)), np.arange(9).reshape(3, 3), R.standard_normal((4, 3))):
        if isinstance(n, int) and n < 0 and a.dtype.kind == "i":
            continue
        _same_as_numpy(np.linalg.matrix_power, a, n)


def test_matrix_power_gradients_closed_form():
    a = R.standard_normal((3, 3)) + 3 * np.eye(3)
    g = np.ones((3, 3))
    np.testing.assert_allclose(  # d(A^3) = dA A^2 + A dA A + A^2 dA
        _grad(np.linalg.matrix_power, a, n=3).numpy(),
        g @ (a @ a).T + a.T @ g @ a.T + (a @ a).T @ g,
    )
    ai = np.linalg.inv(a)
    np.testing.assert_allclose(_grad(np.linalg.matrix_power, a, n=-1).numpy(), -ai.T @ g @ ai.T)


def test_matrix_power_zero_is_a_constant():
    x = tape.constant(R.standard_normal((2, 3, 3)))
    with tape.GradientTape() as t:
        t.watch(x)
        y = np.linalg.matrix_power(x, 0)
    np.testing.assert_array_equal(y.numpy(), np.broadcast_to(np.eye(3), (2, 3, 3)))
    assert t.gradient(y, x) is None


# --------------------------------------------------------------------------- multi_dot, einsum


def test_multi_dot_matches_numpy():
    mats = [R.standard_normal(s) for s in [(5,), (5, 3), (3, 7), (7, 2), (2, 4), (4,)]]
    for i in range(len(mats)):
        for j in range(i + 2, len(mats) + 1):
            _same_as_numpy(lambda *xs: np.linalg.multi_dot(list(xs)), *mats[i:j])
    b = R.standard_normal((2, 3, 4))
    _same_as_numpy(lambda x, y: np.linalg.multi_dot([x, y]), b, b[0].T)  # two: dot
    _same_as_numpy(lambda *xs: np.linalg.multi_dot(list(xs)), mats[1], b, mats[2])
    with pytest.raises(ValueError, match="at least two"):
        np.linalg.multi_dot([tape.constant(mats[1])])
    with pytest.raises(NotImplementedError, match="out="):
        np.linalg.multi_dot([tape.constant(mats[1]), mats[2], mats[3]], out=np.empty((5, 2)))


EINSUM_CALLS = [
    (lambda a, b: np.einsum(a, [0, 1], b, [1, 2]), ((4, 3), (3, 3))),
    (lambda a, b: np.einsum(a, [0, 1], b, [1, 2], [2, 0]), ((4, 3), (3, 3))),
    (lambda a, b: np.einsum(a, [..., 0, 1], b, [1, 2], [..., 2]), ((2, 3, 4), (4, 3))),
    (lambda a, b: np.einsum(a, [..., 1], b, [2]), ((2, 3, 4), (3,))),
    (lambda a: np.einsum(a, [0, 0]), ((3, 3),)),
    (lambda a: np.einsum(a, [0, 0], []), ((3, 3),)),
    (lambda a: np.einsum(a, [0, 0], [0]), ((3, 3),)),
    (lambda a, b: np.einsum(a, [30, 51], b, [51, 0]), ((3, 4), (4, 2))),
]


@pytest.mark.parametrize(("call", "shapes"), EINSUM_CALLS)
def test_einsum_sublists_match_numpy(call, shapes):
    _same_as_numpy(call, *[R.standard_normal(s) for s in shapes])


def test_einsum_sublist_gradient_is_the_string_forms():
    a, b = R.standard_normal((3, 4)), R.standard_normal((4, 2))
    g = _grad(lambda x: np.einsum(x, [0, 1], b, [1, 2]), a).numpy()
    np.testing.assert_allclose(g, np.tile(b.sum(1), (3, 1)))


def test_einsum_sublist_errors():
    a = tape.constant(np.eye(2))
    with pytest.raises(ValueError, match="range"):
        np.einsum(a, [0, 60])
    with pytest.raises(TypeError, match="Ellipsis"):
        np.einsum(a, ["a", "b"])
    with pytest.raises(NotImplementedError, match="dtype"):
        np.einsum("ij->", a, dtype=np.float32)
    np.einsum("ij->", a, casting="safe", order="K")  # the defaults are accepted


# --------------------------------------------------------------------------- kron, cross


@pytest.mark.parametrize(("sa", "sb"), [
    ((2, 3), (3, 2)), ((3,), (2,)), ((2, 3, 2), (3, 3)), ((3, 3), (2, 3, 2)), ((), (2, 3)),
    ((2, 3), ()), ((0, 2), (2, 2)),
])
def test_kron_matches_numpy(sa, sb):
    a, b = R.standard_normal(sa), R.standard_normal(sb)
    _same_as_numpy(np.kron, a, b)
    _same_as_numpy(np.kron, a, b.astype(np.float32))
    _same_as_numpy(np.kron, a, np.arange(b.size).reshape(sb))


def test_kron_gradient_closed_form():
    a, b = R.standard_normal((2, 3)), R.standard_normal((3, 2))
    # d sum(kron(a, b)) / d a[i, j] = sum(b)
    np.testing.assert_allclose(_grad(lambda x: np.kron(x, b), a).numpy(), np.full((2, 3),
                               b.sum()))


CROSS_CASES = [
    ((4, 3), (4, 3), {}), ((3,), (3,), {}), ((2, 1, 3), (5, 3), {}),
    ((3, 4), (4, 3), {"axisa": 0}), ((4, 3), (3, 4), {"axisb": 0, "axisc": 0}),
    ((3, 2, 4), (3, 2, 4), {"axis": 0}), ((2, 3, 4), (4, 3), {"axisa": 1, "axisc": 1}),
    ((4, 2), (4, 3), {}), ((4, 3), (4, 2), {}), ((4, 2), (4, 2), {}), ((2,), (2,), {}),
    ((0, 3), (1, 3), {}), ((4, 3), (4, 3), {"axisc": 5}), ((4, 4), (4, 3), {}),
    ((4, 3), (4, 3), {"axisa": 3}),
]


@pytest.mark.parametrize(("sa", "sb", "kw"), CROSS_CASES)
def test_cross_matches_numpy(sa, sb, kw):
    _same_as_numpy(np.cross, R.standard_normal(sa), R.standard_normal(sb), **kw)


def test_cross_rejects_scalars_and_warns_for_2_vectors():
    with pytest.raises(ValueError, match="zero dimension"):
        np.cross(tape.constant(np.ones(3)), 1.0)
    with pytest.warns(DeprecationWarning, match="2-dimensional"):
        np.cross(tape.constant(np.ones(2)), np.ones(2))


def test_cross_gradient_closed_form():
    a, b = R.standard_normal((4, 3)), R.standard_normal((4, 3))
    u = np.ones((4, 3))
    # <u, a x b> = <b x u, a>
    np.testing.assert_allclose(_grad(lambda x: np.cross(x, b), a).numpy(), np.cross(b, u))


# --------------------------------------------------------------------------- cond, rank, eigvalsh


def test_cond_matches_numpy():
    a = R.standard_normal((3, 3)) + 3 * np.eye(3)
    for x in (a, R.standard_normal((4, 3)), R.standard_normal((2, 3, 4)), np.zeros((3, 3)),
              a.astype(np.float32), np.zeros((0, 3))):
        for p in (None, 2, -2, 1, -1, np.inf, -np.inf, "fro", "nuc"):
            if x.shape == (3, 3) and not x.any() and p not in (None, 2, -2):
                continue  # singular: see below
            _same_as_numpy(np.linalg.cond, x, p)


def test_cond_of_singular_matrix_with_an_inverse_norm_is_an_error():
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        np.linalg.cond(tape.constant(np.diag([1.0, 0.0])), "fro")


def test_cond_gradient_closed_form():
    a = R.standard_normal((3, 3)) + 3 * np.eye(3)
    u, s, vh = np.linalg.svd(a)
    expected = np.outer(u[:, 0], vh[0]) / s[-1] - s[0] / s[-1] ** 2 * np.outer(u[:, -1], vh[-1])
    np.testing.assert_allclose(_grad(np.linalg.cond, a).numpy(), expected, atol=1e-12)


def test_matrix_rank_is_an_integer_without_gradient():
    a = (R.standard_normal((2, 4, 2)) @ R.standard_normal((2, 2, 3)))
    for kw in ({}, {"tol": 0.5}, {"rtol": 0.3}, {"hermitian": False}):
        _same_as_numpy(np.linalg.matrix_rank, a, **kw)
    _same_as_numpy(np.linalg.matrix_rank, np.ones(3))
    x = tape.constant(a)
    with tape.GradientTape() as t:
        t.watch(x)
        r = np.linalg.matrix_rank(x)
    np.testing.assert_array_equal(r.numpy(), [2, 2])
    with pytest.warns(UserWarning, match="floating"):
        assert t.gradient(r, x) is None


def test_eigvalsh_upper_triangle():
    s = R.standard_normal((3, 3))
    for uplo in ("L", "U", "u"):
        _same_as_numpy(np.linalg.eigvalsh, s, UPLO=uplo)
    g = _grad(np.linalg.eigvalsh, s, UPLO="U").numpy()  # sum of eigenvalues = trace
    np.testing.assert_allclose(g, np.eye(3), atol=1e-12)
