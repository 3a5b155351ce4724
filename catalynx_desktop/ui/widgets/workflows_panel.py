"""The Workflows panel: runs in flight (live progress, ETA, Cancel) and the run history.

Top: one row per running run (workflow, live QProgressBar, message, ETA, Cancel -> handle.cancel()).
Rows appear through engine.on_run_started (whoever starts a run) and leave when the run's final
progress snapshot arrives; the history then refreshes. Progress callbacks come from the engine's
throttled reporter (<= 10/s) on the loop thread, which is the Qt UI thread under qasync, so they
update widgets directly.

Below: the history (RunHistoryModel, lazy and paged like the opportunities table) and, for the
selected run, its steps (status, attempt, timings, counts, error).

Everything that reads the store is awaited on the event loop (TaskRunner tasks); the UI thread
never waits on SQLite and there is no SQL here. Meant to sit in a QDockWidget: see
`create_workflows_dock`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.domain.run_titles import describe_parameters as parameter_words
from catalynx_desktop.domain.run_titles import run_title
from catalynx_desktop.domain.runs import RunRecord, RunStatus, StepRecord
from catalynx_desktop.ui.async_tasks import TaskRunner
from catalynx_desktop.ui.models.run_history_model import (
    RUN_ID_ROLE,
    HistorySource,
    ProfileNames,
    RunHistoryModel,
    RunStepsModel,
    format_counts,
    format_duration,
    one_line,
)
from catalynx_desktop.workflows.progress import ProgressSnapshot

log = logging.getLogger(__name__)

PROGRESS_STEPS = 1000  # QProgressBar range: 0.1% resolution
SHORTCUT = "Ctrl+Shift+W"


class RunHandleLike(Protocol):
    """What the panel uses of a RunHandle."""

    run_id: int
    context: Mapping[str, Any]

    @property
    def workflow(self) -> Any: ...  # .name

    @property
    def progress(self) -> ProgressSnapshot | None: ...

    def subscribe(self, callback: Callable[[ProgressSnapshot], Any]) -> Callable[[], None]: ...

    def cancel(self, reason: str = ...) -> None: ...


class EngineLike(Protocol):
    def running(self) -> list[Any]: ...

    def on_run_started(self, callback: Callable[[Any], Any]) -> Callable[[], None]: ...


class RunStoreReader(HistorySource, Protocol):
    async def get_run(self, run_id: int) -> RunRecord | None: ...

    async def steps_of(self, run_id: int) -> list[StepRecord]: ...


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "estimating…"
    if seconds < 1:
        return "almost done"
    return f"about {format_duration(seconds)} left"


def describe_parameters(
    parameters: Mapping[str, Any], limit: int = 80, profile_names: Mapping[int, str] | None = None
) -> str:
    """Parameters in words when the profile names are known; as stored (a bare panel) otherwise."""
    if profile_names is None:
        return one_line(", ".join(f"{key} {value}" for key, value in parameters.items()), limit)
    return one_line(parameter_words(parameters, profile_names), limit)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RunningRunRow(QFrame):
    """One run in flight: name, progress bar, message, ETA and a Cancel button."""

    def __init__(
        self,
        handle: RunHandleLike,
        parent: QWidget | None = None,
        profile_names: Mapping[int, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.handle = handle
        self.run_id = handle.run_id
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName(f"runningRun{handle.run_id}")

        name = run_title(handle.workflow.name, handle.context, None, profile_names)
        self.name_label = QLabel()
        self.name_label.setTextFormat(Qt.TextFormat.RichText)
        self.show_title(profile_names)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("%p%")
        self.progress_bar.setAccessibleName(f"{name} progress")
        self.message_label = QLabel("Starting…")
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.eta_label = QLabel("")
        self.eta_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip(f"Stop {name} run #{handle.run_id}; work already saved is kept.")
        self.cancel_button.clicked.connect(self.request_cancel)

        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.addWidget(self.name_label, 0, 0)
        grid.addWidget(self.eta_label, 0, 1)
        grid.addWidget(self.progress_bar, 1, 0)
        grid.addWidget(self.cancel_button, 1, 1)
        grid.addWidget(self.message_label, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)

        self.last_snapshot: ProgressSnapshot | None = None
        self.announced = False  # the history was refreshed after the run was stored as running
        if handle.progress is not None:
            self.show_progress(handle.progress)

    def show_title(self, profile_names: Mapping[int, str] | None) -> None:
        """The run's name and parameters (again when the profile names arrive)."""
        handle = self.handle
        name = run_title(handle.workflow.name, handle.context, None, profile_names)
        params = describe_parameters(handle.context, 80, profile_names)
        self.name_label.setText(
            f"<b>{_escape(name)}</b> #{handle.run_id}" + (f" — {_escape(params)}" if params else "")
        )

    def request_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.message_label.setText("Cancelling…")
        self.handle.cancel()

    def show_progress(self, snapshot: ProgressSnapshot) -> None:
        self.last_snapshot = snapshot
        self.progress_bar.setValue(round(max(0.0, min(1.0, snapshot.fraction)) * PROGRESS_STEPS))
        message = snapshot.message
        if snapshot.step and not snapshot.final:
            message = f"{snapshot.step}: {message}" if message else snapshot.step
        if not self.cancel_button.isEnabled() and not snapshot.final:
            message = f"Cancelling… {message}"
        self.message_label.setText(one_line(message, 160))
        # Steps usually put their counts in the message already; all of them go in the tooltip.
        counts = format_counts(snapshot.counts, snapshot.step or self.handle.workflow.name)
        self.message_label.setToolTip(f"{message}\n{counts}" if counts else message)
        if snapshot.final:
            self.eta_label.setText(f"{snapshot.status}, {format_duration(snapshot.elapsed_s)}")
            self.cancel_button.setEnabled(False)
        else:
            elapsed = format_duration(snapshot.elapsed_s)
            self.eta_label.setText(f"{elapsed} elapsed, {format_eta(snapshot.eta_s)}")


