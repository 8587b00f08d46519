"""Customer orders: one day of an area's orders drawn at once with vectorised numpy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.model.geography import AreaGeometry
from sim.model.products import ProductTable
from sim.scenario.schema import Area, Demand

# Spread of a parcel's volume around its class mean (lognormal sigma); an assumption.
VOLUME_SIGMA = 0.3

DAYS_PER_YEAR = 365
# Calendar month (0 = January) of each day of a non-leap year: seasonality ignores leap days.
_MONTH_OF_DAY = np.repeat(np.arange(12), [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


@dataclass(frozen=True)
class DayOrders:
    """The orders of one area for one day, sorted by time."""

    time_h: np.ndarray
    x_km: np.ndarray
    y_km: np.ndarray
    product: np.ndarray
    volume_m3: np.ndarray
    weight_kg: np.ndarray
    key: np.ndarray


class DemandModel:
    """Poisson orders per day, shaped by weekday and hour, located uniformly over the area.

    Located as the area's geometry places customers (its demand points or zones, else uniformly);
    a ``fitted_demand`` of the area gives its own weekday means, hourly shape and zone shares.

    The mean of a day is the area's rate times the weekday shape, times the
    optional yearly season, growth trend and promotion factors of that day.
    Those patterns only change the Poisson mean: the number of draws per order
    stays the same, so the rest of the demand stream is consumed as before.
    ``surge(day)``, when given, is one more factor of the day: the demand
    surges of the run's disruptions (``DisruptionSchedule.demand_factor``).
    Every channel that sizes its demand with ``day_factor`` sees it.
    """

    def __init__(
        self, area: Area, demand: Demand, products: ProductTable, geometry: AreaGeometry,
        surge: Callable[[int], float] | None = None,
    ) -> None:
        weekday = np.asarray(demand.weekday_factors, dtype=float)
        # The area's rate is the weekly mean: the weekday factors only shape it.
        self.daily_mean = area.expected_orders_per_day * weekday / weekday.mean()
        hourly = np.asarray(demand.hourly_profile, dtype=float)
        self.hour_p = hourly / hourly.sum()
        self.products = products
        self.geometry = geometry
        self.locate: Callable[[np.random.Generator, int], np.ndarray] = geometry.sample_customers
        fitted = area.fitted_demand
        if fitted is not None:
            # A demand fitted to a history: its own weekday means and hourly shape, and its zones' shares.
            self.daily_mean = np.asarray(fitted.weekday_orders, dtype=float)
            hourly = np.asarray(fitted.hourly_share, dtype=float)
            self.hour_p = hourly / hourly.sum()
            if fitted.zones and geometry.places is not None:
                zones = geometry.places.zone_sampler(fitted.zones, fitted.zone_share)
                self.locate = lambda rng, n: zones.sample(rng, n)[0]
        self.season_by_day_of_year: np.ndarray | None = None
        self.start_day_of_year = 1
        if demand.seasonality is not None:
            monthly = np.asarray(demand.seasonality.monthly_factors, dtype=float)[_MONTH_OF_DAY]
            # Normalised over the days of the year (not the 12 months), so that
            # the area's rate stays the mean over a whole year although months
            # differ in length.
            self.season_by_day_of_year = monthly / monthly.mean()
            self.start_day_of_year = demand.seasonality.start_day_of_year
        self.trend_per_year = demand.trend_per_year
        self.promotions = demand.promotions
        self.surge = surge

    def day_factor(self, day: int) -> float:
        """Product of the season, trend, promotion and surge factors of simulation day ``day`` (1.0 if all off)."""
        factor = 1.0
        if self.season_by_day_of_year is not None:
            factor *= float(self.season_by_day_of_year[(self.start_day_of_year - 1 + day) % DAYS_PER_YEAR])
        if self.trend_per_year != 0.0:
            factor *= (1.0 + self.trend_per_year) ** (day / DAYS_PER_YEAR)
        for promotion in self.promotions:
            if promotion.start_day <= day < promotion.start_day + promotion.days:
                factor *= promotion.factor
        if self.surge is not None:
            factor *= self.surge(day)
        return factor

    def mean_orders(self, day: int, weekday: int) -> float:
        """The Poisson mean of the orders of simulation day ``day`` (which falls on ``weekday``)."""
        return float(self.daily_mean[weekday]) * self.day_factor(day)

    def draw_day(self, rng: np.random.Generator, day: int, weekday: int) -> DayOrders:
        """Orders placed during simulation day ``day``."""
        n = int(rng.poisson(self.mean_orders(day, weekday)))
        hours = rng.choice(24, size=n, p=self.hour_p) + rng.random(n)
        order = np.argsort(hours, kind="stable")
        time_h = day * 24.0 + hours[order]
        xy = self.locate(rng, n)
        product = rng.choice(len(self.products), size=n, p=self.products.share)
        # One size factor scales both volume and weight: a bigger box of a class is also heavier.
        size = np.exp(VOLUME_SIGMA * rng.standard_normal(n) - 0.5 * VOLUME_SIGMA**2)
        volume = self.products.volume_m3[product] * size
        weight = self.products.weight_kg[product] * size
        key = rng.integers(0, np.iinfo(np.uint64).max, size=n, dtype=np.uint64, endpoint=True)
        return DayOrders(time_h, xy[:, 0], xy[:, 1], product.astype(np.int16), volume, weight, key)
