"""One long action at a time in the status bar: a progress bar, a Cancel button and "Details…".

The action runs off the UI thread and checks a threading.Event between batches, so Cancel is a
flag it sees at a safe point (nothing half-written), not a task cancelled in the middle of a write.
A workflow run passes `on_cancel` (its handle's cancel) instead of reading the event.
The newest action owns the bar: an older one that ends later leaves it alone (`end(token)`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import StatusChannel


class LongAction(QObject):
    details_requested = Signal()  # the user clicked "Details…": show the Workflows dock

    def __init__(self, status: StatusChannel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status = status
        self._cancel_event: threading.Event | None = None
        self._on_cancel: Callable[[], None] | None = None
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(240)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel)
        self.details_link = QLabel('<a href="details">Details…</a>')
        self.details_link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.details_link.setToolTip("Show the Workflows panel: runs in flight and their history")
        self.details_link.linkActivated.connect(lambda _link: self.details_requested.emit())
        self.details_link.hide()

    def begin(
        self, text: str, total: int, on_cancel: Callable[[], None] | None = None, *, details: bool = False
    ) -> threading.Event:
        """Show `text` with an empty progress bar; the returned event is set when the user cancels
        (and `on_cancel` is called). `details` shows the "Details…" link next to it."""
        self._cancel_event = threading.Event()
        self._on_cancel = on_cancel
        self._status.show(text)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.details_link.setVisible(details)
        return self._cancel_event

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def cancel(self) -> None:
        if self._cancel_event is not None:
            self._cancel_event.set()
            self.cancel_button.setEnabled(False)
            self._status.show("Cancelling…")
            if self._on_cancel is not None:
                self._on_cancel()

    def stop_on_close(self) -> None:
        """The window is closing: tell a running action to stop (no status line to update)."""
        if self._cancel_event is not None:
            self._cancel_event.set()

    def is_current(self, token: threading.Event) -> bool:
        return token is self._cancel_event

    def end(self, token: threading.Event | None = None) -> None:
        """Hide the bar; with `token` (what begin returned), only if no newer action took it."""
        if token is not None and token is not self._cancel_event:
            return
        self._cancel_event = None
        self._on_cancel = None
        self.progress.hide()
        self.cancel_button.hide()
