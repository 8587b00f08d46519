"""Small synthetic worlds for the last-mile unit tests: the baseline's metro area and a handful of parcels."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim import Scenario, load_scenario
from sim.model.context import SimContext
from sim.model.geography import AreaGeometry
from sim.model.lastmile.setting import RoundSetting
from sim.model.lastmile.traffic import TrafficModel
from sim.model.products import ProductTable
from sim.records import ParcelStore
from sim.scenario.schema import Area, Fleet
from tests.conftest import BASELINE, ROOT

LAST_MILE_EXAMPLES = ROOT / "scenarios" / "examples" / "last_mile"

SHORT = ("horizon.warmup_days=0", "horizon.days=2")


@dataclass
class World:
    """One scenario's metro depot surroundings, with no parcels yet."""

    scenario: Scenario
    ctx: SimContext
    products: ProductTable
    geometry: AreaGeometry

    @property
    def area(self) -> Area:
        """The metro area."""
        return self.scenario.regional_warehouses[0].area

    @property
    def fleet(self) -> Fleet:
        """The metro fleet."""
        return self.scenario.regional_warehouses[0].fleet

    def add_parcels(self, xy: list[tuple[float, float]], product: str = "standard", weight_kg: float = 1.0,
                    volume_m3: float = 0.01, order_h: list[float] | None = None) -> np.ndarray:
        """Parcels at these places (ordered at ``order_h``, default in the order given); returns their ids."""
        n = len(xy)
        points = np.asarray(xy, dtype=float)
        return self.ctx.parcels.add_batch(
            0, np.asarray(order_h if order_h is not None else np.arange(n), dtype=float), points[:, 0], points[:, 1],
            np.full(n, self.products.index(product)), np.full(n, volume_m3), np.full(n, weight_kg),
            np.arange(1, n + 1, dtype=np.uint64) * 7919,
        )

    def setting(self) -> RoundSetting:
        """The metro depot's surroundings as its vehicles see them."""
        traffic = TrafficModel(self.area, self.scenario.traffic, np.random.default_rng(0), self.ctx.days)
        return RoundSetting(self.ctx, self.area, self.fleet, self.geometry, traffic, self.products)

    @property
    def parcels(self) -> ParcelStore:
        """The parcel store of the world's context."""
        return self.ctx.parcels


def world(*overrides: str, path: Path = BASELINE) -> World:
    """The baseline or another scenario (two days) with ``--set``-style overrides; metro is regional warehouse 0."""
    scenario = load_scenario(path, (*SHORT, *overrides))
    ctx = SimContext.create(scenario, seed=1, replication=0)
    area = scenario.regional_warehouses[0].area
    return World(scenario, ctx, ProductTable.from_scenario(scenario), AreaGeometry(area, np.random.default_rng(5)))
