"""Re-exports ``sim.routing``'s planner interface under the names the model has used so far."""

from sim.routing import HeuristicPlanner, Planner, PyVRPPlanner, make_planner

__all__ = ["HeuristicPlanner", "Planner", "PyVRPPlanner", "make_planner"]
