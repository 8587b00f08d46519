"""Disruptions: factory outages, line-haul delays, warehouse closures, demand surges, random occurrences.

Model tests run short versions of the baseline with and without a disruption
(same seed); the schedule, the severity ramp and the random draws are tested
directly, without a simulation.
"""

from __future__ import annotations

import json
import math
from functools import cache

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim import RunResult, ScenarioError, load_scenario, run
from sim.metrics import daily_service
from sim.model.context import SimContext
from sim.model.disruptions import DisruptionSchedule, Occurrence, draw_occurrences
from sim.model.products import ProductTable
from sim.model.streams import RandomStreams
from sim.model.upstream.factory import Plant
from sim.output import clean_json
from sim.scenario.schema import Factory
from tests.conftest import BASELINE, short_run, short_scenario, units_located

H = 24.0  # hours per day


def _disruptions(*tables: str) -> str:
    """A ``--set`` override that gives the scenario these disruptions (inline TOML tables)."""
    return f"disruptions=[{', '.join(tables)}]"


@cache
def _run(*overrides: str, base: str = str(BASELINE)) -> RunResult:
    return run(load_scenario(base, overrides), seed=1)


def _conserved(result: RunResult) -> None:
    balance = {k: np.asarray(v) for k, v in result.unit_balance.items()}
    np.testing.assert_array_equal(balance["initial"] + balance["produced"], units_located(balance))


def _between(times: pd.Series, start_h: float, end_h: float) -> pd.Series:
    return (times >= start_h) & (times < end_h)


# --- the schedule ------------------------------------------------------------------------------


def test_severity_is_one_during_the_event_then_falls_linearly_over_the_recovery() -> None:
    occurrence = Occurrence(0, "factory_outage", "plant_east", start_h=10.0, end_h=20.0, recovered_h=30.0)
    assert [occurrence.severity(t) for t in (0.0, 9.99, 10.0, 15.0, 19.99)] == [0.0, 0.0, 1.0, 1.0, 1.0]
    assert [occurrence.severity(t) for t in (20.0, 22.5, 25.0, 29.0)] == pytest.approx([1.0, 0.75, 0.5, 0.1])
    assert occurrence.severity(30.0) == 0.0 and occurrence.severity(100.0) == 0.0
    sudden = Occurrence(0, "factory_outage", "plant_east", start_h=10.0, end_h=20.0, recovered_h=20.0)
    assert sudden.severity(19.99) == 1.0 and sudden.severity(20.0) == 0.0


def test_the_ramp_drives_capacity_delays_and_demand() -> None:
    scenario = short_scenario(_disruptions(
        '{kind="factory_outage", factory="plant_east", start_day=2, duration_days=1, recovery_days=2, '
        'capacity_factor=0.4}',
        '{kind="linehaul_delay", lanes=["county"], start_day=2, duration_days=1, recovery_days=1, delay_hours=10}',
        '{kind="demand_surge", regions=["suburb"], start_day=2, duration_days=1, recovery_days=2, factor=3}',
    ))
    schedule = DisruptionSchedule.build(scenario, RandomStreams(1), 18 * H)
    # Capacity: 1 - severity x (1 - 0.4).
    assert schedule.capacity_factor("plant_east", 2 * H) == pytest.approx(0.4)
    assert schedule.capacity_factor("plant_east", 4 * H) == pytest.approx(1 - 0.5 * 0.6)
    assert schedule.capacity_factor("plant_east", 5 * H) == 1.0 and schedule.capacity_factor("plant_south", 2 * H) == 1
    # The continuous line looks again at the event's edges and at least hourly during the recovery.
    assert schedule.factory_speed("plant_east", 1 * H) == (1.0, 2 * H)
    assert schedule.factory_speed("plant_east", 2.5 * H)[1] == 3 * H
    assert schedule.factory_speed("plant_east", 3.5 * H)[1] == 3.5 * H + 1.0
    # Delay x severity at departure, on lanes through the county only.
    assert schedule.linehaul_delay_h({"central", "county"}, 2.5 * H) == 10.0
    assert schedule.linehaul_delay_h({"central", "county"}, 3.5 * H) == pytest.approx(5.0)
    assert schedule.linehaul_delay_h({"central", "metro"}, 2.5 * H) == 0.0
    # Demand: 1 + severity at mid-day x (factor - 1).
    assert schedule.demand_factor("suburb", 2) == 3.0
    assert schedule.demand_factor("suburb", 3) == pytest.approx(1 + (1 - 0.5 / 2) * 2)  # severity 0.75 at 3.5 days
    assert schedule.demand_factor("suburb", 1) == 1.0 and schedule.demand_factor("metro", 2) == 1.0


