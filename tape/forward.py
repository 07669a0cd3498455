"""Forward-mode automatic differentiation: ``ForwardAccumulator``, as in TensorFlow."""

from __future__ import annotations

from typing import Any

from ._record import ensure_id
from ._structure import flatten, pack_as
from ._tape import UnconnectedGradients
from ._tensor import STATE, Tensor, Variable, count_active, next_id, to_value, wrap
from .ops.creation import zeros_like


class ForwardAccumulator:
    """Computes Jacobian-vector products by pushing tangents forward alongside values.

    Every op run inside the context on a value with a tangent gives its output a tangent;
    :meth:`jvp` reads it. Nests with ``GradientTape`` both ways, so forward-over-reverse
    Hessian-vector products work.

    >>> import tape
    >>> x = tape.constant([1.0, 2.0])
    >>> with tape.autodiff.ForwardAccumulator(x, tape.constant([1.0, 0.0])) as acc:
    ...     y = tape.reduce_sum(x * x * x)
    >>> float(acc.jvp(y))  # d/dt sum((x + t v)^3) = 3 x0^2
    3.0
    """

    def __init__(self, primals: Any, tangents: Any) -> None:
        flat_p, flat_t = flatten(primals), flatten(tangents)
        if len(flat_p) != len(flat_t):
            raise ValueError(
                f"ForwardAccumulator got {len(flat_p)} primals but {len(flat_t)} tangents: "
                "give one tangent per primal, in the same structure."
            )
        self._tangents: dict[int, Tensor] = {}
        self._active = False
        for p, t in zip(flat_p, flat_t):
            if not isinstance(p, (Tensor, Variable)):
                raise TypeError(
                    f"Primals must be tensors or variables, got {type(p).__name__}; convert "
                    "it with tape.constant(...)."
                )
            if isinstance(t, Variable):
                t = t.read_value()
            if not isinstance(t, Tensor):
                t = wrap(to_value(t, p.dtype))
            if t.shape != p.shape:
                raise ValueError(
                    f"Tangent shape {t.shape} does not match its primal's shape {p.shape}."
                )
            if t.dtype != p.dtype:
                raise TypeError(
                    f"Tangent dtype {t.dtype} does not match its primal's dtype {p.dtype}."
                )
            if p._id in self._tangents:
                raise ValueError(
                    f"Tensor {p!r} was specified as a primal multiple times. This may indicate "
                    "an error. If it was intended, please sum the corresponding tangents. (A "
                    "primal was given twice; watch each tensor once.)"
                )
            self._tangents[ensure_id(p)] = t

    def __enter__(self) -> ForwardAccumulator:
        if self._active:
            raise ValueError(
                "Accumulator is already recording. (This ForwardAccumulator is already active: "
                "it cannot be re-entered.)"
            )
        self._active = True
        self._seq = next_id()  # entry order: see tape._record.only_outside
        count_active(1)
        STATE.accumulators.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._active:
            count_active(-1)
        self._active = False
        accs = STATE.accumulators
        for i in range(len(accs) - 1, -1, -1):
            if accs[i] is self:
                del accs[i]
                break

    def jvp(
        self,
        primals: Any,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
    ) -> Any:
        """The tangents of ``primals`` (a tensor or nested structure of them).

        A value computed without any tangent gives ``None``, or zeros with
        ``unconnected_gradients='zero'``.
        """
        unconnected = UnconnectedGradients(unconnected_gradients)
        out = []
        for p in flatten(primals):
            if not isinstance(p, (Tensor, Variable)):
                raise TypeError(f"jvp needs tensors, got {type(p).__name__}.")
            t = self._tangents.get(p._id)
            if t is None and unconnected is UnconnectedGradients.ZERO:
                t = zeros_like(p)
            out.append(t)
        return pack_as(primals, out)
