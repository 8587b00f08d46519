"""Customer choices at order time: outsourcing, same-day service, pickup point, time slot, address, promise.

Every choice is drawn from the parcel's own random numbers (``sim.model.streams.parcel_uniform``),
so switching one option on leaves every other draw of the run unchanged.
"""

from __future__ import annotations

import numpy as np

from sim.model.context import SimContext
from sim.model.geography import AreaGeometry
from sim.model.lastmile.promise import promise_deadline_h
from sim.model.streams import (
    ADDRESS,
    CHOOSE_PICKUP,
    OUTSOURCE,
    SAME_DAY,
    SLOT,
    TIME_WINDOW,
    parcel_uniform,
    stable_hash,
)
from sim.scenario.schema import RegionalWarehouse


def draw_customer_choices(
    ctx: SimContext, config: RegionalWarehouse, geometry: AreaGeometry, ids: np.ndarray, day: int
) -> None:
    """What each customer of ``config``'s area who ordered on ``day`` chose, and what they were promised.

    Every choice comes from the parcel's own random numbers, so switching on
    one option (lockers, outsourcing, slots) leaves the other draws alone.
    """
    parcels = ctx.parcels
    area = config.area
    service = ctx.scenario.service
    fleet = config.fleet
    delivery_day = ctx.weekday(day) in fleet.delivery_weekdays
    n_slots = len(area.time_windows.slots)
    households = area.area_km2 * area.households_per_km2
    addresses = max(1, round(households / area.households_per_address))
    discrete_addresses = area.households_per_address > 1 or area.consolidate_same_address
    salt = stable_hash(f"addresses/{config.name}")
    # A share of 0 never draws (a uniform in (0, 1) is never below 0): the same result, no hashing.
    outsource_share = area.outsourcing.share
    same_day_share = service.same_day_share if delivery_day else 0.0
    pickup_share = area.pickup_choice_share
    window_share = area.time_windows.share
    # The promise depends only on the day, the order cut-off and same-day service: three values a day.
    start_weekday = ctx.scenario.horizon.start_weekday
    promise = {
        (same, late): promise_deadline_h(
            day * 24.0 + (service.order_cutoff_hour if late else 0.0), same, service,
            fleet.delivery_weekdays, start_weekday,
        )
        for same, late in ((True, False), (False, False), (False, True))
    }
    for parcel_id in ids.tolist():
        key = int(parcels.key[parcel_id])
        hour = float(parcels.order_time_h[parcel_id]) - day * 24.0
        outsourced = outsource_share > 0 and parcel_uniform(key, OUTSOURCE) < outsource_share
        same_day = (
            same_day_share > 0 and not outsourced and hour < service.same_day_cutoff_hour
            and parcel_uniform(key, SAME_DAY) < same_day_share
        )
        wants_pickup = (
            pickup_share > 0 and not outsourced and not same_day
            and parcel_uniform(key, CHOOSE_PICKUP) < pickup_share
        )
        parcels.outsourced[parcel_id] = outsourced
        parcels.same_day[parcel_id] = same_day
        parcels.wants_pickup[parcel_id] = wants_pickup
        parcels.chose_pickup[parcel_id] = wants_pickup
        slotted = window_share > 0 and not (outsourced or wants_pickup)
        if slotted and parcel_uniform(key, TIME_WINDOW) < window_share:
            parcels.slot[parcel_id] = min(n_slots - 1, int(parcel_uniform(key, SLOT) * n_slots))
        if discrete_addresses:
            # The customer lives at one of the area's addresses: parcels can share a door.
            address = min(addresses - 1, int(parcel_uniform(key, ADDRESS) * addresses))
            parcels.address[parcel_id] = address
            parcels.x_km[parcel_id], parcels.y_km[parcel_id] = geometry.address_xy(address, salt)
        parcels.promise_h[parcel_id] = promise[(same_day, not same_day and hour >= service.order_cutoff_hour)]
