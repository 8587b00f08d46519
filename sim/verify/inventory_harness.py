"""A small SimPy harness that runs the model's stock point and policies under textbook conditions.

The full chain has no infinite supplier and no fixed lead time, so the
inventory policies are compared with theory here: one product, Poisson demand
at ``rate`` per day, every order arriving exactly ``lead`` days after it is
placed. The harness uses the model's own :class:`StockPoint` (on hand, on order,
the exact time integral of on-hand stock) and policy classes; it only supplies
demand and lead time, and serves backorders first-come-first-served. It also
integrates the units on order over time, for Little's law (mean on order =
order rate x lead time).

Each run is split into equal batches after a warm-up; batches far longer than
the lead time and the order cycle have nearly independent means, which give the
standard errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from sim.ledger import CostLedger
from sim.model.products import ProductTable
from sim.model.upstream.policies import ReorderPolicy
from sim.model.upstream.stock import StockPoint


def one_product() -> ProductTable:
    """A product table of one unit-sized product."""
    one = np.array([1.0])
    return ProductTable(names=("unit",), share=one, unit_value=one, volume_m3=one * 0.01, weight_kg=one,
                        handling_multiplier=one, holding_rate_per_year=one * 0.25, service_time_multiplier=one)


@dataclass(frozen=True)
class BatchPlan:
    """How long a harness runs: a warm-up, then ``batches`` batches of ``batch_days``."""

    warmup_days: float = 60.0
    batches: int = 40
    batch_days: float = 250.0


class Harness:
    """One product at a real StockPoint: Poisson demand, fixed lead time, infinite supplier.

    Continuous policies are reviewed after every demand and every receipt, as in
    the model; periodic ones at the start of every day their period says.
    ``review_every_event`` reviews a periodic policy continuously instead (a
    base-stock policy reviewed at every event is the textbook base-stock model).
    """

    def __init__(self, policy: ReorderPolicy, rate: float, lead: float, seed: int,
                 review_every_event: bool = False) -> None:
        import simpy

        self.env = simpy.Environment()
        ctx: Any = SimpleNamespace(env=self.env, ledger=CostLedger())
        self.stock = StockPoint(ctx, "harness", "regional_warehouse", one_product(), policy, 0.0)
        self.continuous = review_every_event or policy.continuous
        self.lead_h = lead * 24.0
        self.mean_gap_h = 24.0 / rate
        self.rng = np.random.default_rng(seed)
        self.backorders = np.zeros(1, dtype=np.int64)
        self.demands = 0
        self.served = 0
        self.ordered = 0  # units ordered from the supplier
        self._on_order_hours = 0.0  # time integral of the units on order
        self._since = 0.0
        self.env.process(self._demand())
        if not self.continuous:
            self.env.process(self._periodic_reviews())

    def _integrate(self) -> None:
        now = self.env.now
        self._on_order_hours += float(self.stock.on_order[0]) * (now - self._since)
        self._since = now

    def on_order_hours(self) -> float:
        """The time integral of the units on order up to now (unit-hours)."""
        self._integrate()
        return self._on_order_hours

    def _demand(self) -> Any:
        stock = self.stock
        while True:
            for gap in self.rng.exponential(self.mean_gap_h, 4096).tolist():
                yield self.env.timeout(gap)
                self.demands += 1
                if stock.on_hand[0] > 0:
                    stock.remove(0, 1)
                    self.served += 1
                elif stock.lost_sales[0]:
                    stock.lost[0] += 1
                else:
                    self.backorders[0] += 1
                if self.continuous:
                    self._review(None)

    def _review(self, due: np.ndarray | None) -> None:
        self._integrate()
        units = int(self.stock.reorder(self.backorders, due)[0])
        if units:
            self.ordered += units
            arrival = self.env.timeout(self.lead_h)
            arrival.callbacks.append(lambda _event: self._receive(units))

    def _receive(self, units: int) -> None:
        self._integrate()
        stock = self.stock
        stock.on_order[0] -= units
        stock.add(0, units)
        backordered = min(units, int(self.backorders[0]))
        if backordered:
            stock.remove(0, backordered)
            self.backorders[0] -= backordered
        if self.continuous:
            self._review(None)

    def _periodic_reviews(self) -> Any:
        day = 0
        while True:
            yield self.env.timeout(day * 24.0 - self.env.now)
            due = self.stock.due(day)
            if due.any():
                self._review(due)
            day += 1

    def run_batches(self, plan: BatchPlan) -> dict[str, np.ndarray]:
        """Per batch: demands, demands served from stock, mean on hand, units ordered, mean on order."""
        self.env.run(until=plan.warmup_days * 24.0)
        names = ("demands", "served", "on_hand", "ordered", "on_order")
        rows: dict[str, list[float]] = {name: [] for name in names}
        hours = plan.batch_days * 24.0

        def snapshot() -> tuple[float, ...]:
            return (self.demands, self.served, float(self.stock.unit_hours()[0]), self.ordered,
                    self.on_order_hours())

        last = snapshot()
        for batch in range(1, plan.batches + 1):
            self.env.run(until=(plan.warmup_days + batch * plan.batch_days) * 24.0)
            now = snapshot()
            for i, name in enumerate(names):
                delta = now[i] - last[i]
                rows[name].append(delta / hours if name in ("on_hand", "on_order") else delta)
            last = now
        return {name: np.array(values, dtype=float) for name, values in rows.items()}


@dataclass(frozen=True)
class Estimate:
    """A batch-means estimate and its standard error."""

    value: float
    standard_error: float

    def half_width(self, t: float) -> float:
        """The half-width of the interval ``value ± t se``."""
        return t * self.standard_error

    def __str__(self) -> str:
        return f"{self.value:.4f} (se {self.standard_error:.4f})"


def mean_estimate(values: np.ndarray) -> Estimate:
    """Mean of batch means and its standard error."""
    return Estimate(float(values.mean()), float(values.std(ddof=1)) / math.sqrt(len(values)))


def ratio_estimate(numerators: np.ndarray, denominators: np.ndarray) -> Estimate:
    """Ratio of batch totals (e.g. the fill rate over all demand) with its delta-method standard error."""
    ratio = float(numerators.sum() / denominators.sum())
    residuals = numerators - ratio * denominators
    se = float(residuals.std(ddof=1)) / math.sqrt(len(numerators)) / float(denominators.mean())
    return Estimate(ratio, se)
