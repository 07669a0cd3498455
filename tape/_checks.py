"""Anomaly detection and the engine's refusals.

``detect_anomaly`` makes a NaN or inf that a recorded op produces, forward or backward, an
error naming the op and the line of user code that recorded it. An op whose rules are written
for real values refuses complex ones (:func:`_complex_refused`).
"""

from __future__ import annotations

import contextvars
import os
import sys
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

try:  # NumPy's error state (private; see warnings_at_caller)
    from numpy._core import _ufunc_config
    from numpy._core import umath as _umath
except ImportError:
    _ufunc_config = _umath = None

from ._registry import Primitive
from ._sparse import IndexedSlices
from ._tensor import ANOMALY, STATE, Grad, Tensor, count_active

_HERE = os.path.dirname(__file__)


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise ``FloatingPointError`` at the first NaN or inf that a recorded op produces, in the
    forward pass or in the backward sweep, naming the op and the line of user code that
    recorded it. Slower: use it to find where a NaN comes from.

    >>> import tape
    >>> x = tape.constant(-1.0)
    >>> with tape.detect_anomaly(), tape.GradientTape() as t:
    ...     t.watch(x)
    ...     y = tape.sqrt(x)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    FloatingPointError: op 'sqrt' produced nan in the forward pass, at ...
    """
    previous = STATE.anomaly
    STATE.anomaly = True
    count_active(1, ANOMALY)
    try:
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            yield
    finally:
        count_active(-1, ANOMALY)
        STATE.anomaly = previous


def _user_frame() -> str:
    for frame in reversed(traceback.extract_stack()):
        if not frame.filename.startswith(_HERE):
            return f"{frame.filename}:{frame.lineno} in {frame.name}"
    return "<unknown>"


def _bad(value: Any) -> str | None:
    v = value._value if type(value) is Tensor else value
    if type(v) is IndexedSlices:
        v = v._values
    if np.all(np.isfinite(v)):
        return None
    return "nan" if np.any(np.isnan(v)) else "inf"


def _check_forward(prim: Primitive, out: Tensor | tuple[Tensor, ...]) -> str:
    """Raise at a NaN or inf output; return where in the user's code the op was run."""
    where = _user_frame()
    for o in out if type(out) is tuple else (out,):
        bad = _bad(o)
        if bad:
            raise FloatingPointError(
                f"op '{prim.name}' produced {bad} in the forward pass, at {where}."
            )
    return where


def _check_backward(
    prim: Primitive, i: int, gi: Grad | IndexedSlices, out_id: Any,
    where: dict[int, str],
) -> None:
    """Raise at a NaN or inf cotangent ``gi`` that the rule of argument ``i`` produced."""
    bad = _bad(gi)
    if bad:
        first = out_id[0] if type(out_id) is tuple else out_id
        raise FloatingPointError(
            f"the gradient rule of op '{prim.name}' produced {bad} for its argument {i} in the "
            f"backward sweep; the op was recorded at {where.get(first, '<unknown>')}."
        )


def _complex_error(dtype: np.dtype, prim: Primitive | None = None) -> TypeError:
    """A complex tangent for a real output: an op's forward-mode rule gave a complex value
    where its output is real (casting it would drop the imaginary part silently)."""
    op = f"op '{prim.name}'" if prim is not None else "an op"
    return TypeError(
        f"the forward-mode rule of {op} gave a complex tangent for its real {dtype} output: "
        "the rule is wrong for complex values (a custom op's JVP must return the real "
        "tangent, e.g. with tape.math.real). Please report it if the op is tape's own."
    )


def _complex_refused(prim: Primitive) -> TypeError:
    """An op whose gradient rules are written for real values met complex ones."""
    return TypeError(
        f"op '{prim.name}' has no gradient rule for complex values: it is defined for real "
        "ones (or NumPy orders complex numbers, which has no derivative). Differentiate "
        "through its real and imaginary parts (tape.math.real(z), tape.math.imag(z), "
        "tape.math.abs(z)), or wrap the value in tape.stop_gradient()."
    )


_TAPE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__)) + os.sep


class _WarnAtCaller:
    """Where NumPy writes its floating-point warnings in its ``'log'`` mode: each is warned
    again as NumPy's ``RuntimeWarning``, from the first frame outside tape and NumPy (the
    user's line, not tape's own file)."""

    def write(self, message: str) -> None:
        text = message.strip().removeprefix("Warning: ")
        frame, level = sys._getframe(1), 2
        while frame is not None and frame.f_code.co_filename.startswith(
            (_TAPE_DIR, _NUMPY_DIR)
        ):
            frame, level = frame.f_back, level + 1
        warnings.warn(text, RuntimeWarning, stacklevel=level)


_AT_CALLER = _WarnAtCaller()

# NumPy's error state is a context variable (a private one): setting it directly costs 0.3 us,
# np.errstate 3 us or more, which a one-op gradient would feel. Without it (another NumPy),
# warnings keep NumPy's own location.
try:
    _ERRSTATE: Any = _ufunc_config._extobj_contextvar
    _NUMPY_DEFAULT = contextvars.Context().run(_ERRSTATE.get)
    _DEFAULT_SETTINGS = contextvars.Context().run(np.geterr)
    _AT_CALLER_STATE = _umath._make_extobj(
        call=_AT_CALLER, divide="log", over="log", invalid="log"
    )
except (AttributeError, TypeError):
    _ERRSTATE = None


def warnings_at_caller() -> Any:
    """Make NumPy's floating-point warnings name the user's line (when NumPy's error state is
    its default: a user's own settings hold); returns what :func:`end_warnings_at_caller`
    takes."""
    if _ERRSTATE is None:
        return None
    state = _ERRSTATE.get()
    if state is not _NUMPY_DEFAULT and (  # (np.seterr makes a new state of the same value)
        np.geterr() != _DEFAULT_SETTINGS or np.geterrcall() is not None
    ):
        return None
    return _ERRSTATE.set(_AT_CALLER_STATE)


def end_warnings_at_caller(token: Any) -> None:
    """Undo :func:`warnings_at_caller`."""
    if token is not None:
        try:
            _ERRSTATE.reset(token)
        except ValueError:  # left in another context: back to NumPy's default
            _ERRSTATE.set(_NUMPY_DEFAULT)
