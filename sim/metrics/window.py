"""The measurement window and the arithmetic every KPI shares.

The measurement window is [warm-up end, window end]: costs are the ledger entries
posted in it and parcels are those ordered in it.
"""

from __future__ import annotations

import math

import pandas as pd


def within_window(table: pd.DataFrame, column: str, start_h: float, end_h: float) -> pd.DataFrame:
    """Rows whose ``column`` (a time in hours) lies inside [start_h, end_h]."""
    return table[(table[column] >= start_h) & (table[column] <= end_h)]


def window_ledger(ledger: pd.DataFrame, start_h: float, end_h: float) -> pd.DataFrame:
    """Ledger entries posted inside the measurement window."""
    return within_window(ledger, "time_h", start_h, end_h)


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, NaN when there is nothing to divide by (a KPI of no events)."""
    return numerator / denominator if denominator else math.nan


def fsum(values: pd.Series) -> float:
    """The exact float sum of a column (``math.fsum``): totals do not depend on the order of the rows."""
    return math.fsum(values.tolist())
