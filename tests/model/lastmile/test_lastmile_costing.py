"""Route costing: the split between delivered and failed parcels adds up to the route's cost."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.lastmile.costing import RouteCost, RouteCosting, failed_share
from sim.model.lastmile.jobs import RouteJob, RouteOutcome
from sim.model.lastmile.vehicles import UnitOps
from sim.records import RouteRecord
from tests.model.lastmile.lastmile_world import world


def test_overtime_is_paid_at_the_premium_beyond_the_shift() -> None:
    w = world()
    van = w.scenario.vehicle_types["diesel_van"]
    fleet = w.fleet
    on_time = RouteCost.of(van, fleet, fleet.shift_hours - 1.0, 40.0)
    late = RouteCost.of(van, fleet, fleet.shift_hours + 1.0, 40.0)
    assert on_time.overtime_h == 0.0
    assert on_time.driver_cost == pytest.approx(van.driver_cost_per_hour * fleet.shift_hours)
    assert late.driver_cost - on_time.driver_cost == pytest.approx(van.driver_cost_per_hour * fleet.overtime_multiplier)
    assert on_time.distance_cost == pytest.approx(40.0 * van.cost_per_km)
    assert on_time.co2e_kg == pytest.approx(40.0 * van.co2e_kg_per_km)


def test_failed_share_counts_pickup_point_hand_overs_as_served() -> None:
    assert failed_share(RouteOutcome()) == 0.0
    assert failed_share(RouteOutcome(delivered=[1, 2], failed=[3], at_pickup_point=[4])) == pytest.approx(0.25)


def test_route_cost_split_sums_to_the_route_and_failed_share_is_booked_as_failed_attempt() -> None:
    w = world()
    ctx = w.ctx
    ids = w.add_parcels([(1.0, 0.0)] * 4).tolist()
    unit = w.fleet.units[0]
    van = w.scenario.vehicle_types["diesel_van"]
    setting = w.setting()
    ops = UnitOps.build(0, unit, van, w.area, w.geometry.depot_xy, None, setting.traffic, 8.0, w.fleet.shift_hours)
    job = RouteJob(5, 0, "daily", ops, [], 30.0, 7.0)
    outcome = RouteOutcome(delivered=ids[:2], failed=[ids[2]], at_pickup_point=[ids[3]], km=50.0, aborted=[99])
    ctx.env.run(until=18.0)
    RouteCosting(ctx, "metro", w.fleet, 1.5).settle(job, 8.0, outcome)

    cost = RouteCost.of(van, w.fleet, 10.0, 50.0)
    money = cost.distance_cost + cost.driver_cost
    ledger = ctx.ledger.to_frame()
    assert ledger["amount"].sum() == pytest.approx(money + 1.5)
    by_component = ledger.groupby("component", observed=True)["amount"].sum()
    assert by_component["failed_attempt"] == pytest.approx(money / 4)
    assert by_component["failed_attempt_handling"] == pytest.approx(1.5)
    emissions = ctx.emissions.to_frame()
    assert emissions["amount"].sum() == pytest.approx(cost.co2e_kg)

    parcels = w.parcels
    np.testing.assert_allclose(parcels.last_mile_cost[[ids[0], ids[1], ids[3]]], money / 4)
    assert parcels.failed_attempt_cost[ids[2]] == pytest.approx(money / 4 + 1.5)
    assert parcels.co2e_kg[ids].sum() == pytest.approx(cost.co2e_kg)

    (record,) = ctx.recorder.routes
    assert isinstance(record, RouteRecord)
    assert (record.route_id, record.parcels, record.delivered, record.failed, record.aborted) == (5, 5, 3, 1, 1)
    assert record.cost == pytest.approx(money) and record.duration_h == pytest.approx(10.0)
