"""The courier depot of a regional warehouse: parcels in, the daily dispatch, parcels back.

Each delivery day the depot turns the parcels waiting for it into stops and
hands them to its fleet units in the order the scenario lists them: each unit
takes the stops it may serve (product classes, parcel weight and size, the
low-emission zone, what its kind of vehicle can do), plans its routes, and
leaves the rest to the next unit. Whatever no unit could take waits for the
next delivery day.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.model.context import SimContext
from sim.model.geography import AreaGeometry
from sim.model.lastmile.costing import STAGE, RouteCosting
from sim.model.lastmile.fleet import build_unit
from sim.model.lastmile.hub import HubShuttle
from sim.model.lastmile.jobs import RouteJob, RouteOutcome, Wave
from sim.model.lastmile.launch import Launcher
from sim.model.lastmile.pickup import PickupNetwork
from sim.model.lastmile.queues import ParcelQueues
from sim.model.lastmile.setting import RoundSetting
from sim.model.lastmile.settlement import ParcelSettlement
from sim.model.lastmile.stops import StopBuilder, StopList
from sim.model.lastmile.traffic import TrafficModel, loglogistic_mean
from sim.model.products import ProductTable
from sim.scenario.schema import RegionalWarehouse


class LastMileDepot:
    """Plans and runs the last-mile rounds of one regional warehouse, day after day."""

    def __init__(
        self, ctx: SimContext, config: RegionalWarehouse, index: int, products: ProductTable, geometry: AreaGeometry
    ) -> None:
        scenario = ctx.scenario
        self.ctx = ctx
        self.name = config.name
        self.area = area = config.area
        self.fleet = fleet = config.fleet
        # Public: the store truck of the same warehouse drives on these roads too.
        self.traffic = traffic = TrafficModel(area, scenario.traffic, ctx.streams.get(f"traffic/{self.name}"),
                                              ctx.clock_days)
        pickup = PickupNetwork(area, geometry, ctx.streams.get(f"lockers/{self.name}"))
        planner_rng = ctx.streams.get(f"routing/{self.name}")
        self.weather_rng = ctx.streams.get(f"weather/{self.name}")
        self.setting = RoundSetting(ctx, area, fleet, geometry, traffic, products)
        hub = area.micro_hub
        hub_xy = None if hub is None else np.array([hub.x_km, hub.y_km])
        self.units = [
            build_unit(i, unit, scenario.vehicle_types[unit.type], self.setting, self, hub_xy, scenario.routing,
                       planner_rng)
            for i, unit in enumerate(fleet.units)
        ]
        self.pickup = pickup
        self.queues = ParcelQueues()
        mean_service_h = loglogistic_mean(area.service_time_median_min, area.service_time_shape) / 60
        self.stop_builder = StopBuilder(ctx.parcels, products, area, scenario.last_mile, pickup, mean_service_h)
        self.settlement = ParcelSettlement(ctx, self.name, area, scenario.last_mile, fleet.depart_hour, pickup,
                                           self.queues)
        self.costing = RouteCosting(ctx, self.name, fleet, scenario.last_mile.failed_attempt_handling_cost)
        shuttle = None if hub_xy is None else HubShuttle(ctx, self.name, geometry, hub_xy, area.stem_speed_kmh,
                                                         scenario.linehaul)
        self.launcher = Launcher(ctx, index, shuttle)
        # The warehouse's closure gate: a closed depot sends no courier out (None: it never closes).
        self.gate = ctx.disruptions.gate(self.name, ctx.env)
        ctx.env.process(self._dispatch_loop("daily", fleet.depart_hour))
        if any(u.wave == "same_day" for u in fleet.units):
            ctx.env.process(self._dispatch_loop("same_day", fleet.same_day_depart_hour))
        ctx.env.process(self._fixed_cost_loop())

    # --- parcels in and out -------------------------------------------------------------

    def receive_picked(self, parcel_ids: list[int], same_day: bool = False) -> None:
        """Picked and packed parcels arrive at the depot."""
        if same_day:
            self.queues.same_day.extend(parcel_ids)
            return
        wants = self.ctx.parcels.wants_pickup
        for parcel_id in parcel_ids:
            self.queues.add(parcel_id, wants[parcel_id])

    def hand_to_carrier(self, parcel_ids: list[int], now: float) -> None:
        """Outsourced parcels leave with the third-party carrier, at its per-parcel rate."""
        self.settlement.hand_to_carrier(parcel_ids, now)

    def finalize(self, end_h: float) -> None:
        """At the end of the run, settle the pickup-point and carrier parcels whose time has come."""
        self.settlement.finalize(end_h)

    # --- the depot port: what vehicles hand back ------------------------------------------

    def hand_to_pickup_point(self, parcel_ids: tuple[int, ...], now: float) -> None:
        """Parcels left at a pickup point or locker."""
        self.settlement.hand_to_pickup_point(parcel_ids, now)

    def route_finished(self, job: RouteJob, start_h: float, outcome: RouteOutcome) -> None:
        """A vehicle is back: its parcels first, then the route's cost."""
        self.settlement.route_returned(outcome, self.ctx.env.now)
        self.costing.settle(job, start_h, outcome)

    # --- daily processes -------------------------------------------------------------------

    def _fixed_cost_loop(self) -> Generator[simpy.Event, Any, None]:
        """Vehicles are owned or leased by the day, used or not; so is a micro-hub."""
        env = self.ctx.env
        daily = sum(u.ops.unit.count * u.ops.vehicle.fixed_cost_per_day for u in self.units)
        rent = self.area.micro_hub.rent_per_day if self.area.micro_hub is not None else 0.0
        window_days = self.ctx.days
        for day in range(self.ctx.clock_days):  # the vans serve the drain too
            # A drain day is posted at its end, as the stock costs are: the window, closed at its end
            # (a midnight), then holds the costs of its own days and of no drain day.
            yield env.timeout((day + (day >= window_days)) * 24.0 - env.now)
            self.ctx.ledger.post(env.now, STAGE, "vehicle_fixed", self.name, daily)
            self.ctx.ledger.post(env.now, STAGE, "micro_hub", self.name, rent)

    def _dispatch_loop(self, wave: Wave, depart_hour: float) -> Generator[simpy.Event, Any, None]:
        """At the wave's departure hour of every delivery day the depot is open, dispatch."""
        env = self.ctx.env
        for day in range(self.ctx.clock_days):  # the drain's parcels still leave on the waves
            yield env.timeout(day * 24.0 + depart_hour - env.now)
            if self.gate is not None and self.gate.closed():
                continue  # the parcels wait at the depot for the first wave after the reopening
            if self.ctx.weekday(day) in self.fleet.delivery_weekdays:
                self._dispatch(day, wave, depart_hour)

    # --- one dispatch ----------------------------------------------------------------------

    def _wave_stops(self, wave: Wave) -> StopList:
        """Empty the queues of this wave into stops; parcels for full pickup points stay queued."""
        queues = self.queues
        if wave == "same_day":
            stops = self.stop_builder.home_stops(queues.same_day)
            queues.same_day = []
            return stops
        parcels = self.ctx.parcels
        pickup_stops, no_room = self.stop_builder.pickup_stops(queues.pickup, self.ctx.env.now)
        # Customers who chose a point that is full get their parcel at home instead.
        fallback = [p for p in no_room if parcels.attempts[p] == 0 and not parcels.via_pickup[p]]
        for parcel_id in fallback:
            parcels.wants_pickup[parcel_id] = False
        fallen_back = set(fallback)
        stops = StopList.concat([pickup_stops, self.stop_builder.home_stops(queues.home + fallback)])
        queues.home, queues.pickup = [], [p for p in no_room if p not in fallen_back]
        return stops

    def _dispatch(self, day: int, wave: Wave, depart_hour: float) -> None:
        """Hand the wave's stops to its units in fleet order; what none takes waits for the next day."""
        stops = self._wave_stops(wave)
        if len(stops) == 0:
            return
        remaining = np.arange(len(stops))
        for kind in self.units:
            ops = kind.ops
            if ops.unit.wave != wave or ops.unit.count <= 0:
                continue
            if remaining.size == 0:
                break
            downtime = ops.vehicle.weather_downtime_probability
            if downtime > 0 and self.weather_rng.random() < downtime:
                continue  # grounded today
            eligible = remaining[kind.eligible(stops.take(remaining))]
            if eligible.size == 0:
                continue
            jobs = kind.plan(stops, eligible, depart_hour)
            assigned = self.launcher.start(kind, day, wave, stops, jobs)
            remaining = np.setdiff1d(remaining, assigned, assume_unique=True)
        self._carry_over(stops.take(remaining))

    def _carry_over(self, stops: StopList) -> None:
        """Stops no unit took today: their parcels wait, and a slot kept waiting too long is given up."""
        parcels = self.ctx.parcels
        rebook = self.area.time_windows.rebook_after_days
        ids = stops.parcel_ids  # each parcel is in one stop: the updates below touch each once
        parcels.days_waited[ids] += 1
        given_up = ids[(parcels.slot[ids] >= 0) & (parcels.days_waited[ids] >= rebook)]
        parcels.slot[given_up] = -1  # the slot could not be kept: any time will do now
        points = np.repeat(stops.pickup_point, stops.counts())
        for parcel_id, point in zip(ids.tolist(), points.tolist(), strict=True):
            if point >= 0:
                self.pickup.release_reservation(point)
                parcels.pickup_point[parcel_id] = -1
                self.queues.pickup.append(parcel_id)
            else:
                self.queues.home.append(parcel_id)  # same-day parcels that missed the wave join the next day
