"""A lazy QAbstractTableModel over one profile's opportunities.

rowCount comes from a count the repository keeps exact; rows arrive in pages fetched
asynchronously when the view asks for them (data() never waits: it returns a placeholder and
queues the page). A bounded LRU of pages keeps memory independent of the row count. Every
query change bumps a generation number and pages of an older generation are dropped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from catalynx_desktop.domain.query import OpportunityQuery, SortKey
from catalynx_desktop.domain.records import OpportunityRow
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.ui.async_tasks import TaskRunner

log = logging.getLogger(__name__)

PAGE_SIZE = 256
MAX_CACHED_PAGES = 48  # ~12k rows: plenty for any screen, bounded whatever the row count
MAX_QUEUED_PAGES = 6  # a fast scroll-bar drag only needs the pages it ends on
# Once a result has been shown this long, sample its keys in the background (the position map)
# so that a later scroll-bar drag or End is a short keyset read instead of a long index skip.
# Not at once: the first pages and a quick next query (typing a search) come first.
POSITION_MAP_AFTER_S = 1.0
PLACEHOLDER = "…"

Index = QModelIndex | QPersistentModelIndex


class PageSource(Protocol):
    """What the model needs from storage (OpportunityResult satisfies it)."""

    total: int
    query: OpportunityQuery
    wants_position_map: bool
    exact: bool  # False: only the first rows are known yet; complete() collects the rest

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
    Column("Title", SortKey.TITLE, lambda r: r.title),
    Column("Funder", SortKey.FUNDER, lambda r: r.funder_name),
    Column("Stage", SortKey.STAGE, lambda r: _STAGE_LABELS.get(r.stage, r.stage)),
    Column("Score", SortKey.SCORE, lambda r: f"{r.score:.2f}", align_right=True),
    Column("Amount", SortKey.AMOUNT, lambda r: _money(r.amount), align_right=True),
    Column("Closes", SortKey.CLOSE_DATE, lambda r: r.close_date or "rolling"),
    Column("Discovered", SortKey.DISCOVERED, lambda r: r.discovered_at),
    Column("State", None, lambda r: r.state),
)
SORT_COLUMN_OF: dict[SortKey, int] = {c.sort: i for i, c in enumerate(COLUMNS) if c.sort is not None}
_CLOSE_COLUMN = SORT_COLUMN_OF[SortKey.CLOSE_DATE]


class _Page:
    """A page's rows and their display strings, formatted once when the page arrives rather
    than on every paint (a paint asks for every visible cell several times)."""

    __slots__ = ("read_ahead", "rows", "texts")

    def __init__(self, rows: list[OpportunityRow], read_ahead: bool = False) -> None:
        self.rows = rows
        self.texts = [_texts(row) for row in rows]
        # Read before anyone asked for it; the first look at it reads the next one ahead.
        self.read_ahead = read_ahead

    def replace(self, offset: int, row: OpportunityRow) -> None:
        self.rows[offset] = row
        self.texts[offset] = _texts(row)


def _texts(row: OpportunityRow) -> tuple[str, ...]:
    return tuple(column.text(row) for column in COLUMNS)


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


class OpportunityTableModel(QAbstractTableModel):
    # Emitted on the UI thread when a query's first page is in (total rows) and per loaded page.
    query_opened = Signal(int)
    # A broad search opens with its first page only; this carries the exact total once known.
    total_known = Signal(int)
    page_loaded = Signal(int)
    sort_requested = Signal(object)  # the new OpportunityQuery, so the window can persist it

    def __init__(self, opener: ResultOpener, tasks: TaskRunner, parent: Any = None) -> None:
        super().__init__(parent)
        self._opener = opener
        self._tasks = tasks
        self._result: PageSource | None = None
        self._generation = 0
        self._pages: OrderedDict[int, _Page] = OrderedDict()
        self._queued: list[int] = []  # most recent last
        self._in_flight: set[int] = set()
        self._fetcher: asyncio.Task[None] | None = None
        self._requested_at: dict[int, float] = {}
        self._prefetched: set[int] = set()  # pages read ahead, not asked for by the view
        self._mapping = False  # a position map is being (or was) built for the current result
        self._completer: asyncio.Task[None] | None = None  # grows a partial result to its full count
        # Recent pages (ms), for the benchmarks: request -> rows in the model (includes waiting
        # for the UI thread, e.g. while it paints), and the fetch itself (hop + query + rows).
        self.page_latencies: deque[float] = deque(maxlen=1000)
        self.fetch_latencies: deque[float] = deque(maxlen=1000)
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
        self._pages.clear()
        self._queued.clear()
        self._in_flight.clear()
        self._requested_at.clear()
        self._prefetched.clear()
        self._mapping = False
        if first_rows:
            self._pages[0] = _Page(first_rows)
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
        self._pages.clear()
        self._queued.clear()
        self._in_flight.clear()
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

    # -- rows ------------------------------------------------------------------------------
    def row_at(self, row_number: int) -> OpportunityRow | None:
        """The row if its page is loaded; otherwise queue the page and return None."""
        page_number, offset = divmod(row_number, PAGE_SIZE)
        page = self._pages.get(page_number)
        if page is not None:
            self._pages.move_to_end(page_number)
            if page.read_ahead:
                self._first_look(page_number, page)
            return page.rows[offset] if offset < len(page.rows) else None
        self._request(page_number)
        return None

    def _first_look(self, page_number: int, page: _Page) -> None:
        """The view reached a page that was read ahead: the user is moving on through the
        result, so read the next page ahead too. Scrolling then finds its rows already there
        (and paints once per step, not once with placeholders and again with the rows)."""
        page.read_ahead = False
        self._prefetch(page_number + 1)

    def is_loaded(self, row_number: int) -> bool:
        return row_number // PAGE_SIZE in self._pages

    def loaded_rows(self) -> int:
        return sum(len(p.rows) for p in self._pages.values())

    def _request(self, page_number: int) -> None:
        if page_number in self._in_flight:
            return
        if page_number in self._queued:
            self._queued.remove(page_number)
        self._prefetched.discard(page_number)  # the view wants it now: a real request
        self._queued.append(page_number)
        self._requested_at.setdefault(page_number, time.perf_counter())
        if len(self._queued) > MAX_QUEUED_PAGES:
            # Pages asked for long ago scrolled past; the view asks again if they come back.
            for dropped in self._queued[: len(self._queued) - MAX_QUEUED_PAGES]:
                self._requested_at.pop(dropped, None)
            del self._queued[: len(self._queued) - MAX_QUEUED_PAGES]
        if self._fetcher is None or self._fetcher.done():
            self._fetcher = self._tasks.spawn(self._fetch_pages(), name="page-fetch")

    def _prefetch(self, page_number: int) -> None:
        """Read the next page ahead, at the lowest priority (the queue is served newest first),
        so scrolling down usually finds its rows already there instead of placeholders."""
        if (
            self._result is None
            or page_number * PAGE_SIZE >= self._result.total
            or page_number in self._pages
            or page_number in self._in_flight
            or page_number in self._queued
        ):
            return
        self._queued.insert(0, page_number)
        self._prefetched.add(page_number)
        if len(self._queued) > MAX_QUEUED_PAGES:
            del self._queued[0]  # under a fast drag the user's own requests win
            return
        if self._fetcher is None or self._fetcher.done():
            self._fetcher = self._tasks.spawn(self._fetch_pages(), name="page-fetch")

    async def _fetch_pages(self) -> None:
        # One fetch at a time, newest request first: the page the user is looking at now wins.
        while self._queued and self._result is not None:
            page_number = self._queued.pop()
            generation, result = self._generation, self._result
            self._in_flight.add(page_number)
            fetch_started = time.perf_counter()
            try:
                rows = await result.page(page_number * PAGE_SIZE, PAGE_SIZE)
            finally:
                self._in_flight.discard(page_number)
            requested = self._requested_at.pop(page_number, None)
            if generation != self._generation or result is not self._result:
                # Stale: the query changed while this page was read. (The generation moves when
                # an open starts but the result only when it finishes, so check both: a page of
                # the old result read during an open must not land in the new one.)
                continue
            if result.wants_position_map:
                # A far jump before the map was started: start it now, so the next jumps read by key.
                self._start_position_map(result, generation)
            self._store(page_number, rows)
            now = time.perf_counter()
            self.fetch_latencies.append((now - fetch_started) * 1000)
            if requested is not None:
                self.page_latencies.append((now - requested) * 1000)

    def _store(self, page_number: int, rows: list[OpportunityRow]) -> None:
        read_ahead = page_number in self._prefetched
        self._pages[page_number] = _Page(rows, read_ahead)
        self._pages.move_to_end(page_number)
        while len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        if read_ahead:
            # One page ahead of what the view looks at, never a chain through the result:
            # the next one is read when the view first reaches this page (_first_look).
            self._prefetched.discard(page_number)
        else:
            self._prefetch(page_number + 1)
        if rows:
            first = page_number * PAGE_SIZE
            self.dataChanged.emit(self.index(first, 0), self.index(first + len(rows) - 1, len(COLUMNS) - 1))
        self.page_loaded.emit(page_number)

    def patch_rows(self, ids: set[int], change: Callable[[OpportunityRow], OpportunityRow]) -> None:
        """Rewrite loaded rows by id (after a write that did not change order or membership).
        Only cached pages are touched; pages not loaded will be read fresh when needed."""
        for page_number, page in self._pages.items():
            first = page_number * PAGE_SIZE
            for offset, row in enumerate(page.rows):
                if row.id in ids:
                    page.replace(offset, change(row))
                    self.dataChanged.emit(
                        self.index(first + offset, 0), self.index(first + offset, len(COLUMNS) - 1)
                    )

    async def wait_idle(self) -> None:
        """Until no page is queued or in flight (tests and benchmarks)."""
        while self._fetcher is not None and not self._fetcher.done():
            await asyncio.shield(self._fetcher)
