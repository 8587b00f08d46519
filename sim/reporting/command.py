"""``sim report FOLDER``: rebuild the report.html of any results folder from its files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.reporting.build import write_report_or_warn

__all__ = ["add_command", "report_command", "write_report_or_warn"]


def add_command(commands: Any) -> None:
    """Register ``sim report`` on the CLI's subcommands."""
    report = commands.add_parser(
        "report", help="write report.html in a results folder (a run, replication set, comparison, risk, sweep "
                       "or strategies folder) from its files")
    report.add_argument("folders", type=Path, nargs="+", metavar="FOLDER", help="results folder(s)")


def report_command(args: argparse.Namespace) -> int:
    """Write each folder's report and print its path; a folder that is not a results folder is exit 2."""
    from sim.reporting import folder_kind, write_report

    for folder in args.folders:
        folder_kind(folder)  # every folder checked before any page is written
    for folder in args.folders:
        try:
            path = write_report(folder)
        except ScenarioError:
            raise
        except (KeyError, ValueError, TypeError) as exc:  # a hand-edited or truncated file of a known kind
            raise ScenarioError(f"{folder}: incomplete results folder ({type(exc).__name__}: {exc})") from None
        print(f"report: {path}", file=sys.stdout)
    return 0
