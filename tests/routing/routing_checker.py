"""An independent checker for route plans, and synthetic problems, shared by the routing tests.

The checker recomputes every route's distance, duration and load from the raw coordinates
with plain Python (it never calls the planner's own helpers), so a planner that
mis-measures its routes is caught too.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest

from sim.routing import RoutingProblem, Solution

TOL = 1e-9


def make_problem(
    n: int,
    *,
    seed: int = 0,
    side_km: float = 20.0,
    routes_by_volume: float = 3.0,
    max_route_hours: float = 100.0,
    max_routes: int = 10,
    circuity: float = 1.3,
    area_speed_kmh: float = 25.0,
    stem_speed_kmh: float = 40.0,
    n_priorities: int = 5,
) -> RoutingProblem:
    """Uniform random stops in a square, depot in the middle; capacity set so that the
    stops need about ``routes_by_volume`` vehicles by volume alone."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0.0, side_km, size=(n, 2))
    vol = rng.uniform(0.01, 0.06, size=n)
    capacity = float(vol.sum()) / routes_by_volume * 1.05 if n else 1.0
    return RoutingProblem(
        depot_xy=np.array([side_km / 2.0, side_km / 2.0]),
        stop_xy=xy,
        stop_volume_m3=vol,
        stop_service_h=rng.uniform(0.02, 0.06, size=n),
        stop_priority=rng.integers(0, n_priorities, size=n),
        vehicle_capacity_m3=capacity,
        max_route_hours=max_route_hours,
        max_routes=max_routes,
        circuity=circuity,
        area_speed_kmh=area_speed_kmh,
        stem_speed_kmh=stem_speed_kmh,
    )


# --------------------------------------------------------------------------- independent checker


def point(problem: RoutingProblem, i: int | None) -> tuple[float, float]:
    """Coordinates of stop ``i``, or of the depot for None."""
    if i is None:
        return float(problem.depot_xy[0]), float(problem.depot_xy[1])
    return float(problem.stop_xy[i][0]), float(problem.stop_xy[i][1])


def ref_distance(problem: RoutingProblem, stops: list[int]) -> float:
    """Road km of depot -> stops -> depot, from scratch."""
    if not stops:
        return 0.0
    nodes: list[int | None] = [None, *stops, None]
    total = 0.0
    for u, v in itertools.pairwise(nodes):
        total += problem.circuity * math.dist(point(problem, u), point(problem, v))
    return total


def ref_schedule(problem: RoutingProblem, stops: list[int]) -> tuple[list[float], float]:
    """Arrival time at each stop (before waiting) and the time back at the depot.

    Simulated leg by leg from departure at 0: depot legs at stem speed, others at area
    speed; a courier early for a window waits for its start, then serves the stop.
    """
    if not stops:
        return [], 0.0
    nodes: list[int | None] = [None, *stops, None]
    now = 0.0
    arrivals: list[float] = []
    for u, v in itertools.pairwise(nodes):
        km = problem.circuity * math.dist(point(problem, u), point(problem, v))
        speed = problem.stem_speed_kmh if (u is None or v is None) else problem.area_speed_kmh
        now += km / speed
        if v is not None:
            arrivals.append(now)
            if problem.stop_tw_start_h is not None:
                now = max(now, float(problem.stop_tw_start_h[v]))
            now += float(problem.stop_service_h[v])
    return arrivals, now


def ref_duration(problem: RoutingProblem, stops: list[int]) -> float:
    """Hours of depot -> stops -> depot, waits for windows included."""
    return ref_schedule(problem, stops)[1]


def check_plan(problem: RoutingProblem, plan: Solution) -> None:
    """Assert every hard constraint of a plan and the accuracy of its reported numbers."""
    n = len(problem.stop_xy)
    assert len(plan.routes) <= problem.max_routes
    seen: list[int] = []
    for route in plan.routes:
        assert np.issubdtype(route.stops.dtype, np.integer)
        stops = [int(s) for s in route.stops]
        assert stops, "a planned route must serve at least one stop"
        load = sum(float(problem.stop_volume_m3[s]) for s in stops)
        dist = ref_distance(problem, stops)
        arrivals, dur = ref_schedule(problem, stops)
        assert load <= problem.vehicle_capacity_m3 + TOL
        assert dur <= problem.max_route_hours + TOL
        assert dist <= problem.max_route_km + TOL
        if problem.stop_weight_kg is not None:
            assert sum(float(problem.stop_weight_kg[s]) for s in stops) <= problem.vehicle_payload_kg + TOL
        if problem.max_stops_per_route is not None:
            assert len(stops) <= problem.max_stops_per_route
        if problem.stop_tw_end_h is not None:
            for s, arrival in zip(stops, arrivals, strict=True):
                assert arrival <= float(problem.stop_tw_end_h[s]) + TOL, f"stop {s} reached after its window"
        assert route.load_m3 == pytest.approx(load, rel=1e-9, abs=1e-9)
        assert route.distance_km == pytest.approx(dist, rel=1e-9, abs=1e-9)
        assert route.duration_h == pytest.approx(dur, rel=1e-9, abs=1e-9)
        seen.extend(stops)
    unassigned = [int(s) for s in plan.unassigned]
    assert np.issubdtype(np.asarray(plan.unassigned).dtype, np.integer)
    assert unassigned == sorted(unassigned)
    everything = seen + unassigned
    assert len(everything) == len(set(everything)), "a stop appears twice"
    assert sorted(everything) == list(range(n)), "a stop is missing"


def nn_tour(problem: RoutingProblem, stops: list[int]) -> list[int]:
    """Plain nearest-neighbour tour from the depot over ``stops``."""
    left = list(stops)
    tour: list[int] = []
    here = point(problem, None)
    while left:
        nxt = min(left, key=lambda s: math.dist(here, point(problem, s)))
        left.remove(nxt)
        tour.append(nxt)
        here = point(problem, nxt)
    return tour


def with_slots(problem: RoutingProblem, slot_h: float, day_h: float = 8.0, seed: int = 0) -> RoutingProblem:
    """Each stop gets a random delivery slot of ``slot_h`` hours within the first ``day_h``."""
    rng = np.random.default_rng(seed)
    starts = np.arange(0.0, day_h - slot_h + 1e-9, slot_h)
    start = rng.choice(starts, size=len(problem.stop_xy))
    return dataclasses.replace(problem, stop_tw_start_h=start, stop_tw_end_h=start + slot_h)


def served(plan: Solution) -> list[int]:
    return sorted(int(s) for r in plan.routes for s in r.stops)
