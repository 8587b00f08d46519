"""Count KPIs over replications get a Poisson interval: never below zero, and it covers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiments.stats import summarize_columns, t_interval
from sim.metrics.counts import COUNT_KEYS, count_intervals, is_count_kpi, poisson_mean_interval
from sim.plotting.units import kpi_unit


def test_a_small_count_has_no_negative_bound() -> None:
    values = [0, 3, 1, 0, 1]  # parcels at a pickup point in five replications
    assert t_interval(values).low < 0  # what Student t gave
    low, high = poisson_mean_interval(values)
    assert 0 < low < 1.0 < high
    frame = pd.DataFrame({"parcels.at_pickup_point": values, "last_mile_share": [0.41, 0.40, 0.42, 0.41, 0.43]})
    table = summarize_columns(frame, frame.columns).set_index("kpi")
    count = table.loc["parcels.at_pickup_point"]
    assert count["ci_low"] == pytest.approx(low) and count["ci_high"] == pytest.approx(high)
    assert count["half_width"] == pytest.approx((high - low) / 2) and count["mean"] == 1.0
    share = table.loc["last_mile_share"]  # not a count: Student t as before
    assert share["ci_low"] == pytest.approx(t_interval(frame["last_mile_share"]).low)


def test_all_zero_counts_give_the_exact_upper_bound() -> None:
    # No event in n replications: the exact 95 % upper bound of the mean is chi2(0.975, 2) / 2 / n = 3.689 / n.
    assert poisson_mean_interval([0] * 5) == pytest.approx((0.0, 3.6889 / 5), abs=1e-4)


@pytest.mark.parametrize("mean", [0.5, 3.0, 40.0])
def test_poisson_counts_are_covered(mean: float) -> None:
    rng = np.random.default_rng(7)
    samples = rng.poisson(mean, (2000, 5))
    covered = [lo <= mean <= hi for lo, hi in map(poisson_mean_interval, samples)]
    assert 0.95 <= np.mean(covered) <= 0.995  # exact intervals are conservative, not wildly so


def test_overdispersed_counts_are_widened_to_cover() -> None:
    rng = np.random.default_rng(8)
    mean, size = 20.0, 2.0  # negative binomial: variance = mean + mean^2 / size = 220
    samples = rng.negative_binomial(size, size / (size + mean), (2000, 10))
    covered = [lo <= mean <= hi for lo, hi in map(poisson_mean_interval, samples)]
    assert np.mean(covered) >= 0.92


def test_what_counts_as_a_count() -> None:
    assert is_count_kpi("parcels.in_system", [3, 0, 12])
    assert not is_count_kpi("parcels.in_system", [3.5, 1])  # not whole: a mean of something
    assert not is_count_kpi("routes.mean_stops", [100, 101])
    assert not is_count_kpi("last_mile_share", [0, 1])
    # The same words the plots draw with integer ticks.
    assert all(kpi_unit(f"x.{key}") == "count" for key in COUNT_KEYS)


def test_count_intervals_leave_other_rows_alone() -> None:
    summary = pd.DataFrame({"kpi": ["a"], "n": [2], "mean": [1.0], "std": [0.1], "half_width": [0.5],
                            "ci_low": [0.5], "ci_high": [1.5]})
    assert count_intervals(summary, pd.DataFrame({"a": [1.0, 1.0]})).equals(summary)
