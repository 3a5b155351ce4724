"""The main window's long-running actions: Import, Discover, Rescore and Export, as workflow runs.

Each starts a run on the engine (persisted, with progress and Cancel in the Workflows dock) and,
when the run ends, refreshes only what it can have changed: the profile list counts and the
open table for Discover/Rescore, nothing but a status line for Export.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStandardPaths, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.sources.detect import Format, detect_format
from catalynx_desktop.sources.user_list import preview
from catalynx_desktop.storage.opportunity_export import ExportSelection
from catalynx_desktop.ui.dialogs import run_dialog
from catalynx_desktop.ui.export_dialog import ExportDialog
from catalynx_desktop.ui.import_dialogs import ColumnMappingDialog, ImportReportDialog
from catalynx_desktop.ui.opportunity_table_view import selected_opportunity_ids
from catalynx_desktop.ui.workflows_panel import create_workflows_dock
from catalynx_desktop.workflows.discover import ScoringSettings, start_discover
from catalynx_desktop.workflows.engine import RunHandle, RunResult
from catalynx_desktop.workflows.export import start_export
from catalynx_desktop.workflows.import_workflow import start_import
from catalynx_desktop.workflows.rescore import start_rescore

if TYPE_CHECKING:
    from catalynx_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

IMPORT_FILTER = "Data files (*.csv *.zip *.xml *.xlsx);;All files (*)"


class WorkflowActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        services = window.services
        self.dock, self.panel = create_workflows_dock(window, services.engine, services.runs, window.tasks)
        self.finished: list[RunResult] = []  # results of runs started here (tests, status)
        self._followers: set[asyncio.Task[None]] = set()

    def install(self, file_menu: QMenu, profile_menu: QMenu, view_menu: QMenu) -> None:
        spawn = self.window.tasks.spawn
        self.import_action = self._action("&Import file…", "Ctrl+I", lambda: spawn(self.import_dialog()))
        self.export_action = self._action("&Export…", "Ctrl+Shift+E", lambda: spawn(self.export_dialog()))
        self.discover_action = self._action(
            "&Discover opportunities", "Ctrl+D", lambda: spawn(self.discover_current_profile())
        )
        self.rescore_action = self._action(
            "&Rescore opportunities", "Ctrl+Shift+R", lambda: spawn(self.rescore_current_profile())
        )
        first = file_menu.actions()[0] if file_menu.actions() else None
        file_menu.insertAction(first, self.import_action)
        file_menu.insertAction(first, self.export_action)
        file_menu.insertSeparator(first)
        profile_menu.addSeparator()
        profile_menu.addAction(self.discover_action)
        profile_menu.addAction(self.rescore_action)
        view_menu.addAction(self.dock.toggleViewAction())

    def _action(self, text: str, shortcut: str, slot) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.window.addAction(action)
        return action

    # -- runs ---------------------------------------------------------------------------------
    def _follow(
        self, handle: RunHandle, describe: str, profile_id: int | None, *, show_report: bool = False
    ) -> RunHandle:
        self.window.status_label.setText(f"{describe} started — see Workflows (Ctrl+Shift+W).")
        follower = self.window.tasks.spawn(
            self._after(handle, describe, profile_id, show_report), name=f"follow-{handle.run_id}"
        )
        self._followers.add(follower)
        follower.add_done_callback(self._followers.discard)
        return handle

    async def _after(
        self, handle: RunHandle, describe: str, profile_id: int | None, show_report: bool = False
    ) -> None:
        result = await handle.wait()
        self.finished.append(result)
        steps = result.steps
        if show_report and "import" in steps and isinstance(steps["import"].output, dict):
            report = ImportReportDialog(self.window, steps["import"].output)
            report.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            report.open()  # not awaited: the report stays up while the user works on
        status = result.status
        text = f"{describe}: {status.value}"
        if result.error:
            text += f" — {result.error.splitlines()[0]}"
        elif "export" in steps and isinstance(steps["export"].output, dict):
            text += f" — {steps['export'].output.get('summary', '')}"  # e.g. values cut to fit Excel
        self.window.status_label.setText(text)
        # Discover/Rescore change one profile's opportunities (also when cancelled: committed
        # batches stay); imports and exports change nothing the window shows.
        if profile_id is not None:
            await self.window.profiles.opportunities_changed(profile_id)

    async def discover_current_profile(self) -> RunHandle | None:
        profile = self.window.profiles.selected()
        if profile is None or profile.id is None:
            self.window.status_label.setText("Select a profile to discover opportunities for.")
            return None
        services = self.window.services
        handle = await start_discover(
            services.engine,
            services.db,
            profile.id,
            threshold=services.settings.discover_threshold,
            settings=ScoringSettings(weights=services.settings.scoring_weights()),
        )
        return self._follow(handle, f"Discover for “{profile.name}”", profile.id)

    async def rescore_current_profile(self) -> RunHandle | None:
        profile = self.window.profiles.selected()
        if profile is None or profile.id is None:
            return None
        services = self.window.services
        handle = await start_rescore(
            services.engine,
            services.db,
            profile.id,
            settings=ScoringSettings(weights=services.settings.scoring_weights()),
        )
        return self._follow(handle, f"Rescore for “{profile.name}”", profile.id)

    async def import_files(
        self, paths: list[Path], *, ask_mapping: bool = True, show_report: bool = True
    ) -> list[RunHandle]:
        """One Import run per file (they queue on the single writer, so order is kept). A user's
        grantor list first asks which column is which, showing its first rows."""
        services = self.window.services
        handles = []
        for path in paths:
            try:
                found = await asyncio.to_thread(detect_format, path)
            except FormatError as error:
                self.window.errors.show(ValueError(str(error)))
                continue
            mapping = None
            if found in (Format.USER_CSV, Format.USER_XLSX) and ask_mapping:
                sample = await asyncio.to_thread(preview, path)
                dialog = ColumnMappingDialog(self.window, sample)
                if not await run_dialog(dialog):
                    continue
                mapping = dialog.mapping()
            handle = await start_import(
                services.engine,
                services.db,
                path,
                fmt=found.value,
                mapping=mapping,
                parse_cache=services.cache,
            )
            handles.append(self._follow(handle, f"Import of {path.name}", None, show_report=show_report))
        return handles

    async def import_dialog(self) -> list[RunHandle]:
        start = self.window.settings.value("import/last_dir") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        dialog = QFileDialog(
            self.window, "Import IRS BMF, Grants.gov extract or a grantor list", str(start), IMPORT_FILTER
        )
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        if not await run_dialog(dialog):
            return []
        paths = [Path(p) for p in dialog.selectedFiles()]
        if paths:
            self.window.settings.setValue("import/last_dir", str(paths[0].parent))
        return await self.import_files(paths)

    async def export_dialog(self) -> RunHandle | None:
        window = self.window
        query = window.table_model.query
        if query is None:
            window.status_label.setText("Select a profile first: the export takes its current view.")
            return None
        ids = selected_opportunity_ids(window.table)
        directory = window.settings.value("export/last_dir")
        dialog = ExportDialog(
            window,
            view_rows=window.table_model.rowCount(),
            selected_rows=len(ids),
            directory=Path(directory) if directory else None,
        )
        if not await run_dialog(dialog):
            return None
        choice = dialog.chosen()
        window.settings.setValue("export/last_dir", str(choice.path.parent))
        return await self.export(
            ExportSelection.of(ids, query) if choice.selection else query, choice.path, choice.format.value
        )

    async def export(self, source, path: Path, fmt: str | None = None) -> RunHandle:
        services = self.window.services
        handle = await start_export(services.engine, services.db, source, path, fmt)
        return self._follow(handle, f"Export to {Path(path).name}", None)

    async def wait_all(self) -> None:
        """Until every run started here has finished and the window has caught up (tests)."""
        while self._followers:
            await asyncio.gather(*list(self._followers), return_exceptions=True)
