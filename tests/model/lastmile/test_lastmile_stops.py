"""Stops from queued parcels: consolidation by address and slot, and one stop per pickup point."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.lastmile.pickup import PickupNetwork
from sim.model.lastmile.stops import Stop, StopBuilder, StopList
from sim.model.lastmile.traffic import loglogistic_mean
from tests.model.lastmile.lastmile_world import World, world

CONSOLIDATE = "regional_warehouses.metro.area.consolidate_same_address=true"


def builder(w: World) -> tuple[StopBuilder, float]:
    area = w.area
    mean_h = loglogistic_mean(area.service_time_median_min, area.service_time_shape) / 60
    pickup = PickupNetwork(area, w.geometry, np.random.default_rng(2))
    return StopBuilder(w.parcels, w.products, area, w.scenario.last_mile, pickup, mean_h), mean_h


def test_home_stops_are_one_per_parcel_oldest_order_first() -> None:
    w = world()
    ids = w.add_parcels([(0.0, 0.0), (1.0, 0.0), (2.0, 0.0)], order_h=[5.0, 1.0, 3.0])
    w.parcels.slot[ids[2]] = 1
    stops, mean_h = builder(w)
    home = stops.home_stops(ids.tolist())
    assert [s.parcels for s in home] == [(ids[1],), (ids[2],), (ids[0],)]
    assert [s.window for s in home] == [None, w.area.time_windows.slots[1], None]
    assert home[0].expected_service_h == pytest.approx(mean_h)  # standard parcels: multiplier 1
    assert len(stops.home_stops([])) == 0


def test_consolidation_groups_one_address_and_slot_into_one_stop() -> None:
    w = world(CONSOLIDATE)
    ids = w.add_parcels([(0.5, 0.5), (0.5, 0.5), (0.5, 0.5), (3.0, 1.0)], volume_m3=0.02, weight_kg=2.0)
    w.parcels.address[ids] = [7, 7, 7, -1]
    w.parcels.slot[ids] = [-1, -1, 0, -1]
    stops, mean_h = builder(w)
    home = stops.home_stops(ids.tolist())
    assert [s.parcels for s in home] == [(ids[0], ids[1]), (ids[2],), (ids[3],)]
    door = home[0]
    assert door.volume_m3 == pytest.approx(0.04) and door.weight_kg == pytest.approx(4.0)
    # The first parcel takes the full hand-over, each further one the area's extra minutes.
    assert door.expected_service_h == pytest.approx(mean_h + w.area.extra_parcel_service_min / 60.0)
    assert home[1].window == w.area.time_windows.slots[0]


def test_pickup_stops_group_parcels_by_nearest_point_with_room() -> None:
    w = world()
    stops, _ = builder(w)
    points = stops.pickup.xy
    near = [tuple(points[3]), tuple(points[3]), tuple(points[0])]
    ids = w.add_parcels([(float(x), float(y)) for x, y in near])
    pickup_stops, no_room = stops.pickup_stops(ids.tolist(), now=0.0)
    assert no_room == []
    assert [(s.pickup_point, s.parcels) for s in pickup_stops] == [(0, (ids[2],)), (3, (ids[0], ids[1]))]
    policy = w.scenario.last_mile
    expected = (policy.pickup_point_handover_min + 2 * policy.pickup_point_service_per_parcel_min) / 60.0
    assert pickup_stops[1].expected_service_h == pytest.approx(expected)
    assert w.parcels.pickup_point[ids].tolist() == [3, 3, 0]


def test_pickup_stops_report_parcels_whose_lockers_are_full() -> None:
    w = world("regional_warehouses.metro.area.pickup_points=0", "regional_warehouses.metro.area.lockers=1",
              "regional_warehouses.metro.area.locker_capacity=2")
    stops, _ = builder(w)
    ids = w.add_parcels([(0.0, 0.0)] * 3)
    pickup_stops, no_room = stops.pickup_stops(ids.tolist(), now=0.0)
    assert [s.parcels for s in pickup_stops] == [(ids[0], ids[1])]
    assert no_room == [ids[2]]


def _rows() -> list[Stop]:
    return [
        Stop(0.5, 1.5, (4,), -1, 0.01, 1.0, 0.05),
        Stop(2.0, -1.0, (7, 9, 11), 3, 0.06, 6.5, 0.2),
        Stop(-3.0, 0.25, (2,), -1, 0.02, 2.0, 0.07, (10.0, 12.0)),
        Stop(1.0, 1.0, (5, 6), -1, 0.03, 3.0, 0.1),
    ]


def test_a_stop_list_gives_back_the_rows_it_was_made_of() -> None:
    rows = _rows()
    stops = StopList.of(rows)
    assert len(stops) == 4 and list(stops) == rows
    assert stops.counts().tolist() == [1, 3, 1, 2]
    assert stops.parcel_ids.tolist() == [4, 7, 9, 11, 2, 5, 6]
    assert stops[-1] == rows[-1] and list(stops[1:3]) == rows[1:3]


def test_taking_stops_keeps_each_stops_parcels_in_the_order_asked() -> None:
    rows = _rows()
    stops = StopList.of(rows)
    order = np.array([3, 1, 0, 2])
    taken = stops.take(order)
    assert list(taken) == [rows[i] for i in order]
    assert taken.parcel_ids.tolist() == [5, 6, 7, 9, 11, 4, 2]
    assert len(stops.take(np.array([], dtype=np.intp))) == 0
    singles = StopList.of([rows[0], rows[2]])  # one parcel per stop: the gather's fast path
    assert list(singles.take(np.array([1, 0]))) == [rows[2], rows[0]]


def test_joined_stop_lists_are_one_list_after_the_other() -> None:
    rows = _rows()
    joined = StopList.concat([StopList.of(rows[:2]), StopList.of([]), StopList.of(rows[2:])])
    assert list(joined) == rows
    assert joined.offsets.tolist() == [0, 1, 4, 5, 7]
