"""Benchmark: sweep throughput (runs per minute) with 1 and 2 local workers, and Dask's overhead.

Run it from the repository root (with ``python -m pip install -e ".[test]"``, which brings dask)::

    python benchmarks/bench_sweep.py              # 8 runs of the baseline (7 + 28 days), 3 repeats, ~2 minutes
    python benchmarks/bench_sweep.py --repeats 5  # alternate jobs=1 and jobs=2 five times; medians
    python benchmarks/bench_sweep.py --quick      # 4 runs of 1 + 2 days: a smoke test of the script

The same sweep (metro absence probability at four levels x replications) is run
with each executor, each time into a fresh folder, without plots:

* ``jobs=1``: every run in this process, one after the other, planning on one thread;
* ``jobs=1, N planning threads``: the same with the process's default planning threads
  (``sim.routing.planning_threads``: the usable cores, at most 4), as ``sim sweep --jobs 1`` runs;
* ``jobs=2, cold fork server``: the first local pool of two workers (the default executor),
  which starts the fork server: it imports the simulator and loads the planner's kernels once
  (about a second, on one core) before the first run, as every ``sim sweep --jobs 2`` does;
* ``jobs=2``: later pools of the same process, forked warm from that server (a notebook's or a
  pipeline's second experiment, ``sim strategies`` over its scenarios);
* Dask: a ``LocalCluster`` of two single-threaded worker processes, through
  ``client.get_executor()``. The cluster's start-up is timed apart and is not in
  the sweep's time; the overhead is Dask's sweep time over the local pool's.

Times are wall-clock seconds of ``run_sweep`` (start the workers, run, write the
run files and the tables); each executor's one-time start-up is in its first
sweep (the in-process sweep imports the simulator, the pool starts its fork
server, which later pools of the same process reuse). With ``--repeats N`` the
local executors alternate N times and the table shows each one's median; the
speed-up is the median jobs=1 time over the median jobs=2 time (both planning on one thread per
run; the speed-up over the threaded jobs=1 is printed too). "Workers busy" is
the runs' own time over workers x wall time: what the pool's start-up, the
sweep's bookkeeping and an idle worker at the end cost (a run that is slower
because it shares the CPUs is still busy time). The target is a
speed-up of at least 1.9 on 8 baseline runs on 2 cores (not asserted: it depends
on the machine's load, which is printed). Every sweep's tables are compared
(without wall time) and must be identical. The table is printed as Markdown and
written with the machine to ``benchmarks/output/bench_sweep{_quick}.{json,md}``
(git-ignored).
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


def sweep_file(folder: Path, runs: int, warmup: int, days: int) -> Path:
    """A sweep of ``runs`` runs: four absence levels x ``runs / 4`` replications."""
    path = folder / "bench.toml"
    path.write_text(
        f'scenario = "{BASELINE.as_posix()}"\nseed = 1\nreplications = {max(1, runs // len(LEVELS))}\n'
        f'set = ["horizon.warmup_days={warmup}", "horizon.days={days}"]\n'
        f'[factors]\n"regional_warehouses.metro.area.absence_probability" = {list(LEVELS)}\n'
    )
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
run_sweep(spec, out=out, shard=shard, jobs=1, plots=False, progress=False)
print(time.perf_counter() - started, flush=True)
"""


def two_processes(spec: Path, out: Path) -> dict[str, Any]:
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
    own = [float(child.stdout.readline().strip()) for child in children if child.stdout is not None]
    seconds = time.perf_counter() - started
    for child in children:
        child.communicate()
    # The caller fills in the run count (and so the throughput): the children only report their time.
    return {"executor": "2 independent processes (no pool)", "runs": 0, "seconds": seconds,
            "runs_per_minute": 0.0, "mean_run_seconds": 0.0, "busy_share": sum(own) / (2 * seconds), "folder": None}


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


