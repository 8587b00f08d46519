"""The content of an experiment's page (replications, compare, risk, sweep, strategies), from its folder's files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sim.plotting import plot_paired, plot_risk, plot_sweep
from sim.plotting.titles import experiment_title
from sim.plotting.units import kpi_unit
from sim.reporting.files import read_json_file
from sim.reporting.format import kpi_spread, kpi_value, number, percent
from sim.reporting.svg import figure_svg, new_figure

# The KPIs an experiment's page shows first (the others are in a collapsed table); paired plots are drawn for them.
HEADLINE_KPIS = ("last_mile_share", "cost_per_parcel.total", "cost_per_parcel.last_mile", "cost_per_parcel.upstream",
                 "service.on_time_rate", "first_attempt_success_rate", "stock.fill_rate", "co2e_kg.per_parcel.total",
                 # the drain's lifecycle view (horizon.drain, the default), beside the window view above
                 "lifecycle.last_mile_share", "lifecycle.cost_per_parcel.total", "lifecycle.cost_per_parcel.last_mile")
PLOTTED_KPIS = ("cost_per_parcel.total", "last_mile_share", "service.on_time_rate")


def experiment_context(folder: Path, kind: str) -> dict[str, Any]:
    """Everything ``experiment.html`` shows for an experiment folder of ``kind``."""
    builder = {"replications": _replications, "compare": _compare, "risk": _risk, "sweep": _sweep,
               "strategies": _strategies}[kind]
    context: dict[str, Any] = {"kind": kind, "subtitle": "", "tables": [], "charts": [], "texts": []}
    context.update(builder(folder))
    return context


def _split(kpis: list[str]) -> tuple[list[str], list[str]]:
    first = [k for k in HEADLINE_KPIS if k in kpis]
    return first, [k for k in kpis if k not in first]


def _mean_rows(kpis: dict[str, dict[str, Any]], names: list[str]) -> list[list[str]]:
    return [[name, kpi_unit(name), kpi_value(name, kpis[name]["mean"]), kpi_spread(name, kpis[name]["half_width"]),
             f"{kpi_value(name, kpis[name]['ci_low'])} to {kpi_value(name, kpis[name]['ci_high'])}",
             str(kpis[name]["n"])] for name in names]


MEAN_HEADER = ["KPI", "unit", "mean", "± 95 % CI", "CI", "n"]


def _replications(folder: Path) -> dict[str, Any]:
    summary = read_json_file(folder / "summary.json")
    kpis: dict[str, dict[str, Any]] = summary["kpis"]
    first, rest = _split(list(kpis))
    title = experiment_title("Replications", str(summary["scenario"]), summary.get("seed"), summary["replications"])
    runs = [[str(r["replication"]), str(r["status"]), str(r.get("folder") or ""), str(r.get("error") or "")]
            for r in summary.get("runs", [])]
    return {
        "title": title,
        "subtitle": f"Mean of each KPI over the replications with its {percent(summary.get('confidence', 0.95), 0)} "
                    "confidence interval (Student t). Each replication has its own run folder and report.",
        "tables": [
            {"id": "headline", "title": "Headline KPIs", "header": MEAN_HEADER, "rows": _mean_rows(kpis, first)},
            {"id": "all", "title": "Every KPI", "header": MEAN_HEADER, "rows": _mean_rows(kpis, rest),
             "collapsed": True},
            {"id": "runs", "title": "Runs", "header": ["replication", "status", "folder", "error"], "rows": runs},
        ],
    }


def _diff_rows(table: pd.DataFrame, names: list[str]) -> list[list[str]]:
    rows = []
    by_kpi = table.set_index("kpi")
    for name in names:
        row = by_kpi.loc[name]
        rows.append([name, kpi_unit(name), kpi_value(name, row["mean_a"]), kpi_value(name, row["mean_b"]),
                     f"{kpi_spread(name, row['diff'])} ± {kpi_spread(name, row['half_width'])}",
                     "yes" if bool(row["significant"]) else "no", f"± {kpi_spread(name, row['welch_half_width'])}"])
    return rows


def _compare(folder: Path) -> dict[str, Any]:
    info = read_json_file(folder / "comparison.json")
    table = pd.read_csv(folder / "comparison.csv")
    runs = pd.read_csv(folder / "runs.csv")
    labels = (_side(info["a"]), _side(info["b"]))
    first, rest = _split(table["kpi"].tolist())
    header = ["KPI", "unit", "mean A", "mean B", "B − A, paired ± 95 % CI", "significant", "unpaired ± CI"]
    charts = []
    for kpi in PLOTTED_KPIS:
        if kpi in runs.columns and kpi in set(table["kpi"]):
            fig = new_figure(5.5, 3.6)
            plot_paired(runs, table, kpi, labels, ax=fig.subplots())
            charts.append({"id": f"paired-{kpi}", "title": f"{kpi}, replication by replication", "svg": figure_svg(fig),
                           "caption": "Each line joins one replication under A and under B (common random numbers)."})
    title = experiment_title("Comparison", f"{info['a']['scenario']} vs {info['b']['scenario']}", info.get("seed"),
                             info.get("replications"))
    return {
        "title": title,
        "subtitle": f"A: {labels[0]}. B: {labels[1]}. Differences are paired replication by replication.",
        "tables": [
            {"id": "headline", "title": "Headline KPIs: means and paired differences", "header": header,
             "rows": _diff_rows(table, first)},
            {"id": "all", "title": "Every KPI", "header": header, "rows": _diff_rows(table, rest), "collapsed": True},
        ],
        "charts": charts,
    }


def _side(side: dict[str, Any]) -> str:
    sets = side.get("set") or []
    return str(side.get("file", side.get("scenario", ""))) + (f" with {', '.join(sets)}" if sets else "")


def _risk(folder: Path) -> dict[str, Any]:
    info = read_json_file(folder / "risk.json")
    table = pd.read_csv(folder / "risk.csv")
    runs = pd.read_csv(folder / "runs.csv")
    disrupted = runs[(runs["variant"] == "disrupted") & (runs["status"] == "ok")]
    header = ["KPI", "unit", "best", "p50", "mean", "worst", "bad-side 95 %", "without disruptions",
              "impact ± 95 % CI"]
    rows = [[str(r["kpi"]), kpi_unit(str(r["kpi"])), *(kpi_value(str(r["kpi"]), r[c])
                                                       for c in ("best", "p50", "mean", "worst", "worst_5pct",
                                                                 "reference_mean")),
             f"{kpi_spread(str(r['kpi']), r['impact_mean'])} ± {kpi_spread(str(r['kpi']), r['impact_half_width'])}"]
            for r in table.to_dict("records")]
    charts = []
    for kpi in ("cost_per_parcel.total", "stock.fill_rate", "service.on_time_rate"):
        if kpi in set(table["kpi"]) and kpi in disrupted.columns and len(disrupted):
            fig = new_figure(5.5, 3.6)
            plot_risk(disrupted, table, kpi, str(info["scenario"]), ax=fig.subplots())
            charts.append({"id": f"risk-{kpi}", "title": f"Distribution of {kpi}", "svg": figure_svg(fig),
                           "caption": "Over the disrupted replications; dashed: the mean without disruptions."})
    texts = [{"id": "md", "title": "risk.md", "name": "risk.md", "body": (folder / "risk.md").read_text()}] \
        if (folder / "risk.md").is_file() else []
    return {
        "title": experiment_title("Risk", str(info["scenario"]), info.get("seed"), info.get("replications")),
        "subtitle": "Each replication draws its own disruptions and is paired with the same replication without them.",
        "tables": [{"id": "risk", "title": "Risk distributions", "header": header, "rows": rows}],
        "charts": charts, "texts": texts,
    }


def _sweep(folder: Path) -> dict[str, Any]:
    info = read_json_file(folder / "sweep.json")
    aggregate = pd.read_csv(folder / "aggregate.csv")
    factors: list[str] = list(info["factors"])
    kpis = [k for k in info.get("plot_kpis", []) if k in set(aggregate["kpi"])]
    charts = []
    for kpi in kpis:
        fig = new_figure(5.0 * len(factors), 3.8)
        axes = fig.subplots(1, len(factors), squeeze=False)[0]
        for ax, factor in zip(axes, factors, strict=True):
            plot_sweep(aggregate, kpi, factor, ax=ax)
        fig.suptitle(experiment_title("Sweep", str(info["name"]), info.get("seed"), info.get("replications")),
                     fontsize=8)
        charts.append({"id": f"sweep-{kpi}", "title": f"{kpi} by factor", "svg": figure_svg(fig),
                       "caption": "Mean over the replications of each point, with its 95 % CI."})
    rows = []
    for record in aggregate[aggregate["kpi"].isin(kpis)].to_dict("records"):
        kpi = str(record["kpi"])
        rows.append([str(record["point"]), *(number(record[f]) for f in factors), kpi, kpi_value(kpi, record["mean"]),
                     kpi_spread(kpi, record["half_width"]), str(record["n"])])
    runs = pd.read_csv(folder / "runs.csv", usecols=["status"]) if (folder / "runs.csv").is_file() else None
    status = (f"{int((runs['status'] == 'ok').sum())} of {len(runs)} runs ok" if runs is not None else "")
    return {
        "title": experiment_title("Sweep", str(info["name"]), info.get("seed"), info.get("replications")),
        "subtitle": f"{info.get('description', '')} {len(info.get('points', []))} points ({info['design']['kind']}); "
                    f"{status}. Factors: {', '.join(factors)}.",
        "tables": [{"id": "points", "title": "Means by point", "header": ["point", *factors, "KPI", "mean",
                                                                           "± 95 % CI", "n"], "rows": rows}],
        "charts": charts,
    }


def _strategies(folder: Path) -> dict[str, Any]:
    table = pd.read_csv(folder / "strategies.csv")
    rows = [[str(r["scenario"]), str(r["kpi"]), kpi_value(str(r["kpi"]), r["mean"]),
             kpi_spread(str(r["kpi"]), r["half_width"]),
             f"{kpi_spread(str(r['kpi']), r['diff'])} ({kpi_spread(str(r['kpi']), r['diff_low'])} to "
             f"{kpi_spread(str(r['kpi']), r['diff_high'])})", "yes" if bool(r["significant"]) else "no", str(r["n"])]
            for r in table.to_dict("records")]
    texts = [{"id": "md", "title": "strategies.md", "name": "strategies.md",
              "body": (folder / "strategies.md").read_text()}] if (folder / "strategies.md").is_file() else []
    return {
        "title": f"Strategies against the baseline: {folder.name}",
        "subtitle": "Mean ± 95 % CI of each strategy; the difference from the baseline is paired under common random "
                    "numbers (significant: its CI excludes 0).",
        "tables": [{"id": "strategies", "title": "Strategies", "header": ["scenario", "KPI", "mean", "± 95 % CI",
                                                                          "difference from baseline (CI)",
                                                                          "significant", "n"], "rows": rows}],
        "texts": texts,
    }
