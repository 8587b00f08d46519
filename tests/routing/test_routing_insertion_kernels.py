"""Insertion with the compiled kernels and the incremental edge table equals the rebuild-every-time original."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import routing_reference as ref
from routing_checker import make_problem, with_slots

from sim.routing import RoutingProblem
from sim.routing.arrays import ProblemArrays
from sim.routing.construction import sweep_build
from sim.routing.insertion import EdgeTable, RouteState, could_fit, insert_stops

VARIANTS = ("plain", "windows", "weights", "range", "stops", "slow_stems", "grid")


def variant_problem(kind: str, seed: int) -> RoutingProblem:
    """A random problem with one optional constraint switched on (or a tie-prone layout)."""
    problem = make_problem(int(np.random.default_rng(seed).integers(40, 260)), seed=seed, max_routes=5,
                           max_route_hours=9.0)
    rng = np.random.default_rng(1000 + seed)
    n = problem.num_stops
    if kind == "windows":
        return with_slots(problem, 2.0, seed=seed)
    if kind == "weights":
        weight = rng.uniform(0.5, 8.0, n)
        return dataclasses.replace(problem, stop_weight_kg=weight, vehicle_payload_kg=float(weight.sum()) / 4.0)
    if kind == "range":
        return dataclasses.replace(problem, max_route_km=120.0)
    if kind == "stops":
        return dataclasses.replace(problem, max_stops_per_route=max(2, n // 4))
    if kind == "slow_stems":
        return dataclasses.replace(problem, stem_speed_kmh=20.0)
    # Stops on a coarse grid: many insertion costs tie exactly.
    return dataclasses.replace(problem, stop_xy=rng.integers(0, 8, size=(n, 2)).astype(np.float64) * 2.5)


def built_routes(arrays: ProblemArrays, seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Routes swept over most stops, and the rest (plus the sweep's overflow) in a random order."""
    order = np.random.default_rng(seed).permutation(arrays.n).astype(np.intp)
    cut = int(0.7 * arrays.n)
    routes, overflow = sweep_build(arrays, order[:cut], arrays.max_routes)
    return routes, np.concatenate((overflow, order[cut:])).astype(np.intp)


@pytest.mark.parametrize("kind", VARIANTS)
@pytest.mark.parametrize("seed", range(5))
def test_insert_stops_equals_the_rebuilding_original(kind: str, seed: int) -> None:
    arrays = ProblemArrays(variant_problem(kind, seed))
    routes, cands = built_routes(arrays, seed)
    mine = [r.copy() for r in routes]
    theirs = [r.copy() for r in routes]
    left, modified = insert_stops(arrays, mine, cands)
    ref_left, ref_modified = ref.insert_stops(arrays, theirs, cands)
    assert np.array_equal(left, ref_left)
    assert np.array_equal(modified, ref_modified)
    assert [r.tolist() for r in mine] == [r.tolist() for r in theirs]
    assert len(left) < len(cands) or not routes  # the instances do exercise insertion


@pytest.mark.parametrize("kind", VARIANTS)
@pytest.mark.parametrize("seed", range(3))
def test_could_fit_equals_the_vectorised_filter(kind: str, seed: int) -> None:
    arrays = ProblemArrays(variant_problem(kind, seed))
    routes, cands = built_routes(arrays, seed)
    schedules = [arrays.schedule(r) for r in routes] if arrays.use_tw else None
    state = RouteState(arrays, routes)
    mine = could_fit(arrays, EdgeTable(arrays, routes, schedules, spare=0), state, cands)
    assert np.array_equal(mine, ref.could_fit(arrays, ref.EdgeTable(arrays, routes, schedules), state, cands))
