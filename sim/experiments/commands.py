"""The experiment subcommands behind ``sim run --replications``, ``sim compare``, ``sim sweep``, ``sim risk`` and
``sim merge``.

Each handler takes the parsed arguments and returns the exit code: 0 when
every run succeeded, 1 when a run failed or is missing, 130 on Ctrl-C. Bad
input raises ScenarioError, which ``sim.cli`` turns into one line and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.output import package_versions, write_json
from sim.reporting import write_report_or_warn

EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_INTERRUPTED = 130
FORCE_HELP = "run even when the estimated memory exceeds what the machine has available"
KPI_HELP = "also print this KPI (repeatable; 'all': every KPI; default: the headline KPIs); checked before any run"


PRECISION_KPI = "cost_per_parcel.last_mile"


def add_precision_options(parser: argparse.ArgumentParser, what: str) -> None:
    """``--precision``, ``--precision-kpi`` and ``--max-replications`` (with ``--replications auto``)."""
    parser.add_argument("--precision", default=None, metavar="PCT",
                        help=f"with --replications auto: add replications until {what} 95%% CI half-width of "
                             "--precision-kpi is at most PCT of its mean (e.g. 0.5%%)")
    parser.add_argument("--precision-kpi", default=PRECISION_KPI, metavar="NAME",
                        help=f"KPI of --precision (default {PRECISION_KPI})")
    parser.add_argument("--max-replications", type=int, default=None, metavar="N",
                        help="cap of --replications auto (default 50)")


def add_run_options(run: argparse.ArgumentParser) -> None:
    """``--replications`` and ``--jobs`` on ``sim run``."""
    run.add_argument("--replications", default=None, metavar="N|auto",
                     help="run N replications (from --replication on) and report every KPI's mean, std and "
                          "95%% CI; writes one results folder per replication and a set folder; 'auto' with "
                          "--precision adds replications until the target precision is met")
    run.add_argument("--jobs", type=int, default=None, help="worker processes for --replications (default: CPUs)")
    run.add_argument("--kpi", dest="kpis", action="append", default=[], metavar="NAME", help=KPI_HELP)
    add_precision_options(run, "the")


def add_commands(commands: Any) -> None:
    """The ``compare``, ``sweep``, ``risk`` and ``merge`` subcommands."""
    compare = commands.add_parser("compare", help="paired comparison of two scenarios under common random numbers")
    compare.add_argument("scenario_a", type=Path, help="scenario A")
    compare.add_argument("scenario_b", type=Path, nargs="?", default=None,
                         help="scenario B (default: A with the --set-b overrides)")
    compare.add_argument("--replications", type=int, required=True, metavar="N", help="pairs of runs")
    compare.add_argument("--seed", type=int, default=None, help="seed of both (default: A's 'seed')")
    compare.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE",
                         help="override a value in both scenarios")
    compare.add_argument("--set-a", dest="overrides_a", action="append", default=[], metavar="KEY.PATH=VALUE",
                         help="override a value in A only")
    compare.add_argument("--set-b", dest="overrides_b", action="append", default=[], metavar="KEY.PATH=VALUE",
                         help="override a value in B only")
    compare.add_argument("--kpi", dest="kpis", action="append", default=[], metavar="NAME", help=KPI_HELP)
    compare.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs)")
    compare.add_argument("--out", type=Path, default=Path("results"), help="results root (default: results)")
    compare.add_argument("--force", action="store_true", help=FORCE_HELP)

    sweep = commands.add_parser("sweep", help="run every point x replication of a sweep file")
    sweep.add_argument("sweep", type=Path, help="sweep TOML file (see scenarios/sweeps/)")
    sweep.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE",
                       help="override a value of the base scenario at every point")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=int, default=None, help="local worker processes (default: CPUs)")
    where.add_argument("--dask", metavar="ADDRESS", default=None,
                       help="run on the Dask scheduler at ADDRESS (e.g. tcp://host:8786)")
    sweep.add_argument("--out", type=Path, default=Path("results") / "sweeps",
                       help="root of the sweep folder (default: results/sweeps)")
    sweep.add_argument("--keep", choices=["summaries", "runs"], default="summaries",
                       help="keep each run's summary only (default) or its whole results folder")
    sweep.add_argument("--shard", default="0/1", metavar="I/N", help="run only the runs with index %% N == I")
    sweep.add_argument("--resume", action="store_true", help="continue an interrupted sweep in its folder")
    sweep.add_argument("--no-plots", action="store_true", help="skip the PNG figures")
    sweep.add_argument("--check", action="store_true", help="validate the sweep file and every point, run nothing")
    sweep.add_argument("--format", dest="table_format", choices=["parquet", "csv", "both"], default="parquet",
                       help="with --keep runs: files of each run folder's per-entity tables (default parquet)")
    sweep.add_argument("--force", action="store_true", help=FORCE_HELP)

    risk = commands.add_parser(
        "risk", help="sample a scenario's disruptions over replications: spread of cost and service, and impact")
    risk.add_argument("scenario", type=Path, help="scenario with disruptions (e.g. "
                                                  "scenarios/examples/upstream/disruption_random.toml)")
    risk.add_argument("--replications", type=int, required=True, metavar="N",
                      help="replications; each draws its own disruptions and is paired with a run without them")
    risk.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's)")
    risk.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE",
                      help="override a scenario value (repeatable)")
    risk.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs)")
    risk.add_argument("--out", type=Path, default=Path("results"), help="results root (default: results)")
    risk.add_argument("--no-plots", action="store_true", help="skip the PNG figures")
    risk.add_argument("--kpi", dest="kpis", action="append", default=[], metavar="NAME", help=KPI_HELP)
    risk.add_argument("--force", action="store_true", help=FORCE_HELP)

    merge = commands.add_parser("merge", help="combine the folders of a sharded sweep into one")
    merge.add_argument("folders", type=Path, nargs="+", help="shard folders of one sweep")
    merge.add_argument("--out", type=Path, default=None, help="merged folder (default: beside the first, "
                                                              "named after the sweep)")
    merge.add_argument("--no-plots", action="store_true", help="skip the PNG figures")


def dispatch(args: argparse.Namespace) -> int:
    """Run the experiment subcommand named by ``args.command``."""
    handlers = {"compare": compare_command, "sweep": sweep_command, "merge": merge_command, "risk": risk_command}
    if args.command != "merge":
        warm_workers_early(args)
    return handlers[args.command](args)


def warm_workers_early(args: argparse.Namespace) -> None:
    """Start the local pool's warm-up before the command's own set-up, when it will run on a local pool."""
    from sim.experiments.executors import start_warming

    if getattr(args, "dask", None) or getattr(args, "check", False) or (args.jobs is not None and args.jobs < 1):
        return
    start_warming(args.jobs)


def prepare_report_while_workers_warm(args: argparse.Namespace, runs: int) -> None:
    """Load what the experiment's page needs now, when the runs are about to go to a local pool of two or more
    workers: this process would otherwise only wait while the pool's fork server warms up (see
    ``start_warming``), and pay the same at the end, after the last run, on the command's critical path."""
    from sim.experiments.executors import pool_size
    from sim.reporting import prepare_report

    if getattr(args, "dask", None) or pool_size(args.jobs, runs) < 2:
        return
    try:
        prepare_report()
    except Exception:  # only a head start: a real failure shows, as a warning, when the page is written
        return


