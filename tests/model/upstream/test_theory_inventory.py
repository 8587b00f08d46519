"""Inventory policies against exact results of inventory theory.

The full chain has no infinite supplier and no fixed lead time, so the policies
run here on a small SimPy harness built for the purpose: one product, Poisson
demand at ``rate`` per day, every order arriving exactly ``lead`` days after it
is placed. The harness uses the model's own :class:`StockPoint` (on hand, on
order, the exact time integral of on-hand stock) and policy classes; it only
supplies demand and lead time, and serves backorders first-come-first-served.

Exact results (D = demand over the lead time, Poisson(rate x lead)):

* base-stock S, continuous review, backorders: on hand = (S - D)+, so the fill
  rate (share of demand served from stock at once) is P(D <= S - 1) and the
  mean on hand is E[(S - D)+];
* (r, Q), continuous review, backorders: the position is uniform on
  {r + 1, ..., r + Q}, and on hand = (position - D)+ averaged over it;
* order-up-to S reviewed every T days, backorders: at time u after a review
  (u uniform on [lead, lead + T)) on hand = (S - D(u))+ with D(u) ~ Poisson(rate u),
  so both measures are averages over u (the fill rate by PASTA);
* base-stock S, continuous review, lost sales: the outstanding orders are an
  M/D/S/S loss system, so the fill rate is 1 - ErlangB(S, rate x lead) and the
  mean on hand is S - rate x lead x (1 - ErlangB).

Each run is split into equal batches after a warm-up; the batches are far longer
than the lead time and the order cycle, so their means are close to independent
and give Student t confidence intervals. Every interval is at 99.9 %: with the
18 comparisons below, the chance that any correct result falls outside its
interval is at most 1.8 % (Bonferroni), and the seeds are fixed, so a failure
means a real discrepancy, not bad luck on a rerun.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import simpy
from scipy import integrate, stats

from sim.ledger import CostLedger
from sim.model.products import ProductTable
from sim.model.upstream.policies import ReorderPolicy, make_policy
from sim.model.upstream.stock import StockPoint
from sim.scenario.schema import BaseStockPolicy, RQPolicy, TSPolicy

pytestmark = pytest.mark.theory

CONFIDENCE = 0.999
WARMUP_DAYS = 60
BATCHES = 40
BATCH_DAYS = 250


def _one_product() -> ProductTable:
    one = np.array([1.0])
    return ProductTable(names=("unit",), share=one, unit_value=one, volume_m3=one * 0.01, weight_kg=one,
                        handling_multiplier=one, holding_rate_per_year=one * 0.25, service_time_multiplier=one)


class Harness:
    """One product at a real StockPoint: Poisson demand, fixed lead time, infinite supplier.

    Continuous policies are reviewed after every demand and every receipt, as in
    the model; periodic ones at the start of every day their period says.
    ``review_every_event`` reviews a periodic policy continuously instead (a
    base-stock policy reviewed at every event is the textbook base-stock model).
    """

    def __init__(self, policy: ReorderPolicy, rate: float, lead: float, seed: int,
                 review_every_event: bool = False) -> None:
        self.env = simpy.Environment()
        ctx: Any = SimpleNamespace(env=self.env, ledger=CostLedger())
        self.stock = StockPoint(ctx, "harness", "regional_warehouse", _one_product(), policy, 0.0)
        self.continuous = review_every_event or policy.continuous
        self.lead_h = lead * 24.0
        self.mean_gap_h = 24.0 / rate
        self.rng = np.random.default_rng(seed)
        self.backorders = np.zeros(1, dtype=np.int64)
        self.waiting = 0  # backordered demands, served first-come-first-served as stock arrives
        self.demands = 0
        self.served = 0
        self.env.process(self._demand())
        if not self.continuous:
            self.env.process(self._periodic_reviews())

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
        units = int(self.stock.reorder(self.backorders, due)[0])
        if units:
            arrival = self.env.timeout(self.lead_h)
            arrival.callbacks.append(lambda _event: self._receive(units))

    def _receive(self, units: int) -> None:
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

    def run_batches(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per batch: demands, demands served from stock, mean on hand."""
        self.env.run(until=WARMUP_DAYS * 24.0)
        demands, served, on_hand = [], [], []
        last = (self.demands, self.served, float(self.stock.unit_hours()[0]))
        for batch in range(1, BATCHES + 1):
            self.env.run(until=(WARMUP_DAYS + batch * BATCH_DAYS) * 24.0)
            now = (self.demands, self.served, float(self.stock.unit_hours()[0]))
            demands.append(now[0] - last[0])
            served.append(now[1] - last[1])
            on_hand.append((now[2] - last[2]) / (BATCH_DAYS * 24.0))
            last = now
        return np.array(demands, dtype=float), np.array(served, dtype=float), np.array(on_hand)


