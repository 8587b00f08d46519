"""The parcel KPIs of ``summary.json`` accumulated piece by piece, so the full parcel table is never needed.

``ParcelKpis.add`` takes the parcel table a piece at a time (the pieces the
parcel store hands on, in any order), and keeps mergeable counts plus the
few values a percentile or mean needs: for every delivered parcel its id,
order day, whether it was ordered in the window and its lead time (15 bytes
each, one copy serving both the window's lead-time statistics and the
day-by-day table), and the lateness of every late one with its id (12
bytes). The results equal ``parcel_summary``, ``service_summary`` and
``daily_service`` of the whole table exactly: counts are integers, and every
mean or percentile is computed by the same function on the same values in
the same (parcel-id) order. At the end the delivered parcels' columns are
put in id order once, piece lists freed as they are joined, so the end of a
long run holds them about twice, not four times.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from sim.metrics.parcels import DAILY_SERVICE_COLUMNS
from sim.metrics.window import ratio
from sim.records import FINAL_STATES


class ParcelKpis:
    """Counts, sums and value lists of the parcel table seen so far."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._states: Counter[str] = Counter()
        # (parcel ids, values): lateness of the late ones ordered in the window.
        self._late: list[tuple[np.ndarray, np.ndarray]] = []
        self._daily: list[pd.DataFrame] = []  # per order day of the piece: orders, short, served, on time
        # Delivered parcels, column by column, one array per piece: id, order day, in the window, lead time.
        # The whole table's lead-time column has a NaN wherever a parcel is not delivered, and pandas' group
        # mean takes another (exact) path when the column holds any NaN: whether it does is kept, the NaNs
        # themselves need not be.
        self._delivered: dict[str, list[np.ndarray]] = {"id": [], "day": [], "window": [], "lead": []}
        self._sorted: dict[str, np.ndarray] | None = None  # the same, joined in id order (at the end)
        self._any_undelivered = False

    def add(self, parcels: pd.DataFrame) -> None:
        """Take the next piece of the parcel table (its rows follow the previous piece's)."""
        if parcels.empty:
            return
        # Masks on whole columns, not sub-frames: selecting rows of the piece would copy all its columns.
        state = parcels["state"]
        masks = {
            "window": _flags(parcels["in_window"]),
            "delivered": _flags(state == "delivered"),
            "served": parcels["available_time_h"].notna().to_numpy()
            & _flags(state.isin(["delivered", "at_pickup_point"])),
            "on_time": _flags(parcels["on_time"]),
        }
        self._add_window(parcels, masks)
        self._add_days(parcels, masks)

    def _add_window(self, parcels: pd.DataFrame, masks: dict[str, np.ndarray]) -> None:
        counts = self._counts
        window = masks["window"]
        self._states.update(
            {str(name): int(count) for name, count in parcels["state"][window].value_counts().items()}
        )
        via = parcels["delivered_via"]
        delivered = window & masks["delivered"]
        attempts = parcels["attempts"].to_numpy(dtype=np.int64)
        attempted = window & (attempts > 0)
        days_waited = parcels["days_waited"].to_numpy(dtype=np.int64)[window]
        counts["ordered"] += int(window.sum())
        counts["delivered_home"] += int((delivered & _flags(via == "home")).sum())
        counts["delivered_pickup_point"] += int((delivered & _flags(via == "pickup_point")).sum())
        counts["attempted"] += int(attempted.sum())
        counts["first_attempt_success"] += int((attempted & _flags(parcels["first_attempt_success"])).sum())
        counts["attempts"] += int(attempts[attempted].sum())
        counts["backordered"] += int((window & _flags(parcels["backordered"])).sum())
        counts["carried_over"] += int((days_waited > 0).sum())
        counts["days_waited"] += int(days_waited.sum())
        served = window & masks["served"]
        on_time = masks["on_time"]
        counts["served"] += int(served.sum())
        counts["on_time"] += int((served & on_time).sum())
        self._late.append(_with_ids(parcels, "lateness_h", served & ~on_time))
        slot_kept = parcels["slot_kept"].to_numpy(dtype=np.int64)[window]
        counts["slotted"] += int((slot_kept >= 0).sum())
        counts["slot_kept"] += int((slot_kept == 1).sum())
        same_day = served & _flags(parcels["same_day"])
        counts["same_day_served"] += int(same_day.sum())
        counts["same_day_on_time"] += int((same_day & on_time).sum())
        counts["chose_pickup"] += int((window & _flags(parcels["chose_pickup"])).sum())
        counts["outsourced"] += int((window & _flags(parcels["outsourced"])).sum())

    def _add_days(self, parcels: pd.DataFrame, masks: dict[str, np.ndarray]) -> None:
        served = masks["served"]
        day = (parcels["order_time_h"].to_numpy(dtype=float) // 24.0).astype(np.int64)
        frame = pd.DataFrame({
            "day": day,
            "short": (_flags(parcels["backordered"]) | _flags(parcels["state"] == "lost_sale")).astype(np.int64),
            "served": served.astype(np.int64),
            "on_time": (masks["on_time"] & served).astype(np.int64),
        })
        days = frame.groupby("day", sort=True)
        self._daily.append(days.sum().assign(orders=days.size()))
        delivered = masks["delivered"]
        self._any_undelivered |= not delivered.all()
        if self._sorted is not None:
            raise RuntimeError("ParcelKpis: a piece came after the delivered parcels were joined")
        columns = self._delivered
        columns["id"].append(parcels["parcel_id"].to_numpy(dtype=np.int32)[delivered])
        columns["day"].append(day[delivered].astype(np.int16))
        columns["window"].append(masks["window"][delivered])
        columns["lead"].append(parcels["lead_time_h"].to_numpy(dtype=float)[delivered])

    def _delivered_in_id_order(self) -> dict[str, np.ndarray]:
        """The delivered parcels' columns joined and in parcel-id order (once; the pieces are freed)."""
        if self._sorted is None:
            parts = self._delivered
            ids = _join(parts["id"], np.int32)
            order = None if (np.diff(ids) > 0).all() else np.argsort(ids, kind="stable")
            del ids
            joined = {}
            for name, dtype in (("day", np.int16), ("window", np.bool_), ("lead", np.float64)):
                column = _join(parts[name], dtype)
                joined[name] = column if order is None else column[order]
                del column
            self._sorted = joined
        return self._sorted

    def parcel_summary(self) -> dict[str, Any]:
        """What ``parcel_summary`` gives for the whole table."""
        c = self._counts
        ordered = c["ordered"]
        states = {state: int(self._states.get(state, 0)) for state in FINAL_STATES}
        delivered = self._delivered_in_id_order()
        lead = delivered["lead"][delivered["window"]]  # a copy: the percentiles may reorder it in place
        mean = float(lead.mean()) if len(lead) else math.nan  # before the percentiles: a float sum depends on order
        p50, p95 = (float(v) for v in np.percentile(lead, [50, 95], overwrite_input=True)) if len(lead) else (
            math.nan, math.nan)
        return {
            "parcels": {"ordered": ordered, **states, "delivered_home": c["delivered_home"],
                        "delivered_pickup_point": c["delivered_pickup_point"]},
            "first_attempt_success_rate": ratio(float(c["first_attempt_success"]), c["attempted"]),
            "attempts_per_attempted_parcel": ratio(float(c["attempts"]), c["attempted"]),
            "lead_time_hours": {
                "mean": mean,
                "p50": p50,
                "p95": p95,
            },
            "stock": {
                "backordered_share": ratio(float(c["backordered"]), ordered),
                "fill_rate": 1.0 - ratio(float(c["backordered"]) + states["lost_sale"], ordered)
                if ordered else math.nan,
                "lost_sale_share": ratio(float(states["lost_sale"]), ordered),
            },
            "capacity": {
                "carried_over_share": ratio(float(c["carried_over"]), ordered),
                # An integer sum is exact in a float below 2**53, so this is the frame's mean.
                "mean_days_waited": float(c["days_waited"]) / ordered if ordered else math.nan,
            },
        }

    def service_summary(self) -> dict[str, Any]:
        """What ``service_summary`` gives for the whole table."""
        c = self._counts
        late = _in_id_order(self._late)
        return {
            "on_time_rate": ratio(float(c["on_time"]), c["served"]),
            "within_promise_share": ratio(float(c["on_time"]), c["ordered"]),
            "lateness_hours": {
                "late_parcels": len(late),
                "mean": float(late.mean()) if len(late) else 0.0,
                "p95": float(np.percentile(late, 95)) if len(late) else 0.0,
            },
            "time_window_kept_rate": ratio(float(c["slot_kept"]), c["slotted"]),
            "same_day_on_time_rate": ratio(float(c["same_day_on_time"]), c["same_day_served"]),
            "chose_pickup_share": ratio(float(c["chose_pickup"]), c["ordered"]),
            "outsourced_share": ratio(float(c["outsourced"]), c["ordered"]),
        }

    def daily_service(self) -> pd.DataFrame:
        """What ``daily_service`` gives for the whole table: counts summed, lead times averaged in id order."""
        if not self._daily:
            return pd.DataFrame(columns=DAILY_SERVICE_COLUMNS)
        totals = pd.concat(self._daily).groupby(level=0, sort=True).sum()
        delivered = self._delivered_in_id_order()
        mean_lead = _mean_lead_by_day(delivered["day"], delivered["lead"], self._any_undelivered)
        mean_lead.index = mean_lead.index.astype(np.int64)
        # Ratios of integer counts as the frame computes them from 0/1 floats: the float sums are exact.
        table = pd.DataFrame({
            "orders": totals["orders"],
            "fill_rate": 1.0 - totals["short"].astype(float) / totals["orders"].astype(float),
            "on_time_rate": totals["on_time"].astype(float) / totals["served"].astype(float).replace(0.0, np.nan),
            "mean_lead_time_h": mean_lead.reindex(totals.index),
        })
        table.index.name = "day"
        return table.reset_index()[DAILY_SERVICE_COLUMNS]


# Rows per group-mean call in ``_mean_lead_by_day``: its temporaries are a few times this, not the whole run's.
MEAN_SLICE_ROWS = 1 << 20


def _group_mean(days: np.ndarray, lead: np.ndarray, with_nan: bool) -> pd.Series:
    """pandas' mean of ``lead`` by ``days``; ``with_nan`` adds a NaN to the first day's group.

    The whole table's lead-time column has a NaN wherever a parcel is not delivered,
    and pandas' group mean takes another (exact) path when the column holds any NaN:
    one NaN in a day that has rows takes that path without changing any mean.
    """
    if with_nan:
        days, lead = np.append(days, days[0]).astype(np.int16), np.append(lead, np.nan)
    return pd.DataFrame({"day": days, "lead_time_h": lead}).groupby("day", sort=True)["lead_time_h"].mean()


def _mean_lead_by_day(days: np.ndarray, lead: np.ndarray, with_nan: bool) -> pd.Series:
    """The mean lead time of each order day, as one group mean over the delivered parcels in id order gives it.

    In id order the order days never decrease (ids are given as orders are drawn), so
    each day's rows are one run: the group mean runs a slice of whole days at a time,
    every day's terms summed in the same order as over the whole column. A year's
    delivered parcels then need temporaries of a slice, not of the run.
    """
    if days.shape[0] == 0:
        return pd.Series([], dtype=float, index=pd.Index([], dtype=np.int16, name="day"), name="lead_time_h")
    if not bool((np.diff(days) >= 0).all()):
        return _group_mean(days, lead, with_nan)
    pieces = []
    start, size = 0, days.shape[0]
    while start < size:
        end = min(size, start + MEAN_SLICE_ROWS)
        if end < size:
            # Back to the first row of the day the slice would cut (or on to the end of a day longer than a slice).
            end = int(np.searchsorted(days, days[end], side="left"))
            if end <= start:
                end = int(np.searchsorted(days, days[start], side="right"))
        pieces.append(_group_mean(days[start:end], lead[start:end], with_nan))
        start = end
    return pieces[0] if len(pieces) == 1 else pd.concat(pieces)


def _flags(column: pd.Series) -> np.ndarray:
    """A boolean column (or comparison) as a numpy mask; a missing value counts as False."""
    return column.to_numpy(dtype=bool, na_value=False)


def _with_ids(rows: pd.DataFrame, column: str, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A column's values where ``mask`` holds, with their parcel ids (copies: a view would keep the piece alive)."""
    return (
        rows["parcel_id"].to_numpy(dtype=np.int32)[mask],
        rows[column].to_numpy(dtype=float)[mask],
    )


def _join(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    """``np.concatenate(parts)``, emptying the list so the pieces can go as soon as they are joined."""
    joined = np.concatenate(parts) if parts else np.array([], dtype=dtype)
    parts.clear()
    return joined


def _in_id_order(parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The values of all pieces in parcel-id order (a mean of floats depends on the order of its terms)."""
    if not parts:
        return np.array([])
    ids = np.concatenate([part[0] for part in parts])
    values = np.concatenate([part[1] for part in parts])
    return values if (np.diff(ids) > 0).all() else values[np.argsort(ids, kind="stable")]
