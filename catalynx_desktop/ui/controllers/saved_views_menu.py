"""The Views menu: save the current view under a name, reopen one, delete one.

The views themselves are stored by models/saved_views.py; applying one is the query controller's job.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu

from catalynx_desktop.domain.query import OpportunityQuery
from catalynx_desktop.ui.controllers.async_signal import AsyncSignal
from catalynx_desktop.ui.dialogs.awaiting import run_dialog
from catalynx_desktop.ui.models.saved_views import SavedView, delete_view, header_bytes, list_views, save_view
from catalynx_desktop.ui.widgets.header_layout import save_header

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import ControllerContext


class SavedViewsMenu(QObject):
    def __init__(self, context: ControllerContext, current_query: Callable[[], OpportunityQuery]) -> None:
        super().__init__(context.window)
        self._context = context
        self._current_query = current_query  # what the query controls describe now (to save it)
        self.open_requested = AsyncSignal[[SavedView]]()  # the query controls take the view
        self.menu: QMenu | None = None
        self._delete_menu: QMenu | None = None  # the "Delete saved view" submenu of the last fill

    def install(self, menu: QMenu) -> None:
        """Fill `menu`, and refill it each time it opens (views may have been saved meanwhile)."""
        self.menu = menu
        window = self._context.window
        self.save_action = QAction("&Save current view…", window)
        self.save_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.save_action.triggered.connect(lambda: self._context.tasks.spawn(self.save_dialog()))
        window.addAction(self.save_action)  # the shortcut works while the menu is closed
        menu.aboutToShow.connect(self._fill)
        self._fill()

    def _fill(self) -> None:
        menu = self.menu
        assert menu is not None
        settings = self._context.settings
        menu.clear()  # removes the submenu's action, not the submenu: that is deleted here
        if self._delete_menu is not None:
            self._delete_menu.deleteLater()
            self._delete_menu = None
        menu.addAction(self.save_action)
        views = list_views(settings)
        if views:
            menu.addSeparator()
            for view in views:
                menu.addAction(view.name, partial(self._spawn_open, view))
            remove = self._delete_menu = menu.addMenu("Delete saved view")
            for view in views:
                remove.addAction(view.name, partial(delete_view, settings, view.name))

    async def save_dialog(self) -> None:
        dialog = QInputDialog(self._context.window)
        dialog.setWindowTitle("Save view")
        dialog.setLabelText("Name this view (stage, sort, search, filters and columns):")
        if await run_dialog(dialog) and dialog.textValue().strip():
            self.save_current(dialog.textValue().strip())

    def save_current(self, name: str) -> SavedView:
        context = self._context
        query = self._current_query()
        view = SavedView(
            name,
            query.stage,
            query.sort,
            query.descending,
            query.search,
            query.filters,
            header_bytes(save_header(context.table.horizontalHeader())),
        )
        save_view(context.settings, view)
        context.status.show(f"Saved the view “{name}”.")
        return view

    def _spawn_open(self, view: SavedView) -> None:
        self._context.tasks.spawn(self.open(view))

    async def open(self, view: SavedView) -> None:
        await self.open_requested.emit(view)
