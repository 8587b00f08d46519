"""The ports through which the depot's parts reach it, and the one interface every vehicle kind implements.

Route processes and planners never import the depot: they see these
protocols, which the depot satisfies.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Protocol

import numpy as np
import simpy

from sim.model.lastmile.jobs import PlannedJob, RouteJob, RouteOutcome
from sim.model.lastmile.stops import StopList
from sim.model.lastmile.vehicles import UnitOps


class DepotPort(Protocol):
    """What a vehicle on its round hands back to the depot."""

    def hand_to_pickup_point(self, parcel_ids: tuple[int, ...], now: float) -> None:
        """Parcels were left at a pickup point or locker at ``now``."""
        ...

    def route_finished(self, job: RouteJob, start_h: float, outcome: RouteOutcome) -> None:
        """The vehicle is back: take its parcels back and settle the route's cost."""
        ...


class VehicleKind(Protocol):
    """How a kind of vehicle (road vehicle, drone) chooses, plans and runs its work."""

    @property
    def ops(self) -> UnitOps:
        """The fleet unit this kind drives."""
        ...

    def eligible(self, stops: StopList) -> np.ndarray:
        """A boolean per stop: may this unit serve it?"""
        ...

    def plan(self, stops: StopList, candidates: np.ndarray, depart_hour: float) -> list[PlannedJob]:
        """Routes over the ``candidates`` (indices into ``stops``, most urgent first), one job per vehicle day."""
        ...

    def process(self, job: RouteJob) -> Generator[simpy.Event, Any, None]:
        """The SimPy process that runs one job and reports back to the depot."""
        ...
