"""Parcel KPIs of a hand-built parcel table, and the service columns of a small parcel store."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.metrics import parcel_service_columns, parcel_summary
from sim.records import ParcelState, ParcelStore


def ten_parcels() -> pd.DataFrame:
    rows = [  # in_window, state, attempts, first_attempt_success, delivered_via, lead_time_h, backordered, days_waited
        (True, "delivered", 1, True, "home", 10.0, False, 0),
        (True, "delivered", 2, False, "home", 20.0, True, 1),
        (True, "delivered", 1, True, "pickup_point", 30.0, False, 0),
        (True, "delivered", 1, True, "carrier", 40.0, False, 0),
        (True, "at_pickup_point", 1, True, "", math.nan, False, 0),
        (True, "returned", 3, False, "", math.nan, False, 2),
        (True, "in_system", 0, False, "", math.nan, True, 0),
        (True, "lost_sale", 0, False, "", math.nan, False, 0),
        (True, "in_system", 0, False, "", math.nan, False, 0),
        (False, "delivered", 1, True, "home", 100.0, False, 0),  # ordered in the warm-up: not counted
    ]
    columns = ["in_window", "state", "attempts", "first_attempt_success", "delivered_via", "lead_time_h",
               "backordered", "days_waited"]
    return pd.DataFrame(rows, columns=columns)


def test_parcel_summary_counts_a_hand_built_table() -> None:
    kpis = parcel_summary(ten_parcels())
    assert kpis["parcels"] == {
        "ordered": 9, "delivered": 4, "at_pickup_point": 1, "returned": 1, "in_system": 2, "lost_sale": 1,
        "delivered_home": 2, "delivered_pickup_point": 1,
    }
    assert kpis["first_attempt_success_rate"] == pytest.approx(4 / 6)
    assert kpis["attempts_per_attempted_parcel"] == pytest.approx(9 / 6)
    assert kpis["lead_time_hours"] == {"mean": 25.0, "p50": 25.0, "p95": pytest.approx(38.5)}
    assert kpis["stock"] == {"backordered_share": pytest.approx(2 / 9), "fill_rate": pytest.approx(2 / 3),
                             "lost_sale_share": pytest.approx(1 / 9)}
    assert kpis["capacity"] == {"carried_over_share": pytest.approx(2 / 9), "mean_days_waited": pytest.approx(3 / 9)}


def test_parcel_service_columns_against_the_promise() -> None:
    store = ParcelStore(capacity=16)
    n = 5
    store.add_batch(0, np.array([1.0, 30.0, 40.0, 50.0, 200.0]), np.zeros(n), np.zeros(n), np.zeros(n, dtype=int),
                    np.zeros(n), np.zeros(n), np.arange(n, dtype=np.uint64))
    store.state[:n] = [ParcelState.DELIVERED, ParcelState.DELIVERED, ParcelState.AT_PICKUP_POINT,
                       ParcelState.DELIVERED, ParcelState.OUT_FOR_DELIVERY]
    store.outsourced[1] = True
    store.via_pickup[3] = True
    store.promise_h[:n] = [48.0, 48.0, 60.0, 60.0, 240.0]
    store.delivered_time_h[:n] = [40.0, 52.0, math.nan, 90.0, math.nan]
    store.pickup_handover_h[:n] = [math.nan, math.nan, 58.0, 70.0, math.nan]
    columns = parcel_service_columns({name: store.view(name) for name in store.cols}, 24.0, 100.0)
    assert columns["in_window"].tolist() == [False, True, True, True, False]
    assert columns["delivered_via"].tolist() == ["home", "carrier", "", "pickup_point", ""]
    np.testing.assert_array_equal(columns["lead_time_h"], [39.0, 22.0, math.nan, 40.0, math.nan])
    # In the customer's reach: at the door, or when handed to the pickup point (not when collected).
    np.testing.assert_array_equal(columns["available_time_h"], [40.0, 52.0, 58.0, 70.0, math.nan])
    assert columns["on_time"].tolist() == [True, False, True, False, False]
    np.testing.assert_array_equal(columns["lateness_h"], [0.0, 4.0, 0.0, 10.0, math.nan])
