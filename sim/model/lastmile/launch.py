"""Starting a unit's planned jobs: parcels go out for delivery and each job becomes a SimPy process."""

from __future__ import annotations

import numpy as np

from sim.model.context import SimContext
from sim.model.lastmile.hub import HubShuttle
from sim.model.lastmile.jobs import PlannedJob, RouteJob, Wave
from sim.model.lastmile.ports import VehicleKind
from sim.model.lastmile.stops import StopList
from sim.records import ParcelState, TrailEvent

# Route ids are unique over a run: the depot's index times this, plus the depot's route count.
ROUTE_IDS_PER_DEPOT = 1_000_000


class Launcher:
    """Sends one depot's planned jobs on their way and numbers them."""

    def __init__(self, ctx: SimContext, depot_index: int, hub: HubShuttle | None) -> None:
        self.ctx = ctx
        self.depot_index = depot_index
        self.hub = hub
        self.routes_started = 0

    def start(self, kind: VehicleKind, day: int, wave: Wave, stops: StopList, jobs: list[PlannedJob]) -> np.ndarray:
        """Start every job of one unit; return the indices of the stops they took."""
        ops = kind.ops
        now = self.ctx.env.now
        if jobs and ops.from_hub and self.hub is not None:
            self.hub.post_trip(now)
        parcels = self.ctx.parcels
        taken: list[np.ndarray] = []
        for planned in jobs:
            indices = planned.stop_indices
            route_stops = stops.take(indices)
            ids = route_stops.parcel_ids
            parcels.state[ids] = ParcelState.OUT_FOR_DELIVERY
            first_out = parcels.first_out_time_h[ids]
            parcels.first_out_time_h[ids] = np.where(np.isnan(first_out), now, first_out)
            if self.ctx.recorder.trail is not None:
                for parcel_id in ids.tolist():
                    self.ctx.recorder.track(parcel_id, now, TrailEvent.OUT_FOR_DELIVERY)
            job = RouteJob(self.depot_index * ROUTE_IDS_PER_DEPOT + self.routes_started, day, wave, ops,
                           route_stops, planned.planned_km, planned.planned_h)
            self.routes_started += 1
            self.ctx.env.process(kind.process(job))
            taken.append(indices)
        return np.concatenate(taken) if taken else np.array([], dtype=np.int64)
