"""The scenarios and notebooks shipped with sim, found in a checkout or in an installed wheel, and ``sim init``.

A checkout has them at the top of the repository (``scenarios/``,
``notebooks/``); a wheel carries copies in ``sim/_data`` (see ``setup.py``).
``sim init DIR`` writes them into a folder of the same layout, so the README's
commands (``sim run scenarios/baseline.toml``) and the notebooks (which look
for ``scenarios/baseline.toml`` above their folder) work there as they do in a
checkout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sim.errors import ScenarioError

PACKAGE = Path(__file__).resolve().parents[1]
BASELINE = Path("scenarios") / "baseline.toml"
STRATEGIES = Path("scenarios") / "examples" / "last_mile"
# What `sim init` writes, relative to the shipped root: (folder, file patterns).
# The examples' data files (scenarios/examples/real/data/) go too: their scenarios name them by relative path.
INIT_FILES = (("scenarios", ("**/*.toml", "*.schema.json", "**/data/*.csv", "**/data/*.geojson")),
              ("notebooks", ("*.ipynb",)))


def shipped_root() -> Path:
    """The folder that holds the shipped ``scenarios/`` and ``notebooks/``: the wheel's data, else the checkout."""
    for root in (PACKAGE / "_data", PACKAGE.parent):
        if (root / BASELINE).is_file():
            return root
    raise ScenarioError(f"the shipped scenarios are missing from this installation ({PACKAGE / '_data'}); "
                        "reinstall sim-supply-chain")


def default_path(relative: Path) -> Path:
    """``relative`` in the working directory when it is there, else the shipped copy (so commands work anywhere)."""
    if relative.exists():
        return relative
    return shipped_root() / relative


def init_folder(target: Path, force: bool = False) -> list[Path]:
    """Write the starter scenario (``scenarios/baseline.toml``), the examples, the sweep, the schema and the
    notebooks into ``target``; returns the files written.

    An existing, non-empty ``target`` is refused unless ``force`` (then files of
    the same name are overwritten and others are left alone).
    """
    if target.exists() and not target.is_dir():
        raise ScenarioError(f"{target}: is a file; sim init needs a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise ScenarioError(f"{target}: exists and is not empty; choose a new folder or add --force "
                            "(which overwrites the files sim init writes and keeps the others)")
    root = shipped_root()
    sources = sorted({path for folder, patterns in INIT_FILES for pattern in patterns
                      for path in (root / folder).glob(pattern) if ".ipynb_checkpoints" not in path.parts})
    written = []
    try:
        for source in sources:
            destination = target / source.relative_to(root)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
            written.append(destination)
    except OSError as exc:
        raise ScenarioError(f"{target}: cannot be written: {exc.strerror or exc}") from None
    return written
