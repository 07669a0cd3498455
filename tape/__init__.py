"""tape: automatic differentiation for NumPy, with TensorFlow's GradientTape as its interface.

>>> import tape as tf
>>> x = tf.constant(2.0)
>>> with tf.GradientTape() as t:
...     t.watch(x)
...     f = x**2 + x
>>> t.gradient(f, x)
tape.Tensor(5.0, shape=(), dtype=float32)
"""

import importlib

from . import autodiff, keras, linalg, math, nn, optimizers, random, signal
from ._checks import detect_anomaly
from ._custom import custom_gradient, recompute_grad
from ._function import TensorSpec, cond, device, function, jit, print, while_loop
from ._missing import missing as _missing
from ._sparse import IndexedSlices
from ._tape import GradientTape, UnconnectedGradients
from ._tensor import (
    Tensor,
    UntrackedWarning,
    Variable,
    bool_,
    complex64,
    complex128,
    float16,
    float32,
    float64,
    int32,
    int64,
)
from .functional import (
    grad,
    hessian,
    hvp,
    jacfwd,
    jacobian,
    jacrev,
    jvp,
    value_and_grad,
    vectorized_map,
    vjp,
    vmap,
)
from .module import Module
from .ops import exported as _exported
from .ops.elementwise import make_complex
from .testing import GradientCheckError, GradientCheckResult, check_gradients, numerical_gradient

bool = bool_  # noqa: A001 - TensorFlow's name

# Top-level ops, as TensorFlow's: creation, elementwise, reductions, shape, and a few of linalg.
_TOP_LEVEL_LINALG = ("matmul", "einsum", "tensordot")
_ops = _exported("creation", "elementwise", "reductions", "shape")
_ops.update({k: v for k, v in _exported("linalg").items() if k in _TOP_LEVEL_LINALG})
_ops["complex"] = make_complex  # TensorFlow's tf.complex
globals().update(_ops)

__version__ = "0.1.0"

__all__ = [
    "GradientCheckError",
    "GradientCheckResult",
    "GradientTape",
    "IndexedSlices",
    "Module",
    "Tensor",
    "TensorSpec",
    "UnconnectedGradients",
    "UntrackedWarning",
    "Variable",
    "autodiff",
    "bool",
    "check_gradients",
    "complex64",
    "complex128",
    "compat",
    "cond",
    "custom_gradient",
    "detect_anomaly",
    "device",
    "float16",
    "float32",
    "float64",
    "function",
    "jit",
    "grad",
    "hessian",
    "hvp",
    "int32",
    "int64",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "keras",
    "linalg",
    "math",
    "nn",
    "numerical_gradient",
    "optimizers",
    "print",
    "random",
    "recompute_grad",
    "signal",
    "value_and_grad",
    "vjp",
    "vmap",
    "vectorized_map",
    "while_loop",
    *sorted(_ops),
]


def __getattr__(name: str) -> object:
    if name == "scipy":  # imported on first use: SciPy is optional
        return importlib.import_module("tape.scipy")
    # A TensorFlow name tape lacks: say so plainly (Python's "did you mean" would suggest an
    # unrelated tape name).
    raise _missing("tape", "tf", name)


from . import compat  # noqa: E402 - tape.compat.v1 reads tape's namespace, complete by now
