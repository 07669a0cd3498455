"""SciPy, differentiated: :mod:`tape.scipy.special`, :mod:`tape.scipy.stats`,
:mod:`tape.scipy.linalg` and :mod:`tape.scipy.signal`.

SciPy is optional (``pip install 'tape[scipy]'``); importing ``tape`` never imports it. SciPy's
special functions are NumPy ufuncs, so ``scipy.special.gamma(x)`` on a tensor is recorded
directly; ``tape.scipy.special`` has them by name, with ``polygamma`` and recorded equivalents
of ``logsumexp``, ``softmax`` and ``log_softmax``, which SciPy writes on ``np.asarray``.
``tape.scipy.stats`` has distributions with SciPy's methods (``norm.logpdf``, ...), written
with tape's ops, differentiable in the data and the parameters. ``tape.scipy.linalg`` has
``solve_triangular``, ``cho_factor``, ``cho_solve``, ``expm``, ``sqrtm`` and
``solve_sylvester``, and ``tape.scipy.signal`` ``convolve`` and ``correlate`` (complex
values for all but ``sqrtm``).

>>> import tape
>>> import tape.scipy.special
>>> x = tape.constant(3.0, dtype=tape.float64)
>>> print(f"{float(tape.scipy.special.gamma(x)):.1f}")
2.0
"""

from __future__ import annotations

try:
    import scipy.special  # noqa: F401
except ImportError as error:  # pragma: no cover - SciPy is in the test extra
    raise ImportError(
        "tape.scipy needs SciPy, which is optional: install it with "
        "pip install 'tape[scipy]' (or pip install scipy)."
    ) from error

from . import linalg, signal, special, stats

__all__ = ["linalg", "signal", "special", "stats"]
