"""Fuzz campaign: mutate the shipped scenario files and check that every one is refused on one line or runs sanely.

Each mutated file goes through ``sim validate`` in-process (``sim.cli.main``).
It must either exit 0, or exit 2 with one line on stderr (``sim: error: ...``);
any other exit code, a traceback, more than one line or a hang is a finding.
A sample of the files that validate (``--run-fraction``) is then run with
``sim.run`` on a two-day horizon (``horizon.warmup_days=1``, ``horizon.days=1``),
which must finish and give finite, non-negative costs with
``total == upstream + last_mile``, without an overflow warning on the way::

    python tools/fuzz_scenarios.py --files 10000 --seed 1 --jobs 2
    python tools/fuzz_scenarios.py --files 200 --seed 7 --run-fraction 1 --keep fuzz-findings

Every finding's file (and the files it extends) is saved under ``--keep``
(default ``fuzz-findings/``) with a ``finding.txt`` that says what happened; a
summary of the outcomes is printed at the end. Exit status 0 when nothing was
found, 1 otherwise. A file is generated from (``--seed``, its number) alone, so
``--files 1 --first N`` reproduces file N of a campaign.

Mutations (1 to 3 per file): a number, bool, string or list replaced by an
extreme (0, negatives, tiny and huge values, inf, NaN, 2**63, a bool, a string),
a value scaled by a large or small factor, a key deleted or added, a list
emptied or shortened, a named table duplicated; written as plain TOML, as a
file that ``extends`` the shipped one (sometimes through a chain, sometimes in a
cycle), or damaged as text (bytes that are not UTF-8, a cut, a duplicated line).

``--bounds [SCENARIO ...]`` replaces the random files by a sweep of the edges: every
number of the resolved scenarios (defaults included) at the lowest and at the
highest value the schema allows, one at a time, and each variant that validates
is run (``python tools/fuzz_scenarios.py --bounds --jobs 2``).

The test suite uses :func:`mutate` and :func:`check` in ``tests/scenario/test_fuzz_scenarios.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import math
import multiprocessing
import os
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
import tomllib
import traceback
import typing
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

ROOT = Path(__file__).resolve().parents[1]
# The run of a file that validates: two days, a drain of at most three, and a short PyVRP budget
# (its C++ search cannot be interrupted, and a valid budget of 600 s per depot, wave and day would look like a hang).
SHORT = ("horizon.warmup_days=1", "horizon.days=1", "routing.time_budget_s=0.2", "horizon.drain_cap_days=3")

EXTREMES: tuple[Any, ...] = (
    0, -1, 1, 2, 0.0, -0.5, 0.5, 1e-300, 1e-10, 1e-6, 24, 25, 366, 1e6, 1e9, 1e12, 1e18, 1e300, 1e308, -1e308,
    math.inf, -math.inf, math.nan, 2**31, 2**53 + 1, 2**63 - 1, 2**63, -(2**63), 2**64, 10**30,
    True, False, "", "x", "1.5", [], {},
)
# Values at or near the schema's bounds: valid, but as far as the model's arithmetic is asked to go.
BOUNDS: tuple[Any, ...] = (
    0.001, 0.01, 0.05, 0.25, 1.1, 3, 10, 16, 20, 23.99, 48, 50, 100, 200, 240, 300, 365, 720, 960, 1_000, 1_440,
    3_650, 4_015, 10_000, 20_000, 100_000, 1e6, 1e7, 1e8, 10**12,
)
SCALES = (0.0, -1.0, 1e-9, 1e-3, 0.1, 0.5, 0.9, 1.1, 2.0, 3.0, 10.0, 1e3, 1e6, 1e12)


def shipped_scenarios(root: Path = ROOT) -> list[Path]:
    """The scenario files the project ships (sweep files excluded)."""
    return sorted(p for p in (root / "scenarios").rglob("*.toml") if "sweeps" not in p.parts)


# --- mutations -------------------------------------------------------------------


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) below ``node``, tables and lists included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key), value
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*prefix, i), value
            yield from _paths(value, (*prefix, i))


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    node = data
    for part in path[:-1]:
        node = node[part]
    return node


def _new_value(old: Any, rng: random.Random) -> Any:
    """An extreme, a scaled copy, a type flip or a value from elsewhere."""
    roll = rng.random()
    if isinstance(old, bool) or not isinstance(old, int | float) or roll < 0.2:
        return copy.deepcopy(rng.choice(EXTREMES))
    if roll < 0.4:
        bound = rng.choice(BOUNDS)
        return float(bound) if isinstance(old, float) else bound
    if roll < 0.85:
        scaled = old * rng.choice(SCALES)
        return int(scaled) if isinstance(old, int) and abs(scaled) < 2**70 else scaled
    return float(old) if isinstance(old, int) else (int(old) if math.isfinite(old) else 0)


def mutate_data(data: dict[str, Any], rng: random.Random) -> str:
    """Apply one random mutation to ``data`` in place; returns what it did."""
    paths = list(_paths(data))
    numbers = [(p, v) for p, v in paths if isinstance(v, int | float) and not isinstance(v, bool)]
    # Numbers most often: they hold the ranges; the structure (keys, lists, tables) the rest of the time.
    path, value = rng.choice(numbers if numbers and rng.random() < 0.7 else paths)
    parent = _parent(data, path)
    roll = rng.random()
    leaf = not isinstance(value, dict | list)
    if roll < 0.6 and leaf:
        parent[path[-1]] = new = _new_value(value, rng)
        return f"set {_dotted(path)} = {new!r}"
    if roll < 0.7 and isinstance(parent, dict):
        del parent[path[-1]]
        return f"delete {_dotted(path)}"
    if roll < 0.75 and isinstance(parent, dict):
        parent[f"unknown_{rng.randrange(100)}"] = 1
        return f"add a key beside {_dotted(path)}"
    if roll < 0.85 and isinstance(value, list):
        if value and rng.random() < 0.5:
            del value[rng.randrange(len(value))]
            return f"shorten {_dotted(path)}"
        value.clear()
        return f"empty {_dotted(path)}"
    if roll < 0.92 and isinstance(value, list) and value and isinstance(value[0], dict):
        value.append(copy.deepcopy(rng.choice(value)))
        return f"duplicate an element of {_dotted(path)}"
    parent[path[-1]] = new = _new_value(value if leaf else 1.0, rng)
    return f"set {_dotted(path)} = {new!r}"


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)


def _toml(data: dict[str, Any]) -> str:
    try:
        return tomli_w.dumps(data)
    except (TypeError, ValueError, OverflowError):
        # tomli_w refuses some values (an int beyond 64 bits): write them as strings.
        return tomli_w.dumps(_printable(data))


def _printable(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _printable(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_printable(v) for v in node]
    if isinstance(node, int) and not isinstance(node, bool) and not -(2**63) <= node < 2**63:
        return str(node)
    return node


def mutate(source: Path, rng: random.Random, folder: Path) -> tuple[Path, list[str]]:
    """Write a mutation of the scenario ``source`` into ``folder``; returns the file to check and what changed."""
    data = tomllib.loads(source.read_text())
    if isinstance(data.get("extends"), str):  # the shipped examples extend the baseline by a relative path
        data["extends"] = str((source.parent / data["extends"]).resolve())
    original = copy.deepcopy(data)
    what = [mutate_data(data, rng) for _ in range(rng.choice((1, 1, 1, 1, 2, 2, 3)))]
    target = folder / "scenario.toml"
    form = rng.random()
    if form < 0.7:
        text = _toml(data)
    else:
        # A file that extends the shipped one and states only the top-level tables that changed.
        changed = {k: v for k, v in data.items() if repr(original.get(k)) != repr(v)}  # 11.0 == 11
        parent = source
        depth = rng.choice((1, 1, 1, 2, 3))
        for level in range(depth - 1):
            step = folder / f"step{level}.toml"
            step.write_text(f"extends = {str(parent)!r}\n".replace("'", '"'))
            parent = step
        if rng.random() < 0.05:
            parent = target  # a cycle
            what.append("extends itself")
        text = f"extends = {str(parent)!r}\n".replace("'", '"') + _toml(changed)
        what.append(f"as a file extending {source.name} through {depth} file(s)")
    raw = text.encode()
    if rng.random() < 0.06:
        cut = rng.randrange(len(raw) + 1)
        kind = rng.choice(("bytes", "cut", "line"))
        if kind == "bytes":
            raw = raw[:cut] + rng.choice((b"\xff", b"\xc3\x28", b"\x00", b"\xe2\x82")) + raw[cut:]
        elif kind == "cut":
            raw = raw[:cut]
        else:
            lines = raw.splitlines(keepends=True)
            if lines:
                i = rng.randrange(len(lines))
                lines.insert(i, lines[i])
                raw = b"".join(lines)
        what.append(f"text damaged ({kind} at {cut})")
    target.write_bytes(raw)
    return target, what


# --- checks ----------------------------------------------------------------------


class Hang(Exception):
    """The check ran past its time limit."""


@dataclass
class Outcome:
    """What happened to one file: ``kind`` is rejected, valid, ran, or a finding (see ``FINDINGS``)."""

    kind: str
    detail: str = ""
    what: list[str] = field(default_factory=list)


FINDINGS = ("traceback", "bad_exit", "bad_message", "hang", "crash_after_validation", "bad_result")


def _cli(argv: list[str]) -> tuple[int, str, str]:
    from sim.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def check_result(summary: dict[str, Any]) -> str:
    """What is wrong with a run's summary (empty when nothing): costs finite and >= 0, total = upstream + last mile."""
    costs = {"total_cost": summary["total_cost"], "upstream_cost": summary["upstream_cost"],
             "last_mile_cost": summary["last_mile_cost"],
             **{f"cost_by_stage.{k}": v for k, v in summary["cost_by_stage"].items()}}
    bad = {k: v for k, v in costs.items() if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0)}
    if bad:
        return f"costs not finite and non-negative: {bad}"
    total, parts = summary["total_cost"], summary["upstream_cost"] + summary["last_mile_cost"]
    if not math.isclose(total, parts, rel_tol=1e-9, abs_tol=1e-6):
        return f"total_cost {total!r} != upstream + last_mile {parts!r}"
    return ""


