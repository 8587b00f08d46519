"""Re-exports ``sim.routing`` under the names the model has used so far."""

from sim.routing import Route as PlannedRoute
from sim.routing import (
    RoutingProblem,
    nearest_neighbour_order,
    route_arrival_times_h,
    route_distance_km,
    route_duration_h,
    route_is_feasible,
)
from sim.routing import Solution as RoutePlan
from sim.routing import plan_heuristic as plan_routes

__all__ = [
    "PlannedRoute",
    "RoutePlan",
    "RoutingProblem",
    "nearest_neighbour_order",
    "plan_routes",
    "route_arrival_times_h",
    "route_distance_km",
    "route_duration_h",
    "route_is_feasible",
]
