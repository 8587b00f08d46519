"""The courier depot of a regional warehouse: daily dispatch, failed parcels, pickup points, returns."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.model.context import SimContext
from sim.model.courier import RouteOutcome, Stop, drive_route
from sim.model.geography import AreaGeometry
from sim.model.products import ProductTable
from sim.model.routing import RoutingProblem, plan_routes
from sim.model.streams import PICKUP_COLLECTED, PICKUP_DELAY, parcel_uniform
from sim.model.traffic import TrafficModel, loglogistic_mean
from sim.records import ParcelState, TrailEvent
from sim.scenario.schema import RegionalWarehouse

STAGE = "last_mile"


class LastMileDepot:
    """Plans and runs the courier routes of one regional warehouse, day after day.

    Parcels wait in two queues: home deliveries (fresh and re-attempts) and
    parcels bound for a pickup point after their last failed attempt, which the
    courier drops as one stop per point. Parcels that do not fit into the day's
    routes stay in the queues for the next delivery day.
    """

    def __init__(
        self, ctx: SimContext, config: RegionalWarehouse, index: int, products: ProductTable, geometry: AreaGeometry
    ) -> None:
        self.ctx = ctx
        self.name = config.name
        self.index = index
        self.area = config.area
        self.fleet = config.fleet
        self.policy = ctx.scenario.last_mile
        self.products = products
        self.geometry = geometry
        self.traffic = TrafficModel(self.area, ctx.scenario.traffic, ctx.streams.get(f"traffic/{self.name}"), ctx.days)
        self.home_queue: list[int] = []
        self.pickup_queue: list[int] = []
        # Parcels handed to a pickup point: (parcel, time of collection or return, collected?).
        self.pickup_outcomes: list[tuple[int, float, bool]] = []
        self.routes_started = 0
        congestion = self.traffic.expected_multiplier(self.fleet.depart_hour, self.fleet.shift_hours)
        self.expected_area_speed = self.area.free_flow_speed_kmh / congestion
        self.expected_stem_speed = self.area.stem_speed_kmh / congestion
        self.mean_service_h = loglogistic_mean(self.area.service_time_median_min, self.area.service_time_shape) / 60
        ctx.env.process(self._dispatch_loop())
        ctx.env.process(self._fleet_cost_loop())

    # --- travel times ------------------------------------------------------------

    def leg_hours(self, km: float, touches_depot: bool) -> float:
        """Free-flow hours of a leg; legs from or to the depot run at the stem speed."""
        return km / (self.area.stem_speed_kmh if touches_depot else self.area.free_flow_speed_kmh)

    def expected_leg_hours(self, km: float, touches_depot: bool) -> float:
        """Expected hours of a leg under the shift's average congestion (what the planner uses)."""
        return km / (self.expected_stem_speed if touches_depot else self.expected_area_speed)

    # --- parcels in and out ---------------------------------------------------------

    def receive_picked(self, parcel_ids: list[int]) -> None:
        """Picked and packed parcels arrive at the depot."""
        self.home_queue.extend(parcel_ids)

    def route_returned(self, outcome: RouteOutcome, now: float) -> None:
        """A van is back: failed parcels are re-queued, moved towards a pickup point or returned."""
        parcels = self.ctx.parcels
        for parcel_id in outcome.aborted:
            parcels.state[parcel_id] = ParcelState.AT_DEPOT
            if parcels.pickup_point[parcel_id] >= 0:
                self.pickup_queue.append(parcel_id)
            else:
                self.home_queue.append(parcel_id)
        for parcel_id in outcome.failed:
            parcels.state[parcel_id] = ParcelState.AT_DEPOT
            if parcels.attempts[parcel_id] < self.policy.max_attempts:
                self.home_queue.append(parcel_id)
                continue
            point = -1
            if self.policy.after_max_attempts == "pickup_point":
                point = self.geometry.nearest_pickup_point(
                    float(parcels.x_km[parcel_id]), float(parcels.y_km[parcel_id])
                )
            if point >= 0:
                parcels.pickup_point[parcel_id] = point
                self.pickup_queue.append(parcel_id)
            else:
                self.return_to_sender(parcel_id, now)

    def hand_to_pickup_point(self, parcel_ids: tuple[int, ...], now: float) -> None:
        """Parcels left at a pickup point; when (and whether) the customer collects is decided now."""
        parcels = self.ctx.parcels
        policy = self.policy
        fee = policy.pickup_point_fee
        for parcel_id in parcel_ids:
            parcels.state[parcel_id] = ParcelState.AT_PICKUP_POINT
            parcels.via_pickup[parcel_id] = True
            parcels.pickup_point_cost[parcel_id] += fee
            self.ctx.recorder.track(parcel_id, now, TrailEvent.MOVED_TO_PICKUP_POINT)
            key = int(parcels.key[parcel_id])
            collected = parcel_uniform(key, PICKUP_COLLECTED) < policy.pickup_collection_probability
            delay_days = -policy.pickup_collection_mean_days * np.log(parcel_uniform(key, PICKUP_DELAY))
            if collected and delay_days <= policy.pickup_hold_days:
                self.pickup_outcomes.append((parcel_id, now + 24.0 * delay_days, True))
            else:
                self.pickup_outcomes.append((parcel_id, now + 24.0 * policy.pickup_hold_days, False))
        self.ctx.ledger.post(now, STAGE, "pickup_point_fee", self.name, fee * len(parcel_ids))

    def return_to_sender(self, parcel_id: int, now: float) -> None:
        """Send a parcel back: handling at the depot plus the reverse transport."""
        parcels = self.ctx.parcels
        policy = self.policy
        cost = policy.return_handling_cost + policy.return_transport_cost_per_parcel
        parcels.state[parcel_id] = ParcelState.RETURNED
        parcels.return_cost[parcel_id] += cost
        self.ctx.ledger.post(now, STAGE, "return", self.name, cost)
        self.ctx.recorder.track(parcel_id, now, TrailEvent.RETURNED)

    def finalize(self, end_h: float) -> None:
        """At the end of the run, settle pickup-point parcels whose collection or return has come."""
        parcels = self.ctx.parcels
        for parcel_id, time_h, collected in self.pickup_outcomes:
            if time_h > end_h:
                continue
            if collected:
                parcels.state[parcel_id] = ParcelState.DELIVERED
                parcels.delivered_time_h[parcel_id] = time_h
                self.ctx.recorder.track(parcel_id, time_h, TrailEvent.COLLECTED)
            else:
                self.return_to_sender(parcel_id, time_h)

    # --- daily processes --------------------------------------------------------------

    def _fleet_cost_loop(self) -> Generator[simpy.Event, Any, None]:
        """Vans are owned or leased by the day, used or not."""
        env = self.ctx.env
        daily = self.fleet.vehicles * self.fleet.fixed_cost_per_day
        for day in range(self.ctx.days):
            yield env.timeout(day * 24.0 - env.now)
            self.ctx.ledger.post(env.now, STAGE, "vehicle_fixed", self.name, daily)

    def _dispatch_loop(self) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        for day in range(self.ctx.days):
            yield env.timeout(day * 24.0 + self.fleet.depart_hour - env.now)
            if self.ctx.weekday(day) in self.fleet.delivery_weekdays:
                self._dispatch(day)

    def _build_stops(self) -> list[Stop]:
        """Stops for today: pickup-point drops first (one stop per point), then homes, oldest first."""
        parcels = self.ctx.parcels
        policy = self.policy
        stops: list[Stop] = []
        if self.pickup_queue:
            bound = np.asarray(self.pickup_queue, dtype=np.int64)
            points = parcels.pickup_point[bound]
            for point in np.unique(points).tolist():
                members = bound[points == point]
                n = len(members)
                stops.append(
                    Stop(
                        float(self.geometry.pickup_xy[point, 0]), float(self.geometry.pickup_xy[point, 1]),
                        tuple(members.tolist()), point, float(parcels.volume_m3[members].sum()),
                        (policy.pickup_point_handover_min + policy.pickup_point_service_per_parcel_min * n) / 60.0,
                    )
                )
        if self.home_queue:
            home = np.asarray(self.home_queue, dtype=np.int64)
            home = home[np.argsort(parcels.order_time_h[home], kind="stable")]
            multiplier = self.products.service_time_multiplier[parcels.product[home]]
            for parcel_id, x, y, volume, mult in zip(
                home.tolist(), parcels.x_km[home].tolist(), parcels.y_km[home].tolist(),
                parcels.volume_m3[home].tolist(), multiplier.tolist(), strict=True,
            ):
                stops.append(Stop(x, y, (parcel_id,), -1, volume, self.mean_service_h * mult))
        return stops

    def _dispatch(self, day: int) -> None:
        stops = self._build_stops()
        if not stops:
            return
        fleet = self.fleet
        problem = RoutingProblem(
            depot_xy=self.geometry.depot_xy,
            stop_xy=np.array([(s.x_km, s.y_km) for s in stops]),
            stop_volume_m3=np.array([s.volume_m3 for s in stops]),
            stop_service_h=np.array([s.expected_service_h for s in stops]),
            stop_priority=np.arange(len(stops)),
            vehicle_capacity_m3=fleet.capacity_m3,
            max_route_hours=fleet.shift_hours - fleet.break_minutes / 60.0,
            max_routes=fleet.vehicles,
            circuity=self.area.circuity,
            area_speed_kmh=self.expected_area_speed,
            stem_speed_kmh=self.expected_stem_speed,
        )
        plan = plan_routes(problem)
        parcels = self.ctx.parcels
        now = self.ctx.env.now
        self.home_queue = []
        self.pickup_queue = []
        for index in plan.unassigned.tolist():
            stop = stops[index]
            for parcel_id in stop.parcels:
                parcels.days_waited[parcel_id] += 1
                (self.pickup_queue if stop.pickup_point >= 0 else self.home_queue).append(parcel_id)
        for route in plan.routes:
            route_stops = [stops[i] for i in route.stops.tolist()]
            for stop in route_stops:
                ids = np.asarray(stop.parcels, dtype=np.int64)
                parcels.state[ids] = ParcelState.OUT_FOR_DELIVERY
                first_out = parcels.first_out_time_h[ids]
                parcels.first_out_time_h[ids] = np.where(np.isnan(first_out), now, first_out)
                for parcel_id in stop.parcels:
                    self.ctx.recorder.track(parcel_id, now, TrailEvent.OUT_FOR_DELIVERY)
            route_id = self.index * 1_000_000 + self.routes_started
            self.routes_started += 1
            self.ctx.env.process(
                drive_route(self, route_id, day, route_stops, route.distance_km, route.duration_h)
            )
