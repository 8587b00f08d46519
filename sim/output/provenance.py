"""Which versions of sim and of its libraries produced a result, and the git commit of sim when it has one."""

from __future__ import annotations

import platform
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

DEPENDENCIES = ("simpy", "numpy", "scipy", "pandas", "pydantic", "matplotlib", "pyvrp")
GIT_KEY = "sim-git-commit"
# The folder that holds the sim package: a checkout's top when sim runs from one.
SOURCE_ROOT = Path(__file__).resolve().parents[2]


def package_versions() -> dict[str, str]:
    """Versions of sim and the libraries whose behaviour shapes the results.

    In a git checkout of sim, ``sim-git-commit`` is the commit (with ``-dirty``
    when tracked files differ from it); an installed wheel has none, and the key
    is then left out rather than reported as an error.
    """
    versions = {"python": platform.python_version()}
    for name in ("sim-supply-chain", *DEPENDENCIES):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    commit = git_commit()
    if commit is not None:
        versions[GIT_KEY] = commit
    return versions


@cache
def git_commit(root: Path = SOURCE_ROOT) -> str | None:
    """The commit of the git checkout whose top is ``root`` (``-dirty`` appended when changed), else None.

    Only a checkout of sim itself counts: when ``root`` is merely inside some
    other repository (a wheel installed in a project's folder), that
    repository's commit says nothing about sim, so None.
    """
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):  # no git on the machine, or it hangs
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != root.resolve():
        return None
    commit = git("rev-parse", "HEAD")
    if commit is None:
        return None
    changed = git("status", "--porcelain", "--untracked-files=no")
    return commit + ("-dirty" if changed else "")
