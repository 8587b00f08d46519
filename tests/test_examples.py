"""Every upstream example runs, keeps every unit and every cost, and shows the option it is an example of."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sim import load_scenario, run
from sim.ledger import STAGES
from tests.conftest import ROOT, units_located

UPSTREAM = sorted((ROOT / "scenarios" / "examples" / "upstream").glob("*.toml"))
HORIZON = ("horizon.warmup_days=2", "horizon.days=6")
# Long enough for every scheduled disruption of the examples to start (the latest on day 15).
DISRUPTION_HORIZON = ("horizon.warmup_days=3", "horizon.days=14")


def test_there_is_an_example_per_policy_dispatch_rule_disruption_and_channel() -> None:
    scenarios = [load_scenario(path) for path in UPSTREAM]
    policies = {s.central_warehouses[0].inventory.policy for s in scenarios}
    for s in scenarios:
        for r in s.regional_warehouses:
            policies |= {r.inventory.policy, *(p.policy for p in r.inventory_by_product.values())}
        policies |= {p.policy for p in s.central_warehouses[0].inventory_by_product.values()}
    assert policies >= {"sS", "base_stock", "RQ", "TS", "TQ"}
    dispatch = {s.linehaul.dispatch.policy for s in scenarios}
    assert dispatch >= {"full_or_cutoff", "fixed_times", "hybrid"}
    kinds = {d.kind for s in scenarios for d in s.disruptions}
    assert kinds == {"factory_outage", "linehaul_delay", "warehouse_closure", "demand_surge"}
    assert any(d.rate_per_year is not None for s in scenarios for d in s.disruptions)
    assert any(r.stores is not None for s in scenarios for r in s.regional_warehouses)


@pytest.mark.parametrize("path", UPSTREAM, ids=[p.stem for p in UPSTREAM])
def test_every_upstream_example_runs_and_conserves_units_and_costs(path: Path) -> None:
    horizon = DISRUPTION_HORIZON if path.stem.startswith("disruption_") else HORIZON
    result = run(load_scenario(path, horizon), seed=1)
    balance = {k: np.asarray(v) for k, v in result.unit_balance.items()}
    np.testing.assert_array_equal(balance["initial"] + balance["produced"], units_located(balance))
    summary = result.summary
    stages = math.fsum(summary["cost_by_stage"].values())
    assert math.isclose(stages, summary["total_cost"], rel_tol=1e-9)
    assert math.isclose(summary["upstream_cost"] + summary["last_mile_cost"], summary["total_cost"], rel_tol=1e-9)
    assert set(summary["cost_by_stage"]) <= set(STAGES)
    assert summary["parcels"]["ordered"] > 0 and 0 < summary["last_mile_share"] < 1
