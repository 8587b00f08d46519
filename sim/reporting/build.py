"""``write_report``: a folder's page rendered with its kind's template and written atomically."""

from __future__ import annotations

import os
import sys
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.reporting.kinds import folder_kind

REPORT_FILE = "report.html"


def _version() -> str:
    try:
        return metadata.version("sim-supply-chain")
    except metadata.PackageNotFoundError:
        return "unknown"


def report_context(folder: Path) -> dict[str, Any]:
    """What the page of ``folder`` shows, by the folder's kind (see ``folder_kind``)."""
    kind = folder_kind(folder)
    if kind == "run":
        from sim.reporting.run_page import run_context

        return run_context(folder)
    from sim.reporting.experiment_page import experiment_context

    return experiment_context(folder, kind)


@cache
def _templates() -> Any:
    """The page templates' environment: one per process, so that each template is compiled once."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(loader=PackageLoader("sim.reporting", "templates"), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def render_report(folder: Path) -> str:
    """The HTML page of ``folder``: one file, styles inline, charts as inline SVG, nothing fetched."""
    context = report_context(folder)
    template = _templates().get_template("run.html" if context["kind"] == "run" else "experiment.html")
    # Nothing of the folder's own name goes in: the page is written inside the run's hidden temporary folder.
    return template.render(**context, version=_version())


def prepare_report() -> None:
    """Pay now what the first experiment page of this process costs, so that the page itself is quick.

    That is importing the page's modules (pandas, the plots), matplotlib's first SVG (its
    renderer and fonts) and compiling the template: most of what the first page of a
    process costs, several times what a later page costs. The experiment commands call
    this while the local pool's fork server warms up, when this process would otherwise
    wait for it. The pages written afterwards are the same bytes as without it (tested).
    """
    import sim.reporting.experiment_page  # noqa: F401
    from sim.reporting.svg import figure_svg, new_figure

    figure = new_figure(3.0, 2.0)
    axes = figure.add_subplot()
    axes.plot([0.0, 1.0], [0.0, 1.0], marker="o", label="warm-up")
    axes.set_title("warm-up")
    axes.set_xlabel("x")
    axes.legend()
    figure_svg(figure)
    _templates().get_template("experiment.html")


def write_report(folder: str | Path) -> Path:
    """Write ``folder/report.html`` from the folder's files (under a temporary name, then renamed); return it."""
    folder = Path(folder)
    html = render_report(folder)
    path = folder / REPORT_FILE
    tmp = path.with_name(f".{REPORT_FILE}.{os.getpid()}.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_report_or_warn(folder: str | Path) -> Path | None:
    """``write_report``, for the commands that end a run or an experiment: a failure is one warning line on
    stderr and None, never a lost result (the folder's results are whole without their page)."""
    try:
        return write_report(folder)
    except Exception as exc:
        print(f"sim: warning: {Path(folder).name}: report.html not written: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return None
