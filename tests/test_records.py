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
    store = ParcelStore(capacity=16, chunk_ids=4096)  # one chunk reserved: 4096 ids
    first = _add(store, 10, 0)
    store.slot[first[3]] = 2
    store.last_mile_cost[first[4]] = 7.5
    second = _add(store, 5000, 10)  # more than the capacity: the columns grow
    n = 5010
    assert store.size == n
    np.testing.assert_array_equal(np.concatenate([first, second]), np.arange(n))
    np.testing.assert_array_equal(store.view("order_time_h"), np.arange(n, dtype=float))
    np.testing.assert_array_equal(store.view("regional"), np.full(n, 2))
    assert store.view("state").tolist() == [ParcelState.AWAITING_PICK] * n
    # Values set before the growth survive it.
    assert store.slot[3] == 2 and store.last_mile_cost[4] == 7.5
    # Unset cells keep their "unknown" value: NaN for times, -1 for the minus-one columns, 0 otherwise.
    assert np.isnan(store.view("delivered_time_h")).all()
    assert store.view("slot").tolist() == [-1, -1, -1, 2] + [-1] * (n - 4)
    assert set(store.view("pickup_point").tolist()) == {-1}
    assert store.view("last_mile_cost").sum() == 7.5
    assert not store.view("backordered").any()
    # Whole chunks are filled when first used: the rest of the second chunk is ready too.
    assert math.isnan(store.cols["picked_time_h"][8191]) and store.cols["vehicle"][8191] == -1
    assert store.cols["co2e_kg"][8191] == 0.0


def _close(store: ParcelStore, ids: np.ndarray, delivered_h: float) -> None:
    store.state[ids] = ParcelState.DELIVERED
    store.delivered_time_h[ids] = delivered_h


def test_a_chunk_is_handed_on_once_settled_in_id_order_with_parked_parcels_last() -> None:
    store = ParcelStore(capacity=3 * 4096, chunk_ids=4096)
    handed: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []
    store.add_sink(lambda ids, rows: handed.append((ids.copy(), {k: v.copy() for k, v in rows.items()})))
    _add(store, 3 * 4096, 0)
    _close(store, np.arange(4096), 10.0)
    _close(store, np.arange(4096, 8192), 10.0)
    store.state[5] = ParcelState.AT_PICKUP_POINT  # parked: its outcome is written at the end of the run
    store.state[4100] = ParcelState.OUT_FOR_DELIVERY  # open: holds its chunk back
    assert store.hand_on_settled(24.0) == 0  # the last delivery only 14 h old
    assert store.hand_on_settled(40.0) == 0  # settled: first seen complete now
    assert store.hand_on_settled(63.0) == 0  # complete since 40 h: not yet 24 h
    assert store.hand_on_settled(64.0) == 1
    assert store.handed_on == 4096 and handed[0][0].tolist() == [i for i in range(4096) if i != 5]
    # The released rows read as zeros, but the parked parcel's settled-at-end columns are kept.
    assert store.key[100] == 0 and store.state[5] == ParcelState.AT_PICKUP_POINT
    store.state[5] = ParcelState.DELIVERED  # the end of the run settles it
    store.delivered_time_h[5] = 30.0
    _close(store, np.array([4100]), 12.0)
    store.hand_on_rest()
    assert [ids.tolist() for ids, _ in handed[1:]] == [[5], list(range(4096, 8192)), list(range(8192, 3 * 4096))]
    rows = handed[1][1]
    assert rows["state"][0] == ParcelState.DELIVERED and rows["delivered_time_h"][0] == 30.0
    assert rows["key"][0] == 5 and rows["order_time_h"][0] == 5.0  # copied when its chunk was handed on
    assert store.view("state").size == 2 * 4096  # the last rows stay in the store


def test_the_trail_is_kept_only_when_asked_for() -> None:
    without = Recorder()
    without.track(1, 2.0, TrailEvent.PICKED)
    assert without.trail is None
    kept = Recorder(trail=[])
    kept.track(1, 2.0, TrailEvent.PICKED)
    assert kept.trail == [(1, 2.0, int(TrailEvent.PICKED))]
