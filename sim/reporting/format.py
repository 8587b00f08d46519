"""Numbers as the pages print them: shares in percent, money with its currency, counts with separators."""

from __future__ import annotations

import math
from typing import Any

from sim.plotting.units import kpi_unit


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def percent(value: Any, digits: int = 1) -> str:
    """A 0-1 share as ``"41.4 %"``; "–" when missing."""
    number = _finite(value)
    return "–" if number is None else f"{100 * number:.{digits}f} %"


def money(value: Any, currency: str) -> str:
    """``"9.73 USD"`` (thousands separated); "–" when missing."""
    number = _finite(value)
    return "–" if number is None else f"{number:,.2f} {currency}".rstrip()


def number(value: Any, digits: int = 4) -> str:
    """A number with ``digits`` significant digits (thousands separated when large); "–" when missing."""
    x = _finite(value)
    if x is None:
        return "–"
    if abs(x) >= 10 ** digits:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def kpi_value(kpi: str, value: Any, currency: str = "") -> str:
    """A KPI's value in its unit: shares in percent, counts whole, money to the cent."""
    unit = kpi_unit(kpi, currency)
    if unit == "share, 0–1":
        return percent(value)
    if unit == "count":
        x = _finite(value)
        return "–" if x is None else f"{x:,.1f}" if x != round(x) else f"{x:,.0f}"
    if currency and unit.startswith(currency):
        x = _finite(value)
        return "–" if x is None else f"{x:,.2f}"
    return number(value)


def kpi_spread(kpi: str, half_width: Any, currency: str = "") -> str:
    """A CI half-width in the KPI's unit: percentage points for shares."""
    unit = kpi_unit(kpi, currency)
    x = _finite(half_width)
    if x is None:
        return "–"
    if unit == "share, 0–1":
        return f"{100 * x:.1f} pp"
    return kpi_value(kpi, x, currency)