# Runs larger than this (parcels over the two days, or shop units) are validated but not run: they are
# slow, not wrong, and would read as hangs. The sizes up to the schema's limits are for benchmarks.
MAX_RUN_UNITS = 100_000


def check(path: Path, run_it: bool, timeout_s: float = 120.0) -> Outcome:
    """``sim validate`` the file in-process and, if ``run_it`` and it validates, run it on a two-day horizon."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    stage = "validate"
    try:
        code, _, err = _cli(["validate", str(path)])
        if code == 2:
            lines = err.strip().splitlines()
            if len(lines) != 1 or not lines[0].startswith("sim: error: "):
                return Outcome("bad_message", err[-2000:])
            return Outcome("rejected", lines[0])
        if code != 0:
            return Outcome("bad_exit", f"exit {code}: {err[-2000:]}")
        if not run_it:
            return Outcome("valid")
        from sim import ScenarioError, load_scenario, run

        try:
            scenario = load_scenario(path, SHORT)
        except ScenarioError as exc:  # the short horizon itself clashes (a disruption after its end)
            return Outcome("valid", f"not run: {exc}")
        units = 2 * sum(r.expected_units_per_day for r in scenario.regional_warehouses)
        if units > MAX_RUN_UNITS:
            return Outcome("valid", f"not run: {units:.3g} units in two days is a benchmark, not a fuzz case")
        stage = "run"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            summary = run(scenario, seed=1).summary
        problem = check_result(summary)
        # An overflow warning means integer or float arithmetic wrapped or saturated (issue 11's -8.7e18).
        overflows = sorted({str(w.message) for w in caught if "overflow" in str(w.message).lower()})
        problem = problem or (f"overflow during the run: {overflows}" if overflows else "")
        return Outcome("bad_result", problem) if problem else Outcome("ran")
    except Hang:
        return Outcome("hang", f"no answer within {timeout_s:g} s during {stage}")
    except BaseException as exc:  # every escape is a finding, even SystemExit or MemoryError
        kind = "traceback" if stage == "validate" else "crash_after_validation"
        detail = "".join(traceback.format_exception(exc))
        return Outcome(kind, detail[-4000:])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _alarm(signum: int, frame: Any) -> None:
    raise Hang()


# --- the campaign ----------------------------------------------------------------


Task = tuple[int, int, float, float, str, int]


def _limit_memory(memory_mib: int) -> None:
    if memory_mib:
        limit = memory_mib * 2**20
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


# --bounds: (scenario, key path, value) of every variant, set in the parent before the workers fork.
BOUND_VARIANTS: list[tuple[Path, tuple[Any, ...], Any]] = []


def bound_variants(sources: list[Path]) -> list[tuple[Path, tuple[Any, ...], Any]]:
    """Every number of each resolved scenario (defaults included) set to its schema's lowest and highest value."""
    from sim.scenario import load_scenario, scenario_to_dict

    variants = []
    for source in sources:
        scenario = load_scenario(source)
        for path, value in _paths(scenario_to_dict(scenario)):
            if isinstance(value, int | float) and not isinstance(value, bool):
                variants += [(source, path, v) for v in _field_bounds(scenario, path)]
    return variants


