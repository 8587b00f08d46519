"""``sim verify``: the model's elements checked against exact theory and published figures, as a report.

Each check is a function registered with :func:`sim.verify.checks.register` that
returns rows of checks.csv (element, reference and source, expected and
simulated values, standard error or interval, z or band, pass).
:func:`sim.verify.runner.run_checks` runs them and
:func:`sim.verify.report.write_folder` writes ``<out>/<time>/checks.csv``,
``report.md`` and ``report.html`` atomically. Nothing heavy is imported here, so
that registering the command costs the CLI nothing.
"""

from __future__ import annotations

from typing import Any

_LAZY = {"run_checks": "sim.verify.runner", "Verification": "sim.verify.runner", "write_folder": "sim.verify.report",
         "CheckRow": "sim.verify.checks", "VerifyContext": "sim.verify.checks", "register": "sim.verify.checks"}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'sim.verify' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
