"""A header's context menu to show and hide columns; columns can also be dragged to reorder.

Visibility and order live in the header's own state, which the window saves and restores with
QHeaderView.saveState(), so they persist with the widths and the sort.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QMenu


def install_column_menu(header: QHeaderView) -> None:
    header.setSectionsMovable(True)
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header.customContextMenuRequested.connect(
        lambda point: column_menu(header).popup(header.mapToGlobal(point))
    )


def column_menu(header: QHeaderView) -> QMenu:
    model = header.model()
    menu = QMenu(header)
    visible = [c for c in range(header.count()) if not header.isSectionHidden(c)]
    for column in range(header.count()):
        title = model.headerData(column, Qt.Orientation.Horizontal) if model is not None else str(column)
        action = menu.addAction(str(title))
        action.setCheckable(True)
        action.setChecked(not header.isSectionHidden(column))
        # The last visible column cannot be hidden: a table with no columns cannot be got back.
        action.setEnabled(not (len(visible) == 1 and column in visible))
        action.toggled.connect(lambda shown, c=column: header.setSectionHidden(c, not shown))
    menu.addSeparator()

    def show_all() -> None:
        for c in range(header.count()):
            header.setSectionHidden(c, False)

    menu.addAction("Show all columns", show_all)
    return menu
