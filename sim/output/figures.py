"""The PNG figures of a run's results folder."""

from __future__ import annotations

from pathlib import Path

from sim.result import RunResult

DPI = 110


def write_plots(result: RunResult, folder: Path) -> None:
    """The three standard figures of a run, and service by day when the scenario has disruptions.

    Drawn on bare ``Figure`` objects rather than through pyplot, so writing files
    needs no display and never touches the backend of a notebook that calls it.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.5), layout="tight")
    result.plot_cost_per_parcel(ax=fig.subplots())
    fig.savefig(folder / "cost_per_parcel_by_stage.png", dpi=DPI)

    fig = Figure(figsize=(8, 4.5), layout="tight")
    result.plot_last_mile_components(ax=fig.subplots())
    fig.savefig(folder / "last_mile_cost_by_component.png", dpi=DPI)

    fig = Figure(figsize=(12, 4.5), layout="tight")
    left, right = fig.subplots(1, 2)
    result.plot_outcomes(ax=left)
    result.plot_lead_time(ax=right)
    fig.savefig(folder / "delivery_outcomes_and_lead_time.png", dpi=DPI)

    if result.disruptions is not None:
        fig = Figure(figsize=(10, 4.5), layout="tight")
        result.plot_daily_service(ax=fig.subplots())
        fig.savefig(folder / "daily_service.png", dpi=DPI)
