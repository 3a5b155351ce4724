"""The main window: profiles on the left, the selected profile's opportunities on the right.

This class is the shell: it lays out the widgets the area controllers own, wires menus, shortcuts
and the toolbar to them, connects the controllers' signals to each other, saves and restores the
window's state, and shuts down. Each area has its own module in controllers/ — profiles
(profile_controller), what the table shows (query_controller), stage moves
(stage_move_controller), the docks (details_controller, dashboard_controller), saved views
(saved_views_menu), workflow runs (workflow_actions), long actions (long_action), and so on. A
controller gets a ControllerContext (controllers/context.py), never this window.

Everything that touches data is awaited through AppServices; no SQL here or in the controllers,
and nothing blocks the UI thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop import APP_NAME
from catalynx_desktop.domain.errors import ErrorKind, StorageError
from catalynx_desktop.domain.query import OpportunityQuery
from catalynx_desktop.domain.stages import PIPELINE
from catalynx_desktop.paths import is_demo_dir
from catalynx_desktop.services import AppServices
from catalynx_desktop.ui.async_tasks import TaskRunner
from catalynx_desktop.ui.controllers.context import ControllerContext, StatusChannel
from catalynx_desktop.ui.controllers.dashboard_controller import DashboardController
from catalynx_desktop.ui.controllers.deadlines_controller import DeadlinesController
from catalynx_desktop.ui.controllers.demo_loader import SMALL_DEMO, DemoLoader
from catalynx_desktop.ui.controllers.details_controller import DetailsController
from catalynx_desktop.ui.controllers.error_display import ErrorDisplay
from catalynx_desktop.ui.controllers.file_drop import FileDropImport
from catalynx_desktop.ui.controllers.first_run_guide import FirstRunGuide
from catalynx_desktop.ui.controllers.followup_controller import FollowupController
from catalynx_desktop.ui.controllers.funders_controller import FundersController
from catalynx_desktop.ui.controllers.long_action import LongAction
from catalynx_desktop.ui.controllers.matching_check import MatchingCheck
from catalynx_desktop.ui.controllers.profile_controller import ProfileController
from catalynx_desktop.ui.controllers.query_controller import QueryController
from catalynx_desktop.ui.controllers.saved_views_menu import SavedViewsMenu
from catalynx_desktop.ui.controllers.settings_controller import SettingsController
from catalynx_desktop.ui.controllers.stage_move_controller import StageMoveController
from catalynx_desktop.ui.controllers.workflow_actions import WorkflowActions
from catalynx_desktop.ui.dialogs.awaiting import run_dialog
from catalynx_desktop.ui.dialogs.shortcuts_dialog import ShortcutsDialog
from catalynx_desktop.ui.models.opportunity_table_model import OpportunityTableModel
from catalynx_desktop.ui.models.profile_list_model import ProfileListModel
from catalynx_desktop.ui.models.profile_selection import ProfileSelection
from catalynx_desktop.ui.widgets.column_menu import install_column_menu
from catalynx_desktop.ui.widgets.empty_state import EmptyState
from catalynx_desktop.ui.widgets.header_layout import restore_header, save_header
from catalynx_desktop.ui.widgets.opportunity_table_view import (
    create_opportunity_table,
    set_default_column_widths,
    step_current_row,
)
from catalynx_desktop.ui.widgets.table_copy import install_copy

# QMainWindow.saveState's version: 2 since the docks start hidden (1: Details open at 60% width).
WINDOW_STATE_VERSION = 2
PROFILE_LIST_WIDTH = 300


class MainWindow(QMainWindow):
    def __init__(self, services: AppServices, settings: QSettings) -> None:
        super().__init__()
        self.services = services
        self.settings = settings  # the window's own state: geometry, columns, sort, saved views
        self.status = StatusChannel(self)  # what controllers say -> the status line / error display
        self.status_label = QLabel()
        self.status.message.connect(self.status_label.setText)
        self.errors = ErrorDisplay(self, self.status)
        self.status.failed.connect(self.errors.show)
        self.tasks = TaskRunner(on_error=self.errors.show)
        self.first_rows_shown = asyncio.Event()  # start-up waits for the first page (or the empty state)
        self.long_action = LongAction(self.status, self)  # status-bar progress + Cancel
        demo = " (demo data)" if is_demo_dir(services.paths.data_dir) else ""
        self.setWindowTitle(f"{APP_NAME} — {services.paths.data_dir}{demo}")
        self.resize(1280, 800)

        self.table_model = OpportunityTableModel(services.views, self.tasks, self)
        self.table = create_opportunity_table(self.table_model)
        self.profile_selection = ProfileSelection(ProfileListModel(self))
        context = self._controller_context()
        self.demo = DemoLoader(context, self.long_action)

        # Controllers own their widgets; the window lays them out. Keep this order: widgets join the
        # Tab focus chain as they join the window, and docks stack in the order they are added.
        self.profiles = ProfileController(context)  # the list on the left and the selected profile
        # search box, filter chips, stage tabs, sort → the table's query
        self.query = QueryController(context)
        set_default_column_widths(self.table)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.query.search_box)
        right_layout.addWidget(self.query.filter_bar)
        right_layout.addWidget(self.query.stage_tabs)
        right_layout.addWidget(self.table)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.profiles.view)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([PROFILE_LIST_WIDTH, 1280 - PROFILE_LIST_WIDTH])
        # The list shows names and totals; per-stage counts are on the stage tabs (and the list's
        # header menu brings the columns back), so names are not cut at the default width.
        for column in range(2, self.profiles.model.columnCount()):
            self.profiles.view.setColumnHidden(column, True)
        install_column_menu(self.profiles.view.horizontalHeader())

        self.empty_state = EmptyState(self)
        self.empty_state.create_button.clicked.connect(lambda: self.tasks.spawn(self.profiles.new_dialog()))
        self.empty_state.demo_button.clicked.connect(
            lambda: self.tasks.spawn(self.demo.open_demo(SMALL_DEMO))
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty_state)
        self.guide = FirstRunGuide(
            context,
            create_profile=lambda: self.tasks.spawn(self.profiles.new_dialog()),
            discover=lambda: self.tasks.spawn(self.workflows.discover_current_profile()),
            import_file=lambda: self.tasks.spawn(self.workflows.import_dialog()),
        )
        self.deadlines = DeadlinesController(context)  # what is due across profiles, reminders, .ics
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.guide.bar)  # what just happened and the next step
        central_layout.addWidget(self.deadlines.banner)  # what is due, said once at open
        central_layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.long_action.progress)
        self.statusBar().addPermanentWidget(self.long_action.cancel_button)
        self.statusBar().addPermanentWidget(self.long_action.details_link)

        self.stage_moves = StageMoveController(context)
        self.details = DetailsController(context)
        self.followup = FollowupController(context)  # outcome, tasks, contacts, dossier: a Details tab
        self.details.tabs.addTab(self.followup.pane, "Follow-up")
        self.dashboard = DashboardController(context)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.details.dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dashboard.dock)
        self.tabifyDockWidget(self.details.dock, self.dashboard.dock)
        self.funders = FundersController(context)  # the Funders view and a funder's page (990 data)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.funders.dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.funders.page_dock)
        self.tabifyDockWidget(self.details.dock, self.funders.page_dock)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.deadlines.dock)
        self.tabifyDockWidget(self.funders.dock, self.deadlines.dock)
        self.deadlines.dock.hide()
        self.funders.dock.hide()
        self.funders.page_dock.hide()
        self.details.dock.raise_()

        self.saved_views = SavedViewsMenu(context, current_query=self.query.current)
        self.workflows = WorkflowActions(context, self.long_action)
        self.matching_check = MatchingCheck(context, self.long_action)  # the back-test, in words
        self.app_settings = SettingsController(context)  # File > Settings… (self.settings is the UI state)
        self._install_copy()
        self._connect_controllers()
        self._build_actions()
        self._restore_state()
        self.file_drop = FileDropImport(self)  # drop data files on the window to import them
        if (problem := services.take_settings_problem()) is not None:
            self.status.error(ValueError(problem))  # one status line and one non-blocking message
        self.file_drop.files_dropped.connect(
            lambda paths: self.tasks.spawn(self.workflows.import_files(paths), name="drop-import")
        )

    def check_database_in_background(self) -> None:
        """After the first rows are on screen: check the file; on damage say so once (writes stop)."""
        self.tasks.spawn(self._check_database(), name="database-check")

    async def _check_database(self) -> None:
        problem = await self.services.check_database()
        if problem is not None:
            self.status.error(StorageError(problem, ErrorKind.ENVIRONMENT, self.services.db.path))

    def _controller_context(self) -> ControllerContext:
        """What every controller gets instead of this window."""
        return ControllerContext(
            services=self.services,
            tasks=self.tasks,
            status=self.status,
            table=self.table,
            table_model=self.table_model,
            settings=self.settings,
            window=self,
            profile=self.profile_selection,
        )

    def _install_copy(self) -> None:
        """Ctrl+C on every table copies its selected rows as shown (tab-separated, with headers)."""
        spawn = self.tasks.spawn
        install_copy(self.table, spawn, self.table_model.load_rows)
        install_copy(self.profiles.view)
        panel = self.workflows.panel
        install_copy(panel.history_view, spawn, panel.history_model.load_rows)
        install_copy(panel.steps_view)

    def _connect_controllers(self) -> None:
        """Who reacts to what: controllers never hold each other, they signal; the wiring is here."""
        profiles, query, dashboard = self.profiles, self.query, self.dashboard
        profiles.stage_counts_shown.connect(query.show_stage_counts)
        profiles.opened.connect(query.open_current)  # a profile shown: its table, then its dashboard
        profiles.opened.connect(dashboard.refresh)
        profiles.opened.connect(self.funders.profile_changed)
        profiles.current_counts_changed.connect(dashboard.refresh)
        profiles.reload_requested.connect(self.reload)
        query.first_rows_shown.connect(self.first_rows_shown.set)
        query.first_rows_shown.connect(self.update_actions)  # a profile's view is open
        self.stage_moves.counts_changed.connect(profiles.refresh_counts)
        self.workflows.opportunities_changed.connect(profiles.opportunities_changed)
        self.funders.opportunities_changed.connect(profiles.opportunities_changed)
        self.funders.dossier_requested.connect(self.followup.write_dossier_dialog)
        # outcomes and tasks are in the dashboard's figures (it redraws only while shown)
        self.followup.changed.connect(lambda _id: self.tasks.spawn(dashboard.refresh(), name="dashboard"))
        self.saved_views.open_requested.connect(query.apply_view)
        self.workflows.run_finished.connect(self.guide.run_finished)
        profiles.created.connect(self.guide.profile_created)
        self.empty_state.import_button.clicked.connect(
            lambda: self.tasks.spawn(self.workflows.import_dialog())
        )
        self.demo.reload_requested.connect(self.reload)
        deadlines = self.deadlines  # a line opens in the main table; moves and runs change tasks
        deadlines.profile_requested.connect(lambda pid: profiles.select_row(profiles.model.row_of(pid)))
        deadlines.view_requested.connect(query.apply_view)
        query.first_rows_shown.connect(deadlines.start)
        self.stage_moves.counts_changed.connect(lambda _ids: deadlines.tasks_changed())  # AsyncSignals
        self.workflows.opportunities_changed.connect(lambda _id: deadlines.tasks_changed())
        self.workflows.run_finished.connect(deadlines.run_finished)  # a 990 import adds deadline tasks
        self.workflows.run_finished.connect(self.followup.run_finished)
        self.followup.changed.connect(  # a Qt signal: the refresh is scheduled, not awaited
            lambda _id: self.tasks.spawn(deadlines.tasks_changed(), name="deadlines")
        )

    # -- actions and shortcuts -------------------------------------------------------------
    def _action(
        self,
        text: str,
        shortcut: QKeySequence | str | QKeySequence.StandardKey | None,
        slot: Callable[..., object],
        menu: QMenu | None = None,
    ) -> QAction:
        """An action on the window (so its shortcut works anywhere in it), optionally in `menu`."""
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
        self.new_profile_action = self._action(
            "&New profile…",
            QKeySequence.StandardKey.New,
            lambda: spawn(self.profiles.new_dialog()),
            profile_menu,
        )
        self.edit_profile_action = self._action(
            "&Edit profile…", "Ctrl+E", lambda: spawn(self.profiles.edit_dialog()), profile_menu
        )
        self.delete_profile_action = self._action(
            "&Delete profile…",
            "Ctrl+Shift+Delete",
            lambda: spawn(self.profiles.delete_dialog()),
            profile_menu,
        )
        self.move_action = self._action(
            "&Move to stage…", "Ctrl+M", lambda: spawn(self.stage_moves.move_selection_dialog()), stage_menu
        )
        stage_menu.addSeparator()
        for stage in PIPELINE:
            self._action(
                f"Move to {stage.label}…",
                f"Ctrl+{stage.shortcut_digit}",
                lambda _checked=False, s=stage: spawn(self.stage_moves.move_selection_dialog(s)),
                stage_menu,
            )
        self.undo_action = self._action(
            "&Undo last move",
            QKeySequence.StandardKey.Undo,
            lambda: spawn(self.stage_moves.undo()),
            stage_menu,
        )
        self.undo_action.setEnabled(False)
        self.stage_moves.undo_available.connect(self.undo_action.setEnabled)
        self.redo_action = self._action(
            "&Redo undone move", "Ctrl+Shift+Z", lambda: spawn(self.stage_moves.redo()), stage_menu
        )
        self.redo_action.setEnabled(False)
        self.stage_moves.redo_available.connect(self.redo_action.setEnabled)
        stage_menu.addSeparator()
        self._action("&Save notes or outcome", QKeySequence.StandardKey.Save, self._save_details, stage_menu)
        self.dossier_action = self._action(
            "Write funder &dossier…",
            "Ctrl+P",
            lambda: spawn(self.followup.write_dossier_dialog()),
            stage_menu,
        )
        self.followup.pane.dossier_button.setToolTip(
            f"Writes a PDF or web page ({self.dossier_action.shortcut().toString()})"
        )
        self._action("Next opportunity", "Alt+Down", lambda: step_current_row(self.table, 1), stage_menu)
        self._action("Previous opportunity", "Alt+Up", lambda: step_current_row(self.table, -1), stage_menu)
        stage_menu.addSeparator()
        self._action("&Find…", QKeySequence.StandardKey.Find, self.query.focus_search, stage_menu)
        self._action("Next stage tab", "Ctrl+PgDown", lambda: self.query.step_tab(1), stage_menu)
        self._action("Previous stage tab", "Ctrl+PgUp", lambda: self.query.step_tab(-1), stage_menu)
        self.demo_action = self._action(
            "Open &demo data in its own window (5 profiles, 50,000 opportunities)",
            None,
            lambda: spawn(self.demo.open_demo(SMALL_DEMO)),
            file_menu,
        )
        self._action("&Refresh", QKeySequence.StandardKey.Refresh, lambda: spawn(self.reload()), file_menu)
        self._action("&Settings…", "Ctrl+,", lambda: spawn(self.app_settings.dialog()), file_menu)
        self.export_deadlines_action = self._action(
            "Export deadlines to &calendar (.ics)…",
            None,
            lambda: spawn(self.deadlines.export_dialog()),
            file_menu,
        )
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self.details.dock.toggleViewAction())
        dashboard_action = self.dashboard.dock.toggleViewAction()
        dashboard_action.setShortcut(QKeySequence("Ctrl+Shift+D"))
        self.addAction(dashboard_action)
        view_menu.addAction(dashboard_action)
        self._action("&Filters…", "Ctrl+Shift+F", lambda: spawn(self.query.filter_dialog()), view_menu)
        self.funders_action = self._action(
            "F&unders (IRS 990 giving)", "Ctrl+Shift+U", lambda: spawn(self.funders.show()), view_menu
        )
        view_menu.addAction(self.funders.page_dock.toggleViewAction())
        self.deadlines_action = self._action(
            "&Deadlines (due across profiles)",
            "Ctrl+Shift+L",
            lambda: spawn(self.deadlines.show()),
            view_menu,
        )
        self.saved_views.install(self.menuBar().addMenu("Vie&ws"))
        self.workflows.install(file_menu, profile_menu, view_menu)
        help_menu = self.menuBar().addMenu("&Help")
        self._action("&Keyboard shortcuts", "F1", lambda: spawn(self.shortcuts_dialog()), help_menu)
        self.matching_check_action = self._action(
            "How well does &matching work on my data…",
            "Ctrl+Shift+M",
            lambda: spawn(self.matching_check.open(), name="matching-check"),
            help_menu,
        )
        file_menu.addSeparator()
        self._action("&Quit", QKeySequence.StandardKey.Quit, self.close, file_menu)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        for action in (
            self.new_profile_action,
            self.edit_profile_action,
            self.delete_profile_action,
            self.move_action,
            self.workflows.import_action,
            self.workflows.discover_action,
            self.workflows.export_action,
        ):  # demo data stays in the File menu and the empty state: not a daily tool
            toolbar.addAction(action)
        self.addToolBar(toolbar)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.update_actions())
        self.update_actions()

    def _save_details(self) -> None:
        """Ctrl+S saves what the Details dock shows: the notes, or the outcome on Follow-up."""
        if self.details.tabs.currentWidget() is self.followup.pane:
            self.tasks.spawn(self.followup.save_outcome())
        else:
            self.details.save_notes()

    def update_actions(self) -> None:
        """Enable what applies now: profile actions with a profile shown, Move with rows
        selected, Export with a view open (never an action that can only say it cannot)."""
        has_profile = self.profile_selection.profile() is not None
        for action in (
            self.edit_profile_action,
            self.delete_profile_action,
            self.workflows.discover_action,
            self.workflows.rescore_action,
        ):
            action.setEnabled(has_profile)
        self.workflows.export_action.setEnabled(has_profile and self.table_model.query is not None)
        self.move_action.setEnabled(has_profile and self.table.selectionModel().hasSelection())
        self.dossier_action.setEnabled(has_profile and self.table.currentIndex().isValid())

    # -- state that persists -----------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = self.settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        # Layouts of older releases are refused (they hid Score, Amount and Closes): defaults instead.
        restore_header(self.table.horizontalHeader(), self.settings.value("table/header"))
        window_state = self.settings.value("window/state")
        if window_state is None or not self.restoreState(window_state, WINDOW_STATE_VERSION):
            # First run: the table gets the room; the dashboard opens on request (View menu,
            # Ctrl+Shift+D) and Details when a row is chosen.
            self.dashboard.dock.hide()
            self.details.dock.hide()
        if self.details.dock.isHidden():
            # Also after a session that ended before any row was chosen (it saved Details hidden).
            self.details.collapse_until_chosen()

    def _save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("table/header", save_header(self.table.horizontalHeader()))
        self.settings.setValue("window/state", self.saveState(WINDOW_STATE_VERSION))
        if self.profiles.current_id is not None:
            self.settings.setValue("profiles/last", self.profiles.current_id)
        self.settings.sync()

    # -- loading -----------------------------------------------------------------------------
    async def reload(self) -> None:
        """Reload the profile list and reselect the current or last profile; with no profile,
        the welcome page instead of an empty grid."""
        if not await self.profiles.load():
            self.stack.setCurrentWidget(self.empty_state)
            self.table_model.clear()
            self.first_rows_shown.set()
            self.status_label.setText("No profiles yet.")
            self.update_actions()
            return
        # Select before the list becomes visible: a view that gets focus with no current row
        # picks row 0 by itself, which would open a second profile behind our back.
        show_selected = self.profiles.select_current_or_last()
        self.stack.setCurrentWidget(self.splitter)
        await show_selected
        self.update_actions()

    async def shortcuts_dialog(self) -> None:
        await run_dialog(ShortcutsDialog(self, self.actions()))

    async def open_query(self, query: OpportunityQuery) -> None:
        """Alias kept for benchmarks/bench_core.py; everything else opens through `self.query.open`."""
        await self.query.open(query)

    # -- shutdown -----------------------------------------------------------------------------
    async def shutdown(self) -> None:
        """After the window closed: stop panels reading, end runs (they become interrupted and
        can be re-run), stop our tasks, close the cache and the database."""
        self.workflows.panel.detach()
        self.deadlines.stop()  # its midnight timer must not reach the closed database
        await self.services.engine.shutdown()
        await self.tasks.cancel_all()
        await self.services.close()
        self._free_widgets()

    def _free_widgets(self) -> None:
        """Delete what a closed window no longer shows: its menus, table and docks.

        The window object itself may outlive the close (open_main_window freezes the start-up
        heap out of the cyclic GC, and callers may still hold it), and every Qt child would live
        on with it: 50 open/close cycles in one process kept 21 menus and ~1.35 MB per window
        (issue 14). The shell is left for whoever holds it; its contents go now."""
        self.query.stop()  # its search timer would otherwise reach the deleted search box
        self.menuBar().deleteLater()
        central = self.takeCentralWidget()
        if central is not None:
            central.deleteLater()
        for dock in self.findChildren(QDockWidget):
            dock.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_state()
        self.long_action.stop_on_close()
        super().closeEvent(event)