def _random_scenario(rate: float, days: int = 365):
    return load_scenario(BASELINE, [f"horizon.days={days}", "horizon.warmup_days=0", _disruptions(
        f'{{kind="factory_outage", factory="plant_south", rate_per_year={rate}, duration_days=2, '
        'duration_distribution="exponential", recovery_days=1}',
        f'{{kind="demand_surge", rate_per_year={rate}, duration_days=3, factor=1.5}}',
        '{kind="warehouse_closure", warehouse="metro", start_day=10, duration_days=1}',
    )])


def test_random_occurrences_are_reproducible_vary_and_have_the_right_rate_and_durations() -> None:
    """Over 1,000 replications of one year at 6 a year the mean count has a standard error of
    sqrt(6 / 1000) = 0.077 (Poisson); exponential durations of mean 2 days, about 6,000 of them,
    have a standard error of 2 / sqrt(6000) = 0.026 days. Both are checked within 4 standard errors."""
    scenario = _random_scenario(6.0)
    end_h = 365 * H

    def build(replication: int) -> DisruptionSchedule:
        return DisruptionSchedule.build(scenario, RandomStreams(7, replication), end_h)

    assert build(3).rows() == build(3).rows()
    assert build(3).rows() != build(4).rows()
    schedules = [build(r) for r in range(1000)]
    outages = [[o for o in s.occurrences if o.kind == "factory_outage"] for s in schedules]
    surges = [[o for o in s.occurrences if o.kind == "demand_surge"] for s in schedules]
    assert abs(np.mean([len(o) for o in outages]) - 6.0) < 4 * math.sqrt(6 / 1000)
    assert abs(np.mean([len(o) for o in surges]) - 6.0) < 4 * math.sqrt(6 / 1000)
    durations = np.array([(o.end_h - o.start_h) / H for s in outages for o in s])
    assert abs(durations.mean() - 2.0) < 4 * 2.0 / math.sqrt(len(durations))
    assert all(math.isclose(o.recovered_h - o.end_h, H) for s in outages for o in s)
    assert all(math.isclose(o.end_h - o.start_h, 3 * H) for s in surges for o in s)  # fixed: exactly 3 days
    # The scheduled closure is the same in every replication and draws nothing.
    assert all(s.closed_intervals("metro") == [(10 * H, 11 * H)] for s in schedules)
    streams = RandomStreams(7, 0)
    DisruptionSchedule.build(scenario, streams, end_h)
    assert sorted(streams._cache) == ["disruptions/0/factory_outage", "disruptions/1/demand_surge"]


def test_a_scheduled_disruption_has_exactly_one_occurrence() -> None:
    scenario = short_scenario(_disruptions('{kind="linehaul_delay", start_day=1.5, duration_days=0.5, '
                                           'delay_hours=4}'))
    assert draw_occurrences(scenario.disruptions[0], None, 18 * H) == [(36.0, 12.0)]


