"""The experiment commands: `sim run --replications`, `sim compare`, and sweep files that must fail early."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.experiments import load_sweep
from tests.conftest import BASELINE, ROOT

SHORT = ["--set", "horizon.warmup_days=2", "--set", "horizon.days=4"]
ABSENCE = "regional_warehouses.metro.area.absence_probability"
EXAMPLE = ROOT / "scenarios" / "sweeps" / "absence_vs_fleet.toml"


def _sim(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_run_with_replications_reports_mean_std_and_ci(tmp_path: Path) -> None:
    done = _sim("run", BASELINE, "--replications", "3", "--seed", "2", "--jobs", "2", "--no-plots",
                "--out", tmp_path, *SHORT)
    assert done.returncode == 0, done.stderr
    assert "replications 0..2 (3 runs)" in done.stdout and "95% CI (Student t)" in done.stdout
    assert "last_mile_share" in done.stdout
    folders = sorted(p.name for p in (tmp_path / "baseline").iterdir())
    sets = [f for f in folders if f.endswith("-s2-r0to2")]
    runs = [f for f in folders if f not in sets]
    assert len(sets) == 1 and len(runs) == 3
    summary = json.loads((tmp_path / "baseline" / sets[0] / "summary.json").read_text())
    assert summary["replications"] == [0, 1, 2] and summary["seed"] == 2
    share = summary["kpis"]["last_mile_share"]
    assert share["n"] == 3 and share["ci_low"] < share["mean"] < share["ci_high"] and share["std"] > 0
    # Every numeric KPI of a replication's summary.json is summarised for the set.
    one = json.loads((tmp_path / "baseline" / runs[0] / "summary.json").read_text())
    assert {"cost_per_parcel.last_mile", "lead_time_hours.p95", "routes.count"} <= set(summary["kpis"])
    assert one["seed"] == 2 and len(summary["runs"]) == 3


def test_compare_a_file_with_a_set_b_variant(tmp_path: Path) -> None:
    done = _sim("compare", BASELINE, "--set-b", f"{ABSENCE}=0.25", "--replications", "3", "--jobs", "2",
                "--kpi", "cost_per_parcel.last_mile", "--kpi", "first_attempt_success_rate", "--out", tmp_path,
                *SHORT)
    assert done.returncode == 0, done.stderr
    assert "B - A" in done.stdout and "paired" in done.stdout and "unpaired (Welch)" in done.stdout
    assert "narrower" in done.stdout and f"with {ABSENCE}=0.25" in done.stdout
    lines = [line for line in done.stdout.splitlines() if line.startswith("first_attempt_success_rate")]
    assert len(lines) == 1 and " yes " in lines[0]
    (folder,) = (tmp_path / "compare").iterdir()
    assert {"comparison.csv", "comparison.json", "runs.csv"} <= {p.name for p in folder.iterdir()}


def test_compare_needs_a_difference(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(BASELINE), "--replications", "2"]) == 2
    assert "nothing differs" in capsys.readouterr().err


def test_example_sweep_is_valid() -> None:
    spec = load_sweep(EXAMPLE)
    assert spec.name == "absence_vs_fleet" and len(spec.points) == 12 and spec.runs == 120
    assert spec.scenario_path.resolve() == BASELINE.resolve()
    # Beside it, a sensitivity example and an explicit design, both valid before any run.
    sobol = load_sweep(EXAMPLE.parent / "sensitivity_last_mile.toml")
    assert sobol.design == "sobol" and len(sobol.points) == 16 * (4 + 2)
    points = load_sweep(EXAMPLE.parent / "fleet_points.toml")
    assert points.design == "points" and len(points.points) == 4 and list(points.factors) == [
        "regional_warehouses.metro.fleet.units.diesel_van.count", "regional_warehouses.metro.area.absence_probability"]


def test_latin_hypercube_sweep_file(tmp_path: Path) -> None:
    path = tmp_path / "lhs.toml"
    path.write_text(f"""