def _positive(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise ScenarioError(f"{name} {value}: must be at least 1")


def _seed(value: int | None) -> None:
    if value is not None and value < 0:
        raise ScenarioError(f"--seed {value}: must be a non-negative integer")


def _publish(parent: Path, name: str) -> Any:
    """The experiment's folder ``parent/name``, written privately and published whole (see sim.output.folders)."""
    from sim.output.folders import AtomicFolder

    folder = AtomicFolder(parent, name)
    for note in folder.opening_notes():
        print(note, file=sys.stderr)
    return folder


def _published(folder: Any) -> Path:
    """Where a published folder went; says so when its name was taken."""
    if folder.note():
        print(folder.note(), file=sys.stderr)
    final: Path = folder.final
    return final


def _before_runs(out: Path, scenarios: list[Any], force: bool, jobs: int | None, runs: int,
                 where: list[str], kpis: list[str] | tuple[str, ...] = ()) -> None:
    """The checks every experiment makes before its first run: --kpi, --out, folder names, memory."""
    from sim.experiments.executors import pool_size
    from sim.experiments.kpis import check_kpis
    from sim.output.checks import check_memory
    from sim.output.folders import check_name, check_out_root

    check_kpis(kpis, scenarios)  # a mistyped --kpi is refused now, not after the runs
    check_out_root(out)
    for scenario, label in zip(scenarios, where, strict=True):
        check_name(scenario.name, f"{label}: name")
    check_memory(scenarios, force, streamed=False, workers=pool_size(jobs, runs))


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S")


def run_set(args: argparse.Namespace, scenario: Any) -> int:
    """``sim run FILE --replications N``: N replications, each its own folder, and a folder for the set."""
    from sim.experiments.replications import run_replications, run_to_precision
    from sim.experiments.report import format_replications

    replications, target, cap = replication_plan(args)
    _positive("--jobs", args.jobs)
    warm_workers_early(args)
    _before_runs(args.out, [scenario], args.force, args.jobs, replications or cap, [str(args.scenario)], args.kpis)
    prepare_report_while_workers_warm(args, replications or cap)
    command = ("sim", *sys.argv[1:])
    precision = None
    if replications is None:
        reps, precision = run_to_precision(scenario, args.precision_kpi, target, cap, args.seed,
                                           first=args.replication, jobs=args.jobs, write_root=str(args.out),
                                           plots=not args.no_plots, command=command)
    else:
        reps = run_replications(scenario, replications, args.seed, first=args.replication, jobs=args.jobs,
                                write_root=str(args.out), plots=not args.no_plots, command=command)
    if args.table_format != "parquet":  # the workers write Parquet
        from sim.output.convert import convert_tables

        for path in reps.folders.values():
            convert_tables(Path(path), args.table_format)
    first, last = reps.replications[0], reps.replications[-1]
    publish = _publish(args.out / scenario.name, f"{_stamp()}-s{reps.seed}-r{first}to{last}")
    with publish as folder:
        reps.runs.to_csv(folder / "runs.csv", index=False)
        write_json(folder / "summary.json", {
            "scenario": scenario.name, "seed": reps.seed, "replications": reps.replications,
            "confidence": reps.confidence,
            **({"precision": {"kpi": precision.kpi, "target": precision.target, "reached": precision.reached,
                              "relative_half_width": precision.relative, "cap": precision.cap}}
               if precision is not None else {}),
            "kpis": reps.summary.set_index("kpi").to_dict(orient="index"),
            "runs": [{"replication": int(row["replication"]), "status": row["status"], "error": row["error"],
                      "folder": reps.folders.get(int(row["replication"]))} for row in reps.runs.to_dict("records")],
            "command": list(command), "versions": package_versions(),
        })
        write_report_or_warn(folder)
    if not args.quiet:
        print(format_replications(reps, args.kpis))
        print()
    if precision is not None:
        print(precision.sentence())
    for replication in reps.replications:
        if replication in reps.folders:
            print(f"results: {reps.folders[replication]}")
    print(f"replication set: {_published(publish)}")
    return EXIT_OK if reps.failed.empty else EXIT_RUN_FAILED


def replication_plan(args: argparse.Namespace, fixed_minimum: int = 1) -> tuple[int | None, float, int]:
    """``--replications N`` -> (N, nan, N); ``auto`` -> (None, the --precision target, the cap).

    Checked before any run; a bad combination is one line naming the option.
    """
    from sim.experiments.precision import DEFAULT_CAP, parse_precision, parse_replications

    value = parse_replications(str(args.replications))
    if value == "auto":
        cap = DEFAULT_CAP if args.max_replications is None else args.max_replications
        if cap < 2:
            raise ScenarioError(f"--max-replications {cap}: must be at least 2")
        if args.precision is None:
            if fixed_minimum == 1:  # sim run: auto means by precision, and needs a target
                raise ScenarioError("--replications auto: give the target, e.g. --precision 0.5%")
            return None, float("nan"), cap
        return None, parse_precision(args.precision), cap
    assert isinstance(value, int)
    if value < fixed_minimum:
        raise ScenarioError(f"--replications {value}: must be at least {fixed_minimum}")
    if args.precision is not None:
        raise ScenarioError(f"--precision {args.precision}: only with --replications auto")
    if args.max_replications is not None:
        raise ScenarioError(f"--max-replications {args.max_replications}: only with --replications auto")
    return value, float("nan"), value


def compare_command(args: argparse.Namespace) -> int:
    """``sim compare A [B] --replications N``: the paired comparison table, also written to a folder."""
    from sim.experiments.comparison import compare
    from sim.experiments.report import comparison_names, format_comparison
    from sim.scenario import load_scenario

    _positive("--replications", args.replications)
    _positive("--jobs", args.jobs)
    _seed(args.seed)
    if args.scenario_b is None and not args.overrides_a and not args.overrides_b:
        raise ScenarioError("compare: nothing differs between A and B; give B.toml or --set-b key=value")
    scenario_a = load_scenario(args.scenario_a, [*args.overrides, *args.overrides_a])
    scenario_b = load_scenario(args.scenario_b or args.scenario_a, [*args.overrides, *args.overrides_b])
    _before_runs(args.out, [scenario_a, scenario_b], args.force, args.jobs, 2 * args.replications,
                 [str(args.scenario_a), str(args.scenario_b or args.scenario_a)], args.kpis)
    prepare_report_while_workers_warm(args, 2 * args.replications)
    result = compare(scenario_a, scenario_b, args.replications, args.seed, jobs=args.jobs)
    labels = (_label(args.scenario_a, args.overrides_a), _label(args.scenario_b or args.scenario_a, args.overrides_b))
    print(format_comparison(result, args.kpis or None, labels))
    names = comparison_names(scenario_a.name, scenario_b.name, args.overrides_a, args.overrides_b)
    publish = _publish(args.out / "compare", f"{_stamp()}-{names}-s{result.seed}")
    with publish as folder:
        result.table.to_csv(folder / "comparison.csv", index=False)
        result.runs.to_csv(folder / "runs.csv", index=False)
        write_json(folder / "comparison.json", {
            "a": {"file": str(args.scenario_a), "set": [*args.overrides, *args.overrides_a],
                  "scenario": scenario_a.name},
            "b": {"file": str(args.scenario_b or args.scenario_a), "set": [*args.overrides, *args.overrides_b],
                  "scenario": scenario_b.name},
            "seed": result.seed, "replications": result.replications, "confidence": result.confidence,
            "kpis": result.table.set_index("kpi").to_dict(orient="index"),
            "command": ["sim", *sys.argv[1:]], "versions": package_versions(),
        })
        write_report_or_warn(folder)
    print(f"\ncomparison: {_published(publish)}")
    failed = (result.runs["status"] != "ok").any()
    return EXIT_RUN_FAILED if failed else EXIT_OK


def risk_command(args: argparse.Namespace) -> int:
    """``sim risk FILE --replications N``: the risk table, also written to a folder with the runs and plots."""
    from sim.experiments.report import format_risk, risk_markdown
    from sim.experiments.risk import risk_analysis
    from sim.scenario import load_scenario

    _positive("--jobs", args.jobs)
    _seed(args.seed)
    if args.replications < 2:
        raise ScenarioError(f"--replications {args.replications}: a risk experiment needs at least 2")
    scenario = load_scenario(args.scenario, args.overrides)
    if not scenario.disruptions:
        raise ScenarioError(f"{args.scenario}: disruptions = []: a risk experiment needs at least one disruption "
                            "(see scenarios/examples/upstream/disruption_random.toml)")
    _before_runs(args.out, [scenario, scenario], args.force, args.jobs, 2 * args.replications,
                 [str(args.scenario)] * 2, args.kpis)
    prepare_report_while_workers_warm(args, 2 * args.replications)
    result = risk_analysis(scenario, args.replications, args.seed, jobs=args.jobs)
    print(format_risk(result, args.kpis))
    publish = _publish(args.out / "risk", f"{_stamp()}-{scenario.name}-s{result.seed}-n{len(result.replications)}")
    with publish as folder:
        result.table.to_csv(folder / "risk.csv", index=False)
        result.runs.to_csv(folder / "runs.csv", index=False)
        write_json(folder / "risk.json", {
            "file": str(args.scenario), "set": list(args.overrides), "scenario": scenario.name,
            "seed": result.seed, "replications": result.replications, "confidence": result.confidence,
            "kpis": result.table.set_index("kpi").to_dict(orient="index"),
            "command": ["sim", *sys.argv[1:]], "versions": package_versions(),
        })
        (folder / "risk.md").write_text(risk_markdown(result))
        if not args.no_plots:
            _risk_plots(result, folder)
        write_report_or_warn(folder)
    print(f"\nrisk: {_published(publish)}")
    return EXIT_RUN_FAILED if not result.failed.empty else EXIT_OK


def _risk_plots(result: Any, folder: Path) -> None:
    from matplotlib.figure import Figure

    for kpi, name in (("cost_per_parcel.total", "risk_cost_per_parcel.png"), ("stock.fill_rate", "risk_fill_rate.png"),
                      ("service.on_time_rate", "risk_on_time.png")):
        if kpi in result.table["kpi"].values and len(result.disrupted):
            figure = Figure(figsize=(6, 4))
            result.plot(kpi, figure.subplots())
            figure.tight_layout()
            figure.savefig(folder / name, dpi=110)


def _label(path: Path, overrides: list[str]) -> str:
    return f"{path}" + (f" with {', '.join(overrides)}" if overrides else "")


def sweep_command(args: argparse.Namespace) -> int:
    """``sim sweep FILE``: check every point, run what is left, write the tables; exit 1 if a run failed."""
    from contextlib import ExitStack

    from sim.experiments.executors import dask_client
    from sim.experiments.report import format_sweep
    from sim.experiments.spec import load_sweep
    from sim.experiments.sweep import parse_shard, run_sweep, shard_indices, sweep_folder

    _positive("--jobs", args.jobs)
    shard = parse_shard(args.shard)
    spec = load_sweep(args.sweep, args.overrides)
    folder = sweep_folder(spec, args.out, shard)  # checks the sweep's name
    if args.table_format != "parquet" and args.keep != "runs":
        raise ScenarioError(f"--format {args.table_format}: only with --keep runs (a sweep keeps no run tables "
                            "otherwise; its runs and aggregate tables are CSV and Parquet always)")
    mine = len(shard_indices(spec.runs, shard))
    print(f"sweep {spec.name}: {len(spec.points)} points x {spec.replications} replications = {spec.runs} runs"
          + (f", shard {shard[0]}/{shard[1]}: {mine} runs" if shard[1] > 1 else ""), flush=True)
    points = [point.scenario for point in spec.points]
    labels = [f"{args.sweep}: point {point.index}" for point in spec.points]
    if args.dask:  # the workers' memory is the cluster's, not this machine's: only --out and the names
        _before_runs(args.out, points, True, 1, 1, labels)
    else:
        _before_runs(args.out, points, args.force, args.jobs, mine, labels)
    if args.check:
        print(f"every point's scenario is valid; results would go to {folder}")
        return EXIT_OK
    prepare_report_while_workers_warm(args, mine)
    with ExitStack() as stack:
        client = stack.enter_context(dask_client(args.dask)) if args.dask else None
        try:
            result = run_sweep(spec, client=client, jobs=args.jobs, folder=folder, shard=shard, resume=args.resume,
                               keep=args.keep, plots=not args.no_plots)
        except KeyboardInterrupt:
            from sim.experiments.store import read_markers

            kept = len(read_markers(folder)) if (folder / "runs").exists() else 0
            print(f"sim: interrupted; {kept} finished runs are kept in {folder}; continue with the same "
                  "command and --resume", file=sys.stderr)
            return EXIT_INTERRUPTED
    if args.keep == "runs" and args.table_format != "parquet":  # the workers write Parquet
        from sim.experiments.store import read_markers
        from sim.output.convert import convert_tables

        for record in read_markers(folder).values():
            if record.get("folder"):
                convert_tables(folder / record["folder"], args.table_format)
    write_report_or_warn(folder)
    print(format_sweep(result))
    if result.indices is not None:
        print(f"sensitivity indices: {result.folder / 'sensitivity.csv'}")
    return EXIT_OK if result.complete else EXIT_RUN_FAILED


def _strategy_table(result: Any) -> None:
    """Merged shards of ``sim strategies``: the strategy table and selection, as an unsharded run writes them."""
    from sim.experiments.store import read_description
    from sim.strategies import DESIGN, strategy_tables, write_tables

    description = read_description(result.folder)
    if (description.get("design") or {}).get("kind") == DESIGN:
        print(write_tables(strategy_tables(result.runs, description, result)))


def merge_command(args: argparse.Namespace) -> int:
    """``sim merge DIR...``: the tables of the whole sweep from its shards; exit 1 if runs are missing or failed."""
    from sim.experiments.report import format_sweep
    from sim.experiments.sweep import merge_sweeps

    if args.out is not None:
        from sim.output.folders import check_out_root

        check_out_root(args.out.parent, "--out")
    result = merge_sweeps(args.folders, args.out, plots=not args.no_plots)
    write_report_or_warn(result.folder)
    print(f"merged {len(args.folders)} folders")
    print(format_sweep(result))
    if result.complete:
        _strategy_table(result)
    if result.missing:
        shown = ", ".join(map(str, result.missing[:20])) + (" ..." if len(result.missing) > 20 else "")
        print(f"missing runs (indices): {shown}", file=sys.stderr)
    return EXIT_OK if result.complete else EXIT_RUN_FAILED
