"""KPIs as pure functions of a run's records and tables (no SimPy here, so they can be tested on synthetic data).

``summarize_run`` is the one entry that builds a run's ``summary.json``. The
modules: ``window`` (the measurement window and shared arithmetic), ``costs``,
``parcels`` (outcomes, service, and the parcel table's service columns), ``streaming`` (the same
parcel KPIs accumulated piece by piece),
``transport`` (routes and line-haul), ``channels`` (online, store, shared) and
``summary`` (the whole run, plants and disruptions included).
"""

from sim.metrics.channels import channel_shares, channel_summary, online_view, store_summary
from sim.metrics.costs import cost_by_stage_component, cost_summary, emission_summary
from sim.metrics.parcels import (
    DAILY_SERVICE_COLUMNS,
    daily_service,
    parcel_service_columns,
    parcel_summary,
    service_summary,
)
from sim.metrics.streaming import ParcelKpis
from sim.metrics.summary import disruption_load, flatten, plant_kpis, summarize, summarize_run
from sim.metrics.transport import linehaul_summary, route_summary
from sim.metrics.window import window_ledger

__all__ = [
    "DAILY_SERVICE_COLUMNS",
    "ParcelKpis",
    "channel_shares",
    "channel_summary",
    "cost_by_stage_component",
    "cost_summary",
    "daily_service",
    "disruption_load",
    "emission_summary",
    "flatten",
    "linehaul_summary",
    "online_view",
    "parcel_service_columns",
    "parcel_summary",
    "plant_kpis",
    "route_summary",
    "service_summary",
    "store_summary",
    "summarize",
    "summarize_run",
    "window_ledger",
]
