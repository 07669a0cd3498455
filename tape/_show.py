"""Seeing the Wengert list: a tape as a table of values, local derivatives and adjoints, and
as a Graphviz graph; and a tape's rich display in Jupyter (``_repr_html_``)."""

from __future__ import annotations

import os
import shutil
from html import escape
from typing import Any, NamedTuple

import numpy as np

from ._record import Entry, _Meta
from ._tensor import Tensor, wrap


class TapeEntry(NamedTuple):
    """One recorded op: its name, its inputs (tensors, or constants) and its outputs."""

    index: int
    op: str
    inputs: tuple
    outputs: tuple


def entries(tape: Any) -> list[TapeEntry]:
    """The recorded ops, with tensors rebuilt from the ids and values the tape kept (a value
    no gradient rule needed is shown by its shape alone on a non-persistent tape)."""
    out = []
    for k, e in enumerate(map(Entry._make, tape._entries or [])):
        inputs = tuple(wrap(v, i) if i else v for v, i in zip(e.vals, e.ids))
        if type(e.out_id) is tuple:
            outputs = tuple(wrap(a, o) for a, o in zip(e.ans, e.out_id))
        else:
            outputs = (wrap(e.ans, e.out_id),)
        out.append(TapeEntry(k, e.prim.name, inputs, outputs))
    return out


def _fmt(value: Any, precision: int) -> str:
    if value is None:
        return "(not kept)"
    if isinstance(value, _Meta):
        return f"<{value.dtype}{list(value.shape)}>"
    v = np.asarray(value)
    if v.size == 1:
        x = v.reshape(()).item()
        if isinstance(x, complex):  # as NumPy prints one: (a+bj)
            return f"({x.real:.{precision}g}{x.imag:+.{precision}g}j)"
        return f"{x:.{precision}g}" if isinstance(x, float) else str(x)
    if v.size <= 4:  # on one line, whatever the shape
        text = np.array2string(v, precision=precision, separator=", ", max_line_width=10**6)
        return " ".join(text.split())
    return f"<{v.dtype}{list(v.shape)}>"


class _Labels:
    """Names for tensors: the user's, else x0, x1... for inputs and v1, v2... for the rest."""

    def __init__(self, names: dict[str, Any] | None) -> None:
        self.by_id = {t._id: name for name, t in (names or {}).items()}
        self.inputs = 0
        self.values = 0

    def of(self, t: Any, produced: bool) -> str:
        if t._id not in self.by_id:
            if produced:
                self.values += 1
                self.by_id[t._id] = f"v{self.values}"
            else:
                self.by_id[t._id] = f"x{self.inputs}"
                self.inputs += 1
        return self.by_id[t._id]


def _rows(tape: Any, names: dict[str, Any] | None, precision: int) -> list[dict]:
    labels = _Labels(names)
    adjoints = tape._adjoints()
    produced = {o._id for e in entries(tape) for o in e.outputs}
    rows: list[dict] = []
    seen: set[int] = set()
    for e in entries(tape):  # the inputs first, as in a Wengert list
        for a in e.inputs:
            if isinstance(a, Tensor) and a._id not in produced and a._id not in seen:
                seen.add(a._id)
                rows.append(_row(labels.of(a, False), "input", "", a, "", adjoints, precision))
    for e, recorded in zip(entries(tape), map(Entry._make, tape._entries or [])):
        prim, vals, static, conn = recorded.prim, recorded.vals, recorded.static, recorded.connected
        args, outs = e.inputs, e.outputs
        out = outs if len(outs) > 1 else outs[0]
        inputs = ", ".join(
            labels.of(a, a._id in produced) if isinstance(a, Tensor) else _fmt(a, precision)
            for a in args
        )
        out_labels = [labels.of(o, True) for o in outs]
        local = _local_derivatives(prim, args, vals, static, out, conn, labels, out_labels,
                                   precision)
        for o, name in zip(outs, out_labels):
            seen.add(o._id)
            rows.append(_row(name, prim.name, inputs, o, local, adjoints, precision))
    return rows


def _row(name: str, op: str, inputs: str, t: Tensor, local: str, adjoints: dict,
         precision: int) -> dict:
    adj = adjoints.get(t._id)
    known = t._value is not None
    return {
        "value": name,
        "op": op,
        "inputs": inputs,
        "shape": str(t.shape) if known else "",
        "dtype": str(t.dtype) if known else "",
        "result": _fmt(t._value, precision),
        "local derivatives": local,
        "adjoint": "" if adj is None else _fmt(adj, precision),
    }


