"""What a user reads: did-you-mean for keys, a results folder that re-runs itself, a short repr, the git commit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.output.provenance import GIT_KEY, git_commit, package_versions
from sim.scenario import load_scenario
from sim.scenario.loader import known_keys
from tests.conftest import BASELINE, ROOT, short_run

TINY = ["--set", "horizon.warmup_days=1", "--set", "horizon.days=2", "--no-plots", "--quiet"]


@pytest.mark.parametrize(("override", "expected"), [
    ("horizon.dayz=3", "horizon.dayz: unknown key: did you mean 'days'?"),
    ("linehaul.speed=80", "linehaul.speed: unknown key: did you mean 'speed_kmh'?"),
    ("regional_warehouses.metro.fleet.shift_hour=8",
     "regional_warehouses[0](metro).fleet.shift_hour: unknown key: did you mean 'shift_hours'?"),
    ("regional_warehouses.metro.inventory.reorder_pont_days=2",
     "inventory.reorder_pont_days: unknown key: did you mean 'reorder_point_days'?"),
    ("products.bulky.weight=3", "products.bulky.weight: unknown key: did you mean 'weight_kg'?"),
    ("routing.xyz=1", "routing.xyz: unknown key (known here: planner, time_budget_s)"),
])
def test_unknown_keys_get_a_did_you_mean(override: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as error:
        load_scenario(BASELINE, [override])
    assert str(error.value).startswith(f"{BASELINE}: ") and str(error.value).endswith(expected)


def test_unknown_keys_in_a_file_get_a_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(f'extends = "{BASELINE.as_posix()}"\n[horizon]\nwarmup_dayz = 2\n')
    with pytest.raises(ScenarioError, match=r"s\.toml: horizon\.warmup_dayz: unknown key: did you mean 'warmup_days'"):
        load_scenario(path)


def test_known_keys_follow_the_schema_through_lists_dicts_and_unions() -> None:
    assert known_keys(("horizon",)) == ["warmup_days", "days", "start_weekday"]
    assert "weight_kg" in known_keys(("products", "bulky"))
    policy_keys = known_keys(("regional_warehouses", 0, "inventory", "sS"))
    assert {"reorder_point_days", "order_quantity_days", "level_days", "review_period_days"} <= set(policy_keys)


def test_a_results_folder_re_runs_exactly_its_run(tmp_path: Path) -> None:
    first = subprocess.run([sys.executable, "-m", "sim", "run", str(BASELINE), "--seed", "7", "--replication", "2",
                            "--out", str(tmp_path / "a"), *TINY], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert first.returncode == 0, first.stderr
    folder = next((tmp_path / "a" / "baseline").iterdir())
    lines = (folder / "scenario.toml").read_text().splitlines()
    assert "seed = 7" in lines and "replication = 2" in lines
    again = subprocess.run([sys.executable, "-m", "sim", "run", str(folder / "scenario.toml"), "--out",
                            str(tmp_path / "b"), "--no-plots", "--quiet"], capture_output=True, text=True, cwd=ROOT,
                           timeout=300)
    assert again.returncode == 0, again.stderr
    rerun = next((tmp_path / "b" / "baseline").iterdir())
    assert rerun.name.endswith("-s7-r2")
    assert (rerun / "summary.json").read_bytes() == (folder / "summary.json").read_bytes()
    manifest = json.loads((rerun / "manifest.json").read_text())
    assert manifest["versions"][GIT_KEY] == git_commit()  # this test runs in a checkout


def test_a_result_carries_the_seed_and_replication_that_ran() -> None:
    result = short_run(seed=3)
    assert (result.scenario.seed, result.scenario.replication) == (3, 0)


def test_the_repr_of_a_result_is_one_short_line() -> None:
    text = repr(short_run())
    assert len(text) < 200 and "\n" not in text
    assert text.startswith("RunResult(scenario='baseline', seed=1, replication=0, parcels=")
    assert "last-mile share" in text


def test_the_git_commit_is_there_in_a_checkout_and_absent_elsewhere(tmp_path: Path) -> None:
    commit = git_commit()
    assert commit is not None and len(commit.removesuffix("-dirty")) == 40
    assert package_versions()[GIT_KEY] == commit
    assert git_commit(tmp_path) is None  # not a checkout: nothing, and no error
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert git_commit(tmp_path / "inner") is None  # inside another repository: not sim's commit
