"""The main window: profiles on the left, the selected profile's opportunities on the right.

Everything that touches data is awaited through AppServices; this module has no SQL and never
blocks the UI thread. Long actions show a progress bar with a Cancel button in the status bar.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop import APP_NAME
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.query import OpportunityQuery, SortKey
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
from catalynx_desktop.ui.long_action import LongAction
from catalynx_desktop.ui.opportunity_table_model import OpportunityTableModel
from catalynx_desktop.ui.opportunity_table_view import (
    create_opportunity_table,
    refresh_keeping_scroll,
    selected_opportunity_ids,
    set_default_column_widths,
    step_current_row,
)
from catalynx_desktop.ui.profile_dialog import ProfileDialog
from catalynx_desktop.ui.profile_list_model import PROFILE_ID_ROLE, ProfileListModel
from catalynx_desktop.ui.query_controller import QueryController
from catalynx_desktop.ui.saved_views_menu import SavedViewsMenu
from catalynx_desktop.ui.settings_dialog import SettingsDialog
from catalynx_desktop.ui.shortcuts_dialog import ShortcutsDialog
from catalynx_desktop.ui.stage_move_dialog import StageMoveDialog
from catalynx_desktop.ui.workflow_actions import WorkflowActions

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, services: AppServices, settings: QSettings) -> None:
        super().__init__()
        self.services = services
        self.settings = settings
        self.errors = ErrorDisplay(self)
        self.tasks = TaskRunner(on_error=self.errors.show)
        self.current_profile_id: int | None = None
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

        self.table_model = OpportunityTableModel(services.views, self.tasks, self)
        self.table = create_opportunity_table(self.table_model)
        self.query = QueryController(self)  # search box, filter chips, stage tabs, sort → the table's query
        set_default_column_widths(self.table)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.query.search_box)
        right_layout.addWidget(self.query.filter_bar)
        right_layout.addWidget(self.query.stage_tabs)
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

        self.saved_views = SavedViewsMenu(self)
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
        self._action("&Find…", QKeySequence.StandardKey.Find, self.query.focus_search, stage_menu)
        self._action("Next stage tab", "Ctrl+PgDown", lambda: self.query.step_tab(1), stage_menu)
        self._action("Previous stage tab", "Ctrl+PgUp", lambda: self.query.step_tab(-1), stage_menu)
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
        self._action("&Filters…", "Ctrl+Shift+F", lambda: spawn(self.query.filter_dialog()), view_menu)
        self.saved_views.install(self.menuBar().addMenu("Vie&ws"))
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
        await self.query.open(self.query.current())
        await self.dashboard.refresh()

    def _update_stage_tabs(self, profile_id: int) -> None:
        summary = self.profile_model.summary(self.profile_model.row_of(profile_id))
        if summary is not None:
            self.query.show_stage_counts(summary)

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

    async def open_query(self, query: OpportunityQuery) -> None:
        """Alias kept for benchmarks/bench_core.py; everything else opens through `self.query.open`."""
        await self.query.open(query)

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
