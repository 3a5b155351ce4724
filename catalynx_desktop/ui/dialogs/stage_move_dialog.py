"""Ask which stage to move the selection to, with an optional reason."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.domain.stages import PIPELINE, Stage


class StageMoveDialog(QDialog):
    def __init__(self, parent: QWidget | None, count: int, stage: Stage | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Move to stage")
        self.stage = QComboBox()
        for s in PIPELINE:
            self.stage.addItem(f"{s.label}  (Ctrl+{s.shortcut_digit})", s)
        if stage is not None:
            self.stage.setCurrentIndex(PIPELINE.index(stage))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Optional: why (kept in the stage history)")
        form = QFormLayout()
        form.addRow(QLabel(f"Move {count:,} selected opportunit{'y' if count == 1 else 'ies'} to:"))
        form.addRow("&Stage", self.stage)
        form.addRow("&Reason", self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.reason.setFocus()

    def chosen(self) -> tuple[Stage, str]:
        # Qt hands item data back as the plain str value of the enum, not the Stage itself.
        return Stage(self.stage.currentData()), self.reason.text().strip()
