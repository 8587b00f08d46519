"""``sim fit-demand``: a Poisson demand by zone, weekday and hour fitted to an order history.

The model has main effects: the rate of orders in zone ``z`` on weekday ``w`` in hour ``h`` is
``weekday_orders[w] * zone_share[z] * hourly_share[h]`` orders an hour. Its maximum-likelihood
fit has a closed form: the weekday means are the orders on that weekday over the number of such
days in the history, the shares are the orders' shares (the margins of the counts). With a few
weeks of history a saturated model (one free rate per zone, weekday and hour: 168 per zone) has
a handful of orders per rate; the main effects pool them.

Standard errors: ``sqrt(n_w) / days_w`` for a weekday mean (a Poisson count over its exposure) and
``sqrt(p (1 - p) / N)`` for a share (multinomial, given the total ``N``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.geo.datafiles import OrderHistory, Zones
from sim.geo.errors import DataFileError, cell_error

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class AreaFit:
    """The fitted demand of one area: rates with their standard errors."""

    area: str
    orders: int
    days: int
    first_day: str
    last_day: str
    weekday_days: np.ndarray  # days of each weekday in the history
    weekday_counts: np.ndarray
    weekday_orders: np.ndarray
    weekday_orders_se: np.ndarray
    hourly_share: np.ndarray
    hourly_share_se: np.ndarray
    zones: tuple[str, ...]
    zone_counts: np.ndarray
    zone_share: np.ndarray
    zone_share_se: np.ndarray

    def rate(self, zone: int, weekday: int, hour: int) -> float:
        """Orders an hour in ``zone`` (index; ignored without zones), on ``weekday``, in ``hour``."""
        share = self.zone_share[zone] if self.zones else 1.0
        return float(self.weekday_orders[weekday] * share * self.hourly_share[hour])


def assign_zones(history: OrderHistory, zones: Zones | None) -> tuple[tuple[str, ...], np.ndarray]:
    """Every order's zone: its ``zone`` cell, else the zone polygon (lon/lat) that holds it. () and -1s: no zones."""
    if zones is None and (history.zone == "").all():
        return (), np.full(len(history.zone), -1, dtype=np.int64)
    names = zones.names if zones is not None else tuple(sorted(set(history.zone.tolist()) - {""}))
    index = {name: i for i, name in enumerate(names)}
    out = np.full(len(history.zone), -1, dtype=np.int64)
    for i, zone in enumerate(history.zone.tolist()):
        if zone:
            if zone not in index:
                raise cell_error(history.path, i + 1, "zone", zone, f"a zone of the zones file: {list(names)}")
            out[i] = index[zone]
    open_rows = np.flatnonzero(out < 0)
    if len(open_rows):
        if zones is None:
            i = int(open_rows[0])
            raise cell_error(history.path, i + 1, "zone", "", "a zone name (other rows name zones; or give --zones "
                             "to place rows by their coordinates)")
        import shapely
        from shapely.geometry import MultiPolygon, Polygon

        for z, parts in enumerate(zones.polygons):
            shape = MultiPolygon([Polygon(rings[0], rings[1:]) for rings in parts])
            rows = open_rows[out[open_rows] < 0]
            inside = shapely.intersects_xy(shape, history.longitude[rows], history.latitude[rows])
            out[rows[inside]] = z
        outside = np.flatnonzero(out < 0)
        if len(outside):
            i = int(outside[0])
            raise cell_error(history.path, i + 1, "latitude", f"{history.latitude[i]}, {history.longitude[i]}",
                             "a place inside one of the zones")
    return names, out


