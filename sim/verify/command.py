"""``sim verify [--quick] [--out DIR]``: run the model-element checks and write a verification folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_command", "verify_command"]


def add_command(commands: Any) -> None:
    """Register ``sim verify`` on the CLI's subcommands."""
    verify = commands.add_parser(
        "verify", help="check the model's elements against exact theory and published figures; write "
                       "verification/<time>/report.html, report.md and checks.csv")
    verify.add_argument("--quick", action="store_true",
                        help="shorter runs of every check and 3 baseline replications (under 2 minutes)")
    verify.add_argument("--out", type=Path, default=Path("verification"), help="root folder (default: verification)")
    verify.add_argument("--seed", type=int, default=1, help="base seed of every check (default 1)")


def verify_command(args: argparse.Namespace) -> int:
    """Run the checks, write the folder, print the summary; exit 1 when a check did not pass."""
    from importlib import metadata

    from sim.errors import ScenarioError
    from sim.output.folders import check_out_root
    from sim.verify.report import summary_lines, write_folder
    from sim.verify.runner import run_checks

    if args.seed < 0:
        raise ScenarioError(f"--seed {args.seed}: must be a non-negative integer")
    check_out_root(args.out)
    result = run_checks(quick=args.quick, seed=args.seed)
    try:
        version = metadata.version("sim-supply-chain")
    except metadata.PackageNotFoundError:
        version = "unknown"
    folder = write_folder(result, args.out, version)
    for line in summary_lines(result):
        print(line)
    for row in result.failed:
        print(f"sim: check not passed: {row.element}: {row.check}", file=sys.stderr)
    print(f"verification: {folder}")
    return 0 if not result.failed else 1
