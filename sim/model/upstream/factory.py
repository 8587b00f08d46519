"""Factories: production against the central warehouses' replenishment orders.

Two modes (``Factory.mode``):

* ``daily_batch`` (the default): once a day, at the production hour, the plant
  makes up to its daily capacity from the oldest open orders and hands the units
  to the lane towards the ordering warehouse. No events are spent between
  batches.
* ``continuous``: production is a SimPy process over time. The daily capacity
  is spread over a shift; the line makes one product at a time in runs of at
  least a minimum batch, loses set-up time when it switches product and is
  stopped by random breakdowns (SimPy's machine-shop pattern: a breakdown
  interrupts the production process, which keeps the work already done and
  resumes the rest after the repair). Orders are served from finished-goods
  stock first; what is left waits first come, first served. Under make-to-order
  the line makes what the order book needs (rounded up to a batch, the surplus
  going to finished-goods stock); under make-to-stock it keeps finished goods at
  a target of some days of the demand it serves.

Production cost is not logistics cost and is not in the ledger.
"""

from __future__ import annotations

import contextlib
import math
from collections import deque
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.model.context import HOURS_PER_DAY, SimContext
from sim.model.ports import OutboundLane
from sim.model.products import ProductTable
from sim.records import PlantRecord
from sim.scenario.schema import Factory

# Finished units leave the line at least this often while a long run is in progress (like pallets
# coming off the end of the line), so a run of several days feeds the lane as it goes. A few events
# a day per plant: cheap next to the parcels.
RELEASE_EVERY_H = 4.0
_EPS_H = 1e-9