@dataclass(frozen=True)
class Estimate:
    """A batch-means estimate and the half-width of its confidence interval."""

    value: float
    half_width: float

    def covers(self, exact: float) -> bool:
        """Whether the exact value lies inside the interval."""
        return abs(self.value - exact) <= self.half_width

    def __str__(self) -> str:
        return f"{self.value:.4f} ± {self.half_width:.4f}"


def _t(n: int) -> float:
    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1))


def mean_estimate(values: np.ndarray) -> Estimate:
    """Mean of batch means with a Student t interval."""
    n = len(values)
    return Estimate(float(values.mean()), _t(n) * float(values.std(ddof=1)) / math.sqrt(n))


def ratio_estimate(numerators: np.ndarray, denominators: np.ndarray) -> Estimate:
    """Ratio of batch totals (the fill rate over all demand) with a delta-method t interval."""
    n = len(numerators)
    ratio = float(numerators.sum() / denominators.sum())
    residuals = numerators - ratio * denominators
    se = float(residuals.std(ddof=1)) / math.sqrt(n) / float(denominators.mean())
    return Estimate(ratio, _t(n) * se)


def simulate(policy: ReorderPolicy, rate: float, lead: float, seed: int,
             review_every_event: bool = False) -> tuple[Estimate, Estimate]:
    """Fill rate and mean on hand of ``policy`` on the harness."""
    demands, served, on_hand = Harness(policy, rate, lead, seed, review_every_event).run_batches()
    return ratio_estimate(served, demands), mean_estimate(on_hand)


# --- exact results ---------------------------------------------------------------


def exact_base_stock(level: int, rate: float, lead: float) -> tuple[float, float]:
    """Fill rate P(D <= S-1) and E[(S - D)+], D ~ Poisson(rate x lead)."""
    d = np.arange(level + 1)
    pmf = stats.poisson.pmf(d, rate * lead)
    return float(stats.poisson.cdf(level - 1, rate * lead)), float(((level - d) * pmf).sum())


def exact_rq(r: int, q: int, rate: float, lead: float) -> tuple[float, float]:
    """Base-stock results averaged over the position, uniform on r+1..r+Q."""
    results = np.array([exact_base_stock(position, rate, lead) for position in range(r + 1, r + q + 1)])
    fill, on_hand = results.mean(axis=0)
    return float(fill), float(on_hand)


def exact_periodic(level: int, period: int, rate: float, lead: float) -> tuple[float, float]:
    """Order-up-to S every T days: base-stock results with the demand horizon u uniform on [L, L+T)."""
    def fill(u: float) -> float:
        return exact_base_stock(level, rate, u)[0]

    def on_hand(u: float) -> float:
        return exact_base_stock(level, rate, u)[1]

    span = (lead, lead + period)
    return (integrate.quad(fill, *span, epsabs=1e-10)[0] / period,
            integrate.quad(on_hand, *span, epsabs=1e-10)[0] / period)


