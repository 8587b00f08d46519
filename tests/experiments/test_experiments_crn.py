"""Replications and paired comparisons: replication r of seed s is one fixed run; CRN narrows the CI."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import load_scenario, run
from sim.experiments import compare, run_replications
from sim.metrics import flatten
from tests.conftest import BASELINE

SHORT = ("horizon.warmup_days=2", "horizon.days=4")
ABSENCE = "regional_warehouses.metro.area.absence_probability"


def test_replication_r_of_seed_s_is_the_same_run_whatever_runs_beside_it() -> None:
    scenario = load_scenario(BASELINE, SHORT)
    alone = run_replications(scenario, 2, seed=4, first=1, jobs=1, progress=False)
    together = run_replications(scenario, 3, seed=4, jobs=2, progress=False)
    assert alone.replications == [1, 2] and together.replications == [0, 1, 2]
    kpis = [c for c in alone.runs.columns if c not in ("index", "wall_seconds")]
    pd.testing.assert_frame_equal(alone.runs[kpis].reset_index(drop=True),
                                  together.runs[kpis].iloc[1:].reset_index(drop=True))
    direct = flatten(run(scenario, seed=4, replication=2).summary)
    row = together.runs.iloc[2]
    assert {k: row[k] for k in direct} == pytest.approx(direct, nan_ok=True)
    # The set's summary: every KPI with mean, std and a Student t interval around the mean.
    share = together.kpi("last_mile_share")
    assert share["n"] == 3 and share["ci_low"] < share["mean"] < share["ci_high"]
    # (A line-haul stage without a trip in some run has no KPIs in that run: the set holds the union.)
    assert set(direct) <= set(together.summary["kpi"])


def test_common_random_numbers_narrow_the_ci_of_a_last_mile_change() -> None:
    """Raising the city's absence probability changes only the last mile; paired runs see it sharply."""
    a = load_scenario(BASELINE, SHORT)
    b = load_scenario(BASELINE, (*SHORT, f"{ABSENCE}=0.2"))
    result = compare(a, b, 5, seed=11, jobs=2, progress=False)
    table = result.table.set_index("kpi")
    for kpi in ("cost_per_parcel.last_mile", "last_mile_share", "first_attempt_success_rate",
                "routes.failed_attempts"):
        row = table.loc[kpi]
        assert row["half_width"] < row["welch_half_width"], kpi
        assert row["significant"], kpi
    diffs = table["diff"]
    assert diffs["first_attempt_success_rate"] < 0 < diffs["cost_per_parcel.last_mile"]
    # Upstream sees the same demand in both: its difference is exactly zero, pair by pair.
    assert table.loc["cost_per_parcel.upstream", "half_width"] == 0.0
    assert table.loc["parcels.ordered", "narrower"] == 1.0
    assert list(result.runs["variant"]) == ["a", "b"] * 5
