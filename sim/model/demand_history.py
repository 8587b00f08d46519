"""A replayed order history as an area's demand: each past order becomes an order at its time and place.

Day 0 of the run is the history's start date; the orders of simulation day ``d`` are the
history's orders of that calendar day, at their clock times. What the file does not say is
drawn as for generated orders, from the area's demand stream in the same order of draws: a place
inside the order's zone (when it gives a zone and no coordinates), the product by the products'
shares, the size factor, the parcel key. The season, trend, promotion and surge factors do not
apply to the replayed orders (the history is what happened); the area's shops, if any, still see them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from sim.model.demand import VOLUME_SIGMA, DayOrders, DemandModel
from sim.model.geography import AreaGeometry
from sim.model.products import ProductTable
from sim.scenario.schema import RegionalWarehouse, Scenario

HOURS_PER_DAY = 24.0


class HistoryDemand(DemandModel):
    """The orders of one area's rows of a history, replayed day by day."""

    def __init__(self, scenario: Scenario, config: RegionalWarehouse, products: ProductTable,
                 geometry: AreaGeometry, surge: Callable[[int], float] | None = None) -> None:
        # The surge stays in day_factor for the area's shops (their sales are modelled, not replayed).
        super().__init__(config.area, scenario.demand, products, geometry, surge=surge)
        from sim.geo import cache
        from sim.scenario.geo_data import history_start

        assert scenario.history is not None
        path = Path(scenario.history.file)
        history = cache.history(path)
        start = history_start(path, history, scenario.history.start_date)
        single = len(scenario.regional_warehouses) == 1
        mine = (history.area == config.name) | ((history.area == "") & single)
        hours = (history.timestamp - start) / np.timedelta64(1, "h")
        days = scenario.horizon.warmup_days + scenario.horizon.days
        keep = mine & (hours >= 0) & (hours < days * HOURS_PER_DAY)
        rows = np.flatnonzero(keep)
        rows = rows[np.argsort(hours[rows], kind="stable")]  # time order; equal times keep the file's order
        self.time_h = hours[rows].astype(float)
        self.day = np.floor(self.time_h / HOURS_PER_DAY).astype(np.int64)
        self.bounds = np.searchsorted(self.day, np.arange(days + 1))
        n = len(rows)
        self.xy = np.full((n, 2), np.nan)
        located = np.isfinite(history.latitude[rows])
        if located.any():
            assert geometry.frame is not None  # checked by the loader
            self.xy[located] = geometry.frame.to_km(history.latitude[rows][located], history.longitude[rows][located])
        self.zone = np.full(n, -1, dtype=np.int64)
        self.zone_draw: Callable[[np.random.Generator, int, int], np.ndarray] | None = None
        zoned = ~located
        if zoned.any():
            places = geometry.places
            assert places is not None  # checked by the loader: zones need the area's demand_zones
            names = {name: i for i, name in enumerate(places.zone_names)}
            self.zone[zoned] = [names[z] for z in history.zone[rows][zoned].tolist()]
            sampler = places.zone_sampler(places.zone_names, (1.0,) * len(places.zone_names))
            self.zone_draw = sampler.sample_in
        index = {name: i for i, name in enumerate(products.names)}
        self.product = np.array([index.get(p, -1) for p in history.product[rows].tolist()], dtype=np.int64)
        self.weight = history.weight_kg[rows]
        self.volume = history.volume_m3[rows]

    def mean_orders(self, day: int, weekday: int) -> float:
        """The orders of day ``day`` in the history (a count, not a mean: the history is what happened)."""
        if day < 0 or day + 1 >= len(self.bounds):
            return 0.0
        return float(self.bounds[day + 1] - self.bounds[day])

    def draw_day(self, rng: np.random.Generator, day: int, weekday: int) -> DayOrders:
        """The history's orders of simulation day ``day``, at their times and places."""
        lo, hi = (int(self.bounds[day]), int(self.bounds[day + 1])) if day + 1 < len(self.bounds) else (0, 0)
        n = hi - lo
        time_h = self.time_h[lo:hi]
        xy = self.xy[lo:hi].copy()
        zone = self.zone[lo:hi]
        if self.zone_draw is not None:
            for z in np.unique(zone[zone >= 0]).tolist():  # sorted: the draws' order is fixed
                where = np.flatnonzero(zone == z)
                xy[where] = self.zone_draw(rng, z, len(where))
        product = self.product[lo:hi].copy()
        unknown = product < 0
        if unknown.any():
            product[unknown] = rng.choice(len(self.products), size=int(unknown.sum()), p=self.products.share)
        size = np.exp(VOLUME_SIGMA * rng.standard_normal(n) - 0.5 * VOLUME_SIGMA**2)
        volume = np.where(np.isfinite(self.volume[lo:hi]), self.volume[lo:hi], self.products.volume_m3[product] * size)
        weight = np.where(np.isfinite(self.weight[lo:hi]), self.weight[lo:hi], self.products.weight_kg[product] * size)
        key = rng.integers(0, np.iinfo(np.uint64).max, size=n, dtype=np.uint64, endpoint=True)
        return DayOrders(time_h.copy(), xy[:, 0], xy[:, 1], product.astype(np.int16), volume, weight, key)


def demand_for(scenario: Scenario, config: RegionalWarehouse, products: ProductTable, geometry: AreaGeometry,
               surge: Callable[[int], float] | None = None) -> DemandModel:
    """An area's demand: its replayed history when the scenario replays one that covers it, else the Poisson model."""
    history = scenario.history
    if history is not None and history.replay and _covers(scenario, config):
        return HistoryDemand(scenario, config, products, geometry, surge)
    return DemandModel(config.area, scenario.demand, products, geometry, surge=surge)


def _covers(scenario: Scenario, config: RegionalWarehouse) -> bool:
    from sim.geo import cache

    assert scenario.history is not None
    history = cache.history(Path(scenario.history.file))
    if len(scenario.regional_warehouses) == 1:
        return True
    return bool((history.area == config.name).any())