def exact_lost_sales_base_stock(level: int, rate: float, lead: float) -> tuple[float, float]:
    """Erlang loss: fill 1 - B(S, a), mean on hand S - a (1 - B), a = rate x lead."""
    load = rate * lead
    blocking = 1.0
    for servers in range(1, level + 1):  # the stable recursion B(n) = a B(n-1) / (n + a B(n-1))
        blocking = load * blocking / (servers + load * blocking)
    return 1.0 - blocking, level - load * (1.0 - blocking)


def _check(name: str, simulated: tuple[Estimate, Estimate], exact: tuple[float, float]) -> None:
    (fill, on_hand), (fill_exact, on_hand_exact) = simulated, exact
    report = f"{name}: fill {fill} vs exact {fill_exact:.4f}; on hand {on_hand} vs exact {on_hand_exact:.4f}"
    assert fill.covers(fill_exact), report
    assert on_hand.covers(on_hand_exact), report


# --- the checks -----------------------------------------------------------------


@pytest.mark.parametrize(("rate", "lead", "level", "seed"),
                         [(10.0, 2.0, 25, 11), (4.0, 1.0, 4, 12), (30.0, 0.5, 18, 13)])
def test_base_stock_continuous_review_with_backorders(rate: float, lead: float, level: int, seed: int) -> None:
    policy = make_policy(BaseStockPolicy(level_units=level), np.array([rate]), ["unit"])
    simulated = simulate(policy, rate, lead, seed, review_every_event=True)
    _check(f"base-stock S={level}, rate {rate}, lead {lead}", simulated, exact_base_stock(level, rate, lead))


@pytest.mark.parametrize(("rate", "lead", "r", "q", "seed"),
                         [(10.0, 2.0, 15, 10, 21), (5.0, 1.0, 2, 12, 22), (20.0, 1.5, 28, 25, 23)])
def test_rq_continuous_review_with_backorders(rate: float, lead: float, r: int, q: int, seed: int) -> None:
    policy = make_policy(RQPolicy(reorder_point_units=r, order_quantity_units=q), np.array([rate]), ["unit"])
    assert policy.continuous
    _check(f"(r={r}, Q={q}), rate {rate}, lead {lead}", simulate(policy, rate, lead, seed),
           exact_rq(r, q, rate, lead))


@pytest.mark.parametrize(("period", "rate", "lead", "level", "seed"), [(1, 10.0, 1.0, 25, 31), (3, 8.0, 1.0, 34, 32)])
def test_order_up_to_periodic_review_with_backorders(period: int, rate: float, lead: float, level: int,
                                                     seed: int) -> None:
    """Daily base-stock as the model reviews it, and (T, S) with T = 3 days."""
    config = (BaseStockPolicy(level_units=level) if period == 1
              else TSPolicy(review_period_days=period, order_up_to_units=level))
    policy = make_policy(config, np.array([rate]), ["unit"])
    assert not policy.continuous and policy.review_period_days == period
    _check(f"T={period}, S={level}, rate {rate}, lead {lead}", simulate(policy, rate, lead, seed),
           exact_periodic(level, period, rate, lead))


def test_base_stock_continuous_review_with_lost_sales() -> None:
    rate, lead, level = 10.0, 2.0, 20
    policy = make_policy(BaseStockPolicy(level_units=level, stockout="lost_sales"), np.array([rate]), ["unit"])
    simulated = simulate(policy, rate, lead, 41, review_every_event=True)
    _check(f"lost sales, S={level}, rate {rate}, lead {lead}", simulated,
           exact_lost_sales_base_stock(level, rate, lead))


def test_exact_formulas_agree_with_each_other() -> None:
    """The formulas above, cross-checked where they meet: (r, Q = 1) is base-stock S = r + 1."""
    assert exact_rq(24, 1, 10.0, 2.0) == pytest.approx(exact_base_stock(25, 10.0, 2.0))
    short = exact_periodic(25, 1, 10.0, 2.0)
    assert short[0] < exact_base_stock(25, 10.0, 2.0)[0]  # a review delay only lowers the fill rate
    assert exact_lost_sales_base_stock(1, 1.0, 1.0)[0] == pytest.approx(0.5)  # B(1, 1) = 1/2
