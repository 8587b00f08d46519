"""Where things are in an area: customers, the depot and the pickup points (km, area centre at 0, 0)."""

from __future__ import annotations

import math

import numpy as np

from sim.geo.projection import LocalFrame
from sim.geo.travel import NetworkTravel, build_travel
from sim.model.streams import parcel_uniform
from sim.scenario.schema import Area


class AreaGeometry:
    """A disc-shaped service area, its depot ``depot_distance_km`` east of its centre or at ``depot_lat/lon``.

    ``frame`` is the area's local km frame on the Earth when the scenario places the area
    (``centre_lat/lon``), else None (a synthetic area with no place on the Earth).
    """

    def __init__(self, area: Area, rng: np.random.Generator) -> None:
        self.radius_km = math.sqrt(area.area_km2 / math.pi)
        self.circuity = area.circuity
        self.frame = area_frame(area)
        self.travel: NetworkTravel | None = build_travel(area.distances, self.frame, "area")  # None: circuity
        self.depot_xy = depot_position(area.depot_distance_km, self.frame, area.depot_lat, area.depot_lon)
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
        """Road distance: straight line times the area's circuity factor, or along the area's network.

        On a network (``distances.model`` "roads" or "matrix") the leg is measured by
        ``self.travel`` (``sim.geo.travel.NetworkTravel``), its free-flow hours by
        ``self.travel.legs``.
        """
        if self.travel is None:
            return self.circuity * math.hypot(x1 - x0, y1 - y0)
        return self.travel.leg_km(x0, y0, x1, y1)


def area_frame(area: Area) -> LocalFrame | None:
    """The area's local km frame (origin at ``centre_lat/lon``), or None for an area with no place on the Earth."""
    if area.centre_lat is None or area.centre_lon is None:
        return None
    return LocalFrame(area.centre_lat, area.centre_lon)


def depot_position(depot_distance_km: float | None, frame: LocalFrame | None, depot_lat: float | None,
                   depot_lon: float | None) -> np.ndarray:
    """The depot in the area's km frame: at its projected latitude/longitude, else ``depot_distance_km`` east."""
    if depot_lat is not None and depot_lon is not None and frame is not None:
        return frame.to_km(np.array([depot_lat]), np.array([depot_lon]))[0]
    return np.array([float(depot_distance_km or 0.0), 0.0])
