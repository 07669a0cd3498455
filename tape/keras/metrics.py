"""``tape.keras.metrics``: Keras's streaming metrics.

A metric accumulates over batches: ``update_state(y_true, y_pred, sample_weight=None)`` adds a
batch, ``result()`` is the value so far (a float32 tensor), ``reset_state()`` starts again, and
calling the metric does the first two at once. The state lives in non-trainable
:class:`tape.Variable` objects (``metric.variables``); metrics are never differentiated, so
their updates are computed on the inputs' values and are not recorded on any tape.

>>> from tape.keras import metrics
>>> m = metrics.Mean()
>>> m.update_state([1.0, 2.0])
>>> m.update_state([6.0])
>>> m.result()
tape.Tensor(3.0, shape=(), dtype=float32)
>>> acc = metrics.SparseCategoricalAccuracy()
>>> acc([[1], [0]], [[0.2, 0.8], [0.3, 0.7]])
tape.Tensor(0.5, shape=(), dtype=float32)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .._tensor import Tensor, Variable
from .._trace import call
from ..ops import elementwise as ew
from ..ops import reductions as red
from ..ops import shape as sh
from ..ops.creation import constant, convert_to_tensor
from . import losses as _losses

__all__ = [
    "Accuracy",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "Mean",
    "MeanAbsoluteError",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "Metric",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "Sum",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "get",
    "sparse_categorical_accuracy",
]


def _numpy(x: Any) -> np.ndarray:
    """The value of ``x`` for a metric's bookkeeping: metrics are not differentiated."""
    if isinstance(x, (Tensor, Variable)):
        return x.numpy()
    return np.asarray(x)


def _untracked(x: Any) -> Tensor:
    return convert_to_tensor(_numpy(x))


# --------------------------------------------------------------------------- functions


def accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1.0 where ``y_pred`` equals ``y_true`` exactly, 0.0 elsewhere (elementwise, float32).

    >>> from tape.keras import metrics
    >>> metrics.accuracy([1, 2, 3], [1, 2, 4]).numpy()
    array([1., 1., 0.], dtype=float32)
    """
    y_true, y_pred = convert_to_tensor(y_true), convert_to_tensor(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"accuracy: y_true of shape {y_true.shape} and y_pred of shape {y_pred.shape} "
            "must have the same shape."
        )
    if y_pred.dtype != y_true.dtype:
        y_pred = sh.cast(y_pred, y_true.dtype)
    return sh.cast(ew.equal(y_true, y_pred), np.float32)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Tensor:
    """The fraction over the last axis of predictions on the right side of ``threshold``:
    ``mean(y_true == (y_pred > threshold), axis=-1)``.

    >>> from tape.keras import metrics
    >>> metrics.binary_accuracy([[1.0, 0.0], [1.0, 1.0]], [[0.9, 0.6], [0.7, 0.8]]).numpy()
    array([0.5, 1. ], dtype=float32)
    """
    return red.reduce_mean(_binary_matches(y_true, y_pred, threshold), axis=-1)


def _binary_matches(y_true: Any, y_pred: Any, threshold: float) -> Tensor:
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    y_true, y_pred = _losses._squeeze_trailing(y_true, y_pred)
    predicted = sh.cast(ew.greater(y_pred, threshold), y_true.dtype)
    return sh.cast(ew.equal(y_true, predicted), np.float32)


def categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1.0 where the largest entry of ``y_pred`` is at the class ``y_true`` (one-hot) marks,
    per sample: ``argmax(y_true, -1) == argmax(y_pred, -1)``.

    >>> from tape.keras import metrics
    >>> metrics.categorical_accuracy([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]]).numpy()
    array([1., 0.], dtype=float32)
    """
    y_true, y_pred = convert_to_tensor(y_true), convert_to_tensor(y_pred)
    return sh.cast(ew.equal(red.argmax(y_true, axis=-1), red.argmax(y_pred, axis=-1)), np.float32)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1.0 where the largest entry of ``y_pred`` is at the integer label ``y_true`` (shape
    ``y_pred.shape[:-1]``, or with a trailing axis of 1), per sample.

    >>> from tape.keras import metrics
    >>> metrics.sparse_categorical_accuracy([1, 1], [[0.2, 0.8], [0.3, 0.1]]).numpy()
    array([1., 0.], dtype=float32)
    """
    y_true, y_pred = convert_to_tensor(y_true), convert_to_tensor(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.ndim and y_true.shape[-1] == 1:
        y_true = sh.squeeze(y_true, axis=-1)
    if y_pred.ndim == 0 or y_true.shape != y_pred.shape[:-1]:
        raise ValueError(
            "sparse_categorical_accuracy: y_true must have the shape of y_pred without its "
            f"class axis, got {y_true.shape} and {y_pred.shape}."
        )
    predicted = red.argmax(y_pred, axis=-1)
    if predicted.dtype != y_true.dtype:
        predicted = sh.cast(predicted, y_true.dtype)
    return sh.cast(ew.equal(y_true, predicted), np.float32)


# --------------------------------------------------------------------------- base classes


def _made_on_every_call(update: Callable[..., None]) -> Callable[..., None]:
    """``update``, made on every call of a compiled function that calls it (metrics keep
    their state with NumPy, which a trace cannot replay)."""

    @functools.wraps(update)
    def update_state(self: Metric, *args: Any, **kwargs: Any) -> None:
        call(update, self, *args, **kwargs)

    return update_state


class Metric:
    """The base of the metrics: state in non-trainable variables made by
    :meth:`add_weight`, ``update_state``, ``result``, ``reset_state``; calling a metric
    updates it and returns the result."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        update = cls.__dict__.get("update_state")
        if update is not None:  # inside tape.function, an update on every call
            cls.update_state = _made_on_every_call(update)  # type: ignore[method-assign]

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        self.name = name or _losses._snake(type(self).__name__)
        self.dtype = np.dtype(dtype or np.float32)
        self._variables: list[Variable] = []

    def add_weight(self, name: str, shape: tuple[int, ...] = (), dtype: Any = None) -> Variable:
        """A new state variable of zeros, not trainable, reset by :meth:`reset_state`."""
        v = Variable(np.zeros(shape, dtype=dtype or self.dtype), trainable=False, name=name)
        self._variables.append(v)
        return v

    @property
    def variables(self) -> list[Variable]:
        """The state variables."""
        return list(self._variables)

    @property
    def trainable_variables(self) -> list[Variable]:
        """None: a metric has no trainable variables."""
        return []

    @property
    def non_trainable_variables(self) -> list[Variable]:
        """The state variables."""
        return self.variables

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Add a batch to the state; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_state().")

    def result(self) -> Tensor:
        """The metric's value so far; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def reset_state(self) -> None:
        """Zero the state, to start accumulating again (e.g. at each epoch)."""
        for v in self._variables:
            v.assign(np.zeros(v.shape, dtype=v.dtype))

    def reset_states(self) -> None:
        """:meth:`reset_state` under its older Keras name."""
        self.reset_state()

    def __call__(self, *args: Any, **kwargs: Any) -> Tensor:
        """``update_state(*args, **kwargs)``, then ``result()``."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments."""
        return {"name": self.name, "dtype": self.dtype.name}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class Mean(Metric):
    """The (weighted) mean of every value passed to ``update_state(values, sample_weight)``.

    With weights, ``sum(w * values) / sum(w)``; a per-sample weight applies to all of a
    sample's values. An empty state gives 0.
    """

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_weight("total")
        self.count = self.add_weight("count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add ``values`` (any shape), weighted by ``sample_weight`` when given."""
        v = _numpy(values).astype(self.dtype)
        if sample_weight is None:
            total, count = np.sum(v), v.size
        else:
            w = _numpy(sample_weight).astype(self.dtype)
            if w.ndim and v.ndim:
                if w.ndim - v.ndim == 1 and w.shape[-1] == 1:
                    w = w[..., 0]
                elif v.ndim - w.ndim == 1:
                    w = w[..., None]
            try:
                w = np.broadcast_to(w, v.shape)
            except ValueError:
                if w.ndim > v.ndim or v.shape[: w.ndim] != w.shape:
                    raise ValueError(
                        f"{self.name}: sample_weight of shape {np.shape(_numpy(sample_weight))} "
                        f"does not fit values of shape {v.shape}; pass one weight per sample."
                    ) from None
                v = np.mean(v, axis=tuple(range(w.ndim, v.ndim)))  # Keras: one value a weight
            total, count = np.sum(v * w), np.sum(w)
        self.total.assign_add(np.asarray(total, dtype=self.dtype))
        self.count.assign_add(np.asarray(count, dtype=self.dtype))

    def result(self) -> Tensor:
        """``total / count``, or 0 before any value (as Keras's ``divide_no_nan``)."""
        total, count = self.total.numpy(), self.count.numpy()
        return constant(total / count if count else np.zeros((), self.dtype), dtype=self.dtype)


class Sum(Metric):
    """The (weighted) sum of every value passed to ``update_state(values, sample_weight)``."""

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_weight("total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add the sum of ``values`` (times ``sample_weight`` when given)."""
        v = _numpy(values).astype(self.dtype)
        if sample_weight is not None:
            v = v * _numpy(sample_weight).astype(self.dtype)
        self.total.assign_add(np.asarray(np.sum(v), dtype=self.dtype))

    def result(self) -> Tensor:
        """The sum so far."""
        return constant(self.total.numpy(), dtype=self.dtype)


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)`` over every sample seen:
    Keras's way of making a metric from a per-sample function (a loss or a match)."""

    def __init__(
        self,
        fn: Callable[..., Any],
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name or getattr(fn, "__name__", "mean"), dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add ``fn``'s values for a batch; a trailing axis of length 1 present on one side
        only is dropped first (``(N,)`` labels against ``(N, 1)`` predictions)."""
        y_true, y_pred = _untracked(y_true), _untracked(y_pred)
        if self.fn not in (sparse_categorical_accuracy, _losses.sparse_categorical_crossentropy):
            y_true, y_pred = _losses._squeeze_trailing(y_true, y_pred)
        super().update_state(self.fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, with the function's keyword arguments."""
        return {**super().get_config(), **self._fn_kwargs}


# --------------------------------------------------------------------------- metrics


class Accuracy(MeanMetricWrapper):
    """How often ``y_pred`` equals ``y_true`` exactly (for class indices; for probabilities
    use :class:`BinaryAccuracy`, :class:`CategoricalAccuracy` or
    :class:`SparseCategoricalAccuracy`)."""

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often a prediction is on the right side of ``threshold``: ``y_pred > threshold``
    against 0/1 labels, counted per element."""

    def __init__(
        self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5
    ) -> None:
        super().__init__(_binary_matches, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the most probable class of ``y_pred`` is the one-hot ``y_true``'s class."""

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the most probable class of ``y_pred`` is the integer label ``y_true``."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class MeanSquaredError(MeanMetricWrapper):
    """The running mean of the per-sample mean squared error."""

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(_losses.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """The running mean of the per-sample mean absolute error."""

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(_losses.mean_absolute_error, name=name, dtype=dtype)


class BinaryCrossentropy(MeanMetricWrapper):
    """The running mean of the per-sample binary cross-entropy."""

    def __init__(
        self,
        name: str = "binary_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            _losses.binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
            label_smoothing=label_smoothing,
        )


class CategoricalCrossentropy(MeanMetricWrapper):
    """The running mean of the per-sample categorical cross-entropy."""

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            _losses.categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
            label_smoothing=label_smoothing,
        )


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The running mean of the per-sample sparse categorical cross-entropy."""

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
    ) -> None:
        super().__init__(
            _losses.sparse_categorical_crossentropy, name=name, dtype=dtype,
            from_logits=from_logits,
        )


class _ShapeChosen(Metric):
    """A metric that becomes the binary, sparse categorical or categorical variant at its
    first update, by the shapes of ``y_true`` and ``y_pred`` (the rule of Keras's
    ``compile`` for ``'accuracy'`` and ``'crossentropy'``): binary when ``y_pred`` ends in an
    axis of 1, sparse when ``y_true`` has a lower rank or ends in 1 where ``y_pred`` does not,
    categorical otherwise."""

    def __init__(self, choices: tuple[type, type, type], name: str) -> None:
        super().__init__(name=name)
        self._choices = choices
        self._metric: Metric | None = None

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Choose the variant on the first call, then update it."""
        if self._metric is None:
            t, p = np.shape(_numpy(y_true)), np.shape(_numpy(y_pred))
            binary, sparse, categorical = self._choices
            if p and p[-1] == 1:
                cls = binary
            elif len(t) < len(p) or (t and t[-1] == 1 and p and p[-1] > 1):
                cls = sparse
            else:
                cls = categorical
            self._metric = cls(name=self.name)
            self._variables = self._metric._variables
        self._metric.update_state(y_true, y_pred, sample_weight)

    def result(self) -> Tensor:
        """The chosen metric's result (0 before the first update)."""
        if self._metric is None:
            return constant(np.zeros((), np.float32))
        return self._metric.result()


# --------------------------------------------------------------------------- lookup

_ACCURACIES = {
    "binary": BinaryAccuracy,
    "categorical": CategoricalAccuracy,
    "sparse_categorical": SparseCategoricalAccuracy,
}
_CROSSENTROPIES = {
    "binary": BinaryCrossentropy,
    "categorical": CategoricalCrossentropy,
    "sparse_categorical": SparseCategoricalCrossentropy,
}
_BY_NAME: dict[str, type[Metric]] = {
    "mse": MeanSquaredError,
    "MSE": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}
_CLASSES: dict[str, type[Metric]] = {
    cls.__name__: cls
    for cls in (
        Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
        MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
    )
}


def get(identifier: Any, loss: Any = None) -> Metric | None:
    """A :class:`Metric` from what ``Model.compile(metrics=[...])`` takes.

    ``'accuracy'`` (or ``'acc'``) becomes the accuracy that matches ``loss``: binary
    cross-entropy gives :class:`BinaryAccuracy`, categorical cross-entropy
    :class:`CategoricalAccuracy`, sparse categorical cross-entropy
    :class:`SparseCategoricalAccuracy`; for any other loss the variant is chosen at the first
    update from the shapes of ``y_true`` and ``y_pred``, as TensorFlow 2's ``compile`` does.
    Its name is ``'accuracy'`` (``'acc'`` if so asked). ``'crossentropy'`` (``'ce'``) is
    chosen the same way. Other names (``'mse'``, ``'mae'``, ``'binary_accuracy'``, ...) give
    their metric, named by the string given, as in Keras's logs; class names (``'Mean'``,
    ...) give an instance with its default name. A :class:`Metric` is returned as it is; a
    function ``fn(y_true, y_pred)`` is wrapped in a :class:`MeanMetricWrapper` named after it.

    >>> from tape.keras import metrics
    >>> metrics.get("accuracy", loss="sparse_categorical_crossentropy")
    <SparseCategoricalAccuracy name='accuracy'>
    >>> metrics.get("mae")
    <MeanAbsoluteError name='mae'>
    """
    if identifier is None or isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in ("accuracy", "acc", "crossentropy", "ce"):
            table = _ACCURACIES if key in ("accuracy", "acc") else _CROSSENTROPIES
            kind = _losses._kind(loss)
            if kind is not None:
                return table[kind](name=identifier)
            choices = (table["binary"], table["sparse_categorical"], table["categorical"])
            return _ShapeChosen(choices, name=identifier)
        if identifier in _BY_NAME:
            return _BY_NAME[identifier](name=identifier)
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        known = sorted({"accuracy", "acc", "crossentropy", "ce", *_BY_NAME, *_CLASSES})
        raise ValueError(
            f"Unknown metric function: {identifier!r}. tape.keras knows {', '.join(known)}; "
            "or pass a Metric instance or a function (y_true, y_pred) -> per-sample values."
        )
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ValueError(
        f"Could not interpret metric identifier: {identifier!r}; pass a name such as "
        "'accuracy', a Metric instance or a function (y_true, y_pred) -> per-sample values."
    )
