"""Last-mile strategies side by side: each example scenario against the baseline, with CIs, and the best one.

Every scenario runs the same replications of the same seed, so replication r of
a strategy and of the baseline share their demand, presence, service and traffic
draws (common random numbers); the difference from the baseline is measured pair
by pair, and its confidence interval is the paired one.

The runs go through the sweep engine: the scenarios are the points of a sweep
(run ``k * cap + r`` is replication ``r`` of scenario ``k``), so one pool of warm
workers serves every scenario and every stage, each finished run is an atomic
run file in the folder, and the table can be sharded (``shard``), resumed
(``resume``) and run on Dask (``client``).

With a fixed number of replications every scenario runs them all. With
``replications="auto"`` the runs come in stages: the Kim-Nelson procedure
(:mod:`sim.experiments.selection`) asks for one more replication of each
surviving scenario until one is the best on ``select_kpi`` at the stated
confidence, and with a ``precision`` target every scenario also gets the
replications its ``precision_kpi`` needs (:mod:`sim.experiments.precision`);
both stop at the cap. The stages depend on the KPI values only, never on the
number of workers, so every table is the same at any ``jobs``.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Hashable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ScenarioError
from sim.experiments import store
from sim.experiments.executors import workers_for
from sim.experiments.precision import FIRST_STAGE as PRECISION_FIRST_STAGE
from sim.experiments.precision import Precision, precision_of
from sim.experiments.replications import summarize_runs
from sim.experiments.selection import CONFIDENCE, FIRST_STAGE, Selection, kim_nelson
from sim.experiments.spec import Point, SweepSpec
from sim.experiments.stats import paired_interval
from sim.experiments.sweep import SweepResult, finish, run_indices, shard_indices
from sim.experiments.tables import kpi_row, runs_frame
from sim.experiments.tasks import OK
from sim.output import write_json
from sim.scenario.schema import Scenario

FACTOR = "strategy"
DESIGN = "strategies"
SELECT_KPI = "cost_per_parcel.last_mile"
_HIGHER_IS_BETTER = ("rate", "fill", "success", "on_time")


@dataclass(frozen=True)
class Column:
    """A KPI of the strategy table and how to show it."""

    kpi: str  # flat KPI name, as in the runs tables
    title: str
    percent: bool = False


COLUMNS = (
    Column("cost_per_parcel.last_mile", "last-mile cost per parcel"),
    Column("last_mile_share", "last-mile share", percent=True),
    Column("first_attempt_success_rate", "first-attempt success", percent=True),
    Column("service.on_time_rate", "on time", percent=True),
    Column("co2e_kg.per_parcel.last_mile", "last-mile kg CO2e per parcel"),
)


@dataclass
class StrategyResult:
    """The strategy table, the selection of the best on one KPI, and the sweep folder that holds the runs."""

    table: pd.DataFrame
    selection: Selection | None
    sweep: SweepResult
    precision: dict[str, Precision] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        """The folder of the runs (``runs/run-*.json``), the tables and ``strategies.md``."""
        return self.sweep.folder


def higher_is_better(kpi: str) -> bool:
    """Whether a KPI is better high (rates, fill, success) rather than low (costs, shares, CO2e, times)."""
    return any(word in kpi for word in _HIGHER_IS_BETTER)


def strategy_spec(baseline: Scenario, strategies: Sequence[Scenario], cap: int, seed: int,
                  name: str = "strategies", meta: Mapping[str, Any] | None = None) -> SweepSpec:
    """The sweep whose points are the baseline and the strategies, ``cap`` replications each at most."""
    scenarios = [baseline, *strategies]
    names = [s.name for s in scenarios]
    for k, scenario in enumerate(scenarios):
        if names.index(scenario.name) != k:
            raise ScenarioError(f"strategies: two scenarios are named {scenario.name!r}; the table needs distinct "
                                "names (set name = ... in one of them)")
    points = tuple(Point(k, {FACTOR: s.name}, s) for k, s in enumerate(scenarios))
    described = {"strategies": [{"name": s.name, "description": s.description} for s in scenarios],
                 **dict(meta or {})}
    return SweepSpec(
        path=Path("<strategies>"), name=name, description="strategies against the baseline",
        scenario_path=Path(f"<scenario {baseline.name}>"), seed=seed, replications=cap, overrides=(),
        design=DESIGN, lhs_n=None, lhs_seed=0, factors={FACTOR: names}, plot_kpis=(), base=baseline,
        points=points, meta=described,
    )


def run_strategies(
    baseline: Scenario,
    strategies: Sequence[Scenario],
    replications: int | str,
    seed: int,
    *,
    select_kpi: str = SELECT_KPI,
    minimize: bool | None = None,
    confidence: float = CONFIDENCE,
    delta: float | str = "1%",
    n0: int = FIRST_STAGE,
    precision: float | None = None,
    precision_kpi: str = SELECT_KPI,
    cap: int = 50,
    jobs: int | None = None,
    executor: Executor | None = None,
    client: Any = None,
    folder: str | Path | None = None,
    shard: tuple[int, int] = (0, 1),
    resume: bool = False,
    progress: bool | None = None,
) -> StrategyResult:
    """Run the strategy table in ``folder`` and select the best on ``select_kpi``.

    Without ``folder`` the runs go to a temporary folder that is removed at the
    end (the result keeps the tables; its ``folder`` is then ``Path()``).

    ``replications`` is a number (every scenario runs replications 0 .. N-1;
    the selection is KN over them, with ``n0 = min(n0, N)``) or ``"auto"``
    (stages until the selection and the precision are settled, at most
    ``cap`` replications a scenario). ``minimize`` defaults to the KPI's
    direction (:func:`higher_is_better`).
    """
    auto = replications == "auto"
    if not auto and not isinstance(replications, int):
        raise ValueError(f"replications = {replications!r}: a number or 'auto'")
    count = cap if auto else int(replications)
    if count < 1:
        raise ValueError(f"replications = {count}: must be at least 1")
    if auto and shard != (0, 1):
        raise ScenarioError("--shard: needs a fixed --replications N (the sequential procedure decides from every "
                            "scenario's runs together)")
    goal = not higher_is_better(select_kpi) if minimize is None else minimize
    first = min(n0, count) if not auto else n0
    meta = {"selection": {"kpi": select_kpi, "minimize": goal, "confidence": confidence, "delta": delta,
                          "n0": first},
            "replications": replications, "precision": None if precision is None else
            {"kpi": precision_kpi, "target": precision}}
    spec = strategy_spec(baseline, strategies, count, seed, meta=meta)
    with tempfile.TemporaryDirectory(prefix="sim-strategies-") as scratch:
        target = Path(folder) if folder is not None else Path(scratch) / spec.name
        description = store.prepare(target, spec, shard, "summaries", resume)
        done = store.finished_ok(target) if resume else set()
        with workers_for(executor, client, jobs, len(spec.points) * (count if not auto else first)) as workers:
            if not auto:
                todo = [i for i in shard_indices(spec.runs, shard) if i not in done]
                run_indices(spec, target, todo, workers, progress=progress)
                made = set(shard_indices(spec.runs, shard))
            else:
                made = _stages(spec, target, workers, done, progress, first, precision, precision_kpi,
                               select_kpi, goal, confidence, delta)
        sweep = finish(target, description, sorted(made), plots=False)
        result = strategy_tables(sweep.runs, description, sweep)
        if folder is None:  # the scratch folder goes away: keep the tables, forget the folder
            sweep.folder = Path()
        return result


def _stages(spec: SweepSpec, folder: Path, workers: Any, done: set[int], progress: bool | None, n0: int,
            target: float | None, precision_kpi: str, select_kpi: str, minimize: bool, confidence: float,
            delta: float | str) -> set[int]:
    """Run stage after stage until KN and the precision ask for nothing more; return the run indices made."""
    cap = spec.replications
    want = dict.fromkeys(range(len(spec.points)), n0 if target is None else max(n0, PRECISION_FIRST_STAGE))
    made: set[int] = set()
    while True:
        todo = [k * cap + r for k, n in want.items() for r in range(n) if k * cap + r not in made]
        run_indices(spec, folder, [i for i in todo if i not in done], workers, progress=progress)
        made.update(todo)
        runs = runs_frame(store.read_markers(folder).values(), [FACTOR])
        runs = runs[runs["index"].isin(made)]
        before = dict(want)
        samples = _samples(runs, [p.scenario.name for p in spec.points], cap, select_kpi)
        selection = kim_nelson(samples, select_kpi, minimize=minimize, confidence=confidence, delta=delta, n0=n0)
        if not selection.separated and not selection.tied:
            for k, point in enumerate(spec.points):
                if point.scenario.name in selection.survivors:
                    want[k] = max(want[k], selection.stage + 1)
        if target is not None:
            if precision_kpi not in runs.columns:
                raise ScenarioError(f"--precision-kpi {precision_kpi}: not a KPI of the runs (see runs.csv)")
            for k in range(len(spec.points)):
                mine = runs[runs["point"] == k]
                state = precision_of(list(mine.loc[mine["status"] == OK, precision_kpi].to_numpy(float))
                                     if precision_kpi in mine else [], precision_kpi, target, cap)
                want[k] = max(want[k], state.next_n())
        want = {k: min(cap, n) for k, n in want.items()}
        if want == before:
            return made


def _samples(runs: pd.DataFrame, names: Sequence[str], replications: int, kpi: str) -> dict[str, list[float]]:
    """Each scenario's KPI by replication 0, 1, ... up to its first missing, failed or undefined run.

    KN compares scenarios replication by replication, so a gap ends the sequence.
    """
    if kpi not in runs.columns:
        raise ScenarioError(f"--select-kpi {kpi}: not a KPI of the runs (see runs.csv)")
    samples: dict[str, list[float]] = {}
    for k, name in enumerate(names):
        mine = runs[runs["point"] == k]
        by_replication = dict(zip(mine["replication"].tolist(), zip(mine["status"].tolist(),
                                                                     mine[kpi].to_numpy(float).tolist(),
                                                                     strict=True), strict=True))
        values: list[float] = []
        for r in range(replications):
            status, value = by_replication.get(r, (None, math.nan))
            if status != OK or not math.isfinite(value):
                break
            values.append(value)
        samples[name] = values
    return samples


def strategy_tables(runs: pd.DataFrame, description: Mapping[str, Any],
                    sweep: SweepResult | None = None) -> StrategyResult:
    """The table and the selection from a strategies folder's runs table (``sim merge`` uses it too)."""
    meta = description["meta"]
    chosen = meta["selection"]
    scenarios = meta["strategies"]
    by_point = [runs[runs["point"] == k] for k in range(len(scenarios))]
    rows: list[dict[str, object]] = []
    for k, scenario in enumerate(scenarios):
        rows += _rows(scenario["name"], scenario["description"], by_point[k], by_point[0])
    table = pd.DataFrame(rows)
    samples = _samples(runs, [s["name"] for s in scenarios], int(description["replications"]), chosen["kpi"])
    selection = None
    if min(len(v) for v in samples.values()) >= 2 and len(samples) >= 2:
        selection = kim_nelson(samples, chosen["kpi"], minimize=chosen["minimize"], confidence=chosen["confidence"],
                               delta=chosen["delta"], n0=min(int(chosen["n0"]), min(len(v) for v in samples.values())))
    states = {}
    if meta.get("precision"):
        wanted = meta["precision"]
        for k, scenario in enumerate(scenarios):
            mine = by_point[k]
            values = mine.loc[mine["status"] == OK, wanted["kpi"]].to_numpy(float) if wanted["kpi"] in mine else []
            states[scenario["name"]] = precision_of(list(values), wanted["kpi"], float(wanted["target"]),
                                                    int(description["replications"]))
    if sweep is None:
        sweep = SweepResult(Path(), runs, pd.DataFrame())
    return StrategyResult(table, selection, sweep, states)


