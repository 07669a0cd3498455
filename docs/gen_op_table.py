"""The op table of the documentation, generated from tape's registry of primitives.

For every primitive: the public functions that record it, its gradient rule (VJP) for each
argument as written in the source, and its forward-mode rule (JVP). MkDocs runs this file as a
hook (``hooks:`` in mkdocs.yml), so ``reference/ops.md`` is built from the registry at every
build and cannot drift from it. ``python docs/gen_op_table.py`` prints the page, and lists on
stderr any private name of tape's source left on it.

Rules are shown as written, except tape's private helpers: a private constant is shown as its
value in math (:data:`CONSTANTS`), a call of a private helper as the expression it computes
(:data:`HELPERS`), and a rule written as a private function of several statements as its formula
(:data:`FORMULAS`). A new private helper without an entry is shown by its name (and listed on
stderr): add it to these tables.
"""

from __future__ import annotations

import ast
import copy
import functools
import inspect
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

PAGE = "reference/ops.md"

GROUP_TITLES = {
    "creation": "Creation",
    "elementwise": "Elementwise",
    "reductions": "Reductions and scans",
    "shape": "Shape, indexing and casting",
    "linalg": "Linear algebra",
    "nn": "Neural networks",
    "fft": "Fourier transforms",
    "scipy": "SciPy (with SciPy installed: tape.scipy)",
    "other": "Other",
}

INTRO = """\
# Op table

Every primitive in tape's registry (`tape._registry.PRIMITIVES`), generated from the registry
and the source of its rules when this site is built.

- **Recorded by**: the public functions, and the NumPy ufuncs called on tensors, that append
  this primitive to the tape (read from their source: a function that records it on one path
  only is listed too). Python operators map to the same ops: `+` is `add`, `*` is
  `multiply`, `@` is `matmul`, `x[i]` is `getitem`, `-x` is `negative`.
- **Gradient rule (VJP)**: for each argument, the expression that maps the cotangent `g` of
  the output `ans` to the cotangent of that argument, as written in `tape/ops/` (NumPy names
  such as `np.cos` are tape's ops when the values are tensors). Where the source calls one of
  tape's internal helpers, the table shows what the helper computes instead; rules of several
  statements (matrix decompositions, mostly) are given as formulas. Undoing broadcasting and
  restoring dtypes happen once, in the engine, so rules are plain math. Rules are written with
  differentiable ops, which is what makes higher-order derivatives work.
- **Forward mode (JVP)**: how `tape.autodiff.ForwardAccumulator` (and `tape.jvp`, `tape.hvp`,
  `tape.jacfwd`) push a tangent `t` through the op. *Same rule* means the op is elementwise:
  its Jacobian is diagonal, so one rule serves both directions. *Linear* means the op is
  linear in its argument and is applied to the tangent itself.
- **Complex**: what the op does with complex values ([Complex numbers](../complex.md)). *✓*:
  its rules hold for them as written (ops linear with real coefficients, rules written for
  complex values); *✓ conjugated*: a holomorphic op, whose rules are written as for real
  values and which the tape records conjugated (`g * conj(f'(z))`); *✗ refused*: an error
  that names the fix.

Ops marked *not differentiable* return booleans or integers (comparisons, `argmax`, casts to
integers); a tape records nothing for them. *Internal* ops have no public function of their
own: other ops' gradient rules record them (the transpose of a gather is `scatter_add`, of a
convolution its backprop ops), which is what keeps gradients of gradients on the tape.
"""


#: Notes printed under a group's heading: the notation its rules use.
GROUP_NOTES = {
    "elementwise": (
        "`Φ` and `φ` are the standard normal distribution function and density; `λ ≈ 1.0507` "
        "and `α ≈ 1.6733` are SELU's constants."
    ),
    "reductions": (
        "In these rules `g` and `ans` stand broadcast back over the reduced axes (`axes`), and "
        "`n` is the number of elements each output reduces. `linear_recurrence(a, b)` computes "
        "`h[k] = a[k] * h[k-1] + b[k]` along an axis; `shift` moves values one step along it."
    ),
    "shape": (
        "`scatter_add(g, key, shape)` is zeros of `shape` with `g` added at `key` (repeated "
        "indices add up): the transpose of indexing."
    ),
    "linalg": (
        "Matrices are the last two axes of an array, the leading ones a batch. `x.mT` is the "
        "transpose of the last two axes (NumPy's matrix transpose), `@` is `np.matmul`, `Xᵀ` "
        "and `X⁻¹` a transpose and an inverse, `Xᴴ` the conjugate transpose (the transpose "
        "of a real matrix), `∘` an elementwise product, and `diag(v)` the diagonal matrix of "
        "`v`. The phase term of eig, eigh and svd is how the rules differentiate complex "
        "eigenvectors and singular vectors in the phase LAPACK gives them (see "
        "`tape.linalg.eig`): a loss that does not depend on their phases does not see it."
    ),
    "nn": (
        "`softmax`, `log_softmax`, the convolutions and the pooling ops in the rules are the "
        "ops of the same names in this table."
    ),
}

