"""The real main window on a real database: select, sort, scroll, jump, move stages, edit profiles."""

from __future__ import annotations

import asyncio
import sqlite3

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtTest import QTest

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.query import SortKey
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.services import AppServices
from catalynx_desktop.ui.models.opportunity_table_model import COLUMNS, PAGE_SIZE, PLACEHOLDER, SORT_COLUMN_OF
from catalynx_desktop.ui.widgets.opportunity_table_view import (
    refresh_keeping_scroll,
    selected_opportunity_ids,
)
from catalynx_desktop.workflows.demo.generator import DemoPlan


def seed_demo(run, data_dir, profiles=2, opportunities=20_000):
    async def seed():
        services = await AppServices.open(resolve_paths(data_dir))
        try:
            return await services.load_demo(DemoPlan(profiles, opportunities, seed=11))
        finally:
            await services.close()

    return run(seed())


async def wait_loaded(window, row: int, timeout: float = 10.0) -> None:
    """Until the view has the page holding `row` (the view asks for it by painting)."""
    model = window.table_model
    deadline = asyncio.get_running_loop().time() + timeout
    while not model.is_loaded(row):
        model.row_at(row)  # what a paint of that row does
        await asyncio.sleep(0.01)
        assert asyncio.get_running_loop().time() < deadline, f"row {row} never loaded"
    await model.wait_idle()


def db_ids(data_dir, sql, params=()):
    with sqlite3.connect(resolve_paths(data_dir).database) as conn:
        return [r[0] for r in conn.execute(sql, params)]


def cell(window, row, column_title):
    column = [c.title for c in COLUMNS].index(column_title)
    return window.table_model.index(row, column).data()


def test_first_run_shows_empty_state_and_creates_a_profile(qtbot, run, data_dir):
    window = run(open_main_window(data_dir))
    try:
        assert window.stack.currentWidget() is window.empty_state
        saved = run(window.profiles.save(Profile(name="Harbor Arts", ein="123456789", states=("ME",))))
        assert window.stack.currentWidget() is window.splitter
        assert window.profiles.model.rowCount() == 1
        assert window.profiles.model.index(0, 0).data() == "Harbor Arts"
        assert window.profiles.current_id == saved.id
        assert window.table_model.rowCount() == 0
    finally:
        run(close_main_window(window))


