"""The baseline lands where the published figures say it should (docs/calibration.md)."""

from __future__ import annotations

from sim import RunResult


def test_last_mile_share_is_in_the_published_band(baseline_result: RunResult) -> None:
    share = baseline_result.summary["last_mile_share"]
    assert 0.28 <= share <= 0.60, share


def test_cost_per_delivered_parcel_is_of_the_published_order(baseline_result: RunResult) -> None:
    # Total logistics cost per parcel well below the ~$9 US parcel price for the last mile alone,
    # and the whole chain within a few dollars to a few tens of dollars.
    s = baseline_result.summary
    assert 1.0 < s["last_mile_cost_per_delivered_parcel"] < 15.0
    assert 3.0 < s["cost_per_delivered_parcel"] < 40.0


def test_courier_work_looks_like_published_rounds(baseline_result: RunResult) -> None:
    routes = baseline_result.summary["routes"]
    assert 60 <= routes["mean_stops"] <= 200
    assert 0.15 <= routes["driving_share"] <= 0.55
    assert 0.85 <= baseline_result.summary["first_attempt_success_rate"] <= 0.98


def test_baseline_delivers_almost_everything(baseline_result: RunResult) -> None:
    parcels = baseline_result.summary["parcels"]
    assert parcels["delivered"] / parcels["ordered"] > 0.9
    assert baseline_result.summary["stock"]["fill_rate"] > 0.95
