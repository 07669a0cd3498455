"""``tape.keras.losses``: Keras's losses, computed with tape ops so gradients flow.

Two forms, as in ``tf.keras``:

- functions such as :func:`mean_squared_error` return one loss per sample (the mean over the
  last axis where Keras takes it), a tensor of shape ``y_pred.shape[:-1]``;
- classes such as :class:`MeanSquaredError` reduce those to one number: by default the mean
  over the batch (Keras's ``SUM_OVER_BATCH_SIZE``), or their sum (``reduction='sum'``), or
  not at all (``reduction='none'``), optionally weighted by ``sample_weight``.

Probabilities (``from_logits=False``) are clipped to ``[1e-7, 1 - 1e-7]`` as Keras does, so a
confident wrong prediction gives a large finite loss, not ``inf``; with ``from_logits=True``
the losses are computed from the logits directly (exact for large logits).

>>> import tape
>>> from tape.keras import losses
>>> mse = losses.MeanSquaredError()
>>> mse([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
tape.Tensor(0.5, shape=(), dtype=float32)
>>> losses.mean_squared_error([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
tape.Tensor([0.5 0.5], shape=(2,), dtype=float32)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._tensor import Tensor
from .._tensor import value_of as _value
from ..ops import elementwise as ew
from ..ops import nn
from ..ops import reductions as red
from ..ops import shape as sh
from ..ops.creation import convert_to_tensor

__all__ = [
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Huber",
    "Loss",
    "LossFunctionWrapper",
    "MAE",
    "MSE",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "Reduction",
    "SparseCategoricalCrossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "deserialize",
    "get",
    "huber",
    "mae",
    "mean_absolute_error",
    "mean_squared_error",
    "mse",
    "serialize",
    "sparse_categorical_crossentropy",
]

EPSILON = 1e-7
"""Keras's fuzz factor (``tf.keras.backend.epsilon()``): probabilities are clipped to
``[EPSILON, 1 - EPSILON]`` before their logarithm is taken."""


class Reduction:
    """The ways a loss class reduces its per-sample losses (``tf.keras.losses.Reduction``).

    ``AUTO`` means ``SUM_OVER_BATCH_SIZE``: the sum of the (weighted) losses divided by their
    number. ``SUM`` is the sum; ``NONE`` returns the (weighted) per-sample losses.
    """

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls) -> tuple[str, ...]:
        """The valid reduction names."""
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key: Any) -> str:
        """``key`` if it names a reduction; a ``ValueError`` listing the valid names if not."""
        if key is None:
            return cls.NONE
        if key not in cls.all():
            raise ValueError(
                f"Invalid reduction {key!r}: expected one of {', '.join(map(repr, cls.all()))}."
            )
        return key


# --------------------------------------------------------------------------- helpers


def _prediction(y_pred: Any, op: str) -> Tensor:
    y_pred = convert_to_tensor(y_pred)
    if y_pred.dtype.kind != "f":
        raise TypeError(
            f"{op}: y_pred must be floating-point (predictions), got dtype {y_pred.dtype}; "
            "cast it first (e.g. tape.cast(y_pred, tape.float32))."
        )
    return y_pred


def _squeeze_trailing(y_true: Tensor, y_pred: Tensor) -> tuple[Tensor, Tensor]:
    """Keras's ``remove_squeezable_dimensions``: when the ranks differ by one and the
    longer one ends in an axis of length 1, drop that axis (``(N,)`` against ``(N, 1)``)."""
    diff = y_pred.ndim - y_true.ndim
    if diff == 1 and y_pred.shape[-1] == 1:
        y_pred = sh.squeeze(y_pred, axis=-1)
    elif diff == -1 and y_true.shape[-1] == 1:
        y_true = sh.squeeze(y_true, axis=-1)
    return y_true, y_pred


def _pair(y_true: Any, y_pred: Any, op: str) -> tuple[Tensor, Tensor]:
    """``y_true`` and ``y_pred`` as tensors of ``y_pred``'s dtype and shape.

    A trailing axis of length 1 on one side only is dropped first (so ``(N,)`` labels meet
    ``(N, 1)`` predictions sample by sample, never as an ``(N, N)`` matrix); ``y_true`` may
    otherwise only broadcast to ``y_pred``'s shape.
    """
    y_pred = _prediction(y_pred, op)
    y_true = convert_to_tensor(y_true)
    if y_true.dtype != y_pred.dtype:
        y_true = sh.cast(y_true, y_pred.dtype)
    y_true, y_pred = _squeeze_trailing(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        try:
            broadcast = np.broadcast_shapes(y_true.shape, y_pred.shape)
        except ValueError:
            broadcast = None
        if broadcast != y_pred.shape:
            raise ValueError(
                f"{op}: y_true of shape {y_true.shape} does not match y_pred of shape "
                f"{y_pred.shape}; pass targets with the predictions' shape."
            )
        y_true = sh.broadcast_to(y_true, y_pred.shape)
    return y_true, y_pred


def _clip(p: Tensor) -> Tensor:
    return ew.clip_by_value(p, EPSILON, 1.0 - EPSILON)


def _smoothing(label_smoothing: Any, op: str) -> float:
    ls = float(_value(label_smoothing))
    if not 0.0 <= ls <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {ls}.")
    return ls


# --------------------------------------------------------------------------- functions


def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """``mean((y_pred - y_true)**2, axis=-1)``: one loss per sample.

    >>> import tape
    >>> from tape.keras import losses
    >>> losses.mean_squared_error([1.0, 2.0], [2.0, 4.0])
    tape.Tensor(2.5, shape=(), dtype=float32)
    """
    y_true, y_pred = _pair(y_true, y_pred, "mean_squared_error")
    return red.reduce_mean(ew.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(|y_pred - y_true|, axis=-1)``: one loss per sample.

    >>> import tape
    >>> from tape.keras import losses
    >>> losses.mean_absolute_error([1.0, 2.0], [2.0, 4.0])
    tape.Tensor(1.5, shape=(), dtype=float32)
    """
    y_true, y_pred = _pair(y_true, y_pred, "mean_absolute_error")
    return red.reduce_mean(ew.abs(y_pred - y_true), axis=-1)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """The Huber loss, per sample: the mean over the last axis of ``0.5 * e**2`` where
    ``|e| <= delta`` and ``delta * |e| - 0.5 * delta**2`` elsewhere (``e = y_pred - y_true``).

    >>> import tape
    >>> from tape.keras import losses
    >>> losses.huber([0.0, 0.0], [0.5, 3.0])
    tape.Tensor(1.3125, shape=(), dtype=float32)
    """
    y_true, y_pred = _pair(y_true, y_pred, "huber")
    d = float(_value(delta))
    if d <= 0:
        raise ValueError(f"huber: delta must be positive, got {d}.")
    error = y_pred - y_true
    a = ew.abs(error)
    quadratic = 0.5 * ew.square(error)
    linear = d * a - 0.5 * d * d
    return red.reduce_mean(ew.where(a <= d, quadratic, linear), axis=-1)


