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
    assert known_keys(("horizon",)) == ["warmup_days", "days", "start_weekday", "drain", "drain_cap_days"]
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


# --- experiment tables ----------------------------------------------------------


def test_every_kpi_a_run_reports_is_known_before_the_run() -> None:
    from sim.experiments.kpis import check_kpis, known_kpis
    from sim.metrics import flatten

    result = short_run()
    reported = set(flatten(result.summary))
    assert reported <= set(known_kpis(result.scenario))
    check_kpis(sorted(reported), [result.scenario])  # none refused


@pytest.mark.parametrize(("name", "hint"), [
    ("cost_per_parcel.totl", "did you mean 'cost_per_parcel.total'?"),
    ("last_mile_shar", "did you mean 'last_mile_share'?"),
    ("factories.plant_est.setups", "did you mean 'factories.plant_east.setups'?"),
    ("zzz", "e.g. cost_per_parcel.total"),
])
def test_a_mistyped_kpi_is_refused_with_a_suggestion(name: str, hint: str) -> None:
    from sim.experiments.kpis import check_kpis

    with pytest.raises(ScenarioError) as error:
        check_kpis(["last_mile_share", name], [load_scenario(BASELINE)])
    assert str(error.value).startswith(f"--kpi {name}: not a KPI of this experiment; {hint}")


def test_a_mistyped_kpi_stops_the_command_before_any_run(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "sim", "compare", str(BASELINE), "--set-b", "last_mile.max_attempts=1",
                           "--replications", "2", "--kpi", "routes.cont", "--out", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("sim: error: --kpi routes.cont: not a KPI of this experiment; did you mean 'routes.count'? "
                           "(the KPI columns of runs.csv; `--kpi all` prints every one)\n")
    assert not any(tmp_path.iterdir())


def test_values_are_shown_in_their_units() -> None:
    from sim.experiments.kpis import chosen, kind, unit, value

    assert (kind("last_mile_share"), value("last_mile_share", 0.409748)) == ("share", "41.0")
    assert value("last_mile_share", -0.0123, difference=True) == "-1.2 pp"
    assert (unit("cost_per_parcel.total", "EUR"), value("cost_per_parcel.total", 8.2791)) == ("EUR", "8.28")
    assert (kind("parcels.delivered"), value("parcels.delivered", 2931.0)) == ("count", "2,931")
    assert kind("routes.count") == kind("linehaul.factory_to_central.trips") == "count"
    assert unit("lead_time_hours.p95", "USD") == "h" and unit("co2e_kg.per_parcel.total", "USD") == "kg CO2e"
    assert kind("co2e_kg.last_mile_share") == "share" and kind("linehaul.factory_to_central.mean_fill") == "share"
    assert value("stock.fill_rate", float("nan")) == "n/a"
    available = ["total_cost", "last_mile_share", "routes.count", "cost_per_parcel.total"]
    assert chosen(available, None) == ["last_mile_share", "cost_per_parcel.total"]
    assert chosen(available, ["routes.count"]) == ["last_mile_share", "routes.count", "cost_per_parcel.total"]
    assert chosen(available, ["all"]) == available


def test_a_comparison_with_set_b_is_named_after_its_overrides() -> None:
    from sim.experiments.report import comparison_names

    assert comparison_names("baseline", "baseline", [], ["last_mile.max_attempts=1"]) == "baseline-vs-max_attempts_1"
    assert comparison_names("baseline", "curfew", [], []) == "baseline-vs-curfew"
    assert comparison_names("baseline", "baseline", [], []) == "baseline-a-vs-baseline-b"
    from sim.scenario.names import is_safe_name

    assert is_safe_name(comparison_names("b", "b", ['x.y="../../etc"'], ["a.b=[1, 2]"]))


def test_count_kpis_show_the_range_of_the_replications_never_an_interval_below_zero() -> None:
    import pandas as pd

    from sim.experiments.replications import ReplicationSet
    from sim.experiments.report import format_replications

    runs = pd.DataFrame({"replication": [0, 1, 2], "status": ["ok"] * 3, "error": [None] * 3,
                         "routes.late_stops": [0.0, 0.0, 3.0], "last_mile_share": [0.40, 0.41, 0.42]})
    summary = pd.DataFrame({"kpi": ["last_mile_share", "routes.late_stops"], "n": [3, 3], "mean": [0.41, 1.0],
                            "std": [0.01, 1.732], "half_width": [0.0248, 4.3], "ci_low": [0.385, -3.3],
                            "ci_high": [0.435, 5.3]})
    reps = ReplicationSet(scenario=load_scenario(BASELINE), seed=1, replications=[0, 1, 2], runs=runs,
                          summary=summary)
    text = format_replications(reps, ["routes.late_stops"])
    late = next(line for line in text.splitlines() if line.startswith("routes.late_stops"))
    assert "range 0 .. 3" in late and "-3" not in late
    share = next(line for line in text.splitlines() if line.startswith("last_mile_share"))
    assert "%" in share and "41.0" in share and "[38.5, 43.5]" in share
