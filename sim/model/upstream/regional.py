"""A regional warehouse: customer orders arrive, stock is reserved or backordered, orders are picked."""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from functools import partial
from typing import Any, Final

import numpy as np
import simpy

from sim.ledger import Stage
from sim.model.context import SimContext
from sim.model.demand_history import demand_for
from sim.model.geography import AreaGeometry
from sim.model.lastmile import LastMileDepot
from sim.model.ports import RoadTraffic
from sim.model.products import ProductTable
from sim.model.upstream.central import CentralDC
from sim.model.upstream.choices import draw_customer_choices
from sim.model.upstream.operations import DockReceiving, PickingStation, Shift
from sim.model.upstream.policies import StockPolicy
from sim.model.upstream.stock import StockPoint
from sim.model.upstream.stores import StoreNetwork
from sim.records import ParcelState, TrailEvent
from sim.scenario.schema import RegionalWarehouse

STAGE: Final[Stage] = "regional_warehouse"


# The state an order in stock takes, as a plain int (the per-order path writes it).
AWAITING_PICK = int(ParcelState.AWAITING_PICK)

class RegionalDepot:
    """Regional warehouse and the courier depot beside it, serving one area."""

    def __init__(
        self, ctx: SimContext, config: RegionalWarehouse, index: int, products: ProductTable, central: CentralDC
    ) -> None:
        self.ctx = ctx
        self.config = config
        self.index = index
        self.name = config.name
        self.products = products
        area = config.area
        self.geometry = AreaGeometry(area, ctx.streams.get(f"geography/{self.name}"))
        # A demand surge in this area multiplies the day's mean (None: no surge reaches it in this run).
        surge = partial(ctx.disruptions.demand_factor, self.name) if ctx.disruptions.surges(self.name) else None
        self.demand = demand_for(ctx.scenario, config, products, self.geometry, surge=surge)
        # Online orders and shop sales both draw on this stock: its levels cover both.
        self.daily_demand = config.expected_units_per_day * products.share
        policy = StockPolicy.for_warehouse(config.inventory, config.inventory_by_product, self.daily_demand,
                                           products.names)
        self.stock = StockPoint(ctx, self.name, STAGE, products, policy, config.storage_cost_per_m3_day)
        self.waiting_for_stock: list[deque[int]] = [deque() for _ in range(len(products))]
        self.backorder_units = np.zeros(len(products), dtype=np.int64)
        self.to_pick: deque[int] = deque()
        self.to_pick_same_day: deque[int] = deque()
        self.picked_on_day: dict[int, int] = {}
        self.central = central
        self.inbound = central.connect(self, config.supplier_distance_km, config.supplier_dispatch)
        # While closed it receives, picks and dispatches nothing (None: it never closes in this run).
        self.gate = ctx.disruptions.gate(self.name, ctx.env)
        self.last_mile = LastMileDepot(ctx, config, index, products, self.geometry)
        self.stores = StoreNetwork(ctx, self) if config.stores is not None else None
        ctx.env.process(self._demand_loop())
        ops = config.operations
        self.picking: PickingStation | None = None
        if ops is not None and ops.pickers is not None:
            # Continuous picking replaces both daily waves; its stream is new, so no other draw moves.
            self.picking = PickingStation(
                ctx.env, ops.pickers, ops.pick_minutes_mean, ctx.streams.get(f"picking/{self.name}"),
                self._picked_one, Shift(ops.shift_start_hour, ops.shift_hours),
                closed_h=self._closed_h if self.gate is not None else None,
            )
        else:
            ctx.env.process(self._picking_loop())
            if ctx.scenario.service.same_day_share > 0:
                ctx.env.process(self._same_day_picking_loop())
        self.dock: DockReceiving | None = None
        if ops is not None and ops.dock_doors is not None:
            self.dock = DockReceiving(
                ctx.env, ops.dock_doors, ops.unload_hours_per_truck, ops.unload_time == "exponential",
                ops.putaway_minutes_per_unit, ctx.streams.get(f"receiving/{self.name}"),
                self._cross_dock if ops.cross_dock else self._nothing_skips_putaway, self._shelve,
            )
        if policy.has_periodic:  # a warehouse reviewed only continuously spends no events on a review clock
            ctx.env.process(self._review_loop())

    @property
    def traffic(self) -> RoadTraffic:
        """The area's road traffic (the couriers' and the store trucks')."""
        return self.last_mile.traffic

    def is_closed(self) -> bool:
        """Whether a closure holds the warehouse now."""
        return self.gate is not None and self.gate.closed()

    # --- customer orders -------------------------------------------------------

    def _demand_loop(self) -> Generator[simpy.Event, Any, None]:
        ctx = self.ctx
        env = ctx.env
        rng = ctx.streams.get(f"demand/{self.name}")
        parcels = ctx.parcels
        for day in range(ctx.days):
            orders = self.demand.draw_day(rng, day, ctx.weekday(day))
            ids = parcels.add_batch(
                self.index, orders.time_h, orders.x_km, orders.y_km, orders.product, orders.volume_m3,
                orders.weight_kg, orders.key,
            )
            draw_customer_choices(ctx, self.config, self.geometry, ids, day)
            # The per-order fields as Python values up front: reading them one by one from the store costs more.
            for parcel_id, time_h, product, same_day in zip(
                ids.tolist(), orders.time_h.tolist(), orders.product.tolist(), parcels.same_day[ids].tolist(),
                strict=True,
            ):
                # An order is taken inline when nothing else is due before it (see CountingEnvironment.skip).
                if time_h > env.now and not env.skip(time_h - env.now):
                    yield env.timeout(time_h - env.now)
                self._order(parcel_id, product, same_day)
            yield env.timeout((day + 1) * 24.0 - env.now)

    def _order(self, parcel_id: int, product: int, same_day: bool) -> None:
        parcels = self.ctx.parcels
        now = self.ctx.env.now
        self.ctx.recorder.track(parcel_id, now, TrailEvent.ORDERED)
        if self.stock.take_one(product):
            parcels.state[parcel_id] = AWAITING_PICK
            if self.picking is not None:
                self._submit(parcel_id)
            else:
                (self.to_pick_same_day if same_day else self.to_pick).append(parcel_id)
        elif self.stock.lost_sales[product]:
            # Lost sale: the customer goes elsewhere; the order ends here and takes no unit.
            parcels.state[parcel_id] = ParcelState.LOST
            self.stock.lost[product] += 1
            self.ctx.recorder.track(parcel_id, now, TrailEvent.LOST_SALE)
        else:
            parcels.state[parcel_id] = ParcelState.AWAITING_STOCK
            parcels.backordered[parcel_id] = True
            self.waiting_for_stock[product].append(parcel_id)
            self.backorder_units[product] += 1
            self.ctx.recorder.track(parcel_id, now, TrailEvent.BACKORDERED)
        if self.stock.continuous[product]:
            self.review_product(product)

    # --- replenishment -----------------------------------------------------------

    def receive(self, load: np.ndarray) -> None:
        """A truck from the central warehouse arrives; waiting orders get its stock first.

        Without dock operations the load is on the shelf at once. With them it is
        unloaded and put away first; until then its units stay on order (so the
        inventory position does not dip and trigger a second order for them) and
        are counted on the inbound lane, the place the conservation identity
        looks for units between the supplier's shelf and this one.
        """
        ctx = self.ctx
        if self.is_closed():
            self._hold(load)
            return
        handling = float(load @ self.products.handling_multiplier) * self.config.handling_in_cost_per_unit
        ctx.ledger.post(ctx.env.now, STAGE, "handling_in", self.name, handling)
        if self.dock is None:
            self._shelve(load)
            return
        self.inbound.lane.in_transit += load
        self.dock.receive(load)

    def _hold(self, load: np.ndarray) -> None:
        """A truck reaches the closed warehouse: it waits in the yard, its units on the inbound lane."""

        def on_road(units: np.ndarray) -> None:
            self.inbound.lane.in_transit += units

        assert self.gate is not None
        self.gate.hold_truck(
            load, on_road, float(load @ self.products.holding_cost_per_unit_hour()),
            lambda cost: self.ctx.ledger.post(self.ctx.env.now, STAGE, "inventory_holding", self.name, cost),
            self.receive,
        )

    def _closed_h(self, now: float) -> float:
        """Hours until the warehouse reopens (0 when open): the pickers wait that long."""
        return self.ctx.disruptions.reopens_at(self.name, now) - now

    def _submit(self, parcel_id: int) -> None:
        """An order with its stock reserved joins the pickers' line; a closed warehouse holds it until reopening."""
        assert self.picking is not None
        if self.gate is not None and self.gate.closed():
            self.gate.defer(lambda: self._submit(parcel_id))
            return
        self.picking.submit(parcel_id)

    def _nothing_skips_putaway(self, load: np.ndarray) -> np.ndarray:
        """Without cross-docking every unloaded unit is put away."""
        return load

    def _cross_dock(self, load: np.ndarray) -> np.ndarray:
        """Unloaded units owed to backordered orders go straight to picking; the rest is put away."""
        served = np.array([min(int(units), len(waiting)) for units, waiting in zip(load, self.waiting_for_stock,
                                                                                   strict=True)], dtype=np.int64)
        if served.any():
            self._shelve(served)
        return load - served

    def _shelve(self, load: np.ndarray) -> None:
        """Units become available: waiting orders are allocated first, the rest goes on the shelf."""
        ctx = self.ctx
        if self.gate is not None and self.gate.closed():
            # Put away while closed (the dock was unloading when the closure began): the units wait, still
            # counted on the inbound lane, and are shelved at the reopening.
            self.gate.defer(lambda: self._shelve(load))
            return
        now = ctx.env.now
        if self.dock is not None:
            self.inbound.lane.in_transit -= load
        parcels = ctx.parcels
        for product in np.flatnonzero(load).tolist():
            units = int(load[product])
            self.stock.on_order[product] -= units
            waiting = self.waiting_for_stock[product]
            served = min(units, len(waiting))
            for _ in range(served):
                parcel_id = waiting.popleft()
                parcels.state[parcel_id] = ParcelState.AWAITING_PICK
                if self.picking is not None:
                    self._submit(parcel_id)
                else:
                    self.to_pick.append(parcel_id)
                ctx.recorder.track(parcel_id, now, TrailEvent.STOCK_ALLOCATED)
            self.backorder_units[product] -= served
            # Units for backorders pass over the shelf: they still count as received stock.
            self.stock.add(product, units)
            if served:
                self.stock.remove(product, served)
            if self.stock.continuous[product]:
                self.review_product(product)

    def cancel_on_order(self, product: int, units: int) -> None:
        """The central warehouse will not deliver ``units`` of ``product`` on order (a lost sale there)."""
        self.stock.cancel(product, units)

    def review_product(self, product: int) -> None:
        """Continuous review of one product after a demand or receipt event.

        A shortfall that the central warehouse cancels (lost sales there) lowers
        the position again, but does not trigger another review here: the next
        event does, so a stocked-out supplier cannot start an endless loop.
        """
        quantity = self.stock.review_product(self.backorder_units, product)
        if quantity is not None:
            self.central.request(self, quantity)

    def _review_loop(self) -> Generator[simpy.Event, Any, None]:
        """Periodic review at the review hour, of the products due that day."""
        env = self.ctx.env
        day = 0
        while True:
            yield env.timeout(day * 24.0 + self.config.review_hour - env.now)
            quantity = self.stock.reorder(self.backorder_units, self.stock.due(day))
            if quantity.any():
                self.central.request(self, quantity)
            day += 1

    # --- picking -------------------------------------------------------------------

    def _picking_loop(self) -> Generator[simpy.Event, Any, None]:
        """Once a day, before the couriers leave, pick and pack the oldest reserved orders up to capacity."""
        ctx = self.ctx
        env = ctx.env
        capacity = int(self.config.picking_capacity_orders_per_day)
        day = 0
        while True:
            yield env.timeout(day * 24.0 + self.config.picking_cutoff_hour - env.now)
            if self.is_closed():
                day += 1
                continue  # closed: nothing is picked; the orders wait for the first wave after the reopening
            # Same-day orders that missed yesterday's same-day wave are ordinary orders now.
            self.to_pick.extend(self.to_pick_same_day)
            self.to_pick_same_day.clear()
            count = min(capacity, len(self.to_pick))
            self.picked_on_day[day] = count
            if count:
                picked = [self.to_pick.popleft() for _ in range(count)]
                self._pick(picked, same_day=False)
            day += 1

    def _same_day_picking_loop(self) -> Generator[simpy.Event, Any, None]:
        """At the same-day cut-off, pick that morning's same-day orders with the capacity left today."""
        env = self.ctx.env
        capacity = int(self.config.picking_capacity_orders_per_day)
        cutoff = self.ctx.scenario.service.same_day_cutoff_hour
        day = 0
        while True:
            yield env.timeout(day * 24.0 + cutoff - env.now)
            if self.is_closed():
                day += 1
                continue
            count = min(capacity - self.picked_on_day.get(day, 0), len(self.to_pick_same_day))
            if count > 0:
                self.picked_on_day[day] = self.picked_on_day.get(day, 0) + count
                self._pick([self.to_pick_same_day.popleft() for _ in range(count)], same_day=True)
            day += 1

    def _picked_one(self, parcel_id: int, wait_h: float) -> None:
        """A picker finished one order (continuous picking).

        A same-day order joins the same-day wave if it is ready on its order day
        before that wave leaves; otherwise it is an ordinary order, as one that
        missed the same-day wave is in the daily picking.
        """
        del wait_h  # the parcel records its own times; the wait is for the queueing harness
        now = self.ctx.env.now
        same_day = bool(self.ctx.parcels.same_day[parcel_id]) and (
            now < float(self.ctx.parcels.order_time_h[parcel_id]) // 24.0 * 24.0
            + self.config.fleet.same_day_depart_hour
        )
        self._pick([parcel_id], same_day=same_day)

    def _pick(self, picked_ids: list[int], same_day: bool) -> None:
        """Pick and pack: cost per order, then to the depot, or to the 3PL carrier for outsourced parcels."""
        ctx = self.ctx
        now = ctx.env.now
        parcels = ctx.parcels
        picked = np.asarray(picked_ids, dtype=np.int64)
        cost = self.config.pick_pack_cost_per_order * self.products.handling_multiplier[parcels.product[picked]]
        parcels.pick_pack_cost[picked] = cost
        parcels.picked_time_h[picked] = now
        parcels.state[picked] = ParcelState.AT_DEPOT
        ctx.ledger.post(now, STAGE, "pick_pack", self.name, float(cost.sum()))
        if ctx.recorder.trail is not None:
            for parcel_id in picked_ids:
                ctx.recorder.track(parcel_id, now, TrailEvent.PICKED)
        outsourced = parcels.outsourced[picked]
        if outsourced.any():
            self.last_mile.hand_to_carrier(picked[outsourced].tolist(), now)
        self.last_mile.receive_picked(picked[~outsourced].tolist(), same_day=same_day)
