"""The pieces of ``sim verify``: row logic, exact formulas, the checks' reading of runs, errors, atomic writes."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim import RunResult
from sim.verify import checks as checks_module
from sim.verify import inventory_theory as theory
from sim.verify.baseline import baseline_checks, linehaul_rates
from sim.verify.checks import VerifyContext, band, register, statistical
from sim.verify.lastmile import _area_rows, little_parcels
from sim.verify.report import write_folder
from sim.verify.runner import run_checks


def test_statistical_rows_judge_by_z() -> None:
    row = statistical("e", "c", "r", "s", expected=1.0, simulated=1.3, standard_error=0.1)
    assert row.z == pytest.approx(3.0) and row.passed
    assert row.ci_low == pytest.approx(1.3 - 0.329) and row.ci_high == pytest.approx(1.3 + 0.329)
    assert not statistical("e", "c", "r", "s", 1.0, 1.34, 0.01).passed
    # An identity measured without noise passes only when equal up to rounding.
    assert statistical("e", "c", "r", "s", 10.0, 10.0 + 1e-12, 0.0).passed
    assert not statistical("e", "c", "r", "s", 10.0, 10.1, 0.0).passed


def test_band_rows_judge_by_the_band() -> None:
    assert band("e", "c", "r", "s", 0.41, 0.40, 0.55).passed
    assert not band("e", "c", "r", "s", 0.63, 0.40, 0.55).passed
    assert math.isnan(band("e", "c", "r", "s", 0.41, 0.40, 0.55).z)


def test_s_s_with_s_just_below_big_s_is_daily_base_stock() -> None:
    # (s = S - 1, S) orders whenever a day had any demand: the order-up-to S policy reviewed daily.
    assert theory.s_s(24, 25, 10.0, 1.0) == pytest.approx(theory.periodic(25, 1, 10.0, 1.0), rel=1e-9)
    pi = theory.s_s_positions(20, 35, 10.0)
    assert pi.min() >= 0 and pi.sum() == pytest.approx(1.0)
    assert pi[-1] == pi.max()  # S is where every order leaves the position


def test_exact_formulas_agree_with_each_other() -> None:
    assert theory.rq(24, 1, 10.0, 2.0) == pytest.approx(theory.base_stock(25, 10.0, 2.0))
    assert theory.periodic(25, 1, 10.0, 2.0)[0] < theory.base_stock(25, 10.0, 2.0)[0]
    assert theory.lost_sales_base_stock(1, 1.0, 1.0)[0] == pytest.approx(0.5)  # B(1, 1) = 1/2


def _geometric_attempts(p: float, m: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    failures = np.random.default_rng(seed).random((n, m)) < p
    first_success = np.where(~failures, np.arange(1, m + 1), m + 1).min(axis=1)
    attempts = np.minimum(first_success, m)
    return attempts, first_success > m


def test_geometric_rows_pass_the_law_and_fail_a_different_one() -> None:
    attempts, fallback = _geometric_attempts(0.09, 3, 20_000, 1)
    assert all(row.passed for row in _area_rows("a", 0.09, 3, attempts, fallback, "test"))
    attempts, fallback = _geometric_attempts(0.12, 3, 20_000, 2)  # customers absent more often than the scenario says
    rows = _area_rows("a", 0.09, 3, attempts, fallback, "test")
    assert not rows[0].passed and not rows[1].passed


def test_little_parcels_on_a_stationary_stream() -> None:
    rng = np.random.default_rng(3)
    order = np.sort(rng.uniform(0.0, 60 * 24.0, 60 * 24 * 20))  # 20 an hour for 60 days
    sojourn = rng.exponential(10.0, order.size)
    leave = order + sojourn
    leave[leave > 60 * 24.0] = np.nan  # not finished when the run ends: in the system to the end
    fake = SimpleNamespace(window=(10 * 24.0, 60 * 24.0),
                           parcels=pd.DataFrame({"order_time_h": order, "available_time_h": leave}))
    mean_in_system, lam_w, se = little_parcels(fake)  # type: ignore[arg-type]
    assert mean_in_system == pytest.approx(lam_w, rel=0.03)
    assert abs(mean_in_system - lam_w) < 4 * se


def test_baseline_rows_read_the_summary(baseline_result: RunResult) -> None:
    ctx = VerifyContext(quick=True)
    ctx.cache["baseline_runs"] = [baseline_result]
    rows = {row.check.split(" (")[0]: row for row in baseline_checks(ctx)}
    s = baseline_result.summary
    assert rows["last-mile share of total logistics cost"].simulated == s["last_mile_share"]
    assert rows["first-attempt success rate"].simulated == s["first_attempt_success_rate"]
    per_km, per_hour = linehaul_rates(baseline_result)
    trips = baseline_result.trips
    assert per_km == pytest.approx(trips["cost"].sum() / trips["km"].sum())  # the baseline's trips are all FTL
    assert rows["line-haul cost per truck-km"].simulated == per_km
    ledger = baseline_result.ledger
    upstream = ledger[ledger["stage"].isin(["factory_to_central", "central_to_regional"])]
    rate = baseline_result.scenario.linehaul.driver_cost_per_hour
    hours = upstream.loc[upstream["component"] == "driver_time", "amount"].sum() / rate
    transport = upstream[upstream["component"] != "inventory_holding"]["amount"].sum()
    assert per_hour == pytest.approx(transport / hours)
    assert rows["line-haul cost per paid driver hour"].simulated == per_hour


def test_a_check_that_raises_is_a_failed_row() -> None:
    name = "test_raises"

    @register(name, "test element")
    def broken(ctx: VerifyContext) -> list:
        raise RuntimeError("boom")

    try:
        result = run_checks(quick=True, names=[name])
    finally:
        del checks_module._REGISTRY[name]
    assert len(result.rows) == 1 and not result.rows[0].passed
    assert "RuntimeError: boom" in result.rows[0].check and result.errors[name] == "RuntimeError: boom"
    with pytest.raises(ValueError, match="unknown checks"):
        run_checks(quick=True, names=["nope"])


def test_a_failed_write_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.verify import report

    result = run_checks(quick=True, names=["routing_bhh"])
    folder = write_folder(result, tmp_path, "test")
    assert (folder / "checks.csv").exists()
    monkeypatch.setattr(report, "html", lambda *args: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        write_folder(result, tmp_path / "second", "test")
    assert list((tmp_path / "second").iterdir()) == []  # neither a folder nor a partial
