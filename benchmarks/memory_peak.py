"""Peak memory of ``sim run`` on the baseline scaled up: peak RSS from the OS, per parcel ordered.

    PYTHONPATH=. python benchmarks/memory_peak.py --factor 4 --days 30 [--set outputs.parcels=none]

Demand and the capacity serving it are multiplied by ``--factor``
(``bench_baseline.scale_overrides``), after a one-day warm-up. Run it once per
process: the peak is the process's own (``ru_maxrss``), start-up included.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
from pathlib import Path

from benchmarks.bench_baseline import scale_overrides
from sim.cli import main as sim_main
from sim.scenario import load_scenario


def peak_mib() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Run the scaled baseline through ``sim run --no-plots`` and print its peak RSS."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--factor", type=float, default=4.0)
    parser.add_argument("--days", type=int, default=30, help="days in all, a one-day warm-up included")
    parser.add_argument("--scenario", default="scenarios/baseline.toml")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    base = load_scenario(args.scenario)
    overrides = [*scale_overrides(base, args.factor), "horizon.warmup_days=1", f"horizon.days={args.days - 1}",
                 *args.overrides]
    start = peak_mib()
    with tempfile.TemporaryDirectory() as out:
        sets = [item for override in overrides for item in ("--set", override)]
        sim_main(["run", args.scenario, *sets, "--seed", "1", "--no-plots", "--quiet", "--out", out])
        manifest = next(Path(out).glob("*/*/manifest.json"))
        parcels = json.loads(manifest.read_text())["parcels_simulated"]
        peak = peak_mib()
    print(f"{parcels} parcels, {args.days} days: peak RSS {peak:.0f} MiB (start-up {start:.0f} MiB), "
          f"{(peak - start) * 2**20 / parcels:.0f} B per parcel above start-up")


if __name__ == "__main__":
    main()
