"""Road km and free-flow hours between any two points of an area on a network (road graph or user matrix).

A point (a customer's door, a pickup point, the depot) is joined to the network at its
nearest node (a road junction, or a matrix point) by a straight *access leg* driven at
``access_speed_kmh``. A leg between two points is then

    km    = access(a) + network_km[node(a), node(b)] + access(b)
    hours = (access(a) + access(b)) / access_speed + network_hours[node(a), node(b)]

and 0 between two identical points. On a road network every edge is at least as long as
the straight line between its ends, so by the triangle inequality a leg is never shorter
than the straight line between its points. Hours are free-flow hours of a car; callers
divide by a vehicle's ``speed_factor`` and apply congestion on top.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from sim.errors import ScenarioError
from sim.geo.matrix_cache import cache_key, cached_arrays
from sim.geo.projection import LocalFrame
from sim.geo.roads import path_nodes, read_network
from sim.scenario.distance_files import data_path, read_matrix
from sim.scenario.roads import Distances


class NetworkTravel:
    """An area's network in its km frame: node positions, node-to-node km and hours, and the access legs."""

    def __init__(self, node_xy: np.ndarray, km: np.ndarray, hours: np.ndarray, access_speed_kmh: float,
                 pred: np.ndarray | None = None, model: str = "roads", cache_hit: bool = False) -> None:
        self.node_xy = np.ascontiguousarray(node_xy, dtype=np.float64)
        self.km = np.ascontiguousarray(km, dtype=np.float64)
        self.hours = np.ascontiguousarray(hours, dtype=np.float64)
        self.access_speed_kmh = float(access_speed_kmh)
        self.pred = pred
        self.model = model
        self.cache_hit = cache_hit
        self._tree = cKDTree(self.node_xy)

    def snap(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of every row of ``xy`` (ties: the lowest index) and the straight km to it."""
        pts = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        access, node = self._tree.query(pts, k=1)
        return np.asarray(node, dtype=np.int64).reshape(-1), np.asarray(access, dtype=np.float64).reshape(-1)

    def legs(self, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Km and free-flow hours of the legs ``start[i] -> end[i]`` (rows of km coordinates)."""
        a = np.asarray(start, dtype=np.float64).reshape(-1, 2)
        b = np.asarray(end, dtype=np.float64).reshape(-1, 2)
        na, xa = self.snap(a)
        nb, xb = self.snap(b)
        access = xa + xb
        km = access + self.km[na, nb]
        hours = access / self.access_speed_kmh + self.hours[na, nb]
        same = (a[:, 0] == b[:, 0]) & (a[:, 1] == b[:, 1])
        km[same] = 0.0
        hours[same] = 0.0
        return km, hours

    def leg_km(self, x0: float, y0: float, x1: float, y1: float) -> float:
        """Road km of one leg."""
        return float(self.legs(np.array([[x0, y0]]), np.array([[x1, y1]]))[0][0])

    def matrix(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Km and free-flow hours between every ordered pair of ``points`` (rows), 0 on the diagonal."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        node, access = self.snap(pts)
        extra = access[:, None] + access[None, :]
        km = extra + self.km[np.ix_(node, node)]
        hours = extra / self.access_speed_kmh + self.hours[np.ix_(node, node)]
        same = (pts[:, None, 0] == pts[None, :, 0]) & (pts[:, None, 1] == pts[None, :, 1])
        km[same] = 0.0
        hours[same] = 0.0
        return km, hours

    def path_xy(self, start: tuple[float, float], end: tuple[float, float]) -> np.ndarray:
        """The polyline a vehicle drives from ``start`` to ``end``: the access legs and the nodes between."""
        a, b = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
        na, _ = self.snap(a)
        nb, _ = self.snap(b)
        # A user's matrix knows no road geometry: straight from point to point.
        inner = [int(na[0]), int(nb[0])] if self.pred is None else path_nodes(self.pred, int(na[0]), int(nb[0]))
        return np.vstack((a, self.node_xy[inner], b))


def build_travel(distances: Distances | None, frame: LocalFrame | None, where: str) -> NetworkTravel | None:
    """The network travel model of an area, or None for the circuity model.

    ``where`` names the area's key path for errors (``ScenarioError``: one line, exit 2).
    """
    if distances is None or distances.model == "circuity":
        return None
    if frame is None:
        raise ScenarioError(f"{where}.distances.model = {distances.model!r}: the area needs centre_lat and "
                            "centre_lon (its place on the Earth) to be measured on real roads or a matrix")
    assert distances.file is not None  # the schema requires it for both real models
    try:
        files = [data_path(distances.file)] + ([Path(distances.points)] if distances.points else [])
        key = cache_key(files, (distances.model, distances.path, distances.maxspeed_factor))
        arrays, hit = cached_arrays(key, lambda: _compute(distances))
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{where}.distances: {exc}") from None
    xy = frame.to_km(arrays["lat"], arrays["lon"])
    pred = arrays["pred"] if distances.model == "roads" else None
    return NetworkTravel(xy, arrays["km"], arrays["hours"], distances.access_speed_kmh, pred, distances.model, hit)


def _compute(distances: Distances) -> dict[str, np.ndarray]:
    assert distances.file is not None
    if distances.model == "roads":
        net = read_network(data_path(distances.file), fastest=distances.path == "fastest",
                           maxspeed_factor=distances.maxspeed_factor)
        return {"lat": net.lat, "lon": net.lon, "km": net.km, "hours": net.hours, "pred": net.pred}
    assert distances.points is not None
    matrix = read_matrix(Path(distances.file), Path(distances.points))
    m = matrix.lat.shape[0]
    return {"lat": matrix.lat, "lon": matrix.lon, "km": matrix.km, "hours": matrix.hours,
            "pred": np.full((m, m), -9999, dtype=np.int32)}
