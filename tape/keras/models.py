"""Keras models on tape: ``Sequential`` and ``Model`` (subclassed, with ``call``), with
``compile``, ``fit`` (Keras's per-epoch progress line, a returned ``History``),
``evaluate``, ``predict``, ``summary`` and ``save_weights``/``load_weights`` (a NumPy
``.npz`` file).

One training step of ``fit`` is the loop of TensorFlow's guides::

    with tape.GradientTape() as t:
        y_pred = model(x_batch, training=True)
        loss = loss_fn(y_batch, y_pred)
    grads = t.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))

The loss shown for an epoch is the mean of the batch losses weighted by the batch sizes, and
metrics accumulate over the epoch, as in Keras. Everything runs eagerly; the functional API
(``Model(inputs, outputs)``), callbacks and sample weights are not supported.

>>> import numpy as np, tape
>>> model = tape.keras.Sequential([tape.keras.layers.Dense(1, kernel_initializer="zeros")])
>>> model.compile(optimizer=tape.optimizers.SGD(0.1), loss=lambda y, p: tape.reduce_mean(
...     tape.square(p - y)))
>>> x = np.linspace(-1, 1, 8).reshape(-1, 1); y = 2 * x + 1
>>> history = model.fit(x, y, epochs=200, batch_size=8, verbose=0)
>>> [round(float(v), 3) for v in model.predict(x, verbose=0)[:2, 0]]
[-1.0, -0.429]
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .._tape import GradientTape
from .._tensor import Tensor, Variable
from ..ops import creation
from . import initializers, losses, metrics, optimizers
from .layers import Input, Layer

__all__ = ["History", "Model", "Sequential"]


class History:
    """What ``fit`` returns: ``history`` maps each logged name (``loss``, the metrics,
    ``val_...``) to its per-epoch values; ``epoch`` lists the epoch indices."""

    def __init__(self, model: Model, params: dict[str, Any]) -> None:
        self.model = model
        self.params = params
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def _append(self, epoch: int, logs: dict[str, float]) -> None:
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)

    def __repr__(self) -> str:
        return f"<tape.keras History epochs={len(self.epoch)} keys={list(self.history)}>"


# --------------------------------------------------------------------------- progress


def _format_value(v: float) -> str:
    return f"{v:.4f}" if abs(v) > 1e-3 else f"{v:.4e}"


def _format_logs(logs: dict[str, float]) -> str:
    return "".join(f" - {k}: {_format_value(v)}" for k, v in logs.items())


def _per_step(seconds: float, steps: int) -> str:
    unit = seconds / max(steps, 1)
    if unit >= 1 or unit == 0:
        return f"{unit:.0f}s/step"
    if unit >= 1e-3:
        return f"{unit * 1e3:.0f}ms/step"
    return f"{unit * 1e6:.0f}us/step"


class _Progbar:
    """Keras's progress bar: ``8/8 [==============================] - 0s 2ms/step - loss:
    0.1234``, redrawn in place on a terminal, printed once at the end otherwise."""

    WIDTH = 30

    def __init__(self, steps: int, verbose: int) -> None:
        self.steps, self.verbose = steps, verbose
        self.start = time.perf_counter()
        self.live = verbose == 1 and sys.stdout.isatty()

    def update(self, step: int, logs: dict[str, float]) -> None:
        if self.live and step < self.steps:
            done = self.WIDTH * step // max(self.steps, 1)
            bar = "=" * max(done - 1, 0) + (">" if done else "") + "." * (self.WIDTH - done)
            print(f"\r{step}/{self.steps} [{bar}]{_format_logs(logs)}", end="", flush=True)

    def finish(self, logs: dict[str, float]) -> None:
        elapsed = time.perf_counter() - self.start
        if self.verbose == 1:
            line = (f"{self.steps}/{self.steps} [{'=' * self.WIDTH}] - {int(elapsed)}s "
                    f"{_per_step(elapsed, self.steps)}{_format_logs(logs)}")
            print(("\r" if self.live else "") + line, flush=True)
        elif self.verbose == 2:
            print(f"{self.steps}/{self.steps} - {int(elapsed)}s{_format_logs(logs)} - "
                  f"{_per_step(elapsed, self.steps)}", flush=True)


# --------------------------------------------------------------------------- data


def _array(x: Any, what: str) -> np.ndarray:
    if x is None:
        raise ValueError(f"{what} is required.")
    if isinstance(x, (dict, list)) and any(
        isinstance(v, (np.ndarray, Tensor, Variable)) for v in (
            x.values() if isinstance(x, dict) else x)
    ):
        raise NotImplementedError(
            f"{what}: several inputs or outputs (a list or dict of arrays) are not supported "
            "by tape.keras; pass one array."
        )
    if isinstance(x, (Tensor, Variable)):
        return x.numpy()
    if hasattr(x, "__iter__") and not isinstance(x, (np.ndarray, list, tuple)):
        raise NotImplementedError(
            f"{what}: datasets and generators are not supported by tape.keras (there is no "
            "tf.data); pass NumPy arrays."
        )
    return np.asarray(x)


def _verbosity(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto'; got {verbose!r}.")
    return int(verbose)


def _scalar(value: Any) -> float:
    if isinstance(value, (Tensor, Variable)):
        return float(np.asarray(value.numpy()))
    return float(np.asarray(value))


# --------------------------------------------------------------------------- Model


class Model(Layer):
    """A layer with training: subclass it, create layers in ``__init__`` and define
    ``call``; then ``compile``, ``fit``, ``evaluate``, ``predict``.

    >>> import numpy as np, tape
    >>> class TwoLayers(tape.keras.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = tape.keras.layers.Dense(4, activation="relu")
    ...         self.out = tape.keras.layers.Dense(1)
    ...     def call(self, inputs):
    ...         return self.out(self.hidden(inputs))
    >>> model = TwoLayers()
    >>> model(np.zeros((2, 3))).shape, [v.shape for v in model.trainable_variables]
    ((2, 1), [(3, 4), (4,), (4, 1), (1,)])

    ``Model(inputs, outputs)`` (Keras's functional API) is not supported.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise NotImplementedError(
                "tape.keras.Model(inputs, outputs) -- Keras's functional API -- is not "
                "supported: subclass tape.keras.Model and define call(), or use "
                "tape.keras.Sequential."
            )
        super().__init__(**kwargs)
        self._keras_compiled: dict[str, Any] | None = None
        self.optimizer: Any = None

    def call(self, inputs: Any, training: Any = None) -> Any:
        """The forward pass: define it in a subclass."""
        raise NotImplementedError(
            f"Model {type(self).__name__} has no call(): subclass tape.keras.Model and "
            "define call(self, inputs), or use tape.keras.Sequential."
        )

    def _maybe_build(self, inputs: Any) -> None:
        # a model's layers build themselves when the first call reaches them; a subclass's
        # own build() runs first, as in Keras
        if type(self).build not in (Model.build, Sequential.build):
            type(self).build(self, [tuple(x.shape) for x in inputs]
                             if isinstance(inputs, list) else tuple(inputs.shape))
        self._built_input_shape = (
            [tuple(x.shape) for x in inputs] if isinstance(inputs, list) else tuple(inputs.shape)
        )
        self.built = True

    def build(self, input_shape: Any) -> None:
        """Create every weight by calling the model once on zeros of ``input_shape`` (None
        entries, such as the batch size, taken as 1)."""
        if input_shape is None:
            raise ValueError(f"{self.name}.build() needs an input shape, e.g. (None, 4).")
        shape_ = tuple(1 if d is None else int(d) for d in input_shape)
        self(creation.zeros(shape_, dtype=self.dtype), training=False)

    # ------------------------------------------------------------------ compile

    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Any = None,
        loss_weights: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool | None = None,
        steps_per_execution: Any = None,
        jit_compile: Any = None,
        **kwargs: Any,
    ) -> None:
        """Choose the optimizer (``"sgd"``, ``"adam"`` or an instance), the loss (a name
        such as ``"mse"``, a loss object or a function ``(y_true, y_pred)``) and the metrics
        (names such as ``"accuracy"``, or metric objects). ``run_eagerly`` and
        ``jit_compile`` are accepted: everything runs eagerly."""
        unsupported = {"loss_weights": loss_weights, "weighted_metrics": weighted_metrics,
                       "steps_per_execution": steps_per_execution, **kwargs}
        named = [k for k, v in unsupported.items() if v is not None]
        if named:
            raise NotImplementedError(
                f"compile: {', '.join(named)} not supported by tape.keras."
            )
        if isinstance(loss, (dict, list)):
            raise NotImplementedError("compile: one loss per output (a list or dict of "
                                      "losses) is not supported by tape.keras; pass one loss.")
        if isinstance(metrics, dict):
            raise NotImplementedError("compile: metrics per output (a dict) are not "
                                      "supported by tape.keras; pass a list.")
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            metrics = [metrics]
        compiled_metrics = []
        for m in metrics or []:
            obj = _metric(m, loss)
            compiled_metrics.append((m if isinstance(m, str) else obj.name, obj))
        self.optimizer = optimizers.get(optimizer)
        self._keras_compiled = {
            "loss": None if loss is None else losses.get(loss),
            "metrics": compiled_metrics,
        }

    def _compiled(self, need_loss: bool = True) -> dict[str, Any]:
        if self._keras_compiled is None:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")
        if need_loss and self._keras_compiled["loss"] is None:
            raise ValueError("No loss to compute: pass `loss=` to model.compile().")
        return self._keras_compiled

    @property
    def metrics_names(self) -> list[str]:
        """``["loss", <metric names>...]`` once compiled."""
        if self._keras_compiled is None:
            return []
        return ["loss"] + [name for name, _ in self._keras_compiled["metrics"]]

    # ------------------------------------------------------------------ steps

    def train_step(self, x: Any, y: Any) -> float:
        """One step of gradient descent on a batch: forward pass in training mode under a
        tape, gradients of the loss, ``optimizer.apply_gradients``; updates the metrics.
        Returns the batch's loss."""
        compiled = self._compiled()
        with GradientTape() as t:
            y_pred = self(x, training=True)
            loss = compiled["loss"](y, y_pred)
        variables = self.trainable_variables
        if not variables:
            raise ValueError(f"Model {self.name} has no trainable variables to train.")
        grads = t.gradient(loss, variables)
        self.optimizer.apply_gradients(zip(grads, variables))
        for _, m in compiled["metrics"]:
            m.update_state(y, y_pred)
        return _scalar(loss)

    def test_step(self, x: Any, y: Any) -> float:
        """The loss of a batch in inference mode; updates the metrics."""
        compiled = self._compiled()
        y_pred = self(x, training=False)
        loss = compiled["loss"](y, y_pred)
        for _, m in compiled["metrics"]:
            m.update_state(y, y_pred)
        return _scalar(loss)

    def train_on_batch(self, x: Any, y: Any) -> float:
        """One ``train_step`` on the whole of ``x``, ``y``; returns the loss."""
        self._reset_metrics()
        return self.train_step(_array(x, "x"), _array(y, "y"))

    def _reset_metrics(self) -> None:
        for _, m in self._compiled()["metrics"]:
            m.reset_state()

    def _logs(self, loss: float) -> dict[str, float]:
        logs = {"loss": loss}
        for name, m in self._compiled()["metrics"]:
            logs[name] = _scalar(m.result())
        return logs

    def _history_rng(self) -> np.random.Generator:
        if "_keras_history_rng" not in vars(self):
            self._keras_history_rng = initializers.generator()
        return self._keras_history_rng

    # ------------------------------------------------------------------ fit / evaluate

    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: Any = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        class_weight: Any = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: Any = None,
        **kwargs: Any,
    ) -> History:
        """Train for ``epochs`` passes over ``x``, ``y`` (NumPy arrays) in batches of
        ``batch_size`` (32), shuffled each epoch unless ``shuffle=False``. With
        ``verbose=1`` each epoch prints ``Epoch i/n`` and Keras's progress line; ``2`` one
        line per epoch; ``0`` nothing. ``validation_data=(x_val, y_val)`` (or
        ``validation_split``, the last fraction of the data) adds ``val_`` entries."""
        unsupported = {"callbacks": callbacks or None, "class_weight": class_weight,
                       "sample_weight": sample_weight, "steps_per_epoch": steps_per_epoch,
                       **kwargs}
        named = [k for k, v in unsupported.items() if v is not None]
        if named:
            raise NotImplementedError(f"fit: {', '.join(named)} not supported by tape.keras.")
        self._compiled()
        verbose = _verbosity(verbose)
        x, y = _array(x, "x"), _array(y, "y")
        if len(x) != len(y):
            raise ValueError(
                f"Data cardinality is ambiguous: x has {len(x)} samples, y has {len(y)}. "
                "Make sure all arrays contain the same number of samples."
            )
        if validation_split and validation_data is None:
            if not 0 < validation_split < 1:
                raise ValueError(f"validation_split must be in (0, 1), got {validation_split}.")
            cut = int(len(x) * (1 - validation_split))
            validation_data = (x[cut:], y[cut:])
            x, y = x[:cut], y[:cut]
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise NotImplementedError("fit: validation_data must be a tuple (x_val, "
                                          "y_val); sample weights are not supported.")
        batch_size = 32 if batch_size is None else int(batch_size)
        n = len(x)
        steps = max(math.ceil(n / batch_size), 1)
        history = History(self, {"verbose": verbose, "epochs": epochs, "steps": steps})
        for epoch in range(initial_epoch, epochs):
            if verbose:
                print(f"Epoch {epoch + 1}/{epochs}", flush=True)
            self._reset_metrics()
            order = self._history_rng().permutation(n) if shuffle else np.arange(n)
            bar = _Progbar(steps, verbose)
            total, seen = 0.0, 0
            for step in range(steps):
                idx = order[step * batch_size:(step + 1) * batch_size]
                loss = self.train_step(x[idx], y[idx])
                total += loss * len(idx)
                seen += len(idx)
                bar.update(step + 1, self._logs(total / max(seen, 1)))
            logs = self._logs(total / max(seen, 1))
            if validation_data is not None:
                values = self.evaluate(validation_data[0], validation_data[1],
                                       batch_size=batch_size, verbose=0, return_dict=True)
                logs.update({f"val_{k}": v for k, v in values.items()})
            bar.finish(logs)
            history._append(epoch, logs)
        return history

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        return_dict: bool = False,
        **kwargs: Any,
    ) -> Any:
        """The loss (and metrics) on ``x``, ``y`` in inference mode: a number, or
        ``[loss, metric...]`` when metrics were compiled, or a dict with ``return_dict``."""
        named = [k for k, v in kwargs.items() if v is not None]
        if named:
            raise NotImplementedError(
                f"evaluate: {', '.join(named)} not supported by tape.keras."
            )
        verbose = _verbosity(verbose)
        self._compiled()
        x, y = _array(x, "x"), _array(y, "y")
        batch_size = 32 if batch_size is None else int(batch_size)
        steps = max(math.ceil(len(x) / batch_size), 1)
        self._reset_metrics()
        bar = _Progbar(steps, verbose)
        total, seen = 0.0, 0
        for step in range(steps):
            sl = slice(step * batch_size, (step + 1) * batch_size)
            loss = self.test_step(x[sl], y[sl])
            total += loss * len(x[sl])
            seen += len(x[sl])
            bar.update(step + 1, self._logs(total / max(seen, 1)))
        logs = self._logs(total / max(seen, 1))
        bar.finish(logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto") -> Any:
        """The model's outputs on ``x`` in inference mode, batch by batch, as a NumPy
        array."""
        verbose = _verbosity(verbose)
        x = _array(x, "x")
        batch_size = 32 if batch_size is None else int(batch_size)
        steps = max(math.ceil(len(x) / batch_size), 1)
        bar = _Progbar(steps, verbose)
        outputs = []
        for step in range(steps):
            out = self(x[step * batch_size:(step + 1) * batch_size], training=False)
            outputs.append(out.numpy() if isinstance(out, (Tensor, Variable)) else out)
            bar.update(step + 1, {})
        bar.finish({})
        return np.concatenate(outputs, axis=0)

    # ------------------------------------------------------------------ weights on disk

    def save_weights(self, filepath: Any, overwrite: bool = True) -> None:
        """Write every weight (in ``weights`` order) to a NumPy ``.npz`` archive at
        ``filepath`` (exactly that path)."""
        self._require_built("save_weights")
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"{filepath} exists; pass overwrite=True to replace it.")
        weights = self.weights
        arrays = {f"weight_{i:04d}": v.numpy() for i, v in enumerate(weights)}
        arrays["names"] = np.array([v.name for v in weights], dtype=str)
        with open(filepath, "wb") as f:
            np.savez(f, **arrays)

    def load_weights(self, filepath: Any) -> None:
        """Read weights written by ``save_weights`` into this (built) model: the same number
        of weights, of the same shapes, in the same order."""
        self._require_built("load_weights")
        with np.load(filepath, allow_pickle=False) as data:
            keys = sorted(k for k in data.files if k.startswith("weight_"))
            values = [data[k] for k in keys]
        weights = self.weights
        if len(values) != len(weights):
            raise ValueError(
                f"{filepath} holds {len(values)} weights; model {self.name} has "
                f"{len(weights)}. Load weights into a model of the same architecture."
            )
        for v, value in zip(weights, values):
            if value.shape != v.shape:
                raise ValueError(
                    f"Weight '{v.name}' has shape {v.shape}; {filepath} holds shape "
                    f"{value.shape} for it. Load weights into a model of the same architecture."
                )
        for v, value in zip(weights, values):
            v.assign(value)

    def _require_built(self, what: str) -> None:
        if not self.built:
            raise ValueError(
                f"{what}: model {self.name} has not yet been built (it has no weights yet). "
                "Build it first by calling it on a batch of data or with model.build("
                "input_shape)."
            )

    # ------------------------------------------------------------------ summary

    def _summary_rows(self) -> list[tuple[Layer, str]]:
        return [(layer, "multiple") for layer in self._flatten_layers()]

    def summary(self, line_length: int | None = None, print_fn: Callable[..., Any] | None = None
                ) -> None:
        """Print Keras's table of the layers (name, type, output shape, parameter count)
        and the total, trainable and non-trainable parameter counts."""
        if not self.built:
            raise ValueError(
                "This model has not yet been built. Build the model first by calling "
                "`build()` or by calling the model on a batch of data."
            )
        print_fn = print_fn or print
        width = line_length or 65
        cols = [int(width * 0.45), int(width * 0.85), width]

        def row(cells: list[str]) -> str:
            line, start = "", 0
            for k, (cell, end) in enumerate(zip(cells, cols)):
                text = (" " if k == 0 else "") + cell
                line += (text[: end - start - 1] if end != width else text).ljust(end - start)
                start = end
            return line.rstrip()

        lines = [f'Model: "{self.name}"', "_" * width,
                 row(["Layer (type)", "Output Shape", "Param #"]), "=" * width]
        rows = self._summary_rows()
        for k, (layer, out) in enumerate(rows):
            params = f"{layer.count_params():,}" if layer.built else "0 (unused)"
            lines.append(row([f"{layer.name} ({type(layer).__name__})", out, params]))
            if k < len(rows) - 1:
                lines.append("")
        total = sum(v.size for v in self.weights)
        trainable = sum(v.size for v in self.trainable_weights)
        lines += ["=" * width, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
                  f"Non-trainable params: {total - trainable:,}", "_" * width]
        for line in lines:
            print_fn(line)


