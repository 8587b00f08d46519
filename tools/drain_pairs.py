"""Paired replications, drain off against drain on: the headline KPIs and their paired differences.

``python tools/drain_pairs.py [scenario] [--replications N]`` runs replication r of the
scenario's seed twice, ``horizon.drain=false`` (the window view, censored at the window's
end) and ``horizon.drain=true`` (lifecycle costs; service KPIs of complete lifecycles), and
prints, per KPI, both means and the mean paired difference (on - off) with its 95 % Student-t
interval. The same seeds give common random numbers: the window is the same run in both.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path

from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim import load_scenario, run  # noqa: E402

STAGES = ("factory_to_central", "central_warehouse", "central_to_regional", "regional_warehouse", "last_mile")


def kpis(summary: dict, lifecycle: bool) -> dict[str, float]:
    """The headline KPIs of a run: costs from the lifecycle block when there is one, else the window's."""
    costs = summary["lifecycle"] if lifecycle else summary
    row = {"last_mile_share": costs["last_mile_share"], "cost_per_parcel.total": costs["cost_per_parcel"]["total"]}
    row.update({f"cost_per_parcel.{s}": costs["cost_per_parcel"][s] for s in STAGES})
    row.update({
        "first_attempt_success_rate": summary["first_attempt_success_rate"],
        "on_time_rate": summary["service"]["on_time_rate"],
        "lead_time_hours.mean": summary["lead_time_hours"]["mean"],
        "lead_time_hours.p95": summary["lead_time_hours"]["p95"],
        "fill_rate": summary["stock"]["fill_rate"],
        "parcels.in_system": summary["parcels"]["in_system"],
    })
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "baseline.toml"))
    parser.add_argument("--replications", type=int, default=10)
    args = parser.parse_args()
    off_runs, on_runs = [], []
    for r in range(args.replications):
        off_runs.append(kpis(run(load_scenario(args.scenario, ["horizon.drain=false"]), replication=r).summary, False))
        on_runs.append(kpis(run(load_scenario(args.scenario, ["horizon.drain=true"]), replication=r).summary, True))
    n = args.replications
    t = stats.t.ppf(0.975, n - 1)
    print("| KPI | drain off (window view) | drain on (lifecycle) | paired difference on - off [95 % CI] |")
    print("|---|---:|---:|---:|")
    for key in off_runs[0]:
        diffs = [b[key] - a[key] for a, b in zip(off_runs, on_runs, strict=True)]
        mean = statistics.fmean(diffs)
        half = t * statistics.stdev(diffs) / math.sqrt(n)
        off_mean = statistics.fmean(a[key] for a in off_runs)
        on_mean = statistics.fmean(b[key] for b in on_runs)
        print(f"| {key} | {off_mean:.5g} | {on_mean:.5g} | {mean:+.4g} [{mean - half:+.4g}, {mean + half:+.4g}] |")


if __name__ == "__main__":
    main()
