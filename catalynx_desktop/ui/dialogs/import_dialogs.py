"""Import dialogs: map the columns of a user's grantor list (with its first rows shown), and the
report of a finished import (counts and rejected records, with where the full list was saved)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.sources.user_list import ColumnMapping, Preview

FIELD_LABELS = {
    "ein": "EIN",
    "name": "Organization name",
    "date": "Grant date",
    "amount": "Amount",
    "city": "City",
    "state": "State",
}


class ColumnMappingDialog(QDialog):
    """Which of the file's columns holds each of our fields; starts from the guessed mapping."""

    def __init__(self, parent: QWidget | None, preview: Preview) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import {preview.path.name}: match the columns")
        self.preview = preview
        self.choices: dict[str, QComboBox] = {}
        form = QFormLayout()
        for field in fields(ColumnMapping):
            combo = QComboBox()
            combo.addItem("— not in this file —", None)
            for column in preview.header:
                combo.addItem(column, column)
            guessed = getattr(preview.guessed, field.name)
            if guessed is not None:
                combo.setCurrentIndex(max(combo.findData(guessed), 0))
            self.choices[field.name] = combo
            form.addRow(FIELD_LABELS.get(field.name, field.name), combo)
        table = QTableWidget(len(preview.rows), len(preview.header))
        table.setHorizontalHeaderLabels(preview.header)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, row in enumerate(preview.rows):
            for c, value in enumerate(row[: len(preview.header)]):
                table.setItem(r, c, QTableWidgetItem(value))
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        box = QGroupBox(f"First {len(preview.rows)} rows of {preview.path.name}")
        QVBoxLayout(box).addWidget(table)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Rows are matched to known organizations by EIN, else by name and state."))
        layout.addLayout(form)
        layout.addWidget(box)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(760, 560)

    def mapping(self) -> ColumnMapping:
        return ColumnMapping(**{name: combo.currentData() for name, combo in self.choices.items()})

    def accept(self) -> None:
        missing = self.mapping().missing_required()
        if missing:
            self.problem.setText(f"Choose the column that holds: {', '.join(missing)}.")
            return
        super().accept()


class ImportReportDialog(QDialog):
    """What an import did; rejected records with file and record number, and the saved CSV."""

    def __init__(self, parent: QWidget | None, output: dict[str, Any]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import report")
        layout = QVBoxLayout(self)
        summary = QLabel(output.get("summary", ""))
        summary.setWordWrap(True)
        layout.addWidget(summary)
        errors = output.get("first_errors", [])
        if errors:
            table = QTableWidget(len(errors), 1)
            table.setHorizontalHeaderLabels(["Rejected record (file, record number: reason)"])
            table.horizontalHeader().setStretchLastSection(True)
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            for i, text in enumerate(errors):
                table.setItem(i, 0, QTableWidgetItem(text))
            layout.addWidget(table)
        if output.get("rejects_csv"):
            saved = QLabel(
                f"Every rejected record is saved in <a href='file://{output['rejects_csv']}'>"
                f"{output['rejects_csv']}</a> (opens in a spreadsheet)."
            )
            saved.setOpenExternalLinks(True)
            saved.setWordWrap(True)
            layout.addWidget(saved)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 360 if errors else 160)