def _field_bounds(scenario: Any, path: tuple[Any, ...]) -> list[Any]:
    """The lowest and highest value the schema allows for the field at ``path`` (open bounds nudged inside)."""
    import annotated_types as at
    from pydantic import BaseModel
    from pydantic.fields import FieldInfo

    node = scenario
    for part in path[:-1]:
        node = node[part] if isinstance(node, tuple | dict) else getattr(node, part)
    if not isinstance(node, BaseModel) or path[-1] not in type(node).model_fields:
        return []  # an element of a profile or a table by name: its field is the list's
    field = type(node).model_fields[path[-1]]
    metadata: list[Any] = list(field.metadata) + [
        c for arg in typing.get_args(field.annotation) if typing.get_origin(arg) is typing.Annotated
        for info in typing.get_args(arg)[1:] if isinstance(info, FieldInfo) for c in info.metadata
    ]
    integral = isinstance(getattr(node, path[-1]), int)

    def bound(closed: str, open_: str, inward: float) -> float | None:
        values = [float(getattr(m, closed)) for m in metadata if isinstance(m, getattr(at, closed.title()))]
        if values:
            return values[0]
        values = [float(getattr(m, open_)) for m in metadata if isinstance(m, getattr(at, open_.title()))]
        if not values:
            return None
        return values[0] + inward * (1 if integral else 1e-9 * max(1.0, abs(values[0])))

    low, high = bound("ge", "gt", 1.0), bound("le", "lt", -1.0)
    kind = int if integral else float
    return [kind(typing.cast(float, v)) for v in (low, high) if v is not None]


