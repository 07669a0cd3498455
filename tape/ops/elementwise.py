"""Elementwise ops.

Each rule maps the output cotangent ``g`` to an argument's cotangent; broadcasting is undone and
dtypes restored by the engine, not here. Arithmetic runs through Python's operators: on NumPy
scalars they are several times faster than calling the ufunc.

Conventions at points where a derivative does not exist follow TensorFlow unless a docstring
says otherwise, and are stated in each op's docstring: piecewise-constant ops (floor, ceil,
round, sign, floordiv) have gradient 0; ``abs`` and ``relu`` have gradient 0 at 0;
``maximum``/``minimum`` give a tie to ``x``; ``x ** 0`` has gradient 0, at x = 0 too.
docs/conventions.md lists them all beside TensorFlow's and JAX's values.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from .._batch import elementwise as _elementwise_rule
from .._fast import bind1, bind2
from .._record import bind, holds_tensors, pack
from .._registry import UFUNCS, defprim, through
from .._tensor import Tensor, Variable, as_tensor, scalarize, tracked
from .._tensor import peek as _peek
from .._tensor import value_of as _value
from ._define import apply, elementwise, numpy_function
from .shape import _scatter_add, cast

_SQRT2 = math.sqrt(2.0)
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(x):
    return np.exp(-np.logaddexp(0, -x))


def _pow_x(g, ans, x, y):
    # d(x**y)/dx = y x**(y-1). Where y == 0, x**y is the constant 1, whose derivative is 0 for
    # every x, x == 0 included, where y x**(y-1) would be 0 * inf. A constant exponent (x ** 2)
    # is a Python or NumPy number: 0 gives 0, and any other exponent the formula. An array or
    # tensor exponent takes x**(y-1) at 1 instead of 0 where x == 0 and y == 0, so that the
    # product is 0 there and the formula is left alone elsewhere (its derivative in y too).
    # Every order stays finite, as the same rule differentiates this one: x**1's second
    # derivative is the derivative of 1 * x**0, again 0.
    if isinstance(y, (int, float, np.generic)):
        return g * 0 if y == 0 else g * y * x ** (y - 1)
    base = np.where(np.logical_and(x == 0, y == 0), 1, x)
    return g * y * base ** (y - 1)


def _pow_y(g, ans, x, y):
    # d(x**y)/dy = x**y log(x), taken as 0 where x <= 0: at x == 0 (the limit as x -> 0+ for
    # y > 0; JAX and TensorFlow give 0 too) and for x < 0 (TensorFlow's value; there x**y is
    # real only at integer y). Where x**y itself is NaN or inf the product stays NaN. A
    # complex power (a complex base, or a negative one with a complex exponent) takes the
    # principal logarithm (0 at x == 0, as a real one).
    if ans.dtype.kind == "c":
        base = np.where(x == 0, 1, x)
        return g * ans * np.log(base if base.dtype.kind == "c" else base * (1 + 0j))
    return g * ans * np.log(np.where(x > 0, x, 1))


def _zero(g, ans, *args):
    return g * 0


def _float_math(fn: Any) -> Any:
    """A float64-accurate vectorised form of a scalar function of ``math`` (erf, erfc)."""
    scalar = np.frompyfunc(fn, 1, 1)

    def vectorised(x):
        x = np.asarray(x)
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        return scalarize(np.asarray(scalar(x), dtype=dtype))

    return vectorised


# ---- arithmetic
add = elementwise("add", operator.add, through, through, ufunc=np.add, complex=True)
subtract = elementwise(
    "subtract", operator.sub, through, lambda g, ans, x, y: -g, ufunc=np.subtract, complex=True
)
multiply = elementwise(
    "multiply", operator.mul, lambda g, ans, x, y: g * y, lambda g, ans, x, y: g * x,
    ufunc=np.multiply, complex="holomorphic",
)
divide = elementwise(
    "divide", operator.truediv, lambda g, ans, x, y: g / y, lambda g, ans, x, y: -g * ans / y,
    ufunc=np.true_divide, complex="holomorphic",
)
pow = elementwise(  # noqa: A001 - TensorFlow's name
    "pow", operator.pow, _pow_x, _pow_y, ufunc=np.power,
    doc="x ** y elementwise (broadcasting as NumPy); also the operator ``**`` and np.power.\n\n"
    "d/dx = y x**(y-1), and 0 wherever y == 0, at x = 0 too and at every order: x**0 is the "
    "constant 1. The exponent may be a Python int or float, a NumPy number or a tensor of "
    "any dtype: tape looks at its value (JAX gives 0 there for integer exponents only, "
    "TensorFlow NaN). So at x = 0, x**1 has derivatives 1, 0, 0, ...; x**2 has 0, 2, 0, ...; "
    "and x**y with 0 < y < 1 has derivative inf, as sqrt.\n\n"
    "d/dy = x**y log(x), taken as 0 where x == 0 (as JAX and TensorFlow) and where x < 0 (as "
    "TensorFlow; JAX gives NaN). Where x**y is inf (x = 0, y < 0) or NaN (x < 0 and a "
    "non-integer y) the derivatives are NaN. docs/conventions.md lists every such convention."
    "\n\nFor a complex base, d/dy = x**y log(x) with the principal logarithm (0 at x = 0).",
    complex="holomorphic",
)
negative = elementwise(
    "negative", operator.neg, lambda g, ans, x: -g, ufunc=np.negative, complex=True
)
floordiv = elementwise(
    "floordiv", np.floor_divide, _zero, _zero, ufunc=np.floor_divide,
    doc="floor(x / y) elementwise. Piecewise constant: its gradient is 0 for both arguments "
    "(as JAX; TensorFlow registers none for x: None).",
)
floormod = elementwise(
    "floormod", np.remainder,
    through,
    lambda g, ans, x, y: -g * np.floor_divide(x, y),
    ufunc=np.remainder,
    doc="x - floor(x / y) * y, with the sign of y (Python's %). As TensorFlow: dx = g, "
    "dy = -g * floor(x / y), taking the jumps (where x / y is an integer) as 0.",
)
mod = floormod


def _sqdiff(x, y):
    d = x - y
    return d * np.conjugate(d) if np.iscomplexobj(d) else np.square(d)


def _sqdiff_vjp(g, ans, x, y):
    # 2 (x - y) g; for complex values |x - y|^2 is real, so only g's real part acts
    return (np.real(g) if ans.dtype.kind == "c" else g) * 2 * (x - y)


def real_product(w, t):
    """``w * t``; for complex values ``Re(conj(w) t)``: the change of a real function of
    complex ``x`` whose gradient (TensorFlow's convention) is ``w``, along ``t``."""
    if w.dtype.kind == "c" or t.dtype.kind == "c":
        return np.real(np.conjugate(w) * t)
    return w * t


def _sqdiff_jvp(t, ans, x, y):
    # 2 Re(conj(x - y) t) for complex values
    return 2 * real_product(x - y, t)


squared_difference = elementwise(
    "squared_difference", _sqdiff,
    _sqdiff_vjp, lambda g, ans, x, y: -_sqdiff_vjp(g, ans, x, y),
    jvps=(_sqdiff_jvp, lambda t, ans, x, y: -_sqdiff_jvp(t, ans, x, y)),
    doc="(x - y) ** 2 elementwise; for complex values conj(x - y) (x - y), as TensorFlow's "
    "(real values in a complex dtype).", complex=True,
)
reciprocal = elementwise(
    "reciprocal", lambda x: 1 / x, lambda g, ans, x: -g * ans * ans, ufunc=np.reciprocal,
    doc="1 / x elementwise.", complex="holomorphic",
)

# ---- powers, exponentials and logarithms
square = elementwise("square", np.square, lambda g, ans, x: g * 2 * x, ufunc=np.square,
                     complex="holomorphic")
sqrt = elementwise(
    "sqrt", np.sqrt, lambda g, ans, x: g / (2 * ans), ufunc=np.sqrt,
    doc="Square root; its gradient at 0 is inf, as in TensorFlow and JAX.", complex="holomorphic",
)
rsqrt = elementwise(
    "rsqrt", lambda x: 1 / np.sqrt(x), lambda g, ans, x: -0.5 * g * ans * ans * ans,
    doc="1 / sqrt(x) elementwise.", complex="holomorphic",
)
exp = elementwise("exp", np.exp, lambda g, ans, x: g * ans, ufunc=np.exp, complex="holomorphic")
expm1 = elementwise(
    "expm1", np.expm1, lambda g, ans, x: g * np.exp(x), ufunc=np.expm1,
    doc="exp(x) - 1, accurate for small x.", complex="holomorphic",
)
log = elementwise("log", np.log, lambda g, ans, x: g / x, ufunc=np.log, complex="holomorphic")
log1p = elementwise(
    "log1p", np.log1p, lambda g, ans, x: g / (1 + x), ufunc=np.log1p,
    doc="log(1 + x), accurate for small x.", complex="holomorphic",
)
log2 = elementwise(
    "log2", np.log2, lambda g, ans, x: g / (x * _LN2), ufunc=np.log2,
    doc="Base-2 logarithm (NumPy's; TensorFlow has none).", complex="holomorphic",
)
log10 = elementwise(
    "log10", np.log10, lambda g, ans, x: g / (x * _LN10), ufunc=np.log10,
    doc="Base-10 logarithm (NumPy's; TensorFlow has none).", complex="holomorphic",
)
logaddexp = elementwise(
    "logaddexp", np.logaddexp,
    lambda g, ans, x, y: g * np.exp(x - ans), lambda g, ans, x, y: g * np.exp(y - ans),
    ufunc=np.logaddexp,
    doc="log(exp(x) + exp(y)) without overflow; its gradients are the softmax weights of x, y.",
)

exp2 = elementwise(
    "exp2", np.exp2, lambda g, ans, x: g * ans * _LN2, ufunc=np.exp2,
    doc="2 ** x elementwise (NumPy's exp2).", complex="holomorphic",
)
logaddexp2 = elementwise(
    "logaddexp2", np.logaddexp2,
    lambda g, ans, x, y: g * np.exp2(x - ans), lambda g, ans, x, y: g * np.exp2(y - ans),
    ufunc=np.logaddexp2,
    doc="log2(2 ** x + 2 ** y) without overflow; its gradients are 2 ** (x - ans) and "
    "2 ** (y - ans), which sum to 1.",
)

# ---- trigonometric and hyperbolic
sin = elementwise("sin", np.sin, lambda g, ans, x: g * np.cos(x), ufunc=np.sin,
                  complex="holomorphic")
cos = elementwise("cos", np.cos, lambda g, ans, x: -g * np.sin(x), ufunc=np.cos,
                  complex="holomorphic")
tan = elementwise("tan", np.tan, lambda g, ans, x: g * (1 + ans * ans), ufunc=np.tan,
                  complex="holomorphic")
asin = elementwise(
    "asin", np.arcsin, lambda g, ans, x: g / np.sqrt(1 - x * x), ufunc=np.arcsin,
    doc="Inverse sine; its gradient at +-1 is inf.", complex="holomorphic",
)
acos = elementwise(
    "acos", np.arccos, lambda g, ans, x: -g / np.sqrt(1 - x * x), ufunc=np.arccos,
    doc="Inverse cosine; its gradient at +-1 is -inf.", complex="holomorphic",
)
atan = elementwise("atan", np.arctan, lambda g, ans, x: g / (1 + x * x), ufunc=np.arctan,
                   complex="holomorphic")
_atan2 = elementwise(
    "atan2", np.arctan2,
    lambda g, ans, y, x: g * x / (x * x + y * y),
    lambda g, ans, y, x: -g * y / (x * x + y * y),
    ufunc=np.arctan2,
)
sinh = elementwise("sinh", np.sinh, lambda g, ans, x: g * np.cosh(x), ufunc=np.sinh,
                   complex="holomorphic")
cosh = elementwise("cosh", np.cosh, lambda g, ans, x: g * np.sinh(x), ufunc=np.cosh,
                   complex="holomorphic")
tanh = elementwise("tanh", np.tanh, lambda g, ans, x: g * (1 - ans * ans), ufunc=np.tanh,
                   complex="holomorphic")
asinh = elementwise(
    "asinh", np.arcsinh, lambda g, ans, x: g / np.cosh(ans), ufunc=np.arcsinh,
    doc="Inverse hyperbolic sine; d/dx = 1 / cosh(asinh x) = 1 / sqrt(1 + x^2).",
    complex="holomorphic",
)
acosh = elementwise(
    "acosh", np.arccosh, lambda g, ans, x: g / np.sinh(ans), ufunc=np.arccosh,
    doc="Inverse hyperbolic cosine (x >= 1); d/dx = 1 / sinh(acosh x), inf at x = 1.",
    complex="holomorphic",
)
atanh = elementwise(
    "atanh", np.arctanh, lambda g, ans, x: g / (1 - x * x), ufunc=np.arctanh,
    doc="Inverse hyperbolic tangent (|x| < 1).", complex="holomorphic",
)




def _hypot_vjp_x(g, ans, x, y):
    # x / hypot(x, y); 0 at the origin, where the cone has its tip (a subgradient, as norms),
    # at every order: the outer where keeps the rule's own derivative there 0 too
    tip = ans > 0
    return np.where(tip, g * x / np.where(tip, ans, 1), 0)


def _hypot_vjp_y(g, ans, x, y):
    tip = ans > 0
    return np.where(tip, g * y / np.where(tip, ans, 1), 0)


hypot = elementwise(
    "hypot", np.hypot, _hypot_vjp_x, _hypot_vjp_y, ufunc=np.hypot,
    doc="sqrt(x ** 2 + y ** 2) without overflow. At the origin, where it has a kink, the "
    "gradient is taken as 0 for both arguments (a subgradient, as for norms).",
)
_DEG = math.pi / 180.0
deg2rad = elementwise(
    "deg2rad", np.deg2rad, lambda g, ans, x: g * _DEG, ufunc=np.deg2rad,
    doc="Degrees to radians, x * pi / 180 (NumPy's deg2rad and radians).", complex=True,
)
rad2deg = elementwise(
    "rad2deg", np.rad2deg, lambda g, ans, x: g * (1 / _DEG), ufunc=np.rad2deg,
    doc="Radians to degrees, x * 180 / pi (NumPy's rad2deg and degrees).", complex=True,
)
UFUNCS[np.radians] = deg2rad
UFUNCS[np.degrees] = rad2deg


def atan2(y: Any, x: Any, name: str | None = None) -> Tensor:
    """The angle of the point (x, y), in (-pi, pi]. Note the argument order: y first.

    The gradient at the origin is NaN (0/0), as in TensorFlow and JAX.

    >>> import tape
    >>> print(f"{float(tape.math.atan2(1.0, 1.0)):.6f}")
    0.785398
    """
    return bind2(_atan2.prim, y, x)


atan2.prim = _atan2.prim  # type: ignore[attr-defined]

# ---- the error function (NumPy has none: math.erf, vectorised, is float64-accurate)
erf = elementwise(
    "erf", _float_math(math.erf),
    lambda g, ans, x: g * _TWO_OVER_SQRT_PI * np.exp(-x * x),
    doc="The error function, 2/sqrt(pi) times the integral of exp(-t^2) from 0 to x.",
)
erfc = elementwise(
    "erfc", _float_math(math.erfc),
    lambda g, ans, x: -g * _TWO_OVER_SQRT_PI * np.exp(-x * x),
    doc="The complementary error function 1 - erf(x), accurate where erf(x) is near 1.",
)

# ---- piecewise constant: gradient 0 everywhere (also at the jumps, where none exists)
sign = elementwise(
    "sign", np.sign, _zero, ufunc=np.sign,
    doc="-1, 0 or 1 by the sign of x. Its gradient is 0 (also at 0), as in TensorFlow and "
    "JAX.",
)
floor = elementwise(
    "floor", np.floor, _zero, ufunc=np.floor,
    doc="The largest integer <= x. Its gradient is taken as 0 everywhere, jumps included (as "
    "JAX; TensorFlow registers no gradient: None).",
)
ceil = elementwise(
    "ceil", np.ceil, _zero, ufunc=np.ceil,
    doc="The smallest integer >= x. Its gradient is taken as 0 everywhere, jumps included (as "
    "JAX; TensorFlow registers no gradient: None).",
)
round = elementwise(  # noqa: A001 - TensorFlow's name
    "round", np.rint, _zero, ufunc=np.rint,
    doc="Round to the nearest integer, halves to even (banker's rounding, as TensorFlow and "
    "NumPy). Its gradient is taken as 0 everywhere, jumps included (as JAX; TensorFlow "
    "registers no gradient: None).",
)

# ---- piecewise: the gradient at a kink is 0 for relu and abs, as in TensorFlow
def _is_complex(x: Any) -> bool:
    return x.dtype.kind == "c"


def _abs_vjp(g, ans, x):
    # real: sign(x); complex: the unit vector z / |z| (TensorFlow's dL/dRe + i dL/dIm), both
    # 0 at 0. (Not sign(z), which NumPy also gives as z / |z|: its rule is 0.)
    if not _is_complex(x):
        return g * np.sign(x)
    zero = ans == 0
    return np.where(zero, 0, g * x / np.where(zero, 1, ans))


def _abs_jvp(t, ans, x):
    # d|z| = Re(conj(z) dz) / |z|, 0 at 0
    if not _is_complex(x):
        return t * np.sign(x)
    zero = ans == 0
    return np.where(zero, 0, np.real(np.conjugate(x) * t) / np.where(zero, 1, ans))


abs = elementwise(  # noqa: A001
    "abs", np.abs, _abs_vjp, ufunc=np.absolute, jvps=(_abs_jvp,), complex=True,
    doc="|x|. Its gradient is sign(x): 0 at 0, as in TensorFlow (JAX gives 1). For complex "
    "x it is x / |x| (TensorFlow's convention), 0 at 0.",
)

# ---- complex numbers: the parts of a complex value, and its conjugate. Rules follow
# TensorFlow's convention: the cotangent of z is dL/dRe z + i dL/dIm z.
conj = elementwise(
    "conj", np.conjugate, lambda g, ans, x: np.conjugate(g), ufunc=np.conjugate, complex=True,
    doc="The complex conjugate, elementwise (a real tensor's is itself). Its gradient is the "
    "conjugate of the cotangent, as in TensorFlow.",
)
real = elementwise(
    "real", np.real, lambda g, ans, x: g, jvps=(lambda t, ans, x: np.real(t),), complex=True,
    doc="The real part, elementwise (a real tensor's is itself). A real cotangent g gives "
    "the complex argument the cotangent g + 0j.",
)
imag = elementwise(
    "imag", np.imag, lambda g, ans, x: g * 1j, jvps=(lambda t, ans, x: np.imag(t),),
    complex=True,
    doc="The imaginary part, elementwise (zeros for a real tensor). A real cotangent g gives "
    "the complex argument the cotangent 0 + g i, as in TensorFlow.",
)
fabs = elementwise(
    "fabs", np.fabs, lambda g, ans, x: g * np.sign(x), ufunc=np.fabs,
    doc="|x| as a float (NumPy's fabs: integers give float64). Its gradient is sign(x), 0 at "
    "0, as for abs.",
)
_relu = elementwise("relu", lambda x: np.maximum(x, 0), lambda g, ans, x: np.where(x > 0, g, 0))
_relu6 = elementwise(
    "relu6", lambda x: np.minimum(np.maximum(x, 0), 6),
    lambda g, ans, x: np.where(np.logical_and(x > 0, x < 6), g, 0),
)
# elu and selu take the right-hand (linear) branch at 0, as TensorFlow's kernels: the
# exponential branch only for x < 0, so that at 0 selu's gradient is scale and both second
# derivatives are 0.
_elu = elementwise(
    "elu", lambda x: scalarize(np.where(x > 0, x, np.expm1(np.minimum(x, 0)))),
    lambda g, ans, x: np.where(x < 0, g * (ans + 1), g),
)
_selu = elementwise(
    "selu",
    lambda x: _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(np.minimum(x, 0))),
    lambda g, ans, x: np.where(x < 0, g * (ans + _SELU_SCALE * _SELU_ALPHA), g * _SELU_SCALE),
)
def _sigmoid_any(x):
    # (NumPy's logaddexp takes no complex values; TensorFlow's sigmoid does): for complex x,
    # 1/2 + tanh(x/2)/2, which neither overflows nor cancels near the poles
    if x.dtype.kind != "c":
        return _sigmoid(x)
    with np.errstate(invalid="ignore"):  # (NumPy's complex tanh at infinities)
        return 0.5 + 0.5 * np.tanh(x / 2)


