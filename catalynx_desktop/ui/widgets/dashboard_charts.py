"""The dashboard's bar charts (pyqtgraph): one look for all of them, counts on a 1-2-5 step and
money as $50k, category labels in words.

Colours are mid-tones that read on the light and the dark palette alike (the plots' background
follows the window's, see ui/theme.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QEvent

from catalynx_desktop.domain.dashboard import count_ticks, money_ticks

pg.setConfigOptions(antialias=True)

BAR = "#3b7dd8"
REQUESTED = "#8a9bb8"  # grey-blue: what was asked
AWARDED = "#2fa86a"  # green: what came back

Ticks = list[tuple[int, str]]


class Chart(pg.PlotWidget):  # type: ignore[misc]  # pyqtgraph has no type hints
    """A plot whose background follows the window's palette, also when the appearance changes
    while it is shown (pyqtgraph caches the background: without a reset it stayed light in dark)."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.resetCachedContent()
        super().changeEvent(event)


def bar_plot(title: str, min_height: int = 150) -> Chart:
    plot = Chart(title=title)
    plot.setBackground(None)  # transparent: the palette's window colour shows (light or dark)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setMenuEnabled(False)
    plot.setMinimumHeight(min_height)
    return plot


def value_ticks(largest: int, money: bool, horizontal: bool) -> Ticks:
    """Ticks for the value axis; fewer across (labels are wider there)."""
    most = 4 if horizontal else 5
    if money:
        return money_ticks(largest, most)
    return [(t, f"{t:,}") for t in count_ticks(largest, most)]


def bars(
    plot: pg.PlotWidget,
    values: Sequence[int],
    labels: Sequence[str],
    *,
    horizontal: bool = False,
    label_every: int = 1,
    money: bool = False,
) -> None:
    """One bar per category: horizontal ones keep every label at any width (first on top)."""
    plot.clear()
    positions = list(range(len(values)))
    ticks = value_ticks(max(values, default=0), money, horizontal)
    if horizontal:
        item = pg.BarGraphItem(x0=0, y=positions, height=0.6, width=list(values), brush=BAR)
        category_axis, value_axis = plot.getAxis("left"), plot.getAxis("bottom")
        plot.setXRange(0, max(ticks[-1][0], 1), padding=0.02)
        plot.setYRange(-0.5, len(values) - 0.5, padding=0)
        plot.getViewBox().invertY(True)
    else:
        item = pg.BarGraphItem(x=positions, height=list(values), width=0.6, brush=BAR)
        category_axis, value_axis = plot.getAxis("bottom"), plot.getAxis("left")
        plot.setYRange(0, max(ticks[-1][0], 1), padding=0.02)
        plot.setXRange(-0.5, len(values) - 0.5, padding=0)
    plot.addItem(item)
    category_axis.setTicks([[(i, label) for i, label in enumerate(labels) if i % label_every == 0], []])
    value_axis.setTicks([ticks, []])


def grouped_money_bars(
    plot: pg.PlotWidget, groups: Sequence[str], series: Sequence[tuple[Sequence[int], str]]
) -> None:
    """Side-by-side money bars per group (a year): one (values, colour) per series."""
    plot.clear()
    width = 0.8 / max(len(series), 1)
    largest = max((v for values, _colour in series for v in values), default=0)
    for n, (values, colour) in enumerate(series):
        offset = (n - (len(series) - 1) / 2) * width
        x = [i + offset for i in range(len(groups))]
        plot.addItem(pg.BarGraphItem(x=x, height=list(values), width=width * 0.9, brush=colour))
    ticks = value_ticks(largest, money=True, horizontal=False)
    plot.setYRange(0, max(ticks[-1][0], 1), padding=0.02)
    plot.setXRange(-0.5, max(len(groups), 1) - 0.5, padding=0)
    plot.getAxis("left").setTicks([ticks, []])
    plot.getAxis("bottom").setTicks([list(enumerate(groups)), []])


def bar_values(plot: pg.PlotWidget) -> list[list[float]]:
    """The lengths of the bars drawn, per bar item in drawing order (what a reader sees)."""
    items = [i for i in plot.getPlotItem().items if isinstance(i, pg.BarGraphItem)]
    return [
        [float(v) for v in (i.opts["width"] if i.opts.get("x0") is not None else i.opts["height"])]
        for i in items
    ]