def test_browse_sort_scroll_end_and_move_stage(qtbot, run, data_dir):
    demo = seed_demo(run, data_dir)
    window = run(open_main_window(data_dir))
    qtbot.addWidget(window)
    try:
        profile_id = window.profiles.current_id
        assert profile_id in demo.profile_ids
        model = window.table_model
        assert model.rowCount() == 10_000
        expected = db_ids(
            data_dir,
            "SELECT id FROM opportunities WHERE profile_id = ? ORDER BY score DESC, id DESC",
            (profile_id,),
        )
        assert model.index(0, 0).data(Qt.ItemDataRole.UserRole + 1) == expected[0]

        # sort by clicking the Title header
        header = window.table.horizontalHeader()
        title_column = SORT_COLUMN_OF[SortKey.TITLE]
        QTest.mouseClick(
            header.viewport(),
            Qt.MouseButton.LeftButton,
            pos=header.rect().topLeft() + qtbot_point(header, title_column),
        )
        run(wait_for(lambda: model.query is not None and model.query.sort is SortKey.TITLE))
        titles = db_ids(
            data_dir,
            "SELECT title FROM opportunities WHERE profile_id = ? ORDER BY title "
            + ("DESC, id DESC" if model.query.descending else ", id"),
            (profile_id,),
        )
        assert cell(window, 0, "Title") == titles[0]

        # End key: the last row is shown, read from the end (no scan)
        window.table.setFocus()
        window.table.setCurrentIndex(model.index(0, 0))
        QTest.keyClick(window.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        last = model.rowCount() - 1
        assert window.table.currentIndex().row() == last
        run(wait_loaded(window, last))
        assert cell(window, last, "Title") == titles[-1]

        # scroll-bar drag to 90%
        bar = window.table.verticalScrollBar()
        bar.setValue(int(bar.maximum() * 0.9))
        row = window.table.rowAt(5)
        run(wait_loaded(window, row))
        assert cell(window, row, "Title") == titles[row]
        assert cell(window, row, "Title") != PLACEHOLDER

        # move the selected rows to Plan with a reason; the stage cell and counts update
        window.table.clearSelection()
        selection = window.table.selectionModel()
        for r in (row, row + 1, row + 2):
            selection.select(
                model.index(r, 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )
        ids = selected_opportunity_ids(window.table)
        assert len(ids) == 3
        before = window.profiles.model.summary(window.profiles.model.row_of(profile_id)).stage_counts
        moved_from = db_ids(
            data_dir, f"SELECT stage FROM opportunities WHERE id IN ({','.join('?' * 3)})", ids
        )
        move = run(window.stage_moves.move(ids, Stage.EXAMINE, "strong fit"))
        assert len(move.moved) == sum(1 for s in moved_from if s != "examine")
        for r in (row, row + 1, row + 2):
            assert cell(window, r, "Stage") == "Examine"
        after = window.profiles.model.summary(window.profiles.model.row_of(profile_id)).stage_counts
        assert after[Stage.EXAMINE] == before[Stage.EXAMINE] + len(move.moved)
        assert window.query.stage_tabs.tabText(4).startswith(f"Examine ({after[Stage.EXAMINE]:,}")
        reasons = db_ids(
            data_dir, "SELECT reason FROM stage_history WHERE opportunity_id = ? ORDER BY id DESC", (ids[0],)
        )
        assert reasons[0] == "strong fit" or "examine" in moved_from
    finally:
        run(close_main_window(window))


def test_a_new_sort_starts_at_its_first_rows_and_a_refresh_keeps_the_place(qtbot, run, data_dir):
    seed_demo(run, data_dir, profiles=1)
    window = run(open_main_window(data_dir))
    qtbot.addWidget(window)
    try:
        model, bar = window.table_model, window.table.verticalScrollBar()
        profile_id = window.profiles.current_id
        bar.setValue(int(bar.maximum() * 0.6))
        run(wait_loaded(window, window.table.rowAt(5)))
        run(window.open_query(model.query.with_sort(SortKey.AMOUNT, True)))
        assert bar.value() == 0 and window.table.rowAt(0) == 0
        run(wait_loaded(window, 0))
        top = db_ids(
            data_dir,
            "SELECT id FROM opportunities WHERE profile_id = ? ORDER BY amount DESC, id DESC LIMIT 1",
            (profile_id,),
        )
        assert model.row_at(0).id == top[0]

        # re-reading the same query (after a write) stays where the user was
        bar.setValue(int(bar.maximum() * 0.4))
        place = bar.value()
        run(refresh_keeping_scroll(window.table, model))
        assert bar.value() == place
    finally:
        run(close_main_window(window))


def test_stage_tab_filters_and_move_out_of_filtered_view(qtbot, run, data_dir):
    seed_demo(run, data_dir, profiles=1, opportunities=3000)
    window = run(open_main_window(data_dir))
    try:
        window.query.stage_tabs.setCurrentIndex(1)  # Discover
        run(wait_for(lambda: window.table_model.query.stage is Stage.DISCOVER))
        discover = db_ids(data_dir, "SELECT count(*) FROM opportunities WHERE stage = 'discover'")[0]
        assert window.table_model.rowCount() == discover
        assert all(cell(window, r, "Stage") == "Discover" for r in range(20))
        first_id = window.table_model.index(0, 0).data(Qt.ItemDataRole.UserRole + 1)
        run(window.stage_moves.move([first_id], Stage.DECLINED, "not eligible"))
        assert window.table_model.rowCount() == discover - 1
        assert window.table_model.index(0, 0).data(Qt.ItemDataRole.UserRole + 1) != first_id
        assert window.query.stage_tabs.tabText(1) == f"Discover ({discover - 1:,})"
    finally:
        run(close_main_window(window))


def test_profile_edit_and_delete(qtbot, run, data_dir):
    seed_demo(run, data_dir, profiles=2, opportunities=200)
    window = run(open_main_window(data_dir))
    try:
        profile = window.profiles.selected()
        run(window.profiles.save(Profile(**{**profile.__dict__, "name": "Renamed Org"})))
        names = [window.profiles.model.index(r, 0).data() for r in range(window.profiles.model.rowCount())]
        assert "Renamed Org" in names
        run(window.profiles.delete(window.profiles.current_id))
        assert window.profiles.model.rowCount() == 1
        assert db_ids(data_dir, "SELECT count(*) FROM profiles")[0] == 1
        assert (
            db_ids(data_dir, "SELECT count(*) FROM opportunities WHERE profile_id = ?", (profile.id,))[0] == 0
        )
    finally:
        run(close_main_window(window))


def test_load_demo_from_the_window_with_progress(qtbot, run, data_dir):
    window = run(open_main_window(data_dir))
    try:
        seen = []
        window.long_action.progress.valueChanged.connect(seen.append)
        run(window.demo.load(DemoPlan(2, 3000, seed=5)))
        assert window.profiles.model.rowCount() == 2
        assert window.table_model.rowCount() == 1500
        assert seen and seen[-1] == 3000
        assert not window.long_action.progress.isVisible()
    finally:
        run(close_main_window(window))


def test_cancelled_demo_load_adds_nothing(qtbot, run, data_dir):
    window = run(open_main_window(data_dir))
    try:

        async def load_and_cancel():
            task = asyncio.ensure_future(window.demo.load(DemoPlan(1, 200_000, seed=5)))
            await asyncio.sleep(0.3)
            window.long_action.cancel_button.click()
            await task

        run(load_and_cancel())
        assert "cancelled" in window.status_label.text()
        assert db_ids(data_dir, "SELECT count(*) FROM opportunities")[0] == 0
        assert db_ids(data_dir, "SELECT count(*) FROM profiles")[0] == 0
    finally:
        run(close_main_window(window))


def test_second_instance_is_refused(tmp_path):
    from PySide6.QtCore import QLockFile

    from catalynx_desktop.instance_lock import acquire_instance_lock as _acquire_instance_lock

    paths = resolve_paths(tmp_path).ensure()
    first = _acquire_instance_lock(paths)
    assert isinstance(first, QLockFile)
    import subprocess
    import sys

    code = (
        "import sys; from catalynx_desktop.instance_lock import acquire_instance_lock as _acquire_instance_lock; "
        "from catalynx_desktop.paths import resolve_paths; "
        f"sys.exit(0 if _acquire_instance_lock(resolve_paths({str(tmp_path)!r})) is None else 1)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
    first.unlock()


def qtbot_point(header, section):
    from PySide6.QtCore import QPoint

    return QPoint(
        header.sectionViewportPosition(section) + header.sectionSize(section) // 2, header.height() // 2
    )


async def wait_for(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition never became true"
        await asyncio.sleep(0.01)


def test_details_notes_persist_across_reopen_and_undo_restores_stage(qtbot, run, data_dir):
    from catalynx_desktop.domain.details import Annotations, Priority

    seed_demo(run, data_dir, profiles=1, opportunities=500)
    window = run(open_main_window(data_dir))
    try:
        window.table.setCurrentIndex(window.table_model.index(3, 0))
        opportunity_id = window.table_model.index(3, 0).data(Qt.ItemDataRole.UserRole + 1)
        run(wait_for(lambda: window.details.pane.opportunity_id == opportunity_id))
        assert window.details.pane.heading.text().startswith("<b>")
        assert window.details.pane.facts.rowCount() > 0  # the funder record is shown
        window.details.pane.notes.setPlainText("Call the program officer in March")
        window.details.pane.rating.setCurrentIndex(4)  # ★★★★
        window.details.pane.priority.setCurrentIndex(window.details.pane.priority.findData(Priority.HIGH))
        window.details.pane.tags.setText("Rural, federal, rural")
        saved = run(window.details.save_annotations(opportunity_id, window.details.pane.annotations()))
        assert saved.annotations == Annotations(
            "Call the program officer in March", 4, Priority.HIGH, ("rural", "federal")
        )
        stage_before = window.table_model.index(3, 2).data()
        target = Stage.DECLINED if stage_before != "Declined" else Stage.PLAN
        run(window.stage_moves.move([opportunity_id], target, "too small"))
        assert window.table_model.index(3, 2).data() == target.label
        run(window.stage_moves.undo())
        assert window.table_model.index(3, 2).data() == stage_before
        history = run(window.services.opportunities.stage_history(opportunity_id))
        assert history[-1].reason.startswith("undo") and history[-2].reason == "too small"
    finally:
        run(close_main_window(window))

    window = run(open_main_window(data_dir))  # a new session: the notes are still there
    try:
        details = run(window.details.show_opportunity(opportunity_id))
        assert details.annotations.notes == "Call the program officer in March"
        assert window.details.pane.notes.toPlainText() == "Call the program officer in March"
        assert window.details.pane.tags.text() == "rural, federal"
    finally:
        run(close_main_window(window))


def test_column_widths_and_sort_persist_across_restart(qtbot, run, data_dir):
    seed_demo(run, data_dir, profiles=1, opportunities=300)
    window = run(open_main_window(data_dir))
    try:
        from catalynx_desktop.ui.widgets.column_menu import column_menu

        header = window.table.horizontalHeader()
        menu = column_menu(header)
        state_action = next(a for a in menu.actions() if a.text() == "State")
        state_action.setChecked(False)  # hide the State column from the header's menu
        assert header.isSectionHidden(7)
        header.moveSection(header.visualIndex(1), 0)  # drag Funder to the front
        window.table.setColumnWidth(1, 333)
        run(
            window.query.open(
                window.query.current().__class__(window.profiles.current_id, None, SortKey.AMOUNT, False)
            )
        )
        window.query.remember_sort(window.table_model.query)
    finally:
        run(close_main_window(window))
    window = run(open_main_window(data_dir))
    try:
        assert window.table.columnWidth(1) == 333
        assert window.table.horizontalHeader().isSectionHidden(7)
        assert window.table.horizontalHeader().visualIndex(1) == 0
        assert window.table_model.query.sort is SortKey.AMOUNT and not window.table_model.query.descending
    finally:
        run(close_main_window(window))


def test_import_discover_export_and_settings_from_the_window(qtbot, run, data_dir, tmp_path):
    """The real window runs the workflows: import the real VT BMF file, discover for a profile,
    export the view; each is a persisted run in the Workflows panel's history."""
    from pathlib import Path

    from catalynx_desktop.domain.runs import RunStatus
    from catalynx_desktop.settings import load_settings

    vt = Path(__file__).resolve().parents[1] / "data" / "eo_vt.csv"
    if not vt.exists():
        vt = Path(__file__).resolve().parents[3] / "shared" / "data" / "irs_eo_bmf" / "eo_vt.csv"

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            await window.profiles.save(
                Profile(
                    name="Green Mountain Arts",
                    ntee_code="A20",
                    states=("VT",),
                    target_ntee_codes=("A20", "A60"),
                )
            )
            handles = await window.workflows.import_files([vt])
            await window.workflows.wait_all()
            assert (await handles[0].wait()).status is RunStatus.SUCCEEDED
            assert db_ids(data_dir, "SELECT count(*) FROM source_records WHERE source = 'irs_bmf'")[0] == 6535

            handle = await window.workflows.discover_current_profile()
            await window.workflows.wait_all()
            assert (await handle.wait()).status is RunStatus.SUCCEEDED
            found = db_ids(
                data_dir,
                "SELECT count(*) FROM opportunities WHERE profile_id = ?",
                (window.profiles.current_id,),
            )[0]
            assert found > 0
            assert window.table_model.rowCount() == found  # the open table refreshed by itself
            assert window.query.stage_tabs.tabText(0) == f"All ({found:,})"

            target = tmp_path / "shortlist.csv"
            handle = await window.workflows.export(window.table_model.query, target, "csv")
            await window.workflows.wait_all()
            assert (await handle.wait()).status is RunStatus.SUCCEEDED
            assert len(target.read_text(encoding="utf-8-sig").splitlines()) == found + 1

            await window.workflows.panel.refresh()
            history = window.workflows.panel.history_model
            assert history.rowCount() == 3
            statuses = {str(history.index(r, 1).data()).lower() for r in range(history.rowCount())}
            assert statuses == {"succeeded"}

            settings = window.services.settings.__class__(
                cache_max_mb=64, run_retention_days=30, discover_threshold=0.4
            )
            await window.app_settings.apply(settings)
            assert load_settings(window.services.paths.settings_file) == settings
        finally:
            await close_main_window(window)

    run(scenario(), timeout=240)


def test_shortcuts_are_listed_and_unique(qtbot, run, data_dir):
    from catalynx_desktop.ui.dialogs.shortcuts_dialog import shortcut_rows

    window = run(open_main_window(data_dir))
    try:
        rows = dict(shortcut_rows(window.actions()))
        for needed in (
            "New profile",
            "Move to stage",
            "Undo last move",
            "Import file",
            "Export",
            "Discover opportunities",
            "Settings",
            "Keyboard shortcuts",
            "Workflows",
        ):
            assert needed in rows, needed
        keys = list(rows.values())
        assert len(keys) == len(set(keys)), "two actions share a shortcut"
    finally:
        run(close_main_window(window))


def test_search_narrows_rows_and_counts_and_stays_sortable(qtbot, run, data_dir):
    seed_demo(run, data_dir, profiles=1, opportunities=6000)

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            profile_id = window.profiles.current_id
            expected = db_ids(
                data_dir,
                "SELECT count(*) FROM opportunities AS o JOIN source_records AS r "
                "ON r.id = o.source_record_id WHERE o.profile_id = ? AND "
                "(r.name LIKE '%Watershed%' OR r.description LIKE '%Watershed%')",
                (profile_id,),
            )[0]
            assert 0 < expected < 6000
            window.query.search_box.setText("watershed")
            await wait_for(lambda: window.table_model.query.search == "watershed")
            assert window.table_model.rowCount() == expected
            assert "matching" in window.status_label.text()
            titles = [window.table_model.index(r, 0).data() for r in range(min(expected, 50))]
            # sorting a search result keeps the search
            await window.query.open(window.table_model.query.with_sort(SortKey.TITLE, False))
            assert window.table_model.query.search == "watershed"
            sorted_titles = [window.table_model.index(r, 0).data() for r in range(min(expected, 50))]
            assert sorted_titles == sorted(sorted_titles)
            assert set(titles) <= set(db_ids(data_dir, "SELECT title FROM opportunities"))
            # SQL metacharacters and FTS syntax in the box are plain text, never errors
            for text in ('"; DROP TABLE profiles; --', "NEAR(a b)", "*", "title:x OR"):
                window.query.search_box.setText(text)
                window.query.search_now()
                await wait_for(lambda t=text: window.table_model.query.search == t.strip())
                assert window.errors.last is None
            window.query.search_box.clear()
            window.query.search_now()
            await wait_for(lambda: window.table_model.query.search == "")
            assert window.table_model.rowCount() == 6000
            assert db_ids(data_dir, "SELECT count(*) FROM profiles")[0] == 1
        finally:
            await close_main_window(window)

    run(scenario())


def test_user_grantor_list_asks_for_columns_then_reports(qtbot, run, data_dir, tmp_path):
    from PySide6.QtWidgets import QApplication

    from catalynx_desktop.domain.runs import RunStatus
    from catalynx_desktop.ui.dialogs.import_dialogs import ColumnMappingDialog, ImportReportDialog

    grantors = tmp_path / "our grantors.csv"
    grantors.write_text(
        "Foundation,Grantor EIN,Gift Date,Gift Amount,ST\n"
        "Lake Champlain Fund,12-3456789,2025-03-01,5000,VT\n"
        "Green Mountain Trust,98-7654321,2024-11-15,12500,VT\n"
        "No Such Place,not-an-ein,2024-01-01,100,VT\n",
        encoding="utf-8",
    )

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            task = asyncio.ensure_future(window.workflows.import_files([grantors]))
            await wait_for(
                lambda: any(
                    isinstance(w, ColumnMappingDialog) and w.isVisible()
                    for w in QApplication.topLevelWidgets()
                )
            )
            dialog = next(
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, ColumnMappingDialog) and w.isVisible()
            )
            assert dialog.preview.header[0] == "Foundation" and len(dialog.preview.rows) == 3
            dialog.choices["name"].setCurrentIndex(dialog.choices["name"].findData("Foundation"))
            dialog.choices["ein"].setCurrentIndex(dialog.choices["ein"].findData("Grantor EIN"))
            dialog.accept()
            handles = await task
            await window.workflows.wait_all()
            result = await handles[0].wait()
            assert result.status is RunStatus.SUCCEEDED
            output = result.output("import")
            assert output["skipped"] == 1 and output["inserted"] == 2
            assert any("our grantors.csv, record 4: EIN" in line for line in output["first_errors"])
            assert any(
                isinstance(w, ImportReportDialog) and w.isVisible() for w in QApplication.topLevelWidgets()
            )
            names = db_ids(
                data_dir, "SELECT name FROM source_records WHERE source = 'user_list' ORDER BY name"
            )
            assert names == ["Green Mountain Trust", "Lake Champlain Fund"]
        finally:
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, ImportReportDialog):
                    widget.close()
            await close_main_window(window)

    run(scenario())


def test_discover_started_from_the_menu_shows_progress_and_cancels(qtbot, run, data_dir):
    """Start Discover with its menu action, watch the Workflows dock's progress bar move, press
    its Cancel button: the run ends cancelled (kept in the history) and the table stays usable."""
    from catalynx_desktop.domain.runs import RunStatus

    seed_demo(run, data_dir, profiles=1, opportunities=100)
    with sqlite3.connect(resolve_paths(data_dir).database) as conn:  # many candidates, quickly
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000) "
            "INSERT INTO source_records (source, source_id, kind, name, funder_name, state, ntee_code, "
            "subsection, foundation_code, is_grant_maker, assets, income) "
            "SELECT 'irs_bmf', printf('%09d', i), 'foundation', 'Org ' || i, 'Org ' || i, 'VT', 'B20', '03', "
            "'04', 1, i * 1000, i * 100 FROM n"
        )

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            window.workflows.discover_action.trigger()
            panel = window.workflows.panel
            await wait_for(lambda: panel.running_rows(), timeout=30)
            row = next(iter(panel.running_rows().values()))
            # issue 15: the run shows in the status bar; the dock opens on request ("Details…")
            assert not window.workflows.dock.isVisible()
            assert window.long_action.cancel_button.isVisibleTo(window)
            window.long_action.details_link.linkActivated.emit("details")
            assert window.workflows.dock.isVisible()
            await wait_for(lambda: row.progress_bar.value() > 0, timeout=60)
            QTest.mouseClick(row.cancel_button, Qt.MouseButton.LeftButton)
            await window.workflows.wait_all()
            result = window.workflows.finished[-1]
            assert result.status is RunStatus.CANCELLED
            await panel.refresh()
            assert str(panel.history_model.index(0, 1).data()).lower() == "cancelled"
            assert window.table_model.rowCount() >= 100  # committed batches stay; the view refreshed
            assert db_ids(data_dir, "SELECT count(*) FROM workflow_runs WHERE status = 'cancelled'")[0] == 1
        finally:
            await close_main_window(window)

    run(scenario(), timeout=180)


