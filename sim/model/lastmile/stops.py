"""Stops of a delivery day, built from the parcels waiting at the depot.

A home stop is one parcel, or one address and slot when the area consolidates
parcels for the same door; a pickup stop is every parcel bound for one pickup
point or locker that has room for it today.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.model.lastmile.pickup import PickupNetwork
from sim.model.products import ProductTable
from sim.records import ParcelStore
from sim.scenario.schema import Area, LastMilePolicy


class Stop(NamedTuple):
    """A place the courier stops at: a home (one parcel) or a pickup point or locker (several).

    A named tuple rather than a frozen dataclass: a day builds one per waiting parcel,
    and a tuple is several times cheaper to make.
    """

    x_km: float
    y_km: float
    parcels: tuple[int, ...]
    pickup_point: int  # -1 for a home delivery
    volume_m3: float
    weight_kg: float
    expected_service_h: float
    window: tuple[float, float] | None = None  # delivery slot, hours of the day


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

    def pickup_stops(self, queue: list[int], now: float) -> tuple[list[Stop], list[int]]:
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
        return stops, no_room

    def home_stops(self, queue: list[int]) -> list[Stop]:
        """Home stops, oldest order first: one per parcel, or one per address and slot when consolidating."""
        if not queue:
            return []
        parcels = self.parcels
        slots = self.area.time_windows.slots
        home = np.asarray(queue, dtype=np.int64)
        home = home[np.argsort(parcels.order_time_h[home], kind="stable")]
        service = self.products.service_time_multiplier[parcels.product[home]] * self.mean_service_h
        if not self.area.consolidate_same_address:
            return [
                Stop(x, y, (parcel_id,), -1, volume, weight, hours, slots[slot] if slot >= 0 else None)
                for parcel_id, x, y, volume, weight, hours, slot in zip(
                    home.tolist(), parcels.x_km[home].tolist(), parcels.y_km[home].tolist(),
                    parcels.volume_m3[home].tolist(), parcels.weight_kg[home].tolist(), service.tolist(),
                    parcels.slot[home].tolist(), strict=True,
                )
            ]
        # Parcels for one door in one slot are one stop, in order of the oldest; a parcel without
        # an address is a door of its own.
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
        stops = []
        for group, members in groups.items():
            ids = np.asarray(members, dtype=np.int64)
            first = members[0]
            stops.append(Stop(
                float(parcels.x_km[first]), float(parcels.y_km[first]), tuple(members), -1,
                float(parcels.volume_m3[ids].sum()), float(parcels.weight_kg[ids].sum()), expected[group],
                slots[group[1]] if group[1] >= 0 else None,
            ))
        return stops
