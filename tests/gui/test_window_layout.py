"""The default window at 1280x800: the columns that matter are on screen, nothing the user reads is cut."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QTableView

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.domain.query import SortKey
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.ui.models.opportunity_table_model import COLUMNS, SORT_COLUMN_OF
from tests.gui.test_main_window import seed_demo, wait_for

MUST_SHOW = ("Title", "Funder", "Score", "Amount", "Closes")


def _column(title: str) -> int:
    return [c.title for c in COLUMNS].index(title)


def assert_columns_on_screen(table: QTableView, titles: tuple[str, ...] = MUST_SHOW) -> None:
    header = table.horizontalHeader()
    width = table.viewport().width()
    for title in titles:
        column = _column(title)
        assert not header.isSectionHidden(column), title
        left = header.sectionViewportPosition(column)
        assert left >= 0 and left + header.sectionSize(column) <= width, (title, left, width)


def test_default_layout_shows_the_columns_that_matter_and_cuts_nothing(qtbot, run, data_dir):
    seed_demo(run, data_dir, profiles=3, opportunities=3000)
    window = run(open_main_window(data_dir))
    qtbot.addWidget(window)
    try:
        assert (window.width(), window.height()) == (1280, 800)
        QApplication.processEvents()
        assert not window.details.dock.isVisible()  # collapsed until a row is chosen
        assert not window.dashboard.dock.isVisible()
        assert_columns_on_screen(window.table)

        # profile names whole
        view = window.profiles.view
        for row in range(window.profiles.model.rowCount()):
            index = window.profiles.model.index(row, 0)
            needed = view.fontMetrics().horizontalAdvance(index.data())
            assert view.visualRect(index).width() >= needed + 6, index.data()
        # stage tabs whole, all on screen without scrolling
        tabs = window.query.stage_tabs
        for i in range(tabs.count()):
            rect = tabs.tabRect(i)
            assert rect.width() >= tabs.fontMetrics().horizontalAdvance(tabs.tabText(i)), tabs.tabText(i)
            assert rect.right() <= tabs.width(), tabs.tabText(i)
        # the search box's hint whole (less the clear button's room)
        box = window.query.search_box
        assert box.fontMetrics().horizontalAdvance(box.placeholderText()) + 40 <= box.width()

        # sorting by Amount keeps Amount on screen
        amount = SORT_COLUMN_OF[SortKey.AMOUNT]
        window.table_model.sort(amount, Qt.SortOrder.DescendingOrder)
        run(wait_for(lambda: window.table_model.query.sort is SortKey.AMOUNT))
        QApplication.processEvents()
        assert_columns_on_screen(window.table)

        # choosing a row opens Details
        window.table.setCurrentIndex(window.table_model.index(0, 0))
        run(wait_for(lambda: window.details.pane.opportunity_id is not None))
        assert window.details.dock.isVisible()
    finally:
        run(close_main_window(window))


def test_a_layout_saved_by_an_older_release_does_not_hide_the_columns(qtbot, run, data_dir):
    seed_demo(run, data_dir, profiles=1, opportunities=300)
    # What earlier releases saved: a raw header state (here with Amount hidden and Title 900 px
    # wide) and a window state with Details open.
    window = run(open_main_window(data_dir))
    try:
        header = window.table.horizontalHeader()
        header.setSectionHidden(_column("Amount"), True)
        window.table.setColumnWidth(0, 900)
        raw_header = header.saveState()
        window.details.dock.show()
        raw_window = window.saveState()  # version 0, as before
    finally:
        run(close_main_window(window))
    settings = QSettings(str(resolve_paths(data_dir).config_dir / "ui.ini"), QSettings.Format.IniFormat)
    settings.setValue("table/header", raw_header)
    settings.setValue("window/state", raw_window)
    settings.sync()

    window = run(open_main_window(data_dir))
    try:
        # The offscreen screen is 800x600 and restoreGeometry() clamps the saved 1280x800 to it.
        window.resize(1280, 800)
        QApplication.processEvents()
        assert not window.details.dock.isVisible()
        assert_columns_on_screen(window.table)
        # and a layout of this release comes back as it was left
        window.table.setColumnWidth(_column("Funder"), 150)
    finally:
        run(close_main_window(window))
    window = run(open_main_window(data_dir))
    try:
        assert window.table.columnWidth(_column("Funder")) == 150
    finally:
        run(close_main_window(window))


def test_details_still_opens_on_a_chosen_row_after_a_session_that_chose_none(qtbot, run, data_dir):
    seed_demo(run, data_dir, profiles=1, opportunities=300)
    window = run(open_main_window(data_dir))
    run(close_main_window(window))  # saved with Details hidden: no row was chosen
    window = run(open_main_window(data_dir))
    try:
        assert not window.details.dock.isVisible()
        window.table.setCurrentIndex(window.table_model.index(1, 0))
        run(wait_for(lambda: window.details.pane.opportunity_id is not None))
        assert window.details.dock.isVisible()
    finally:
        run(close_main_window(window))