def binary_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """Binary cross-entropy, averaged over ``axis`` (the last): one loss per sample.

    With ``from_logits=False`` ``y_pred`` holds probabilities, clipped to
    ``[1e-7, 1 - 1e-7]``, and each element is ``-(z log(p + 1e-7) + (1 - z) log(1 - p + 1e-7))``
    (Keras's formula). With ``from_logits=True`` it is
    ``tape.nn.sigmoid_cross_entropy_with_logits``. ``label_smoothing`` moves the targets
    towards 1/2: ``z * (1 - label_smoothing) + label_smoothing / 2``.

    >>> import tape
    >>> from tape.keras import losses
    >>> losses.binary_crossentropy([[1.0, 0.0]], [[0.0, 0.0]], from_logits=True)
    tape.Tensor([0.6931472], shape=(1,), dtype=float32)
    """
    op = "binary_crossentropy"
    y_true, y_pred = _pair(y_true, y_pred, op)
    ls = _smoothing(label_smoothing, op)
    if ls:
        y_true = y_true * (1.0 - ls) + 0.5 * ls
    if from_logits:
        elementwise = nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    else:
        p = _clip(y_pred)
        elementwise = -(
            y_true * ew.log(p + EPSILON) + (1.0 - y_true) * ew.log(1.0 - p + EPSILON)
        )
    return red.reduce_mean(elementwise, axis=axis)


def categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """Cross-entropy between one-hot (or distribution) targets and predictions over
    ``axis`` (the classes): one loss per sample.

    With ``from_logits=False`` ``y_pred`` is scaled to sum to 1 along ``axis``, clipped to
    ``[1e-7, 1 - 1e-7]``, and the loss is ``-sum(y_true * log(p), axis)``. With
    ``from_logits=True`` it is ``tape.nn.softmax_cross_entropy_with_logits``.
    ``label_smoothing`` mixes the targets with the uniform distribution:
    ``y_true * (1 - label_smoothing) + label_smoothing / num_classes``.

    >>> import tape
    >>> from tape.keras import losses
    >>> losses.categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]])
    tape.Tensor([0.6931472], shape=(1,), dtype=float32)
    """
    op = "categorical_crossentropy"
    y_true, y_pred = _pair(y_true, y_pred, op)
    if y_pred.ndim == 0:
        raise ValueError(f"{op}: y_pred needs a class axis, got a scalar.")
    ls = _smoothing(label_smoothing, op)
    if ls:
        y_true = y_true * (1.0 - ls) + ls / y_pred.shape[axis]
    if from_logits:
        return nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    p = _clip(y_pred / red.reduce_sum(y_pred, axis=axis, keepdims=True))
    return -red.reduce_sum(y_true * ew.log(p), axis=axis)


def _class_labels(y_true: Any, y_pred: Tensor, op: str) -> np.ndarray:
    """Integer labels of shape ``y_pred.shape[:-1]`` (a trailing axis of 1 is dropped)."""
    labels = np.asarray(_value(y_true))
    if labels.dtype.kind == "f":
        whole = np.all(np.isfinite(labels)) and np.array_equal(labels, np.round(labels))
        if not whole:
            raise ValueError(
                f"{op}: y_true must hold integer class indices, got non-integer values; for "
                "one-hot or probability targets use categorical_crossentropy."
            )
    elif labels.dtype.kind not in "iub":
        raise TypeError(f"{op}: y_true must hold integer class indices, got dtype {labels.dtype}.")
    labels = labels.astype(np.int64)
    if labels.ndim == y_pred.ndim and labels.ndim > 0 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if y_pred.ndim == 0 or labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"{op}: y_true must have the shape of y_pred without its class axis (or with it "
            f"of length 1), got y_true of shape {np.shape(_value(y_true))} and y_pred of shape "
            f"{y_pred.shape}."
        )
    return labels


def sparse_categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    axis: int = -1,
    ignore_class: int | None = None,
) -> Tensor:
    """Cross-entropy between integer class labels ``y_true`` (shape ``y_pred.shape[:-1]``,
    or with a trailing axis of 1) and predictions over the classes: one loss per sample,
    ``-log(p[label])``.

    With ``from_logits=False`` ``y_pred`` holds probabilities, clipped to
    ``[1e-7, 1 - 1e-7]`` and normalised; with ``from_logits=True`` it holds logits. Labels
    get no gradient. ``axis`` names the class axis of ``y_pred``.

    >>> import tape
    >>> from tape.keras import losses
    >>> losses.sparse_categorical_crossentropy([1], [[0.0, 0.0]], from_logits=True)
    tape.Tensor([0.6931472], shape=(1,), dtype=float32)
    """
    op = "sparse_categorical_crossentropy"
    if ignore_class is not None:
        raise NotImplementedError(f"{op}: ignore_class is not supported by tape.keras.")
    y_pred = _prediction(y_pred, op)
    if y_pred.ndim == 0:
        raise ValueError(f"{op}: y_pred needs a class axis, got a scalar.")
    a = int(_value(axis))
    if not -y_pred.ndim <= a < y_pred.ndim:
        raise ValueError(f"{op}: axis {a} is out of range for y_pred of rank {y_pred.ndim}.")
    a %= y_pred.ndim
    if a != y_pred.ndim - 1:
        perm = [i for i in range(y_pred.ndim) if i != a] + [a]
        y_pred = sh.transpose(y_pred, perm)
    labels = _class_labels(y_true, y_pred, op)
    logits = y_pred if from_logits else ew.log(_clip(y_pred))
    return nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