def test_settings_dialog_validates_weights_and_restores_defaults(qtbot, run, data_dir):
    from catalynx_desktop.settings import Settings
    from catalynx_desktop.ui.dialogs.settings_dialog import SettingsDialog

    window = run(open_main_window(data_dir))
    try:
        dialog = SettingsDialog(
            window, window.services.settings, window.services.paths.data_dir, window.services.cache
        )
        for spin in dialog.weights.values():
            spin.setValue(0.0)
        dialog.accept()  # refused: all-zero weights cannot score anything
        assert dialog.result() != SettingsDialog.DialogCode.Accepted
        assert "weights" in dialog.problem.text()
        dialog.weights["mission"].setValue(2.0)
        chosen = dialog.chosen()
        assert chosen.scoring_weights().mission == 2.0 and chosen.scoring_weights().geography == 0.0
        dialog._fill(Settings())
        assert dialog.chosen() == Settings()
    finally:
        run(close_main_window(window))


def test_filters_chips_counts_saved_views_and_filtered_export(qtbot, run, data_dir, tmp_path):
    from catalynx_desktop.domain.query import OpportunityFilters
    from catalynx_desktop.ui.models.saved_views import list_views
    from catalynx_desktop.ui.widgets.filter_bar import FilterDialog

    seed_demo(run, data_dir, profiles=1, opportunities=5000)

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            dialog = FilterDialog(window, OpportunityFilters())
            dialog.min_amount.setText("100,000")
            dialog.states.setText("vt, nh")
            filters = dialog.chosen()
            assert filters == OpportunityFilters(min_amount=100_000, states=("VT", "NH"))
            dialog.min_amount.setText("9")
            dialog.max_amount.setText("1")
            dialog.accept()
            assert "larger" in dialog.problem.text()  # refused with a reason

            await window.query.apply_filters(filters)
            expected = db_ids(
                data_dir,
                "SELECT count(*) FROM opportunities WHERE amount >= 100000 AND state IN ('VT', 'NH')",
            )[0]
            assert 0 < expected < 5000
            # A broad filter shows its first page at once, then grows to the exact count.
            if not window.table_model.total_is_exact:
                assert window.table_model.rowCount() == PAGE_SIZE
                assert window.status_label.text().startswith(f"{PAGE_SIZE}+ opportunities")
                assert "counting" in window.status_label.text()
            await window.table_model.wait_exact()
            assert window.table_model.rowCount() == expected
            assert window.status_label.text().startswith(f"{expected:,} opportunities")
            assert len(window.query.filter_bar.chip_labels) == 3  # amount, states, "Clear all"

            window.saved_views.save_current("Big northern grants")
            # remove the states chip: more rows again
            chip = next(c for c in window.query.filter_bar._chips if c.text().startswith("State"))
            chip.click()
            await wait_for(lambda: window.table_model.query.filters.states == ())
            more = db_ids(data_dir, "SELECT count(*) FROM opportunities WHERE amount >= 100000")[0]
            await window.table_model.wait_exact()
            assert window.table_model.rowCount() == more

            target = tmp_path / "filtered.csv"
            view = next(v for v in list_views(window.settings) if v.name == "Big northern grants")
            await window.saved_views.open(view)
            await window.table_model.wait_exact()
            assert window.table_model.rowCount() == expected
            handle = await window.workflows.export(window.table_model.query, target, "csv")
            await window.workflows.wait_all()
            await handle.wait()
            lines = target.read_text(encoding="utf-8-sig").splitlines()
            assert len(lines) == expected + 1
        finally:
            await close_main_window(window)

    run(scenario())


