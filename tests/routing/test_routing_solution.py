"""Tests of ``Solution`` (sim.routing.solution): totals, cost and its pricing from the problem."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from routing_checker import make_problem

from sim.routing import Pricing, Route, Solution, solve


def two_routes(pricing: Pricing) -> Solution:
    return Solution(
        routes=(
            Route(stops=np.array([2, 0]), distance_km=10.5, duration_h=2.0, load_m3=0.5),
            Route(stops=np.array([1]), distance_km=4.25, duration_h=0.75, load_m3=0.25),
        ),
        unassigned=np.array([3]),
        pricing=pricing,
    )


def test_totals_are_sums_over_routes() -> None:
    solution = two_routes(Pricing())
    assert solution.num_routes == 2
    assert solution.num_served == 3
    assert solution.distance_km == 14.75
    assert solution.duration_h == 2.75


def test_default_cost_is_the_planned_km() -> None:
    assert two_routes(Pricing()).cost == 14.75
    assert Solution(routes=(), unassigned=np.zeros(0, dtype=np.intp)).cost == 0.0


def test_cost_prices_km_hours_and_routes() -> None:
    solution = two_routes(Pricing(cost_per_km=2.0, cost_per_hour=30.0, fixed_cost_per_route=100.0))
    assert solution.cost == 2.0 * 14.75 + 30.0 * 2.75 + 100.0 * 2


def test_summary_names_totals_and_routes() -> None:
    text = str(two_routes(Pricing()))
    assert "# routes: 2" in text
    assert "distance: 14.750 km" in text
    assert "Route #1: 2 0" in text
    assert "Route #2: 1" in text


def test_prices_value_a_plan_but_never_change_it() -> None:
    problem = make_problem(120, seed=400, routes_by_volume=3.0, max_routes=5)
    priced = dataclasses.replace(problem, cost_per_km=0.5, cost_per_hour=20.0, fixed_cost_per_route=50.0)
    plain, costly = solve(problem), solve(priced)
    assert [r.stops.tolist() for r in plain.routes] == [r.stops.tolist() for r in costly.routes]
    assert plain.cost == plain.distance_km
    expected = 0.5 * costly.distance_km + 20.0 * costly.duration_h + 50.0 * costly.num_routes
    assert costly.cost == pytest.approx(expected, rel=1e-12)
    assert costly.distance_km == pytest.approx(sum(r.distance_km for r in costly.routes), rel=1e-12)
