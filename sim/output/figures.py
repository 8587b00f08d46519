"""The PNG figures of a run's results folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.output.csv_tables import dtype_spec, read_csv_table
from sim.output.layout import PARCELS_CSV, parcels_in_folder, table_file
from sim.plotting import not_yet_due_by_day, plot_daily_service, plot_lead_time, plot_outcomes
from sim.plotting.titles import run_title
from sim.result import RunResult

# The parcel table's columns the outcome and lead-time figure reads.
_FIGURE_COLUMNS = ["in_window", "state", "delivered_via", "lead_time_h", "order_time_h", "promise_h",
                   "available_time_h"]

DPI = 110


def write_plots(result: RunResult, folder: Path) -> None:
    """The three standard figures of a run, and service by day when the scenario has disruptions.

    The outcome and lead-time figure needs every parcel: it is drawn from the
    folder's parcel table when the run wrote it there, and left out when the
    run kept a sample or no parcels.

    Drawn on bare ``Figure`` objects rather than through pyplot, so writing files
    needs no display and never touches the backend of a notebook that calls it.
    """
    from matplotlib.figure import Figure

    title = run_title(result.scenario.name, result.seed, result.replication, result.window)
    fig = Figure(figsize=(8, 4.5), layout="tight")
    result.plot_cost_per_parcel(ax=fig.subplots())
    fig.suptitle(title, fontsize=9)
    fig.savefig(folder / "cost_per_parcel_by_stage.png", dpi=DPI)

    fig = Figure(figsize=(8, 4.5), layout="tight")
    result.plot_last_mile_components(ax=fig.subplots())
    fig.suptitle(title, fontsize=9)
    fig.savefig(folder / "last_mile_cost_by_component.png", dpi=DPI)

    parcels = result.parcels if result.parcels_kept == "all" else None
    if parcels is None and parcels_in_folder(result, folder) == "all":
        if (folder / table_file("parcels")).exists():
            parcels = pd.read_parquet(folder / table_file("parcels"), columns=_FIGURE_COLUMNS)
        else:  # written as CSV only; the result's empty table has the dtypes
            parcels = read_csv_table(folder / PARCELS_CSV, dtype_spec(result.parcels), _FIGURE_COLUMNS)
    if parcels is not None:
        fig = Figure(figsize=(12, 4.5), layout="tight")
        left, right = fig.subplots(1, 2)
        plot_outcomes(parcels, ax=left)
        plot_lead_time(parcels, ax=right)
        fig.suptitle(title, fontsize=9)
        fig.savefig(folder / "delivery_outcomes_and_lead_time.png", dpi=DPI)

    if result.disruptions is not None:
        fig = Figure(figsize=(10, 4.5), layout="tight")
        censored = not_yet_due_by_day(parcels, result.window[1]) if parcels is not None else None
        plot_daily_service(result.daily_service(), result.window, result.disruptions, ax=fig.subplots(),
                           not_yet_due=censored)
        fig.suptitle(title, fontsize=9)
        fig.savefig(folder / "daily_service.png", dpi=DPI)
