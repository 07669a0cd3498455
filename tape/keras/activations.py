"""Keras's activation functions, as recorded tape ops (so gradients flow through them).

``get`` turns a name (``"relu"``), None (the identity, ``linear``) or a callable into a
function; layers take any of these as ``activation=``.

>>> import tape
>>> from tape.keras import activations
>>> activations.get("relu")(tape.constant([-1.0, 2.0])).numpy()
array([0., 2.], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..ops import creation, elementwise, nn, shape

__all__ = [
    "elu",
    "exponential",
    "gelu",
    "get",
    "leaky_relu",
    "linear",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "swish",
    "tanh",
]


def _tensor(x: Any) -> Any:
    return creation.convert_to_tensor(x)


def relu(
    x: Any, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0
) -> Any:
    """``max(x, 0)``; with the options, ``negative_slope * (x - threshold)`` below
    ``threshold`` and ``max_value`` at and above ``max_value``, as Keras."""
    x = _tensor(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return elementwise.relu(x)
    zero = creation.zeros_like(x)
    low = zero if negative_slope == 0.0 else negative_slope * (x - threshold)
    y = elementwise.where(x >= threshold, x, low)
    if max_value is not None:
        y = elementwise.where(x >= max_value, creation.fill(x.shape, max_value) + zero, y)
    return y


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Any:
    """``x`` for ``x > 0``, ``negative_slope * x`` otherwise."""
    return elementwise.leaky_relu(_tensor(x), alpha=negative_slope)


def relu6(x: Any) -> Any:
    """``min(max(x, 0), 6)``."""
    return elementwise.relu6(_tensor(x))


def elu(x: Any, alpha: float = 1.0) -> Any:
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise."""
    x = _tensor(x)
    if alpha == 1.0:
        return elementwise.elu(x)
    return elementwise.where(x > 0, x, alpha * elementwise.expm1(x))


def selu(x: Any) -> Any:
    """Scaled ELU with Klambauer et al.'s constants (scale ~1.0507, alpha ~1.6733)."""
    return elementwise.selu(_tensor(x))


def gelu(x: Any, approximate: bool = False) -> Any:
    """``x * Phi(x)`` (Phi the standard normal CDF); the tanh form with ``approximate``."""
    return elementwise.gelu(_tensor(x), approximate=approximate)


def silu(x: Any) -> Any:
    """``x * sigmoid(x)``, also called swish."""
    return elementwise.silu(_tensor(x))


swish = silu


def sigmoid(x: Any) -> Any:
    """``1 / (1 + exp(-x))``."""
    return elementwise.sigmoid(_tensor(x))


def tanh(x: Any) -> Any:
    """Hyperbolic tangent."""
    return elementwise.tanh(_tensor(x))


def softplus(x: Any) -> Any:
    """``log(1 + exp(x))``."""
    return elementwise.softplus(_tensor(x))


def softsign(x: Any) -> Any:
    """``x / (1 + |x|)``."""
    return elementwise.softsign(_tensor(x))


def exponential(x: Any) -> Any:
    """``exp(x)``."""
    return elementwise.exp(_tensor(x))


def softmax(x: Any, axis: int = -1) -> Any:
    """``exp(x) / sum(exp(x), axis)``, along the last axis by default."""
    return nn.softmax(_tensor(x), axis=axis)


def linear(x: Any) -> Any:
    """The identity (as a recorded op when ``x`` is a tensor)."""
    return shape.identity(_tensor(x))


_BY_NAME: dict[str, Callable[..., Any]] = {
    "elu": elu,
    "exponential": exponential,
    "gelu": gelu,
    "leaky_relu": leaky_relu,
    "linear": linear,
    "relu": relu,
    "relu6": relu6,
    "selu": selu,
    "sigmoid": sigmoid,
    "silu": silu,
    "softmax": softmax,
    "softplus": softplus,
    "softsign": softsign,
    "swish": swish,
    "tanh": tanh,
}


def get(identifier: Any) -> Callable[..., Any]:
    """The activation function for a name, a callable (returned as it is), or None
    (``linear``).

    >>> from tape.keras import activations
    >>> activations.get(None) is activations.linear, activations.get("swish").__name__
    (True, 'silu')
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier]
        except KeyError:
            raise ValueError(
                f"Unknown activation function: {identifier!r}. tape.keras.activations has: "
                f"{', '.join(sorted(_BY_NAME))}."
            ) from None
    if callable(identifier):
        return identifier
    raise TypeError(
        f"Could not interpret activation function identifier: {identifier!r}. Pass a name "
        "such as 'relu', a callable or None."
    )


def serialize(activation: Callable[..., Any]) -> str:
    """The name of a built-in activation, or the callable's ``__name__``."""
    for name, fn in _BY_NAME.items():
        if fn is activation:
            return name
    return getattr(activation, "__name__", repr(activation))
