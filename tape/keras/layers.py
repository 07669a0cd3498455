"""Keras layers on tape: ``Layer`` and ``Dense``, ``Flatten``, ``BatchNormalization``,
``Dropout``, ``Activation``.

Every computation is a recorded tape op, so a ``GradientTape`` gives gradients with respect
to a layer's weights and inputs. A layer creates its weights on its first call, from the
shape of its input (``build``); weights are :class:`tape.Variable` objects named as
TensorFlow names them (``dense/kernel:0``).

>>> import numpy as np, tape
>>> layer = tape.keras.layers.Dense(2, kernel_initializer="ones", name="d")
>>> y = layer(np.ones((1, 3)))
>>> y.numpy(), [w.name for w in layer.weights]
(array([[3., 3.]], dtype=float32), ['d/kernel:0', 'd/bias:0'])

Floating inputs are cast to the layer's ``dtype`` (float32 unless given), as Keras does. A
layer's ``call`` that takes a ``training`` argument receives the value given to the
outermost call (``model(x, training=True)``, or ``fit``), as in Keras.
"""

from __future__ import annotations

import inspect
import math
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from .._tensor import Tensor, Variable
from .._trace import call
from ..module import Module, camel_to_snake, current_name_scope, name_scope
from ..ops import creation, elementwise, linalg, nn, shape
from . import activations, initializers

__all__ = [
    "Activation",
    "BatchNormalization",
    "Dense",
    "Dropout",
    "Flatten",
    "Input",
    "Layer",
]

# --------------------------------------------------------------------------- names, context

_NAMES: dict[str, int] = {}
_NAMES_LOCK = threading.Lock()