#: Private constants of the rules, as a reader writes them.
CONSTANTS = {
    "_TWO_OVER_SQRT_PI": "(2 / √π)",
    "_INV_SQRT_2PI": "(1 / √(2π))",
    "_SQRT2": "√2",
    "_LN2": "ln(2)",
    "_LN10": "ln(10)",
    "_DEG": "(π / 180)",
    "_GELU_C": "√(2 / π)",
    "_SELU_SCALE": "λ",
    "_SELU_ALPHA": "α",
}


def _reduced_sum(args: list[ast.expr]) -> str:
    keep = len(args) > 2 and isinstance(args[2], ast.Constant) and args[2].value is True
    return "np.sum({0}, {1}, keepdims=True)" if keep else "np.sum({0}, {1})"


#: Private helpers called in rules (and ``scalarize``): the expression each computes, in terms
#: of its positional arguments ``{0}``, ``{1}``... (or a function of the argument nodes that
#: returns such a template). A template that is not Python (prose, math) is shown as it is.
HELPERS: dict[str, str | Callable[[list[ast.expr]], str]] = {
    "_sqdiff_vjp": "{0} * 2 * ({2} - {3}) (Re({0}) for complex values)",
    "_sqdiff_jvp": "{0} * 2 * ({2} - {3}) (2 Re(conj({2} - {3}) {0}) for complex values)",
    # reductions: g and ans stand broadcast back over the reduced axes (GROUP_NOTES)
    "_spread": "{0}",
    "_spread_to": "{0}",
    "_reduced_sum": _reduced_sum,
    "_tie_weights": "({1} == {0}) / np.sum({1} == {0}, {2}, keepdims=True)",
    "_nan_tie_weights": "({1} == {0}) / np.sum({1} == {0}, {2}, keepdims=True)",
    "real_product": "{0} * {1} (Re(conj({0}) * {1}) for complex values)",
    "_l2_weights": "np.where({0} > 0, {1} / {0}, 0)",
    "_softmax_weights": "np.exp({1} - {0})",
    "_pnorm_weights": "np.where({1} != 0, np.sign({1}) * (np.abs({1}) / {0}) ** ({3} - 1), 0)",
    "_std_weights": "np.where({0} > 0, ({1} - np.mean({1}, {2}, keepdims=True)) / ((n - {3}) "
                    "* {0}), 0)",
    "_centered": "{0} - np.mean({0}, {1}, keepdims=True)",
    "_dof": "n - {2}",
    "_others": "the product of the other elements",
    "_linrec_vjp_b": "λ",  # FORMULAS says what λ is
    # elementwise
    "_fmax_takes_x": "({0} >= {1}) | np.isnan({1})",
    "_fmin_takes_x": "({0} <= {1}) | np.isnan({1})",
    "_interp_slope": "the slope of fp over xp at x, 0 outside xp's range",
    "_sinc_derivative": "sinc_derivative({0}, {1})",
    "_scatter_add": "scatter_add({0}, {1}, {2})",
    "_value": "{0}",
    "scalarize": "{0}",
    # shape
    "_part": "operand i's range along axis",
    "_slot": "position i along axis",
    "_unpadded": "the region inside the padding",
    "_inverse": "np.argsort({0})",
    # linear algebra
    "_mT": "{0}.mT",
    "_inv_for_grad": "np.linalg.inv({0})",
    "_trace_of_inv_times": "np.trace(np.linalg.inv({0}) @ {1})",
    "_shape": "np.shape({0})",
    "_float_dtype": "{0}.dtype",
    # neural networks
    "_expand": "np.expand_dims({0}, {1})",
    "_max_index": "the index of each window's maximum in x",
}

