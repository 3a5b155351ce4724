"""Data files dropped anywhere on the main window are imported (one Import run per file).

An event filter rather than dragEnterEvent/dropEvent overrides, so the window class does not
carry import logic.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QWidget


class FileDropImport(QObject):
    files_dropped = Signal(list)  # the dropped local files (Path), to import

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        window.installEventFilter(self)
        window.setAcceptDrops(True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.window:
            return False
        if event.type() == QEvent.Type.DragEnter:
            self._drag_enter(event)  # type: ignore[arg-type]
            return True  # handled here, as a dragEnterEvent override would be
        if event.type() == QEvent.Type.Drop:
            self._drop(event)  # type: ignore[arg-type]
            return True
        return False

    def _drag_enter(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() and any(url.isLocalFile() for url in mime.urls()):
            event.acceptProposedAction()

    def _drop(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
