"""The cost ledger: names are checked, zero amounts are skipped, and the table tags every entry's leg and channel."""

from __future__ import annotations

import pytest

from sim.ledger import CHANNELS, COMPONENTS, STAGES, CostLedger, channel_of


def test_unknown_stage_or_component_is_rejected() -> None:
    ledger = CostLedger()
    with pytest.raises(ValueError, match="unknown stage 'warehouse'"):
        ledger.post(1.0, "warehouse", "storage", "x", 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown component 'fuel'"):
        ledger.post(1.0, "last_mile", "fuel", "x", 1.0)  # type: ignore[arg-type]
    assert len(ledger) == 0


def test_zero_amounts_are_skipped() -> None:
    ledger = CostLedger()
    ledger.post(1.0, "last_mile", "driver_time", "metro", 0.0)
    ledger.post(2.0, "last_mile", "driver_time", "metro", 3.5)
    assert len(ledger) == 1
    assert ledger.to_frame()["amount"].tolist() == [3.5]


def test_to_frame_tags_legs_and_channels() -> None:
    ledger = CostLedger()
    entries = [
        ("factory_to_central", "vehicle_distance", "upstream", "shared"),
        ("central_warehouse", "handling_in", "upstream", "shared"),
        ("regional_warehouse", "pick_pack", "upstream", "online"),
        ("regional_warehouse", "store_pick", "upstream", "store"),
        ("regional_warehouse", "storage", "upstream", "shared"),
        ("last_mile", "failed_attempt", "last_mile", "online"),
        ("store_delivery", "driver_time", "upstream", "store"),
        ("store", "inventory_holding", "upstream", "store"),
    ]
    for hour, (stage, component, _, _) in enumerate(entries):
        ledger.post(float(hour), stage, component, "site", 1.0 + hour)  # type: ignore[arg-type]
    frame = ledger.to_frame()
    assert list(frame.columns) == ["time_h", "stage", "leg", "component", "channel", "facility", "amount"]
    assert frame["leg"].astype(str).tolist() == [leg for _, _, leg, _ in entries]
    assert frame["channel"].astype(str).tolist() == [channel for _, _, _, channel in entries]
    assert frame["amount"].tolist() == [1.0 + hour for hour in range(len(entries))]
    # The categories are the full name lists, so group-bys see every stage even when it has no entry.
    assert list(frame["stage"].cat.categories) == list(STAGES)
    assert list(frame["component"].cat.categories) == list(COMPONENTS)
    assert list(frame["channel"].cat.categories) == list(CHANNELS)


def test_channel_of_accepts_names_read_back_from_a_table() -> None:
    stage, component = ("last_mile", "return")  # plain str, as in a DataFrame column
    assert channel_of(stage, component) == "online"
    assert channel_of("regional_warehouse", "handling_in") == "shared"


def test_an_empty_ledger_gives_an_empty_table_with_its_columns() -> None:
    frame = CostLedger().to_frame()
    assert frame.empty
    assert "channel" in frame and "leg" in frame
