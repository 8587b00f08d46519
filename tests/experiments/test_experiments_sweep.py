"""Sweeps: the same tables whatever the workers (1, 2, a Dask cluster), the shards or an interruption."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.experiments import run_sweep
from sim.experiments.sweep import SweepResult
from tests.conftest import BASELINE, ROOT

ABSENCE = "regional_warehouses.metro.area.absence_probability"
SWEEP = f"""
scenario = "{BASELINE.as_posix()}"
seed = 5
replications = 2
set = ["horizon.warmup_days=2", "horizon.days=4"]
plot_kpis = ["last_mile_share", "not_a_kpi"]

[factors]
"{ABSENCE}" = [0.05, 0.15, 0.3]
"""
RUNS = 6


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "absence.toml"
    path.write_text(SWEEP)
    return path


@pytest.fixture(scope="module")
def reference(sweep_file: Path, tmp_path_factory: pytest.TempPathFactory) -> SweepResult:
    """The sweep run once, uninterrupted, on a local pool of two worker processes."""
    return run_sweep(sweep_file, jobs=2, out=tmp_path_factory.mktemp("reference"), progress=False)


def _runs(folder: Path) -> pd.DataFrame:
    # Wall time is the only column allowed to differ between two runs of a sweep.
    return pd.read_csv(folder / "runs.csv").drop(columns="wall_seconds")


def assert_same_tables(folder: Path, expected: Path) -> None:
    """Runs (without wall time) and the per-point aggregate are identical, as CSV and as Parquet."""
    pd.testing.assert_frame_equal(_runs(folder), _runs(expected))
    assert (folder / "aggregate.csv").read_bytes() == (expected / "aggregate.csv").read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "runs.parquet").drop(columns="wall_seconds"),
                                  pd.read_parquet(expected / "runs.parquet").drop(columns="wall_seconds"))
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "aggregate.parquet"),
                                  pd.read_parquet(expected / "aggregate.parquet"))


def test_sweep_writes_tidy_tables_plots_and_one_file_per_run(reference: SweepResult) -> None:
    runs = reference.runs
    assert list(runs["index"]) == list(range(RUNS))
    assert list(runs["point"]) == [0, 0, 1, 1, 2, 2] and list(runs["replication"]) == [0, 1] * 3
    assert list(runs[ABSENCE]) == [0.05, 0.05, 0.15, 0.15, 0.3, 0.3]
    assert (runs["status"] == "ok").all() and runs["error"].isna().all() and (runs["seed"] == 5).all()
    assert {"last_mile_share", "cost_per_parcel.last_mile", "parcels.ordered"} <= set(runs.columns)
    # Common random numbers across points: replication r sees the same demand at every point.
    ordered = runs.pivot(index="replication", columns="point", values="parcels.ordered")
    assert (ordered.nunique(axis=1) == 1).all()
    # Failed deliveries rise with absence, so the last mile costs more per parcel.
    means = reference.aggregate[reference.aggregate["kpi"] == "cost_per_parcel.last_mile"]["mean"].tolist()
    assert means == sorted(means)
    row = reference.aggregate[(reference.aggregate["kpi"] == "last_mile_share")].iloc[0]
    assert row["n"] == 2 and row["ci_low"] < row["mean"] < row["ci_high"]
    folder = reference.folder
    assert sorted(p.name for p in (folder / "runs").glob("run-*.json")) == [f"run-{i:06d}.json" for i in range(RUNS)]
    assert (folder / "plots" / "last_mile_share.png").stat().st_size > 0
    assert reference.unknown_plot_kpis == ["not_a_kpi"]
    description = json.loads((folder / "sweep.json").read_text())
    assert description["runs_total"] == RUNS and description["factors"] == [ABSENCE]
    assert reference.complete


def test_one_worker_gives_the_same_tables_as_two(sweep_file: Path, reference: SweepResult, tmp_path: Path) -> None:
    serial = run_sweep(sweep_file, jobs=1, out=tmp_path, plots=False, progress=False)
    assert_same_tables(serial.folder, reference.folder)


@pytest.mark.slow
def test_a_dask_cluster_gives_the_same_tables_as_the_process_pool(sweep_file: Path, reference: SweepResult,
                                                                  tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    cluster_options = {"n_workers": 2, "threads_per_worker": 1, "processes": True, "dashboard_address": None}
    with distributed.LocalCluster(**cluster_options) as cluster, distributed.Client(cluster) as client:
        result = run_sweep(sweep_file, client=client, out=tmp_path / "api", plots=False, progress=False)
        # The command line connects to the same scheduler by its address.
        code = main(["sweep", str(sweep_file), "--dask", cluster.scheduler_address, "--out", str(tmp_path / "cli"),
                     "--no-plots"])
    assert code == 0
    assert_same_tables(result.folder, reference.folder)
    assert_same_tables(tmp_path / "cli" / "absence", reference.folder)


@pytest.mark.slow
def test_three_shards_merged_equal_the_unsharded_sweep(sweep_file: Path, reference: SweepResult,
                                                       tmp_path: Path) -> None:
    shards = []
    for i in range(3):
        # Shard 0 goes to an executor of the caller's own: any concurrent.futures.Executor will do.
        with ThreadPoolExecutor(max_workers=1) as own:
            shard = run_sweep(sweep_file, executor=own if i == 0 else None, jobs=1, out=tmp_path, shard=(i, 3),
                              keep="runs", plots=False, progress=False)
        assert list(shard.runs["index"]) == [i, i + 3]
        shards.append(shard.folder)
    assert main(["merge", *map(str, shards), "--out", str(tmp_path / "merged"), "--no-plots"]) == 0
    assert_same_tables(tmp_path / "merged", reference.folder)
    # keep = "runs": every run's whole results folder, moved along by the merge.
    record = json.loads((tmp_path / "merged" / "runs" / "run-000004.json").read_text())
    assert (tmp_path / "merged" / record["folder"] / "tables" / "parcels.parquet").is_file()


def test_merge_reports_missing_runs(sweep_file: Path, tmp_path: Path) -> None:
    only = run_sweep(sweep_file, jobs=1, out=tmp_path, shard=(1, 3), plots=False, progress=False)
    assert main(["merge", str(only.folder), "--out", str(tmp_path / "partial"), "--no-plots"]) == 1


def _sim(*args: str | Path, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "sim", *map(str, args)], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]


@pytest.mark.slow
def test_a_killed_sweep_resumes_without_losing_or_repeating_runs(sweep_file: Path, reference: SweepResult,
                                                                 tmp_path: Path) -> None:
    runs = tmp_path / "absence" / "runs"
    # A session of its own, so that the kill takes the worker processes down with the parent.
    proc = _sim("sweep", sweep_file, "--jobs", "2", "--out", tmp_path, "--no-plots", start_new_session=True)
    deadline = time.monotonic() + 120
    while len(list(runs.glob("run-*.json"))) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    survivors = {p.name: p.stat().st_mtime_ns for p in runs.glob("run-*.json")}
    assert 2 <= len(survivors) < RUNS, "the sweep must be killed part-way"
    assert not (tmp_path / "absence" / "runs.csv").exists()

    again = subprocess.run([sys.executable, "-m", "sim", "sweep", str(sweep_file), "--jobs", "2", "--out",
                            str(tmp_path), "--resume", "--no-plots"], cwd=ROOT, text=True, capture_output=True,
                           timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"({RUNS - len(survivors)} started now, {len(survivors)} done before)" in again.stdout
    assert "\r" not in again.stderr, "no progress bar when stderr is not a terminal"
    # The finished runs were not redone, and every run is there exactly once.
    assert all(runs.joinpath(name).stat().st_mtime_ns == mtime for name, mtime in survivors.items())
    assert sorted(p.name for p in runs.glob("run-*.json")) == [f"run-{i:06d}.json" for i in range(RUNS)]
    assert_same_tables(tmp_path / "absence", reference.folder)


def test_a_sweep_folder_is_not_overwritten_without_resume(sweep_file: Path, reference: SweepResult,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = reference.folder.parent
    assert main(["sweep", str(sweep_file), "--out", str(out), "--jobs", "1"]) == 2
    assert "--resume" in capsys.readouterr().err


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(sweep_file: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import sim.runner

    real_run = sim.runner.run

    def flaky(scenario, seed=None, replication=0, measure_memory=False):
        if scenario.regional_warehouses[0].area.absence_probability == 0.15 and replication == 1:
            raise RuntimeError("courier van on fire\nsecond line")
        return real_run(scenario, seed, replication, measure_memory)

    monkeypatch.setattr(sim.runner, "run", flaky)
    code = main(["sweep", str(sweep_file), "--jobs", "1", "--out", str(tmp_path), "--no-plots"])
    assert code == 1
    runs = pd.read_csv(tmp_path / "absence" / "runs.csv")
    assert list(runs["status"]) == ["ok", "ok", "ok", "failed", "ok", "ok"]
    assert runs.loc[3, "error"] == "RuntimeError: courier van on fire"
    assert runs.loc[3, ["last_mile_share"]].isna().all()
    aggregate = pd.read_csv(tmp_path / "absence" / "aggregate.csv")
    assert aggregate[(aggregate["point"] == 1) & (aggregate["kpi"] == "last_mile_share")]["n"].item() == 1
    assert "RuntimeError: courier van on fire" in capsys.readouterr().out
