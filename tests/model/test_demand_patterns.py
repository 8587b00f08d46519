"""Demand patterns: yearly seasonality, a growth trend and promotion windows.

Each pattern only multiplies the Poisson mean of a day. The unit tests drive
``DemandModel`` directly with many draws of one day and compare the mean count
with the multiplied mean; the last tests run the whole model.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from sim import Scenario, load_scenario
from sim.errors import ScenarioError
from sim.model.demand import DemandModel
from sim.model.geography import AreaGeometry
from sim.model.products import ProductTable
from sim.scenario.schema import Demand
from tests.conftest import BASELINE, ROOT, short_run, units_located

# Draws per (seed, day) when estimating a mean count; the tolerance is this many standard errors.
REPEATS = 300
Z = 4.5

# The short baseline (tests/conftest.py SHORT) with seed 1 before the demand patterns
# existed: a run with the patterns off must reproduce these exactly. The costs are those of the
# upstream unit costs sourced in issue 12 (ATRI line items, 3PL receiving); with the former values
# (linehaul 0.56/km and 33.96/h, receiving 0.25 a unit) the same run gives the former pins,
# 193093.8269232536 and 0.4281808800962813, exactly: the orders and operations did not change.
SHORT_BEFORE = {"ordered": 20610, "total_cost": 188720.18264348042, "last_mile_share": 0.43810409461795846}


def _model(demand_changes: dict[str, Any] | None = None, area_index: int = 0) -> DemandModel:
    """A DemandModel for one of the baseline's areas, with ``demand_changes`` applied to its demand table."""
    scenario = load_scenario(BASELINE)
    area = scenario.regional_warehouses[area_index].area
    demand = Demand.model_validate({**scenario.demand.model_dump(), **(demand_changes or {})})
    geometry = AreaGeometry(area, np.random.default_rng(0))
    return DemandModel(area, demand, ProductTable.from_scenario(scenario), geometry)


def _counts(model: DemandModel, day: int, seed: int, weekday: int | None = None) -> np.ndarray:
    """Order counts of ``REPEATS`` independent draws of simulation day ``day`` (day 0 is a Monday)."""
    rng = np.random.default_rng(seed)
    weekday = day % 7 if weekday is None else weekday
    return np.array([len(model.draw_day(rng, day, weekday).time_h) for _ in range(REPEATS)])


def _assert_mean_matches(counts: np.ndarray, expected: float) -> None:
    """A Poisson mean estimated from ``counts`` lies within Z standard errors of ``expected``."""
    se = math.sqrt(expected / len(counts))
    assert abs(counts.mean() - expected) < Z * se, (counts.mean(), expected, se)


# --- the mean of a day ---------------------------------------------------------


def test_defaults_are_neutral() -> None:
    model = _model()
    base = load_scenario(BASELINE).regional_warehouses[0].area.expected_orders_per_day
    weekday = np.array(Demand().weekday_factors)
    for day in (0, 3, 40, 400):
        assert model.day_factor(day) == 1.0
        assert model.mean_orders(day, day % 7) == base * weekday[day % 7] / weekday.mean()


def _reference_draw_day(model: DemandModel, rng: np.random.Generator, day: int, weekday: int) -> tuple:
    """The draws of one day as the model made them before demand patterns existed (an independent
    restatement of that code, so a change in the order or number of draws is caught)."""
    n = int(rng.poisson(model.daily_mean[weekday]))
    hours = rng.choice(24, size=n, p=model.hour_p) + rng.random(n)
    time_h = day * 24.0 + np.sort(hours, kind="stable")
    xy = model.geometry.sample_points(rng, n)
    product = rng.choice(len(model.products), size=n, p=model.products.share)
    size = np.exp(0.3 * rng.standard_normal(n) - 0.5 * 0.3**2)
    key = rng.integers(0, np.iinfo(np.uint64).max, size=n, dtype=np.uint64, endpoint=True)
    return time_h, xy[:, 0], xy[:, 1], product, model.products.volume_m3[product] * size, key


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_defaults_draw_exactly_as_before(seed: int) -> None:
    model = _model()
    new_rng, old_rng = np.random.default_rng(seed), np.random.default_rng(seed)
    for day in range(9):
        orders = model.draw_day(new_rng, day, day % 7)
        time_h, x_km, y_km, product, volume, key = _reference_draw_day(model, old_rng, day, day % 7)
        np.testing.assert_array_equal(orders.time_h, time_h)
        np.testing.assert_array_equal(orders.x_km, x_km)
        np.testing.assert_array_equal(orders.y_km, y_km)
        np.testing.assert_array_equal(orders.product, product)
        np.testing.assert_array_equal(orders.volume_m3, volume)
        np.testing.assert_array_equal(orders.key, key)
    # The streams end in the same state, so whatever is drawn next is unchanged too.
    assert new_rng.random() == old_rng.random()


