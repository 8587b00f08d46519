"""Tests of the planner registry and the ``solve`` entry point (sim.routing.planners), and package rules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from routing_checker import make_problem

from sim.routing import (
    PLANNERS,
    HeuristicPlanner,
    PyVRPPlanner,
    RoutingProblem,
    Solution,
    get_planner,
    register_planner,
    solve,
)
from sim.routing.heuristic import plan_heuristic
from sim.routing.pyvrp_adapter import plan_pyvrp

PACKAGE = Path(__file__).resolve().parents[2] / "sim" / "routing"
BUDGET = 0.05


def routes_of(plan: Solution) -> list[list[int]]:
    return [r.stops.tolist() for r in plan.routes]


class EverythingUnassigned:
    """A test planner: serves nothing, and remembers what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, float | None]] = []

    def solve(self, problem: RoutingProblem, *, seed: int, budget: float | None) -> Solution:
        self.calls.append((seed, budget))
        return Solution(routes=(), unassigned=np.arange(len(problem.stop_xy), dtype=np.intp))


def test_built_in_planners_are_registered() -> None:
    assert isinstance(PLANNERS["heuristic"], HeuristicPlanner)
    assert isinstance(PLANNERS["pyvrp"], PyVRPPlanner)
    with pytest.raises(TypeError):
        PLANNERS["other"] = HeuristicPlanner()  # type: ignore[index]


def test_unknown_planner_error_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown planner 'ortools'.*'heuristic'.*'pyvrp'"):
        get_planner("ortools")
    with pytest.raises(ValueError, match="ortools"):
        solve(make_problem(3), planner="ortools")


def test_a_registered_planner_is_used_by_solve() -> None:
    planner = EverythingUnassigned()
    register_planner("test-everything-unassigned", planner, replace=True)
    problem = make_problem(4, seed=1)
    solution = solve(problem, seed=3, budget=1.5, planner="test-everything-unassigned")
    assert solution.routes == () and solution.unassigned.tolist() == [0, 1, 2, 3]
    assert planner.calls == [(3, 1.5)]
    with pytest.raises(ValueError, match="already registered"):
        register_planner("test-everything-unassigned", planner)


def test_solve_defaults_to_the_heuristic() -> None:
    problem = make_problem(80, seed=260, routes_by_volume=2.0, max_routes=4)
    assert routes_of(solve(problem)) == routes_of(plan_heuristic(problem))
    assert routes_of(solve(problem, seed=5, budget=9.0)) == routes_of(plan_heuristic(problem))


def test_pyvrp_planner_uses_seed_and_budget() -> None:
    problem = make_problem(80, seed=261, routes_by_volume=2.0, max_routes=4)
    expected = routes_of(plan_pyvrp(problem, BUDGET, 5))
    assert routes_of(solve(problem, seed=5, budget=BUDGET, planner="pyvrp")) == expected
    with pytest.raises(ValueError, match="budget"):
        solve(problem, planner="pyvrp")
    with pytest.raises(ValueError, match="positive"):
        solve(problem, budget=0.0, planner="pyvrp")


def test_import_loads_no_simulator_and_no_pyvrp() -> None:
    # ``sim/__init__.py`` (the simulator's facade) is not run: an empty ``sim`` package
    # stands in for it, so this sees exactly what ``import sim.routing`` itself loads.
    code = (
        "import sys, types; pkg = types.ModuleType('sim'); pkg.__path__ = [sys.argv[1]]; sys.modules['sim'] = pkg; "
        "import sim.routing; print('\\n'.join(sorted(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code, str(PACKAGE.parent)], check=True, capture_output=True, text=True
    ).stdout.split()
    assert "sim.routing.planners" in loaded
    banned = ("simpy", "sim.model", "sim.scenario", "pyvrp")
    assert [m for m in loaded if m in banned or m.startswith(tuple(f"{b}." for b in banned))] == []


def test_package_imports_only_itself_from_sim() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name == "sim" or name.startswith("sim."):
                    assert name.startswith("sim.routing"), f"{path.name} imports {name}"


def test_pyvrp_is_imported_only_by_the_adapter_at_module_level() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text())
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        modules = [n.module or "" for n in top if isinstance(n, ast.ImportFrom)]
        modules += [a.name for n in top if isinstance(n, ast.Import) for a in n.names]
        uses_pyvrp = any(m == "pyvrp" or m.startswith(("pyvrp.", "sim.routing.pyvrp_adapter")) for m in modules)
        assert uses_pyvrp == (path.name == "pyvrp_adapter.py"), path.name


def test_no_module_over_600_lines() -> None:
    sizes = {path.name: len(path.read_text().splitlines()) for path in PACKAGE.glob("*.py")}
    assert sizes and max(sizes.values()) <= 600, sizes
