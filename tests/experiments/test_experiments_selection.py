"""Ranking and selection (Kim-Nelson) and replications by precision: known answers, stopping rules, determinism."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from sim import Scenario, load_scenario
from sim.cli import main
from sim.experiments import executors
from sim.experiments.precision import Precision, precision_of
from sim.experiments.replications import run_to_precision
from sim.experiments.selection import kim_nelson, kn_h2
from sim.strategies import format_markdown, run_strategies
from tests.conftest import BASELINE

TINY = ("horizon.warmup_days=1", "horizon.days=2")
KPI = "cost_per_parcel.last_mile"
DRIVER = "vehicle_types.diesel_van.driver_cost_per_hour"


def _systems(gaps: dict[str, float], n: int, noise: float = 0.3, seed: int = 1) -> dict[str, np.ndarray]:
    # A shared draw per replication (common random numbers) plus a little noise of each system's own.
    rng = np.random.default_rng(seed)
    common = rng.normal(0, 1, n)
    return {name: 10 + gap + common + rng.normal(0, noise, n) for name, gap in gaps.items()}


def test_kn_constant_matches_the_paper() -> None:
    # eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2, h2 = 2 eta (n0 - 1)
    alpha, k, n0 = 0.05, 4, 10
    eta = 0.5 * ((2 * alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1)
    assert kn_h2(k, n0, 0.95) == pytest.approx(2 * eta * (n0 - 1))


def test_kn_selects_the_known_best_and_eliminates_the_rest() -> None:
    samples = _systems({"a": 0.0, "b": 0.5, "c": 1.0, "d": 2.0}, 200)
    selection = kim_nelson(samples, "cost", delta=0.2, n0=5)
    assert selection.best == "a" and selection.separated
    assert set(selection.eliminated) == {"b", "c", "d"}
    assert selection.eliminated["d"] <= selection.eliminated["b"]  # the clearly worse go first
    highest = kim_nelson(samples, "fill", minimize=False, delta=0.2, n0=5)
    assert highest.best == "d"


def test_kn_gives_the_same_answer_from_a_prefix_as_from_the_whole_sample() -> None:
    samples = _systems({"a": 0.0, "b": 0.3}, 300)
    whole = kim_nelson(samples, "cost", delta=0.1, n0=5)
    prefix = kim_nelson({k: v[: whole.stage] for k, v in samples.items()}, "cost", delta=0.1, n0=5)
    assert (prefix.best, prefix.stage, prefix.eliminated) == (whole.best, whole.stage, whole.eliminated)
    short = kim_nelson({k: v[: whole.stage - 1] for k, v in samples.items()}, "cost", delta=0.1, n0=5)
    assert not short.separated and short.stage == whole.stage - 1  # it needs the replication it stopped at


def test_kn_reports_the_subset_it_cannot_separate() -> None:
    a = np.array([10.0, 10.2, 9.9, 10.1, 10.0, 10.05, 9.95, 10.1])
    noise = np.array([0.1, -0.1, 0.12, -0.08, 0.05, -0.02, 0.1, -0.1])
    samples = {"a": a, "a_twin": a + noise, "far": a + 3.0}  # a_twin: 0.009 dearer on average, within noise
    selection = kim_nelson(samples, "cost", delta=0.05, n0=5)
    assert selection.survivors == ["a", "a_twin"] and selection.eliminated == {"far": 5}
    assert selection.status("a") == "not separated" and selection.status("far") == "eliminated at n=5"
    assert "Cannot separate a, a_twin" in selection.sentence()
    same = kim_nelson({"x": samples["a"], "y": samples["a"].copy()}, "cost", delta=0.05, n0=5)
    assert same.tied and same.survivors == ["x", "y"] and same.stage == 5


def test_precision_rule_and_its_prediction() -> None:
    state = precision_of([10.0, 10.2, 9.8], "k", target=0.005, cap=50)
    assert not state.reached and state.relative == pytest.approx(state.half_width / 10.0)
    assert state.next_n() == min(50, math.ceil(3 * (state.relative / 0.005) ** 2))
    assert precision_of([10.0, 10.0], "k", 0.005, 50).reached  # no spread: any target is met
    capped = Precision("k", 0.001, 50, 10.0, 1.0, 50)
    assert capped.capped and capped.next_n() == 50 and "not reached" in capped.sentence()


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(BASELINE, TINY)


def test_replications_stop_when_the_half_width_is_reached(tiny: Scenario) -> None:
    target = 0.02
    reps, state = run_to_precision(tiny, KPI, target, cap=40, seed=1, jobs=1, progress=False)
    row = reps.kpi(KPI)
    assert state.reached and row["half_width"] / abs(row["mean"]) <= target
    assert state.n == len(reps.replications) == int(row["n"]) < 40
    # The stages are n0 = 3, then the predictions from the spread: at every earlier stage the target was not met.
    values = reps.runs[KPI].to_numpy(float)
    n, stages = 3, []
    while True:
        stages.append(n)
        current = precision_of(list(values[:n]), KPI, target, 40)
        if current.reached:
            break
        n = current.next_n()
    assert stages[-1] == state.n and len(stages) >= 2
    capped, capped_state = run_to_precision(tiny, KPI, 1e-6, cap=4, seed=1, jobs=1, progress=False)
    assert capped_state.capped and len(capped.replications) == 4


def test_ranking_picks_the_strategy_known_to_be_cheapest(tiny: Scenario, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # The same world with dearer or cheaper drivers: under common random numbers the routes are identical, so the
    # cheapest is known for certain, and the lockers are cheaper than the baseline too (see the table).
    cheap = load_scenario(BASELINE, (*TINY, f"{DRIVER}=22.0", "name=cheap_drivers"))
    dear = load_scenario(BASELINE, (*TINY, f"{DRIVER}=45.0", "name=dear_drivers"))
    made: list[int] = []
    real_pool = executors.new_pool
    monkeypatch.setattr(executors, "new_pool", lambda jobs: made.append(jobs) or real_pool(jobs))
    result = run_strategies(tiny, [dear, cheap], "auto", seed=2, n0=3, cap=10, jobs=2,
                            folder=tmp_path / "auto", progress=False)
    assert made == [2]  # one pool of warm workers for every scenario (and every stage: one workers context)
    assert result.selection is not None and result.selection.best == "cheap_drivers"
    assert result.selection.stage == 3 and set(result.selection.eliminated) == {"baseline", "dear_drivers"}
    assert "| cheap_drivers |" in format_markdown(result.table, result.selection)
    assert (result.folder / "runs" / "run-000000.json").is_file()
    # A fixed number of replications, in this process, gives the same table and selection as the stages on 2 workers.
    fixed = run_strategies(tiny, [dear, cheap], 3, seed=2, n0=3, jobs=1, progress=False)
    assert fixed.selection is not None and fixed.selection.best == "cheap_drivers"
    assert fixed.table.equals(result.table)


def test_strategies_cli_rejects_bad_plans_before_any_run(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, message in (
        (["--replications", "auto", "--shard", "0/2"], "--shard 0/2: needs a fixed --replications N"),
        (["--replications", "3", "--precision", "1%"], "--precision 1%: only with --replications auto"),
        (["--replications", "1"], "--replications 1: must be at least 2"),
        (["--replications", "many"], "--replications many: expected a number of replications or 'auto'"),
        (["--replications", "auto", "--precision", "150%"], "--precision 150%: must be between 0 and 100 %"),
        (["--delta", "-1"], "--delta -1: must be positive"),
    ):
        assert main(["strategies", "--baseline", str(BASELINE), *argv]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1


def test_run_replications_auto_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", str(BASELINE), "--set", "horizon.warmup_days=1", "--set", "horizon.days=2", "--jobs", "1",
            "--out", str(tmp_path), "--no-plots", "--quiet", "--replications", "auto"]
    assert main(argv) == 2 and "give the target, e.g. --precision 0.5%" in capsys.readouterr().err
    assert main([*argv, "--precision", "5%", "--max-replications", "6"]) == 0
    out = capsys.readouterr().out
    assert "of the mean after 3 replications (target 5 %)" in out
    (summary,) = tmp_path.glob("baseline/*-r0to2/summary.json")
    recorded = json.loads(summary.read_text())
    assert recorded["precision"]["reached"] and recorded["precision"]["relative_half_width"] <= 0.05
    assert recorded["replications"] == [0, 1, 2]


@pytest.mark.slow
def test_stages_add_replications_until_the_best_is_separated(tiny: Scenario) -> None:
    # More absent consignees cost more failed attempts, but the difference is noisy: KN needs several stages.
    absent = load_scenario(BASELINE, (*TINY, "regional_warehouses.metro.area.absence_probability=0.18",
                                      "name=more_absent"))
    staged = run_strategies(tiny, [absent], "auto", seed=2, n0=3, cap=12, delta="0.5%", jobs=1, progress=False)
    assert staged.selection is not None and staged.selection.best == "baseline"
    assert staged.selection.stage == 10 and set(staged.table["n"]) == {10}  # stages 3, 4, ..., 10: then separated
    fixed = run_strategies(tiny, [absent], 10, seed=2, n0=3, delta="0.5%", jobs=1, progress=False)
    assert fixed.table.equals(staged.table) and fixed.selection == staged.selection
    capped = run_strategies(tiny, [absent], "auto", seed=2, n0=3, cap=6, delta="0.5%", jobs=1, progress=False)
    assert capped.selection is not None and capped.selection.survivors == ["baseline", "more_absent"]
    assert capped.selection.stage == 6 and "not separated after n=6" in capped.selection.sentence()
