"""``tape.compat.v1``: everything in ``tape``, plus ``enable_eager_execution`` (a no-op: tape
always runs eagerly). Graph-mode TensorFlow 1 (sessions, placeholders) is not supported.

>>> import tape.compat.v1 as tf
>>> tf.enable_eager_execution()
>>> tf.executing_eagerly()
True
"""

from __future__ import annotations

import sys
from typing import Any

# tape itself, already imported (it imports this module last); read from sys.modules so that
# the package does not import itself in a cycle
_tape = sys.modules["tape"]


def enable_eager_execution(config: Any = None, device_policy: Any = None,
                           execution_mode: Any = None) -> None:
    """TensorFlow 1's switch to eager mode. tape is always eager, so this does nothing."""


def enable_v2_behavior() -> None:
    """TensorFlow 1's switch to TensorFlow 2 behaviour: tape has only that, so it does
    nothing."""


def executing_eagerly() -> bool:
    """Always True: tape runs every op as it is called."""
    return True


def __getattr__(name: str) -> Any:
    return getattr(_tape, name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(dir(_tape)))


__all__ = sorted({*_tape.__all__, "enable_eager_execution", "enable_v2_behavior",
                  "executing_eagerly"})
