"""Named random streams, derived from (seed, replication, stream name).

Two kinds of randomness live here:

* ``RandomStreams.get(name)``: one independent ``numpy.random.Generator`` per
  named source (demand of an area, traffic of an area, ...). The name is hashed
  with SHA-256, not Python's salted ``hash``, so adding a stream never changes
  what the others draw, and runs are reproducible across processes.
* ``parcel_uniform(key, purpose, attempt)``: a counter-based uniform for draws
  that belong to one parcel's attempt (is the consignee at home, how long the
  hand-over takes, the noise on the leg to that stop). Each parcel gets a random
  64-bit key from its area's demand stream; the uniforms are a SplitMix64 hash of
  (key, purpose, attempt). Two scenarios that route the same parcel differently
  therefore still see the same presence and service draws for it: common random
  numbers at the level where they matter for what-if comparisons.
"""

from __future__ import annotations

import hashlib

import numpy as np

MASK64 = (1 << 64) - 1
_INV_2_53 = 1.0 / (1 << 53)

# Purposes of per-parcel draws: fixed numbers so that adding one changes nothing else.
PRESENCE = 1
SERVICE = 2
LEG_NOISE = 3
PICKUP_COLLECTED = 4
PICKUP_DELAY = 5
CHOOSE_PICKUP = 6
OUTSOURCE = 7
SAME_DAY = 8
TIME_WINDOW = 9
SLOT = 10
REDIRECT = 11
CARRIER_ATTEMPT = 12
ADDRESS = 13


def stable_hash(name: str) -> int:
    """A 64-bit hash of a stream name that is the same in every process and Python version."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


class RandomStreams:
    """Factory of independent generators for one (seed, replication)."""

    def __init__(self, seed: int, replication: int = 0) -> None:
        self.seed = int(seed)
        self.replication = int(replication)
        self._cache: dict[str, np.random.Generator] = {}

    def get(self, name: str) -> np.random.Generator:
        """The generator of the named source (created on first use, then reused)."""
        generator = self._cache.get(name)
        if generator is None:
            sequence = np.random.SeedSequence([self.seed, self.replication, stable_hash(name)])
            generator = np.random.Generator(np.random.PCG64(sequence))
            self._cache[name] = generator
        return generator


def _splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def parcel_uniform(key: int, purpose: int, attempt: int = 0) -> float:
    """A uniform in (0, 1) determined by a parcel's key, the purpose and the attempt number."""
    x = _splitmix64((key ^ (purpose * 0xD6E8FEB86659FD93) ^ (attempt * 0xA0761D6478BD642F)) & MASK64)
    return ((x >> 11) + 0.5) * _INV_2_53


def _splitmix64_array(x: np.ndarray) -> np.ndarray:
    # uint64 arithmetic wraps modulo 2**64, which is the masking the scalar version does by hand.
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def parcel_uniforms(keys: np.ndarray, purpose: int, attempts: np.ndarray | int = 0) -> np.ndarray:
    """``parcel_uniform`` of many parcels at once: element i is ``parcel_uniform(keys[i], purpose, attempts[i])``.

    The same SplitMix64 hash in unsigned 64-bit numpy arithmetic, so the values are
    bit for bit those of the scalar function.
    """
    purpose_mix = np.uint64((purpose * 0xD6E8FEB86659FD93) & MASK64)
    attempt_mix = np.asarray(attempts).astype(np.uint64) * np.uint64(0xA0761D6478BD642F)
    with np.errstate(over="ignore"):
        x = _splitmix64_array(np.asarray(keys, dtype=np.uint64) ^ purpose_mix ^ attempt_mix)
    return ((x >> np.uint64(11)).astype(np.float64) + 0.5) * _INV_2_53
