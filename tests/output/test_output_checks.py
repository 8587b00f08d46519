"""Checks before and after a run: memory refused up front unless --force, a growing backlog said out loud."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import ScenarioError, load_scenario
from sim.cli import main
from sim.metrics.summary import BACKLOG_DAYS_LIMIT, saturation_warnings
from sim.output import checks
from tests.conftest import BASELINE

YEAR = ["--set", "horizon.days=358", "--set", "horizon.warmup_days=7"]


def test_the_estimate_grows_with_orders_and_days() -> None:
    short = load_scenario(BASELINE, ["horizon.warmup_days=1", "horizon.days=1"])
    year = load_scenario(BASELINE, ["horizon.warmup_days=7", "horizon.days=358"])
    per_day = sum(r.area.expected_orders_per_day for r in year.regional_warehouses)
    assert checks.expected_parcels(year) == pytest.approx(365 * per_day)
    assert checks.estimate_bytes(year, streamed=True) == pytest.approx(
        checks.FIXED_BYTES + checks.STREAMED_BYTES_PER_PARCEL * 365 * per_day)
    assert checks.estimate_bytes(year, streamed=False) > checks.estimate_bytes(year, streamed=True)
    assert checks.estimate_bytes(short, streamed=True) < checks.estimate_bytes(year, streamed=True)


def test_too_little_memory_is_refused_with_the_estimate_unless_forced() -> None:
    year = load_scenario(BASELINE, ["horizon.warmup_days=7", "horizon.days=358"])
    with pytest.raises(ScenarioError) as error:
        checks.check_memory([year], False, streamed=True, available=300 * checks.MIB)
    message = str(error.value)
    assert "estimated memory" in message and "M parcels expected" in message and "365 days" in message
    assert "--force" in message and "\n" not in message
    assert checks.check_memory([year], True, streamed=True, available=300 * checks.MIB) > 300 * checks.MIB
    # Two workers hold two runs at a time.
    one = checks.check_memory([year, year], False, streamed=False, workers=1, available=2**40)
    assert checks.check_memory([year, year], False, streamed=False, workers=2, available=2**40) == 2 * one


def test_available_memory_is_read_from_meminfo(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24105000 kB\nMemAvailable:   1024 kB\n")
    assert checks.available_bytes(meminfo) == 1024 * 1024
    assert checks.available_bytes(tmp_path / "none") is None


def test_sim_run_refuses_before_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(checks, "available_bytes", lambda: 100 * checks.MIB)
    assert main(["run", str(BASELINE), *YEAR, "--out", str(tmp_path), "--no-plots"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sim: error: scenario 'baseline': estimated memory")
    assert not any(tmp_path.iterdir())


def _summary(ordered: int, waiting: int, fill: float = 0.99) -> dict[str, object]:
    return {"parcels": {"ordered": ordered, "in_system": waiting}, "stock": {"fill_rate": fill}}


def _routes(delivered_per_day: dict[str, int], days: range) -> pd.DataFrame:
    return pd.DataFrame([{"day": day, "regional": name, "delivered": count}
                         for day in days for name, count in delivered_per_day.items()])


def test_a_backlog_that_grows_is_a_warning_with_what_the_fleet_managed() -> None:
    # 14 window days after 7 of warm-up, 10,000 ordered a day, 62 % still waiting: 8.7 days of orders.
    start, end = 7 * 24.0, 21 * 24.0
    routes = _routes({"metro": 2_500, "suburb": 1_200}, range(21))
    (warning,) = saturation_warnings(_summary(140_000, 86_800, fill=0.45), routes, start, end)
    assert warning.startswith("62% of the window's parcels (86,800 of 140,000) are still in the system at the end, "
                              "8.7 days of orders")
    assert "at most 3,700 parcels a day (metro 2,500, suburb 1,200) against 10,000 ordered a day" in warning
    assert "filled only 45%" in warning


def test_a_run_that_keeps_up_has_no_warning() -> None:
    start, end = 4 * 24.0, 32 * 24.0
    routes = _routes({"metro": 1_500}, range(32))
    # The shipped scenarios end with 2 to 4.2 days of orders still in the system.
    assert saturation_warnings(_summary(40_000, int(4.2 * 40_000 / 28)), routes, start, end) == []
    limit = int(BACKLOG_DAYS_LIMIT * 40_000 / 28)
    assert saturation_warnings(_summary(40_000, limit), routes, start, end) == []
    assert saturation_warnings(_summary(40_000, limit + 100), routes, start, end) != []
    assert saturation_warnings(_summary(0, 0), routes, start, end) == []


@pytest.mark.slow
def test_an_overloaded_run_says_so_on_stderr_and_in_the_summary(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    overload = ["--set", "regional_warehouses.metro.area.orders_per_household_per_day=0.05",
                "--set", "horizon.warmup_days=2", "--set", "horizon.days=7"]
    done = subprocess.run([sys.executable, "-m", "sim", "run", str(BASELINE), *overload, "--out", str(tmp_path),
                           "--no-plots", "--quiet"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("sim: warning: ")]
    # The backlog warning (judged at the window's end), and the drain, which cannot clear it, hitting its cap.
    assert len(warnings) == 2
    assert "still in the system at the end" in warnings[0]
    assert "drain" in warnings[1] and "horizon.drain_cap_days" in warnings[1]
    (folder,) = (tmp_path / "baseline").iterdir()
    expected = [w.removeprefix("sim: warning: ") for w in warnings]
    assert json.loads((folder / "summary.json").read_text())["warnings"] == expected
