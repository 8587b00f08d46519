"""Inventory policies against exact results of inventory theory.

The full chain has no infinite supplier and no fixed lead time, so the policies
run on the harness of ``sim verify`` (``sim.verify.inventory_harness``): one
product, Poisson demand at ``rate`` per day, every order arriving exactly
``lead`` days after it is placed, at the model's own :class:`StockPoint` with
the model's policy classes. The exact formulas are ``sim.verify.inventory_theory``.

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

import numpy as np
import pytest
from scipy import stats

from sim.model.upstream.policies import ReorderPolicy, make_policy
from sim.scenario.schema import BaseStockPolicy, RQPolicy, TSPolicy
from sim.verify.inventory_harness import BatchPlan, Estimate, Harness, mean_estimate, ratio_estimate
from sim.verify.inventory_theory import base_stock as exact_base_stock
from sim.verify.inventory_theory import lost_sales_base_stock as exact_lost_sales_base_stock
from sim.verify.inventory_theory import periodic as exact_periodic
from sim.verify.inventory_theory import rq as exact_rq

pytestmark = pytest.mark.theory

CONFIDENCE = 0.999
PLAN = BatchPlan(warmup_days=60, batches=40, batch_days=250)
T = float(stats.t.ppf(0.5 + CONFIDENCE / 2, PLAN.batches - 1))


def simulate(policy: ReorderPolicy, rate: float, lead: float, seed: int,
             review_every_event: bool = False) -> tuple[Estimate, Estimate]:
    """Fill rate and mean on hand of ``policy`` on the harness (sim.verify.inventory_harness)."""
    batches = Harness(policy, rate, lead, seed, review_every_event).run_batches(PLAN)
    return ratio_estimate(batches["served"], batches["demands"]), mean_estimate(batches["on_hand"])


def _covers(estimate: Estimate, exact: float) -> bool:
    return abs(estimate.value - exact) <= estimate.half_width(T)


def _check(name: str, simulated: tuple[Estimate, Estimate], exact: tuple[float, float]) -> None:
    (fill, on_hand), (fill_exact, on_hand_exact) = simulated, exact
    report = f"{name}: fill {fill} vs exact {fill_exact:.4f}; on hand {on_hand} vs exact {on_hand_exact:.4f}"
    assert _covers(fill, fill_exact), report
    assert _covers(on_hand, on_hand_exact), report


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
