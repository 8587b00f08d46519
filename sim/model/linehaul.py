"""Line-haul lanes: trucks that consolidate loads and leave when full or at the daily cut-off."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy

from sim.model.context import SimContext
from sim.model.products import ProductTable

Receiver = Callable[[np.ndarray], None]


class Lane:
    """One origin -> destination truck lane with a consolidation queue.

    Goods offered to the lane wait at the origin's dock. Whenever a full
    truckload (by volume) is waiting, a truck leaves at once; at the daily
    cut-off hour whatever is waiting leaves in a partly filled truck.
    """

    def __init__(
        self,
        ctx: SimContext,
        stage: str,
        origin: str,
        destination: str,
        distance_km: float,
        products: ProductTable,
        receiver: Receiver,
    ) -> None:
        self.ctx = ctx
        self.stage = stage
        self.origin = origin
        self.destination = destination
        self.distance_km = distance_km
        self.products = products
        self.receiver = receiver
        self.config = ctx.scenario.linehaul
        self.rng = ctx.streams.get(f"linehaul/{origin}->{destination}")
        self.queue: deque[list[int]] = deque()  # [product, units], first in first out
        self.queued_units = np.zeros(len(products), dtype=np.int64)
        self.in_transit = np.zeros(len(products), dtype=np.int64)
        self._queued_volume = 0.0
        ctx.env.process(self._cutoff_loop())

    def offer(self, product: int, units: int) -> None:
        """Put goods on the dock for this lane; full trucks leave immediately."""
        if units <= 0:
            return
        self.queue.append([product, units])
        self.queued_units[product] += units
        self._queued_volume += units * self.products.volume_m3[product]
        while self._queued_volume >= self.config.truck_capacity_m3 - 1e-9:
            self._dispatch()

    def _cutoff_loop(self) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        cutoff = self.config.cutoff_hour
        day = 0
        while True:
            yield env.timeout(day * 24.0 + cutoff - env.now)
            while self.queue:
                self._dispatch()
            day += 1

    def _dispatch(self) -> None:
        """Load one truck from the head of the queue, splitting the last batch if it does not fit."""
        capacity = self.config.truck_capacity_m3
        load = np.zeros(len(self.products), dtype=np.int64)
        volume = 0.0
        while self.queue:
            product, units = self.queue[0]
            unit_volume = float(self.products.volume_m3[product])
            fits = min(units, math.floor((capacity - volume) / unit_volume + 1e-9))
            if fits <= 0:
                if volume == 0.0:  # a single unit larger than a truck still travels, alone
                    fits = 1
                else:
                    break
            load[product] += fits
            volume += fits * unit_volume
            if fits == units:
                self.queue.popleft()
            else:
                self.queue[0][1] = units - fits
        self.queued_units -= load
        self._queued_volume = max(0.0, self._queued_volume - volume)
        self.in_transit += load
        self.ctx.env.process(self._trip(load, volume))

    def _trip(self, load: np.ndarray, volume: float) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        config = self.config
        sigma = config.transit_time_sigma
        factor = math.exp(sigma * float(self.rng.standard_normal()) - 0.5 * sigma * sigma)
        transit_h = self.distance_km / config.speed_kmh * factor
        depart = env.now
        legs = 2.0 if config.empty_return else 1.0
        km = self.distance_km * legs
        driver_h = config.loading_hours + transit_h * legs
        vehicle = km * config.cost_per_km
        driver = driver_h * config.driver_cost_per_hour
        # The truck is tied up for the whole round trip: every started day is paid.
        fixed = config.fixed_cost_per_vehicle_day * max(1, math.ceil(driver_h / 24.0 - 1e-9))
        ledger = self.ctx.ledger
        facility = f"{self.origin}->{self.destination}"
        ledger.post(depart, self.stage, "vehicle_distance", facility, vehicle)
        ledger.post(depart, self.stage, "driver_time", facility, driver)
        ledger.post(depart, self.stage, "vehicle_fixed", facility, fixed)
        co2e = km * config.co2e_kg_per_km
        self.ctx.emissions.post(depart, self.stage, "vehicle_distance", facility, co2e)
        # Recorded when it leaves, like its costs, so a truck still on the road at the end is in the table.
        self.ctx.recorder.trips.append(
            (
                len(self.ctx.recorder.trips), self.stage, self.origin, self.destination, depart,
                depart + config.loading_hours + transit_h, int(load.sum()), volume,
                volume / config.truck_capacity_m3, km, vehicle + driver + fixed, co2e,
            )
        )
        yield env.timeout(config.loading_hours + transit_h)
        # Goods in a truck are still the company's inventory: pipeline holding cost.
        holding = float(load @ self.products.holding_cost_per_unit_hour()) * (env.now - depart)
        ledger.post(env.now, self.stage, "inventory_holding", facility, holding)
        self.in_transit -= load
        self.receiver(load)
