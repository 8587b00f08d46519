"""load_result: a results folder reads back into the RunResult that wrote it, exactly."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from sim import RunResult, ScenarioError, load_result, load_scenario, run
from sim.output import write_run
from sim.output.layout import ALWAYS_TABLES, OPTIONAL_TABLES, RESULT_FILE, table_file
from tests.conftest import ROOT

# A run with every optional table but disruptions: shops (store tables) and the parcel trail.
STORES = ROOT / "scenarios" / "examples" / "upstream" / "channel_stores.toml"
TINY = ("horizon.warmup_days=1", "horizon.days=2", "outputs.parcel_events=true")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    result = run(load_scenario(STORES, TINY), seed=3, replication=2)
    return result, write_run(result, tmp_path_factory.mktemp("results"), plots=False)


def _same_value(a: Any, b: Any) -> bool:
    """Equality that counts NaN equal to NaN and tells a list from a tuple."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_value(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def test_every_table_comes_back_with_its_dtypes_and_values(written: tuple[RunResult, Path]) -> None:
    result, folder = written
    loaded = load_result(folder)
    for name in (*ALWAYS_TABLES, *OPTIONAL_TABLES):
        original = getattr(result, name)
        if original is None:
            assert getattr(loaded, name) is None, name
        else:
            assert_frame_equal(getattr(loaded, name), original, check_exact=True, check_categorical=True)
    assert isinstance(loaded.ledger["stage"].dtype, pd.CategoricalDtype)
    assert loaded.trail is not None and loaded.store_sales is not None and loaded.disruptions is None


def test_summary_scenario_identity_balances_and_counts_are_the_runs(written: tuple[RunResult, Path]) -> None:
    result, folder = written
    loaded = load_result(folder)
    assert any(isinstance(v, float) and math.isnan(v) for v in result.summary["service"].values())  # NaNs to keep
    assert _same_value(loaded.summary, result.summary)
    assert loaded.scenario == result.scenario
    assert (loaded.seed, loaded.replication) == (3, 2)
    assert loaded.unit_balance == result.unit_balance
    assert loaded.product_names == result.product_names
    assert loaded.warehouse_balances == result.warehouse_balances
    assert (loaded.events, loaded.wall_seconds, loaded.peak_memory_bytes) == (
        result.events, result.wall_seconds, result.peak_memory_bytes)


def test_derived_tables_of_a_loaded_result_match(written: tuple[RunResult, Path]) -> None:
    result, folder = written
    loaded = load_result(folder)
    assert_frame_equal(loaded.cost_table(), result.cost_table(), check_exact=True)
    assert_frame_equal(loaded.daily_service(), result.daily_service(), check_exact=True)


def test_the_readable_files_stay_and_the_tables_are_parquet(written: tuple[RunResult, Path]) -> None:
    _, folder = written
    for name in ("summary.json", "manifest.json", "scenario.toml", "cost_by_stage_component.csv",
                 table_file("parcels"), table_file("store_sales")):
        assert (folder / name).is_file()
    assert not (folder / "parcels.csv").exists()  # CSV only when asked
    exact = json.loads((folder / RESULT_FILE).read_text())
    assert exact["tables"] == ["ledger", "emissions", "parcels", "routes", "trips", "inventory", "trail",
                               "store_sales", "store_orders"]


@pytest.mark.parametrize("damage", ["no_folder", "not_results", "partial", "no_exact_copy", "missing_table",
                                    "broken_table", "broken_json", "manifest_without_balance"])
def test_a_folder_that_cannot_be_loaded_gives_one_line(written: tuple[RunResult, Path], tmp_path: Path,
                                                       damage: str) -> None:
    _, folder = written
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    if damage == "no_folder":
        copy = tmp_path / "nowhere"
    elif damage == "not_results":
        copy = tmp_path / "empty"
        copy.mkdir()
    elif damage == "partial":
        manifest = json.loads((copy / "manifest.json").read_text())
        (copy / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    elif damage == "no_exact_copy":
        (copy / RESULT_FILE).unlink()
    elif damage == "missing_table":
        (copy / table_file("routes")).unlink()
    elif damage == "manifest_without_balance":
        manifest = json.loads((copy / "manifest.json").read_text())
        del manifest["unit_balance"]
        (copy / "manifest.json").write_text(json.dumps(manifest))
    elif damage == "broken_table":
        (copy / table_file("parcels")).write_bytes(b"not parquet")
    else:
        (copy / "summary.json").write_text("{")
    with pytest.raises(ScenarioError) as error:
        load_result(copy)
    assert "\n" not in str(error.value)
    assert str(copy) in str(error.value)
