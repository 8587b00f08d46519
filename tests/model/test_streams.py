"""Random streams: independent, reproducible, and stable when other streams are added."""

from __future__ import annotations

import numpy as np
from scipy import stats

from sim.model.streams import (
    LEG_NOISE,
    PRESENCE,
    SERVICE,
    RandomStreams,
    parcel_uniform,
    parcel_uniforms,
    stable_hash,
)


def test_stream_is_reproducible_and_independent_of_creation_order() -> None:
    a = RandomStreams(5, 0)
    a.get("traffic/metro")
    first = a.get("demand/metro").random(5)
    b = RandomStreams(5, 0)
    second = b.get("demand/metro").random(5)  # no traffic stream created first
    np.testing.assert_array_equal(first, second)


def test_streams_differ_by_name_seed_and_replication() -> None:
    draws = {
        (seed, rep, name): RandomStreams(seed, rep).get(name).random()
        for seed in (1, 2) for rep in (0, 1) for name in ("demand/a", "demand/b")
    }
    assert len(set(draws.values())) == len(draws)


def test_stable_hash_is_fixed() -> None:
    # A changed hash would silently change every published result.
    # SHA-256 of "" starts e3 b0 c4 42 98 fc 1c 14 (a published constant); read little-endian.
    assert stable_hash("") == 0x141CFC9842C4B0E3
    # Pinned once: if this changes, every stream, and so every published number, changes.
    assert stable_hash("demand/metro") == 0x99E222D754B8EA03


def test_parcel_uniforms_are_uniform_and_independent_across_purposes() -> None:
    keys = RandomStreams(1).get("keys").integers(0, 2**63, size=20_000).tolist()
    presence = np.array([parcel_uniform(k, PRESENCE, 0) for k in keys])
    service = np.array([parcel_uniform(k, SERVICE, 0) for k in keys])
    second_attempt = np.array([parcel_uniform(k, PRESENCE, 1) for k in keys])
    for sample in (presence, service, second_attempt):
        assert sample.min() > 0.0 and sample.max() < 1.0
        assert stats.kstest(sample, "uniform").pvalue > 0.001
    assert abs(np.corrcoef(presence, service)[0, 1]) < 0.03
    assert abs(np.corrcoef(presence, second_attempt)[0, 1]) < 0.03


def test_parcel_uniforms_are_the_scalar_draws_bit_for_bit() -> None:
    rng = np.random.default_rng(11)
    keys = rng.integers(0, 2**63, 2000, dtype=np.uint64) * np.uint64(2) + rng.integers(0, 2, 2000, dtype=np.uint64)
    attempts = rng.integers(0, 1001, 2000)
    for purpose in (PRESENCE, LEG_NOISE):
        vector = parcel_uniforms(keys, purpose, attempts)
        scalar = [parcel_uniform(int(k), purpose, int(a)) for k, a in zip(keys, attempts, strict=True)]
        assert vector.tolist() == scalar
    assert parcel_uniforms(keys[:3], PRESENCE).tolist() == [parcel_uniform(int(k), PRESENCE) for k in keys[:3]]