@pytest.mark.parametrize(("seed", "day"), [(1, 2), (2, 9), (3, 16)])
def test_promotion_mean_matches_factor(seed: int, day: int) -> None:
    model = _model({"promotions": [{"start_day": 7, "days": 10, "factor": 1.8}]})
    plain = _model()
    factor = 1.8 if 7 <= day < 17 else 1.0
    _assert_mean_matches(_counts(model, day, seed), plain.mean_orders(day, day % 7) * factor)


def test_promotion_day_has_factor_times_the_orders_of_the_same_weekday_outside() -> None:
    factor = 1.8
    model = _model({"promotions": [{"start_day": 14, "days": 3, "factor": factor}]})
    for seed, day in ((4, 14), (5, 15), (6, 16)):
        inside = _counts(model, day, seed)
        outside = _counts(model, day - 7, seed + 100)  # same weekday, the week before
        ratio = inside.mean() / outside.mean()
        # Delta-method standard error of a ratio of two independent Poisson means.
        se = ratio * math.sqrt(1 / inside.sum() + 1 / outside.sum())
        assert abs(ratio - factor) < Z * se, (ratio, se)
    # The window is half-open: its last day + 1 is back to normal.
    assert model.day_factor(17) == 1.0 and model.day_factor(13) == 1.0


def test_overlapping_promotions_multiply() -> None:
    model = _model({"promotions": [{"start_day": 5, "days": 4, "factor": 1.5},
                                   {"start_day": 7, "days": 4, "factor": 2.0}]})
    assert [model.day_factor(d) for d in range(4, 12)] == [1.0, 1.5, 1.5, 3.0, 3.0, 2.0, 2.0, 1.0]


def test_trend_compounds_daily() -> None:
    growth = 0.1
    model = _model({"trend_per_year": growth})
    plain = _model()
    assert model.day_factor(0) == 1.0
    assert model.day_factor(365) == pytest.approx(1 + growth, rel=1e-12)
    assert model.day_factor(730) == pytest.approx((1 + growth) ** 2, rel=1e-12)
    assert model.day_factor(1) == pytest.approx((1 + growth) ** (1 / 365), rel=1e-12)
    # Drawn days: 0 and 2 years later (728 days, both Mondays) and one in between.
    for seed, day in ((1, 0), (2, 182), (3, 728)):
        expected = plain.mean_orders(day, day % 7) * (1 + growth) ** (day / 365)
        _assert_mean_matches(_counts(model, day, seed), expected)
    declining = _model({"trend_per_year": -0.2})
    assert declining.day_factor(365) == pytest.approx(0.8, rel=1e-12)


MONTHLY = [0.8, 0.8, 0.9, 0.95, 1.0, 1.0, 0.9, 0.9, 1.0, 1.05, 1.3, 1.5]
MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def test_seasonality_is_normalised_over_the_year_and_follows_the_calendar() -> None:
    model = _model({"seasonality": {"monthly_factors": MONTHLY, "start_day_of_year": 305}})  # 1 November
    factors = np.array([model.day_factor(d) for d in range(365)])
    assert factors.mean() == pytest.approx(1.0, rel=1e-12)
    day_weighted = np.dot(MONTHLY, MONTH_DAYS) / 365
    # Day 0 is 1 November, day 30 is 1 December, day 61 is 1 January: a step at each month.
    assert model.day_factor(0) == pytest.approx(1.3 / day_weighted)
    assert model.day_factor(29) == pytest.approx(1.3 / day_weighted)
    assert model.day_factor(30) == pytest.approx(1.5 / day_weighted)
    assert model.day_factor(61) == pytest.approx(0.8 / day_weighted)
    assert model.day_factor(365) == model.day_factor(0)  # the profile repeats each year


