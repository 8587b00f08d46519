"""Benchmark: sweep throughput with 1 and 2 local workers, from the API and from the command line, and Dask's overhead.

Run it from the repository root (with ``python -m pip install -e ".[test]"``, which brings dask)::

    python benchmarks/bench_sweep.py                    # 8 baseline replications (7 + 28 days), 5 repeats, ~6 min
    python benchmarks/bench_sweep.py --design absence   # the metro absence probability at 4 levels x 2 replications
    python benchmarks/bench_sweep.py --quick            # 4 runs of 1 + 2 days, 2 repeats: a smoke test of the script

The sweep is 8 replications of the shipped baseline (``--design baseline``, the
default: the issue's "8 baseline runs"), or four levels of the metro absence
probability x replications (``--design absence``). It is run with each executor,
each time into a fresh folder, without plots:

* ``jobs=2, cold fork server``: the process's first local pool, timed once before the
  repeats. It starts the fork server, which imports the simulator and loads the planner's
  kernels once (on one core) before the first run, as a fresh ``sim sweep --jobs 2`` does;
* ``jobs=1``: every run in this process, one after the other, planning on one thread;
* ``jobs=1, N planning threads``: the same with the process's default planning threads
  (``sim.routing.planning_threads``), as ``sim sweep --jobs 1`` runs;
* ``jobs=2``: later pools of the same process, forked warm from that server (a notebook's or a
  pipeline's second experiment, ``sim strategies`` over its scenarios);
* ``2 independent processes (no pool)``: two warm processes that run one shard each, started
  together: what an executor without any overhead could reach on this machine;
* ``sim sweep --jobs 1`` and ``--jobs 2`` (``--no-cli`` skips them): the command end to end in a
  fresh interpreter (imports, the fork server, the runs, the tables and ``report.html``), from the
  shell's point of view;
* Dask (``--no-dask`` skips it): a ``LocalCluster`` of two single-threaded worker processes,
  through ``client.get_executor()``, its start-up timed apart.

Each repeat runs every executor once, one after the other, so that a drift in the
machine's speed touches both sides of a ratio alike. Speed-ups are the median over
the repeats of each repeat's own ratio (jobs=1 over jobs=2, in-process or from the
command line), with the range; the table shows each executor's median wall time.
"Workers busy" is the runs' own time over workers x wall time: what the pool's
start-up, the sweep's bookkeeping and an idle worker at the end cost (a run that is
slower because it shares the CPUs is still busy time). The target is a speed-up of
at least 1.9 on 8 baseline runs on 2 cores (not asserted: it depends on the
machine, whose load is printed). Every sweep's runs table is compared (without wall
time) and must be identical. The table is printed as Markdown and written with the
machine to ``benchmarks/output/bench_sweep{_quick}.{json,md}`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import import_module
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments import run_sweep
from sim.routing import planning_threads, set_planning_threads

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
OUTPUT = ROOT / "benchmarks" / "output"
LEVELS = (0.05, 0.10, 0.15, 0.20)
COLD = "jobs=2, cold fork server"
WARM = "jobs=2"
SERIAL = "jobs=1"
PAIR = "2 independent processes (no pool)"
CLI_SERIAL = "sim sweep --jobs 1"
CLI_POOL = "sim sweep --jobs 2"


def sweep_file(folder: Path, design: str, runs: int, warmup: int, days: int) -> Path:
    """The benchmark's sweep: ``runs`` replications of the baseline, or four absence levels x ``runs / 4``."""
    path = folder / "bench.toml"
    common = f'scenario = "{BASELINE.as_posix()}"\nseed = 1\nset = ["horizon.warmup_days={warmup}"]\n'
    if design == "baseline":  # one point (its measured days as the factor): the runs differ only by their seed
        factors = f'replications = {runs}\n[factors]\n"horizon.days" = [{days}]\n'
    else:
        factors = (f'replications = {max(1, runs // len(LEVELS))}\n[factors]\n"horizon.days" = [{days}]\n'
                   f'"regional_warehouses.metro.area.absence_probability" = {list(LEVELS)}\n')
    path.write_text(common + factors)
    return path


