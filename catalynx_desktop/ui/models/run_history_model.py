"""Lazy table models for the Workflows panel: the run history (paged) and one run's steps.

RunHistoryModel pages like OpportunityTableModel, through the same base (paged_model.py):
rowCount comes from a count query, rows arrive in pages fetched asynchronously when the view
asks for them (data() never waits: it shows a placeholder and queues the page), a bounded LRU
keeps memory independent of the history size, and a generation token drops pages read for an
older refresh/filter. No read-ahead: the history is browsed, not streamed through.
Sequential pages are read by key (the last row of the page before, newest first); a jump to
a page whose predecessor is not cached falls back to an offset, which the store documents as
fine at history sizes (runs are pruned after 90 days).

Storage is reached only through the store's coroutines (SqliteRunStore satisfies
HistorySource): no SQL and no waiting on SQLite here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from catalynx_desktop.domain.history import HistoryCursor
from catalynx_desktop.domain.run_titles import describe_counts, run_title
from catalynx_desktop.domain.runs import RunRecord, RunStatus, StepRecord
from catalynx_desktop.ui.async_tasks import TaskRunner
from catalynx_desktop.ui.models.paged_model import PLACEHOLDER, Index, PagedTableModel, texts_of

log = logging.getLogger(__name__)

PAGE_SIZE = 200
MAX_CACHED_PAGES = 20  # 4,000 runs: more than a screen ever needs, bounded whatever the history
MAX_QUEUED_PAGES = 6

RUN_ID_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2


class HistorySource(Protocol):
    """What the history model needs from storage (SqliteRunStore provides it)."""

    async def count_runs(self, *, workflow: str | None = None, status: RunStatus | None = None) -> int: ...

    async def history_page(
        self,
        *,
        after: HistoryCursor | None = None,
        limit: int = 200,
        offset: int = 0,
        workflow: str | None = None,
        status: RunStatus | None = None,
    ) -> list[RunRecord]: ...


ProfileNames = Callable[[], Awaitable[Mapping[int, str]]]  # services.profiles.names


# -- formatting (shared with the panel) ------------------------------------------------------
def format_time(moment: datetime | None) -> str:
    """A stored UTC timestamp in the user's local time."""
    if moment is None:
        return "—"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_counts(counts: Mapping[str, int], workflow: str = "") -> str:
    """Labelled counts ('38,576 unchanged'), the same words as the status bar's."""
    return describe_counts(workflow, counts)


def one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_STATUS_COLORS: dict[str, Qt.GlobalColor] = {
    "succeeded": Qt.GlobalColor.darkGreen,
    "failed": Qt.GlobalColor.darkRed,
    "cancelled": Qt.GlobalColor.darkYellow,
    "interrupted": Qt.GlobalColor.darkYellow,
    "partial": Qt.GlobalColor.darkYellow,
    "skipped": Qt.GlobalColor.gray,
    "running": Qt.GlobalColor.darkBlue,
}


def status_color(status: str) -> QColor | None:
    color = _STATUS_COLORS.get(str(status))
    return QColor(color) if color is not None else None


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    align_right: bool = False
    tooltip: bool = False


def _run_duration(run: RunRecord) -> str:
    if run.status in (RunStatus.PENDING, RunStatus.RUNNING):
        return "running" if run.status == RunStatus.RUNNING else "—"
    return format_duration(run.duration_s)


RUN_COLUMNS: tuple[Column, ...] = (
    Column("Run", lambda r: run_title(r.workflow, r.parameters, r.counts)),
    Column("Status", lambda r: r.status.value),
    Column("Started", lambda r: format_time(r.started_at or r.created_at)),
    Column("Duration", _run_duration, align_right=True),
    Column("Result", lambda r: describe_counts(r.workflow, r.counts), tooltip=True),
    Column("Error", lambda r: one_line(r.error), tooltip=True),
)
STATUS_COLUMN = 1

STEP_COLUMNS: tuple[Column, ...] = (
    Column("Step", lambda s: s.name),
    Column("Status", lambda s: s.status.value),
    Column("Attempt", lambda s: str(s.attempt), align_right=True),
    Column("Started", lambda s: format_time(s.started_at)),
    Column("Finished", lambda s: format_time(s.finished_at)),
    Column("Duration", lambda s: format_duration(s.duration_s), align_right=True),
    Column("Result", lambda s: describe_counts(s.name, s.counts), tooltip=True),
    Column("Error", lambda s: one_line(s.error), tooltip=True),
)


def _cell(columns: Sequence[Column], record: Any, column: int, role: int) -> Any:
    spec = columns[column]
    if role == Qt.ItemDataRole.DisplayRole:
        return spec.text(record)
    if role == Qt.ItemDataRole.TextAlignmentRole and spec.align_right:
        return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if role == Qt.ItemDataRole.ToolTipRole and spec.tooltip:
        full = record.error if spec.title == "Error" else spec.text(record)
        return full or None
    if role == Qt.ItemDataRole.ForegroundRole and spec.title == "Status":
        return status_color(record.status.value)
    return None


def _header(columns: Sequence[Column], section: int, orientation: Qt.Orientation, role: int) -> Any:
    if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
        return columns[section].title if 0 <= section < len(columns) else None
    return None