def test_dashboard_shows_the_profile_and_updates_after_a_move(qtbot, run, data_dir):
    from catalynx_desktop.domain.dashboard import AMOUNT_BUCKETS

    seed_demo(run, data_dir, profiles=1, opportunities=2000)

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            window.dashboard.dock.show()
            window.dashboard.dock.raise_()
            await wait_for(
                lambda: window.dashboard.panel is not None and window.dashboard.panel.data is not None
            )
            data = window.dashboard.panel.data
            assert data.total == 2000
            assert sum(data.amount_counts) == 2000 and len(data.amount_counts) == len(AMOUNT_BUCKETS)
            soon = db_ids(
                data_dir,
                "SELECT count(*) FROM opportunities WHERE close_date BETWEEN date('now') "
                "AND date('now', '+90 days')",
            )[0]
            assert sum(data.deadlines_per_week) == soon
            first = window.table_model.index(0, 0).data(Qt.ItemDataRole.UserRole + 1)
            before = data.stage_counts[Stage.APPROACH]
            stage_before = db_ids(data_dir, "SELECT stage FROM opportunities WHERE id = ?", (first,))[0]
            await window.stage_moves.move([first], Stage.APPROACH)
            expected = before + (0 if stage_before == "approach" else 1)
            await wait_for(lambda: window.dashboard.panel.data.stage_counts[Stage.APPROACH] == expected)
            image = window.dashboard.panel.grab()
            assert image.width() > 100
        finally:
            await close_main_window(window)

    run(scenario())