def unique_name(base: str) -> str:
    """``base``, then ``base_1``, ``base_2``... as Keras names layers of one class."""
    with _NAMES_LOCK:
        n = _NAMES.get(base, 0)
        _NAMES[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def clear_session() -> None:
    """Start layer names afresh (``dense``, ``dense_1``... again), as Keras's
    ``clear_session``."""
    with _NAMES_LOCK:
        _NAMES.clear()


class _CallContext(threading.local):
    def __init__(self) -> None:
        self.stack: list[tuple[Layer, Any]] = []  # (layer being called, training)


_CONTEXT = _CallContext()

# Attributes that hold a layer's own bookkeeping, never tracked as weights or sublayers.
_INTERNAL = frozenset({
    "_own_weights", "_keras_compiled", "_keras_history_rng", "_built_input_shape",
    "_batch_input_shape", "_output_shape", "_layers_list", "_rng",
})


def _leaves(value: Any) -> Iterator[Any]:
    """The leaves of nested lists, tuples and dicts, in their order (dicts by insertion)."""
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    else:
        yield value


def _shape_of(inputs: Any) -> Any:
    if isinstance(inputs, (list, tuple)):
        return [_shape_of(x) for x in inputs]
    return tuple(inputs.shape)


def _unique(items: list[Any]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


# --------------------------------------------------------------------------- Input


class Input:
    """A placeholder for a model's input shape, ``tape.keras.Input(shape=(4,))``: accepted
    only as the first entry of a ``Sequential`` model (the functional API, which calls
    layers on it, is not supported)."""

    def __init__(
        self,
        shape: Any = None,
        batch_size: int | None = None,
        dtype: Any = None,
        name: str | None = None,
        batch_shape: Any = None,
    ) -> None:
        if batch_shape is not None:
            self.shape = tuple(batch_shape)
        elif shape is not None:
            self.shape = (batch_size, *tuple(shape))
        else:
            raise ValueError("Input needs a shape, e.g. tape.keras.Input(shape=(4,)).")
        self.dtype = np.dtype(dtype or "float32")
        self.name = name or unique_name("input")

    def __repr__(self) -> str:
        return f"<tape.keras.Input shape={self.shape} dtype={self.dtype}>"


def _functional_api() -> NotImplementedError:
    return NotImplementedError(
        "Calling a layer on tape.keras.Input (Keras's functional API) is not supported: "
        "pass the Input as the first layer of tape.keras.Sequential, or subclass "
        "tape.keras.Model and define call()."
    )


# --------------------------------------------------------------------------- Layer


class Layer(Module):
    """The base class of layers: ``build(input_shape)`` creates the weights with
    ``add_weight``, ``call(inputs, ...)`` computes the output; calling the layer builds it on
    first use and then calls ``call``.

    Constructor arguments: ``trainable``, ``name`` (default: the class name in snake_case,
    numbered: ``dense``, ``dense_1``...), ``dtype`` (of the weights and computation, float32
    by default), and ``input_shape`` (without the batch axis) for the first layer of a
    ``Sequential`` model.

    >>> import tape
    >>> class Scale(tape.keras.layers.Layer):
    ...     def build(self, input_shape):
    ...         self.k = self.add_weight(name="k", shape=(input_shape[-1],),
    ...                                  initializer="ones")
    ...     def call(self, inputs):
    ...         return inputs * self.k
    >>> layer = Scale()
    >>> layer([[1.0, 2.0]]).numpy(), layer.built, len(layer.trainable_weights)
    (array([[1., 2.]], dtype=float32), True, 1)
    """

    def __init__(
        self,
        trainable: bool = True,
        name: str | None = None,
        dtype: Any = None,
        input_shape: Any = None,
        batch_input_shape: Any = None,
        input_dim: int | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            raise TypeError(
                f"Keyword argument not understood by {type(self).__name__}: "
                f"{', '.join(sorted(kwargs))}."
            )
        if name is None:
            name = unique_name(camel_to_snake(type(self).__name__))
        elif not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"A layer's name must be a non-empty string without '/'; got "
                             f"{name!r}.")
        self._init_name(name)
        self._trainable = bool(trainable)
        self._dtype = np.dtype(dtype or "float32")
        self.built = False
        self._own_weights: list[Variable] = []
        self._output_shape: Any = None
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            self._batch_input_shape = (None, *tuple(input_shape))
        else:
            self._batch_input_shape = None

    # ------------------------------------------------------------------ to override

    def build(self, input_shape: Any) -> None:
        """Create the weights for inputs of ``input_shape`` (a tuple; a list of them for
        several inputs). The default creates none."""
        self.built = True

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """The layer's computation. The default returns ``inputs``."""
        return inputs

    # ------------------------------------------------------------------ calling

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Convert the first argument to a tensor of the layer's dtype, build on first
        use, then ``call``; ``training`` is passed on when ``call`` takes it."""
        self._check_initialised()
        if args:
            inputs, args = args[0], args[1:]
        elif "inputs" in kwargs:
            inputs = kwargs.pop("inputs")
        else:
            raise TypeError(f"{self.name}: a layer is called with its inputs as first argument.")
        inputs = self._convert(inputs)
        given = "training" in kwargs
        training = kwargs.pop("training", None)
        if training is None and _CONTEXT.stack:
            training = _CONTEXT.stack[-1][1]
        if self._takes_training() and (given or training is not None):
            kwargs["training"] = training
        with name_scope(self.name):
            _CONTEXT.stack.append((self, training))
            try:
                if not self.built:
                    self._maybe_build(inputs)
                outputs = self.call(inputs, *args, **kwargs)
            finally:
                _CONTEXT.stack.pop()
        if isinstance(outputs, (Tensor, Variable)) and outputs.ndim:
            self._output_shape = (None, *outputs.shape[1:])
        return outputs

    def _maybe_build(self, inputs: Any) -> None:
        input_shape = _shape_of(inputs)
        self._built_input_shape = input_shape
        self.build(input_shape)
        self.built = True

    def _convert(self, inputs: Any) -> Any:
        if isinstance(inputs, Input):
            raise _functional_api()
        if isinstance(inputs, (list, tuple)) and any(
            isinstance(x, (Tensor, Variable, np.ndarray)) for x in inputs
        ):
            return [self._convert(x) for x in inputs]  # several inputs
        if not isinstance(inputs, (Tensor, Variable)):
            arr = np.asarray(inputs)
            python = not isinstance(inputs, (np.ndarray, np.generic))
            floating = arr.dtype.kind == "f" or (python and arr.dtype.kind in "iub")
            return creation.convert_to_tensor(arr, dtype=self._dtype if floating else None)
        if inputs.dtype.kind == "f" and inputs.dtype != self._dtype:
            return shape.cast(inputs, self._dtype)
        return inputs

    _training_cache: dict[type, bool] = {}

    def _takes_training(self) -> bool:
        cls = type(self)
        if cls not in Layer._training_cache:
            params = inspect.signature(self.call).parameters.values()
            Layer._training_cache[cls] = any(
                p.name == "training" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params
            )
        return Layer._training_cache[cls]

    def _check_initialised(self) -> None:
        if "_own_weights" not in vars(self):
            raise RuntimeError(
                f"{type(self).__name__} was not initialised: its __init__ must call "
                "super().__init__(**kwargs) before the layer is used."
            )

    # ------------------------------------------------------------------ weights

    def add_weight(
        self,
        name: str | None = None,
        shape: Any = None,
        dtype: Any = None,
        initializer: Any = None,
        regularizer: Any = None,
        trainable: bool = True,
        constraint: Any = None,
    ) -> Variable:
        """Create a weight (a :class:`tape.Variable`) of ``shape`` (default ``()``) and
        ``dtype`` (default: the layer's), filled by ``initializer`` (default
        ``"glorot_uniform"`` for floating weights, ``"zeros"`` otherwise)."""
        self._check_initialised()
        if regularizer is not None or constraint is not None:
            raise NotImplementedError(
                "add_weight: weight regularizers and constraints are not supported by "
                "tape.keras; add a penalty to the loss instead."
            )
        shape_ = () if shape is None else tuple(int(d) for d in np.atleast_1d(shape))
        dtype = np.dtype(dtype or self._dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.kind == "f" else "zeros"
        init = initializers.get(initializer)
        name = name or f"weight_{len(self._own_weights)}"
        scope = current_name_scope()
        if not (_CONTEXT.stack and _CONTEXT.stack[-1][0] is self):
            scope = f"{scope}{self.name}/"  # outside this layer's call: its own scope
        variable = Variable(init(shape_, dtype=dtype), trainable=trainable,
                            name=f"{scope}{name}", dtype=dtype)
        self._own_weights.append(variable)
        return variable

    def _tracked(self) -> tuple[list[Variable], list[Layer]]:
        """Variables and layers held in attributes (in assignment order), besides
        ``add_weight``'s."""
        variables, layers = [], []
        for key, value in vars(self).items():
            if key in _INTERNAL:
                continue
            for leaf in _leaves(value):
                if isinstance(leaf, Variable):
                    variables.append(leaf)
                elif isinstance(leaf, Layer) and leaf is not self:
                    layers.append(leaf)
        own = {id(v) for v in self._own_weights}
        return [v for v in _unique(variables) if id(v) not in own], _unique(layers)

    def _flatten_layers(self) -> list[Layer]:
        """The layers this layer holds, in assignment order (not recursive)."""
        return self._tracked()[1]

    @property
    def trainable(self) -> bool:
        """Whether the layer's weights are trained (``trainable_weights``); setting it sets
        it for every sublayer too."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._flatten_layers():
            layer.trainable = value

    @property
    def dtype(self) -> np.dtype:
        """The dtype of the layer's weights and computation."""
        return self._dtype

    def _own_variables(self) -> list[Variable]:
        return _unique(self._own_weights + self._tracked()[0])

    @property
    def trainable_weights(self) -> list[Variable]:
        """The trainable weights of this layer then of its sublayers, in creation order."""
        if not self._trainable:
            return []
        own = [v for v in self._own_variables() if v.trainable]
        return _unique(own + [v for layer in self._flatten_layers()
                              for v in layer.trainable_weights])

    @property
    def non_trainable_weights(self) -> list[Variable]:
        """The weights that training leaves alone (e.g. BatchNormalization's moving
        statistics; all weights when ``trainable`` is False)."""
        if not self._trainable:
            return _unique(self._own_variables() + [v for layer in self._flatten_layers()
                                                    for v in layer.weights])
        own = [v for v in self._own_variables() if not v.trainable]
        return _unique(own + [v for layer in self._flatten_layers()
                              for v in layer.non_trainable_weights])

    @property
    def weights(self) -> list[Variable]:
        """``trainable_weights + non_trainable_weights``."""
        return _unique(self.trainable_weights + self.non_trainable_weights)

    @property
    def variables(self) -> list[Variable]:  # type: ignore[override]
        """The same as ``weights`` (Keras's order, not ``tape.Module``'s)."""
        return self.weights

    @property
    def trainable_variables(self) -> list[Variable]:  # type: ignore[override]
        """The same as ``trainable_weights``."""
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list[Variable]:  # type: ignore[override]
        """The same as ``non_trainable_weights``."""
        return self.non_trainable_weights

    def count_params(self) -> int:
        """The number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(
                f"You tried to call count_params on layer {self.name}, but the layer isn't "
                "built. Build it first by calling it on a batch of data."
            )
        return int(sum(v.size for v in self.weights))

    def get_weights(self) -> list[np.ndarray]:
        """The weights' values as NumPy arrays, in ``weights`` order."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        """Set the weights from arrays in ``weights`` order (same count and shapes)."""
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(
                f"Layer {self.name} expects {len(own)} weights, but the given weights list "
                f"has {len(weights)}."
            )
        for v, w in zip(own, weights):
            if tuple(np.shape(w)) != v.shape:
                raise ValueError(
                    f"Layer {self.name}: weight '{v.name}' has shape {v.shape}, the value "
                    f"given has shape {np.shape(w)}."
                )
        for v, w in zip(own, weights):
            v.assign(w)

    @property
    def losses(self) -> list[Any]:
        """Losses added by layers: always empty (``add_loss`` is not supported)."""
        return []

    def add_loss(self, loss: Any) -> None:
        """Not supported: add the term to the loss function instead."""
        raise NotImplementedError(
            "Layer.add_loss is not supported by tape.keras; add the term to the loss "
            "computed in your training step instead."
        )

    def __repr__(self) -> str:
        return f"<tape.keras.layers.{type(self).__name__} name={self.name}, built={self.built}>"


# --------------------------------------------------------------------------- Dense


def _incompatible(layer: Layer, detail: str, shape_: tuple[int, ...]) -> ValueError:
    return ValueError(
        f'Input 0 of layer "{layer.name}" is incompatible with the layer: {detail}. Full '
        f"shape received: {shape_}"
    )


class Dense(Layer):
    """``activation(inputs @ kernel + bias)``: ``kernel`` of shape ``(input_dim, units)``
    and ``bias`` of shape ``(units,)``. Inputs of rank above 2 are multiplied along their
    last axis.

    >>> import numpy as np, tape
    >>> layer = tape.keras.layers.Dense(3, activation="relu", bias_initializer="ones")
    >>> layer(np.zeros((2, 4))).shape, layer.kernel.shape
    ((2, 3), (4, 3))
    """

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"Received an invalid value for `units`, expected a positive integer. "
                f"Received: units={units!r}"
            )
        extras = {"kernel_regularizer": kernel_regularizer, "bias_regularizer": bias_regularizer,
                  "activity_regularizer": activity_regularizer,
                  "kernel_constraint": kernel_constraint, "bias_constraint": bias_constraint}
        unsupported = [k for k, v in extras.items() if v is not None]
        if unsupported:
            raise NotImplementedError(
                f"Dense: {', '.join(unsupported)} not supported by tape.keras; add a penalty "
                "to the loss instead."
            )
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape: Any) -> None:
        """Create ``kernel`` ``(input_shape[-1], units)`` and ``bias`` ``(units,)``."""
        if isinstance(input_shape, list):
            raise ValueError(f"Dense layer {self.name} takes one input, got {len(input_shape)}.")
        last = input_shape[-1] if len(input_shape) else None
        if last is None:
            raise ValueError(
                f"The last dimension of the inputs to a Dense layer should be defined. "
                f"Found None. Full input shape received: {tuple(input_shape)}"
            )
        self.kernel = self.add_weight(name="kernel", shape=(int(last), self.units),
                                      initializer=self.kernel_initializer)
        self.bias = (self.add_weight(name="bias", shape=(self.units,),
                                     initializer=self.bias_initializer)
                     if self.use_bias else None)
        self.built = True

    def call(self, inputs: Any) -> Any:
        """``activation(inputs @ kernel + bias)``."""
        if inputs.ndim < 2:
            raise _incompatible(self, f"expected min_ndim=2, found ndim={inputs.ndim}",
                                inputs.shape)
        if inputs.shape[-1] != self.kernel.shape[0]:
            raise _incompatible(
                self, f"expected axis -1 of input shape to have value {self.kernel.shape[0]}, "
                f"but received input with shape {inputs.shape}", inputs.shape)
        outputs = linalg.matmul(inputs, self.kernel)
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)


