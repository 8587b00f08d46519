"""A driving network from an OpenStreetMap extract: all-pairs road km and free-flow hours between its nodes.

The extract (a local ``.osm.pbf``) is read with pyrosm (``network_type="driving"``). Each
way segment becomes one or two directed edges: ``oneway=yes/true/1`` only forwards,
``oneway=-1/reverse`` only backwards, anything else both ways (so one-way streets make
the matrices asymmetric). Only the largest strongly connected part of the network is
kept -- a small extract cut out of a city has one-way stubs at its edge that can be
entered but not left (or the reverse), and a courier must be able to drive from any
node to any other.

Free-flow speed of an edge: its ``maxspeed`` tag (km/h; "mph" converted) times
``maxspeed_factor`` where the tag holds a number, else the default of its highway class
(``DEFAULT_SPEED_KMH``). Paths are the quickest at those speeds (``path = "fastest"``) or
the shortest in km (``"shortest"``); the other measure is summed along the same path,
so km and hours of a pair always describe one drive. Shortest paths: Dijkstra from every
node (scipy.sparse.csgraph), the second measure accumulated over each source's
shortest-path tree in a compiled loop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numba import njit
from pyproj import Geod
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

# Free-flow km/h by OSM highway class where no maxspeed is tagged: the car profile of OSRM
# (Project-OSRM/osrm-backend, profiles/car.lua, table "speeds.highway"), a widely used routing default.
DEFAULT_SPEED_KMH: dict[str, float] = {
    "motorway": 90.0, "motorway_link": 45.0, "trunk": 85.0, "trunk_link": 40.0,
    "primary": 65.0, "primary_link": 30.0, "secondary": 55.0, "secondary_link": 25.0,
    "tertiary": 40.0, "tertiary_link": 20.0, "unclassified": 25.0, "residential": 25.0,
    "living_street": 10.0, "service": 15.0,
}
# ASSUMPTION: a driveable class the table does not list (road, busway, ...) is driven like a residential street.
OTHER_SPEED_KMH = 25.0
MPH_KMH = 1.609344
FORWARD_ONLY = frozenset({"yes", "true", "1"})
BACKWARD_ONLY = frozenset({"-1", "reverse"})
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph)?\s*$")
MIN_WEIGHT = 1e-9  # csgraph reads an explicit 0 as "no edge"; a zero-length edge costs this instead


@dataclass(frozen=True)
class RoadNetwork:
    """The kept nodes of a driving network and the road km / free-flow hours between every ordered pair.

    ``pred[i, j]`` is the node before ``j`` on the path from ``i`` (-9999 on the diagonal),
    for drawing routes along the roads.
    """

    lat: np.ndarray  # (m,)
    lon: np.ndarray  # (m,)
    km: np.ndarray  # (m, m), from row to column
    hours: np.ndarray  # (m, m), free-flow
    pred: np.ndarray  # (m, m), int32


def edge_speed_kmh(highway: object, maxspeed: object, maxspeed_factor: float) -> float:
    """Free-flow km/h of one edge: a numeric ``maxspeed`` x ``maxspeed_factor``, else its class default."""
    if isinstance(maxspeed, str):
        match = _NUMBER.match(maxspeed.split(";")[0])
        if match and float(match.group(1)) > 0:
            limit = float(match.group(1)) * (MPH_KMH if match.group(2) else 1.0)
            return limit * maxspeed_factor
    if isinstance(highway, str):
        return DEFAULT_SPEED_KMH.get(highway, OTHER_SPEED_KMH)
    return OTHER_SPEED_KMH


def read_network(path: Path, *, fastest: bool, maxspeed_factor: float, two_way: bool = False) -> RoadNetwork:
    """The driving network of the extract at ``path`` (see the module docstring); ``ValueError`` if it has none.

    ``two_way`` opens every street both ways (ignoring ``oneway``): the street geometry's own
    circuity, for comparison with the network as driven.
    """
    import pyrosm  # a heavy import, only for areas on real roads

    try:
        nodes, edges = pyrosm.OSM(str(path)).get_network(network_type="driving", nodes=True)
    except Exception as exc:  # pyrosm raises assorted errors on a damaged file
        raise ValueError(f"file {str(path)!r}: cannot be read as an OpenStreetMap extract: {exc}") from None
    if nodes is None or edges is None or len(edges) == 0:
        raise ValueError(f"file {str(path)!r}: the extract has no driveable roads")
    node_ids = nodes["id"].to_numpy(dtype=np.int64)
    order = np.argsort(node_ids, kind="stable")
    u = order[np.searchsorted(node_ids, edges["u"].to_numpy(dtype=np.int64), sorter=order)]
    v = order[np.searchsorted(node_ids, edges["v"].to_numpy(dtype=np.int64), sorter=order)]
    # Lengths on the WGS84 ellipsoid along each edge's geometry (pyrosm's ``length`` is on a sphere, up to
    # ~0.4 % short at 60 N), so that a path is never shorter than the straight line in the projected frame.
    geod = Geod(ellps="WGS84")
    km = np.array([geod.geometry_length(line) for line in edges.geometry]) / 1000.0
    speed = np.array([edge_speed_kmh(h, s, maxspeed_factor) for h, s in
                      zip(edges["highway"].tolist(), edges["maxspeed"].tolist(), strict=True)])
    oneway = [str(o).strip().lower() if isinstance(o, str) and not two_way else "" for o in edges["oneway"].tolist()]
    fwd = np.array([o not in BACKWARD_ONLY for o in oneway])
    bwd = np.array([o not in FORWARD_ONLY for o in oneway])
    src = np.concatenate((u[fwd], v[bwd]))
    dst = np.concatenate((v[fwd], u[bwd]))
    edge_km = np.concatenate((km[fwd], km[bwd]))
    edge_h = np.concatenate((km[fwd] / speed[fwd], km[bwd] / speed[bwd]))
    lat = nodes["lat"].to_numpy(dtype=np.float64)
    lon = nodes["lon"].to_numpy(dtype=np.float64)
    return all_pairs(lat, lon, src, dst, edge_km, edge_h, fastest=fastest)


def all_pairs(lat: np.ndarray, lon: np.ndarray, src: np.ndarray, dst: np.ndarray, edge_km: np.ndarray,
              edge_h: np.ndarray, *, fastest: bool) -> RoadNetwork:
    """All-pairs paths over directed edges, on the largest strongly connected part of the graph.

    Parallel edges between the same two nodes keep the one best by the path's weight.
    """
    n = lat.shape[0]
    keep = src != dst  # a loop never shortens a path
    src, dst = src[keep], dst[keep]
    weight, other = (edge_h[keep], edge_km[keep]) if fastest else (edge_km[keep], edge_h[keep])
    best = np.lexsort((other, weight, dst, src))
    first = np.ones(best.shape[0], dtype=bool)
    first[1:] = (src[best][1:] != src[best][:-1]) | (dst[best][1:] != dst[best][:-1])
    best = best[first]
    src, dst, edge_km, edge_h = src[best], dst[best], edge_km[keep][best], edge_h[keep][best]
    weight = edge_h if fastest else edge_km
    graph = csr_matrix((np.maximum(weight, MIN_WEIGHT), (src, dst)), shape=(n, n))
    _, label = connected_components(graph, directed=True, connection="strong")
    kept = np.flatnonzero(label == int(np.argmax(np.bincount(label))))
    index = np.full(n, -1, dtype=np.int64)
    index[kept] = np.arange(kept.shape[0])
    inside = (index[src] >= 0) & (index[dst] >= 0)
    s, d, m = index[src[inside]], index[dst[inside]], kept.shape[0]
    sub = csr_matrix((np.maximum(weight[inside], MIN_WEIGHT), (s, d)), shape=(m, m))
    dist, pred = dijkstra(sub, directed=True, return_predecessors=True)
    pred = pred.astype(np.int64)
    # Both measures are summed along the same trees from the real edge values (zero-length edges included).
    sums = []
    for values in (edge_km[inside], edge_h[inside]):
        rows = np.argsort(s * m + d, kind="stable")
        indptr = np.searchsorted(s[rows], np.arange(m + 1)).astype(np.int64)
        sums.append(accumulate_along_paths(dist, pred, indptr, d[rows].astype(np.int64), values[rows]))
    return RoadNetwork(lat[kept], lon[kept], sums[0], sums[1], pred.astype(np.int32))


@njit(cache=True)
def accumulate_along_paths(dist: np.ndarray, pred: np.ndarray, indptr: np.ndarray, indices: np.ndarray,
                           values: np.ndarray) -> np.ndarray:
    """Sum ``values`` (an edge measure in CSR form) along every source's shortest-path tree.

    Nodes are visited in increasing distance from the source, so a node's predecessor is
    always done first: ``out[s, v] = out[s, pred[s, v]] + value(pred[s, v] -> v)``.
    """
    n = dist.shape[0]
    out = np.zeros((n, n))
    for s in range(n):
        order = np.argsort(dist[s])
        for k in range(n):
            v = order[k]
            p = pred[s, v]
            if v == s or p < 0:
                continue
            edge = 0.0
            for e in range(indptr[p], indptr[p + 1]):
                if indices[e] == v:
                    edge = values[e]
                    break
            out[s, v] = out[s, p] + edge
    return out


def path_nodes(pred: np.ndarray, start: int, end: int) -> list[int]:
    """The node sequence of the path from ``start`` to ``end`` (both included), from the predecessor matrix."""
    nodes = [end]
    while nodes[-1] != start:
        previous = int(pred[start, nodes[-1]])
        if previous < 0:
            break
        nodes.append(previous)
    return nodes[::-1]
