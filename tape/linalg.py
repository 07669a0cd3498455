"""``tape.linalg``: linear algebra under TensorFlow's names."""

from ._missing import missing as _missing
from .ops import exported

globals().update(exported("linalg"))
__all__ = sorted(exported("linalg"))


def __getattr__(name: str) -> object:
    raise _missing("tape.linalg", "tf.linalg", name)
