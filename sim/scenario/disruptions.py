"""Disruptions: scheduled or random events that stop a plant, delay trucks, close a warehouse or move demand.

Each kind is a table tagged by ``kind``; whether the names it points at exist
is checked by the scenario, which knows the network.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from sim.scenario.base import MAX_DAYS, Factor, Frozen, discriminator_tags, real

# Days from simulation day 0; a disruption lasts or recovers at most as long as the longest run.
DisruptionDays = Annotated[float, real("days", gt=0, le=MAX_DAYS)]
_KIND = "the kind of disruption: factory_outage, linehaul_delay, warehouse_closure or demand_surge"


class DisruptionBase(Frozen):
    """When a disruption happens and how it fades: what every kind of disruption shares.

    A disruption is either scheduled (``start_day``: one occurrence, lasting
    exactly ``duration_days``) or random (``rate_per_year``: occurrences of a
    Poisson process over the whole run, each lasting ``duration_days`` or, with
    ``duration_distribution = "exponential"``, an exponential time of that
    mean). Its severity is 1 during the event and then falls linearly to 0 over
    ``recovery_days``; 0 otherwise. Days count from simulation day 0, warm-up
    included, and may be fractional.
    """

    start_day: Annotated[float, real("simulation day", ge=0, le=MAX_DAYS)] | None = None
    # ASSUMPTION: at most one a day on average (more is the normal state, not a disruption), which bounds
    # the events of a run at a few thousand.
    rate_per_year: Annotated[float, real("events a year", gt=0, le=365)] | None = None
    duration_days: DisruptionDays
    duration_distribution: Annotated[Literal["fixed", "exponential"], Field(
        description="each occurrence lasts exactly duration_days (fixed) or an exponential time of that mean "
                    "(random disruptions only)")] = "fixed"
    recovery_days: Annotated[float, real("days", ge=0, le=MAX_DAYS)] = 0.0

    @field_validator("rate_per_year")
    @classmethod
    def _scheduled_or_random(cls, rate: float | None, info: ValidationInfo) -> float | None:
        if "start_day" not in info.data:
            return rate  # start_day itself is invalid: that error is reported already
        start = info.data["start_day"]
        if start is not None and rate is not None:
            raise ValueError(f"start_day = {start} is given too: a disruption is either scheduled (start_day) "
                             "or random (rate_per_year), not both")
        if start is None and rate is None:
            raise ValueError("neither start_day nor rate_per_year is given: give start_day (one scheduled "
                             "occurrence) or rate_per_year (random occurrences)")
        return rate

    @field_validator("duration_distribution")
    @classmethod
    def _exact_when_scheduled(cls, distribution: str, info: ValidationInfo) -> str:
        if distribution == "exponential" and info.data.get("start_day") is not None:
            raise ValueError("a scheduled disruption (start_day) lasts exactly duration_days: "
                             "\"exponential\" needs rate_per_year")
        return distribution

    @property
    def random(self) -> bool:
        """Whether the occurrences are drawn at random (rate_per_year) rather than scheduled (start_day)."""
        return self.rate_per_year is not None

    def references(self) -> tuple[tuple[tuple[str | int, ...], str, str], ...]:
        """The network names this disruption points at: (key path below it, name, what it must name).

        What it must name is one of ``"factory"``, ``"warehouse"`` (central or
        regional), ``"regional"`` or ``"site"`` (a factory or a warehouse).
        """
        return ()

    @property
    def target(self) -> str:
        """What it hits, for tables and reports."""
        return "all"


class FactoryOutage(DisruptionBase):
    """A plant loses capacity: ``capacity_factor`` is the share left during the event (0: stopped)."""

    kind: Annotated[Literal["factory_outage"], Field(description=_KIND)] = "factory_outage"
    factory: Annotated[str, Field(description="the name of the factory it hits")]
    capacity_factor: Annotated[float, real("share of capacity left", ge=0, lt=1)] = 0.0

    def references(self) -> tuple[tuple[tuple[str | int, ...], str, str], ...]:
        """The plant it stops."""
        return ((("factory",), self.factory, "factory"),)

    @property
    def target(self) -> str:
        """The plant."""
        return self.factory


class LinehaulDelay(DisruptionBase):
    """Trucks take longer: ``delay_hours`` more transit (times the severity at departure) on the named lanes.

    A lane is affected when its origin or one of its stops is named (factories,
    central or regional warehouses); ``lanes = []`` affects every lane.
    """

    kind: Annotated[Literal["linehaul_delay"], Field(description=_KIND)] = "linehaul_delay"
    lanes: Annotated[tuple[str, ...], Field(
        description="site names whose outgoing lanes (or stops) are delayed; empty: every lane")] = ()
    delay_hours: Annotated[float, real("hours", gt=0, le=720)]

    def references(self) -> tuple[tuple[tuple[str | int, ...], str, str], ...]:
        """The origins and stops that pick the lanes."""
        return tuple((("lanes", j), name, "site") for j, name in enumerate(self.lanes))

    @property
    def target(self) -> str:
        """The named sites, or "all"."""
        return ",".join(self.lanes) or "all"


class WarehouseClosure(DisruptionBase):
    """A central or regional warehouse closes: no receiving, shipping, picking or courier dispatch.

    It reopens at full capacity (``recovery_days`` must be 0): the recovery is
    the backlog clearing, which the model does by itself.
    """

    kind: Annotated[Literal["warehouse_closure"], Field(description=_KIND)] = "warehouse_closure"
    warehouse: Annotated[str, Field(description="the name of the central or regional warehouse it closes")]

    @field_validator("recovery_days")
    @classmethod
    def _reopens_at_full_capacity(cls, days: float) -> float:
        if days != 0:
            raise ValueError("a closed warehouse reopens at full capacity, so recovery_days must be 0 "
                             "(the recovery is its backlog clearing, which the model simulates)")
        return days

    def references(self) -> tuple[tuple[tuple[str | int, ...], str, str], ...]:
        """The warehouse it closes."""
        return ((("warehouse",), self.warehouse, "warehouse"),)

    @property
    def target(self) -> str:
        """The warehouse."""
        return self.warehouse


class DemandSurge(DisruptionBase):
    """Orders in the named areas are multiplied by ``factor`` (below 1: a drop) while it lasts."""

    kind: Annotated[Literal["demand_surge"], Field(description=_KIND)] = "demand_surge"
    regions: Annotated[tuple[str, ...], Field(
        description="regional warehouse names whose areas it changes; empty: every area")] = ()
    factor: Factor

    def references(self) -> tuple[tuple[tuple[str | int, ...], str, str], ...]:
        """The areas whose demand it changes."""
        return tuple((("regions", j), name, "regional") for j, name in enumerate(self.regions))

    @property
    def target(self) -> str:
        """The named areas, or "all"."""
        return ",".join(self.regions) or "all"


Disruption = Annotated[
    FactoryOutage | LinehaulDelay | WarehouseClosure | DemandSurge, Field(discriminator="kind")
]
# The tags of the disruption union: pydantic puts them in error locations.
DISRUPTION_KINDS = discriminator_tags(Disruption)
