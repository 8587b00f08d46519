"""Run records: the table columns are the record fields, and the parcel store grows without losing anything."""

from __future__ import annotations

import math

import numpy as np

from sim.records import (
    INVENTORY_COLUMNS,
    ROUTE_COLUMNS,
    STORE_ORDER_COLUMNS,
    STORE_SALES_COLUMNS,
    TRIP_COLUMNS,
    InventoryRecord,
    ParcelState,
    ParcelStore,
    Recorder,
    RouteRecord,
    StoreOrderRecord,
    StoreSaleRecord,
    TrailEvent,
    TripRecord,
    rows_to_frame,
)


def test_column_tuples_are_the_record_fields() -> None:
    assert RouteRecord._fields == ROUTE_COLUMNS
    assert TripRecord._fields == TRIP_COLUMNS
    assert InventoryRecord._fields == INVENTORY_COLUMNS
    assert StoreSaleRecord._fields == STORE_SALES_COLUMNS
    assert StoreOrderRecord._fields == STORE_ORDER_COLUMNS


def test_rows_to_frame_keeps_the_columns_even_when_empty() -> None:
    assert list(rows_to_frame([], INVENTORY_COLUMNS).columns) == list(INVENTORY_COLUMNS)
    frame = rows_to_frame([InventoryRecord(3, "metro", "bulky", 5, 2, 1)], INVENTORY_COLUMNS)
    assert frame.to_dict("records") == [
        {"day": 3, "facility": "metro", "product": "bulky", "on_hand": 5, "on_order": 2, "backorders": 1}
    ]


def _add(store: ParcelStore, n: int, first: int) -> np.ndarray:
    times = np.arange(first, first + n, dtype=float)
    return store.add_batch(
        regional=2, order_time_h=times, x_km=times + 0.5, y_km=-times, product=np.full(n, 1),
        volume_m3=np.full(n, 0.01), weight_kg=np.full(n, 2.0), key=np.arange(first, first + n, dtype=np.uint64),
    )


def test_parcel_store_growth_keeps_values_and_fill_values() -> None:
    store = ParcelStore(capacity=16)
    first = _add(store, 10, 0)
    store.slot[first[3]] = 2
    store.last_mile_cost[first[4]] = 7.5
    second = _add(store, 30, 10)  # more than the capacity left: the columns grow
    assert store.size == 40
    np.testing.assert_array_equal(np.concatenate([first, second]), np.arange(40))
    np.testing.assert_array_equal(store.view("order_time_h"), np.arange(40, dtype=float))
    np.testing.assert_array_equal(store.view("regional"), np.full(40, 2))
    assert store.view("state").tolist() == [ParcelState.AWAITING_PICK] * 40
    # Values set before the growth survive it.
    assert store.slot[3] == 2 and store.last_mile_cost[4] == 7.5
    # Unset cells keep their "unknown" value: NaN for times, -1 for the minus-one columns, 0 otherwise.
    assert all(math.isnan(t) for t in store.view("delivered_time_h"))
    assert store.view("slot").tolist() == [-1, -1, -1, 2] + [-1] * 36
    assert set(store.view("pickup_point").tolist()) == {-1}
    assert store.view("last_mile_cost").sum() == 7.5
    assert not store.view("backordered").any()
    # The grown capacity is filled as well, beyond the parcels added so far.
    assert math.isnan(store.cols["picked_time_h"][-1]) and store.cols["vehicle"][-1] == -1
    assert store.cols["co2e_kg"][-1] == 0.0


def test_the_trail_is_kept_only_when_asked_for() -> None:
    without = Recorder()
    without.track(1, 2.0, TrailEvent.PICKED)
    assert without.trail is None
    kept = Recorder(trail=[])
    kept.track(1, 2.0, TrailEvent.PICKED)
    assert kept.trail == [(1, 2.0, int(TrailEvent.PICKED))]
