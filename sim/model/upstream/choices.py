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
    parcel_uniforms,
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
    # Every draw at once (``parcel_uniforms`` is ``parcel_uniform`` bit for bit); a share of 0 draws nothing.
    keys = parcels.key[ids]
    hour = parcels.order_time_h[ids] - day * 24.0
    never = np.zeros(len(ids), dtype=bool)
    outsourced = parcel_uniforms(keys, OUTSOURCE) < outsource_share if outsource_share > 0 else never
    same_day = (
        ~outsourced & (hour < service.same_day_cutoff_hour) & (parcel_uniforms(keys, SAME_DAY) < same_day_share)
        if same_day_share > 0 else never
    )
    wants_pickup = (
        ~outsourced & ~same_day & (parcel_uniforms(keys, CHOOSE_PICKUP) < pickup_share) if pickup_share > 0 else never
    )
    parcels.outsourced[ids] = outsourced
    parcels.same_day[ids] = same_day
    parcels.wants_pickup[ids] = wants_pickup
    parcels.chose_pickup[ids] = wants_pickup
    if window_share > 0:
        slotted = ~(outsourced | wants_pickup) & (parcel_uniforms(keys, TIME_WINDOW) < window_share)
        slot = np.minimum(n_slots - 1, (parcel_uniforms(keys[slotted], SLOT) * n_slots).astype(np.int64))
        parcels.slot[ids[slotted]] = slot
    if discrete_addresses:
        # The customer lives at one of the area's addresses: parcels can share a door.
        address = np.minimum(addresses - 1, (parcel_uniforms(keys, ADDRESS) * addresses).astype(np.int64))
        parcels.address[ids] = address
        for parcel_id, door in zip(ids.tolist(), address.tolist(), strict=True):
            parcels.x_km[parcel_id], parcels.y_km[parcel_id] = geometry.address_xy(door, salt)
    late = hour >= service.order_cutoff_hour
    parcels.promise_h[ids] = np.where(
        same_day, promise[(True, False)], np.where(late, promise[(False, True)], promise[(False, False)]))
