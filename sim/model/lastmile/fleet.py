"""A depot's fleet units, each built once as the vehicle kind that plans and runs it."""

from __future__ import annotations

import numpy as np

from sim.model.lastmile.drone import Drone
from sim.model.lastmile.eligibility import ServiceRules
from sim.model.lastmile.ports import DepotPort, VehicleKind
from sim.model.lastmile.road import RoadVehicle
from sim.model.lastmile.setting import RoundSetting
from sim.model.lastmile.vehicles import UnitOps
from sim.scenario.schema import FleetUnit, Routing, VehicleType


def build_unit(
    index: int, unit: FleetUnit, vehicle: VehicleType, setting: RoundSetting, depot: DepotPort,
    hub_xy: np.ndarray | None, routing: Routing, planner_rng: np.random.Generator,
) -> VehicleKind:
    """Fleet unit ``index`` of the depot: drones fly sorties, every other vehicle drives planned routes."""
    fleet = setting.fleet
    ops = UnitOps.build(index, unit, vehicle, setting.area, setting.geometry.depot_xy, hub_xy, setting.traffic,
                        fleet.depart_hour, fleet.shift_hours)
    rules = ServiceRules(setting.ctx.parcels, setting.products, vehicle, unit.type, setting.area)
    if vehicle.kind == "drone":
        return Drone(ops, setting, depot, rules)
    return RoadVehicle(ops, setting, depot, rules, routing, planner_rng)