def _metric(identifier: Any, loss: Any) -> Any:
    return metrics.get(identifier, loss=loss)


# --------------------------------------------------------------------------- Sequential


class Sequential(Model):
    """A stack of layers, each called on the previous one's output.

    >>> import tape
    >>> model = tape.keras.Sequential([
    ...     tape.keras.layers.Dense(8, activation="relu", input_shape=(4,)),
    ...     tape.keras.layers.Dense(1),
    ... ])
    >>> [layer.count_params() for layer in model.layers]
    [40, 9]

    With an input shape (``input_shape=`` on the first layer, or a ``tape.keras.Input``
    first) the model is built at once; otherwise on its first call.
    """

    def __init__(self, layers: Any = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self._layers_list: list[Layer] = []
        self._input_spec: tuple[Any, ...] | None = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        """The model's layers, in order."""
        return list(self._layers_list)

    def _flatten_layers(self) -> list[Layer]:
        return list(self._layers_list)

    def add(self, layer: Any) -> None:
        """Append ``layer`` (a ``tape.keras.Input`` is accepted first, to give the input
        shape)."""
        if isinstance(layer, Input):
            if self._layers_list or self._input_spec is not None:
                raise ValueError("A tape.keras.Input can only be the first entry of a "
                                 "Sequential model.")
            self._input_spec = layer.shape
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                "The added layer must be an instance of class Layer. Received: "
                f"layer={layer!r} of type {type(layer).__name__}."
            )
        if any(other.name == layer.name for other in self._layers_list):
            raise ValueError(
                f'All layers added to a Sequential model should have unique names. Name '
                f'"{layer.name}" is already the name of a layer in this model. Update the '
                "`name` argument to pass a unique name."
            )
        if not self._layers_list and self._input_spec is None:
            self._input_spec = layer._batch_input_shape
        self._layers_list.append(layer)
        if self._input_spec is not None:
            self.build(self._input_spec)

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._layers_list:
            raise TypeError("There are no layers in the model.")
        return self._layers_list.pop()

    def build(self, input_shape: Any = None) -> None:
        """Create every layer's weights for inputs of ``input_shape`` (with the batch axis,
        which may be None)."""
        if input_shape is None:
            input_shape = self._input_spec
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument to build().")
        self._input_spec = tuple(input_shape)
        if not self._layers_list:
            return
        # built from a known input shape, outside the model's own call (as Keras builds a
        # Sequential model with an input shape): weights are named "dense/kernel:0"
        x = creation.zeros(tuple(1 if d is None else int(d) for d in input_shape),
                           dtype=self.dtype)
        for layer in self._layers_list:
            x = layer(x, training=False)
        self._built_input_shape = tuple(input_shape)
        self.built = True

    def call(self, inputs: Any, training: Any = None) -> Any:
        """Each layer on the previous one's output."""
        if not self._layers_list:
            raise ValueError(f"Sequential model {self.name} has no layers: add some first.")
        x = inputs
        for layer in self._layers_list:
            x = layer(x, training=training)
        return x

    def _summary_rows(self) -> list[tuple[Layer, str]]:
        return [(layer, str(layer._output_shape) if layer._output_shape is not None
                 else "multiple") for layer in self._layers_list]
