"""Which versions of sim and of its libraries produced a result."""

from __future__ import annotations

import platform
from importlib import metadata

DEPENDENCIES = ("simpy", "numpy", "scipy", "pandas", "pydantic", "matplotlib", "pyvrp")


def package_versions() -> dict[str, str]:
    """Versions of sim and the libraries whose behaviour shapes the results."""
    versions = {"python": platform.python_version()}
    for name in ("sim-supply-chain", *DEPENDENCIES):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