def _call_all(cleanups: list[Callable[[], None]], *_args: Any) -> None:
    """Unsubscribe from the engine and every run (the panel is gone). Free function on purpose:
    it must not reference the destroyed widget."""
    while cleanups:
        try:
            cleanups.pop()()
        except Exception:
            log.debug("unsubscribe failed", exc_info=True)


class WorkflowsPanel(QWidget):
    run_added = Signal(int)  # run id: a run started (the window may show the dock)
    run_finished = Signal(int, str)  # run id, final status
    running_count_changed = Signal(int)
    refreshed = Signal()  # history (and details) re-read

    def __init__(
        self,
        engine: EngineLike,
        store: RunStoreReader,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        profile_names: ProfileNames | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workflowsPanel")
        self._engine = engine
        self._store = store
        self._tasks = tasks
        self._rows: dict[int, RunningRunRow] = {}
        self._run_unsubscribes: dict[int, Callable[[], None]] = {}
        self._cleanups: list[Callable[[], None]] = []
        self._refresh_task: asyncio.Task[None] | None = None
        self._refresh_wanted = False
        self._details_run_id: int | None = None
        self._details_generation = 0
        self._restoring_selection = False
        self._detached = False

        # -- running runs ------------------------------------------------------------------
        self.running_title = QLabel("<b>Running</b>")
        self.idle_label = QLabel("No workflows running.")
        self.idle_label.setEnabled(False)
        self._running_box = QWidget()
        self._running_layout = QVBoxLayout(self._running_box)
        self._running_layout.setContentsMargins(0, 0, 0, 0)
        self._running_layout.setSpacing(4)
        self._running_layout.addWidget(self.idle_label)
        self._running_layout.addStretch(1)
        self.running_area = QScrollArea()
        self.running_area.setWidgetResizable(True)
        self.running_area.setFrameShape(QFrame.Shape.NoFrame)
        self.running_area.setWidget(self._running_box)
        running = QWidget()
        running_layout = QVBoxLayout(running)
        running_layout.setContentsMargins(0, 0, 0, 0)
        running_layout.addWidget(self.running_title)
        running_layout.addWidget(self.running_area)

        # -- history -------------------------------------------------------------------------
        self.history_model = RunHistoryModel(store, tasks, self, profile_names)
        self.history_model.refreshed.connect(self._history_refreshed)
        self.history_model.page_loaded.connect(self._history_page_loaded)
        self.history_view = QTableView()
        self.history_view.setObjectName("runHistoryView")
        self.history_view.setModel(self.history_model)
        self._setup_table(self.history_view, (120, 90, 150, 80, 200, 260))
        self.history_view.selectionModel().currentRowChanged.connect(self._history_row_changed)
        self.status_filter = QComboBox()
        self.status_filter.addItem("All runs", None)
        for status in RunStatus:
            self.status_filter.addItem(status.value.capitalize(), status.value)
        self.status_filter.currentIndexChanged.connect(self._filter_changed)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.schedule_refresh)
        self.history_count_label = QLabel("")
        history_bar = QHBoxLayout()
        history_bar.addWidget(QLabel("<b>History</b>"))
        history_bar.addWidget(self.history_count_label)
        history_bar.addStretch(1)
        history_bar.addWidget(self.status_filter)
        history_bar.addWidget(self.refresh_button)
        history = QWidget()
        history_layout = QVBoxLayout(history)
        history_layout.setContentsMargins(0, 0, 0, 0)
        history_layout.addLayout(history_bar)
        history_layout.addWidget(self.history_view)

        # -- steps of the selected run -------------------------------------------------------
        self.steps_model = RunStepsModel(self)
        self.steps_view = QTableView()
        self.steps_view.setObjectName("runStepsView")
        self.steps_view.setModel(self.steps_model)
        self._setup_table(self.steps_view, (120, 90, 60, 150, 150, 80, 180, 240))
        self.details_label = QLabel("Select a run to see its steps.")
        self.details_label.setWordWrap(True)
        self.details_label.setTextFormat(Qt.TextFormat.RichText)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_layout.addWidget(self.details_label)
        details_layout.addWidget(self.steps_view)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(running)
        self.splitter.addWidget(history)
        self.splitter.addWidget(details)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([170, 300, 200])  # the running part fits two runs
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)

        # -- engine ----------------------------------------------------------------------------
        self._cleanups.append(engine.on_run_started(self.add_run))
        self.destroyed.connect(functools.partial(_call_all, self._cleanups))
        for handle in engine.running():
            self.add_run(handle)

    @staticmethod
    def _setup_table(view: QTableView, widths: tuple[int, ...]) -> None:
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(False)
        view.setAlternatingRowColors(True)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(22)
        # Fixed row heights: the view never asks the model for every row's size hint.
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate(widths):
            view.setColumnWidth(column, width)

    # -- running runs -----------------------------------------------------------------------
    def running_rows(self) -> dict[int, RunningRunRow]:
        return dict(self._rows)

    def add_run(self, handle: RunHandleLike) -> None:
        """Show a run in flight (engine.on_run_started calls this for every run)."""
        if handle.run_id in self._rows:
            return
        row = RunningRunRow(handle, self._running_box, self.history_model.names)
        self._rows[handle.run_id] = row
        self._running_layout.insertWidget(self._running_layout.count() - 1, row)
        self.idle_label.hide()
        unsubscribe = handle.subscribe(functools.partial(self._on_progress, handle.run_id))
        self._run_unsubscribes[handle.run_id] = unsubscribe
        self._cleanups.append(unsubscribe)
        self.running_title.setText(f"<b>Running ({len(self._rows)})</b>")
        self.run_added.emit(handle.run_id)
        self.running_count_changed.emit(len(self._rows))
        self.schedule_refresh()  # the history lists it (pending until its first snapshot)

    def _on_progress(self, run_id: int, snapshot: ProgressSnapshot) -> None:
        row = self._rows.get(run_id)
        if row is None:
            return
        previous_step = row.last_snapshot.step if row.last_snapshot is not None else ""
        row.show_progress(snapshot)
        if snapshot.final:
            self._remove_run(run_id, snapshot.status)
        elif not row.announced and snapshot.status == RunStatus.RUNNING.value:
            # The engine reports "Running" right after storing it: the history can show it now.
            row.announced = True
            self.schedule_refresh()
        elif run_id == self._details_run_id and snapshot.step != previous_step:
            # the selected run moved to another step: re-read its steps (not on every update)
            self._tasks.spawn(self.show_run(run_id), name="workflows-steps")

    def _remove_run(self, run_id: int, status: str) -> None:
        row = self._rows.pop(run_id)
        unsubscribe = self._run_unsubscribes.pop(run_id, None)
        if unsubscribe is not None:
            unsubscribe()
            if unsubscribe in self._cleanups:
                self._cleanups.remove(unsubscribe)
        self._running_layout.removeWidget(row)
        row.hide()
        row.deleteLater()
        self.idle_label.setVisible(not self._rows)
        self.running_title.setText(f"<b>Running ({len(self._rows)})</b>" if self._rows else "<b>Running</b>")
        self.running_count_changed.emit(len(self._rows))
        self.run_finished.emit(run_id, status)
        self.schedule_refresh()  # the store already has the final status (written before the snapshot)

    # -- history ----------------------------------------------------------------------------
    def schedule_refresh(self) -> None:
        """Refresh soon, coalescing bursts (several runs finishing at once) into one re-read."""
        if self._detached:
            return
        self._refresh_wanted = True
        if self._refresh_task is None or self._refresh_task.done():
            self._refresh_task = self._tasks.spawn(self._refresh_loop(), name="workflows-refresh")

    async def _refresh_loop(self) -> None:
        while self._refresh_wanted:
            self._refresh_wanted = False
            await self.refresh()

    async def refresh(self) -> None:
        """Re-read the history (count + first page) and the selected run's steps."""
        selected = self._details_run_id
        await self.history_model.refresh()
        for running in self._rows.values():
            running.show_title(self.history_model.names)
        if selected is not None:
            row = self.history_model.row_of(selected)
            if row is not None:
                self._restoring_selection = True
                try:
                    self.history_view.selectionModel().setCurrentIndex(
                        self.history_model.index(row, 0),
                        QItemSelectionModel.SelectionFlag.ClearAndSelect
                        | QItemSelectionModel.SelectionFlag.Rows,
                    )
                finally:
                    self._restoring_selection = False
            await self.show_run(selected)
        self.refreshed.emit()

    async def wait_idle(self) -> None:
        """Until pending refreshes and page reads are done (tests)."""
        while self._refresh_task is not None and not self._refresh_task.done():
            await asyncio.shield(self._refresh_task)
        await self.history_model.wait_idle()

    def _history_refreshed(self, total: int) -> None:
        self.history_count_label.setText(f"{total:,} run{'s' if total != 1 else ''}")

    def _history_page_loaded(self, _page: int) -> None:
        # The user may have selected a row while its page was loading: show it now.
        current = self.history_view.currentIndex()
        if current.isValid() and not self._restoring_selection:
            run_id = self.history_model.data(current, RUN_ID_ROLE)
            if run_id is not None and run_id != self._details_run_id:
                self._tasks.spawn(self.show_run(int(run_id)), name="workflows-steps")

    def _filter_changed(self, _index: int) -> None:
        status = self.status_filter.currentData()
        self._tasks.spawn(self.history_model.set_filter(status=status), name="workflows-filter")

    def _history_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._restoring_selection or not current.isValid():
            return
        run_id = self.history_model.data(current, RUN_ID_ROLE)
        if run_id is None:
            return  # a placeholder row: its page is still loading
        self._tasks.spawn(self.show_run(int(run_id)), name="workflows-steps")

    # -- details ----------------------------------------------------------------------------
    @property
    def details_run_id(self) -> int | None:
        return self._details_run_id

    async def show_run(self, run_id: int) -> None:
        """Show one run's summary and steps below the history (awaits two store reads)."""
        self._details_run_id = run_id
        self._details_generation += 1
        generation = self._details_generation
        run = await self._store.get_run(run_id)
        steps = await self._store.steps_of(run_id) if run is not None else []
        if generation != self._details_generation:
            return  # another run was selected meanwhile
        if run is None:
            self.details_label.setText(f"Run #{run_id} is no longer in the history.")
            self.steps_model.set_steps(None, [])
            return
        names = self.history_model.names
        title = run_title(run.workflow, run.parameters, run.counts, names)
        parts = [f"<b>{_escape(title)}</b> #{run.id}", run.status.value]
        if run.duration_s is not None:
            parts.append(format_duration(run.duration_s))
        params = describe_parameters(run.parameters, 200, names)
        if params:
            parts.append(params)
        counts = format_counts(run.counts, run.workflow)
        if counts:
            parts.append(counts)
        text = " · ".join(_escape(p) if i else p for i, p in enumerate(parts))
        if run.error:
            text += f"<br>Error: {_escape(one_line(run.error, 500))}"
        self.details_label.setText(text)
        self.steps_model.set_steps(run.id, steps)

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self.schedule_refresh()  # fresh history whenever the panel is shown

    def detach(self) -> None:
        """Stop listening to the engine and the runs and stop reading the store.

        Call before closing the database (and before engine.shutdown(), whose final snapshots
        would otherwise schedule a history refresh against a closing database). Also done
        automatically, minus the task cancel, when the widget is destroyed.
        """
        self._detached = True
        _call_all(self._cleanups)
        self._run_unsubscribes.clear()
        if self._refresh_task is not None and not self._refresh_task.done():
            self._refresh_task.cancel()