def timed(label: str, workers: int, spec: Path, out: Path, **how: Any) -> dict[str, Any]:
    """Run the sweep once and report its wall time, throughput and how busy its ``workers`` were."""
    started = time.perf_counter()
    result = run_sweep(spec, out=out, plots=False, progress=False, **how)
    seconds = time.perf_counter() - started
    runs = len(result.runs)
    assert result.complete, f"{label}: {len(result.failed)} runs failed"
    print(f"  {label}: {runs} runs in {seconds:.1f} s", file=sys.stderr)
    busy = float(result.runs["wall_seconds"].sum())
    return {"executor": label, "runs": runs, "seconds": seconds, "runs_per_minute": 60 * runs / seconds,
            "mean_run_seconds": busy / runs, "busy_share": busy / (workers * seconds), "folder": result.folder}


SHARD_CHILD = """
import sys, time
from pathlib import Path
import sim.experiments.warmup
from sim.experiments import run_sweep
spec, out, shard = Path(sys.argv[1]), Path(sys.argv[2]), (int(sys.argv[3]), 2)
# Once untimed, as the in-process jobs=1 row is measured warm: what a first sweep loads is loaded.
run_sweep(spec, out=out / "untimed", shard=shard, jobs=1, plots=False, progress=False)
print("ready", flush=True)
sys.stdin.readline()
started = time.perf_counter()
result = run_sweep(spec, out=out, shard=shard, jobs=1, plots=False, progress=False)
print(time.perf_counter() - started, result.runs["wall_seconds"].sum(), flush=True)
"""