sigmoid = elementwise(
    "sigmoid", _sigmoid_any, lambda g, ans, x: g * ans * (1 - ans),
    doc="The logistic function 1 / (1 + exp(-x)), computed without overflow (for complex x "
    "too, where it is holomorphic).", complex="holomorphic",
)
log_sigmoid = elementwise(
    "log_sigmoid", lambda x: -np.logaddexp(0, -x), lambda g, ans, x: -g * np.expm1(ans),
    doc="log(sigmoid(x)) = -softplus(-x), without overflow; d/dx = sigmoid(-x).",
)
_softplus = elementwise(
    "softplus", lambda x: np.logaddexp(0, x), lambda g, ans, x: -g * np.expm1(-ans),
)
_softsign = elementwise(
    "softsign", lambda x: x / (1 + np.abs(x)), lambda g, ans, x: g / np.square(1 + np.abs(x)),
)


def _gelu_exact(x):
    return 0.5 * x * apply(erfc.prim, -x / _SQRT2)


def _gelu_exact_vjp(g, ans, x):
    cdf = 0.5 * apply(erfc.prim, -x / _SQRT2)
    return g * (cdf + x * _INV_SQRT_2PI * np.exp(-0.5 * x * x))


_GELU_C = math.sqrt(2.0 / math.pi)


