"""Sample inputs for every differentiable op, used by the op sweep (tests/test_op_sweep.py).

Each group module (elementwise, reductions, shape, linalg, nn) defines ``SAMPLES``: a dict from
an op's dotted name under ``tape`` (e.g. ``"math.sin"``, ``"nn.softmax"``, ``"reshape"``) or a
NumPy function's public path (``"np.tril"``, ``"np.linalg.pinv"``, called on tensors) to a
list of :class:`Sample`. Samples cover 0-d, zero-size, non-contiguous and broadcast inputs and
every axis/keepdims variant that applies, inside the op's domain.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

GROUPS = ("elementwise", "reductions", "shape", "linalg", "nn", "fft")


@dataclass
class Sample:
    """One call of an op: ``op(*args, **kwargs)``.

    ``args`` holds float64 NumPy arrays (differentiable, unless listed in ``static``) and any
    other values (integers, index arrays, shapes...) that are passed through unchanged.
    ``static`` lists positions of float arrays that must not be differentiated (e.g. a
    boolean-like mask given as floats). ``order`` is the highest derivative checked;
    ``modes`` the AD modes checked. ``rtol``/``atol`` loosen tolerances for ill-conditioned
    ops (say why in ``note``). ``complexify``, for ops whose complex inputs must have a
    structure (Hermitian matrices), maps the differentiable arrays and a random generator to
    the complex inputs of the complex sweep (tests/test_complex_sweep.py), which otherwise
    adds random imaginary parts.
    """

    args: tuple
    kwargs: dict = field(default_factory=dict)
    static: tuple[int, ...] = ()
    order: int = 2
    modes: tuple[str, ...] = ("rev", "fwd")
    rtol: float = 1e-5
    atol: float = 1e-6
    note: str = ""
    complexify: Any = None

    def diff_positions(self) -> tuple[tuple[int, int | None], ...]:
        """Where the differentiable arrays are: ``(i, None)`` for argument ``i`` itself,
        ``(i, k)`` for item ``k`` of a list or tuple argument (e.g. concat's values)."""
        out: list[tuple[int, int | None]] = []
        for i, a in enumerate(self.args):
            if i in self.static:
                continue
            if _is_float_array(a):
                out.append((i, None))
            elif isinstance(a, (list, tuple)):
                out.extend((i, k) for k, item in enumerate(a) if _is_float_array(item))
        return tuple(out)

    def with_values(self, values: list) -> list:
        """The arguments with the differentiable arrays replaced by ``values``."""
        args = list(self.args)
        for (i, k), value in zip(self.diff_positions(), values):
            if k is None:
                args[i] = value
            else:
                items = list(args[i])
                items[k] = value
                args[i] = type(self.args[i])(items)
        return args

    def diff_values(self) -> list:
        return [self.args[i] if k is None else self.args[i][k] for i, k in self.diff_positions()]

    def describe(self) -> str:
        parts = [
            f"{a.dtype}{list(a.shape)}" if isinstance(a, np.ndarray) else repr(a)
            for a in self.args
        ]
        parts += [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return ", ".join(parts)


@dataclass
class Special:
    """A declared convention at a special point: the gradient of ``sum(op(*args))`` with
    respect to argument 0 must equal ``expected`` (e.g. relu at 0 gives 0), and be finite."""

    args: tuple
    expected: Any
    kwargs: dict = field(default_factory=dict)
    note: str = ""


def _is_float_array(a: Any) -> bool:
    return isinstance(a, np.ndarray) and a.dtype.kind == "f"


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def noncontiguous(a: np.ndarray) -> np.ndarray:
    """The same values as ``a`` in a non-contiguous (strided) array."""
    big = np.zeros(a.shape + (2,), dtype=a.dtype)
    big[..., 0] = a
    out = big[..., 0]
    assert not out.flags.c_contiguous or out.size <= 1
    return out


def load() -> tuple[dict[str, list[Sample]], dict[str, list[Special]]]:
    """All samples and special points, by op name."""
    samples: dict[str, list[Sample]] = {}
    specials: dict[str, list[Special]] = {}
    for group in GROUPS:
        mod = importlib.import_module(f"{__name__}.{group}")
        for name, items in getattr(mod, "SAMPLES", {}).items():
            samples.setdefault(name, []).extend(items)
        for name, items in getattr(mod, "SPECIAL", {}).items():
            specials.setdefault(name, []).extend(items)
    return samples, specials


def resolve(name: str) -> Any:
    """The function ``tape.<name>`` for a dotted name such as ``"math.sin"``, or NumPy's own
    function for a name that starts with ``np.`` (``"np.tril"``, ``"np.linalg.pinv"``): those
    are called on tensors, as users call them, and reach tape through NumPy's dispatch."""
    import tape

    obj: Any = tape
    parts = name.split(".")
    if parts[0] == "np":
        obj, parts = np, parts[1:]
    for part in parts:
        obj = getattr(obj, part)
    return obj


# SciPy's special functions (tests/samples/scipy_special.py), when SciPy is installed: it is
# optional, and without it their samples are left out rather than failing.
try:
    import scipy.special  # noqa: F401
except ImportError:
    pass
else:
    GROUPS = (*GROUPS, "scipy_special")

# SciPy's linear algebra and convolution (tests/samples/scipy_linalg.py), likewise.
try:
    import scipy.linalg  # noqa: F401
    import scipy.signal  # noqa: F401
except ImportError:
    pass
else:
    GROUPS = (*GROUPS, "scipy_linalg")
