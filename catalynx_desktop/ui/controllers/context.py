"""What every controller is given instead of the window: a ControllerContext.

A controller reaches data through `services` (awaited, never on the UI thread), starts
background work through `tasks`, tells the user things through `status` (one channel for the
status line and for errors), and works on the one opportunity table. It parents its dialogs,
docks and window-wide shortcuts on `window`, typed as Qt's QMainWindow: nothing of ours is
reached through it. Which profile is shown is `profile`, shared state the profile controller
keeps. Controllers never hold each other: what one does that concerns another is a signal of
its own (a Qt Signal, or an AsyncSignal when it awaits the reaction), connected in main_window.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QMainWindow, QTableView

from catalynx_desktop.services import AppServices
from catalynx_desktop.ui.async_tasks import TaskRunner
from catalynx_desktop.ui.models.opportunity_table_model import OpportunityTableModel
from catalynx_desktop.ui.models.profile_selection import ProfileSelection


class StatusChannel(QObject):
    """The one path to the status line and the error display: controllers say things here, the
    window shows them (message -> the status line, failed -> the error display)."""

    message = Signal(str)
    failed = Signal(object)  # a BaseException to show (see error_display.py)

    def show(self, text: str) -> None:
        self.message.emit(text)

    def error(self, error: BaseException) -> None:
        self.failed.emit(error)


@dataclass(frozen=True)
class ControllerContext:
    services: AppServices
    tasks: TaskRunner
    status: StatusChannel
    table: QTableView
    table_model: OpportunityTableModel
    settings: QSettings  # the window's own state: geometry, columns, sort, saved views, last dirs
    window: QMainWindow  # Qt's: the parent of dialogs and docks, and of window-wide shortcuts
    profile: ProfileSelection
