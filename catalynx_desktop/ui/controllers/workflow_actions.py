"""The main window's long-running actions: Import, Discover, Rescore and Export, as workflow runs.

Each starts a run on the engine (persisted), shows its progress with Cancel in the status bar
(the Workflows dock opens only on request: View menu, Ctrl+Shift+W or the status bar's
"Details…") and, when the run ends, says what came of it in words and refreshes only what it can
have changed: the profile list counts and the open table for Discover/Rescore, nothing but a
status line for Export.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QStandardPaths, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

from catalynx_desktop.domain.export_selection import ExportSelection
from catalynx_desktop.domain.run_titles import describe_counts, run_title
from catalynx_desktop.domain.runs import RunStatus
from catalynx_desktop.services.imports import index_for
from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.sources.detect import Format
from catalynx_desktop.ui.controllers.async_signal import AsyncSignal
from catalynx_desktop.ui.dialogs.awaiting import run_dialog
from catalynx_desktop.ui.dialogs.export_dialog import ExportDialog
from catalynx_desktop.ui.dialogs.import_dialogs import ColumnMappingDialog, ImportReportDialog
from catalynx_desktop.ui.models.run_history_model import format_duration
from catalynx_desktop.ui.widgets.opportunity_table_view import selected_opportunity_ids
from catalynx_desktop.ui.widgets.workflows_panel import create_workflows_dock
from catalynx_desktop.workflows.engine import RunHandle, RunResult
from catalynx_desktop.workflows.export import ExportSource
from catalynx_desktop.workflows.progress import ProgressSnapshot

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import ControllerContext
    from catalynx_desktop.ui.controllers.long_action import LongAction

log = logging.getLogger(__name__)

IMPORT_FILTER = "Data files (*.csv *.zip *.xml *.xlsx);;All files (*)"
PROGRESS_STEPS = 1000  # the status bar's progress range: 0.1% resolution
_ENDINGS = {
    RunStatus.SUCCEEDED: "done",
    RunStatus.PARTIAL: "finished with problems",
    RunStatus.FAILED: "failed",
    RunStatus.CANCELLED: "cancelled",
    RunStatus.INTERRUPTED: "interrupted",
}


class WorkflowActions(QObject):
    def __init__(self, context: ControllerContext, long_action: LongAction) -> None:
        super().__init__(context.window)
        self._context = context
        self._long_action = long_action  # the status bar's progress, Cancel and "Details…"
        services = context.services
        # The dock opens on request only (a 0.1 s export must not cover half the window).
        self.dock, self.panel = create_workflows_dock(
            context.window,
            services.engine,
            services.history,
            context.tasks,
            show_on_run=False,
            profile_names=services.profiles.names,
        )
        long_action.details_requested.connect(self.show_dock)
        self.finished: list[RunResult] = []  # results of runs started here (tests, status)
        self._followers: set[asyncio.Task[None]] = set()
        # A run changed this profile's opportunities; awaited, so a run is followed to the end.
        self.opportunities_changed = AsyncSignal[[int]]()
        # A run ended (result, its parameters): the first-run guide says what comes next.
        self.run_finished = AsyncSignal[[RunResult, Mapping[str, Any]]]()

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
        existing = file_menu.actions()
        if existing:  # before the menu's first action
            file_menu.insertAction(existing[0], self.import_action)
            file_menu.insertAction(existing[0], self.export_action)
            file_menu.insertSeparator(existing[0])
        else:
            file_menu.addAction(self.import_action)
            file_menu.addAction(self.export_action)
            file_menu.addSeparator()
        profile_menu.addSeparator()
        profile_menu.addAction(self.discover_action)
        profile_menu.addAction(self.rescore_action)
        view_menu.addAction(self.dock.toggleViewAction())

    def _action(self, text: str, shortcut: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self._context.window)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self._context.window.addAction(action)
        return action

    def show_dock(self) -> None:
        self.dock.show()
        self.dock.raise_()

    # -- runs ---------------------------------------------------------------------------------
    def _follow(
        self,
        handle: RunHandle,
        profile_id: int | None,
        profile_name: str = "",
        *,
        show_report: bool = False,
    ) -> RunHandle:
        """Show the run in the status bar (progress, Cancel, Details…) until it ends."""
        names = {profile_id: profile_name} if profile_id is not None else {}
        title = run_title(handle.workflow.name, handle.context, None, names)
        token = self._long_action.begin(f"{title}…", PROGRESS_STEPS, handle.cancel, details=True)
        unsubscribe = handle.subscribe(lambda snapshot: self._show_progress(token, title, snapshot))
        follower = self._context.tasks.spawn(
            self._after(handle, names, profile_id, show_report), name=f"follow-{handle.run_id}"
        )

        def finished(_task: asyncio.Task[None]) -> None:
            unsubscribe()
            self._long_action.end(token)

        follower.add_done_callback(finished)
        self._followers.add(follower)
        follower.add_done_callback(self._followers.discard)
        return handle

    def _show_progress(self, token: threading.Event, title: str, snapshot: ProgressSnapshot) -> None:
        if snapshot.final or not self._long_action.is_current(token):
            return
        self._long_action.set_progress(
            round(max(0.0, min(1.0, snapshot.fraction)) * PROGRESS_STEPS), PROGRESS_STEPS
        )
        self._context.status.show(f"{title} — {snapshot.message}" if snapshot.message else f"{title}…")

    async def _after(
        self, handle: RunHandle, names: dict[int, str], profile_id: int | None, show_report: bool = False
    ) -> None:
        result = await handle.wait()
        self.finished.append(result)
        steps = result.steps
        if show_report and "import" in steps and isinstance(steps["import"].output, dict):
            report = ImportReportDialog(self._context.window, steps["import"].output)
            report.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            report.open()  # not awaited: the report stays up while the user works on
        self._context.status.show(self.outcome_text(result, handle.context, names))
        await self.run_finished.emit(result, handle.context)
        # Discover/Rescore change one profile's opportunities (also when cancelled: committed
        # batches stay); an import tells the Deadlines dock and the Follow-up tab by run_finished.
        if profile_id is not None:
            await self.opportunities_changed.emit(profile_id)

    async def discover_current_profile(self) -> RunHandle | None:
        profile = self._context.profile.profile()
        if profile is None or profile.id is None:
            self._context.status.show("Select a profile to discover opportunities for.")
            return None
        handle = await self._context.services.scoring.discover(profile.id)
        return self._follow(handle, profile.id, profile.name)

    async def rescore_current_profile(self) -> RunHandle | None:
        profile = self._context.profile.profile()
        if profile is None or profile.id is None:
            return None
        handle = await self._context.services.scoring.rescore(profile.id)
        return self._follow(handle, profile.id, profile.name)

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
            handles.append(self._follow(handle, None, show_report=show_report))
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

    async def export(self, source: ExportSource, path: Path, fmt: str | None = None) -> RunHandle:
        handle = await self._context.services.exports.start(source, path, fmt)
        return self._follow(handle, None)

    @staticmethod
    def outcome_text(result: RunResult, parameters: Mapping[str, Any], names: Mapping[int, str]) -> str:
        """'Import eo_vt.csv: done in 1.2 s — 6,535 read, 6,535 new.' (the status line's last word)."""
        title = run_title(result.workflow, parameters, result.counts, names)
        text = f"{title}: {_ENDINGS.get(result.status, result.status.value)} in {format_duration(result.duration_s)}"
        counts = describe_counts(result.workflow, result.counts)
        if counts:
            text += f" — {counts}"
        if result.error:
            text += f". {result.error.splitlines()[0]}"
        elif "export" in result.steps and isinstance(result.output("export"), dict):
            summary = result.output("export").get("summary", "")  # e.g. values cut to fit Excel's cells
            text += f". {summary}" if summary else ""
        return text

    async def wait_all(self) -> None:
        """Until every run started here has finished and the window has caught up (tests)."""
        while self._followers:
            await asyncio.gather(*list(self._followers), return_exceptions=True)
