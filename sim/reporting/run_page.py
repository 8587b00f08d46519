"""The content of a run's page: headline figures, tables and charts, from the run folder's files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.ledger import PARCEL_STAGES
from sim.plotting import (
    plot_cost_per_parcel,
    plot_daily_service,
    plot_delivery_map,
    plot_inventory,
    plot_last_mile_components,
    plot_linehaul_fill,
)
from sim.plotting.outcomes import plot_outcome_counts, summary_outcome_counts
from sim.plotting.titles import run_title
from sim.reporting.files import RunFiles, read_json_file, read_toml_file
from sim.reporting.format import money, number, percent
from sim.reporting.run_data import daily_with_censoring, delivery_day, map_day
from sim.reporting.svg import figure_svg, new_figure


def run_context(folder: Path) -> dict[str, Any]:
    """Everything ``run.html`` shows for the run folder ``folder``."""
    summary = read_json_file(folder / "summary.json")
    manifest = read_json_file(folder / "manifest.json")
    scenario_text = (folder / "scenario.toml").read_text()
    scenario = read_toml_file(folder / "scenario.toml")
    files = RunFiles(folder)
    currency = str(scenario.get("currency", ""))
    window = (float(summary["window_hours"][0]), float(summary["window_hours"][1]))
    title = run_title(str(summary["scenario"]), int(summary["seed"]), int(summary["replication"]), window)
    cost_table = pd.read_csv(folder / "cost_by_stage_component.csv")
    charts = _charts(summary, cost_table, files, scenario, window, title, currency)
    return {
        "kind": "run",
        "title": title,
        "headline": _headline(summary, currency),
        "share_note": share_denominator(summary, currency),
        "stages": _stage_rows(summary, currency),
        "components": _component_rows(cost_table, currency),
        "charts": charts,
        "warnings": list(summary.get("warnings", [])),
        "scenario_text": scenario_text,
        "manifest_text": json.dumps(manifest, indent=2),
        "manifest": {key: manifest.get(key) for key in ("status", "created_utc", "kernel_events",
                                                        "parcels_simulated")},
        "command": " ".join(str(part) for part in manifest.get("command", [])),
        "parcels_kept": files.parcels_kept,
    }


def _headline(summary: dict[str, Any], currency: str) -> list[dict[str, str]]:
    """The figures at the top of the page, each with what it is a share or a rate of."""
    co2e = summary["co2e_kg"]
    return [
        {"label": "last-mile share of logistics cost", "value": percent(summary["last_mile_share"]),
         "note": f"transport only: {percent(summary['last_mile_share_transport'])}", "id": "last-mile-share"},
        {"label": "cost per parcel ordered", "value": money(summary["cost_per_parcel"]["total"], currency),
         "note": f"last mile {money(summary['cost_per_parcel']['last_mile'], currency)}, upstream "
                 f"{money(summary['cost_per_parcel']['upstream'], currency)}", "id": "cost-per-parcel"},
        {"label": "on time", "value": percent(summary["service"]["on_time_rate"]),
         "note": "served parcels available by their promise", "id": "on-time"},
        {"label": "first-attempt success", "value": percent(summary["first_attempt_success_rate"]),
         "note": "of attempted parcels", "id": "first-attempt"},
        {"label": "CO2e per parcel", "value": f"{number(co2e['per_parcel']['total'], 3)} kg",
         "note": f"{number(co2e['total'] / 1000, 1)} t in the window, last mile "
                 f"{percent(co2e['last_mile_share'])}", "id": "co2e"},
        {"label": "parcels ordered in the window", "value": f"{summary['parcels']['ordered']:,}",
         "note": f"{summary['parcels']['delivered']:,} delivered, {summary['parcels']['in_system']:,} still in the "
                 "system at the horizon", "id": "parcels"},
    ]


def share_denominator(summary: dict[str, Any], currency: str) -> str:
    """What the last-mile share is a share of, with this run's amounts, and the published figures it meets.

    The published shares divide by different totals (supply-chain, delivery, shipping cost), so the page
    says which total the run's share divides by before a reader sets it against one of them.
    """
    text = (f"The last-mile share is the last_mile stage's cost ({money(summary['last_mile_cost'], currency)}: "
            "the couriers' vehicles, drivers and vehicle days, failed attempts, pickup-point and locker fees, "
            "returns, the third-party carrier) over total logistics cost "
            f"({money(summary['total_cost'], currency)}): every ledger entry of the measurement window, "
            "line-haul, warehouse handling, storage, inventory holding and pick & pack (counted upstream, at the "
            "regional warehouse) included; the cost of making the goods is not in it. The transport-only share "
            "divides the last mile's vehicle, driver, failed-attempt and carrier cost by the same cost of every "
            "leg. Published figures divide by other totals: Capgemini 41 % of total supply-chain cost, HERE & "
            "Atos 40-55 % of total delivery cost, Business Insider 53 % of shipping cost (docs/calibration.md).")
    lifecycle = summary.get("lifecycle")
    if isinstance(lifecycle, dict) and "last_mile_share" in lifecycle:
        text += (f" Over the window's parcels' whole lives (the drain's lifecycle view) the share is "
                 f"{percent(lifecycle['last_mile_share'])}, of {money(lifecycle['total_cost'], currency)}.")
    return text


def _stage_rows(summary: dict[str, Any], currency: str) -> list[dict[str, str]]:
    total = float(summary["total_cost"])
    rows = [{"stage": stage.replace("_", " "), "leg": leg.replace("_", " "),
             "per_parcel": money(summary["cost_per_parcel"][stage], currency),
             "share": percent(summary["cost_by_stage"][stage] / total if total else float("nan"))}
            for stage, leg in PARCEL_STAGES.items()]
    for part in ("upstream", "last_mile", "total"):
        cpp = summary["cost_per_parcel"]
        rows.append({"stage": part.replace("_", " "), "leg": "", "per_parcel": money(cpp[part], currency),
                     "share": percent(cpp[part] / cpp["total"] if cpp["total"] else float("nan")), "sum": "yes"})
    return rows


def _component_rows(cost_table: pd.DataFrame, currency: str) -> list[dict[str, str]]:
    last_mile = cost_table[cost_table["leg"] == "last_mile"].sort_values("per_parcel", ascending=False)
    return [{"component": str(row["component"]).replace("_", " "), "amount": money(row["amount"], currency),
             "per_parcel": money(row["per_parcel"], currency)} for row in last_mile.to_dict("records")]


def _charts(summary: dict[str, Any], cost_table: pd.DataFrame, files: RunFiles, scenario: dict[str, Any],
            window: tuple[float, float], title: str, currency: str) -> list[dict[str, str]]:
    """Each chart as inline SVG with a caption; a chart whose data the folder lacks says why instead."""
    charts = []

    fig = new_figure(7.5, 3.6)
    left, right = fig.subplots(1, 2, width_ratios=[3, 2])
    plot_cost_per_parcel(summary, ax=left, currency=currency)
    plot_last_mile_components(cost_table, ax=right, currency=currency)
    fig.suptitle(title, fontsize=8)
    charts.append({"id": "costs", "title": "Cost by stage and last-mile components", "svg": figure_svg(fig),
                   "caption": "Cost per parcel ordered in the measurement window, by stage (left) and the last "
                              "mile's components (right)."})

    fig = new_figure(7.5, 2.6)
    plot_outcome_counts(summary_outcome_counts(summary["parcels"]), ax=fig.subplots())
    fig.suptitle(title, fontsize=8)
    charts.append({"id": "outcomes", "title": "Delivery outcomes", "svg": figure_svg(fig),
                   "caption": "Final state at the horizon of the parcels ordered in the measurement window."})

    charts.append(_map_chart(files, scenario, window, title))

    inventory = files.read("inventory", ["day", "facility", "on_hand", "backorders"])
    fig = new_figure(7.5, 3.4)
    plot_inventory(inventory, window, ax=fig.subplots())
    fig.suptitle(title, fontsize=8)
    charts.append({"id": "inventory", "title": "Inventory over time", "svg": figure_svg(fig),
                   "caption": "Units on hand at the end of each day at each warehouse, all products together; the "
                              "dotted line is the end of the warm-up."})

    daily, not_yet_due = daily_with_censoring(files, window[1])
    disruptions = files.read("disruptions") if files.has("disruptions") else None
    fig = new_figure(7.5, 3.4)
    plot_daily_service(daily, window, disruptions, ax=fig.subplots(), not_yet_due=not_yet_due)
    fig.suptitle(title, fontsize=8)
    note = ("Hatched: order days with parcels still within their promise at the horizon (censored)."
            if not_yet_due is not None else
            "The folder does not keep every parcel, so the days still open at the horizon (censored) cannot be marked.")
    charts.append({"id": "daily", "title": "Daily service", "svg": figure_svg(fig),
                   "caption": "Fill rate and on-time rate of each order day's parcels. " + note})

    trips = files.read("trips", ["stage", "depart_h", "fill"])
    fig = new_figure(7.5, 3.2)
    plot_linehaul_fill(trips, ax=fig.subplots())
    fig.suptitle(title, fontsize=8)
    charts.append({"id": "linehaul", "title": "Line-haul fill", "svg": figure_svg(fig),
                   "caption": f"{len(trips):,} line-haul trips; fill is the share of the vehicle's capacity used."})
    return charts


def _map_chart(files: RunFiles, scenario: dict[str, Any], window: tuple[float, float], title: str) -> dict[str, str]:
    day = map_day(window)
    chart = {"id": "map", "title": f"A delivery day on the map (day {day})"}
    if files.parcels_kept == "none":
        return {**chart, "svg": "", "caption": "Not drawn: the run kept no parcel table (outputs.parcels = \"none\")."}
    depots = delivery_day(files, scenario, day)
    fig = new_figure(3.4 * max(1, len(depots)), 3.9)
    axes = fig.subplots(1, max(1, len(depots)), squeeze=False)[0]
    drawn = total = 0
    for ax, depot in zip(axes, depots, strict=False):
        plot_delivery_map(depot.stops, depot.depot_xy, depot.routes, ax=ax,
                          title=f"{depot.name}: {len(depot.stops):,} parcels, {depot.routes_total} routes, "
                                f"{depot.km:,.0f} km", frame=depot.frame)
        drawn += len(depot.routes)
        total += depot.routes_total
    fig.suptitle(title, fontsize=8)
    sample = " (a sample of the parcels: the folder keeps only a sample)" if files.parcels_kept == "sample" else ""
    if drawn == total:
        lines = (f"Lines: the day's {total} routes, from the depot through the parcels each delivered, in delivery "
                 "order (failed attempts are not joined: the table has no time for them).")
    else:
        lines = (f"Lines: the {drawn} of {total} routes that left alone at their departure time, from the depot "
                 "through the parcels they delivered, in delivery order. This folder's parcel table has no route_id "
                 "(written by an older sim), so the routes that left together with others of the same vehicle type "
                 "are drawn without lines.")
    roads = [depot.name for depot in depots if depot.on_roads]
    if roads:
        lines += (f" On road networks ({', '.join(roads)}) each leg is drawn along its path on the roads "
                  "(the network's shortest path between the stops' nearest road nodes).")
    placed = " (an area on the Earth names its centre's latitude and longitude)" if any(
        depot.frame for depot in depots) else ""
    caption = (f"Parcels first out for delivery on day {day}{sample}, coloured by outcome, around their depot "
               f"(black square); km from the centre of each area{placed}. {lines}")
    return {**chart, "svg": figure_svg(fig), "caption": caption}