def test_daily_service_counts_fill_on_time_and_lead_time_by_order_day() -> None:
    """A synthetic parcel table: day 0 has one backordered parcel of two, day 1 a lost sale and a parcel
    left at a pickup point late."""
    parcels = pd.DataFrame({
        "order_time_h": [1.0, 20.0, 30.0, 40.0],
        "state": ["delivered", "delivered", "lost_sale", "at_pickup_point"],
        "backordered": [False, True, False, False],
        "available_time_h": [20.0, 60.0, np.nan, 90.0],
        "on_time": [True, False, False, False],
        "lead_time_h": [19.0, 40.0, np.nan, np.nan],
    })
    table = daily_service(parcels)
    assert table["day"].tolist() == [0, 1] and table["orders"].tolist() == [2, 2]
    assert table["fill_rate"].tolist() == [0.5, 0.5]
    assert table["on_time_rate"].tolist() == [0.5, 0.0]
    assert table["mean_lead_time_h"].iloc[0] == 29.5 and np.isnan(table["mean_lead_time_h"].iloc[1])


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ('{kind="factory_outage", factory="plant_north", start_day=3, duration_days=2}',
         "disruptions[0].factory = 'plant_north': not a factory (known: ['plant_east', 'plant_south'])"),
        ('{kind="factory_outage", factory="plant_east", start_day=3, rate_per_year=4, duration_days=2}',
         "disruptions[0].rate_per_year = 4: start_day = 3.0 is given too"),
        ('{kind="factory_outage", factory="plant_east", duration_days=2}',
         "disruptions[0].rate_per_year = None: neither start_day nor rate_per_year is given"),
        ('{kind="demand_surge", start_day=18, duration_days=2, factor=2}',
         "disruptions[0].start_day = 18.0: the run ends at day 18"),
        ('{kind="warehouse_closure", warehouse="metro", start_day=3, duration_days=2, recovery_days=1}',
         "disruptions[0].recovery_days = 1: a closed warehouse reopens at full capacity, so recovery_days must be 0"),
        ('{kind="warehouse_closure", warehouse="plant_east", start_day=3, duration_days=2}',
         "disruptions[0].warehouse = 'plant_east': not a central or regional warehouse"),
        ('{kind="linehaul_delay", lanes=["metro", "atlantis"], start_day=3, duration_days=2, delay_hours=6}',
         "disruptions[0].lanes[1] = 'atlantis': not a factory or a warehouse"),
        ('{kind="demand_surge", regions=["central"], start_day=3, duration_days=2, factor=2}',
         "disruptions[0].regions[0] = 'central': not a regional warehouse"),
        ('{kind="factory_outage", factory="plant_east", start_day=3, duration_days=2, capacity_factor=1}',
         "disruptions[0].capacity_factor = 1: allowed: less than 1"),
        ('{kind="linehaul_delay", start_day=3, duration_days=2, delay_hours=6, duration_distribution="exponential"}',
         "disruptions[0].duration_distribution = 'exponential': a scheduled disruption (start_day) lasts exactly"),
        ('{kind="demand_surge", rate_per_year=2, duration_days=0, factor=2}',
         "disruptions[0].duration_days = 0: allowed: greater than 0"),
    ],
)
def test_bad_disruptions_are_rejected_with_the_key_path_and_value(table: str, fragment: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, ["horizon.warmup_days=4", "horizon.days=14", _disruptions(table)])
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(BASELINE)), message
    assert fragment in message, message


# --- factory outage --------------------------------------------------------------------------------

# The central warehouse holds four days of stock and re-orders at three: an outage of a week reaches customers.
LEAN_CENTRAL = 'central_warehouses.central.inventory={policy="sS", reorder_point_days=3, order_up_to_days=6, ' \
               'initial_stock_days=4}'
OUTAGE = '{kind="factory_outage", factory="plant_east", start_day=3, duration_days=6, recovery_days=2}'


