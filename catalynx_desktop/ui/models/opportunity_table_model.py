"""A lazy QAbstractTableModel over one profile's opportunities.

rowCount comes from a count the repository keeps exact; rows arrive in pages fetched
asynchronously when the view asks for them (data() never waits: it returns a placeholder and
queues the page). A bounded LRU of pages keeps memory independent of the row count. Every
query change bumps a generation number and pages of an older generation are dropped.
The paging itself (cache, queue, read-ahead, generation) is paged_model.py's; this module
owns the query lifecycle, the columns and the hot data() path.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from catalynx_desktop.domain.labels import display_name
from catalynx_desktop.domain.query import OpportunityQuery, SortKey
from catalynx_desktop.domain.records import OpportunityRow
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.ui.async_tasks import TaskRunner
from catalynx_desktop.ui.models.paged_model import PLACEHOLDER, Index, PagedTableModel, texts_of

log = logging.getLogger(__name__)

PAGE_SIZE = 256
MAX_CACHED_PAGES = 48  # ~12k rows: plenty for any screen, bounded whatever the row count
MAX_QUEUED_PAGES = 6  # a fast scroll-bar drag only needs the pages it ends on
# Once a result has been shown this long, sample its keys in the background (the position map)
# so that a later scroll-bar drag or End is a short keyset read instead of a long index skip.
# Not at once: the first pages and a quick next query (typing a search) come first. Soon,
# though: the map of 1M rows takes ~0.1 s of the background reader, and a drag before it is
# complete pays an OFFSET skip of up to half the result (~15 ms at 500,000 rows).
POSITION_MAP_AFTER_S = 0.3


class PageSource(Protocol):
    """What the model needs from storage (OpportunityResult and SearchResult satisfy it)."""

    total: int
    query: OpportunityQuery
    wants_position_map: bool

    @property
    def exact(self) -> bool: ...  # False: only the first rows are known yet; complete() collects the rest

    async def page(self, start: int, limit: int) -> list[OpportunityRow]: ...

    async def complete(self, is_stale: Callable[[], bool]) -> bool: ...

    async def build_position_map(self, every: int, is_stale: Callable[[], bool]) -> None: ...


class ResultOpener(Protocol):
    async def open(
        self, query: OpportunityQuery, first_page: int
    ) -> tuple[PageSource, list[OpportunityRow]]: ...


_STAGE_LABELS = {stage.value: stage.label for stage in Stage}


def _money(amount: int) -> str:
    return f"${amount:,}" if amount else "—"


@dataclass(frozen=True)
class Column:
    title: str
    sort: SortKey | None
    text: Callable[[OpportunityRow], str]
    align_right: bool = False


COLUMNS: tuple[Column, ...] = (
    # Names in their usual case where the source shouts (BMF names are capitals); cached per name.
    Column("Title", SortKey.TITLE, lambda r: display_name(r.title)),
    Column("Funder", SortKey.FUNDER, lambda r: display_name(r.funder_name)),
    Column("Stage", SortKey.STAGE, lambda r: _STAGE_LABELS.get(r.stage, r.stage)),
    Column("Score", SortKey.SCORE, lambda r: f"{r.score:.2f}", align_right=True),
    Column("Amount", SortKey.AMOUNT, lambda r: _money(r.amount), align_right=True),
    Column("Closes", SortKey.CLOSE_DATE, lambda r: r.close_date or "rolling"),
    Column("Discovered", SortKey.DISCOVERED, lambda r: r.discovered_at),
    Column("State", None, lambda r: r.state),
)
SORT_COLUMN_OF: dict[SortKey, int] = {c.sort: i for i, c in enumerate(COLUMNS) if c.sort is not None}
_CLOSE_COLUMN = SORT_COLUMN_OF[SortKey.CLOSE_DATE]


def _texts(row: OpportunityRow) -> tuple[str, ...]:
    return texts_of(COLUMNS, row)


ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
ROW_ROLE = int(Qt.ItemDataRole.UserRole) + 2

# Precomputed plain ints and constants for the hot data() path.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_HANDLED_ROLES = frozenset({_DISPLAY, _ALIGNMENT, _TOOLTIP, _FOREGROUND, ID_ROLE, ROW_ROLE})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_GRAY = QColor(Qt.GlobalColor.gray)
_OVERDUE = QColor("#d9534f")  # readable on light and dark palettes alike


class OpportunityTableModel(PagedTableModel[OpportunityRow, PageSource]):
    # Emitted on the UI thread when a query's first page is in (total rows) and per loaded page.
    query_opened = Signal(int)
    # A broad search opens with its first page only; this carries the exact total once known.
    total_known = Signal(int)
    sort_requested = Signal(object)  # the new OpportunityQuery, so the window can persist it

    PAGE_SIZE = PAGE_SIZE
    MAX_CACHED_PAGES = MAX_CACHED_PAGES
    MAX_QUEUED_PAGES = MAX_QUEUED_PAGES
    READ_AHEAD = True
    FETCH_TASK_NAME = "page-fetch"

    def __init__(self, opener: ResultOpener, tasks: TaskRunner, parent: Any = None) -> None:
        super().__init__(tasks, parent)
        self._opener = opener
        self._result: PageSource | None = None
        self._mapping = False  # a position map is being (or was) built for the current result
        self._completer: asyncio.Task[None] | None = None  # grows a partial result to its full count
        self._today = date.today().isoformat()

    # -- query lifecycle ---------------------------------------------------------------------
    @property
    def query(self) -> OpportunityQuery | None:
        return self._result.query if self._result else None

    @property
    def total(self) -> int:
        return self._result.total if self._result else 0

    @property
    def total_is_exact(self) -> bool:
        return self._result is None or self._result.exact

    async def open(self, query: OpportunityQuery) -> None:
        """Replace the shown result with `query`'s; old rows stay on screen until the new ones come."""
        self._generation += 1
        generation = self._generation
        result, first_rows = await self._opener.open(query, PAGE_SIZE)
        if generation != self._generation:
            return  # a newer query was opened while this one was in flight
        self.beginResetModel()
        self._result = result
        self._reset_pages()
        self._mapping = False
        if first_rows:
            self._keep(0, first_rows)
        self.endResetModel()
        self._prefetch(1)
        self.query_opened.emit(result.total)
        if not result.exact:
            self._completer = self._tasks.spawn(self._complete(result, generation), name="count-matches")
        self._tasks.spawn(self._map_when_settled(result, generation), name="position-map")

    async def _complete(self, result: PageSource, generation: int) -> None:
        """Grow a first-page-only result to every match, collected off the interactive reader."""
        shown = result.total
        same_start = await result.complete(lambda: generation != self._generation)
        if generation != self._generation or self._result is not result:
            return
        if not same_start or result.total < shown:
            # A write between the first page and the count changed the rows on screen.
            self.beginResetModel()
            self._pages.clear()
            self.endResetModel()
        elif result.total > shown:
            self.beginInsertRows(QModelIndex(), shown, result.total - 1)
            self.endInsertRows()
            self._prefetch(1)
        self.total_known.emit(result.total)

    async def _map_when_settled(self, result: PageSource, generation: int) -> None:
        await asyncio.sleep(POSITION_MAP_AFTER_S)
        if generation == self._generation and self._result is result:
            self._start_position_map(result, generation)

    def _start_position_map(self, result: PageSource, generation: int) -> None:
        """Once per result; the result decides whether it needs one (a search knows every position)."""
        if self._mapping:
            return
        self._mapping = True
        self._tasks.spawn(
            result.build_position_map(PAGE_SIZE, lambda: generation != self._generation), name="position-map"
        )

    async def wait_exact(self) -> None:
        """Until the shown result's total is exact (tests and benchmarks)."""
        while self._completer is not None and not self._completer.done():
            await asyncio.shield(self._completer)

    def clear(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self._result = None
        self._reset_pages()
        self.endResetModel()

    async def refresh(self) -> None:
        """Re-read the current query after a write changed which rows belong or their order.
        A reset, since any row may have moved; the view restores its scroll position."""
        if self._result is not None:
            await self.open(self._result.query)

    # -- Qt model API --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() or self._result is None else self._result.total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section].title
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else _NO_FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every visible cell and every role on each paint (thousands of calls per
        # frame), so unhandled roles return first and roles are compared as plain ints.
        role = int(role)
        if role not in _HANDLED_ROLES or self._result is None:
            return None
        row_number, column = index.row(), index.column()
        page = self._pages.get(row_number // PAGE_SIZE)
        offset = row_number % PAGE_SIZE
        if page is None or offset >= len(page.rows):
            if not (0 <= row_number < self._result.total):
                return None
            self._request(row_number // PAGE_SIZE)
            if role == _DISPLAY:
                return PLACEHOLDER if column == 0 else ""
            return _GRAY if role == _FOREGROUND else None
        if page.read_ahead:
            self._first_look(row_number // PAGE_SIZE, page)
        if role == _DISPLAY:
            return page.texts[offset][column]
        if role == _ALIGNMENT:
            return _RIGHT if COLUMNS[column].align_right else None
        if role == _TOOLTIP:
            return page.texts[offset][column] if column < 2 else None
        row = page.rows[offset]
        if role == _FOREGROUND:
            if column == _CLOSE_COLUMN and row.close_date and row.close_date < self._today:
                return _OVERDUE
            return None
        if role == ID_ROLE:
            return row.id
        return row  # ROW_ROLE

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self._result is None or not (0 <= column < len(COLUMNS)):
            return
        key = COLUMNS[column].sort
        if key is None:
            return
        query = self._result.query.with_sort(key, order == Qt.SortOrder.DescendingOrder)
        if query == self._result.query:
            return
        self.sort_requested.emit(query)
        self._tasks.spawn(self.open(query), name="sort")

    # -- pages (the paging itself is PagedTableModel's) -----------------------------------------
    def _current_source(self) -> PageSource | None:
        return self._result

    async def _read_page(self, source: PageSource, page_number: int) -> list[OpportunityRow]:
        return await source.page(page_number * PAGE_SIZE, PAGE_SIZE)

    def _row_texts(self, row: OpportunityRow) -> tuple[str, ...]:
        return _texts(row)

    def _page_arrived(self, source: PageSource, page_number: int) -> None:
        if source.wants_position_map:
            # A far jump before the map was started: start it now, so the next jumps read by key.
            self._start_position_map(source, self._generation)

    def patch_rows(self, ids: set[int], change: Callable[[OpportunityRow], OpportunityRow]) -> None:
        """Rewrite loaded rows by id (after a write that did not change order or membership).
        Only cached pages are touched; pages not loaded will be read fresh when needed."""
        for page_number, page in self._pages.items():
            first = page_number * PAGE_SIZE
            for offset, row in enumerate(page.rows):
                if row.id in ids:
                    self._replace_row(page, offset, change(row))
                    self._rows_changed(first + offset, first + offset)
