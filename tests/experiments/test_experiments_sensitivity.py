"""Global sensitivity analysis and explicit designs: known answers on synthetic functions and on the simulator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import Scenario, load_scenario
from sim.cli import main
from sim.errors import ScenarioError
from sim.experiments import load_sweep, run_sweep, sensitivity
from sim.experiments.build import sweep_spec
from sim.experiments.design import morris_sample, sobol_sample
from sim.experiments.indices import MORRIS_COLUMNS, SOBOL_COLUMNS, bootstrap_seed, morris_rows, sobol_rows
from tests.conftest import BASELINE

# Two simulated days after one of warm-up: a run takes a fraction of a second.
TINY = ("horizon.warmup_days=1", "horizon.days=2")
DRIVER = "vehicle_types.diesel_van.driver_cost_per_hour"     # the last mile's largest cost
PER_KM = "vehicle_types.diesel_van.cost_per_km"              # a smaller last-mile cost
HANDLING = "central_warehouses.0.handling_out_cost_per_unit"  # upstream: no effect on the last mile's cost
KPI = "cost_per_parcel.last_mile"


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(BASELINE, TINY)


def _linear(x: np.ndarray) -> np.ndarray:
    # The first factor dominates, the second does nothing, the third matters a little.
    return 10 * x[:, 0] + 0 * x[:, 1] + 1 * x[:, 2]


def test_sobol_indices_of_a_known_function() -> None:
    names = ["a", "b", "c"]
    x = sobol_sample(names, 256, seed=3)
    assert x.shape == (256 * 5, 3)
    rows = pd.DataFrame(sobol_rows("y", names, _linear(x), seed=1, second_order=False), columns=SOBOL_COLUMNS)
    st = rows.set_index("factor")["ST"]
    assert st["b"] == 0.0  # the function never looks at b: every AB_b row equals its A row
    assert st["a"] == pytest.approx(100 / 101, abs=0.05) and st["c"] == pytest.approx(1 / 101, abs=0.02)
    assert list(st.sort_values(ascending=False).index) == ["a", "c", "b"]


def test_morris_effects_of_a_known_function() -> None:
    names = ["a", "b", "c"]
    x = morris_sample(names, 10, seed=3)
    rows = pd.DataFrame(morris_rows("y", names, x, _linear(x), seed=1, levels=4), columns=MORRIS_COLUMNS)
    mu = rows.set_index("factor")["mu_star"]
    # Elementary effects of a linear function are its slopes (per whole unit range), with no spread.
    assert mu.to_dict() == pytest.approx({"a": 10.0, "b": 0.0, "c": 1.0})
    assert rows["sigma"].max() == pytest.approx(0.0, abs=1e-9)


def test_sobol_on_the_simulator_finds_the_irrelevant_and_the_dominant_factor(tiny: Scenario,
                                                                               tmp_path: Path) -> None:
    result = sensitivity(tiny, {DRIVER: (20.0, 50.0), HANDLING: (0.1, 2.0), PER_KM: (0.15, 0.25)},
                         method="sobol", n=4, kpis=[KPI, "cost_per_parcel.upstream"], seed=1, jobs=1,
                         out=tmp_path, progress=False)
    assert list(result.indices.columns) == SOBOL_COLUMNS
    assert len(result.indices) == 2 * 3 and len(result.runs) == 4 * (3 + 2)
    last_mile = result.indices[result.indices["kpi"] == KPI].set_index("factor")
    # Common random numbers: an upstream handling rate leaves every last-mile cost exactly as it was.
    assert last_mile.loc[HANDLING, "ST"] == 0.0 and last_mile.loc[HANDLING, "S1"] == 0.0
    assert result.ranking(KPI)[0] == DRIVER
    upstream = result.indices[result.indices["kpi"] == "cost_per_parcel.upstream"].set_index("factor")
    assert upstream.loc[DRIVER, "ST"] == 0.0 and result.ranking("cost_per_parcel.upstream")[0] == HANDLING
    written = pd.read_csv(result.folder / "sensitivity.csv")
    pd.testing.assert_frame_equal(written, result.indices, check_exact=False, rtol=1e-12)
    assert (result.folder / "plots" / f"sensitivity_{KPI}.png").stat().st_size > 1000


def test_morris_on_the_simulator(tiny: Scenario, tmp_path: Path) -> None:
    result = sensitivity(tiny, {DRIVER: (20.0, 50.0), HANDLING: (0.1, 2.0)}, method="morris", n=3, kpis=[KPI],
                         seed=1, jobs=1, out=tmp_path, progress=False)
    assert list(result.indices.columns) == MORRIS_COLUMNS
    effects = result.indices.set_index("factor")["mu_star"]
    assert effects[HANDLING] == 0.0 and effects[DRIVER] > 0
    assert result.ranking(KPI) == [DRIVER, HANDLING]


def test_sensitivity_sweep_file_writes_the_indices(tmp_path: Path) -> None:
    path = tmp_path / "sens.toml"
    path.write_text(f"""
