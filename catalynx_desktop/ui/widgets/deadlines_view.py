"""The Deadlines view's widgets: the bucket buttons with their counts, the lazy table of what is
due across all profiles, and a calendar that marks the days with something due."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QTextCharFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCalendarWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.domain.deadline_view import DeadlineFilter
from catalynx_desktop.domain.tasks import DueBucket
from catalynx_desktop.ui.models.deadline_table_model import DeadlineTableModel

_BUTTON_WORDS = {
    DeadlineFilter.ALL: "All",
    DeadlineFilter.OVERDUE: DueBucket.OVERDUE.label,
    DeadlineFilter.THIS_WEEK: DueBucket.THIS_WEEK.label,
    DeadlineFilter.THIS_MONTH: DueBucket.THIS_MONTH.label,
}
_OVERDUE_COLOUR = QColor("#c62828")
_DUE_COLOUR = QColor("#1565c0")


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class DeadlinesPanel(QWidget):
    filter_chosen = Signal(object)  # a DeadlineFilter (not DAY)
    day_clicked = Signal(object)  # a date
    month_shown = Signal(int, int)  # year, month
    row_activated = Signal(int)  # a row of the table (double-click or Enter)

    def __init__(self, model: DeadlineTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: dict[DeadlineFilter, QPushButton] = {}
        self._group = QButtonGroup(self)
        bar = QHBoxLayout()
        for choice, words in _BUTTON_WORDS.items():
            button = QPushButton(words)
            button.setCheckable(True)
            button.clicked.connect(lambda _on=False, c=choice: self.filter_chosen.emit(c))
            self._group.addButton(button)
            self.buttons[choice] = button
            bar.addWidget(button)
        self.day_label = QLabel()
        bar.addWidget(self.day_label)
        bar.addStretch(1)
        self.table = QTableView()
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((230, 130, 320, 160)):
            self.table.setColumnWidth(column, width)
        # activated is Enter and a double-click (or the platform's single click): not doubleClicked
        # too, which would open the line twice.
        self.table.activated.connect(lambda index: self.row_activated.emit(index.row()))
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        for weekend in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):  # red means overdue here
            self.calendar.setWeekdayTextFormat(weekend, QTextCharFormat())
        self.calendar.clicked.connect(lambda day: self.day_clicked.emit(pydate(day)))
        self.calendar.currentPageChanged.connect(self.month_shown.emit)
        self._marked: list[QDate] = []
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(bar)
        left_layout.addWidget(self.table)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.calendar)
        splitter.setStretchFactor(0, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

    def show_counts(self, counts: Mapping[DueBucket, int]) -> None:
        total = sum(counts.values())
        for choice, words in _BUTTON_WORDS.items():
            n = total if choice is DeadlineFilter.ALL else counts.get(DueBucket(choice.value), 0)
            self.buttons[choice].setText(f"{words} ({n:,})")

    def show_choice(self, choice: DeadlineFilter, day: date | None) -> None:
        """Check the chosen bucket's button (none for a day) and say which day is shown."""
        self._group.setExclusive(False)
        for button_choice, button in self.buttons.items():
            button.setChecked(button_choice is choice)
        self._group.setExclusive(True)
        self.day_label.setText(f"Due on {day:%a %d %b %Y}" if choice is DeadlineFilter.DAY and day else "")

    def mark_days(self, days: Mapping[date, int], today: date) -> None:
        """Bold the days with something due (red when overdue); the tip says how many."""
        plain = QTextCharFormat()
        for shown in self._marked:
            self.calendar.setDateTextFormat(shown, plain)
        self._marked = []
        for day, count in days.items():
            marked = QTextCharFormat()
            marked.setFontWeight(QFont.Weight.Bold)
            marked.setForeground(QBrush(_OVERDUE_COLOUR if day < today else _DUE_COLOUR))
            marked.setToolTip(f"{count:,} due")
            self.calendar.setDateTextFormat(qdate(day), marked)
            self._marked.append(qdate(day))

    def is_marked(self, day: date) -> bool:
        return self.calendar.dateTextFormat(qdate(day)).fontWeight() == QFont.Weight.Bold
