"""The first-run page shown instead of an empty grid: create a profile or load demo data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch()
        title = QLabel(
            "<h2>Welcome to Catalynx Desktop</h2>"
            "<p>Start with a profile of the organization you raise money for, "
            "or explore with demo data.</p>"
        )
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        self.create_button = QPushButton("Create profile…")
        self.demo_button = QPushButton("Load demo data")
        for button in (self.create_button, self.demo_button):
            button.setMinimumWidth(220)
            layout.addWidget(button, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addStretch()
