"""A replayed history keeps its counts by day and zone; a fitted demand reproduces the history's rates."""

from __future__ import annotations

import datetime
import tomllib

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import load_scenario, run
from sim.geo import cache
from sim.geo.areas import zone_index
from sim.geo.datafiles import OrderHistory
from sim.geo.fit_demand import fit
from sim.model.geography import AreaGeometry
from tests.geo.helpers import HELSINKI, REAL, cli, copy_example

SHORT = ["horizon.warmup_days=2", "horizon.days=5"]
ORDERS = REAL / "data" / "orders.csv"


def _history_counts(days: int) -> pd.Series:
    frame = pd.read_csv(ORDERS, parse_dates=["timestamp"])
    day = (frame["timestamp"] - pd.Timestamp("2026-10-05")).dt.days
    frame = frame[day < days]
    return frame.groupby([day[day < days], frame["zone"]]).size()


def _run_counts(result, geometry: AreaGeometry) -> pd.Series:
    parcels = result.parcels
    zone = zone_index(geometry.places.zone_shapes, parcels[["x_km", "y_km"]].to_numpy())
    names = np.array(geometry.places.zone_names)
    return pd.Series(1, index=pd.MultiIndex.from_arrays(
        [(parcels["order_time_h"] // 24).astype(int).to_numpy(), names[zone]])).groupby(level=[0, 1]).size()


def test_a_replayed_history_keeps_its_counts_by_day_and_zone_exactly() -> None:
    scenario = load_scenario(HELSINKI, SHORT)
    result = run(scenario, seed=3)
    geometry = AreaGeometry(scenario.regional_warehouses[0].area, np.random.default_rng(0))
    observed = _run_counts(result, geometry)
    expected = _history_counts(7)
    observed.index.names = expected.index.names = ["day", "zone"]
    pd.testing.assert_series_equal(observed.sort_index(), expected.sort_index(), check_names=False)
    # The times are the history's: the first order of the run is the file's first (00:38:54 on day 0).
    assert result.parcels["order_time_h"].min() == pytest.approx((38 * 60 + 54) / 3600)


def test_the_replay_is_the_same_whatever_the_seed_and_its_mean_sizes_the_stock() -> None:
    scenario = load_scenario(HELSINKI, SHORT)
    a, b = run(scenario, seed=1), run(scenario, seed=2)
    assert np.array_equal(a.parcels["order_time_h"], b.parcels["order_time_h"])
    assert np.array_equal(a.parcels["x_km"], b.parcels["x_km"])  # coordinates given: no draw places them
    area = scenario.regional_warehouses[0].area
    assert area.orders_per_day == pytest.approx(_history_counts(7).sum() / 7, rel=1e-6)
    assert scenario.horizon.start_weekday == 0


def _synthetic_history(weeks: int, seed: int) -> tuple[OrderHistory, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    weekday = np.array([60.0, 55, 50, 50, 45, 30, 40])
    hourly = rng.random(24) + 0.2
    hourly /= hourly.sum()
    zone_share = np.array([0.5, 0.3, 0.2])
    stamps, zones = [], []
    start = np.datetime64("2026-01-05")  # a Monday
    for day in range(weeks * 7):
        for zone in range(3):
            for hour in range(24):
                n = rng.poisson(weekday[day % 7] * zone_share[zone] * hourly[hour])
                seconds = rng.integers(0, 3600, size=n)
                stamps += [start + np.timedelta64(day * 86_400 + hour * 3600 + int(s), "s") for s in seconds]
                zones += [f"z{zone}"] * n
    n = len(stamps)
    history = OrderHistory("synthetic.csv", np.array(stamps, dtype="datetime64[ns]"), np.full(n, np.nan),
                           np.full(n, np.nan), np.array(zones, dtype=object), np.full(n, "", dtype=object),
                           np.full(n, "", dtype=object), np.full(n, np.nan), np.full(n, np.nan))
    return history, weekday, hourly, zone_share


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_fit_reproduces_the_generating_rates_within_their_sampling_error(seed: int) -> None:
    history, weekday, hourly, zone_share = _synthetic_history(weeks=8, seed=seed)
    (result,) = fit(history, None, "a")
    assert result.zones == ("z0", "z1", "z2")
    z = np.concatenate([(fitted - truth) / se for fitted, se, truth in (
        (result.weekday_orders, result.weekday_orders_se, weekday),
        (result.hourly_share, result.hourly_share_se, hourly),
        (result.zone_share, result.zone_share_se, zone_share))])
    assert np.abs(z).max() < 4.5, z
    # Right-sized errors: the squared z-scores sum like a chi-square (34 estimates, 2 constraints on the shares).
    assert (z**2).sum() < stats.chi2.ppf(0.999, df=32)
    assert (z**2).sum() > stats.chi2.ppf(0.001, df=32)  # errors not too large either
    # The main-effects fit keeps the history's margins exactly (the maximum-likelihood property).
    assert result.weekday_orders @ result.weekday_days == len(history.timestamp)
    assert result.hourly_share.sum() == pytest.approx(1.0)


def test_a_run_on_the_fitted_demand_gives_daily_orders_consistent_with_the_fit(tmp_path, capsys) -> None:
    scenario_path = copy_example(tmp_path)
    out = tmp_path / "fitted.toml"
    code, printed, _ = cli(capsys, "fit-demand", str(tmp_path / "data" / "orders.csv"), "--zones",
                           str(tmp_path / "data" / "zones.geojson"), "--extends", str(scenario_path), "--out",
                           str(out))
    assert code == 0 and "orders a day by weekday" in printed
    fitted = tomllib.loads(out.read_text())["regional_warehouses"][0]["area"]["fitted_demand"]
    history = cache.history(tmp_path / "data" / "orders.csv")
    counts = pd.Series(history.timestamp.astype("datetime64[D]")).value_counts()
    assert fitted["weekday_orders"][0] == pytest.approx(
        counts[[d for d in counts.index if d.weekday() == 0]].sum() / 4)
    # 14 weeks of simulated days: each weekday's mean within 4 standard errors of its fitted rate.
    scenario = load_scenario(out, ["horizon.warmup_days=0", "horizon.days=98", "horizon.drain=false"])
    assert scenario.history is not None and not scenario.history.replay
    parcels = run(scenario, seed=5).parcels
    day = (parcels["order_time_h"] // 24).astype(int)
    daily = day.value_counts().reindex(range(98), fill_value=0).to_numpy()
    for w in range(7):
        rate = fitted["weekday_orders"][w]
        mean = daily[w::7].mean()
        assert abs(mean - rate) < 4 * np.sqrt(rate / 14), (w, mean, rate)
    geometry = AreaGeometry(scenario.regional_warehouses[0].area, np.random.default_rng(0))
    zone = zone_index(geometry.places.zone_shapes, parcels[["x_km", "y_km"]].to_numpy())
    share = np.bincount(zone, minlength=6) / len(zone)
    assert np.abs(share - np.array(fitted["zone_share"])).max() < 4 * np.sqrt(0.25 / len(zone))


def test_the_horizon_must_fit_in_the_history(tmp_path, capsys) -> None:
    path = copy_example(tmp_path)
    code, _, err = cli(capsys, "validate", str(path), "--set", "horizon.days=30")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "warmup_days + days = 37 days" in err and "holds 28 days from 2026-10-05" in err
    code, _, err = cli(capsys, "validate", str(path), "--set", "horizon.start_weekday=2")
    assert code == 2 and "starts on 2026-10-05" in err and "weekday 0" in err
    later = datetime.date(2026, 10, 12)
    scenario = load_scenario(path, [f"history.start_date={later.isoformat()}", "horizon.warmup_days=1",
                                    "horizon.days=6"])
    assert scenario.history is not None and scenario.history.start_date == later
