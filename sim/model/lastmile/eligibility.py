"""Which stops a fleet unit may serve: product classes, parcel weight and size, the low-emission zone."""

from __future__ import annotations

import math

import numpy as np

from sim.model.lastmile.stops import StopList
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

    def mask(self, stops: StopList) -> np.ndarray:
        """A boolean per stop: every parcel of the stop passes and the stop is outside any banned zone."""
        parcels = self.parcels
        # The parcel rules over every parcel of every stop at once, then "all parcels of the stop pass".
        ids = stops.parcel_ids
        parcel_ok = (
            self.allowed_products[parcels.product[ids]]
            & (parcels.weight_kg[ids] <= self.max_weight_kg)
            & (parcels.volume_m3[ids] <= self.max_volume_m3)
        )
        mask: np.ndarray = np.logical_and.reduceat(parcel_ok, stops.offsets[:-1])
        if self.banned_within_km is not None:
            mask &= np.hypot(stops.x_km, stops.y_km) > self.banned_within_km
        return mask
