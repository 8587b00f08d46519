"""Inventory policies on the model's stock point against exact inventory theory, and Little's law on order.

The harness (:mod:`sim.verify.inventory_harness`) feeds the model's own
``StockPoint`` and policy classes Poisson demand with a fixed lead time; the
exact values come from :mod:`sim.verify.inventory_theory`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.model.upstream.policies import make_policy
from sim.scenario.schema import BaseStockPolicy, RQPolicy, SSPolicy, TSPolicy
from sim.verify import inventory_theory as theory
from sim.verify.checks import CheckRow, VerifyContext, register, statistical
from sim.verify.inventory_harness import BatchPlan, Harness, mean_estimate, ratio_estimate

ELEMENT = "inventory policy"
SOURCES = {
    "base_stock": "Poisson lead-time demand, base-stock: Zipkin, Foundations of Inventory Management (2000), ch. 6",
    "rQ": "Poisson (r, Q): Hadley & Whitin, Analysis of Inventory Systems (1963); Zipkin (2000), ch. 6",
    "TS": "periodic order-up-to, PASTA over the review cycle: Zipkin (2000), ch. 6",
    "sS": "periodic (s, S): stationary position of the review Markov chain, Zipkin (2000), ch. 6",
    "lost": "Erlang B for the M/D/S/S loss system of outstanding orders (Palm's theorem)",
}


@dataclass(frozen=True)
class Case:
    """One policy under Poisson demand: its label, how to build it, its exact (fill, on hand)."""

    kind: str
    label: str
    config: object
    rate: float
    lead: float
    exact: Callable[[], tuple[float, float]]
    review_every_event: bool = False


def cases() -> list[Case]:
    """The policies checked: base-stock, (s, S), (r, Q), periodic order-up-to and lost sales."""
    return [
        Case("base_stock", "base-stock S=25, rate 10/day, lead 2 d", BaseStockPolicy(level_units=25), 10.0, 2.0,
             lambda: theory.base_stock(25, 10.0, 2.0), review_every_event=True),
        Case("sS", "(s=20, S=35) daily review, rate 10/day, lead 1 d",
             SSPolicy(reorder_point_units=20, order_up_to_units=35), 10.0, 1.0, lambda: theory.s_s(20, 35, 10.0, 1.0)),
        Case("rQ", "(r=15, Q=10), rate 10/day, lead 2 d", RQPolicy(reorder_point_units=15, order_quantity_units=10),
             10.0, 2.0, lambda: theory.rq(15, 10, 10.0, 2.0)),

        Case("base_stock", "base-stock S=4, rate 4/day, lead 1 d", BaseStockPolicy(level_units=4), 4.0, 1.0,
             lambda: theory.base_stock(4, 4.0, 1.0), review_every_event=True),
        Case("sS", "(s=5, S=12) daily review, rate 4/day, lead 2 d",
             SSPolicy(reorder_point_units=5, order_up_to_units=12), 4.0, 2.0, lambda: theory.s_s(5, 12, 4.0, 2.0)),
        Case("rQ", "(r=2, Q=12), rate 5/day, lead 1 d", RQPolicy(reorder_point_units=2, order_quantity_units=12),
             5.0, 1.0, lambda: theory.rq(2, 12, 5.0, 1.0)),
        Case("TS", "base-stock S=25 reviewed daily, rate 10/day, lead 1 d", BaseStockPolicy(level_units=25), 10.0,
             1.0, lambda: theory.periodic(25, 1, 10.0, 1.0)),
        Case("TS", "(T=3, S=34), rate 8/day, lead 1 d", TSPolicy(review_period_days=3, order_up_to_units=34), 8.0,
             1.0, lambda: theory.periodic(34, 3, 8.0, 1.0)),
        Case("lost", "base-stock S=20, lost sales, rate 10/day, lead 2 d",
             BaseStockPolicy(level_units=20, stockout="lost_sales"), 10.0, 2.0,
             lambda: theory.lost_sales_base_stock(20, 10.0, 2.0), review_every_event=True),
    ]


def case_rows(case: Case, plan: BatchPlan, seed: int) -> list[CheckRow]:
    """Fill rate, mean on hand and Little's law on order of one case, as three rows."""
    policy = make_policy(case.config, np.array([case.rate]), ["unit"])  # type: ignore[arg-type]
    batches = Harness(policy, case.rate, case.lead, seed, case.review_every_event).run_batches(plan)
    fill, on_hand = ratio_estimate(batches["served"], batches["demands"]), mean_estimate(batches["on_hand"])
    fill_exact, on_hand_exact = case.exact()
    source = SOURCES[case.kind]
    rows = [
        statistical(ELEMENT, f"fill rate, {case.label}", "share of demand served from stock at once", source,
                    fill_exact, fill.value, fill.standard_error),
        statistical(ELEMENT, f"mean on hand (units), {case.label}", "time-average on-hand stock", source,
                    on_hand_exact, on_hand.value, on_hand.standard_error),
    ]
    # Little's law on the pipeline: mean on order = order rate x lead time (every unit is on order for L days).
    ordered_per_day = batches["ordered"] / plan.batch_days
    residual = batches["on_order"] - ordered_per_day * case.lead
    little = mean_estimate(residual)
    expected = float(ordered_per_day.mean()) * case.lead
    rows.append(statistical("Little's law (stock)", f"mean units on order, {case.label}",
                            "L = lambda W: units ordered per day x lead time (days)",
                            "Little (1961), Operations Research 9(3)", expected, expected + little.value,
                            little.standard_error))
    return rows


@register("inventory_theory", ELEMENT)
def inventory_checks(ctx: VerifyContext) -> list[CheckRow]:
    """Each case's fill rate and mean on hand against the exact value, and its on-order against Little."""
    plan = BatchPlan(warmup_days=60.0, batches=20, batch_days=100.0) if ctx.quick else BatchPlan()
    rows: list[CheckRow] = []
    for index, case in enumerate(cases()):
        rows += case_rows(case, plan, ctx.seed * 100 + 11 + index)
    return rows
