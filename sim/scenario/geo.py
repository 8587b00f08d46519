"""The user's own network in a scenario: facility, demand, boundary and order-history files, and a fitted demand.

Paths are relative to the scenario file that writes them (the loader resolves them, so ``extends``
and ``sim init`` copies keep working). What the files hold is read and checked by the loader
(``sim.scenario.geo_data``); the formats are in docs/data_files.md.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from pydantic import Field, model_validator

from sim.scenario.base import Flag, Frozen, integer, real

DataPath = Annotated[str, Field(min_length=1, max_length=1024, description="path of a data file, relative to the "
                                                                            "scenario file that writes it")]

# ASSUMPTION: 1.25 road km per straight-line km between facilities. Published national road circuity
# factors lie around 1.2-1.4 (Newell 1980: about 1.2 between random points in a city; Kim et al. 2015,
# J. Korean Soc. Agric. Eng. 57(4): 1.26 for South Korea, "higher than the USA, lower than Japan or the
# EU"); no value measured for Finland was found.
LANE_CIRCUITY = 1.25


class Facilities(Frozen):
    """Where the factories and warehouses are (and, optionally, their capacities): a CSV or Parquet file.

    Columns: ``name``, ``kind`` (factory, central_warehouse, regional_warehouse), ``latitude``,
    ``longitude`` (degrees, WGS84); optional ``capacity_units_per_day`` (factories) and
    ``picking_capacity_orders_per_day`` (regional warehouses). Rows match the scenario's sites by
    kind and name. A value the scenario file gives itself wins; otherwise the file gives a
    regional warehouse's depot (``area.depot_lat/lon``) and its area's centre (the depot, or the
    boundary's centre), the capacities, and every lane's distance: the geodesic distance times
    ``lane_circuity``.
    """

    file: DataPath
    lane_circuity: Annotated[float, real("road km per straight-line km", ge=1, le=3,
                                         note="ASSUMPTION 1.25, see docs/data_files.md")] = LANE_CIRCUITY


class History(Frozen):
    """An order history (CSV or Parquet) replayed as the demand: each past order becomes an order at its time and place.

    Columns: ``timestamp`` (ISO 8601, local time) and ``latitude``/``longitude`` or ``zone`` (a zone
    of the area's ``demand_zones``); optional ``area`` (the regional warehouse; required with more
    than one), ``product`` (a product name; else drawn by the products' shares), ``weight_kg``,
    ``volume_m3`` (else drawn as for generated orders). Day 0 of the run is ``start_date`` (default:
    the first order's day); the run's warm-up plus window must fit in the history.
    """

    file: DataPath
    replay: Annotated[Flag, Field(description="true: the history is the demand of every area it covers; false: it "
                                              "is only checked (e.g. a fitted demand extends this scenario)")] = True
    start_date: Annotated[datetime.date | None, Field(
        description="the calendar day of the run's day 0 (default: the day of the first order)")] = None


class FittedDemand(Frozen):
    """A Poisson demand fitted to an order history by ``sim fit-demand``: rates by weekday, hour and zone.

    The mean orders of a weekday are ``weekday_orders`` (Monday first); a day's orders fall in the
    hours by ``hourly_share`` and in the zones by ``zone_share`` (zones of the area's
    ``demand_zones``; none: anywhere in the area, as without a fit). The rate of a zone, weekday
    and hour is the product ``weekday_orders[w] * zone_share[z] * hourly_share[h]`` (a Poisson
    model with main effects); ``*_se`` are their standard errors, for the record.
    """

    weekday_orders: Annotated[tuple[Annotated[float, real("orders a day", ge=0, le=1e6)], ...], Field(
        description="mean orders on each weekday, Monday first (7 values)")]
    weekday_orders_se: Annotated[tuple[Annotated[float, real("orders a day", ge=0, le=1e6)], ...], Field(
        description="standard error of each weekday_orders value (for the record; unused by the run)")] = ()
    hourly_share: Annotated[tuple[Annotated[float, real("share of a day's orders", ge=0, le=1)], ...], Field(
        description="share of a day's orders placed in each hour, 0..23 (24 values, sum 1)")]
    hourly_share_se: Annotated[tuple[Annotated[float, real("share", ge=0, le=1)], ...], Field(
        description="standard error of each hourly_share value (for the record)")] = ()
    zones: Annotated[tuple[str, ...], Field(description="zone names (of the area's demand_zones)")] = ()
    zone_share: Annotated[tuple[Annotated[float, real("share of the orders", ge=0, le=1)], ...], Field(
        description="share of the orders in each zone (sums to 1)")] = ()
    zone_share_se: Annotated[tuple[Annotated[float, real("share", ge=0, le=1)], ...], Field(
        description="standard error of each zone_share value (for the record)")] = ()
    history_days: Annotated[int, integer("days of history the fit used", ge=1, le=100_000)] = 1

    @model_validator(mode="after")
    def _shapes(self) -> FittedDemand:
        if len(self.weekday_orders) != 7:
            raise ValueError(f"weekday_orders: expected 7 values (Monday first), got {len(self.weekday_orders)}")
        if len(self.hourly_share) != 24:
            raise ValueError(f"hourly_share: expected 24 values (hours 0..23), got {len(self.hourly_share)}")
        if abs(sum(self.hourly_share) - 1) > 1e-6:
            raise ValueError(f"hourly_share: the shares must sum to 1, they sum to {sum(self.hourly_share):.6g}")
        if sum(self.weekday_orders) <= 0:
            raise ValueError("weekday_orders: at least one weekday needs orders")
        if len(self.zone_share) != len(self.zones):
            raise ValueError(f"zone_share: one value per zone ({len(self.zones)}), got {len(self.zone_share)}")
        if self.zones and abs(sum(self.zone_share) - 1) > 1e-6:
            raise ValueError(f"zone_share: the shares must sum to 1, they sum to {sum(self.zone_share):.6g}")
        if len(set(self.zones)) != len(self.zones):
            raise ValueError("zones: each zone once")
        return self

    @property
    def mean_orders_per_day(self) -> float:
        """Mean orders a day over the week."""
        return sum(self.weekday_orders) / 7