def create_workflows_dock(
    window: QMainWindow,
    engine: EngineLike,
    store: RunStoreReader,
    tasks: TaskRunner,
    *,
    area: Qt.DockWidgetArea = Qt.DockWidgetArea.BottomDockWidgetArea,
    shortcut: str = SHORTCUT,
    show_on_run: bool = True,
    profile_names: ProfileNames | None = None,
) -> tuple[QDockWidget, WorkflowsPanel]:
    """Put a WorkflowsPanel in a dock on `window`, hidden until asked for or (show_on_run) a run starts.

    The dock's toggleViewAction() gets `shortcut` (Ctrl+Shift+W) and is added to the window so the
    shortcut works; put it in a View menu too. Call `panel.detach()` before engine.shutdown() and
    closing the database.
    """
    panel = WorkflowsPanel(engine, store, tasks, profile_names=profile_names)
    dock = QDockWidget("Workflows", window)
    dock.setObjectName("workflowsDock")  # saveState()/restoreState() need a name
    dock.setWidget(panel)
    window.addDockWidget(area, dock)
    action = dock.toggleViewAction()
    action.setText("&Workflows")
    action.setShortcut(QKeySequence(shortcut))
    window.addAction(action)
    dock.hide()
    if show_on_run:

        def reveal(_run_id: object) -> None:
            dock.show()
            dock.raise_()

        panel.run_added.connect(reveal)
    return dock, panel
