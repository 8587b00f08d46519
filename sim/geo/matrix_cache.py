"""On-disk cache of an area's node-to-node matrices, keyed by the inputs that change them.

A road network's all-pairs matrices take a second or more to compute (and a user's
matrix file long to parse), and every run of a scenario -- every replication, every
sweep point -- needs the same ones. They are stored once per key in the cache folder:

* ``$SIM_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/sim/distances``, else
  ``~/.cache/sim/distances``;
* key = SHA-256 of the input files' bytes, of the settings that change the matrices
  (the distance model, ``path``, ``maxspeed_factor``) and of ``FORMAT`` (bumped when the
  computation changes), so an edited file or setting never reads a stale entry;
* writes are atomic (a temporary file in the same folder, then ``os.replace``), so
  concurrent runs never see half a file: two runs that miss at once both compute and
  the second rename wins with identical content.

The cache is never needed for correctness: a missing, unreadable or corrupt entry is
computed again (and rewritten), and a folder that cannot be written is skipped.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

FORMAT = "sim-distances-2"
ARRAYS = ("lat", "lon", "km", "hours", "pred")


def cache_dir() -> Path:
    """The folder that holds the cached matrices (see the module docstring)."""
    explicit = os.environ.get("SIM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sim" / "distances"


def cache_key(files: Iterable[Path], settings: Iterable[object]) -> str:
    """Hex key of the files' bytes and the settings' text."""
    digest = hashlib.sha256(FORMAT.encode())
    for path in files:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0file\0")
    for value in settings:
        digest.update(repr(value).encode() + b"\0")
    return digest.hexdigest()


def cached_arrays(key: str, compute: Callable[[], dict[str, np.ndarray]]) -> tuple[dict[str, np.ndarray], bool]:
    """The arrays stored under ``key``, or ``compute()``'s (then stored); the flag says whether the cache hit."""
    path = cache_dir() / f"{key}.npz"
    loaded = _load(path)
    if loaded is not None:
        return loaded, True
    arrays = compute()
    _store(path, arrays)
    return arrays, False


def _load(path: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: np.array(data[name]) for name in ARRAYS}
    except (OSError, ValueError, KeyError, EOFError):  # missing, truncated or not an npz of ours
        return None
    m = arrays["lat"].shape[0]
    if any(arrays[name].shape != (m, m) for name in ("km", "hours", "pred")) or arrays["lon"].shape != (m,):
        return None
    return arrays


def _store(path: Path, arrays: dict[str, np.ndarray]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return  # a read-only or missing cache folder only costs the recomputation next time
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, lat=arrays["lat"], lon=arrays["lon"], km=arrays["km"], hours=arrays["hours"],
                     pred=arrays["pred"])
        os.chmod(temp, 0o644)  # mkstemp makes it private; a shared cache folder serves every user's runs
        os.replace(temp, path)
    except OSError:
        Path(temp).unlink(missing_ok=True)