#: Private helpers called in rules that are NumPy functions under another name: the call keeps
#: its arguments.
RENAMED = {"_einsum_call": "np.einsum"}

#: Rules written as private functions of several statements, as formulas (Markdown).
FORMULAS = {
    # elementwise
    "_gelu_exact_vjp": "`g * (Φ(x) + x * φ(x))`",
    "_gelu_tanh_vjp": (
        "`g * (s + x * s * (1 - s) * 2c * (1 + 3 * 0.044715 * x**2))` with "
        "`s = sigmoid(2c * (x + 0.044715 * x**3))`, `c = √(2 / π)`"
    ),
    "_silu_vjp_x": "`g * (s + beta * x * s * (1 - s))` with `s = sigmoid(beta * x)`",
    "_silu_vjp_beta": "`g * x**2 * s * (1 - s)` with `s = sigmoid(beta * x)`",
    "_hypot_vjp_x": "`np.where(ans > 0, g * x / ans, 0)`",
    "_hypot_vjp_y": "`np.where(ans > 0, g * y / ans, 0)`",
    "_pow_x": "`g * y * x ** (y - 1)`, and 0 where `y == 0` (`x ** 0` is the constant 1)",
    "_pow_y": (
        "`g * ans * np.log(x)`, 0 where `x <= 0` (a complex `x`: the principal logarithm, 0 "
        "at 0)"
    ),
    "_sqdiff_vjp": "`g * 2 * (x - y)` (`Re(g) * 2 * (x - y)` for complex values)",
    "_sqdiff_jvp": "`t * 2 * (x - y)` (`2 Re(conj(x - y) t)` for complex values)",
    "_abs_vjp": "`g * np.sign(x)`; complex `x`: `g * x / ans`; 0 where `x == 0`",
    "_abs_jvp": "`t * np.sign(x)`; complex `x`: `np.real(np.conj(x) * t) / ans`; 0 where `x == 0`",
    "_interp_vjp_fp": (
        "`g` shared between the two knots `fp[k]`, `fp[k+1]` around each `x`, in their "
        "weights in the interpolated value"
    ),
    "_interp_jvp_fp": (
        "`t[k] * (1 - w) + t[k+1] * w`, where `x` lies between `xp[k]` and `xp[k+1]` at the "
        "fraction `w` of the way"
    ),
    # reductions
    "_mean_vjp": "`g / n`",
    "_cumprod_vjp": (
        "`Σ_(k ≥ i) g[k] * Π_(j ≤ k, j ≠ i) x[j]` (`j < k` when exclusive; the other way when "
        "reversed), computed as recurrences, without dividing by `x`"
    ),
    "_cumprod_jvp": (
        "`Σ_(i ≤ k) t[i] * Π_(j ≤ k, j ≠ i) x[j]` (`j < k` when exclusive; the other way when "
        "reversed), computed as a recurrence"
    ),
    "_linrec_vjp_b": (
        "`λ`, where `λ[k] = g[k] + a[k+1] * λ[k+1]`: the recurrence run the other way"
    ),
    "_quantile_vjp": (
        "`g` to the one or two elements the quantile interpolates between, in their weights"
    ),
    "_quantile_jvp": "`t` of the one or two elements the quantile interpolates between, "
                     "in their weights",
    # shape and indexing
    "_rows_cotangent": (
        "`scatter_add(g, indices, x.shape)`: as an `IndexedSlices` (TensorFlow's sparse "
        "gradient), or dense when a tape records the sweep"
    ),
    "_tile_vjp": (
        "`g` cut into the tiles and summed: `g.reshape(m0, n0, m1, n1, ...).sum(axis=(0, 2, "
        "...))` for `multiples` `m` and `x.shape` `n`"
    ),
    # linear algebra
    "_matmul_vjp_a": "`g @ b.mT` (a vector `b` as a column, a vector `a` as a row)",
    "_matmul_vjp_b": "`a.mT @ g` (a vector `a` as a column, a vector `b` as a row)",
    "_cholesky_vjp": (
        "`herm(L⁻ᴴ Φ(Lᴴ g) L⁻¹)` with `L = ans`, `Φ(X)` the lower triangle of `X` with its "
        "diagonal halved, `herm(X) = (X + Xᴴ) / 2`"
    ),
    "_cholesky_jvp": "`L Φ(L⁻¹ herm(t) L⁻ᴴ)`, with `L`, `Φ` and `herm` as in the gradient rule",
    "_eig_vjp": (
        "`V⁻ᴴ (diag(g_e) + conj(F) ∘ (Vᴴ G - Vᴴ V diag(Vᴴ G))) Vᴴ` for `(e, V) = ans`, with "
        "`F[i, j] = 1 / (e[j] - e[i])` off the diagonal and 0 on it, and `G = g_V` plus the "
        "phase term: `-i Im((Vᴴ g_V)[k, k]) / V[j, k]` at the component `j` of each "
        "eigenvector that LAPACK makes real"
    ),
    "_eig_jvp": (
        "with `P = V⁻¹ t V` and `W = V (F ∘ P)`: `de = diag(P)`, `dV = W - V diag(Vᴴ W) + "
        "i V diag(θ)`, `F` as in the gradient rule and `θ[k]` the phase term that keeps the "
        "component `j` of each eigenvector that LAPACK makes real, real"
    ),
    "_eigvals_vjp": "`V⁻ᴴ diag(g) Vᴴ`, `V` the eigenvectors",
    "_eigvals_jvp": "`diag(V⁻¹ t V)`, `V` the eigenvectors",
    "_eigh_vjp": (
        "`V (diag(g_e) + F ∘ (Vᴴ G)) Vᴴ` for `(e, V) = ans`, with `F[i, j] = 1 / (e[j] - "
        "e[i])` off the diagonal and 0 on it, folded onto the triangle `uplo` reads; `G = g_V`, "
        "plus for complex values the phase term of eig's rule (LAPACK makes the first "
        "component of each eigenvector real, the last for `uplo='U'`)"
    ),
    "_eigh_jvp": (
        "`de = Re diag(Vᴴ t V)`, `dV = V (F ∘ (Vᴴ t V))` (plus the phase term `i V diag(θ)` "
        "of eig's rule for complex values), with `F` as in the gradient rule and `t` read "
        "from the triangle `uplo`"
    ),
    "_eigvalsh_vjp": "`V diag(g) Vᴴ`, `V` the eigenvectors, folded onto the triangle `uplo` "
                     "reads",
    "_eigvalsh_jvp": "`Re diag(Vᴴ t V)`, `V` the eigenvectors",
    "_einsum_vjp": (
        "the einsum of `g` with the other operands that gives operand i's subscripts (a "
        "repeated subscript through an identity matrix, one of operand i alone through ones)"
    ),
    "_pinv_vjp": "`-Xᴴ g Xᴴ + (I - A X) gᴴ X Xᴴ + Xᴴ X gᴴ (I - X A)` with `A = a`, `X = ans`",
    "_pinv_jvp": "`-X t X + X Xᴴ tᴴ (I - A X) + (I - X A) tᴴ Xᴴ X` with `A = a`, `X = ans`",
    "_qr_vjp": (
        "`(g_Q + Q copyltu(M)) R⁻ᴴ` with `M = R g_Rᴴ - g_Qᴴ Q` and `copyltu(M)` the strict "
        "lower triangle of `M` mirrored (conjugated) onto the upper one, with the real part "
        "of `M`'s diagonal (for a wide matrix, on its leading square block)"
    ),
    "_qr_jvp": (
        "`dQ = t R⁻¹ - Q (C - Ω)`, `dR = (C - Ω) R`, with `C = Qᴴ t R⁻¹` and `Ω` the "
        "skew-Hermitian matrix with the strict lower triangle of `C` and `i Im diag(C)` (for "
        "a wide matrix, on its leading square block)"
    ),
    "_slogdet_vjp": (
        "`(g_logabsdet + i Im(g_sign conj(sign))) A⁻ᴴ` for `(sign, logabsdet) = ans` and "
        "`A = a` (`g_logabsdet A⁻ᵀ` for a real `A`)"
    ),
    "_slogdet_jvp": (
        "with `τ = tr(A⁻¹ t)`: `d sign = i sign Im τ` (0 for a real `A`), `d logabsdet = Re τ`"
    ),
    "_svd_vjp": (
        "`U [(F ∘ (Uᴴ G_U - G_Uᴴ U)) S + diag(g_s) + i Im diag(Uᴴ G_U) S⁻¹ + S (F ∘ (Vᴴ G_V "
        "- G_Vᴴ V))] Vᴴ` with `F[i, j] = 1 / (s[j]² - s[i]²)` off the diagonal and 0 on it; "
        "plus `(I - U Uᴴ) G_U S⁻¹ Vᴴ` for a tall and `U S⁻¹ G_Vᴴ (I - V Vᴴ)` for a wide "
        "matrix; `G_U = g_U`, `G_V = g_V`, for complex values with the phase term of eig's "
        "rule added to `G_V` (to `G_U` for a wide matrix)"
    ),
    "_svd_jvp": (
        "with `P = Uᴴ t V`: `ds = Re diag(P)`, `dU = U (F ∘ (P S + S Pᴴ) + i Im diag(P) "
        "S⁻¹)`, `dV = V (F ∘ (S P + Pᴴ S))`, `F` as in the gradient rule; plus `(I - U Uᴴ) t "
        "V S⁻¹` in `dU` for a tall and `(I - V Vᴴ) tᴴ U S⁻¹` in `dV` for a wide matrix; for "
        "complex values both then turn by the phase term `i diag(θ)` of eig's rule"
    ),
    "_svdvals_vjp": "`U diag(g) Vᴴ`, `U` and `V` the singular vectors",
    "_svdvals_jvp": "`Re diag(Uᴴ t V)`, `U` and `V` the singular vectors",
    # Fourier transforms
    "_rfft_vjp": (
        "`irfft(g * w)` with `w[k] = 1/2` but `w[0] = 1` and, for an even `n`, `w[n/2] = 1`: "
        "`Re(Σ_k g[k] exp(2πi k m / n))` over the bins kept (not `irfft(g)`, which counts "
        "each of the other bins twice)"
    ),
    "_irfft_vjp": (
        "`rfft(g) * c` with `c[k] = 2` but `c[0] = 1` and, for an even `n`, `c[n/2] = 1` "
        "(whose imaginary parts the op discards)"
    ),
    # neural networks
    "_xent_logits": (
        "`np.expand_dims(g, axis) * (softmax(x) * np.sum(z, axis, keepdims=True) - z)` "
        "(`z` the labels)"
    ),
}


