"""The experiment figures of sim.plotting, each drawn from a tiny hand-made table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.plotting import plot_paired, plot_risk, plot_sweep, write_sweep_figures
from sim.plotting.sweep import short_path
from tests.plotting.axes_probe import as_floats as _data
from tests.plotting.axes_probe import heights as _heights
from tests.plotting.axes_probe import legend_texts as _legend_texts
from tests.plotting.axes_probe import new_axes as _axes


def _aggregate(factors: dict[str, list[object]], means: list[float]) -> pd.DataFrame:
    n = len(means)
    return pd.DataFrame({"point": range(n), **factors, "kpi": ["cost"] * n, "n": [3] * n, "mean": means,
                         "std": [0.1] * n, "half_width": [0.5] * n, "ci_low": [m - 0.5 for m in means],
                         "ci_high": [m + 0.5 for m in means]})


def test_sweep_draws_the_mean_against_the_factor_with_a_band() -> None:
    aggregate = _aggregate({"fleet": [3, 1, 2]}, [30.0, 10.0, 20.0])
    ax = plot_sweep(aggregate, "cost", "fleet", ax=_axes())
    (line,) = ax.get_lines()
    assert _data(line.get_xdata()) == [1.0, 2.0, 3.0]
    assert _data(line.get_ydata()) == [10.0, 20.0, 30.0]
    assert len(ax.collections) == 1  # the CI band
    assert ax.get_title() == "cost (mean, 95 % CI)"


def test_sweep_draws_a_line_per_value_of_the_other_factor() -> None:
    aggregate = _aggregate({"fleet": [1, 2, 1, 2], "absence": [0.1, 0.1, 0.3, 0.3]}, [1.0, 2.0, 3.0, 4.0])
    ax = plot_sweep(aggregate, "cost", "fleet", ax=_axes())
    assert [_data(line.get_ydata()) for line in ax.get_lines()] == [[1.0, 2.0], [3.0, 4.0]]
    assert _legend_texts(ax) == ["absence=0.1", "absence=0.3"]


def test_sweep_places_text_factors_at_their_rank() -> None:
    aggregate = _aggregate({"policy": ["sQ", "RS"]}, [5.0, 6.0])
    ax = plot_sweep(aggregate, "cost", "policy", ax=_axes())
    assert _data(ax.get_lines()[0].get_xdata()) == [0.0, 1.0]


def test_long_factor_paths_keep_their_last_segments() -> None:
    assert short_path("a.b") == "a.b"
    assert short_path("regional_warehouses.metro.area.absence_probability") == "…metro.area.absence_probability"


def test_sweep_figures_write_one_png_per_known_kpi(tmp_path) -> None:
    aggregate = _aggregate({"fleet": [1, 2]}, [1.0, 2.0])
    written, unknown = write_sweep_figures(aggregate, ["fleet"], ["cost", "nope"], tmp_path / "plots")
    assert written == [tmp_path / "plots" / "cost.png"]
    assert written[0].read_bytes().startswith(b"\x89PNG")
    assert unknown == ["nope"]


def test_paired_joins_each_replication_and_titles_the_intervals() -> None:
    runs = pd.DataFrame({"replication": [0, 0, 1, 1, 2, 2], "variant": ["a", "b"] * 3,
                         "status": ["ok", "ok", "ok", "ok", "failed", "ok"], "cost": [1.0, 2.0, 3.0, 5.0, 9.0, 9.0]})
    table = pd.DataFrame({"kpi": ["cost"], "diff": [1.5], "half_width": [0.25], "welch_half_width": [2.0]})
    ax = plot_paired(runs[runs["replication"] < 2], table, "cost", ("base", "what if"), ax=_axes())
    assert [_data(line.get_ydata()) for line in ax.get_lines()] == [[1.0, 2.0], [3.0, 5.0]]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A: base", "B: what if"]
    assert ax.get_title() == "B - A = 1.5 ± 0.25 (paired), ± 2 (unpaired)"


def test_risk_histogram_counts_every_finite_run_and_marks_reference_and_quantile() -> None:
    disrupted = pd.DataFrame({"cost": [1.0, 2.0, 2.5, 3.0, np.nan, 4.0]})
    table = pd.DataFrame({"kpi": ["cost"], "title": ["total cost per parcel"], "reference_mean": [1.5],
                          "worst_5pct": [3.8]})
    ax = plot_risk(disrupted, table, "cost", "outage", ax=_axes())
    assert sum(_heights(ax)) == 5
    assert [_data(line.get_xdata())[0] for line in ax.get_lines()] == pytest.approx([1.5, 3.8])
    assert ax.get_title() == "outage: 5 replications"
    assert ax.get_xlabel() == "total cost per parcel (money)"  # the unit from the KPI name
