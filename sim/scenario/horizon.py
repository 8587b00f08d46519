"""How long a run lasts (warm-up and measured window) and what it keeps."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sim.scenario.base import Flag, Frozen, Weekday, integer, real

# ASSUMPTION: 14 days bounds the drain. A parcel that keeps up is final within a few days of its order
# (a pickup-point or carrier outcome is decided at hand-over); 14 days covers the longest default pickup hold
# (7 days) plus a week of backlog. A run that hits the cap says so in its warnings.
DRAIN_CAP_DAYS = 14


class Horizon(Frozen):
    """How long the clock runs: a warm-up that is simulated but not measured, then the window, then the drain.

    ``drain`` (default true): after the window's last order day no order
    arrives (customers or shops) and the clock runs on, a day at a time, until
    every parcel ordered is final (see README, "Horizon and lifecycle"), or for
    ``drain_cap_days`` at most. Unset values stay out of a results folder's
    ``scenario.toml``.
    """

    warmup_days: Annotated[int, integer("days", ge=0, le=365)] = 7
    days: Annotated[int, integer("days", ge=1, le=3650)] = 28
    start_weekday: Weekday = 0
    drain: Flag | None = None
    drain_cap_days: Annotated[int, integer("days", ge=1, le=365, note="longest drain")] | None = None

    @property
    def drains(self) -> bool:
        """Whether the clock runs on after the window until the window's parcels are final."""
        return True if self.drain is None else self.drain

    @property
    def cap_days(self) -> int:
        """The longest drain, in days."""
        return DRAIN_CAP_DAYS if self.drain_cap_days is None else self.drain_cap_days


class Outputs(Frozen):
    """What a run keeps: the parcel event trail costs memory and is off by default.

    ``parcels``: the parcel table holds every parcel ("all", the default), a
    deterministic sample of ``parcel_sample_rate`` of them (default 0.01)
    drawn from each parcel's key ("sample"), or none ("none"). The summary
    always counts every parcel. Unset values stay out of a results folder's
    ``scenario.toml``, so it reads as it did before these settings existed.
    """

    parcel_events: Flag = False
    plots: Flag = True
    parcels: Annotated[Literal["all", "sample", "none"] | None, Field(
        description="which parcels the parcel table holds: all (default), a sample of parcel_sample_rate, or none "
                    "(the summary counts every parcel)")] = None
    parcel_sample_rate: Annotated[float, real("share of parcels", gt=0.0, le=1.0)] | None = None

    @property
    def parcel_table(self) -> Literal["all", "sample", "none"]:
        """Which parcels the parcel table holds."""
        return self.parcels or "all"

    @property
    def sample_rate(self) -> float:
        """The share of parcels in the table under "sample"."""
        return 0.01 if self.parcel_sample_rate is None else self.parcel_sample_rate
