"""The KPIs of the experiment tables: which are shown by default, what unit each has, and ``--kpi`` checked early.

A run's flat KPI names (``cost_per_parcel.total``, ``factories.plant_east.setups``)
are known before any run from the scenario: the fixed ones below, and the ones
named after its factories, vehicle types, shops and disruptions. ``--kpi`` is
checked against them before the first run, with a did-you-mean, so a typo
costs a second, not an experiment.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from sim.errors import ScenarioError

# Printed by default: the headline of the product (cost by leg, the share, service, emissions).
HEADLINE = (
    "cost_per_parcel.total", "cost_per_parcel.upstream", "cost_per_parcel.last_mile", "last_mile_share",
    "service.on_time_rate", "first_attempt_success_rate", "stock.fill_rate", "lead_time_hours.mean",
    "co2e_kg.per_parcel.total",
    # The lifecycle view (horizon.drain, the default): the window's parcels costed over their whole lives.
    "lifecycle.cost_per_parcel.total", "lifecycle.cost_per_parcel.last_mile", "lifecycle.last_mile_share",
)
ALL = "all"  # --kpi all: every KPI

_STAGES = ("factory_to_central", "central_warehouse", "central_to_regional", "regional_warehouse", "last_mile")
_LANES = ("central_to_regional", "factory_to_central")
# ``summary["lifecycle"]`` (only with horizon.drain): the same cost keys as the window view, what is on the
# parcels' rows and what is shared, the drain's shared costs left out, and the drain itself.
_LIFECYCLE = (
    "lifecycle.total_cost", "lifecycle.upstream_cost", "lifecycle.last_mile_cost",
    *(f"lifecycle.cost_by_stage.{s}" for s in _STAGES),
    *(f"lifecycle.cost_per_parcel.{s}" for s in (*_STAGES, "upstream", "total")),
    "lifecycle.last_mile_share", "lifecycle.attributed_cost", "lifecycle.shared_cost", "lifecycle.drain_shared_cost",
    *(f"lifecycle.drain.{s}" for s in ("days", "cap_days", "stop_h", "open_at_window_end",
                                          "window_parcels_open_at_window_end", "open_at_end", "capped")),
)
_FIXED = (
    "total_cost", "upstream_cost", "last_mile_cost", *(f"cost_by_stage.{s}" for s in _STAGES),
    "last_mile_share", "last_mile_share_transport",
    *(f"cost_per_parcel.{s}" for s in (*_STAGES, "upstream", "total")),
    "cost_per_delivered_parcel", "last_mile_cost_per_delivered_parcel",
    *(f"parcels.{s}" for s in ("ordered", "delivered", "at_pickup_point", "returned", "in_system", "lost_sale",
                               "delivered_home", "delivered_pickup_point")),
    "first_attempt_success_rate", "attempts_per_attempted_parcel",
    "lead_time_hours.mean", "lead_time_hours.p50", "lead_time_hours.p95",
    "stock.backordered_share", "stock.fill_rate", "stock.lost_sale_share",
    "capacity.carried_over_share", "capacity.mean_days_waited",
    "service.on_time_rate", "service.within_promise_share", "service.lateness_hours.late_parcels",
    "service.lateness_hours.mean", "service.lateness_hours.p95", "service.time_window_kept_rate",
    "service.same_day_on_time_rate", "service.chose_pickup_share", "service.outsourced_share",
    "co2e_kg.total", "co2e_kg.upstream", "co2e_kg.last_mile", *(f"co2e_kg.by_stage.{s}" for s in _STAGES),
    "co2e_kg.per_parcel.total", "co2e_kg.per_parcel.upstream", "co2e_kg.per_parcel.last_mile",
    "co2e_kg.last_mile_share", "co2e_kg.failed_attempt_share_of_last_mile",
    *(f"routes.{s}" for s in ("count", "planned_km_mean", "executed_over_planned_km",
                              "executed_over_planned_duration", "window_stops", "late_stops", "mean_stops",
                              "mean_parcels", "mean_km", "mean_duration_h", "driving_share", "service_share",
                              "failed_attempts", "overtime_share", "aborted_parcels")),
    "cost_per_failed_attempt",
    *(f"linehaul.{lane}.{s}" for lane in _LANES for s in ("trips", "ltl_shipments", "mean_fill", "units",
                                                          "mean_dock_wait_h", "mean_lead_time_h")),
    *_LIFECYCLE,
)
_PLANT = ("units_produced", "downtime_hours", "setups", "setup_hours", "fg_units", "backlog_units")
# Subtrees whose leaves depend on the model's reports (shops, disruptions): any name below them is accepted
# when the scenario has shops or disruptions.
_OPEN_PREFIXES = {"channels.": "stores", "disruption_load.": "disruptions", "disruptions.": "disruptions"}


def known_kpis(scenario: Any) -> list[str]:
    """The flat KPI names a run of ``scenario`` reports (the open subtrees by their prefix, see ``_OPEN_PREFIXES``)."""
    names = list(_FIXED)
    names += [f"factories.{f.name}.{leaf}" for f in scenario.factories for leaf in _PLANT]
    types = dict.fromkeys(u.type for r in scenario.regional_warehouses for u in r.fleet.units)
    names += [f"routes.by_vehicle_type.{name}" for name in types]
    return names


def check_kpis(requested: Sequence[str], scenarios: Iterable[Any], option: str = "--kpi") -> None:
    """Refuse, before any run, a ``--kpi`` that none of ``scenarios`` reports, with the closest known name."""
    scenarios = list(scenarios)
    known = list(dict.fromkeys(name for scenario in scenarios for name in known_kpis(scenario)))
    open_prefixes = [prefix for prefix, what in _OPEN_PREFIXES.items()
                     if any(_has(scenario, what) for scenario in scenarios)]
    for name in requested:
        if name == ALL or name in known or name.startswith(tuple(open_prefixes)):
            continue
        close = difflib.get_close_matches(name, [*known, ALL], n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"e.g. {', '.join(HEADLINE[:3])}, or '{ALL}'"
        raise ScenarioError(f"{option} {name}: not a KPI of this experiment; {hint} "
                            "(the KPI columns of runs.csv; `--kpi all` prints every one)")


def _has(scenario: Any, what: str) -> bool:
    if what == "stores":
        return any(r.stores is not None for r in scenario.regional_warehouses)
    return bool(scenario.disruptions)


def chosen(available: Sequence[str], requested: Sequence[str] | None) -> list[str]:
    """The KPIs to print, in the table's order: the headline ones, plus the requested ones (``all``: every KPI)."""
    wanted = set(requested or ())
    if ALL in wanted:
        return list(available)
    return [name for name in available if name in HEADLINE or name in wanted]


