"""Risk experiment: sample a scenario's disruptions over replications and report the spread of cost and service.

Each replication draws its own random disruptions (a scenario's random
disruptions are drawn from the replication's streams), so N replications are N
samples of what a year could bring. The experiment runs every replication twice,
with the disruptions and without them (the *reference*), under common random
numbers: both runs of replication r see the same demand, presence, traffic and
service draws, so the pair's difference is the disruptions' own impact, free of
the demand noise both share.

For each KPI the table gives the distribution over the disrupted replications
(best, 5th percentile, median, mean, 95th percentile, worst, and the bad-side
95 % quantile ``worst_5pct``, i.e. the value exceeded in only one replication in
twenty on the bad side), the reference mean, and the paired impact (mean with
its confidence interval, and the worst single impact).
"""

from __future__ import annotations

import math
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.experiments.comparison import VARIANT, Comparison, compare
from sim.experiments.stats import CONFIDENCE, paired_interval
from sim.experiments.tables import kpi_row
from sim.experiments.tasks import OK
from sim.plotting import plot_risk
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class RiskKpi:
    """A KPI of the risk table, which direction is good, and how to show it."""

    kpi: str  # flat KPI name, as in the runs tables
    title: str
    higher_is_better: bool
    percent: bool = False


RISK_KPIS: tuple[RiskKpi, ...] = (
    RiskKpi("cost_per_parcel.total", "total cost per parcel", False),
    RiskKpi("cost_per_parcel.upstream", "upstream cost per parcel", False),
    RiskKpi("cost_per_parcel.last_mile", "last-mile cost per parcel", False),
    RiskKpi("cost_per_delivered_parcel", "cost per delivered parcel", False),
    # The drain's lifecycle view: the backlog a disruption leaves at the window's end is costed too.
    RiskKpi("lifecycle.cost_per_parcel.total", "total cost per parcel, lifecycle", False),
    RiskKpi("lifecycle.cost_per_parcel.last_mile", "last-mile cost per parcel, lifecycle", False),
    RiskKpi("stock.fill_rate", "stock fill rate", True, percent=True),
    RiskKpi("stock.lost_sale_share", "lost sales", False, percent=True),
    RiskKpi("service.on_time_rate", "on time", True, percent=True),
    RiskKpi("lead_time_hours.mean", "mean lead time (h)", False),
    RiskKpi("lead_time_hours.p95", "p95 lead time (h)", False),
)
# Per-replication exposure: how much disruption the replication drew (from the run summary).
EXPOSURE_KPIS: tuple[str, ...] = ("disruption_load.occurrences", "disruption_load.hours")

COLUMNS = ["kpi", "title", "higher_is_better", "n", "best", "p5", "p50", "mean", "p95", "worst", "worst_5pct",
           "std", "reference_mean", "impact_mean", "impact_half_width", "impact_ci_low", "impact_ci_high",
           "worst_impact"]


@dataclass
class RiskResult:
    """The risk table (one row per KPI, see ``COLUMNS``), the paired runs behind it and the exposure per run."""

    scenario: Scenario
    seed: int
    replications: list[int]
    table: pd.DataFrame
    comparison: Comparison
    confidence: float = CONFIDENCE

    @property
    def runs(self) -> pd.DataFrame:
        """Every run: ``variant`` 'reference' (no disruptions) or 'disrupted', one row per replication each."""
        runs = self.comparison.runs.copy()
        runs[VARIANT] = runs[VARIANT].map({"a": "reference", "b": "disrupted"})
        return runs

    @property
    def disrupted(self) -> pd.DataFrame:
        """The successful disrupted runs, indexed by replication."""
        runs = self.comparison.runs
        return runs[(runs[VARIANT] == "b") & (runs["status"] == OK)].set_index("replication").sort_index()

    @property
    def failed(self) -> pd.DataFrame:
        """The runs that raised, with their error messages."""
        return self.runs[self.runs["status"] != OK]

    def kpi(self, name: str) -> pd.Series:
        """One KPI's row of the risk table."""
        return kpi_row(self.table, name)

    def plot(self, kpi: str = "cost_per_parcel.total", ax: Axes | None = None) -> Axes:
        """Histogram of ``kpi`` over the disrupted runs (see :func:`sim.plotting.plot_risk`)."""
        return plot_risk(self.disrupted, self.table, kpi, self.scenario.name, ax=ax)


