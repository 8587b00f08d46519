"""The circuity an area's vehicles meet on its network: road km over straight-line km, measured and reported.

Definition (``measured_circuity``): the mean, over every ordered pair of sampled customer
locations at least ``MIN_PAIR_KM`` apart in a straight line, of the pair's road km (door to
door as a van drives it: access legs, one-way streets and all) divided by its straight-line
km. The mean of the ratios is what circuity studies report (e.g. Ballou, Rahardja and Sakai
2002; Boscoe, Henry and Zdeb 2012); short pairs are left out because there the legs from the
door to the street dominate. Locations: ``SAMPLE_POINTS`` points drawn area-uniformly with a
generator of their own (seed ``SAMPLE_SEED``), so the figure is the same in every run and
draws nothing from the run's random streams.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.model.travel import NetworkTravel

MIN_PAIR_KM = 0.5
SAMPLE_POINTS = 300
SAMPLE_SEED = 20_140  # any fixed number: the sample must not depend on the run's seed


def measured_circuity(travel: NetworkTravel, points: np.ndarray, *,
                      min_km: float = MIN_PAIR_KM) -> tuple[float, int]:
    """Mean road km / straight km over the ordered pairs of ``points`` at least ``min_km`` apart, and their count."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    km, _ = travel.matrix(pts)
    straight = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    use = straight >= min_km
    if not use.any():
        return math.nan, 0
    return float(np.mean(km[use] / straight[use])), int(use.sum())


def area_distance_summary(travel: NetworkTravel, sample_points: Callable[[np.random.Generator, int], np.ndarray],
                          source: str) -> dict[str, Any]:
    """One area's entry of ``summary["distances"]``: its model, network size and measured circuity."""
    points = sample_points(np.random.default_rng(SAMPLE_SEED), SAMPLE_POINTS)
    circuity, pairs = measured_circuity(travel, points)
    return {"model": travel.model, "source": source, "nodes": int(travel.node_xy.shape[0]),
            "measured_circuity": circuity, "circuity_pairs": pairs, "circuity_min_pair_km": MIN_PAIR_KM}


def format_distances(distances: dict[str, dict[str, Any]]) -> list[str]:
    """Console lines for ``summary["distances"]``."""
    lines = ["measured circuity (road km / straight km, sampled address pairs >= "
             f"{MIN_PAIR_KM:g} km apart)"]
    for name, entry in distances.items():
        lines.append(f"  {name}: {entry['measured_circuity']:.2f} over {entry['circuity_pairs']:,} pairs "
                     f"({entry['model']}: {entry['source']}, {entry['nodes']:,} nodes)")
    return lines
