"""A lazy table over a keyset query opened through services (the Funders view, a funder's grants).

The paging is PagedTableModel's: count and first page arrive with `open`, later pages are read
by key when the view asks for them, a generation token drops the pages of an older query. A
subclass gives its columns (title, text, sort key, right-aligned) and how a query opens.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QModelIndex, Qt, Signal

from catalynx_desktop.ui.async_tasks import TaskRunner
from catalynx_desktop.ui.models.paged_model import PLACEHOLDER, Index, PagedTableModel, texts_of

RowT = TypeVar("RowT")
QueryT = TypeVar("QueryT")

PAGE_SIZE = 256
ROW_ROLE = int(Qt.ItemDataRole.UserRole) + 1
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class KeysetPages(Protocol[RowT]):  # what services hand back (storage's KeysetResult)
    total: int

    async def page(self, start: int, limit: int) -> list[RowT]: ...


@dataclass(frozen=True)
class Column(Generic[RowT]):
    title: str
    text: Callable[[RowT], str]
    sort: str | None = None  # the query's sort key for this column; None = not sortable
    align_right: bool = False


class KeysetTableModel(PagedTableModel[RowT, Any], Generic[RowT, QueryT]):
    query_opened = Signal(int)  # the row count of the query just opened

    PAGE_SIZE = PAGE_SIZE
    COLUMNS: Sequence[Column[Any]] = ()

    def __init__(self, tasks: TaskRunner, parent: Any = None) -> None:
        super().__init__(tasks, parent)
        self._result: KeysetPages[RowT] | None = None
        self.query: QueryT | None = None

    # -- what a subclass provides ----------------------------------------------------------------
    async def _open_query(self, query: QueryT) -> tuple[KeysetPages[RowT], list[RowT]]:
        raise NotImplementedError

    def _sorted(self, query: QueryT, key: str, descending: bool) -> QueryT:
        raise NotImplementedError

    # -- queries ---------------------------------------------------------------------------------
    @property
    def total(self) -> int:
        return 0 if self._result is None else self._result.total

    async def open(self, query: QueryT) -> None:
        """Show `query`'s rows; the old ones stay until the new first page is here."""
        self._generation += 1
        generation = self._generation
        result, first_rows = await self._open_query(query)
        if generation != self._generation:
            return
        self.beginResetModel()
        self._result, self.query = result, query
        self._reset_pages()
        if first_rows:
            self._keep(0, first_rows)
        self.endResetModel()
        self.query_opened.emit(result.total)

    def clear(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self._result, self.query = None, None
        self._reset_pages()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self.query is None or not (0 <= column < len(self.COLUMNS)):
            return
        key = self.COLUMNS[column].sort
        if key is None:
            return
        query = self._sorted(self.query, key, order == Qt.SortOrder.DescendingOrder)
        if query != self.query:
            self._tasks.spawn(self.open(query), name="sort")

    # -- Qt model API --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            int(role) == _DISPLAY
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        role = int(role)
        if role not in (_DISPLAY, _ALIGNMENT, _TOOLTIP, ROW_ROLE) or self._result is None:
            return None
        row_number, column = index.row(), index.column()
        page = self._pages.get(row_number // PAGE_SIZE)
        offset = row_number % PAGE_SIZE
        if page is None or offset >= len(page.rows):
            if 0 <= row_number < self.total:
                self._request(row_number // PAGE_SIZE)
            return PLACEHOLDER if role == _DISPLAY and column == 0 else None
        if role in (_DISPLAY, _TOOLTIP):
            return page.texts[offset][column]
        if role == _ALIGNMENT:
            return _RIGHT if self.COLUMNS[column].align_right else None
        return page.rows[offset]

    # -- pages ---------------------------------------------------------------------------------
    def _current_source(self) -> KeysetPages[RowT] | None:
        return self._result

    async def _read_page(self, source: KeysetPages[RowT], page_number: int) -> list[RowT]:
        return await source.page(page_number * PAGE_SIZE, PAGE_SIZE)

    def _row_texts(self, row: RowT) -> tuple[str, ...]:
        return texts_of(self.COLUMNS, row)
