"""Where a run's memory goes: peak RSS after each phase of ``run`` and the size of each record, per parcel.

    PYTHONPATH=. python benchmarks/memory_phases.py --factor 4 --days 10
"""

from __future__ import annotations

import argparse
import resource
import sys

from benchmarks.bench_baseline import scale_overrides
from sim.metrics import summarize_run
from sim.model.context import SimContext
from sim.model.network import SupplyChain
from sim.scenario import load_scenario
from sim.tables import run_tables


def peak_mib() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Run the scaled baseline phase by phase, printing peak RSS and record sizes."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--factor", type=float, default=4.0)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--scenario", default="scenarios/baseline.toml")
    args = parser.parse_args()
    base = load_scenario(args.scenario)
    scenario = load_scenario(args.scenario, [*scale_overrides(base, args.factor), "horizon.warmup_days=1",
                                             f"horizon.days={args.days - 1}"])
    print(f"start {peak_mib():.0f} MiB", flush=True)
    ctx = SimContext.create(scenario, 1, 0)
    chain = SupplyChain(ctx)
    ctx.env.run(until=ctx.end_h + 1e-9)
    records = chain.finish()
    n = records.parcels.size
    print(f"after simulation {peak_mib():.0f} MiB, {n} parcels", flush=True)
    store_bytes = sum(a.nbytes for a in records.parcels.cols.values())
    print(f"  parcel store (capacity) {store_bytes / 2**20:.0f} MiB, "
          f"{store_bytes / max(n, 1):.0f} B per parcel of the run")
    print(f"  ledger entries {len(records.ledger.to_frame())}, routes {len(records.routes)}, "
          f"trips {len(records.trips)}, inventory rows {len(records.inventory)}", flush=True)
    tables = run_tables(records, scenario)
    for name, table in tables.items():
        size = table.memory_usage(deep=True).sum()
        print(f"  table {name}: {len(table)} rows, {size / 2**20:.1f} MiB", flush=True)
    print(f"after tables {peak_mib():.0f} MiB", flush=True)
    summarize_run(records, tables)
    print(f"after summary {peak_mib():.0f} MiB ({peak_mib() * 2**20 / max(n, 1):.0f} B per parcel)", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
