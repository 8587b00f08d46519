"""Where a depot's parcels go after a round, and how the ones beyond its vans end.

Failed parcels are re-queued, redirected to a pickup point or returned to the
sender; parcels left at a pickup point or with the third-party carrier have
their fate decided at hand-over from their own random numbers, and it is
settled at the end of the run if its time has come.
"""

from __future__ import annotations

import math

from sim.ledger import Component
from sim.model.context import SimContext
from sim.model.lastmile.carrier import CarrierOutcome, carrier_outcome
from sim.model.lastmile.costing import STAGE
from sim.model.lastmile.jobs import RouteOutcome
from sim.model.lastmile.pickup import PickupNetwork
from sim.model.lastmile.queues import ParcelQueues
from sim.model.streams import PICKUP_COLLECTED, PICKUP_DELAY, REDIRECT, parcel_uniform
from sim.records import ParcelState, TrailEvent
from sim.scenario.schema import Area, LastMilePolicy


class ParcelSettlement:
    """The parcel bookkeeping of one depot outside its routes' own hand-overs."""

    def __init__(
        self, ctx: SimContext, name: str, area: Area, policy: LastMilePolicy, depart_hour: float,
        pickup: PickupNetwork, queues: ParcelQueues,
    ) -> None:
        self.ctx = ctx
        self.name = name
        self.area = area
        self.policy = policy
        self.depart_hour = depart_hour
        self.pickup = pickup
        self.queues = queues
        self.pickup_outcomes: list[tuple[int, float, bool]] = []  # (parcel, collection or return time, collected?)
        self.carrier_outcomes: list[tuple[int, CarrierOutcome]] = []

    def route_returned(self, outcome: RouteOutcome, now: float) -> None:
        """A vehicle is back: failed parcels are re-queued, sent towards a pickup point or returned."""
        parcels = self.ctx.parcels
        for parcel_id in outcome.aborted:
            parcels.state[parcel_id] = ParcelState.AT_DEPOT
            point = int(parcels.pickup_point[parcel_id])
            if point >= 0:
                self.pickup.release_reservation(point)
                parcels.pickup_point[parcel_id] = -1
            self.queues.add(parcel_id, bool(parcels.wants_pickup[parcel_id]))
        redirect_share = self.area.redirect_after_failure_share
        has_points = len(self.pickup) > 0
        for parcel_id in outcome.failed:
            parcels.state[parcel_id] = ParcelState.AT_DEPOT
            attempts = int(parcels.attempts[parcel_id])
            key = int(parcels.key[parcel_id])
            redirected = has_points and parcel_uniform(key, REDIRECT, attempts) < redirect_share
            if attempts < self.policy.max_attempts and not redirected:
                self.queues.home.append(parcel_id)
            elif (redirected or self.policy.after_max_attempts == "pickup_point") and has_points:
                parcels.wants_pickup[parcel_id] = True
                self.queues.pickup.append(parcel_id)
            else:
                self.return_to_sender(parcel_id, now)

    def hand_to_pickup_point(self, parcel_ids: tuple[int, ...], now: float) -> None:
        """Parcels left at a pickup point or locker; when (and whether) the customer collects is decided now."""
        parcels = self.ctx.parcels
        policy = self.policy
        point = int(parcels.pickup_point[parcel_ids[0]])
        locker = bool(self.pickup.is_locker[point])
        fee = policy.locker_fee if locker else policy.pickup_point_fee
        for parcel_id in parcel_ids:
            parcels.state[parcel_id] = ParcelState.AT_PICKUP_POINT
            parcels.via_pickup[parcel_id] = True
            parcels.pickup_handover_h[parcel_id] = now
            parcels.pickup_point_cost[parcel_id] += fee
            self.ctx.recorder.track(parcel_id, now, TrailEvent.MOVED_TO_PICKUP_POINT)
            key = int(parcels.key[parcel_id])
            collected = parcel_uniform(key, PICKUP_COLLECTED) < policy.pickup_collection_probability
            delay_days = -policy.pickup_collection_mean_days * math.log(parcel_uniform(key, PICKUP_DELAY))
            if collected and delay_days <= policy.pickup_hold_days:
                release = now + 24.0 * delay_days
            else:
                collected, release = False, now + 24.0 * policy.pickup_hold_days
            self.pickup_outcomes.append((parcel_id, release, collected))
            self.pickup.occupy(point, release)
        component: Component = "locker_fee" if locker else "pickup_point_fee"
        self.ctx.ledger.post(now, STAGE, component, self.name, fee * len(parcel_ids))

    def hand_to_carrier(self, parcel_ids: list[int], now: float) -> None:
        """Outsourced parcels leave with the third-party carrier, at its per-parcel rate."""
        outsourcing = self.area.outsourcing
        parcels = self.ctx.parcels
        for parcel_id in parcel_ids:
            parcels.state[parcel_id] = ParcelState.OUT_FOR_DELIVERY
            parcels.first_out_time_h[parcel_id] = now
            parcels.outsourced_cost[parcel_id] = outsourcing.rate_per_parcel
            parcels.co2e_kg[parcel_id] += outsourcing.co2e_kg_per_parcel
            outcome = carrier_outcome(outsourcing, int(parcels.key[parcel_id]), now, self.depart_hour)
            self.carrier_outcomes.append((parcel_id, outcome))
        n = len(parcel_ids)
        facility = f"{self.name}/3pl"
        self.ctx.ledger.post(now, STAGE, "outsourced_delivery", facility, outsourcing.rate_per_parcel * n)
        self.ctx.emissions.post(now, STAGE, "outsourced_delivery", facility, outsourcing.co2e_kg_per_parcel * n)

    def return_to_sender(self, parcel_id: int, now: float) -> None:
        """Send a parcel back: handling at the depot plus the reverse transport."""
        parcels = self.ctx.parcels
        policy = self.policy
        cost = policy.return_handling_cost + policy.return_transport_cost_per_parcel
        parcels.state[parcel_id] = ParcelState.RETURNED
        parcels.return_cost[parcel_id] += cost
        self.ctx.ledger.post(now, STAGE, "return", self.name, cost)
        self.ctx.recorder.track(parcel_id, now, TrailEvent.RETURNED)

    def finalize(self, end_h: float) -> None:
        """At the end of the run, settle the pickup-point and carrier parcels whose time has come."""
        parcels = self.ctx.parcels
        for parcel_id, time_h, collected in self.pickup_outcomes:
            if time_h > end_h:
                continue
            if collected:
                parcels.state[parcel_id] = ParcelState.DELIVERED
                parcels.delivered_time_h[parcel_id] = time_h
                self.ctx.recorder.track(parcel_id, time_h, TrailEvent.COLLECTED)
            else:
                self.return_to_sender(parcel_id, time_h)
        for parcel_id, outcome in self.carrier_outcomes:
            if outcome.time_h > end_h:
                continue
            parcels.attempts[parcel_id] = outcome.attempts
            if outcome.delivered:
                parcels.state[parcel_id] = ParcelState.DELIVERED
                parcels.delivered_time_h[parcel_id] = outcome.time_h
                parcels.first_attempt_success[parcel_id] = outcome.attempts == 1
                self.ctx.recorder.track(parcel_id, outcome.time_h, TrailEvent.DELIVERED)
            else:
                self.return_to_sender(parcel_id, outcome.time_h)
