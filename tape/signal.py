"""``tape.signal``: the discrete Fourier transform under TensorFlow's names (``tf.signal``).

The transforms run along the innermost one, two or three axes, as TensorFlow's: ``fft``,
``ifft``, ``fft2d``, ``ifft2d``, ``fft3d``, ``ifft3d`` of complex tensors; ``rfft``,
``rfft2d``, ``rfft3d`` of real ones and their inverses ``irfft``, ``irfft2d``, ``irfft3d``,
with ``fft_length``; ``fftshift`` and ``ifftshift``. They record the ops of
:mod:`tape.ops.fft`, whose gradient rules are the transforms' exact adjoints (``np.fft`` on
tensors records the same ops). Gradients follow TensorFlow's convention for complex values,
``dL/dRe z + i dL/dIm z`` for a real loss ``L``.

>>> import numpy as np, tape
>>> z = tape.constant(np.array([1.0 + 1.0j, 2.0, -1.0j]))
>>> with tape.GradientTape() as t:
...     t.watch(z)
...     energy = tape.reduce_sum(tape.abs(tape.signal.fft(z)) ** 2)  # n sum |z|^2 (Parseval)
>>> np.allclose(t.gradient(energy, z).numpy(), 2 * 3 * z.numpy())  # 2 n z
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._missing import missing as _missing
from ._tensor import Tensor, Variable, as_tensor, value_of
from .ops import fft as _fft

__all__ = [
    "fft",
    "fft2d",
    "fft3d",
    "fftshift",
    "ifft",
    "ifft2d",
    "ifft3d",
    "ifftshift",
    "irfft",
    "irfft2d",
    "irfft3d",
    "rfft",
    "rfft2d",
    "rfft3d",
]


def _tensor(x: Any) -> Any:
    return x if isinstance(x, (Tensor, Variable)) else as_tensor(x)


def _innermost(x: Any, k: int, name: str) -> list[int]:
    """The innermost ``k`` axes of ``x`` (which must have them)."""
    if x.ndim < k:
        raise ValueError(f"tape.signal.{name} transforms the innermost {k} axes: its input "
                         f"must have rank >= {k}, got shape {tuple(x.shape)}.")
    return list(range(x.ndim - k, x.ndim))


def _complex_input(x: Any, name: str) -> Any:
    x = _tensor(x)
    if x.dtype.kind != "c":
        to = "complex128" if x.dtype == np.float64 else "complex64"
        raise TypeError(
            f"tape.signal.{name} takes a complex tensor (complex64 or complex128), got "
            f"{x.dtype}, as TensorFlow's tf.signal.{name} does; cast it first: "
            f"tape.cast(x, tape.{to})."
        )
    return x


def _real_input(x: Any, name: str) -> Any:
    x = _tensor(x)
    if x.dtype.kind != "f":
        fix = ("take its real part with tape.math.real(x), or use tape.signal.fft"
               if x.dtype.kind == "c" else "cast it first: tape.cast(x, tape.float32)")
        raise TypeError(
            f"tape.signal.{name} takes a real floating tensor (float32 or float64), got "
            f"{x.dtype}, as TensorFlow's tf.signal.{name} does; {fix}."
        )
    return x


def _lengths(fft_length: Any, k: int, name: str) -> list[int] | None:
    """``fft_length`` as a list of ``k`` lengths (None: the input's own)."""
    if fft_length is None:
        return None
    v = np.asarray(value_of(fft_length))
    if v.ndim == 0 and k == 1:
        v = v.reshape(1)
    if v.shape != (k,) or v.dtype.kind not in "iu" or np.any(v < 1):
        raise ValueError(f"tape.signal.{name}: fft_length must be {k} positive integer "
                         f"length{'s' if k > 1 else ''} (shape [{k}]), got {fft_length!r}.")
    return [int(n) for n in v]


# --------------------------------------------------------------------------- complex to complex


def fft(input: Any, name: str | None = None) -> Tensor:
    """The discrete Fourier transform of a complex tensor along its innermost axis:
    ``X_k = sum_m x_m exp(-2 pi i k m / n)`` (``tf.signal.fft``). A real tensor is refused, as
    TensorFlow refuses it: cast it with ``tape.cast(x, tape.complex64)`` first.

    >>> import tape
    >>> x = tape.cast(tape.constant([1.0, 2.0, 0.0, -1.0]), tape.complex64)
    >>> tape.signal.fft(x).numpy()
    array([2.+0.j, 1.-3.j, 0.+0.j, 1.+3.j], dtype=complex64)
    """
    x = _complex_input(input, "fft")
    return _fft.fftn(x, None, _innermost(x, 1, "fft"))


def ifft(input: Any, name: str | None = None) -> Tensor:
    """The inverse discrete Fourier transform along the innermost axis, scaled by ``1 / n``:
    ``x_m = sum_k X_k exp(+2 pi i k m / n) / n`` (``tf.signal.ifft``).

    >>> import tape
    >>> X = tape.constant([2.0 + 0.0j, 1.0 - 3.0j, 0.0j, 1.0 + 3.0j])
    >>> tape.signal.ifft(X).numpy().real
    array([ 1.,  2.,  0., -1.])
    """
    x = _complex_input(input, "ifft")
    return _fft.fftn(x, None, _innermost(x, 1, "ifft"), inverse=True)


def fft2d(input: Any, name: str | None = None) -> Tensor:
    """The two-dimensional discrete Fourier transform over the innermost two axes
    (``tf.signal.fft2d``).

    >>> import numpy as np, tape
    >>> x = tape.constant(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.complex128))
    >>> tape.signal.fft2d(x).numpy().real
    array([[10., -2.],
           [-4.,  0.]])
    """
    x = _complex_input(input, "fft2d")
    return _fft.fftn(x, None, _innermost(x, 2, "fft2d"))


def ifft2d(input: Any, name: str | None = None) -> Tensor:
    """The inverse of :func:`fft2d`, scaled by ``1 / n`` for the ``n`` elements of each
    two-dimensional slice (``tf.signal.ifft2d``).

    >>> import numpy as np, tape
    >>> X = tape.constant(np.array([[10.0, -2.0], [-4.0, 0.0]], dtype=np.complex128))
    >>> tape.signal.ifft2d(X).numpy().real
    array([[1., 2.],
           [3., 4.]])
    """
    x = _complex_input(input, "ifft2d")
    return _fft.fftn(x, None, _innermost(x, 2, "ifft2d"), inverse=True)


def fft3d(input: Any, name: str | None = None) -> Tensor:
    """The three-dimensional discrete Fourier transform over the innermost three axes
    (``tf.signal.fft3d``).

    >>> import numpy as np, tape
    >>> x = tape.constant(np.ones((2, 2, 2), dtype=np.complex128))
    >>> tape.signal.fft3d(x).numpy().real[0, 0, 0]
    np.float64(8.0)
    """
    x = _complex_input(input, "fft3d")
    return _fft.fftn(x, None, _innermost(x, 3, "fft3d"))


def ifft3d(input: Any, name: str | None = None) -> Tensor:
    """The inverse of :func:`fft3d`, scaled by ``1 / n`` for the ``n`` elements of each
    three-dimensional slice (``tf.signal.ifft3d``).

    >>> import numpy as np, tape
    >>> X = np.zeros((2, 2, 2), dtype=np.complex128)
    >>> X[0, 0, 0] = 8.0
    >>> tape.signal.ifft3d(tape.constant(X)).numpy().real
    array([[[1., 1.],
            [1., 1.]],
    <BLANKLINE>
           [[1., 1.],
            [1., 1.]]])
    """
    x = _complex_input(input, "ifft3d")
    return _fft.fftn(x, None, _innermost(x, 3, "ifft3d"), inverse=True)


# --------------------------------------------------------------------------- real signals


def rfft(input_tensor: Any, fft_length: Any = None, name: str | None = None) -> Tensor:
    """The discrete Fourier transform of a real tensor along its innermost axis, its
    ``fft_length // 2 + 1`` non-negative frequencies (``tf.signal.rfft``). The signal is cut
    or zero-padded to ``fft_length`` first (a list of one length; by default its own).

    The gradient is the exact adjoint of the half spectrum: a real sample gets
    ``Re(sum_k g_k exp(+2 pi i k m / n))`` over the bins kept, which is not ``n *
    irfft(g)`` (that counts bins 1 to ``(n - 1) / 2`` twice).

    >>> import tape
    >>> x = tape.constant([1.0, 2.0, 0.0, -1.0])
    >>> tape.signal.rfft(x).numpy()
    array([2.+0.j, 1.-3.j, 0.+0.j], dtype=complex64)
    >>> tape.signal.rfft(x, fft_length=[6]).shape
    (4,)
    """
    x = _real_input(input_tensor, "rfft")
    return _fft.rfftn(x, _lengths(fft_length, 1, "rfft"), _innermost(x, 1, "rfft"))


def irfft(input_tensor: Any, fft_length: Any = None, name: str | None = None) -> Tensor:
    """The real signal of length ``fft_length`` (by default ``2 * (m - 1)`` for ``m`` bins)
    whose transform along the innermost axis has the half spectrum ``input_tensor``
    (``tf.signal.irfft``). The spectrum is cut or zero-padded to ``fft_length // 2 + 1`` bins
    first; the imaginary parts of bin 0 and, for an even length, of the last bin are
    discarded (they have no place in a real signal's spectrum), so their gradient is 0.

    >>> import numpy as np, tape
    >>> X = tape.constant(np.array([2.0, 1.0 - 3.0j, 0.0]))
    >>> tape.signal.irfft(X).numpy()
    array([ 1.,  2.,  0., -1.])
    """
    x = _complex_input(input_tensor, "irfft")
    if fft_length is None and x.shape and x.shape[-1] < 2:
        raise ValueError(
            f"tape.signal.irfft: the default length 2 * (m - 1) of {x.shape[-1]} bin(s) is "
            "not a signal length; pass fft_length (e.g. [1] for a single bin)."
        )
    return _fft.irfftn(x, _lengths(fft_length, 1, "irfft"), _innermost(x, 1, "irfft"))


def rfft2d(input_tensor: Any, fft_length: Any = None, name: str | None = None) -> Tensor:
    """The two-dimensional transform of a real tensor over its innermost two axes, the half
    spectrum along the last (``tf.signal.rfft2d``); ``fft_length`` gives two lengths.

    >>> import numpy as np, tape
    >>> x = tape.constant(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    >>> tape.signal.rfft2d(x).shape
    (2, 2)
    """
    x = _real_input(input_tensor, "rfft2d")
    return _fft.rfftn(x, _lengths(fft_length, 2, "rfft2d"), _innermost(x, 2, "rfft2d"))


def irfft2d(input_tensor: Any, fft_length: Any = None, name: str | None = None) -> Tensor:
    """The inverse of :func:`rfft2d` (``tf.signal.irfft2d``): ``fft_length`` gives the two
    lengths of the real result.

    >>> import numpy as np, tape
    >>> x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> X = tape.signal.rfft2d(tape.constant(x))
    >>> np.allclose(tape.signal.irfft2d(X, fft_length=[2, 3]).numpy(), x)
    True
    """
    x = _complex_input(input_tensor, "irfft2d")
    return _fft.irfftn(x, _lengths(fft_length, 2, "irfft2d"), _innermost(x, 2, "irfft2d"))


def rfft3d(input_tensor: Any, fft_length: Any = None, name: str | None = None) -> Tensor:
    """The three-dimensional transform of a real tensor over its innermost three axes, the
    half spectrum along the last (``tf.signal.rfft3d``); ``fft_length`` gives three lengths.

    >>> import numpy as np, tape
    >>> tape.signal.rfft3d(tape.constant(np.ones((2, 3, 4)))).shape
    (2, 3, 3)
    """
    x = _real_input(input_tensor, "rfft3d")
    return _fft.rfftn(x, _lengths(fft_length, 3, "rfft3d"), _innermost(x, 3, "rfft3d"))


def irfft3d(input_tensor: Any, fft_length: Any = None, name: str | None = None) -> Tensor:
    """The inverse of :func:`rfft3d` (``tf.signal.irfft3d``): ``fft_length`` gives the three
    lengths of the real result.

    >>> import numpy as np, tape
    >>> x = np.arange(24.0).reshape(2, 3, 4)
    >>> X = tape.signal.rfft3d(tape.constant(x))
    >>> np.allclose(tape.signal.irfft3d(X, fft_length=[2, 3, 4]).numpy(), x)
    True
    """
    x = _complex_input(input_tensor, "irfft3d")
    return _fft.irfftn(x, _lengths(fft_length, 3, "irfft3d"), _innermost(x, 3, "irfft3d"))


# --------------------------------------------------------------------------- shifts


def fftshift(x: Any, axes: Any = None, name: str | None = None) -> Tensor:
    """The zero frequency moved to the centre: each axis in ``axes`` (every axis when None)
    rolled by half its length (``tf.signal.fftshift``).

    >>> import tape
    >>> tape.signal.fftshift(tape.constant([0.0, 1.0, 2.0, -2.0, -1.0])).numpy()
    array([-2., -1.,  0.,  1.,  2.], dtype=float32)
    """
    return np.fft.fftshift(_tensor(x), axes)


def ifftshift(x: Any, axes: Any = None, name: str | None = None) -> Tensor:
    """The inverse of :func:`fftshift` (they differ for axes of odd length)
    (``tf.signal.ifftshift``).

    >>> import tape
    >>> tape.signal.ifftshift(tape.constant([-2.0, -1.0, 0.0, 1.0, 2.0])).numpy()
    array([ 0.,  1.,  2., -2., -1.], dtype=float32)
    """
    return np.fft.ifftshift(_tensor(x), axes)


def __getattr__(name: str) -> object:
    raise _missing("tape.signal", "tf.signal", name)
