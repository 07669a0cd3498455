"""The NumPy coverage page of the documentation, generated from tape's classification.

Every public callable of ``numpy``, ``numpy.linalg`` and ``numpy.fft`` with its status on
tensors: differentiable (read off tape's registries of NumPy handlers and ufunc ops), no
gradient, or unsupported with the reason and what to use instead (``tape/ops/_numpy_api.py``).
MkDocs runs this file as a hook (``hooks:`` in mkdocs.yml), so ``reference/numpy.md`` is built
from the code at every build and cannot drift from it. ``python docs/gen_numpy_coverage.py``
prints the page.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

PAGE = "reference/numpy.md"

TITLES = {"np": "numpy", "np.linalg": "numpy.linalg", "np.fft": "numpy.fft"}

INTRO = """\
# NumPy coverage

What each public NumPy function does when it is called on tape tensors, generated from tape's
classification (`tape/ops/_numpy_api.py`) and its registries of NumPy handlers when this site
is built. NumPy hands a call on a tensor to tape (through `__array_function__` and
`__array_ufunc__`), so `np.sin(x)` and `np.sum(x, axis=0)` are recorded like `tape.sin(x)`.

- **differentiable**: recorded on the tape, and gradients flow through it (the
  [op table](ops.md) lists the rules).
- **no gradient**: the result has no meaningful gradient (indices, booleans, counts, shapes,
  dtypes, piecewise-constant values). It runs on the tensors' values, even when a tape watches
  them, and returns NumPy's own result: a constant to every tape.
- **unsupported**: on a tensor that a tape watches it raises a `TypeError` that names the
  function, the reason and what to use instead.

On plain values and on tensors no tape watches, every function runs as in NumPy (except
writing into a tensor, below).

Public means: listed in the namespace's `__all__` or in its `dir()` without a leading
underscore, and callable, but not a class (`np.ndarray`, `np.dtype`, scalar types,
`np.vectorize`, `np.errstate`, ...) nor a module. The other public submodules are classified as
a whole at the end of the page. A function NumPy adds later, before it is classified, is
refused on a watched tensor with a generic message.

- **Ufunc methods** (`np.add.reduce`, `np.maximum.accumulate`, `np.add.outer`, `np.add.at`):
  a ufunc with no gradient runs them; on a differentiable ufunc they are unsupported on a
  watched tensor, and the error names the function to use (`np.sum(x, axis=0)` for
  `np.add.reduce`).
- **Keyword arguments** of a differentiable ufunc (`out=`, `where=`, `dtype=`) are refused on a
  watched tensor.
- **Writing into a tensor** (`out=` a tensor, `np.copyto`, `np.put`, `np.add.at`...) is refused
  whether a tape watches it or not: tensors are immutable. A `tape.Variable` changes with
  `assign`.
- † marks functions that NumPy does not hand to tape: they see a tensor as an object and
  convert it to an array, which is refused for a tensor that a tape watches.
"""


def _md(text: str) -> str:
    """Plain text in a table cell: Markdown's special characters escaped."""
    out = text.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;")
    for ch in "`*_[]":
        out = out.replace(ch, "\\" + ch)
    return out.replace("|", "&#124;")


def _dispatched(obj: Any) -> bool:
    import numpy as np

    return isinstance(obj, np.ufunc) or hasattr(obj, "_implementation")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tape_names() -> dict[int, str]:
    """Public tape functions by object id: ``tape.sin``, ``tape.math.erf``, ..."""
    import tape
    from tape import linalg, math, nn

    names: dict[int, str] = {}
    for label, ns in (("tape", tape), ("tape.math", math), ("tape.nn", nn),
                      ("tape.linalg", linalg)):
        for name in sorted(getattr(ns, "__all__", ())):
            names.setdefault(id(getattr(ns, name)), f"{label}.{name}")
    return names


