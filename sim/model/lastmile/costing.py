"""What a route cost: vehicle and driver money and CO2e, posted to the ledgers and shared out to its parcels.

Drivers are paid for the whole shift (a guaranteed shift) and overtime at a
premium. Every attempted parcel carries an equal share of the route's vehicle
and driver cost; the shares of failed attempts are booked under the component
``failed_attempt``, so the ledgers say what the failures cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from sim.ledger import Component, CostLedger, Stage
from sim.model.context import SimContext
from sim.model.lastmile.jobs import RouteJob, RouteOutcome
from sim.records import RouteRecord
from sim.scenario.schema import Fleet, VehicleType

# Every cost and emission of a depot and its vehicles is booked to this stage.
STAGE: Final[Stage] = "last_mile"


@dataclass(frozen=True)
class RouteCost:
    """The money and emissions of one route, before they are split between delivered and failed parcels."""

    duration_h: float
    overtime_h: float
    distance_cost: float
    driver_cost: float
    co2e_kg: float

    @classmethod
    def of(cls, vehicle: VehicleType, fleet: Fleet, duration_h: float, km: float) -> RouteCost:
        """Cost of a route of ``km`` that kept the vehicle out ``duration_h`` hours."""
        overtime_h = max(0.0, duration_h - fleet.shift_hours)
        driver = vehicle.driver_cost_per_hour * (fleet.shift_hours + overtime_h * fleet.overtime_multiplier)
        return cls(duration_h, overtime_h, km * vehicle.cost_per_km, driver, km * vehicle.co2e_kg_per_km)


def failed_share(outcome: RouteOutcome) -> float:
    """Share of the route's attempts that failed (0 when nothing was attempted)."""
    attempted = outcome.attempted
    return len(outcome.failed) / attempted if attempted else 0.0


def post_split(ledger: CostLedger, now: float, facility: str, component: Component, amount: float,
               failed: float) -> None:
    """Post ``amount`` under ``component``, less the ``failed`` share, which goes to ``failed_attempt``."""
    ledger.post(now, STAGE, component, facility, amount * (1.0 - failed))
    ledger.post(now, STAGE, "failed_attempt", facility, amount * failed)


class RouteCosting:
    """Settles the routes of one depot: ledgers, the parcels' cost columns, the route table."""

    def __init__(self, ctx: SimContext, facility: str, fleet: Fleet, failed_handling_cost: float) -> None:
        self.ctx = ctx
        self.facility = facility
        self.fleet = fleet
        self.failed_handling_cost = failed_handling_cost

    def settle(self, job: RouteJob, start_h: float, outcome: RouteOutcome) -> None:
        """Post the route's cost and emissions, allocate both to the parcels it attempted, record the route."""
        ctx = self.ctx
        now = ctx.env.now
        parcels = ctx.parcels
        cost = RouteCost.of(job.ops.vehicle, self.fleet, now - start_h, outcome.km)
        attempted = outcome.attempted
        failed = failed_share(outcome)
        facility = self.facility
        post_split(ctx.ledger, now, facility, "vehicle_distance", cost.distance_cost, failed)
        post_split(ctx.ledger, now, facility, "driver_time", cost.driver_cost, failed)
        post_split(ctx.emissions, now, facility, "vehicle_distance", cost.co2e_kg, failed)
        handling = self.failed_handling_cost
        ctx.ledger.post(now, STAGE, "failed_attempt_handling", facility, handling * len(outcome.failed))
        if attempted:
            share = (cost.distance_cost + cost.driver_cost) / attempted
            served = np.asarray(outcome.delivered + outcome.at_pickup_point, dtype=np.int64)
            parcels.last_mile_cost[served] += share
            failed_ids = np.asarray(outcome.failed, dtype=np.int64)
            parcels.failed_attempt_cost[failed_ids] += share + handling
            every = np.asarray(outcome.delivered + outcome.at_pickup_point + outcome.failed, dtype=np.int64)
            parcels.co2e_kg[every] += cost.co2e_kg / attempted
        ctx.recorder.routes.append(RouteRecord(
            route_id=job.route_id, regional=facility, vehicle_type=job.ops.name, wave=job.wave, day=job.day,
            depart_h=start_h, return_h=now, stops=len(job.stops), parcels=attempted + len(outcome.aborted),
            delivered=len(outcome.delivered) + len(outcome.at_pickup_point), failed=len(outcome.failed),
            aborted=len(outcome.aborted), km=outcome.km, planned_km=job.planned_km,
            planned_duration_h=job.planned_h, driving_h=outcome.driving_h, service_h=outcome.service_h,
            duration_h=cost.duration_h, overtime_h=cost.overtime_h, cost=cost.distance_cost + cost.driver_cost,
            co2e_kg=cost.co2e_kg, window_stops=outcome.window_stops, late_stops=outcome.late_stops,
        ))
