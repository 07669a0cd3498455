"""``tape.compat``: TensorFlow's compatibility modules. ``tape.compat.v1`` is tape's namespace
with the few TensorFlow 1 switches eager code still calls, so ``import tape.compat.v1 as tf``
runs code written for ``import tensorflow.compat.v1 as tf`` in eager mode."""

from . import v1

__all__ = ["v1"]
