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

from catalynx_desktop.domain.export_selection import ExportSelection
from catalynx_desktop.services.imports import index_for
from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.sources.detect import Format
from catalynx_desktop.ui.controllers.async_signal import AsyncSignal
from catalynx_desktop.ui.dialogs.awaiting import run_dialog
from catalynx_desktop.ui.dialogs.export_dialog import ExportDialog
from catalynx_desktop.ui.dialogs.import_dialogs import ColumnMappingDialog, ImportReportDialog
from catalynx_desktop.ui.widgets.opportunity_table_view import selected_opportunity_ids
from catalynx_desktop.ui.widgets.workflows_panel import create_workflows_dock
from catalynx_desktop.workflows.engine import RunHandle, RunResult

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import ControllerContext

log = logging.getLogger(__name__)

IMPORT_FILTER = "Data files (*.csv *.zip *.xml *.xlsx);;All files (*)"


class WorkflowActions(QObject):
    def __init__(self, context: ControllerContext) -> None:
        super().__init__(context.window)
        self._context = context
        services = context.services
        self.dock, self.panel = create_workflows_dock(
            context.window, services.engine, services.history, context.tasks
        )
        self.finished: list[RunResult] = []  # results of runs started here (tests, status)
        self._followers: set[asyncio.Task[None]] = set()
        # A run changed this profile's opportunities; awaited, so a run is followed to the end.
        self.opportunities_changed = AsyncSignal[[int]]()

    def install(self, file_menu: QMenu, profile_menu: QMenu, view_menu: QMenu) -> None:
        spawn = self._context.tasks.spawn
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
        action = QAction(text, self._context.window)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self._context.window.addAction(action)
        return action

    # -- runs ---------------------------------------------------------------------------------
    def _follow(
        self, handle: RunHandle, describe: str, profile_id: int | None, *, show_report: bool = False
    ) -> RunHandle:
        self._context.status.show(f"{describe} started — see Workflows (Ctrl+Shift+W).")
        follower = self._context.tasks.spawn(
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
            report = ImportReportDialog(self._context.window, steps["import"].output)
            report.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            report.open()  # not awaited: the report stays up while the user works on
        status = result.status
        text = f"{describe}: {status.value}"
        if result.error:
            text += f" — {result.error.splitlines()[0]}"
        self._context.status.show(text)
        # Discover/Rescore change one profile's opportunities (also when cancelled: committed
        # batches stay); imports and exports change nothing the window shows.
        if profile_id is not None:
            await self.opportunities_changed.emit(profile_id)

    async def discover_current_profile(self) -> RunHandle | None:
        profile = self._context.profile.profile()
        if profile is None or profile.id is None:
            self._context.status.show("Select a profile to discover opportunities for.")
            return None
        handle = await self._context.services.scoring.discover(profile.id)
        return self._follow(handle, f"Discover for “{profile.name}”", profile.id)

    async def rescore_current_profile(self) -> RunHandle | None:
        profile = self._context.profile.profile()
        if profile is None or profile.id is None:
            return None
        handle = await self._context.services.scoring.rescore(profile.id)
        return self._follow(handle, f"Rescore for “{profile.name}”", profile.id)

    async def import_files(
        self, paths: list[Path], *, ask_mapping: bool = True, show_report: bool = True
    ) -> list[RunHandle]:
        """One Import run per file (they queue on the single writer, so order is kept). A user's
        grantor list first asks which column is which, showing its first rows."""
        imports = self._context.services.imports
        handles = []
        detected: list[tuple[Path, Format]] = []
        for path in paths:
            try:
                detected.append((path, await imports.detect(path)))
            except FormatError as error:
                self._context.status.error(ValueError(str(error)))
        # An IRS 990 index goes with its TEOS zip (an index beside the zip is found without this).
        indexes = [p for p, found in detected if found is Format.IRS990_INDEX]
        zips = [p for p, found in detected if found is Format.IRS990_ZIP]
        for path, found in detected:
            if found is Format.IRS990_INDEX and zips:
                continue
            index = index_for(path, indexes, len(zips)) if found is Format.IRS990_ZIP else None
            mapping = None
            if found in (Format.USER_CSV, Format.USER_XLSX) and ask_mapping:
                sample = await imports.preview(path)
                dialog = ColumnMappingDialog(self._context.window, sample)
                if not await run_dialog(dialog):
                    continue
                mapping = dialog.mapping()
            handle = await imports.start(path, fmt=found.value, mapping=mapping, index=index)
            handles.append(self._follow(handle, f"Import of {path.name}", None, show_report=show_report))
        return handles

    async def import_dialog(self) -> list[RunHandle]:
        settings = self._context.settings
        start = settings.value("import/last_dir") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        dialog = QFileDialog(
            self._context.window,
            "Import IRS BMF, Grants.gov extract or a grantor list",
            str(start),
            IMPORT_FILTER,
        )
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        if not await run_dialog(dialog):
            return []
        paths = [Path(p) for p in dialog.selectedFiles()]
        if paths:
            settings.setValue("import/last_dir", str(paths[0].parent))
        return await self.import_files(paths)

    async def export_dialog(self) -> RunHandle | None:
        context = self._context
        query = context.table_model.query
        if query is None:
            context.status.show("Select a profile first: the export takes its current view.")
            return None
        ids = selected_opportunity_ids(context.table)
        directory = context.settings.value("export/last_dir")
        dialog = ExportDialog(
            context.window,
            view_rows=context.table_model.rowCount(),
            selected_rows=len(ids),
            directory=Path(directory) if directory else None,
        )
        if not await run_dialog(dialog):
            return None
        choice = dialog.chosen()
        context.settings.setValue("export/last_dir", str(choice.path.parent))
        return await self.export(
            ExportSelection.of(ids, query) if choice.selection else query, choice.path, choice.format.value
        )

    async def export(self, source, path: Path, fmt: str | None = None) -> RunHandle:
        handle = await self._context.services.exports.start(source, path, fmt)
        return self._follow(handle, f"Export to {Path(path).name}", None)

    async def wait_all(self) -> None:
        """Until every run started here has finished and the window has caught up (tests)."""
        while self._followers:
            await asyncio.gather(*list(self._followers), return_exceptions=True)
