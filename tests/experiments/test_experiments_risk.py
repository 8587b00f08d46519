"""The risk experiment: spread of cost and service over replications that draw their own disruptions."""

from __future__ import annotations

import math
from functools import cache
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario
from sim.cli import main
from sim.experiments.risk import RiskKpi, RiskResult, risk_analysis, risk_table, without_disruptions
from tests.conftest import ROOT

RANDOM = ROOT / "scenarios" / "examples" / "upstream" / "disruption_random.toml"
SHORT = ("horizon.warmup_days=3", "horizon.days=21")


@cache
def short_risk(replications: int = 6) -> RiskResult:
    return risk_analysis(load_scenario(RANDOM, SHORT), replications, seed=3, jobs=2, progress=False)


def _runs(reference: list[float], disrupted: list[float], kpi: str) -> Any:
    rows = [{"variant": v, "replication": r, "status": "ok", kpi: x}
            for v, values in (("a", reference), ("b", disrupted)) for r, x in enumerate(values)]
    return SimpleNamespace(runs=pd.DataFrame(rows))


def test_best_and_worst_follow_the_kpi_direction() -> None:
    cost = risk_table(_runs([10, 10, 10, 10], [10, 12, 11, 20], "c"), (RiskKpi("c", "cost", False),)).iloc[0]
    assert (cost["best"], cost["worst"], cost["mean"], cost["reference_mean"]) == (10, 20, 13.25, 10)
    assert cost["worst_5pct"] == pytest.approx(np.percentile([10, 12, 11, 20], 95))
    assert (cost["impact_mean"], cost["worst_impact"]) == (3.25, 10)
    fill = risk_table(_runs([0.9] * 4, [0.9, 0.5, 0.8, 0.85], "f"), (RiskKpi("f", "fill", True),)).iloc[0]
    assert (fill["best"], fill["worst"]) == (0.9, 0.5)
    assert fill["worst_5pct"] == pytest.approx(np.percentile([0.9, 0.5, 0.8, 0.85], 5))
    assert fill["worst_impact"] == pytest.approx(-0.4)
    assert fill["impact_mean"] == pytest.approx(-0.1375) and fill["impact_ci_low"] < -0.1375 < fill["impact_ci_high"]


@pytest.mark.slow
def test_replications_draw_different_disruptions_and_undisrupted_pairs_are_identical() -> None:
    result = short_risk()
    disrupted = result.disrupted
    occurrences = disrupted["disruption_load.occurrences"].to_numpy()
    hours = disrupted["disruption_load.hours"].to_numpy()
    assert len(set(hours.round(3))) > 1, "every replication drew the same disruptions"
    reference = result.comparison.runs
    reference = reference[reference["variant"] == "a"].set_index("replication").sort_index()
    assert (reference["disruption_load.occurrences"] == 0).all()
    # Common random numbers: a replication that drew no disruption at all is its reference, to the last digit.
    for replication in disrupted.index[occurrences == 0]:
        for item in ("cost_per_parcel.total", "stock.fill_rate", "service.on_time_rate"):
            assert disrupted.loc[replication, item] == reference.loc[replication, item]
    worst = disrupted.index[int(np.argmax(hours))]
    assert hours.max() > 0
    assert disrupted.loc[worst, "cost_per_parcel.total"] != reference.loc[worst, "cost_per_parcel.total"]


@pytest.mark.slow
def test_the_risk_table_summarises_the_disrupted_runs() -> None:
    result = short_risk()
    row = result.kpi("cost_per_parcel.total")
    values = result.disrupted["cost_per_parcel.total"].to_numpy(dtype=float)
    assert row["n"] == len(values) == 6
    assert (row["best"], row["worst"]) == (values.min(), values.max())
    assert row["best"] <= row["p5"] <= row["p50"] <= row["p95"] <= row["worst"]
    assert row["mean"] == pytest.approx(values.mean())
    fill = result.kpi("stock.fill_rate")
    assert fill["best"] >= fill["worst"] and fill["impact_mean"] <= 0
    assert math.isfinite(row["impact_half_width"])


def test_risk_needs_disruptions_and_a_spread() -> None:
    baseline = load_scenario(ROOT / "scenarios" / "baseline.toml", SHORT)
    with pytest.raises(ValueError, match="no disruptions"):
        risk_analysis(baseline, 4)
    with pytest.raises(ValueError, match="at least 2"):
        risk_analysis(load_scenario(RANDOM, SHORT), 1)
    assert without_disruptions(load_scenario(RANDOM, SHORT)).disruptions == ()


@pytest.mark.slow
def test_sim_risk_writes_the_table_runs_and_plots(tmp_path: Any, capsys: Any) -> None:
    code = main(["risk", str(RANDOM), "--replications", "2", "--jobs", "1", "--seed", "5", "--out", str(tmp_path),
                 "--set", "horizon.warmup_days=2", "--set", "horizon.days=7"])
    assert code == 0
    out = capsys.readouterr().out
    assert "worst impact" in out and "cost_per_parcel.total" in out
    (folder,) = (tmp_path / "risk").iterdir()
    assert {"risk.csv", "runs.csv", "risk.json", "risk.md", "risk_cost_per_parcel.png"} <= {p.name for p in
                                                                                             folder.iterdir()}
    table = pd.read_csv(folder / "risk.csv")
    assert {"best", "p5", "p50", "mean", "p95", "worst", "impact_mean"} <= set(table.columns)
    assert len(pd.read_csv(folder / "runs.csv")) == 4


def test_sim_risk_rejects_a_scenario_without_disruptions(tmp_path: Any, capsys: Any) -> None:
    code = main(["risk", str(ROOT / "scenarios" / "baseline.toml"), "--replications", "3", "--out", str(tmp_path)])
    assert code == 2
    assert "disruptions" in capsys.readouterr().err
    assert not (tmp_path / "risk").exists()
    assert main(["risk", str(RANDOM), "--replications", "1", "--out", str(tmp_path)]) == 2


def test_the_risk_table_holds_the_lifecycle_cost_of_the_same_runs() -> None:
    """The drain's lifecycle cost per parcel is a row of the table, read from the very runs it pairs."""
    result = short_risk()
    table = result.table.set_index("kpi")
    runs = result.comparison.runs
    for name in ("lifecycle.cost_per_parcel.total", "lifecycle.cost_per_parcel.last_mile"):
        disrupted = runs.loc[runs["variant"] == "b"].set_index("replication")[name]
        reference = runs.loc[runs["variant"] == "a"].set_index("replication")[name]
        assert table.loc[name, "mean"] == pytest.approx(disrupted.mean(), rel=1e-12)
        assert table.loc[name, "reference_mean"] == pytest.approx(reference.mean(), rel=1e-12)
        assert table.loc[name, "impact_mean"] == pytest.approx((disrupted - reference).mean(), rel=1e-9, abs=1e-12)