@pytest.mark.slow
def test_a_factory_outage_lowers_fill_rate_during_and_after_it() -> None:
    reference = daily_service(short_run(LEAN_CENTRAL).parcels).set_index("day")
    hit = short_run(LEAN_CENTRAL, _disruptions(OUTAGE))
    daily = daily_service(hit.parcels).set_index("day")
    during, after = range(3, 9), range(9, 14)  # order days inside the outage, and the five days after its end

    def fill(table: pd.DataFrame, days: range) -> float:
        rows = table.loc[list(days)]
        return float((rows["fill_rate"] * rows["orders"]).sum() / rows["orders"].sum())

    # Seed 1: the reference fills 99 % in both spans; the outage 96 % during it (the stock runs out in its
    # second half) and under 60 % in the days after it, while the backlog is made and shipped.
    assert fill(reference, during) > 0.99 and fill(reference, after) > 0.99
    assert fill(daily, during) < fill(reference, during) - 0.02
    assert fill(daily, after) < fill(reference, after) - 0.3
    assert hit.summary["disruptions"] == [{"disruption": 0, "kind": "factory_outage", "target": "plant_east",
                                           "start_h": 72.0, "end_h": 216.0, "recovered_h": 264.0}]
    assert hit.summary["disruption_load"] == {"occurrences": 1, "hours": 144.0}
    _conserved(hit)
    ax = Figure().subplots()
    assert hit.plot_daily_service(ax=ax) is ax
    assert len(ax.patches) == 2 and len(ax.lines) == 3  # event and recovery shaded; fill, on time, warm-up end


def test_a_continuous_line_stops_during_an_outage_and_speeds_up_over_the_recovery() -> None:
    """240 units a day = 10 an hour on a 24-h line. Stopped on day 1, recovering over day 2 at the share of
    each hour's start (0, 1/24, ..., 23/24: 11.5 working hours), full speed on day 3: 59.5 h = 595 units."""
    scenario = load_scenario(BASELINE, [_disruptions(
        '{kind="factory_outage", factory="plant_east", start_day=1, duration_days=1, recovery_days=1}')])
    ctx = SimContext.create(scenario, seed=1, replication=0)
    plant = Plant(ctx, Factory(name="plant_east", products=("standard",), capacity_units_per_day=240.0,
                               mode="continuous"), ProductTable.from_scenario(scenario))
    offers: list[tuple[float, int]] = []

    class Lane:
        def offer(self, product: int, units: int) -> None:
            offers.append((ctx.env.now, units))

    plant.request(Lane(), 0, 5000)
    ctx.env.run(until=4 * H + 1e-9)
    assert not [t for t, _ in offers if H < t < 2 * H]
    assert sum(u for t, u in offers if t <= H + 1e-9) == 240
    assert sum(u for _, u in offers) == 595 == int(plant.produced.sum())


# --- line-haul delay -----------------------------------------------------------------------------

EXACT = ("horizon.warmup_days=3", "horizon.days=7", "linehaul.transit_time_sigma=0",
         'linehaul.ltl={rate_per_m3_per_100km=4.0, minimum_charge=150.0, transit_days=1, below_fill=0.3}')
DELAY = '{kind="linehaul_delay", lanes=["county", "plant_south"], start_day=6, duration_days=3, delay_hours=10}'


def test_a_linehaul_delay_lengthens_the_affected_trips_and_is_paid_to_the_driver() -> None:
    """Without transit noise a truck takes loading + km / speed; an LTL consignment its transit days.
    Trips that leave in the window on a lane through the county or from plant_south take 10 h more."""
    scenario = load_scenario(BASELINE, EXACT)
    config = scenario.linehaul
    hit = _run(*EXACT, _disruptions(DELAY))
    reference = _run(*EXACT)
    for result, delayed in ((hit, True), (reference, False)):
        trips = result.trips
        own = trips["mode"] == "FTL"
        # One-way km of an own truck is half its round trip; LTL km is the direct distance.
        expected = np.where(own, config.loading_hours + trips["km"] / 2 / config.speed_kmh, 24.0)
        affected = _between(trips["depart_h"], 6 * H, 9 * H) & (
            (trips["destination"] == "county") | (trips["origin"] == "plant_south"))
        extra = (trips["arrive_h"] - trips["depart_h"]) - expected
        assert affected.any() and (~affected).any()
        np.testing.assert_allclose(extra[affected], 10.0 if delayed else 0.0, atol=1e-9)
        np.testing.assert_allclose(extra[~affected], 0.0, atol=1e-9)
        # The driver of an own truck is paid its round trip plus the delay (the ledger's driver time, posted at
        # departure; trucks of one lane that leave together are summed on both sides).
        ledger = result.ledger[result.ledger["component"] == "driver_time"]
        paid = ledger.groupby(["facility", "time_h"])["amount"].sum()
        hours = (config.loading_hours + trips["km"] / config.speed_kmh + np.where(affected & delayed, 10.0, 0.0))
        due = (hours * config.driver_cost_per_hour)[own].groupby(
            [trips["origin"] + "->" + trips["destination"], trips["depart_h"]]).sum()
        due.index.names = ["facility", "time_h"]
        pd.testing.assert_series_equal(paid.loc[due.index], due, check_names=False)
    assert (hit.trips["mode"] == "LTL").any()  # the county lane's small loads went by LTL, delayed too

    def driver(result: RunResult) -> float:
        ledger = result.ledger
        return float(ledger.loc[ledger["facility"].str.startswith("plant_south")
                                & (ledger["component"] == "driver_time"), "amount"].sum())

    assert driver(hit) > driver(reference)


