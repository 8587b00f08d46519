"""What the command line checks before a simulation starts: names that are safe as folders, and memory.

Both end in a one-line ScenarioError (exit 2), so a long run never fails at its
end for a reason that was known at its start.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sim.errors import ScenarioError
from sim.output.folders import check_name
from sim.scenario.schema import Scenario

MIB = 2**20
GIB = 2**30
# Peak resident memory of ``sim run`` with its parcel table streamed to the folder, measured with
# benchmarks/memory_peak.py on the baseline scaled x8: 377 MiB for 0.35 M parcels (30 days), 454 MiB for
# 1.40 M (120 days), i.e. about 350 MiB fixed (interpreter, libraries, the model, the planner) and 77 B per
# parcel ordered that the run keeps to the end (the summary's per-parcel values, routes, ledger).
# ASSUMPTION: 115 B per parcel, the figure the parcel store's design gives, so the estimate errs high.
FIXED_BYTES = 350 * MIB
STREAMED_BYTES_PER_PARCEL = 115
# ``sim.run`` in a worker of --replications, compare, risk or a sweep keeps the parcel table it returns
# (outputs.parcels = "all" by default): measured 617 MiB for the 0.35 M parcels above and 1,233 MiB for
# 1.05 M (90 days), about 920 B per parcel in all, so 850 B on top of the streamed figure.
KEPT_BYTES_PER_PARCEL = 850
# outputs.parcel_events = true keeps the tracking trail in memory (Python tuples, about 5 events per parcel).
# ASSUMPTION: not measured; 5 x 3 tuple fields at about 40 B each.
TRAIL_BYTES_PER_PARCEL = 600


def check_run_names(path: Path, scenario: Scenario) -> None:
    """Refuse a scenario ``name`` that is not a safe folder name (it becomes ``<out>/<name>/``)."""
    check_name(scenario.name, f"{path}: name")


def expected_parcels(scenario: Scenario) -> float:
    """Parcels the run should order: orders a day at the scenario's mean demand x days (warm-up included)."""
    days = scenario.horizon.warmup_days + scenario.horizon.days
    return days * sum(r.area.expected_orders_per_day for r in scenario.regional_warehouses)


def estimate_bytes(scenario: Scenario, streamed: bool) -> float:
    """Peak memory of one run of ``scenario``, in bytes (``streamed``: its parcel table goes to a folder)."""
    per_parcel = float(STREAMED_BYTES_PER_PARCEL)
    if not streamed and scenario.outputs.parcel_table == "all":
        per_parcel += KEPT_BYTES_PER_PARCEL
    elif not streamed and scenario.outputs.parcel_table == "sample":
        per_parcel += KEPT_BYTES_PER_PARCEL * scenario.outputs.sample_rate
    if scenario.outputs.parcel_events:
        per_parcel += TRAIL_BYTES_PER_PARCEL
    return FIXED_BYTES + per_parcel * expected_parcels(scenario)


def available_bytes(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """``MemAvailable`` of the machine (Linux), or None where the system does not say."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_memory(scenarios: Iterable[Scenario], force: bool, *, streamed: bool, workers: int = 1,
                 available: int | None = None) -> float:
    """Refuse runs whose estimated memory exceeds what the machine has, unless ``force``; return the estimate.

    ``workers`` runs at a time each hold one run (the largest ones are assumed
    to run together). ``available`` defaults to ``MemAvailable``; where it is
    unknown nothing is refused.
    """
    runs = sorted(scenarios, key=lambda s: estimate_bytes(s, streamed), reverse=True)
    if not runs:
        return 0.0
    concurrent = runs[:max(1, workers)]
    need = sum(estimate_bytes(s, streamed) for s in concurrent)
    have = available_bytes() if available is None else available
    if have is None or force or need <= have:
        return need
    largest = runs[0]
    days = largest.horizon.warmup_days + largest.horizon.days
    parcels = expected_parcels(largest)
    per_parcel = (estimate_bytes(largest, streamed) - FIXED_BYTES) / parcels if parcels else 0.0
    what = (f"{parcels / 1e6:.2f} M parcels expected ({parcels / days:,.0f} orders a day x {days} days) "
            f"x {per_parcel:,.0f} B + {FIXED_BYTES // MIB} MiB")
    if len(concurrent) > 1:
        what = f"{len(concurrent)} runs at a time, the largest {what}"
    raise ScenarioError(f"scenario '{largest.name}': estimated memory {need / GIB:.1f} GiB ({what}) exceeds the "
                        f"{have / GIB:.1f} GiB available (MemAvailable); shorten the horizon, keep fewer parcels "
                        "(outputs.parcels = \"none\"), use fewer --jobs, or pass --force to run anyway")