class RunHistoryModel(PagedTableModel[RunRecord, HistorySource]):
    """Every stored run, newest first, paged lazily from the store."""

    refreshed = Signal(int)  # total rows, emitted on the UI thread after each refresh

    PAGE_SIZE = PAGE_SIZE
    MAX_CACHED_PAGES = MAX_CACHED_PAGES
    MAX_QUEUED_PAGES = MAX_QUEUED_PAGES
    FETCH_TASK_NAME = "run-history-page"

    def __init__(
        self,
        source: HistorySource,
        tasks: TaskRunner,
        parent: Any = None,
        profile_names: ProfileNames | None = None,
    ) -> None:
        super().__init__(tasks, parent)
        self._source = source
        self._profile_names = profile_names
        # profile id -> name, re-read with every refresh; None without a source (a bare panel)
        self.names: Mapping[int, str] | None = None
        self._total = 0
        self._workflow: str | None = None
        self._status: RunStatus | None = None
        self._cursors: dict[int, HistoryCursor] = {}  # page -> key of its last row (tiny; kept)

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def total(self) -> int:
        return self._total

    @property
    def status_filter(self) -> RunStatus | None:
        return self._status

    async def set_filter(self, *, workflow: str | None = None, status: RunStatus | str | None = None) -> None:
        self._workflow = workflow
        self._status = RunStatus(status) if status else None
        await self.refresh()

    async def refresh(self) -> None:
        """Re-read the count and the first page; older pages are dropped (new runs shift rows)."""
        self._generation += 1
        generation = self._generation
        workflow, status = self._workflow, self._status
        total = await self._source.count_runs(workflow=workflow, status=status)
        names = await self._profile_names() if self._profile_names is not None else None
        first = (
            await self._source.history_page(limit=PAGE_SIZE, workflow=workflow, status=status)
            if total
            else []
        )
        if generation != self._generation:
            return  # a newer refresh/filter started while this one was reading
        self.beginResetModel()
        self.names = names
        # A short first page is the whole history (runs may have been pruned since the count).
        self._total = len(first) if len(first) < PAGE_SIZE else max(total, len(first))
        self._reset_pages()
        self._cursors.clear()
        if first:
            self._keep(0, first)
        self.endResetModel()
        self.refreshed.emit(self._total)

    # -- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RUN_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return _header(RUN_COLUMNS, section, orientation, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row_number, column = index.row(), index.column()
        if not (0 <= row_number < self._total and 0 <= column < len(RUN_COLUMNS)):
            return None
        run = self.run_at(row_number)
        if run is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return PLACEHOLDER if column == 0 else ""
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(Qt.GlobalColor.gray)
            return None
        if role == RUN_ID_ROLE:
            return run.id
        if role == RECORD_ROLE:
            return run
        if role == Qt.ItemDataRole.DisplayRole:  # formatted once, when its page arrived
            page_number, offset = divmod(row_number, PAGE_SIZE)
            return self._pages[page_number].texts[offset][column]
        return _cell(RUN_COLUMNS, run, column, role)

    # -- rows --------------------------------------------------------------------------------
    def run_at(self, row_number: int) -> RunRecord | None:
        """The run if its page is loaded; otherwise queue the page and return None."""
        return self.row_at(row_number)

    def row_of(self, run_id: int) -> int | None:
        """Row of a run among the loaded pages (None if not loaded)."""
        for page_number, page in self._pages.items():
            for offset, run in enumerate(page.rows):
                if run.id == run_id:
                    return page_number * PAGE_SIZE + offset
        return None

    # -- pages (the paging itself is PagedTableModel's) -----------------------------------------
    def _current_source(self) -> HistorySource:
        return self._source

    async def _read_page(self, source: HistorySource, page_number: int) -> list[RunRecord]:
        cursor = self._cursors.get(page_number - 1)
        if cursor is not None:  # keyset: continue after the previous page's last run
            return await source.history_page(
                after=cursor, limit=PAGE_SIZE, workflow=self._workflow, status=self._status
            )
        # a jump: offset (history sizes are small; see the module docstring)
        return await source.history_page(
            offset=page_number * PAGE_SIZE, limit=PAGE_SIZE, workflow=self._workflow, status=self._status
        )

    def _row_texts(self, row: RunRecord) -> tuple[str, ...]:
        texts = texts_of(RUN_COLUMNS, row)
        # the run's title names its profile ("Discover — Harbor Arts", never "profile_id 2")
        return (run_title(row.workflow, row.parameters, row.counts, self.names), *texts[1:])

    def _page_kept(self, page_number: int, rows: list[RunRecord]) -> None:
        if len(rows) == PAGE_SIZE:
            self._cursors[page_number] = HistoryCursor.after(rows[-1])


class RunStepsModel(QAbstractTableModel):
    """The steps of one run (a handful of rows: loaded whole, set by the panel)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._steps: list[StepRecord] = []
        self.run_id: int | None = None

    def set_steps(self, run_id: int | None, steps: Sequence[StepRecord]) -> None:
        self.beginResetModel()
        self.run_id = run_id
        self._steps = list(steps)
        self.endResetModel()

    def steps(self) -> list[StepRecord]:
        return list(self._steps)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._steps)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(STEP_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return _header(STEP_COLUMNS, section, orientation, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._steps) and 0 <= column < len(STEP_COLUMNS)):
            return None
        if role == RECORD_ROLE:
            return self._steps[row]
        return _cell(STEP_COLUMNS, self._steps[row], column, role)
