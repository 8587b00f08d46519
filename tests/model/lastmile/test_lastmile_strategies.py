"""Last-mile strategies: each example scenario changes what it should, in the direction it should.

Every comparison runs the same seed on the same short horizon, so demand,
presence and service draws are shared (common random numbers).
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from sim import RunResult, ScenarioError, load_scenario, run
from tests.conftest import BASELINE, ROOT, units_located

EXAMPLES = ROOT / "scenarios" / "examples" / "last_mile"
HORIZON = ("horizon.warmup_days=3", "horizon.days=7")


@cache
def example(name: str, *overrides: str) -> RunResult:
    path = BASELINE if name == "baseline" else EXAMPLES / f"{name}.toml"
    return run(load_scenario(path, (*HORIZON, *overrides)), seed=11)


def _window(result: RunResult):
    return result.parcels[result.parcels["in_window"]]


def test_every_example_validates_and_names_itself() -> None:
    files = sorted((ROOT / "scenarios" / "examples").rglob("*.toml"))
    assert len(files) >= 25 and len(list(EXAMPLES.glob("*.toml"))) >= 10
    for path in files:
        assert load_scenario(path).name == path.stem


def test_lockers_absorb_failures_and_cut_last_mile_cost() -> None:
    base, lockers = example("baseline").summary, example("lockers").summary
    assert lockers["service"]["chose_pickup_share"] > 0.15
    assert lockers["routes"]["failed_attempts"] < base["routes"]["failed_attempts"]
    assert lockers["cost_per_parcel"]["last_mile"] < base["cost_per_parcel"]["last_mile"]
    fees = example("lockers").cost_table()
    assert (fees["component"] == "locker_fee").any()


def test_locker_capacity_is_never_exceeded() -> None:
    capacity = 4
    result = example("lockers", "regional_warehouses.metro.area.pickup_points=0",
                     f"regional_warehouses.metro.area.locker_capacity={capacity}")
    parcels = result.parcels
    metro = parcels[(parcels["regional"] == "metro") & parcels["pickup_handover_h"].notna()]
    assert len(metro) > 0
    hold_h = 7 * 24.0
    release = np.where(metro["state"] == "delivered", metro["delivered_time_h"], metro["pickup_handover_h"] + hold_h)
    for _, group in metro.assign(release=release).groupby("pickup_point"):
        events = sorted([(t, 1) for t in group["pickup_handover_h"]] + [(t, -1) for t in group["release"]],
                        key=lambda e: (e[0], e[1]))
        occupancy = np.cumsum([delta for _, delta in events])
        assert occupancy.max() <= capacity
    # Full lockers push customers who chose one back to home delivery.
    chose = parcels[(parcels["regional"] == "metro") & parcels["chose_pickup"] & parcels["state"].eq("delivered")]
    assert (chose["delivered_via"] == "home").any()


def test_electric_vans_cut_last_mile_co2_by_the_emission_factor_ratio() -> None:
    diesel, electric = example("baseline"), example("electric_vans")
    km = [r.routes["km"].sum() for r in (diesel, electric)]
    co2 = [r.routes["co2e_kg"].sum() for r in (diesel, electric)]
    assert abs(km[1] / km[0] - 1) < 0.15
    ratio = (co2[1] / km[1]) / (co2[0] / km[0])
    assert ratio == pytest.approx(0.047 / 0.257, rel=1e-9)
    assert electric.summary["co2e_kg"]["last_mile"] < 0.3 * diesel.summary["co2e_kg"]["last_mile"]


def test_low_emission_zone_keeps_diesel_vans_out_of_the_core() -> None:
    result = example("low_emission_zone")
    parcels = result.parcels
    metro = parcels[(parcels["regional"] == "metro") & (parcels["vehicle_type"] != "")]
    in_zone = np.hypot(metro["x_km"], metro["y_km"]) <= 2.0
    assert in_zone.sum() > 0
    assert set(metro.loc[in_zone, "vehicle_type"]) == {"electric_van"}
    assert (metro.loc[~in_zone, "vehicle_type"] == "diesel_van").any()
    base = example("baseline").parcels
    assert set(base.loc[base["regional"] == "metro", "vehicle_type"]) <= {"diesel_van", ""}


@pytest.mark.slow
def test_tighter_time_windows_raise_km_per_parcel() -> None:
    wide = ("regional_warehouses.metro.area.time_windows.share=0.5",
            "regional_warehouses.metro.area.time_windows.slots=[[8.0, 14.0], [14.0, 20.0]]")
    tight = ("regional_warehouses.metro.area.time_windows.share=0.5",
             "regional_warehouses.metro.area.time_windows.slots=[[8.0, 10.0], [10.0, 12.0], [12.0, 14.0], "
             "[14.0, 16.0], [16.0, 18.0], [18.0, 20.0]]")
    def km_per_parcel(result: RunResult) -> float:
        routes = result.routes[result.routes["regional"] == "metro"]
        return float(routes["km"].sum() / (routes["delivered"].sum() + routes["failed"].sum()))
    assert km_per_parcel(example("baseline", *tight)) > km_per_parcel(example("baseline", *wide))
    kept = example("baseline", *wide).summary["service"]["time_window_kept_rate"]
    assert kept > 0.8


def test_consolidation_puts_several_parcels_behind_one_door() -> None:
    base, merged = example("baseline"), example("consolidation")
    metro = merged.routes[merged.routes["regional"] == "metro"]
    assert metro["parcels"].sum() > metro["stops"].sum()
    base_metro = base.routes[base.routes["regional"] == "metro"]
    assert (base_metro["parcels"] == base_metro["stops"]).all()
    county = merged.routes[merged.routes["regional"] == "county"]
    assert set(county["day"] % 7) <= {0, 2, 4}


def test_drones_take_only_light_eligible_parcels_and_never_fail() -> None:
    result = example("drones_rural")
    by_drone = result.parcels[result.parcels["vehicle_type"] == "drone"]
    assert len(by_drone) > 0
    assert set(by_drone["product"].astype(str)) <= {"standard", "perishable"}
    assert (by_drone["weight_kg"] <= 2.5).all()
    # Nobody needs to be in for a drone: its attempts never fail (a parcel may have failed earlier by van).
    assert (by_drone["state"] == "delivered").all()
    assert by_drone.loc[by_drone["attempts"] == 1, "first_attempt_success"].all()
    assert (np.hypot(by_drone["x_km"] - 8.0, by_drone["y_km"]) * 2 <= 20.0).all()


def test_outsourced_parcels_cost_the_carrier_rate() -> None:
    result = example("outsourcing_rural")
    parcels = result.parcels
    county = parcels[parcels["regional"] == "county"]
    assert county["outsourced"].all()
    handed = county[county["picked_time_h"].notna()]
    ledger = result.ledger
    paid = ledger.loc[ledger["component"] == "outsourced_delivery", "amount"].sum()
    assert paid == pytest.approx(6.50 * len(handed))
    delivered = county[county["state"] == "delivered"]
    assert (delivered["delivered_via"] == "carrier").all() and len(delivered) > 0
    assert result.routes[result.routes["regional"] == "county"].empty


def test_same_day_parcels_arrive_on_the_order_day() -> None:
    result = example("same_day")
    same_day = _window(result)
    same_day = same_day[same_day["same_day"] & (same_day["state"] == "delivered")]
    assert len(same_day) > 50
    on_day = (same_day["delivered_time_h"] // 24) == (same_day["order_time_h"] // 24)
    assert on_day.mean() > 0.8
    assert result.summary["service"]["same_day_on_time_rate"] > 0.8


def test_curfew_hours_are_respected() -> None:
    result = example("curfew")
    metro = result.parcels[(result.parcels["regional"] == "metro") & (result.parcels["delivered_via"] == "home")]
    hours = metro["delivered_time_h"].dropna() % 24
    assert len(hours) > 0 and hours.min() >= 9.0 and hours.max() <= 18.0 + 0.5  # the last hand-over may run on


def test_micro_hub_bikes_carry_no_bulky_parcels_and_the_hub_is_paid() -> None:
    result = example("micro_hub_cargo_bikes")
    by_bike = result.parcels[result.parcels["vehicle_type"] == "cargo_bike"]
    assert len(by_bike) > 0 and "bulky" not in set(by_bike["product"].astype(str))
    ledger = result.ledger
    assert ledger.loc[ledger["component"] == "micro_hub", "amount"].sum() > 0
    assert (ledger["facility"] == "metro->hub").any()


def test_emissions_ledger_matches_routes_trips_and_parcels() -> None:
    for name in ("baseline", "outsourcing_rural", "micro_hub_cargo_bikes"):
        result = example(name)
        emissions = result.emissions["co2e_kg"].sum()
        shuttle = result.emissions.loc[result.emissions["facility"].astype(str).str.endswith("->hub"), "co2e_kg"].sum()
        carrier = result.emissions.loc[result.emissions["component"] == "outsourced_delivery", "co2e_kg"].sum()
        assert emissions == pytest.approx(result.routes["co2e_kg"].sum() + result.trips["co2e_kg"].sum()
                                          + shuttle + carrier, rel=1e-9)
        assert result.parcels["co2e_kg"].sum() == pytest.approx(result.routes["co2e_kg"].sum() + carrier, rel=1e-9)
        s = result.summary["co2e_kg"]
        assert s["total"] == s["upstream"] + s["last_mile"]
        assert 0 <= s["failed_attempt_share_of_last_mile"] < 0.5


def test_conservation_holds_in_every_strategy() -> None:
    for name in ("lockers", "drones_rural", "outsourcing_rural", "same_day", "consolidation"):
        result = example(name)
        b = {k: np.asarray(v) for k, v in result.unit_balance.items()}
        np.testing.assert_array_equal(b["initial"] + b["produced"],
                                      units_located(b))
        counts = result.summary["parcels"]
        assert counts["ordered"] == sum(counts[s] for s in ("delivered", "at_pickup_point", "returned", "in_system"))
        assert math.isclose(result.summary["total_cost"], result.cost_table()["amount"].sum(), rel_tol=1e-12)


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        (("vehicle_types.drone.products=[\"standard\", \"bulky\"]",), "weigh more than its max_parcel_weight_kg"),
        (("regional_warehouses.metro.area.pickup_points=0", "regional_warehouses.metro.area.lockers=2",
          "regional_warehouses.metro.area.locker_capacity=0", "regional_warehouses.metro.area.pickup_choice_share=1.0"),
         "add points or locker capacity"),
        (("regional_warehouses.metro.area.low_emission_zone={ radius_km = 1.0, allowed_types = [\"cargo_bike\"] }",),
         "no vehicle of its fleet may enter the low-emission zone"),
        (("regional_warehouses.metro.fleet.units=[{ type = \"hovercraft\", count = 2 }]",), "'hovercraft'"),
        (("regional_warehouses.metro.fleet.units=[{ type = \"diesel_van\", count = 2, start = \"micro_hub\" }]",),
         "area.micro_hub is unset"),
        (("service.same_day_share=0.2",), "wave = \"same_day\""),
        (("regional_warehouses.county.fleet.units=[{ type = \"drone\", count = 3 }]",),
         "can carry product 'bulky'"),
        (("vehicle_types.electric_van.charging_hours=20",), "charging"),
    ],
)
def test_bad_strategy_combinations_are_caught_at_validation(overrides: tuple[str, ...], fragment: str) -> None:
    if overrides[0].startswith("vehicle_types.electric_van"):
        overrides = (*overrides, "regional_warehouses.metro.fleet.units=[{ type = \"electric_van\", count = 11 }]")
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, overrides)
    assert fragment in str(info.value)


def test_extends_merges_named_tables_and_replaces_lists(tmp_path: Path) -> None:
    child = tmp_path / "child.toml"
    child.write_text(
        f'extends = "{BASELINE}"\nname = "child"\n[[regional_warehouses]]\nname = "suburb"\n'
        'fleet = { units = [{ type = "electric_van", count = 3 }] }\n'
    )
    scenario = load_scenario(child)
    assert [r.name for r in scenario.regional_warehouses] == ["metro", "suburb", "county"]
    suburb = scenario.regional_warehouses[1]
    assert suburb.fleet.units[0].type == "electric_van" and suburb.area.kind == "suburban"
    loop = tmp_path / "loop.toml"
    loop.write_text('extends = "loop.toml"\nname = "loop"\n')
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(loop)


def test_extends_replaces_a_policy_table_of_another_kind(tmp_path: Path) -> None:
    child = tmp_path / "child.toml"
    child.write_text(
        f'extends = "{BASELINE}"\nname = "child"\n[[regional_warehouses]]\nname = "metro"\n'
        'inventory = { policy = "base_stock", level_days = 5 }\n'
    )
    metro = load_scenario(child).regional_warehouses[0]
    assert metro.inventory.policy == "base_stock"
