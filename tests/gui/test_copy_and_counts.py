"""Ctrl+C on every table, stage-tab counts that follow the search and filters, no timings in the status line."""

from __future__ import annotations

import asyncio
import re

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.domain.query import OpportunityFilters
from catalynx_desktop.domain.stages import PIPELINE
from catalynx_desktop.ui.models.paged_model import PLACEHOLDER
from tests.gui.test_main_window import seed_demo, wait_for


def _select(view: QTableView, rows: list[int]) -> None:
    view.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        view.selectionModel().select(view.model().index(row, 0), flags)


async def _copy(view: QTableView) -> list[list[str]]:
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("")
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    await wait_for(lambda: clipboard.text() != "")
    return [line.split("\t") for line in clipboard.text().rstrip("\n").split("\n")]


def _shown(view: QTableView, row: int) -> list[str]:
    header = view.horizontalHeader()
    columns = sorted(
        (c for c in range(header.count()) if not header.isSectionHidden(c)), key=header.visualIndex
    )
    return [str(view.model().index(row, c).data() or "") for c in columns]


def test_ctrl_c_copies_selected_rows_from_every_table(qtbot, run, data_dir, tmp_path):
    seed_demo(run, data_dir, profiles=2, opportunities=6000)

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            table, model = window.table, window.table_model
            table.horizontalHeader().setSectionHidden(7, True)  # copies what is shown, as shown
            _select(table, [0, 2])
            lines = await _copy(table)
            assert lines[0] == ["Title", "Funder", "Stage", "Score", "Amount", "Closes", "Discovered"]
            assert lines[1:] == [_shown(table, 0), _shown(table, 2)]
            assert re.fullmatch(r"\d\.\d\d", lines[1][3]) and lines[1][4].startswith(("$", "—"))

            # rows far down that were never painted are read before copying: no placeholders
            far = [model.rowCount() - 1, model.rowCount() - 600]
            assert not any(model.is_loaded(r) for r in far)
            _select(table, far)
            lines = await _copy(table)
            assert len(lines) == 3 and all(PLACEHOLDER not in cell for line in lines for cell in line)
            assert lines[1:] == [_shown(table, min(far)), _shown(table, max(far))]

            profiles = window.profiles.view
            _select(profiles, [1])
            lines = await _copy(profiles)
            assert lines[0] == ["Profile", "Total"]
            assert lines[1] == _shown(profiles, 1)

            handle = await window.workflows.export(model.query, tmp_path / "all.csv", "csv")
            await window.workflows.wait_all()
            await handle.wait()
            panel = window.workflows.panel
            window.workflows.dock.show()  # runs no longer pop it up (issue 15): the user opens it
            await panel.refresh()
            history = panel.history_model
            # the finished run's row (a page read while it ran says "running" until the refresh lands)
            await wait_for(
                lambda: (
                    history.rowCount() > 0
                    and history.is_loaded(0)
                    and history.index(0, 1).data() != "running"
                )
            )
            _select(panel.history_view, [0])
            lines = await _copy(panel.history_view)
            assert len(lines) == 2 and lines[1] == _shown(panel.history_view, 0)
        finally:
            await close_main_window(window)

    run(scenario(), timeout=120)


def test_stage_tabs_count_the_search_and_filters_and_the_status_line_has_no_timings(qtbot, run, data_dir):
    seed_demo(run, data_dir, profiles=1, opportunities=6000)

    async def truth(window, query) -> list[int]:
        totals = []
        for stage in (None, *PIPELINE):
            result, _rows = await window.services.views.open(query.with_stage(stage), 1)
            await result.complete(lambda: False)
            totals.append(result.total)
        return totals

    def tab_counts(window) -> list[int]:
        tabs = window.query.stage_tabs
        counts = []
        for i in range(tabs.count()):
            found = re.search(r"\(([\d,]+)\)", tabs.tabText(i))  # an empty stage shows its name only
            counts.append(int(found.group(1).replace(",", "")) if found else 0)
        return counts

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            everything = tab_counts(window)
            counted = asyncio.Event()
            window.query.stage_counts_shown.connect(counted.set)
            window.query.search_box.setText("food")
            window.query.search_now()
            await asyncio.wait_for(counted.wait(), 20)
            expected = await truth(window, window.table_model.query)
            assert tab_counts(window) == expected and expected[0] < everything[0]
            assert not re.search(r"\d\s*ms\b", window.status_label.text()), window.status_label.text()

            counted.clear()
            await window.query.apply_filters(OpportunityFilters(min_amount=500_000))
            await asyncio.wait_for(counted.wait(), 20)
            expected = await truth(window, window.table_model.query)
            assert tab_counts(window) == expected

            counted.clear()
            window.query.stage_tabs.setCurrentIndex(2)  # another tab: the counts stay the search's
            await wait_for(lambda: window.table_model.query.stage is PIPELINE[1])
            await asyncio.wait_for(counted.wait(), 20)
            assert tab_counts(window) == expected

            counted.clear()
            window.query.search_box.setText("")
            await window.query.apply_filters(OpportunityFilters())
            await asyncio.wait_for(counted.wait(), 20)
            assert tab_counts(window) == everything
            assert not re.search(r"\d\s*ms\b", window.status_label.text())
        finally:
            await close_main_window(window)

    run(scenario(), timeout=120)
