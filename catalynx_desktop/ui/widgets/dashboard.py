"""A profile's dashboard: the pipeline funnel, deadlines over the next 90 days and the amounts,
drawn with pyqtgraph (pure Python on Qt: a few MB in the installer, where Qt's own chart module
would add the whole PySide6-Addons package)."""

from __future__ import annotations

from datetime import date

import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from catalynx_desktop.domain.dashboard import AMOUNT_BUCKETS, DashboardData, count_ticks, week_starts
from catalynx_desktop.domain.stages import PIPELINE

pg.setConfigOptions(antialias=True)


def _bar_plot(title: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(title=title)
    plot.setBackground(None)  # follow the window's palette (light or dark)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setMenuEnabled(False)
    return plot


class DashboardPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("Select a profile.")
        self.funnel = _bar_plot("Opportunities per stage")
        self.deadlines = _bar_plot("Deadlines, next 13 weeks")
        self.amounts = _bar_plot("Amounts")
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        for plot in (self.funnel, self.deadlines, self.amounts):
            plot.setMinimumHeight(150)
            layout.addWidget(plot)
        self.data: DashboardData | None = None

    def show_data(self, title: str, data: DashboardData, today: date) -> None:
        self.data = data
        self.heading.setText(f"<b>{title}</b>: {data.total:,} opportunities")
        self._bars(
            self.funnel,
            [data.stage_counts[s] for s in PIPELINE],
            [s.label for s in PIPELINE],
            horizontal=True,
        )
        weeks = [d.strftime("%b %d") for d in week_starts(today)]
        # every third week: five dates fit the dock's width without overlapping
        self._bars(self.deadlines, data.deadlines_per_week, weeks, label_every=3)
        # horizontal: every bucket keeps its label, "not stated" included, at any width
        self._bars(
            self.amounts, data.amount_counts, [label for _low, label in AMOUNT_BUCKETS], horizontal=True
        )

    @staticmethod
    def _bars(
        plot: pg.PlotWidget,
        values: list[int],
        labels: list[str],
        horizontal: bool = False,
        label_every: int = 1,
    ) -> None:
        plot.clear()
        positions = list(range(len(values)))
        # counts are whole numbers: ticks on a 1-2-5 step, fewer across (labels are wider there)
        ticks = count_ticks(max(values, default=0), most=4 if horizontal else 5)
        count_ticks_spec = [[(t, f"{t:,}") for t in ticks], []]
        if horizontal:
            item = pg.BarGraphItem(x0=0, y=positions, height=0.6, width=values, brush="#3b7dd8")
            category_axis, count_axis = plot.getAxis("left"), plot.getAxis("bottom")
            plot.setXRange(0, ticks[-1], padding=0.02)
            plot.setYRange(-0.5, len(values) - 0.5, padding=0)
            plot.getViewBox().invertY(True)  # first stage / bucket on top
        else:
            item = pg.BarGraphItem(x=positions, height=values, width=0.6, brush="#3b7dd8")
            category_axis, count_axis = plot.getAxis("bottom"), plot.getAxis("left")
            plot.setYRange(0, ticks[-1], padding=0.02)
            plot.setXRange(-0.5, len(values) - 0.5, padding=0)
        plot.addItem(item)
        category_axis.setTicks([[(i, label) for i, label in enumerate(labels) if i % label_every == 0], []])
        count_axis.setTicks(count_ticks_spec)
