"""A planned solution: routes in visiting order, the stops left out, and what it all costs."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.routing.problem import Pricing


@dataclass(frozen=True)
class Route:
    """One vehicle's route: stops in visiting order, the depot excluded at both ends."""

    stops: np.ndarray  # int indices into the problem's stops, in visiting order
    distance_km: float  # road km depot -> stops -> depot (``route_distance_km``)
    duration_h: float  # drive + service + waits (``route_duration_h``)
    load_m3: float


@dataclass(frozen=True)
class Solution:
    """All routes of a depot-day plus the stops that could not be served.

    ``pricing`` comes from the problem; it only prices the solution (``cost``).
    """

    routes: tuple[Route, ...]
    unassigned: np.ndarray  # int indices of stops that were not served, sorted ascending
    pricing: Pricing = field(default_factory=Pricing)

    @property
    def num_routes(self) -> int:
        """Number of routes (vehicles used)."""
        return len(self.routes)

    @property
    def num_served(self) -> int:
        """Number of stops on some route."""
        return sum(int(r.stops.shape[0]) for r in self.routes)

    @property
    def distance_km(self) -> float:
        """Total planned road km, summed over the routes in order."""
        return sum(r.distance_km for r in self.routes)

    @property
    def duration_h(self) -> float:
        """Total planned route hours, summed over the routes in order."""
        return sum(r.duration_h for r in self.routes)

    @property
    def cost(self) -> float:
        """Price of the plan: km x cost_per_km + hours x cost_per_hour + routes x fixed_cost_per_route.

        With the default prices this is the planned road km.
        """
        p = self.pricing
        return p.cost_per_km * self.distance_km + p.cost_per_hour * self.duration_h + (
            p.fixed_cost_per_route * self.num_routes
        )

    def __str__(self) -> str:
        lines = [
            "Solution results",
            "================",
            f"    # routes: {self.num_routes}",
            f"    # served: {self.num_served}",
            f"# unassigned: {int(self.unassigned.shape[0])}",
            f"    distance: {self.distance_km:.3f} km",
            f"    duration: {self.duration_h:.3f} h",
            f"        cost: {self.cost:.3f}",
            "",
            "Routes",
            "------",
        ]
        lines += [
            f"Route #{i + 1}: {' '.join(map(str, r.stops.tolist()))}"
            f"  ({r.distance_km:.3f} km, {r.duration_h:.3f} h, {r.load_m3:.3f} m3)"
            for i, r in enumerate(self.routes)
        ]
        return "\n".join(lines)
