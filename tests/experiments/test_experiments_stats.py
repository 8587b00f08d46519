"""Confidence intervals and designs of the experiment layer, on synthetic data with known answers."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest
from scipy import stats

from sim.experiments.design import Factor, Range, grid_points, lhs_points, range_values
from sim.experiments.spec import toml_literal
from sim.experiments.stats import paired_interval, t_interval, welch_interval

TRIALS = 2000
SIZE = 10


def _coverage(samples: np.ndarray, true_mean: float) -> float:
    return float(np.mean([t_interval(sample).covers(true_mean) for sample in samples]))


def test_t_interval_covers_the_true_mean_95_percent_of_the_time_for_normal_data() -> None:
    rng = np.random.default_rng(20240601)
    coverage = _coverage(rng.normal(10.0, 3.0, size=(TRIALS, SIZE)), 10.0)
    # The t interval is exact for normal data: 0.95 within 3 standard errors of a proportion.
    tolerance = 3 * math.sqrt(0.95 * 0.05 / TRIALS)
    assert abs(coverage - 0.95) < tolerance, coverage


def test_t_interval_on_skewed_data_is_roughly_95_percent() -> None:
    rng = np.random.default_rng(7)
    coverage = _coverage(rng.exponential(2.0, size=(TRIALS, SIZE)), 2.0)
    # For exponential samples of 10 the t interval is known to under-cover a
    # little (about 0.90-0.92): roughly right, never wildly off.
    assert 0.87 < coverage < 0.96, coverage


def test_t_interval_matches_the_textbook_formula() -> None:
    values = [1.0, 2.0, 4.0, 7.0]
    interval = t_interval(values)
    expected = stats.t.ppf(0.975, 3) * np.std(values, ddof=1) / 2
    assert interval.n == 4 and interval.mean == pytest.approx(3.5)
    assert interval.half_width == pytest.approx(expected)
    assert interval.low == pytest.approx(3.5 - expected) and interval.high == pytest.approx(3.5 + expected)


def test_undefined_values_are_left_out_and_one_value_has_no_interval() -> None:
    assert t_interval([1.0, math.nan, 3.0]).n == 2
    single = t_interval([5.0])
    assert single.mean == 5.0 and math.isnan(single.half_width)
    assert t_interval([]).n == 0


def test_paired_and_welch_agree_with_scipy() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(5, 1, 12)
    b = a + rng.normal(0.5, 0.2, 12)
    paired = paired_interval(a, b)
    low, high = stats.ttest_rel(b, a).confidence_interval(0.95)
    assert (paired.low, paired.high) == pytest.approx((low, high))
    welch = welch_interval(a, b)
    low, high = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert (welch.low, welch.high) == pytest.approx((low, high))
    # Correlated pairs: the paired interval is much narrower than the unpaired one.
    assert paired.half_width < welch.half_width / 2


def test_ranges_expand_to_the_values_meant() -> None:
    assert range_values(Range(0.05, 0.3, step=0.05)) == [0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
    assert range_values(Range(9, 13, step=2)) == [9, 11, 13]
    assert range_values(Range(2, 6, num=3)) == [2, 4, 6]
    assert range_values(Range(0, 1, num=5)) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert range_values(Range(3, 5)) == [3, 4, 5]
    for empty in (Range(1.0, 0.5, step=0.1), Range(0, 1, num=0), Range(0.0, 1.0, step=0.0)):
        with pytest.raises(ValueError, match="empty range"):
            range_values(empty)


def test_grid_crosses_every_value_first_factor_slowest() -> None:
    points = grid_points({"a": [1, 2], "b": Range(0.0, 1.0, num=3)})
    assert points == [{"a": 1, "b": 0.0}, {"a": 1, "b": 0.5}, {"a": 1, "b": 1.0},
                      {"a": 2, "b": 0.0}, {"a": 2, "b": 0.5}, {"a": 2, "b": 1.0}]


def test_latin_hypercube_is_stratified_and_reproducible() -> None:
    factors: dict[str, Factor] = {"x": Range(0.0, 10.0), "k": Range(1, 8), "p": ["lo", "hi"]}
    points = lhs_points(factors, 8, seed=11)
    assert points == lhs_points(factors, 8, seed=11)
    assert points != lhs_points(factors, 8, seed=12)
    # One point in each eighth of the continuous range, and each integer exactly once.
    assert sorted(int(p["x"] // 1.25) for p in points) == list(range(8))
    assert sorted(p["k"] for p in points) == list(range(1, 9))
    assert sorted(p["p"] for p in points) == ["hi"] * 4 + ["lo"] * 4


@pytest.mark.parametrize("value", [0.1, 3, True, "return", [0, 1, 2], {"policy": "sS", "days": 3.5}, 1e-12])
def test_toml_literal_round_trips(value: object) -> None:
    assert tomllib.loads(f"v = {toml_literal(value)}")["v"] == value
