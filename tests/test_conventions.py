"""docs/conventions.md, row by row: tape's value at every special point it documents.

Each row of the page's table is a ``Row`` here: its first cell (the point), its tape cell
word for word, and a check that computes tape's value and compares it with a closed form (a
number worked out by hand, or NumPy's own decomposition for the linear-algebra rows). The
first test fails when the page and this list disagree, so a change of a convention must
change the page too; the second runs the checks. Elementwise rows are checked in reverse and
forward mode, to the order the row names.

Then ``x ** y`` at its special points in more detail: every exponent type, every order up to
the third, reverse, forward and mixed modes, float32 and float64.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tape

PAGE = Path(__file__).resolve().parent.parent / "docs" / "conventions.md"
ZERO = tape.UnconnectedGradients.ZERO

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
NAN, INF = math.nan, math.inf


# --------------------------------------------------------------------------- derivatives


def _c(x: Any, dtype: Any = np.float64) -> tape.Tensor:
    return tape.constant(np.asarray(x, dtype=dtype))


def rev(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """x -> the gradient of sum(f(x)) by a tape (0 where unconnected); nests for higher
    orders: rev(rev(f)) records the inner gradient on the outer tape."""

    def df(x: Any) -> Any:
        with tape.GradientTape() as t:
            t.watch(x)
            y = f(x)
        return t.gradient(y, x, unconnected_gradients=ZERO)

    return df


def fwd(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """x -> the derivative of an elementwise f by a forward accumulator with tangent 1;
    nests like ``rev``."""

    def df(x: Any) -> Any:
        with tape.autodiff.ForwardAccumulator(x, tape.ones_like(x)) as acc:
            y = f(x)
        return acc.jvp(y, unconnected_gradients=ZERO)

    return df


def grad_sum(f: Callable[..., Any], *args: Any, wrt: int = 0) -> np.ndarray:
    """The gradient of sum(f(*args)) with respect to args[wrt] (float64 tensors)."""
    xs = [_c(a) for a in args]
    with tape.GradientTape() as t:
        t.watch(xs[wrt])
        y = tape.reduce_sum(f(*xs))
    return t.gradient(y, xs[wrt], unconnected_gradients=ZERO).numpy()


def fwd_grad_sum(f: Callable[..., Any], *args: Any, wrt: int = 0) -> np.ndarray:
    """The same gradient by forward mode: one tangent per element of args[wrt]."""
    base = [np.asarray(a, dtype=np.float64) for a in args]
    out = np.zeros(base[wrt].shape)
    for idx in np.ndindex(base[wrt].shape):
        xs = [_c(a) for a in base]
        tangent = np.zeros(base[wrt].shape)
        tangent[idx] = 1.0
        with tape.autodiff.ForwardAccumulator(xs[wrt], _c(tangent)) as acc:
            y = tape.reduce_sum(f(*xs))
        out[idx] = acc.jvp(y, unconnected_gradients=ZERO).numpy()
    return out


def same(actual: Any, expected: Any) -> None:
    """Equal to the closed form (NaN matches NaN, inf matches inf of the same sign)."""
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64),
                               np.asarray(expected, dtype=np.float64), rtol=1e-12, atol=0)


def orders(f: Callable[[Any], Any], x: Any, expected: list[Any]) -> None:
    """The derivatives of elementwise f at x of order 1, 2, ... equal ``expected``, by nested
    reverse mode and by nested forward mode."""
    for mode in (rev, fwd):
        df = f
        for k, value in enumerate(expected, 1):
            df = mode(df)
            got = df(_c(x))
            assert got is not None, f"{mode.__name__}: order {k} is unconnected"
            same(got.numpy(), value)


def both_modes(f: Callable[..., Any], args: tuple, expected: Any, wrt: int = 0) -> None:
    same(grad_sum(f, *args, wrt=wrt), expected)
    same(fwd_grad_sum(f, *args, wrt=wrt), expected)


def raises_on_watched(func: Callable[..., Any], exc: type, x: Any) -> None:
    t = tape.Variable(_c(x))
    with tape.GradientTape() as g, pytest.raises(exc):
        g.gradient(tape.reduce_sum(func(t)), t)


# --------------------------------------------------------------------------- the rows


@dataclass
class Row:
    point: str  # the table's first cell
    tape: str  # the table's tape cell, word for word
    check: Callable[[], None]


def _abs() -> None:
    orders(tape.abs, [0.0, -0.0], [[0.0, 0.0], [0.0, 0.0]])


def _sign() -> None:
    orders(tape.sign, [0.0, 1.5, -2.0], [[0.0] * 3])


def _leaky() -> None:
    orders(lambda x: tape.nn.leaky_relu(x, alpha=0.2), 0.0, [0.2, 0.0])
    orders(lambda x: tape.nn.leaky_relu(x, alpha=0.1), 0.0, [0.1])


def _piecewise_constant() -> None:
    jumps = [1.0, -2.0, 0.5, 1.5, -2.5, 0.3]
    for op in (tape.floor, tape.math.ceil, tape.round):
        orders(op, jumps, [[0.0] * 6])
    both_modes(tape.math.floordiv, ([2.0, 3.0], [1.0, 1.5]), [0.0, 0.0], wrt=0)
    both_modes(tape.math.floordiv, ([2.0, 3.0], [1.0, 1.5]), [0.0, 0.0], wrt=1)


def _floormod() -> None:
    x, y = np.array([3.0, -3.0, 1.0]), np.array([1.5, 1.5, 1.0])  # x / y = 2, -2, 1
    both_modes(tape.math.floormod, (x, y), -np.floor(x / y), wrt=1)
    both_modes(tape.math.floormod, (x, y), [1.0, 1.0, 1.0], wrt=0)


def _atan2() -> None:
    with np.errstate(all="ignore"):
        both_modes(tape.math.atan2, (0.0, 0.0), NAN, wrt=0)
        both_modes(tape.math.atan2, (0.0, 0.0), NAN, wrt=1)


def _ties() -> None:
    for op in (tape.maximum, tape.minimum, np.maximum, np.minimum):
        both_modes(op, ([1.0, -2.0], [1.0, -2.0]), [1.0, 1.0], wrt=0)
        both_modes(op, ([1.0, -2.0], [1.0, -2.0]), [0.0, 0.0], wrt=1)


def _clip() -> None:
    t = [-1.0, 1.0, 0.5]
    both_modes(lambda t: tape.clip_by_value(t, -1.0, 1.0), (t,), [1.0, 1.0, 1.0])
    both_modes(lambda t: np.clip(t, -1.0, 1.0), (t,), [1.0, 1.0, 1.0])
    both_modes(lambda t, lo: tape.clip_by_value(t, lo, 1.0), (t, [-1.0, 0.0, 0.0]),
               [0.0, 0.0, 0.0], wrt=1)  # the bound gets nothing at a tie


def _extremes() -> None:
    for op in (tape.reduce_max, np.max):
        both_modes(op, ([1.0, 3.0, 3.0],), [0.0, 0.5, 0.5])
        both_modes(op, ([4.0, 4.0, 4.0],), [1 / 3] * 3)
    for op in (tape.reduce_min, np.min):
        both_modes(op, ([1.0, 1.0, 3.0],), [0.5, 0.5, 0.0])
        both_modes(op, ([2.0, 2.0, 2.0, 2.0],), [0.25] * 4)


def _max_pool() -> None:
    x = np.ones((1, 2, 2, 1))
    both_modes(lambda x: tape.nn.max_pool2d(x, 2, 2, "VALID"), (x,),
               np.array([1.0, 0.0, 0.0, 0.0]).reshape(x.shape))
    x = np.array([[1.0, 5.0, 5.0, 0.0], [5.0, 2.0, 5.0, 5.0]]).reshape(1, 2, 4, 1)
    both_modes(lambda x: tape.nn.max_pool2d(x, 2, 2, "VALID"), (x,),
               np.array([[0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]]).reshape(x.shape))


def _where(branch: Callable[[Any], Any], x: float) -> Callable[[], None]:
    def check() -> None:
        def f(x):
            return tape.where(x > 0, branch(x), 0.0)

        with np.errstate(all="ignore"):
            same(grad_sum(f, x), NAN)  # 0 * inf (or 0 * NaN) in the branch not taken
            same(fwd_grad_sum(f, x), 0.0)  # its tangent is not selected
            # the double where: a safe input for the branch not taken
            both_modes(lambda x: tape.where(x > 0, branch(tape.where(x > 0, x, 1.0)), 0.0),
                       (x,), 0.0)

    return check


def _sort() -> None:
    # sorted [1, 1, 0] is [x2, x0, x1] in a stable sort: output k's weight goes to its input
    w = np.array([10.0, 20.0, 30.0])
    for kw in ({"stable": True}, {"kind": "stable"}):
        both_modes(lambda x, kw=kw: np.sort(x, **kw) * _c(w), ([1.0, 1.0, 0.0],),
                   [20.0, 30.0, 10.0])
    x = np.array([[2.0, 1.0, 2.0], [0.0, 0.0, 0.0]])
    both_modes(lambda x: np.sort(x, axis=1, stable=True) * _c(w), (x,),
               [[20.0, 10.0, 30.0], [10.0, 20.0, 30.0]])


def _median() -> None:
    # median [2, 1, 1, 3] = (s1 + s2) / 2 of the sorted [1, 1, 2, 3]: s2 = 2 is x0 (1/2); s1
    # is a 1, tied with s0, so the two 1s share its 1/2, as ties of reduce_max share
    both_modes(np.median, ([2.0, 1.0, 1.0, 3.0],), [0.5, 0.25, 0.25, 0.0])
    both_modes(lambda x: np.quantile(x, 0.5), ([2.0, 1.0, 1.0, 3.0],), [0.5, 0.25, 0.25, 0.0])


def _l2_at_zero() -> None:
    for f in (tape.norm, tape.math.reduce_euclidean_norm, np.linalg.norm):
        both_modes(f, (np.zeros(3),), np.zeros(3))
    both_modes(lambda x: tape.norm(x, ord="fro", axis=(0, 1)), (np.zeros((2, 2)),),
               np.zeros((2, 2)))
    both_modes(np.linalg.norm, (np.zeros((2, 2)),), np.zeros((2, 2)))


def _pnorm_at_zero() -> None:
    for p in (3, 1.5, 0.5):
        both_modes(lambda x, p=p: tape.norm(x, ord=p), (np.zeros(3),), np.zeros(3))
        both_modes(lambda x, p=p: np.linalg.norm(x, ord=p), (np.zeros(3),), np.zeros(3))


def _pnorm_small_p() -> None:
    # d/dx_i (sum |x|^p)^(1/p) = sign(x_i) (|x_i| / norm)^(p - 1): 1 at x_i = norm = 1, and
    # the zero element (where |x_i|^(p-1) is infinite for p < 1) takes 0
    both_modes(lambda x: tape.norm(x, ord=0.5), ([1.0, 0.0],), [1.0, 0.0])


def _norm1() -> None:
    both_modes(lambda x: tape.norm(x, ord=1), (np.zeros(2),), np.zeros(2))


def _norm_inf_zero() -> None:
    both_modes(lambda x: tape.norm(x, ord=np.inf), (np.zeros(2),), np.zeros(2))


def _norm_inf_tie() -> None:
    both_modes(lambda x: tape.norm(x, ord=np.inf), ([1.0, -1.0],), [0.5, -0.5])


def _norm2_zero_matrix() -> None:
    # a singular value of exactly 0 passes no gradient: 0, the subgradient of least norm
    for f in (lambda x: tape.norm(x, ord=2, axis=(0, 1)), lambda x: np.linalg.norm(x, 2),
              lambda x: np.linalg.norm(x, "nuc")):
        same(grad_sum(f, np.zeros((2, 2))), np.zeros((2, 2)))


def _std_constant() -> None:
    for f in (tape.math.reduce_std, np.std):
        both_modes(f, (np.full(3, 2.0),), np.zeros(3))


def _clip_by_norm() -> None:
    both_modes(lambda t: tape.clip_by_norm(t, 1.0), (np.zeros(3),), np.ones(3))


def _exponents(n: int) -> list[Any]:
    """The same exponent n as a Python int and float, a NumPy number, and tensors."""
    return [n, float(n), np.float64(n), _c(float(n)), tape.constant(n, dtype=tape.int64)]


def _pow_zero() -> None:
    for y in _exponents(0):
        orders(lambda x, y=y: x**y, [0.0, 2.0, -1.5], [[0.0] * 3] * 3)


def _pow_one() -> None:
    for y in _exponents(1):
        orders(lambda x, y=y: x**y, [0.0, -1.5], [[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]])


def _pow_two() -> None:
    for y in _exponents(2):
        orders(lambda x, y=y: x**y, [0.0, 3.0], [[0.0, 6.0], [2.0, 2.0], [0.0, 0.0]])


def _pow_fractional() -> None:
    with np.errstate(all="ignore"):
        for y in (0.5, 0.25):
            orders(lambda x, y=y: x**y, 0.0, [INF])
        orders(tape.sqrt, 0.0, [INF])


def _zero_base_nonnegative() -> None:
    for y in (0.0, 0.5, 1.0, 2.0, 3.5):
        both_modes(tape.pow, (0.0, y), 0.0, wrt=1)
        same(rev(lambda y: tape.pow(_c(0.0), y))(_c(y)), 0.0)
        same(rev(rev(lambda y: tape.pow(_c(0.0), y)))(_c(y)), 0.0)


def _zero_base_negative() -> None:
    with np.errstate(all="ignore"):
        both_modes(tape.pow, (0.0, -1.0), NAN, wrt=1)


def _negative_base_integer() -> None:
    for y in (2.0, 3.0, 0.0):
        both_modes(tape.pow, (-2.0, y), 0.0, wrt=1)
        # d/dx keeps its value, y x^(y-1)
        both_modes(tape.pow, (-2.0, y), y * (-2.0) ** (y - 1) if y else 0.0, wrt=0)


def _negative_base_fractional() -> None:
    with np.errstate(all="ignore"):
        assert np.isnan(tape.pow(_c(-2.0), _c(0.5)).numpy())
        both_modes(tape.pow, (-2.0, 0.5), NAN, wrt=0)
        both_modes(tape.pow, (-2.0, 0.5), NAN, wrt=1)


def _singular(op: Callable[[Any], Any]) -> Callable[[], None]:
    def check() -> None:
        for a in ([[1.0, 2.0], [2.0, 4.0]], np.zeros((2, 2))):
            raises_on_watched(op, np.linalg.LinAlgError, a)
            x = _c(a)
            with tape.autodiff.ForwardAccumulator(x, tape.ones_like(x)), pytest.raises(
                np.linalg.LinAlgError
            ):
                op(x)

    return check


_COUPLING = np.array([[1.0, 2.0], [3.0, 4.0]])


def _eigh_vectors() -> None:
    def couple(a):
        return tape.reduce_sum(tape.linalg.eigh(a)[1] * _c(_COUPLING))

    def invariant(a):  # the columns of v are unit vectors whichever LAPACK returns
        return tape.reduce_sum(tape.linalg.eigh(a)[1] ** 2)

    same(grad_sum(couple, np.eye(2)), np.full((2, 2), NAN))
    same(grad_sum(invariant, np.eye(2)), np.zeros((2, 2)))
    same(grad_sum(invariant, 2 * np.eye(3)), np.zeros((3, 3)))


def _eigh_values() -> None:
    for a, w in ((np.eye(2), [1.0, 2.0]), (2 * np.eye(3), [1.0, -1.0, 3.0])):
        _, v = np.linalg.eigh(a)
        expected = np.tril(v @ np.diag(w) @ v.T)  # lower triangular, as TensorFlow's
        expected = expected + np.tril(expected, -1)  # off the diagonal: both triangles' share
        same(grad_sum(lambda a, w=w: tape.linalg.eigh(a)[0] * _c(w), a), expected)
        same(grad_sum(lambda a, w=w: tape.linalg.eigvalsh(a) * _c(w), a), expected)


def _svd_vectors() -> None:
    for k in (1, 2):
        same(grad_sum(lambda a, k=k: tape.linalg.svd(a)[k] * _c(_COUPLING), np.eye(2)),
             np.full((2, 2), NAN))


def _svd_values() -> None:
    for a, w in ((np.eye(2), [1.0, 2.0]), (np.zeros((2, 2)), [1.0, 1.0]),
                 (np.diag([3.0, 3.0, 0.0]), [1.0, 2.0, 5.0])):
        u, _, vh = np.linalg.svd(a)
        expected = u @ np.diag(w) @ vh
        same(grad_sum(lambda a, w=w: tape.linalg.svd(a)[0] * _c(w), a), expected)
        same(grad_sum(lambda a, w=w: tape.linalg.svd(a, compute_uv=False) * _c(w), a),
             expected)


_WHERE = "NaN in reverse mode, 0 in forward mode (note 3)"

ROWS = [
    Row("`abs` at 0", "0", _abs),
    Row("`sign` (0 included)", "0", _sign),
    Row("`relu` at 0", "0", lambda: orders(tape.nn.relu, 0.0, [0.0, 0.0])),
    Row("`relu6` at 0 and at 6", "0 and 0",
        lambda: orders(tape.nn.relu6, [0.0, 6.0], [[0.0, 0.0], [0.0, 0.0]])),
    Row("`leaky_relu(x, alpha)` at 0", "alpha", _leaky),
    Row("`elu` at 0: first, second", "1, 0", lambda: orders(tape.nn.elu, 0.0, [1.0, 0.0])),
    Row("`selu` at 0: first, second", "scale, 0",
        lambda: orders(tape.nn.selu, 0.0, [SELU_SCALE, 0.0])),
    Row("`gelu` at 0, exact and tanh forms (smooth)", "1/2", lambda: [
        orders(lambda x, a=a: tape.nn.gelu(x, approximate=a), 0.0, [0.5])
        for a in (False, True)
    ]),
    Row("`floor`, `ceil`, `round`, `floordiv`, jumps included", "0", _piecewise_constant),
    Row("`floormod(x, y)`: d/dy where x/y is an integer", "-floor(x/y)", _floormod),
    Row("`sqrt` at 0", "inf", lambda: orders(tape.sqrt, 0.0, [INF, -INF])),
    Row("`atan2(y, x)` at (0, 0): d/dy and d/dx", "NaN, NaN", _atan2),
    Row("`maximum(x, y)` and `minimum(x, y)` at x == y: (d/dx, d/dy)", "(1, 0)", _ties),
    Row("`clip_by_value(t, lo, hi)` and `np.clip` at t == lo or t == hi: d/dt", "1", _clip),
    Row("`reduce_max`, `reduce_min`, `np.max`, `np.min`: k elements tie", "1/k each",
        _extremes),
    Row("`max_pool2d`: several maxima in one window", "all to the first, in row-major order",
        _max_pool),
    Row("`where(x > 0, log(x), 0)` at x = 0: inf in the branch not taken", _WHERE,
        _where(tape.math.log, 0.0)),
    Row("`where(x > 0, sqrt(x), 0)` at x = -1: NaN in the branch not taken", _WHERE,
        _where(tape.sqrt, -1.0)),
    Row("`np.sort` with ties",
        "each output to the element `np.argsort` puts there: in index order with a stable sort",
        _sort),
    Row("`np.median`, `np.quantile` with ties: `median([2, 1, 1, 3])`",
        "tied elements share their order statistic's weight: (1/2, 1/4, 1/4, 0) (note 10)",
        _median),
    Row("2-norm and Frobenius norm at 0 (`norm`, `reduce_euclidean_norm`, `np.linalg.norm`)",
        "0 (note 4)", _l2_at_zero),
    Row("p-norm (`ord=p`, p not 1, 2 or inf) at 0", "0 (note 4)", _pnorm_at_zero),
    Row("p-norm with p < 1 at a zero element: `norm([1, 0], ord=0.5)`", "(1, 0) (note 4)",
        _pnorm_small_p),
    Row("1-norm at 0", "0", _norm1),
    Row("inf-norm at 0, two elements", "0", _norm_inf_zero),
    Row("inf-norm with a tie: `norm([1, -1], ord=inf)`", "(1/2, -1/2)", _norm_inf_tie),
    Row("matrix 2-norm and nuclear norm of the 2×2 zero matrix", "0 (note 5)",
        _norm2_zero_matrix),
    Row("`reduce_std` and `np.std` of a constant", "0 (note 4)", _std_constant),
    Row("`clip_by_norm(t, c)` at t = 0", "1 (the identity)", _clip_by_norm),
    Row("`x ** 0` at x = 0, any exponent type (note 6)", "0, at every order", _pow_zero),
    Row("`x ** 1` at x = 0: first, second", "1, 0", _pow_one),
    Row("`x ** 2` at x = 0: first, second, third", "0, 2, 0", _pow_two),
    Row("`x ** y` with 0 < y < 1 at x = 0", "inf", _pow_fractional),
    Row("`0 ** y`: d/dy for y >= 0", "0", _zero_base_nonnegative),
    Row("`0 ** y`: d/dy for y < 0", "NaN", _zero_base_negative),
    Row("`x ** y` with x < 0 and an integer y: d/dy", "0", _negative_base_integer),
    Row("`x ** y` with x < 0 and a non-integer y: value, d/dx, d/dy", "NaN, NaN, NaN",
        _negative_base_fractional),
    Row("`det` of a singular matrix", "raises LinAlgError (note 8)",
        _singular(tape.linalg.det)),
    Row("`slogdet` of a singular matrix: log abs det", "raises LinAlgError (note 8)",
        _singular(lambda a: tape.linalg.slogdet(a)[1])),
    Row("`eigh` eigenvectors at repeated eigenvalues",
        "NaN where the cotangent couples equal eigenvalues, 0 where that term vanishes "
        "(note 9)", _eigh_vectors),
    Row("`eigh` eigenvalues and `eigvalsh` at repeated eigenvalues", "V diag(g) Vᵀ, exact",
        _eigh_values),
    Row("`svd` singular vectors at repeated singular values",
        "NaN where the cotangent couples equal values (note 9)", _svd_vectors),
    Row("`svd` singular values, repeated or zero", "U diag(g) Vᵀ, exact", _svd_values),
]


def page_rows() -> dict[str, str]:
    """The table of docs/conventions.md: first cell -> tape cell."""
    rows: dict[str, str] = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if not re.match(r"\| (?!Point \|)", line):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        assert cells[0] not in rows, f"two rows of docs/conventions.md read {cells[0]!r}"
        rows[cells[0]] = cells[1]
    return rows


def test_the_page_lists_these_rows() -> None:
    page = page_rows()
    here = {row.point: row.tape for row in ROWS}
    assert len(here) == len(ROWS), "two rows here share a point"
    assert set(page) - set(here) == set(), "rows of docs/conventions.md with no check here"
    assert set(here) - set(page) == set(), "rows checked here but missing from the page"
    for point, cell in here.items():
        assert page[point] == cell, (
            f"docs/conventions.md says tape gives {page[point]!r} at {point}; the check "
            f"here asserts {cell!r}: change both together."
        )


@pytest.mark.parametrize("row", ROWS, ids=[row.point for row in ROWS])
def test_row(row: Row) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # log(0), sqrt(-1): as intended
        row.check()


# --------------------------------------------------------------------------- x ** y in detail


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_integer_powers_at_zero_to_third_order(n: int, dtype: Any) -> None:
    """d^k/dx^k x^n = n!/(n-k)! x^(n-k) (0 for k > n), at x = 0 and away from it, for every
    type of exponent, by reverse, forward, and forward-over-reverse mode."""
    x0 = np.array([0.0, 1.5, -2.0])

    def closed(k: int) -> np.ndarray:
        if k > n:
            return np.zeros(3)
        return math.factorial(n) / math.factorial(n - k) * x0 ** (n - k)

    if dtype is np.float64:
        exponents = _exponents(n) + [np.float32(n), tape.constant(n, dtype=tape.int32)]
    else:  # those that keep float32 (NumPy promotes float32 ** float64 to float64)
        exponents = [n, float(n), np.float32(n), _c(float(n), np.float32)]
    for y in exponents:
        for outer, inner in ((rev, rev), (fwd, fwd), (fwd, rev), (rev, fwd)):
            f = lambda x, y=y: x**y  # noqa: E731
            d1 = inner(f)
            d2 = outer(d1)
            d3 = outer(d2)
            x = _c(x0, dtype)
            for k, df in ((1, d1), (2, d2), (3, d3)):
                got = df(x)
                assert got.dtype == dtype, (y, k, got.dtype)
                np.testing.assert_allclose(got.numpy(), closed(k), rtol=1e-6, atol=0,
                                           err_msg=f"exponent {y!r}, order {k}")


def test_the_exponent_may_be_an_array_with_zeros() -> None:
    """Elementwise: where y == 0 the x-gradient is 0 (x = 0 included); elsewhere y x^(y-1)."""
    x0 = np.array([0.0, 0.0, 0.0, 2.0, 2.0])
    y0 = np.array([0.0, 1.0, 2.0, 0.0, 3.0])
    expected = np.array([0.0, 1.0, 0.0, 0.0, 12.0])
    both_modes(tape.pow, (x0, y0), expected, wrt=0)
    both_modes(lambda x: x ** y0, (x0,), expected)  # a NumPy array exponent
    both_modes(lambda x: np.power(x, y0), (x0,), expected)


def test_mixed_second_derivatives_keep_their_closed_form() -> None:
    """d/dy (d/dx x^y) = x^(y-1) (1 + y log x): the rule for y == 0 at x = 0 leaves every
    other point alone (at x = 2, y = 0 it is 1/2, not 0)."""
    for xv, yv in ((2.0, 0.0), (2.0, 1.0), (0.5, 3.0), (2.0, 2.5)):
        x, y = _c(xv), _c(yv)
        with tape.GradientTape() as outer:
            outer.watch(y)
            with tape.GradientTape() as inner:
                inner.watch(x)
                z = x**y
            dx = inner.gradient(z, x)
        same(outer.gradient(dx, y).numpy(), xv ** (yv - 1) * (1 + yv * math.log(xv)))
        with tape.autodiff.ForwardAccumulator(y, _c(1.0)) as acc:
            with tape.GradientTape() as inner:
                inner.watch(x)
                z = x**y
            dx = inner.gradient(z, x)
        same(acc.jvp(dx).numpy(), xv ** (yv - 1) * (1 + yv * math.log(xv)))


def test_d_dy_at_zero_base_in_forward_mode_and_second_order() -> None:
    """d/dy 0^y = 0 for y >= 0 (0^y is 0 for y > 0, and tape takes log(0) x 0^y as 0 at
    y = 0 too), in both modes and at second order."""
    for yv in (0.0, 0.5, 2.0):
        same(fwd(lambda y: tape.pow(_c(0.0), y))(_c(yv)).numpy(), 0.0)
        same(fwd(fwd(lambda y: tape.pow(_c(0.0), y)))(_c(yv)).numpy(), 0.0)
        same(rev(fwd(lambda y: tape.pow(_c(0.0), y)))(_c(yv)).numpy(), 0.0)
    # away from 0, the closed form log(x)^k x^y
    f = lambda y: tape.pow(_c(3.0), y)  # noqa: E731
    same(rev(f)(_c(0.0)).numpy(), math.log(3.0))
    same(rev(rev(f))(_c(0.0)).numpy(), math.log(3.0) ** 2)
    same(fwd(fwd(f))(_c(2.0)).numpy(), math.log(3.0) ** 2 * 9.0)


def test_selu_and_elu_take_the_linear_branch_at_zero() -> None:
    """At 0 both one-sided first derivatives of elu are 1, and selu's are scale (right) and
    scale * alpha (left): tape takes the right one, as TensorFlow's kernels. Second
    derivatives there are 0 (right); just left of 0 they are the exponential branch's."""
    orders(tape.nn.selu, [0.0, 1.0, -1.0],
           [[SELU_SCALE, SELU_SCALE, SELU_SCALE * SELU_ALPHA * math.exp(-1.0)],
            [0.0, 0.0, SELU_SCALE * SELU_ALPHA * math.exp(-1.0)]])
    orders(tape.nn.elu, [0.0, 1.0, -1.0],
           [[1.0, 1.0, math.exp(-1.0)], [0.0, 0.0, math.exp(-1.0)]])
    tiny = -1e-300
    orders(tape.nn.selu, tiny, [SELU_SCALE * SELU_ALPHA])