class _Readable(ast.NodeTransformer):
    """A rule's expression with tape's private helpers replaced by what they compute:
    constants by their math, helper calls by their expressions, ``apply(P, ...)`` and
    ``bind(P, ...)`` of a primitive by the op's name, ``np.matmul(a, b)`` by ``a @ b``.
    Prose stands in a name node of its own text, in parentheses where an operator applies."""

    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope
        self.prose: set[int] = set()  # ids of the name nodes that hold prose

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.Name(id=CONSTANTS[node.id]) if node.id in CONSTANTS else node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        from tape._registry import Primitive

        name = ast.unparse(node.func)
        if name in ("apply", "bind", "_call") and node.args:
            prim = _resolve(node.args[0], self.scope)
            if isinstance(prim, Primitive):
                node = ast.Call(ast.Name(prim.name), node.args[1:], node.keywords)
        node = self.generic_visit(node)
        if name == "np.matmul" and len(node.args) == 2 and not node.keywords:
            return self._operands(ast.BinOp(node.args[0], ast.MatMult(), node.args[1]))
        last = name.rsplit(".", 1)[-1]
        if last in RENAMED:
            return ast.Call(ast.Name(RENAMED[last]), node.args, node.keywords)
        helper = HELPERS.get(last)
        if helper is None:
            return node
        template = helper(node.args) if callable(helper) else helper
        marks = [f"__arg{i}__" for i in range(len(node.args))]
        try:
            tree = ast.parse(template.format(*marks), mode="eval").body
        except SyntaxError:  # prose or math
            out = ast.Name(id=template.format(*[ast.unparse(a) for a in node.args]))
            self.prose.add(id(out))
            return out
        args = dict(zip(marks, node.args))

        class Fill(ast.NodeTransformer):
            def visit_Name(self, n: ast.Name) -> ast.AST:
                return args.get(n.id, n)

        return self._operands(Fill().visit(tree))

    def _operands(self, node: ast.AST) -> ast.AST:
        """Prose that is an operand of an operator, in parentheses."""
        for field in ("left", "right", "operand", "value"):
            child = getattr(node, field, None)
            if isinstance(child, ast.Name) and id(child) in self.prose and " " in child.id:
                setattr(node, field, ast.Name(id=f"({child.id})"))
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        return self._operands(self.generic_visit(node))

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        return self._operands(self.generic_visit(node))

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        return self._operands(self.generic_visit(node))


