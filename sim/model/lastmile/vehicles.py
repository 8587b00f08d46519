"""How one fleet unit moves: its start point, speeds and exposure to congestion."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.lastmile.traffic import TrafficModel
from sim.scenario.schema import Area, FleetUnit, VehicleType


@dataclass(frozen=True)
class UnitOps:
    """A fleet unit as the depot plans and runs it."""

    index: int
    name: str  # vehicle type name
    unit: FleetUnit
    vehicle: VehicleType
    start_xy: np.ndarray
    from_hub: bool
    area_speed_kmh: float  # free-flow speed between stops
    stem_speed_kmh: float  # free-flow speed on legs from or to the start point
    expected_congestion: float  # mean multiplier over the shift, after exposure

    @classmethod
    def build(
        cls, index: int, unit: FleetUnit, vehicle: VehicleType, area: Area, depot_xy: np.ndarray,
        hub_xy: np.ndarray | None, traffic: TrafficModel, depart_hour: float, shift_hours: float,
    ) -> UnitOps:
        """Speeds follow the area's roads scaled by the vehicle's speed factor; from a micro-hub
        inside the area there is no highway stem, so the stem runs at the area's speed."""
        from_hub = unit.start == "micro_hub"
        start = hub_xy if from_hub and hub_xy is not None else depot_xy
        area_speed = area.free_flow_speed_kmh * vehicle.speed_factor
        stem_speed = (area.free_flow_speed_kmh if from_hub else area.stem_speed_kmh) * vehicle.speed_factor
        congestion = traffic.expected_multiplier(depart_hour, shift_hours)
        return cls(
            index=index, name=unit.type, unit=unit, vehicle=vehicle, start_xy=np.asarray(start, dtype=float),
            from_hub=from_hub, area_speed_kmh=area_speed, stem_speed_kmh=stem_speed,
            expected_congestion=1.0 + vehicle.congestion_exposure * (congestion - 1.0),
        )

    def leg_hours(self, km: float, touches_start: bool) -> float:
        """Free-flow hours of a leg."""
        return km / (self.stem_speed_kmh if touches_start else self.area_speed_kmh)

    def expected_leg_hours(self, km: float, touches_start: bool) -> float:
        """Hours of a leg under the shift's expected congestion (what planning uses)."""
        return self.leg_hours(km, touches_start) * self.expected_congestion
