"""Stops of a delivery day, built from the parcels waiting at the depot.

A home stop is one parcel, or one address and slot when the area consolidates
parcels for the same door; a pickup stop is every parcel bound for one pickup
point or locker that has room for it today.

A day's stops are held as columns (``StopList``): a depot-day at scale has tens
of thousands of them, and every step that reads them (eligibility, the routing
problem, launching, tracing a round) reads one field of many stops at once.
``Stop`` is the row view, for code that looks at one stop at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple, overload

import numpy as np

from sim.model.lastmile.pickup import PickupNetwork
from sim.model.products import ProductTable
from sim.records import ParcelStore
from sim.scenario.schema import Area, LastMilePolicy


class Stop(NamedTuple):
    """A place the courier stops at: a home (one parcel) or a pickup point or locker (several)."""

    x_km: float
    y_km: float
    parcels: tuple[int, ...]
    pickup_point: int  # -1 for a home delivery
    volume_m3: float
    weight_kg: float
    expected_service_h: float
    window: tuple[float, float] | None = None  # delivery slot, hours of the day


class StopList:
    """Stops as columns; the parcels of stop ``i`` are ``parcel_ids[offsets[i]:offsets[i + 1]]``.

    ``window_open`` / ``window_close`` are 0.0 where ``has_window`` is false.
    """

    __slots__ = (
        "expected_service_h",
        "has_window",
        "offsets",
        "parcel_ids",
        "pickup_point",
        "volume_m3",
        "weight_kg",
        "window_close",
        "window_open",
        "x_km",
        "y_km",
    )

    def __init__(
        self, x_km: np.ndarray, y_km: np.ndarray, pickup_point: np.ndarray, volume_m3: np.ndarray,
        weight_kg: np.ndarray, expected_service_h: np.ndarray, has_window: np.ndarray, window_open: np.ndarray,
        window_close: np.ndarray, parcel_ids: np.ndarray, offsets: np.ndarray,
    ) -> None:
        self.x_km = np.asarray(x_km, dtype=np.float64)
        self.y_km = np.asarray(y_km, dtype=np.float64)
        self.pickup_point = np.asarray(pickup_point, dtype=np.int64)
        self.volume_m3 = np.asarray(volume_m3, dtype=np.float64)
        self.weight_kg = np.asarray(weight_kg, dtype=np.float64)
        self.expected_service_h = np.asarray(expected_service_h, dtype=np.float64)
        self.has_window = np.asarray(has_window, dtype=bool)
        self.window_open = np.asarray(window_open, dtype=np.float64)
        self.window_close = np.asarray(window_close, dtype=np.float64)
        self.parcel_ids = np.asarray(parcel_ids, dtype=np.int64)
        self.offsets = np.asarray(offsets, dtype=np.int64)

    @classmethod
    def of(cls, rows: Sequence[Stop]) -> StopList:
        """The columns of a sequence of row stops."""
        counts = [len(row.parcels) for row in rows]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        windows = [row.window for row in rows]
        return cls(
            np.array([row.x_km for row in rows], dtype=np.float64),
            np.array([row.y_km for row in rows], dtype=np.float64),
            np.array([row.pickup_point for row in rows], dtype=np.int64),
            np.array([row.volume_m3 for row in rows], dtype=np.float64),
            np.array([row.weight_kg for row in rows], dtype=np.float64),
            np.array([row.expected_service_h for row in rows], dtype=np.float64),
            np.array([w is not None for w in windows], dtype=bool),
            np.array([w[0] if w is not None else 0.0 for w in windows], dtype=np.float64),
            np.array([w[1] if w is not None else 0.0 for w in windows], dtype=np.float64),
            np.fromiter((p for row in rows for p in row.parcels), dtype=np.int64, count=int(offsets[-1])),
            offsets,
        )

    @classmethod
    def concat(cls, parts: Sequence[StopList]) -> StopList:
        """The stops of ``parts``, one list after the other."""
        if len(parts) == 1:
            return parts[0]
        shifts = np.cumsum([0] + [int(part.offsets[-1]) for part in parts[:-1]])
        offsets = np.concatenate([[0]] + [part.offsets[1:] + shift for part, shift in zip(parts, shifts, strict=True)])
        columns = {name: np.concatenate([getattr(part, name) for part in parts]) for name in _COLUMNS}
        return cls(**columns, parcel_ids=np.concatenate([part.parcel_ids for part in parts]), offsets=offsets)

    def __len__(self) -> int:
        return int(self.x_km.shape[0])

    @overload
    def __getitem__(self, index: int) -> Stop: ...
    @overload
    def __getitem__(self, index: slice) -> StopList: ...
    def __getitem__(self, index: int | slice) -> Stop | StopList:
        """Stop ``index`` as a row, or a slice of the list."""
        if isinstance(index, slice):
            return self.take(np.arange(len(self))[index])
        i = range(len(self))[index]
        return Stop(
            float(self.x_km[i]), float(self.y_km[i]), tuple(self.parcels_of(i).tolist()), int(self.pickup_point[i]),
            float(self.volume_m3[i]), float(self.weight_kg[i]), float(self.expected_service_h[i]),
            (float(self.window_open[i]), float(self.window_close[i])) if self.has_window[i] else None,
        )

    def __iter__(self) -> Iterator[Stop]:
        return (self[i] for i in range(len(self)))

    def counts(self) -> np.ndarray:
        """Parcels per stop."""
        return np.diff(self.offsets)

    def parcels_of(self, i: int) -> np.ndarray:
        """The parcel ids of stop ``i``."""
        return self.parcel_ids[self.offsets[i]:self.offsets[i + 1]]

    def take(self, indices: np.ndarray) -> StopList:
        """The stops at ``indices``, in that order."""
        indices = np.asarray(indices, dtype=np.intp)
        starts = self.offsets[indices]
        counts = self.offsets[indices + 1] - starts
        offsets = np.zeros(indices.shape[0] + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        if offsets[-1] == indices.shape[0]:
            members = self.parcel_ids[starts]  # one parcel per stop: the common case
        else:
            # Position j of the result's parcels reads the source at its stop's start plus its rank in the stop.
            members = self.parcel_ids[np.repeat(starts - offsets[:-1], counts) + np.arange(int(offsets[-1]))]
        columns = {name: getattr(self, name)[indices] for name in _COLUMNS}
        return StopList(**columns, parcel_ids=members, offsets=offsets)


# The per-stop columns, in the constructor's order.
_COLUMNS = ("x_km", "y_km", "pickup_point", "volume_m3", "weight_kg", "expected_service_h",
            "has_window", "window_open", "window_close")


def empty_stops() -> StopList:
    """A list of no stops."""
    return StopList.of([])


class StopBuilder:
    """Turns queues of parcel ids into stops for one depot's area."""

    def __init__(
        self, parcels: ParcelStore, products: ProductTable, area: Area, policy: LastMilePolicy,
        pickup: PickupNetwork, mean_service_h: float,
    ) -> None:
        self.parcels = parcels
        self.products = products
        self.area = area
        self.policy = policy
        self.pickup = pickup
        self.mean_service_h = mean_service_h
        slots = area.time_windows.slots
        # Per slot index, its opening and closing hour (a trailing 0.0 for "no slot", index -1).
        self._slot_open = np.array([float(s[0]) for s in slots] + [0.0])
        self._slot_close = np.array([float(s[1]) for s in slots] + [0.0])

    def pickup_stops(self, queue: list[int], now: float) -> tuple[StopList, list[int]]:
        """One stop per pickup point with room (reserving it); parcels whose points are full come back separately."""
        parcels = self.parcels
        policy = self.policy
        by_point: dict[int, list[int]] = {}
        no_room: list[int] = []
        for parcel_id in queue:
            point = self.pickup.choose(float(parcels.x_km[parcel_id]), float(parcels.y_km[parcel_id]), now)
            if point < 0:
                no_room.append(parcel_id)
                continue
            parcels.pickup_point[parcel_id] = point
            by_point.setdefault(point, []).append(parcel_id)
        stops = []
        for point in sorted(by_point):
            members = np.asarray(by_point[point], dtype=np.int64)
            n = len(members)
            stops.append(
                Stop(
                    float(self.pickup.xy[point, 0]), float(self.pickup.xy[point, 1]), tuple(members.tolist()), point,
                    float(parcels.volume_m3[members].sum()), float(parcels.weight_kg[members].sum()),
                    (policy.pickup_point_handover_min + policy.pickup_point_service_per_parcel_min * n) / 60.0,
                )
            )
        return StopList.of(stops), no_room

    def home_stops(self, queue: list[int]) -> StopList:
        """Home stops, oldest order first: one per parcel, or one per address and slot when consolidating."""
        if not queue:
            return empty_stops()
        parcels = self.parcels
        home = np.asarray(queue, dtype=np.int64)
        home = home[np.argsort(parcels.order_time_h[home], kind="stable")]
        service = self.products.service_time_multiplier[parcels.product[home]] * self.mean_service_h
        if not self.area.consolidate_same_address:
            slot = parcels.slot[home]
            return StopList(
                parcels.x_km[home], parcels.y_km[home], np.full(home.shape[0], -1, dtype=np.int64),
                parcels.volume_m3[home], parcels.weight_kg[home], service, slot >= 0,
                self._slot_open[slot], self._slot_close[slot], home, np.arange(home.shape[0] + 1, dtype=np.int64),
            )
        return self._consolidated(home, service)

    def _consolidated(self, home: np.ndarray, service: np.ndarray) -> StopList:
        """Parcels for one door in one slot are one stop, in order of the oldest; a parcel without
        an address is a door of its own."""
        parcels = self.parcels
        groups: dict[tuple[int, int], list[int]] = {}
        expected: dict[tuple[int, int], float] = {}
        extra_h = self.area.extra_parcel_service_min / 60.0
        for parcel_id, hours, address, slot in zip(
            home.tolist(), service.tolist(), parcels.address[home].tolist(), parcels.slot[home].tolist(), strict=True
        ):
            group = (address if address >= 0 else -1 - parcel_id, slot)
            if group in groups:
                groups[group].append(parcel_id)
                expected[group] += extra_h
            else:
                groups[group] = [parcel_id]
                expected[group] = hours
        members = [np.asarray(ids, dtype=np.int64) for ids in groups.values()]
        firsts = np.array([ids[0] for ids in groups.values()], dtype=np.int64)
        slot = np.array([group[1] for group in groups], dtype=np.int64)
        offsets = np.zeros(len(members) + 1, dtype=np.int64)
        np.cumsum([len(ids) for ids in members], out=offsets[1:])
        return StopList(
            parcels.x_km[firsts], parcels.y_km[firsts], np.full(len(members), -1, dtype=np.int64),
            np.array([float(parcels.volume_m3[ids].sum()) for ids in members]),
            np.array([float(parcels.weight_kg[ids].sum()) for ids in members]),
            np.array(list(expected.values())), slot >= 0, self._slot_open[slot], self._slot_close[slot],
            np.concatenate(members) if members else np.zeros(0, dtype=np.int64), offsets,
        )
