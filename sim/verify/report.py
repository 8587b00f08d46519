"""The verification folder: checks.csv, report.md and report.html, written atomically."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.verify.checks import COLUMNS, CheckRow
from sim.verify.runner import Verification


def _fmt(value: float, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "" if value is None or math.isnan(value) else str(value)
    return f"{value:.{digits}g}"


def comparison(row: CheckRow) -> str:
    """How the row is judged, in words: 'z = 0.84' or 'band [0.40, 0.55]'."""
    if math.isfinite(row.band_low) or math.isfinite(row.band_high):
        return f"band [{_fmt(row.band_low)}, {_fmt(row.band_high)}]"
    return f"z = {row.z:.2f}" if math.isfinite(row.z) else ("z = inf" if not math.isnan(row.z) else "")


def interval(row: CheckRow) -> str:
    """The row's interval (99.9 % for theory rows, 95 % over replications for bands), or its standard error."""
    if math.isfinite(row.ci_low):
        return f"[{_fmt(row.ci_low)}, {_fmt(row.ci_high)}]"
    return f"se {_fmt(row.standard_error)}" if math.isfinite(row.standard_error) else ""


def summary_lines(result: Verification) -> list[str]:
    """The header lines shared by report.md and the console."""
    mode = "quick" if result.quick else "full"
    passed = len(result.rows) - len(result.failed)
    load = ", ".join(f"{x:.2f}" for x in result.load_before)
    return [
        f"{passed} of {len(result.rows)} checks passed ({mode} mode, seed {result.seed}).",
        f"Wall time {result.total_seconds:.1f} s on {result.cores} cores; load average before {load} "
        f"(1, 5, 15 min), after {', '.join(f'{x:.2f}' for x in result.load_after)}.",
    ]


def markdown(result: Verification, version: str) -> str:
    """report.md: the summary, then one table row per check."""
    lines = [f"# sim verification ({'quick' if result.quick else 'full'})", "", *summary_lines(result), "",
             f"sim {version}. Theory rows pass when |z| <= 3.29 (two-sided 99.9 %); band rows when the value "
             "lies in the published band. The interval is the 99.9 % one for theory rows, the 95 % one over "
             "replications for band rows.", "",
             "| element | check | reference | source | expected | simulated | interval | judged by | pass |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in result.rows:
        cells = [row.element, row.check, row.reference, row.source, _fmt(row.expected), _fmt(row.simulated),
                 interval(row), comparison(row), "yes" if row.passed else "**NO**"]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    lines += ["", "Seconds per check (the first check that reads the shared baseline runs includes running them): "
              + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()) + "."]
    return "\n".join(lines) + "\n"


def _z_figure(result: Verification) -> str:
    """Inline SVG: each theory row's z score against the +/- 3.29 limits."""
    from sim.reporting.svg import figure_svg, new_figure

    rows = [r for r in result.rows if math.isfinite(r.z)]
    figure = new_figure(8.0, 0.22 * len(rows) + 1.0)
    ax = figure.add_subplot()
    values = [max(-6.0, min(6.0, r.z)) for r in rows]
    ax.barh(range(len(rows)), values, color=["#2d6a2d" if r.passed else "#b03030" for r in rows])
    for limit in (-3.29, 3.29):
        ax.axvline(limit, color="#888", linestyle="--", linewidth=0.8)
    ax.set_yticks(range(len(rows)), [r.check[:70] for r in rows], fontsize=6)
    ax.invert_yaxis()
    ax.set_xlim(-6, 6)
    ax.set_xlabel("z = (simulated - exact) / standard error")
    return figure_svg(figure)


def html(result: Verification, version: str, written: str) -> str:
    """report.html: one self-contained page (styles inline, the chart as inline SVG)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("sim.verify", "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    rows: list[dict[str, Any]] = [
        {"row": r, "expected": _fmt(r.expected), "simulated": _fmt(r.simulated), "interval": interval(r),
         "judged": comparison(r)} for r in result.rows]
    return env.get_template("verify.html").render(
        result=result, rows=rows, summary=summary_lines(result), chart=_z_figure(result), version=version,
        written=written, mode="quick" if result.quick else "full")


def write_folder(result: Verification, out: Path, version: str) -> Path:
    """Write ``out/<UTC time>/`` with checks.csv, report.md and report.html; published whole, by rename."""
    import pandas as pd

    from sim.output.folders import AtomicFolder

    now = datetime.now(UTC)
    name = now.strftime("%Y%m%dT%H%M%S") + ("-quick" if result.quick else "-full")
    publish = AtomicFolder(out, name)
    with publish as folder:
        pd.DataFrame([r.as_csv() for r in result.rows], columns=list(COLUMNS)).to_csv(
            folder / "checks.csv", index=False)
        (folder / "report.md").write_text(markdown(result, version), encoding="utf-8")
        (folder / "report.html").write_text(html(result, version, now.isoformat(timespec="seconds")),
                                            encoding="utf-8")
    assert publish.final is not None  # set by a clean exit of the with block
    return publish.final
