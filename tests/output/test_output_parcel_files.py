"""The parcel table written into the results folder while the run goes: all, a sample, or none."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from sim import RunResult, ScenarioError, load_result, load_scenario, run
from sim.output.layout import PARCELS_CSV
from sim.output.parcel_files import ParcelFiles
from sim.output.writer import open_run_folder, run_id_for, write_run
from sim.tables import in_sample
from tests.conftest import BASELINE, ROOT

DISRUPTION = ROOT / "scenarios" / "examples" / "upstream" / "disruption_factory_outage.toml"
TINY = ("horizon.warmup_days=1", "horizon.days=10")  # the outage starts on day 10
SMALL_CHUNK = 4096


def _streamed(tmp: Path, *overrides: str, chunk: int = SMALL_CHUNK, table_format: str = "both") -> Path:
    """What ``sim run --format both`` does: the parcel table written into the partial folder as the run goes."""
    scenario = load_scenario(DISRUPTION, (*TINY, *overrides))
    folder = open_run_folder(tmp, scenario.name, run_id_for(1, 0))
    files = ParcelFiles(folder.partial, csv=table_format in ("csv", "both"),
                        parquet=table_format in ("parquet", "both"))
    result = run(scenario, seed=1, parcel_writer=files, parcel_chunk_ids=chunk)
    files.close()
    assert len(result.parcels) == 0 and result.parcels_kept == "none"
    return write_run(result, tmp, plots=True, folder=folder, table_format=table_format)


@pytest.fixture(scope="module")
def reference() -> RunResult:
    return run(load_scenario(DISRUPTION, TINY), seed=1)


def test_a_streamed_table_loads_back_as_the_whole_table(tmp_path: Path, reference: RunResult) -> None:
    folder = _streamed(tmp_path)
    loaded = load_result(folder)
    assert_frame_equal(loaded.parcels, reference.parcels, check_exact=True)
    assert_frame_equal(loaded.daily_service(), reference.daily_service(), check_exact=True)
    csv = pd.read_csv(folder / PARCELS_CSV)
    # Every parcel once; the parcels settled at the end of the run (in pickup points) come last.
    assert sorted(csv["parcel_id"]) == reference.parcels["parcel_id"].tolist()
    assert (folder / "delivery_outcomes_and_lead_time.png").is_file()
    assert loaded.parcel_count == len(reference.parcels)


def test_a_sample_is_drawn_from_the_parcel_keys(tmp_path: Path, reference: RunResult) -> None:
    folder = _streamed(tmp_path, "outputs.parcels=sample", "outputs.parcel_sample_rate=0.2")
    loaded = load_result(folder)
    full = reference.parcels
    ids = loaded.parcels["parcel_id"].to_numpy()
    assert 0.15 * len(full) < len(ids) < 0.25 * len(full)
    assert_frame_equal(loaded.parcels, full[full["parcel_id"].isin(ids)].reset_index(drop=True))
    # The summary and the day-by-day service still count every parcel.
    assert loaded.summary["parcels"]["ordered"] == reference.summary["parcels"]["ordered"]
    assert_frame_equal(loaded.daily_service(), reference.daily_service(), check_exact=True)
    assert loaded.parcels_kept == "sample" and loaded.parcel_count == len(full)
    assert not (folder / "delivery_outcomes_and_lead_time.png").exists()  # it needs every parcel


def test_no_parcel_table_writes_only_the_columns_and_loads_an_empty_table(tmp_path: Path,
                                                                           reference: RunResult) -> None:
    folder = _streamed(tmp_path, "outputs.parcels=none", table_format="parquet")
    assert not (folder / PARCELS_CSV).exists()
    loaded = load_result(folder)
    assert len(loaded.parcels) == 0 and list(loaded.parcels.columns) == list(reference.parcels.columns)
    assert_frame_equal(loaded.daily_service(), reference.daily_service(), check_exact=True)


def test_a_streamed_csv_only_folder_loads_back_as_the_whole_table(tmp_path: Path, reference: RunResult) -> None:
    folder = _streamed(tmp_path, table_format="csv")
    assert not (folder / "tables").exists()
    loaded = load_result(folder)
    assert_frame_equal(loaded.parcels, reference.parcels, check_exact=True)
    assert (folder / "delivery_outcomes_and_lead_time.png").is_file()  # drawn from the CSV


def test_a_python_run_keeps_the_table_the_scenario_asks_for(reference: RunResult) -> None:
    sampled = run(load_scenario(DISRUPTION, (*TINY, "outputs.parcels=sample")), seed=1)
    assert sampled.parcels_kept == "sample" and 0 < len(sampled.parcels) < len(reference.parcels) / 20
    assert json.dumps(sampled.summary) == json.dumps(reference.summary)  # NaN written alike


def test_the_sample_is_the_same_whatever_the_other_parcels() -> None:
    keys = np.arange(10_000, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    small, large = in_sample(keys, 0.05), in_sample(keys, 0.2)
    assert 0.04 < small.mean() < 0.06 and not (small & ~large).any()  # a larger rate holds the smaller sample
    np.testing.assert_array_equal(in_sample(keys[5000:], 0.05), small[5000:])


@pytest.mark.parametrize("value", ["some", "0"])
def test_outputs_parcels_is_validated(value: str) -> None:
    with pytest.raises(ScenarioError):
        load_scenario(BASELINE, (f"outputs.parcels={value}",))


def test_the_sample_rate_is_a_share() -> None:
    with pytest.raises(ScenarioError):
        load_scenario(BASELINE, ("outputs.parcel_sample_rate=1.5",))
