"""Direction of effects under common random numbers (same seed, one knob changed)."""

from __future__ import annotations

import pytest

from tests.conftest import short_run

AREAS = ("metro", "suburb", "county")


def _absence(probability: float) -> tuple[str, ...]:
    return tuple(f"regional_warehouses.{a}.area.absence_probability={probability}" for a in AREAS)


@pytest.mark.slow
def test_more_absence_costs_more_and_succeeds_less() -> None:
    low, mid, high = (short_run(*_absence(p)).summary for p in (0.02, 0.10, 0.30))
    cost = [s["cost_per_parcel"]["last_mile"] for s in (low, mid, high)]
    assert cost[0] < cost[1] < cost[2]
    assert low["first_attempt_success_rate"] > mid["first_attempt_success_rate"] > high["first_attempt_success_rate"]
    assert low["routes"]["failed_attempts"] < mid["routes"]["failed_attempts"] < high["routes"]["failed_attempts"]
    # Upstream is untouched by what happens at the door (same demand, same stock decisions).
    assert abs(low["cost_per_parcel"]["upstream"] - high["cost_per_parcel"]["upstream"]) < 1e-9


@pytest.mark.slow
def test_first_attempt_success_tracks_the_absence_probability() -> None:
    """With a flat hourly profile, first-attempt success should be close to 1 - p."""
    for p in (0.05, 0.25):
        rate = short_run(*_absence(p)).summary["first_attempt_success_rate"]
        assert abs(rate - (1 - p)) < 0.02, (p, rate)


def test_denser_demand_makes_each_route_parcel_cheaper() -> None:
    """More orders in the same area: shorter hops between stops, so a route's cost is shared by more parcels.

    The fleet is made large enough in both runs that capacity never binds, so the
    comparison is about density alone.
    """
    fleet = tuple(f"regional_warehouses.{a}.fleet.units.diesel_van.count=25" for a in AREAS)
    sparse = short_run(*fleet)
    dense = short_run(*fleet, *(f"regional_warehouses.{a}.area.orders_per_household_per_day="
                                 f"{rate * 2}" for a, rate in zip(AREAS, (0.008, 0.005, 0.003), strict=True)))
    def per_route_parcel(result):
        routes = result.routes
        return routes["cost"].sum() / routes["parcels"].sum()
    assert per_route_parcel(dense) < per_route_parcel(sparse)
    assert dense.summary["cost_per_parcel"]["last_mile"] < sparse.summary["cost_per_parcel"]["last_mile"]
    km_per_stop = [r.routes["km"].sum() / r.routes["stops"].sum() for r in (sparse, dense)]
    assert km_per_stop[1] < km_per_stop[0]


def test_fewer_attempts_send_more_parcels_to_pickup_points() -> None:
    three = short_run().summary
    one = short_run("last_mile.max_attempts=1").summary
    assert one["parcels"]["delivered_pickup_point"] + one["parcels"]["at_pickup_point"] > (
        three["parcels"]["delivered_pickup_point"] + three["parcels"]["at_pickup_point"]
    )
    assert one["attempts_per_attempted_parcel"] == 1.0


def test_returning_instead_of_pickup_points_returns_parcels() -> None:
    result = short_run("last_mile.after_max_attempts=\"return\"", "last_mile.max_attempts=1").summary
    assert result["parcels"]["returned"] > 0
    assert result["parcels"]["at_pickup_point"] == 0
    assert result["parcels"]["delivered_pickup_point"] == 0