scenario = "{BASELINE.as_posix()}"
replications = 2
[design]
kind = "lhs"
n = 5
seed = 3
[factors]
"{ABSENCE}" = {{ start = 0.05, stop = 0.3 }}
"regional_warehouses.metro.fleet.units.diesel_van.count" = {{ start = 8, stop = 12 }}
""")
    spec = load_sweep(path)
    assert len(spec.points) == 5 and spec.runs == 10
    absence = sorted(p.values[ABSENCE] for p in spec.points)
    assert all(0.05 + 0.05 * k <= a < 0.05 + 0.05 * (k + 1) for k, a in enumerate(absence))
    assert [p.values for p in load_sweep(path).points] == [p.values for p in spec.points]
    assert {p.scenario.regional_warehouses[0].area.absence_probability for p in spec.points} == set(absence)


GOOD = f"""
scenario = "{BASELINE.as_posix()}"
replications = 1
[factors]
"{ABSENCE}" = [0.05, 0.1]
"""


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (GOOD.replace("absence_probability", "absense_probability"), ["absense_probability", "unknown key"]),
        (GOOD.replace("[0.05, 0.1]", "{ start = 0.3, stop = 0.1, step = 0.05 }"),
         [f"factors.{ABSENCE}", "empty range"]),
        (GOOD.replace("[0.05, 0.1]", "[]"), [f"factors.{ABSENCE}", "empty list"]),
        (GOOD.replace("[0.05, 0.1]", "[0.05, 1.5]"), [f"factors.{ABSENCE} = 1.5", "less than or equal to 1"]),
        (GOOD.replace("[0.05, 0.1]", "{ start = 0.1, stop = 0.3, stpe = 0.1 }"), ["stpe", "unknown key"]),
        (GOOD.replace("replications = 1", "replication = 1"), ["replication: unknown key"]),
        (GOOD.replace("replications = 1", "replications = 0"), ["replications = 0"]),
        (GOOD + '[design]\nkind = "random"\n', ["design.kind", "'grid', 'lhs', 'sobol', 'morris' or 'points'"]),
        (GOOD + '[design]\nkind = "lhs"\n', ["design.n"]),
        (GOOD.replace(BASELINE.as_posix(), "no/such.toml"), ["scenario = 'no/such.toml'", "no such scenario file"]),
        (GOOD.replace("[0.05, 0.1]", "0.05"), [f"factors.{ABSENCE} = 0.05", "expected a list"]),
        (GOOD + '"regional_warehouses.ghost.area.absence_probability" = [0.1]\n', ["'ghost' matches no element"]),
        (GOOD + '"seed" = [1, 2]\n', ["factors.seed"]),
    ],
)
def test_bad_sweep_files_fail_before_any_run_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           text: str, fragments: list[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--jobs", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"sim: error: {path}"), err
    for fragment in fragments:
        assert fragment in err[0]
    assert not out.exists(), "nothing may be written for a bad sweep file"


def test_points_that_clash_are_caught_up_front(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each value valid alone, but not together: every point's scenario is validated before running."""
    inventory = "regional_warehouses.metro.inventory"
    path = tmp_path / "clash.toml"
    path.write_text(f"""
scenario = "{BASELINE.as_posix()}"
[factors]
"{inventory}.reorder_point_days" = [3, 6]
"{inventory}.order_up_to_days" = [4, 7]
""")
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--check"]) == 2
    err = capsys.readouterr().err
    assert "point 2" in err and "reorder_point_days=6" in err


def test_bad_sweep_exit_code_from_the_shell(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("replications = 1", "replications = 1\ncolour = 'red'"))
    done = _sim("sweep", path, "--out", tmp_path / "out")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"sim: error: {path}: colour: unknown key (allowed: name, description, scenario, " \
        "seed, replications, set, plot_kpis, design, factors)"


def test_check_validates_every_point_without_running(tmp_path: Path) -> None:
    done = _sim("sweep", EXAMPLE, "--check", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "12 points x 10 replications = 120 runs" in done.stdout
    assert not any(tmp_path.iterdir())
