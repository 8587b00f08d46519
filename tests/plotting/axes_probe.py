"""What a plotting function drew: fresh axes, and the bars, heights, line data and legend read back from them."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle


def new_axes() -> Axes:
    """Axes on a bare Figure (no pyplot, no display)."""
    return Figure().subplots()


def bars(ax: Axes) -> list[Rectangle]:
    """The bars drawn on ``ax``."""
    return [patch for patch in ax.patches if isinstance(patch, Rectangle)]


def heights(ax: Axes) -> list[float]:
    """The heights of the bars drawn on ``ax``."""
    return [bar.get_height() for bar in bars(ax)]


def as_floats(values: Any) -> list[float]:
    """Line or bar data as plain floats, for exact comparisons."""
    return [float(v) for v in np.asarray(values)]


def legend_texts(ax: Axes) -> list[str]:
    """The legend's labels (the axes must have a legend)."""
    legend = ax.get_legend()
    assert legend is not None
    return [text.get_text() for text in legend.get_texts()]
