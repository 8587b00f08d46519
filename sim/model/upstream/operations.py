"""Warehouse operations that take time: picking by a crew working shifts, receiving at dock doors.

Both are small SimPy building blocks that know nothing about parcels or stock:
they hold a ``simpy.Resource`` (pickers, dock doors), draw service times from a
generator they are given, and call back when the work is done. The warehouses
decide what "done" means (a parcel goes to the depot, units go on the shelf),
and a test harness can drive the same blocks with plain integers to compare
them with queueing theory.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

HOURS_PER_DAY = 24.0
# Closer than this to a shift's start or end counts as at it (far below any modelled duration).
SHIFT_EPS_H = 1e-9
MINUTES_PER_HOUR = 60.0


@dataclass(frozen=True)
class Shift:
    """The daily hours a crew is at work: ``start_hour`` for ``hours`` (24 hours: always)."""

    start_hour: float = 0.0
    hours: float = HOURS_PER_DAY

    def wait_h(self, now_h: float) -> float:
        """Hours from ``now_h`` until the crew is at work (0 during the shift)."""
        if self.hours >= HOURS_PER_DAY:
            return 0.0
        since_start = (now_h - self.start_hour) % HOURS_PER_DAY
        # A wait below the clock's resolution would not move it: that is the shift's start.
        if since_start < self.hours or HOURS_PER_DAY - since_start < SHIFT_EPS_H:
            return 0.0
        return HOURS_PER_DAY - since_start


class PickingStation:
    """Orders picked one at a time by ``pickers`` people, first come first served, during the shift.

    An order is submitted when its stock is reserved. It waits for a free picker;
    a picker granted an order outside the shift holds it until the shift starts
    (the crew is absent, and the order keeps its place in line). A pick that has
    begun is finished even if the shift ends meanwhile. ``done(order, wait_h)``
    is called when the pick ends, with the time the order spent waiting for a
    picker (including any wait for the shift), the M/M/c "waiting time in queue".
    ``closed_h(now)``, when given, is how many hours the warehouse stays closed
    (0 when open): a picker granted an order then waits, as outside the shift.
    """

    def __init__(
        self,
        env: simpy.Environment,
        pickers: int,
        pick_minutes_mean: float,
        rng: np.random.Generator,
        done: Callable[[int, float], None],
        shift: Shift | None = None,
        closed_h: Callable[[float], float] | None = None,
    ) -> None:
        self.env = env
        self.pickers = simpy.Resource(env, capacity=pickers)
        self.closed_h = closed_h
        self.pick_hours_mean = pick_minutes_mean / MINUTES_PER_HOUR
        self.rng = rng
        self.done = done
        self.shift = shift if shift is not None else Shift()

    def submit(self, order: int) -> None:
        """An order joins the line for a picker."""
        self.env.process(self._work(order))

    def _away_h(self, now: float) -> float:
        """Hours until the crew can pick: the wait for the shift and, with closures, for the reopening."""
        off_shift = self.shift.wait_h(now)
        return off_shift if self.closed_h is None else max(off_shift, self.closed_h(now))

    def _work(self, order: int) -> Generator[simpy.Event, Any, None]:
        env = self.env
        joined = env.now
        with self.pickers.request() as request:
            yield request
            # Off shift or (with a closure) closed: the crew is away; wait until neither holds.
            while (away := self._away_h(env.now)) > 0:
                yield env.timeout(away)
            wait_h = env.now - joined
            # Drawn when the pick starts, so the draws follow the (deterministic) order of service.
            yield env.timeout(self.rng.exponential(self.pick_hours_mean))
        self.done(order, wait_h)


class DockReceiving:
    """Trucks unloaded at ``dock_doors`` doors, then put away unit by unit.

    A truck waits for a free door and holds it while it is unloaded
    (``unload_hours`` per truck, fixed or exponential). Once unloaded, the door
    is free again and ``unloaded(load)`` decides what skips the shelf (cross-
    docking) and returns the units still to be put away; those become available
    after ``putaway_minutes_per_unit`` each, through ``put_away(units)``.
    Put-away labour is not a constrained resource here: the receiving crew is
    assumed to keep up, so put-away adds a delay proportional to the load only.
    """

    def __init__(
        self,
        env: simpy.Environment,
        dock_doors: int,
        unload_hours: float,
        exponential_unload: bool,
        putaway_minutes_per_unit: float,
        rng: np.random.Generator,
        unloaded: Callable[[np.ndarray], np.ndarray],
        put_away: Callable[[np.ndarray], None],
    ) -> None:
        self.env = env
        self.doors = simpy.Resource(env, capacity=dock_doors)
        self.unload_hours = unload_hours
        self.exponential_unload = exponential_unload
        self.putaway_hours_per_unit = putaway_minutes_per_unit / MINUTES_PER_HOUR
        self.rng = rng
        self.unloaded = unloaded
        self.put_away = put_away

    def receive(self, load: np.ndarray) -> None:
        """A truck is at the yard with ``load`` (units per product)."""
        self.env.process(self._truck(load.copy()))

    def _truck(self, load: np.ndarray) -> Generator[simpy.Event, Any, None]:
        env = self.env
        with self.doors.request() as request:
            yield request
            # Only an exponential unload draws: a fixed one leaves the stream untouched.
            hours = self.rng.exponential(self.unload_hours) if self.exponential_unload else self.unload_hours
            if hours > 0:
                yield env.timeout(hours)
        rest = self.unloaded(load)
        units = int(rest.sum())
        if units == 0:
            return
        if self.putaway_hours_per_unit > 0:
            yield env.timeout(units * self.putaway_hours_per_unit)
        self.put_away(rest)


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean waiting time in queue of an M/M/c queue (Erlang C), in the time unit of the rates."""
    offered = arrival_rate / service_rate
    rho = offered / servers
    if rho >= 1:
        raise ValueError(f"unstable queue: utilisation {rho:.3f} >= 1")
    term = 1.0
    total = 1.0  # sum of offered^k / k! for k < servers
    for k in range(1, servers):
        term *= offered / k
        total += term
    last = term * offered / servers / (1 - rho)  # offered^c / c! / (1 - rho)
    probability_wait = last / (total + last)
    return probability_wait / (servers * service_rate - arrival_rate)
