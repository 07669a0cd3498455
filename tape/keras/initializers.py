"""Keras's weight initializers, drawing from NumPy.

An initializer is called with a shape and a dtype and returns a NumPy array:
``GlorotUniform(seed=0)((3, 2), "float32")``. With ``seed``, every call gives the same values
(as Keras 2 documents); without, each call draws new ones from a generator seeded by
``tape.random`` (so ``tape.random.set_seed`` makes them repeat). The values cannot equal
TensorFlow's (a different random number generator); the distributions are Keras's:

============== =========================================================================
GlorotUniform   uniform on ``[-l, l]``, ``l = sqrt(6 / (fan_in + fan_out))``
GlorotNormal    normal truncated at two standard deviations, ``sd = sqrt(2 / (fan_in +
                fan_out))`` after the truncation (the untruncated ``sd`` is that / 0.8796)
HeUniform       uniform on ``[-l, l]``, ``l = sqrt(6 / fan_in)``
HeNormal        truncated normal as GlorotNormal, ``sd = sqrt(2 / fan_in)``
LecunNormal     truncated normal as GlorotNormal, ``sd = sqrt(1 / fan_in)``
RandomNormal    normal(mean=0.0, stddev=0.05)
RandomUniform   uniform(minval=-0.05, maxval=0.05)
Zeros, Ones     constants; ``Constant(value)``
============== =========================================================================

For a kernel of shape ``(n_in, n_out)``, ``fan_in = n_in`` and ``fan_out = n_out``; for a
convolution kernel ``(..., n_in, n_out)`` both are multiplied by the product of the leading
(receptive field) dimensions.

>>> from tape.keras import initializers
>>> w = initializers.GlorotUniform(seed=1)((300, 200), "float64")
>>> bool(abs(w).max() <= (6 / 500) ** 0.5)
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import random as tape_random

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Initializer",
    "LecunNormal",
    "Ones",
    "RandomNormal",
    "RandomUniform",
    "Zeros",
    "compute_fans",
    "get",
]

# The standard deviation of a standard normal truncated to [-2, 2].
_TRUNCATED_SD = 0.87962566103423978


def generator(seed: int | None = None) -> np.random.Generator:
    """The random number generator of initializers and of ``Dropout``: NumPy's ``default_rng``,
    seeded by ``seed`` or, without one, by a draw of ``tape.random`` (so that
    ``tape.random.set_seed`` makes a program's weights and masks repeat, as
    ``tf.random.set_seed`` does for Keras's)."""
    if seed is None:
        seed = int(tape_random.uniform((), 0, 2**62, dtype=np.int64).numpy())
    return np.random.default_rng(seed)


def compute_fans(shape: tuple[int, ...]) -> tuple[float, float]:
    """(fan_in, fan_out) of a weight of ``shape``, as Keras computes them."""
    shape = tuple(int(d) for d in shape)
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    field = math.prod(shape[:-2])
    return float(shape[-2] * field), float(shape[-1] * field)


class Initializer:
    """Base class: ``initializer(shape, dtype=None)`` returns a NumPy array of that shape
    (float32 when ``dtype`` is None)."""

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        """An initializer from ``get_config()``'s dict."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _shape_dtype(shape: Any, dtype: Any) -> tuple[tuple[int, ...], np.dtype]:
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    shape = tuple(int(d) for d in shape)
    if any(d < 0 for d in shape):
        raise ValueError(f"An initializer needs a fully known, non-negative shape; got {shape}.")
    return shape, np.dtype("float32" if dtype is None else dtype)


class _Random(Initializer):
    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._rng = generator(seed) if seed is None else None

    def _generator(self) -> np.random.Generator:
        return generator(self.seed) if self.seed is not None else self._rng

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class RandomNormal(_Random):
    """Normal draws with ``mean`` and ``stddev``."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        shape, dtype = _shape_dtype(shape, dtype)
        return self._generator().normal(self.mean, self.stddev, shape).astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(_Random):
    """Uniform draws on ``[minval, maxval)``."""

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
    ) -> None:
        super().__init__(seed)
        self.minval, self.maxval = float(minval), float(maxval)

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        shape, dtype = _shape_dtype(shape, dtype)
        return self._generator().uniform(self.minval, self.maxval, shape).astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


