"""File > Settings…: the settings dialog, and applying its choice (saved to the settings file, the
appearance switched, the cache trimmed to its new limit, old workflow runs pruned).

These are the app's settings (settings.py, shared with the command line); the window's own state
(geometry, columns, sort) lives in the QSettings file, `context.settings`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from catalynx_desktop.settings import Settings
from catalynx_desktop.ui.dialogs.awaiting import run_dialog
from catalynx_desktop.ui.dialogs.settings_dialog import SettingsDialog
from catalynx_desktop.ui.theme import apply_theme

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import ControllerContext


class SettingsController(QObject):
    def __init__(self, context: ControllerContext) -> None:
        super().__init__(context.window)
        self._context = context

    async def dialog(self) -> None:
        services = self._context.services
        dialog = SettingsDialog(
            self._context.window, services.settings, services.paths.data_dir, services.cache
        )
        if await run_dialog(dialog):
            await self.apply(dialog.chosen())

    async def apply(self, chosen: Settings) -> None:
        await self._context.services.apply_settings(chosen)  # saved off the UI thread
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, chosen.theme)
        self._context.status.show("Settings saved.")
