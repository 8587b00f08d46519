"""RunResult: a frozen record of a run, whose derived tables are new frames."""

from __future__ import annotations

import dataclasses

import pytest
from matplotlib.figure import Figure

from sim import RunResult, load_scenario, run
from tests.conftest import BASELINE


@pytest.fixture(scope="module")
def result() -> RunResult:
    return run(load_scenario(BASELINE, ["horizon.warmup_days=1", "horizon.days=2"]), seed=1)


def test_fields_cannot_be_reassigned(result: RunResult) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.seed = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.parcels = result.parcels.head()  # type: ignore[misc]


def test_results_compare_by_identity(result: RunResult) -> None:
    assert result == result
    assert result != dataclasses.replace(result)


def test_cost_table_is_a_new_frame_each_time(result: RunResult) -> None:
    first = result.cost_table()
    first["amount"] = 0.0
    assert result.cost_table()["amount"].sum() == pytest.approx(result.summary["total_cost"])


def test_plot_conveniences_draw_on_the_given_axes(result: RunResult) -> None:
    for method in (result.plot_cost_per_parcel, result.plot_last_mile_components, result.plot_outcomes,
                   result.plot_lead_time, result.plot_daily_service):
        ax = Figure().subplots()
        assert method(ax=ax) is ax
        assert ax.has_data()
