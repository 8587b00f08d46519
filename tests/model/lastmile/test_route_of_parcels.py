"""The parcel table's ``route_id``: the route of each parcel's last attempt at the door."""

from __future__ import annotations

import numpy as np
import pytest

from sim import load_scenario, run
from tests.conftest import BASELINE, ROOT

SHORT = ["horizon.warmup_days=1", "horizon.days=5"]


@pytest.mark.parametrize("path", [BASELINE, ROOT / "scenarios/examples/last_mile/drones_rural.toml"])
def test_every_parcel_delivered_at_the_door_names_the_route_that_delivered_it(path: object) -> None:
    result = run(load_scenario(path, SHORT))
    parcels, routes = result.parcels, result.routes.set_index("route_id")
    on_a_route = parcels[parcels["route_id"] >= 0]
    # A parcel gets a route id by an attempt, and only ids of routes that ran, of its own depot and vehicle type.
    assert (parcels["attempts"] > 0).sum() == len(on_a_route) > 0
    assert on_a_route["route_id"].isin(routes.index).all()
    own = routes.loc[on_a_route["route_id"]]
    assert (own["vehicle_type"].astype(str).to_numpy() == on_a_route["vehicle_type"].astype(str).to_numpy()).all()
    assert (own["regional"].astype(str).to_numpy() == on_a_route["regional"].astype(str).to_numpy()).all()
    # Delivered at the door: during the route that the parcel names, never by a route that did not deliver it.
    home = on_a_route[(on_a_route["state"] == "delivered") & (on_a_route["delivered_via"] == "home")]
    window = routes.loc[home["route_id"], ["depart_h", "return_h"]].to_numpy()
    delivered = home["delivered_time_h"].to_numpy()
    assert np.all((window[:, 0] <= delivered) & (delivered <= window[:, 1]))
    by_route = home.groupby("route_id").size().reindex(routes.index, fill_value=0)
    assert (by_route <= routes["delivered"]).all()
    # The routes' delivered counts add the drops at pickup points, which are not attempts at the door.
    assert by_route.sum() == len(parcels[(parcels["state"] == "delivered") & (parcels["delivered_via"] == "home")])


def test_a_parcel_never_attempted_has_no_route() -> None:
    parcels = run(load_scenario(BASELINE, SHORT)).parcels
    assert (parcels.loc[parcels["attempts"] == 0, "route_id"] == -1).all()
