"""The central warehouse: stock from the factories, shipped on to the regional warehouses."""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from itertools import pairwise
from typing import Any, Final

import numpy as np
import simpy

from sim.ledger import Stage
from sim.model.context import SimContext
from sim.model.ports import ShipmentReceiver
from sim.model.products import ProductTable
from sim.model.upstream.factory import Plant
from sim.model.upstream.linehaul import Lane, Stop
from sim.model.upstream.operations import DockReceiving
from sim.model.upstream.policies import StockPolicy
from sim.model.upstream.stock import StockPoint
from sim.scenario.schema import CentralWarehouse, Dispatch, leg_distance_km

STAGE: Final[Stage] = "central_warehouse"


class CentralDC:
    """Central warehouse: receives from factories, fills regional orders, and backorders what it lacks or,
    for products under lost sales, cancels the shortfall of the regional order."""

    def __init__(
        self,
        ctx: SimContext,
        config: CentralWarehouse,
        products: ProductTable,
        plants: dict[str, Plant],
        daily_demand: np.ndarray,
    ) -> None:
        self.ctx = ctx
        self.config = config
        self.name = config.name
        self.products = products
        policy = StockPolicy.for_warehouse(config.inventory, config.inventory_by_product, daily_demand,
                                           products.names)
        self.stock = StockPoint(ctx, config.name, STAGE, products, policy, config.storage_cost_per_m3_day)
        self.backorders: deque[list[Any]] = deque()  # [regional, product, units], FIFO
        self.backorder_units = np.zeros(len(products), dtype=np.int64)
        # The stop each regional warehouse is served through, and every outbound lane (a run serves several).
        self.outbound: dict[str, Stop] = {}
        self.outbound_lanes: list[Lane] = []
        self._runs = self._multi_stop_runs()
        # Inbound lane and plant for every product this warehouse stocks.
        self.inbound_by_product: list[tuple[Plant, Lane]] = []
        lanes: dict[str, Lane] = {}
        for lane_config in config.inbound:
            lane = Lane(
                ctx, "factory_to_central", lane_config.factory,
                [(config.name, lane_config.distance_km, lane_config.distance_km)], products, lane_config.dispatch,
            )
            lane.attach(config.name, self.receive)
            lanes[lane_config.factory] = lane
        for product in products.names:
            lane_config = ctx.scenario.factory_for(config, product)
            self.inbound_by_product.append((plants[lane_config.factory], lanes[lane_config.factory]))
        self.inbound_lanes = list(lanes.values())
        # A closure holds receipts and ships nothing; at reopening the backorders are served. None: never closes.
        self.gate = ctx.disruptions.gate(self.name, ctx.env)
        if self.gate is not None:
            self.gate.on_reopen(self._serve_backorders)
        if policy.has_periodic:  # a warehouse reviewed only continuously spends no events on a review clock
            ctx.env.process(self._review_loop())

    def _multi_stop_runs(self) -> dict[str, Lane]:
        """The lanes of the multi-stop runs, by the name of each warehouse they serve."""
        regionals = {r.name: r for r in self.ctx.scenario.regional_warehouses}
        runs: dict[str, Lane] = {}
        for names in self.config.multi_stop:
            stops = [regionals[name] for name in names]
            route = [(stops[0].name, stops[0].supplier_distance_km, stops[0].supplier_distance_km)]
            for previous, stop in pairwise(stops):
                leg = leg_distance_km(previous, stop)
                assert leg is not None  # checked when the scenario was validated
                route.append((stop.name, leg, stop.supplier_distance_km))
            lane = Lane(self.ctx, "central_to_regional", self.name, route, self.products)
            self.outbound_lanes.append(lane)
            runs.update(dict.fromkeys(names, lane))
        return runs

    def connect(self, regional: ShipmentReceiver, distance_km: float, dispatch: Dispatch | None) -> Stop:
        """Open the way to a regional warehouse this warehouse supplies: its stop on a run, or a direct lane.

        ``dispatch`` is the direct lane's own dispatch policy (None: the line-haul default).
        """
        lane = self._runs.get(regional.name)
        if lane is None:
            lane = Lane(self.ctx, "central_to_regional", self.name, [(regional.name, distance_km, distance_km)],
                        self.products, dispatch)
            self.outbound_lanes.append(lane)
        stop = lane.attach(regional.name, regional.receive)
        self.outbound[regional.name] = stop
        return stop

    def receive(self, load: np.ndarray) -> None:
        """A truck from a factory arrives: handling in, then stock up and backorders first.

        With dock operations the units reach the shelf only after unloading and
        put-away. Until then they stay on order (the inventory position must not
        dip) and are counted on the inbound lane of their product, where the
        conservation identity looks for units between two shelves. The dock is
        created with the first truck, so a warehouse without operations holds
        no SimPy resource and draws nothing.
        """
        now = self.ctx.env.now
        if self.gate is not None and self.gate.closed():
            self._hold(load)
            return
        handling = float(load @ self.products.handling_multiplier) * self.config.handling_in_cost_per_unit
        self.ctx.ledger.post(now, STAGE, "handling_in", self.name, handling)
        ops = self.config.operations
        docked = ops is not None and ops.dock_doors is not None

        # The dock keeps the first truck's ``shelve``: it captures only ``self`` and ``docked``, same for every truck.
        def shelve(units: np.ndarray) -> None:
            if self.gate is not None and self.gate.closed():
                # Put away while the warehouse is closed: the units wait, still counted on their lane.
                self.gate.defer(lambda: shelve(units))
                return
            for product in np.flatnonzero(units):
                self.stock.add(int(product), int(units[product]))
                self.stock.on_order[product] -= units[product]
                if docked:
                    self.inbound_by_product[product][1].in_transit[product] -= units[product]
            self._serve_backorders()
            self._review_continuous(units > 0)

        if ops is None or ops.dock_doors is None:
            shelve(load)
            return
        dock: DockReceiving | None = getattr(self, "dock", None)
        if dock is None:
            dock = self.dock = DockReceiving(
                self.ctx.env, ops.dock_doors, ops.unload_hours_per_truck, ops.unload_time == "exponential",
                ops.putaway_minutes_per_unit, self.ctx.streams.get(f"receiving/{self.name}"),
                lambda units: units, shelve,
            )
        for product in np.flatnonzero(load):
            self.inbound_by_product[product][1].in_transit[product] += load[product]
        dock.receive(load)

    def _hold(self, load: np.ndarray) -> None:
        """A truck reaches the closed warehouse: it waits in the yard, its units on their inbound lanes."""
        lanes = self.inbound_by_product

        def on_road(units: np.ndarray) -> None:
            for product in np.flatnonzero(units):
                lanes[product][1].in_transit[product] += units[product]

        assert self.gate is not None
        self.gate.hold_truck(
            load, on_road, float(load @ self.products.holding_cost_per_unit_hour()),
            lambda cost: self.ctx.ledger.post(self.ctx.env.now, STAGE, "inventory_holding", self.name, cost),
            self.receive,
        )

    def request(self, regional: ShipmentReceiver, quantity: np.ndarray) -> None:
        """A regional warehouse orders; ship what is on hand, backorder (or cancel) the rest."""
        for product in np.flatnonzero(quantity):
            self._fill(regional, int(product), int(quantity[product]))
        self._review_continuous(quantity > 0)

    def _fill(self, regional: ShipmentReceiver, product: int, units: int) -> None:
        # A closed warehouse ships nothing: the order is treated as if there were no stock.
        closed = self.gate is not None and self.gate.closed()
        available = 0 if closed else int(self.stock.on_hand[product])
        shipped = min(available, units)
        if shipped:
            self._ship(regional, product, shipped)
        short = units - shipped
        if not short:
            return
        if self.stock.lost_sales[product]:
            # Lost sales: the shortfall is not owed later; the regional warehouse stops counting it as on order.
            self.stock.lost[product] += short
            regional.cancel_on_order(product, short)
        else:
            self.backorders.append([regional, product, short])
            self.backorder_units[product] += short

    def _ship(self, regional: ShipmentReceiver, product: int, units: int) -> None:
        self.stock.remove(product, units)
        cost = units * self.config.handling_out_cost_per_unit * float(self.products.handling_multiplier[product])
        self.ctx.ledger.post(self.ctx.env.now, STAGE, "handling_out", self.name, cost)
        self.outbound[regional.name].offer(product, units)

    def _serve_backorders(self) -> None:
        if self.gate is not None and self.gate.closed():
            return  # served at the reopening
        waiting: deque[list[Any]] = deque()
        while self.backorders:
            regional, product, units = self.backorders.popleft()
            shipped = min(units, int(self.stock.on_hand[product]))
            if shipped:
                self._ship(regional, product, shipped)
                self.backorder_units[product] -= shipped
            if units > shipped:
                waiting.append([regional, product, units - shipped])
        self.backorders = waiting

    def _review_continuous(self, touched: np.ndarray) -> None:
        """Continuous review of the products a demand or receipt event just touched."""
        products = touched & self.stock.policy.continuous
        if products.any():
            self._order(self.stock.reorder(self.backorder_units, products))

    def _order(self, quantity: np.ndarray) -> None:
        for product in np.flatnonzero(quantity):
            plant, lane = self.inbound_by_product[product]
            plant.request(lane, int(product), int(quantity[product]))

    def _review_loop(self) -> Generator[simpy.Event, Any, None]:
        """Periodic review at the review hour, of the products due that day."""
        env = self.ctx.env
        day = 0
        while True:
            yield env.timeout(day * 24.0 + self.config.review_hour - env.now)
            self._order(self.stock.reorder(self.backorder_units, self.stock.due(day)))
            day += 1
