"""Where things are in an area: customers, the depot and the pickup points (km, area centre at 0, 0)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.geo.projection import LocalFrame
from sim.model.streams import parcel_uniform
from sim.model.travel import NetworkTravel, build_travel
from sim.scenario.schema import Area

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from sim.geo.areas import PointSampler, PolygonSampler


class AreaGeometry:
    """A service area (a disc, or the user's own polygons or points) and its depot.

    The depot lies ``depot_distance_km`` east of the centre, or at ``depot_lat/lon``.

    ``frame`` is the area's local km frame on the Earth when the scenario places the area
    (``centre_lat/lon``), else None (a synthetic area with no place on the Earth).
    """

    def __init__(self, area: Area, rng: np.random.Generator) -> None:
        self.radius_km = math.sqrt(area.area_km2 / math.pi)
        self.circuity = area.circuity
        self.frame = area_frame(area)
        self.travel: NetworkTravel | None = build_travel(area.distances, self.frame, "area")  # None: circuity
        self.depot_xy = depot_position(area.depot_distance_km, self.frame, area.depot_lat, area.depot_lon)
        # The user's own area (None: the disc, drawn exactly as before these existed).
        self.places = AreaPlaces.of(area, self.frame) if self.frame is not None else None
        self.pickup_xy = self.sample_points(rng, area.pickup_points)

    def sample_points(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` points uniform over the area: the disc (area-uniform: radius ~ R * sqrt(U)), or its own region.

        The region of an area with data files (pickup points, lockers, shops) is its boundary,
        else its demand zones by area, else its demand points by weight.
        """
        if self.places is not None and self.places.region is not None:
            return self.places.region.sample(rng, n)[0]
        radius = self.radius_km * np.sqrt(rng.random(n))
        angle = 2.0 * np.pi * rng.random(n)
        return np.column_stack((radius * np.cos(angle), radius * np.sin(angle)))

    def sample_customers(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` customers: at the demand points by weight, in the demand zones by share, or over the area."""
        if self.places is not None and self.places.customers is not None:
            return self.places.customers.sample(rng, n)[0]
        return self.sample_points(rng, n)

    def address_xy(self, address: int, salt: int) -> tuple[float, float]:
        """Where address number ``address`` is: a fixed point (the same in every run), placed like a customer."""
        if self.places is not None and self.places.address is not None:
            return self.places.address.address(lambda k: parcel_uniform(salt, address, k))
        radius = self.radius_km * math.sqrt(parcel_uniform(salt, address, 1))
        angle = 2.0 * math.pi * parcel_uniform(salt, address, 2)
        return radius * math.cos(angle), radius * math.sin(angle)

    def road_km(self, x0: float, y0: float, x1: float, y1: float) -> float:
        """Road distance: straight line times the area's circuity factor, or along the area's network.

        On a network (``distances.model`` "roads" or "matrix") the leg is measured by
        ``self.travel`` (``sim.model.travel.NetworkTravel``), its free-flow hours by
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


@dataclass(frozen=True)
class AreaPlaces:
    """The places of an area with data files, in its km frame: who orders where, and the area's region.

    ``customers`` draws the customers (None: as the region); ``region`` draws pickup points,
    lockers and shops (None: the disc); ``zones`` are the demand zones by name (empty without them).
    """

    customers: PointSampler | PolygonSampler | None
    region: PointSampler | PolygonSampler | None
    zone_names: tuple[str, ...]
    zone_shapes: tuple[BaseGeometry, ...]

    @property
    def address(self) -> PointSampler | PolygonSampler | None:
        """Where a numbered address is drawn: like a customer."""
        return self.customers if self.customers is not None else self.region

    @classmethod
    def of(cls, area: Area, frame: LocalFrame) -> AreaPlaces | None:
        """The places of ``area`` from its files (None when it has none: the disc)."""
        if area.boundary is None and area.demand_points is None and area.demand_zones is None:
            return None
        # Imported here: a synthetic area never loads the table and geometry libraries.
        from sim.geo import cache
        from sim.geo.areas import PolygonSampler, points_sampler, project_zones

        boundary = None
        if area.boundary is not None:
            shapes = project_zones(frame, cache.polygons(Path(area.boundary), named=False))
            boundary = PolygonSampler(shapes, np.array([shape.area for shape in shapes]))
        names: tuple[str, ...] = ()
        zone_shapes: tuple[BaseGeometry, ...] = ()
        zones = None
        if area.demand_zones is not None:
            data = cache.polygons(Path(area.demand_zones), named=True)
            zone_shapes = tuple(project_zones(frame, data))
            names = data.names
            zones = PolygonSampler(zone_shapes, data.weight)
        points = points_sampler(frame, cache.points(Path(area.demand_points))) if area.demand_points else None
        customers = points if points is not None else zones if zones is not None else boundary
        if boundary is not None:
            region: PointSampler | PolygonSampler | None = boundary
        elif zones is not None:
            region = PolygonSampler(zone_shapes, np.array([shape.area for shape in zone_shapes]))
        else:
            region = points
        return cls(customers, region, names, zone_shapes)

    def zone_sampler(self, names: tuple[str, ...], shares: tuple[float, ...]) -> PolygonSampler:
        """Customers in the named zones with the given shares (a fitted demand's)."""
        from sim.geo.areas import PolygonSampler

        shapes = [self.zone_shapes[self.zone_names.index(name)] for name in names]
        return PolygonSampler(shapes, np.asarray(shares, dtype=float))