def _gelu_tanh(x):
    # 0.5 x (1 + tanh(u)) = x sigmoid(2u): the same function, without cancellation for x << 0.
    return x * _sigmoid(2 * _GELU_C * (x + 0.044715 * x * x * x))


def _gelu_tanh_vjp(g, ans, x):
    s = _sigmoid(2 * _GELU_C * (x + 0.044715 * x * x * x))
    return g * (s + x * s * (1 - s) * 2 * _GELU_C * (1 + 3 * 0.044715 * x * x))


_gelu = elementwise("gelu", _gelu_exact, _gelu_exact_vjp)
_gelu_approx = elementwise("gelu_tanh", _gelu_tanh, _gelu_tanh_vjp)


def _silu_vjp_x(g, ans, x, beta):
    s = _sigmoid(beta * x)
    return g * (s + beta * x * s * (1 - s))


def _silu_vjp_beta(g, ans, x, beta):
    s = _sigmoid(beta * x)
    return g * x * x * s * (1 - s)


_silu = elementwise("silu", lambda x, beta: x * _sigmoid(beta * x), _silu_vjp_x, _silu_vjp_beta)


def _leaky_vjp(g, ans, x, alpha):
    return np.where(x > 0, g, g * alpha)


_leaky_relu = defprim(
    "leaky_relu", lambda x, alpha: scalarize(np.where(x > 0, x, x * alpha)), _leaky_vjp,
    jvps=(_leaky_vjp,), batch=_elementwise_rule,
)


