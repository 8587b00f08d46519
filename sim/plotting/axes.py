"""The Axes a plotting function draws on: the caller's, or one on a new pyplot figure."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def axes_or_new(ax: Axes | None, figsize: tuple[float, float] = (7, 4)) -> Axes:
    """``ax`` itself, or the Axes of a new pyplot figure of ``figsize`` inches when it is None."""
    if ax is not None:
        return ax
    # pyplot only for a new figure: callers that pass their own Axes (the results
    # writer draws on bare Figures) never touch pyplot's global state.
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)[1]