# --- warehouse closure ---------------------------------------------------------------------------

# Seed 1: trucks from the plants reach the central warehouse, and the regional warehouses order from it, while it
# is closed; a truck from the central warehouse reaches metro while metro is closed.
CENTRAL_SHUT, METRO_SHUT = (204.0, 240.0), (252.0, 300.0)
CLOSURES = _disruptions(
    '{kind="warehouse_closure", warehouse="central", start_day=8.5, duration_days=1.5}',
    '{kind="warehouse_closure", warehouse="metro", start_day=10.5, duration_days=2}',
)


def test_a_closed_warehouse_receives_ships_picks_and_dispatches_nothing_and_clears_its_backlog() -> None:
    result = short_run(CLOSURES)
    ledger, trips, routes, parcels = result.ledger, result.trips, result.routes, result.parcels

    def posted(facility: str, component: str, start_h: float, end_h: float) -> pd.DataFrame:
        rows = ledger[(ledger["facility"] == facility) & (ledger["component"] == component)]
        return rows[_between(rows["time_h"], start_h, end_h)]

    # Central: no receipt, no shipment, no truck out while closed; at the reopening the trucks that waited
    # in the yard are received and the regional orders backordered meanwhile are shipped.
    for component in ("handling_in", "handling_out"):
        assert posted("central", component, *CENTRAL_SHUT).empty
        assert not posted("central", component, CENTRAL_SHUT[1], CENTRAL_SHUT[1] + 1e-9).empty
    assert not _between(trips.loc[trips["origin"] == "central", "depart_h"], *CENTRAL_SHUT).any()
    # Metro: no receipt, no pick, no courier out while closed; then the backlog is picked and delivered.
    assert posted("metro", "handling_in", *METRO_SHUT).empty
    assert not posted("metro", "handling_in", METRO_SHUT[1], METRO_SHUT[1] + 1e-9).empty
    assert posted("metro", "pick_pack", *METRO_SHUT).empty
    assert not _between(routes.loc[routes["regional"] == "metro", "depart_h"], *METRO_SHUT).any()
    metro = parcels[parcels["regional"] == "metro"]
    assert not _between(metro["picked_time_h"], *METRO_SHUT).any()
    during = metro[_between(metro["order_time_h"], *METRO_SHUT)]
    assert (during["picked_time_h"].dropna() >= METRO_SHUT[1]).all()
    assert len(during) > 1000 and (during["state"] == "delivered").mean() > 0.95
    # The other depots go on working.
    assert _between(routes.loc[routes["regional"] == "suburb", "depart_h"], *METRO_SHUT).any()
    _conserved(result)
    balances = result.warehouse_balances
    for name, flows in balances.items():
        b = {k: np.asarray(v) for k, v in flows.items()}
        np.testing.assert_array_equal(b["initial"] + b["received"], b["shipped"] + b["on_hand"], err_msg=name)


# --- demand surge -----------------------------------------------------------------------------------

SURGE = '{kind="demand_surge", regions=["suburb"], start_day=6, duration_days=3, factor=2}'


