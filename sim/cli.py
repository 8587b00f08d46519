"""The ``sim`` command line: ``sim run``, ``sim validate``, the experiments and ``sim strategies``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sim import __version__
from sim.errors import ScenarioError
from sim.experiments import commands as experiment_commands
from sim.experiments import strategy_command
from sim.reporting import command as report_commands
from sim.verify import command as verify_commands

EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit with the bad-input code and one line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"sim: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(prog="sim", description="Discrete-event simulation of a supply chain's cost, stage by stage.")
    parser.add_argument("--version", action="version", version=f"sim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="simulate a scenario file and write a results folder")
    run.add_argument("scenario", type=Path, help="scenario TOML file")
    run.add_argument("--seed", type=int, default=None, help="random seed (default: the scenario's 'seed')")
    run.add_argument("--replication", type=int, default=None,
                     help="replication number (default: the scenario's 'replication', else 0)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE",
                     help="override a scenario value, e.g. --set last_mile.max_attempts=2 (repeatable)")
    run.add_argument("--out", type=Path, default=Path("results"), help="results root folder (default: results)")
    run.add_argument("--no-plots", action="store_true", help="skip the PNG figures")
    run.add_argument("--quiet", action="store_true", help="print only the results folder")
    run.add_argument("--format", dest="table_format", choices=["parquet", "csv", "both"], default="parquet",
                     help="files of the per-entity tables (parcels, routes, trips, inventory, ...): Parquet "
                          "(default, fast), CSV (slow for large runs) or both; the cost and daily summaries are "
                          "CSV always")
    run.add_argument("--force", action="store_true",
                     help="run even when the estimated memory exceeds what the machine has available")
    experiment_commands.add_run_options(run)

    validate = commands.add_parser("validate", help="check a scenario file without running it")
    validate.add_argument("scenario", type=Path)
    validate.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE")

    schema = commands.add_parser("schema", help="print the JSON Schema of scenario files (for editors)")
    schema.add_argument("--out", type=Path, default=None,
                        help="write it to this file instead (e.g. scenarios/scenario.schema.json)")
    experiment_commands.add_commands(commands)
    report_commands.add_command(commands)
    verify_commands.add_command(commands)

    init = commands.add_parser("init", help="write a starter scenario, the examples, a sweep and the notebooks into "
                                            "a new folder")
    init.add_argument("folder", type=Path, help="the folder to create (refused if it exists and is not empty)")
    init.add_argument("--force", action="store_true", help="write into a non-empty folder, overwriting files of the "
                                                           "same names")

    strategy_command.add_command(commands)

    fit = commands.add_parser("fit-demand", help="fit a Poisson demand by zone, weekday and hour to an order history "
                                                 "and write it as a scenario fragment")
    fit.add_argument("history", type=Path, help="order history (CSV or Parquet; see docs/data_files.md)")
    fit.add_argument("--out", type=Path, required=True, help="the TOML file to write (e.g. demand.toml)")
    fit.add_argument("--zones", type=Path, default=None,
                     help="demand zones (GeoJSON) that place rows given by latitude/longitude")
    fit.add_argument("--area", default=None,
                     help="the regional warehouse the orders belong to, when the history has no area column "
                          "(default with --extends: its only regional warehouse)")
    fit.add_argument("--extends", type=Path, default=None,
                     help="a scenario the fragment extends: the output is then a whole scenario (checked before "
                          "it is written)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sim`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
        if args.command == "schema":
            return _schema(args)
        if args.command == "init":
            return _init(args)
        if args.command == "strategies":
            return strategy_command.strategies_command(args)
        if args.command == "fit-demand":
            return _fit_demand(args)
        if args.command == "report":
            return report_commands.report_command(args)
        if args.command == "verify":
            return verify_commands.verify_command(args)
        if args.command != "run":
            return experiment_commands.dispatch(args)
        return _run(args)
    except ScenarioError as exc:
        print(f"sim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("sim: interrupted; no results folder was completed", file=sys.stderr)
        return 130


def _validate(args: argparse.Namespace) -> int:
    from sim.scenario import load_scenario

    scenario = load_scenario(args.scenario, args.overrides)
    print(f"{args.scenario}: valid scenario '{scenario.name}'")
    return EXIT_OK


def _fit_demand(args: argparse.Namespace) -> int:
    """Fit, print, and write the fragment; a bad file or a fragment that does not validate writes nothing."""
    import os
    import tempfile

    from sim.geo import cache
    from sim.geo.fit_demand import fit, fragment, print_fit, relative_path, schema_line_target
    from sim.scenario import load_scenario

    if args.out.is_dir():
        raise ScenarioError(f"--out {args.out}: is a folder; give the TOML file's path")
    history = cache.history(args.history)
    zones = cache.polygons(args.zones, named=True) if args.zones is not None else None
    area, name, replays = args.area, None, False
    if args.extends is not None:
        base = load_scenario(args.extends)
        regionals = [r.name for r in base.regional_warehouses]
        if area is None and len(regionals) == 1:
            area = regionals[0]
        name = f"{base.name}_fitted"
        replays = base.history is not None and base.history.replay
    fits = fit(history, zones, area)
    extends = relative_path(args.extends, args.out.parent) if args.extends is not None else None
    schema = schema_line_target(args.extends, args.out.parent) if args.extends is not None else None
    text = fragment(fits, str(args.history), extends, name, replays, schema)
    folder = args.out.parent if str(args.out.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{args.out.name}.", suffix=".partial", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as exc:
        raise ScenarioError(f"--out {args.out}: cannot be written: {exc.strerror or exc}") from None
    try:
        if args.extends is not None:
            load_scenario(temporary)  # the whole scenario validates, or nothing is written
        os.replace(temporary, args.out)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    print_fit(fits, str(args.history))
    print(f"fitted demand: {args.out}")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from sim.scenario.json_schema import schema_text

    text = schema_text()
    if args.out is None:
        sys.stdout.write(text)
        return EXIT_OK
    if args.out.is_dir():
        raise ScenarioError(f"--out {args.out}: is a folder; give the schema file's path")
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"--out {args.out}: cannot be written: {exc.strerror or exc}") from None
    print(f"schema: {args.out}")
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    from sim.scenario.shipped import init_folder

    written = init_folder(args.folder, args.force)
    scenarios = sum(1 for path in written if path.suffix == ".toml")
    print(f"{args.folder}: {scenarios} scenario and sweep files, the schema and "
          f"{sum(1 for path in written if path.suffix == '.ipynb')} notebooks")
    print(f"next: cd {args.folder} && sim run scenarios/baseline.toml")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from sim.output.checks import check_memory, check_run_names
    from sim.output.folders import check_out_root
    from sim.scenario import load_scenario

    if args.seed is not None and args.seed < 0:
        raise ScenarioError(f"--seed {args.seed}: must be a non-negative integer")
    if args.replication is not None and args.replication < 0:
        raise ScenarioError(f"--replication {args.replication}: must be a non-negative integer")
    check_out_root(args.out)
    scenario = load_scenario(args.scenario, args.overrides)
    check_run_names(args.scenario, scenario)
    if args.replication is None:  # a results folder's scenario.toml names the replication that ran
        args.replication = scenario.replication or 0
    if args.replications is not None:
        return experiment_commands.run_set(args, scenario)
    if args.kpis:
        raise ScenarioError("--kpi: only with --replications (a single run prints its headline; summary.json "
                            "holds every KPI)")
    check_memory([scenario], args.force, streamed=True)
    from sim.output.parcel_files import ParcelFiles
    from sim.output.writer import open_run_folder, run_id_for, write_run
    from sim.report import format_summary
    from sim.runner import run

    seed = scenario.seed if args.seed is None else args.seed
    # The parcel table goes into the (hidden, private) results folder as the run hands its parcels on.
    run_folder = open_run_folder(args.out, scenario.name, run_id_for(seed, args.replication))
    for note in run_folder.opening_notes():
        print(note, file=sys.stderr)
    try:
        parcel_files = ParcelFiles(run_folder.partial, csv=args.table_format in ("csv", "both"),
                                   parquet=args.table_format in ("parquet", "both"))
        result = run(scenario, seed=seed, replication=args.replication, parcel_writer=parcel_files)
        parcel_files.close()
    except ScenarioError:  # bad input found while building the model (e.g. a road file pyrosm cannot read): exit 2
        run_folder.discard()
        raise
    except Exception as exc:  # a model failure: say so in one line, write nothing that looks complete
        run_folder.discard()
        print(f"sim: run failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_RUN_FAILED
    except BaseException:
        run_folder.discard()
        raise
    folder = write_run(result, args.out, command=["sim", *sys.argv[1:]], plots=not args.no_plots,
                       folder=run_folder, table_format=args.table_format)
    if not args.quiet:
        title = f"{scenario.name}: seed {result.seed}, replication {result.replication}"
        print(format_summary(result.summary, title, scenario.currency))
        print(f"\n{result.events:,} events in {result.wall_seconds:.1f} s")
    for warning in result.summary.get("warnings", []):
        print(f"sim: warning: {warning}", file=sys.stderr)
    if run_folder.note():
        print(run_folder.note(), file=sys.stderr)
    print(f"results: {folder}")
    return EXIT_OK