def _local_derivatives(prim, args, vals, static, out, conn, labels, out_labels, precision):
    """d out / d input for scalar ops, from the op's own gradient rules with cotangent 1. With
    complex values, only a holomorphic op has one (its complex derivative, from the rules
    of the op itself, not of the conjugated twin the tape recorded)."""
    if type(out) is tuple or out._value is None or np.size(out._value) != 1:
        return ""
    if any(np.iscomplexobj(v) for v in (*vals, out._value) if not isinstance(v, _Meta)):
        if prim.twin is None or prim.complex is not True:
            return ""
        prim = prim.twin  # the holomorphic op whose conjugated twin was recorded
    by_input: dict[str, list[tuple[int, Any]]] = {}  # an input's label -> (position, d)
    one = np.ones_like(out._value)
    for i in conn:
        if isinstance(vals[i], _Meta) or np.size(vals[i]) != 1 or prim.vjps[i] is None:
            return ""
        with np.errstate(all="ignore"):
            d = prim.vjps[i](one, out._value, *vals, **static)
        by_input.setdefault(labels.of(args[i], True), []).append((i, d))
    parts = []
    for name, ds in by_input.items():
        head = f"d{out_labels[0]}/d{name} = "
        if len(ds) == 1:
            parts.append(head + _fmt(ds[0][1], precision))
            continue
        # The same value in several argument positions (x * x): one partial derivative per
        # position, and their sum, which is what the chain rule adds up for that value.
        with np.errstate(all="ignore"):
            total = sum(d for _, d in ds)
        terms = " + ".join(f"{_fmt(d, precision)} (arg {i + 1})" for i, d in ds)
        parts.append(f"{head}{terms} = {_fmt(total, precision)}")
    return ", ".join(parts)


COLUMNS = ("value", "op", "inputs", "result", "shape", "dtype", "local derivatives", "adjoint")


def _columns(rows: list[dict]) -> list[str]:
    """The columns that have something to show (value, op and result always)."""
    return [c for c in COLUMNS if any(r[c] for r in rows) or c in ("value", "op", "result")]


def table(tape: Any, names: dict[str, Any] | None = None, precision: int = 7) -> str:
    rows = _rows(tape, names, precision)
    if not rows:
        return "(empty tape)"
    cols = _columns(rows)
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols}
    lines = ["  ".join(c.ljust(widths[c]) for c in cols).rstrip()]
    lines.append("  ".join("-" * widths[c] for c in cols))
    lines += ["  ".join(r[c].ljust(widths[c]) for c in cols).rstrip() for r in rows]
    return "\n".join(lines)


