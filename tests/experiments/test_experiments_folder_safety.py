"""Shards come from elsewhere (CI artifacts): merge and resume act only on run folders inside the sweep folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sim import ScenarioError
from sim.cli import main
from sim.experiments import store


def _shard(root: Path, name: str, folder: object, *, make_run: bool = True) -> Path:
    """A hand-made shard folder whose one run record names ``folder``."""
    shard = root / name
    (shard / "runs" / "baseline" / "run-000000").mkdir(parents=True)
    if make_run:
        (shard / "runs" / "baseline" / "run-000000" / "manifest.json").write_text("{}")
    description = {"name": "absence", "fingerprint": "f", "runs_total": 1, "factors": [], "plot_kpis": [],
                   "shard": [0, 1]}
    (shard / store.SWEEP_FILE).write_text(json.dumps(description))
    record = {"index": 0, "point": 0, "factors": {}, "seed": 1, "replication": 0, "status": "ok", "error": None,
              "wall_seconds": 0.0, "summary": {}, "folder": folder}
    (shard / "runs" / "run-000000.json").write_text(json.dumps(record))
    return shard


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    return folder


@pytest.mark.parametrize("folder", ["../victim", "../../victim", "runs/../../victim", "runs/baseline/../../../victim",
                                    "ABSOLUTE", "runs/baseline", "runs/baseline/.hidden", 7])
def test_a_crafted_shard_deletes_nothing_outside(tmp_path: Path, victim: Path, folder: object,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    shard = _shard(tmp_path / "ci", "shard", str(victim) if folder == "ABSOLUTE" else folder)
    # The merged folder is beside the victim, so that "../victim" from it would name the victim.
    assert main(["merge", str(shard), "--out", str(tmp_path / "merged"), "--no-plots"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "expected a run folder inside the sweep folder" in err[0]
    assert (victim / "precious.txt").read_text() == "keep me"
    assert not (tmp_path / "merged").exists()


def test_a_symbolic_link_out_of_the_shard_is_refused(tmp_path: Path, victim: Path) -> None:
    shard = _shard(tmp_path, "shard", "runs/baseline/run-000001")
    os.symlink(victim, shard / "runs" / "baseline" / "run-000001")
    with pytest.raises(ScenarioError, match="symbolic link"):
        store.read_markers(shard)  # what merge and --resume read
    assert (victim / "precious.txt").read_text() == "keep me"


def test_a_good_shard_merges_its_run_folders(tmp_path: Path) -> None:
    shard = _shard(tmp_path, "shard", "runs/baseline/run-000000")
    merged = tmp_path / "merged"
    assert store.read_markers(shard)[0]["folder"] == "runs/baseline/run-000000"
    main(["merge", str(shard), "--out", str(merged), "--no-plots"])
    assert (merged / "runs" / "baseline" / "run-000000" / "manifest.json").is_file()


@pytest.mark.parametrize("name", ["..", "../x", ".hidden", "a/b"])
def test_a_crafted_sweep_name_is_refused(tmp_path: Path, name: str) -> None:
    shard = _shard(tmp_path, "shard", None)
    description = json.loads((shard / store.SWEEP_FILE).read_text())
    (shard / store.SWEEP_FILE).write_text(json.dumps({**description, "name": name}))
    with pytest.raises(ScenarioError, match=r"sweep\.json: name"):
        store.read_description(shard)


def test_a_broken_run_record_is_one_line(tmp_path: Path) -> None:
    shard = _shard(tmp_path, "shard", None)
    (shard / "runs" / "run-000001.json").write_text("{")
    with pytest.raises(ScenarioError, match=r"run-000001\.json: not a run record"):
        store.read_markers(shard)


def test_merge_out_that_is_a_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shard = _shard(tmp_path, "shard", None)
    (tmp_path / "file").write_text("")
    assert main(["merge", str(shard), "--out", str(tmp_path / "file"), "--no-plots"]) == 2
    assert "is a file" in capsys.readouterr().err
