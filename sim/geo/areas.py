"""Where customers are in a real area: polygons and weighted points in the area's km frame, and draws in them.

Every draw takes its uniforms from the caller's generator (or from a counter-based uniform for an
address), so a run stays a pure function of its seed. Points inside a polygon are drawn by
rejection in the polygon's bounding box: exactly uniform over the polygon's area, holes and
concave shapes included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    from sim.geo.datafiles import DemandPoints, Zones
    from sim.geo.projection import LocalFrame

# An address drawn from counter-based uniforms gives up after this many tries (a polygon that fills
# less than 1e-3 of its bounding box would need more; the zone files of a city fill a third or more).
MAX_ADDRESS_TRIES = 10_000


def project_rings(frame: LocalFrame, parts: Sequence[Sequence[Sequence[tuple[float, float]]]]) -> BaseGeometry:
    """One zone (parts of rings of lon/lat pairs) as a shapely (Multi)Polygon in the frame's km."""
    polygons = []
    for rings in parts:
        projected = []
        for ring in rings:
            lonlat = np.asarray(ring, dtype=float)
            projected.append(frame.to_km(lonlat[:, 1], lonlat[:, 0]))
        polygons.append(Polygon(projected[0], projected[1:]))
    shape: BaseGeometry = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    if not shape.is_valid:
        shape = shapely.make_valid(shape)  # a self-touching ring: the same area, a well-formed shape
    return shape


def project_zones(frame: LocalFrame, zones: Zones) -> list[BaseGeometry]:
    """Every zone of a GeoJSON file, in the frame's km."""
    return [project_rings(frame, parts) for parts in zones.polygons]


def zone_index(shapes: Sequence[BaseGeometry], xy: np.ndarray) -> np.ndarray:
    """For each point (km), the first zone that holds it (boundary included), or -1."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    found = np.full(len(xy), -1, dtype=np.int64)
    for i, shape in enumerate(shapes):
        inside = (found < 0) & shapely.intersects_xy(shape, xy[:, 0], xy[:, 1])
        found[inside] = i
    return found


class PolygonSampler:
    """Points uniform over each of some polygons, the polygon chosen by weight."""

    def __init__(self, shapes: Sequence[BaseGeometry], weights: np.ndarray) -> None:
        self.shapes = list(shapes)
        weights = np.asarray(weights, dtype=float)
        self.p = weights / weights.sum()
        self._cdf = np.cumsum(self.p)
        for shape in self.shapes:
            shapely.prepare(shape)
        self.bounds = [np.asarray(shape.bounds, dtype=float) for shape in self.shapes]
        # The share of each bounding box the polygon fills: sizes the rejection batches.
        self.fill = [max(shape.area / max((b[2] - b[0]) * (b[3] - b[1]), 1e-300), 1e-6)
                     for shape, b in zip(self.shapes, self.bounds, strict=True)]

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` points (km) and the zone each lies in: zone by weight, then uniform inside it."""
        zone = rng.choice(len(self.shapes), size=n, p=self.p) if len(self.shapes) > 1 else np.zeros(n, np.int64)
        xy = np.empty((n, 2))
        for i in range(len(self.shapes)):
            where = np.flatnonzero(zone == i)
            if len(where):
                xy[where] = self.sample_in(rng, i, len(where))
        return xy, zone

    def sample_in(self, rng: np.random.Generator, i: int, n: int) -> np.ndarray:
        """``n`` points uniform inside polygon ``i``: rejection in its bounding box, in batches."""
        x0, y0, x1, y1 = self.bounds[i]
        out: list[np.ndarray] = []
        have = 0
        while have < n:
            m = int((n - have) / self.fill[i] * 1.2) + 16
            u = rng.random((m, 2))
            x = x0 + (x1 - x0) * u[:, 0]
            y = y0 + (y1 - y0) * u[:, 1]
            keep = shapely.contains_xy(self.shapes[i], x, y)
            got = np.column_stack((x[keep], y[keep]))[: n - have]
            out.append(got)
            have += len(got)
        return np.concatenate(out) if out else np.empty((0, 2))

    def address(self, uniform: Callable[[int], float]) -> tuple[float, float]:
        """A fixed point from counter-based uniforms ``uniform(1), uniform(2), ...``: the same in every run."""
        i = min(int(np.searchsorted(self._cdf, uniform(1), side="right")), len(self.shapes) - 1)
        x0, y0, x1, y1 = self.bounds[i]
        for k in range(MAX_ADDRESS_TRIES):
            x = x0 + (x1 - x0) * uniform(2 + 2 * k)
            y = y0 + (y1 - y0) * uniform(3 + 2 * k)
            if shapely.contains_xy(self.shapes[i], x, y):
                return float(x), float(y)
        point = self.shapes[i].representative_point()  # unreachable for any sensible polygon
        return float(point.x), float(point.y)


class PointSampler:
    """Customers at given points, each point chosen with probability proportional to its weight."""

    def __init__(self, xy: np.ndarray, weights: np.ndarray) -> None:
        self.xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        weights = np.asarray(weights, dtype=float)
        self.p = weights / weights.sum()
        self._cdf = np.cumsum(self.p)

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` points drawn by weight, and which point each is."""
        index = rng.choice(len(self.xy), size=n, p=self.p)
        return self.xy[index], index

    def address(self, uniform: Callable[[int], float]) -> tuple[float, float]:
        """A fixed point chosen by weight from the counter-based uniform ``uniform(1)``."""
        i = min(int(np.searchsorted(self._cdf, uniform(1), side="right")), len(self.xy) - 1)
        return float(self.xy[i, 0]), float(self.xy[i, 1])


def points_sampler(frame: LocalFrame, points: DemandPoints) -> PointSampler:
    """The points of a demand-points file, projected into the area's frame."""
    return PointSampler(frame.to_km(points.latitude, points.longitude), points.weight)


def area_km2(shapes: Sequence[BaseGeometry]) -> float:
    """The projected area of the union of some shapes, km2."""
    return float(shapely.union_all(list(shapes)).area)
