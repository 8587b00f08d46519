"""Where things are in an area: customers, the depot and the pickup points (km, area centre at 0, 0)."""

from __future__ import annotations

import math

import numpy as np

from sim.model.streams import parcel_uniform
from sim.scenario.schema import Area


class AreaGeometry:
    """A disc-shaped service area with the depot at ``depot_distance_km`` east of its centre."""

    def __init__(self, area: Area, rng: np.random.Generator) -> None:
        self.radius_km = math.sqrt(area.area_km2 / math.pi)
        self.circuity = area.circuity
        self.depot_xy = np.array([area.depot_distance_km, 0.0])
        self.pickup_xy = self.sample_points(rng, area.pickup_points)

    def sample_points(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` points uniform over the disc (area-uniform: radius ~ R * sqrt(U))."""
        radius = self.radius_km * np.sqrt(rng.random(n))
        angle = 2.0 * np.pi * rng.random(n)
        return np.column_stack((radius * np.cos(angle), radius * np.sin(angle)))

    def address_xy(self, address: int, salt: int) -> tuple[float, float]:
        """Where address number ``address`` is: a fixed, area-uniform point (the same in every run)."""
        radius = self.radius_km * math.sqrt(parcel_uniform(salt, address, 1))
        angle = 2.0 * math.pi * parcel_uniform(salt, address, 2)
        return radius * math.cos(angle), radius * math.sin(angle)

    def road_km(self, x0: float, y0: float, x1: float, y1: float) -> float:
        """Road distance: straight line times the area's circuity factor."""
        return self.circuity * math.hypot(x1 - x0, y1 - y0)