def compare_strategies(
    baseline: Scenario,
    strategies: Sequence[Scenario],
    replications: int,
    seed: int,
    jobs: int | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """One row per (scenario, KPI): mean and 95 % CI half-width, and the paired difference from the baseline.

    Replication r of every scenario is ``run(scenario, seed, r)``; ``jobs``
    worker processes (default: one per CPU; 1 runs here) serve every scenario.
    """
    return run_strategies(baseline, strategies, replications, seed, jobs=jobs, progress=progress).table


def _rows(name: str, description: str, runs: pd.DataFrame, base: pd.DataFrame) -> list[dict[str, object]]:
    ok = runs[runs["status"] == OK].set_index("replication")
    base_ok = base[base["status"] == OK].set_index("replication")
    pairs = ok.index.intersection(base_ok.index).sort_values()
    summary = summarize_runs(runs)
    rows: list[dict[str, object]] = []
    for column in COLUMNS:
        kpi = kpi_row(summary, column.kpi)
        diff = paired_interval(
            base_ok.loc[pairs, column.kpi].to_numpy(float), ok.loc[pairs, column.kpi].to_numpy(float)
        )
        rows.append({
            "scenario": name,
            "description": description,
            "kpi": column.kpi,
            "n": int(kpi["n"]),
            "mean": float(kpi["mean"]),
            "half_width": float(kpi["half_width"]),
            "diff": diff.mean,
            "diff_low": diff.low,
            "diff_high": diff.high,
            "significant": bool(diff.n >= 2 and (diff.low > 0 or diff.high < 0)),
        })
    return rows


def _cell(mean: float, half_width: float, percent: bool) -> str:
    if percent:
        return f"{100 * mean:.1f}% ± {100 * half_width:.1f}"
    return f"{mean:.3f} ± {half_width:.3f}"


def _delta(row: Mapping[Hashable, Any], percent: bool) -> str:
    diff = float(row["diff"])
    if row["scenario"] == "baseline" or not np.isfinite(diff):
        return ""
    scale, unit = (100.0, " pp") if percent else (1.0, "")
    mark = "" if row["significant"] else " (n.s.)"
    return f" ({scale * diff:+.2f}{unit}{mark})"


def format_markdown(table: pd.DataFrame, selection: Selection | None = None) -> str:
    """The strategy table as Markdown: mean ± 95 % CI half-width, and (paired difference from the baseline).

    With a ``selection``, a last column says which scenario is best on its KPI,
    which cannot be separated from it, and when the others were eliminated.
    """
    titles = [c.title for c in COLUMNS] + ([f"selection ({selection.kpi})"] if selection else [])
    header = "| scenario | " + " | ".join(titles) + " |"
    lines = [header, "|" + "---|" * (len(titles) + 1)]
    for scenario, group in table.groupby("scenario", sort=False):
        rows = {str(r["kpi"]): r for r in group.to_dict("records")}
        cells = [_cell(float(rows[c.kpi]["mean"]), float(rows[c.kpi]["half_width"]), c.percent)
                 + _delta(rows[c.kpi], c.percent) for c in COLUMNS]
        if selection:
            cells.append(selection.status(str(scenario)))
        lines.append(f"| {scenario} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_tables(result: StrategyResult) -> str:
    """Write ``strategies.csv``, ``strategies.md`` and ``selection.json`` into the result's folder; return the text.

    Each file is written to a temporary name and renamed, so none looks complete before it is.
    """
    folder = result.folder
    table = result.table
    n = int(table["n"].max()) if not table.empty else 0
    text = format_markdown(table, result.selection)
    lines = [f"Mean ± 95 % CI half-width over up to {n} replications; in brackets the paired difference from the "
             "baseline under common random numbers (n.s.: its CI includes 0)."]
    if result.selection is not None:
        lines.append(result.selection.sentence())
    lines += [state.sentence() for state in result.precision.values()]
    table.to_csv(folder / "strategies.csv.tmp", index=False)
    (folder / "strategies.csv.tmp").replace(folder / "strategies.csv")
    (folder / "strategies.md.tmp").write_text(text + "\n\n" + "\n".join(lines) + "\n")
    (folder / "strategies.md.tmp").replace(folder / "strategies.md")
    write_json(folder / "selection.json", selection_record(result))
    return text + "\n\n" + "\n".join(lines)


def selection_record(result: StrategyResult) -> dict[str, Any]:
    """What ``selection.json`` holds: the procedure, its parameters and outcome, and each scenario's precision."""
    record: dict[str, Any] = {}
    selection = result.selection
    if selection is not None:
        record["selection"] = {
            "procedure": "Kim-Nelson KN (fully sequential, indifference zone; Kim and Nelson 2001)",
            "kpi": selection.kpi, "goal": "min" if selection.minimize else "max",
            "confidence": selection.confidence, "delta": selection.delta, "n0": selection.n0,
            "best": selection.best, "survivors": selection.survivors, "eliminated_at": selection.eliminated,
            "stage": selection.stage, "tied": selection.tied, "means": selection.means,
        }
    record["precision"] = {name: {"kpi": s.kpi, "target": s.target, "n": s.n, "relative_half_width": s.relative,
                                  "reached": s.reached} for name, s in result.precision.items()}
    return record
