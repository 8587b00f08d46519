"""The strategy comparison table: paired differences from the baseline under common random numbers."""

from __future__ import annotations

import json
from concurrent.futures import Executor
from pathlib import Path

import pandas as pd
import pytest

from sim import Scenario, load_scenario
from sim.cli import main
from sim.experiments import executors
from sim.strategies import COLUMNS, compare_strategies, format_markdown
from tests.conftest import BASELINE, ROOT

SHORT = ("horizon.warmup_days=2", "horizon.days=3")


@pytest.fixture(scope="module")
def scenarios() -> tuple[Scenario, list[Scenario]]:
    """The short baseline, and as strategies the baseline again under another name and the lockers."""
    baseline = load_scenario(BASELINE, SHORT)
    lockers = load_scenario(ROOT / "scenarios" / "examples" / "last_mile" / "lockers.toml", SHORT)
    return baseline, [baseline.model_copy(update={"name": "same_again"}), lockers]


@pytest.fixture(scope="module")
def serial_table(scenarios: tuple[Scenario, list[Scenario]]) -> pd.DataFrame:
    """The table of two replications of seed 5, every run in this process."""
    baseline, strategies = scenarios
    return compare_strategies(baseline, strategies, replications=2, seed=5, jobs=1, progress=False)


def test_table_pairs_each_strategy_with_the_baseline(serial_table: pd.DataFrame) -> None:
    table = serial_table
    assert list(table["scenario"].unique()) == ["baseline", "same_again", "lockers"]
    assert len(table) == 3 * len(COLUMNS)
    same = table[table["scenario"] == "same_again"]
    # The same scenario under the same seeds: every paired difference is exactly zero.
    assert (same["diff"] == 0).all() and not same["significant"].any()
    lockers_cost = table[(table["scenario"] == "lockers") & (table["kpi"] == "cost_per_parcel.last_mile")].iloc[0]
    assert lockers_cost["diff"] < 0
    text = format_markdown(table)
    assert text.count("\n") == 4 and "| lockers |" in text and "±" in text


def test_two_workers_give_the_same_table_as_one_from_a_single_pool(scenarios: tuple[Scenario, list[Scenario]],
                                                                   serial_table: pd.DataFrame,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[int] = []
    real_pool = executors.new_pool

    def counted_pool(jobs: int) -> Executor:
        made.append(jobs)
        return real_pool(jobs)

    monkeypatch.setattr(executors, "new_pool", counted_pool)
    baseline, strategies = scenarios
    pooled = compare_strategies(baseline, strategies, replications=2, seed=5, jobs=2, progress=False)
    assert made == [2]  # one pool for the three scenarios' six runs
    pd.testing.assert_frame_equal(pooled, serial_table)


def test_cli_shards_merge_and_resume_give_the_unsharded_table(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    lockers = ROOT / "scenarios" / "examples" / "last_mile" / "lockers.toml"
    common = ["strategies", "--baseline", str(BASELINE), str(lockers), "--set", "horizon.warmup_days=1",
              "--set", "horizon.days=2", "--replications", "3", "--seed", "4", "--jobs", "1", "--out", str(tmp_path)]
    assert main(common) == 0
    whole = tmp_path / "strategies-s4-n3"
    assert {"strategies.csv", "strategies.md", "selection.json", "runs.csv"} <= {p.name for p in whole.iterdir()}
    assert len(list((whole / "runs").glob("run-*.json"))) == 6
    selection = json.loads((whole / "selection.json").read_text())["selection"]
    assert selection["best"] == "lockers" and selection["procedure"].startswith("Kim-Nelson")
    assert "| lockers |" in (whole / "strategies.md").read_text() and "best" in capsys.readouterr().out
    assert main(common) == 2  # the folder holds the table: --resume continues it, nothing is overwritten
    assert "pass --resume" in capsys.readouterr().err
    (whole / "runs" / "run-000004.json").unlink()  # as if killed before that run finished
    assert main([*common, "--resume"]) == 0
    for i in (0, 1):
        assert main([*common, "--shard", f"{i}/2"]) == 0
    assert main(["merge", *(str(tmp_path / f"strategies-s4-n3-shard-{i}-of-2") for i in (0, 1)),
                 "--out", str(tmp_path / "merged"), "--no-plots"]) == 0
    for name in ("strategies.csv", "strategies.md"):
        assert (tmp_path / "merged" / name).read_bytes() == (whole / name).read_bytes()


@pytest.mark.slow
def test_strategies_on_a_dask_cluster_give_the_same_table(tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    lockers = ROOT / "scenarios" / "examples" / "last_mile" / "lockers.toml"
    common = ["strategies", "--baseline", str(BASELINE), str(lockers), "--set", "horizon.warmup_days=1",
              "--set", "horizon.days=2", "--replications", "auto", "--n0", "3", "--seed", "4"]
    assert main([*common, "--jobs", "1", "--out", str(tmp_path / "local")]) == 0
    cluster_options = {"n_workers": 2, "threads_per_worker": 1, "processes": True, "dashboard_address": None}
    with distributed.LocalCluster(**cluster_options) as cluster:
        assert main([*common, "--dask", cluster.scheduler_address, "--out", str(tmp_path / "dask")]) == 0
    for name in ("strategies.csv", "strategies.md", "selection.json"):
        assert ((tmp_path / "dask" / "strategies-s4-auto" / name).read_bytes()
                == (tmp_path / "local" / "strategies-s4-auto" / name).read_bytes())
