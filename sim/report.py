"""The summary as a readable terminal table."""

from __future__ import annotations

from typing import Any

from sim.ledger import PARCEL_STAGES


def _money(value: float, currency: str) -> str:
    return f"{value:,.2f} {currency}"


def format_summary(summary: dict[str, Any], title: str, currency: str) -> str:
    """A plain-text report of one run's headline numbers."""
    cpp = summary["cost_per_parcel"]
    total = summary["total_cost"]
    lines = [title, "=" * len(title), ""]
    lines.append(f"{'stage':<24}{'leg':<11}{'cost per parcel':>18}{'share':>9}")
    for stage, leg in PARCEL_STAGES.items():
        share = summary["cost_by_stage"][stage] / total if total else float("nan")
        lines.append(f"{stage:<24}{leg:<11}{_money(cpp[stage], currency):>18}{share:>9.1%}")
    lines.append("-" * 62)
    for part in ("upstream", "last_mile", "total"):
        share = cpp[part] / cpp["total"] if cpp["total"] else float("nan")
        lines.append(f"{part:<35}{_money(cpp[part], currency):>18}{share:>9.1%}")
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
    if "distances" in summary:
        from sim.model.circuity import format_distances

        lines += ["", *format_distances(summary["distances"])]
    if "channels" in summary:
        lines += ["", *format_channels(summary["channels"], currency)]
    if "disruptions" in summary:
        lines += ["", *format_disruptions(summary["disruptions"])]
    return "\n".join(lines)


def format_disruptions(occurrences: list[dict[str, Any]], shown: int = 10) -> list[str]:
    """One line per disruption occurrence (the first ``shown``), in days from the start of the run."""
    lines = [f"disruptions: {len(occurrences)} occurrence{'s' if len(occurrences) != 1 else ''}"
             + (" (days from the start of the run, warm-up included)" if occurrences else "")]
    for o in occurrences[:shown]:
        recovery = f", recovered day {o['recovered_h'] / 24:.1f}" if o["recovered_h"] > o["end_h"] else ""
        when = f"day {o['start_h'] / 24:.1f} to {o['end_h'] / 24:.1f}{recovery}"
        lines.append(f"  {o['kind']:<18}{o['target']:<20}{when}")
    if len(occurrences) > shown:
        lines.append(f"  ... and {len(occurrences) - shown} more (disruptions.csv)")
    return lines


def format_channels(channels: dict[str, Any], currency: str) -> list[str]:
    """The two sales channels side by side: units, own and allocated shared cost, cost per unit."""
    lines = [
        "sales channels (shared upstream cost allocated by units demanded; the table above is the online view)",
        f"{'channel':<9}{'units':>10}{'own cost':>18}{'shared cost':>18}{'total':>18}{'per unit':>14}",
    ]
    for name in ("online", "store"):
        c = channels[name]
        lines.append(f"{name:<9}{c['units']:>10,}{_money(c['own_cost'], currency):>18}"
                     f"{_money(c['allocated_shared_cost'], currency):>18}{_money(c['total_cost'], currency):>18}"
                     f"{_money(c['cost_per_unit'], currency):>14}")
    lines.append(f"{'network':<9}{'':>10}{'':>18}{'':>18}{_money(channels['network_total_cost'], currency):>18}")
    stores = channels["stores"]
    store = channels["store"]
    lines += [
        f"online: last-mile share {channels['online']['last_mile_share']:.1%}; store: store delivery "
        f"{_money(store['store_delivery_cost_per_unit'], currency)} per unit ({store['store_delivery_share']:.1%})",
        f"shops: fill rate {stores['fill_rate']:.1%} ({stores['units_sold']:,} sold, {stores['units_lost']:,} lost), "
        f"{stores['units_cut']:,} units cut at the warehouse; {stores['truck_trips']:,} truck trips, "
        f"{stores['mean_truck_fill']:.0%} full, {stores['mean_km_per_trip']:.0f} km on average",
    ]
    return lines
