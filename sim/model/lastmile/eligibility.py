"""Which stops a fleet unit may serve: product classes, parcel weight and size, the low-emission zone."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim.model.lastmile.stops import Stop
from sim.model.products import ProductTable
from sim.records import ParcelStore
from sim.scenario.schema import Area, VehicleType


class ServiceRules:
    """The rules one vehicle type obeys, whatever kind of vehicle it is."""

    def __init__(self, parcels: ParcelStore, products: ProductTable, vehicle: VehicleType, type_name: str,
                 area: Area) -> None:
        self.parcels = parcels
        self.allowed_products = np.ones(len(products), dtype=bool)
        if vehicle.products:
            self.allowed_products = np.isin(np.asarray(products.names), vehicle.products)
        self.max_weight_kg = vehicle.max_parcel_weight_kg or math.inf
        self.max_volume_m3 = vehicle.max_parcel_volume_m3 or math.inf
        zone = area.low_emission_zone
        # The radius inside which this vehicle type may not deliver (None: it may go everywhere).
        self.banned_within_km = (
            zone.radius_km if zone is not None and type_name not in zone.allowed_types else None
        )

    def mask(self, stops: Sequence[Stop]) -> np.ndarray:
        """A boolean per stop: every parcel of the stop passes and the stop is outside any banned zone."""
        parcels = self.parcels
        # The parcel rules over every parcel of every stop at once, then "all parcels of the stop pass".
        sizes = np.fromiter((len(s.parcels) for s in stops), dtype=np.int64, count=len(stops))
        ids = np.fromiter((p for s in stops for p in s.parcels), dtype=np.int64, count=int(sizes.sum()))
        parcel_ok = (
            self.allowed_products[parcels.product[ids]]
            & (parcels.weight_kg[ids] <= self.max_weight_kg)
            & (parcels.volume_m3[ids] <= self.max_volume_m3)
        )
        mask: np.ndarray = np.logical_and.reduceat(parcel_ok, np.concatenate(([0], np.cumsum(sizes)[:-1])))
        if self.banned_within_km is not None:
            xy = np.array([(s.x_km, s.y_km) for s in stops])
            mask &= np.hypot(xy[:, 0], xy[:, 1]) > self.banned_within_km
        return mask
