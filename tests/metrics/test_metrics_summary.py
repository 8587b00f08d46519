"""Run-level KPIs from plain records: a plant's KPIs from its record, the disruption load."""

from __future__ import annotations

from sim.metrics import disruption_load, plant_kpis
from sim.records import PlantRecord

PLANT = PlantRecord(
    name="plant",
    output=[(5.0, 0, 100), (30.0, 1, 50), (50.0, 0, 20)],
    setups=[(4.0, 0), (29.0, 1), (60.0, 0)],
    downtime=[(10.0, 14.0), (45.0, 55.0)],
    setup_hours=1.5,
    fg_units=7,
    backlog_units=3,
)


def test_plant_kpis_over_the_whole_run() -> None:
    assert plant_kpis(PLANT, 0.0, 100.0) == {
        "units_produced": 170, "downtime_hours": 14.0, "setups": 3, "setup_hours": 4.5, "fg_units": 7,
        "backlog_units": 3,
    }


def test_plant_kpis_count_only_the_window() -> None:
    """[20, 50): the output at 50 is outside; of the breakdown 45-55 only 5 hours are inside."""
    kpis = plant_kpis(PLANT, 20.0, 50.0)
    assert kpis == {"units_produced": 50, "downtime_hours": 5.0, "setups": 1, "setup_hours": 1.5, "fg_units": 7,
                    "backlog_units": 3}
    assert isinstance(kpis["units_produced"], int) and isinstance(kpis["downtime_hours"], float)


def test_disruption_load_counts_only_hours_inside_the_run() -> None:
    occurrences = [
        {"disruption": 0, "kind": "warehouse_closure", "target": "metro", "start_h": 10.0, "end_h": 20.0,
         "recovered_h": 20.0},
        {"disruption": 1, "kind": "factory_outage", "target": "plant", "start_h": 90.0, "end_h": 130.0,
         "recovered_h": 150.0},
    ]
    assert disruption_load(occurrences, 100.0) == {"occurrences": 2, "hours": 20.0}
    assert disruption_load([], 100.0) == {"occurrences": 0, "hours": 0.0}