def relu(features: Any, name: str | None = None) -> Tensor:
    """max(features, 0). Its gradient at 0 is 0, as in TensorFlow and JAX.

    >>> import tape
    >>> tape.nn.relu(tape.constant([-1.0, 2.0])).numpy()
    array([0., 2.], dtype=float32)
    """
    return bind1(_relu.prim, features)


def relu6(features: Any, name: str | None = None) -> Tensor:
    """min(max(features, 0), 6). Its gradient is 1 strictly inside (0, 6) and 0 elsewhere,
    at 0 and 6 included, as in TensorFlow and JAX."""
    return bind1(_relu6.prim, features)


def elu(features: Any, name: str | None = None) -> Tensor:
    """Exponential linear unit: x for x > 0, exp(x) - 1 otherwise.

    At 0 both one-sided derivatives are 1; the second derivative there is the right-hand
    one, 0, as in TensorFlow (JAX gives the left-hand one, 1)."""
    return bind1(_elu.prim, features)


def selu(features: Any, name: str | None = None) -> Tensor:
    """Scaled ELU: scale * (x if x > 0 else alpha * (exp(x) - 1)), with alpha ~ 1.6733 and
    scale ~ 1.0507.

    At 0 the gradient is the right-hand one, scale, and the second derivative 0, as in
    TensorFlow (JAX gives the left-hand ones, scale * alpha for both).

    >>> import tape
    >>> x = tape.constant(0.0)
    >>> with tape.GradientTape() as t:
    ...     t.watch(x)
    ...     y = tape.nn.selu(x)
    >>> print(f"{float(t.gradient(y, x)):.4f}")
    1.0507
    """
    return bind1(_selu.prim, features)


