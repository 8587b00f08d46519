"""Line-haul lanes: trucks that consolidate loads on a dock and leave by a dispatch policy.

A lane runs from one origin to one or more stops. A direct lane has one stop; a
multi-stop run has several, visited in order by the same truck, with one queue
for the whole run. Three dispatch policies decide when a truck leaves
(``full_or_cutoff``, ``fixed_times``, ``hybrid``; see ``sim.scenario.schema``).
A load too small to fill a truck to ``linehaul.ltl.below_fill`` can go by a
less-than-truckload (LTL) carrier instead, paid by tariff.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator, Sequence
from typing import Any

import numpy as np
import simpy

from sim.ledger import Stage
from sim.model.context import SimContext
from sim.model.products import ProductTable
from sim.records import TripRecord
from sim.scenario.schema import Dispatch, FixedTimes, FullOrCutoff, Hybrid, LessThanTruckload

Receiver = Callable[[np.ndarray], None]


class Stop:
    """One destination of a lane, with the units queued for it and on the road to it.

    Offering goods to a stop puts them on the lane's shared dock; the per-stop
    counters let each receiving warehouse reconcile what it has on order.
    """

    def __init__(self, lane: Lane, index: int, name: str, leg_km: float, direct_km: float) -> None:
        self.lane = lane
        self.index = index
        self.name = name
        self.leg_km = leg_km  # from the previous stop, or from the origin for the first stop
        self.direct_km = direct_km  # origin <-> this stop: the empty return from it, and the LTL distance
        self.receiver: Receiver | None = None
        n = len(lane.products)
        self.queued_units = np.zeros(n, dtype=np.int64)
        self.in_transit = np.zeros(n, dtype=np.int64)

    def offer(self, product: int, units: int) -> None:
        """Put goods for this stop on the lane's dock."""
        self.lane.offer(product, units, self.index)

    def deliver(self, load: np.ndarray) -> None:
        """Hand a load over to the receiving warehouse."""
        if self.receiver is None:
            raise RuntimeError(f"lane {self.lane.name}: stop '{self.name}' has no receiving warehouse")
        self.in_transit -= load
        self.lane.in_transit -= load
        self.receiver(load)


