"""Every example in examples/ runs with --fast in a subprocess and its own asserts pass.

Examples that need an optional dependency (the ``examples`` extra: scikit-learn, matplotlib,
tqdm, graphviz) are skipped, saying which, when it is missing. Nothing about timings is
asserted.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# example -> (optional modules it needs, files it writes to --out, a line it prints)
CASES = {
    "tutorial": ((), (), "All tutorial asserts passed."),
    "numerical_vs_automatic": (("matplotlib",), ("numerical_vs_automatic.png",),
                               "automatic (tape)"),
    "logistic_regression": (("sklearn", "tqdm"), (), "held-out"),
    "mlp_digits": (("sklearn", "tqdm", "matplotlib"), ("mlp_digits_loss.png",), "held-out"),
    "higher_order": (("matplotlib",), ("higher_order_paths.png",), "Newton's method:"),
    "wengert_list": ((), ("seed001_graph.dot", "seed003_graph.dot"), "df/dd = 3"),
    # uses tape.keras.losses ("sparse_categorical_crossentropy") and metrics ("accuracy")
    "keras_style": ((), (), "the copy predicts the same"),
    "per_example_gradients": ((), (), "clipped per-example gradients"),
    # the picture is drawn only when matplotlib is installed
    "fit_distribution": (("scipy",), (), "SciPy's fit:"),
    # the picture is drawn only when matplotlib is installed
    "phase_mask": ((), (), "overlap with the target"),
}


def run_example(name: str, out: Path, *, prelude: str = "") -> subprocess.CompletedProcess:
    """``python examples/NAME.py --fast --out OUT`` in OUT, without a display; ``prelude`` is
    Python run first in the same interpreter (to hide an optional package)."""
    script = str(EXAMPLES / f"{name}.py")
    args = [script, "--fast", "--out", str(out)]
    if prelude:
        args = ["-c", f"{prelude}\nimport runpy, sys\nsys.argv = {args!r}\n"
                f"runpy.run_path({script!r}, run_name='__main__')"]
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, *args],
        cwd=out, env=env, capture_output=True, text=True, timeout=600,
    )


def test_every_example_is_tested():
    assert {p.stem for p in EXAMPLES.glob("*.py")} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_runs_fast(name: str, tmp_path: Path) -> None:
    needs, files, line = CASES[name]
    for module in needs:
        pytest.importorskip(module, reason=f"examples/{name}.py needs the optional "
                            f"'{module}' (pip install -e '.[examples]')")
    proc = run_example(name, tmp_path)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert line in proc.stdout
    for f in files:
        assert (tmp_path / f).stat().st_size > 0, f
    assert not (tmp_path / "examples-output").exists()  # --out is obeyed


def test_every_example_takes_out_and_fast() -> None:
    for name in sorted(CASES):
        if any(importlib.util.find_spec(m) is None for m in CASES[name][0]):
            continue  # it stops at its imports, naming the extra (tested below)
        proc = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), "--help"],
                              env=dict(os.environ, PYTHONPATH=str(ROOT)),
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert "--out" in proc.stdout and "--fast" in proc.stdout, name


def test_default_out_is_examples_output(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, str(EXAMPLES / "wengert_list.py"), "--fast"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "examples-output" / "seed001_graph.dot").stat().st_size > 0


@pytest.mark.parametrize("name, module", [("logistic_regression", "sklearn"),
                                          ("mlp_digits", "tqdm"),
                                          ("numerical_vs_automatic", "matplotlib")])
def test_a_missing_extra_names_the_extra(name: str, module: str, tmp_path: Path) -> None:
    absent = {module} | {m for m in CASES[name][0] if importlib.util.find_spec(m) is None}
    hide = (f"import sys\nfor m in list(sys.modules):\n    if m.split('.')[0] == {module!r}: "
            f"del sys.modules[m]\nsys.modules[{module!r}] = None")
    proc = run_example(name, tmp_path, prelude=hide)
    assert proc.returncode == 1, proc.stderr
    assert "ModuleNotFoundError" not in proc.stderr and "Traceback" not in proc.stderr
    assert any(f"'{m}'" in proc.stderr for m in absent), proc.stderr
    assert 'pip install -e ".[examples]"' in proc.stderr


def test_graph_pictures_when_graphviz_is_installed(tmp_path: Path) -> None:
    graphviz = pytest.importorskip("graphviz", reason="the optional 'graphviz' package")
    try:
        graphviz.version()
    except graphviz.ExecutableNotFound:
        pytest.skip("Graphviz's `dot` program is not installed (apt-get install graphviz)")
    proc = run_example("wengert_list", tmp_path)
    assert proc.returncode == 0, proc.stderr
    for stem in ("seed001_graph", "seed003_graph"):
        assert (tmp_path / f"{stem}.svg").read_text().lstrip().startswith("<?xml")
        assert (tmp_path / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