def markdown(rows: list[dict[str, Any]], startup: float | None, warm_up: float) -> str:
    """The benchmark table (medians over the repeats)."""
    lines = ["| executor | runs | repeats | wall s (median) | runs / min | mean s per run (in its worker) "
             "| workers busy |", "|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['executor']} | {row['runs']} | {row['repeats']} | {row['seconds']:.1f} "
                     f"| {row['runs_per_minute']:.1f} | {row['mean_run_seconds']:.2f} | {row['busy_share']:.0%} |")
    by = {row["executor"]: row for row in rows}
    if "jobs=1" in by and "jobs=2" in by:
        lines.append(f"\nspeed-up of 2 workers (warm fork server) over 1: "
                     f"x{by['jobs=1']['seconds'] / by['jobs=2']['seconds']:.2f}")
    if "jobs=1" in by and "jobs=2, cold fork server" in by:
        cold = by["jobs=2, cold fork server"]["seconds"]
        lines.append(f"speed-up from a cold start, each paying the {warm_up:.2f} s warm-up once (in-process, or "
                     f"in the fork server): x{(by['jobs=1']['seconds'] + warm_up) / cold:.2f}")
    if "jobs=1" in by and "2 independent processes (no pool)" in by:
        lines.append(f"ceiling on this machine (two warm processes, no pool): "
                     f"x{by['jobs=1']['seconds'] / by['2 independent processes (no pool)']['seconds']:.2f}")
    threaded = [label for label in by if label.startswith("jobs=1, ")]
    if threaded and "jobs=2" in by:
        lines.append(f"speed-up of 2 workers over 1 process planning on threads ({threaded[0][8:]}): "
                     f"x{by[threaded[0]]['seconds'] / by['jobs=2']['seconds']:.2f}")
    if "dask (2 workers)" in by and "jobs=2" in by:  # both start from warm processes
        overhead = by["dask (2 workers)"]["seconds"] / by["jobs=2"]["seconds"] - 1
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
    parser.add_argument("--runs", type=int, default=8, help="runs per sweep (a multiple of 4)")
    parser.add_argument("--warmup", type=int, default=7, help="warm-up days of each run")
    parser.add_argument("--days", type=int, default=28, help="measured days of each run")
    parser.add_argument("--repeats", type=int, default=3, help="times to alternate jobs=1 and jobs=2")
    parser.add_argument("--quick", action="store_true", help="4 runs of 1 + 2 days")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask cluster")
    args = parser.parse_args()
    runs, warmup, days = (4, 1, 2) if args.quick else (args.runs, args.warmup, args.days)

    rows: list[dict[str, Any]] = []
    startup = None
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        work = Path(tmp)
        spec = sweep_file(work, runs, warmup, days)
        threads = planning_threads()
        # What a cold process pays before its first run (imports, kernels), timed once here: jobs=1 then
        # runs warm, and the cold pool's fork server pays the same warm-up on its own.
        started = time.perf_counter()
        import_module("sim.experiments.warmup")
        warm_up = time.perf_counter() - started
        set_planning_threads(threads)  # the warm-up module sets one planning thread, as a worker plans
        for repeat in range(args.repeats):
            # In-process runs plan on this process's threads; pool workers always plan on one.
            set_planning_threads(1)
            rows.append(timed("jobs=1", 1, spec, work / f"jobs1-{repeat}", jobs=1))
            set_planning_threads(threads)
            if threads > 1:
                rows.append(timed(f"jobs=1, {threads} planning threads", 1, spec, work / f"jobs1t-{repeat}", jobs=1))
            # The first pool of the process starts the fork server, which imports the simulator and loads
            # the kernels (about a second) before the first run; later pools fork from it warm.
            label = "jobs=2, cold fork server" if repeat == 0 else "jobs=2"
            rows.append(timed(label, 2, spec, work / f"jobs2-{repeat}", jobs=2))
            pair = two_processes(spec, work / f"pair-{repeat}")
            pair.update(runs=runs, runs_per_minute=60 * runs / pair["seconds"])
            print(f"  {pair['executor']}: {runs} runs in {pair['seconds']:.1f} s", file=sys.stderr)
            rows.append(pair)
        if not args.no_dask:
            from dask.distributed import Client, LocalCluster

            started = time.perf_counter()
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                    Client(cluster) as client:
                client.wait_for_workers(2)
                startup = time.perf_counter() - started
                rows.append(timed("dask (2 workers)", 2, spec, work / "dask", client=client))
        identical = same_tables(rows)

    summary = medians(rows)
    table = markdown(summary, startup, warm_up)
    load = (load_before, load_average())
    print(f"Sweep of {rows[0]['runs']} runs of the baseline ({warmup} + {days} days), {os.cpu_count()} CPUs, "
          f"1-minute load average {load[0]:.2f} before, {load[1]:.2f} after\n")
    print(table)
    print(f"\nidentical tables across executors: {'yes' if identical else 'NO'}")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    name = "bench_sweep_quick" if args.quick else "bench_sweep"
    record = {"rows": [{k: v for k, v in row.items() if k != "folder"} for row in rows], "medians": summary,
              "dask_startup_seconds": startup, "identical_tables": identical, "warmup_days": warmup, "days": days,
              "load_average": load,
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                          "python": platform.python_version()}}
    (OUTPUT / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n")
    (OUTPUT / f"{name}.md").write_text(table + "\n")
    if not identical:
        sys.exit("the executors wrote different tables")


if __name__ == "__main__":
    main()
