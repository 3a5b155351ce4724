"""The paging machinery both lazy table models share.

rowCount comes from the subclass (a count the store keeps); rows arrive in pages fetched
asynchronously when the view asks for them: data() never waits, it shows a placeholder and
queues the page. The queue is served newest request first (the page the user looks at now
wins) and holds only a few pages, so a fast scroll-bar drag reads just the pages it ends on.
A bounded LRU of pages keeps memory independent of the row count, and each page's display
strings are formatted once when it arrives rather than on every paint. Every query change bumps
a generation number; pages read for an older generation (or an older source) are dropped.

Optional read-ahead (READ_AHEAD): after a page the view asked for, the next one is read at
the lowest priority; a page read ahead reads the one after it only when the view first looks
at it, so scrolling finds its rows ready without a chain through the whole result.

A subclass says where a page comes from (_current_source, _read_page), how a row reads
(_row_texts), and may watch pages as they arrive (_page_arrived, _page_kept).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Signal

from catalynx_desktop.ui.async_tasks import TaskRunner

RowT = TypeVar("RowT")
SourceT = TypeVar("SourceT")

PLACEHOLDER = "…"

Index = QModelIndex | QPersistentModelIndex


class Page(Generic[RowT]):
    """A page's rows and their display strings, formatted once when the page arrives rather
    than on every paint (a paint asks for every visible cell several times)."""

    __slots__ = ("read_ahead", "rows", "texts")

    def __init__(self, rows: list[RowT], texts: list[tuple[str, ...]], read_ahead: bool = False) -> None:
        self.rows = rows
        self.texts = texts
        # Read before anyone asked for it; the first look at it reads the next one ahead.
        self.read_ahead = read_ahead


class PagedTableModel(QAbstractTableModel, Generic[RowT, SourceT]):
    """Pages of RowT read from a SourceT; see the module docstring for the policy."""

    page_loaded = Signal(int)

    PAGE_SIZE: ClassVar[int] = 256
    MAX_CACHED_PAGES: ClassVar[int] = 48
    MAX_QUEUED_PAGES: ClassVar[int] = 6
    READ_AHEAD: ClassVar[bool] = False
    FETCH_TASK_NAME: ClassVar[str] = "page-fetch"

    def __init__(self, tasks: TaskRunner, parent: Any = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._generation = 0
        self._pages: OrderedDict[int, Page[RowT]] = OrderedDict()
        self._queued: list[int] = []  # most recent last
        self._in_flight: set[int] = set()
        self._fetcher: asyncio.Task[None] | None = None
        self._requested_at: dict[int, float] = {}
        self._prefetched: set[int] = set()  # pages read ahead, not asked for by the view
        # Recent pages (ms), for the benchmarks: request -> rows in the model (includes waiting
        # for the UI thread, e.g. while it paints), and the fetch itself (hop + query + rows).
        self.page_latencies: deque[float] = deque(maxlen=1000)
        self.fetch_latencies: deque[float] = deque(maxlen=1000)

    # -- what a subclass provides ----------------------------------------------------------------
    @property
    def total(self) -> int:
        raise NotImplementedError

    def _current_source(self) -> SourceT | None:
        """What pages are read from now; None: nothing to read. A page read from a source that
        is no longer current when it arrives is dropped."""
        raise NotImplementedError

    async def _read_page(self, source: SourceT, page_number: int) -> list[RowT]:
        raise NotImplementedError

    def _row_texts(self, row: RowT) -> tuple[str, ...]:
        raise NotImplementedError

    def _page_arrived(self, source: SourceT, page_number: int) -> None:
        """A fetched page of the current source and generation, before it is kept."""

    def _page_kept(self, page_number: int, rows: list[RowT]) -> None:
        """A page entered the cache (fetched, or the first page of a new query)."""

    # -- the page cache ------------------------------------------------------------------------
    def _reset_pages(self) -> None:
        """Forget every page and request (inside a model reset)."""
        self._pages.clear()
        self._queued.clear()
        self._in_flight.clear()
        self._requested_at.clear()
        self._prefetched.clear()

    def _keep(self, page_number: int, rows: list[RowT], read_ahead: bool = False) -> Page[RowT]:
        page = Page(rows, [self._row_texts(row) for row in rows], read_ahead)
        self._pages[page_number] = page
        self._pages.move_to_end(page_number)
        self._page_kept(page_number, rows)
        while len(self._pages) > self.MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        return page

    def _replace_row(self, page: Page[RowT], offset: int, row: RowT) -> None:
        page.rows[offset] = row
        page.texts[offset] = self._row_texts(row)

    def row_at(self, row_number: int) -> RowT | None:
        """The row if its page is loaded; otherwise queue the page and return None."""
        page_number, offset = divmod(row_number, self.PAGE_SIZE)
        page = self._pages.get(page_number)
        if page is not None:
            self._pages.move_to_end(page_number)
            if page.read_ahead:
                self._first_look(page_number, page)
            return page.rows[offset] if offset < len(page.rows) else None
        self._request(page_number)
        return None

    def _first_look(self, page_number: int, page: Page[RowT]) -> None:
        """The view reached a page that was read ahead: the user is moving on through the
        result, so read the next page ahead too. Scrolling then finds its rows already there
        (and paints once per step, not once with placeholders and again with the rows)."""
        page.read_ahead = False
        self._prefetch(page_number + 1)

    def is_loaded(self, row_number: int) -> bool:
        return row_number // self.PAGE_SIZE in self._pages

    def loaded_rows(self) -> int:
        return sum(len(p.rows) for p in self._pages.values())

    # -- requests and the fetch loop -------------------------------------------------------------
    def _request(self, page_number: int) -> None:
        if page_number in self._in_flight:
            return
        if page_number in self._queued:
            self._queued.remove(page_number)
        if page_number in self._prefetched:
            self._prefetched.discard(page_number)  # the view wants it now: a real request
        elif self._prefetched:
            self._drop_stale_read_ahead(page_number)
        self._queued.append(page_number)
        self._requested_at.setdefault(page_number, time.perf_counter())
        if len(self._queued) > self.MAX_QUEUED_PAGES:
            # Pages asked for long ago scrolled past; the view asks again if they come back.
            for dropped in self._queued[: len(self._queued) - self.MAX_QUEUED_PAGES]:
                self._requested_at.pop(dropped, None)
            del self._queued[: len(self._queued) - self.MAX_QUEUED_PAGES]
        self._start_fetcher()

    def _drop_stale_read_ahead(self, page_number: int) -> None:
        """The view asked for a page away from what was read ahead (a jump): read-ahead still
        queued for elsewhere would only be served before the jump's own next page, so drop it."""
        stale = {p for p in self._prefetched if abs(p - page_number) > 1 and p in self._queued}
        if stale:
            self._queued = [p for p in self._queued if p not in stale]
            self._prefetched -= stale

    def _prefetch(self, page_number: int) -> None:
        """Read the next page ahead, at the lowest priority (the queue is served newest first),
        so scrolling down usually finds its rows already there instead of placeholders."""
        if (
            self._current_source() is None
            or page_number * self.PAGE_SIZE >= self.total
            or page_number in self._pages
            or page_number in self._in_flight
            or page_number in self._queued
        ):
            return
        self._queued.insert(0, page_number)
        self._prefetched.add(page_number)
        if len(self._queued) > self.MAX_QUEUED_PAGES:
            del self._queued[0]  # under a fast drag the user's own requests win
            return
        self._start_fetcher()

    def _start_fetcher(self) -> None:
        if self._fetcher is None or self._fetcher.done():
            self._fetcher = self._tasks.spawn(self._fetch_pages(), name=self.FETCH_TASK_NAME)

    async def _fetch_pages(self) -> None:
        # One fetch at a time, newest request first: the page the user is looking at now wins.
        while self._queued and (source := self._current_source()) is not None:
            page_number = self._queued.pop()
            generation = self._generation
            self._in_flight.add(page_number)
            fetch_started = time.perf_counter()
            try:
                rows = await self._read_page(source, page_number)
            finally:
                self._in_flight.discard(page_number)
            requested = self._requested_at.pop(page_number, None)
            if generation != self._generation or source is not self._current_source():
                # Stale: the query changed while this page was read. (The generation moves when
                # an open starts but the source may change only when it finishes, so check both:
                # a page of the old source read during an open must not land in the new one.)
                continue
            self._page_arrived(source, page_number)
            self._store(page_number, rows)
            now = time.perf_counter()
            self.fetch_latencies.append((now - fetch_started) * 1000)
            if requested is not None:
                self.page_latencies.append((now - requested) * 1000)

    def _store(self, page_number: int, rows: list[RowT]) -> None:
        read_ahead = page_number in self._prefetched
        self._keep(page_number, rows, read_ahead)
        if read_ahead:
            # One page ahead of what the view looks at, never a chain through the result:
            # the next one is read when the view first reaches this page (_first_look).
            self._prefetched.discard(page_number)
        elif self.READ_AHEAD:
            self._prefetch(page_number + 1)
        first = page_number * self.PAGE_SIZE
        last = min(first + len(rows), self.total) - 1
        if last >= first:
            self._rows_changed(first, last)
        self.page_loaded.emit(page_number)

    def _rows_changed(self, first: int, last: int) -> None:
        self.dataChanged.emit(self.index(first, 0), self.index(last, self.columnCount() - 1))

    async def load_rows(self, rows: list[int]) -> None:
        """Load the pages holding `rows` (for copying a selection), a queue's worth at a time and
        no more pages than the cache keeps, so none is evicted before it is read."""
        pages = sorted({row // self.PAGE_SIZE for row in rows})[: self.MAX_CACHED_PAGES - 2]
        generation = self._generation
        for _attempt in range(3):  # the view's own requests may push some of ours out of the queue
            missing = [p for p in pages if p not in self._pages]
            if not missing or generation != self._generation:
                return
            for start in range(0, len(missing), self.MAX_QUEUED_PAGES):
                for page_number in missing[start : start + self.MAX_QUEUED_PAGES]:
                    self._request(page_number)
                await self.wait_idle()

    async def wait_idle(self) -> None:
        """Until no page is queued or in flight (tests and benchmarks)."""
        while self._fetcher is not None and not self._fetcher.done():
            await asyncio.shield(self._fetcher)


def texts_of(columns: Sequence[Any], row: Any) -> tuple[str, ...]:
    """Each column's display text for one row (columns carry a `text(row) -> str`)."""
    return tuple(column.text(row) for column in columns)