class Plant:
    """A factory: its order book, its finished-goods stock and (in continuous mode) its production line.

    Public state read by the rest of the model: ``produced`` (units made, per
    product; the conservation identity's supply), ``fg_stock`` (finished goods
    waiting at the factory, per product; the identity's ``at_factory`` term) and
    ``backlog_units`` (ordered and not yet handed to a lane, per product).
    """

    def __init__(self, ctx: SimContext, config: Factory, products: ProductTable) -> None:
        self.ctx = ctx
        self.config = config
        self.name = config.name
        n = len(products)
        self.orders: deque[list[Any]] = deque()  # daily_batch: [lane, product, units remaining]
        self.produced = np.zeros(n, dtype=np.int64)
        self.backlog_units = np.zeros(n, dtype=np.int64)
        self.fg_stock = np.zeros(n, dtype=np.int64)
        # Plain logs for the KPIs (a handful of entries a day): (time_h, product, units) of finished
        # units, (time_h, product) of set-ups, and [start_h, end_h] of breakdowns.
        self.output_log: list[tuple[float, int, int]] = []
        self.setup_log: list[tuple[float, int]] = []
        self.downtime_log: list[tuple[float, float]] = []
        self._outages = ctx.disruptions.affects_factory(config.name)  # False: no outage query, ever
        if config.mode == "daily_batch":
            ctx.env.process(self._production_loop())
            return
        self.rate_per_hour = config.capacity_units_per_day / config.shift_hours
        self.makes = [products.index(p) for p in config.products]
        self.batch = np.ones(n, dtype=np.int64)
        for name in config.products:
            self.batch[products.index(name)] = config.batch_units(name)
        self.daily_demand = self._daily_demand(products)
        days = np.array([config.target_days(name) for name in products.names])
        self.fg_target = np.ceil(days * self.daily_demand).astype(np.int64)
        self.waiting: list[deque[list[Any]]] = [deque() for _ in range(n)]  # per product: [seq, lane, units]
        self._sequence = 0  # arrival number of an order: first come, first served across products
        self._set_up_for: int | None = None  # the line starts set up for nothing: the first run needs a set-up
        self._wakeup: simpy.Event | None = None  # triggered by an order while the line is idle
        self._working = False  # the line is inside a working step (only then may a breakdown interrupt it)
        self._broken = False
        self._repaired: simpy.Event | None = None
        self._line = ctx.env.process(self._line_loop())
        if config.mtbf_hours is not None:
            self.rng = ctx.streams.get(f"breakdowns/{config.name}")
            ctx.env.process(self._breakdown_loop())

    # --- orders ---------------------------------------------------------------------------------

    def request(self, lane: OutboundLane, product: int, units: int) -> None:
        """A warehouse orders ``units`` of ``product``, to be shipped on ``lane``."""
        if units <= 0:
            return
        if self.config.mode == "daily_batch":
            self.orders.append([lane, product, int(units)])
            self.backlog_units[product] += units
            return
        units = int(units)
        shipped = min(units, int(self.fg_stock[product]))
        if shipped:
            self.fg_stock[product] -= shipped
            lane.offer(product, shipped)
        if units > shipped:
            self._sequence += 1
            self.waiting[product].append([self._sequence, lane, units - shipped])
            self.backlog_units[product] += units - shipped
        self._wake()

    def _wake(self) -> None:
        if self._wakeup is not None and not self._wakeup.triggered:
            self._wakeup.succeed()

    # --- daily batch (the default) --------------------------------------------------------------

    def _production_loop(self) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        day = 0
        while True:
            yield env.timeout(day * 24.0 + self.config.production_hour - env.now)
            capacity = int(self.config.capacity_units_per_day)
            if self._outages:
                # An outage leaves the share of the day's capacity it allows at the production hour.
                share = self.ctx.disruptions.capacity_factor(self.name, env.now)
                capacity = int(self.config.capacity_units_per_day * share)
            while self.orders and capacity > 0:
                lane, product, units = self.orders[0]
                made = min(units, capacity)
                capacity -= made
                self.produced[product] += made
                self.backlog_units[product] -= made
                self.output_log.append((env.now, product, made))
                if made == units:
                    self.orders.popleft()
                else:
                    self.orders[0][2] = units - made
                lane.offer(product, made)
            day += 1

    # --- continuous production --------------------------------------------------------------------

    def _daily_demand(self, products: ProductTable) -> np.ndarray:
        """Mean units a day of each product this plant serves: the orders and shop sales of the areas it supplies."""
        scenario = self.ctx.scenario
        daily = np.zeros(len(products))
        for central in scenario.central_warehouses:
            orders = sum(r.expected_units_per_day for r in scenario.regional_warehouses
                         if r.supplier == central.name)
            for p in self.makes:
                if scenario.factory_for(central, products.names[p]).factory == self.name:
                    daily[p] += orders * products.share[p]
        return daily

    def _next_run(self) -> tuple[int, int] | None:
        """What the line makes next, (product, units), or None when nothing is needed."""
        if self.config.policy == "make_to_order":
            # The product of the oldest open order; the run covers all that is open for it.
            heads = [(self.waiting[p][0][0], p) for p in self.makes if self.waiting[p]]
            if not heads:
                return None
            product = min(heads)[1]
            return product, max(int(self.batch[product]), int(self.backlog_units[product]))
        # Make-to-stock: the product furthest below its target (relative to the target) goes first;
        # open orders count against the stock, so a product with a backlog and no target is urgent too.
        best: tuple[float, int] | None = None
        for p in self.makes:
            position = int(self.fg_stock[p]) - int(self.backlog_units[p])
            target = int(self.fg_target[p])
            if position >= target:
                continue
            cover = position / target if target > 0 else -math.inf
            if best is None or cover < best[0]:
                best = (cover, p)
        if best is None:
            return None
        product = best[1]
        need = int(self.fg_target[product]) - (int(self.fg_stock[product]) - int(self.backlog_units[product]))
        return product, max(int(self.batch[product]), need)

    def _line_loop(self) -> Generator[simpy.Event, Any, None]:
        """The production line: pick a run, set up if the product changes, make it, repeat."""
        env = self.ctx.env
        while True:
            run = self._next_run()
            if run is None:
                self._wakeup = env.event()
                # A breakdown that raced with the end of the last step may interrupt this wait: look again.
                with contextlib.suppress(simpy.Interrupt):
                    yield self._wakeup
                self._wakeup = None
                continue
            product, units = run
            if self._set_up_for != product and self.config.setup_hours > 0:
                self.setup_log.append((env.now, product))
                yield from self._work(self.config.setup_hours)
            self._set_up_for = product
            made = 0
            hours = units / self.rate_per_hour
            worked = 0.0  # working hours spent on this run so far
            while made < units:
                worked += yield from self._work(min(hours - worked, RELEASE_EVERY_H), single_step=True)
                # Whole units are finished; the run's last step finishes it exactly (no rounding loss).
                if worked >= hours - _EPS_H:
                    done = units
                else:
                    done = min(units, math.floor(worked * self.rate_per_hour + 1e-9))
                if done > made:
                    self._finish(product, done - made)
                    made = done

    def _work(self, hours: float, single_step: bool = False) -> Generator[simpy.Event, Any, float]:
        """Spend ``hours`` of working time on the line, only during the shift and while it is not broken.

        Returns the working time done. With ``single_step`` it returns after the first stretch of
        work (at the end of the shift, at a breakdown, at a change of speed, or when done), so that
        the caller can hand finished units over as they come off the line.

        An outage slows the line to its capacity share: work progresses at real time x speed, so
        ``worked x rate`` stays the units made. Steps end where the speed changes (an outage's
        start, end, and at least hourly during its recovery); at speed 0 the line waits.
        """
        env = self.ctx.env
        done = 0.0
        while hours - done > _EPS_H:
            start = env.now
            working = False
            speed = 1.0
            try:
                if self._broken:
                    assert self._repaired is not None
                    yield self._repaired
                    continue
                left, wait = self._shift_left(env.now)
                if left <= _EPS_H:
                    yield env.timeout(wait)
                    continue
                step = min(hours - done, left)
                if self._outages:
                    speed, until = self.ctx.disruptions.factory_speed(self.name, env.now)
                    if speed <= 0.0:
                        yield env.timeout(until - env.now)  # stopped: nothing to interrupt, no work done
                        continue
                    step = min((hours - done) / speed, left, until - env.now)
                self._working = working = True
                yield env.timeout(step)
                done += step * speed
            except simpy.Interrupt:
                # Machine-shop pattern: keep the work done before the breakdown, do the rest after the
                # repair. An interrupt outside a working step (a breakdown that raced with the end of a
                # step) cost no work: the loop just looks at the state again.
                if working:
                    done += (env.now - start) * speed
            finally:
                self._working = False
            if single_step and working:
                break
        return done

    def _shift_left(self, now: float) -> tuple[float, float]:
        """(working hours left in the current shift, hours until the next shift starts) at ``now``."""
        shift = self.config.shift_hours
        if shift >= HOURS_PER_DAY:
            return math.inf, 0.0
        into = (now - self.config.production_hour) % HOURS_PER_DAY
        # A shift with less than _EPS_H left is over: waiting for the next one keeps the clock moving.
        if shift - into > _EPS_H:
            return shift - into, 0.0
        return 0.0, HOURS_PER_DAY - into

    def _finish(self, product: int, units: int) -> None:
        """Finished units serve the oldest waiting orders of the product; the surplus is stock."""
        self.produced[product] += units
        self.output_log.append((self.ctx.env.now, product, units))
        queue = self.waiting[product]
        while units and queue:
            order = queue[0]
            given = min(units, order[2])
            order[1].offer(product, given)
            self.backlog_units[product] -= given
            units -= given
            order[2] -= given
            if not order[2]:
                queue.popleft()
        self.fg_stock[product] += units

    def _breakdown_loop(self) -> Generator[simpy.Event, Any, None]:
        """Up for an exponential time, then down for a repair time, for ever.

        ASSUMPTION: failures run on calendar time (outages of the plant: equipment, power, supply),
        whether or not the line is working, so availability is MTBF / (MTBF + MTTR).
        """
        env = self.ctx.env
        config = self.config
        assert config.mtbf_hours is not None
        while True:
            yield env.timeout(self.rng.exponential(config.mtbf_hours))
            repair = self._repair_time()
            self.downtime_log.append((env.now, env.now + repair))
            self._broken = True
            self._repaired = env.event()
            if self._working:
                self._line.interrupt("breakdown")
            yield env.timeout(repair)
            self._broken = False
            self._repaired.succeed()

    def _repair_time(self) -> float:
        mean = self.config.mean_repair_hours
        if self.config.repair_distribution == "exponential":
            return float(self.rng.exponential(mean))
        sigma = self.config.repair_sigma
        # Lognormal with the given mean: E = exp(mu + sigma^2 / 2).
        return float(self.rng.lognormal(math.log(mean) - sigma * sigma / 2, sigma))

    # --- hand-over -----------------------------------------------------------------------------------

    def record(self) -> PlantRecord:
        """What the plant logged during the run and its stock now: the input of its KPIs (``sim.metrics``)."""
        return PlantRecord(
            name=self.name,
            output=list(self.output_log),
            setups=list(self.setup_log),
            downtime=list(self.downtime_log),
            setup_hours=self.config.setup_hours,
            fg_units=int(self.fg_stock.sum()),
            backlog_units=int(self.backlog_units.sum()),
        )
