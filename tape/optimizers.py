"""Optimizers in Keras's style: ``SGD`` (with momentum and Nesterov momentum) and ``Adam``.

The loop of the seed documents -- compute the loss, take ``dL/dθ`` by reverse mode, let an
optimizer update ``θ`` -- reads as it does in TensorFlow::

    with tape.GradientTape() as t:
        loss = loss_fn()
    grads = t.gradient(loss, variables)
    optimizer.apply_gradients(zip(grads, variables))

Updates are computed with NumPy on the variables' values (in each variable's dtype) and
written with :meth:`tape.Variable.assign`; they are never recorded on a tape. The formulas are
Keras's, so a training loop gives the numbers TensorFlow gives.

>>> import tape
>>> from tape import optimizers
>>> w = tape.Variable(5.0)
>>> opt = optimizers.SGD(learning_rate=0.1)
>>> for _ in range(3):
...     _ = opt.minimize(lambda: (w - 2.0) ** 2, [w])
>>> round(float(w), 4)  # 2 + 3 * 0.8**3
3.536
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ._tape import GradientTape
from ._tensor import Tensor, Variable
from ._trace import call

__all__ = ["SGD", "Adam", "Optimizer"]

LearningRate = float | Callable[..., Any]


class Optimizer:
    """The base class: keeps the step count, evaluates the learning rate, clips and
    decays, and hands each (gradient, variable) pair to :meth:`update_step`.

    A subclass implements ``update_step(gradient, variable, learning_rate)`` with NumPy
    arrays and reads and writes per-variable state with :meth:`slot`.

    ``learning_rate`` is a number or a callable: a schedule taking the step number
    (``iterations``, from 0) or a function of no arguments. ``clipnorm`` clips each
    gradient to that L2 norm, ``global_clipnorm`` all of them together, ``clipvalue`` each
    element to ``[-clipvalue, clipvalue]``. ``weight_decay`` (decoupled, as Keras and AdamW)
    subtracts ``learning_rate * weight_decay * variable`` before each update.
    """

    def __init__(
        self,
        learning_rate: LearningRate,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
    ) -> None:
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of clipnorm, clipvalue and global_clipnorm can be set; got "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}."
            )
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.name = name or type(self).__name__
        self.iterations = Variable(np.int64(0), trainable=False, name="iteration")
        self._slots: dict[int, dict[str, np.ndarray]] = {}
        self._variables: dict[int, Variable] = {}

    # ------------------------------------------------------------------ public API

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Variable]]) -> Variable:
        """Update each variable from its gradient: ``apply_gradients(zip(grads, vars))``.

        A ``None`` gradient (a variable the loss does not depend on) is skipped with a
        warning; if every gradient is ``None``, ``ValueError`` is raised. Returns
        ``iterations``, the number of steps taken so far.
        """
        pairs = list(grads_and_vars)
        for pair in pairs:
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                raise TypeError(
                    "apply_gradients takes (gradient, variable) pairs, e.g. "
                    f"apply_gradients(zip(grads, variables)); got {pair!r}."
                )
        return self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def apply(self, grads: Iterable[Any], trainable_variables: Iterable[Variable]) -> Variable:
        """``apply_gradients`` with the gradients and variables as two lists (Keras 3)."""
        # (inside tape.function, the update is made on every call of the compiled function)
        return call(self._apply, list(grads), list(trainable_variables))

    def _apply(self, grads: list[Any], variables: list[Variable]) -> Variable:
        if len(grads) != len(variables):
            raise ValueError(
                f"Got {len(grads)} gradients for {len(variables)} variables: pass one "
                "gradient per variable."
            )
        for v in variables:
            if not isinstance(v, Variable):
                raise TypeError(
                    f"Optimizers update tape.Variable objects in place; got "
                    f"{type(v).__name__} ({v!r}). Create the parameters with tape.Variable(...)."
                )
            if v.dtype.kind == "c":
                raise TypeError(
                    f"Variable '{v.name}' is complex ({v.dtype}); the optimizers train real "
                    "variables. Train its real and imaginary parts as two float variables "
                    "and build the value with tape.complex(re, im)."
                )
            if v.dtype.kind != "f":
                raise TypeError(
                    f"Variable '{v.name}' has dtype {v.dtype}; only floating variables can "
                    "be trained."
                )
        missing = [v.name for g, v in zip(grads, variables) if g is None]
        if len(missing) == len(variables):
            raise ValueError(
                f"No gradients provided for any variable: {missing}. Check that the loss "
                "was computed from the variables inside the GradientTape's context."
            )
        if missing:
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss; "
                "they are left unchanged.",
                stacklevel=5,
            )
        pairs = [
            (self._as_array(g, v), v) for g, v in zip(grads, variables) if g is not None
        ]
        pairs = self._clip(pairs)
        lr = self._current_learning_rate()
        for g, v in pairs:
            self._variables.setdefault(v._id, v)
            if self.weight_decay:
                w = v.numpy()
                v.assign(w - (lr * self.weight_decay) * w)
            self.update_step(g, v, lr)
        self.iterations.assign_add(1)
        return self.iterations

    def minimize(
        self,
        loss: Callable[[], Any] | Any,
        var_list: Iterable[Variable] | Callable[[], Iterable[Variable]],
        tape: GradientTape | None = None,
    ) -> Any:
        """Take one step on ``loss``: compute its gradient with respect to ``var_list`` and
        apply it. ``loss`` is a function of no arguments (it runs under a new tape), or a
        tensor recorded on ``tape``. ``var_list`` may be a function returning the list.
        Returns the loss (TensorFlow returns the update op).

        >>> import tape
        >>> from tape import optimizers
        >>> x = tape.Variable(1.0)
        >>> float(optimizers.SGD(0.25).minimize(lambda: x * x, [x])), float(x)
        (1.0, 0.5)
        """
        if callable(loss):
            with GradientTape() as t:
                value = loss()
        elif tape is None:
            raise ValueError(
                "`tape` is required when a tensor loss is passed to minimize(); pass a "
                "function of no arguments instead, or the GradientTape that recorded it."
            )
        else:
            t, value = tape, loss
        variables = list(var_list() if callable(var_list) else var_list)
        grads = t.gradient(value, variables)
        self.apply_gradients(zip(grads, variables))
        return value

    def slot(self, variable: Variable, name: str) -> np.ndarray:
        """The optimizer's state ``name`` (e.g. ``'m'``) for ``variable``: an array of its
        shape and dtype, created as zeros at first use and updated in place."""
        slots = self._slots.setdefault(variable._id, {})
        if name not in slots:
            slots[name] = np.zeros(variable.shape, dtype=variable.dtype)
        return slots[name]

    def __reduce__(self) -> tuple:
        """Copies and pickles keep each variable's state with that variable: state is keyed
        by variable identity, and a copied or unpickled variable is a new one."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("_slots", "_variables")}
        pairs = [(v, self._slots.get(k)) for k, v in self._variables.items()]
        return _rebuild, (type(self), state, pairs)

    @property
    def variables(self) -> list[Variable]:
        """The variables this optimizer has updated, in first-update order."""
        return list(self._variables.values())

    def update_step(self, gradient: np.ndarray, variable: Variable, learning_rate: float) -> None:
        """Update ``variable`` in place from ``gradient`` (an array of its shape and dtype)."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, as Keras's ``get_config``."""
        return {
            "name": self.name,
            "learning_rate": self.learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "clipvalue": self.clipvalue,
            "global_clipnorm": self.global_clipnorm,
        }

    def __repr__(self) -> str:
        args = ", ".join(
            f"{k}={v!r}" for k, v in self.get_config().items() if k != "name" and v is not None
        )
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------------ internals

    def _current_learning_rate(self) -> float:
        lr = self.learning_rate
        if callable(lr):
            try:
                takes_step = len(inspect.signature(lr).parameters) > 0
            except (TypeError, ValueError):
                takes_step = True
            lr = lr(int(self.iterations)) if takes_step else lr()
        if isinstance(lr, (Tensor, Variable)):
            lr = lr.numpy()
        return float(lr)

    @staticmethod
    def _as_array(g: Any, v: Variable) -> np.ndarray:
        arr = np.array(g, dtype=v.dtype)  # a private copy, in the variable's dtype
        if arr.shape != v.shape:
            raise ValueError(
                f"Gradient of shape {arr.shape} for variable '{v.name}' of shape {v.shape}."
            )
        return arr

    def _clip(self, pairs: list) -> list:
        if self.clipvalue is not None:
            c = self.clipvalue
            return [(np.clip(g, -c, c), v) for g, v in pairs]
        if self.clipnorm is not None:
            return [(_clip_by_norm(g, self.clipnorm, _norm(g)), v) for g, v in pairs]
        if self.global_clipnorm is not None:
            total = float(np.sqrt(sum(_norm(g) ** 2 for g, _ in pairs)))
            return [(_clip_by_norm(g, self.global_clipnorm, total), v) for g, v in pairs]
        return pairs


