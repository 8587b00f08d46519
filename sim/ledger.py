"""The cost ledger: every cost of a run is one entry tagged by stage, leg and component.

Entries are appended to plain Python lists (cheap on the hot path) and turned
into a DataFrame once, at the end. The headline numbers are group-bys over this
table, so ``total == upstream + last_mile`` holds by construction.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

import numpy as np
import pandas as pd

# Names checked by mypy where costs are posted: a typo in a stage or component is a type error.
Stage = Literal[
    "factory_to_central", "central_warehouse", "central_to_regional", "regional_warehouse", "last_mile",
    "store_delivery", "store",
]
Leg = Literal["upstream", "last_mile"]
Channel = Literal["online", "store", "shared"]
Component = Literal[
    "vehicle_distance",
    "driver_time",
    "vehicle_fixed",
    "failed_attempt",
    "failed_attempt_handling",
    "handling_in",
    "handling_out",
    "pick_pack",
    "storage",
    "inventory_holding",
    "pickup_point_fee",
    "locker_fee",
    "micro_hub",
    "outsourced_delivery",
    "return",
    "ltl_freight",  # line-haul loads handed to a less-than-truckload carrier, paid by tariff
    "store_pick",  # case picking of shop replenishment at the regional warehouse
]

# Stage -> leg. Upstream distribution is everything up to and including the
# regional warehouse; the last mile is regional warehouse -> consignee. The
# store truck and the shops' shelves are distribution too (B2B to shops), not
# last mile: the customer carries the goods home.
STAGES: Final[dict[Stage, Leg]] = {
    "factory_to_central": "upstream",
    "central_warehouse": "upstream",
    "central_to_regional": "upstream",
    "regional_warehouse": "upstream",
    "last_mile": "last_mile",
    "store_delivery": "upstream",
    "store": "upstream",
}

# The stages an online parcel passes: the rows of the headline table, which is per online parcel.
# The store stages are reported per channel (``summary["channels"]``).
PARCEL_STAGES: Final[dict[Stage, Leg]] = {
    stage: leg for stage, leg in STAGES.items() if stage not in ("store_delivery", "store")
}

# Sales channels a ledger entry belongs to. "shared" is the upstream network both channels use;
# metrics allocates it to the channels by units (``sim.metrics.channel_summary``).
CHANNELS: Final[tuple[Channel, ...]] = get_args(Channel)

# Components that are transport (vehicle and driver): the denominator of the
# transport-only last-mile share. Failed attempts are vehicle and driver time too.
TRANSPORT_COMPONENTS: Final[frozenset[Component]] = frozenset(
    {"vehicle_distance", "driver_time", "vehicle_fixed", "failed_attempt", "outsourced_delivery", "ltl_freight"}
)

COMPONENTS: Final[tuple[Component, ...]] = get_args(Component)

LEDGER_COLUMNS: Final[tuple[str, ...]] = ("time_h", "stage", "leg", "component", "channel", "facility", "amount")


def channel_of(stage: Stage | str, component: Component | str) -> Channel:
    """The sales channel of a cost: "online", "store", or "shared" (the upstream network both use).

    Home delivery and the per-order pick-pack serve only online parcels; the
    store truck, the shops' shelves and case picking for shops serve only the
    shops. Everything else (factories to the regional warehouse's shelf) is shared.
    Names read back from a table (plain strings) are accepted as well as typed ones.
    """
    if stage == "last_mile":
        return "online"
    if stage in ("store_delivery", "store"):
        return "store"
    if stage == "regional_warehouse":
        if component == "pick_pack":
            return "online"
        if component == "store_pick":
            return "store"
    return "shared"


class CostLedger:
    """Append-only record of costs (or, for the emissions ledger, of kg CO2e) by stage and component."""

    def __init__(self) -> None:
        self._time: list[float] = []
        self._stage: list[Stage] = []
        self._component: list[Component] = []
        self._facility: list[str] = []
        self._amount: list[float] = []

    def post(self, time_h: float, stage: Stage, component: Component, facility: str, amount: float) -> None:
        """Record one cost. Zero amounts are skipped: they would only bloat the table."""
        if amount == 0.0:
            return
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}")
        if component not in COMPONENTS:
            raise ValueError(f"unknown component {component!r}")
        self._time.append(time_h)
        self._stage.append(stage)
        self._component.append(component)
        self._facility.append(facility)
        self._amount.append(float(amount))

    def __len__(self) -> int:
        return len(self._amount)

    def to_frame(self) -> pd.DataFrame:
        """The ledger as a table with one row per entry."""
        # One channel_of call per distinct (stage, component), not per entry.
        channels: dict[tuple[Stage, Component], Channel] = {}
        for pair in zip(self._stage, self._component, strict=True):
            if pair not in channels:
                channels[pair] = channel_of(*pair)
        frame = pd.DataFrame(
            {
                "time_h": np.asarray(self._time, dtype=float),
                "stage": pd.Categorical(self._stage, categories=list(STAGES)),
                "leg": pd.Categorical([STAGES[s] for s in self._stage], categories=["upstream", "last_mile"]),
                "component": pd.Categorical(self._component, categories=list(COMPONENTS)),
                "channel": pd.Categorical([channels[pair] for pair in zip(self._stage, self._component, strict=True)],
                                          categories=list(CHANNELS)),
                "facility": np.asarray(self._facility, dtype=object),
                "amount": np.asarray(self._amount, dtype=float),
            }
        )
        return frame