# --------------------------------------------------------------------------- Flatten


class Flatten(Layer):
    """Reshape to ``(batch, -1)``: ``(n, 28, 28)`` becomes ``(n, 784)`` (``(n,)`` becomes
    ``(n, 1)``).

    >>> import numpy as np, tape
    >>> tape.keras.layers.Flatten()(np.zeros((2, 3, 4))).shape
    (2, 12)
    """

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError(
                f"Flatten: data_format={data_format!r} is not supported by tape.keras "
                "(channels_last only)."
            )

    def call(self, inputs: Any) -> Any:
        """``inputs`` reshaped to ``(batch, product of the other dimensions)``."""
        if inputs.ndim == 0:
            raise _incompatible(self, "expected min_ndim=1, found ndim=0", inputs.shape)
        return shape.reshape(inputs, (inputs.shape[0], math.prod(inputs.shape[1:])))


# --------------------------------------------------------------------------- Activation


class Activation(Layer):
    """Apply an activation function (a name such as ``"relu"`` or a callable).

    >>> import tape
    >>> tape.keras.layers.Activation("relu")([[-1.0, 1.0]]).numpy()
    array([[0., 1.]], dtype=float32)
    """

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: Any) -> Any:
        """``activation(inputs)``."""
        return self.activation(inputs)


