"""Lifecycle accounting: what the window's parcels cost over their whole lives (``horizon.drain``).

The window-ledger view (``summary.json``'s top-level cost keys) counts the
ledger entries posted inside the window: a rate, which in steady state is the
cost of running the network for the window's days. It leaves out the work the
window's parcels push past the window's end and counts the work the warm-up's
parcels pushed into it.

The lifecycle view (``summary["lifecycle"]``) costs the cohort of parcels
ordered in the window, each to its final state:

- attributed costs: what a parcel causes is on its row of the parcel table
  (pick and pack; its share of its routes' distance and driver cost; failed
  attempts and their handling; pickup-point or locker fee; return; third-party
  carrier), summed over the window's parcels wherever in time it was posted,
  the drain included;
- shared costs: every other ledger entry (upstream transport and warehousing,
  storage and holding, vehicle and micro-hub days, hub shuttles) posted inside
  the window, as in the window view: the capacity the window's flow uses;
- shared costs posted during the drain are EXCLUDED and reported apart
  (``drain_shared_cost``): with demand stopped, the vans' fixed days, the
  upstream replenishment and the stock that keep running serve a shrinking
  backlog and a future that never comes. They are an artefact of ending the
  run, not a cost the window's parcels cause; charging them to the last
  parcels would make cost per parcel depend on the cap and the stop rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.ledger import PARCEL_STAGES, STAGES
from sim.metrics.channels import online_view
from sim.metrics.exact_sum import ExactSum
from sim.metrics.window import fsum, ratio

# Parcel-table cost columns and the stage whose ledger entries they are (the same amounts, per parcel).
ATTRIBUTED_COLUMNS: dict[str, str] = {
    "pick_pack_cost": "regional_warehouse",
    "last_mile_cost": "last_mile",
    "failed_attempt_cost": "last_mile",
    "pickup_point_cost": "last_mile",
    "return_cost": "last_mile",
    "outsourced_cost": "last_mile",
}
# The ledger entries those columns hold: route costs of the depots' own vehicles (the hub shuttle's
# facility ends in "->hub" and is shared), and the per-parcel fees, returns and carrier rates.
_ROUTE_COMPONENTS = ("vehicle_distance", "driver_time", "failed_attempt", "failed_attempt_handling")
_PARCEL_COMPONENTS = ("pickup_point_fee", "locker_fee", "return", "outsourced_delivery")


@dataclass(frozen=True)
class DrainRecord:
    """How the clock ended: the window's end, where it stopped, the cap, and the parcels open at both ends."""

    window_end_h: float
    stop_h: float
    cap_h: float
    open_at_window_end: int
    open_at_stop: int
    # Of the parcels open at the window's end, those ordered in the window (not in the warm-up).
    window_open_at_window_end: int = 0

    @property
    def capped(self) -> bool:
        """Whether the drain hit its cap with parcels still open."""
        return self.open_at_stop > 0


class LifecycleCosts:
    """The attributed costs of the window's parcels, by stage, taken from the parcel table's pieces."""

    def __init__(self) -> None:
        # One exact running sum per stage: a year's parcels are not kept, only the sums' partials.
        self._sums: dict[str, ExactSum] = {stage: ExactSum() for stage in PARCEL_STAGES}

    def add(self, parcels: pd.DataFrame) -> None:
        """Take the next piece of the parcel table (any order: the sums are exact)."""
        if parcels.empty:
            return
        window = parcels["in_window"].to_numpy(dtype=bool)
        for column, stage in ATTRIBUTED_COLUMNS.items():
            self._sums[stage].add(parcels[column].to_numpy(dtype=float)[window])

    def by_stage(self) -> dict[str, float]:
        """Attributed cost per parcel stage: ``math.fsum`` of its columns' values, whatever the pieces' order."""
        return {stage: total.total() for stage, total in self._sums.items()}


def attributed_rows(ledger: pd.DataFrame) -> np.ndarray:
    """Mask of the ledger entries the parcel table attributes to parcels (see ``ATTRIBUTED_COLUMNS``)."""
    stage = ledger["stage"].astype(str)
    component = ledger["component"].astype(str)
    route = (stage == "last_mile") & component.isin(_ROUTE_COMPONENTS) & ~ledger["facility"].astype(str).str.endswith(
        "->hub")
    fees = (stage == "last_mile") & component.isin(_PARCEL_COMPONENTS)
    picking = (stage == "regional_warehouse") & (component == "pick_pack")
    return (route | fees | picking).to_numpy()


def _by_stage(ledger: pd.DataFrame) -> dict[str, float]:
    return {stage: fsum(ledger.loc[ledger["stage"] == stage, "amount"]) for stage in PARCEL_STAGES}


def lifecycle_summary(
    costs: LifecycleCosts, ledger: pd.DataFrame, drain: DrainRecord, summary: dict[str, Any]
) -> dict[str, Any]:
    """``summary["lifecycle"]``: cost of the window's parcels over their lives, and how the drain went.

    ``summary`` is the run's summary so far: the window's start, its parcel count
    and (with shops) the online channel's share of the shared costs come from it.
    """
    start_h = summary["window_hours"][0]
    ordered = summary["parcels"]["ordered"]
    online_share = summary["channels"]["online"]["unit_share"] if "channels" in summary else 1.0
    shared = ledger[~attributed_rows(ledger)]
    times = shared["time_h"]
    in_window = online_view(shared[(times >= start_h) & (times <= drain.window_end_h)], online_share)
    after = online_view(shared[times > drain.window_end_h], online_share)
    attributed = costs.by_stage()
    shared_by_stage = _by_stage(in_window)
    by_stage = {stage: attributed[stage] + shared_by_stage[stage] for stage in PARCEL_STAGES}
    upstream = math.fsum(v for s, v in by_stage.items() if STAGES[s] == "upstream")
    last_mile = math.fsum(v for s, v in by_stage.items() if STAGES[s] == "last_mile")
    per_parcel: dict[str, float] = {stage: ratio(value, ordered) for stage, value in by_stage.items()}
    per_parcel.update(upstream=ratio(upstream, ordered), last_mile=ratio(last_mile, ordered),
                      total=ratio(upstream + last_mile, ordered))
    return {
        "total_cost": upstream + last_mile,
        "upstream_cost": upstream,
        "last_mile_cost": last_mile,
        "cost_by_stage": by_stage,
        "attributed_cost": math.fsum(attributed.values()),
        "shared_cost": math.fsum(shared_by_stage.values()),
        "last_mile_share": ratio(last_mile, upstream + last_mile),
        "cost_per_parcel": per_parcel,
        "drain_shared_cost": fsum(after["amount"]),
        "drain": {
            "days": (drain.stop_h - drain.window_end_h) / 24.0,
            "cap_days": (drain.cap_h - drain.window_end_h) / 24.0,
            "stop_h": drain.stop_h,
            "open_at_window_end": drain.open_at_window_end,
            "window_parcels_open_at_window_end": drain.window_open_at_window_end,
            "open_at_end": drain.open_at_stop,
            "capped": drain.capped,
        },
    }


def drain_warnings(drain: DrainRecord) -> list[str]:
    """The warning of a drain that hit its cap, naming how many parcels are still open."""
    if not drain.capped:
        return []
    days = (drain.cap_h - drain.window_end_h) / 24.0
    return [f"drain cap hit: {drain.open_at_stop} parcels ordered by the window's end are still open after "
            f"{days:g} drain days (horizon.drain_cap_days); lead time, on time and lifecycle costs leave them out"]
