"""``tape.math``: elementwise ops and reductions under TensorFlow's names."""

from ._missing import missing as _missing
from .ops import exported, nn

_ops = exported("elementwise", "reductions")
_ops.update(softmax=nn.softmax, log_softmax=nn.log_softmax)  # TensorFlow has them here too
globals().update(_ops)
__all__ = sorted(_ops)


def __getattr__(name: str) -> object:
    raise _missing("tape.math", "tf.math", name)
