"""Results folders: writing one per run, and reading one back into its RunResult.

``write_run`` writes the folder (the tables as Parquet, CSV or both, the cost
summaries as CSV, JSON, PNGs), published atomically by ``folders.AtomicFolder``,
which the experiments' folders share with ``write_json`` and ``package_versions``;
``load_result`` reads a folder in either format.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.output.figures import write_plots
    from sim.output.json_files import clean_json, write_json
    from sim.output.provenance import package_versions
    from sim.output.reader import load_result
    from sim.output.writer import new_run_id, write_run

# Public name -> submodule, loaded on first use: the experiment commands take
# write_json and package_versions from here without importing pandas.
_EXPORTS = {
    "clean_json": "json_files", "write_json": "json_files",
    "load_result": "reader",
    "new_run_id": "writer", "write_run": "writer",
    "package_versions": "provenance",
    "write_plots": "figures",
}

__all__ = ["clean_json", "load_result", "new_run_id", "package_versions", "write_json", "write_plots", "write_run"]


def __getattr__(name: str) -> Any:
    """Import the submodule of a public name when the name is first used."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim.output' has no attribute {name!r}")
    return getattr(import_module(f"sim.output.{_EXPORTS[name]}"), name)
