"""The lifecycle view (``summary["lifecycle"]``, horizon.drain) in the experiment tables: the runs' own numbers."""

from __future__ import annotations

import math

import pytest

from sim import load_scenario, run
from sim.errors import ScenarioError
from sim.experiments import compare, run_replications
from sim.experiments.kpis import HEADLINE, check_kpis, chosen, kind, known_kpis, unit
from sim.metrics import flatten
from tests.conftest import BASELINE

SHORT = ("horizon.warmup_days=2", "horizon.days=4")
LIFECYCLE_HEADLINE = ("lifecycle.cost_per_parcel.total", "lifecycle.cost_per_parcel.last_mile",
                      "lifecycle.last_mile_share")


def _lifecycle(summary: dict) -> dict[str, float]:
    return {k: v for k, v in flatten(summary).items() if k.startswith("lifecycle.")}


def test_replication_tables_hold_each_runs_lifecycle_view() -> None:
    scenario = load_scenario(BASELINE, SHORT)
    reps = run_replications(scenario, 2, seed=3, jobs=1, progress=False)
    direct = [run(scenario, seed=3, replication=r).summary for r in (0, 1)]
    for r, summary in enumerate(direct):
        expected = _lifecycle(summary)
        assert expected["lifecycle.cost_per_parcel.total"] == summary["lifecycle"]["cost_per_parcel"]["total"]
        row = reps.runs.iloc[r]
        assert {k: float(row[k]) for k in expected} == expected  # the very numbers, not approximately
    for name in LIFECYCLE_HEADLINE:
        values = [_lifecycle(s)[name] for s in direct]
        assert reps.kpi(name)["mean"] == pytest.approx(sum(values) / 2, rel=1e-12)
    # The identity of the view holds in the table too: attributed + shared = total, per run.
    runs = reps.runs
    assert (runs["lifecycle.attributed_cost"] + runs["lifecycle.shared_cost"]).tolist() == pytest.approx(
        runs["lifecycle.total_cost"].tolist(), rel=1e-12)


def test_paired_comparison_differences_the_lifecycle_view_pair_by_pair() -> None:
    a = load_scenario(BASELINE, SHORT)
    b = load_scenario(BASELINE, (*SHORT, "last_mile.failed_attempt_handling_cost=3.0"))
    result = compare(a, b, 2, seed=5, jobs=1, progress=False)
    table = result.table.set_index("kpi")
    name = "lifecycle.cost_per_parcel.last_mile"
    pairs = [_lifecycle(run(s, seed=5, replication=r).summary)[name] for r in (0, 1) for s in (a, b)]
    diffs = [pairs[1] - pairs[0], pairs[3] - pairs[2]]
    assert table.loc[name, "diff"] == pytest.approx(sum(diffs) / 2, rel=1e-9)
    assert table.loc[name, "diff"] > 0  # dearer failed attempts raise the last mile's lifecycle cost
    # An upstream stage the change does not touch is equal pair by pair in the lifecycle view too.
    assert table.loc["lifecycle.cost_per_parcel.factory_to_central", "diff"] == 0.0


def test_kpi_option_accepts_lifecycle_names_and_corrects_a_typo() -> None:
    scenario = load_scenario(BASELINE)
    known = set(known_kpis(scenario))
    assert set(LIFECYCLE_HEADLINE) <= known and "lifecycle.drain.days" in known
    check_kpis([*LIFECYCLE_HEADLINE, "lifecycle.drain_shared_cost", "lifecycle.drain.open_at_end"], [scenario])
    with pytest.raises(ScenarioError) as error:
        check_kpis(["lifecycle.last_mile_shar"], [scenario])
    assert str(error.value).startswith("--kpi lifecycle.last_mile_shar: not a KPI of this experiment; "
                                       "did you mean 'lifecycle.last_mile_share'?")


def test_lifecycle_kpis_are_printed_by_default_in_their_units() -> None:
    assert set(LIFECYCLE_HEADLINE) <= set(HEADLINE)
    available = ["cost_per_parcel.total", "lifecycle.cost_per_parcel.total", "lifecycle.drain.days",
                 "lifecycle.last_mile_share"]
    assert chosen(available, None) == ["cost_per_parcel.total", "lifecycle.cost_per_parcel.total",
                                       "lifecycle.last_mile_share"]
    assert (unit("lifecycle.cost_per_parcel.total", "USD"), unit("lifecycle.last_mile_share", "USD")) == ("USD", "%")
    assert (kind("lifecycle.drain.days"), kind("lifecycle.drain.stop_h"), kind("lifecycle.drain.open_at_end")) == (
        "days", "hours", "count")


def test_without_the_drain_there_is_no_lifecycle_column() -> None:
    scenario = load_scenario(BASELINE, (*SHORT, "horizon.drain=false"))
    reps = run_replications(scenario, 2, seed=3, jobs=1, progress=False)
    assert not [c for c in reps.runs.columns if c.startswith("lifecycle.")]
    assert math.isfinite(reps.kpi("cost_per_parcel.total")["mean"])
