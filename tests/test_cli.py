"""The command line: a good run writes a complete folder; bad input exits 2 with one line and writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BASELINE, ROOT

SHORT = ["--set", "horizon.warmup_days=2", "--set", "horizon.days=5"]
def summary_warnings(folder: Path) -> list[str]:
    """The ``warnings`` list of a results folder's summary.json."""
    warnings: list[str] = json.loads((folder / "summary.json").read_text())["warnings"]
    return warnings


SUMMARY_KEYS = {"last_mile_share", "last_mile_share_transport", "cost_per_parcel", "total_cost", "parcels",
                "first_attempt_success_rate", "lead_time_hours", "routes"}


def _sim(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_run_writes_a_complete_results_folder(tmp_path: Path) -> None:
    done = _sim("run", BASELINE, "--seed", "3", "--out", tmp_path, *SHORT)
    assert done.returncode == 0, done.stderr
    assert "last-mile share of total logistics cost" in done.stdout
    folders = list((tmp_path / "baseline").iterdir())
    assert len(folders) == 1 and not folders[0].name.startswith(".")
    folder = folders[0]
    expected = {"scenario.toml", "manifest.json", "summary.json", "cost_by_stage_component.csv", "tables",
                "cost_per_parcel_by_stage.png", "last_mile_cost_by_component.png",
                "delivery_outcomes_and_lead_time.png"}
    assert expected <= {p.name for p in folder.iterdir()}
    tables = {"parcels.parquet", "routes.parquet", "trips.parquet", "inventory.parquet", "ledger.parquet"}
    assert tables <= {p.name for p in (folder / "tables").iterdir()}
    assert not (folder / "parcels.csv").exists()  # CSV only with --format csv or both
    assert summary_warnings(folder) == []
    summary = json.loads((folder / "summary.json").read_text())
    assert set(summary) >= SUMMARY_KEYS
    assert set(summary["parcels"]) >= {"delivered", "at_pickup_point", "returned", "in_system"}
    assert set(summary["lead_time_hours"]) >= {"mean", "p95"}
    assert set(summary["routes"]) >= {"count", "mean_stops", "mean_km", "driving_share"}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["seed"] == 3
    assert {"simpy", "numpy", "pandas", "python"} <= set(manifest["versions"])
    # The resolved scenario is itself a valid scenario that reproduces the run.
    again = _sim("run", folder / "scenario.toml", "--seed", "3", "--out", tmp_path / "again", "--no-plots")
    assert again.returncode == 0, again.stderr
    rerun = next((tmp_path / "again" / "baseline").iterdir())
    assert json.loads((rerun / "summary.json").read_text()) == summary


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "no/such/file.toml"], "no such scenario file"),
        (["run", BASELINE, "--set", "linehaul.speed=80"], "linehaul.speed: unknown key"),
        (["run", BASELINE, "--set", "regional_warehouses.metro.area.orders_per_household_per_day=-1"],
         "orders_per_household_per_day = -1"),
        (["run", BASELINE, "--set", "regional_warehouses.metro.fleet.units.diesel_van.count=\"many\""],
         "fleet.units[0].count"),
        (["run", BASELINE, "--set", "regional_warehouses.metro.supplier=\"ghost\""], "'ghost'"),
        (["run", BASELINE, "--seed", "-4"], "--seed -4"),
        (["run", BASELINE, "--seed", "abc"], "invalid int value"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(tmp_path: Path, args: list[str | Path], fragment: str) -> None:
    done = _sim(*args, "--out", tmp_path) if args[0] == "run" else _sim(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert fragment in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("sim: error:")
    assert not any(tmp_path.iterdir()), "no results folder may be written for bad input"


def test_validate_command() -> None:
    done = _sim("validate", BASELINE)
    assert done.returncode == 0 and "valid scenario 'baseline'" in done.stdout


def test_existing_results_are_not_lost(tmp_path: Path) -> None:
    first = _sim("run", BASELINE, "--out", tmp_path, "--no-plots", *SHORT)
    assert first.returncode == 0, first.stderr
    bad = _sim("run", BASELINE, "--out", tmp_path, "--set", "horizon.days=-1")
    assert bad.returncode == 2
    assert len(list((tmp_path / "baseline").iterdir())) == 1
