"""The baseline scenario against the published bands (docs/calibration.md, /work CALIBRATION figures).

Quick mode runs ``QUICK_REPLICATIONS`` replications of the baseline, full mode
``FULL_REPLICATIONS``; the mean is checked, with a Student t 95 % interval beside it.
The runs are cached in the context: the last-mile checks read the same runs.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from sim.verify.checks import CheckRow, VerifyContext, band, register

if TYPE_CHECKING:
    from sim.result import RunResult

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml"
QUICK_REPLICATIONS = 3
FULL_REPLICATIONS = 10
KM_PER_MILE = 1.609344
ATRI_PER_KM = 2.260 / KM_PER_MILE  # ATRI 2025 update: $2.260 per mile in 2024
ATRI_PER_HOUR = 90.89
ATRI = "ATRI, An Analysis of the Operational Costs of Trucking, 2025 update (2024 data)"
TOLERANCE = 0.15  # the project's tolerance around a single published figure


def baseline_runs(ctx: VerifyContext) -> list[RunResult]:
    """The baseline's replications 0, 1, ... of this verification (seed ``ctx.seed``), shared by the checks."""
    def make() -> list[RunResult]:
        from sim.runner import run
        from sim.scenario import load_scenario

        scenario = load_scenario(BASELINE)
        count = QUICK_REPLICATIONS if ctx.quick else FULL_REPLICATIONS
        return [run(scenario, seed=ctx.seed, replication=r) for r in range(count)]
    runs: list[RunResult] = ctx.cached("baseline_runs", make)
    return runs


def mean_and_ci(values: list[float]) -> tuple[float, tuple[float, float] | None, float]:
    """Mean, its Student t 95 % interval (None for one value) and its standard error."""
    x = np.asarray(values, dtype=float)
    if len(x) < 2:
        return float(x.mean()), None, math.nan
    se = float(x.std(ddof=1)) / math.sqrt(len(x))
    half = float(stats.t.ppf(0.975, len(x) - 1)) * se
    return float(x.mean()), (float(x.mean()) - half, float(x.mean()) + half), se


LINEHAUL_STAGES = ("factory_to_central", "central_to_regional")


def linehaul_rates(result: RunResult) -> tuple[float, float]:
    """Own-truck line-haul cost per truck-km driven and per paid driver hour.

    Per km: the trips table's cost over its km (both legs when the truck returns
    empty). Per hour: the line-haul stages' vehicle and driver cost in the
    ledger over the driver hours it paid (the ``driver_time`` entries divided by
    the hourly rate), loading included, as ATRI's per-hour figure counts a
    truck's operating hours.
    """
    trips = result.trips
    full_truck = trips[trips["mode"] == "FTL"] if "mode" in trips else trips
    km = float(full_truck["km"].sum())
    cost = float(full_truck["cost"].sum())
    ledger = result.ledger
    transport = ledger[ledger["stage"].isin(LINEHAUL_STAGES)
                       & ledger["component"].isin(["vehicle_distance", "driver_time", "vehicle_fixed"])]
    driver = float(transport.loc[transport["component"] == "driver_time", "amount"].sum())
    hours = driver / result.scenario.linehaul.driver_cost_per_hour
    return cost / km if km else math.nan, float(transport["amount"].sum()) / hours if hours else math.nan


@register("baseline_bands", "baseline against published figures")
def baseline_checks(ctx: VerifyContext) -> list[CheckRow]:
    """Last-mile share, first-attempt success, cost per parcel and line-haul cost against published figures."""
    runs = baseline_runs(ctx)
    summaries = [r.summary for r in runs]
    what = f"baseline, mean of {len(runs)} replications"

    def row(check: str, values: list[float], reference: str, source: str, low: float, high: float) -> CheckRow:
        mean, ci, se = mean_and_ci(values)
        return band("baseline", f"{check} ({what})", reference, source, mean, low, high, ci, se)

    rates = [linehaul_rates(r) for r in runs]
    return [
        row("last-mile share of total logistics cost", [s["last_mile_share"] for s in summaries],
            "41 % of total supply-chain cost; 40-55 % of total delivery cost",
            "Capgemini Research Institute 2019; HERE Technologies & Atos 2021", 0.40, 0.55),
        row("last-mile share, transport cost only", [s["last_mile_share_transport"] for s in summaries],
            "53 % of total shipping cost; 40-55 % of total delivery cost",
            "Business Insider Intelligence (via Honeywell); HERE Technologies & Atos 2021", 0.40, 0.55),
        row("first-attempt success rate", [s["first_attempt_success_rate"] for s in summaries],
            "8 % of first attempts fail (92 %); first-attempt rate US 97.2 % [S]; band 90-97.5 %",
            "Loqate, Fixing Failed Deliveries 2021; SmartRoutes compilation [S]", 0.90, 0.975),
        row("last-mile cost per delivered parcel (USD)",
            [s["last_mile_cost_per_delivered_parcel"] for s in summaries],
            "below the US revenue per parcel, $9.12 (a price, so an upper bound of the cost); above $1",
            "Pitney Bowes Parcel Shipping Index 2023", 1.0, 9.12),
        row("line-haul cost per truck-km (USD)", [r[0] for r in rates],
            f"ATRI all-in truckload cost $2.260/mile = ${ATRI_PER_KM:.3f}/km, +/- {TOLERANCE:.0%} (project tolerance)",
            ATRI, ATRI_PER_KM * (1 - TOLERANCE), ATRI_PER_KM * (1 + TOLERANCE)),
        row("line-haul cost per paid driver hour (USD)", [r[1] for r in rates],
            f"ATRI all-in truckload cost ${ATRI_PER_HOUR}/hour, +/- {TOLERANCE:.0%} (project tolerance)",
            ATRI, ATRI_PER_HOUR * (1 - TOLERANCE), ATRI_PER_HOUR * (1 + TOLERANCE)),
    ]
