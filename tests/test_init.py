"""``sim init``, the shipped files and what the wheel carries: sim works outside a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sim.cli import main
from sim.scenario import load_scenario
from sim.scenario.shipped import BASELINE, STRATEGIES, default_path, init_folder, shipped_root
from tests.conftest import ROOT


def test_init_writes_the_checkout_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "project"
    assert main(["init", str(target)]) == 0
    assert "next: cd" in capsys.readouterr().out
    written = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    shipped = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "scenarios").rglob("*")
                     if p.is_file() and (p.suffix in (".toml", ".json") or (p.parent.name == "data" and p.suffix in
                                                                               (".csv", ".geojson"))))
    shipped += sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert written == sorted(shipped)
    assert (target / "scenarios" / "baseline.toml").read_bytes() == (ROOT / "scenarios" / "baseline.toml").read_bytes()
    # The examples extend the starter by relative path and the sweep names it: both resolve in the new folder.
    assert load_scenario(target / "scenarios" / "examples" / "last_mile" / "curfew.toml").name == "curfew"
    sweep = (target / "scenarios" / "sweeps" / "absence_vs_fleet.toml").read_text()
    assert 'scenario = "../baseline.toml"' in sweep


def test_init_refuses_a_non_empty_folder_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "baseline.toml").write_text("edited")
    assert main(["init", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exists and is not empty" in err and "--force" in err
    assert (tmp_path / "scenarios" / "baseline.toml").read_text() == "edited"
    assert main(["init", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "mine.txt").read_text() == "keep me"
    assert (tmp_path / "scenarios" / "baseline.toml").read_text() != "edited"
    file = tmp_path / "mine.txt"
    with pytest.raises(Exception, match="is a file"):
        init_folder(file)


def test_defaults_fall_back_to_the_shipped_files_outside_a_checkout(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_path(BASELINE) == shipped_root() / BASELINE and default_path(BASELINE).is_file()
    assert len(list(default_path(STRATEGIES).glob("*.toml"))) >= 5
    init_folder(tmp_path / "here")
    monkeypatch.chdir(tmp_path / "here")
    assert default_path(BASELINE) == BASELINE  # a folder of its own wins


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    import sim

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out == f"sim {sim.__version__}\n"


@pytest.mark.slow
def test_the_wheel_carries_the_scenarios_the_notebooks_and_the_license(tmp_path: Path) -> None:
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "-w", str(tmp_path), "--no-deps", "-q"],
                           capture_output=True, text=True, timeout=600)
    if built.returncode != 0 and "setuptools" in built.stderr and "No matching distribution" in built.stderr:
        pytest.skip("no package index reachable for the isolated build's setuptools")
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"sim/_data/scenarios/baseline.toml", "sim/_data/scenarios/scenario.schema.json",
            "sim/_data/scenarios/sweeps/absence_vs_fleet.toml", "sim/_data/notebooks/quickstart.ipynb",
            "sim/_data/LICENSE"} <= names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    examples = {n for n in names if n.startswith("sim/_data/scenarios/examples/") and n.endswith(".toml")}
    assert len(examples) == len(list((ROOT / "scenarios" / "examples").rglob("*.toml")))
    # Unpacked alone, away from any checkout, it finds its own files.
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    code = "from sim.scenario.shipped import shipped_root; print(shipped_root())"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                           env={"PYTHONPATH": str(tmp_path / "site"), "PATH": ""}, timeout=120)
    assert found.stdout.strip() == str(tmp_path / "site" / "sim" / "_data"), found.stderr
