"""A progress bar with ETA on an interactive terminal, and silence in CI logs."""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    """Counts finished runs; draws a tqdm bar only when asked to or when stderr is a terminal."""

    def __init__(self, total: int, description: str, enabled: bool | None = None) -> None:
        if enabled is None:
            # A bar redrawn with carriage returns is noise in a CI log or a
            # redirected file; there the caller prints a final line instead.
            enabled = sys.stderr.isatty()
        self.failed = 0
        self._bar: Any = None
        if enabled and total > 0:
            try:
                from tqdm import tqdm
            except ImportError:  # tqdm is optional: no bar, the sweep itself is unaffected
                return
            self._bar = tqdm(total=total, desc=description, unit="run", file=sys.stderr, dynamic_ncols=True)

    def update(self, failed: bool) -> None:
        """One more run finished."""
        self.failed += int(failed)
        if self._bar is not None:
            if failed:
                self._bar.set_postfix(failed=self.failed, refresh=False)
            self._bar.update(1)

    def close(self) -> None:
        """Remove the bar from the screen bookkeeping (the last state stays visible)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
