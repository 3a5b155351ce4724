"""Ask what to export (the current view or the selection), to which file and in which format.

No SQL and no file writing here: the caller turns the choice into an export run, e.g.

    dialog = ExportDialog(window, view_rows=model.rowCount(), selected_rows=len(ids),
                          directory=last_dir, name="opportunities")
    if dialog.exec():
        choice = dialog.chosen()
        source = ExportSelection.of(ids, query) if choice.selection else query
        handle = await start_export(engine, db, source, choice.path, choice.format)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.export.writers import ExportFormat

FORMAT_LABELS: dict[ExportFormat, str] = {
    ExportFormat.XLSX: "Excel workbook (*.xlsx)",
    ExportFormat.CSV: "CSV, comma-separated (*.csv)",
}


@dataclass(frozen=True)
class ExportChoice:
    path: Path
    format: ExportFormat
    selection: bool  # True: the selected rows only; False: every row of the current view


class ExportDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        view_rows: int,
        selected_rows: int = 0,
        directory: Path | None = None,
        name: str = "opportunities",
        fmt: ExportFormat = ExportFormat.XLSX,
        selection: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export opportunities")
        self.view_button = QRadioButton(f"Current &view: all {view_rows:,} rows, with its filter and sort")
        self.selection_button = QRadioButton(f"&Selected rows only ({selected_rows:,})")
        self.selection_button.setEnabled(selected_rows > 0)
        group = QButtonGroup(self)
        group.addButton(self.view_button)
        group.addButton(self.selection_button)
        (self.selection_button if selection and selected_rows > 0 else self.view_button).setChecked(True)

        self.format = QComboBox()
        for option, label in FORMAT_LABELS.items():
            self.format.addItem(label, option)
        self.format.setCurrentIndex(list(FORMAT_LABELS).index(fmt))
        self.format.currentIndexChanged.connect(self._format_changed)

        folder = directory or Path.home()
        self.path = QLineEdit(str(folder / f"{name}{fmt.suffix}"))
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)

        form = QFormLayout()
        form.addRow("Export", self.view_button)
        form.addRow("", self.selection_button)
        form.addRow("&Format", self.format)
        # A layout gets no buddy from addRow(str, ...), so its "&File" would show literally.
        file_label = QLabel("&File")
        file_label.setBuddy(self.path)
        form.addRow(file_label, path_row)
        ok, cancel = QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok | cancel)
        buttons.button(ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    # -- choice --------------------------------------------------------------------------------
    def selected_format(self) -> ExportFormat:
        return ExportFormat(self.format.currentData())

    def chosen(self) -> ExportChoice:
        return ExportChoice(self._path(), self.selected_format(), self.selection_button.isChecked())

    def _path(self) -> Path:
        path = Path(self.path.text().strip()).expanduser()
        suffix = self.selected_format().suffix
        return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)

    def problem(self) -> str:
        """Why the chosen file cannot be used ('' if it can)."""
        if not self.path.text().strip():
            return "Choose a file to export to."
        path = self._path()
        if not path.parent.is_dir():
            return f"The folder {path.parent} does not exist."
        if path.is_dir():
            return f"{path} is a folder."
        return ""

    # -- slots ---------------------------------------------------------------------------------
    def _format_changed(self) -> None:
        text = self.path.text().strip()
        if text:
            path = Path(text)
            if path.suffix.lower() in {f.suffix for f in ExportFormat}:
                self.path.setText(str(path.with_suffix(self.selected_format().suffix)))

    def _browse(self) -> None:
        fmt = self.selected_format()
        chosen, _ = QFileDialog.getSaveFileName(self, "Export to", str(self._path()), FORMAT_LABELS[fmt])
        if chosen:
            self.path.setText(chosen)
            self._confirmed = Path(chosen)  # the file dialog already asked about overwriting

    def accept(self) -> None:
        problem = self.problem()
        if problem:
            QMessageBox.warning(self, "Export", problem)
            return
        path = self._path()
        if path.exists() and getattr(self, "_confirmed", None) != path:
            answer = QMessageBox.question(self, "Export", f"{path.name} already exists. Replace it?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().accept()