def softplus(features: Any, name: str | None = None) -> Tensor:
    """log(1 + exp(features)), without overflow; its derivative is sigmoid(features).

    >>> import tape
    >>> print(f"{float(tape.nn.softplus(0.0)):.6f}")
    0.693147
    """
    return bind1(_softplus.prim, features)


def softsign(features: Any, name: str | None = None) -> Tensor:
    """features / (1 + |features|)."""
    return bind1(_softsign.prim, features)


def gelu(features: Any, approximate: bool = False, name: str | None = None) -> Tensor:
    """Gaussian error linear unit x * Phi(x), Phi the standard normal CDF (computed with erfc).
    With ``approximate=True``, the tanh form 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    Both are smooth: the gradient at 0 is 1/2.

    >>> import tape
    >>> print(f"{float(tape.nn.gelu(1.0)):.6f}")
    0.841345
    """
    return bind1((_gelu_approx if approximate else _gelu).prim, features)


def leaky_relu(features: Any, alpha: float = 0.2, name: str | None = None) -> Tensor:
    """x for x > 0, alpha * x otherwise. At 0 the gradient is alpha, as in TensorFlow (JAX
    gives 1)."""
    return bind(_leaky_relu, features, alpha=float(alpha))


def silu(features: Any, beta: Any = 1.0, name: str | None = None) -> Tensor:
    """x * sigmoid(beta * x) (also called swish). ``beta`` (a scalar) is differentiable too.

    >>> import tape
    >>> print(f"{float(tape.nn.silu(1.0)):.6f}")
    0.731059
    """
    if np.ndim(beta._value if isinstance(beta, (Tensor, Variable)) else beta) != 0:
        raise ValueError("silu: beta must be a scalar; use features * sigmoid(b * features).")
    return bind2(_silu.prim, features, beta)


swish = silu
for _op, _prim in [
    (relu, _relu.prim), (relu6, _relu6.prim), (elu, _elu.prim), (selu, _selu.prim),
    (softplus, _softplus.prim), (softsign, _softsign.prim), (gelu, _gelu.prim),
    (leaky_relu, _leaky_relu), (silu, _silu.prim),
]:
    _op.prim = _prim  # type: ignore[attr-defined]

# ---- selection: the gradient goes to the branch that was chosen
maximum = elementwise(
    "maximum", np.maximum,
    lambda g, ans, x, y: np.where(x >= y, g, 0), lambda g, ans, x, y: np.where(x >= y, 0, g),
    ufunc=np.maximum,
    doc="The larger of x and y. At a tie (x == y) the whole gradient goes to x, as in "
    "TensorFlow (JAX splits it in halves).",
)
minimum = elementwise(
    "minimum", np.minimum,
    lambda g, ans, x, y: np.where(x <= y, g, 0), lambda g, ans, x, y: np.where(x <= y, 0, g),
    ufunc=np.minimum,
    doc="The smaller of x and y. At a tie (x == y) the whole gradient goes to x, as in "
    "TensorFlow (JAX splits it in halves).",
)



def _fmax_takes_x(x, y):
    # fmax(x, y) is x where x >= y or y is NaN (and NaN where both are)
    return np.logical_or(x >= y, np.isnan(y))


def _fmin_takes_x(x, y):
    return np.logical_or(x <= y, np.isnan(y))


fmax = elementwise(
    "fmax", np.fmax,
    lambda g, ans, x, y: np.where(_fmax_takes_x(x, y), g, 0),
    lambda g, ans, x, y: np.where(_fmax_takes_x(x, y), 0, g),
    ufunc=np.fmax,
    doc="The larger of x and y, ignoring NaN (NumPy's fmax): where one argument is NaN the "
    "result, and the gradient, is the other's. At a tie, and where both are NaN, the whole "
    "gradient goes to x, as maximum's.",
)
fmin = elementwise(
    "fmin", np.fmin,
    lambda g, ans, x, y: np.where(_fmin_takes_x(x, y), g, 0),
    lambda g, ans, x, y: np.where(_fmin_takes_x(x, y), 0, g),
    ufunc=np.fmin,
    doc="The smaller of x and y, ignoring NaN (NumPy's fmin): where one argument is NaN the "
    "result, and the gradient, is the other's. At a tie, and where both are NaN, the whole "
    "gradient goes to x, as minimum's.",
)


def _where_vjp_x(g, ans, c, x, y):
    return np.where(c, g, 0)


def _where_vjp_y(g, ans, c, x, y):
    return np.where(c, 0, g)


_where = defprim(
    "where", lambda c, x, y: scalarize(np.where(c, x, y)), None, _where_vjp_x, _where_vjp_y,
    jvps=(None, _where_vjp_x, _where_vjp_y), batch=_elementwise_rule, complex=True,
)
_where.elementwise = True  # its output has the arguments' broadcast shape


def where(condition, x=None, y=None, name=None):
    """Elements of ``x`` where ``condition`` holds, else of ``y`` (broadcasting as NumPy).

    With neither ``x`` nor ``y``, the indices where ``condition`` holds (not differentiable).

    Only the selected branch gets a gradient, but the other is still differentiated with a
    cotangent of 0: where its derivative is inf or NaN (``log`` at 0, ``sqrt`` of a negative
    number), the gradient is 0 * inf = NaN, as in TensorFlow and JAX. Forward mode selects
    the tangents, so it gives 0 there. Give the branch not taken a safe input instead:
    ``where(x > 0, log(where(x > 0, x, 1)), 0)``.
    """
    if x is None and y is None:
        c = _value(condition) if hasattr(condition, "_value") else np.asarray(condition)
        return as_tensor(np.argwhere(c).astype(np.int64))
    if x is None or y is None:
        raise ValueError("where needs both x and y, or neither.")
    return bind(_where, condition, x, y)


@numpy_function(np.where)
def _np_where(condition, x=None, y=None):
    """``np.where`` on tensors: with one argument NumPy's answer, a tuple of index arrays
    (``np.nonzero``), not TensorFlow's (N, rank) array of indices."""
    if x is None and y is None:
        c = _value(condition) if hasattr(condition, "_value") else np.asarray(condition)
        return tuple(as_tensor(i) for i in np.nonzero(c))
    return where(condition, x, y)


