"""Ctrl+C on any table: the selected rows as tab-separated text with a header line, as displayed.

Columns are the visible ones in their on-screen order; cells are the texts the table shows
(labels, formatted amounts), tabs and line breaks inside a cell become spaces so a spreadsheet
pastes one row per line. A lazy table (the opportunities) first loads the pages of the selected
rows it has not read yet, so the clipboard never holds "Loading…" placeholders.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QTableView

MAX_COPIED_ROWS = 10_000  # ~40 pages of the table (its page cache keeps 48); beyond this, Export is the tool (and the clipboard gets unwieldy)

# Given the selected row numbers, make sure their texts are loaded (lazy models).
RowLoader = Callable[[list[int]], Awaitable[None]]


def _clean(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("\t", " ").replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def visible_columns(view: QTableView) -> list[int]:
    header = view.horizontalHeader()
    columns = [c for c in range(header.count()) if not header.isSectionHidden(c)]
    return sorted(columns, key=header.visualIndex)


def selected_rows(view: QTableView) -> list[int]:
    selection = view.selectionModel()
    if selection is None:
        return []
    rows = {index.row() for index in selection.selectedRows()}
    if not rows:  # a cell selection (no whole rows): the rows of the selected cells
        rows = {index.row() for index in selection.selectedIndexes()}
    return sorted(rows)[:MAX_COPIED_ROWS]


def rows_as_text(model: QAbstractItemModel, rows: list[int], columns: list[int]) -> str:
    horizontal = Qt.Orientation.Horizontal
    lines = ["\t".join(_clean(model.headerData(c, horizontal)) for c in columns)]
    for row in rows:
        lines.append("\t".join(_clean(model.index(row, c).data()) for c in columns))
    return "\n".join(lines) + "\n"


def selection_text(view: QTableView) -> str:
    """What Ctrl+C puts on the clipboard for `view` ('' with nothing selected)."""
    rows = selected_rows(view)
    return rows_as_text(view.model(), rows, visible_columns(view)) if rows else ""


def install_copy(
    view: QTableView,
    spawn: Callable[[Coroutine[Any, Any, None]], object] | None = None,
    load_rows: RowLoader | None = None,
) -> QAction:
    """Ctrl+C (the platform's Copy) on `view`; with `load_rows`, lazy rows are loaded first (via `spawn`)."""

    async def copy_loaded() -> None:
        rows = selected_rows(view)
        if rows and load_rows is not None:
            await load_rows(rows)
        text = selection_text(view)
        if text:
            QGuiApplication.clipboard().setText(text)

    def copy() -> None:
        if load_rows is not None and spawn is not None:
            spawn(copy_loaded())
            return
        text = selection_text(view)
        if text:
            QGuiApplication.clipboard().setText(text)

    action = QAction("Copy", view)
    action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.triggered.connect(copy)
    view.addAction(action)
    return action