def _one(task: Task, check_it: bool = True) -> tuple[int, Outcome, str]:
    """Generate file ``number`` of the campaign, check it, and keep it if it is a finding.

    With ``check_it`` false the file is only generated and kept (for a hang the
    parent found: the file is rebuilt from the seed and its number).
    """
    number, seed, run_fraction, timeout_s, keep, _ = task
    rng = random.Random(f"{seed}/{number}")
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        folder = Path(tmp)
        if BOUND_VARIANTS:
            source, key, value = BOUND_VARIANTS[number]
            from sim.scenario import load_scenario, scenario_to_dict

            data = scenario_to_dict(load_scenario(source))
            _parent(data, key)[key[-1]] = value
            path, what, run_it = folder / "scenario.toml", [f"set {_dotted(key)} = {value!r}"], True
            path.write_text(_toml(data))
        else:
            source = rng.choice(shipped_scenarios())
            run_it = rng.random() < run_fraction
            path, what = mutate(source, rng, folder)
        outcome = check(path, run_it, timeout_s) if check_it else Outcome("hang", "a worker gave no answer")
        name = source.resolve().relative_to(ROOT) if source.resolve().is_relative_to(ROOT) else source
        outcome.what = [f"from {name}", *what]
        saved = ""
        if outcome.kind in FINDINGS:
            saved = _keep(folder, Path(keep) / f"{outcome.kind}-{seed}-{number}", number, seed, outcome)
    return number, outcome, saved


def _keep(folder: Path, target: Path, number: int, seed: int, outcome: Outcome) -> str:
    """Copy a finding's files (with the files of its extends chain that it generated) and say what happened."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(folder, target)
    for path in target.glob("*.toml"):  # the chain points into the temporary folder: point it here
        path.write_bytes(path.read_bytes().replace(str(folder).encode(), str(target).encode()))
    (target / "finding.txt").write_text(
        f"file {number} of seed {seed}: {outcome.kind}\n" + "\n".join(outcome.what) + "\n\n" + outcome.detail
    )
    return str(target)


def _warm_up() -> None:
    """Compile the model's kernels once in the parent, so that the forked workers start warm."""
    from sim import load_scenario, run

    run(load_scenario(ROOT / "scenarios" / "baseline.toml", SHORT), seed=1)


def main(argv: list[str] | None = None) -> int:
    """Run a campaign; print a summary and every finding."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000, help="how many mutated files (default 1000)")
    parser.add_argument("--first", type=int, default=0, help="number of the first file (to reproduce one)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--run-fraction", type=float, default=0.3,
                        help="share of the files that also run, when they validate (default 0.3)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per file before it counts as a hang")
    parser.add_argument("--memory-mib", type=int, default=6144,
                        help="address-space limit of each worker in MiB (0: none); a run past it is a crash")
    parser.add_argument("--keep", type=Path, default=Path("fuzz-findings"), help="folder for the findings' files")
    parser.add_argument("--bounds", nargs="*", type=Path, metavar="SCENARIO",
                        help="instead of random files: every number of these scenarios (default: the baseline) "
                             "at its lowest and at its highest allowed value, one at a time, each one run")
    args = parser.parse_args(argv)
    args.keep.mkdir(parents=True, exist_ok=True)
    if args.bounds is not None:
        BOUND_VARIANTS[:] = bound_variants(args.bounds or [ROOT / "scenarios" / "baseline.toml"])
        args.first, args.files = 0, len(BOUND_VARIANTS)
    tasks = [(n, args.seed, args.run_fraction, args.timeout, str(args.keep), args.memory_mib)
             for n in range(args.first, args.first + args.files)]
    counts: Counter[str] = Counter()
    findings: list[tuple[int, Outcome, str]] = []
    start = time.monotonic()
    _warm_up()
    pending = {task[0]: task for task in tasks}
    pool = multiprocessing.get_context("fork").Pool(
        max(1, args.jobs), initializer=_limit_memory, initargs=(args.memory_mib,), maxtasksperchild=200)
    results = pool.imap_unordered(_one, tasks)  # chunksize 1: a chunked iterator has no timeout
    while pending:
        try:
            # A worker stuck in C code (which the alarm cannot interrupt) stops the answers coming.
            number, outcome, saved = results.next(timeout=max(4 * args.timeout, 120))
        except multiprocessing.TimeoutError:
            print(f"no answer for {max(4 * args.timeout, 120):g} s: {len(pending)} files left, "
                  "counted as hangs", file=sys.stderr)
            pool.terminate()
            for task in pending.values():
                number, outcome, saved = _one(task, check_it=False)
                counts[outcome.kind] += 1
                findings.append((number, outcome, saved))
            break
        del pending[number]
        counts[outcome.kind] += 1
        if outcome.kind in FINDINGS:
            findings.append((number, outcome, saved))
            print(f"[{number}] {outcome.kind}: {' / '.join(outcome.what)} -> {saved}", file=sys.stderr)
        if sum(counts.values()) % 500 == 0:
            print(f"{sum(counts.values())} files, {time.monotonic() - start:.0f} s: {dict(counts)}", file=sys.stderr)
    else:
        pool.close()
    pool.join()
    print(f"\n{args.files} files (seed {args.seed}, first {args.first}) in {time.monotonic() - start:.0f} s")
    for kind in ("rejected", "valid", "ran", *FINDINGS):
        print(f"  {kind:24s} {counts.get(kind, 0)}")
    for number, outcome, saved in findings:
        last = outcome.detail.strip().splitlines()[-1:] or [""]
        print(f"\n[{number}] {outcome.kind} ({saved})\n  " + "\n  ".join(outcome.what) + f"\n  {last[0][:300]}")
    return 1 if findings else 0


if __name__ == "__main__":
    # Workers import sim from this checkout, like the parent.
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    raise SystemExit(main())
