"""A profile's dashboard: the win rate and what is due next, then the pipeline funnel and its
value, requested vs awarded per year, deadlines over the next 90 days and the amounts, drawn with
pyqtgraph (pure Python on Qt: a few MB in the installer, where Qt's own chart module would add
the whole PySide6-Addons package). It scrolls: at 1280x800 the dock shows a few charts at a time.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from catalynx_desktop.domain.dashboard import (
    AMOUNT_BUCKETS,
    DashboardData,
    upcoming_words,
    week_starts,
    win_rate_text,
)
from catalynx_desktop.domain.outcomes import OutcomeStats
from catalynx_desktop.domain.stages import PIPELINE
from catalynx_desktop.domain.tasks import DeadlineItem
from catalynx_desktop.ui.widgets.dashboard_charts import (
    AWARDED,
    REQUESTED,
    bar_plot,
    bars,
    grouped_money_bars,
)

NOTHING_DUE = "Nothing due: no open tasks on this profile's opportunities."
NO_PROPOSALS = "No proposals sent yet: requested and awarded amounts show here by year."
_YEARS_TITLE = (
    f'<span style="color:{REQUESTED}">&#9632;</span> Requested vs '
    f'<span style="color:{AWARDED}">&#9632;</span> awarded, per year'
)


class UpcomingList(QWidget):
    """The next open tasks, one line each: when, what, funder (wrapped, never cut off: the dock
    is narrow). Plain text: a task's note is the user's own and is not markup."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard-upcoming")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(12)
        self._grid.setColumnStretch(1, 1)
        self._grid.setColumnStretch(2, 1)
        self._cells: list[tuple[QLabel, QLabel, QLabel]] = []

    def set_lines(self, lines: list[tuple[str, str, str]]) -> None:
        for cells in self._cells:
            for label in cells:
                self._grid.removeWidget(label)
                label.deleteLater()
        self._cells = []
        for row, words in enumerate(lines):
            cells = (QLabel(words[0]), QLabel(words[1]), QLabel(words[2]))
            for column, label in enumerate(cells):
                label.setTextFormat(Qt.TextFormat.PlainText)
                label.setWordWrap(column > 0)
                label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                self._grid.addWidget(label, row, column)
            self._cells.append(cells)

    def lines(self) -> list[tuple[str, str, str]]:
        """What each line shows, as the user reads it."""
        return [(when.text(), what.text(), funder.text()) for when, what, funder in self._cells]


class DashboardPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("Select a profile.")
        self.win_rate = QLabel()
        self.upcoming_title = QLabel("<b>Upcoming deadlines</b>")
        self.upcoming = UpcomingList()
        self.nothing_due = QLabel(NOTHING_DUE)
        # heights from the number of bars: every label keeps its line
        self.funnel = bar_plot("Opportunities per stage", min_height=280)
        self.pipeline_value = bar_plot("Pipeline value by stage", min_height=190)
        self.years = bar_plot(_YEARS_TITLE, min_height=200)
        self.no_proposals = QLabel(NO_PROPOSALS)
        self.deadlines = bar_plot("Deadlines, next 13 weeks")
        self.amounts = bar_plot("Amounts", min_height=220)
        for label in (self.heading, self.win_rate, self.nothing_due, self.no_proposals):
            label.setWordWrap(True)
        content = QWidget()
        column = QVBoxLayout(content)
        for widget in (
            self.heading,
            self.win_rate,
            self.upcoming_title,
            self.upcoming,
            self.nothing_due,
            self.funnel,
            self.pipeline_value,
            self.years,
            self.no_proposals,
            self.deadlines,
            self.amounts,
        ):
            column.addWidget(widget)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)  # the charts take the dock's width; only height scrolls
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)
        self.data: DashboardData | None = None

    def show_data(self, title: str, data: DashboardData, today: date) -> None:
        self.heading.setText(f"<b>{title}</b>: {data.total:,} opportunities")
        self.win_rate.setText(win_rate_text(data.outcomes))
        self._show_upcoming(data.upcoming, today)
        bars(
            self.funnel,
            [data.stage_counts[s] for s in PIPELINE],
            [s.label for s in PIPELINE],
            horizontal=True,
        )
        self._show_outcomes(data.outcomes)
        weeks = [d.strftime("%b %d") for d in week_starts(today)]
        # every third week: five dates fit the dock's width without overlapping
        bars(self.deadlines, data.deadlines_per_week, weeks, label_every=3)
        # horizontal: every bucket keeps its label, "not stated" included, at any width
        bars(self.amounts, data.amount_counts, [label for _low, label in AMOUNT_BUCKETS], horizontal=True)
        self.data = data  # last: a test waiting on it sees every chart drawn

    def _show_upcoming(self, items: tuple[DeadlineItem, ...], today: date) -> None:
        self.upcoming.set_lines([upcoming_words(item, today) for item in items])
        self.upcoming.setVisible(bool(items))
        self.nothing_due.setVisible(not items)

    def _show_outcomes(self, stats: OutcomeStats) -> None:
        stages = list(stats.stage_values)
        bars(
            self.pipeline_value,
            [stats.stage_values[s] for s in stages],
            [s.label for s in stages],
            horizontal=True,
            money=True,
        )
        years = stats.by_year
        grouped_money_bars(
            self.years,
            [str(y.year) for y in years],
            [([y.requested for y in years], REQUESTED), ([y.awarded for y in years], AWARDED)],
        )
        self.years.setVisible(bool(years))
        self.no_proposals.setVisible(not years)
