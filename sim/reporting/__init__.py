"""``report.html``: one self-contained page per results folder, built from the folder's files only.

``write_report(folder)`` detects what the folder holds (a run, a replication
set, a comparison, a risk experiment, a sweep, a strategies table), reads what
that kind of page needs, draws its charts as inline SVG and writes the page
atomically. ``sim run`` and the experiment commands call it when their folder
is complete; ``sim report FOLDER`` calls the same function, so the page a run
leaves and the page rebuilt later are the same code over the same files.
"""

from __future__ import annotations

from sim.reporting.build import REPORT_FILE, prepare_report, write_report, write_report_or_warn
from sim.reporting.kinds import FOLDER_KINDS, folder_kind

__all__ = ["FOLDER_KINDS", "REPORT_FILE", "folder_kind", "prepare_report", "write_report",
           "write_report_or_warn"]
