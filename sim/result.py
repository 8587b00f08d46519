"""The result of one run: the summary, the tables, and conveniences for notebooks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.ledger import channel_of
from sim.metrics import cost_by_stage_component, daily_service, window_ledger
from sim.plotting import (
    plot_cost_per_parcel,
    plot_daily_service,
    plot_last_mile_components,
    plot_lead_time,
    plot_outcomes,
)
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from matplotlib.axes import Axes


# Frozen: a result is a record of what happened; every table a caller derives
# from it is a new frame. eq=False because comparing DataFrames with == is
# element-wise, so a generated __eq__ could not answer; identity is the equality.
@dataclass(frozen=True, eq=False)
class RunResult:
    """Everything a run produced. Tables are pandas DataFrames; nothing here refers to SimPy."""

    scenario: Scenario
    seed: int
    replication: int
    summary: dict[str, Any]
    ledger: pd.DataFrame
    emissions: pd.DataFrame
    parcels: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    inventory: pd.DataFrame
    trail: pd.DataFrame | None
    unit_balance: dict[str, list[int]]
    product_names: list[str]
    warehouse_balances: dict[str, dict[str, list[int]]]
    events: int
    wall_seconds: float
    peak_memory_bytes: int | None = None
    # The store channel (only when the scenario has shops): a row per regional warehouse, day and product.
    store_sales: pd.DataFrame | None = None
    store_orders: pd.DataFrame | None = None
    # One row per disruption occurrence (only when the scenario has disruptions): kind, target, start, end, recovery.
    disruptions: pd.DataFrame | None = None
    # Service by order day of every parcel (``daily_service``); None: computed from ``parcels``.
    daily: pd.DataFrame | None = None
    # Parcels ordered in the run; None: ``len(parcels)``.
    parcels_simulated: int | None = None
    # Which parcels ``parcels`` holds: "all", "sample" (outputs.parcel_sample_rate of them) or "none"
    # (the table went to a results folder as the run went, or the scenario keeps none).
    parcels_kept: str = "all"

    def __post_init__(self) -> None:
        # The scenario that ran, seed and replication included: a results folder's scenario.toml (written from it)
        # then re-runs exactly this run, whatever --seed or --replication chose.
        if (self.scenario.seed, self.scenario.replication) != (self.seed, self.replication):
            ran = self.scenario.model_copy(update={"seed": self.seed, "replication": self.replication})
            object.__setattr__(self, "scenario", ran)

    def __repr__(self) -> str:
        """One line: which run, how big, the headline figures (the default repr printed every table: ~24 kB)."""
        share = self.summary.get("last_mile_share")
        cost = self.summary.get("cost_per_parcel", {}).get("total")
        figures = (f", last-mile share {share:.1%}" if isinstance(share, float) else "") + (
            f", {cost:.2f} {self.scenario.currency} per parcel" if isinstance(cost, float) else "")
        return (f"RunResult(scenario={self.scenario.name!r}, seed={self.seed}, replication={self.replication}, "
                f"parcels={self.parcel_count:,}{figures}, events={self.events:,}, "
                f"wall_seconds={self.wall_seconds:.1f})")

    @property
    def window(self) -> tuple[float, float]:
        """Measurement window (start, end) in hours."""
        start, end = self.summary["window_hours"]
        return float(start), float(end)

    def cost_table(self, window_only: bool = True) -> pd.DataFrame:
        """Cost by stage and component (measurement window by default), with cost per parcel."""
        ledger = window_ledger(self.ledger, *self.window) if window_only else self.ledger
        table = cost_by_stage_component(ledger)
        ordered = self.summary["parcels"]["ordered"]
        table["per_parcel"] = table["amount"] / ordered if ordered else float("nan")
        if "channels" in self.summary:
            # With shops, say whose cost each row is; per_parcel stays per online parcel ordered.
            table.insert(3, "channel", [channel_of(str(s), str(c)) for s, c in zip(table["stage"], table["component"],
                                                                                    strict=True)])
        return table

    def daily_service(self) -> pd.DataFrame:
        """Service by order day (warm-up included): orders, fill rate, on-time rate, mean lead time."""
        return daily_service(self.parcels) if self.daily is None else self.daily

    @property
    def parcel_count(self) -> int:
        """How many parcels the run ordered (the table may hold fewer: see ``parcels_kept``)."""
        return len(self.parcels) if self.parcels_simulated is None else self.parcels_simulated

    def plot_daily_service(self, ax: Axes | None = None) -> Axes:
        """Fill rate and on-time rate by order day, with the disruptions' windows shaded."""
        return plot_daily_service(self.daily_service(), self.window, self.disruptions, ax=ax)

    def plot_cost_per_parcel(self, ax: Axes | None = None) -> Axes:
        """Bar chart of cost per parcel by stage."""
        return plot_cost_per_parcel(self.summary, ax=ax, currency=self.scenario.currency)

    def plot_last_mile_components(self, ax: Axes | None = None) -> Axes:
        """Bar chart of last-mile cost per parcel by component."""
        return plot_last_mile_components(self.cost_table(), ax=ax, currency=self.scenario.currency)

    def plot_outcomes(self, ax: Axes | None = None) -> Axes:
        """Final state of the parcels ordered in the window."""
        return plot_outcomes(self.parcels, ax=ax)

    def plot_lead_time(self, ax: Axes | None = None) -> Axes:
        """Histogram of order-to-delivery lead time."""
        return plot_lead_time(self.parcels, ax=ax)
