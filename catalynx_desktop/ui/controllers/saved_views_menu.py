"""The Views menu: save the current view under a name, reopen one, delete one.

The views themselves are stored by models/saved_views.py; applying one is the query controller's job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu

from catalynx_desktop.ui.dialogs.awaiting import run_dialog
from catalynx_desktop.ui.models.saved_views import SavedView, delete_view, header_bytes, list_views, save_view

if TYPE_CHECKING:
    from catalynx_desktop.ui.main_window import MainWindow


class SavedViewsMenu(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.menu: QMenu | None = None

    def install(self, menu: QMenu) -> None:
        """Fill `menu`, and refill it each time it opens (views may have been saved meanwhile)."""
        self.menu = menu
        self.save_action = QAction("&Save current view…", self.window)
        self.save_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.save_action.triggered.connect(lambda: self.window.tasks.spawn(self.save_dialog()))
        self.window.addAction(self.save_action)  # the shortcut works while the menu is closed
        menu.aboutToShow.connect(self._fill)
        self._fill()

    def _fill(self) -> None:
        menu = self.menu
        assert menu is not None
        settings = self.window.settings
        menu.clear()
        menu.addAction(self.save_action)
        views = list_views(settings)
        if views:
            menu.addSeparator()
            for view in views:
                menu.addAction(view.name, lambda v=view: self.window.tasks.spawn(self.open(v)))
            remove = menu.addMenu("Delete saved view")
            for view in views:
                remove.addAction(view.name, lambda n=view.name: delete_view(settings, n))

    async def save_dialog(self) -> None:
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle("Save view")
        dialog.setLabelText("Name this view (stage, sort, search, filters and columns):")
        if await run_dialog(dialog) and dialog.textValue().strip():
            self.save_current(dialog.textValue().strip())

    def save_current(self, name: str) -> SavedView:
        window = self.window
        query = window.query.current()
        view = SavedView(
            name,
            query.stage,
            query.sort,
            query.descending,
            query.search,
            query.filters,
            header_bytes(window.table.horizontalHeader().saveState()),
        )
        save_view(window.settings, view)
        window.status_label.setText(f"Saved the view “{name}”.")
        return view

    async def open(self, view: SavedView) -> None:
        await self.window.query.apply_view(view)
