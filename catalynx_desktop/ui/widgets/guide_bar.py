"""A dismissible bar above the table that says what just happened and offers the next step.

Non-modal on purpose: the first run is a conversation ("6,535 records arrived — Create a
profile"), not a chain of dialogs to click away. One message at a time; a new one replaces it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget


class GuideBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guideBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#guideBar { background: palette(alternate-base); }")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton()
        self.action_button.clicked.connect(self._act)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAccessibleName("Dismiss")
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self._callback: Callable[[], object] | None = None
        self.hide()

    def say(self, text: str, action: str = "", callback: Callable[[], object] | None = None) -> None:
        """Show `text`, with a button `action` that calls `callback` (and closes the bar)."""
        self.text.setText(text)
        self._callback = callback
        self.action_button.setText(action)
        self.action_button.setVisible(bool(action and callback))
        self.show()

    def dismiss(self) -> None:
        self._callback = None
        self.hide()

    def _act(self) -> None:
        callback = self._callback
        self.dismiss()
        if callback is not None:
            callback()
