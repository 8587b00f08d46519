"""Warehouse operations: the picking station against M/M/c theory, and the full model with operations on."""

from __future__ import annotations

from collections.abc import Generator
from functools import cache
from typing import Any

import numpy as np
import pytest
import simpy
from scipy import stats

from sim import RunResult, load_scenario, run
from sim.model.upstream.operations import DockReceiving, PickingStation, Shift, erlang_c_wait
from sim.scenario.loader import ScenarioError
from tests.conftest import BASELINE, units_located

# --- the picking station as an M/M/c queue ---------------------------------------------------------

SERVICE_RATE_PER_H = 1.0  # mu: one pick an hour on average (pick_minutes_mean = 60)
WARMUP_ORDERS = 2_000
MEASURED_ORDERS = 20_000
REPLICATIONS = 10


def _replication_mean_wait(servers: int, utilisation: float, seed: int) -> float:
    """Mean waiting time in queue of the orders after the warm-up, in one replication."""
    arrival_rate = utilisation * servers * SERVICE_RATE_PER_H
    env = simpy.Environment()
    total = WARMUP_ORDERS + MEASURED_ORDERS
    waits = np.full(total, np.nan)

    def done(order: int, wait_h: float) -> None:
        waits[order] = wait_h

    pick_rng, arrival_rng = (np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(seed).spawn(2))
    station = PickingStation(env, servers, 60.0 / SERVICE_RATE_PER_H, pick_rng, done)

    def arrivals() -> Generator[simpy.Event, Any, None]:
        for order in range(total):
            yield env.timeout(arrival_rng.exponential(1.0 / arrival_rate))
            station.submit(order)

    env.process(arrivals())
    env.run()
    assert not np.isnan(waits).any()  # every order was picked
    return float(waits[WARMUP_ORDERS:].mean())


@pytest.mark.parametrize(("servers", "utilisation"), [(1, 0.5), (1, 0.8), (3, 0.5), (3, 0.8)])
def test_picking_station_waits_match_erlang_c(servers: int, utilisation: float) -> None:
    """Independent replications after a warm-up: Erlang C's mean wait lies in the 99 % confidence interval."""
    means = np.array([_replication_mean_wait(servers, utilisation, 100 * servers + r) for r in range(REPLICATIONS)])
    expected = erlang_c_wait(utilisation * servers * SERVICE_RATE_PER_H, SERVICE_RATE_PER_H, servers)
    half_width = stats.t.ppf(0.995, REPLICATIONS - 1) * means.std(ddof=1) / np.sqrt(REPLICATIONS)
    print(f"M/M/{servers} rho={utilisation}: simulated Wq {means.mean():.4f} +/- {half_width:.4f} h, "
          f"Erlang C {expected:.4f} h")
    assert abs(means.mean() - expected) <= half_width
    # The interval is informative, not so wide that anything would pass.
    assert half_width < 0.2 * expected


def test_erlang_c_closed_forms() -> None:
    # M/M/1: Wq = rho / (mu - lambda); M/M/2 at lambda = 1, mu = 1: Wq = 1/3.
    assert erlang_c_wait(0.8, 1.0, 1) == pytest.approx(0.8 / 0.2)
    assert erlang_c_wait(1.0, 1.0, 2) == pytest.approx(1.0 / 3.0)
    with pytest.raises(ValueError, match="unstable"):
        erlang_c_wait(3.0, 1.0, 3)


def test_shift_wait() -> None:
    night = Shift(start_hour=22.0, hours=8.0)  # 22:00-06:00
    assert night.wait_h(23.0) == 0.0
    assert night.wait_h(24.0 + 5.5) == 0.0
    assert night.wait_h(24.0 + 6.0) == pytest.approx(16.0)
    assert night.wait_h(24.0 + 21.0) == pytest.approx(1.0)
    assert Shift().wait_h(13.7) == 0.0


def test_picking_waits_for_the_shift() -> None:
    env = simpy.Environment()
    finished: dict[int, tuple[float, float]] = {}
    station = PickingStation(env, 1, 6.0, np.random.default_rng(1),
                             lambda order, wait: finished.__setitem__(order, (env.now, wait)), Shift(8.0, 4.0))
    station.submit(0)  # at 00:00, before the shift
    env.run()
    done_h, wait_h = finished[0]
    assert wait_h == pytest.approx(8.0)
    assert done_h > 8.0


def test_dock_unloads_then_puts_away() -> None:
    env = simpy.Environment()
    events: list[tuple[str, float, list[int]]] = []

    def unloaded(load: np.ndarray) -> np.ndarray:
        events.append(("unloaded", env.now, load.tolist()))
        return load - np.minimum(load, [1, 0])  # one unit of the first product is cross-docked

    dock = DockReceiving(env, 1, 2.0, False, 6.0, np.random.default_rng(1), unloaded,
                         lambda units: events.append(("put_away", env.now, units.tolist())))
    dock.receive(np.array([3, 2]))
    dock.receive(np.array([0, 1]))  # waits for the only door
    env.run()
    assert events[0] == ("unloaded", 2.0, [3, 2])
    # 4 units x 6 min = 0.4 h after the first unload, while the second truck is at the door.
    assert events[1][:2] == ("put_away", pytest.approx(2.4)) and events[1][2] == [2, 2]
    assert events[2] == ("unloaded", 4.0, [0, 1])
    assert events[3][:2] == ("put_away", pytest.approx(4.1)) and events[3][2] == [0, 1]


# --- the full model with operations on --------------------------------------------------------------

