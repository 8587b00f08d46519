"""Table formats: Parquet by default, CSV or both on request; every format loads back into the same RunResult."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

from sim import RunResult, load_result, load_scenario, run
from sim.output import write_run
from sim.output.convert import convert_tables
from sim.output.layout import ALWAYS_TABLES, CSV_FILES, OPTIONAL_TABLES, RESULT_FILE, table_file
from tests.conftest import ROOT

# Shops (store tables) and the parcel trail in one tiny run (disruptions: tests/output/test_output_parcel_files.py).
STORES = ROOT / "scenarios" / "examples" / "upstream" / "channel_stores.toml"
TINY = ("horizon.warmup_days=1", "horizon.days=2", "outputs.parcel_events=true")


@pytest.fixture(scope="module")
def result() -> RunResult:
    return run(load_scenario(STORES, TINY), seed=3, replication=1)


def _assert_same_tables(loaded: RunResult, original: RunResult) -> None:
    for name in (*ALWAYS_TABLES, *OPTIONAL_TABLES):
        if getattr(original, name) is None:
            assert getattr(loaded, name) is None, name
        else:
            assert_frame_equal(getattr(loaded, name), getattr(original, name), check_exact=True,
                               check_categorical=True, obj=name)
    assert_frame_equal(loaded.daily_service(), original.daily_service(), check_exact=True)


def test_a_csv_folder_loads_back_exactly(result: RunResult, tmp_path: Path) -> None:
    folder = write_run(result, tmp_path, plots=False, table_format="csv")
    for name in ("parcels.csv", "routes.csv", "linehaul_trips.csv", "inventory.csv", "parcel_events.csv",
                 "store_sales.csv", "ledger.csv"):
        assert (folder / name).is_file(), name
    assert not (folder / "tables").exists()
    _assert_same_tables(load_result(folder), result)


def test_parquet_is_the_default_and_the_summary_tables_stay_csv(result: RunResult, tmp_path: Path) -> None:
    folder = write_run(result, tmp_path, plots=False)
    assert sorted(p.name for p in folder.glob("*.csv")) == ["cost_by_stage_component.csv",
                                                             "cost_by_stage_component_all_days.csv"]
    assert json.loads((folder / RESULT_FILE).read_text())["table_format"] == "parquet"


def test_a_folder_converts_between_formats_and_stays_loadable(result: RunResult, tmp_path: Path) -> None:
    folder = write_run(result, tmp_path, plots=False)
    convert_tables(folder, "both")
    assert (folder / "parcels.csv").is_file() and (folder / table_file("parcels")).is_file()
    convert_tables(folder, "csv")
    assert not (folder / "tables").exists() and (folder / CSV_FILES["trail"]).is_file()
    _assert_same_tables(load_result(folder), result)
    convert_tables(folder, "parquet")
    assert not (folder / "parcels.csv").exists() and (folder / table_file("trail")).is_file()
    _assert_same_tables(load_result(folder), result)
