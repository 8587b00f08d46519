"""The shape of sim.scenario: small modules whose imports form a DAG, with base at the bottom."""

from __future__ import annotations

import ast
import importlib
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest
from pydantic import BaseModel

import sim.scenario
from sim.scenario import schema

PACKAGE = Path(sim.scenario.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))
TOPICS = {"demand", "disruptions", "horizon", "inventory", "lastmile", "linehaul", "network"}


def _imports(path: Path) -> set[str]:
    """The sim modules a file imports, anywhere in it (functions and TYPE_CHECKING blocks included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "sim" or name.startswith("sim.")}


def _graph() -> dict[str, set[str]]:
    """Module name (``sim.scenario.x``) to the sim.scenario modules it imports."""
    names = {f"sim.scenario.{p.stem}" if p.stem != "__init__" else "sim.scenario": p for p in MODULES}
    return {name: {m for m in _imports(path) if m in names} for name, path in names.items()}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_modules_are_small(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= 600


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_the_package_imports_nothing_else_of_sim(path: Path) -> None:
    # The modules that read the scenario's data files may use sim.geo (pure readers, below the scenario).
    geo = path.name in ("geo_data.py", "distance_files.py")
    assert all(m.startswith("sim.scenario") or m == "sim.errors" or (geo and (m == "sim.geo" or m.startswith(
        "sim.geo."))) for m in _imports(path)), _imports(path)


def test_the_modules_form_a_dag() -> None:
    try:
        order = list(TopologicalSorter(_graph()).static_order())
    except CycleError as exc:
        pytest.fail(f"import cycle in sim.scenario: {exc.args[1]}")
    assert order.index("sim.scenario.base") < order.index("sim.scenario.schema") < order.index("sim.scenario.loader")


def test_base_is_the_bottom_and_topics_do_not_reach_up() -> None:
    graph = _graph()
    assert graph["sim.scenario.base"] == set()
    for topic in TOPICS:
        above = {"sim.scenario", "sim.scenario.schema", "sim.scenario.loader"}
        assert not graph[f"sim.scenario.{topic}"] & above, topic


def test_the_schema_re_exports_every_topic_model() -> None:
    for topic in TOPICS:
        module = importlib.import_module(f"sim.scenario.{topic}")
        models = {name for name, value in vars(module).items()
                  if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__}
        assert models <= set(schema.__all__), (topic, models - set(schema.__all__))
        assert all(getattr(schema, name) is getattr(module, name) for name in models)