def _norm(g: np.ndarray) -> float:
    return float(np.sqrt(np.sum(np.square(g))))


def _clip_by_norm(g: np.ndarray, limit: float, norm: float) -> np.ndarray:
    return g * (limit / norm) if norm > limit else g


def _rebuild(cls: type, state: dict, pairs: list) -> Optimizer:
    new = object.__new__(cls)
    new.__dict__.update(state)
    new._variables = {v._id: v for v, _ in pairs}
    new._slots = {v._id: slots for v, slots in pairs if slots is not None}
    return new


class SGD(Optimizer):
    """Gradient descent, with momentum and Nesterov momentum (Keras's formulas).

    Without momentum, ``w <- w - lr * g``. With momentum, a velocity ``v`` (zeros at first)::

        v <- momentum * v - lr * g
        w <- w + v                               # nesterov=False
        w <- w + momentum * v - lr * g           # nesterov=True

    >>> import numpy as np, tape
    >>> from tape import optimizers
    >>> w = tape.Variable(np.float64(1.0))
    >>> opt = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    >>> _ = opt.apply_gradients([(tape.constant(np.float64(1.0)), w)])  # v = -0.1
    >>> _ = opt.apply_gradients([(tape.constant(np.float64(1.0)), w)])  # v = -0.19
    >>> round(float(w), 10)
    0.71
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str = "SGD",
    ) -> None:
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"`momentum` must be a float between [0, 1], got {momentum}.")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def update_step(self, gradient: np.ndarray, variable: Variable, learning_rate: float) -> None:
        w = variable.numpy()
        lr = np.asarray(learning_rate, dtype=w.dtype)
        if self.momentum == 0.0:
            variable.assign(w - lr * gradient)
            return
        mu = np.asarray(self.momentum, dtype=w.dtype)
        v = self.slot(variable, "momentum")
        v[...] = mu * v - lr * gradient
        if self.nesterov:
            variable.assign(w + mu * v - lr * gradient)
        else:
            variable.assign(w + v)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam (Kingma and Ba), as Keras computes it. At step ``t`` (from 1), with ``m`` and
    ``v`` zeros at first::

        m <- m + (1 - beta_1) * (g - m)
        v <- v + (1 - beta_2) * (g**2 - v)
        w <- w - lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)

    ``epsilon`` is the paper's "epsilon hat": it is added after the bias correction is folded
    into the step size. With ``amsgrad=True``, ``v`` in the update is the running maximum of
    ``v``.

    >>> import numpy as np, tape
    >>> from tape import optimizers
    >>> w = tape.Variable(np.float64(0.0))
    >>> _ = optimizers.Adam(learning_rate=0.1).apply_gradients([(tape.constant(3.0), w)])
    >>> round(float(w), 6)  # the first step moves every weight by about lr, whatever g is
    -0.1
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str = "Adam",
    ) -> None:
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.amsgrad = bool(amsgrad)

    def update_step(self, gradient: np.ndarray, variable: Variable, learning_rate: float) -> None:
        w = variable.numpy()
        dt = w.dtype
        t = int(self.iterations) + 1
        b1, b2 = np.asarray(self.beta_1, dtype=dt), np.asarray(self.beta_2, dtype=dt)
        alpha = np.asarray(learning_rate, dtype=dt) * np.sqrt(1 - b2**t) / (1 - b1**t)
        m = self.slot(variable, "m")
        v = self.slot(variable, "v")
        m += (gradient - m) * (1 - b1)
        v += (np.square(gradient) - v) * (1 - b2)
        if self.amsgrad:
            v_hat = self.slot(variable, "v_hat")
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        variable.assign(w - alpha * m / (np.sqrt(v) + np.asarray(self.epsilon, dtype=dt)))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }
