"""Paired replications of one scenario at two commits: does a change move the model's statistics?

A model change proves itself with paired replications before and after: the
same scenario, seed and replication numbers at both commits, and for every
headline KPI the mean paired difference with its 95 % Student-t interval. When
the change is meant to leave the model alone, the summaries come out identical
(every difference exactly zero), which this script says too::

    python tools/paired_commits.py --base 84dd2ba --head HEAD
    python tools/paired_commits.py --base main~2 --head WORKTREE --replications 10 scenarios/baseline.toml

Each commit is checked out into a temporary git worktree (``WORKTREE`` is the
current checkout with its uncommitted changes) and every replication runs there
with ``sim.run``, in a subprocess whose ``PYTHONPATH`` is that checkout.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The headline KPIs of the engine issue's invariant, as paths into summary.json.
HEADLINE = (
    ("last_mile_share",), ("last_mile_share_transport",), ("cost_per_parcel", "total"),
    ("cost_per_parcel", "upstream"), ("cost_per_parcel", "last_mile"), ("first_attempt_success_rate",),
    ("service", "on_time_rate"), ("lead_time_hours", "mean"), ("lead_time_hours", "p95"), ("stock", "fill_rate"),
    ("parcels", "ordered"), ("parcels", "delivered"),
)
RUNNER = """
import json, sys
from sim import load_scenario, run
scenario = load_scenario(sys.argv[1])
out = []
for replication in range(int(sys.argv[3])):
    out.append(run(scenario, seed=int(sys.argv[2]), replication=replication).summary)
print(json.dumps(out, default=float))
"""


def summaries(source: Path, scenario: str, seed: int, replications: int) -> list[dict]:
    """The summaries of replications 0..n-1 of ``scenario`` run with the code in ``source``."""
    env = {**os.environ, "PYTHONPATH": str(source), "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-c", RUNNER, scenario, str(seed), str(replications)],
                          cwd=source, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"runs failed in {source}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def value(summary: dict, path: tuple[str, ...]) -> float:
    """The KPI at ``path``."""
    node = summary
    for key in path:
        node = node[key]
    return float(node)


def paired_interval(differences: list[float]) -> tuple[float, float, float]:
    """Mean paired difference and its 95 % Student-t interval."""
    from scipy import stats

    n = len(differences)
    mean = math.fsum(differences) / n
    if n < 2:
        return mean, math.nan, math.nan
    sd = math.sqrt(math.fsum((d - mean) ** 2 for d in differences) / (n - 1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def checkout(rev: str, into: Path) -> Path:
    """A worktree of ``rev`` (or the current checkout for ``WORKTREE``)."""
    if rev == "WORKTREE":
        return REPO
    subprocess.run(["git", "worktree", "add", "--detach", str(into), rev], cwd=REPO, check=True,
                   capture_output=True)
    return into


def main(argv: list[str] | None = None) -> int:
    """Print the paired differences of the headline KPIs; exit 1 if a CI excludes 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/baseline.toml")
    parser.add_argument("--base", required=True)
    parser.add_argument("--head", default="WORKTREE")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replications", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        sides = []
        for name, rev in (("base", args.base), ("head", args.head)):
            source = checkout(rev, Path(tmp) / name)
            try:
                sides.append(summaries(source, args.scenario, args.seed, args.replications))
            finally:
                if source != REPO:
                    subprocess.run(["git", "worktree", "remove", "--force", str(source)], cwd=REPO,
                                   check=False, capture_output=True)
    base, head = sides
    identical = base == head
    print(f"{args.scenario}: base {args.base}, head {args.head}, seed {args.seed}, "
          f"{args.replications} paired replications; summaries identical: {identical}")
    print("| KPI | base mean | head mean | paired difference | 95 % CI |\n|---|---:|---:|---:|---|")
    moved = False
    for path in HEADLINE:
        b = [value(s, path) for s in base]
        h = [value(s, path) for s in head]
        mean, low, high = paired_interval([y - x for x, y in zip(b, h, strict=True)])
        moved |= not (low <= 0.0 <= high) and mean != 0.0
        print(f"| {'.'.join(path)} | {math.fsum(b) / len(b):.6g} | {math.fsum(h) / len(h):.6g} | {mean:+.3g} | "
              f"[{low:+.3g}, {high:+.3g}] |")
    return 1 if moved else 0


if __name__ == "__main__":
    raise SystemExit(main())