# --------------------------------------------------------------------------- Dropout


class Dropout(Layer):
    """In training (``training=True``, or inside ``fit``), set each input element to 0 with
    probability ``rate`` and scale the others by ``1 / (1 - rate)``; otherwise the identity.

    The mask is drawn with NumPy (a generator seeded by ``seed``, or by the operating system)
    and is a constant to the tape: the gradient is the same mask, scaled. Elements along the
    axes where ``noise_shape`` is 1 share one draw.

    >>> import numpy as np, tape
    >>> layer = tape.keras.layers.Dropout(0.5, seed=0)
    >>> x = np.ones((1, 6))
    >>> layer(x).numpy()  # inference: the identity
    array([[1., 1., 1., 1., 1., 1.]], dtype=float32)
    >>> sorted(set(layer(x, training=True).numpy().ravel().tolist()))
    [0.0, 2.0]
    """

    def __init__(
        self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if not (isinstance(rate, (int, float, np.floating)) and 0 <= rate < 1):
            raise ValueError(
                f"Invalid value received for argument `rate`. Expected a float value "
                f"between 0 and 1 (1 excluded). Received: rate={rate!r}"
            )
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._rng = initializers.generator(seed)

    def call(self, inputs: Any, training: Any = None) -> Any:
        """``inputs * mask / (1 - rate)`` when training, ``inputs`` otherwise."""
        if not training or self.rate == 0.0:
            return inputs
        noise = inputs.shape
        if self.noise_shape is not None:
            if len(self.noise_shape) != inputs.ndim:
                raise ValueError(
                    f"Dropout {self.name}: noise_shape {self.noise_shape} has "
                    f"{len(self.noise_shape)} dimensions, the inputs {inputs.ndim}."
                )
            noise = tuple(d if n is None else int(n)
                          for n, d in zip(self.noise_shape, inputs.shape))
        return inputs * call(self._mask, noise, inputs.dtype, keep=False)  # (a draw)

    def _mask(self, noise: tuple[int, ...], dtype: np.dtype) -> Tensor:
        """The scaled mask: 1 / (1 - rate) for the inputs kept, 0 for those dropped."""
        keep = self._rng.random(noise) >= self.rate
        scale = np.asarray(1.0 / (1.0 - self.rate), dtype=dtype)
        return creation.convert_to_tensor(keep.astype(dtype) * scale)


# --------------------------------------------------------------------------- BatchNormalization


class BatchNormalization(Layer):
    """Normalise along ``axis`` (the features, the last axis by default)::

        outputs = gamma * (inputs - mean) / sqrt(variance + epsilon) + beta

    With ``training=True`` (and inside ``fit``), ``mean`` and ``variance`` are the batch's
    (over every axis but ``axis``; the variance divides by the count), and the moving
    statistics -- non-trainable weights -- are updated as Keras updates them::

        moving_mean     <- moving_mean * momentum + mean * (1 - momentum)
        moving_variance <- moving_variance * momentum + variance * (1 - momentum)

    Otherwise (``training=False`` or None, or a layer with ``trainable = False``) the moving
    statistics are used. Gradients flow to ``gamma``, ``beta`` and the inputs (through the
    batch statistics when training).

    >>> import numpy as np, tape
    >>> bn = tape.keras.layers.BatchNormalization(dtype="float64")
    >>> y = bn(np.array([[1.0], [3.0]]), training=True)
    >>> np.round(y.numpy().ravel(), 4).tolist(), round(float(bn.moving_mean[0]), 6)
    ([-0.9995, 0.9995], 0.02)
    """

    def __init__(
        self,
        axis: int | list[int] | tuple[int, ...] = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        synchronized: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        extras = {"beta_regularizer": beta_regularizer, "gamma_regularizer": gamma_regularizer,
                  "beta_constraint": beta_constraint, "gamma_constraint": gamma_constraint}
        unsupported = [k for k, v in extras.items() if v is not None]
        if synchronized:
            unsupported.append("synchronized=True")
        if unsupported:
            raise NotImplementedError(
                f"BatchNormalization: {', '.join(unsupported)} not supported by tape.keras."
            )
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape: Any) -> None:
        """Create ``gamma``, ``beta`` (trainable), ``moving_mean`` and ``moving_variance``
        (non-trainable), of the size of the normalised axis."""
        ndim = len(input_shape)
        axes = [self.axis] if isinstance(self.axis, (int, np.integer)) else list(self.axis)
        try:
            self._axes = sorted({int(a) % ndim if -ndim <= a < ndim else _bad_axis(a, ndim)
                                 for a in axes})
        except ZeroDivisionError:
            raise ValueError(f"BatchNormalization {self.name}: inputs must have at least one "
                             "dimension.") from None
        for a in self._axes:
            if input_shape[a] is None:
                raise ValueError(
                    f"Axis {a} of input tensor should have a defined dimension but the layer "
                    f"received an input with shape {tuple(input_shape)}."
                )
        param = tuple(int(input_shape[a]) for a in self._axes)
        self._ndim = ndim
        self.gamma = (self.add_weight(name="gamma", shape=param,
                                      initializer=self.gamma_initializer)
                      if self.scale else None)
        self.beta = (self.add_weight(name="beta", shape=param,
                                     initializer=self.beta_initializer)
                     if self.center else None)
        self.moving_mean = self.add_weight(name="moving_mean", shape=param, trainable=False,
                                           initializer=self.moving_mean_initializer)
        self.moving_variance = self.add_weight(name="moving_variance", shape=param,
                                               trainable=False,
                                               initializer=self.moving_variance_initializer)
        self.built = True

    def call(self, inputs: Any, training: Any = None) -> Any:
        """Normalise with the batch statistics (training) or the moving ones."""
        if inputs.ndim != self._ndim:
            raise _incompatible(self, f"expected ndim={self._ndim}, found ndim={inputs.ndim}",
                                inputs.shape)
        broadcast = [1] * inputs.ndim
        for a in self._axes:
            broadcast[a] = inputs.shape[a]
        reduction = [a for a in range(inputs.ndim) if a not in self._axes]

        def shaped(v: Any) -> Any:
            return shape.reshape(v, broadcast)

        if training and self._trainable:
            mean, variance = nn.moments(inputs, axes=reduction)
            self._update_moving(mean, variance)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        inv = elementwise.rsqrt(shaped(variance) + np.asarray(self.epsilon, inputs.dtype))
        if self.scale:
            inv = inv * shaped(self.gamma)
        outputs = (inputs - shaped(mean)) * inv
        if self.center:
            outputs = outputs + shaped(self.beta)
        return outputs

    def _update_moving(self, mean: Any, variance: Any) -> None:
        call(self._update_moving_now, mean, variance)  # (compiled: made on every call)

    def _update_moving_now(self, mean: Any, variance: Any) -> None:
        # a state update, not part of the function being differentiated: explicit values
        m = np.asarray(self.momentum, self.moving_mean.dtype)
        for var, batch in ((self.moving_mean, mean), (self.moving_variance, variance)):
            var.assign(var.numpy() * m + batch.numpy().reshape(var.shape) * (1 - m))


def _bad_axis(axis: Any, ndim: int) -> int:
    raise ValueError(
        f"Invalid axis {axis} for BatchNormalization on inputs with {ndim} dimensions."
    )
