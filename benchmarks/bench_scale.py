"""Benchmark: the engine at scale, a ladder from the baseline to a year of a 20,000-parcel-a-day network.

Run it from the repository root (the package must be installed, ``python -m pip install -e .``)::

    python benchmarks/bench_scale.py                              # every rung; the year alone takes minutes
    python benchmarks/bench_scale.py --rungs baseline city_20k_28  # some rungs (see RUNGS)
    python benchmarks/bench_scale.py --quick                      # two rungs of 1 + 1 days: a smoke test
    python benchmarks/bench_scale.py --anchor PATH                # the anchor script, if not beside the repo

The rungs (``RUNGS``): the baseline (7 + 28 days, about 1,460 parcels a day), then
``scenarios/examples/scale/city_20k_year.toml`` (the baseline network scaled to about
20,000 parcels a day) over 7 + 28 days, 7 + 90 days and its whole year, 7 + 358 days.

Each rung is one ``python -m sim run FILE --seed 1 --no-plots --out TMP`` (with
``--set`` overrides for its horizon) in a child process, measured end to end:
start-up, the run, and writing the results folder. Per rung it reports the
parcels simulated (warm-up included) and the kernel events, from the run's
``manifest.json``; the wall seconds of the child; parcels per second; kernel
events per parcel; and the child's peak resident memory as the operating system
counted it (``ru_maxrss`` from ``os.wait4``), not what tracemalloc sees.

In the same invocation, before the first rung and after the last, it runs the
anchor, ``../shared/anchors/bench_parcels.py parcels --variant route --reps 3 --n
1500`` (a minimal SimPy parcel network without routing, costing or records; the
path is relative to the repository's parent folder), and takes the median of its
``per_s`` over the six repetitions (``--quick``: one, before). Per rung, "x anchor" is the anchor's parcels
per second over the rung's, i.e. how many times the anchor's cost per parcel one
parcel of ``sim`` costs. The anchor is a floor, not a peer: the ratio says how
much of the cost is engineering. Without the anchor script the ratio is left out,
with a message.

The table is printed as Markdown and written, with the machine, the versions and
the git commit, to ``benchmarks/output/bench_scale.{json,md}``
(``bench_scale_quick.*`` with ``--quick``); that folder is git-ignored. Nothing
here asserts on timings: they depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench_baseline import machine

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "benchmarks" / "output"
BASELINE = ROOT / "scenarios" / "baseline.toml"
CITY_YEAR = ROOT / "scenarios" / "examples" / "scale" / "city_20k_year.toml"
ANCHOR = ROOT.parent / "shared" / "anchors" / "bench_parcels.py"
ANCHOR_ARGS = ("parcels", "--variant", "route", "--n", "1500")
ANCHOR_REPS = 3
SEED = 1
MIB_PER_KIB = 1 / 1024
# The targets for the year, reported beside the measurement (never asserted).
TARGET_YEAR_SECONDS = 180.0
TARGET_YEAR_RSS_MIB = 1024.0
TARGET_ANCHOR_RATIO = 10.0


@dataclass(frozen=True)
class Rung:
    """One step of the ladder: a scenario file over a horizon."""

    name: str
    scenario: Path
    warmup_days: int
    days: int


RUNGS = (
    Rung("baseline", BASELINE, 7, 28),
    Rung("city_20k_28", CITY_YEAR, 7, 28),
    Rung("city_20k_90", CITY_YEAR, 7, 90),
    Rung("city_20k_year", CITY_YEAR, 7, 358),
)
QUICK_RUNGS = ("baseline", "city_20k_28")
QUICK_HORIZON = (1, 1)


@dataclass
class Row:
    """One line of the table (and of the JSON file)."""

    rung: str
    scenario: str
    warmup_days: int
    days: int
    parcels: int
    kernel_events: int
    wall_s: float
    parcels_per_s: float
    events_per_parcel: float
    peak_rss_mib: float
    run_s: float  # the run inside the child (build, event loop, tables, summary), from the manifest
    writing_s: float  # writing the results folder, from the manifest
    # Sanity checks that the chain kept up with its demand (not timings).
    fill_rate: float
    carried_over_share: float
    anchor_ratio: float | None = None


class RungFailed(RuntimeError):
    """A rung's ``sim run`` exited with an error (its message holds the end of the child's output)."""


def run_rung(rung: Rung, out: Path) -> Row:
    """Run one rung in a child process; measure its wall time and peak RSS, read its manifest and summary."""
    command = [sys.executable, "-m", "sim", "run", str(rung.scenario), "--seed", str(SEED), "--no-plots",
               "--quiet", "--out", str(out), "--set", f"horizon.warmup_days={rung.warmup_days}",
               "--set", f"horizon.days={rung.days}"]
    # The child imports this checkout's sim (also from a git worktree of an editable install).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH")))),
           "MPLBACKEND": "Agg"}
    log = out.parent / f"{out.name}.log"
    with log.open("w") as stream:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=stream, stderr=subprocess.STDOUT)
        # wait4 rather than Popen.wait: it also hands back the child's resource usage.
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    peak_mib = usage.ru_maxrss * MIB_PER_KIB  # ru_maxrss is in KiB on Linux
    if child.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-15:])
        raise RungFailed(f"rung {rung.name}: sim run exited with {child.returncode} after {wall:.0f} s at a peak RSS "
                         f"of {peak_mib:,.0f} MiB:\n{tail}")
    (folder,) = [p for p in out.glob("*/*") if p.is_dir() and not p.name.startswith(".")]
    manifest = json.loads((folder / "manifest.json").read_text())
    summary = json.loads((folder / "summary.json").read_text())
    try:
        parcels = int(manifest["parcels_simulated"])
        events = int(manifest["kernel_events"])
    except KeyError as exc:
        raise RungFailed(f"rung {rung.name}: {folder / 'manifest.json'} has no {exc}; the benchmark reads the "
                         "parcels simulated and the kernel events from there") from None
    return Row(
        rung=rung.name, scenario=str(rung.scenario.relative_to(ROOT)), warmup_days=rung.warmup_days, days=rung.days,
        parcels=parcels, kernel_events=events, wall_s=wall, parcels_per_s=parcels / wall,
        events_per_parcel=events / parcels, peak_rss_mib=peak_mib,
        run_s=float(manifest["wall_seconds"]["simulation"]), writing_s=float(manifest["wall_seconds"]["writing"]),
        fill_rate=float(summary["stock"]["fill_rate"]),
        carried_over_share=float(summary["capacity"]["carried_over_share"]),
    )


def run_anchor(script: Path, reps: int) -> list[float]:
    """The anchor's parcels per wall-second, one value per repetition."""
    done = subprocess.run([sys.executable, str(script), *ANCHOR_ARGS, "--reps", str(reps)], cwd=script.parent,
                          capture_output=True, text=True, check=True)
    return [float(json.loads(line)["per_s"]) for line in done.stdout.splitlines() if line.startswith("{")]


