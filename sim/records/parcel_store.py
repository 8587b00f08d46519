"""The parcel store: one numpy column per parcel field, ids are row numbers, memory flat in the horizon.

A run can order millions of parcels, and the model indexes every column by
parcel id (``parcels.state[pid]``), so ids stay global row numbers. Each column
is backed by an anonymous private ``mmap`` sized for the whole horizon: that is
virtual memory only, and a page costs memory when it is first written. Rows
are set to their "unknown" values one chunk of ids at a time, when the chunk
is first used. When every parcel of a chunk has been final long enough that
nothing writes its rows any more, the chunk is handed on to the sinks (the
tables and the summary's accumulators) and its pages are given back to the OS
with ``madvise(MADV_DONTNEED)``. Parcels still open at the end are handed on by
``hand_on_rest``.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable
from enum import IntEnum

import numpy as np


class ParcelState(IntEnum):
    """Where a parcel is. The first four are 'in_system' in the summary; LOST is a lost sale."""

    AWAITING_STOCK = 0  # ordered, the regional warehouse had no stock (backorder)
    AWAITING_PICK = 1  # stock reserved, not yet picked and packed
    AT_DEPOT = 2  # picked (or brought back), waiting for a route
    OUT_FOR_DELIVERY = 3
    AT_PICKUP_POINT = 4
    DELIVERED = 5
    RETURNED = 6
    LOST = 7  # no stock at the regional warehouse under lost sales: the order was never filled


FINAL_STATE = {
    ParcelState.AWAITING_STOCK: "in_system",
    ParcelState.AWAITING_PICK: "in_system",
    ParcelState.AT_DEPOT: "in_system",
    ParcelState.OUT_FOR_DELIVERY: "in_system",
    ParcelState.AT_PICKUP_POINT: "at_pickup_point",
    ParcelState.DELIVERED: "delivered",
    ParcelState.RETURNED: "returned",
    ParcelState.LOST: "lost_sale",
}

FINAL_STATES = ("delivered", "at_pickup_point", "returned", "in_system", "lost_sale")

# States a parcel never leaves (a parcel in a pickup point still waits to be collected or returned).
_CLOSED_STATES = (ParcelState.DELIVERED, ParcelState.RETURNED, ParcelState.LOST)

_FLOAT_FIELDS = (
    "order_time_h", "x_km", "y_km", "volume_m3", "weight_kg", "picked_time_h", "first_out_time_h",
    "delivered_time_h", "promise_h", "pickup_handover_h", "last_mile_cost", "failed_attempt_cost", "pick_pack_cost",
    "pickup_point_cost", "return_cost", "outsourced_cost", "co2e_kg",
)
_INT_FIELDS = {
    "regional": np.int16, "product": np.int16, "state": np.int8, "attempts": np.int8,
    "days_waited": np.int16, "pickup_point": np.int32, "backordered": np.bool_, "via_pickup": np.bool_,
    "first_attempt_success": np.bool_, "key": np.uint64, "wants_pickup": np.bool_, "chose_pickup": np.bool_,
    "outsourced": np.bool_,
    "same_day": np.bool_, "slot": np.int8, "address": np.int64, "slot_kept": np.int8, "vehicle": np.int8,
    "route": np.int64,
}
# Columns whose "unknown" value is -1 rather than 0.
_MINUS_ONE = ("pickup_point", "slot", "slot_kept", "vehicle", "address", "route")
# A chunk of ids spans whole pages in every column (4096 one-byte values fill one page).
CHUNK_IDS = 65536
# Time a chunk must have been complete before it is handed on: a route's costs are allocated to its
# parcels when the vehicle is back, well after the parcel was marked delivered.
SETTLE_HOURS = 24.0

# The columns the model still writes for a parked parcel when the run ends (the settlement of
# pickup-point collections and 3PL outcomes): their pages are kept while a parked parcel is on them.
SETTLED_AT_END = ("state", "delivered_time_h", "attempts", "first_attempt_success", "return_cost")

# A sink receives parcel ids (ascending) and their rows, column by column. The arrays may be views
# into the store, valid only during the call: a sink copies whatever it keeps.
ParcelSink = Callable[[np.ndarray, dict[str, np.ndarray]], None]


def _unknown_value(name: str, dtype: np.dtype) -> float | int:
    """What a cell holds before the model sets it: NaN for times, -1 for the minus-one columns, else 0."""
    if dtype.kind == "f" and name.endswith("_h"):
        return np.nan
    return -1 if name in _MINUS_ONE else 0


class ParcelStore:
    """Column store of every parcel ordered in a run; ids are row numbers.

    ``capacity`` is the number of ids reserved up front (virtual memory); more
    orders than that make the columns grow. ``chunk_ids`` (a multiple of 4096)
    is the unit in which rows are filled and handed on.
    """

    def __init__(self, capacity: int = 1024, chunk_ids: int = CHUNK_IDS) -> None:
        if chunk_ids <= 0 or chunk_ids % mmap.PAGESIZE:
            raise ValueError(f"chunk_ids must be a positive multiple of {mmap.PAGESIZE}, not {chunk_ids}")
        self.size = 0
        self.chunk_ids = chunk_ids
        self.handed_on = 0  # ids below this were handed on to the sinks and their memory released
        self._filled = 0  # ids below this hold their unknown values (or the model's)
        self._complete_since: dict[int, float] = {}  # first id of a complete chunk -> when first seen complete
        self._sinks: list[ParcelSink] = []
        self._rest_handed_on = False
        # Parked parcels of the chunks handed on: their ids, and a copy of their rows at the time.
        self._parked_ids: list[np.ndarray] = []
        self._parked_rows: list[dict[str, np.ndarray]] = []
        self._maps: dict[str, mmap.mmap] = {}
        self.cols: dict[str, np.ndarray] = {}
        self._dtypes = {name: np.dtype(np.float64) for name in _FLOAT_FIELDS}
        self._dtypes.update({name: np.dtype(dtype) for name, dtype in _INT_FIELDS.items()})
        self._allocate(max(16, capacity))

    def _allocate(self, capacity: int) -> None:
        """(Re)serve ``capacity`` ids, whole chunks, keeping the rows not yet handed on."""
        capacity = -(-capacity // self.chunk_ids) * self.chunk_ids
        old_cols = self.cols
        self._maps, self.cols = {}, {}
        for name, dtype in self._dtypes.items():
            buffer = mmap.mmap(-1, capacity * dtype.itemsize, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
            column = np.frombuffer(buffer, dtype=dtype)
            if name in old_cols:
                column[self.handed_on : self._filled] = old_cols[name][self.handed_on : self._filled]
                if name in SETTLED_AT_END and self._parked_ids:
                    parked = np.concatenate(self._parked_ids)
                    column[parked] = old_cols[name][parked]
            self._maps[name], self.cols[name] = buffer, column
        self._capacity = capacity
        # Direct attribute access for the hot path (no dict lookups per parcel). The old maps are freed
        # with the last array that views them.
        for name, array in self.cols.items():
            setattr(self, name, array)

    # The attributes bound by _allocate, declared for type checkers.
    order_time_h: np.ndarray
    x_km: np.ndarray
    y_km: np.ndarray
    volume_m3: np.ndarray
    weight_kg: np.ndarray
    promise_h: np.ndarray
    pickup_handover_h: np.ndarray
    outsourced_cost: np.ndarray
    co2e_kg: np.ndarray
    wants_pickup: np.ndarray
    chose_pickup: np.ndarray
    outsourced: np.ndarray
    same_day: np.ndarray
    slot: np.ndarray
    address: np.ndarray
    slot_kept: np.ndarray
    vehicle: np.ndarray
    route: np.ndarray  # route id (the routes table's) of the last attempt at the door, -1 before any
    picked_time_h: np.ndarray
    first_out_time_h: np.ndarray
    delivered_time_h: np.ndarray
    last_mile_cost: np.ndarray
    failed_attempt_cost: np.ndarray
    pick_pack_cost: np.ndarray
    pickup_point_cost: np.ndarray
    return_cost: np.ndarray
    regional: np.ndarray
    product: np.ndarray
    state: np.ndarray
    attempts: np.ndarray
    days_waited: np.ndarray
    pickup_point: np.ndarray
    backordered: np.ndarray
    via_pickup: np.ndarray
    first_attempt_success: np.ndarray
    key: np.ndarray

    def add_sink(self, sink: ParcelSink) -> None:
        """Hand every run of finished rows to ``sink`` too, in id order, each row exactly once."""
        self._sinks.append(sink)

    def add_batch(
        self,
        regional: int,
        order_time_h: np.ndarray,
        x_km: np.ndarray,
        y_km: np.ndarray,
        product: np.ndarray,
        volume_m3: np.ndarray,
        weight_kg: np.ndarray,
        key: np.ndarray,
    ) -> np.ndarray:
        """Append a batch of new orders (vectorised); returns their ids."""
        n = len(order_time_h)
        if self.size + n > self._capacity:
            capacity = self._capacity
            while capacity < self.size + n:
                capacity *= 2
            self._allocate(capacity)
        if self.size + n > self._filled:
            self._fill_to(self.size + n)
        ids = np.arange(self.size, self.size + n)
        self.regional[ids] = regional
        self.order_time_h[ids] = order_time_h
        self.x_km[ids] = x_km
        self.y_km[ids] = y_km
        self.product[ids] = product
        self.volume_m3[ids] = volume_m3
        self.weight_kg[ids] = weight_kg
        self.key[ids] = key
        self.state[ids] = ParcelState.AWAITING_PICK
        self.size += n
        return ids

    def _fill_to(self, needed: int) -> None:
        """Give the chunks up to id ``needed`` their unknown values (zero pages need no writing)."""
        end = min(self._capacity, -(-needed // self.chunk_ids) * self.chunk_ids)
        for name, column in self.cols.items():
            value = _unknown_value(name, column.dtype)
            if value != 0:  # NaN != 0 as well
                column[self._filled : end] = value
        self._filled = end

    def view(self, name: str) -> np.ndarray:
        """A column's values from id ``handed_on`` (0 unless chunks were handed on during the run) to ``size``."""
        return self.cols[name][self.handed_on : self.size]

    def hand_on_settled(self, now_h: float) -> int:
        """Hand on the chunks complete since a check at least ``SETTLE_HOURS`` ago; returns how many.

        Complete: every parcel of the chunk is delivered, returned, a lost sale
        or parked (see ``_parked``), its last delivery at least ``SETTLE_HOURS``
        old. Chunks go in id order, so an open parcel holds back the chunks
        after it. Meant to be called once a simulated day: it reads the states
        of the chunks not yet handed on.
        """
        handed = 0
        start = self.handed_on
        while not self._rest_handed_on and start + self.chunk_ids <= self.size:
            end = start + self.chunk_ids
            # A route's costs reach its parcels when the vehicle is back, hours after they were marked
            # delivered: a chunk must have been complete, and its last delivery that old, for SETTLE_HOURS.
            state = self.state[start:end]
            done = np.isin(state, _CLOSED_STATES) | self._parked(start, end)
            if not done.all() or np.nanmax(self.delivered_time_h[start:end], initial=-np.inf) > now_h - SETTLE_HOURS:
                self._complete_since.pop(start, None)
            else:
                since = self._complete_since.setdefault(start, now_h)
                if start == self.handed_on and now_h - since >= SETTLE_HOURS:
                    self._hand_on(end)
                    handed += 1
            start = end
        return handed

    def _parked(self, start: int, end: int) -> np.ndarray:
        """Parcels whose outcome is decided but written only when the run ends: in a pickup point, with the 3PL."""
        state = self.state[start:end]
        return (state == ParcelState.AT_PICKUP_POINT) | (
            (state == ParcelState.OUT_FOR_DELIVERY) & self.outsourced[start:end])

    def hand_on_rest(self) -> None:
        """At the end of the run (after the model's last writes): hand on every row not handed on yet, once.

        The parked parcels of the chunks handed on come first, then the rows
        after the last chunk, a chunk at a time; those rows stay in the store
        (``view`` still shows them): a short run, of which nothing was handed
        on before, keeps all its rows.
        """
        if self._rest_handed_on:
            raise RuntimeError("the rest of the parcels was handed on already")
        self._rest_handed_on = True
        if self._parked_ids:
            parked = np.concatenate(self._parked_ids)
            rows = {name: np.concatenate([copy[name] for copy in self._parked_rows]) for name in self.cols}
            for name in SETTLED_AT_END:  # their final values, written by the model after the chunk was handed on
                rows[name] = self.cols[name][parked]
            self._give_to_sinks(parked, rows)
        start = self.handed_on
        while True:  # at least one piece, empty when the run ordered nothing after the last chunk
            end = min(start + self.chunk_ids, self.size)
            self._give_to_sinks(np.arange(start, end), {name: column[start:end] for name, column in self.cols.items()})
            if end >= self.size:
                break
            start = end

    def _give_to_sinks(self, ids: np.ndarray, rows: dict[str, np.ndarray]) -> None:
        for sink in self._sinks:
            sink(ids, rows)

    def _hand_on(self, end: int) -> None:
        """Give rows [handed_on, end) to the sinks, then their pages back to the OS.

        Parked parcels are kept aside (a copy of their rows, and the pages
        that hold them in the columns settled at the end) and handed on by
        ``hand_on_rest``.
        """
        start = self.handed_on
        parked = self._parked(start, end)
        ids = np.arange(start, end)
        rows = {name: column[start:end] for name, column in self.cols.items()}
        if parked.any():
            self._parked_ids.append(ids[parked])
            self._parked_rows.append({name: values[parked] for name, values in rows.items()})
            ids = ids[~parked]
            rows = {name: values[~parked] for name, values in rows.items()}
        self._give_to_sinks(ids, rows)
        self.handed_on = end
        pinned = np.arange(start, end)[parked]
        for name, buffer in self._maps.items():
            itemsize = self._dtypes[name].itemsize
            first = -(-start * itemsize // mmap.PAGESIZE)
            last = end * itemsize // mmap.PAGESIZE
            keep = np.unique(pinned * itemsize // mmap.PAGESIZE) if name in SETTLED_AT_END else np.array([], int)
            # Release the runs of pages between the pinned ones.
            for low, high in zip(np.concatenate([[first], keep + 1]), np.concatenate([keep, [last]]), strict=True):
                low, high = max(int(low), first), min(int(high), last)
                if high > low:
                    buffer.madvise(mmap.MADV_DONTNEED, low * mmap.PAGESIZE, (high - low) * mmap.PAGESIZE)
        self._complete_since.pop(start, None)