def without_disruptions(scenario: Scenario) -> Scenario:
    """The reference of a risk experiment: the same scenario with no disruption at all."""
    return scenario.model_copy(update={"disruptions": ()})


def risk_table(comparison: Comparison, kpis: tuple[RiskKpi, ...] = RISK_KPIS,
               confidence: float = CONFIDENCE) -> pd.DataFrame:
    """The per-KPI distribution over the disrupted runs (variant 'b') and the paired impact against 'a'."""
    ok = comparison.runs[comparison.runs["status"] == OK]
    reference = ok[ok[VARIANT] == "a"].set_index("replication")
    disrupted = ok[ok[VARIANT] == "b"].set_index("replication")
    pairs = reference.index.intersection(disrupted.index).sort_values()
    rows = []
    for item in kpis:
        if item.kpi not in disrupted.columns:
            continue  # a KPI this scenario does not produce
        values = disrupted[item.kpi].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if item.kpi in reference.columns:
            base = reference.loc[pairs, item.kpi].to_numpy(dtype=float)
            hit = disrupted.loc[pairs, item.kpi].to_numpy(dtype=float)
            reference_mean = float(np.nanmean(base)) if len(base) else math.nan
        else:
            base = hit = np.array([], dtype=float)
            reference_mean = math.nan
        impact = paired_interval(base, hit, confidence)
        impacts = (hit - base)[np.isfinite(hit - base)]
        rows.append([item.kpi, item.title, item.higher_is_better, len(values), *_spread(values, item.higher_is_better),
                     reference_mean, impact.mean, impact.half_width, impact.low, impact.high,
                     _worst(impacts, item.higher_is_better)])
    return pd.DataFrame(rows, columns=COLUMNS)


def _spread(values: np.ndarray, higher_is_better: bool) -> list[float]:
    """best, p5, p50, mean, p95, worst, worst_5pct, std of one KPI's values."""
    if not len(values):
        return [math.nan] * 8
    p5, p50, p95 = (float(np.percentile(values, q)) for q in (5, 50, 95))
    best, worst = (values.max(), values.min()) if higher_is_better else (values.min(), values.max())
    worst_5pct = p5 if higher_is_better else p95
    std = float(values.std(ddof=1)) if len(values) > 1 else math.nan
    return [float(best), p5, p50, float(values.mean()), p95, float(worst), worst_5pct, std]


def _worst(impacts: np.ndarray, higher_is_better: bool) -> float:
    if not len(impacts):
        return math.nan
    return float(impacts.min() if higher_is_better else impacts.max())


def risk_analysis(
    scenario: Scenario,
    replications: int,
    seed: int | None = None,
    *,
    first: int = 0,
    jobs: int | None = None,
    executor: Executor | None = None,
    client: Any = None,
    confidence: float = CONFIDENCE,
    progress: bool | None = None,
) -> RiskResult:
    """Run ``replications`` paired replications of ``scenario`` with and without its disruptions.

    Raises ValueError when the scenario has no disruptions (there would be
    nothing to sample) or fewer than 2 replications are asked for (no spread).
    """
    if not scenario.disruptions:
        raise ValueError(f"scenario '{scenario.name}' has no disruptions: a risk experiment needs at least one "
                         "(see scenarios/examples/upstream/disruption_random.toml)")
    if replications < 2:
        raise ValueError(f"replications = {replications}: a risk experiment needs at least 2")
    comparison = compare(without_disruptions(scenario), scenario, replications, seed, first=first, jobs=jobs,
                         executor=executor, client=client, confidence=confidence, progress=progress)
    # A run without disruptions reports no exposure at all (its summary is the plain one): that is zero exposure.
    runs = comparison.runs
    ok = runs["status"] == OK
    for name in EXPOSURE_KPIS:
        if name in runs.columns:
            runs.loc[ok, name] = runs.loc[ok, name].fillna(0.0)
    exposure = tuple(RiskKpi(name, name.split(".")[-1], False) for name in EXPOSURE_KPIS)
    table = risk_table(comparison, RISK_KPIS + exposure, confidence)
    return RiskResult(scenario, comparison.seed, comparison.replications, table, comparison, confidence)
