"""Parcels back from a round: re-queued, redirected to a pickup point or returned; pickup-point outcomes."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.lastmile.hub import HubShuttle
from sim.model.lastmile.jobs import RouteOutcome
from sim.model.lastmile.pickup import PickupNetwork
from sim.model.lastmile.queues import ParcelQueues
from sim.model.lastmile.settlement import ParcelSettlement
from sim.records import ParcelState
from tests.model.lastmile.lastmile_world import World, world


def settlement(w: World) -> ParcelSettlement:
    pickup = PickupNetwork(w.area, w.geometry, np.random.default_rng(2))
    return ParcelSettlement(w.ctx, "metro", w.area, w.scenario.last_mile, w.fleet.depart_hour, pickup,
                            ParcelQueues())


def test_failed_parcels_are_retried_then_taken_to_a_pickup_point() -> None:
    w = world()
    ids = w.add_parcels([(1.0, 1.0)] * 2).tolist()
    w.parcels.attempts[ids] = [1, w.scenario.last_mile.max_attempts]
    done = settlement(w)
    done.route_returned(RouteOutcome(failed=ids), now=12.0)
    assert done.queues.home == [ids[0]] and done.queues.pickup == [ids[1]]
    assert bool(w.parcels.wants_pickup[ids[1]])
    assert (w.parcels.state[ids] == ParcelState.AT_DEPOT).all()


def test_after_the_last_attempt_a_parcel_goes_back_to_the_sender_when_the_policy_says_return() -> None:
    w = world("last_mile.after_max_attempts=return")
    (parcel,) = w.add_parcels([(1.0, 1.0)]).tolist()
    w.parcels.attempts[parcel] = w.scenario.last_mile.max_attempts
    done = settlement(w)
    done.route_returned(RouteOutcome(failed=[parcel]), now=12.0)
    policy = w.scenario.last_mile
    assert w.parcels.state[parcel] == ParcelState.RETURNED
    assert w.parcels.return_cost[parcel] == pytest.approx(policy.return_handling_cost
                                                          + policy.return_transport_cost_per_parcel)
    assert done.queues.home == [] and done.queues.pickup == []


def test_aborted_parcels_give_back_their_locker_reservation_and_queue_again() -> None:
    w = world("regional_warehouses.metro.area.pickup_points=0", "regional_warehouses.metro.area.lockers=1",
              "regional_warehouses.metro.area.locker_capacity=1")
    ids = w.add_parcels([(1.0, 1.0)] * 2).tolist()
    done = settlement(w)
    point = done.pickup.choose(1.0, 1.0, now=0.0)
    assert done.pickup.choose(1.0, 1.0, now=0.0) == -1  # the only compartment is reserved
    w.parcels.pickup_point[ids[0]] = point
    w.parcels.wants_pickup[ids[0]] = True
    done.route_returned(RouteOutcome(aborted=ids), now=12.0)
    assert done.queues.pickup == [ids[0]] and done.queues.home == [ids[1]]
    assert w.parcels.pickup_point[ids[0]] == -1
    assert done.pickup.free_slots(point, now=12.0) == 1


def test_pickup_point_hand_over_books_the_fee_and_settles_at_the_end() -> None:
    w = world()
    ids = w.add_parcels([(1.0, 1.0)] * 3)
    done = settlement(w)
    w.parcels.pickup_point[ids] = 0  # a staffed point: no compartments
    done.hand_to_pickup_point(tuple(ids.tolist()), now=10.0)
    fee = w.scenario.last_mile.pickup_point_fee
    assert w.ctx.ledger.to_frame()["amount"].sum() == pytest.approx(3 * fee)
    assert (w.parcels.state[ids] == ParcelState.AT_PICKUP_POINT).all()
    done.finalize(end_h=10.0 + 24.0 * 30)  # past every hold period: each parcel collected or returned
    states = set(w.parcels.state[ids].tolist())
    assert states <= {ParcelState.DELIVERED, ParcelState.RETURNED}


def test_hub_shuttle_costs_a_round_trip_as_line_haul() -> None:
    w = world()
    hub_xy = np.array([0.0, 0.0])
    shuttle = HubShuttle(w.ctx, "metro", w.geometry, hub_xy, w.area.stem_speed_kmh, w.scenario.linehaul)
    km = 2.0 * w.area.circuity * float(np.hypot(*w.geometry.depot_xy))
    assert shuttle.km == pytest.approx(km)
    shuttle.post_trip(8.0)
    linehaul = w.scenario.linehaul
    hours = km / w.area.stem_speed_kmh + linehaul.loading_hours
    expected = km * linehaul.cost_per_km + hours * linehaul.driver_cost_per_hour + linehaul.fixed_cost_per_vehicle_day
    ledger = w.ctx.ledger.to_frame()
    assert ledger["amount"].sum() == pytest.approx(expected)
    assert set(ledger["facility"]) == {"metro->hub"}
