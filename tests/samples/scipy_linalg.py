"""Samples for SciPy's linear algebra and convolution (``tape.scipy.linalg``,
``tape.scipy.signal``), loaded only when SciPy is installed.

Matrices are kept well conditioned, by tests/samples/linalg.py's helpers: general ones are
``random + n I``, symmetric positive definite ones ``X X^T + n I``; ``expm``'s inputs are
small, ``sqrtm``'s have eigenvalues well inside the right half-plane.
"""

from __future__ import annotations

import numpy as np

import tape.scipy.linalg  # noqa: F401  (makes tape.scipy.linalg resolvable)
import tape.scipy.signal  # noqa: F401

from . import Sample, noncontiguous
from .linalg import _general, _normal, _spd

L = "scipy.linalg."
S = "scipy.signal."

SAMPLES: dict[str, list[Sample]] = {
    L + "solve_triangular": [
        Sample((_general(3, 3), _normal(3, 2))),  # upper triangle read
        Sample((_general(3, 3), _normal(3))), # a vector rhs
        Sample((_general(3, 3), _normal(3, 2)), {"lower": True}),
        Sample((_general(3, 3), _normal(3, 2)), {"trans": 1, "lower": True}),
        Sample((_general(3, 3), _normal(3)), {"trans": "T"}),
        Sample((_general(3, 3), _normal(3, 2)), {"unit_diagonal": True, "lower": True}),
        Sample((_general(2, 3, 3), _normal(2, 3, 1)), {"trans": 2}),
        Sample((noncontiguous(_general(3, 3)), noncontiguous(_normal(3, 2)))),
    ],
    L + "cho_factor": [
        Sample((_spd(3, 3),)),
        Sample((_spd(3, 3),), {"lower": True}),
        Sample((_spd(3, 3) + np.triu(_normal(3, 3), 1) * 0.1,)),  # only a triangle is read
        Sample((noncontiguous(_spd(2, 2)),), {"lower": True}),
    ],
    L + "cho_solve": [
        Sample(((np.linalg.cholesky(_spd(3, 3)), True), _normal(3, 2))),
        Sample(((np.linalg.cholesky(_spd(3, 3)).T, False), _normal(3))),
        Sample(((np.linalg.cholesky(_spd(3, 3)) + np.triu(_normal(3, 3), 1), True),
                _normal(3, 1))),  # the other triangle is not read
    ],
    L + "expm": [
        Sample((_normal(3, 3) * 0.5,)),
        Sample((_normal(2, 2, 2) * 0.5,)),
        Sample((_normal(1, 1),)),
        Sample((np.zeros((3, 3)),)),
        Sample((noncontiguous(_normal(3, 3) * 0.5),)),
    ],
    L + "sqrtm": [
        Sample((_spd(3, 3),)),
        Sample((_general(3, 3),)),  # not symmetric
        Sample((_spd(2, 2, 2),)),
        Sample((noncontiguous(_spd(2, 2)),)),
    ],
    L + "solve_sylvester": [
        Sample((_general(3, 3), _general(2, 2), _normal(3, 2))),
        Sample((_general(2, 2), _general(2, 2), _normal(2, 2))),
        Sample((_general(2, 2, 2), _general(2, 2), _normal(2, 2))),  # batches broadcast
    ],
    S + "convolve": [
        Sample((_normal(5), _normal(3))),
        Sample((_normal(5), _normal(3)), {"mode": "same"}),
        Sample((_normal(5), _normal(3)), {"mode": "valid"}),
        Sample((_normal(3), _normal(5)), {"mode": "valid"}),
        Sample((_normal(4), _normal(4)), {"mode": "same", "method": "direct"}),
        Sample((_normal(6), _normal(3)), {"method": "fft"}),
        Sample((_normal(3, 4), _normal(2, 2))),
        Sample((_normal(3, 4), _normal(2, 3)), {"mode": "same"}),
        Sample((noncontiguous(_normal(4)), _normal(2)), {"mode": "valid"}),
    ],
    S + "correlate": [
        Sample((_normal(5), _normal(3))),
        Sample((_normal(5), _normal(2)), {"mode": "same"}),
        Sample((_normal(3), _normal(5)), {"mode": "valid"}),
        Sample((_normal(3, 4), _normal(2, 2)), {"mode": "valid", "method": "direct"}),
    ],
}
