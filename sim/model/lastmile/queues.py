"""The parcels a depot holds between rounds, by where they are bound."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ParcelQueues:
    """Parcel ids waiting at the depot: for a home delivery, for a pickup point, for the same-day wave."""

    home: list[int] = field(default_factory=list)  # fresh parcels and re-attempts
    pickup: list[int] = field(default_factory=list)  # bound for a pickup point or locker
    same_day: list[int] = field(default_factory=list)

    def add(self, parcel_id: int, wants_pickup: bool) -> None:
        """Queue a parcel for the next daily wave, towards a pickup point or a home."""
        (self.pickup if wants_pickup else self.home).append(parcel_id)
