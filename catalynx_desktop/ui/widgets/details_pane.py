"""The details pane: the full record, the score breakdown with weights, the stage history, and the
user's notes, rating, priority and tags. It only shows and edits values; the window saves them."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.domain.details import Annotations, OpportunityDetails, Priority
from catalynx_desktop.domain.labels import display_name
from catalynx_desktop.domain.record_facts import Link
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.ui.widgets.scrolled import fill_with_scrolling


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setWordWrap(True)
    return table


class DetailsPane(QWidget):
    save_requested = Signal(int, object)  # opportunity id, Annotations
    navigate = Signal(int)  # -1 previous, +1 next

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.opportunity_id: int | None = None
        self.heading = QLabel("Select an opportunity to see its details.")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.facts = QFormLayout()
        self.links = QHBoxLayout()
        self.links.setContentsMargins(0, 0, 0, 0)
        self.link_buttons: list[QPushButton] = []
        facts_box = QGroupBox("Record")
        facts_layout = QVBoxLayout(facts_box)
        facts_layout.addLayout(self.links)
        facts_layout.addLayout(self.facts)
        self.breakdown = _table(["Dimension", "Score", "Weight", "Why"])
        # "Why" takes the rest of the width and wraps; rows grow to their text (resized per fill).
        self.breakdown.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.breakdown.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.breakdown.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.breakdown.horizontalHeader().sectionResized.connect(lambda *_: self._fit_breakdown())
        breakdown_box = QGroupBox("Score breakdown")
        QVBoxLayout(breakdown_box).addWidget(self.breakdown)
        self.history = _table(["When", "Move", "Reason", "By"])
        history_box = QGroupBox("Stage history")
        QVBoxLayout(history_box).addWidget(self.history)

        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Notes (saved with Ctrl+S)")
        self.rating = QComboBox()
        self.rating.addItem("—", None)
        for stars in range(1, 6):
            self.rating.addItem("★" * stars, stars)
        self.priority = QComboBox()
        for priority in Priority:
            self.priority.addItem(priority.value.capitalize() or "—", priority)
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("comma-separated tags")
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self._save)
        edit_box = QGroupBox("Your notes")
        edit_form = QFormLayout(edit_box)
        edit_form.addRow("Rating", self.rating)
        edit_form.addRow("Priority", self.priority)
        edit_form.addRow("Tags", self.tags)
        edit_form.addRow(self.notes)
        edit_form.addRow(self.save_button)

        self.previous_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.previous_button.clicked.connect(lambda: self.navigate.emit(-1))
        self.next_button.clicked.connect(lambda: self.navigate.emit(1))
        nav = QHBoxLayout()
        nav.addWidget(self.previous_button)
        nav.addWidget(self.next_button)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addLayout(nav)
        layout.addWidget(self.heading)
        layout.addWidget(facts_box)
        layout.addWidget(breakdown_box)
        layout.addWidget(history_box)
        layout.addWidget(edit_box)
        layout.addStretch()
        fill_with_scrolling(self, content)
        self.show_details(None)

    def show_details(self, details: OpportunityDetails | None) -> None:
        editable = details is not None
        for widget in (self.notes, self.rating, self.priority, self.tags, self.save_button):
            widget.setEnabled(editable)
        while self.facts.rowCount():
            self.facts.removeRow(0)
        self.breakdown.setRowCount(0)
        self.history.setRowCount(0)
        self._show_links(details.facts.links if details is not None else ())
        if details is None:
            self.opportunity_id = None
            self.heading.setText("Select an opportunity to see its details.")
            self.notes.setPlainText("")
            self.tags.setText("")
            return
        self.opportunity_id = details.row.id
        row = details.row
        self.heading.setText(
            f"<b>{_escape(display_name(row.title))}</b><br>{_escape(display_name(row.funder_name))}<br>"
            f"Stage: {Stage(row.stage).label} · Score: {row.score:.2f}"
            + (f" · Amount: ${row.amount:,}" if row.amount else "")
            + (f" · Closes: {row.close_date}" if row.close_date else "")
        )
        for name, text in details.facts.facts:
            label = QLabel(text)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts.addRow(name, label)
        QTimer.singleShot(0, self._fit_facts)  # once the labels have their real width
        dims = details.score.breakdown
        if not dims:
            self.breakdown.setRowCount(1)
            self.breakdown.setItem(0, 0, QTableWidgetItem("Not scored yet: run Rescore for this profile."))
        total_weight = sum(d.weight for d in dims) or 1.0
        for i, dim in enumerate(dims):
            self.breakdown.insertRow(i)
            for column, text in enumerate(
                (dim.name.capitalize(), f"{dim.value:.2f}", f"{dim.weight / total_weight:.0%}", dim.reason)
            ):
                self.breakdown.setItem(i, column, QTableWidgetItem(text))
        self._fit_breakdown()
        for i, change in enumerate(reversed(details.history)):
            self.history.insertRow(i)
            move = f"{change.from_stage.label if change.from_stage else '—'} → {change.to_stage.label}"
            for column, text in enumerate((change.moved_at_local, move, change.reason, change.moved_by)):
                self.history.setItem(i, column, QTableWidgetItem(text))
        notes = details.annotations
        self.notes.setPlainText(notes.notes)
        self.rating.setCurrentIndex(max(self.rating.findData(notes.rating), 0))
        self.priority.setCurrentIndex(max(self.priority.findData(notes.priority), 0))
        self.tags.setText(", ".join(notes.tags))

    def _show_links(self, links: tuple[Link, ...]) -> None:
        for button in self.link_buttons:
            self.links.removeWidget(button)
            button.deleteLater()
        self.link_buttons = []
        for link in links:
            button = QPushButton(f"{link.label} ↗")
            button.setToolTip(link.url)
            button.clicked.connect(lambda _checked=False, url=link.url: open_url(url))
            self.links.addWidget(button)
            self.link_buttons.append(button)

    def _fit_breakdown(self) -> None:
        """Rows as tall as their wrapped reasons at the current width, and the table as tall as its
        rows: the pane scrolls, the breakdown inside it does not."""
        table = self.breakdown
        table.resizeRowsToContents()
        rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
        table.setFixedHeight(table.horizontalHeader().height() + rows + 2 * table.frameWidth() + 2)

    def _fit_facts(self) -> None:
        """A wrapped label in a form inside a scroll area gets the height of its first layout
        width, so long values (eligible applicants) were cut: give each its height at its width."""
        for row in range(self.facts.rowCount()):
            item = self.facts.itemAt(row, QFormLayout.ItemRole.FieldRole)
            label = item.widget() if item is not None else None
            if isinstance(label, QLabel) and label.width() > 0:
                label.setMinimumHeight(label.heightForWidth(label.width()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_breakdown()  # wrapped reasons need new heights at a new width
        QTimer.singleShot(0, self._fit_facts)

    def annotations(self) -> Annotations:
        return Annotations(
            notes=self.notes.toPlainText(),
            rating=self.rating.currentData(),
            priority=self.priority.currentData(),
            tags=tuple(t for t in self.tags.text().split(",")),
        )

    def _save(self) -> None:
        if self.opportunity_id is not None:
            self.save_requested.emit(self.opportunity_id, self.annotations())


def open_url(url: str) -> None:
    """In the user's browser (module-level, so a test can intercept the call)."""
    QDesktopServices.openUrl(QUrl(url))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
