"""The courier depot of a regional warehouse: daily dispatch, failed parcels, pickup points, returns.

Each delivery day the depot turns the parcels waiting for it into stops and
hands them to its fleet units in the order the scenario lists them: each unit
takes the stops it may serve (product classes, parcel weight and size, the
low-emission zone, drone range), plans its routes, and leaves the rest to the
next unit. Whatever no unit could take waits for the next delivery day.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.model.carrier import CarrierOutcome, carrier_outcome
from sim.model.context import SimContext
from sim.model.courier import RouteJob, RouteOutcome, Stop, drive_route
from sim.model.drone import fly_sorties, plan_sorties, sortie_hours
from sim.model.geography import AreaGeometry
from sim.model.pickup import PickupNetwork
from sim.model.planners import make_planner
from sim.model.products import ProductTable
from sim.model.routing import RoutingProblem
from sim.model.streams import PICKUP_COLLECTED, PICKUP_DELAY, REDIRECT, parcel_uniform
from sim.model.traffic import TrafficModel, loglogistic_mean
from sim.model.vehicles import UnitOps
from sim.records import ParcelState, TrailEvent
from sim.scenario.schema import RegionalWarehouse

STAGE = "last_mile"


class LastMileDepot:
    """Plans and runs the last-mile rounds of one regional warehouse, day after day."""

    def __init__(
        self, ctx: SimContext, config: RegionalWarehouse, index: int, products: ProductTable, geometry: AreaGeometry
    ) -> None:
        scenario = ctx.scenario
        self.ctx = ctx
        self.name = config.name
        self.index = index
        self.area = config.area
        self.fleet = config.fleet
        self.policy = scenario.last_mile
        self.products = products
        self.geometry = geometry
        self.traffic = TrafficModel(self.area, scenario.traffic, ctx.streams.get(f"traffic/{self.name}"), ctx.days)
        self.pickup = PickupNetwork(self.area, geometry, ctx.streams.get(f"lockers/{self.name}"))
        self.planner_rng = ctx.streams.get(f"routing/{self.name}")
        self.weather_rng = ctx.streams.get(f"weather/{self.name}")
        self.planner = scenario.routing
        hub = self.area.micro_hub
        self.hub_xy = None if hub is None else np.array([hub.x_km, hub.y_km])
        self.units = [
            UnitOps.build(i, unit, scenario.vehicle_types[unit.type], self.area, geometry.depot_xy, self.hub_xy,
                          self.traffic, self.fleet.depart_hour, self.fleet.shift_hours)
            for i, unit in enumerate(self.fleet.units)
        ]
        zone = self.area.low_emission_zone
        self.zone_radius_km = zone.radius_km if zone is not None else -1.0
        self.zone_allowed = set(zone.allowed_types) if zone is not None else set()
        self.home_queue: list[int] = []  # home deliveries: fresh and re-attempts
        self.pickup_queue: list[int] = []  # bound for a pickup point or locker
        self.same_day_queue: list[int] = []
        self.pickup_outcomes: list[tuple[int, float, bool]] = []  # (parcel, collection or return time, collected?)
        self.carrier_outcomes: list[tuple[int, CarrierOutcome]] = []
        self.routes_started = 0
        self.mean_service_h = loglogistic_mean(self.area.service_time_median_min, self.area.service_time_shape) / 60
        # The warehouse's closure gate: a closed depot sends no courier out (None: it never closes).
        self.gate = ctx.disruptions.gate(self.name, ctx.env)
        ctx.env.process(self._dispatch_loop("daily", self.fleet.depart_hour))
        if any(u.wave == "same_day" for u in self.fleet.units):
            ctx.env.process(self._dispatch_loop("same_day", self.fleet.same_day_depart_hour))
        ctx.env.process(self._fixed_cost_loop())

    # --- parcels in -------------------------------------------------------------------

    def receive_picked(self, parcel_ids: list[int], same_day: bool = False) -> None:
        """Picked and packed parcels arrive at the depot."""
        if same_day:
            self.same_day_queue.extend(parcel_ids)
            return
        wants = self.ctx.parcels.wants_pickup
        for parcel_id in parcel_ids:
            (self.pickup_queue if wants[parcel_id] else self.home_queue).append(parcel_id)

    def hand_to_carrier(self, parcel_ids: list[int], now: float) -> None:
        """Outsourced parcels leave with the third-party carrier, at its per-parcel rate."""
        outsourcing = self.area.outsourcing
        parcels = self.ctx.parcels
        for parcel_id in parcel_ids:
            parcels.state[parcel_id] = ParcelState.OUT_FOR_DELIVERY
            parcels.first_out_time_h[parcel_id] = now
            parcels.outsourced_cost[parcel_id] = outsourcing.rate_per_parcel
            parcels.co2e_kg[parcel_id] += outsourcing.co2e_kg_per_parcel
            outcome = carrier_outcome(outsourcing, int(parcels.key[parcel_id]), now, self.fleet.depart_hour)
            self.carrier_outcomes.append((parcel_id, outcome))
        n = len(parcel_ids)
        self.ctx.ledger.post(now, STAGE, "outsourced_delivery", f"{self.name}/3pl", outsourcing.rate_per_parcel * n)
        self.ctx.emissions.post(now, STAGE, "outsourced_delivery", f"{self.name}/3pl",
                                outsourcing.co2e_kg_per_parcel * n)

    # --- parcels back from a route ------------------------------------------------------

    def route_returned(self, outcome: RouteOutcome, now: float) -> None:
        """A vehicle is back: failed parcels are re-queued, sent towards a pickup point or returned."""
        parcels = self.ctx.parcels
        for parcel_id in outcome.aborted:
            parcels.state[parcel_id] = ParcelState.AT_DEPOT
            point = int(parcels.pickup_point[parcel_id])
            if point >= 0:
                self.pickup.release_reservation(point)
                parcels.pickup_point[parcel_id] = -1
            (self.pickup_queue if parcels.wants_pickup[parcel_id] else self.home_queue).append(parcel_id)
        redirect_share = self.area.redirect_after_failure_share
        for parcel_id in outcome.failed:
            parcels.state[parcel_id] = ParcelState.AT_DEPOT
            attempts = int(parcels.attempts[parcel_id])
            key = int(parcels.key[parcel_id])
            redirected = len(self.pickup) > 0 and parcel_uniform(key, REDIRECT, attempts) < redirect_share
            if attempts < self.policy.max_attempts and not redirected:
                self.home_queue.append(parcel_id)
            elif (redirected or self.policy.after_max_attempts == "pickup_point") and len(self.pickup) > 0:
                parcels.wants_pickup[parcel_id] = True
                self.pickup_queue.append(parcel_id)
            else:
                self.return_to_sender(parcel_id, now)

    def hand_to_pickup_point(self, parcel_ids: tuple[int, ...], now: float) -> None:
        """Parcels left at a pickup point or locker; when (and whether) the customer collects is decided now."""
        parcels = self.ctx.parcels
        policy = self.policy
        point = int(parcels.pickup_point[parcel_ids[0]])
        locker = bool(self.pickup.is_locker[point])
        fee = policy.locker_fee if locker else policy.pickup_point_fee
        for parcel_id in parcel_ids:
            parcels.state[parcel_id] = ParcelState.AT_PICKUP_POINT
            parcels.via_pickup[parcel_id] = True
            parcels.pickup_handover_h[parcel_id] = now
            parcels.pickup_point_cost[parcel_id] += fee
            self.ctx.recorder.track(parcel_id, now, TrailEvent.MOVED_TO_PICKUP_POINT)
            key = int(parcels.key[parcel_id])
            collected = parcel_uniform(key, PICKUP_COLLECTED) < policy.pickup_collection_probability
            delay_days = -policy.pickup_collection_mean_days * math.log(parcel_uniform(key, PICKUP_DELAY))
            if collected and delay_days <= policy.pickup_hold_days:
                release = now + 24.0 * delay_days
            else:
                collected, release = False, now + 24.0 * policy.pickup_hold_days
            self.pickup_outcomes.append((parcel_id, release, collected))
            self.pickup.occupy(point, release)
        component = "locker_fee" if locker else "pickup_point_fee"
        self.ctx.ledger.post(now, STAGE, component, self.name, fee * len(parcel_ids))

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
        """At the end of the run, settle the pickup-point and carrier parcels whose time has come."""
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
        for parcel_id, outcome in self.carrier_outcomes:
            if outcome.time_h > end_h:
                continue
            parcels.attempts[parcel_id] = outcome.attempts
            if outcome.delivered:
                parcels.state[parcel_id] = ParcelState.DELIVERED
                parcels.delivered_time_h[parcel_id] = outcome.time_h
                parcels.first_attempt_success[parcel_id] = outcome.attempts == 1
                self.ctx.recorder.track(parcel_id, outcome.time_h, TrailEvent.DELIVERED)
            else:
                self.return_to_sender(parcel_id, outcome.time_h)

    # --- daily processes -------------------------------------------------------------------

    def _fixed_cost_loop(self) -> Generator[simpy.Event, Any, None]:
        """Vehicles are owned or leased by the day, used or not; so is a micro-hub."""
        env = self.ctx.env
        daily = sum(u.unit.count * u.vehicle.fixed_cost_per_day for u in self.units)
        rent = self.area.micro_hub.rent_per_day if self.area.micro_hub is not None else 0.0
        for day in range(self.ctx.days):
            yield env.timeout(day * 24.0 - env.now)
            self.ctx.ledger.post(env.now, STAGE, "vehicle_fixed", self.name, daily)
            self.ctx.ledger.post(env.now, STAGE, "micro_hub", self.name, rent)

    def _dispatch_loop(self, wave: str, depart_hour: float) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        for day in range(self.ctx.days):
            yield env.timeout(day * 24.0 + depart_hour - env.now)
            if self.gate is not None and self.gate.closed():
                continue  # the parcels wait at the depot for the first wave after the reopening
            if self.ctx.weekday(day) in self.fleet.delivery_weekdays:
                self._dispatch(day, wave, depart_hour)

    # --- planning ----------------------------------------------------------------------------

    def _pickup_stops(self, now: float) -> tuple[list[Stop], list[int]]:
        """One stop per pickup point with room; parcels whose points are full come back separately."""
        parcels = self.ctx.parcels
        policy = self.policy
        by_point: dict[int, list[int]] = {}
        no_room: list[int] = []
        for parcel_id in self.pickup_queue:
            point = self.pickup.choose(float(parcels.x_km[parcel_id]), float(parcels.y_km[parcel_id]), now)
            if point < 0:
                no_room.append(parcel_id)
                continue
            parcels.pickup_point[parcel_id] = point
            by_point.setdefault(point, []).append(parcel_id)
        stops = []
        for point in sorted(by_point):
            members = np.asarray(by_point[point], dtype=np.int64)
            n = len(members)
            stops.append(
                Stop(
                    float(self.pickup.xy[point, 0]), float(self.pickup.xy[point, 1]), tuple(members.tolist()), point,
                    float(parcels.volume_m3[members].sum()), float(parcels.weight_kg[members].sum()),
                    (policy.pickup_point_handover_min + policy.pickup_point_service_per_parcel_min * n) / 60.0,
                )
            )
        return stops, no_room

    def _home_stops(self, queue: list[int]) -> list[Stop]:
        """Home stops, oldest order first: one per parcel, or one per address when consolidating."""
        if not queue:
            return []
        parcels = self.ctx.parcels
        slots = self.area.time_windows.slots
        home = np.asarray(queue, dtype=np.int64)
        home = home[np.argsort(parcels.order_time_h[home], kind="stable")]
        service = self.products.service_time_multiplier[parcels.product[home]] * self.mean_service_h
        if not self.area.consolidate_same_address:
            return [
                Stop(x, y, (parcel_id,), -1, volume, weight, hours, slots[slot] if slot >= 0 else None)
                for parcel_id, x, y, volume, weight, hours, slot in zip(
                    home.tolist(), parcels.x_km[home].tolist(), parcels.y_km[home].tolist(),
                    parcels.volume_m3[home].tolist(), parcels.weight_kg[home].tolist(), service.tolist(),
                    parcels.slot[home].tolist(), strict=True,
                )
            ]
        # Group by (address, slot): parcels for one door on one day are one stop, in order of the oldest.
        groups: dict[tuple[int, int], list[int]] = {}
        expected: dict[tuple[int, int], float] = {}
        extra_h = self.area.extra_parcel_service_min / 60.0
        for parcel_id, hours, address, slot in zip(
            home.tolist(), service.tolist(), parcels.address[home].tolist(), parcels.slot[home].tolist(), strict=True
        ):
            group = (address if address >= 0 else -1 - parcel_id, slot)
            if group in groups:
                groups[group].append(parcel_id)
                expected[group] += extra_h
            else:
                groups[group] = [parcel_id]
                expected[group] = hours
        stops = []
        for group, members in groups.items():
            ids = np.asarray(members, dtype=np.int64)
            first = members[0]
            stops.append(Stop(
                float(parcels.x_km[first]), float(parcels.y_km[first]), tuple(members), -1,
                float(parcels.volume_m3[ids].sum()), float(parcels.weight_kg[ids].sum()), expected[group],
                slots[group[1]] if group[1] >= 0 else None,
            ))
        return stops

    def _dispatch(self, day: int, wave: str, depart_hour: float) -> None:
        now = self.ctx.env.now
        parcels = self.ctx.parcels
        if wave == "same_day":
            stops = self._home_stops(self.same_day_queue)
            self.same_day_queue = []
            fallback: list[int] = []
        else:
            pickup_stops, no_room = self._pickup_stops(now)
            # Customers who chose a point that is full get their parcel at home instead.
            fallback = [p for p in no_room if parcels.attempts[p] == 0 and not parcels.via_pickup[p]]
            for parcel_id in fallback:
                parcels.wants_pickup[parcel_id] = False
            fallen_back = set(fallback)
            waiting_for_room = [p for p in no_room if p not in fallen_back]
            stops = pickup_stops + self._home_stops(self.home_queue + fallback)
            self.home_queue, self.pickup_queue = [], waiting_for_room
        if not stops:
            return
        remaining = np.arange(len(stops))
        units = [u for u in self.units if u.unit.wave == wave and u.unit.count > 0]
        for ops in units:
            if remaining.size == 0:
                break
            if ops.vehicle.weather_downtime_probability > 0 and (
                self.weather_rng.random() < ops.vehicle.weather_downtime_probability
            ):
                continue  # grounded today
            eligible = remaining[self._eligible(ops, [stops[i] for i in remaining.tolist()])]
            if eligible.size == 0:
                continue
            assigned = self._launch(ops, day, wave, depart_hour, stops, eligible)
            remaining = np.setdiff1d(remaining, assigned, assume_unique=True)
        rebook = self.area.time_windows.rebook_after_days
        for index in remaining.tolist():
            stop = stops[index]
            for parcel_id in stop.parcels:
                parcels.days_waited[parcel_id] += 1
                if parcels.slot[parcel_id] >= 0 and parcels.days_waited[parcel_id] >= rebook:
                    parcels.slot[parcel_id] = -1  # the slot could not be kept: any time will do now
                if stop.pickup_point >= 0:
                    self.pickup.release_reservation(stop.pickup_point)
                    parcels.pickup_point[parcel_id] = -1
                    self.pickup_queue.append(parcel_id)
                else:
                    self.home_queue.append(parcel_id)  # same-day parcels that missed the wave join the next day

    def _eligible(self, ops: UnitOps, stops: list[Stop]) -> np.ndarray:
        """Which of these stops this unit may serve: product classes, parcel size, the zone, drone rules."""
        parcels = self.ctx.parcels
        vehicle = ops.vehicle
        allowed = np.ones(len(self.products), dtype=bool)
        if vehicle.products:
            allowed = np.isin(np.asarray(self.products.names), vehicle.products)
        max_weight = vehicle.max_parcel_weight_kg or math.inf
        max_volume = vehicle.max_parcel_volume_m3 or math.inf
        # The parcel rules over every parcel of every stop at once, then "all parcels of the stop pass".
        sizes = np.fromiter((len(s.parcels) for s in stops), dtype=np.int64, count=len(stops))
        ids = np.fromiter((p for s in stops for p in s.parcels), dtype=np.int64, count=int(sizes.sum()))
        parcel_ok = (
            allowed[parcels.product[ids]]
            & (parcels.weight_kg[ids] <= max_weight)
            & (parcels.volume_m3[ids] <= max_volume)
        )
        mask = np.logical_and.reduceat(parcel_ok, np.concatenate(([0], np.cumsum(sizes)[:-1])))
        if self.zone_radius_km >= 0 and ops.name not in self.zone_allowed:
            xy = np.array([(s.x_km, s.y_km) for s in stops])
            mask &= np.hypot(xy[:, 0], xy[:, 1]) > self.zone_radius_km
        if ops.is_drone:
            mask &= np.array([s.pickup_point < 0 and s.window is None for s in stops], dtype=bool)
        return mask

    def _launch(
        self, ops: UnitOps, day: int, wave: str, depart_hour: float, stops: list[Stop], eligible: np.ndarray
    ) -> np.ndarray:
        """Plan this unit's routes over the eligible stops, start them; return the stops it took."""
        fleet = self.fleet
        working_h = fleet.shift_hours - fleet.break_minutes / 60.0
        if ops.is_drone:
            plan = plan_sorties(ops, stops, eligible, fleet.shift_hours)
            jobs = [
                (np.asarray(sorties, dtype=np.int64), 2.0 * sum(math.hypot(stops[i].x_km - ops.start_xy[0],
                                                                           stops[i].y_km - ops.start_xy[1])
                                                                for i in sorties),
                 sum(sortie_hours(ops, stops[i]) for i in sorties))
                for sorties in plan if sorties
            ]
        else:
            problem = self._problem(ops, [stops[i] for i in eligible.tolist()], depart_hour, working_h)
            seed = int(self.planner_rng.integers(0, 2**31 - 1))
            result = make_planner(self.planner.planner, self.planner.time_budget_s, seed).plan(problem)
            jobs = [(eligible[route.stops], route.distance_km, route.duration_h) for route in result.routes]
        if any(ops.from_hub for _ in jobs[:1]):
            self._post_hub_shuttle(day)
        taken: list[np.ndarray] = []
        parcels = self.ctx.parcels
        now = self.ctx.env.now
        for indices, planned_km, planned_h in jobs:
            route_stops = [stops[i] for i in indices.tolist()]
            for stop in route_stops:
                ids = np.asarray(stop.parcels, dtype=np.int64)
                parcels.state[ids] = ParcelState.OUT_FOR_DELIVERY
                first_out = parcels.first_out_time_h[ids]
                parcels.first_out_time_h[ids] = np.where(np.isnan(first_out), now, first_out)
                for parcel_id in stop.parcels:
                    self.ctx.recorder.track(parcel_id, now, TrailEvent.OUT_FOR_DELIVERY)
            job = RouteJob(self.index * 1_000_000 + self.routes_started, day, wave, ops, route_stops,
                           planned_km, planned_h)
            self.routes_started += 1
            self.ctx.env.process(fly_sorties(self, job) if ops.is_drone else drive_route(self, job))
            taken.append(indices)
        return np.concatenate(taken) if taken else np.array([], dtype=np.int64)

    def _problem(self, ops: UnitOps, stops: list[Stop], depart_hour: float, working_h: float) -> RoutingProblem:
        """The routing problem of one unit: its speeds, capacity, range, and the stops' windows."""
        vehicle = ops.vehicle
        open_h, close_h = self.area.delivery_hours
        windows = None
        if any(s.window is not None for s in stops) or open_h > depart_hour or close_h < depart_hour + working_h:
            start = np.array([max(open_h, s.window[0] if s.window else 0.0) for s in stops]) - depart_hour
            end = np.array([min(close_h, s.window[1] if s.window else 24.0) for s in stops]) - depart_hour
            windows = (np.maximum(start, 0.0), end)
        return RoutingProblem(
            depot_xy=ops.start_xy,
            stop_xy=np.array([(s.x_km, s.y_km) for s in stops]),
            stop_volume_m3=np.array([s.volume_m3 for s in stops]),
            stop_service_h=np.array([s.expected_service_h * vehicle.service_time_factor for s in stops]),
            stop_priority=np.arange(len(stops)),
            vehicle_capacity_m3=vehicle.capacity_m3,
            max_route_hours=working_h,
            max_routes=ops.unit.count,
            circuity=self.area.circuity,
            area_speed_kmh=ops.area_speed_kmh / ops.expected_congestion,
            stem_speed_kmh=ops.stem_speed_kmh / ops.expected_congestion,
            stop_weight_kg=np.array([s.weight_kg for s in stops]),
            vehicle_payload_kg=vehicle.payload_kg,
            max_route_km=vehicle.range_km,
            stop_tw_start_h=None if windows is None else windows[0],
            stop_tw_end_h=None if windows is None else windows[1],
        )

    def _post_hub_shuttle(self, day: int) -> None:
        """The line-haul shuttle that brings the day's parcels from the depot to the micro-hub and back."""
        if self.hub_xy is None:
            return
        linehaul = self.ctx.scenario.linehaul
        km = 2.0 * self.geometry.road_km(float(self.geometry.depot_xy[0]), float(self.geometry.depot_xy[1]),
                                         float(self.hub_xy[0]), float(self.hub_xy[1]))
        hours = km / self.area.stem_speed_kmh + linehaul.loading_hours
        now = self.ctx.env.now
        facility = f"{self.name}->hub"
        ledger = self.ctx.ledger
        ledger.post(now, STAGE, "vehicle_distance", facility, km * linehaul.cost_per_km)
        ledger.post(now, STAGE, "driver_time", facility, hours * linehaul.driver_cost_per_hour)
        ledger.post(now, STAGE, "vehicle_fixed", facility, linehaul.fixed_cost_per_vehicle_day)
        self.ctx.emissions.post(now, STAGE, "vehicle_distance", facility, km * linehaul.co2e_kg_per_km)
