"""Builds the whole chain for a scenario: factories -> central -> regional warehouses -> couriers."""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.model.context import SimContext
from sim.model.products import ProductTable
from sim.model.upstream.central import CentralDC
from sim.model.upstream.factory import Plant
from sim.model.upstream.linehaul import Lane
from sim.model.upstream.regional import RegionalDepot
from sim.model.upstream.stores import StoreNetwork
from sim.records import InventoryRecord, ParcelState, RunRecords


class SupplyChain:
    """All the entities of one run, wired together. Holds no clock of its own: the context does."""

    def __init__(self, ctx: SimContext) -> None:
        scenario = ctx.scenario
        self.ctx = ctx
        self.products = ProductTable.from_scenario(scenario)
        self.plants = {f.name: Plant(ctx, f, self.products) for f in scenario.factories}
        demand_by_central: dict[str, np.ndarray] = {
            c.name: np.zeros(len(self.products)) for c in scenario.central_warehouses
        }
        for r in scenario.regional_warehouses:
            demand_by_central[r.supplier] += r.expected_units_per_day * self.products.share
        self.centrals = {
            c.name: CentralDC(ctx, c, self.products, self.plants, demand_by_central[c.name])
            for c in scenario.central_warehouses
        }
        self.regionals = [
            RegionalDepot(ctx, r, index, self.products, self.centrals[r.supplier])
            for index, r in enumerate(scenario.regional_warehouses)
        ]
        # Units in parcels, per product, of the parcels already handed on (the unit balance's last term).
        self._handed_on_units = np.zeros(len(self.products), dtype=np.int64)
        ctx.parcels.add_sink(self._count_parcel_units)
        ctx.env.process(self._daily_accrual())

    def lanes(self) -> list[Lane]:
        """Every line-haul lane of the network."""
        lanes: list[Lane] = []
        for central in self.centrals.values():
            lanes.extend(central.inbound_lanes)
            lanes.extend(central.outbound_lanes)  # a multi-stop run once, not once per stop
        return lanes

    def _daily_accrual(self) -> Generator[simpy.Event, Any, None]:
        """At every midnight: storage and holding costs of the day, a stock snapshot, and settled parcels handed on."""
        env = self.ctx.env
        for day in range(1, self.ctx.clock_days + 1):  # stock costs accrue through the drain too
            yield env.timeout(day * 24.0 - env.now)
            self.post_stock_costs(day)
            self.ctx.parcels.hand_on_settled(env.now)

    def post_stock_costs(self, day: int) -> None:
        """Post accrued stock costs and record the inventory snapshot of ``day``."""
        rows = self.ctx.recorder.inventory
        names = self.products.names
        for central in self.centrals.values():
            central.stock.post_costs()
            for p, name in enumerate(names):
                rows.append(InventoryRecord(day, central.name, name, int(central.stock.on_hand[p]),
                                            int(central.stock.on_order[p]), int(central.backorder_units[p])))
        for regional in self.regionals:
            regional.stock.post_costs()
            for p, name in enumerate(names):
                rows.append(InventoryRecord(day, regional.name, name, int(regional.stock.on_hand[p]),
                                            int(regional.stock.on_order[p]), int(regional.backorder_units[p])))
        for stores in self.store_networks():
            stores.post_costs()
            rows.extend(stores.inventory_rows(day))

    def store_networks(self) -> list[StoreNetwork]:
        """The shops of every regional warehouse that has some."""
        return [r.stores for r in self.regionals if r.stores is not None]

    def open_parcels(self, ordered_from_h: float = 0.0) -> int:
        """Open parcels ordered from ``ordered_from_h`` on: waiting for stock or picking, at a depot, or on a van.

        A parcel at a pickup point or with the third-party carrier counts as
        final here: its outcome (collected or returned, delivered or returned,
        and when) was decided at hand-over from its own random numbers, and
        nothing later in the run can change it; ``finish`` writes it. Chunks
        already handed on hold only final parcels.
        """
        parcels = self.ctx.parcels
        state = parcels.view("state")
        waiting = state <= ParcelState.OUT_FOR_DELIVERY
        with_carrier = (state == ParcelState.OUT_FOR_DELIVERY) & parcels.view("outsourced")
        ordered = parcels.view("order_time_h") >= ordered_from_h
        return int((waiting & ~with_carrier & ordered).sum())

    def finish(self) -> RunRecords:
        """Settle what is decided by the end of the run, then hand over what happened as plain records.

        Settling decides the pickup-point collections and returns still open;
        the records then hold no SimPy object and no live entity. Without a
        drain, what falls after the window's end is left open (the window
        view); with one, every decided outcome is written, whenever it falls.
        """
        ctx = self.ctx
        settle_until = math.inf if ctx.scenario.horizon.drains else ctx.window_end_h
        for regional in self.regionals:
            regional.last_mile.finalize(settle_until)
        ctx.parcels.hand_on_rest()
        recorder = ctx.recorder
        return RunRecords(
            warmup_end_h=ctx.warmup_end_h,
            end_h=ctx.window_end_h,
            events=ctx.env.events_processed,
            product_names=list(self.products.names),
            parcels=ctx.parcels,
            ledger=ctx.ledger,
            emissions=ctx.emissions,
            routes=recorder.routes,
            trips=recorder.trips,
            inventory=recorder.inventory,
            trail=recorder.trail,
            has_stores=bool(self.store_networks()),
            store_sales=recorder.store_sales,
            store_orders=recorder.store_orders,
            plants=[plant.record() for plant in self.plants.values()],
            # Only then: a run without disruptions keeps the summary it always had.
            disruptions=ctx.disruptions.rows() if ctx.scenario.disruptions else None,
            unit_balance={term: units.tolist() for term, units in self._unit_balance().items()},
            warehouse_balances=self._warehouse_balances(),
        )

    def _count_parcel_units(self, ids: np.ndarray, rows: dict[str, np.ndarray]) -> None:
        """Add the units held by handed-on parcels: waiting parcels and lost sales hold none, the others one each."""
        taken = ~np.isin(rows["state"], (ParcelState.AWAITING_STOCK, ParcelState.LOST))
        self._handed_on_units += np.bincount(rows["product"][taken], minlength=len(self.products))

    def _warehouse_balances(self) -> dict[str, dict[str, list[int]]]:
        """Per warehouse and product: initial, received, shipped, on hand (initial + received = shipped + on hand)."""
        stocks = [c.stock for c in self.centrals.values()] + [r.stock for r in self.regionals]
        return {
            s.name: {"initial": s.initial_units.tolist(), "received": s.received.tolist(),
                     "shipped": s.shipped.tolist(), "on_hand": s.on_hand.tolist()}
            for s in stocks
        }

    def _unit_balance(self) -> dict[str, np.ndarray]:
        """Where every unit is, per product: the terms of the conservation identity.

        ``initial + produced == on_hand + at_factory + queued + in_transit + in_parcels``, where
        ``at_factory`` is finished goods waiting at the factories, and
        ``in_parcels`` counts units reserved for customer orders (every parcel
        that is neither waiting for stock nor a lost sale), whatever has happened
        to the parcel since. With shops, two more terms are on the right:
        ``in_stores`` (on the shops' shelves and on store trucks) and
        ``sold_in_stores``; the shops' initial stock is part of ``initial``.
        """
        n = len(self.products)
        on_hand = np.zeros(n, dtype=np.int64)
        initial = np.zeros(n, dtype=np.int64)
        for stock in [c.stock for c in self.centrals.values()] + [r.stock for r in self.regionals]:
            on_hand += stock.on_hand
            initial += stock.initial_units
        queued = np.zeros(n, dtype=np.int64)
        in_transit = np.zeros(n, dtype=np.int64)
        for lane in self.lanes():
            queued += lane.queued_units
            in_transit += lane.in_transit
        produced = sum((p.produced for p in self.plants.values()), np.zeros(n, dtype=np.int64))
        at_factory = sum((p.fg_stock for p in self.plants.values()), np.zeros(n, dtype=np.int64))
        in_parcels = self._handed_on_units.copy()
        balance = {
            "initial": initial, "produced": produced, "on_hand": on_hand, "at_factory": at_factory,
            "queued": queued, "in_transit": in_transit, "in_parcels": in_parcels,
        }
        stores = self.store_networks()
        if stores:  # only then: a run without shops keeps the terms (and the manifest) it always had
            balance["initial"] = initial + sum(s.initial_units for s in stores)
            balance["in_stores"] = sum((s.units_held() for s in stores), np.zeros(n, dtype=np.int64))
            balance["sold_in_stores"] = sum((s.sold for s in stores), np.zeros(n, dtype=np.int64))
        return balance
