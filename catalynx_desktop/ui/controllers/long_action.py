"""One long action at a time in the status bar: a progress bar and a Cancel button.

The action runs off the UI thread and checks a threading.Event between batches, so Cancel is a
flag it sees at a safe point (nothing half-written), not a task cancelled in the middle of a write.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QProgressBar, QPushButton

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import StatusChannel


class LongAction(QObject):
    def __init__(self, status: StatusChannel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status = status
        self._cancel_event: threading.Event | None = None
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(240)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel)

    def begin(self, text: str, total: int) -> threading.Event:
        """Show `text` with an empty progress bar; the returned event is set when the user cancels."""
        self._cancel_event = threading.Event()
        self._status.show(text)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        return self._cancel_event

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def cancel(self) -> None:
        if self._cancel_event is not None:
            self._cancel_event.set()
            self._status.show("Cancelling…")

    def stop_on_close(self) -> None:
        """The window is closing: tell a running action to stop (no status line to update)."""
        if self._cancel_event is not None:
            self._cancel_event.set()

    def end(self) -> None:
        self._cancel_event = None
        self.progress.hide()
        self.cancel_button.hide()
