"""Where the app's log goes and what happens to an error nobody caught.

The rotating log file (stderr when it cannot be written), whether one is in place (the command
line decides from that where a failure's details go), and the crash hook of the window: an
unhandled exception is logged and shown once with the log path instead of killing the app.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Any

from catalynx_desktop import APP_NAME
from catalynx_desktop.paths import AppPaths

log = logging.getLogger("catalynx_desktop")


class _LogFileHandler(RotatingFileHandler):
    """The rotating log file; when it cannot be written (a full disk) the record is dropped
    quietly: logging's default prints a traceback per record to stderr, burying the one message
    the user needs ("the disk ... is full") under dozens of them."""

    write_failures = 0

    def handleError(self, record: logging.LogRecord) -> None:
        self.write_failures += 1


def configure_logging(paths: AppPaths, verbose: bool = False) -> Path:
    """Rotating log file in the platform log directory (5 x 2 MB); stderr if it cannot be written."""
    log_file = paths.log_dir / "catalynx.log"
    root = logging.getLogger()
    if not has_log_file():
        formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        try:
            paths.log_dir.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = _LogFileHandler(
                log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
            )
        except OSError as error:  # a read-only or full log folder must not stop the app
            handler = logging.StreamHandler(sys.stderr)
            handler.setLevel(logging.WARNING)
            log.warning(
                "cannot write the log file %s (%s); logging warnings to stderr",
                log_file,
                error.strerror or error,
            )
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return log_file


def has_log_file() -> bool:
    """A log file takes the records (not only the stderr fallback)."""
    return any(isinstance(h, RotatingFileHandler) for h in logging.getLogger().handlers)


def install_crash_reporting(log_file: Path) -> None:
    """Unhandled exceptions (Qt slots, asyncio callbacks) are logged and shown once with the log
    path, instead of silently killing the app. Data is safe: every write is a committed
    transaction or rolled back, so nothing half-written can remain."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    showing = False

    def show(summary: str) -> None:
        nonlocal showing
        if showing:
            return
        showing = True
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            APP_NAME,
            f"Something went wrong: {summary}\n\nYour data is safe. The details are in {log_file}; "
            "please include that file when you report this.",
        )
        box.finished.connect(lambda _code: _reset())
        box.open()

    def _reset() -> None:
        nonlocal showing
        showing = False

    def excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        log.critical("unhandled exception", exc_info=(kind, error, tb))
        QTimer.singleShot(0, lambda: show(f"{kind.__name__}: {error}"))

    sys.excepthook = excepthook

    def loop_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        log.error("unhandled error in the event loop: %s", context.get("message"), exc_info=error)
        if error is not None and not isinstance(error, asyncio.CancelledError):
            QTimer.singleShot(0, lambda: show(f"{type(error).__name__}: {error}"))

    asyncio.get_event_loop().set_exception_handler(loop_handler)
