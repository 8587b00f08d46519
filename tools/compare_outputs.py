"""Run scenarios at two commits and compare their results folders byte for byte.

A refactor proves itself by leaving every output unchanged. This script checks
out each commit into a temporary git worktree, runs ``python -m sim run`` on the
same scenario files with the same seed there, and compares every file the runs
wrote (``manifest.json`` minus its wall-clock, timestamp, command and version
fields; plots are skipped with ``--no-plots``). A table one side wrote as CSV and
the other as Parquet (``tables/<name>.parquet``, the default since the output
formats changed) is compared by writing the Parquet table as CSV the way the
writer does; top-level keys only the head's JSON files have are new outputs,
listed, not counted as differences::

    python tools/compare_outputs.py --base 32d06d3 --head HEAD
    python tools/compare_outputs.py --base main~3 --head WORKTREE scenarios/baseline.toml

``WORKTREE`` means the current checkout with its uncommitted changes. Outputs of a
commit are cached under ``benchmarks/output/compare/<sha>/`` so the base is run once.
Exit status 0 when every file is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Shared between checkouts (git worktrees) through SIM_COMPARE_CACHE, so a base is run once per machine.
CACHE = Path(os.environ.get("SIM_COMPARE_CACHE", REPO / "benchmarks" / "output" / "compare"))
# Fields of manifest.json that differ between two runs of the same code and seed.
VOLATILE_MANIFEST_KEYS = {"created_utc", "command", "versions", "wall_seconds", "git_commit"}
# A results folder's CSV tables and the Parquet files (tables/<name>.parquet) that hold the same tables.
CSV_TABLES = {"ledger.csv": "ledger", "emissions.csv": "emissions", "parcels.csv": "parcels",
              "routes.csv": "routes", "linehaul_trips.csv": "trips", "inventory.csv": "inventory",
              "parcel_events.csv": "trail", "store_sales.csv": "store_sales", "store_orders.csv": "store_orders",
              "disruptions.csv": "disruptions"}


def default_scenarios(root: Path) -> list[str]:
    """The baseline and every example scenario, as paths relative to the repository."""
    examples = root / "scenarios" / "examples"
    # The scale examples are benchmarks (a simulated year): run them with benchmarks/bench_scale.py.
    files = [root / "scenarios" / "baseline.toml",
             *sorted(p for p in examples.rglob("*.toml") if p.relative_to(examples).parts[0] != "scale")]
    return [str(path.relative_to(root)) for path in files if path.exists()]


def resolve(rev: str) -> str:
    """The full commit hash of a revision, or ``WORKTREE`` unchanged."""
    if rev == "WORKTREE":
        return rev
    return subprocess.run(["git", "rev-parse", rev], cwd=REPO, check=True, capture_output=True,
                          text=True).stdout.strip()


def run_one(source: Path, scenario: str, out: Path, seed: int, extra: list[str]) -> str | None:
    """Run one scenario from the code in ``source``; the error text if it failed."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(source), "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    cmd = [sys.executable, "-m", "sim", "run", scenario, "--seed", str(seed), "--no-plots", "--quiet",
           "--out", str(out), *extra]
    done = subprocess.run(cmd, cwd=source, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
    return None


def run_folder(out: Path) -> Path:
    """The single complete results folder under ``out``."""
    folders = [p for p in out.glob("*/*") if p.is_dir() and not p.name.startswith(".")]
    if len(folders) != 1:
        raise RuntimeError(f"{out}: expected one results folder, found {len(folders)}")
    return folders[0]


def outputs_of(rev: str, scenarios: list[str], seed: int, extra: list[str], jobs: int, fresh: bool) -> Path:
    """Run the scenarios at ``rev`` (cached per commit) and return the folder holding their outputs."""
    key = f"worktree-{REPO.name}" if rev == "WORKTREE" else rev
    root = CACHE / key / f"seed{seed}{'-' + '-'.join(extra).replace('/', '_') if extra else ''}"
    if rev == "WORKTREE" or fresh:
        shutil.rmtree(root, ignore_errors=True)
    todo = [s for s in scenarios if not (root / slug(s) / "ok").exists()]
    if not todo:
        return root
    tmp: str | None = None
    if rev == "WORKTREE":
        source = REPO
    else:
        tmp = tempfile.mkdtemp(prefix="sim-compare-")
        subprocess.run(["git", "worktree", "add", "--detach", tmp, rev], cwd=REPO, check=True, capture_output=True)
        source = Path(tmp)
    try:
        def job(scenario: str) -> tuple[str, str | None]:
            out = root / slug(scenario)
            error = run_one(source, scenario, out / "run", seed, extra)
            if error is None:
                (out / "ok").write_text("")
            return scenario, error

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for scenario, error in pool.map(job, todo):
                print(f"  [{key[:10]}] {scenario}: {'ok' if error is None else 'FAILED: ' + error}", flush=True)
    finally:
        if tmp is not None:
            subprocess.run(["git", "worktree", "remove", "--force", tmp], cwd=REPO, capture_output=True)
    return root


def slug(scenario: str) -> str:
    """A folder name for a scenario path."""
    return scenario.replace("/", "__").removesuffix(".toml")


def compare_manifests(a: Path, b: Path) -> tuple[bool, str | None]:
    """Manifests equal once the fields that change from run to run are dropped; a note if the event counts differ.

    The number of kernel events is how the engine got there, not what the run
    produced: an engine change may move it while every output stays the same, so
    it is reported beside the comparison, not counted in it.
    """
    left, right = (json.loads(p.read_text()) for p in (a, b))
    events = [data.pop("kernel_events", None) for data in (left, right)]
    for data in (left, right):
        for key in VOLATILE_MANIFEST_KEYS:
            data.pop(key, None)
    note = f"kernel events: {events[0]:,} at base, {events[1]:,} at head" if events[0] != events[1] else None
    return bool(left == right), note


def compare_json(a: Path, b: Path) -> tuple[bool, str | None]:
    """Two JSON files equal on the base's keys; a note naming the top-level keys only the head has."""
    left, right = (json.loads(p.read_text()) for p in (a, b))
    if not (isinstance(left, dict) and isinstance(right, dict)):
        return left == right, None
    added = [key for key in right if key not in left]
    same = all(key in right and right[key] == left[key] for key in left)
    return same, f"{a.name}: new keys at head: {', '.join(added)}" if added else None


def same_table(csv: Path, parquet: Path) -> bool:
    """A CSV table and a Parquet table hold the same rows: the Parquet one written as CSV gives the same bytes."""
    import pandas as pd

    return bool(pd.read_parquet(parquet).to_csv(index=False) == csv.read_text())


def same_tree(a: Path, b: Path) -> bool:
    """Two files with the same bytes, or two folders with the same names holding the same bytes."""
    if a.is_dir() != b.is_dir():
        return False
    if not a.is_dir():
        return filecmp.cmp(a, b, shallow=False)
    names = sorted(p.name for p in a.iterdir())
    return names == sorted(p.name for p in b.iterdir()) and all(same_tree(a / n, b / n) for n in names)


def compare(base_root: Path, head_root: Path, scenario: str) -> tuple[list[str], list[str], int, list[str]]:
    """One scenario's differences, the files only the head wrote, how many files were compared, and notes.

    Files the head adds are new outputs, not changes to existing ones: they are
    listed, not counted as differences.
    """
    base_ok, head_ok = ((root / slug(scenario) / "ok").exists() for root in (base_root, head_root))
    if not (base_ok and head_ok):
        return [f"run failed at {'base' if not base_ok else 'head'}"], [], 0, []
    a, b = run_folder(base_root / slug(scenario) / "run"), run_folder(head_root / slug(scenario) / "run")
    names_a = {p.name for p in a.iterdir()}
    names_b = {p.name for p in b.iterdir()}
    problems: list[str] = []
    compared = 0
    for name in sorted(names_a - names_b):
        other = (b / "tables" / f"{CSV_TABLES[name]}.parquet") if name in CSV_TABLES else None
        if other is not None and other.is_file():  # the same table in the other format
            compared += 1
            if not same_table(a / name, other):
                problems.append(f"differs: {name} (against {other.relative_to(b)})")
        else:
            problems.append(f"only at base: {name}")
    shared = sorted(names_a & names_b)
    notes: list[str] = []
    for name in shared:
        note = None
        if name == "manifest.json":
            same, note = compare_manifests(a / name, b / name)
        elif name.endswith(".json"):
            same, note = compare_json(a / name, b / name)
        elif name == "tables":  # Parquet files the head adds are new outputs
            names = {p.name for p in (a / name).iterdir()}
            same = names <= {p.name for p in (b / name).iterdir()} and all(
                same_tree(a / name / n, b / name / n) for n in names)
        else:
            same = same_tree(a / name, b / name)
        notes += [note] if note else []
        if not same:
            problems.append(f"differs: {name}")
    return problems, sorted(names_b - names_a), len(shared) + compared, notes


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", help="scenario files relative to the repository (default: all)")
    parser.add_argument("--base", required=True, help="base revision")
    parser.add_argument("--head", default="WORKTREE", help="head revision (default: the working tree)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="passed to sim run")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--fresh", action="store_true", help="ignore cached outputs of the base")
    args = parser.parse_args(argv)
    scenarios = args.scenarios or default_scenarios(REPO)
    extra = [item for value in args.overrides for item in ("--set", value)]
    base, head = resolve(args.base), resolve(args.head)
    print(f"base {base[:10]}, head {head[:10]}, {len(scenarios)} scenarios, seed {args.seed}", flush=True)
    base_root = outputs_of(base, scenarios, args.seed, extra, args.jobs, args.fresh)
    head_root = outputs_of(head, scenarios, args.seed, extra, args.jobs, args.fresh)
    different = 0
    for scenario in scenarios:
        problems, added, compared, notes = compare(base_root, head_root, scenario)
        print(f"{'IDENTICAL' if not problems else 'DIFFERENT'}  {scenario}  ({compared} files compared)"
              + "".join(f"\n    {p}" for p in problems + notes)
              + (f"\n    new at head: {', '.join(added)}" if added else ""))
        different += bool(problems)
    print(f"{len(scenarios) - different} of {len(scenarios)} scenarios byte-identical")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
