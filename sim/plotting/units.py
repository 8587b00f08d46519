"""Axis labels with units for the flat KPI names of experiments (``cost_per_parcel.total``, ``stock.fill_rate``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axis import Axis

# Last segments of a KPI path that count things (drawn with integer ticks).
_COUNT_WORDS = ("count", "trips", "units", "occurrences", "failed_attempts", "late_parcels", "ordered",
                "delivered", "returned", "in_system", "lost_sale", "at_pickup_point", "setups", "ltl_shipments",
                "window_stops", "late_stops", "aborted_parcels", "delivered_home", "delivered_pickup_point",
                "units_produced", "backlog_units", "fg_units", "count", "vehicles")


def kpi_unit(kpi: str, currency: str = "") -> str:
    """The unit of a flat KPI, from its name; "" when the name does not say."""
    last = kpi.rsplit(".", 1)[-1]
    if kpi.startswith("co2e_kg"):
        return "kg CO2e per parcel" if ".per_parcel." in kpi else ("share, 0–1" if "share" in last else "kg CO2e")
    if "share" in last or "rate" in last or "fill" in last or last.startswith("executed_over"):
        return "share, 0–1"
    if "cost" in kpi:
        money = currency or "money"
        return f"{money} per parcel" if "per_parcel" in kpi or "per_delivered" in kpi else money
    if last.endswith("_h") or "hours" in kpi or (last in ("mean", "p50", "p95") and "lead_time" in kpi):
        return "h"
    if last.endswith("_km") or last == "km":
        return "km"
    if last in _COUNT_WORDS or last.startswith("mean_stops") or last.startswith("mean_parcels"):
        return "count"
    if last == "mean_days_waited":
        return "days"
    return ""


def kpi_label(kpi: str, currency: str = "") -> str:
    """``kpi`` with its unit in brackets, for an axis."""
    unit = kpi_unit(kpi, currency)
    return f"{kpi} ({unit})" if unit else kpi


def is_count(kpi: str) -> bool:
    """The KPI counts things (integer ticks suit it)."""
    return kpi_unit(kpi) == "count"


def integer_ticks(axis: Axis) -> None:
    """Ticks only at whole numbers on ``axis`` (counts: no 9.5 vans)."""
    from matplotlib.ticker import MaxNLocator  # here: the unit names are needed where matplotlib is not

    axis.set_major_locator(MaxNLocator(integer=True))