# --------------------------------------------------------------------------- reduction


def compute_weighted_loss(
    losses: Any, sample_weight: Any = None, reduction: str = Reduction.SUM_OVER_BATCH_SIZE
) -> Tensor:
    """Weight per-sample ``losses`` by ``sample_weight`` and reduce them as ``reduction``
    says (Keras's rule).

    ``sample_weight`` is a scalar or broadcasts against ``losses`` once a rank difference of
    one is settled (a trailing axis of 1 on the weights is dropped, or one is added). The
    ``'sum_over_batch_size'`` (and ``'auto'``) reduction divides the weighted sum by the number
    of losses, not by the sum of the weights; it is 0 for an empty batch.

    >>> import tape
    >>> from tape.keras.losses import compute_weighted_loss
    >>> compute_weighted_loss(tape.constant([1.0, 3.0]), [1.0, 0.0])
    tape.Tensor(0.5, shape=(), dtype=float32)
    """
    reduction = Reduction.validate(reduction)
    losses = convert_to_tensor(losses)
    if sample_weight is not None:
        weights = convert_to_tensor(sample_weight)
        if weights.dtype != losses.dtype:
            weights = sh.cast(weights, losses.dtype)
        if weights.ndim and losses.ndim:
            if weights.ndim - losses.ndim == 1 and weights.shape[-1] == 1:
                weights = sh.squeeze(weights, axis=-1)
            elif losses.ndim - weights.ndim == 1:
                weights = sh.expand_dims(weights, -1)
        try:
            np.broadcast_shapes(weights.shape, losses.shape)
        except ValueError:
            raise ValueError(
                f"sample_weight of shape {tuple(np.shape(_value(sample_weight)))} does not "
                f"broadcast to the losses of shape {losses.shape}; pass one weight per sample "
                "(shape (batch_size,)) or a scalar."
            ) from None
        losses = losses * weights
    if reduction == Reduction.NONE:
        return losses
    total = red.reduce_sum(losses)
    if reduction == Reduction.SUM:
        return total
    count = int(np.prod(losses.shape))
    return total / count if count else total * 0


# --------------------------------------------------------------------------- classes


