"""Help > "How well does matching work on my data…": the back-test's figures in words.

Which year was hidden, how many organizations and funders took part, a small table (matching vs
"largest givers first": recall@20, recall@100, mean reciprocal rank) and what it means in one or
two sentences; or, with too little data, what to import instead of a table of zeros. A year
picker and "Measure again" ask the controller for a new run (the dialog closes first: it is
window-modal, and the status bar's Cancel must stay reachable while the test runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.domain.evaluation import BackTestResult, Ranking

LATEST = None  # the year picker's first entry: the latest year in the data


@dataclass(frozen=True)
class MeasuredCheck:
    """A back-test result and when it was measured (local time, as the user reads it)."""

    result: BackTestResult
    measured_at: datetime


def figure_rows(result: BackTestResult) -> list[tuple[str, str, str]]:
    """(what, matching, largest givers first) in words, one row per figure."""
    rows = [
        (
            f"Real funders found in the top {k}",
            _percent(result.matcher.recall[k]),
            _percent(result.baseline.recall[k]),
        )
        for k in result.ks
    ]
    rows.append(
        (
            "Mean reciprocal rank (1 = a real funder first)",
            f"{result.matcher.mrr:.3f}",
            f"{result.baseline.mrr:.3f}",
        )
    )
    return rows


def meaning(result: BackTestResult) -> str:
    """One or two sentences a researcher can repeat to a colleague."""
    k = result.ks[0]
    text = (
        f"Of the funders that really gave to an organization in {result.year}, the app's top {k} "
        f"held {_percent(result.matcher.recall[k])}; ranking by size alone held "
        f"{_percent(result.baseline.recall[k])}."
    )
    if result.matcher.mrr > 0:
        text += (
            f" The first real funder typically sat around position {_position(result.matcher)} in the "
            f"app's list ({_position(result.baseline)} by size alone)."
        )
    return text


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def _position(ranking: Ranking) -> str:
    return f"{1 / ranking.mrr:.0f}" if ranking.mrr > 0 else "—"


class MatchingCheckDialog(QDialog):
    measure_requested = Signal(object)  # the year to hide (int), or None for the latest

    def __init__(self, parent: QWidget, years: list[int]) -> None:
        super().__init__(parent)
        self.setWindowTitle("How well matching works on your data")
        self.check: MeasuredCheck | None = None
        self.when = QLabel()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["", "Matching", "Largest givers first"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.meaning = QLabel()
        self.meaning.setWordWrap(True)
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.advice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.year = QComboBox()
        latest = f"Latest ({years[0]})" if years else "Latest year"
        self.year.addItem(latest, LATEST)
        for year in years:
            self.year.addItem(str(year), year)
        self.year.setEnabled(bool(years))
        self.year.setToolTip("The year whose grants are hidden and then predicted from the other years")
        self.measure_button = QPushButton("Measure again" if years else "Measure")
        self.measure_button.clicked.connect(self._measure)
        picker = QHBoxLayout()
        picker.addWidget(QLabel("Year to hide:"))
        picker.addWidget(self.year)
        picker.addStretch(1)
        picker.addWidget(self.measure_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "For one year of your imported 990 grants: hide it, rank every funder for each organization "
            "that received grants that year (from its IRS record and the other years' giving), and count "
            "how many of its real funders came near the top — against simply listing the largest givers first."
        )
        intro.setWordWrap(True)
        for widget in (intro, self.when, self.summary, self.table, self.meaning, self.advice):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addLayout(picker)
        layout.addWidget(buttons)
        self.resize(640, 360)

    def show_check(self, check: MeasuredCheck, *, fresh: bool) -> None:
        """The figures of `check`; `fresh` when it was measured just now."""
        self.check = check
        result = check.result
        stamp = check.measured_at.strftime("%Y-%m-%d %H:%M")
        self.when.setText(f"Measured on {stamp}." if fresh else f"Last measured on {stamp}.")
        skipped = (
            f" ({result.skipped:,} more received grants but have no IRS record here, so no profile could be built)"
            if result.skipped
            else ""
        )
        self.summary.setText(
            f"Year {result.year} hidden: {result.recipients:,} organizations that received grants that "
            f"year{skipped}, {result.funders:,} funders ranked for each."
        )
        rows = figure_rows(result)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, j, item)
        self._fit_table()
        self.meaning.setText(meaning(result))
        self._select_year(result.year)
        self._show_figures(True)

    def show_advice(self, text: str) -> None:
        """Too little data: say what to import, no table of zeros."""
        self.check = None
        self.when.setText("")
        self.summary.setText("")
        self.advice.setText(text)
        self._show_figures(False)

    def chosen_year(self) -> int | None:
        year = self.year.currentData()
        return int(year) if isinstance(year, int) else None

    def _select_year(self, year: int) -> None:
        if self.year.currentData() is LATEST and self.year.count() > 1 and self.year.itemData(1) == year:
            return  # "Latest" is that year: keep it
        index = self.year.findData(year)
        if index >= 0:
            self.year.setCurrentIndex(index)

    def _fit_table(self) -> None:
        """As tall as its rows: three figures need no scrolling and no empty grid below them."""
        self.table.resizeRowsToContents()
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(height)

    def _show_figures(self, shown: bool) -> None:
        self.when.setVisible(shown)
        self.table.setVisible(shown)
        self.meaning.setVisible(shown)
        self.summary.setVisible(shown)
        self.advice.setVisible(not shown)

    def _measure(self) -> None:
        year = self.chosen_year()
        self.accept()
        self.measure_requested.emit(year)
