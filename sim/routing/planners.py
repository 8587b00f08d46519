"""One entry point for every planner: the ``Planner`` protocol, the built-in planners, a registry.

Two planners are registered:

* ``"heuristic"`` -- ``HeuristicPlanner``, sweep construction + local search
  (``sim.routing.heuristic``): fast, deterministic, ignores seed and budget.
* ``"pyvrp"`` -- ``PyVRPPlanner``, PyVRP's iterated local search (``sim.routing.pyvrp_adapter``)
  with a budget in seconds (turned into a fixed iteration count, so the plan depends only
  on the problem, the budget and the seed); never worse than the heuristic.

Both return solutions with the same meaning and the same measurements
(``route_distance_km``, ``route_duration_h``), so callers can switch planners by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from sim.routing.builtin import plan_builtin
from sim.routing.problem import RoutingProblem
from sim.routing.solution import Solution


class Planner(Protocol):
    """Anything that turns a routing problem into a feasible solution."""

    def solve(self, problem: RoutingProblem, *, seed: int, budget: float | None) -> Solution:
        """Plan the routes of one problem; ``budget`` is in seconds (None: the planner's own stopping rule)."""
        ...


@dataclass(frozen=True)
class HeuristicPlanner:
    """The built-in sweep + local-search planner (deterministic, no tuning knobs)."""

    def solve(self, problem: RoutingProblem, *, seed: int, budget: float | None) -> Solution:
        """Plan with ``plan_heuristic`` (``plan_matrix`` on travel matrices); ``seed`` and ``budget`` are ignored."""
        return plan_builtin(problem)


@dataclass(frozen=True)
class PyVRPPlanner:
    """PyVRP's solver, warm-started from the heuristic; needs a positive budget in seconds."""

    def solve(self, problem: RoutingProblem, *, seed: int, budget: float | None) -> Solution:
        """Plan with ``sim.routing.pyvrp_adapter.plan_pyvrp`` (same problem, budget and seed: same plan)."""
        if budget is None:
            raise ValueError("the pyvrp planner needs a budget in seconds")
        # Imported here so that runs with other planners never pay for importing PyVRP.
        from sim.routing.pyvrp_adapter import plan_pyvrp

        return plan_pyvrp(problem, budget, seed)


_REGISTRY: dict[str, Planner] = {"heuristic": HeuristicPlanner(), "pyvrp": PyVRPPlanner()}
PLANNERS: Mapping[str, Planner] = MappingProxyType(_REGISTRY)
"""The registered planners by name (read-only; add planners with ``register_planner``)."""


def register_planner(name: str, planner: Planner, *, replace: bool = False) -> None:
    """Make ``planner`` available under ``name`` (to ``solve`` and ``get_planner``).

    Raises ``ValueError`` if the name is taken, unless ``replace`` is true.
    """
    if name in _REGISTRY and not replace:
        raise ValueError(f"a planner named {name!r} is already registered")
    _REGISTRY[name] = planner


def get_planner(name: str) -> Planner:
    """The planner registered as ``name``; ``ValueError`` naming the known planners otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(repr(k) for k in sorted(_REGISTRY))
        raise ValueError(f"unknown planner {name!r}; known planners: {known}") from None


def solve(
    problem: RoutingProblem, *, seed: int = 0, budget: float | None = None, planner: str = "heuristic"
) -> Solution:
    """Plan ``problem`` with the planner registered as ``planner``."""
    return get_planner(planner).solve(problem, seed=seed, budget=budget)
