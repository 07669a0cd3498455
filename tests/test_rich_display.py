"""Jupyter's rich displays (``_repr_html_``) of tensors, variables and tapes, and the local
derivatives of a value used in several argument positions of one op.

The tape's expected rows are the seed example f(x, y) = (x² + 2x) ln y at (1, 2), whose
values and adjoints are known in closed form: f = 3 ln 2, df/dx = (2x + 2) ln y = 4 ln 2,
df/dy = (x² + 2x) / y = 3/2. Graphviz is simulated (a stand-in ``graphviz`` module, ``dot``
found or not on PATH), so the tests do not depend on what is installed.
"""

from __future__ import annotations

import shutil
import sys
import types
from html.parser import HTMLParser

import numpy as np
import pytest

import tape as tf
from tape import _show

LN2 = np.log(2.0)


class Cells(HTMLParser):
    """The text of each <caption>, and of each table row as a list of cell texts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.captions: list[str] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "caption":
            self._caption = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            self.captions.append("".join(self._caption))
            self._caption = None

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._caption):
            if part is not None:
                part.append(data)


# ----------------------------------------------------------------- tensors and variables

def test_scalar_tensor() -> None:
    html = tf.constant(2.5)._repr_html_()
    cells = Cells(html)
    assert cells.rows == [["2.5"]]
    assert cells.captions == ["tape.Tensor shape=() dtype=float32"]


def test_vector_and_matrix_tensors() -> None:
    vector = Cells(tf.constant(np.array([1, -2, 3], dtype=np.int64))._repr_html_())
    assert vector.rows == [["1", "-2", "3"]]
    assert vector.captions == ["tape.Tensor shape=(3,) dtype=int64"]

    matrix = Cells(tf.constant([[1.0, 2.0, 3.0], [4.0, 5.5, 6.0]])._repr_html_())
    assert matrix.rows == [["1", "2", "3"], ["4", "5.5", "6"]]
    assert matrix.captions == ["tape.Tensor shape=(2, 3) dtype=float32"]


def test_other_dtypes() -> None:
    assert Cells(tf.constant([True, False])._repr_html_()).rows == [["True", "False"]]
    complex_ = Cells(tf.constant(np.array([1 + 2j]))._repr_html_())
    assert complex_.rows == [["1+2j"]] and "complex128" in complex_.captions[0]
    assert Cells(tf.constant([np.nan, np.inf])._repr_html_()).rows == [["nan", "inf"]]


def test_floats_follow_numpys_print_precision() -> None:
    x = tf.constant(np.float64(np.pi))
    assert Cells(x._repr_html_()).rows == [["3.1415927"]]  # NumPy's default: 8 digits
    with np.printoptions(precision=3):
        assert Cells(x._repr_html_()).rows == [["3.14"]]


def test_large_vector_is_summarised() -> None:
    html = tf.constant(np.arange(1000, dtype=np.int32))._repr_html_()
    (row,) = Cells(html).rows
    assert row == ["0", "1", "2", "3", "4", "\u22ef", "995", "996", "997", "998", "999"]
    assert "shape=(1000,)" in html and ">500<" not in html


def test_large_matrix_is_summarised() -> None:
    value = np.arange(20 * 30).reshape(20, 30)
    rows = Cells(tf.constant(value)._repr_html_()).rows
    assert len(rows) == 11 and all(len(r) == 11 for r in rows)
    assert rows[0][:5] == ["0", "1", "2", "3", "4"] and rows[0][5] == "\u22ef"
    assert rows[0][-1] == str(value[0, -1]) and rows[-1][-1] == str(value[-1, -1])
    assert rows[5] == ["\u22ee"] * 5 + ["\u22f1"] + ["\u22ee"] * 5


def test_small_arrays_are_shown_whole() -> None:
    rows = Cells(tf.constant(np.ones((12, 12)))._repr_html_()).rows
    assert len(rows) == 12 and all(r == ["1"] * 12 for r in rows)


def test_higher_dimensional_and_empty_tensors() -> None:
    html = tf.constant(np.arange(8.0).reshape(2, 2, 2))._repr_html_()
    assert "<pre>" in html and "shape=(2, 2, 2) dtype=float64" in html
    assert "[[[0. 1.]" in html and "[6. 7.]]]" in html
    big = tf.constant(np.zeros((50, 50, 50)))._repr_html_()
    assert "..." in big and big.count("\n") < 60  # summarised by NumPy (50³ values)
    empty = tf.constant(np.zeros((0, 3)))._repr_html_()
    assert "shape=(0, 3)" in empty and "[]" in empty


def test_variable_shows_its_name() -> None:
    v = tf.Variable([[1.0, 2.0]], name="weights")
    cells = Cells(v._repr_html_())
    assert cells.rows == [["1", "2"]]
    assert cells.captions == ["tape.Variable 'weights:0' shape=(1, 2) dtype=float32"]


def test_everything_is_escaped() -> None:
    v = tf.Variable(1.0, name='<script>alert("x")</script>&')
    html = v._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert Cells(html).captions == [
        "tape.Variable '<script>alert(\"x\")</script>&:0' shape=() dtype=float32"]
    x = tf.constant(1.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * 2
    html = _show.tape_html(t, names={"<b>x</b>": x, "y&z": y})
    assert "<b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and "y&amp;z" in html
    assert "&lt;GradientTape non-persistent" in html


# ----------------------------------------------------------------- tapes

def seed_tape() -> tf.GradientTape:
    x, y = tf.constant(np.float64(1.0)), tf.constant(np.float64(2.0))
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, y])
        f = (x * x + 2 * x) * tf.math.log(y)
    dx, dy = t.gradient(f, [x, y])
    assert float(dx) == pytest.approx(4 * LN2) and float(dy) == pytest.approx(1.5)
    return t


def g7(v: float) -> str:
    return f"{v:.7g}"


SEED_ROWS = [  # value, op, inputs, result, shape, dtype, local derivatives, adjoint
    ["x0", "input", "", "1", "()", "float64", "", g7(4 * LN2)],
    ["x1", "input", "", "2", "()", "float64", "", "1.5"],
    ["v1", "multiply", "x0, x0", "1", "()", "float64",
     "dv1/dx0 = 1 (arg 1) + 1 (arg 2) = 2", g7(LN2)],
    ["v2", "multiply", "2, x0", "2", "()", "float64", "dv2/dx0 = 2", g7(LN2)],
    ["v3", "add", "v1, v2", "3", "()", "float64", "dv3/dv1 = 1, dv3/dv2 = 1", g7(LN2)],
    ["v4", "log", "x1", g7(LN2), "()", "float64", "dv4/dx1 = 0.5", "3"],
    ["v5", "multiply", "v3, v4", g7(3 * LN2), "()", "float64",
     f"dv5/dv3 = {g7(LN2)}, dv5/dv4 = 3", "1"],
]


def test_tape_html_is_the_wengert_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # no graph: the table alone
    t = seed_tape()
    html = t._repr_html_()
    rows = Cells(html).rows
    assert rows[0] == ["value", "op", "inputs", "result", "shape", "dtype",
                       "local derivatives", "adjoint"]
    assert rows[1:] == SEED_ROWS
    assert "&lt;GradientTape persistent, not recording, 5 entries&gt;" in html
    assert "<svg" not in html


def test_tape_html_and_text_table_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)
    t = seed_tape()
    lines = t.table().splitlines()
    for line, row in zip(lines[2:], SEED_ROWS, strict=True):
        for cell in row:
            assert cell in line


def test_empty_and_released_tapes() -> None:
    with tf.GradientTape() as t:
        pass
    assert "0 entries" in t._repr_html_()
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    assert "<table>" in t._repr_html_()
    t.gradient(y, x)
    html = t._repr_html_()
    assert "released after gradient()" in html and "<table>" not in html


def test_long_tape_shows_its_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_graphviz(monkeypatch)
    x = tf.constant(np.float64(1.0))
    with tf.GradientTape() as t:
        t.watch(x)
        y = x
        for _ in range(100):
            y = y + 1.0
    html = t._repr_html_()
    rows = Cells(html).rows
    assert len(rows) == 1 + 60 + 1  # header, first 50 and last 10 rows, a note between
    assert "rows not shown" in html and "v100" in html and "v60" not in html
    assert "<svg" not in html  # too large a graph to draw inline


# ------------------------------------------------------- the graph, with and without Graphviz

SVG = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!DOCTYPE svg PUBLIC "-//W3C//'
       'DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
       '<svg width="10pt" height="10pt"><g class="graph"></g></svg>\n')


def fake_graphviz(monkeypatch: pytest.MonkeyPatch, *, dot: bool = True,
                  fails: bool = False) -> list[str]:
    """A stand-in graphviz module whose Source(...).pipe() gives SVG (or raises), and a
    ``dot`` program found on PATH or not; returns the DOT texts it was given."""
    given: list[str] = []

    class ExecutableNotFound(RuntimeError):
        pass

    class Source:
        def __init__(self, text: str) -> None:
            given.append(text)

        def pipe(self, format: str) -> bytes:
            assert format == "svg"
            if fails:
                raise ExecutableNotFound("failed to execute 'dot'")
            return SVG.encode()

    module = types.ModuleType("graphviz")
    module.Source = Source
    module.ExecutableNotFound = ExecutableNotFound
    monkeypatch.setitem(sys.modules, "graphviz", module)
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/dot" if dot else None)
    return given


def test_graph_is_inline_svg_with_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    given = fake_graphviz(monkeypatch)
    html = seed_tape()._repr_html_()
    assert '<svg width="10pt"' in html and "<?xml" not in html and "DOCTYPE" not in html
    assert html.index("</table>") < html.index("<svg")
    (dot,) = given
    assert dot.startswith("digraph tape {") and "log" in dot and '"x0" -> op2' in dot


def test_no_graph_without_the_graphviz_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz raises ImportError
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/dot")
    html = seed_tape()._repr_html_()
    assert "<svg" not in html and Cells(html).rows[1:] == SEED_ROWS


def test_no_graph_without_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    given = fake_graphviz(monkeypatch, dot=False)
    html = seed_tape()._repr_html_()
    assert "<svg" not in html and Cells(html).rows[1:] == SEED_ROWS and not given


def test_no_graph_when_dot_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_graphviz(monkeypatch, fails=True)
    html = seed_tape()._repr_html_()
    assert "<svg" not in html and Cells(html).rows[1:] == SEED_ROWS


def test_graph_with_the_real_graphviz() -> None:
    pytest.importorskip("graphviz", reason="needs the graphviz package (the examples extra)")
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot program")
    html = seed_tape()._repr_html_()
    assert "<svg" in html and "</svg>" in html and "<?xml" not in html


# ----------------------------------------------------------------- one value, several arguments

def test_repeated_argument_shows_positions_and_sum() -> None:
    """d(x·x)/dx: x for each of the two positions, 2x in all (x = 3); d(x + x)/dx = 1 + 1."""
    x = tf.constant(np.float64(3.0))
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
        z = x + x
    table = t.table(names={"x": x, "y": y, "z": z})
    assert "dy/dx = 3 (arg 1) + 3 (arg 2) = 6" in table
    assert "dz/dx = 1 (arg 1) + 1 (arg 2) = 2" in table


def test_positions_count_constant_arguments() -> None:
    """where(True, x, x) takes x from its second argument: derivatives 1 and 0 by position."""
    x = tf.constant(np.float64(2.0))
    with tf.GradientTape() as t:
        t.watch(x)
        w = tf.where(True, x, x)
    table = t.table(names={"x": x, "w": w})
    assert "True, x, x" in table and "dw/dx = 1 (arg 2) + 0 (arg 3) = 1" in table


def test_distinct_arguments_are_unchanged() -> None:
    """d(x·y)/dx = y, d(x·y)/dy = x at (2, 5): no positions when each input is used once."""
    x, y = tf.constant(np.float64(2.0)), tf.constant(np.float64(5.0))
    with tf.GradientTape() as t:
        t.watch([x, y])
        p = x * y
    table = t.table(names={"x": x, "y": y, "p": p})
    assert "dp/dx = 5, dp/dy = 2" in table and "(arg" not in table
