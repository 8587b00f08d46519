"""Which stops a unit may serve: product classes, parcel weight, the low-emission zone, drone rules."""

from __future__ import annotations

import numpy as np

from sim.model.lastmile.drone import Drone
from sim.model.lastmile.eligibility import ServiceRules
from sim.model.lastmile.fleet import build_unit
from sim.model.lastmile.road import RoadVehicle
from sim.model.lastmile.stops import Stop, StopList
from tests.model.lastmile.lastmile_world import LAST_MILE_EXAMPLES, World, world


class NoDepot:
    """A depot port that is never called: these tests plan, they do not run routes."""

    def hand_to_pickup_point(self, parcel_ids: tuple[int, ...], now: float) -> None:
        raise AssertionError("not expected")

    def route_finished(self, job: object, start_h: float, outcome: object) -> None:
        raise AssertionError("not expected")


def home(w: World, parcel_id: int, window: tuple[float, float] | None = None, point: int = -1) -> Stop:
    parcels = w.parcels
    return Stop(float(parcels.x_km[parcel_id]), float(parcels.y_km[parcel_id]), (parcel_id,), point,
                float(parcels.volume_m3[parcel_id]), float(parcels.weight_kg[parcel_id]), 0.05, window)


def rules(w: World, type_name: str) -> ServiceRules:
    return ServiceRules(w.parcels, w.products, w.scenario.vehicle_types[type_name], type_name, w.area)


def test_product_classes_and_parcel_weight_limit_a_vehicle_type() -> None:
    w = world()
    drone = w.scenario.vehicle_types["drone"]
    assert drone.max_parcel_weight_kg is not None
    light = w.add_parcels([(1.0, 1.0)], product="standard", weight_kg=1.0)
    bulky = w.add_parcels([(1.0, 1.0)], product="bulky", weight_kg=1.0)
    heavy = w.add_parcels([(1.0, 1.0)], product="standard", weight_kg=drone.max_parcel_weight_kg + 1)
    stops = [home(w, int(i)) for i in (*light, *bulky, *heavy)]
    assert rules(w, "drone").mask(StopList.of(stops)).tolist() == [True, False, False]
    assert rules(w, "cargo_bike").mask(StopList.of(stops)).tolist() == [True, False, True]
    assert rules(w, "diesel_van").mask(StopList.of(stops)).tolist() == [True, True, True]


def test_a_stop_passes_only_if_every_parcel_passes() -> None:
    w = world()
    ids = w.add_parcels([(1.0, 1.0), (1.0, 1.0)])
    w.parcels.product[ids[1]] = w.products.index("bulky")
    both = Stop(1.0, 1.0, (int(ids[0]), int(ids[1])), 2, 0.02, 2.0, 0.1)
    assert rules(w, "cargo_bike").mask(StopList.of([both, home(w, int(ids[0]))])).tolist() == [False, True]


def test_low_emission_zone_bans_vehicles_not_allowed_inside_its_radius() -> None:
    w = world(path=LAST_MILE_EXAMPLES / "low_emission_zone.toml")  # radius 2 km, electric vans allowed
    ids = w.add_parcels([(0.5, 0.5), (3.0, 0.0)])
    stops = [home(w, int(i)) for i in ids]
    assert rules(w, "diesel_van").mask(StopList.of(stops)).tolist() == [False, True]
    assert rules(w, "electric_van").mask(StopList.of(stops)).tolist() == [True, True]


def test_drones_skip_windows_and_pickup_points_and_road_vehicles_do_not() -> None:
    w = world()
    ids = w.add_parcels([(1.0, 1.0)] * 3, weight_kg=0.5)
    stops = [home(w, int(ids[0])), home(w, int(ids[1]), window=(8.0, 11.0)), home(w, int(ids[2]), point=0)]
    setting = w.setting()
    drone = build_unit(0, w.fleet.units[0].model_copy(update={"type": "drone"}), w.scenario.vehicle_types["drone"],
                       setting, NoDepot(), None, w.scenario.routing, np.random.default_rng(0))
    van = build_unit(1, w.fleet.units[0], w.scenario.vehicle_types["diesel_van"], setting, NoDepot(), None,
                     w.scenario.routing, np.random.default_rng(0))
    assert isinstance(drone, Drone) and isinstance(van, RoadVehicle)
    assert drone.eligible(StopList.of(stops)).tolist() == [True, False, False]
    assert van.eligible(StopList.of(stops)).tolist() == [True, True, True]
