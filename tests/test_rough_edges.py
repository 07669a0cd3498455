"""A newcomer's first steps: the tape's repr, rendering without Graphviz, ``python -m tape``."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import tape as tf
from tape import _show

ROOT = Path(__file__).resolve().parent.parent


def test_repr_counts_entries_in_good_grammar() -> None:
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        assert "0 entries" in repr(t)
        y = x * x
        assert repr(t).endswith(", 1 entry>")
        y * x
        assert repr(t).endswith(", 2 entries>")


def _recorded() -> tf.GradientTape:
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        x * x + x
    return t


def _fake_graphviz(monkeypatch: pytest.MonkeyPatch, *, dot_runs: bool) -> None:
    """A stand-in for the ``graphviz`` package: its ``pipe`` fails like the real one does
    without ``dot``, or returns a picture."""
    module = types.ModuleType("graphviz")

    class ExecutableNotFound(RuntimeError):
        pass

    class Source:
        def __init__(self, source: str) -> None:
            self.source = source

        def pipe(self, format: str) -> bytes:
            if not dot_runs:
                raise ExecutableNotFound("failed to execute PosixPath('dot')")
            return b"<svg>" + self.source.encode() + b"</svg>"

    module.ExecutableNotFound = ExecutableNotFound
    module.Source = Source
    monkeypatch.setitem(sys.modules, "graphviz", module)


def test_render_without_dot_says_how_to_install_it_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_graphviz(monkeypatch, dot_runs=False)
    monkeypatch.setattr(_show.shutil, "which", lambda name: None)
    monkeypatch.chdir(tmp_path)
    t = _recorded()
    for path in ("graph.png", "graph.svg", str(tmp_path / "sub.png")):
        with pytest.raises(RuntimeError, match="apt-get install graphviz") as info:
            t.render(path)
        assert "`dot`" in str(info.value) and "brew install graphviz" in str(info.value)
        assert "conda install graphviz" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_render_when_dot_fails_to_start_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_graphviz(monkeypatch, dot_runs=False)
    monkeypatch.setattr(_show.shutil, "which", lambda name: "/usr/bin/dot")  # found, but fails
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        _recorded().render(str(tmp_path / "graph.png"))
    assert list(tmp_path.iterdir()) == []


def test_render_with_dot_writes_only_the_picture(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_graphviz(monkeypatch, dot_runs=True)
    monkeypatch.setattr(_show.shutil, "which", lambda name: "/usr/bin/dot")
    written = _recorded().render(str(tmp_path / "graph.svg"))
    assert written == str(tmp_path / "graph.svg")
    assert [p.name for p in tmp_path.iterdir()] == ["graph.svg"]
    assert (tmp_path / "graph.svg").read_bytes().startswith(b"<svg>digraph tape {")


def test_render_without_the_graphviz_package_names_the_extra(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz now fails
    with pytest.raises(ImportError) as info:
        _recorded().render(str(tmp_path / "graph.png"))
    message = str(info.value)
    assert 'pip install "tape[examples]"' in message and "pip install graphviz" in message
    assert "to_dot()" in message
    assert list(tmp_path.iterdir()) == []


def test_render_with_real_graphviz_without_dot_on_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("graphviz")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        _recorded().render(str(tmp_path / "graph.png"))
    assert list(tmp_path.iterdir()) == []


def _python_m_tape(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "tape", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_python_m_tape_help_prints_help_not_the_demo() -> None:
    proc = _python_m_tape("--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: python -m tape")
    assert "Seed examples" not in proc.stdout
    assert "examples/" in proc.stdout and "docs/tensorflow.md" in proc.stdout


def test_python_m_tape_rejects_unknown_options() -> None:
    proc = _python_m_tape("--bogus")
    assert proc.returncode == 2 and "unrecognized arguments" in proc.stderr
    assert "Seed examples" not in proc.stdout


def test_python_m_tape_demo_ends_with_where_to_go_next() -> None:
    proc = _python_m_tape()
    assert proc.returncode == 0, proc.stderr
    assert "All tutorial asserts passed." in proc.stdout
    tail = proc.stdout.split("All tutorial asserts passed.")[1]
    assert "Where to go next" in tail
    for place in ("examples/", "docs/", "docs/tensorflow.md"):
        assert place in tail
