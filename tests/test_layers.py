"""The layout of the package ``tape``: every module belongs to a layer, imports only from its
own layer or lower ones, at the top of its file; and tape's modules import one another without
a cycle.

    layer 0  data     Tensor and Variable, nested structures, the primitive table, IndexedSlices
    layer 1  engine   recording, the reverse sweep, the fast paths, anomaly checks
    layer 2  ops      the op table's declarations, operators and NumPy's protocols
    layer 3  faces    GradientTape, forward mode, custom gradients, the functional API, ...

Run it alone with ``python -m pytest -q tests/test_layers.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "tape"

LAYERS: dict[str, int] = {
    # layer 0: data
    "tape._tensor": 0,
    "tape._structure": 0,
    "tape._registry": 0,
    "tape._sparse": 0,
    "tape._missing": 0,
    # layer 1: the engine
    "tape._checks": 1,
    "tape._record": 1,
    "tape._sweep": 1,
    "tape._fast": 1,
    "tape._trace": 1,
    "tape._batch": 1,
    # layer 2: the op table
    "tape.ops": 2,
    "tape.ops._define": 2,
    "tape.ops._numpy_api": 2,
    "tape.ops._protocols": 2,
    "tape.ops.creation": 2,
    "tape.ops.elementwise": 2,
    "tape.ops.fft": 2,
    "tape.ops.linalg": 2,
    "tape.ops.methods": 2,
    "tape.ops.nn": 2,
    "tape.ops.reductions": 2,
    "tape.ops.shape": 2,
    "tape.ops.scipy_special": 2,
    "tape.ops.scipy_linalg": 2,
    # layer 3: public faces
    "tape._show": 3,
    "tape._tape": 3,
    "tape.forward": 3,
    "tape._custom": 3,
    "tape.functional": 3,
    "tape.testing": 3,
    "tape.optimizers": 3,
    "tape.keras": 3,
    "tape.keras.losses": 3,
    "tape.keras.metrics": 3,
    "tape.keras.optimizers": 3,
    "tape.autodiff": 3,
    "tape._function": 3,
    "tape.compat": 3,
    "tape.compat.v1": 3,
    "tape.math": 3,
    "tape.nn": 3,
    "tape.linalg": 3,
    "tape.signal": 3,
    "tape.random": 3,
    "tape.module": 3,
    "tape.keras.activations": 3,
    "tape.keras.initializers": 3,
    "tape.keras.layers": 3,
    "tape.keras.models": 3,
    "tape": 3,
    "tape.__main__": 3,
    "tape.scipy": 3,
    "tape.scipy.special": 3,
    "tape.scipy.stats": 3,
    "tape.scipy.linalg": 3,
    "tape.scipy.signal": 3,
}


def _modules() -> dict[str, Path]:
    """Every module of the package, by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = ("tape",) + path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _package_of(name: str) -> str:
    """The package that a module's relative imports start from."""
    return name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]


def _imports(name: str) -> list[tuple[str, int, bool]]:
    """The tape modules that module ``name`` imports: (module, line, at the top level)."""
    tree = ast.parse(MODULES[name].read_text(), filename=str(MODULES[name]))
    top = set(map(id, tree.body))
    out = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(name)
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            # ``from . import x``: the module tape.x when there is one, else a name of the
            # package (its __init__)
            subs = [f"{base}.{a.name}" for a in node.names]
            targets = [s for s in subs if s in MODULES] or [base]
            if len(targets) < len(subs):
                targets.append(base)
        for t in targets:
            while t and t not in MODULES and t.startswith("tape"):
                t = t.rpartition(".")[0]  # ``import tape.ops.shape.x`` names tape.ops.shape
            if t in MODULES and t != name:
                out.append((t, node.lineno, id(node) in top))
    return out


GRAPH = {name: _imports(name) for name in MODULES}


def test_every_module_has_a_layer() -> None:
    assert sorted(set(MODULES) - set(LAYERS)) == [], "declare the layer of each new module"
    assert sorted(set(LAYERS) - set(MODULES)) == [], "a declared module no longer exists"


def test_tape_imports_are_at_the_top_of_their_file() -> None:
    deferred = [
        f"{MODULES[name].relative_to(ROOT.parent)}:{line} imports {target}"
        for name, edges in GRAPH.items()
        for target, line, top in edges
        if not top
    ]
    assert deferred == []


def test_imports_point_down_the_layers() -> None:
    upward = [
        f"{name} (layer {LAYERS[name]}) imports {target} (layer {LAYERS[target]}), line {line}"
        for name, edges in GRAPH.items()
        for target, line, _ in edges
        if LAYERS[target] > LAYERS[name]
    ]
    assert upward == []


def test_no_import_cycle() -> None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []
    cycles: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target, _, _ in GRAPH[name]:
            if state.get(target) == 1:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)
    assert cycles == []


@pytest.mark.parametrize("name", ["tape._record", "tape._sweep", "tape._tensor"])
def test_the_check_sees_imports(name: str) -> None:
    """The graph is not empty by accident: the engine's modules import the data layer."""
    assert any(t == "tape._tensor" or t == "tape._registry" for t, _, _ in GRAPH[name]) or (
        name == "tape._tensor"
    )
