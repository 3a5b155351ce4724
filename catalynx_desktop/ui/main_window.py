"""The main window: profiles on the left, the selected profile's opportunities on the right.

Everything that touches data is awaited through AppServices; this module has no SQL and never
blocks the UI thread. Long actions show a progress bar with a Cancel button in the status bar.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop import APP_NAME
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.query import OpportunityFilters, OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import PIPELINE, Stage
from catalynx_desktop.services import AppServices
from catalynx_desktop.settings import Settings, save_settings
from catalynx_desktop.storage.opportunity_repository import StageMove
from catalynx_desktop.ui.async_tasks import TaskRunner
from catalynx_desktop.ui.dashboard_controller import DashboardController
from catalynx_desktop.ui.demo_loader import SMALL_DEMO, DemoLoader
from catalynx_desktop.ui.details_controller import DetailsController
from catalynx_desktop.ui.dialogs import confirm, run_dialog
from catalynx_desktop.ui.empty_state import EmptyState
from catalynx_desktop.ui.error_display import ErrorDisplay
from catalynx_desktop.ui.filter_bar import FilterBar, FilterDialog
from catalynx_desktop.ui.long_action import LongAction
from catalynx_desktop.ui.opportunity_table_model import SORT_COLUMN_OF, OpportunityTableModel
from catalynx_desktop.ui.opportunity_table_view import (
    create_opportunity_table,
    refresh_keeping_scroll,
    selected_opportunity_ids,
    set_default_column_widths,
    step_current_row,
)
from catalynx_desktop.ui.profile_dialog import ProfileDialog
from catalynx_desktop.ui.profile_list_model import PROFILE_ID_ROLE, ProfileListModel
from catalynx_desktop.ui.saved_views import SavedView, delete_view, header_bytes, list_views, save_view
from catalynx_desktop.ui.settings_dialog import SettingsDialog
from catalynx_desktop.ui.shortcuts_dialog import ShortcutsDialog
from catalynx_desktop.ui.stage_move_dialog import StageMoveDialog
from catalynx_desktop.ui.workflow_actions import WorkflowActions

log = logging.getLogger(__name__)

ALL_STAGES_TAB = 0  # tab 0 is "All"; tab i+1 is PIPELINE[i]


class MainWindow(QMainWindow):
    def __init__(self, services: AppServices, settings: QSettings) -> None:
        super().__init__()
        self.services = services
        self.settings = settings
        self.errors = ErrorDisplay(self)
        self.tasks = TaskRunner(on_error=self.errors.show)
        self.current_profile_id: int | None = None
        self._sort = (SortKey(settings.value("table/sort", SortKey.SCORE.value)),
                      settings.value("table/descending", "true") == "true")
        self._last_move: StageMove | None = None
        self.first_rows_shown = asyncio.Event()
        self.setWindowTitle(f"{APP_NAME} — {services.paths.data_dir}")
        self.resize(1280, 800)

        self.profile_model = ProfileListModel(self)
        self.profile_view = QTableView()
        self.profile_view.setModel(self.profile_model)
        self.profile_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.profile_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.profile_view.verticalHeader().hide()
        self.profile_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.profile_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.profile_view.setWordWrap(False)
        self.profile_view.doubleClicked.connect(lambda _i: self.tasks.spawn(self.edit_profile_dialog()))
        self.profile_view.selectionModel().currentRowChanged.connect(self._profile_row_changed)

        self.stage_tabs = QTabBar()
        self.stage_tabs.addTab("All")
        for stage in PIPELINE:
            self.stage_tabs.addTab(stage.label)
        self.stage_tabs.currentChanged.connect(self._stage_tab_changed)

        self.table_model = OpportunityTableModel(services.views, self.tasks, self)
        self.table_model.query_opened.connect(self._query_opened)
        self.table_model.sort_requested.connect(self._remember_sort)
        self.table = create_opportunity_table(self.table_model)
        self.table.horizontalHeader().setSortIndicator(SORT_COLUMN_OF[self._sort[0]], self._sort_order())
        set_default_column_widths(self.table)

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search titles, funders, descriptions, cities…  (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        # Wait for a pause in typing before searching; the search itself runs off the UI thread.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self._search_changed)
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_box.returnPressed.connect(self._search_changed)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.filter_bar = FilterBar()
        self.filter_bar.edit_requested.connect(lambda: self.tasks.spawn(self.filter_dialog()))
        self.filter_bar.filters_changed.connect(lambda filters: self.tasks.spawn(self.apply_filters(filters)))
        right_layout.addWidget(self.search_box)
        right_layout.addWidget(self.filter_bar)
        right_layout.addWidget(self.stage_tabs)
        right_layout.addWidget(self.table)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.profile_view)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([330, 950])

        self.empty_state = EmptyState(self)
        self.empty_state.create_button.clicked.connect(lambda: self.tasks.spawn(self.new_profile_dialog()))
        self.empty_state.demo_button.clicked.connect(lambda: self.tasks.spawn(self.demo.load(SMALL_DEMO)))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty_state)
        self.setCentralWidget(self.stack)

        self.status_label = QLabel()
        self.long_action = LongAction(self)
        self.demo = DemoLoader(self)
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.long_action.progress)
        self.statusBar().addPermanentWidget(self.long_action.cancel_button)

        self.details = DetailsController(self)
        self.dashboard = DashboardController(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.details.dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dashboard.dock)
        self.tabifyDockWidget(self.details.dock, self.dashboard.dock)
        self.details.dock.raise_()

        self.workflows = WorkflowActions(self)
        self._build_actions()
        self._restore_state()
        self.setAcceptDrops(True)  # drop data files on the window to import them

    # -- actions and shortcuts -------------------------------------------------------------
    def _action(self, text: str, shortcut: QKeySequence | str | None, slot, menu=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        if menu is not None:
            menu.addAction(action)
        return action

    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        profile_menu = self.menuBar().addMenu("&Profile")
        stage_menu = self.menuBar().addMenu("&Opportunity")
        spawn = self.tasks.spawn
        self.new_profile_action = self._action("&New profile…", QKeySequence.StandardKey.New,
                                               lambda: spawn(self.new_profile_dialog()), profile_menu)
        self.edit_profile_action = self._action("&Edit profile…", "Ctrl+E",
                                                lambda: spawn(self.edit_profile_dialog()), profile_menu)
        self.delete_profile_action = self._action("&Delete profile…", "Ctrl+Shift+Delete",
                                                  lambda: spawn(self.delete_profile_dialog()), profile_menu)
        self.move_action = self._action("&Move to stage…", "Ctrl+M",
                                        lambda: spawn(self.move_selection_dialog()), stage_menu)
        stage_menu.addSeparator()
        for stage in PIPELINE:
            self._action(f"Move to {stage.label}…", f"Ctrl+{stage.shortcut_digit}",
                         lambda _checked=False, s=stage: spawn(self.move_selection_dialog(s)), stage_menu)
        self.undo_action = self._action("&Undo last move", QKeySequence.StandardKey.Undo,
                                        lambda: spawn(self.undo_last_move()), stage_menu)
        self.undo_action.setEnabled(False)
        stage_menu.addSeparator()
        self._action("&Save notes", QKeySequence.StandardKey.Save, self.details.save_notes, stage_menu)
        self._action("Next opportunity", "Alt+Down", lambda: step_current_row(self.table, 1), stage_menu)
        self._action("Previous opportunity", "Alt+Up", lambda: step_current_row(self.table, -1), stage_menu)
        stage_menu.addSeparator()
        self._action("&Find…", QKeySequence.StandardKey.Find, self.focus_search, stage_menu)
        self._action("Next stage tab", "Ctrl+PgDown", lambda: self._step_tab(1), stage_menu)
        self._action("Previous stage tab", "Ctrl+PgUp", lambda: self._step_tab(-1), stage_menu)
        self.demo_action = self._action("Load &demo data (5 profiles, 50,000 opportunities)", None,
                                        lambda: spawn(self.demo.load(SMALL_DEMO)), file_menu)
        self._action("&Refresh", QKeySequence.StandardKey.Refresh, lambda: spawn(self.reload()), file_menu)
        self._action("&Settings…", "Ctrl+,", lambda: spawn(self.settings_dialog()),
                     file_menu)
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self.details.dock.toggleViewAction())
        dashboard_action = self.dashboard.dock.toggleViewAction()
        dashboard_action.setShortcut(QKeySequence("Ctrl+Shift+D"))
        self.addAction(dashboard_action)
        view_menu.addAction(dashboard_action)
        self._action("&Filters…", "Ctrl+Shift+F", lambda: spawn(self.filter_dialog()), view_menu)
        self.views_menu = self.menuBar().addMenu("Vie&ws")
        self.save_view_action = self._action("&Save current view…", "Ctrl+Shift+S",
                                             lambda: spawn(self.save_view_dialog()))
        self.views_menu.aboutToShow.connect(self._fill_views_menu)
        self._fill_views_menu()
        self.workflows.install(file_menu, profile_menu, view_menu)
        help_menu = self.menuBar().addMenu("&Help")
        self._action("&Keyboard shortcuts", "F1", lambda: spawn(self.shortcuts_dialog()), help_menu)
        file_menu.addSeparator()
        self._action("&Quit", QKeySequence.StandardKey.Quit, self.close, file_menu)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        for action in (self.new_profile_action, self.edit_profile_action, self.delete_profile_action,
                       self.move_action, self.workflows.import_action, self.workflows.discover_action,
                       self.workflows.export_action, self.demo_action):
            toolbar.addAction(action)
        self.demo_action.setIconText("Load demo")
        self.addToolBar(toolbar)

    # -- state that persists -----------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = self.settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        header = self.settings.value("table/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        window_state = self.settings.value("window/state")
        if window_state is not None:
            self.restoreState(window_state)

    def _save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("table/header", self.table.horizontalHeader().saveState())
        self.settings.setValue("window/state", self.saveState())
        if self.current_profile_id is not None:
            self.settings.setValue("profiles/last", self.current_profile_id)
        self.settings.sync()

    def _remember_sort(self, query: OpportunityQuery) -> None:
        self._sort = (query.sort, query.descending)
        self.settings.setValue("table/sort", query.sort.value)
        self.settings.setValue("table/descending", "true" if query.descending else "false")

    def _sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self._sort[1] else Qt.SortOrder.AscendingOrder

    # -- loading -----------------------------------------------------------------------------
    async def reload(self) -> None:
        """Reload the profile list (one query) and reselect the current or last profile."""
        summaries = await self.services.profiles.list_summaries()
        self.profile_model.set_summaries(summaries)
        if not summaries:
            self.stack.setCurrentWidget(self.empty_state)
            self.current_profile_id = None
            self.table_model.clear()
            self.first_rows_shown.set()
            self.status_label.setText("No profiles yet.")
            return
        wanted = self.current_profile_id or _int_or_none(self.settings.value("profiles/last"))
        row = self.profile_model.row_of(wanted) if wanted is not None else -1
        # Select before the list becomes visible: a view that gets focus with no current row
        # picks row 0 by itself, which would open a second profile behind our back.
        select = self.select_profile_row(row if row >= 0 else 0)
        self.stack.setCurrentWidget(self.splitter)
        await select

    def select_profile_row(self, row: int) -> Coroutine[Any, Any, None]:
        """Select the row now (synchronously); the returned coroutine shows its opportunities."""
        summary = self.profile_model.summary(row)
        if summary is None:
            return asyncio.sleep(0)
        self.current_profile_id = summary.profile.id
        self.profile_view.selectionModel().blockSignals(True)
        self.profile_view.selectionModel().setCurrentIndex(
            self.profile_model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.profile_view.selectionModel().blockSignals(False)
        return self.show_profile(summary.profile.id)

    def _profile_row_changed(self, current, _previous) -> None:
        profile_id = current.data(PROFILE_ID_ROLE) if current.isValid() else None
        if profile_id is not None and profile_id != self.current_profile_id:
            self.tasks.spawn(self.show_profile(profile_id), name="show-profile")

    async def show_profile(self, profile_id: int) -> None:
        self.current_profile_id = profile_id
        self._update_stage_tabs(profile_id)
        await self.open_query(self.current_query())
        await self.dashboard.refresh()

    def current_query(self) -> OpportunityQuery:
        tab = self.stage_tabs.currentIndex()
        stage = None if tab <= ALL_STAGES_TAB else PIPELINE[tab - 1]
        assert self.current_profile_id is not None
        return OpportunityQuery(self.current_profile_id, stage, self._sort[0], self._sort[1],
                                self.search_box.text().strip(), self.filter_bar.filters)

    async def filter_dialog(self) -> None:
        dialog = FilterDialog(self, self.filter_bar.filters)
        if await run_dialog(dialog):
            await self.apply_filters(dialog.chosen())

    async def apply_filters(self, filters: OpportunityFilters) -> None:
        self.filter_bar.set_filters(filters)
        if self.current_profile_id is not None:
            await self.open_query(self.current_query())

    # -- saved views ---------------------------------------------------------------------------
    async def save_view_dialog(self) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Save view")
        dialog.setLabelText("Name this view (stage, sort, search, filters and columns):")
        if await run_dialog(dialog) and dialog.textValue().strip():
            self.save_current_view(dialog.textValue().strip())

    def save_current_view(self, name: str) -> SavedView:
        query = self.current_query()
        view = SavedView(name, query.stage, query.sort, query.descending, query.search, query.filters,
                         header_bytes(self.table.horizontalHeader().saveState()))
        save_view(self.settings, view)
        self.status_label.setText(f"Saved the view “{name}”.")
        return view

    async def open_saved_view(self, view: SavedView) -> None:
        self.search_box.blockSignals(True)
        self.search_box.setText(view.search)
        self.search_box.blockSignals(False)
        self.filter_bar.set_filters(view.filters)
        self._sort = (view.sort, view.descending)
        self.stage_tabs.blockSignals(True)
        self.stage_tabs.setCurrentIndex(ALL_STAGES_TAB if view.stage is None else PIPELINE.index(view.stage) + 1)
        self.stage_tabs.blockSignals(False)
        if view.header_state:
            self.table.horizontalHeader().restoreState(QByteArray(view.header_state))
        if self.current_profile_id is not None:
            await self.open_query(self.current_query())

    def _fill_views_menu(self) -> None:
        menu = self.views_menu
        menu.clear()
        menu.addAction(self.save_view_action)
        views = list_views(self.settings)
        if views:
            menu.addSeparator()
            for view in views:
                menu.addAction(view.name, lambda v=view: self.tasks.spawn(self.open_saved_view(v)))
            remove = menu.addMenu("Delete saved view")
            for view in views:
                remove.addAction(view.name, lambda n=view.name: delete_view(self.settings, n))

    def _search_changed(self) -> None:
        self._search_timer.stop()
        query = self.table_model.query
        if self.current_profile_id is not None and (query is None or query.search != self.search_box.text().strip()):
            self.tasks.spawn(self.open_query(self.current_query()), name="search")

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    async def open_query(self, query: OpportunityQuery) -> None:
        started = time.perf_counter()
        self._remember_sort(query)
        await self.table_model.open(query)
        self.table.horizontalHeader().setSortIndicator(SORT_COLUMN_OF[query.sort], self._sort_order())
        if self.table_model.query == query:
            found = "matching “" + query.search + "”" if query.search else ""
            self.status_label.setText(f"{self.table_model.total:,} opportunities {found} · first rows in "
                                      f"{(time.perf_counter() - started) * 1000:.0f} ms")
            self.first_rows_shown.set()

    def _query_opened(self, total: int) -> None:
        if self.table_model.total == 0:
            self.status_label.setText("No opportunities in this view.")

    def _stage_tab_changed(self, _index: int) -> None:
        if self.current_profile_id is not None:
            self.tasks.spawn(self.open_query(self.current_query()), name="stage-tab")

    def _step_tab(self, step: int) -> None:
        self.stage_tabs.setCurrentIndex((self.stage_tabs.currentIndex() + step) % self.stage_tabs.count())

    def _update_stage_tabs(self, profile_id: int) -> None:
        row = self.profile_model.row_of(profile_id)
        summary = self.profile_model.summary(row)
        if summary is None:
            return
        self.stage_tabs.setTabText(0, f"All ({summary.total:,})")
        for i, stage in enumerate(PIPELINE, start=1):
            self.stage_tabs.setTabText(i, f"{stage.label} ({summary.stage_counts.get(stage, 0):,})")

    # -- profiles ------------------------------------------------------------------------------
    def selected_profile(self) -> Profile | None:
        summary = self.profile_model.summary(self.profile_model.row_of(self.current_profile_id or -1))
        return summary.profile if summary else None

    async def new_profile_dialog(self) -> None:
        dialog = ProfileDialog(self)
        if await run_dialog(dialog) and dialog.result_profile is not None:
            await self.save_profile(dialog.result_profile)

    async def edit_profile_dialog(self) -> None:
        profile = self.selected_profile()
        if profile is None:
            return
        dialog = ProfileDialog(self, profile)
        if await run_dialog(dialog) and dialog.result_profile is not None:
            await self.save_profile(dialog.result_profile)

    async def save_profile(self, profile: Profile) -> Profile:
        if profile.id is None:
            saved = await self.services.profiles.create(profile)
        else:
            saved = await self.services.profiles.update(profile)
        self.current_profile_id = saved.id
        await self.reload()
        self.status_label.setText(f"Saved profile “{saved.name}”.")
        return saved

    async def delete_profile_dialog(self) -> None:
        profile = self.selected_profile()
        if profile is None or profile.id is None:
            return
        summary = self.profile_model.summary(self.profile_model.row_of(profile.id))
        count = summary.total if summary else 0
        if await confirm(self, "Delete profile",
                         f"Delete “{profile.name}” and its {count:,} opportunities? This cannot be undone."):
            await self.delete_profile(profile.id)

    async def delete_profile(self, profile_id: int) -> None:
        self.current_profile_id = None
        self.table_model.clear()
        self.status_label.setText("Deleting profile…")
        await self.services.profiles.delete(profile_id)
        await self.reload()

    # -- stage moves ---------------------------------------------------------------------------
    async def move_selection_dialog(self, stage: Stage | None = None) -> None:
        ids = selected_opportunity_ids(self.table)
        if not ids:
            self.status_label.setText("Select one or more opportunities first.")
            return
        dialog = StageMoveDialog(self, len(ids), stage)
        if await run_dialog(dialog):
            to_stage, reason = dialog.chosen()
            await self.move_opportunities(ids, to_stage, reason)

    async def move_opportunities(self, ids: list[int], stage: Stage, reason: str = "") -> StageMove:
        move = await self.services.opportunities.move_stage(ids, stage, reason, moved_by=_user_name())
        await self.apply_stage_move(move)
        self._last_move = move if move.moved else self._last_move
        self.undo_action.setEnabled(self._last_move is not None)
        self.status_label.setText(f"Moved {len(move.moved):,} to {stage.label}. Ctrl+Z undoes it.")
        return move

    async def undo_last_move(self) -> StageMove | None:
        move, self._last_move = self._last_move, None
        self.undo_action.setEnabled(False)
        if move is None:
            self.status_label.setText("Nothing to undo.")
            return None
        undone = await self.services.opportunities.undo_stage_move(move, moved_by=_user_name())
        await self.refresh_counts(undone.profile_ids)
        await refresh_keeping_scroll(self.table, self.table_model)
        self.status_label.setText(f"Undid the move of {len(undone.moved):,} to {move.to_stage.label}.")
        return undone

    async def refresh_counts(self, profile_ids) -> None:
        for profile_id in profile_ids:
            counts = await self.services.profiles.stage_counts(profile_id)
            self.profile_model.update_counts(profile_id, counts)
        if self.current_profile_id is not None:
            self._update_stage_tabs(self.current_profile_id)
        if self.current_profile_id in profile_ids:
            await self.dashboard.refresh()

    async def apply_stage_move(self, move: StageMove) -> None:
        """Refresh only what the move changed: the moved rows, and one profile's counts."""
        await self.refresh_counts(move.profile_ids)
        query = self.table_model.query
        if query is None or not move.moved:
            return
        if query.stage is None and query.sort is not SortKey.STAGE:
            # Membership and order are unchanged: patch the loaded rows in place, no read at all.
            moved_ids = {opportunity_id for opportunity_id, _from in move.moved}
            stage = move.to_stage.value
            self.table_model.patch_rows(moved_ids, lambda row: row._replace(stage=stage))
        else:
            await refresh_keeping_scroll(self.table, self.table_model)

    async def data_changed(self, profile_id: int) -> None:
        """A workflow changed this profile's opportunities: its counts, and the table if it is open."""
        await self.refresh_counts({profile_id})
        if profile_id == self.current_profile_id:
            await refresh_keeping_scroll(self.table, self.table_model)

    async def shortcuts_dialog(self) -> None:
        await run_dialog(ShortcutsDialog(self, self.actions()))

    async def settings_dialog(self) -> None:
        services = self.services
        dialog = SettingsDialog(self, services.settings, services.paths.data_dir, services.cache)
        if await run_dialog(dialog):
            await self.apply_settings(dialog.chosen())

    async def apply_settings(self, chosen: Settings) -> None:
        services = self.services
        await asyncio.to_thread(save_settings, services.paths.settings_file, chosen)
        services.settings = chosen
        if services.cache is not None:
            await services.cache.trim(chosen.cache_max_mb * 2**20)
        await services.runs.prune(chosen.run_retention_days)
        self.status_label.setText("Settings saved.")

    # -- drag and drop: files dropped on the window are imported --------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasUrls() and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.tasks.spawn(self.workflows.import_files(paths), name="drop-import")

    # -- shutdown -----------------------------------------------------------------
    async def shutdown(self) -> None:
        """After the window closed: stop panels reading, end runs (they become interrupted and
        can be re-run), stop our tasks, close the cache and the database."""
        self.workflows.panel.detach()
        await self.services.engine.shutdown()
        await self.tasks.cancel_all()
        await self.services.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._save_state()
        self.long_action.stop_on_close()
        super().closeEvent(event)


def _int_or_none(value: object) -> int | None:
    try:
        return int(value) if value is not None else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _user_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is not an error worth surfacing
        return ""