class Loss:
    """The base of the loss classes: ``loss(y_true, y_pred, sample_weight=None)`` computes
    the per-sample losses with :meth:`call`, weights them and reduces them as ``reduction``
    says (default: their mean over the batch).

    Subclass it and implement ``call(y_true, y_pred)`` returning per-sample losses, as in
    Keras.
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str | None = None) -> None:
        self.reduction = Reduction.validate(reduction)
        self.name = name or _snake(type(self).__name__)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        """The reduced, weighted loss of a batch: a scalar tensor unless ``reduction='none'``."""
        return compute_weighted_loss(self.call(y_true, y_pred), sample_weight, self.reduction)

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        """The per-sample losses; subclasses implement it."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement call(y_true, y_pred) returning one loss "
            "per sample."
        )

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments."""
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """A new loss from :meth:`get_config`'s dictionary."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class LossFunctionWrapper(Loss):
    """A :class:`Loss` from a function ``fn(y_true, y_pred, **kwargs)`` returning per-sample
    losses; ``kwargs`` are passed on every call."""

    def __init__(
        self,
        fn: Callable[..., Any],
        reduction: str = Reduction.AUTO,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(reduction=reduction, name=name or getattr(fn, "__name__", None))
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        """``fn(y_true, y_pred, **kwargs)`` after a trailing axis of length 1 present on one
        side only is dropped (``(N,)`` targets against ``(N, 1)`` predictions)."""
        if self.fn is not sparse_categorical_crossentropy:
            y_pred = convert_to_tensor(y_pred)
            y_true = convert_to_tensor(y_true)
            y_true, y_pred = _squeeze_trailing(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, with the function's keyword arguments."""
        return {**super().get_config(), **self._fn_kwargs}


class MeanSquaredError(LossFunctionWrapper):
    """The mean of ``(y_pred - y_true)**2`` (per sample over the last axis, then reduced).

    >>> import tape
    >>> from tape.keras import losses
    >>> losses.MeanSquaredError()([0.0, 0.0], [1.0, 3.0])
    tape.Tensor(5.0, shape=(), dtype=float32)
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "mean_squared_error") -> None:
        super().__init__(mean_squared_error, reduction=reduction, name=name)


class MeanAbsoluteError(LossFunctionWrapper):
    """The mean of ``|y_pred - y_true|`` (per sample over the last axis, then reduced).

    >>> import tape
    >>> from tape.keras import losses
    >>> losses.MeanAbsoluteError()([0.0, 0.0], [1.0, -3.0])
    tape.Tensor(2.0, shape=(), dtype=float32)
    """

    def __init__(
        self, reduction: str = Reduction.AUTO, name: str = "mean_absolute_error"
    ) -> None:
        super().__init__(mean_absolute_error, reduction=reduction, name=name)


class Huber(LossFunctionWrapper):
    """The Huber loss: quadratic for errors up to ``delta``, linear beyond (see
    :func:`huber`)."""

    def __init__(
        self, delta: float = 1.0, reduction: str = Reduction.AUTO, name: str = "huber_loss"
    ) -> None:
        super().__init__(huber, reduction=reduction, name=name, delta=delta)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy for 0/1 targets against probabilities, or logits with
    ``from_logits=True`` (see :func:`binary_crossentropy`).

    >>> import tape
    >>> from tape.keras import losses
    >>> bce = losses.BinaryCrossentropy(from_logits=True)
    >>> bce([[1.0], [0.0]], [[0.0], [0.0]])
    tape.Tensor(0.6931472, shape=(), dtype=float32)
    """

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str = Reduction.AUTO,
        name: str = "binary_crossentropy",
    ) -> None:
        super().__init__(
            binary_crossentropy, reduction=reduction, name=name, from_logits=from_logits,
            label_smoothing=label_smoothing, axis=axis,
        )
        self.from_logits = from_logits


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for one-hot targets against class probabilities, or logits with
    ``from_logits=True`` (see :func:`categorical_crossentropy`).

    >>> import tape
    >>> from tape.keras import losses
    >>> losses.CategoricalCrossentropy()([[0.0, 1.0]], [[0.5, 0.5]])
    tape.Tensor(0.6931472, shape=(), dtype=float32)
    """

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str = Reduction.AUTO,
        name: str = "categorical_crossentropy",
    ) -> None:
        super().__init__(
            categorical_crossentropy, reduction=reduction, name=name, from_logits=from_logits,
            label_smoothing=label_smoothing, axis=axis,
        )
        self.from_logits = from_logits


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for integer class labels against class probabilities, or logits with
    ``from_logits=True`` (see :func:`sparse_categorical_crossentropy`).

    >>> import tape
    >>> from tape.keras import losses
    >>> scce = losses.SparseCategoricalCrossentropy(from_logits=True)
    >>> scce([0, 1], [[0.0, 0.0], [0.0, 0.0]])
    tape.Tensor(0.6931472, shape=(), dtype=float32)
    """

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: str = Reduction.AUTO,
        name: str = "sparse_categorical_crossentropy",
    ) -> None:
        if ignore_class is not None:
            raise NotImplementedError(
                "SparseCategoricalCrossentropy: ignore_class is not supported by tape.keras."
            )
        super().__init__(
            sparse_categorical_crossentropy, reduction=reduction, name=name,
            from_logits=from_logits,
        )
        self.from_logits = from_logits


