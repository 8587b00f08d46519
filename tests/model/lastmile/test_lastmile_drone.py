"""Drone sorties: planned within range and working hours, flown out and back."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.lastmile.drone import plan_sorties, sortie_hours
from sim.model.lastmile.stops import Stop
from sim.model.lastmile.vehicles import UnitOps
from tests.model.lastmile.lastmile_world import World, world


def drone_ops(w: World, count: int) -> UnitOps:
    unit = w.fleet.units[0].model_copy(update={"type": "drone", "count": count})
    drone = w.scenario.vehicle_types["drone"]
    return UnitOps.build(0, unit, drone, w.area, np.array([0.0, 0.0]), None, w.setting().traffic, 8.0, 9.0)


def stop_at(x_km: float, service_h: float = 0.05) -> Stop:
    return Stop(x_km, 0.0, (0,), -1, 0.01, 1.0, service_h)


def test_sortie_hours_are_out_and_back_at_cruise_speed_plus_service_and_turnaround() -> None:
    ops = drone_ops(world(), 1)
    vehicle = ops.vehicle
    expected = 2.0 * 3.0 / (vehicle.cruise_speed_kmh or 1.0) + 0.05 + vehicle.sortie_turnaround_min / 60.0
    assert sortie_hours(ops, stop_at(3.0)) == pytest.approx(expected)


def test_stops_beyond_half_the_range_are_never_planned() -> None:
    ops = drone_ops(world(), 2)
    half = ops.vehicle.range_km / 2.0
    stops = [stop_at(half - 0.1), stop_at(half + 0.1), stop_at(1.0)]
    plan = plan_sorties(ops, stops, np.arange(3), hours=9.0)
    assert sorted(i for sorties in plan for i in sorties) == [0, 2]


def test_sorties_go_to_the_drone_with_most_time_left_until_the_hours_run_out() -> None:
    ops = drone_ops(world(), 2)
    stops = [stop_at(1.0, service_h=1.0) for _ in range(7)]
    need = sortie_hours(ops, stops[0])
    hours = 3.0 * need + 1e-9  # three sorties per drone
    plan = plan_sorties(ops, stops, np.arange(7), hours=hours)
    assert plan == [[0, 2, 4], [1, 3, 5]]
    assert all(math.fsum(sortie_hours(ops, stops[i]) for i in sorties) <= hours for sorties in plan)