scenario = "{BASELINE.as_posix()}"
seed = 2
set = {list(TINY)!r}
plot_kpis = ["{KPI}"]
[design]
kind = "morris"
n = 2
seed = 4
[factors]
"{DRIVER}" = {{ start = 20.0, stop = 50.0 }}
"{HANDLING}" = {{ start = 0.1, stop = 2.0 }}
""".replace("'", '"'))
    assert main(["sweep", str(path), "--jobs", "1", "--out", str(tmp_path / "out"), "--no-plots"]) == 0
    table = pd.read_csv(tmp_path / "out" / "sens" / "sensitivity.csv")
    assert list(table.columns) == MORRIS_COLUMNS and len(table) == 2


def test_points_from_a_csv_and_from_python_give_the_same_runs(tiny: Scenario, tmp_path: Path) -> None:
    (tmp_path / "points.csv").write_text(f"{DRIVER},last_mile.max_attempts\n25.0,1\n40.0,3\n")
    (tmp_path / "points.toml").write_text(f"""
scenario = "{BASELINE.as_posix()}"
seed = 3
replications = 2
set = ["horizon.warmup_days=1", "horizon.days=2"]
[design]
kind = "points"
file = "points.csv"
""")
    spec = load_sweep(tmp_path / "points.toml")
    assert [p.values for p in spec.points] == [{DRIVER: 25.0, "last_mile.max_attempts": 1},
                                             {DRIVER: 40.0, "last_mile.max_attempts": 3}]
    from_file = run_sweep(spec, jobs=1, out=tmp_path / "file", progress=False, plots=False)
    points = pd.DataFrame({DRIVER: [25.0, 40.0], "last_mile.max_attempts": [1, 3]})
    from_python = run_sweep(tiny, design=points, replications=2, seed=3, jobs=1, out=tmp_path / "python",
                            name="points", progress=False, plots=False)
    columns = [c for c in from_file.runs.columns if c != "wall_seconds"]
    pd.testing.assert_frame_equal(from_file.runs[columns], from_python.runs[columns])
    pd.testing.assert_frame_equal(from_file.aggregate, from_python.aggregate)
    # A factor grid from Python, no file: the same run as the point it shares with the CSV.
    grid = run_sweep(tiny, factors={DRIVER: [25.0], "last_mile.max_attempts": [1]}, replications=2, seed=3,
                     jobs=1, out=tmp_path / "grid", progress=False, plots=False)
    assert grid.runs[KPI].tolist() == from_file.runs[KPI].tolist()[:2]


@pytest.mark.parametrize(("design", "factors", "message"), [
    ({"kind": "sobol", "n": 6}, {DRIVER: (20.0, 50.0)}, "design.n: n = 6: a Sobol' design needs a power of two"),
    ({"kind": "sobol", "n": 4, "levels": 4}, {DRIVER: (20.0, 50.0)}, "design.levels: only for kind = \"morris\""),
    ({"kind": "morris"}, {DRIVER: (20.0, 50.0)}, "design.n: a Morris design needs n"),
    ({"kind": "morris", "n": 2, "levels": 3}, {DRIVER: (20.0, 50.0)}, "design.levels: levels = 3"),
    ({"kind": "grid"}, {DRIVER: (20.0, 50.0)}, "a float range needs num or step"),
    ({"kind": "lhs", "n": 2}, {DRIVER: (-5.0, 50.0)}, f"factors.{DRIVER} = -5.0"),
    ({"kind": "anova"}, {DRIVER: [1.0]}, "design.kind = 'anova': allowed:"),
    ([{DRIVER: 1.0}, {"other": 2}], {}, "every point needs the same factors"),
])
def test_bad_designs_from_python_are_one_line_errors(tiny: Scenario, design: object, factors: dict,
                                                     message: str) -> None:
    with pytest.raises(ScenarioError, match=r"^<python>: ") as info:
        sweep_spec(tiny, factors, design)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_bad_points_files_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = f'scenario = "{BASELINE.as_posix()}"\n[design]\nkind = "points"\nfile = "p.csv"\n'
    (tmp_path / "s.toml").write_text(body)
    assert main(["sweep", str(tmp_path / "s.toml"), "--check"]) == 2
    assert "design.file = 'p.csv': cannot be read" in capsys.readouterr().err
    (tmp_path / "p.csv").write_text(f"{DRIVER}\n20.0\n30.0,1\n")
    assert main(["sweep", str(tmp_path / "s.toml"), "--check"]) == 2
    assert "p.csv: line 3: 2 cells, the header has 1" in capsys.readouterr().err
    (tmp_path / "p.csv").write_text(f"{DRIVER}\n-20.0\n")
    assert main(["sweep", str(tmp_path / "s.toml"), "--check"]) == 2
    err = capsys.readouterr().err
    assert f"factors.{DRIVER} = -20.0" in err and err.count("\n") == 1
    (tmp_path / "s.toml").write_text(body + f'[factors]\n"{DRIVER}" = [1.0]\n')
    assert main(["sweep", str(tmp_path / "s.toml"), "--check"]) == 2
    assert "a points design takes its factors from the columns" in capsys.readouterr().err


def test_bootstrap_intervals_are_reproducible_for_every_design_seed() -> None:
    # SALib's Sobol' analyser treats seed 0 as "no seed"; the design seed 0 (the default) must still give
    # the same intervals whatever the global random state, so that tables are the same at any --jobs.
    names = ["a", "b", "c"]
    x = sobol_sample(names, 16, seed=0)
    first = sobol_rows("y", names, _linear(x), seed=bootstrap_seed(0), second_order=False)
    np.random.random(7)  # moves the global random state on, as other code in a process would
    again = sobol_rows("y", names, _linear(x), seed=bootstrap_seed(0), second_order=False)
    assert first == again
