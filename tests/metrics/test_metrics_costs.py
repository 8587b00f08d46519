"""Cost KPIs of a hand-built ledger: totals, shares and per-parcel costs."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.ledger import PARCEL_STAGES, CostLedger
from sim.metrics import cost_summary


def small_ledger() -> pd.DataFrame:
    ledger = CostLedger()
    ledger.post(1.0, "factory_to_central", "vehicle_distance", "lane", 10.0)
    ledger.post(2.0, "central_warehouse", "handling_in", "central", 5.0)
    ledger.post(3.0, "regional_warehouse", "pick_pack", "metro", 5.0)
    ledger.post(4.0, "last_mile", "driver_time", "metro", 20.0)
    ledger.post(5.0, "last_mile", "failed_attempt_handling", "metro", 10.0)
    return ledger.to_frame()


def test_cost_summary_totals_shares_and_per_parcel_costs() -> None:
    costs = cost_summary(small_ledger(), parcels_ordered=10, delivered=8)
    assert costs["upstream_cost"] == 20.0
    assert costs["last_mile_cost"] == 30.0
    assert costs["total_cost"] == costs["upstream_cost"] + costs["last_mile_cost"] == 50.0
    assert costs["cost_by_stage"] == {
        "factory_to_central": 10.0, "central_warehouse": 5.0, "central_to_regional": 0.0,
        "regional_warehouse": 5.0, "last_mile": 30.0,
    }
    assert list(costs["cost_by_stage"]) == list(PARCEL_STAGES)
    assert costs["last_mile_share"] == pytest.approx(0.6)
    # Transport only: the truck's distance upstream against the courier's time (handling is not transport).
    assert costs["last_mile_share_transport"] == pytest.approx(20.0 / 30.0)
    assert costs["cost_per_parcel"]["total"] == 5.0
    assert costs["cost_per_parcel"]["upstream"] + costs["cost_per_parcel"]["last_mile"] == 5.0
    assert costs["cost_per_parcel"]["central_warehouse"] == 0.5
    assert costs["cost_per_delivered_parcel"] == 50.0 / 8
    assert costs["last_mile_cost_per_delivered_parcel"] == 30.0 / 8


def test_cost_summary_without_parcels_gives_nan_per_parcel() -> None:
    costs = cost_summary(small_ledger(), parcels_ordered=0, delivered=0)
    assert math.isnan(costs["cost_per_parcel"]["total"]) and math.isnan(costs["cost_per_delivered_parcel"])
    assert costs["total_cost"] == 50.0