def test_a_demand_surge_multiplies_orders_in_its_window_and_area_only() -> None:
    """Orders of a day are Poisson: over the surge's three days the suburb expects 2 x its usual mean
    (about 2 x 3 x 480), checked within 4 standard deviations (4 sqrt(mean), about 7 %). Before the
    surge the suburb's orders are the reference's, draw for draw; the other areas never change."""
    reference, hit = short_run(), short_run(_disruptions(SURGE))
    scenario = short_scenario()

    def counts(result: RunResult, area: str) -> pd.Series:
        orders = result.parcels[result.parcels["regional"] == area]
        return (orders["order_time_h"] // H).astype(int).value_counts().sort_index()

    suburb = next(r for r in scenario.regional_warehouses if r.name == "suburb")
    weekday = np.asarray(scenario.demand.weekday_factors)
    mean = suburb.area.expected_orders_per_day * weekday / weekday.mean()  # by weekday (day 0 is a Monday)
    surged, usual = counts(hit, "suburb"), counts(reference, "suburb")
    expected = 2 * sum(mean[d % 7] for d in (6, 7, 8))
    assert abs(surged.loc[6:8].sum() - expected) < 4 * math.sqrt(expected)
    after = sum(mean[d % 7] for d in range(9, 18))
    assert abs(surged.loc[9:].sum() - after) < 4 * math.sqrt(after)
    pd.testing.assert_series_equal(surged.loc[:5], usual.loc[:5])
    for area in ("metro", "county"):
        pd.testing.assert_series_equal(counts(hit, area), counts(reference, area))


# --- everything at once, and nothing at all ----------------------------------------------------------

ALL_KINDS = _disruptions(
    '{kind="factory_outage", factory="plant_south", start_day=2, duration_days=3, recovery_days=2, '
    'capacity_factor=0.2}',
    '{kind="linehaul_delay", start_day=3, duration_days=2, recovery_days=1, delay_hours=8}',
    '{kind="warehouse_closure", warehouse="central", start_day=9, duration_days=0.9}',
    '{kind="warehouse_closure", warehouse="suburb", start_day=7.87, duration_days=1.5}',
    '{kind="demand_surge", regions=["metro", "county"], start_day=4, duration_days=2, recovery_days=2, factor=1.6}',
)


def test_units_are_conserved_per_product_with_every_kind_on_at_once() -> None:
    """On the warehouse-operations example (pickers, dock doors, cross-docking) with a continuous plant. Seed 1:
    trucks wait in the central warehouse's yard, a truck unloading at each closed warehouse finishes its
    put-away during the closure, and the suburb's new orders are held for its pickers."""
    result = _run("horizon.warmup_days=3", "horizon.days=9", 'factories.plant_south.mode="continuous"',
                  ALL_KINDS, base=str(BASELINE.parent / "examples" / "upstream" / "warehouse_operations.toml"))
    _conserved(result)
    assert [row["kind"] for row in result.summary["disruptions"]] == [
        "factory_outage", "linehaul_delay", "demand_surge", "warehouse_closure", "warehouse_closure"]
    suburb = result.parcels[result.parcels["regional"] == "suburb"]
    # Continuous picking: orders held during the closure; a pick begun before it may end just after it began.
    assert not _between(suburb["picked_time_h"], 7.87 * H + 1.0, 9.37 * H).any()
    # The trucks that waited in the central warehouse's yard are received, and their wait costed, at the reopening.
    ledger = result.ledger
    reopening = ledger[(ledger["facility"] == "central") & np.isclose(ledger["time_h"], 9.9 * H)]
    assert {"handling_in", "inventory_holding"} <= set(reopening["component"])
    assert result.disruptions is not None and len(result.disruptions) == 5
    parcels = result.parcels
    assert int((parcels["detail_state"] != "awaiting_stock").sum()) == int(np.sum(result.unit_balance["in_parcels"]))


def test_no_disruptions_changes_nothing() -> None:
    explicit = run(short_scenario("disruptions=[]"), seed=1)
    reference = short_run()
    assert explicit.events == reference.events
    assert json.dumps(clean_json(explicit.summary)) == json.dumps(clean_json(reference.summary))
    assert "disruptions" not in reference.summary and reference.disruptions is None