def clip_by_value(
    t: Any, clip_value_min: Any, clip_value_max: Any, name: str | None = None
) -> Tensor:
    """``t`` clipped to [clip_value_min, clip_value_max]: maximum(minimum(t, max), min).

    The gradient passes to ``t`` inside the closed range (the bounds included) and is 0
    strictly outside it, where it goes to the bound instead, as in TensorFlow (JAX's clip
    gives half to ``t`` at a bound).

    >>> import tape
    >>> tape.clip_by_value(tape.constant([-2.0, 0.5, 3.0]), -1.0, 1.0).numpy()
    array([-1. ,  0.5,  1. ], dtype=float32)
    """
    out = maximum(minimum(t, clip_value_max), clip_value_min)
    shape = np.shape(t._value if isinstance(t, (Tensor, Variable)) else t)
    if out.shape != shape:
        raise ValueError(
            f"clip_by_value: the bounds would broadcast t of shape {shape} to {out.shape}; "
            "give bounds that broadcast to t's shape."
        )
    return out


@numpy_function(np.clip)
def _np_clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None, **kw):  # noqa: A002
    if out is not None or kw:
        raise NotImplementedError("tape's np.clip supports only a, a_min and a_max.")
    lo = a_min if a_min is not None else min
    hi = a_max if a_max is not None else max
    if lo is not None:  # NumPy's order: minimum(maximum(a, lo), hi)
        a = maximum(a, lo)
    if hi is not None:
        a = minimum(a, hi)
    return a


# ndarray.clip calls NumPy's internal clip ufunc, which reaches tensors among its bounds
# through __array_ufunc__: the same op as np.clip.
UFUNCS[np._core.umath.clip] = _np_clip


@numpy_function(np.round, np.around)
def _np_round(a, decimals=0, out=None):
    if out is not None:
        raise NotImplementedError("tape's np.round does not support out.")
    if decimals == 0:
        return round(a)
    scale = 10.0**decimals
    return divide(round(multiply(a, scale)), scale)


# ---- NumPy functions that are elementwise in their differentiable arguments


def _array_arg(v: Any) -> Any:
    """An array argument of a NumPy function: tensors as they are, lists holding tensors
    packed (a recorded stack), anything else a NumPy array."""
    if isinstance(v, (Tensor, Variable)):
        return v
    if isinstance(v, (list, tuple)) and holds_tensors(v):
        return pack(v)
    return np.asarray(v)


def _constant_arg(v: Any, func: str, what: str) -> Any:
    """The value of an argument that tape does not differentiate. A tensor that a tape or an
    accumulator watches is refused: its gradient would otherwise be silently missing."""
    if isinstance(v, (Tensor, Variable)):
        if tracked(v):
            raise TypeError(
                f"np.{func}: tape does not differentiate with respect to {what}, and it was "
                "given a tensor that a GradientTape or ForwardAccumulator is watching. Pass "
                f"tape.stop_gradient({what}) to use it as a constant."
            )
        return _value(v)
    return v