def collect() -> dict[str, list[dict[str, Any]]]:
    """Rows by namespace: path, status, note (Markdown: for an unsupported function the
    reason and the fix), and whether NumPy dispatches the function to tape."""
    import tape  # noqa: F401  (registers the handlers)
    from tape._registry import UFUNCS
    from tape.ops import _numpy_api as api

    tape_names = _tape_names()
    sections: dict[str, list[dict[str, Any]]] = {}
    for namespace in api.WALKED:
        rows = []
        for path, obj in api.public_callables(namespace).items():
            coverage = api.classify(obj)
            if coverage is None:
                status, note = api.UNSUPPORTED_STATUS, _md("No gradient rule yet.")
            elif coverage.status == api.UNSUPPORTED_STATUS:
                status = coverage.status
                note = _md(f"{_capital(coverage.note)}. {coverage.fix}")
            elif coverage.status == api.DIFFERENTIABLE and obj in UFUNCS:
                status = coverage.status
                name = tape_names.get(id(UFUNCS[obj]))
                extra = api.NOTES.get(path)
                note = f"As `{name}`." if name else _md(_capital(coverage.note) + ".")
                note += f" {_md(_capital(extra))}." if extra and name else ""
            else:
                status, note = coverage.status, _md(_capital(coverage.note))
                note = note + "." if note else note
            canonical = api.public_name(obj)
            if canonical != path:
                note = f"The same function as `{canonical}`. {note}".rstrip()
            rows.append({
                "path": path,
                "status": status,
                "note": note,
                "dispatched": _dispatched(obj),
            })
        sections[namespace] = rows
    return sections


def namespaces() -> list[dict[str, str]]:
    """The public submodules classified as a whole."""
    from tape.ops import _numpy_api as api

    rows = []
    for path, (status, reason, fix) in sorted(api.NAMESPACES.items()):
        note = f"{reason[:1].upper()}{reason[1:]}." + (f" {fix}" if fix else "")
        rows.append({"path": path, "status": status, "note": note})
    return rows


SCIPY_INTRO = """\
## scipy.special

SciPy is optional (`pip install 'tape[scipy]'`) and tape never imports it itself. SciPy's
special functions are NumPy ufuncs, so `scipy.special.gamma(x)` on a tensor reaches tape
through `__array_ufunc__`: on the first such call tape loads its rules for them, and the call
is recorded like `tape.sin(x)`, with derivatives to every order (each rule is written with
differentiable functions: gamma's uses digamma, digamma's polygamma). The same functions are
in `tape.scipy.special` by name (`import tape.scipy.special`).

Orders and shape parameters (`v` of `iv`, `n` of `yn`, `a` of `gammainc`) are not
differentiated: a tensor that a tape watches there raises a `TypeError` (pass
`tape.stop_gradient(v)`). A function of `scipy.special` not listed here raises on a watched
tensor and says what to do. SciPy's functions written in Python on `np.asarray` refuse a
watched tensor; `tape.scipy.special` has recorded equivalents of `logsumexp` (with `b`,
`axis`, `keepdims` and `return_sign`), `softmax` and `log_softmax`, and of `polygamma`.
`scipy.special.sinc` is NumPy's `np.sinc`, differentiable above.

Where SciPy's own ufunc would promote float32 next to a Python number to float64, tape keeps
float32, as NumPy's ufuncs do (NEP 50).
"""


def scipy_rows() -> list[dict[str, str]] | None:
    """SciPy's special functions that tape differentiates, with their derivatives (None when
    SciPy is not installed)."""
    try:
        from tape.ops import scipy_special
    except ImportError:
        return None
    import tape.scipy.special as sp

    rows = []
    for name in sorted(sp.__all__):
        op = scipy_special.OPS.get(name)
        fn = getattr(sp, name)
        if name == "psi":
            note = "The same function as `scipy.special.digamma`."
        elif op is not None and name != "polygamma":
            note = _md(op.__doc__ or "")
        else:  # written in Python by SciPy: tape's recorded equivalent
            doc = (fn.__doc__ or "").split("\n\n")[0]
            doc = " ".join(doc.replace("``", "").split())
            note = f"Use `tape.scipy.special.{name}`: " + _md(doc)
        param = scipy_special.PARAMETERS.get(name)
        status = f"differentiable in x, not in {param}" if param else "differentiable"
        rows.append({"path": f"scipy.special.{name}", "status": status, "note": note})
    return rows


STATS_INTRO = """\
## scipy.stats

`tape.scipy.stats` (`from tape.scipy import stats`) has SciPy's distributions below with
SciPy's method names, signatures and argument order (`stats.norm.logpdf(x, loc, scale)`,
`stats.poisson.logpmf(k, mu)`, ...), their values SciPy's, written with tape's ops and
`tape.scipy.special`: they are differentiable in the data and in the parameters (`loc`,
`scale`, shape parameters), to every order. Calling a distribution freezes its parameters, as
in SciPy (`stats.norm(0.0, sigma).logpdf(x)`). Out of the support the log-density is `-inf`
and the density 0, as SciPy's, with gradients that are not NaN. The derivatives without a
closed form (a CDF's in a shape parameter of a regularized incomplete beta or gamma function)
and those in the integer `k` and `loc` of `poisson` raise a `TypeError` on a watched tensor
there (pass `tape.stop_gradient(df)`). SciPy's own `scipy.stats` functions convert their
arguments with `np.asarray` and refuse a watched tensor: the error names the method of
`tape.scipy.stats` to use instead.
"""


