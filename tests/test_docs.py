"""The documentation cannot drift from the code.

- Every ```python block of docs/**/*.md, README.md and README.ko.md runs, in order, one
  namespace per file (a block may use what an earlier block of its page defined). Blocks that
  are not meant to run are marked ```text, ```bash or ```pycon instead.
- A ```text block right after a ```python block shows its output: every line of it must be
  among the lines the python block prints.
- The op table generator covers every primitive in the registry.
- Every page is in the site's navigation, and (when MkDocs and its plugins are installed: the
  ``docs`` extra) ``mkdocs build --strict`` succeeds.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md", ROOT / "README.ko.md"]
FENCE = re.compile(r"^([ \t]*)```(\w*)[^\n]*\n(.*?)^\1```[ \t]*$", re.M | re.S)


def python_blocks(path: Path) -> list[tuple[int, str, str | None]]:
    """(line number, code, expected output or None) of each ```python block, dedented by its
    fence's indentation; the expected output is a ```text block that follows it directly."""
    text = path.read_text(encoding="utf-8")
    fences = list(FENCE.finditer(text))
    blocks = []
    for k, m in enumerate(fences):
        if m.group(2) != "python":
            continue
        indent = len(m.group(1))
        code = "".join(line[indent:] if line[:indent].isspace() else line
                       for line in m.group(3).splitlines(keepends=True))
        expected = None
        if k + 1 < len(fences):
            nxt = fences[k + 1]
            if nxt.group(2) == "text" and not text[m.end():nxt.start()].strip():
                expected = nxt.group(3)
        blocks.append((text.count("\n", 0, m.start()) + 2, code, expected))
    return blocks


def page_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_code_blocks_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # files a block writes land in a temporary directory
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict = {"__name__": f"docs:{path.name}"}
    for line, code, expected in python_blocks(path):
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"{page_id(path)}:{line}", "exec"), namespace)
        except Exception as exc:
            pytest.fail(f"the python block at {page_id(path)}:{line} raised "
                        f"{type(exc).__name__}: {exc}\n\n{code}")
        if expected is not None:
            printed = {ln.rstrip() for ln in out.getvalue().splitlines()}
            missing = [ln for ln in expected.splitlines() if ln.strip()
                       and ln.rstrip() not in printed]
            assert not missing, (
                f"the output shown after the python block at {page_id(path)}:{line} is not "
                f"what it prints.\nNot printed: {missing}\nPrinted:\n{out.getvalue()}")


def test_the_pages_have_code_to_run() -> None:
    for name in ("index.md", "getting-started.md", "concepts.md", "seeing-the-tape.md",
                 "optimizers.md", "tensorflow.md"):
        assert python_blocks(ROOT / "docs" / name), name


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_op_table", ROOT / "docs/gen_op_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_op_table_lists_every_primitive_with_its_rules() -> None:
    from tape._registry import PRIMITIVES

    rows = {r["name"]: r for r in load_generator().collect()}
    assert set(rows) == set(PRIMITIVES)
    for name, r in rows.items():
        if PRIMITIVES[name].differentiable:
            assert r["vjp"] and "<lambda>" not in r["vjp"], (name, r["vjp"])
            assert r["jvp"], name
        else:
            assert r["vjp"] == "*not differentiable*", name
    # spot checks against the rules as written in tape/ops/elementwise.py
    assert rows["sin"]["vjp"] == "x: `g * np.cos(x)`"
    assert rows["multiply"]["vjp"] == "x: `g * y`<br>y: `g * x`"
    assert rows["subtract"]["vjp"] == "x: `g`<br>y: `-g`"
    assert rows["sin"]["jvp"] == "✓ same rule"
    assert "tape.sin" in rows["sin"]["recorded_by"] and "np.sin" in rows["sin"]["recorded_by"]
    assert "tape.reduce_sum" in rows["sum"]["recorded_by"]


def test_op_table_shows_no_private_name_of_tapes_source() -> None:
    generator = load_generator()
    assert generator.private_names(generator.markdown()) == []


def test_op_table_is_a_markdown_page() -> None:
    from tape._registry import PRIMITIVES

    page = load_generator().markdown()
    assert page.startswith("# Op table")
    for name in PRIMITIVES:
        assert f"\n| `{name}` |" in page, name
    for line in page.splitlines():
        if line.startswith("| `"):
            assert line.count(" | ") == 4, line  # five cells: no stray pipe in a rule


def test_every_page_is_in_the_navigation() -> None:
    nav = set(re.findall(r":\s*([\w/.-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(), re.M))
    pages = {str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*.md")}
    assert pages | {"reference/ops.md", "reference/numpy.md"} == nav


def test_doctest_blocks_become_code_blocks() -> None:
    pytest.importorskip("griffe", reason="the docs extra (griffe comes with mkdocstrings)")
    spec = importlib.util.spec_from_file_location("griffe_doctest",
                                                  ROOT / "docs/griffe_doctest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = ("Square it, see :func:`tape.grad`.\n\n>>> x = 2\n>>> x * x\n4\n\n"
            "The update::\n\n    w <- w - lr * g\n\nDone, ``ok``.")
    assert module.to_markdown(text) == (
        "Square it, see `tape.grad`.\n\n```pycon\n>>> x = 2\n>>> x * x\n4\n```\n\n"
        "The update:\n\n```text\nw <- w - lr * g\n```\n\nDone, `ok`."
    )


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    for module in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
        pytest.importorskip(module, reason=f"building the site needs '{module}' "
                            "(pip install -e '.[docs]')")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ops = (tmp_path / "reference" / "ops.html").read_text(encoding="utf-8")
    assert "g * np.cos(x)" in ops
    api = (tmp_path / "reference" / "tape.html").read_text(encoding="utf-8")
    assert "GradientTape" in api and "&gt;&gt;&gt;" in api