def _sinc_derivative_fwd(x, n):
    """The n-th derivative (n >= 1) of sinc at x. From sinc(x) = integral_0^1 cos(pi x s) ds,
    it is pi^n * integral_0^1 s^n cos(u s + n pi / 2) ds with u = pi x: a power series in u
    for |u| < 2, and beyond that the real part of i^n I_n, where I_m = integral_0^1 s^m
    exp(i u s) ds follows I_m = (exp(i u) - m I_(m-1)) / (i u) (integration by parts)."""
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    u = np.pi * x.astype(np.float64)
    small = np.abs(u) < 2
    us = np.where(small, u, 0.0)
    series = np.zeros(u.shape)
    term = np.ones(u.shape)  # u^k / k!
    for k in range(40):  # 2^40 / 40! < 1e-35: converged for |u| < 2
        m = n + k
        if m % 2 == 0:
            series += term * ((-1.0) ** (m // 2) / (m + 1))
        term *= us / (k + 1)
    with np.errstate(invalid="ignore"):
        iu = 1j * np.where(small, 2.0, u)
        e = np.exp(iu)
        integral = (e - 1) / iu
        for m in range(1, n + 1):
            integral = (e - m * integral) / iu
        far = np.real((1, 1j, -1, -1j)[n % 4] * integral)
    return scalarize((np.where(small, series, far) * np.pi**n).astype(dtype))


def _sinc_derivative(x: Any, n: int) -> Any:
    if isinstance(x, (Tensor, Variable)):
        return bind(_sinc_d, x, n=n)
    return _sinc_derivative_fwd(x, n)


def _sinc_d_rule(g, ans, x, n):
    return g * _sinc_derivative(x, n + 1)


_sinc_d = defprim("sinc_derivative", _sinc_derivative_fwd, _sinc_d_rule, jvps=(_sinc_d_rule,),
                  batch=_elementwise_rule)
_sinc_d.elementwise = True
sinc = elementwise(
    "sinc", np.sinc, lambda g, ans, x: g * _sinc_derivative(x, 1),
    doc="sin(pi x) / (pi x), and 1 at 0 (NumPy's normalised sinc). Its derivatives are "
    "finite and exact at every order, also at 0: sinc'(0) = 0, sinc''(0) = -pi^2 / 3.",
)
numpy_function(np.sinc)(sinc)


def _finite_only(g, ans, x, nan, posinf, neginf):
    return np.where(np.isfinite(x), g, 0)


_nan_to_num = defprim(
    "nan_to_num",
    lambda x, nan, posinf, neginf: scalarize(
        np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)
    ),
    _finite_only, jvps=(_finite_only,), batch=_elementwise_rule,
)
_nan_to_num.elementwise = True


@numpy_function(np.nan_to_num)
def _np_nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """``np.nan_to_num`` on tensors: NaN and infinities replaced by constants. The gradient is
    1 where ``x`` is finite and 0 where a value was replaced. (``copy`` is accepted and has no
    effect: a tensor is never changed in place.)"""
    fills = {
        "nan": _constant_arg(nan, "nan_to_num", "nan"),
        "posinf": _constant_arg(posinf, "nan_to_num", "posinf"),
        "neginf": _constant_arg(neginf, "nan_to_num", "neginf"),
    }
    if np.result_type(_peek(x)).kind not in "fc":  # integers and booleans: a copy
        return as_tensor(np.nan_to_num(_value(x), **fills))
    return bind(_nan_to_num, x, **fills)


@numpy_function(np.select)
def _np_select(condlist, choicelist, default=0):
    """``np.select`` on tensors, as a chain of ``where``: each element comes from the first
    choice whose condition holds (``default`` where none does), and so does its gradient.
    Conditions are boolean and not differentiated; choices and ``default`` are."""
    conds, choices = list(condlist), list(choicelist)
    if len(conds) != len(choices):
        raise ValueError("list of cases must be same length as list of conditions")
    if not conds:
        raise ValueError("select with an empty condition list is not possible")
    for i, c in enumerate(conds):
        if np.asarray(_value(c)).dtype != np.bool_:
            raise TypeError(f"invalid entry {i} in condlist: should be boolean ndarray")

    def operand(v: Any) -> Any:  # Python numbers stay weakly typed, as in NumPy's select
        return v if type(v) in (int, float, complex) else _array_arg(v)

    choices = [operand(v) for v in choices]
    out = operand(default)
    try:
        dtype = np.result_type(*[_peek(v) for v in [*choices, out]])
    except TypeError as e:
        raise TypeError(f"Choicelist and default value do not have a common dtype: {e}") from None
    for c, choice in zip(reversed(conds), reversed(choices)):
        out = where(c, choice, out)
    if not isinstance(out, (Tensor, Variable)):
        out = as_tensor(out)
    if out.dtype != dtype:
        out = cast(out, dtype)
    return out


def _interp_parts(x, xp, left, right):
    """Where each x falls among the knots ``xp``: the piece [xp[k], xp[k1]] (the one to its
    right at an inner knot, the first or last piece at the ends of the range), the weights of
    fp[k] and fp[k1] in the value, and the slope's mask (x inside the range)."""
    xv = np.asarray(_value(x), dtype=np.float64)
    n = xp.shape[0]
    k = np.clip(np.searchsorted(xp, xv, side="right") - 1, 0, max(n - 2, 0))
    k1 = np.minimum(k + 1, n - 1)
    width = xp[k1] - xp[k]
    positive = width > 0
    safe = np.where(positive, width, 1.0)
    below, above = xv < xp[0], xv > xp[-1]
    inside = ~(below | above)
    # a piece of width 0 only occurs at the end of the range: its value is fp[k1]
    t = np.where(positive, (x - xp[k]) / safe, 1.0)
    lo = np.where(inside, 1 - t, below & (left is None))
    hi = np.where(inside, t, above & (right is None))
    return k, k1, lo, hi, inside & positive, safe


def _interp_slope(x, fp, xp, left, right):
    k, k1, _, _, sloped, safe = _interp_parts(x, xp, left, right)
    return np.where(sloped, (fp[k1] - fp[k]) / safe, 0)


def _interp_vjp_fp(g, ans, x, fp, xp, left, right):
    k, k1, lo, hi, _, _ = _interp_parts(x, xp, left, right)
    n = xp.shape[0]
    return _scatter_add(np.reshape(g * lo, (-1,)), (k.reshape(-1),), (n,)) + _scatter_add(
        np.reshape(g * hi, (-1,)), (k1.reshape(-1),), (n,)
    )


def _interp_jvp_fp(t, ans, x, fp, xp, left, right):
    k, k1, lo, hi, _, _ = _interp_parts(x, xp, left, right)
    return t[k] * lo + t[k1] * hi


def _interp_fwd(x, fp, xp, left, right):
    out = np.asarray(np.interp(x, xp, fp, left, right))
    dtype = np.result_type(x, fp, np.float16)
    return scalarize(out.astype(dtype) if dtype.kind == "f" else out)


def _interp_batch(prim, args, batched, ndims, rank, static, size):
    """np.interp on a batch: elementwise in ``x``; a batch of values ``fp`` at the knots is
    read at each x's piece, weighted as :func:`_interp_parts` weighs it."""
    x, fp = args
    if not batched[1]:
        return prim.fwd(x, fp, **static)
    xp, left, right = static["xp"], static["left"], static["right"]
    xb = x if batched[0] else np.broadcast_to(x, (size, *np.shape(x)))
    xb = np.asarray(xb)
    k, k1, lo, hi, _, _ = _interp_parts(xb, xp, left, right)
    fp = np.asarray(fp)

    def at(index):
        return np.take_along_axis(fp, np.reshape(index, (size, -1)), axis=1).reshape(xb.shape)

    with np.errstate(invalid="ignore"):
        out = at(k) * lo + at(k1) * hi
    if left is not None:
        out = np.where(xb < xp[0], left, out)
    if right is not None:
        out = np.where(xb > xp[-1], right, out)
    dtype = np.result_type(x, fp, np.float16)
    return out.astype(dtype) if dtype.kind == "f" else out


_interp = defprim(
    "interp", _interp_fwd,
    lambda g, ans, x, fp, xp, left, right: g * _interp_slope(x, fp, xp, left, right),
    _interp_vjp_fp,
    jvps=(
        lambda t, ans, x, fp, xp, left, right: t * _interp_slope(x, fp, xp, left, right),
        _interp_jvp_fp,
    ),
    batch=_interp_batch,
)


@numpy_function(np.interp)
def _np_interp(x, xp, fp, left=None, right=None, period=None):
    """``np.interp`` on tensors: differentiable with respect to ``x`` and ``fp``; the knots
    ``xp`` (and ``left``, ``right``, ``period``) are constants.

    The derivative in ``x`` is the slope of the piece that holds x: at an inner knot the
    piece to its right, at the first and last knot the piece inside the range, and 0 outside
    the range. Unlike NumPy's, which computes in float64, the result keeps the float32 (or
    float16) dtype of float32 ``x`` and ``fp``.
    """
    xp = np.asarray(_constant_arg(xp, "interp", "xp"), dtype=np.float64)
    left = _constant_arg(left, "interp", "left")
    right = _constant_arg(right, "interp", "right")
    period = _constant_arg(period, "interp", "period")
    if type(x) not in (int, float):  # (Python numbers stay weakly typed)
        x = _array_arg(x)
    fp = _array_arg(fp)
    if xp.ndim != 1 or np.ndim(_peek(fp)) != 1:
        raise ValueError("Data points must be 1-D sequences")
    if xp.shape[0] != np.shape(_peek(fp))[0]:
        raise ValueError("fp and xp are not of the same length")
    if xp.shape[0] == 0:
        raise ValueError("array of sample points is empty")
    if period is not None:  # as NumPy: one period of knots, sorted, wrapped at both ends
        if period == 0:
            raise ValueError("period must be a non-zero value")
        period = abs(period)
        left = right = None
        x = np.remainder(x, period)
        xp = xp % period
        order = np.argsort(xp)
        xp = xp[order]
        fp = fp[order]
        xp = np.concatenate((xp[-1:] - period, xp, xp[0:1] + period))
        fp = np.concatenate((fp[-1:], fp, fp[0:1]))
    return bind(_interp, x, fp, xp=xp, left=left, right=right)


# ---- comparisons and logic: boolean results, never differentiated
equal = elementwise("equal", np.equal, ufunc=np.equal, differentiable=False)
not_equal = elementwise("not_equal", np.not_equal, ufunc=np.not_equal, differentiable=False)
less = elementwise("less", np.less, ufunc=np.less, differentiable=False)
less_equal = elementwise("less_equal", np.less_equal, ufunc=np.less_equal, differentiable=False)
greater = elementwise("greater", np.greater, ufunc=np.greater, differentiable=False)
greater_equal = elementwise(
    "greater_equal", np.greater_equal, ufunc=np.greater_equal, differentiable=False
)
logical_and = elementwise(
    "logical_and", np.logical_and, ufunc=np.logical_and, differentiable=False
)
logical_or = elementwise("logical_or", np.logical_or, ufunc=np.logical_or, differentiable=False)
logical_xor = elementwise(
    "logical_xor", np.logical_xor, ufunc=np.logical_xor, differentiable=False
)
logical_not = elementwise(
    "logical_not", np.logical_not, ufunc=np.logical_not, differentiable=False
)
is_nan = elementwise("is_nan", np.isnan, ufunc=np.isnan, differentiable=False)
is_inf = elementwise("is_inf", np.isinf, ufunc=np.isinf, differentiable=False)
is_finite = elementwise("is_finite", np.isfinite, ufunc=np.isfinite, differentiable=False)

UFUNCS[np.arctan2] = atan2


# ---- complex numbers: NumPy's functions, and TensorFlow's names


@numpy_function(np.real)
def _np_real(val: Any) -> Tensor:
    return real(val)


@numpy_function(np.imag)
def _np_imag(val: Any) -> Tensor:
    return imag(val)


@numpy_function(np.angle)
def angle(input: Any, deg: bool = False, name: str | None = None) -> Tensor:  # noqa: A002
    """The argument (phase) of each complex number, in (-pi, pi]; 0 or pi for real ones
    (NumPy's ``np.angle``; ``deg=True`` gives degrees).

    It is ``atan2(imag(z), real(z))``, and so is its gradient: ``i z / |z|^2`` in
    TensorFlow's convention, NaN at 0 (as atan2 at the origin).

    >>> import tape
    >>> print(f"{float(tape.math.angle(tape.constant(1j))):.6f}")
    1.570796
    """
    phase = atan2(imag(input), real(input))
    return rad2deg(phase) if deg else phase


def make_complex(real_part: Any, imag_part: Any, name: str | None = None) -> Tensor:
    """``real_part + 1j * imag_part``: a complex tensor from two real ones (``tape.complex``,
    TensorFlow's ``tf.complex``). float32 parts give complex64, float64 parts complex128.
    Each part's gradient is the real or the imaginary part of the complex cotangent.

    >>> import tape
    >>> tape.complex(tape.constant([1.0]), tape.constant([2.0]))
    tape.Tensor([1.+2.j], shape=(1,), dtype=complex64)
    """
    re, im = (v if isinstance(v, (Tensor, Variable)) else as_tensor(v)
              for v in (real_part, imag_part))
    if re.dtype.kind != "f" or im.dtype.kind != "f" or re.dtype != im.dtype:
        raise TypeError(
            f"complex() takes two floating tensors of one dtype, got {re.dtype} and "
            f"{im.dtype}; cast them with tape.cast(x, tape.float32) (or float64) first."
        )
    return add(re, multiply(im, np.array(1j, dtype=np.result_type(re.dtype, np.complex64))))


@numpy_function(np.real_if_close)
def _np_real_if_close(a: Any, tol: float = 100) -> Any:
    """NumPy's real_if_close: the real part when every imaginary part is within ``tol``
    machine epsilons of 0 (which a compiled function guards), else the complex tensor."""
    if not isinstance(a, (Tensor, Variable)) or a.dtype.kind != "c":
        return a
    eps = np.finfo(a.dtype).eps
    limit = tol * eps if tol > 1 else tol
    if bool(np.all(np.abs(imag(a)) < limit)):
        return real(a)
    return a

__all__ = [
    "abs",
    "acos",
    "acosh",
    "add",
    "angle",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "ceil",
    "clip_by_value",
    "conj",
    "cos",
    "cosh",
    "divide",
    "equal",
    "erf",
    "erfc",
    "exp",
    "expm1",
    "floor",
    "floordiv",
    "floormod",
    "greater",
    "greater_equal",
    "imag",
    "is_finite",
    "is_inf",
    "is_nan",
    "less",
    "less_equal",
    "log",
    "log10",
    "log1p",
    "log2",
    "log_sigmoid",
    "logaddexp",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "maximum",
    "minimum",
    "mod",
    "multiply",
    "negative",
    "not_equal",
    "pow",
    "real",
    "reciprocal",
    "relu",
    "round",
    "rsqrt",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softplus",
    "softsign",
    "sqrt",
    "square",
    "squared_difference",
    "subtract",
    "tan",
    "tanh",
    "where",
]

# The activations that tape.nn also exports, as TensorFlow's tf.nn does. Those TensorFlow has
# only in tf.nn (relu6, elu, ...) stay out of __all__, so out of tape.math.
ACTIVATIONS = [
    "elu",
    "gelu",
    "leaky_relu",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softplus",
    "softsign",
    "swish",
    "tanh",
]
