"""Figures of runs and experiments, one function per module.

Every function draws plain tables (DataFrames, a summary dict) onto the
matplotlib ``ax`` it is given, or onto a new figure when ``ax`` is None, and
returns that Axes. None of them knows the result objects: ``RunResult`` and the
experiment results pass their tables here through their ``plot`` methods.
"""

from sim.plotting.cost_per_parcel import plot_cost_per_parcel
from sim.plotting.daily_service import not_yet_due_by_day, plot_daily_service
from sim.plotting.delivery_map import plot_delivery_map
from sim.plotting.inventory import plot_inventory
from sim.plotting.last_mile_components import plot_last_mile_components
from sim.plotting.lead_time import plot_lead_time
from sim.plotting.linehaul_fill import plot_linehaul_fill
from sim.plotting.outcomes import plot_outcomes
from sim.plotting.paired import plot_paired
from sim.plotting.risk import plot_risk
from sim.plotting.sweep import plot_sweep
from sim.plotting.sweep_figures import write_sweep_figures

__all__ = [
    "not_yet_due_by_day",
    "plot_cost_per_parcel",
    "plot_daily_service",
    "plot_delivery_map",
    "plot_inventory",
    "plot_last_mile_components",
    "plot_lead_time",
    "plot_linehaul_fill",
    "plot_outcomes",
    "plot_paired",
    "plot_risk",
    "plot_sweep",
    "write_sweep_figures",
]