def markdown_table(rows: list[Row]) -> str:
    """The table: one line per rung."""
    lines = [
        "| rung | days | parcels | wall s | parcels/s | events/parcel | peak RSS MiB | x anchor | fill rate |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = "" if r.anchor_ratio is None else f"{r.anchor_ratio:.1f}"
        lines.append(f"| {r.rung} | {r.warmup_days} + {r.days} | {r.parcels:,} | {r.wall_s:.1f} "
                     f"| {r.parcels_per_s:,.0f} | {r.events_per_parcel:.2f} | {r.peak_rss_mib:,.0f} | {ratio} "
                     f"| {100 * r.fill_rate:.2f} % |")
    return "\n".join(lines)


def target_lines(rows: list[Row]) -> list[str]:
    """The year rung against the issue's targets, if it ran (a statement, not an assertion)."""
    year = next((r for r in rows if r.rung == "city_20k_year"), None)
    if year is None:
        return []
    lines = [f"year: {year.wall_s:.0f} s (target <= {TARGET_YEAR_SECONDS:.0f}), "
             f"peak RSS {year.peak_rss_mib:,.0f} MiB (target <= {TARGET_YEAR_RSS_MIB:.0f})"]
    if year.anchor_ratio is not None:
        lines[0] += f", {year.anchor_ratio:.1f}x the anchor's cost per parcel (target <= {TARGET_ANCHOR_RATIO:.0f})"
    return lines


def package_version(name: str) -> str | None:
    """An installed distribution's version, or None."""
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    names = [r.name for r in RUNGS]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rungs", nargs="+", choices=names, default=None, metavar="RUNG",
                        help=f"rungs to run, in ladder order (default: all; --quick: {' '.join(QUICK_RUNGS)}); "
                             f"choose from {', '.join(names)}")
    parser.add_argument("--quick", action="store_true",
                        help=f"every rung at {QUICK_HORIZON[0]} + {QUICK_HORIZON[1]} days: a smoke test")
    parser.add_argument("--anchor", type=Path, default=ANCHOR, help="the anchor script (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="output folder (default: benchmarks/output)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the anchor and the chosen rungs, print the table and write it to the output folder."""
    args = parse_args(argv)
    chosen = args.rungs or (QUICK_RUNGS if args.quick else [r.name for r in RUNGS])
    rungs = [r for r in RUNGS if r.name in chosen]
    if args.quick:
        rungs = [Rung(r.name, r.scenario, *QUICK_HORIZON) for r in rungs]
    # Before the runs: the code measured is the code checked out now, whatever changes later.
    where = {**machine(), "numba": package_version("numba")}
    load_before = os.getloadavg()[0]
    anchor_found = args.anchor.exists()
    if not anchor_found:
        print(f"anchor: {args.anchor} not found; the 'x anchor' column is left out (give its path with --anchor)",
              file=sys.stderr)
    # --quick: one repetition, before the rungs only (each takes about ten seconds).
    anchor_before = run_anchor(args.anchor, 1 if args.quick else ANCHOR_REPS) if anchor_found else []

    rows = []
    failures = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for rung in rungs:
            print(f"{rung.name}: {rung.scenario.relative_to(ROOT)}, {rung.warmup_days} + {rung.days} days ...",
                  file=sys.stderr, flush=True)
            try:
                rows.append(run_rung(rung, Path(tmp) / rung.name))
            except RungFailed as exc:  # e.g. out of memory: the other rungs are still worth measuring
                print(exc, file=sys.stderr)
                failures.append(str(exc))
    anchor_after = run_anchor(args.anchor, ANCHOR_REPS) if anchor_found and not args.quick else []
    anchor_per_s = statistics.median(anchor_before + anchor_after) if anchor_found else None
    for row in rows:
        row.anchor_ratio = None if anchor_per_s is None else anchor_per_s / row.parcels_per_s

    load = (load_before, os.getloadavg()[0])
    heading = (f"{where['cpu']}, {where['logical_cpus']} CPUs, Python {where['python']}, commit "
               f"{(where['git'] or {}).get('commit', 'unknown')[:10]}; 1-minute load average {load[0]:.2f} before, "
               f"{load[1]:.2f} after")
    if anchor_per_s is not None:
        reps = f"{len(anchor_before)} repetitions before the rungs" + (
            f" and {len(anchor_after)} after" if anchor_after else "")
        heading += f"; anchor (route variant): median {anchor_per_s:,.0f} parcels/s over {reps}"
    table = markdown_table(rows)
    notes = target_lines(rows)
    print(f"\n{heading}\n\n{table}" + "".join(f"\n\n{line}" for line in notes))

    args.out.mkdir(parents=True, exist_ok=True)
    stem = "bench_scale_quick" if args.quick else "bench_scale"
    report = {
        "seed": SEED,
        "quick": args.quick,
        "machine": where,
        "load_average": load,
        "anchor": None if anchor_per_s is None else {
            "script": str(args.anchor), "args": list(ANCHOR_ARGS), "median_per_s": anchor_per_s,
            "per_s_before": anchor_before, "per_s_after": anchor_after},
        "rows": [asdict(r) for r in rows],
        "failed_rungs": failures,
    }
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / f"{stem}.md").write_text(f"{heading}\n\n{table}\n" + "".join(f"\n{line}\n" for line in notes))
    print(f"\nwritten: {args.out / stem}.json, {args.out / stem}.md")
    if failures:
        print(f"{len(failures)} rung(s) failed; see above and the JSON", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
