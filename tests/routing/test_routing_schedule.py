"""Tests of the route timeline (sim.routing.schedule): hand-computed values and the independent checker."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from routing_checker import make_problem, ref_distance, ref_duration, ref_schedule, with_slots

from sim.routing import RoutingProblem, route_arrival_times_h, route_distance_km, route_duration_h, route_is_feasible
from sim.routing.arrays import ProblemArrays
from sim.routing.schedule import latest_arrivals_h, leg_hours, timeline_h


def three_stops() -> RoutingProblem:
    """Three stops on the y axis, chosen so that every time below is exact in binary.

    Legs: depot -> 0 is 10 km at the stem speed of 10 km/h (1 h); 0 -> 1 is 10 km at the
    area speed of 5 km/h (2 h); 1 -> 2 is 5 km (1 h); 2 -> depot is 15 km at 10 km/h (1.5 h).
    """
    return RoutingProblem(
        depot_xy=np.array([0.0, 0.0]),
        stop_xy=np.array([[0.0, 10.0], [0.0, 20.0], [0.0, 15.0]]),
        stop_volume_m3=np.array([0.1, 0.2, 0.3]),
        stop_service_h=np.array([0.5, 0.25, 0.25]),
        stop_priority=np.zeros(3, dtype=int),
        vehicle_capacity_m3=1.0,
        max_route_hours=9.0,
        max_routes=1,
        circuity=1.0,
        area_speed_kmh=5.0,
        stem_speed_kmh=10.0,
        stop_tw_start_h=np.array([2.0, 0.0, 6.5]),
        stop_tw_end_h=np.array([2.5, 5.0, 7.0]),
    )


ORDER = np.array([0, 1, 2])


def test_hand_computed_route_with_waits() -> None:
    # Arrive at 0 at 1.0, wait for 2.0, serve to 2.5; drive 2 h -> arrive at 1 at 4.5,
    # serve to 4.75; drive 1 h -> arrive at 2 at 5.75, wait for 6.5, serve to 6.75;
    # drive 1.5 h home -> 8.25 (of which 1.75 h waiting).
    problem = three_stops()
    assert route_arrival_times_h(problem, ORDER).tolist() == [1.0, 4.5, 5.75]
    assert route_duration_h(problem, ORDER) == 8.25
    assert route_distance_km(problem, ORDER) == 40.0
    assert route_is_feasible(problem, ORDER)


def test_hand_computed_route_without_windows() -> None:
    plain = dataclasses.replace(three_stops(), stop_tw_start_h=None, stop_tw_end_h=None)
    # 1 + 2 + 1 + 1.5 h of driving plus 1 h of service, no waits.
    assert route_duration_h(plain, ORDER) == 6.5
    assert route_arrival_times_h(plain, ORDER).tolist() == [1.0, 3.5, 4.75]


def test_departures_and_latest_arrivals() -> None:
    problem = three_stops()
    departure, latest = ProblemArrays(problem).schedule(ORDER)
    assert departure.tolist() == [0.0, 2.5, 4.75, 6.75]
    # Backwards from the shift end 9.0: stop 2 by min(7.0, 9.0 - 1.5 - 0.25), stop 1 by
    # min(5.0, 7.0 - 1 - 0.25), stop 0 by min(2.5, 5.0 - 2 - 0.5).
    assert latest.tolist() == [2.5, 5.0, 7.0, 9.0]
    travel = np.array([1.0, 2.0, 1.0, 1.5])
    ends = np.array([2.5, 5.0, 7.0])
    assert latest_arrivals_h(travel, problem.stop_service_h, ends, 9.0).tolist() == latest.tolist()


def test_limits_are_checked_against_the_timeline() -> None:
    problem = three_stops()
    assert route_is_feasible(dataclasses.replace(problem, max_route_hours=8.25), ORDER)
    assert not route_is_feasible(dataclasses.replace(problem, max_route_hours=8.0), ORDER)
    assert not route_is_feasible(dataclasses.replace(problem, stop_tw_end_h=np.array([2.5, 4.4, 7.0])), ORDER)
    assert not route_is_feasible(problem, np.array([1, 0, 2]))  # stop 0 reached at 6.5, after 2.5


def test_timeline_is_batched_along_the_last_axis() -> None:
    # Two one-stop routes at once give the same numbers as each route alone.
    legs = np.array([[10.0, 10.0], [20.0, 20.0]])
    travel = leg_hours(legs, 5.0, 10.0)
    arrival, back = timeline_h(travel, np.array([[0.5], [0.25]]), np.array([[2.0], [0.0]]))
    assert arrival[:, 0].tolist() == [1.0, 2.0]
    assert back.tolist() == [3.5, 4.25]


def test_helpers_match_independent_computation() -> None:
    problem = make_problem(30, seed=21)
    order = np.array([5, 2, 17, 29, 0, 11], dtype=np.intp)
    stops = order.tolist()
    assert route_distance_km(problem, order) == pytest.approx(ref_distance(problem, stops))
    assert route_duration_h(problem, order) == pytest.approx(ref_duration(problem, stops))
    one = np.array([4], dtype=np.intp)
    assert route_duration_h(problem, one) == pytest.approx(ref_duration(problem, [4]))
    assert route_distance_km(problem, np.array([], dtype=np.intp)) == 0.0


def test_arrival_times_and_waiting_match_independent_computation() -> None:
    problem = with_slots(make_problem(40, seed=95), slot_h=1.0, day_h=6.0, seed=95)
    order = [3, 17, 8, 22, 39, 0, 12]
    arrivals, back = ref_schedule(problem, order)
    assert route_arrival_times_h(problem, np.array(order)) == pytest.approx(arrivals, rel=1e-12, abs=1e-12)
    assert route_duration_h(problem, np.array(order)) == pytest.approx(back, rel=1e-12, abs=1e-12)
    # Waiting counts: with the slots the route takes longer than without them.
    plain = dataclasses.replace(problem, stop_tw_start_h=None, stop_tw_end_h=None)
    assert route_duration_h(problem, np.array(order)) > route_duration_h(plain, np.array(order)) + 0.1
    assert route_arrival_times_h(problem, np.array([], dtype=np.intp)).shape == (0,)


def test_route_is_feasible_flags_each_violation() -> None:
    problem = make_problem(20, seed=107, routes_by_volume=0.2)
    stops = np.array([0, 1, 2])
    heavy = dataclasses.replace(problem, stop_weight_kg=np.full(20, 5.0), vehicle_payload_kg=14.0)
    assert route_is_feasible(problem, stops)
    assert route_is_feasible(problem, np.array([], dtype=np.intp))
    assert route_is_feasible(dataclasses.replace(heavy, vehicle_payload_kg=15.0), stops)
    assert not route_is_feasible(heavy, stops)
    assert not route_is_feasible(dataclasses.replace(problem, max_stops_per_route=2), stops)
    assert not route_is_feasible(dataclasses.replace(problem, vehicle_capacity_m3=0.01), stops)
    assert not route_is_feasible(dataclasses.replace(problem, max_route_km=1.0), stops)
    assert not route_is_feasible(dataclasses.replace(problem, max_route_hours=0.1), stops)
    arrivals, _ = ref_schedule(problem, stops.tolist())
    open_end = dataclasses.replace(problem, stop_tw_end_h=np.full(20, max(arrivals) + 1e-9))
    assert route_is_feasible(open_end, stops)
    closed = dataclasses.replace(problem, stop_tw_end_h=np.full(20, max(arrivals) - 1e-6))
    assert not route_is_feasible(closed, stops)
