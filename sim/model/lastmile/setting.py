"""The world a depot's vehicles work in: the run's context and the depot's area, fleet and roads."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.context import SimContext
from sim.model.geography import AreaGeometry
from sim.model.lastmile.traffic import TrafficModel
from sim.model.products import ProductTable
from sim.scenario.schema import Area, Fleet


@dataclass(frozen=True)
class RoundSetting:
    """Read-only surroundings shared by every route of one depot."""

    ctx: SimContext
    area: Area
    fleet: Fleet
    geometry: AreaGeometry
    traffic: TrafficModel
    products: ProductTable

    @property
    def working_h(self) -> float:
        """Planned working hours of a shift: the shift less its break."""
        return self.fleet.shift_hours - self.fleet.break_minutes / 60.0
