"""Issue 15, "a researcher's first hour", through the real window on real files: runs report in
the status bar (not a dock over half the window), a guided first run, the profile dialog, demo
data kept apart, and the small bugs found on the way."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.runs import RunStatus

HERE = Path(__file__).resolve()
VT = HERE.parents[1] / "data" / "eo_vt.csv"
if not VT.exists():
    VT = HERE.parents[3] / "shared" / "data" / "irs_eo_bmf" / "eo_vt.csv"


async def wait_for(predicate, limit: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + limit
    while not predicate():
        await asyncio.sleep(0.02)
        assert asyncio.get_running_loop().time() < deadline, "condition never met"


def status_text(window) -> str:
    return window.status_label.text()


def test_runs_report_in_the_status_bar_with_words_and_the_dock_opens_on_request(
    qtbot, run, data_dir, tmp_path
):
    async def scenario():
        window = await open_main_window(data_dir)
        qtbot.addWidget(window)
        window.show()
        try:
            await window.profiles.save(
                Profile(
                    name="Green Mountain Arts", ntee_code="A20", states=("VT",), target_ntee_codes=("A20",)
                )
            )
            handles = await window.workflows.import_files([VT], show_report=False)
            # the status bar shows the run (progress + Cancel + Details…), the dock stays shut
            assert window.long_action.progress.isVisible()
            assert window.long_action.cancel_button.isVisible()
            assert window.long_action.details_link.isVisible()
            assert status_text(window).startswith("Import eo_vt.csv")
            await window.workflows.wait_all()
            assert (await handles[0].wait()).status is RunStatus.SUCCEEDED
            assert not window.workflows.dock.isVisible()
            assert not window.long_action.progress.isVisible()
            text = status_text(window)
            assert text.startswith("Import eo_vt.csv: done in "), text
            assert "6,535 read" in text and "6,535 new" in text and "from_cache" not in text

            await window.workflows.discover_current_profile()
            await window.workflows.wait_all()
            assert not window.workflows.dock.isVisible()
            assert status_text(window).startswith("Discover — Green Mountain Arts: done in ")
            found = window.table_model.rowCount()
            assert f"{found:,} matches" in status_text(window)

            await window.workflows.export(window.table_model.query, tmp_path / "shortlist.csv", "csv")
            await window.workflows.wait_all()
            assert not window.workflows.dock.isVisible()
            assert status_text(window).startswith(f"Export {found:,} rows: done in ")

            # "Details…" opens the dock; its history names runs and profiles in words
            window.long_action.details_link.linkActivated.emit("details")
            assert window.workflows.dock.isVisible()
            panel = window.workflows.panel
            await panel.refresh()
            await panel.wait_idle()
            history = panel.history_model
            titles = [history.index(r, 0).data() for r in range(history.rowCount())]
            assert titles == [f"Export {found:,} rows", "Discover — Green Mountain Arts", "Import eo_vt.csv"]
            results = [history.index(r, 4).data() for r in range(history.rowCount())]
            assert "6,535 new" in results[2] and "from_cache" not in results[2]
            assert f"{found:,} matches" in results[1]
            await panel.show_run(handles[0].run_id + 1)  # the Discover run
            assert "profile_id" not in panel.details_label.text()
            assert "for Green Mountain Arts" in panel.details_label.text()
        finally:
            await close_main_window(window)

    run(scenario(), timeout=240)


def visible_dialog(kind):
    from PySide6.QtWidgets import QApplication

    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)


def test_guided_first_run_from_empty_window_to_ranked_matches(qtbot, run, data_dir):
    from catalynx_desktop.ui.dialogs.profile_dialog import ProfileDialog

    async def scenario():
        window = await open_main_window(data_dir)
        qtbot.addWidget(window)
        window.show()
        try:
            # the empty window says what to import and where to get it
            assert window.stack.currentWidget() is window.empty_state
            welcome = window.empty_state.title.text()
            for url in (
                "https://www.irs.gov/charities-non-profits/exempt-organizations-business-master-file-extract-eo-bmf",
                "https://www.grants.gov/xml-extract",
                "https://www.irs.gov/charities-non-profits/form-990-series-downloads",
            ):
                assert url in welcome
            assert window.empty_state.import_button.isVisible()
            guide = window.guide.bar
            assert not guide.isVisible()

            await window.workflows.import_files([VT], show_report=False)
            await window.workflows.wait_all()
            assert guide.isVisible()
            assert "6,535 records arrived" in guide.text.text()
            assert guide.action_button.text() == "Create a profile…"

            guide.action_button.click()  # opens the profile dialog (the bar closes)
            await wait_for(lambda: visible_dialog(ProfileDialog) is not None)
            assert not guide.isVisible()
            dialog = visible_dialog(ProfileDialog)
            dialog.name.setText("Green Mountain Arts")
            dialog.states.setText("VT")
            dialog.target_ntee.setText("A20")
            dialog.accept()
            await wait_for(lambda: window.profiles.current_id is not None and guide.isVisible())
            assert "Profile “Green Mountain Arts” saved" in guide.text.text()
            assert "6,535" in guide.text.text()
            assert guide.action_button.text() == "Discover"

            guide.action_button.click()
            await wait_for(lambda: window.workflows._followers)
            await window.workflows.wait_all()
            found = window.table_model.rowCount()
            assert found > 0
            assert f"Discover found {found:,} matches for “Green Mountain Arts”" in guide.text.text()
            assert not guide.action_button.isVisible()
            guide.close_button.click()  # dismissible
            assert not guide.isVisible()
        finally:
            await close_main_window(window)

    run(scenario(), timeout=240)


def test_profile_dialog_picks_ntee_codes_by_name_validates_codes_and_states_and_explains_fields(
    qtbot, run, data_dir
):
    import pytest

    from catalynx_desktop.ui.dialogs.profile_dialog import ProfileDialog

    async def scenario():
        window = await open_main_window(data_dir)
        qtbot.addWidget(window)
        try:
            window.new_profile_action.trigger()
            await wait_for(lambda: visible_dialog(ProfileDialog) is not None)
            dialog = visible_dialog(ProfileDialog)
            assert dialog.width() >= 680
            texts = " ".join(label.text() for label in dialog.findChildren(type(dialog.error)))
            for words in ("fields of the funders' giving", "programs in your own words", "must appear"):
                assert words in texts  # targets vs focus areas vs keywords, explained

            dialog.name.setText("Valley Food Bank")
            dialog.target_ntee.setText("food")
            dialog.states.setText("VT")
            dialog.accept()
            assert dialog.isVisible()  # refused, with the reason shown
            assert "'food' is not an NTEE code" in dialog.error.text()

            # the picker finds codes by a word of their name and puts in the code
            completer = dialog.target_completer
            completer.setCompletionPrefix("food")
            offered = [
                completer.completionModel().index(r, 0).data() for r in range(completer.completionCount())
            ]
            k31 = next(i for i, text in enumerate(offered) if text.startswith("K31 "))
            assert "Food Banks" in offered[k31]
            dialog.target_ntee.setText(completer.pathFromIndex(completer.completionModel().index(k31, 0)))
            assert dialog.target_ntee.text() == "K31"
            assert "K31 Food Banks & Pantries" in dialog.target_help.text()

            for bad in ("XX", "ZZ"):
                dialog.states.setText(f"VT, {bad}")
                dialog.accept()
                assert dialog.isVisible() and f"State '{bad}' is not a US state" in dialog.error.text()
            dialog.states.setText("VT, PR")
            dialog.accept()
            assert not dialog.isVisible()
            await wait_for(lambda: window.profiles.current_id is not None)
            saved = window.profile_selection.profile()
            assert saved.target_ntee_codes == ("K31",) and saved.states == ("PR", "VT")
        finally:
            await close_main_window(window)

    run(scenario())
    with pytest.raises(ValueError, match="at most 300"):
        Profile(name="x" * 300_001).validated()
    with pytest.raises(ValueError, match="Keywords"):
        Profile(name="ok", keywords=tuple(f"k{i}" for i in range(51))).validated()


def test_a_huge_stored_profile_name_is_shown_elided_without_crashing(qtbot, run, data_dir):
    """Issue 14 item 11: a 300,000-character name stored behind the app's back (older version,
    another tool) is shown elided in the profile list; the window stays up."""
    import sqlite3

    from catalynx_desktop.paths import resolve_paths
    from catalynx_desktop.services import AppServices

    async def create_db():
        services = await AppServices.open(resolve_paths(data_dir))
        await services.close()

    run(create_db())
    with sqlite3.connect(resolve_paths(data_dir).database) as conn:
        conn.execute("INSERT INTO profiles (name) VALUES (?)", ("Long " * 60_000,))

    async def scenario():
        window = await open_main_window(data_dir)
        qtbot.addWidget(window)
        window.show()
        try:
            await asyncio.sleep(0.2)  # paint the list
            shown = window.profiles.model.index(0, 0).data()
            assert shown.startswith("Long Long") and shown.endswith("…") and len(shown) <= 200
            tooltip = window.profiles.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
            assert len(tooltip) < 1_000
            window.profiles.view.viewport().repaint()
        finally:
            await close_main_window(window)

    run(scenario())


def test_demo_data_opens_in_its_own_directory_and_never_mixes_with_real_work(qtbot, run, data_dir, tmp_path):
    import sqlite3
    import subprocess
    import sys

    from PySide6.QtWidgets import QToolBar

    from catalynx_desktop.paths import DEMO_MARKER, resolve_paths
    from catalynx_desktop.ui.controllers.demo_loader import window_command
    from catalynx_desktop.workflows.demo.generator import DemoPlan

    readme = (HERE.parents[2] / "README.md").read_text(encoding="utf-8")
    assert "catalynx-desktop demo --data-dir ~/catalynx-demo" in readme
    opened: list[Path] = []

    async def scenario():
        window = await open_main_window(data_dir)
        qtbot.addWidget(window)
        try:
            toolbar_actions = window.findChild(QToolBar, "main-toolbar").actions()
            assert window.demo_action not in toolbar_actions  # not a daily tool
            assert window.demo_action in window.menuBar().actions()[0].menu().actions()  # File menu
            await window.profiles.save(Profile(name="Real Org", states=("VT",)))
            window.demo.open_window = lambda directory: opened.append(directory) or True
            await window.demo.open_demo(DemoPlan(2, 2_000, seed=3))
            assert "own window" in status_text(window)
            assert window.profiles.model.rowCount() == 1  # this window: still only the real profile
        finally:
            await close_main_window(window)

    run(scenario())
    demo_dir = data_dir / "demo"
    assert opened == [demo_dir]
    assert (demo_dir / DEMO_MARKER).exists()
    with sqlite3.connect(resolve_paths(data_dir).database) as conn:
        assert conn.execute("SELECT name FROM profiles").fetchall() == [("Real Org",)]
        assert conn.execute("SELECT count(*) FROM opportunities").fetchone()[0] == 0
    with sqlite3.connect(resolve_paths(demo_dir).database) as conn:
        assert conn.execute("SELECT count(*) FROM profiles").fetchone()[0] == 2

    # the demo window knows it is the demo, and opens no further window
    async def demo_window():
        window = await open_main_window(demo_dir)
        try:
            assert window.windowTitle().endswith("(demo data)")
            await window.demo.open_demo(DemoPlan(1, 500, seed=4))
            assert "shows the demo data already" in status_text(window)
            assert window.profiles.model.rowCount() == 2
        finally:
            await close_main_window(window)

    run(demo_window())
    assert len(opened) == 1

    # the command that opens the second window really starts this app on that directory
    command = window_command(demo_dir)
    listed = subprocess.run([*command, "paths"], capture_output=True, text=True, timeout=60, check=True)
    assert str(demo_dir) in listed.stdout
    # and the README's demo command marks its directory as demo data
    cli_dir = tmp_path / "catalynx-demo"
    subprocess.run(
        [sys.executable, "-m", "catalynx_desktop", "demo", "--data-dir", str(cli_dir), "--profiles", "1",
         "--opportunities", "100"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert (cli_dir / DEMO_MARKER).exists()


def seed_demo(run, data_dir, profiles=1, opportunities=300):
    from catalynx_desktop.paths import resolve_paths
    from catalynx_desktop.services import AppServices
    from catalynx_desktop.workflows.demo.generator import DemoPlan

    async def seed():
        services = await AppServices.open(resolve_paths(data_dir))
        try:
            return await services.load_demo(DemoPlan(profiles, opportunities, seed=11))
        finally:
            await services.close()

    return run(seed())


def stages_of(data_dir, ids):
    import sqlite3

    from catalynx_desktop.paths import resolve_paths

    with sqlite3.connect(resolve_paths(data_dir).database) as conn:
        return [conn.execute("SELECT stage FROM opportunities WHERE id = ?", (i,)).fetchone()[0] for i in ids]


def test_move_dialog_starts_on_the_next_stage_a_no_op_is_not_undone_and_undo_is_multi_level(
    qtbot, run, data_dir
):
    from PySide6.QtCore import QItemSelectionModel, QTimer

    from catalynx_desktop.domain.stages import Stage, next_stage
    from catalynx_desktop.ui.dialogs.stage_move_dialog import StageMoveDialog

    seed_demo(run, data_dir)
    offered: list[Stage] = []
    in_stage: list[str] = []

    def answer_with_the_stage_it_is_in() -> None:
        dialog = visible_dialog(StageMoveDialog)
        offered.append(dialog.chosen()[0])
        label = Stage(in_stage[0]).label
        dialog.stage.setCurrentIndex(dialog.stage.findText(label, Qt.MatchFlag.MatchStartsWith))
        dialog.accept()

    async def scenario():
        window = await open_main_window(data_dir)
        qtbot.addWidget(window)
        try:
            model, moves = window.table_model, window.stage_moves
            ids = [model.row_at(r).id for r in range(3)]
            originals = stages_of(data_dir, ids)
            first_target = Stage.PLAN if originals[0] != "plan" else Stage.ANALYZE
            await moves.move(ids[:2], first_target)
            third_target = Stage.EXAMINE if originals[2] != "examine" else Stage.APPROACH
            await moves.move(ids[2:], third_target)

            # Ctrl+M on row 0 (now in first_target): the dialog offers the stage after it
            window.table.setFocus()
            window.table.selectionModel().setCurrentIndex(
                model.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
            assert window.move_action.isEnabled()
            in_stage.append(first_target.value)
            QTimer.singleShot(50, answer_with_the_stage_it_is_in)  # OK on the stage it is in: a no-op
            await moves.move_selection_dialog()
            assert offered == [next_stage(first_target)]
            assert status_text(window) == f"Nothing moved: already in {first_target.label}."

            # undo goes back move by move (the no-op is not one of them), redo forward again
            await moves.undo()
            assert stages_of(data_dir, ids) == [first_target.value] * 2 + originals[2:]
            await moves.undo()
            assert stages_of(data_dir, ids) == originals
            assert not window.undo_action.isEnabled() and window.redo_action.isEnabled()
            assert window.redo_action.shortcut().toString() == "Ctrl+Shift+Z"
            await moves.redo()
            assert stages_of(data_dir, ids[:2]) == [first_target.value] * 2
            await moves.redo()
            assert stages_of(data_dir, ids[2:]) == [third_target.value]
            assert window.undo_action.isEnabled() and not window.redo_action.isEnabled()
        finally:
            await close_main_window(window)

    run(scenario())


def test_actions_are_enabled_only_when_they_apply_and_export_labels_have_mnemonics(qtbot, run, data_dir):
    from PySide6.QtWidgets import QLabel

    from catalynx_desktop.ui.dialogs.export_dialog import ExportDialog

    async def scenario():
        window = await open_main_window(data_dir)
        qtbot.addWidget(window)
        try:
            actions = (
                window.edit_profile_action,
                window.delete_profile_action,
                window.move_action,
                window.workflows.export_action,
            )
            assert not any(a.isEnabled() for a in actions)  # no profile yet
            await window.profiles.edit_dialog()
            assert status_text(window) == "Select a profile to edit first (or create one: Ctrl+N)."
            await window.profiles.save(Profile(name="Harbor Arts", states=("ME",)))
            await window.first_rows_shown.wait()
            assert window.edit_profile_action.isEnabled() and window.delete_profile_action.isEnabled()
            assert window.workflows.export_action.isEnabled()
            assert not window.move_action.isEnabled()  # nothing selected (the profile has no rows)
            await window.profiles.delete(window.profiles.current_id)
            assert not any(a.isEnabled() for a in actions)
        finally:
            await close_main_window(window)

    run(scenario())
    dialog = ExportDialog(None, view_rows=10)
    qtbot.addWidget(dialog)
    file_label = next(label for label in dialog.findChildren(QLabel) if label.text() == "&File")
    assert file_label.buddy() is dialog.path  # shown as "File" with its Alt+F, not "&File"


def test_dashboard_charts_are_readable_at_the_dock_width(qtbot, run, data_dir):
    from PySide6.QtGui import QFontMetrics

    seed_demo(run, data_dir, opportunities=2000)

    async def scenario():
        window = await open_main_window(data_dir)
        qtbot.addWidget(window)
        window.show()
        try:
            dock = window.dashboard.dock
            dock.show()
            dock.raise_()
            await wait_for(
                lambda: window.dashboard.panel is not None and window.dashboard.panel.data is not None
            )
            panel = window.dashboard.panel
            panel.resize(320, 700)
            await asyncio.sleep(0.1)

            def labels(plot, side):
                return [text for _pos, text in plot.getAxis(side)._tickLevels[0]]

            amounts = labels(panel.amounts, "left")
            assert amounts[0] == "not stated" and len(amounts) == 7  # every bucket labelled
            for plot, side in (
                (panel.funnel, "bottom"),
                (panel.amounts, "bottom"),
                (panel.deadlines, "left"),
            ):
                counts = labels(plot, side)
                assert all(text.replace(",", "").isdigit() for text in counts), counts  # whole numbers
            # labels across the bottom fit the dock's width side by side (no overlap)
            for plot in (panel.deadlines, panel.funnel, panel.amounts):
                axis = plot.getAxis("bottom")
                metrics = QFontMetrics(axis.style.get("tickFont") or plot.font())
                texts = labels(plot, "bottom")
                needed = sum(metrics.horizontalAdvance(t) + 8 for t in texts)
                assert needed < 320 - 60, (texts, needed)
        finally:
            await close_main_window(window)

    run(scenario())


def test_the_status_bar_cancel_stops_a_run(qtbot, run, data_dir):
    async def scenario():
        window = await open_main_window(data_dir)
        qtbot.addWidget(window)
        window.show()
        try:
            handles = await window.workflows.import_files([VT], show_report=False)
            assert window.long_action.cancel_button.isVisible()
            window.long_action.cancel_button.click()  # before the import got far
            await window.workflows.wait_all()
            assert (await handles[0].wait()).status is RunStatus.CANCELLED
            assert status_text(window).startswith("Import eo_vt.csv: cancelled in ")
            assert not window.long_action.cancel_button.isVisible()
            assert not window.guide.bar.isVisible()  # nothing arrived to build on
        finally:
            await close_main_window(window)

    run(scenario())
