"""The strategy comparison table: paired differences from the baseline under common random numbers."""

from __future__ import annotations

from concurrent.futures import Executor

import pandas as pd
import pytest

from sim import Scenario, load_scenario
from sim.experiments import executors
from sim.strategies import COLUMNS, compare_strategies, format_markdown
from tests.conftest import BASELINE, ROOT

SHORT = ("horizon.warmup_days=2", "horizon.days=3")


@pytest.fixture(scope="module")
def scenarios() -> tuple[Scenario, list[Scenario]]:
    """The short baseline, and as strategies the baseline again under another name and the lockers."""
    baseline = load_scenario(BASELINE, SHORT)
    lockers = load_scenario(ROOT / "scenarios" / "examples" / "last_mile" / "lockers.toml", SHORT)
    return baseline, [baseline.model_copy(update={"name": "same_again"}), lockers]


@pytest.fixture(scope="module")
def serial_table(scenarios: tuple[Scenario, list[Scenario]]) -> pd.DataFrame:
    """The table of two replications of seed 5, every run in this process."""
    baseline, strategies = scenarios
    return compare_strategies(baseline, strategies, replications=2, seed=5, jobs=1, progress=False)


def test_table_pairs_each_strategy_with_the_baseline(serial_table: pd.DataFrame) -> None:
    table = serial_table
    assert list(table["scenario"].unique()) == ["baseline", "same_again", "lockers"]
    assert len(table) == 3 * len(COLUMNS)
    same = table[table["scenario"] == "same_again"]
    # The same scenario under the same seeds: every paired difference is exactly zero.
    assert (same["diff"] == 0).all() and not same["significant"].any()
    lockers_cost = table[(table["scenario"] == "lockers") & (table["kpi"] == "cost_per_parcel.last_mile")].iloc[0]
    assert lockers_cost["diff"] < 0
    text = format_markdown(table)
    assert text.count("\n") == 4 and "| lockers |" in text and "±" in text


def test_two_workers_give_the_same_table_as_one_from_a_single_pool(scenarios: tuple[Scenario, list[Scenario]],
                                                                   serial_table: pd.DataFrame,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[int] = []
    real_pool = executors.new_pool

    def counted_pool(jobs: int) -> Executor:
        made.append(jobs)
        return real_pool(jobs)

    monkeypatch.setattr(executors, "new_pool", counted_pool)
    baseline, strategies = scenarios
    pooled = compare_strategies(baseline, strategies, replications=2, seed=5, jobs=2, progress=False)
    assert made == [2]  # one pool for the three scenarios' six runs
    pd.testing.assert_frame_equal(pooled, serial_table)