def readable(expr: ast.AST, scope: dict[str, Any]) -> str:
    """The text of a rule's expression, tape's private helpers shown as what they compute."""
    return ast.unparse(_Readable(scope).visit(copy.deepcopy(expr)))


def private_names(page: str) -> list[str]:
    """The private names of tape's source (``_name``) left on a generated page."""
    return sorted(set(re.findall(r"(?<![\w.&#])_[A-Za-z]\w*", page)))


# ----------------------------------------------------------------------------- source text


class _Sources:
    """The text of rules: lambdas and small functions, found in their module's syntax tree."""

    def __init__(self) -> None:
        self._trees: dict[str, tuple[str, ast.AST]] = {}

    def _tree(self, filename: str) -> tuple[str, ast.AST] | None:
        if filename not in self._trees:
            try:
                text = Path(filename).read_text(encoding="utf-8")
            except OSError:
                return None
            self._trees[filename] = (text, ast.parse(text))
        return self._trees[filename]

    def text(self, fn: Callable[..., Any]) -> str:
        """The expression a rule computes, as a one-line string: as written, with tape's
        private helpers shown as what they compute (:func:`readable`), or the formula of a
        private rule of several statements (:data:`FORMULAS`)."""
        if isinstance(fn, functools.partial):
            text = self.text(fn.func)
            if fn.func.__name__.startswith("_"):  # operand i's rule, i bound: says as much
                return text
            bound = ", ".join(map(repr, fn.args))
            return f"{text} with `{fn.func.__name__}({bound}, ...)`"
        name = getattr(fn, "__name__", repr(fn))
        if name in FORMULAS:
            return FORMULAS[name]
        code = getattr(fn, "__code__", None)
        if code is None:
            return f"`{name}`"
        found = self._tree(code.co_filename)
        if found is None:
            return f"`{name}`"
        text, tree = found
        scope = getattr(fn, "__globals__", {})
        if name == "<lambda>":
            node = self._lambda(tree, code)
            if node is not None:
                return _code(readable(node.body, scope))
            return "`<lambda>`"
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == name and (
                node.lineno == code.co_firstlineno
                or any(d.lineno == code.co_firstlineno for d in node.decorator_list)
            ):
                body = [s for s in node.body if not _is_docstring(s)]
                if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value:
                    return _code(readable(body[0].value, scope))
                doc = ast.get_docstring(node)
                summary = f": {doc.splitlines()[0]}" if doc else ""
                return f"`{name}(...)`{_escape(summary)}"
        return f"`{name}`"

    @staticmethod
    def _lambda(tree: ast.AST, code: Any) -> ast.Lambda | None:
        candidates = [
            n for n in ast.walk(tree)
            if isinstance(n, ast.Lambda) and n.lineno == code.co_firstlineno
            and [a.arg for a in n.args.args] == list(code.co_varnames[: code.co_argcount])
        ]
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        # Several lambdas start on this line: the one whose body holds the positions of the
        # code's instructions (Python 3.11+; before that, the first).
        positions = [
            (line, col) for line, _end, col, end_col in getattr(code, "co_positions", list)()
            if line is not None and col is not None and end_col and end_col > col
        ]
        for n in candidates:
            start = (n.body.lineno, n.body.col_offset)
            end = (n.body.end_lineno, n.body.end_col_offset)
            if positions and all(start <= p <= end for p in positions):
                return n
        return candidates[0]


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(getattr(stmt, "value", None), ast.Constant)