def stats_rows() -> list[dict[str, str]] | None:
    """The methods of tape.scipy.stats's distributions (None when SciPy is not installed)."""
    try:
        from tape.scipy import stats
    except ImportError:
        return None
    rows = []
    for dist, methods in stats.METHODS.items():
        for method in methods:
            fn = getattr(getattr(stats, dist), method)
            doc = " ".join((fn.__doc__ or "").split("\n\n")[0].replace("``", "").split())
            skip = stats.NOT_DIFFERENTIABLE.get(f"{dist}.{method}")
            status = ("differentiable, not in " + " or ".join(skip)) if skip else "differentiable"
            rows.append({"path": f"tape.scipy.stats.{dist}.{method}", "status": status,
                         "note": _md(doc)})
    return rows


LINALG_INTRO = """\
## scipy.linalg and scipy.signal

`tape.scipy.linalg` (`import tape.scipy.linalg`) and `tape.scipy.signal` have recorded
equivalents of the SciPy functions below, with SciPy's signatures and values, differentiable
in every array argument to every order. All but `sqrtm` take complex arrays too (in
TensorFlow's convention); `sqrtm` takes real ones only (complex ones raise a `TypeError`).
SciPy's own functions convert their arguments with `np.asarray` and refuse a watched tensor;
for `expm`, `sqrtm`, `cho_solve`, `convolve` and `correlate` the error names the function of
`tape.scipy` to use instead. `expm` is differentiated through
its Fréchet derivative (`expm` of a block matrix), `sqrtm` through a Sylvester equation;
`sqrtm` takes real matrices with no eigenvalue on the closed negative real axis only (where
the principal square root is real, unique and differentiable) and raises a `ValueError` on
others, whose square roots SciPy gives as complex. `convolve` and `correlate` are
N-dimensional, in the modes `'full'`, `'same'` and `'valid'`; the gradient of a convolution in
either input is a correlation with the other.
"""


def linalg_rows() -> list[dict[str, str]] | None:
    """The functions of tape.scipy.linalg and tape.scipy.signal (None when SciPy is not
    installed)."""
    try:
        import tape.scipy.linalg as la
        import tape.scipy.signal as sg
    except ImportError:
        return None
    rows = []
    for module, public in ((la, "scipy.linalg"), (sg, "scipy.signal")):
        for name in module.__all__:
            doc = (getattr(module, name).__doc__ or "").split("\n\n")[0]
            doc = " ".join(doc.replace("``", "").replace(":func:", "").split())
            rows.append({"path": f"tape.{public}.{name}", "status": "differentiable",
                         "note": _md(doc.removeprefix(f"{public}.{name}: "))})
    return rows


def markdown() -> str:
    sections = collect()
    out = [INTRO]
    counts = Counter(r["status"] for rows in sections.values() for r in rows)
    total = sum(counts.values())
    out.append(
        f"{total} public callables: {counts['differentiable']} differentiable, "
        f"{counts['no gradient']} without gradient, {counts['unsupported']} unsupported.\n"
    )
    for namespace, rows in sections.items():
        out.append(f"## {TITLES[namespace]}\n")
        out.append("| function | status | note |")
        out.append("| --- | --- | --- |")
        for r in rows:
            mark = "" if r["dispatched"] else " †"
            out.append(f"| `{r['path']}`{mark} | {r['status']} | {r['note']} |")
        out.append("")
    for intro, scipy_table, kind in ((SCIPY_INTRO, scipy_rows, "function"),
                                     (STATS_INTRO, stats_rows, "method"),
                                     (LINALG_INTRO, linalg_rows, "function")):
        out.append(intro)
        rows = scipy_table()
        if rows is None:
            out.append("*SciPy is not installed where this page was built.*\n")
            continue
        out.append(f"| {kind} | status | note |")
        out.append("| --- | --- | --- |")
        for r in rows:
            out.append(f"| `{r['path']}` | {r['status']} | {r['note']} |")
        out.append("")
    out.append("## Other namespaces\n")
    out.append("| namespace | status | note |")
    out.append("| --- | --- | --- |")
    for r in namespaces():
        out.append(f"| `{r['path']}` | {r['status']} | {_md(r['note'])} |")
    out.append("")
    return "\n".join(out)


# ----------------------------------------------------------------------------- MkDocs hook


def on_files(files: Any, config: Any) -> Any:
    """MkDocs hook: add the generated page to the site."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, PAGE, content=markdown()))
    return files


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's tape
    sys.stdout.write(markdown())
