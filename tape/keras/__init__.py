"""``tape.keras``: the part of Keras that TensorFlow's guides and a first model use, on tape.

Layers (:mod:`tape.keras.layers`), ``Sequential`` and subclassed ``Model`` with ``compile``,
``fit``, ``evaluate`` and ``predict`` (:mod:`tape.keras.models`), activations, initializers,
losses, metrics and optimizers. Every computation is a recorded tape op, so a
``tape.GradientTape`` differentiates a model as it differentiates any function; training
updates the weights with :mod:`tape.optimizers`. What is not supported (the functional API,
callbacks, regularizers, ``tf.data`` inputs...) raises ``NotImplementedError`` naming it.

>>> import numpy as np, tape
>>> model = tape.keras.Sequential([tape.keras.layers.Dense(1, input_shape=(3,))])
>>> model.predict(np.ones((2, 3)), verbose=0).shape
(2, 1)
"""

from . import activations, initializers, layers, losses, metrics, models, optimizers
from .layers import Input, clear_session
from .models import Model, Sequential

__all__ = [
    "Input",
    "Model",
    "Sequential",
    "activations",
    "clear_session",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
]
