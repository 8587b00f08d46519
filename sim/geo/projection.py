"""Latitude/longitude to the model's local metric frame (km east and north of an origin) and back.

The model places everything in kilometres on a plane. For a user's own network the plane is an
azimuthal equidistant projection centred on an origin (pyproj/PROJ ``aeqd``): distances from the
origin are exact, and across a city or a region of a few hundred kilometres the scale error
elsewhere stays below a fraction of a percent, far below the circuity factors applied on top.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

LATITUDE_RANGE = (-90.0, 90.0)
LONGITUDE_RANGE = (-180.0, 180.0)


def check_coordinates(lat: np.ndarray, lon: np.ndarray) -> None:
    """``ValueError`` naming the first latitude or longitude that is not a finite value in range."""
    for name, values, (low, high) in (("latitude", lat, LATITUDE_RANGE), ("longitude", lon, LONGITUDE_RANGE)):
        values = np.asarray(values, dtype=float)
        bad = ~np.isfinite(values) | (values < low) | (values > high)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{name} {values.flat[i]!r} at position {i}; allowed: {low:g} to {high:g} degrees")


@dataclass(frozen=True)
class LocalFrame:
    """A local plane in km: x east and y north of ``(origin_lat, origin_lon)``, WGS84 ellipsoid."""

    origin_lat: float
    origin_lon: float
    _forward: Any = field(init=False, repr=False, compare=False)
    _inverse: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_coordinates(np.array([self.origin_lat]), np.array([self.origin_lon]))
        # Imported here: runs on synthetic areas never pay for loading PROJ.
        from pyproj import CRS, Transformer

        local = CRS.from_proj4(
            f"+proj=aeqd +lat_0={self.origin_lat!r} +lon_0={self.origin_lon!r} +datum=WGS84 +units=km +no_defs"
        )
        wgs84 = CRS.from_epsg(4326)
        object.__setattr__(self, "_forward", Transformer.from_crs(wgs84, local, always_xy=True))
        object.__setattr__(self, "_inverse", Transformer.from_crs(local, wgs84, always_xy=True))

    @classmethod
    def centred_on(cls, lat: np.ndarray, lon: np.ndarray) -> LocalFrame:
        """The frame whose origin is the middle of the points' bounding box (a stable, order-free choice)."""
        lat = np.asarray(lat, dtype=float)
        lon = np.asarray(lon, dtype=float)
        check_coordinates(lat, lon)
        return cls(float((lat.min() + lat.max()) / 2.0), float((lon.min() + lon.max()) / 2.0))

    def to_km(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """(n, 2) array of km east and north of the origin for ``n`` latitudes and longitudes (degrees)."""
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        check_coordinates(lat, lon)
        x, y = self._forward.transform(lon, lat)
        return np.column_stack((np.asarray(x, dtype=float), np.asarray(y, dtype=float)))

    def to_lat_lon(self, xy_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Latitudes and longitudes (degrees) of an (n, 2) array of km east and north of the origin."""
        xy = np.asarray(xy_km, dtype=float).reshape(-1, 2)
        lon, lat = self._inverse.transform(xy[:, 0], xy[:, 1])
        return np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
