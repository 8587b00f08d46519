"""Customer orders: one day of an area's orders drawn at once with vectorised numpy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.geography import AreaGeometry
from sim.model.products import ProductTable
from sim.scenario.schema import Area, Demand

# Spread of a parcel's volume around its class mean (lognormal sigma); an assumption.
VOLUME_SIGMA = 0.3


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
    """Poisson orders per day, shaped by weekday and hour, located uniformly over the area."""

    def __init__(self, area: Area, demand: Demand, products: ProductTable, geometry: AreaGeometry) -> None:
        weekday = np.asarray(demand.weekday_factors, dtype=float)
        # The area's rate is the weekly mean: the weekday factors only shape it.
        self.daily_mean = area.expected_orders_per_day * weekday / weekday.mean()
        hourly = np.asarray(demand.hourly_profile, dtype=float)
        self.hour_p = hourly / hourly.sum()
        self.products = products
        self.geometry = geometry

    def draw_day(self, rng: np.random.Generator, day: int, weekday: int) -> DayOrders:
        """Orders placed during simulation day ``day``."""
        n = int(rng.poisson(self.daily_mean[weekday]))
        hours = rng.choice(24, size=n, p=self.hour_p) + rng.random(n)
        order = np.argsort(hours, kind="stable")
        time_h = day * 24.0 + hours[order]
        xy = self.geometry.sample_points(rng, n)
        product = rng.choice(len(self.products), size=n, p=self.products.share)
        # One size factor scales both volume and weight: a bigger box of a class is also heavier.
        size = np.exp(VOLUME_SIGMA * rng.standard_normal(n) - 0.5 * VOLUME_SIGMA**2)
        volume = self.products.volume_m3[product] * size
        weight = self.products.weight_kg[product] * size
        key = rng.integers(0, np.iinfo(np.uint64).max, size=n, dtype=np.uint64, endpoint=True)
        return DayOrders(time_h, xy[:, 0], xy[:, 1], product.astype(np.int16), volume, weight, key)
