"""The courier route planner interface: one ``plan(problem) -> RoutePlan`` for every planner.

Two planners implement it:

* ``HeuristicPlanner`` -- sweep construction + local search (``sim.model.routing``): fast,
  deterministic, no parameters.
* ``PyVRPPlanner`` -- PyVRP's iterated local search (``sim.model.routing_pyvrp``), given a
  time budget and a seed; never worse than the heuristic on the same problem.

Both return plans with the same meaning and the same measurements (``route_distance_km``,
``route_duration_h``), so callers can switch planners with one scenario field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from sim.model.routing import RoutePlan, RoutingProblem, plan_routes

PlannerName = Literal["heuristic", "pyvrp"]


class Planner(Protocol):
    """Anything that turns a depot-day's routing problem into a feasible route plan."""

    def plan(self, problem: RoutingProblem) -> RoutePlan:
        """Plan the routes of one problem."""
        ...


@dataclass(frozen=True)
class HeuristicPlanner:
    """The built-in sweep + local-search planner (deterministic, no tuning knobs)."""

    def plan(self, problem: RoutingProblem) -> RoutePlan:
        """Plan with ``sim.model.routing.plan_routes``."""
        return plan_routes(problem)


@dataclass(frozen=True)
class PyVRPPlanner:
    """PyVRP's solver with a time budget (seconds per problem) and a seed."""

    time_budget_s: float
    seed: int

    def __post_init__(self) -> None:
        if not self.time_budget_s > 0.0:
            raise ValueError(f"time_budget_s must be positive, got {self.time_budget_s}")

    def plan(self, problem: RoutingProblem) -> RoutePlan:
        """Plan with ``sim.model.routing_pyvrp.plan_routes_pyvrp``."""
        # Imported here so that runs with the heuristic never pay for importing PyVRP.
        from sim.model.routing_pyvrp import plan_routes_pyvrp

        return plan_routes_pyvrp(problem, self.time_budget_s, self.seed)


def make_planner(name: PlannerName, time_budget_s: float, seed: int) -> Planner:
    """The planner called ``name``; ``time_budget_s`` and ``seed`` only matter for PyVRP."""
    if name == "heuristic":
        return HeuristicPlanner()
    if name == "pyvrp":
        return PyVRPPlanner(time_budget_s=time_budget_s, seed=seed)
    raise ValueError(f"unknown planner {name!r}; expected 'heuristic' or 'pyvrp'")