def test_the_move_dialog_moves_the_selection_with_its_reason(qtbot, run, data_dir):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from catalynx_desktop.ui.dialogs.stage_move_dialog import StageMoveDialog

    seed_demo(run, data_dir, profiles=1, opportunities=300)

    def answer_dialog() -> None:
        dialog = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, StageMoveDialog) and w.isVisible()
        )
        dialog.stage.setCurrentIndex(dialog.stage.findText("Examine", Qt.MatchFlag.MatchStartsWith))
        dialog.reason.setText("strong fit")
        dialog.accept()

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            window.table.selectRow(0)
            opportunity_id = window.table_model.row_at(0).id
            QTimer.singleShot(50, answer_dialog)
            await window.stage_moves.move_selection_dialog()
            history = await window.services.opportunities.stage_history(opportunity_id)
            assert history[-1].to_stage is Stage.EXAMINE and history[-1].reason == "strong fit"
            assert window.errors.last is None
            assert window.undo_action.isEnabled()
        finally:
            await close_main_window(window)

    run(scenario())


def test_a_window_that_fails_to_open_closes_its_database(qtbot, run, data_dir, monkeypatch):
    """Otherwise the database threads keep the process alive after the error (seen: a failed
    --self-test that printed FAILED and then hung)."""
    import pytest

    from catalynx_desktop.ui.main_window import MainWindow

    opened: list[AppServices] = []
    real_open = AppServices.open

    async def recording_open(paths):
        services = await real_open(paths)
        opened.append(services)
        return services

    async def broken_reload(self):
        raise RuntimeError("profile list unreadable")

    monkeypatch.setattr(AppServices, "open", staticmethod(recording_open))
    monkeypatch.setattr(MainWindow, "reload", broken_reload)
    with pytest.raises(RuntimeError, match="unreadable"):
        run(open_main_window(data_dir))
    assert opened and opened[0].db.closed
