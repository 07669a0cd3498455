"""``tape.keras.optimizers``: tape's optimizers under Keras's names, and :func:`get`.

``SGD`` and ``Adam`` are :mod:`tape.optimizers`'s own classes. ``RMSprop``, ``Adagrad`` and
``AdamW`` are added here in the same style, with the update rules of Keras's current
optimizers (``epsilon`` inside the square root for RMSprop and Adagrad). Keras's other
optimizers (``Adadelta``, ``Adamax``, ``Nadam``, ``Ftrl``, ...) raise
``NotImplementedError``.

>>> from tape.keras import optimizers
>>> optimizers.get("adam")
Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Variable
from ..optimizers import SGD, Adam, LearningRate, Optimizer

__all__ = [
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lion",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "deserialize",
    "get",
    "serialize",
]


class RMSprop(Optimizer):
    """RMSprop, as Keras computes it. With ``v`` (and ``a``, ``m``) zeros at first::

        v <- rho * v + (1 - rho) * g**2
        a <- rho * a + (1 - rho) * g                 # centered=True only
        d = v - a**2 if centered else v
        step = lr * g / sqrt(d + epsilon)
        m <- momentum * m + step; w <- w - m         # momentum > 0
        w <- w - step                                # momentum == 0

    >>> import numpy as np, tape
    >>> from tape.keras import optimizers
    >>> w = tape.Variable(np.float64(1.0))
    >>> _ = optimizers.RMSprop(learning_rate=0.1).apply_gradients([(tape.constant(2.0), w)])
    >>> round(float(w), 6)  # 1 - 0.1 * 2 / sqrt(0.1 * 4 + 1e-7)
    0.683772
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str = "RMSprop",
    ) -> None:
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"`momentum` must be a float between [0, 1], got {momentum}.")
        self.rho = float(rho)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.centered = bool(centered)

    def update_step(self, gradient: np.ndarray, variable: Variable, learning_rate: float) -> None:
        w = variable.numpy()
        dt = w.dtype
        rho = np.asarray(self.rho, dtype=dt)
        v = self.slot(variable, "velocity")
        v[...] = rho * v + (1 - rho) * np.square(gradient)
        denominator = v
        if self.centered:
            a = self.slot(variable, "average_gradient")
            a[...] = rho * a + (1 - rho) * gradient
            denominator = v - np.square(a)
        step = (
            np.asarray(learning_rate, dtype=dt) * gradient
            / np.sqrt(denominator + np.asarray(self.epsilon, dtype=dt))
        )
        if self.momentum > 0:
            m = self.slot(variable, "momentum")
            m[...] = np.asarray(self.momentum, dtype=dt) * m + step
            step = m
        variable.assign(w - step)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


class Adagrad(Optimizer):
    """Adagrad, as Keras computes it: an accumulator ``s`` starting at
    ``initial_accumulator_value``, then ``s <- s + g**2`` and
    ``w <- w - lr * g / sqrt(s + epsilon)``.

    >>> import numpy as np, tape
    >>> from tape.keras import optimizers
    >>> w = tape.Variable(np.float64(1.0))
    >>> _ = optimizers.Adagrad(learning_rate=0.1).apply_gradients([(tape.constant(0.0), w)])
    >>> float(w)
    1.0
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str = "Adagrad",
    ) -> None:
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)
        if initial_accumulator_value < 0:
            raise ValueError(
                "`initial_accumulator_value` must be non-negative, got "
                f"{initial_accumulator_value}."
            )
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = float(epsilon)

    def update_step(self, gradient: np.ndarray, variable: Variable, learning_rate: float) -> None:
        w = variable.numpy()
        dt = w.dtype
        fresh = "accumulator" not in self._slots.get(variable._id, {})
        s = self.slot(variable, "accumulator")
        if fresh:
            s[...] = self.initial_accumulator_value
        s += np.square(gradient)
        step = (
            np.asarray(learning_rate, dtype=dt) * gradient
            / np.sqrt(s + np.asarray(self.epsilon, dtype=dt))
        )
        variable.assign(w - step)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter), as Keras's ``AdamW``:
    :class:`Adam` with ``weight_decay`` defaulting to 0.004 -- before each update,
    ``w <- w - lr * weight_decay * w``."""

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str = "AdamW",
    ) -> None:
        if weight_decay is None:
            raise ValueError("AdamW needs a weight_decay (a float); for none use Adam.")
        super().__init__(
            learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay, clipnorm, clipvalue,
            global_clipnorm, name,
        )


def _unsupported(keras_name: str) -> type:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            f"tape.keras.optimizers.{keras_name} is not supported: tape.keras has SGD, Adam, "
            "AdamW, RMSprop and Adagrad."
        )

    doc = f"Keras's ``{keras_name}``: not supported by tape.keras (raises NotImplementedError)."
    return type(keras_name, (Optimizer,), {"__init__": __init__, "__doc__": doc})


Adadelta = _unsupported("Adadelta")
Adafactor = _unsupported("Adafactor")
Adamax = _unsupported("Adamax")
Ftrl = _unsupported("Ftrl")
Lion = _unsupported("Lion")
Nadam = _unsupported("Nadam")

_CLASSES: dict[str, type[Optimizer]] = {
    cls.__name__.lower(): cls
    for cls in (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adafactor, Adamax, Ftrl, Lion, Nadam)
}


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name (``'sgd'``, ``'adam'``, ``'adamw'``, ``'rmsprop'``,
    ``'adagrad'``, in any case; Keras's defaults), an :class:`Optimizer` (returned as it is)
    or a config dictionary ``{'class_name': ..., 'config': {...}}``.

    >>> from tape.keras import optimizers
    >>> optimizers.get("sgd")
    SGD(learning_rate=0.01, momentum=0.0, nesterov=False)
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _CLASSES.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"Unknown optimizer: {identifier!r}. tape.keras has 'sgd', 'adam', 'adamw', "
                "'rmsprop' and 'adagrad'; or pass an optimizer instance."
            )
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}; pass a name such as "
        "'adam' or an optimizer instance, e.g. tape.keras.optimizers.Adam(learning_rate=0.01)."
    )


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """``{'class_name': ..., 'config': ...}`` for an optimizer."""
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config: dict[str, Any]) -> Optimizer:
    """An optimizer from :func:`serialize`'s dictionary."""
    name = str(config.get("class_name", ""))
    cls = _CLASSES.get(name.lower())
    if cls is None:
        raise ValueError(f"Unknown optimizer class {name!r} in {config!r}.")
    return cls(**config.get("config", {}))
