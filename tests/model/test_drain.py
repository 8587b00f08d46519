"""``horizon.drain``: after the window no order arrives and the clock runs until the window's parcels are final."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import RunResult, load_scenario, run
from sim.metrics.lifecycle import ATTRIBUTED_COLUMNS, attributed_rows
from tests.conftest import ROOT, SHORT, short_run

OFF = "horizon.drain=false"
# A fleet too small for its demand: parcels pile up, so a one-day drain cannot clear them.
STARVED = ("regional_warehouses.metro.fleet.units.diesel_van.count=3", "horizon.drain_cap_days=1")


def _window_ledger(result: RunResult) -> pd.DataFrame:
    start, end = result.summary["window_hours"]
    ledger = result.ledger
    rows = ledger[(ledger["time_h"] >= start) & (ledger["time_h"] <= end)]
    return rows.astype({"stage": str, "leg": str, "component": str, "channel": str, "facility": str}).sort_values(
        list(rows.columns)).reset_index(drop=True)


def test_drain_is_on_by_default_and_every_window_parcel_ends_final(short_result: RunResult) -> None:
    summary = short_result.summary
    drain = summary["lifecycle"]["drain"]
    assert summary["parcels"]["in_system"] == 0
    assert not short_result.parcels["state"].isin(["in_system", "at_pickup_point"]).any()
    assert drain["open_at_end"] == 0 and not drain["capped"]
    assert drain["open_at_window_end"] > 0  # there was something to drain
    assert 0 < drain["days"] <= drain["cap_days"] == 14
    assert drain["days"] == int(drain["days"])  # the drain stops at a midnight
    assert not any("drain" in w for w in summary["warnings"])


def test_no_order_is_created_after_the_window() -> None:
    window_end = short_run().summary["window_hours"][1]
    assert short_run().parcels["order_time_h"].max() <= window_end
    # The shops neither sell nor order during the drain.
    shops = run(load_scenario(ROOT / "scenarios/examples/upstream/channel_stores.toml", SHORT), seed=1)
    end_day = shops.summary["window_hours"][1] / 24
    assert shops.store_sales is not None and shops.store_orders is not None
    assert shops.store_sales["day"].max() == end_day - 1
    assert shops.store_orders["day"].max() <= end_day - 1
    assert shops.summary["lifecycle"]["drain"]["days"] > 0


def test_the_window_ledger_is_the_drain_off_runs_exactly(short_result: RunResult) -> None:
    """Common random numbers: until the window's end the two runs are the same run."""
    off = short_run(OFF)
    pd.testing.assert_frame_equal(_window_ledger(short_result), _window_ledger(off), check_exact=True)
    for key in ("total_cost", "upstream_cost", "last_mile_cost", "cost_by_stage", "last_mile_share",
                "last_mile_share_transport", "cost_per_parcel", "window_hours"):
        assert short_result.summary[key] == off.summary[key], key
    assert short_result.summary["parcels"]["ordered"] == off.summary["parcels"]["ordered"]
    assert short_result.parcels["order_time_h"].tolist() == off.parcels["order_time_h"].tolist()
    # Routes back by the window's end are the same routes.
    end = off.summary["window_hours"][1]
    back = [r[r["return_h"] <= end].reset_index(drop=True) for r in (short_result.routes, off.routes)]
    pd.testing.assert_frame_equal(back[0], back[1], check_exact=True)
    # The drain only finishes what the window left: served parcels stay served, at the same time.
    delivered_off = off.parcels["state"] == "delivered"
    np.testing.assert_array_equal(short_result.parcels.loc[delivered_off, "delivered_time_h"],
                                  off.parcels.loc[delivered_off, "delivered_time_h"])


def test_drain_off_keeps_the_censored_window_view() -> None:
    off = short_run(OFF)
    assert "lifecycle" not in off.summary
    assert off.summary["parcels"]["in_system"] > 0
    assert off.ledger["time_h"].max() <= off.summary["window_hours"][1]


def test_attributed_costs_are_the_ledger_entries_they_stand_for(short_result: RunResult) -> None:
    """Every attributed ledger entry reaches a parcel: the parcel columns sum to those entries."""
    ledger = short_result.ledger
    attributed = math.fsum(ledger.loc[attributed_rows(ledger), "amount"].tolist())
    parcels = short_result.parcels
    on_parcels = math.fsum(parcels[list(ATTRIBUTED_COLUMNS)].to_numpy().ravel().tolist())
    assert on_parcels == pytest.approx(attributed, rel=1e-9)


