"""Samples for the discrete Fourier transform: ``np.fft`` on tensors and ``tape.signal``.

Inputs are real float64 arrays: the op sweep differentiates them as real signals (a complex
transform's result is complex; a real input takes the real part of its cotangent), and the
complex sweep (tests/test_complex_sweep.py) gives them imaginary parts, which NumPy refuses for
the transforms of real signals (``rfft``, ``ihfft``, ``rfftn``...: skipped there). Lengths are
even and odd; ``n`` and ``s`` pad and truncate; every norm; 1-D inputs and batches of 2-D and
3-D ones along each axis.

The transforms of ``tape.signal`` that take complex tensors only (``fft``, ``ifft``, ``fft2d``,
``irfft``...) refuse real input, as TensorFlow's do, so they have no samples here: their
values and derivatives are checked in tests/test_fft.py.
"""

from __future__ import annotations

import numpy as np

from . import Sample, noncontiguous, rng

R = rng(11)


def _normal(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


def _one_axis() -> list[Sample]:
    """A transform of ``(a, n=None, axis=-1, norm=None)``: even and odd lengths, padding and
    truncation, each norm, an axis of a batch."""
    return [
        Sample((_normal(6),)),
        Sample((_normal(7),)),
        Sample((_normal(1),)),
        Sample((_normal(6),), {"n": 9}),  # zero-padded to an odd length
        Sample((_normal(7),), {"n": 4}),  # truncated to an even length
        Sample((_normal(5),), {"n": 8, "norm": "ortho"}),
        Sample((_normal(8),), {"n": 5, "norm": "forward"}),
        Sample((_normal(3, 6),), {"norm": "ortho"}),  # a batch of signals
        Sample((_normal(5, 4),), {"axis": 0, "norm": "forward"}),
        Sample((_normal(2, 5, 3),), {"axis": 1, "n": 6}),
        Sample((_normal(2, 3, 4),), {"axis": -3, "n": 3, "norm": "backward"}),
        Sample((noncontiguous(_normal(3, 5)),), {"axis": 0}),
    ]


def _inverse_real() -> list[Sample]:
    """``irfft``/``hfft`` of ``(a, n=None, axis=-1, norm=None)``: a half spectrum of ``m``
    bins gives ``2 (m - 1)`` samples by default; an odd ``n`` keeps no Nyquist bin; ``n`` may
    need fewer bins (the rest are dropped) or more (zeros)."""
    return [
        Sample((_normal(4),)),  # 6 samples: bins 0 and 3 real
        Sample((_normal(5),), {"n": 9}),  # 9 samples: no Nyquist bin
        Sample((_normal(2),)),  # 2 samples
        Sample((_normal(6),), {"n": 5}),  # 3 bins used, 3 dropped
        Sample((_normal(3),), {"n": 10, "norm": "ortho"}),  # 6 bins: 3 zeros added
        Sample((_normal(4),), {"n": 7, "norm": "forward"}),
        Sample((_normal(3, 5),), {"norm": "ortho"}),
        Sample((_normal(4, 3),), {"axis": 0, "n": 7, "norm": "forward"}),
        Sample((_normal(2, 4, 3),), {"axis": 1, "n": 8}),
        Sample((noncontiguous(_normal(2, 4)),), {"axis": -1, "norm": "backward"}),
    ]


def _n_axes(two: bool = False) -> list[Sample]:
    """A transform of ``(a, s=None, axes=None, norm=None)`` (``axes=(-2, -1)`` by default
    when ``two``)."""
    out = [
        Sample((_normal(4, 5),)),
        Sample((_normal(3, 4),), {"s": (5, 2), "axes": (0, 1), "norm": "ortho"}),
        Sample((_normal(2, 3, 5),), {"s": (4, 3), "axes": (2, 0), "norm": "forward"}),
        Sample((_normal(2, 3, 4),), {"axes": (-1, 1)}),
        Sample((noncontiguous(_normal(3, 4)),), {"norm": "ortho"}),
    ]
    if not two:
        out += [
            Sample((_normal(2, 3, 4),)),  # every axis
            Sample((_normal(3, 4, 2),), {"axes": (1,), "s": (6,)}),
            Sample((_normal(3, 4),), {"axes": (1, 1)}),  # an axis twice, as NumPy allows
        ]
    return out


def _inverse_real_n_axes(two: bool = False) -> list[Sample]:
    """``irfftn``/``irfft2``: the last axis a half spectrum."""
    out = [
        Sample((_normal(3, 4),)),
        Sample((_normal(4, 3),), {"s": (3, 5), "axes": (0, 1), "norm": "ortho"}),
        Sample((_normal(2, 3, 4),), {"s": (2, 6), "axes": (0, 2), "norm": "forward"}),
        Sample((_normal(2, 4, 3),), {"axes": (-1, 1)}),  # the half spectrum along axis 1
        Sample((noncontiguous(_normal(3, 4)),), {"s": (4, 7), "axes": (-2, -1)}),
    ]
    if not two:
        out += [
            Sample((_normal(2, 3, 4),)),
            Sample((_normal(3, 4),), {"axes": (0,), "s": (5,)}),
            Sample((_normal(3, 4),), {"axes": (1, 1)}),
        ]
    return out


def _shifts() -> list[Sample]:
    return [
        Sample((_normal(5),)),
        Sample((_normal(6),)),
        Sample((_normal(3, 4),)),
        Sample((_normal(3, 4, 5),), {"axes": (0, 2)}),
        Sample((_normal(3, 5),), {"axes": 1}),
    ]


def _signal_real(k: int) -> list[Sample]:
    """``tape.signal.rfft``, ``rfft2d``, ``rfft3d``: the innermost ``k`` axes."""
    base = (4, 5, 3)[:k]
    return [
        Sample((_normal(*base),)),
        Sample((_normal(2, *base),)),
        Sample((_normal(2, *base),), {"fft_length": [n + 2 * (i % 2) - 1
                                                      for i, n in enumerate(base)]}),
    ]


SAMPLES: dict[str, list[Sample]] = {
    "np.fft.fft": _one_axis(),
    "np.fft.ifft": _one_axis(),
    "np.fft.rfft": _one_axis(),
    "np.fft.ihfft": _one_axis(),
    "np.fft.irfft": _inverse_real(),
    "np.fft.hfft": _inverse_real(),
    "np.fft.fftn": _n_axes(),
    "np.fft.ifftn": _n_axes(),
    "np.fft.rfftn": _n_axes(),
    "np.fft.fft2": _n_axes(two=True),
    "np.fft.ifft2": _n_axes(two=True),
    "np.fft.rfft2": _n_axes(two=True),
    "np.fft.irfftn": _inverse_real_n_axes(),
    "np.fft.irfft2": _inverse_real_n_axes(two=True),
    "np.fft.fftshift": _shifts(),
    "np.fft.ifftshift": _shifts(),
    "signal.rfft": _signal_real(1),
    "signal.rfft2d": _signal_real(2),
    "signal.rfft3d": _signal_real(3),
    "signal.fftshift": _shifts(),
    "signal.ifftshift": _shifts(),
}
