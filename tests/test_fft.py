"""The discrete Fourier transform on tensors: ``np.fft`` and ``tape.signal``.

- Values and dtypes are NumPy's, bit for bit, for every function and argument combination.
- Gradients against closed forms worked from the DFT sums: Parseval, the half spectrum of a
  real signal (bins 0, a middle one and n/2, for even and odd n), the ``c_k / n`` weights of
  ``irfft``, in TensorFlow's convention, and ``tape.grad`` giving JAX's (the conjugate).
- Central finite differences along real and imaginary directions, to second order, reverse
  and forward mode; ``vmap`` against a loop with no op looping; ``tape.function`` against
  eager; float32 and complex64 kept; clear errors.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import tape
from tape import _batch

RNG = np.random.default_rng(2024)


def _real(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def _complex(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


def _dft(n: int) -> np.ndarray:
    """The DFT matrix, from its definition: F[k, m] = exp(-2 pi i k m / n)."""
    k = np.arange(n)
    return np.exp(-2j * np.pi * np.outer(k, k) / n)


NORMS = (None, "backward", "ortho", "forward")


# ============================================================================ values


def _one_axis_calls():
    for n, axis, norm in itertools.product((None, 3, 6, 7, 10), (-1, 0), NORMS):
        yield {"n": n, "axis": axis, "norm": norm}


def _n_axes_calls():
    yield {}
    for norm in NORMS:
        yield {"norm": norm}
        yield {"axes": (0, 2), "s": (3, 7), "norm": norm}
        yield {"axes": (-1,), "s": (4,), "norm": norm}
        yield {"axes": (2, 0, 1), "s": (5, 2, 6), "norm": norm}
        yield {"axes": (1, 1), "norm": norm}  # an axis twice
        yield {"axes": (2, 1, 2), "s": (3, 4, 5), "norm": norm}


ONE_AXIS = [np.fft.fft, np.fft.ifft, np.fft.rfft, np.fft.irfft, np.fft.hfft, np.fft.ihfft]
N_AXES = [np.fft.fftn, np.fft.ifftn, np.fft.rfftn, np.fft.irfftn]
TWO_AXES = [np.fft.fft2, np.fft.ifft2, np.fft.rfft2, np.fft.irfft2]


def _same(got, want) -> None:
    assert isinstance(got, tape.Tensor)
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, want.dtype)
    assert np.array_equal(got.numpy(), want), np.max(np.abs(got.numpy() - want))


def _inputs():
    """Real and complex, single and double precision, of even and odd lengths."""
    return [_real(4, 6), _real(5, 7).astype(np.float32), _complex(4, 5),
            _complex(3, 8).astype(np.complex64), np.arange(12).reshape(3, 4)]


@pytest.mark.parametrize("f", ONE_AXIS, ids=lambda f: f.__name__)
def test_one_axis_transforms_equal_numpys(f) -> None:
    for x, kw in itertools.product(_inputs(), _one_axis_calls()):
        try:
            want = f(x, **kw)
        except (TypeError, ValueError) as e:  # NumPy refuses: so does tape, alike
            with pytest.raises(type(e)):
                f(tape.constant(x), **kw)
            continue
        _same(f(tape.constant(x), **kw), want)
        _same(f(tape.constant(x), kw["n"], kw["axis"], kw["norm"]), want)  # by position


@pytest.mark.parametrize("f", N_AXES + TWO_AXES, ids=lambda f: f.__name__)
def test_transforms_along_axes_equal_numpys(f) -> None:
    for x, kw in itertools.product([_real(4, 5, 6), _complex(3, 4, 5),
                                    _real(3, 4, 6).astype(np.float32)], _n_axes_calls()):
        if f in TWO_AXES and len(kw.get("axes", (0, 1))) != 2:
            continue
        try:
            want = f(x, **kw)
        except (TypeError, ValueError) as e:
            with pytest.raises(type(e)):
                f(tape.constant(x), **kw)
            continue
        _same(f(tape.constant(x), **kw), want)


def test_numpys_deprecated_arguments_give_numpys_values_and_warnings() -> None:
    x = _real(3, 4)
    for f in (np.fft.fftn, np.fft.rfftn, np.fft.irfftn):
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            want = f(x, s=(3, 5))  # s without axes
        with warnings.catch_warnings(record=True) as ours:
            warnings.simplefilter("always")
            got = f(tape.constant(x), s=(3, 5))
        _same(got, want)
        assert [w.category for w in ours] == [w.category for w in theirs] == [DeprecationWarning]
        assert ours[0].filename == __file__  # the caller's line
    with pytest.warns(DeprecationWarning, match="None"):
        got = np.fft.fftn(tape.constant(x), s=(None, 6), axes=(0, 1))
    with pytest.warns(DeprecationWarning):
        _same(got, np.fft.fftn(x, s=(None, 6), axes=(0, 1)))
    _same(np.fft.fftn(tape.constant(x), s=(-1, 6), axes=(0, 1)),
          np.fft.fftn(x, s=(-1, 6), axes=(0, 1)))


@pytest.mark.parametrize("f", [np.fft.fftshift, np.fft.ifftshift], ids=lambda f: f.__name__)
@pytest.mark.parametrize("axes", [None, 0, 1, (0, 1), (-1,)])
def test_shifts_equal_numpys(f, axes) -> None:
    for x in (_real(5, 6), _complex(4, 7)):
        _same(f(tape.constant(x), axes), f(x, axes))


def test_signal_transforms_equal_numpys() -> None:
    z, x = _complex(2, 3, 4, 5), _real(2, 3, 4, 5)
    s = tape.signal
    pairs = [
        (s.fft(z), np.fft.fft(z)), (s.ifft(z), np.fft.ifft(z)),
        (s.fft2d(z), np.fft.fft2(z)), (s.ifft2d(z), np.fft.ifft2(z)),
        (s.fft3d(z), np.fft.fftn(z, axes=(1, 2, 3))),
        (s.ifft3d(z), np.fft.ifftn(z, axes=(1, 2, 3))),
        (s.rfft(x), np.fft.rfft(x)), (s.rfft(x, [8]), np.fft.rfft(x, 8)),
        (s.rfft(x, [3]), np.fft.rfft(x, 3)),
        (s.irfft(z), np.fft.irfft(z)), (s.irfft(z, [7]), np.fft.irfft(z, 7)),
        (s.irfft(z, [12]), np.fft.irfft(z, 12)),
        (s.rfft2d(x), np.fft.rfft2(x)), (s.rfft2d(x, [5, 3]), np.fft.rfft2(x, (5, 3))),
        (s.irfft2d(z), np.fft.irfft2(z)), (s.irfft2d(z, [2, 9]), np.fft.irfft2(z, (2, 9))),
        (s.rfft3d(x), np.fft.rfftn(x, axes=(1, 2, 3))),
        (s.rfft3d(x, [2, 5, 6]), np.fft.rfftn(x, (2, 5, 6), axes=(1, 2, 3))),
        (s.irfft3d(z), np.fft.irfftn(z, axes=(1, 2, 3))),
        (s.irfft3d(z, [4, 4, 7]), np.fft.irfftn(z, (4, 4, 7), axes=(1, 2, 3))),
        (s.fftshift(x), np.fft.fftshift(x)), (s.ifftshift(x, axes=[1, 3]),
                                              np.fft.ifftshift(x, axes=[1, 3])),
    ]
    for got, want in pairs:
        _same(got, want)
    # TensorFlow's dtypes: float32 in, complex64 out and back
    x32 = tape.constant(_real(6).astype(np.float32))
    assert s.rfft(x32).dtype == np.complex64 and s.irfft(s.rfft(x32)).dtype == np.float32
    assert s.fft(tape.cast(x32, tape.complex64)).dtype == np.complex64


# ============================================================================ closed forms


@pytest.mark.parametrize(("norm", "factor"), [(None, 1.0), ("backward", 1.0),
                                              ("ortho", None), ("forward", None)])
@pytest.mark.parametrize("n", [5, 8])
def test_parseval(n, norm, factor) -> None:
    """sum |fft(z)|^2 = n sum |z|^2 (norm "backward"): its gradient is 2 n z in TensorFlow's
    convention (dL/dRe z + i dL/dIm z); with "ortho" 2 z, with "forward" 2 z / n."""
    z = _complex(n)
    scale = {None: n, "backward": n, "ortho": 1.0, "forward": 1.0 / n}[norm]
    zt = tape.constant(z)
    with tape.GradientTape() as t:
        t.watch(zt)
        energy = tape.reduce_sum(tape.abs(np.fft.fft(zt, norm=norm)) ** 2)
    np.testing.assert_allclose(float(energy), scale * np.sum(np.abs(z) ** 2), rtol=1e-12)
    np.testing.assert_allclose(t.gradient(energy, zt).numpy(), 2 * scale * z, rtol=1e-12,
                               atol=1e-12)
    # the inverse transform: sum |ifft(z)|^2 = sum |z|^2 / n
    with tape.GradientTape() as t:
        t.watch(zt)
        energy = tape.reduce_sum(tape.abs(tape.signal.ifft(zt)) ** 2)
    np.testing.assert_allclose(t.gradient(energy, zt).numpy(), 2 * z / n, rtol=1e-12,
                               atol=1e-12)


def test_tape_grad_is_the_conjugate_in_jaxs_convention() -> None:
    z = _complex(6)

    def energy(v):
        return tape.reduce_sum(tape.abs(np.fft.fft(v)) ** 2)

    zt = tape.constant(z)
    with tape.GradientTape() as t:
        t.watch(zt)
        y = energy(zt)
    tf_style = t.gradient(y, zt).numpy()
    np.testing.assert_allclose(tf_style, 2 * 6 * z, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tape.grad(energy)(zt).numpy(), np.conj(tf_style), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("n", [6, 7])
def test_rfft_gradient_is_the_half_spectrums_adjoint_not_irfft_times_n(n) -> None:
    """A loss on bins 0, a middle one and the last (n/2 for an even n) of rfft(x). From
    X_k = sum_m x_m exp(-2 pi i k m / n): dL/dx_m = sum over those bins of
    2 Re(conj(X_k) exp(-2 pi i k m / n)); nothing stands for the mirror images."""
    x = _real(n)
    bins = [0, 1, n // 2]
    xt = tape.constant(x)
    with tape.GradientTape() as t:
        t.watch(xt)
        spectrum = np.fft.rfft(xt)
        loss = tape.reduce_sum(tape.abs(tape.gather(spectrum, bins)) ** 2)
    got = t.gradient(loss, xt).numpy()
    F = _dft(n)
    X = F @ x
    want = sum(2 * np.real(np.conj(X[k]) * F[k]) for k in bins)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    # n * irfft(g), the adjoint of the whole spectrum, doubles bin 1 (and for an odd n the last)
    g = np.zeros(n // 2 + 1, complex)
    g[bins] = 2 * X[bins]
    assert not np.allclose(n * np.fft.irfft(g, n), want)


@pytest.mark.parametrize("n", [6, 7])
def test_rfft_cotangent_of_each_bin(n) -> None:
    """The cotangent g_k of one bin alone: x_m gets Re(g_k exp(+2 pi i k m / n))."""
    xt = tape.constant(_real(n))
    for k in range(n // 2 + 1):
        g = np.zeros(n // 2 + 1, complex)
        g[k] = 0.7 - 0.4j
        with tape.GradientTape() as t:
            t.watch(xt)
            y = np.fft.rfft(xt)
        got = t.gradient(y, xt, output_gradients=tape.constant(g)).numpy()
        want = np.real(g[k] * np.exp(2j * np.pi * k * np.arange(n) / n))
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("m", "n"), [(4, 6), (4, 7), (4, 5), (3, 9), (6, 4), (2, 10)])
@pytest.mark.parametrize("norm", NORMS)
def test_irfft_gradient_has_the_weights_c_k_over_n(m, n, norm) -> None:
    """y_m = s Re(sum_k c_k X_k exp(+2 pi i k m / n)) with c_k = 1 for k = 0 and (even n)
    k = n/2, 2 otherwise; s = 1/n, 1/sqrt(n) or 1 by the norm. For L = sum_m u_m y_m the
    cotangent of bin k is s c_k sum_m u_m exp(-2 pi i k m / n): real for bins 0 and n/2,
    whose imaginary parts irfft discards. Input bins beyond n // 2 + 1 get 0; fewer input
    bins than that are padded with zeros."""
    X = _complex(m)
    u = _real(n)
    Xt = tape.constant(X)
    with tape.GradientTape() as t:
        t.watch(Xt)
        y = np.fft.irfft(Xt, n, norm=norm)
    got = t.gradient(y, Xt, output_gradients=tape.constant(u)).numpy()
    s = {None: 1 / n, "backward": 1 / n, "ortho": n ** -0.5, "forward": 1.0}[norm]
    kept = n // 2 + 1
    want = np.zeros(m, complex)
    for k in range(min(m, kept)):
        c = 1 if k == 0 or 2 * k == n else 2
        want[k] = s * c * np.sum(u * np.exp(-2j * np.pi * k * np.arange(n) / n))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)
    assert got[0].imag == 0 and (n % 2 or m <= n // 2 or got[n // 2].imag == 0)


def test_hfft_and_ihfft_gradients_in_closed_form() -> None:
    """hfft(a, n) = irfft(conj(a), n) * n (norm "backward"): the cotangent of a_k is
    conj(c_k rfft(u)_k) = c_k sum_m u_m exp(+2 pi i k m / n); ihfft(x) = conj(rfft(x)) / n."""
    n, a, u = 8, _complex(5), _real(8)
    at = tape.constant(a)
    with tape.GradientTape() as t:
        t.watch(at)
        y = np.fft.hfft(at, n)
    got = t.gradient(y, at, output_gradients=tape.constant(u)).numpy()
    c = np.array([1, 2, 2, 2, 1])
    want = c * (np.conj(_dft(n)) @ u)[:5]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    x = tape.constant(_real(n))
    g = _complex(5)
    with tape.GradientTape() as t:
        t.watch(x)
        y = np.fft.ihfft(x)
    got = t.gradient(y, x, output_gradients=tape.constant(g)).numpy()
    # y_k = conj(X_k) / n: dL/dx_m = Re(sum_k conj(g_k) dy_k/dx_m) = Re(sum_k conj(g_k) e^{+}) / n
    want = np.real(np.conj(g) @ np.conj(_dft(n))[:5]) / n
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)


def test_padding_and_truncation_are_each_others_adjoints() -> None:
    """fft(x, n) pads x with zeros (n > len) or cuts it (n < len) first: the samples cut off
    get gradient 0, the padding none."""
    x = _complex(6)
    u = _complex(9)
    xt = tape.constant(x)
    with tape.GradientTape(persistent=True) as t:
        t.watch(xt)
        longer = np.fft.fft(xt, 9)
        shorter = np.fft.fft(xt, 4)
    got = t.gradient(longer, xt, output_gradients=tape.constant(u)).numpy()
    np.testing.assert_allclose(got, (np.conj(_dft(9)) @ u)[:6], rtol=1e-12, atol=1e-12)
    got = t.gradient(shorter, xt, output_gradients=tape.constant(u[:4])).numpy()
    np.testing.assert_allclose(got[:4], np.conj(_dft(4)) @ u[:4], rtol=1e-12, atol=1e-12)
    assert np.all(got[4:] == 0)


# ============================================================================ finite differences


def _fd_cases():
    z2, x2 = _complex(3, 6), _real(3, 7)
    cases = []
    for norm in NORMS[1:]:
        cases += [
            ("fft", lambda a, norm=norm: np.fft.fft(a, 8, norm=norm), z2),
            ("ifft", lambda a, norm=norm: np.fft.ifft(a, 5, axis=0, norm=norm), z2),
            ("rfft", lambda a, norm=norm: np.fft.rfft(a, 6, norm=norm), x2),
            ("irfft-even", lambda a, norm=norm: np.fft.irfft(a, 10, norm=norm), z2),
            ("irfft-odd", lambda a, norm=norm: np.fft.irfft(a, 7, norm=norm), z2),
            ("hfft", lambda a, norm=norm: np.fft.hfft(a, 9, norm=norm), z2),
            ("ihfft", lambda a, norm=norm: np.fft.ihfft(a, 5, norm=norm), x2),
            ("fftn", lambda a, norm=norm: np.fft.fftn(a, (4, 5), (0, 1), norm=norm), z2),
            ("rfftn", lambda a, norm=norm: np.fft.rfftn(a, (2, 8), (0, 1), norm=norm), x2),
            ("irfftn", lambda a, norm=norm: np.fft.irfftn(a, (5, 9), (0, 1), norm=norm), z2),
        ]
    s = tape.signal
    z3 = _complex(2, 3, 4)
    cases += [
        ("signal.fft", s.fft, z2), ("signal.ifft", s.ifft, z2),
        ("signal.fft2d", s.fft2d, z3), ("signal.ifft2d", s.ifft2d, z3),
        ("signal.fft3d", s.fft3d, z3), ("signal.ifft3d", s.ifft3d, z3),
        ("signal.irfft", lambda a: s.irfft(a, [8]), z2),
        ("signal.irfft2d", lambda a: s.irfft2d(a, [2, 5]), z3),
        ("signal.irfft3d", s.irfft3d, z3),
        ("signal.rfft3d", lambda a: s.rfft3d(a, [3, 2, 5]), _real(2, 3, 4)),
        ("signal.fftshift", lambda a: s.fftshift(a, axes=1), z3),
    ]
    return cases


FD_CASES = _fd_cases()


@pytest.mark.parametrize(("name", "f", "x"), FD_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(FD_CASES)])
def test_derivatives_match_central_differences_to_second_order(name, f, x) -> None:
    """Reverse and forward mode against central differences along random complex directions
    (real and imaginary parts both move), first and second order."""
    result = tape.check_gradients(lambda a: tape.sin(f(a)), [x], order=2)
    assert result.passed and sorted(result.errors) == [
        (1, "fwd", 0), (1, "rev", 0), (2, "fwd", 0), (2, "rev", 0)]


def test_forward_mode_is_the_transform_of_the_tangent() -> None:
    z, v = _complex(4, 6), _complex(4, 6)
    zt = tape.constant(z)
    with tape.autodiff.ForwardAccumulator(zt, tape.constant(v)) as acc:
        y = np.fft.fft2(zt, norm="ortho")
        h = np.fft.hfft(zt, 11)
    np.testing.assert_allclose(acc.jvp(y).numpy(), np.fft.fft2(v, norm="ortho"), rtol=1e-12)
    np.testing.assert_allclose(acc.jvp(h).numpy(), np.fft.hfft(v, 11), rtol=1e-12,
                               atol=1e-12)
    x, w = _real(7), _real(7)
    xt = tape.constant(x)
    with tape.autodiff.ForwardAccumulator(xt, tape.constant(w)) as acc:
        r = np.fft.rfft(xt, 12)
    np.testing.assert_allclose(acc.jvp(r).numpy(), np.fft.rfft(w, 12), rtol=1e-12, atol=1e-12)


# ============================================================================ vmap, function


def _program(a):
    spectrum = np.fft.rfft(a, 10, norm="ortho")
    power = tape.abs(np.fft.ifft(spectrum * np.exp(1j * a[:6]))) ** 2
    return np.fft.irfft(spectrum, 8) * tape.reduce_sum(power) + np.fft.fftshift(a)


def test_vmap_of_fft_programs_and_their_gradients_agrees_with_a_loop(monkeypatch) -> None:
    xs = _real(5, 8)
    looped: set[str] = set()
    monkeypatch.setattr(_batch, "LOOPED", looped)
    got = tape.vmap(_program)(tape.constant(xs)).numpy()
    want = np.stack([_program(tape.constant(x)).numpy() for x in xs])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    grad = tape.grad(lambda a: tape.reduce_sum(_program(a)))
    got = tape.vmap(grad)(tape.constant(xs)).numpy()
    want = np.stack([grad(tape.constant(x)).numpy() for x in xs])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    zs = _complex(4, 3, 6)
    got = tape.vmap(lambda z: tape.signal.fft2d(z), in_axes=1)(tape.constant(zs)).numpy()
    np.testing.assert_allclose(got, np.fft.fft2(np.moveaxis(zs, 1, 0)), rtol=1e-12)
    assert looped == set(), f"ops that ran once per example: {looped}"


def test_a_jacobian_of_an_fft_is_the_dft_matrix() -> None:
    """d fft(x) / dx for real x: the DFT matrix (a complex Jacobian of a real input)."""
    x = tape.constant(_real(5))
    with tape.GradientTape() as t:
        t.watch(x)
        y = tape.math.real(np.fft.fft(x))
    np.testing.assert_allclose(t.jacobian(y, x).numpy(), np.real(_dft(5)), atol=1e-12)


def test_a_compiled_function_with_an_fft_equals_eager() -> None:
    def step(a):
        with tape.GradientTape() as t:
            t.watch(a)
            y = tape.reduce_sum(_program(a) ** 2)
        return y, t.gradient(y, a)

    compiled = tape.function(step)
    for _ in range(2):  # the trace, then the generated code
        x = tape.constant(_real(8))
        (y, g), (y0, g0) = compiled(x), step(x)
        assert y.numpy() == y0.numpy() and np.array_equal(g.numpy(), g0.numpy())
    assert compiled.experimental_get_tracing_count() == 1
    assert "fft" in compiled.source(x)


def test_single_precision_stays_single() -> None:
    x = tape.constant(_real(3, 8).astype(np.float32))
    z = tape.cast(x, tape.complex64)
    with tape.GradientTape(persistent=True) as t:
        t.watch([x, z])
        outs = [np.fft.fft(x), np.fft.rfft(x, 5), np.fft.irfft(z, 7), np.fft.fftn(z),
                np.fft.hfft(z), np.fft.ihfft(x), tape.signal.fft2d(z), tape.signal.rfft(x)]
        loss = sum(tape.reduce_sum(tape.abs(o) ** 2) for o in outs)
    assert [o.dtype for o in outs] == [np.complex64, np.complex64, np.float32, np.complex64,
                                       np.float32, np.complex64, np.complex64, np.complex64]
    gx, gz = t.gradient(loss, [x, z])
    assert gx.dtype == np.float32 and gz.dtype == np.complex64


# ============================================================================ errors


def test_tensorflows_transforms_of_complex_tensors_refuse_real_ones() -> None:
    x = tape.constant([1.0, 2.0, 3.0])
    for f in (tape.signal.fft, tape.signal.ifft, tape.signal.irfft):
        with pytest.raises(TypeError, match=r"tape\.cast\(x, tape\.complex64\)"):
            f(x)
    with pytest.raises(TypeError, match=r"tape\.cast\(x, tape\.complex128\)"):
        tape.signal.fft2d(tape.constant(np.ones((2, 2))))
    with pytest.raises(TypeError, match="real floating tensor"):
        tape.signal.rfft(tape.constant([1.0 + 1.0j]))
    with pytest.raises(ValueError, match="rank >= 3"):
        tape.signal.fft3d(tape.constant(np.ones((2, 2), complex)))
    with pytest.raises(ValueError, match="fft_length"):
        tape.signal.rfft2d(tape.constant(np.ones((2, 2))), fft_length=[4])
    with pytest.raises(AttributeError, match="tf.signal"):
        tape.signal.stft  # noqa: B018


def test_numpys_errors_and_out_are_refused_as_numpy_and_other_handlers_do() -> None:
    x = tape.constant(_real(4))
    with tape.GradientTape() as t:
        t.watch(x)
        with pytest.raises(ValueError, match="Invalid norm value"):
            np.fft.fft(x, norm="unitary")
        with pytest.raises(ValueError, match="Invalid number of FFT data points"):
            np.fft.fft(x, 0)
        with pytest.raises(ValueError, match="Invalid number of FFT data points"):
            np.fft.irfft(x[:1])
        with pytest.raises(TypeError):  # NumPy's rfft refuses complex input
            np.fft.rfft(tape.cast(x, tape.complex128))
        with pytest.raises(NotImplementedError, match="out="):
            np.fft.fft(x, out=np.empty(4, complex))
        with pytest.raises(np.exceptions.AxisError):
            np.fft.fft(x, axis=1)


@pytest.mark.parametrize("call", [
    lambda x, X: np.fft.irfft(X, n=-1),
    lambda x, X: np.fft.hfft(X, n=-1),
    lambda x, X: np.fft.rfft(x, n=-1),
    lambda x, X: np.fft.ihfft(x, n=0),
])
def test_a_one_dimensional_length_below_one_raises_as_numpy(call):
    """NumPy's 1-D transforms refuse n = -1 (only the n-D ones read it as the axis length)."""
    x, X = np.ones(4), np.ones(5, complex)
    with pytest.raises(ValueError, match="Invalid number of FFT data points"):
        call(x, X)
    with pytest.raises(ValueError, match="Invalid number of FFT data points"):
        call(tape.constant(x), tape.constant(X))


def test_signal_lengths_must_be_positive_and_irfft_of_one_bin_names_fft_length():
    X = tape.constant(np.ones(5, complex))
    with pytest.raises(ValueError, match="positive integer length"):
        tape.signal.irfft(X, [-1])
    with pytest.raises(ValueError, match="pass fft_length"):
        tape.signal.irfft(tape.constant(np.ones(1, complex)))
    np.testing.assert_allclose(tape.signal.irfft(tape.constant(np.array([3 + 0j])), [1]).numpy(),
                               [3.0])