def test_lifecycle_costs_add_up(short_result: RunResult) -> None:
    summary = short_result.summary
    life = summary["lifecycle"]
    parcels = short_result.parcels
    window = parcels[parcels["in_window"]]
    attributed = math.fsum(window[list(ATTRIBUTED_COLUMNS)].to_numpy().ravel().tolist())
    assert life["attributed_cost"] == pytest.approx(attributed, rel=1e-12)
    assert life["total_cost"] == pytest.approx(life["attributed_cost"] + life["shared_cost"], rel=1e-12)
    assert life["total_cost"] == pytest.approx(math.fsum(life["cost_by_stage"].values()), rel=1e-12)
    assert life["cost_per_parcel"]["total"] == pytest.approx(life["total_cost"] / summary["parcels"]["ordered"])
    # The drain's shared costs are reported apart: exactly the shared entries posted after the window.
    ledger = short_result.ledger
    after = ledger[(ledger["time_h"] > summary["window_hours"][1]) & ~attributed_rows(ledger)]
    assert life["drain_shared_cost"] == pytest.approx(math.fsum(after["amount"].tolist()), rel=1e-12)
    assert life["drain_shared_cost"] > 0
    # The shared costs in the window are the window view's, less what parcels carry.
    window_ledger = ledger[(ledger["time_h"] >= summary["window_hours"][0])
                           & (ledger["time_h"] <= summary["window_hours"][1])]
    shared = math.fsum(window_ledger.loc[~attributed_rows(window_ledger), "amount"].tolist())
    assert life["shared_cost"] == pytest.approx(shared, rel=1e-12)


def test_units_are_conserved_after_the_drain(short_result: RunResult) -> None:
    balance = {k: np.asarray(v) for k, v in short_result.unit_balance.items()}
    located = (balance["on_hand"] + balance["at_factory"] + balance["queued"] + balance["in_transit"]
               + balance["in_parcels"])
    np.testing.assert_array_equal(balance["initial"] + balance["produced"], located)


def test_the_cap_stops_the_clock_and_warns() -> None:
    result = short_run(*STARVED)
    drain = result.summary["lifecycle"]["drain"]
    assert drain["capped"] and drain["days"] == 1.0
    assert drain["open_at_end"] > 0
    assert drain["stop_h"] == result.summary["window_hours"][1] + 24.0
    warnings = [w for w in result.summary["warnings"] if w.startswith("drain cap hit")]
    assert len(warnings) == 1 and f"{drain['open_at_end']} parcels" in warnings[0]
    # Open parcels are still in the system: the window's ones are counted there.
    assert 0 < result.summary["parcels"]["in_system"] <= drain["open_at_end"]
    assert result.ledger["time_h"].max() <= drain["stop_h"] + 24.0 * 60  # returns decided later are dated later


def test_the_backlog_warning_still_looks_at_the_window_end() -> None:
    """After the drain nothing is left in the system: the saturation test reads the window's end, as without it."""
    starved = STARVED[0]
    off, on = short_run(starved, OFF), short_run(*STARVED)
    backlog = [w for w in off.summary["warnings"] if "grows without bound" in w]
    assert len(backlog) == 1
    assert [w for w in on.summary["warnings"] if "grows without bound" in w] == backlog
    # The parcels open at the window's end are the drain-off run's parcels in the system (no carrier here).
    assert on.summary["lifecycle"]["drain"]["window_parcels_open_at_window_end"] == off.summary["parcels"]["in_system"]
    assert short_run().summary["lifecycle"]["drain"]["window_parcels_open_at_window_end"] == \
        short_run(OFF).summary["parcels"]["in_system"]


def test_sim_run_prints_the_cap_warning_on_stderr(tmp_path: Path) -> None:
    overrides = [item for value in (*SHORT, *STARVED) for item in ("--set", value)]
    done = subprocess.run([sys.executable, "-m", "sim", "run", str(ROOT / "scenarios/baseline.toml"), "--seed", "1",
                           "--no-plots", "--quiet", "--out", str(tmp_path), *overrides],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    open_at_end = short_run(*STARVED).summary["lifecycle"]["drain"]["open_at_end"]
    assert f"sim: warning: drain cap hit: {open_at_end} parcels" in done.stderr
