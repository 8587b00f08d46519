"""Outsourcing: parcels handed to a third-party carrier at a per-parcel rate.

The carrier is a black box with its own transit time and first-attempt success,
as a shipper sees it: what happens to each parcel is decided at hand-over from
the parcel's own random numbers, and settled when its time comes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.streams import CARRIER_ATTEMPT, parcel_uniform
from sim.scenario.schema import Outsourcing

# The carrier's rounds hand parcels over around mid-day; ASSUMPTION.
CARRIER_DELIVERY_HOUR_OFFSET = 6.0


@dataclass(frozen=True)
class CarrierOutcome:
    """When the carrier delivers (or gives up on) a parcel and after how many attempts."""

    time_h: float
    attempts: int
    delivered: bool


def carrier_outcome(config: Outsourcing, key: int, handover_h: float, depart_hour: float) -> CarrierOutcome:
    """Outcome of one parcel: attempt a succeeds with the carrier's first-attempt success rate."""
    first_day = int(handover_h // 24.0) + config.transit_days
    for attempt in range(config.max_attempts):
        time_h = (first_day + attempt) * 24.0 + depart_hour + CARRIER_DELIVERY_HOUR_OFFSET
        if parcel_uniform(key, CARRIER_ATTEMPT, attempt) < config.first_attempt_success:
            return CarrierOutcome(time_h, attempt + 1, True)
    time_h = (first_day + config.max_attempts) * 24.0 + depart_hour
    return CarrierOutcome(time_h, config.max_attempts, False)
