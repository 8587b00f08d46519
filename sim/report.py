"""The summary as a readable terminal table."""

from __future__ import annotations

from typing import Any

from sim.ledger import STAGES


def _money(value: float, currency: str) -> str:
    return f"{value:,.2f} {currency}"


def format_summary(summary: dict[str, Any], title: str, currency: str) -> str:
    """A plain-text report of one run's headline numbers."""
    cpp = summary["cost_per_parcel"]
    total = summary["total_cost"]
    lines = [title, "=" * len(title), ""]
    lines.append(f"{'stage':<24}{'leg':<11}{'cost per parcel':>18}{'share':>9}")
    for stage, leg in STAGES.items():
        share = summary["cost_by_stage"][stage] / total if total else float("nan")
        lines.append(f"{stage:<24}{leg:<11}{_money(cpp[stage], currency):>18}{share:>9.1%}")
    lines.append("-" * 62)
    for leg in ("upstream", "last_mile", "total"):
        share = cpp[leg] / cpp["total"] if cpp["total"] else float("nan")
        lines.append(f"{leg:<35}{_money(cpp[leg], currency):>18}{share:>9.1%}")
    lines.append("")
    parcels = summary["parcels"]
    lead = summary["lead_time_hours"]
    routes = summary["routes"]
    lines += [
        f"last-mile share of total logistics cost     {summary['last_mile_share']:.1%}",
        f"last-mile share of transport cost           {summary['last_mile_share_transport']:.1%}",
        f"total logistics cost (window)               {_money(total, currency)}",
        f"cost per delivered parcel                   {_money(summary['cost_per_delivered_parcel'], currency)}",
        f"parcels ordered in the window               {parcels['ordered']:,}",
        f"  delivered / at pickup point / returned / lost sale / in system   "
        f"{parcels['delivered']:,} / {parcels['at_pickup_point']:,} / {parcels['returned']:,} / "
        f"{parcels.get('lost_sale', 0):,} / {parcels['in_system']:,}",
        f"first-attempt success rate                  {summary['first_attempt_success_rate']:.1%}",
        f"cost per failed attempt                     {_money(summary['cost_per_failed_attempt'], currency)}",
        f"lead time, mean / p95 (hours)               {lead['mean']:.1f} / {lead['p95']:.1f}",
        f"stock fill rate at regional warehouses      {summary['stock']['fill_rate']:.1%}",
        f"routes: {routes['count']:,}, {routes['mean_stops']:.0f} stops and {routes['mean_km']:.0f} km on average, "
        f"driving {routes['driving_share']:.0%} of route time",
    ]
    return "\n".join(lines)
