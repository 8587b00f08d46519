"""The package's shape: no import cycles, imports point down the layers, no module over 600 lines.

Imports are read from the source with ``ast``, so imports under ``if TYPE_CHECKING:``
and imports inside functions count as much as top-level ones: a cycle hidden
behind either is still a cycle in the design.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sim"
MAX_LINES = 600

# Layers, lowest first. A module may import modules of its own layer or of a lower one (with the exceptions below).
LAYERS: dict[str, int] = {
    "sim.errors": 0,
    "sim.geo": 0,  # coordinates and the user's data files: pure functions the scenario loader and the model use
    "sim.routing": 1,
    "sim.scenario": 1,
    "sim.records": 2,
    "sim.ledger": 2,
    "sim.model": 3,
    "sim.metrics": 4,
    "sim.tables": 4,
    "sim.plotting": 5,
    "sim.result": 6,
    "sim.runner": 7,
    "sim.output": 7,
    "sim.report": 7,
    "sim.reporting": 7,  # report.html: reads results folders (sim.output), written by sim.output.writer
    "sim.experiments": 8,
    "sim.strategies": 8,
    "sim.verify": 8,  # sim verify: runs the model's parts, the baseline and the planner against theory
    "sim.cli": 9,
    "sim.__main__": 9,
    "sim": 9,
}
# Packages that must stay independent of everything else in sim (besides sim.errors).
SELF_CONTAINED = ("sim.routing", "sim.scenario", "sim.geo")
# What a self-contained package may import besides itself: sim.errors, and for the scenario sim.geo (its data files).
MAY_IMPORT = {"sim.routing": ("sim.errors",), "sim.scenario": ("sim.errors", "sim.geo"), "sim.geo": ("sim.errors",)}
# Layers above the model that must not import it: they work on records and tables only.
MODEL_FREE = ("sim.metrics", "sim.tables", "sim.plotting", "sim.result")


def module_name(path: Path) -> str:
    """Dotted module name of a file under the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path) -> set[str]:
    """The sim modules a module imports anywhere in its source (TYPE_CHECKING blocks and functions included)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            # "from sim.a import b" imports the module sim.a.b when there is one, else a name of sim.a.
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source
                       for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


GRAPH = {name: imported_modules(name, path) for name, path in MODULES.items()}


def layer_of(name: str) -> str:
    """The longest layer prefix of a module name."""
    matches = [layer for layer in LAYERS if name == layer or (layer != "sim" and name.startswith(layer + "."))]
    if not matches:
        raise AssertionError(f"{name} is in no layer: add it to LAYERS in {Path(__file__).name}")
    return max(matches, key=len)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for child in sorted(graph[node]):
            if state.get(child) == 1:
                return [*path[path.index(child):], child]
            if child not in state and (cycle := visit(child)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_no_import_cycles():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_find_cycle_sees_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_type_checking_and_function_imports_are_counted(tmp_path):
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sim.cli import main\n" \
             "def f():\n    from sim.runner import run\n"
    fake = tmp_path / "errors.py"
    fake.write_text(source)
    assert {"sim.cli", "sim.runner"} <= imported_modules("sim.errors", fake)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down_the_layers(name):
    own = layer_of(name)
    for target in GRAPH[name]:
        other = layer_of(target)
        assert LAYERS[other] <= LAYERS[own], f"{name} ({own}) imports {target} ({other}), a higher layer"
        for package in SELF_CONTAINED:
            if own == package:
                allowed = (package, *MAY_IMPORT[package])
                assert other in allowed, f"{name} must not import {target}: {package} stands alone"
        if own in MODEL_FREE:
            assert other != "sim.model", f"{name} must not import the model ({target}): it works on records"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_over_600_lines(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name]} has {lines} lines (at most {MAX_LINES})"