def fit(history: OrderHistory, zones: Zones | None, default_area: str | None) -> list[AreaFit]:
    """The fit of every area of the history (by its ``area`` column, else ``default_area``)."""
    names, zone = assign_zones(history, zones)
    areas = sorted(set(history.area.tolist()) - {""})
    if (history.area == "").any():
        if default_area is None or areas:
            i = int(np.flatnonzero(history.area == "")[0])
            raise cell_error(history.path, i + 1, "area", "", "the regional warehouse's name (or leave the column "
                             "out and give --area)")
        areas = [default_area]
    owner = np.where(history.area == "", default_area or "", history.area)
    day = history.timestamp.astype("datetime64[D]")
    first, last = day.min(), day.max()
    days = int((last - first).astype(np.int64)) + 1
    if days < 7:
        raise DataFileError(f"{history.path}: {days} days of orders: fitting a rate per weekday needs at least 7")
    calendar = np.arange(first, last + np.timedelta64(1, "D"))
    weekday_days = np.bincount((calendar.astype(np.int64) + 3) % 7, minlength=7)  # 1970-01-01 was a Thursday
    weekday = (day.astype(np.int64) + 3) % 7
    hour = ((history.timestamp - day) // np.timedelta64(1, "h")).astype(np.int64)
    out = []
    for area in areas:
        mine = owner == area
        n = int(mine.sum())
        counts = np.bincount(weekday[mine], minlength=7)
        hours = np.bincount(hour[mine], minlength=24)
        zone_counts = np.bincount(zone[mine], minlength=len(names)) if names else np.zeros(0, dtype=np.int64)
        out.append(AreaFit(
            area, n, days, str(first), str(last), weekday_days, counts, counts / weekday_days,
            np.sqrt(counts) / weekday_days, hours / n, np.sqrt(hours / n * (1 - hours / n) / n), names,
            zone_counts, zone_counts / n if names else zone_counts.astype(float),
            np.sqrt(zone_counts / n * (1 - zone_counts / n) / n) if names else zone_counts.astype(float),
        ))
    return out


def print_fit(fits: list[AreaFit], source: str) -> None:
    """The fit as tables on stdout (rich): weekday means, hourly shares and zone shares with their errors."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=True)
    for f in fits:
        console.print(f"{source}: area '{f.area}', {f.orders:,} orders over {f.days} days ({f.first_day} to "
                      f"{f.last_day}), {f.orders / f.days:.1f} a day")
        table = Table(title="orders a day by weekday (Poisson mean +- standard error)")
        for column in ("weekday", "days", "orders", "mean a day", "+- se"):
            table.add_column(column, justify="right")
        for w in range(7):
            table.add_row(WEEKDAYS[w], str(f.weekday_days[w]), str(f.weekday_counts[w]),
                          f"{f.weekday_orders[w]:.2f}", f"{f.weekday_orders_se[w]:.2f}")
        console.print(table)
        table = Table(title="share of a day's orders by hour")
        for column in ("hour", "share", "+- se", "hour ", "share ", "+- se "):
            table.add_column(column, justify="right")
        for h in range(12):
            table.add_row(*(x for k in (h, h + 12) for x in (f"{k:02d}", f"{f.hourly_share[k]:.4f}",
                                                               f"{f.hourly_share_se[k]:.4f}")))
        console.print(table)
        if f.zones:
            table = Table(title="share of the orders by zone")
            for column in ("zone", "orders", "share", "+- se", "orders a day"):
                table.add_column(column, justify="right")
            for z, name in enumerate(f.zones):
                table.add_row(name, str(f.zone_counts[z]), f"{f.zone_share[z]:.4f}", f"{f.zone_share_se[z]:.4f}",
                              f"{f.zone_counts[z] / f.days:.2f}")
            console.print(table)


def _numbers(values: np.ndarray, digits: int) -> str:
    return "[" + ", ".join(repr(round(float(v), digits)) for v in values) + "]"


def fragment(fits: list[AreaFit], source: str, extends: str | None, name: str | None,
             stop_replay: bool, schema: str | None = None) -> str:
    """The TOML text: each area's ``fitted_demand`` table (and, with ``extends``, what makes it a whole scenario).

    ``schema``: the JSON Schema's path for a ``#:schema`` first line (the extended file's, for editors).
    """
    lines = [f"#:schema {schema}"] if schema is not None else []
    lines += [f"# Demand fitted by `sim fit-demand` from {source}.",
             "# Poisson model with main effects: orders an hour in zone z on weekday w in hour h =",
             "#   weekday_orders[w] x zone_share[z] x hourly_share[h]; *_se are the standard errors."]
    if extends is not None:
        lines += [f"extends = {json.dumps(extends)}"]
        if name is not None:
            lines += [f"name = {json.dumps(name)}"]
        if stop_replay:
            lines += ["history = { replay = false }   # the fit replaces the replayed history"]
    for f in fits:
        shares = f.hourly_share.copy()
        rounded = np.round(shares, 6)
        rounded[int(np.argmax(rounded))] += round(1.0 - float(rounded.sum()), 6)  # the shares sum to 1 as written
        lines += ["", "[[regional_warehouses]]", f"name = {json.dumps(f.area)}",
                  "", "[regional_warehouses.area.fitted_demand]",
                  f"# {f.orders} orders over {f.days} days, {f.first_day} to {f.last_day}",
                  f"history_days = {f.days}",
                  f"weekday_orders = {_numbers(f.weekday_orders, 4)}   # Monday .. Sunday",
                  f"weekday_orders_se = {_numbers(f.weekday_orders_se, 4)}",
                  f"hourly_share = {_numbers(rounded, 6)}",
                  f"hourly_share_se = {_numbers(f.hourly_share_se, 6)}"]
        if f.zones:
            zone = np.round(f.zone_share, 6)
            zone[int(np.argmax(zone))] += round(1.0 - float(zone.sum()), 6)
            lines += [f"zones = {json.dumps(list(f.zones))}",
                      f"zone_share = {_numbers(zone, 6)}",
                      f"zone_share_se = {_numbers(f.zone_share_se, 6)}"]
    return "\n".join(lines) + "\n"


def relative_path(target: Path, folder: Path) -> str:
    """``target`` relative to ``folder`` (the way an ``extends`` path is read), with forward slashes."""
    return Path(os.path.relpath(target.resolve(), folder.resolve())).as_posix()



def schema_line_target(scenario: Path, folder: Path) -> str | None:
    """The ``#:schema`` path of ``scenario`` (its first line), made relative to ``folder``; None without one."""
    try:
        first = scenario.read_text(encoding="utf-8").splitlines()[0]
    except (OSError, UnicodeDecodeError, IndexError):
        return None
    if not first.startswith("#:schema "):
        return None
    target = first.removeprefix("#:schema ").strip()
    if "://" in target:
        return target
    return relative_path(scenario.parent / target, folder)
