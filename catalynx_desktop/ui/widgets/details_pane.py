"""The details pane: the full record, the score breakdown with weights, the stage history, and the
user's notes, rating, priority and tags. It only shows and edits values; the window saves them."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.domain.details import Annotations, OpportunityDetails, Priority
from catalynx_desktop.domain.stages import Stage

_MONEY_FIELDS = {"award_floor", "award_ceiling", "total_funding", "assets", "income", "revenue"}
_FIELD_LABELS = {
    "kind": "Kind",
    "name": "Name",
    "funder_name": "Funder / agency",
    "opportunity_number": "Number",
    "ein": "EIN",
    "city": "City",
    "state": "State",
    "country": "Country",
    "ntee_code": "NTEE",
    "subsection": "Subsection",
    "foundation_code": "Foundation code",
    "award_floor": "Award floor",
    "award_ceiling": "Award ceiling",
    "total_funding": "Total funding",
    "assets": "Assets",
    "income": "Income",
    "revenue": "Revenue",
    "post_date": "Posted",
    "close_date": "Closes",
    "status": "Status",
    "eligible_applicants": "Eligible applicants",
    "cfda_numbers": "CFDA",
    "category": "Category",
    "description": "Description",
}


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
        facts_box = QGroupBox("Record")
        facts_box.setLayout(self.facts)
        self.breakdown = _table(["Dimension", "Score", "Weight", "Why"])
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
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.show_details(None)

    def show_details(self, details: OpportunityDetails | None) -> None:
        editable = details is not None
        for widget in (self.notes, self.rating, self.priority, self.tags, self.save_button):
            widget.setEnabled(editable)
        while self.facts.rowCount():
            self.facts.removeRow(0)
        self.breakdown.setRowCount(0)
        self.history.setRowCount(0)
        if details is None:
            self.opportunity_id = None
            self.heading.setText("Select an opportunity to see its details.")
            self.notes.setPlainText("")
            self.tags.setText("")
            return
        self.opportunity_id = details.row.id
        row = details.row
        self.heading.setText(
            f"<b>{_escape(row.title)}</b><br>{_escape(row.funder_name)}<br>"
            f"Stage: {Stage(row.stage).label} · Score: {row.score:.2f}"
            + (f" · Amount: ${row.amount:,}" if row.amount else "")
            + (f" · Closes: {row.close_date}" if row.close_date else "")
        )
        for name, value in details.record.items():
            text = (
                f"${int(value):,}" if name in _MONEY_FIELDS and isinstance(value, int | float) else str(value)
            )
            label = QLabel(text)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts.addRow(_FIELD_LABELS.get(name, name), label)
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


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
