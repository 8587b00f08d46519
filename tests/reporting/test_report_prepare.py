"""``prepare_report``: the experiment commands' head start on their page changes nothing on the page."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.experiments import commands
from tests.conftest import BASELINE, ROOT

SWEEP = f"""
scenario = "{BASELINE.as_posix()}"
seed = 3
replications = 2
set = ["horizon.warmup_days=1", "horizon.days=2"]

[factors]
"regional_warehouses.metro.area.absence_probability" = [0.1]
"""


def test_a_prepared_page_is_the_page_a_fresh_process_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """``sim sweep --jobs 2`` prepares its page while the pool warms up; ``sim report`` in a new process, which
    prepares nothing, rebuilds the same bytes from the same files."""
    import sim.reporting

    prepared: list[bool] = []
    real = sim.reporting.prepare_report

    def spy() -> None:
        prepared.append(True)
        real()

    monkeypatch.setattr("sim.reporting.prepare_report", spy)
    spec = tmp_path / "prepared.toml"
    spec.write_text(SWEEP)
    assert main(["sweep", str(spec), "--jobs", "2", "--out", str(tmp_path / "out"), "--no-plots"]) == 0
    capsys.readouterr()
    assert prepared == [True]
    folder = tmp_path / "out" / "prepared"
    written = (folder / "report.html").read_bytes()
    (folder / "report.html").unlink()
    subprocess.run([sys.executable, "-m", "sim", "report", str(folder)], cwd=ROOT, check=True, capture_output=True)
    assert (folder / "report.html").read_bytes() == written


@pytest.mark.parametrize(("jobs", "runs", "dask", "prepared"), [
    (2, 8, None, True),     # a local pool of two: the page is prepared while it warms up
    (1, 8, None, False),    # runs in this process: nothing to wait for
    (4, 1, None, False),    # one run: the pool is one worker, in this process
    (2, 8, "tcp://h:8786", False),  # a cluster's workers do not warm up from this process
])
def test_the_page_is_prepared_only_while_a_local_pool_warms_up(
        monkeypatch: pytest.MonkeyPatch, jobs: int, runs: int, dask: str | None, prepared: bool) -> None:
    calls: list[bool] = []
    monkeypatch.setattr("sim.reporting.prepare_report", lambda: calls.append(True))
    commands.prepare_report_while_workers_warm(argparse.Namespace(jobs=jobs, dask=dask), runs)
    assert calls == ([True] if prepared else [])


def test_a_failing_preparation_is_only_a_lost_head_start(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("no fonts")

    monkeypatch.setattr("sim.reporting.prepare_report", broken)
    commands.prepare_report_while_workers_warm(argparse.Namespace(jobs=2, dask=None), 4)  # no exception
