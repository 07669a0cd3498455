"""examples/seeds.ipynb runs, cell after cell, and is stored without outputs.

Jupyter is not needed: the notebook's JSON is read and its code cells are executed in order
in one namespace, as a kernel would, and the value of each cell's last expression is shown as
Jupyter shows it (its ``_repr_html_`` when it has one). The cells assert their own results
against closed forms. When ``nbclient``, ``nbformat`` and a Python kernel are installed, the
notebook is also run by Jupyter's own machinery.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "seeds.ipynb"


def code_cells() -> list[str]:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def run_cell(source: str, namespace: dict, name: str) -> Any:
    """Execute one cell; return the value of its last line when that is an expression (what
    Jupyter displays), else None."""
    tree = ast.parse(source, filename=name)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, name, "exec"), namespace)
    if last is None:
        return None
    return eval(compile(last, name, "eval"), namespace)


def display(value: Any) -> str:
    """What Jupyter shows for a cell's value: its HTML when it has some, else its repr."""
    html = getattr(value, "_repr_html_", None)
    return html() if html is not None else repr(value)


def test_the_notebook_is_stored_without_outputs() -> None:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert cells
    for cell in cells:
        assert cell["outputs"] == [] and cell["execution_count"] is None, cell["source"][:1]


def test_the_notebook_runs() -> None:
    namespace: dict = {"__name__": "__main__"}
    shown = []
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for k, source in enumerate(code_cells()):
            value = run_cell(source, namespace, f"{NOTEBOOK.name}, code cell {k + 1}")
            if value is not None:
                shown.append(display(value))

    # The gradients, against the closed forms: x² + x at 2, and (x² + 2x) ln y at (1, 2).
    assert float(namespace["g"]) == pytest.approx(5.0, abs=1e-6)
    assert float(namespace["dx"]) == pytest.approx(4 * np.log(2.0), abs=1e-12)
    assert float(namespace["dy"]) == pytest.approx(1.5, abs=1e-12)
    # The logistic regression learned: its cost fell from ln 2 and it separates the clouds.
    losses = namespace["losses"]
    assert losses[0] == pytest.approx(np.log(2.0), abs=1e-12) and losses[-1] < losses[0] / 3
    # What the cells display: the gradient 5 as a table, the tape as its Wengert list (each
    # recorded op with x used twice by multiply), a summarised vector, the variable w.
    assert "<td" in shown[0] and ">5<" in shown[0] and "shape=()" in shown[0]
    tape_html = shown[1]
    for op in ("multiply", "add", "log"):
        assert op in tape_html
    assert "(arg 1)" in tape_html and "(arg 2)" in tape_html
    assert any("\u22ef" in s and "shape=(1000,)" in s for s in shown)
    assert any("w:0" in s for s in shown)
    # The forward/backward table it prints.
    assert "da/dx = 1 (arg 1) + 1 (arg 2) = 2" in out.getvalue()
    assert "accuracy on the training points" in out.getvalue()


def test_the_notebook_runs_in_jupyter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat", reason="needs nbformat (Jupyter)")
    nbclient = pytest.importorskip("nbclient", reason="needs nbclient (Jupyter)")
    jupyter_client = pytest.importorskip("jupyter_client")
    try:
        jupyter_client.kernelspec.KernelSpecManager().get_kernel_spec("python3")
    except jupyter_client.kernelspec.NoSuchKernel:
        pytest.skip("no python3 Jupyter kernel (pip install ipykernel)")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the kernel imports this checkout's tape
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o.data["text/html"] for o in outputs
            if o.output_type == "execute_result" and "text/html" in o.data]
    assert any("multiply" in h and "(arg 2)" in h for h in html)
