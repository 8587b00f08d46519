"""The scenario schema: a frozen, validated description of what is simulated.

Every model reads its parameters from these classes and nothing else, so a
scenario file that validates here is a complete description of a run. Unknown
keys are rejected (``extra="forbid"``) because a misspelt key that is silently
ignored makes an analyst believe a what-if ran when it did not.

Units are in the field names where they are not obvious: hours (``_h``),
minutes (``_min``), kilometres (``_km``), km/h (``_kmh``), cubic metres
(``_m3``). Money is in the scenario's ``currency``.

The parts live in modules by topic (``demand``, ``inventory``, ``linehaul``,
``lastmile``, ``network``, ``disruptions``, ``horizon``, on top of ``base``); this
module holds the root :class:`Scenario`, which checks what crosses topics (the
names that tie the network together), and exports every part.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated

from pydantic import Field, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from sim.scenario.base import Frozen, integer
from sim.scenario.demand import Demand, Product
from sim.scenario.disruptions import (
    DISRUPTION_KINDS,
    DemandSurge,
    Disruption,
    DisruptionBase,
    FactoryOutage,
    LinehaulDelay,
    WarehouseClosure,
)
from sim.scenario.geo import Facilities, FittedDemand, History
from sim.scenario.horizon import Horizon, Outputs
from sim.scenario.inventory import (
    POLICY_TAGS,
    BaseStockPolicy,
    InventoryPolicy,
    PolicyBase,
    RQPolicy,
    SSPolicy,
    TQPolicy,
    TSPolicy,
    UnitLevels,
)
from sim.scenario.lastmile import (
    Area,
    Fleet,
    FleetUnit,
    LastMilePolicy,
    LowEmissionZone,
    MicroHub,
    Outsourcing,
    Routing,
    ServiceLevels,
    TimeWindows,
    Traffic,
    VehicleType,
)
from sim.scenario.linehaul import Dispatch, FixedTimes, FullOrCutoff, Hybrid, InboundLane, LessThanTruckload, LineHaul
from sim.scenario.names import NAME_PATTERN
from sim.scenario.network import (
    CentralWarehouse,
    Factory,
    RegionalWarehouse,
    Stores,
    WarehouseOperations,
    leg_distance_km,
)

__all__ = [
    "DISRUPTION_KINDS", "POLICY_TAGS", "Area", "BaseStockPolicy", "CentralWarehouse", "Demand", "DemandSurge",
    "Dispatch", "Disruption", "DisruptionBase", "Facilities", "Factory", "FactoryOutage", "FittedDemand",
    "FixedTimes", "Fleet", "FleetUnit", "FullOrCutoff", "History", "Horizon", "Hybrid", "InboundLane",
    "InventoryPolicy", "LastMilePolicy", "LessThanTruckload", "LineHaul", "LinehaulDelay", "LowEmissionZone",
    "MicroHub", "Outputs", "Outsourcing", "PolicyBase", "Product", "RQPolicy", "RegionalWarehouse", "Routing",
    "SSPolicy", "Scenario", "ServiceLevels", "Stores", "TQPolicy", "TSPolicy", "TimeWindows", "Traffic", "UnitLevels",
    "VehicleType", "WarehouseClosure", "WarehouseOperations", "leg_distance_km",
]


# ASSUMPTION: no single depot hands out a million parcels a day, and no network ten million (the
# largest carriers move about twenty million a day worldwide). Beyond these the run's arrays get huge.
MAX_AREA_ORDERS_PER_DAY = 1e6
MAX_NETWORK_UNITS_PER_DAY = 1e7
# Parcels the run reserves room for (expected orders x days): the parcel store's columns stay a few GiB.
MAX_RUN_PARCELS = 1e9


def _located_error(
    loc: tuple[str | int, ...], value: object, reason: str, kind: str = "value_error"
) -> ValidationError:
    """A validation error located at ``loc``, for checks that need the whole scenario.

    Raised from the scenario's own validators, whose errors would otherwise have
    no key path; the message goes through the context so that braces in it are
    not read as a template. ``kind = "size_limit"``: about a whole table, whose
    value the message does not repeat.
    """
    return ValidationError.from_exception_data(
        "Scenario",
        [InitErrorDetails(type=PydanticCustomError(kind, "{reason}", {"reason": reason}), loc=loc, input=value)],
    )


def _disruption_error(index: int, kind: str, key: tuple[str | int, ...], value: object, reason: str) -> ValidationError:
    """A validation error located at ``disruptions[index].key``."""
    return _located_error(("disruptions", index, kind, *key), value, reason)


class Scenario(Frozen):
    """A whole supply chain and its policies: the single input of a run."""

    name: Annotated[str, Field(pattern=NAME_PATTERN, description="the scenario's name: its results go to "
                               "<out>/<name>/; 1 to 100 letters, digits, '_', '-' or '.', not starting with '.'")]
    description: Annotated[str, Field(description="free text about the scenario, shown in reports")] = ""
    currency: Annotated[str, Field(description="the currency of every money value (a label, e.g. USD or EUR)")] = "USD"
    seed: Annotated[int, integer("random seed", ge=0, le=2**63 - 1)] = 1
    # Written by a run into its folder's scenario.toml (with the seed that ran), so that the file re-runs exactly
    # that run; unset in a scenario of one's own, and then left out of every scenario.toml as before.
    replication: Annotated[int, integer("replication number, used by sim run when --replication is not given",
                                        ge=0, le=2**63 - 1)] | None = None
    horizon: Horizon = Horizon()
    demand: Demand = Demand()
    products: Annotated[dict[str, Product], Field(
        description="the product classes by name; their shares of the orders sum to 1")]
    factories: Annotated[tuple[Factory, ...], Field(description="the plants, each making some products")]
    central_warehouses: Annotated[tuple[CentralWarehouse, ...], Field(
        description="the national distribution centres, fed by the factories")]
    regional_warehouses: Annotated[tuple[RegionalWarehouse, ...], Field(
        description="the regional warehouses, each with its courier depot, fleet and delivery area")]
    linehaul: LineHaul
    traffic: Traffic = Traffic()
    last_mile: LastMilePolicy
    vehicle_types: Annotated[dict[str, VehicleType], Field(
        description="the last-mile vehicle types by name, which the fleets' units refer to")]
    service: ServiceLevels = ServiceLevels()
    routing: Routing = Routing()
    outputs: Outputs = Outputs()
    # Scheduled or random events; see DisruptionBase.
    disruptions: Annotated[tuple[Disruption, ...], Field(
        max_length=1_000, description="scheduled or random events: factory outages, line-haul delays, warehouse "
                                      "closures, demand surges")] = ()
    # The user's own network (docs/data_files.md); paths relative to the scenario file that writes them.
    facilities: Facilities | None = None
    history: History | None = None

    @model_validator(mode="after")
    def _network(self) -> Scenario:
        """Cross-references: every name points at something that exists, and every product has a source."""
        if not self.products:
            raise ValueError("products must define at least one product class")
        share = sum(p.share for p in self.products.values())
        if abs(share - 1.0) > 1e-6:
            raise ValueError(f"products: the shares must sum to 1, they sum to {share:.6g}")
        if not self.factories or not self.central_warehouses or not self.regional_warehouses:
            raise ValueError("the network needs at least one factory, one central and one regional warehouse")
        for kind, items in (
            ("factories", self.factories),
            ("central_warehouses", self.central_warehouses),
            ("regional_warehouses", self.regional_warehouses),
        ):
            names = [item.name for item in items]
            duplicated = sorted({n for n in names if names.count(n) > 1})
            if duplicated:
                raise ValueError(f"{kind}: names must be unique, duplicated: {duplicated}")
        factories = {f.name: f for f in self.factories}
        for f in self.factories:
            unknown = [p for p in f.products if p not in self.products]
            if unknown:
                raise ValueError(
                    f"factory '{f.name}' makes unknown products {unknown} (known: {list(self.products)})"
                )
        centrals = {c.name for c in self.central_warehouses}
        for c in self.central_warehouses:
            if not c.inbound:
                raise ValueError(f"central warehouse '{c.name}' has no inbound lane from a factory")
            made: list[str] = []
            for lane in c.inbound:
                if lane.factory not in factories:
                    raise ValueError(
                        f"central warehouse '{c.name}': inbound factory '{lane.factory}' does not exist "
                        f"(known: {list(factories)})"
                    )
                made.extend(factories[lane.factory].products)
            missing = [p for p in self.products if p not in made]
            if missing:
                raise ValueError(f"central warehouse '{c.name}': no inbound factory makes {missing}")
            twice = sorted({p for p in made if made.count(p) > 1})
            if twice:
                raise ValueError(f"central warehouse '{c.name}': more than one inbound factory makes {twice}")
            self._check_inventory(f"central warehouse '{c.name}'", c.inventory, c.inventory_by_product)
            self._check_multi_stop(c)
        for r in self.regional_warehouses:
            if r.supplier not in centrals:
                raise ValueError(
                    f"regional warehouse '{r.name}': supplier '{r.supplier}' is not a central warehouse "
                    f"(known: {sorted(centrals)})"
                )
            self._check_fleet(r)
            self._check_inventory(f"regional warehouse '{r.name}'", r.inventory, r.inventory_by_product)
        for name, vehicle in self.vehicle_types.items():
            unknown = [p for p in vehicle.products if p not in self.products]
            if unknown:
                raise ValueError(f"vehicle type '{name}': unknown products {unknown} (known: {list(self.products)})")
            if vehicle.kind == "drone" and vehicle.max_parcel_weight_kg is not None:
                heavy = [p for p in vehicle.products if self.products[p].weight_kg > vehicle.max_parcel_weight_kg]
                if heavy:
                    raise ValueError(
                        f"vehicle type '{name}': products {heavy} weigh more than its max_parcel_weight_kg "
                        f"({vehicle.max_parcel_weight_kg} kg)"
                    )
        return self

    @model_validator(mode="after")
    def _disruption_targets(self) -> Scenario:
        """Every disruption names parts of this network, and a scheduled one starts before the run ends."""
        run_days = self.horizon.warmup_days + self.horizon.days
        factories = [f.name for f in self.factories]
        warehouses = [c.name for c in self.central_warehouses] + [r.name for r in self.regional_warehouses]
        regionals = [r.name for r in self.regional_warehouses]
        known = {"factory": factories, "warehouse": warehouses, "regional": regionals,
                 "site": factories + warehouses}
        what = {"factory": "a factory", "warehouse": "a central or regional warehouse",
                "regional": "a regional warehouse", "site": "a factory or a warehouse"}
        for i, disruption in enumerate(self.disruptions):
            start = disruption.start_day
            if start is not None and start >= run_days:
                raise _disruption_error(
                    i, disruption.kind, ("start_day",), start,
                    f"the run ends at day {run_days} (warmup_days + days): a scheduled disruption must start before",
                )
            for key, name, category in disruption.references():
                if name not in known[category]:
                    raise _disruption_error(
                        i, disruption.kind, key, name, f"not {what[category]} (known: {known[category]})"
                    )
        return self

    @model_validator(mode="after")
    def _arithmetic(self) -> Scenario:
        """Sizes the model's arithmetic can hold: trucks that take the largest unit, demand that fits memory."""
        largest = max(self.products.values(), key=lambda p: p.volume_m3)
        if self.linehaul.truck_capacity_m3 < largest.volume_m3:
            raise _located_error(
                ("linehaul", "truck_capacity_m3"), self.linehaul.truck_capacity_m3,
                f"smaller than one unit of the largest product ({largest.volume_m3} m3): a truck could carry nothing",
            )
        for i, r in enumerate(self.regional_warehouses):
            if r.stores is not None and r.stores.truck_capacity_m3 < largest.volume_m3:
                raise _located_error(
                    ("regional_warehouses", i, "stores", "truck_capacity_m3"), r.stores.truck_capacity_m3,
                    f"smaller than one unit of the largest product ({largest.volume_m3} m3): "
                    "a store truck could carry nothing",
                )
            orders = r.area.expected_orders_per_day
            if orders > MAX_AREA_ORDERS_PER_DAY:
                raise _located_error(
                    ("regional_warehouses", i, "area"), None,
                    f"{orders:.3g} orders a day: area_km2 x households_per_km2 x orders_per_household_per_day "
                    f"must stay at most {MAX_AREA_ORDERS_PER_DAY:,.0f} orders a day (no depot delivers more)",
                    "size_limit",
                )
        run_days = self.horizon.warmup_days + self.horizon.days
        base = sum(r.expected_units_per_day for r in self.regional_warehouses)
        factor = self.peak_demand_factor()
        if not base * factor <= MAX_NETWORK_UNITS_PER_DAY:
            raise _located_error(
                ("demand",), None,
                f"a peak of {base * factor:.3g} units a day: the network's mean demand ({base:.3g} units a day) "
                f"times its peaks (weekday, season, trend over the run, promotions and demand surges together: "
                f"x{factor:.3g}) must stay at most {MAX_NETWORK_UNITS_PER_DAY:,.0f} units a day",
                "size_limit",
            )
        parcels = sum(r.area.expected_orders_per_day for r in self.regional_warehouses) * run_days
        if parcels > MAX_RUN_PARCELS:
            raise _located_error(
                ("horizon",), None,
                f"the run would simulate about {parcels:.3g} parcels (orders a day x {run_days} days); "
                f"at most {MAX_RUN_PARCELS:,.0f}: shorten the horizon or split the network",
                "size_limit",
            )
        return self

    def peak_demand_factor(self) -> float:
        """An upper bound of the day's demand over its mean: every peak of the run at once.

        The weekday and season peaks over their means, the trend's growth by the
        run's end, and every promotion and demand surge overlapping (they multiply).
        Infinite when the product overflows (then the check above refuses it).
        """
        demand = self.demand
        weekday = max(demand.weekday_factors) / (sum(demand.weekday_factors) / 7)
        season = 1.0
        if demand.seasonality is not None:
            monthly = demand.seasonality.monthly_factors
            season = max(monthly) / (sum(monthly) / 12)
        years = (self.horizon.warmup_days + self.horizon.days) / 365
        trend = (1 + demand.trend_per_year) ** years if demand.trend_per_year > 0 else 1.0
        promotions = math.prod(max(1.0, p.factor) for p in demand.promotions)
        surges = math.prod(max(1.0, d.factor) for d in self.disruptions if isinstance(d, DemandSurge))
        return weekday * season * trend * promotions * surges  # floats overflow to inf, not an error

    def _check_multi_stop(self, c: CentralWarehouse) -> None:
        """Each multi-stop run names two or more distinct warehouses this central supplies, in no other run,
        and the distance of every leg between consecutive stops is known."""
        regionals = {r.name: r for r in self.regional_warehouses}
        served: list[str] = []
        for i, stops in enumerate(c.multi_stop):
            where = f"central warehouse '{c.name}': multi_stop[{i}]"
            if len(stops) < 2:
                raise ValueError(f"{where}: a run needs at least two regional warehouses, got {list(stops)}")
            for name in stops:
                if name not in regionals or regionals[name].supplier != c.name:
                    supplied = [r.name for r in self.regional_warehouses if r.supplier == c.name]
                    raise ValueError(f"{where}: '{name}' is not a regional warehouse it supplies (known: {supplied})")
                if name in served:
                    raise ValueError(f"{where}: '{name}' is already a stop of a run")
                served.append(name)
            for k in range(1, len(stops)):
                here, there = stops[k - 1], stops[k]
                if leg_distance_km(regionals[here], regionals[there]) is None:
                    raise ValueError(
                        f"{where}: no distance from '{here}' to '{there}': set "
                        f"regional_warehouses.{here}.neighbour_distances_km.{there}"
                    )

    def _check_inventory(self, where: str, default: PolicyBase, by_product: Mapping[str, PolicyBase]) -> None:
        """Per-product overrides and unit levels name known products, and every governed product has a level."""
        known = list(self.products)
        unknown = [name for name in by_product if name not in self.products]
        if unknown:
            raise ValueError(f"{where}: inventory_by_product has unknown products {unknown} (known: {known})")
        governed = [name for name in known if name not in by_product]
        checks = [("inventory", default, governed)] if governed else []
        checks += [(f"inventory_by_product.{name}", policy, [name]) for name, policy in by_product.items()]
        for key, policy, names in checks:
            for field, levels in policy.unit_levels().items():
                if not isinstance(levels, dict):
                    continue  # one number for every governed product
                strangers = [name for name in levels if name not in self.products]
                if strangers:
                    raise ValueError(f"{where}: {key}.{field} names unknown products {strangers} (known: {known})")
                missing = [name for name in names if name not in levels]
                if missing:
                    raise ValueError(
                        f"{where}: {key}.{field} has no value for {missing}: give one per product "
                        f"(or a single number for all, or use the _days form)"
                    )

    def _check_fleet(self, r: RegionalWarehouse) -> None:
        """A depot's fleet uses known vehicle types and can carry every product everywhere in its area."""
        where = f"regional warehouse '{r.name}'"
        for unit in r.fleet.units:
            if unit.type not in self.vehicle_types:
                raise ValueError(
                    f"{where}: fleet unit type '{unit.type}' is not a vehicle type (known: {list(self.vehicle_types)})"
                )
            if unit.start == "micro_hub" and r.area.micro_hub is None:
                raise ValueError(
                    f"{where}: fleet unit '{unit.type}' starts at a micro_hub, but area.micro_hub is unset"
                )
            vehicle = self.vehicle_types[unit.type]
            if vehicle.charging_hours + r.fleet.shift_hours + r.fleet.max_overtime_hours > 24:
                raise ValueError(
                    f"{where}: vehicle type '{unit.type}' needs {vehicle.charging_hours} h of charging, which does "
                    f"not fit beside a {r.fleet.shift_hours} h shift and {r.fleet.max_overtime_hours} h overtime"
                )
        daily = [u for u in r.fleet.units if u.wave == "daily" and u.count > 0]
        if not daily:
            raise ValueError(f"{where}: the fleet needs at least one vehicle in the daily wave")
        if self.service.same_day_share > 0 and not any(u.wave == "same_day" and u.count > 0 for u in r.fleet.units):
            raise ValueError(f"{where}: service.same_day_share > 0 needs fleet units with wave = \"same_day\"")
        windows = r.area.time_windows
        if windows.share > 0:
            working = (r.fleet.depart_hour, r.fleet.depart_hour + r.fleet.shift_hours + r.fleet.max_overtime_hours)
            for start, end in windows.slots:
                if end <= working[0] or start >= working[1]:
                    raise ValueError(
                        f"{where}: time window [{start}, {end}] lies outside the couriers' working hours "
                        f"[{working[0]}, {working[1]}] (fleet.depart_hour + shift_hours + max_overtime_hours)"
                    )
        zone = r.area.low_emission_zone
        if zone is not None:
            unknown = [t for t in zone.allowed_types if t not in self.vehicle_types]
            if unknown:
                raise ValueError(f"{where}: low_emission_zone.allowed_types has unknown types {unknown}")
            if not any(u.type in zone.allowed_types for u in daily):
                raise ValueError(
                    f"{where}: no vehicle of its fleet may enter the low-emission zone "
                    f"(allowed: {list(zone.allowed_types)}; fleet: {[u.type for u in daily]})"
                )
        for product_name, product in self.products.items():
            carriers = [u.type for u in daily if self._can_carry(u.type, product_name, product)]
            if not carriers:
                raise ValueError(f"{where}: no vehicle of its daily fleet can carry product '{product_name}'")
            if zone is not None and not any(t in zone.allowed_types for t in carriers):
                raise ValueError(
                    f"{where}: no vehicle allowed in the low-emission zone can carry product '{product_name}'"
                )

    def _can_carry(self, type_name: str, product_name: str, product: Product) -> bool:
        vehicle = self.vehicle_types[type_name]
        if vehicle.products and product_name not in vehicle.products:
            return False
        if vehicle.max_parcel_weight_kg is not None and product.weight_kg > vehicle.max_parcel_weight_kg:
            return False
        if product.volume_m3 > vehicle.capacity_m3 or product.weight_kg > vehicle.payload_kg:
            return False  # one unit does not fit in the vehicle at all
        return vehicle.max_parcel_volume_m3 is None or product.volume_m3 <= vehicle.max_parcel_volume_m3

    def factory_for(self, central: CentralWarehouse, product: str) -> InboundLane:
        """The inbound lane that brings ``product`` into ``central``."""
        by_name = {f.name: f for f in self.factories}
        for lane in central.inbound:
            if product in by_name[lane.factory].products:
                return lane
        raise KeyError(product)  # unreachable after validation
