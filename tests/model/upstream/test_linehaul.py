"""Line-haul: dispatch policies, LTL costing, multi-stop runs, and conservation with all of them on."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
import pytest

from sim import RunResult, load_scenario, run
from sim.model.context import SimContext
from sim.model.network import SupplyChain
from tests.conftest import BASELINE, units_located

SHORT = ("horizon.warmup_days=3", "horizon.days=7")
LINEHAUL_STAGES = ("factory_to_central", "central_to_regional")
# A partly filled truck: full ones are filled to within one unit's volume (the largest class is well under 2%).
PARTIAL = 0.98
HYBRID = 'linehaul.dispatch={{policy="hybrid", max_wait_hours={}}}'
LTL = 'linehaul.ltl={rate_per_m3_per_100km=4.0, minimum_charge=150.0, transit_days=1, below_fill=0.3}'
MULTI_STOP = (
    'central_warehouses.central.multi_stop=[["suburb", "metro"]]',
    "regional_warehouses.suburb.neighbour_distances_km={metro=45.0}",
)


@cache
def short(*overrides: str) -> RunResult:
    """One cached run of the short baseline, seed 1."""
    return run(load_scenario(BASELINE, (*SHORT, *overrides)), seed=1)


def _hours(trips: pd.DataFrame) -> pd.Series:
    return (trips["depart_h"] % 24.0).round(6)


def _linehaul_cost(result: RunResult) -> float:
    ledger = result.ledger
    mask = ledger["stage"].isin(LINEHAUL_STAGES) & (ledger["component"] != "inventory_holding")
    return float(ledger.loc[mask, "amount"].sum())


# --- dispatch policies ------------------------------------------------------------------------


def test_default_dispatch_leaves_when_full_or_at_the_cutoff() -> None:
    trips = short().trips
    assert (trips["mode"] == "FTL").all() and (trips["stops"] == 1).all()
    partial = trips[trips["fill"] < PARTIAL]
    assert len(partial) > 0 and (_hours(partial) == 18.0).all()
    # The legacy key still sets the cut-off of the default policy.
    moved = short("linehaul.cutoff_hour=15").trips
    assert (_hours(moved[moved["fill"] < PARTIAL]) == 15.0).all()


def test_fixed_times_leave_only_at_those_hours_and_split_into_several_trucks() -> None:
    trips = short('linehaul.dispatch={policy="fixed_times", times=[6.0, 18.0]}').trips
    assert _hours(trips).isin([6.0, 18.0]).all()
    # Small trucks: more than one load waits at a departure, so several leave together, all but one full.
    small = short('linehaul.dispatch={policy="fixed_times", times=[6.0, 18.0]}', "linehaul.truck_capacity_m3=10").trips
    assert _hours(small).isin([6.0, 18.0]).all()
    waves = small.groupby(["origin", "destination", "depart_h"])
    assert waves.size().max() > 1
    for _, wave in waves:
        assert (wave["fill"] < PARTIAL).sum() <= 1


def test_hybrid_leaves_when_full_or_after_the_maximum_wait() -> None:
    trips = short(HYBRID.format(12)).trips
    partial = trips[trips["fill"] < PARTIAL]
    # Without a cut-off, partial trucks leave 12 h after goods arrived on the dock, not at 18:00.
    assert len(partial) > 0 and not (_hours(partial) == 18.0).all()


def test_a_longer_hybrid_wait_fills_trucks_and_cuts_cost_but_costs_service() -> None:
    """Same seed, 12 h against 48 h: fuller trucks, lower cost per unit, a longer line-haul lead time (dock wait
    plus trip, per unit). Regional stock buffers the customers' lead time here (it does not move), so the
    service cost downstream shows up as regional backorders."""
    quick, patient = short(HYBRID.format(12)), short(HYBRID.format(48))
    assert patient.trips["fill"].mean() > quick.trips["fill"].mean()
    per_unit = [_linehaul_cost(r) / r.trips["units"].sum() for r in (quick, patient)]
    assert per_unit[1] < per_unit[0]
    # To the regions, where the wait binds (the central warehouse's large orders fill the factories' trucks).
    fast, slow = (r.summary["linehaul"]["central_to_regional"] for r in (quick, patient))
    assert slow["mean_dock_wait_h"] > fast["mean_dock_wait_h"]
    assert slow["mean_lead_time_h"] > fast["mean_lead_time_h"] > fast["mean_dock_wait_h"]
    # The dock wait is bounded by the policy: nothing waits longer than the maximum wait.
    assert quick.trips["dock_wait_h"].max() <= 12 + 1e-6 and patient.trips["dock_wait_h"].max() <= 48 + 1e-6

    def regional_backorders(r: RunResult) -> int:
        inventory = r.inventory
        return int(inventory.loc[inventory["facility"] != "central", "backorders"].sum())

    assert regional_backorders(patient) > regional_backorders(quick)


# --- LTL -----------------------------------------------------------------------------------------------


def test_ltl_takes_the_loads_below_the_fill_threshold_at_the_tariff() -> None:
    result = short(LTL)
    trips = result.trips
    ltl, ftl = trips[trips["mode"] == "LTL"], trips[trips["mode"] == "FTL"]
    assert len(ltl) > 0 and len(ftl) > 0
    assert (ltl["fill"] < 0.3).all() and (ftl["fill"] >= 0.3).all()
    expected = np.maximum(150.0, 4.0 * ltl["volume_m3"] * ltl["km"] / 100.0)
    np.testing.assert_allclose(ltl["cost"], expected, rtol=1e-12)
    np.testing.assert_allclose(ltl["arrive_h"] - ltl["depart_h"], 24.0)
    ledger = result.ledger
    assert math.isclose(ledger.loc[ledger["component"] == "ltl_freight", "amount"].sum(), ltl["cost"].sum())
    # Without the option nothing goes LTL, and the same small loads went in own trucks.
    assert (short().trips["mode"] == "FTL").all()
    assert (short().trips["fill"] < 0.3).any()


# --- multi-stop runs ------------------------------------------------------------------------------------


def test_multi_stop_runs_drive_fewer_km_than_direct_lanes() -> None:
    trips = short(*MULTI_STOP).trips
    run_trips = trips[trips["stage"].eq("central_to_regional") & ~trips["destination"].eq("county")]
    both = run_trips[run_trips["destination"] == "suburb+metro"]
    assert len(both) > 0 and (both["stops"] == 2).all()
    np.testing.assert_allclose(both["km"], 90.0 + 45.0 + 120.0)  # out through both stops, back from metro
    assert (both["km"] < 2 * 90.0 + 2 * 120.0).all()  # the same two loads on two direct lanes
    # Over the week, the run serves suburb and metro with fewer truck-km per unit than the direct lanes.
    direct = short().trips
    direct = direct[direct["destination"].isin(["suburb", "metro"])]
    assert run_trips["km"].sum() / run_trips["units"].sum() < direct["km"].sum() / direct["units"].sum()
    assert run_trips["units"].sum() > 0


# --- conservation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dispatch", ['{policy="fixed_times", times=[6.0, 18.0]}', '{policy="hybrid", max_wait_hours=36}']
)
def test_units_are_conserved_with_every_option_on(dispatch: str) -> None:
    scenario = load_scenario(BASELINE, (
        *SHORT, f"linehaul.dispatch={dispatch}", LTL, *MULTI_STOP,
        'regional_warehouses.county.supplier_dispatch={policy="full_or_cutoff", cutoff_hour=12.0}',
    ))
    ctx = SimContext.create(scenario, seed=1, replication=0)
    chain = SupplyChain(ctx)
    ctx.env.run(until=ctx.window_end_h + 1e-9)
    records = chain.finish()
    balance = {k: np.asarray(v) for k, v in records.unit_balance.items()}
    np.testing.assert_array_equal(
        balance["initial"] + balance["produced"],
        units_located(balance),
    )
    for name, flows in records.warehouse_balances.items():
        b = {k: np.asarray(v) for k, v in flows.items()}
        np.testing.assert_array_equal(b["initial"] + b["received"], b["shipped"] + b["on_hand"], err_msg=name)
    # Per stop, even on the shared run: what a regional warehouse has on order is on the dock, on the road,
    # or owed by the central warehouse.
    central = chain.centrals["central"]
    for regional in chain.regionals:
        owed = np.zeros(len(chain.products), dtype=np.int64)
        for who, product, units in central.backorders:
            if who is regional:
                owed[product] += units
        stop = central.outbound[regional.name]
        np.testing.assert_array_equal(regional.stock.on_order, stop.queued_units + stop.in_transit + owed,
                                      err_msg=regional.name)
    modes = {trip.mode for trip in records.trips}
    assert modes == {"FTL", "LTL"}
    assert any(trip.destination == "suburb+metro" for trip in records.trips)
