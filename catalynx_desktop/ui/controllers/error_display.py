"""How errors from background tasks reach the user: a status line and a non-blocking message box.

Expected problems (a read-only or full disk, a bad value) are shown as their own message; anything
else is a bug, so it is logged with its traceback and shown with a pointer to the log.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from catalynx_desktop import APP_NAME
from catalynx_desktop.domain.errors import ErrorKind, StorageError

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import StatusChannel

log = logging.getLogger(__name__)


class ErrorDisplay(QObject):
    def __init__(self, parent: QWidget, status: StatusChannel) -> None:
        super().__init__(parent)
        self._parent = parent  # the message box's parent
        self._status = status
        self.last: BaseException | None = None  # the last error shown (tests, diagnostics)

    def show(self, error: BaseException) -> None:
        self.last = error
        if isinstance(error, StorageError) and error.kind is ErrorKind.ENVIRONMENT:
            text = error.user_message
        elif isinstance(error, ValueError | LookupError):
            text = str(error)
        else:
            log.error("unexpected error", exc_info=error)
            text = f"Something went wrong: {error}\nYour data is safe. Details are in the log."
        self._status.show(text.splitlines()[0])
        box = QMessageBox(
            QMessageBox.Icon.Warning, APP_NAME, text, QMessageBox.StandardButton.Ok, self._parent
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # not exec(): no nested event loop inside the qasync loop