def _q(*lines: str) -> str:
    """A DOT string literal of one or more lines."""
    escaped = (line.replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def to_dot(tape: Any, names: dict[str, Any] | None = None, precision: int = 6) -> str:
    return _dot(_rows(tape, names, precision))


def _dot(rows: list[dict]) -> str:
    values = {r["value"] for r in rows}
    lines = ["digraph tape {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    for r in rows:
        label = [f"{r['value']} = {r['result']}"]
        if r["adjoint"]:
            label.append(f"adjoint {r['adjoint']}")
        lines.append(f"  {_q(r['value'])} [shape=ellipse, label={_q(*label)}];")
    for k, r in enumerate(rows):
        if r["op"] == "input":
            continue
        op_node = f"op{k}"
        lines.append(f'  {op_node} [shape=box, style=filled, fillcolor="#eeeeee", '
                     f"label={_q(r['op'])}];")
        for i, name in enumerate(r["inputs"].split(", ")):
            if name in values:
                lines.append(f"  {_q(name)} -> {op_node};")
            else:  # a constant operand: its own node, named by op and position
                const = f"const{k}_{i}"
                lines.append(f"  {const} [shape=plaintext, label={_q(name)}];")
                lines.append(f"  {const} -> {op_node};")
        lines.append(f"  {op_node} -> {_q(r['value'])};")
    lines.append("}")
    return "\n".join(lines)


_INSTALL_DOT = (
    "Graphviz's `dot` program was not found on PATH; t.render() needs it to draw the graph. "
    "Install it with your system's package manager (Debian/Ubuntu: apt-get install graphviz; "
    "conda: conda install graphviz; macOS: brew install graphviz), or use t.to_dot() for the "
    "DOT text without it."
)


def render(dot: str, path: str, fmt: str | None = None) -> str:
    """Render DOT text to ``path`` (SVG or PNG by its suffix) with the optional ``graphviz``
    package and Graphviz's ``dot`` program; returns the path written.

    Raises ImportError naming the extra to install when the package is missing, and
    RuntimeError naming how to install ``dot`` when the program is missing; nothing is written
    unless the picture is.
    """
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "Rendering needs the optional 'graphviz' Python package: "
            "pip install \"tape[examples]\" (or pip install graphviz), and Graphviz's `dot` "
            "program (apt-get install graphviz, conda install graphviz or brew install graphviz). "
            "tape.GradientTape.to_dot() gives the DOT text without them."
        ) from None
    stem, suffix = os.path.splitext(path)
    fmt = fmt or suffix.lstrip(".") or "svg"
    if shutil.which("dot") is None:
        raise RuntimeError(_INSTALL_DOT)
    try:  # render in memory, so that a failure leaves no file behind
        data = graphviz.Source(dot).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(_INSTALL_DOT) from None
    out = f"{stem}.{fmt}"
    with open(out, "wb") as f:
        f.write(data)
    return out


# ----------------------------------------------------------------- rich displays (Jupyter)

_TAPE_ROWS = 60  # a longer tape shows its first and last rows, and no graph
_TEXT = 'style="text-align: left"'


def _svg(dot: str) -> str | None:
    """The graph as inline SVG markup; None without the ``graphviz`` package or Graphviz's
    ``dot`` program, or when ``dot`` fails (a display never raises for want of a picture)."""
    try:
        import graphviz
    except ImportError:
        return None
    if shutil.which("dot") is None:
        return None
    try:
        data = graphviz.Source(dot).pipe(format="svg")
    except Exception:  # graphviz.ExecutableNotFound, or dot failing: the table alone
        return None
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    start = text.find("<svg")  # without the XML declaration and doctype, to be inline
    return text[start:] if start >= 0 else None


def tape_html(tape: Any, names: dict[str, Any] | None = None, precision: int = 7) -> str:
    """The tape as an HTML Wengert table, the rows and columns of :func:`table`, followed by
    its graph as inline SVG when the ``graphviz`` package and Graphviz's ``dot`` program are
    installed: Jupyter's rich display of ``tape.GradientTape``.

    >>> import numpy as np, tape
    >>> x = tape.constant(np.float64(3.0))
    >>> with tape.GradientTape() as t:
    ...     t.watch(x)
    ...     y = x * x
    >>> html = tape_html(t, names={"x": x, "y": y})
    >>> "multiply" in html and "dy/dx = 3 (arg 1) + 3 (arg 2) = 6" in html
    True
    """
    head = f"<p>{escape(repr(tape))}</p>"
    rows = _rows(tape, names, precision)
    if not rows:  # empty, or released by gradient()
        return f'<div class="tape-gradienttape">{head}</div>'
    cols = _columns(rows)
    shown: list[dict | None] = list(rows)
    if len(rows) > _TAPE_ROWS:
        shown = [*rows[:_TAPE_ROWS - 10], None, *rows[-10:]]
    lines = ["<tr>" + "".join(f"<th {_TEXT}>{escape(c)}</th>" for c in cols) + "</tr>"]
    for r in shown:
        if r is None:
            note = (f"\u22ee {len(rows) - len(shown) + 1} rows not shown: print(t) or "
                    "t.table() lists them all")
            lines.append(f'<tr><td {_TEXT} colspan="{len(cols)}">{escape(note)}</td></tr>')
        else:
            lines.append("<tr>" + "".join(f"<td {_TEXT}>{escape(r[c])}</td>" for c in cols)
                         + "</tr>")
    out = [f'<div class="tape-gradienttape">{head}<table>',
           f"<thead>{lines[0]}</thead><tbody>{''.join(lines[1:])}</tbody></table>"]
    svg = _svg(_dot(rows)) if len(rows) <= _TAPE_ROWS else None
    if svg is not None:
        out.append(f'<div class="tape-graph">{svg}</div>')
    out.append("</div>")
    return "".join(out)