# --- units -------------------------------------------------------------------

COUNT_LEAVES = ("trips", "ltl_shipments", "units", "count", "window_stops", "late_stops", "failed_attempts",
                "aborted_parcels", "late_parcels", "setups", "units_produced", "fg_units", "backlog_units",
                "occurrences", "open_at_window_end", "window_parcels_open_at_window_end", "open_at_end")


def kind(name: str) -> str:
    """How a KPI is shown: 'share' (a fraction, shown in %), 'money', 'count', 'hours', 'days', 'km', 'co2e',
    'ratio' (a multiple or a mean of counts) or 'number'."""
    leaf = name.rsplit(".", 1)[-1]
    if name.startswith("co2e_kg.") and not leaf.endswith("share") and "share_of" not in leaf:
        return "co2e"
    if leaf.endswith(("share", "_rate", "mean_fill")) or "share_of" in leaf or leaf == "last_mile_share_transport":
        return "share"
    if "cost" in name:
        return "money"
    if name.startswith(("parcels.", "routes.by_vehicle_type.")) or leaf in COUNT_LEAVES:
        return "count"
    if name.startswith(("lead_time_hours.", "service.lateness_hours.")) or leaf.endswith(("_h", "_hours")):
        return "hours"
    if leaf.endswith("_days") or "days_" in leaf or name == "lifecycle.drain.days":
        return "days"
    if leaf.startswith(("executed_over", "attempts_per", "mean_stops", "mean_parcels")):
        return "ratio"  # before km: executed_over_planned_km is a ratio of km, not km
    if leaf.endswith("_km") or leaf.endswith("km_mean"):
        return "km"
    return "number"


def unit(name: str, currency: str) -> str:
    """The unit column of a KPI: '%', the currency, 'h', 'days', 'km', 'kg CO2e', '' for counts and ratios."""
    return {"share": "%", "money": currency, "hours": "h", "days": "days", "km": "km", "co2e": "kg CO2e"}.get(
        kind(name), "")


def value(name: str, x: Any, *, difference: bool = False) -> str:
    """One number of KPI ``name`` in its unit: shares in % (differences in percentage points), counts whole."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "n/a"
    if v != v or v in (float("inf"), float("-inf")):
        return "n/a"
    sign = "+" if difference else ""
    k = kind(name)
    if k == "share":
        return f"{100 * v:{sign},.1f}" + (" pp" if difference else "")
    if k == "money":
        return f"{v:{sign},.2f}" if abs(v) < 1e5 else f"{v:{sign},.0f}"
    if k == "count":
        return f"{v:{sign},.0f}" if abs(v) >= 100 or v == int(v) else f"{v:{sign},.1f}"
    if k == "co2e":
        return f"{v:{sign},.3f}" if abs(v) < 10 else f"{v:{sign},.0f}"
    return f"{v:{sign},.2f}" if abs(v) < 1e4 else f"{v:{sign},.0f}"
