"""Pickup points and lockers of an area: where they are, how full they are, and who collects when."""

from __future__ import annotations

import heapq
import math

import numpy as np

from sim.model.geography import AreaGeometry
from sim.scenario.schema import Area


class PickupNetwork:
    """Staffed pickup points (no capacity limit) and lockers (a fixed number of compartments).

    A locker compartment is taken from hand-over until the customer collects
    the parcel or it goes back at the end of the hold period; both times are
    known at hand-over, so occupancy is a heap of release times per locker.
    """

    def __init__(self, area: Area, geometry: AreaGeometry, rng: np.random.Generator) -> None:
        shops = geometry.pickup_xy
        lockers = geometry.sample_points(rng, area.lockers)
        self.xy = np.vstack((shops, lockers)) if len(lockers) else shops
        self.is_locker = np.concatenate((np.zeros(len(shops), bool), np.ones(len(lockers), bool)))
        self.capacity = np.where(self.is_locker, float(area.locker_capacity), math.inf)
        self._releases: list[list[float]] = [[] for _ in range(len(self.xy))]
        self._reserved = np.zeros(len(self.xy), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.xy)

    def free_slots(self, point: int, now: float) -> float:
        """Compartments free at ``now`` (infinite for staffed points), net of today's reservations."""
        if not self.is_locker[point]:
            return math.inf
        releases = self._releases[point]
        while releases and releases[0] <= now:
            heapq.heappop(releases)
        return self.capacity[point] - len(releases) - self._reserved[point]

    def choose(self, x_km: float, y_km: float, now: float) -> int:
        """The nearest point with room for one more parcel, reserving it; -1 if none has room."""
        if len(self.xy) == 0:
            return -1
        order = np.argsort((self.xy[:, 0] - x_km) ** 2 + (self.xy[:, 1] - y_km) ** 2, kind="stable")
        for point in order.tolist():
            if self.free_slots(point, now) >= 1:
                self._reserved[point] += 1
                return int(point)
        return -1

    def release_reservation(self, point: int) -> None:
        """A reserved parcel did not reach the point today (not routed, or the route ran out of time)."""
        if self._reserved[point] > 0:
            self._reserved[point] -= 1

    def occupy(self, point: int, until_h: float) -> None:
        """A parcel was put into the point; it frees its compartment at ``until_h``."""
        self.release_reservation(point)
        if self.is_locker[point]:
            heapq.heappush(self._releases[point], until_h)
