"""The Workflows panel on a real database, engine and run store (qasync loop, offscreen Qt).

A run started from code shows up with a live progress bar, the Cancel button stops it, and it
lands in the lazy history table as 'cancelled' with its steps; the history model passes Qt's
model tester with several pages of runs.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMainWindow

from catalynx_desktop.domain.runs import RunStatus, utc_now
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.workflow_run_store import SqliteRunStore
from catalynx_desktop.ui.async_tasks import TaskRunner
from catalynx_desktop.ui.models.run_history_model import (
    PAGE_SIZE,
    RUN_ID_ROLE,
    RunHistoryModel,
    format_duration,
)
from catalynx_desktop.ui.widgets.workflows_panel import WorkflowsPanel, create_workflows_dock
from catalynx_desktop.workflows.engine import Step, StepContext, Workflow, WorkflowEngine

LOOP_ITEMS = 300


async def until(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def prepare(ctx: StepContext) -> int:
    ctx.set_counts(prepared=1)
    return LOOP_ITEMS


async def slow_loop(ctx: StepContext, total: int) -> None:
    for done in range(1, total + 1):
        ctx.check_cancelled()
        await asyncio.sleep(0.01)
        if done % 10 == 0:
            ctx.set_counts(processed=done)
        ctx.progress(done, total, f"item {done} of {total}")


async def finish(ctx: StepContext) -> None:
    ctx.set_counts(finished=1)


async def boom(ctx: StepContext) -> None:
    raise RuntimeError("boom: source file missing")


SLOW = Workflow(
    "Slow test",
    (
        Step("prepare", prepare),
        Step("loop", slow_loop, depends_on=("prepare",), takes=("prepare",), weight=10),
        Step("finish", finish, depends_on=("loop",)),
    ),
)
FAILING = Workflow("Failing test", (Step("load", boom),))


def cell(model: Any, row: int, column: int) -> str:
    return str(model.data(model.index(row, column)))


def test_run_shows_progress_cancels_and_lands_in_history_with_steps(qtbot, run, tmp_path) -> None:
    db = run(Database.open(tmp_path / "db.sqlite3"))
    store = SqliteRunStore(db)
    engine = WorkflowEngine(store, progress_interval=0.05)
    panel = WorkflowsPanel(engine, store, TaskRunner())
    qtbot.addWidget(panel)
    panel.resize(900, 700)

    # One coroutine for the whole scenario: the loop keeps running while the workflow does
    # (qasync's run_until_complete runs leftover callbacks outside the loop when it returns).
    async def scenario() -> None:
        panel.show()
        await panel.refresh()
        assert panel.history_model.rowCount() == 0
        assert panel.idle_label.isVisible()

        handle = await engine.start(SLOW, {"profile_id": 7})
        rows = panel.running_rows()
        assert list(rows) == [handle.run_id]  # appeared through engine.on_run_started
        row = rows[handle.run_id]
        assert "Slow test" in row.name_label.text() and "profile_id 7" in row.name_label.text()
        assert not panel.idle_label.isVisible()

        # the bar advances live, with message and ETA
        await until(lambda: row.progress_bar.value() > 0, what="first progress")
        first = row.progress_bar.value()
        await until(lambda: row.progress_bar.value() > first + 20, what="progress to advance")
        assert "loop: item" in row.message_label.text()
        await until(lambda: "left" in row.eta_label.text(), what="an ETA")
        assert "elapsed" in row.eta_label.text()
        assert "processed" in row.message_label.toolTip()  # the step's counts
        assert row.progress_bar.value() < row.progress_bar.maximum()

        # the history lists it as running (refreshed once the run was stored as running)
        await panel.wait_idle()
        assert panel.history_model.rowCount() == 1
        assert cell(panel.history_model, 0, 1) == "running"

        # Cancel, the way a user does it
        QTest.mouseClick(row.cancel_button, Qt.MouseButton.LeftButton)
        assert not row.cancel_button.isEnabled()
        result = await handle.wait()
        assert result.status == RunStatus.CANCELLED

        # the row leaves the list; the history refreshes to the final status
        await until(lambda: not panel.running_rows(), what="the run to leave the list")
        await panel.wait_idle()
        assert panel.idle_label.isVisible()
        model = panel.history_model
        assert model.rowCount() == 1
        assert cell(model, 0, 0) == "Slow test"
        assert cell(model, 0, 1) == "cancelled"
        assert cell(model, 0, 3) != "running"
        assert "processed" in cell(model, 0, 4)
        assert "cancelled by user" in cell(model, 0, 5)
        assert model.data(model.index(0, 0), RUN_ID_ROLE) == handle.run_id

        # selecting it shows its steps
        panel.history_view.selectRow(0)
        await until(lambda: panel.steps_model.rowCount() == 3, what="the steps")
        steps = panel.steps_model
        assert [cell(steps, r, 0) for r in range(3)] == ["prepare", "loop", "finish"]
        assert [cell(steps, r, 1) for r in range(3)] == ["succeeded", "cancelled", "cancelled"]
        assert cell(steps, 0, 2) == "1"  # attempt
        assert cell(steps, 1, 3) != "—" and cell(steps, 1, 5) != "—"  # started, duration
        assert "processed" in cell(steps, 1, 6)
        assert "cancelled" in cell(steps, 1, 7)
        assert "cancelled" in panel.details_label.text()
        assert panel.details_run_id == handle.run_id

        # a failing run: its error shows in the history, the selection stays on the chosen run
        failed = await engine.run(FAILING)
        assert failed.status == RunStatus.FAILED
        await until(lambda: panel.history_model.rowCount() == 2, what="history to refresh")
        await panel.wait_idle()
        assert cell(model, 0, 1) == "failed" and "boom" in cell(model, 0, 5)
        assert panel.details_run_id == handle.run_id
        assert panel.history_view.currentIndex().row() == 1

    try:
        run(scenario(), timeout=30)
    finally:
        panel.detach()
        run(engine.shutdown())
        run(db.close())


def test_panel_picks_up_runs_already_in_flight_and_dock_shows_on_start(qtbot, run, tmp_path) -> None:
    db = run(Database.open(tmp_path / "db.sqlite3"))
    store = SqliteRunStore(db)
    engine = WorkflowEngine(store, progress_interval=0.05)
    window = QMainWindow()
    qtbot.addWidget(window)
    panels: list[WorkflowsPanel] = []

    async def scenario() -> None:
        early = await engine.start(SLOW)
        dock, panel = create_workflows_dock(window, engine, store, TaskRunner())
        panels.append(panel)
        assert early.run_id in panel.running_rows()  # started before the panel existed
        assert dock.toggleViewAction().shortcut().toString() == "Ctrl+Shift+W"
        window.show()
        dock.hide()
        later = await engine.start(SLOW)
        assert dock.isVisible()  # a new run shows the dock
        assert set(panel.running_rows()) == {early.run_id, later.run_id}
        # Cancel once the steps are under way: cancelling in the instant between a step task's
        # creation and its start ends the run 'failed' and wait() raises CancelledError
        # (engine race, reported to the engine's owner).
        await until(
            lambda: all(r.progress_bar.value() > 0 for r in panel.running_rows().values()), what="progress"
        )
        for handle in (early, later):
            panel.running_rows()[handle.run_id].cancel_button.click()
        assert {(await h.wait()).status for h in (early, later)} == {RunStatus.CANCELLED}
        await until(lambda: not panel.running_rows(), what="both runs to leave")
        await panel.wait_idle()
        assert [cell(panel.history_model, r, 1) for r in range(2)] == ["cancelled", "cancelled"]

    try:
        run(scenario(), timeout=30)
    finally:
        for panel in panels:
            panel.detach()
        run(engine.shutdown())
        run(db.close())


async def fill_history(store: SqliteRunStore, runs: int) -> None:
    statuses = [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.PARTIAL]
    for n in range(runs):
        run_id = await store.create_run(f"Workflow {n % 3}", {"n": n}, ["parse", "save"])
        started = utc_now()
        await store.run_started(run_id, started)
        status = statuses[n % len(statuses)]
        await store.run_finished(
            run_id,
            status,
            started,
            utc_now(),
            {"rows": n},
            "" if status == RunStatus.SUCCEEDED else f"error {n}",
        )


class CountingStore:
    """SqliteRunStore that records how the model paged (keyset vs offset)."""

    def __init__(self, store: SqliteRunStore) -> None:
        self._store = store
        self.calls: list[tuple[bool, int]] = []  # (keyset, offset)

    async def count_runs(self, **kw: Any) -> int:
        return await self._store.count_runs(**kw)

    async def history_page(self, **kw: Any) -> Any:
        self.calls.append((kw.get("after") is not None, kw.get("offset", 0)))
        return await self._store.history_page(**kw)


def test_history_model_passes_model_tester_and_pages_by_key(qtmodeltester, qtbot, run, tmp_path) -> None:
    db = run(Database.open(tmp_path / "db.sqlite3"))
    try:
        store = SqliteRunStore(db)
        run(fill_history(store, 600))
        source = CountingStore(store)
        model = RunHistoryModel(source, TaskRunner())
        run(model.refresh())
        assert model.rowCount() == 600
        # The tester stays connected: page loads (dataChanged) and refreshes (resets) are checked too.
        qtmodeltester.check(model, force_py=True)
        run(model.wait_idle())

        async def load_all() -> list[int]:
            ids = []
            for row in range(model.rowCount()):
                if model.run_at(row) is None:
                    await model.wait_idle()
                run_ = model.run_at(row)
                assert run_ is not None, row
                ids.append(run_.id)
            return ids

        source.calls.clear()
        ids = run(load_all())
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == 600  # newest first, no gaps
        assert source.calls and all(keyset for keyset, _ in source.calls)  # sequential pages by key

        # a jump (End key / scroll-bar drag) to a page whose predecessor is not cached: offset
        run(model.refresh())
        source.calls.clear()
        assert model.run_at(599) is None and model.data(model.index(599, 0)) == "…"
        run(model.wait_idle())
        assert model.run_at(599) is not None and model.run_at(599).id == ids[-1]
        assert source.calls == [(False, (599 // PAGE_SIZE) * PAGE_SIZE)]

        # filter and refresh after more runs: still consistent under the tester
        run(model.set_filter(status="failed"))
        assert model.rowCount() == 150
        run(model.wait_idle())
        assert {model.data(model.index(r, 1)) for r in range(0, 150, 7)} <= {"failed", "…"}
        run(model.set_filter(status=None))
        run(fill_history(store, 5))
        run(model.refresh())
        run(model.wait_idle())
        assert model.rowCount() == 605
        assert model.data(model.index(0, 0)) == "Workflow 1"  # n=4 of the new batch, newest first

        # in the panel: selecting a row whose page is still loading shows that run once it arrives
        engine = WorkflowEngine(store)
        panel = WorkflowsPanel(engine, store, TaskRunner())
        qtbot.addWidget(panel)

        async def select_far_row() -> None:
            await panel.refresh()
            assert not panel.history_model.is_loaded(450)
            panel.history_view.selectRow(450)
            assert panel.details_run_id is None  # placeholder: nothing to show yet
            await until(lambda: panel.steps_model.rowCount() == 2, what="the far run's steps")
            run_ = panel.history_model.run_at(450)
            assert run_ is not None and panel.details_run_id == run_.id
            assert [s.name for s in panel.steps_model.steps()] == ["parse", "save"]
            # status filter from the combo box
            panel.status_filter.setCurrentIndex(panel.status_filter.findData("cancelled"))
            await until(lambda: panel.history_model.rowCount() == 151, what="the filtered history")
            assert panel.history_model.status_filter == RunStatus.CANCELLED
            assert panel.history_count_label.text() == "151 runs"

        try:
            run(select_far_row())
        finally:
            panel.detach()
    finally:
        run(db.close())


def test_format_duration() -> None:
    assert format_duration(None) == "—"
    assert format_duration(2.345) == "2.3 s"
    assert format_duration(42) == "42 s"
    assert format_duration(125) == "2 min 05 s"
    assert format_duration(3 * 3600 + 120) == "3 h 02 min"
