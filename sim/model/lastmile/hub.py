"""The micro-hub shuttle: on a day units start from the hub, a line-haul vehicle brings their parcels there."""

from __future__ import annotations

import numpy as np

from sim.model.context import SimContext
from sim.model.geography import AreaGeometry
from sim.model.lastmile.costing import STAGE
from sim.scenario.schema import LineHaul


class HubShuttle:
    """The depot-to-hub round trip of one depot, costed as line haul and booked to the last mile."""

    def __init__(self, ctx: SimContext, depot_name: str, geometry: AreaGeometry, hub_xy: np.ndarray,
                 stem_speed_kmh: float, linehaul: LineHaul) -> None:
        self.ctx = ctx
        self.facility = f"{depot_name}->hub"
        self.linehaul = linehaul
        self.km = 2.0 * geometry.road_km(float(geometry.depot_xy[0]), float(geometry.depot_xy[1]),
                                         float(hub_xy[0]), float(hub_xy[1]))
        if geometry.travel is None:
            self.hours = self.km / stem_speed_kmh + linehaul.loading_hours
        else:  # both ways on the network, at its free-flow hours (one-way streets: out and back may differ)
            depot, hub = geometry.depot_xy.reshape(1, 2), np.asarray(hub_xy, dtype=float).reshape(1, 2)
            out_km, out_h = geometry.travel.legs(depot, hub)
            back_km, back_h = geometry.travel.legs(hub, depot)
            self.km = float(out_km[0] + back_km[0])
            self.hours = float(out_h[0] + back_h[0]) + linehaul.loading_hours

    def post_trip(self, now: float) -> None:
        """Book one day's shuttle: distance, driver, the vehicle's day and its emissions."""
        linehaul = self.linehaul
        ledger = self.ctx.ledger
        ledger.post(now, STAGE, "vehicle_distance", self.facility, self.km * linehaul.cost_per_km)
        ledger.post(now, STAGE, "driver_time", self.facility, self.hours * linehaul.driver_cost_per_hour)
        ledger.post(now, STAGE, "vehicle_fixed", self.facility, linehaul.fixed_cost_per_vehicle_day)
        self.ctx.emissions.post(now, STAGE, "vehicle_distance", self.facility, self.km * linehaul.co2e_kg_per_km)
