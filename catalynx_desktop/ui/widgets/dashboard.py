"""A profile's dashboard: the pipeline funnel, deadlines over the next 90 days and the amounts,
drawn with pyqtgraph (pure Python on Qt: a few MB in the installer, where Qt's own chart module
would add the whole PySide6-Addons package)."""

from __future__ import annotations

from datetime import date

import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from catalynx_desktop.domain.dashboard import AMOUNT_BUCKETS, DashboardData, week_starts
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
        self._bars(self.deadlines, data.deadlines_per_week, [d.strftime("%b %d") for d in week_starts(today)])
        self._bars(self.amounts, data.amount_counts, [label for _low, label in AMOUNT_BUCKETS])

    @staticmethod
    def _bars(plot: pg.PlotWidget, values: list[int], labels: list[str], horizontal: bool = False) -> None:
        plot.clear()
        positions = list(range(len(values)))
        if horizontal:
            item = pg.BarGraphItem(x0=0, y=positions, height=0.6, width=values, brush="#3b7dd8")
            axis = plot.getAxis("left")
        else:
            item = pg.BarGraphItem(x=positions, height=values, width=0.6, brush="#3b7dd8")
            axis = plot.getAxis("bottom")
        plot.addItem(item)
        step = max(1, len(labels) // 7)  # keep the axis readable in a narrow dock
        axis.setTicks([[(i, label) for i, label in enumerate(labels) if i % step == 0]])
