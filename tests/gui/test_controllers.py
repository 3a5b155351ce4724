"""Controllers built alone, from a ControllerContext on a real database: no MainWindow.

What a controller needs is its context (services, tasks, status channel, the table and its model,
settings, a plain QMainWindow as the parent of its dialogs, the shown profile); what it does that
concerns another controller leaves as a signal, which these tests listen to instead.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Collection

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings
from PySide6.QtWidgets import QMainWindow

from catalynx_desktop.domain.profile import ProfileSummary
from catalynx_desktop.domain.query import OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import PIPELINE
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.services import AppServices
from catalynx_desktop.ui.async_tasks import TaskRunner
from catalynx_desktop.ui.controllers.context import ControllerContext, StatusChannel
from catalynx_desktop.ui.controllers.query_controller import QueryController
from catalynx_desktop.ui.controllers.stage_move_controller import StageMoveController
from catalynx_desktop.ui.dialogs.stage_move_dialog import StageMoveDialog
from catalynx_desktop.ui.models.opportunity_table_model import OpportunityTableModel
from catalynx_desktop.ui.models.profile_list_model import ProfileListModel
from catalynx_desktop.ui.models.profile_selection import ProfileSelection
from catalynx_desktop.ui.widgets.opportunity_table_view import (
    create_opportunity_table,
    selected_opportunity_ids,
)
from catalynx_desktop.workflows.demo.generator import DemoPlan


@pytest.fixture
def demo_context(run, data_dir, qtbot):
    """AppServices on a demo database (2 profiles × 1,500 opportunities) and a context around it."""

    async def open_services() -> tuple[AppServices, int]:
        services = await AppServices.open(resolve_paths(data_dir).ensure())
        demo = await services.load_demo(DemoPlan(2, 3000, seed=7))
        return services, demo.profile_ids[0]

    services, profile_id = run(open_services())
    window = QMainWindow()  # Qt's own: only a parent for dialogs and docks
    qtbot.addWidget(window)
    tasks = TaskRunner()
    model = OpportunityTableModel(services.views, tasks)
    table = create_opportunity_table(model)
    window.setCentralWidget(table)
    settings = QSettings(str(data_dir / "ui-test.ini"), QSettings.Format.IniFormat)
    context = ControllerContext(
        services=services,
        tasks=tasks,
        status=StatusChannel(),
        table=table,
        table_model=model,
        settings=settings,
        window=window,
        profile=ProfileSelection(ProfileListModel()),
    )
    context.profile.id = profile_id
    messages: list[str] = []
    context.status.message.connect(messages.append)
    yield context, messages
    run(tasks.cancel_all())
    run(services.close())


def stages_in_db(context: ControllerContext, ids: Collection[int]) -> dict[int, str]:
    marks = ",".join("?" * len(ids))
    with sqlite3.connect(context.services.paths.database) as conn:
        sql = f"SELECT id, stage FROM opportunities WHERE id IN ({marks})"
        return dict(conn.execute(sql, tuple(ids)).fetchall())


def test_stage_move_controller_alone_moves_patches_and_undoes(demo_context, run):
    context, messages = demo_context
    profile_id = context.profile.id
    controller = StageMoveController(context)
    counts_changed: list[set[int]] = []
    undo_states: list[bool] = []

    async def counts(profile_ids: Collection[int]) -> None:
        counts_changed.append(set(profile_ids))

    controller.counts_changed.connect(counts)
    controller.undo_available.connect(undo_states.append)
    model = context.table_model
    run(model.open(OpportunityQuery(profile_id, None, SortKey.SCORE, True)))
    assert model.rowCount() == 1500

    # nothing selected: one message, no dialog
    run(controller.move_selection_dialog())
    assert messages[-1] == "Select one or more opportunities first."

    ids = [model.row_at(row).id for row in range(3)]
    before = stages_in_db(context, ids)
    target = next(stage for stage in PIPELINE if stage.value not in before.values())
    move = run(controller.move(ids, target, "fits our programs"))
    assert sorted(i for i, _from in move.moved) == sorted(ids)
    assert counts_changed == [{profile_id}]  # awaited before move() returned
    assert undo_states == [True]
    assert messages[-1] == f"Moved 3 to {target.label}. Ctrl+Z undoes it."
    assert stages_in_db(context, ids) == dict.fromkeys(ids, target.value)
    # All stages, sorted by score: the rows stay where they are and are patched in place.
    assert [model.row_at(row).id for row in range(3)] == ids
    assert {model.row_at(row).stage for row in range(3)} == {target.value}

    undone = run(controller.undo())
    assert undone is not None and len(undone.moved) == 3
    assert counts_changed == [{profile_id}, {profile_id}]
    assert undo_states == [True, False]
    assert messages[-1] == f"Undid the move of 3 to {target.label}."
    assert stages_in_db(context, ids) == before
    run(model.wait_idle())
    assert {model.row_at(row).id: model.row_at(row).stage for row in range(3)} == before
    assert run(controller.undo()) is None and messages[-1] == "Nothing to undo."

    # the user's path: select a row, Ctrl+<digit> opens the dialog preset to that stage, OK
    context.table.selectionModel().select(
        model.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert selected_opportunity_ids(context.table) == [ids[0]]

    async def move_with_dialog() -> None:
        moving = asyncio.ensure_future(controller.move_selection_dialog(target))
        await asyncio.sleep(0)  # the controller runs up to the open dialog, then waits for it
        (dialog,) = context.window.findChildren(StageMoveDialog)
        assert dialog.chosen()[0] is target
        dialog.reason.setText("asked for it")
        dialog.accept()
        await moving

    run(move_with_dialog())
    assert messages[-1] == f"Moved 1 to {target.label}. Ctrl+Z undoes it."
    assert stages_in_db(context, [ids[0]]) == {ids[0]: target.value}
    assert counts_changed[-1] == {profile_id} and undo_states[-1] is True


def test_query_controller_alone_opens_the_shown_profile_and_follows_its_tabs(demo_context, run):
    context, messages = demo_context
    profile_id = context.profile.id
    controller = QueryController(context)
    shown: list[bool] = []
    controller.first_rows_shown.connect(lambda: shown.append(True))
    model = context.table_model

    run(controller.open_current())
    assert model.query == OpportunityQuery(profile_id, None, SortKey.SCORE, True)
    assert model.rowCount() == 1500
    assert shown == [True]
    assert messages[-1] == "1,500 opportunities"  # timings go to the log, not the status line (issue 15)

    profile = run(context.services.profiles.get(profile_id))
    counts = run(context.services.profiles.stage_counts(profile_id))
    controller.show_stage_counts(ProfileSummary(profile, counts))
    assert controller.stage_tabs.tabText(0) == "All (1,500)"
    plan = PIPELINE[1]
    n = counts.get(plan, 0)
    assert controller.stage_tabs.tabText(2) == (f"{plan.tab_label} ({n:,})" if n else plan.tab_label)

    async def switch_tab() -> None:
        opened = asyncio.Event()
        model.query_opened.connect(lambda _total: opened.set())
        controller.step_tab(2)  # to the Plan tab: the controller opens it through its task runner
        await opened.wait()
        assert model.query is not None and model.query.stage is plan

    run(switch_tab())
    assert model.rowCount() == counts.get(plan, 0) > 0
    assert shown == [True, True]
    assert messages[-1] == f"{counts[plan]:,} opportunities"

    # the sort is remembered in the context's settings, for the next session
    run(controller.open(OpportunityQuery(profile_id, None, SortKey.AMOUNT, False)))
    assert context.settings.value("table/sort") == SortKey.AMOUNT.value
    assert context.settings.value("table/descending") == "false"
