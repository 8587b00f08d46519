"""The delivery promise of an order: by when it should be delivered, for the on-time KPIs."""

from __future__ import annotations

from sim.scenario.schema import ServiceLevels


def promise_deadline_h(
    order_h: float, same_day: bool, service: ServiceLevels, delivery_weekdays: tuple[int, ...], start_weekday: int
) -> float:
    """Deadline in hours for an order placed at ``order_h``.

    Same-day orders are due at the promise hour of the order day. Others are due
    at the promise hour of the ``promise_days``-th delivery day after the order
    day, where an order after the cut-off counts from the next day.
    """
    day = int(order_h // 24.0)
    if same_day:
        return day * 24.0 + service.promise_end_hour
    if order_h - day * 24.0 >= service.order_cutoff_hour:
        day += 1
    remaining = service.promise_days
    if remaining == 0:
        while (start_weekday + day) % 7 not in delivery_weekdays:
            day += 1
        return day * 24.0 + service.promise_end_hour
    while remaining > 0:
        day += 1
        if (start_weekday + day) % 7 in delivery_weekdays:
            remaining -= 1
    return day * 24.0 + service.promise_end_hour