class Lane:
    """An origin -> stop(s) truck lane with one consolidation queue, a dispatch policy and optional LTL."""

    def __init__(
        self,
        ctx: SimContext,
        stage: Stage,
        origin: str,
        route: Sequence[tuple[str, float, float]],
        products: ProductTable,
        dispatch: Dispatch | None = None,
    ) -> None:
        """``route`` lists the stops in visiting order as (name, km from the previous point, km from the origin)."""
        self.ctx = ctx
        self.stage = stage
        self.origin = origin
        self.products = products
        self.stops = [Stop(self, i, name, leg, direct) for i, (name, leg, direct) in enumerate(route)]
        self.destination = "+".join(stop.name for stop in self.stops)
        self.name = f"{origin}->{self.destination}"
        self.config = ctx.scenario.linehaul
        self.dispatch = dispatch if dispatch is not None else self.config.dispatch
        # The stream of a direct lane keeps its name, so adding runs elsewhere leaves its draws unchanged.
        self.rng = ctx.streams.get(f"linehaul/{self.name}")
        self.queue: deque[list[Any]] = deque()  # [product, units, stop, time offered], first in first out
        self.queued_units = np.zeros(len(products), dtype=np.int64)
        self.in_transit = np.zeros(len(products), dtype=np.int64)
        self._queued_volume = 0.0
        self._goods_arrived: simpy.Event | None = None  # the hybrid clock sleeps on it while the dock is empty
        self._leaves_when_full = not isinstance(self.dispatch, FixedTimes)
        # The places a line-haul delay names to hit this lane: its origin and its stops.
        self.sites = frozenset([origin, *(stop.name for stop in self.stops)])
        # A closed warehouse ships nothing: its lanes hold their trucks until it reopens. None: never closes.
        self.origin_gate = ctx.disruptions.gate(origin, ctx.env) if stage == "central_to_regional" else None
        if self.origin_gate is not None:
            self.origin_gate.on_reopen(self._dispatch_full)
        if isinstance(self.dispatch, FullOrCutoff):
            cutoff = self.dispatch.cutoff_hour
            ctx.env.process(self._daily_departures((self.config.cutoff_hour if cutoff is None else cutoff,)))
        elif isinstance(self.dispatch, FixedTimes):
            ctx.env.process(self._daily_departures(self.dispatch.times))
        elif isinstance(self.dispatch, Hybrid):
            ctx.env.process(self._max_wait_loop(self.dispatch.max_wait_hours))

    def attach(self, name: str, receiver: Receiver) -> Stop:
        """Connect the receiving warehouse of stop ``name``; returns the stop to offer goods to."""
        for stop in self.stops:
            if stop.name == name:
                stop.receiver = receiver
                return stop
        raise KeyError(f"lane {self.name} has no stop '{name}'")

    def offer(self, product: int, units: int, stop: int = 0) -> None:
        """Put goods on the dock for this lane; unless trucks leave only at fixed times, full ones leave now."""
        if units <= 0:
            return
        self.queue.append([product, units, stop, self.ctx.env.now])
        self.queued_units[product] += units
        self.stops[stop].queued_units[product] += units
        self._queued_volume += units * self.products.volume_m3[product]
        if self._goods_arrived is not None and not self._goods_arrived.triggered:
            self._goods_arrived.succeed()
        if self._leaves_when_full:
            self._dispatch_full()

    def _dispatch_full(self) -> None:
        """Full trucks leave now (unless trucks leave only at fixed times, or the origin is closed)."""
        if not self._leaves_when_full or self._origin_closed():
            return
        while self._queued_volume >= self.config.truck_capacity_m3 - 1e-9:
            self._dispatch()

    def _origin_closed(self) -> bool:
        return self.origin_gate is not None and self.origin_gate.closed()

    # --- dispatch policies ----------------------------------------------------------------

    def _daily_departures(self, hours: Sequence[float]) -> Generator[simpy.Event, Any, None]:
        """At each of ``hours`` every day, everything waiting leaves, in as many trucks as it needs."""
        env = self.ctx.env
        day = 0
        while True:
            for hour in hours:
                yield env.timeout(day * 24.0 + hour - env.now)
                if self._origin_closed():
                    continue  # the goods wait for the first departure after the reopening
                while self.queue:
                    self._dispatch()
            day += 1

    def _max_wait_loop(self, max_wait_hours: float) -> Generator[simpy.Event, Any, None]:
        """Hybrid policy: the goods at the head of the queue never wait longer than ``max_wait_hours``.

        Full trucks leave from ``offer``; this clock only sends the partial load
        whose oldest goods reached the limit. It sleeps while the dock is empty,
        so a quiet lane spends no events.
        """
        env = self.ctx.env
        while True:
            if not self.queue:
                self._goods_arrived = env.event()
                yield self._goods_arrived
                continue
            due = self.queue[0][3] + max_wait_hours
            if self.origin_gate is not None and self.origin_gate.closed():
                yield env.timeout(self.origin_gate.reopens_at() - env.now)
            elif env.now >= due - 1e-9:
                while self.queue:
                    self._dispatch()
            else:
                # The head may leave in a full truck meanwhile: the loop then looks at the new head.
                yield env.timeout(due - env.now)

    # --- loading ----------------------------------------------------------------------------

    def _dispatch(self) -> None:
        """Load one truck from the head of the queue, splitting the last batch if it does not fit."""
        capacity = self.config.truck_capacity_m3
        load = np.zeros((len(self.stops), len(self.products)), dtype=np.int64)
        # Unit-hours the load waited on the dock, per stop: the consolidation's share of the replenishment lead time.
        waited = np.zeros(len(self.stops))
        now = self.ctx.env.now
        volume = 0.0
        while self.queue:
            product, units, stop, offered = self.queue[0]
            unit_volume = float(self.products.volume_m3[product])
            fits = min(units, math.floor((capacity - volume) / unit_volume + 1e-9))
            if fits <= 0:
                if volume == 0.0:  # a single unit larger than a truck still travels, alone
                    fits = 1
                else:
                    break
            load[stop, product] += fits
            waited[stop] += fits * (now - offered)
            volume += fits * unit_volume
            if fits == units:
                self.queue.popleft()
            else:
                self.queue[0][1] = units - fits
        total = load.sum(axis=0)
        self.queued_units -= total
        self._queued_volume = max(0.0, self._queued_volume - volume)
        self.in_transit += total
        for stop in self.stops:
            stop.queued_units -= load[stop.index]
            stop.in_transit += load[stop.index]
        ltl = self.config.ltl
        if ltl is not None and volume / capacity < ltl.below_fill:
            for stop in self.stops:
                if load[stop.index].any():
                    wait = float(waited[stop.index] / load[stop.index].sum())
                    self.ctx.env.process(self._ltl_consignment(ltl, stop, load[stop.index], wait))
        else:
            self.ctx.env.process(self._trip(load, volume, float(waited.sum() / max(1, int(total.sum())))))

    # --- own truck (FTL) -----------------------------------------------------------------

    def _trip(self, load: np.ndarray, volume: float, dock_wait_h: float) -> Generator[simpy.Event, Any, None]:
        """One truck: out through the stops it has goods for, in route order, and back when ``empty_return``.

        ``dock_wait_h`` is the mean time its units waited on the dock (for the trips table).
        """
        env = self.ctx.env
        config = self.config
        sigma = config.transit_time_sigma
        # One transit factor per trip: the day's conditions slow every leg of it alike.
        factor = math.exp(sigma * float(self.rng.standard_normal()) - 0.5 * sigma * sigma)
        served = [stop for stop in self.stops if load[stop.index].any()]
        # The truck goes straight to the first stop it serves, then along the route, passing skipped stops.
        out_km = served[0].direct_km
        offsets: list[float] = []  # hours from departure to each drop
        drops = 0
        for stop in self.stops[served[0].index:served[-1].index + 1]:
            if stop is not served[0]:
                out_km += stop.leg_km
            if load[stop.index].any():
                offsets.append(config.loading_hours + out_km / config.speed_kmh * factor + drops * config.drop_hours)
                drops += 1
        depart = env.now
        # A line-haul disruption holds the truck up on the way out: every drop is later, the driver is paid.
        delay_h = self.ctx.disruptions.linehaul_delay_h(self.sites, depart)
        offsets = [offset + delay_h for offset in offsets]
        back_km = served[-1].direct_km if config.empty_return else 0.0
        km = out_km + back_km
        transit_h = out_km / config.speed_kmh * factor + delay_h
        driver_h = (config.loading_hours + (transit_h + back_km / config.speed_kmh * factor)
                    + (drops - 1) * config.drop_hours)
        vehicle = km * config.cost_per_km
        driver = driver_h * config.driver_cost_per_hour
        # The truck is tied up for the whole round trip: every started day is paid.
        fixed = config.fixed_cost_per_vehicle_day * max(1, math.ceil(driver_h / 24.0 - 1e-9))
        ledger = self.ctx.ledger
        ledger.post(depart, self.stage, "vehicle_distance", self.name, vehicle)
        ledger.post(depart, self.stage, "driver_time", self.name, driver)
        ledger.post(depart, self.stage, "vehicle_fixed", self.name, fixed)
        co2e = km * config.co2e_kg_per_km
        self.ctx.emissions.post(depart, self.stage, "vehicle_distance", self.name, co2e)
        # Recorded when it leaves, like its costs, so a truck still on the road at the end is in the table.
        arrive = depart + config.loading_hours + transit_h + (drops - 1) * config.drop_hours
        self._record(self._served_name(served), depart, arrive, load, volume, km,
                     vehicle + driver + fixed, co2e, "FTL", drops, dock_wait_h)
        elapsed = 0.0
        for stop, offset in zip(served, offsets, strict=True):
            yield env.timeout(offset - elapsed)
            elapsed = offset
            self._post_pipeline_holding(stop, load[stop.index], depart)
            stop.deliver(load[stop.index])

    # --- less than truckload (LTL) ---------------------------------------------------------

    def _ltl_consignment(
        self, ltl: LessThanTruckload, stop: Stop, load: np.ndarray, dock_wait_h: float
    ) -> Generator[simpy.Event, Any, None]:
        """One consignment to one stop by an LTL carrier: a tariff by volume and distance, no own truck."""
        env = self.ctx.env
        config = self.config
        depart = env.now
        volume = float(load @ self.products.volume_m3)
        km = stop.direct_km
        cost = max(ltl.minimum_charge, ltl.rate_per_m3_per_100km * volume * km / 100.0)
        self.ctx.ledger.post(depart, self.stage, "ltl_freight", self.name, cost)
        # ASSUMPTION: the carrier's truck emits per m3-km the own truck's factor spread over its capacity;
        # it consolidates with other shippers' goods, so no empty return is charged to this consignment.
        co2e = volume * km * config.co2e_kg_per_km / config.truck_capacity_m3
        self.ctx.emissions.post(depart, self.stage, "ltl_freight", self.name, co2e)
        transit_h = ltl.transit_days * 24.0 + self.ctx.disruptions.linehaul_delay_h(self.sites, depart)
        self._record(stop.name, depart, depart + transit_h, load, volume, km, cost, co2e, "LTL", 1, dock_wait_h)
        yield env.timeout(transit_h)
        self._post_pipeline_holding(stop, load, depart)
        stop.deliver(load)

    # --- shared bookkeeping ------------------------------------------------------------------

    def _post_pipeline_holding(self, stop: Stop, load: np.ndarray, depart: float) -> None:
        """Goods on the road are still the company's inventory: pipeline holding cost up to their drop."""
        now = self.ctx.env.now
        holding = float(load @ self.products.holding_cost_per_unit_hour()) * (now - depart)
        self.ctx.ledger.post(now, self.stage, "inventory_holding", self.name, holding)

    def _served_name(self, served: list[Stop]) -> str:
        return self.destination if len(served) == len(self.stops) else "+".join(s.name for s in served)

    def _record(
        self, destination: str, depart: float, arrive: float, load: np.ndarray, volume: float, km: float,
        cost: float, co2e: float, mode: str, stops: int, dock_wait_h: float,
    ) -> None:
        trips = self.ctx.recorder.trips
        trips.append(
            TripRecord(
                len(trips), self.stage, self.origin, destination, depart, arrive, int(load.sum()), volume,
                volume / self.config.truck_capacity_m3, km, cost, co2e, mode, stops, dock_wait_h,
            )
        )
