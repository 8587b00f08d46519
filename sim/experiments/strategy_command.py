"""``sim strategies``: the strategy table on the sweep engine (one pool, shards, resume, Dask) with the best selected.

The folder ``<out>/strategies-s<seed>-n<N>`` (``-auto`` for ``--replications auto``)
holds the sweep's run files and tables (``runs/``, ``runs.csv``, ``aggregate.csv``)
and the table itself: ``strategies.csv``, ``strategies.md`` and ``selection.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.experiments.commands import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_RUN_FAILED,
    FORCE_HELP,
    add_precision_options,
    prepare_report_while_workers_warm,
    replication_plan,
    warm_workers_early,
)

# Relative to the working folder; outside a checkout (or a folder made by `sim init`) the shipped copies.
DEFAULT_FOLDER = Path("scenarios/examples/last_mile")
DEFAULT_BASELINE = Path("scenarios/baseline.toml")


def add_command(commands: Any) -> None:
    """The ``strategies`` subcommand and its options."""
    strategies = commands.add_parser(
        "strategies", help="compare strategy scenarios with the baseline (paired, with CIs), select the best "
                           "and write the table")
    strategies.add_argument("scenarios", type=Path, nargs="*",
                            help=f"strategy scenario files (default: {DEFAULT_FOLDER}/*.toml, here or, when there "
                                 "is none here, the shipped ones)")
    strategies.add_argument("--baseline", type=Path, default=None,
                            help=f"default: {DEFAULT_BASELINE}, here or the shipped one")
    strategies.add_argument("--replications", default="3", metavar="N|auto",
                            help="replications of every scenario (default 3); 'auto': stages until the best on "
                                 "--select-kpi is separated (and --precision is met), at most --max-replications")
    strategies.add_argument("--seed", type=int, default=1)
    where = strategies.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per CPU)")
    where.add_argument("--dask", metavar="ADDRESS", default=None,
                       help="run on the Dask scheduler at ADDRESS (e.g. tcp://host:8786)")
    strategies.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE",
                            help="override applied to the baseline and every strategy (e.g. a shorter horizon)")
    strategies.add_argument("--out", type=Path, default=Path("results/strategies"))
    strategies.add_argument("--shard", default="0/1", metavar="I/N",
                            help="run only the runs with index %% N == I (fixed --replications; join with sim merge)")
    strategies.add_argument("--resume", action="store_true", help="continue an interrupted table in its folder")
    strategies.add_argument("--select-kpi", default="cost_per_parcel.last_mile", metavar="NAME",
                            help="KPI on which to select the best scenario (default cost_per_parcel.last_mile)")
    strategies.add_argument("--goal", choices=["min", "max"], default=None,
                            help="best is the lowest or highest --select-kpi (default: max for rates, else min)")
    strategies.add_argument("--confidence", type=float, default=0.95,
                            help="probability of selecting the best when it is better by --delta (default 0.95)")
    strategies.add_argument("--delta", default="1%", metavar="D|PCT",
                            help="indifference zone: differences smaller than this do not matter; a KPI amount "
                                 "or a percentage of the mean (default 1%%)")
    strategies.add_argument("--n0", type=int, default=5, help="first-stage replications of --replications auto "
                                                               "(default 5)")
    add_precision_options(strategies, "every scenario's")
    strategies.add_argument("--force", action="store_true", help=FORCE_HELP)


def strategies_command(args: argparse.Namespace) -> int:
    """Run (or continue) the strategy table; print it with the selection; exit 1 if a run failed."""
    from contextlib import ExitStack

    warm_workers_early(args)  # first: the workers warm up while the strategies are built and checked

    from sim.experiments.executors import dask_client, pool_size
    from sim.experiments.sweep import parse_shard
    from sim.output.checks import check_memory
    from sim.output.folders import check_out_root
    from sim.scenario import load_scenario
    from sim.scenario.shipped import default_path
    from sim.strategies import run_strategies

    replications, target, cap = replication_plan(args, fixed_minimum=2)
    if args.jobs is not None and args.jobs < 1:
        raise ScenarioError(f"--jobs {args.jobs}: must be at least 1")
    if not 0 < args.confidence < 1:
        raise ScenarioError(f"--confidence {args.confidence}: must be between 0 and 1")
    if args.n0 < 2:
        raise ScenarioError(f"--n0 {args.n0}: the first stage needs at least 2 replications")
    _check_delta(args.delta)
    if replications is None and args.n0 > cap:
        raise ScenarioError(f"--n0 {args.n0}: more than --max-replications {cap}")
    shard = parse_shard(args.shard)
    if replications is None and shard != (0, 1):
        raise ScenarioError(f"--shard {args.shard}: needs a fixed --replications N (the sequential procedure "
                            "decides from every scenario's runs together)")
    check_out_root(args.out)
    # By default the last-mile strategies; the upstream examples (scenarios/examples/upstream/) are not strategies.
    files = args.scenarios or sorted(default_path(DEFAULT_FOLDER).glob("*.toml"))
    if not files:
        raise ScenarioError(f"no strategy scenarios given and none found in {default_path(DEFAULT_FOLDER)}/")
    baseline = load_scenario(args.baseline or default_path(DEFAULT_BASELINE), args.overrides)
    strategies = [load_scenario(path, args.overrides) for path in files]  # all validated before any run
    if not args.dask:  # on a cluster the workers' memory is not this machine's
        check_memory([baseline, *strategies], args.force, streamed=False,
                     workers=pool_size(args.jobs, (len(strategies) + 1) * cap))
    label = f"n{replications}" if replications is not None else "auto"
    name = f"strategies-s{args.seed}-{label}" + (f"-shard-{shard[0]}-of-{shard[1]}" if shard[1] > 1 else "")
    folder = args.out / name
    prepare_report_while_workers_warm(args, (len(strategies) + 1) * (replications or args.n0))
    with ExitStack() as stack:
        client = stack.enter_context(dask_client(args.dask)) if args.dask else None
        try:
            result = run_strategies(
                baseline, strategies, replications if replications is not None else "auto", args.seed,
                select_kpi=args.select_kpi, minimize=None if args.goal is None else args.goal == "min",
                confidence=args.confidence, delta=args.delta, n0=args.n0,
                precision=None if replications is not None or args.precision is None else target,
                precision_kpi=args.precision_kpi, cap=cap, jobs=args.jobs, client=client, folder=folder,
                shard=shard, resume=args.resume)
        except KeyboardInterrupt:
            print(f"sim: interrupted; finished runs are kept in {folder}; continue with the same command and "
                  "--resume", file=sys.stderr)
            return EXIT_INTERRUPTED
    if shard[1] > 1:
        done = int((result.sweep.runs["status"] == "ok").sum())
        print(f"shard {shard[0]}/{shard[1]}: {done} runs ok in {folder}; join the shards with "
              f"sim merge {args.out}/strategies-s{args.seed}-{label}-shard-*")
        return EXIT_OK if result.sweep.complete else EXIT_RUN_FAILED
    return report(result)


def _check_delta(text: str) -> None:
    raw = text.strip()
    try:
        value = float(raw[:-1] if raw.endswith("%") else raw)
    except ValueError:
        raise ScenarioError(f"--delta {text}: expected a KPI amount (e.g. 0.05) or a percentage (e.g. 1%)") from None
    if not value > 0:
        raise ScenarioError(f"--delta {text}: must be positive")


def report(result: Any) -> int:
    """Write the table's files into the folder (see :func:`sim.strategies.write_tables`) and print it."""
    from sim.reporting import write_report_or_warn
    from sim.strategies import write_tables

    text = write_tables(result)
    write_report_or_warn(result.folder)
    print(text + f"\nresults: {result.folder}")
    return EXIT_OK if result.sweep.complete else EXIT_RUN_FAILED
