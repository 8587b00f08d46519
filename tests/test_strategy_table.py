"""The strategy comparison table: paired differences from the baseline under common random numbers."""

from __future__ import annotations

from sim import load_scenario
from sim.strategies import COLUMNS, compare_strategies, format_markdown
from tests.conftest import BASELINE, ROOT

SHORT = ("horizon.warmup_days=2", "horizon.days=3")


def test_table_pairs_each_strategy_with_the_baseline() -> None:
    baseline = load_scenario(BASELINE, SHORT)
    lockers = load_scenario(ROOT / "scenarios" / "examples" / "last_mile" / "lockers.toml", SHORT)
    table = compare_strategies(baseline, [baseline.model_copy(update={"name": "same_again"}), lockers],
                               replications=2, seed=5, jobs=1, progress=False)
    assert list(table["scenario"].unique()) == ["baseline", "same_again", "lockers"]
    assert len(table) == 3 * len(COLUMNS)
    same = table[table["scenario"] == "same_again"]
    # The same scenario under the same seeds: every paired difference is exactly zero.
    assert (same["diff"] == 0).all() and not same["significant"].any()
    lockers_cost = table[(table["scenario"] == "lockers") & (table["kpi"] == "cost_per_parcel.last_mile")].iloc[0]
    assert lockers_cost["diff"] < 0
    text = format_markdown(table)
    assert text.count("\n") == 4 and "| lockers |" in text and "±" in text