def _escape(s: str) -> str:
    return s.replace("|", "&#124;")


def _code(expr: str) -> str:
    expr = " ".join(expr.split())
    if "|" in expr:  # a pipe would end the table cell: HTML code with an entity instead
        return "<code>" + expr.replace("&", "&amp;").replace("<", "&lt;").replace(
            "|", "&#124;") + "</code>"
    return f"`{expr}`" if "`" not in expr else f"`` {expr} ``"


# ----------------------------------------------------------------------------- the registry


def _params(fn: Any, skip: int = 0) -> list[str]:
    """Positional parameter names of a function (empty when it has no Python signature)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return []
    return list(code.co_varnames[skip: code.co_argcount])


def _resolve(node: ast.AST, scope: dict[str, Any]) -> Any:
    """The object a name or dotted attribute (``ew.sigmoid.prim``) refers to, or None."""
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, scope)
        return getattr(base, node.attr, None) if base is not None else None
    return None


def _references(tree: ast.AST) -> list[ast.AST]:
    """The names and dotted names a function's body uses, leaving out its docstring and
    comparisons (``prim is _avg_pool`` tests a primitive, it does not record it)."""
    out: list[ast.AST] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Compare) or _is_docstring(node):
            return
        if isinstance(node, (ast.Name, ast.Attribute)):
            out.append(node)
            if isinstance(node, ast.Name):
                return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return out


def _bound_in(fn: Any, prim_of: Callable[[Any], Any], depth: int = 2) -> set[str]:
    """Names of the primitives that ``fn`` records: those its body refers to, directly or as
    an op function, and those of the tape functions it refers to, ``depth`` levels deep."""
    found: set[str] = set()
    todo, seen = [(fn, depth)], set()
    while todo:
        f, d = todo.pop()
        if id(f) in seen:
            continue
        seen.add(id(f))
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(f)))
        except (OSError, TypeError, SyntaxError):
            continue
        scope = getattr(f, "__globals__", {})
        for node in _references(tree):
            value = _resolve(node, scope)
            prim = prim_of(value)
            if prim is not None:
                found.add(prim.name)
            elif (d > 0 and inspect.isfunction(value)
                  and getattr(value, "__module__", "").startswith("tape.")):
                todo.append((value, d - 1))
    return found


def collect() -> list[dict[str, Any]]:
    """One dict per primitive: name, group, recorded_by, args, vjp, jvp, differentiable."""
    import tape
    from tape import _registry, linalg, math, nn, signal
    from tape.ops import GROUPS

    try:  # SciPy's rules are declared when tape.scipy is imported, with SciPy installed
        from tape.ops import scipy_linalg as scipy_linalg_ops
        from tape.ops import scipy_special as scipy_special_ops
        from tape.scipy import linalg as scipy_linalg
        from tape.scipy import signal as scipy_signal
        from tape.scipy import special as scipy_special
    except ImportError:
        scipy_namespaces: tuple = ()
        scipy_groups: dict = {}
    else:
        scipy_namespaces = (("tape.scipy.special", scipy_special),
                            ("tape.scipy.linalg", scipy_linalg),
                            ("tape.scipy.signal", scipy_signal))
        scipy_groups = {"scipy": scipy_special_ops, "scipy ": scipy_linalg_ops}

    Primitive = _registry.Primitive

    def prim_of(value: Any) -> Any:
        prim = value if isinstance(value, Primitive) else getattr(value, "prim", None)
        return prim if isinstance(prim, Primitive) else None

    group_of: dict[str, str] = {}
    for group, module in [*GROUPS.items(), *scipy_groups.items()]:
        for value in vars(module).values():
            prim = prim_of(value)
            if prim is not None:
                group_of.setdefault(prim.name, group.strip())

    users: dict[str, list[str]] = {name: [] for name in _registry.PRIMITIVES}
    arg_names: dict[str, list[str]] = {}
    namespaces = (("tape", tape), ("tape.math", math), ("tape.nn", nn),
                  ("tape.linalg", linalg), ("tape.signal", signal), *scipy_namespaces)
    seen: set[int] = set()
    for label, ns in namespaces:
        for name in sorted(getattr(ns, "__all__", ())):
            fn = getattr(ns, name)
            if id(fn) in seen or not callable(fn) or isinstance(fn, type):
                continue
            seen.add(id(fn))
            direct = prim_of(fn)
            used = {direct.name} if direct is not None else set()
            if direct is not None:
                arg_names.setdefault(direct.name, [
                    p for p in inspect.signature(fn).parameters if p != "name"])
            used |= _bound_in(fn, prim_of)
            for p in sorted(used):
                users[p].append(f"{label}.{name}")
    special = sys.modules.get("scipy.special")
    for ufunc, op in _registry.UFUNCS.items():
        prim = prim_of(op)
        if prim is not None:
            scipy_ufunc = getattr(special, ufunc.__name__, None) is ufunc
            users[prim.name].append(
                f"{'scipy.special' if scipy_ufunc else 'np'}.{ufunc.__name__}")

    sources = _Sources()
    rows = []
    for name, prim in _registry.PRIMITIVES.items():
        names = arg_names.get(name, [])
        rows.append({
            "name": name,
            "group": group_of.get(name, "other"),
            "recorded_by": users[name],
            "differentiable": prim.differentiable,
            "vjp": _vjp_text(prim, names, sources, _registry.PerPosition),
            "jvp": _jvp_text(prim, names, sources, _registry.PerPosition),
            "complex": _complex_text(prim),
        })
    return rows


def _complex_text(prim: Any) -> str:
    """What the op does with complex values (``Primitive.complex``)."""
    if not prim.differentiable:
        return "—"
    return {True: "✓", "holomorphic": "✓ conjugated", False: "✗ refused"}[prim.complex]


def _per_argument(rules: Any, names: list[str], sources: _Sources) -> str:
    first = rules[0] if rules else None
    if len(rules) > 3 and isinstance(first, functools.partial) and all(
        isinstance(r, functools.partial) and r.func is first.func
        and r.args == (i,) + first.args[1:] for i, r in enumerate(rules)
    ):  # one rule per operand, the operand's index bound first: any number of operands
        text = sources.text(first.func)
        if first.func.__name__.startswith("_"):
            return f"operand i: {text}"
        return f"operand i: {text} with `{first.func.__name__}(i, ...)`"
    parts = []
    for i, rule in enumerate(rules):
        params = _params(rule, skip=2)
        arg = params[i] if i < len(params) else names[i] if i < len(names) else f"arg {i}"
        parts.append(f"{arg}: " + ("— (none)" if rule is None else sources.text(rule)))
    return "<br>".join(parts)


def _vjp_text(prim: Any, names: list[str], sources: _Sources, per_position: type) -> str:
    if not prim.differentiable:
        return "*not differentiable*"
    if isinstance(prim.vjps, per_position):
        return "operand i: " + sources.text(prim.vjps[0])
    if not prim.vjps:
        return "*none*"
    return _per_argument(prim.vjps, names, sources)


def _jvp_text(prim: Any, names: list[str], sources: _Sources, per_position: type) -> str:
    if not prim.differentiable:
        return "—"
    jvps = prim.jvps
    if prim.linear:
        return "✓ linear"
    if isinstance(jvps, per_position):
        return "✓ operand i: " + sources.text(jvps[0])
    if not jvps or all(j is None for j in jvps):
        return "✗ no forward mode"
    if not isinstance(prim.vjps, per_position) and len(jvps) == len(prim.vjps) and all(
        j is v for j, v in zip(jvps, prim.vjps)
    ):
        return "✓ same rule"
    missing = [i for i, j in enumerate(jvps) if j is None]
    text = "✓ " + _per_argument(jvps, names, sources)
    if missing:
        text = f"partial (none for argument {', '.join(map(str, missing))})<br>" + text
    return text


def markdown() -> str:
    rows = collect()
    out = [INTRO]
    total = len(rows)
    with_jvp = sum(1 for r in rows if r["differentiable"] and r["jvp"].startswith("✓"))
    differentiable = sum(1 for r in rows if r["differentiable"])
    out.append(f"{total} primitives: {differentiable} differentiable, {with_jvp} of them with "
               "forward mode.\n")
    for group, title in GROUP_TITLES.items():
        members = [r for r in rows if r["group"] == group]
        if not members:
            continue
        out.append(f"## {title}\n")
        if group in GROUP_NOTES:
            out.append(GROUP_NOTES[group] + "\n")
        out.append("| op | recorded by | gradient rule (VJP) | forward mode (JVP) | complex |")
        out.append("| --- | --- | --- | --- | --- |")
        for r in sorted(members, key=lambda r: r["name"]):
            recorded = ", ".join(f"`{u}`" for u in r["recorded_by"]) or "*internal*"
            out.append(f"| `{r['name']}` | {recorded} | {r['vjp']} | {r['jvp']} | "
                       f"{r['complex']} |")
        out.append("")
    return "\n".join(out)


# ----------------------------------------------------------------------------- MkDocs hook


def on_files(files: Any, config: Any) -> Any:
    """MkDocs hook: add the generated page to the site."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, PAGE, content=markdown()))
    return files


if __name__ == "__main__":
    page = markdown()
    sys.stdout.write(textwrap.dedent(page))
    left = private_names(page)
    if left:
        sys.stderr.write(f"private names on the page (add them to HELPERS or FORMULAS): "
                         f"{', '.join(left)}\n")
