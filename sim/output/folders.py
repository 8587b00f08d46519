"""Results folders written safely: one private temporary folder per process, published by an atomic rename
that never replaces another run's folder.

Every writer of a folder (a run, a replication set, a comparison, a risk
experiment, the strategies table) goes through :class:`AtomicFolder`:

- the temporary folder is ``<parent>/.<name>.<pid>-<token>.partial``: the pid
  and a random token make it private to this process even when two processes
  start the same run in the same second, and it holds an ``owner.json``
  (host, pid) so that a later run can tell a dead process's leftovers;
- :meth:`AtomicFolder.publish` claims the final name with ``mkdir`` (which
  fails when the name exists, whoever made it) and renames the temporary
  folder onto that empty claim; when the name is taken it tries
  ``<name>-2``, ``<name>-3``, ... and says which it used;
- :func:`clean_stale_partials` removes the temporary folders of processes of
  this host that are no longer alive and lists the ones it cannot judge.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
from pathlib import Path
from types import TracebackType

from sim.errors import ScenarioError
from sim.scenario.names import NAME_ALLOWED, is_safe_name

PARTIAL_SUFFIX = ".partial"
OWNER_FILE = "owner.json"
_PARTIAL = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-(?P<token>[0-9a-f]{8})\.partial$")
_MAX_SUFFIX = 10_000  # collisions to try before giving up (a folder with 10,000 runs of one second is not sane)


def check_name(value: object, where: str) -> str:
    """``value`` if it is a safe single path component, else a one-line ScenarioError naming ``where``.

    The rule is :func:`sim.scenario.names.is_safe_name`, the one the scenario schema and
    the sweep reader apply too.
    """
    if not is_safe_name(value):
        shown = value if not isinstance(value, str) or len(value) <= 60 else value[:57] + "..."
        raise ScenarioError(f"{where} = {shown!r}: {NAME_ALLOWED}")
    return value


def check_out_root(path: Path, option: str = "--out") -> None:
    """Refuse, before any run, an output root that is a file or that this user cannot create or write.

    The root need not exist: its nearest existing ancestor must then be a
    folder this user can write into.
    """
    if "\x00" in str(path):
        raise ScenarioError(f"{option} {str(path)!r}: contains a NUL character")
    if path.exists() and not path.is_dir():
        raise ScenarioError(f"{option} {path}: is a file, not a folder; choose a folder for the results")
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise ScenarioError(f"{option} {path}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        what = "is not writable" if existing == path else f"cannot be created ({existing} is not writable)"
        raise ScenarioError(f"{option} {path}: {what}")


class AtomicFolder:
    """A folder written under a private temporary name and published whole under ``parent/name``.

    Use it as a context manager (published on a clean exit, discarded on an
    exception) or call :meth:`publish` / :meth:`discard` yourself. After
    publishing, ``final`` is the folder's path and ``renamed`` tells whether
    ``name`` was taken and another name was used.
    """

    def __init__(self, parent: Path, name: str) -> None:
        check_name(name, "folder name")
        self.parent = parent
        self.name = name
        parent.mkdir(parents=True, exist_ok=True)
        self.cleaned = clean_stale_partials(parent)
        self.partial = parent / f".{name}.{os.getpid()}-{secrets.token_hex(4)}{PARTIAL_SUFFIX}"
        self.partial.mkdir()  # fails if it exists: the token makes that a bug, not a race to paper over
        (self.partial / OWNER_FILE).write_text(json.dumps({"host": socket.gethostname(), "pid": os.getpid()}) + "\n")
        self.final: Path | None = None

    @property
    def renamed(self) -> bool:
        """The wanted name was taken (by another run, or anything else) and the folder went elsewhere."""
        return self.final is not None and self.final.name != self.name

    def publish(self) -> Path:
        """Move the finished folder to ``parent/name`` (or the first free ``name-2``, ``name-3``, ...)."""
        (self.partial / OWNER_FILE).unlink(missing_ok=True)
        for suffix in range(1, _MAX_SUFFIX):
            final = self.parent / (self.name if suffix == 1 else f"{self.name}-{suffix}")
            try:
                final.mkdir()  # the claim: atomic, and it fails whoever holds the name
            except FileExistsError:
                continue
            try:
                os.replace(self.partial, final)  # onto our own empty claim: atomic
            except BaseException:
                final.rmdir()
                raise
            self.final = final
            return final
        raise ScenarioError(f"{self.parent}: {self.name} and {_MAX_SUFFIX - 2} numbered variants all exist")

    def discard(self) -> None:
        """Remove what was written (a failed run leaves nothing behind)."""
        shutil.rmtree(self.partial, ignore_errors=True)

    def note(self) -> str | None:
        """One line saying where the folder went when its name was taken, else None."""
        if not self.renamed:
            return None
        return f"sim: note: {self.parent / self.name} already exists; these results are in {self.final}"

    def opening_notes(self) -> list[str]:
        """Lines about the temporary folders of other runs found when this one opened: removed, or left alone."""
        notes = [f"sim: note: removed {path}, left by a run that died" for path in self.cleaned]
        _, unknown = stale_partials(self.parent)
        notes += [f"sim: note: {path} is left by an unfinished run (another host's, or an older sim's); "
                  "remove it once no run writes it" for path in unknown]
        return notes

    def __enter__(self) -> Path:
        return self.partial

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if kind is None:
            self.publish()
        else:
            self.discard()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def stale_partials(parent: Path) -> tuple[list[Path], list[Path]]:
    """The temporary folders in ``parent``: (those of dead processes of this host, those that cannot be judged).

    Cannot be judged: written by another host, by an older sim (no pid in the
    name), or without a readable owner file. A live process's folder is in neither list.
    """
    dead: list[Path] = []
    unknown: list[Path] = []
    if not parent.is_dir():
        return dead, unknown
    host = socket.gethostname()
    for path in sorted(parent.iterdir()):
        if not (path.name.startswith(".") and path.name.endswith(PARTIAL_SUFFIX)) or not path.is_dir():
            continue
        match = _PARTIAL.match(path.name)
        try:
            owner = json.loads((path / OWNER_FILE).read_text())
        except (OSError, ValueError):
            owner = None
        pid = int(match["pid"]) if match is not None else None
        if not isinstance(owner, dict) or pid is None or owner.get("host") != host or owner.get("pid") != pid:
            unknown.append(path)
        elif not _alive(pid):
            dead.append(path)
    return dead, unknown


def clean_stale_partials(parent: Path) -> list[Path]:
    """Remove the temporary folders of dead processes of this host in ``parent``; return what was removed."""
    dead, _ = stale_partials(parent)
    for path in dead:
        shutil.rmtree(path, ignore_errors=True)
    return dead
