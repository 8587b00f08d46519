"""The run figures of sim.plotting, each drawn from a tiny hand-made table onto a given Axes."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from sim.ledger import PARCEL_STAGES
from sim.plotting import (
    plot_cost_per_parcel,
    plot_daily_service,
    plot_last_mile_components,
    plot_lead_time,
    plot_outcomes,
)
from sim.plotting.colours import DISRUPTION_COLOURS, LEG_COLOURS
from sim.records import FINAL_STATES
from tests.plotting.axes_probe import as_floats as _data
from tests.plotting.axes_probe import bars as _bars
from tests.plotting.axes_probe import heights as _heights
from tests.plotting.axes_probe import legend_texts as _legend_texts
from tests.plotting.axes_probe import new_axes as _axes


def test_cost_per_parcel_draws_one_bar_per_stage_coloured_by_leg() -> None:
    values = {stage: float(i + 1) for i, stage in enumerate(PARCEL_STAGES)}
    ax = _axes()
    assert plot_cost_per_parcel({"cost_per_parcel": values, "last_mile_share": 0.25}, ax=ax, currency="EUR") is ax
    assert _heights(ax) == list(values.values())
    assert [t.get_text() for t in ax.get_xticklabels()] == [s.replace("_", " ") for s in PARCEL_STAGES]
    assert [to_hex(p.get_facecolor()) for p in ax.patches] == [LEG_COLOURS[leg].lower()
                                                               for leg in PARCEL_STAGES.values()]
    assert "last mile 25%" in ax.get_title()
    assert ax.get_ylabel() == "cost per parcel (EUR)"


def test_last_mile_components_shows_only_last_mile_rows_smallest_first() -> None:
    table = pd.DataFrame({"leg": ["upstream", "last_mile", "last_mile"],
                          "component": ["ltl_freight", "driver_time", "vehicle_distance"],
                          "per_parcel": [9.0, 2.0, 0.5]})
    ax = plot_last_mile_components(table, ax=_axes())
    assert [bar.get_width() for bar in _bars(ax)] == [0.5, 2.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["vehicle distance", "driver time"]
    assert ax.get_xlabel() == "cost per parcel"


def test_outcomes_counts_window_parcels_by_final_state_and_delivery_place() -> None:
    parcels = pd.DataFrame({
        "in_window": [True, True, True, True, True, False],
        "state": ["delivered", "delivered", "delivered", "returned", "lost_sale", "delivered"],
        "delivered_via": ["home", "carrier", "pickup_point", "", "", "home"],
    })
    ax = plot_outcomes(parcels, ax=_axes())
    widths = [patch.get_width() for patch in ax.patches][::-1]  # horizontal bars, the first state on top
    expected = {"at_pickup_point": 0, "returned": 1, "in_system": 0, "lost_sale": 1}
    assert widths == [2, 1, *(expected[s] for s in FINAL_STATES[1:])]
    assert ax.get_yticklabels()[-1].get_text() == "delivered at home"


def test_lead_time_bins_delivered_window_parcels_and_marks_the_mean() -> None:
    parcels = pd.DataFrame({"in_window": [True, True, True, False], "state": ["delivered"] * 3 + ["delivered"],
                            "lead_time_h": [3.0, 9.0, 30.0, 100.0]})
    ax = plot_lead_time(parcels, ax=_axes())
    assert _heights(ax) == [1, 1, 0, 0, 1]  # 6-hour bins 0 .. 30 h
    mean_line = ax.get_lines()[0]
    assert _data(mean_line.get_xdata())[0] == pytest.approx(14.0)
    assert ax.get_legend() is not None


def test_lead_time_with_nothing_delivered_draws_empty_axes() -> None:
    parcels = pd.DataFrame({"in_window": [True], "state": ["returned"], "lead_time_h": [float("nan")]})
    ax = plot_lead_time(parcels, ax=_axes())
    assert not ax.patches and not ax.get_lines()


def test_daily_service_plots_rates_in_percent_and_shades_disruptions() -> None:
    daily = pd.DataFrame({"day": [0, 1, 2], "fill_rate": [1.0, 0.5, 0.75], "on_time_rate": [0.9, 0.4, 0.8]})
    disruptions = pd.DataFrame({"kind": ["factory_outage"], "target": ["plant"], "start_h": [24.0], "end_h": [36.0],
                                "recovered_h": [48.0]})
    ax = plot_daily_service(daily, (24.0, 72.0), disruptions, ax=_axes())
    fill, on_time = ax.get_lines()[:2]
    assert _data(fill.get_xdata()) == [0.5, 1.5, 2.5]
    assert _data(fill.get_ydata()) == [100.0, 50.0, 75.0]
    assert _data(on_time.get_ydata()) == pytest.approx([90.0, 40.0, 80.0])
    spans = ax.patches
    assert len(spans) == 2  # the event and its recovery
    assert to_hex(spans[0].get_facecolor()) == DISRUPTION_COLOURS["factory_outage"].lower()
    assert ax.get_xlim() == (0.0, 3.0)
    assert "factory outage (plant)" in _legend_texts(ax)


def test_daily_service_without_disruptions_shades_nothing() -> None:
    daily = pd.DataFrame({"day": [0], "fill_rate": [1.0], "on_time_rate": [1.0]})
    ax = plot_daily_service(daily, (0.0, 24.0), None, ax=_axes())
    assert not ax.patches


def test_without_axes_a_new_pyplot_figure_is_made() -> None:
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    parcels = pd.DataFrame({"in_window": [True], "state": ["delivered"], "delivered_via": ["home"]})
    ax = plot_outcomes(parcels)
    figure = ax.get_figure()
    assert isinstance(figure, Figure)
    try:
        assert figure in [plt.figure(n) for n in plt.get_fignums()]
    finally:
        plt.close(figure)


def test_every_leg_and_disruption_kind_has_its_colour() -> None:
    from typing import get_args

    from sim.ledger import Leg
    from sim.scenario.disruptions import DISRUPTION_KINDS

    assert set(LEG_COLOURS) == set(get_args(Leg))
    assert set(DISRUPTION_COLOURS) == set(DISRUPTION_KINDS)