@pytest.mark.parametrize(("seed", "day"), [(1, 3), (2, 35), (3, 70)])
def test_seasonal_mean_matches(seed: int, day: int) -> None:
    model = _model({"seasonality": {"monthly_factors": MONTHLY, "start_day_of_year": 305}}, area_index=1)
    plain = _model(area_index=1)
    _assert_mean_matches(_counts(model, day, seed), plain.mean_orders(day, day % 7) * model.day_factor(day))


def test_patterns_combine_multiplicatively() -> None:
    changes = {
        "seasonality": {"monthly_factors": MONTHLY, "start_day_of_year": 100},
        "trend_per_year": 0.05,
        "promotions": [{"start_day": 20, "days": 2, "factor": 1.4}],
    }
    combined = _model(changes)
    season = _model({"seasonality": changes["seasonality"]})
    trend = _model({"trend_per_year": 0.05})
    promo = _model({"promotions": changes["promotions"]})
    for day in (0, 20, 21, 50, 300):
        assert combined.day_factor(day) == pytest.approx(
            season.day_factor(day) * trend.day_factor(day) * promo.day_factor(day), rel=1e-12)


# --- validation ----------------------------------------------------------------


@pytest.mark.parametrize(("override", "message"), [
    ("demand.seasonality={monthly_factors=[1, 2]}", "monthly_factors needs 12 values"),
    ("demand.seasonality={monthly_factors=[0,0,0,0,0,0,0,0,0,0,0,0]}", "monthly_factors must have"),
    ("demand.seasonality={monthly_factors=[1,1,1,1,1,1,1,1,1,1,1,1], start_day_of_year=0}",
     "demand.seasonality.start_day_of_year"),
    ("demand.trend_per_year=-1", "demand.trend_per_year"),
    ("demand.promotions=[{start_day=-1, days=3, factor=1.5}]", "demand.promotions[0].start_day"),
    ("demand.promotions=[{start_day=2, days=0, factor=1.5}]", "demand.promotions[0].days"),
    ("demand.promotions=[{start_day=2, days=3, factor=0}]", "demand.promotions[0].factor"),
    ("demand.promotions=[{start_day=2, days=3}]", "demand.promotions[0].factor"),
])
def test_bad_patterns_are_rejected_naming_the_key(override: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_scenario(BASELINE, [override])


@pytest.mark.parametrize("name", ["demand_november_peak.toml", "demand_seasonal_trend.toml"])
def test_examples_load(name: str) -> None:
    scenario: Scenario = load_scenario(ROOT / "scenarios" / "examples" / "upstream" / name)
    demand = scenario.demand
    assert demand.promotions or demand.seasonality is not None
    last_day = scenario.horizon.warmup_days + scenario.horizon.days
    for promotion in demand.promotions:  # the examples' peaks lie inside the simulated days
        assert promotion.start_day + promotion.days <= last_day


# --- the whole model -------------------------------------------------------------


def test_defaults_reproduce_the_short_baseline() -> None:
    summary = short_run().summary
    assert summary["parcels"]["ordered"] == SHORT_BEFORE["ordered"]
    assert summary["total_cost"] == SHORT_BEFORE["total_cost"]
    assert summary["last_mile_share"] == SHORT_BEFORE["last_mile_share"]


@pytest.mark.slow
def test_promotion_in_full_model_raises_orders_in_its_window_only() -> None:
    start, days, factor = 8, 4, 1.8
    promo = short_run(f"demand.promotions=[{{start_day={start}, days={days}, factor={factor}}}]")
    plain = short_run()
    window = (start * 24.0, (start + days) * 24.0)

    def by_area(parcels: Any, lo: float, hi: float) -> Any:
        inside = parcels[(parcels["order_time_h"] >= lo) & (parcels["order_time_h"] < hi)]
        return inside.groupby("regional").size()

    before_promo, before_plain = by_area(promo.parcels, 0, window[0]), by_area(plain.parcels, 0, window[0])
    # Same seed, same streams: every order before the window is drawn exactly as without the promotion.
    assert before_promo.equals(before_plain)
    in_promo = int(by_area(promo.parcels, *window).sum())
    in_plain = int(by_area(plain.parcels, *window).sum())
    ratio = in_promo / in_plain
    assert abs(ratio - factor) < Z * ratio * math.sqrt(1 / in_promo + 1 / in_plain), ratio
    assert promo.summary["parcels"]["ordered"] > plain.summary["parcels"]["ordered"]
    balance = {k: np.asarray(v) for k, v in promo.unit_balance.items()}
    np.testing.assert_array_equal(balance["initial"] + balance["produced"], units_located(balance))
