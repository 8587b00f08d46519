"""report.html from a results folder's files: the same page from ``sim run`` and ``sim report``, each folder
kind recognised, censored days and the delivery map built from the tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import RunResult
from sim.cli import main
from sim.output import write_run
from sim.plotting import not_yet_due_by_day, plot_daily_service
from sim.reporting import folder_kind
from sim.reporting.files import RunFiles, read_toml_file
from sim.reporting.run_data import daily_with_censoring, delivery_day, map_day


@pytest.fixture(scope="module")
def short_folder(tmp_path_factory: pytest.TempPathFactory, short_result: RunResult) -> Path:
    return write_run(short_result, tmp_path_factory.mktemp("short"))


def test_sim_report_rebuilds_the_same_page(short_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``sim report`` and the page ``write_run`` left are the same bytes: one code path over the same files."""
    written = (short_folder / "report.html").read_bytes()
    (short_folder / "report.html").unlink()
    assert main(["report", str(short_folder)]) == 0
    assert (short_folder / "report.html").read_bytes() == written
    assert capsys.readouterr().out.strip() == f"report: {short_folder / 'report.html'}"


def test_not_a_results_folder_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(tmp_path) in err and "not a results folder" in err


def test_folder_kinds(tmp_path: Path, short_folder: Path) -> None:
    assert folder_kind(short_folder) == "run"
    for kind, files in {"compare": ["comparison.json"], "risk": ["risk.json"], "sweep": ["sweep.json", "runs.csv"],
                        "strategies": ["strategies.csv"]}.items():
        folder = tmp_path / kind
        folder.mkdir()
        for name in files:
            (folder / name).write_text("{}")
        assert folder_kind(folder) == kind
    reps = tmp_path / "reps"
    reps.mkdir()
    (reps / "runs.csv").write_text("")
    (reps / "summary.json").write_text(json.dumps({"replications": [0, 1]}))
    assert folder_kind(reps) == "replications"


def test_daily_service_from_the_folder_is_the_runs(short_folder: Path, short_result: RunResult) -> None:
    """The page's service by day, read in batches, equals the run's own table (rates to rounding)."""
    daily, not_yet_due = daily_with_censoring(RunFiles(short_folder), short_result.window[1])
    expected = short_result.daily_service()
    assert daily["day"].tolist() == expected["day"].tolist()
    assert daily["orders"].tolist() == expected["orders"].tolist()
    for column in ("fill_rate", "on_time_rate", "mean_lead_time_h"):
        assert np.allclose(daily[column], expected[column], rtol=1e-12, equal_nan=True)
    assert not_yet_due is not None
    assert not_yet_due.equals(not_yet_due_by_day(short_result.parcels, short_result.window[1]))
    # With the drain (the default) every parcel is served or returned by the end: no day is censored.
    assert (not_yet_due == 0).all()


def test_censored_days_are_never_drawn_as_on_time() -> None:
    parcels = pd.DataFrame({
        "order_time_h": [1.0, 2.0, 25.0, 26.0, 49.0],
        "promise_h": [30.0, 30.0, 50.0, 80.0, 100.0],
        "available_time_h": [10.0, 40.0, 30.0, np.nan, 52.0],
        "state": ["delivered", "delivered", "delivered", "in_system", "delivered"],
    })
    share = not_yet_due_by_day(parcels, end_h=60.0)
    assert share.to_dict() == {0: 0.0, 1: 0.5, 2: 0.0}
    daily = pd.DataFrame({"day": [0, 1, 2], "fill_rate": [1.0, 1.0, 1.0], "on_time_rate": [0.5, 1.0, 1.0]})
    ax = plot_daily_service(daily, (0.0, 60.0), not_yet_due=share)
    on_time = next(line for line in ax.get_lines() if line.get_label() == "on time")
    y = np.asarray(on_time.get_ydata(), dtype=float)
    assert y[0] == 50.0 and np.isnan(y[1]) and y[2] == 100.0


def test_map_day_stops_and_routes_come_from_the_tables(short_folder: Path, short_result: RunResult) -> None:
    """Every parcel first out on the map's day is drawn once; a drawn route holds at most its delivered count."""
    files = RunFiles(short_folder)
    day = map_day(short_result.window)
    depots = delivery_day(files, read_toml_file(short_folder / "scenario.toml"), day)
    parcels = short_result.parcels
    first_out = parcels[(parcels["first_out_time_h"] >= day * 24) & (parcels["first_out_time_h"] < day * 24 + 24)]
    assert sum(len(d.stops) for d in depots) == len(first_out)
    routes = short_result.routes[short_result.routes["day"] == day]
    assert sum(d.routes_total for d in depots) == len(routes)
    for depot in depots:
        mine = routes[routes["regional"] == depot.name]
        # Every route of the day that delivered at the door is drawn, through the parcels it delivered there.
        home = parcels[(parcels["state"] == "delivered") & (parcels["delivered_via"] == "home")
                       & parcels["route_id"].isin(mine["route_id"])]
        assert sorted(len(line) - 2 for line in depot.routes) == sorted(home.groupby("route_id").size())
        for line in depot.routes:
            assert tuple(line[0]) == depot.depot_xy == tuple(line[-1])
    counts = pd.concat([d.stops for d in depots])["outcome"].value_counts()
    delivered_once = ((first_out["state"] == "delivered") & (first_out["attempts"] <= 1)
                      & (first_out["delivered_via"] != "pickup_point")).sum()
    assert counts.get("delivered", 0) == delivered_once


def test_the_headline_says_what_the_share_divides_by(short_folder: Path, short_result: RunResult) -> None:
    """Under the headline cards: the share's numerator and denominator with the run's amounts, and the drain's view."""
    from sim.reporting.format import money, percent
    from sim.reporting.run_page import share_denominator

    s = short_result.summary
    note = share_denominator(s, "USD")
    assert f"({money(s['last_mile_cost'], 'USD')}:" in note
    assert f"over total logistics cost ({money(s['total_cost'], 'USD')})" in note
    assert "the cost of making the goods is not in it" in note and "53 % of shipping cost" in note
    assert f"the share is {percent(s['lifecycle']['last_mile_share'])}" in note
    assert "lifecycle view" not in share_denominator({k: v for k, v in s.items() if k != "lifecycle"}, "USD")
    page = (short_folder / "report.html").read_text()
    assert '<p class="sub" id="share-denominator">' in page and "over total logistics cost" in page
