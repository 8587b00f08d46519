"""Route planning for one depot-day: problem, solution, planners and the route timeline.

Pure planning code: it imports nothing else of ``sim``, and PyVRP only when the
``"pyvrp"`` planner runs. Typical use::

    from sim.routing import RoutingProblem, solve

    solution = solve(problem)                                    # the heuristic
    solution = solve(problem, seed=1, budget=0.5, planner="pyvrp")
    print(solution.cost, solution.distance_km, solution.num_routes)
"""

from sim.routing.construction import nearest_neighbour_order
from sim.routing.heuristic import plan_heuristic
from sim.routing.planners import (
    PLANNERS,
    HeuristicPlanner,
    Planner,
    PyVRPPlanner,
    get_planner,
    register_planner,
    solve,
)
from sim.routing.problem import Pricing, RoutingProblem
from sim.routing.schedule import route_arrival_times_h, route_distance_km, route_duration_h, route_is_feasible
from sim.routing.solution import Route, Solution
from sim.routing.threads import planning_threads, set_planning_threads

__all__ = [
    "PLANNERS",
    "HeuristicPlanner",
    "Planner",
    "Pricing",
    "PyVRPPlanner",
    "Route",
    "RoutingProblem",
    "Solution",
    "get_planner",
    "nearest_neighbour_order",
    "plan_heuristic",
    "planning_threads",
    "register_planner",
    "route_arrival_times_h",
    "route_distance_km",
    "route_duration_h",
    "route_is_feasible",
    "set_planning_threads",
    "solve",
]
