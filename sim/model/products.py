"""Product classes as arrays indexed by product number (the order of the scenario's table)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.schema import Scenario

HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class ProductTable:
    """Per-product parameters as numpy arrays, so costs over all products are one vector operation."""

    names: tuple[str, ...]
    share: np.ndarray
    unit_value: np.ndarray
    volume_m3: np.ndarray
    weight_kg: np.ndarray
    handling_multiplier: np.ndarray
    holding_rate_per_year: np.ndarray
    service_time_multiplier: np.ndarray

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> ProductTable:
        """Build the table in the scenario's product order."""
        items = list(scenario.products.values())
        return cls(
            names=tuple(scenario.products),
            share=np.array([p.share for p in items]),
            unit_value=np.array([p.unit_value for p in items]),
            volume_m3=np.array([p.volume_m3 for p in items]),
            weight_kg=np.array([p.weight_kg for p in items]),
            handling_multiplier=np.array([p.handling_multiplier for p in items]),
            holding_rate_per_year=np.array([p.holding_rate_per_year for p in items]),
            service_time_multiplier=np.array([p.service_time_multiplier for p in items]),
        )

    def __len__(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        """Product number of a product name."""
        return self.names.index(name)

    def holding_cost_per_unit_hour(self) -> np.ndarray:
        """Inventory carrying cost of one unit for one hour, per product."""
        return self.unit_value * self.holding_rate_per_year / HOURS_PER_YEAR
