"""What a planned route is, what a vehicle takes out, and what it brings back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from sim.model.lastmile.stops import StopList
from sim.model.lastmile.vehicles import UnitOps

# The dispatch waves of a depot: the morning rounds, and the afternoon rounds of same-day parcels.
Wave = Literal["daily", "same_day"]


@dataclass(frozen=True)
class PlannedJob:
    """One route (or one drone's day of sorties) as planned: which stops, how long, how far."""

    stop_indices: np.ndarray  # int indices into the day's stop list, in visiting order
    planned_km: float
    planned_h: float


@dataclass(frozen=True)
class RouteJob:
    """A planned route handed to a vehicle."""

    route_id: int
    day: int
    wave: Wave
    ops: UnitOps
    stops: StopList
    planned_km: float
    planned_h: float


@dataclass
class RouteOutcome:
    """What happened on a route, for costing and records."""

    delivered: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    at_pickup_point: list[int] = field(default_factory=list)
    aborted: list[int] = field(default_factory=list)
    km: float = 0.0
    driving_h: float = 0.0
    service_h: float = 0.0
    window_stops: int = 0
    late_stops: int = 0

    @property
    def attempted(self) -> int:
        """Parcels the vehicle tried to hand over (at a door or at a pickup point)."""
        return len(self.delivered) + len(self.failed) + len(self.at_pickup_point)
