"""Matplotlib figures as inline SVG text: no files, no network, text kept as text."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Text as <text> elements (searchable, small) and ids from a fixed salt, so a page rebuilt from
# the same files is the same bytes.
_RC: dict[str, Any] = {"svg.fonttype": "none", "svg.hashsalt": "sim-report"}


def new_figure(width: float, height: float) -> Figure:
    """A bare Figure (no pyplot, no display) of ``width`` x ``height`` inches with a constrained layout."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def figure_svg(figure: Figure) -> str:
    """The figure as an ``<svg>`` element to put straight into HTML (no XML prolog, no DOCTYPE)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    start = text.find("<svg")
    # matplotlib gives width/height in pt; keep the aspect ratio but let the page scale it.
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="chart"', text[start:], count=1)
    return svg
