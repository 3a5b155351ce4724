"""The export dialog: scope, format and file name; no database."""

from __future__ import annotations

from catalynx_desktop.export.writers import ExportFormat
from catalynx_desktop.ui.dialogs.export_dialog import ExportDialog


def test_dialog_choice(qtbot, tmp_path):
    dialog = ExportDialog(None, view_rows=100_000, selected_rows=0, directory=tmp_path, name="shortlist")
    qtbot.addWidget(dialog)
    assert not dialog.selection_button.isEnabled()
    choice = dialog.chosen()
    assert choice.path == tmp_path / "shortlist.xlsx" and choice.format is ExportFormat.XLSX
    assert not choice.selection

    dialog.format.setCurrentIndex(1)  # CSV: the suffix follows
    assert dialog.chosen().path == tmp_path / "shortlist.csv"
    dialog.path.setText(str(tmp_path / "named"))
    assert dialog.chosen().path == tmp_path / "named.csv"
    assert dialog.problem() == ""
    dialog.path.setText(str(tmp_path / "missing" / "x.csv"))
    assert "does not exist" in dialog.problem()

    dialog = ExportDialog(
        None, view_rows=10, selected_rows=3, directory=tmp_path, selection=True, fmt=ExportFormat.CSV
    )
    qtbot.addWidget(dialog)
    assert dialog.chosen().selection and dialog.chosen().format is ExportFormat.CSV
