"""The built-in planner's entry point: the coordinate heuristic, or the matrix planner when the problem has matrices."""

from __future__ import annotations

from sim.routing.heuristic import plan_heuristic
from sim.routing.matrix_planner import plan_matrix
from sim.routing.problem import RoutingProblem
from sim.routing.solution import Solution


def plan_builtin(problem: RoutingProblem) -> Solution:
    """``plan_matrix`` for a problem with travel matrices (real roads), else ``plan_heuristic``."""
    return plan_matrix(problem) if problem.has_matrix else plan_heuristic(problem)