def two_processes(spec: Path, out: Path, runs: int) -> dict[str, Any]:
    """Two warm, independent processes run one shard of the sweep each, started together: no pool at all.

    Their wall time is what a pool without any overhead could reach on this machine: each
    process is slowed only by sharing the cores and the memory system with the other.
    """
    children = [subprocess.Popen([sys.executable, "-c", SHARD_CHILD, str(spec), str(out / f"shard{i}"), str(i)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for i in range(2)]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    # Each child prints its time when its sweep is done; the interpreter's exit after it is not timed.
    own = [[float(x) for x in child.stdout.readline().split()] for child in children if child.stdout is not None]
    seconds = time.perf_counter() - started
    for child in children:
        child.communicate()
    busy = sum(run_seconds for _, run_seconds in own)
    print(f"  {PAIR}: {runs} runs in {seconds:.1f} s", file=sys.stderr)
    return {"executor": PAIR, "runs": runs, "seconds": seconds, "runs_per_minute": 60 * runs / seconds,
            "mean_run_seconds": busy / runs, "busy_share": busy / (2 * seconds), "folder": None}


def command_line(jobs: int, spec: Path, out: Path, runs: int) -> dict[str, Any]:
    """``sim sweep SPEC --jobs N --no-plots`` in a fresh interpreter, timed from outside, report included."""
    label = CLI_SERIAL if jobs == 1 else CLI_POOL
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", "sweep", str(spec), "--jobs", str(jobs), "--out", str(out),
                    "--no-plots"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    folder = out / spec.stem
    busy = float(pd.read_csv(folder / "runs.csv")["wall_seconds"].sum())
    print(f"  {label}: {runs} runs in {seconds:.1f} s", file=sys.stderr)
    return {"executor": label, "runs": runs, "seconds": seconds, "runs_per_minute": 60 * runs / seconds,
            "mean_run_seconds": busy / runs, "busy_share": busy / (jobs * seconds), "folder": folder}


def same_tables(rows: list[dict[str, Any]]) -> bool:
    """Whether every sweep wrote the same runs table (wall time aside)."""
    tables = [pd.read_csv(row["folder"] / "runs.csv").drop(columns="wall_seconds") for row in rows
              if row["folder"] is not None]
    return all(table.equals(tables[0]) for table in tables[1:])


def medians(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per executor, in first-run order: the median sweep time of its repeats."""
    by: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by.setdefault(row["executor"], []).append(row)
    table = []
    for label, group in by.items():
        seconds = statistics.median(r["seconds"] for r in group)
        table.append({"executor": label, "runs": group[0]["runs"], "repeats": len(group), "seconds": seconds,
                      "runs_per_minute": 60 * group[0]["runs"] / seconds,
                      "mean_run_seconds": statistics.median(r["mean_run_seconds"] for r in group),
                      "busy_share": statistics.median(r["busy_share"] for r in group)})
    return table


def paired_ratios(rows: list[dict[str, Any]], slow: str, fast: str) -> list[float]:
    """Per repeat, ``slow``'s wall time over ``fast``'s (both ran in the same repeat)."""
    by_repeat: dict[int, dict[str, float]] = {}
    for row in rows:
        by_repeat.setdefault(row["repeat"], {})[row["executor"]] = row["seconds"]
    return [times[slow] / times[fast] for times in by_repeat.values() if slow in times and fast in times]


def speed_up(ratios: list[float], prefix: str = "x") -> str:
    """``x1.84 (1.78-1.90, 5 repeats)``: the median of the per-repeat ratios and their range."""
    return (f"{prefix}{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}, "
            f"{len(ratios)} repeat{'s' if len(ratios) > 1 else ''})")


def markdown(rows: list[dict[str, Any]], summary: list[dict[str, Any]], startup: float | None,
             warm_up: float) -> str:
    """The benchmark table (medians over the repeats) and the paired speed-ups."""
    lines = ["| executor | runs | repeats | wall s (median) | runs / min | mean s per run (in its worker) "
             "| workers busy |", "|---|---:|---:|---:|---:|---:|---:|"]
    for row in summary:
        lines.append(f"| {row['executor']} | {row['runs']} | {row['repeats']} | {row['seconds']:.1f} "
                     f"| {row['runs_per_minute']:.1f} | {row['mean_run_seconds']:.2f} | {row['busy_share']:.0%} |")
    by = {row["executor"]: row for row in summary}
    lines.append("")
    if ratios := paired_ratios(rows, SERIAL, WARM):
        lines.append(f"speed-up of 2 warm workers over 1 (target 1.9): {speed_up(ratios)}")
    if ratios := paired_ratios(rows, SERIAL, PAIR):
        lines.append(f"ceiling on this machine (two warm processes, no pool): {speed_up(ratios)}")
    if ratios := paired_ratios(rows, WARM, PAIR):
        overhead = speed_up(ratios, prefix="")
        lines.append(f"the warm pool's wall time over that ceiling's: {overhead} (1: no overhead)")
    if SERIAL in by and COLD in by:
        lines.append(f"speed-up from a cold start, each paying the {warm_up:.2f} s warm-up once (in-process, or "
                     f"in the fork server): x{(by[SERIAL]['seconds'] + warm_up) / by[COLD]['seconds']:.2f}")
    if ratios := paired_ratios(rows, CLI_SERIAL, CLI_POOL):
        lines.append(f"speed-up from the command line (fresh interpreters, report included): {speed_up(ratios)}")
    threaded = [label for label in by if label.startswith("jobs=1, ")]
    if threaded and (ratios := paired_ratios(rows, threaded[0], WARM)):
        lines.append(f"speed-up of 2 workers over 1 process planning on threads ({threaded[0][8:]}): "
                     f"{speed_up(ratios)}")
    if "dask (2 workers)" in by and WARM in by:  # both start from warm processes
        overhead = by["dask (2 workers)"]["seconds"] / by[WARM]["seconds"] - 1
        lines.append(f"Dask overhead against the local pool: {overhead:+.0%} of the sweep's wall time "
                     f"(cluster start-up, not included: {startup:.1f} s)")
    return "\n".join(lines)


def load_average() -> float | None:
    """The 1-minute load average (other processes compete with the workers for the CPUs)."""
    try:
        return os.getloadavg()[0]
    except OSError:  # not available on this platform
        return None


def main() -> None:
    """Parse the options, run the sweeps, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--design", choices=("baseline", "absence"), default="baseline",
                        help="8 replications of the baseline (default), or 4 absence levels x replications")
    parser.add_argument("--runs", type=int, default=8, help="runs per sweep (with --design absence a multiple of 4)")
    parser.add_argument("--warmup", type=int, default=7, help="warm-up days of each run")
    parser.add_argument("--days", type=int, default=28, help="measured days of each run")
    parser.add_argument("--repeats", type=int, default=5, help="times to run every executor, alternating")
    parser.add_argument("--quick", action="store_true", help="4 runs of 1 + 2 days, 2 repeats")
    parser.add_argument("--no-cli", action="store_true", help="skip the command-line rows")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask cluster")
    args = parser.parse_args()
    runs, warmup, days, repeats = (4, 1, 2, 2) if args.quick else (args.runs, args.warmup, args.days, args.repeats)

    rows: list[dict[str, Any]] = []
    startup = None
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        work = Path(tmp)
        spec = sweep_file(work, args.design, runs, warmup, days)
        threads = planning_threads()
        # What a cold process pays before its first run (imports, kernels), timed once here: jobs=1 then
        # runs warm, and the cold pool's fork server pays the same warm-up on its own.
        started = time.perf_counter()
        import_module("sim.experiments.warmup")
        warm_up = time.perf_counter() - started
        # The process's first pool starts the fork server, which imports the simulator and loads the kernels
        # before the first run; every later pool forks from it warm.
        rows.append({**timed(COLD, 2, spec, work / "cold", jobs=2), "repeat": -1})
        for repeat in range(repeats):
            set_planning_threads(1)  # in-process runs plan on this process's threads; pool workers on one
            rows.append({**timed(SERIAL, 1, spec, work / f"jobs1-{repeat}", jobs=1), "repeat": repeat})
            set_planning_threads(threads)
            if threads > 1:
                rows.append({**timed(f"jobs=1, {threads} planning threads", 1, spec, work / f"jobs1t-{repeat}",
                                     jobs=1), "repeat": repeat})
            rows.append({**timed(WARM, 2, spec, work / f"jobs2-{repeat}", jobs=2), "repeat": repeat})
            rows.append({**two_processes(spec, work / f"pair-{repeat}", runs), "repeat": repeat})
            if not args.no_cli:
                for jobs in (1, 2):
                    rows.append({**command_line(jobs, spec, work / f"cli{jobs}-{repeat}", runs), "repeat": repeat})
        if not args.no_dask:
            from dask.distributed import Client, LocalCluster

            started = time.perf_counter()
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                    Client(cluster) as client:
                client.wait_for_workers(2)
                startup = time.perf_counter() - started
                rows.append({**timed("dask (2 workers)", 2, spec, work / "dask", client=client), "repeat": -1})
        identical = same_tables(rows)

    summary = medians(rows)
    table = markdown(rows, summary, startup, warm_up)
    load = (load_before, load_average())
    what = f"{runs} replications" if args.design == "baseline" else f"{runs} runs (4 absence levels)"
    print(f"\nSweep of {what} of the baseline ({warmup} + {days} days), {os.cpu_count()} CPUs, "
          f"1-minute load average {load[0]:.2f} before, {load[1]:.2f} after\n")
    print(table)
    print(f"\nidentical tables across executors: {'yes' if identical else 'NO'}")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    name = "bench_sweep_quick" if args.quick else "bench_sweep"
    record = {"rows": [{k: v for k, v in row.items() if k != "folder"} for row in rows], "medians": summary,
              "design": args.design, "dask_startup_seconds": startup, "identical_tables": identical,
              "warmup_days": warmup, "days": days, "load_average": load,
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                          "python": platform.python_version()}}
    (OUTPUT / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n")
    (OUTPUT / f"{name}.md").write_text(table + "\n")
    if not identical:
        sys.exit("the executors wrote different tables")


if __name__ == "__main__":
    main()