# --------------------------------------------------------------------------- lookup

_CLASSES: dict[str, type[Loss]] = {
    cls.__name__: cls
    for cls in (
        MeanSquaredError, MeanAbsoluteError, Huber, BinaryCrossentropy,
        CategoricalCrossentropy, SparseCategoricalCrossentropy,
    )
}
_FUNCTIONS: dict[str, type[Loss]] = {
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "MSE": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError,
    "huber": Huber,
    "huber_loss": Huber,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}
_KEY_OF_FUNCTION = {
    binary_crossentropy: "binary",
    categorical_crossentropy: "categorical",
    sparse_categorical_crossentropy: "sparse_categorical",
}


def _snake(name: str) -> str:
    out = []
    for i, c in enumerate(name):
        if c.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(c.lower())
    return "".join(out)


def get(identifier: Any) -> Loss | None:
    """A loss ``loss(y_true, y_pred, sample_weight=None) -> scalar tensor`` from a name, a
    :class:`Loss`, a function or a config dictionary, as ``Model.compile(loss=...)`` takes it.

    Names are Keras's function names (``'mse'``, ``'mean_squared_error'``, ``'mae'``,
    ``'mean_absolute_error'``, ``'huber'``, ``'binary_crossentropy'``,
    ``'categorical_crossentropy'``, ``'sparse_categorical_crossentropy'``) and class names
    (``'MeanSquaredError'``, ...); each gives an instance of the class with Keras's defaults.
    A :class:`Loss` is returned as it is; a function returning per-sample losses is wrapped in
    a :class:`LossFunctionWrapper` that averages them over the batch, as ``compile`` does
    (Keras's own ``get`` returns the bare function). ``None`` gives ``None``.

    >>> from tape.keras import losses
    >>> losses.get("mse")
    MeanSquaredError(reduction='auto', name='mean_squared_error')
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = _FUNCTIONS.get(identifier) or _CLASSES.get(identifier)
        if cls is None:
            known = sorted({*_FUNCTIONS, *_CLASSES})
            raise ValueError(
                f"Unknown loss function: {identifier!r}. tape.keras knows {', '.join(known)}; "
                "or pass a Loss instance or a function (y_true, y_pred) -> per-sample losses."
            )
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ValueError(
        f"Could not interpret loss identifier: {identifier!r}; pass a name such as 'mse', a "
        "Loss instance or a function (y_true, y_pred) -> per-sample losses."
    )


def serialize(loss: Loss) -> dict[str, Any]:
    """``{'class_name': ..., 'config': ...}`` for a built-in loss class instance."""
    if type(loss).__name__ not in _CLASSES:
        raise NotImplementedError(
            f"serialize supports tape.keras's loss classes, not {type(loss).__name__}."
        )
    return {"class_name": type(loss).__name__, "config": loss.get_config()}


def deserialize(config: dict[str, Any] | str) -> Loss:
    """A loss from :func:`serialize`'s dictionary or from a name (as :func:`get`)."""
    if isinstance(config, str):
        return get(config)  # type: ignore[return-value]
    name = config.get("class_name")
    if name not in _CLASSES:
        raise ValueError(
            f"Unknown loss class {name!r} in {config!r}; known: {', '.join(sorted(_CLASSES))}."
        )
    return _CLASSES[name].from_config(dict(config.get("config", {})))


def _kind(loss: Any) -> str | None:
    """``'binary'``, ``'categorical'`` or ``'sparse_categorical'`` when ``loss`` (a name,
    function or :class:`Loss`) is that cross-entropy; ``None`` otherwise. The metrics use it
    to pick the accuracy that matches the loss."""
    if isinstance(loss, str):
        try:
            loss = get(loss)
        except ValueError:
            return None
    fn = loss.fn if isinstance(loss, LossFunctionWrapper) else loss
    return _KEY_OF_FUNCTION.get(fn)  # type: ignore[call-overload]
