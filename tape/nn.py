"""``tape.nn``: neural-network ops under TensorFlow's names."""

from ._missing import missing as _missing
from .ops import elementwise, exported

globals().update(exported("nn"))
globals().update({name: getattr(elementwise, name) for name in elementwise.ACTIVATIONS})
__all__ = sorted([*exported("nn"), *elementwise.ACTIVATIONS])


def __getattr__(name: str) -> object:
    raise _missing("tape.nn", "tf.nn", name)
