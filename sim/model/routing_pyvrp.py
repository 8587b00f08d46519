"""Re-exports ``sim.routing``'s PyVRP planner under the name the model has used so far."""

from sim.routing.pyvrp_adapter import plan_pyvrp as plan_routes_pyvrp

__all__ = ["plan_routes_pyvrp"]
