"""How long a run lasts (warm-up and measured window) and what it keeps."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sim.scenario.base import Frozen, Weekday


class Horizon(Frozen):
    """How long the clock runs: a warm-up that is simulated but not measured, then the window."""

    warmup_days: Annotated[int, Field(ge=0, le=365)] = 7
    days: Annotated[int, Field(ge=1, le=3650)] = 28
    start_weekday: Weekday = 0


class Outputs(Frozen):
    """What a run keeps: the parcel event trail costs memory and is off by default."""

    parcel_events: bool = False
    plots: bool = True
