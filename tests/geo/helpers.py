"""Shared by the data-file tests: a private copy of the Helsinki example to change, and the CLI's answer."""

from __future__ import annotations

import shutil
from pathlib import Path

from sim.cli import main
from tests.conftest import ROOT

REAL = ROOT / "scenarios" / "examples" / "real"
HELSINKI = REAL / "helsinki.toml"


def copy_example(tmp_path: Path) -> Path:
    """The Helsinki example and its data files in ``tmp_path``; returns the scenario's path."""
    shutil.copytree(REAL / "data", tmp_path / "data")
    shutil.copyfile(HELSINKI, tmp_path / "helsinki.toml")
    return tmp_path / "helsinki.toml"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``sim argv...``."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