def _truncated_normal(rng: np.random.Generator, sd: float, shape: tuple[int, ...]) -> np.ndarray:
    """Normal draws with standard deviation ``sd``, redrawn until within two of them."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2.0
    return out * sd


class VarianceScaling(_Random):
    """Draws with variance ``scale / n``, ``n`` the fan given by ``mode`` (``"fan_in"``,
    ``"fan_out"`` or ``"fan_avg"``), from a ``"truncated_normal"``, ``"untruncated_normal"``
    or ``"uniform"`` distribution."""

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
    ) -> None:
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be positive, got {scale}.")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(
                f"VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', got {mode!r}."
            )
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(
                "VarianceScaling: distribution must be 'truncated_normal', "
                f"'untruncated_normal' or 'uniform', got {distribution!r}."
            )
        super().__init__(seed)
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        shape, dtype = _shape_dtype(shape, dtype)
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._generator()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            values = rng.uniform(-limit, limit, shape)
        elif self.distribution == "truncated_normal":
            values = _truncated_normal(rng, math.sqrt(variance) / _TRUNCATED_SD, shape)
        else:
            values = rng.normal(0.0, math.sqrt(variance), shape)
        return values.astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config()}


class GlorotUniform(VarianceScaling):
    """Uniform on ``[-l, l]`` with ``l = sqrt(6 / (fan_in + fan_out))`` (Xavier uniform)."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class GlorotNormal(VarianceScaling):
    """Truncated normal with standard deviation ``sqrt(2 / (fan_in + fan_out))``."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class HeNormal(VarianceScaling):
    """Truncated normal with standard deviation ``sqrt(2 / fan_in)``."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "truncated_normal", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class HeUniform(VarianceScaling):
    """Uniform on ``[-l, l]`` with ``l = sqrt(6 / fan_in)``."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "uniform", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class LecunNormal(VarianceScaling):
    """Truncated normal with standard deviation ``sqrt(1 / fan_in)``."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "truncated_normal", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class Constant(Initializer):
    """Every element equal to ``value``."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        shape, dtype = _shape_dtype(shape, dtype)
        return np.full(shape, self.value, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class Zeros(Constant):
    """All zeros."""

    def __init__(self) -> None:
        super().__init__(0.0)

    def get_config(self) -> dict[str, Any]:
        return {}


class Ones(Constant):
    """All ones."""

    def __init__(self) -> None:
        super().__init__(1.0)

    def get_config(self) -> dict[str, Any]:
        return {}


_BY_NAME: dict[str, type[Initializer]] = {
    "constant": Constant,
    "glorot_normal": GlorotNormal,
    "glorot_uniform": GlorotUniform,
    "he_normal": HeNormal,
    "he_uniform": HeUniform,
    "lecun_normal": LecunNormal,
    "ones": Ones,
    "random_normal": RandomNormal,
    "random_uniform": RandomUniform,
    "variance_scaling": VarianceScaling,
    "zeros": Zeros,
}
_BY_NAME.update({cls.__name__: cls for cls in list(_BY_NAME.values())})


def get(identifier: Any) -> Callable[..., Any] | None:
    """An initializer from a name (``"glorot_uniform"`` or ``"GlorotUniform"``), a config dict
    (``{"class_name": ..., "config": {...}}``), an instance or any callable ``(shape, dtype)``;
    None gives None.

    >>> from tape.keras import initializers
    >>> initializers.get("he_normal")
    HeNormal(seed=None)
    """
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        cls = _lookup(identifier.get("class_name"))
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        return _lookup(identifier)()
    raise ValueError(
        f"Could not interpret initializer identifier: {identifier!r}. Pass a name such as "
        "'glorot_uniform', an initializer instance or a callable (shape, dtype)."
    )


def _lookup(name: Any) -> type[Initializer]:
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        names = ", ".join(sorted(k for k in _BY_NAME if k.islower()))
        raise ValueError(
            f"Unknown initializer: {name!r}. tape.keras.initializers has: {names}."
        ) from None
