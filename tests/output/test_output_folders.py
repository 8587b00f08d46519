"""Safe writing: private temporary folders, publishing that never replaces a folder, names and --out checked."""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import socket
import sys
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from sim import ScenarioError
from sim.cli import main
from sim.output.folders import AtomicFolder, check_name, check_out_root, stale_partials
from tests.conftest import BASELINE

TINY = ["--set", "horizon.warmup_days=1", "--set", "horizon.days=1", "--no-plots", "--quiet"]


def _run_into(out: str, barrier: object, log: str) -> None:
    """A child process: ``sim run`` with a fixed run id (so that both children want the same folder)."""
    import sim.output.writer as writer

    writer.run_id_for = lambda seed, replication: f"same-second-s{seed}-r{replication}"  # type: ignore[assignment]
    barrier.wait()  # type: ignore[attr-defined]
    with open(log, "w") as err, contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["run", str(BASELINE), "--seed", "5", "--out", out, *TINY])
    sys.exit(code)


def test_two_concurrent_runs_of_one_seed_get_two_complete_folders(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    children = [context.Process(target=_run_into, args=(str(tmp_path), barrier, str(tmp_path / f"err{i}.txt")))
                for i in (0, 1)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=120)
    assert [child.exitcode for child in children] == [0, 0]
    folders = sorted((tmp_path / "baseline").iterdir())
    assert [f.name for f in folders] == ["same-second-s5-r0", "same-second-s5-r0-2"]  # no partial left behind
    notes = (tmp_path / "err0.txt").read_text() + (tmp_path / "err1.txt").read_text()
    assert notes.count("already exists; these results are in") == 1
    first, second = (pd.read_parquet(f / "tables" / "parcels.parquet") for f in folders)
    assert first["parcel_id"].tolist() == list(range(len(first)))  # every parcel once, nothing interleaved
    assert_frame_equal(first, second)
    for folder in folders:
        assert json.loads((folder / "manifest.json").read_text())["status"] == "complete"


def test_publishing_never_replaces_a_folder(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "theirs.txt").write_text("keep")
    (tmp_path / "run-2").mkdir()  # even an empty one
    with AtomicFolder(tmp_path, "run") as partial:
        assert partial.name.startswith(f".run.{os.getpid()}-") and partial.name.endswith(".partial")
        (partial / "mine.txt").write_text("new")
    assert (tmp_path / "run" / "theirs.txt").read_text() == "keep"
    assert (tmp_path / "run-3" / "mine.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "run-2", "run-3"]


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), AtomicFolder(tmp_path, "run") as partial:
        (partial / "half.txt").write_text("x")
        raise RuntimeError("model failed")
    assert list(tmp_path.iterdir()) == []


def _partial(parent: Path, name: str, host: str, pid: int) -> Path:
    path = parent / name
    path.mkdir(parents=True)
    (path / "owner.json").write_text(json.dumps({"host": host, "pid": pid}))
    return path


def test_stale_partials_of_dead_processes_are_removed_and_others_listed(tmp_path: Path) -> None:
    host = socket.gethostname()
    dead_pid = 2**22 + 12345  # above Linux's pid_max default: no such process
    dead = _partial(tmp_path, f".a.{dead_pid}-0123abcd.partial", host, dead_pid)
    alive = _partial(tmp_path, f".b.{os.getpid()}-0123abcd.partial", host, os.getpid())
    elsewhere = _partial(tmp_path, f".c.{dead_pid}-0123abcd.partial", "another-host", dead_pid)
    older = tmp_path / ".d.partial"  # written by a sim before pids were in the name
    older.mkdir()
    assert stale_partials(tmp_path) == ([dead], [elsewhere, older])
    folder = AtomicFolder(tmp_path, "e")
    assert folder.cleaned == [dead] and not dead.exists() and alive.exists()
    notes = folder.opening_notes()
    assert len(notes) == 3 and "left by a run that died" in notes[0] and str(older) in notes[2]
    folder.discard()


@pytest.mark.parametrize("name", ["", ".", "..", "../up", "a/b", "a\\b", ".hidden", "nul\x00", "x" * 101, 7])
def test_unsafe_names_are_refused_in_one_line(name: object) -> None:
    with pytest.raises(ScenarioError) as error:
        check_name(name, "s.toml: name")
    assert str(error.value).startswith("s.toml: name = ") and "\n" not in str(error.value)


def test_out_must_be_a_writable_folder(tmp_path: Path) -> None:
    file = tmp_path / "results.txt"
    file.write_text("")
    for bad in (file, file / "below"):
        with pytest.raises(ScenarioError, match="is a file"):
            check_out_root(bad)
    check_out_root(tmp_path / "new" / "deeper")  # created later, under a writable folder
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(ScenarioError, match="not writable"):
            check_out_root(locked / "results")


@pytest.mark.parametrize("args", [["--out", "FILE"], ["--set", "name=.."], ["--set", "name=.x"]])
def test_bad_output_is_refused_before_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              args: list[str]) -> None:
    (tmp_path / "file").write_text("")
    args = [str(tmp_path / "file") if a == "FILE" else a for a in args]
    out = [] if "--out" in args else ["--out", str(tmp_path / "out")]
    assert main(["run", str(BASELINE), *args, *out, *TINY]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sim: error:")
    assert not (tmp_path / "out").exists() and not (tmp_path / "file").read_text()
