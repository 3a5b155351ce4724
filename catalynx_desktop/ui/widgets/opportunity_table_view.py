"""The opportunity grid's view, set up for a lazy model of hundreds of thousands of rows, and the
few things several controllers do with it (selected ids, stepping the current row, re-reading in place).

The model (models/opportunity_table_model.py) loads pages as the view paints; this module only configures
the QTableView so that painting stays cheap.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from catalynx_desktop.ui.models.opportunity_table_model import ID_ROLE, OpportunityTableModel
from catalynx_desktop.ui.widgets.column_menu import install_column_menu

# First-run widths in sample texts (measured in the table's font, so they hold at any font size):
# at the default 1280x800 window Title, Funder, Stage, Score, Amount and Closes all fit beside the
# profile list. The header text plus room for the sort arrow counts as well.
DEFAULT_COLUMN_SAMPLES = (
    "Building Food Security Capacity Grants",  # Title
    "Harbor Community Foundation",  # Funder
    "Approach",  # Stage
    "0.00",  # Score
    "$10,000,000",  # Amount
    "2026-12-31",  # Closes
    "2026-12-31",  # Discovered
    "VT",  # State
)
_CELL_PADDING = 16  # a cell's margins
_SORT_ARROW = 22  # the header's sort indicator


def create_opportunity_table(model: OpportunityTableModel) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setSortingEnabled(True)  # header clicks ask the model to reopen its query sorted
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)  # grid lines were ~40% of a repaint; alternating rows separate them
    # No row numbers: a visible vertical header asks headerData() for every row when the row
    # count changes (98,000 calls, a 320 ms freeze, opening a 13,733-row search; worse for 687k).
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(22)
    # Fixed row heights: the view never asks the model for every row's size hint.
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    install_column_menu(table.horizontalHeader())  # right-click: show/hide; drag: reorder
    return table


def set_default_column_widths(table: QTableView) -> None:
    """First-run widths; a saved header state (window restore, saved views) replaces them."""
    cells, heading = table.fontMetrics(), table.horizontalHeader().fontMetrics()
    model = table.model()
    for column, sample in enumerate(DEFAULT_COLUMN_SAMPLES):
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        width = max(cells.horizontalAdvance(sample), heading.horizontalAdvance(title) + _SORT_ARROW)
        table.setColumnWidth(column, width + _CELL_PADDING)


def selected_opportunity_ids(table: QTableView) -> list[int]:
    """Ids of the selected rows that are loaded (a placeholder row has no id yet)."""
    ids = []
    for index in table.selectionModel().selectedRows():
        opportunity_id = index.data(ID_ROLE)
        if opportunity_id is not None:
            ids.append(opportunity_id)
    return ids


def step_current_row(table: QTableView, step: int) -> None:
    """Move the current row by `step` (Alt+Up/Down, the details pane's arrows), staying in range."""
    model = table.model()
    current = table.currentIndex()
    row = (current.row() if current.isValid() else -1) + step
    if 0 <= row < model.rowCount():
        table.setCurrentIndex(model.index(row, max(current.column(), 0)))


async def refresh_keeping_scroll(table: QTableView, model: OpportunityTableModel) -> None:
    """Re-read the open query (rows changed underneath) without jumping back to the top."""
    scrolled_to = table.verticalScrollBar().value()
    await model.refresh()
    table.verticalScrollBar().setValue(scrolled_to)