SHORT = ("horizon.warmup_days=3", "horizon.days=7")
# Receiving at every warehouse and continuous picking at every regional one (ASSUMPTION: test values).
CENTRAL_OPS = ("central_warehouses.central.operations={ dock_doors = 2, unload_hours_per_truck = 1.5, "
               "unload_time = \"exponential\", putaway_minutes_per_unit = 0.02 }")


def _regional_ops(name: str, pickers: int, cross_dock: bool = True, putaway_min: float = 0.05) -> str:
    return (f"regional_warehouses.{name}.operations={{ pickers = {pickers}, pick_minutes_mean = 3.0, "
            f"shift_start_hour = 14.0, shift_hours = 17.5, dock_doors = 1, unload_hours_per_truck = 1.5, "
            f"putaway_minutes_per_unit = {putaway_min}, cross_dock = {str(cross_dock).lower()} }}")


OPS = (CENTRAL_OPS, _regional_ops("metro", 4), _regional_ops("suburb", 3), _regional_ops("county", 1))
# Scarce stock at the county warehouse, so that backorders and cross-docking happen.
SCARCE = ("regional_warehouses.county.inventory.reorder_point_days=0.2",
          "regional_warehouses.county.inventory.order_up_to_days=0.5")


@cache
def ops_run(*overrides: str) -> RunResult:
    return run(load_scenario(BASELINE, (*SHORT, *overrides)), seed=1)


def test_conservation_and_final_states_with_operations() -> None:
    result = ops_run(*OPS, *SCARCE)
    balance = {k: np.asarray(v) for k, v in result.unit_balance.items()}
    np.testing.assert_array_equal(balance["initial"] + balance["produced"], units_located(balance))
    for name, flows in result.warehouse_balances.items():
        b = {k: np.asarray(v) for k, v in flows.items()}
        np.testing.assert_array_equal(b["initial"] + b["received"], b["shipped"] + b["on_hand"], err_msg=name)
    parcels = result.parcels
    assert parcels["state"].isin(["delivered", "at_pickup_point", "returned", "in_system"]).all()
    counts = result.summary["parcels"]
    final = counts["delivered"] + counts["at_pickup_point"] + counts["returned"] + counts["in_system"]
    assert counts["ordered"] == final == int(parcels["in_window"].sum())
    assert counts["delivered"] > 0
    assert result.summary["stock"]["backordered_share"] > 0


def test_pick_pack_cost_per_order_is_unchanged() -> None:
    """Operations move costs in time, not in amount: every picked order costs what it costs in the wave."""
    plain = ops_run()
    with_ops = ops_run(*OPS)
    costs = []
    for result in (plain, with_ops):
        picked = result.parcels[result.parcels["picked_time_h"].notna()]
        assert (picked["pick_pack_cost"] > 0).all()
        # One cost per (warehouse, product): the same for every order, in both runs.
        by_kind = picked.groupby(["regional", "product"])["pick_pack_cost"]
        np.testing.assert_allclose(by_kind.min(), by_kind.max())
        costs.append(by_kind.max())
    np.testing.assert_allclose(costs[0], costs[1])


def test_fewer_pickers_raise_lead_time() -> None:
    many = ops_run(_regional_ops("metro", 6))
    few = ops_run(_regional_ops("metro", 2))  # 800 orders x 3 min over a 17.5 h shift: utilisation above 1
    lead_many = many.summary["lead_time_hours"]["mean"]
    lead_few = few.summary["lead_time_hours"]["mean"]
    print(f"mean lead time: 6 metro pickers {lead_many:.2f} h, 2 pickers {lead_few:.2f} h")
    assert lead_few > lead_many


def test_cross_docking_shortens_the_wait_of_backordered_parcels() -> None:
    # Slow put-away (1 min a unit) makes the effect plain; the same seed drives both runs.
    stored = ops_run(_regional_ops("county", 2, cross_dock=False, putaway_min=1.0), *SCARCE)
    crossed = ops_run(_regional_ops("county", 2, cross_dock=True, putaway_min=1.0), *SCARCE)

    def backorder_wait(result: RunResult) -> float:
        p = result.parcels
        p = p[p["backordered"] & (p["regional"] == "county") & p["picked_time_h"].notna()]
        assert len(p) > 20
        return float((p["picked_time_h"] - p["order_time_h"]).mean())

    wait_stored, wait_crossed = backorder_wait(stored), backorder_wait(crossed)
    print(f"county backordered order-to-pick wait: put away {wait_stored:.2f} h, cross-docked {wait_crossed:.2f} h")
    assert wait_crossed < wait_stored


def test_example_scenario_loads_and_operations_are_validated() -> None:
    from tests.conftest import ROOT

    scenario = load_scenario(ROOT / "scenarios" / "examples" / "upstream" / "warehouse_operations.toml")
    ops = {r.name: r.operations for r in scenario.regional_warehouses}
    assert all(o is not None and o.pickers and o.cross_dock for o in ops.values())
    with pytest.raises(ScenarioError, match="cross_dock"):
        load_scenario(BASELINE, ["regional_warehouses.metro.operations={ cross_dock = true }"])
    with pytest.raises(ScenarioError, match="pickers"):
        load_scenario(BASELINE, ["central_warehouses.central.operations={ pickers = 3 }"])


def test_operations_runs_are_reproducible() -> None:
    """Same seed, same numbers: the picking and receiving streams are named, and ties are ordered."""
    first = ops_run(*OPS, *SCARCE)
    again = run(load_scenario(BASELINE, (*SHORT, *OPS, *SCARCE)), seed=1)
    assert again.summary == first.summary
    assert again.events == first.events
