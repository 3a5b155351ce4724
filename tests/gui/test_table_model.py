"""The lazy model passes Qt's model tester and keeps memory bounded while pages stream in."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt

from catalynx_desktop.domain.query import OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.storage import opportunity_repository, opportunity_search
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.opportunity_search import matching_ids
from catalynx_desktop.ui.async_tasks import TaskRunner
from catalynx_desktop.ui.models import opportunity_table_model as table_model
from catalynx_desktop.ui.models.opportunity_table_model import (
    MAX_CACHED_PAGES,
    PAGE_SIZE,
    OpportunityTableModel,
)
from tests.storage.helpers import open_demo_db


@pytest.fixture
def tasks(run):
    """The model's background tasks, cancelled after the test (before they could outlive its database)."""
    runner = TaskRunner()
    yield runner
    run(runner.cancel_all())


def test_model_tester_through_open_sort_and_filter(tasks, qtmodeltester, run, tmp_path):
    db, demo = run(open_demo_db(tmp_path, profiles=1, opportunities=1500))
    try:
        model = OpportunityTableModel(OpportunityRepository(db), tasks)
        run(model.open(OpportunityQuery(demo.profile_ids[0])))
        # The tester stays connected: every later signal (page loads, resets) is checked too.
        qtmodeltester.check(model, force_py=True)
        run(model.wait_idle())
        run(model.open(OpportunityQuery(demo.profile_ids[0], Stage.PLAN, SortKey.AMOUNT, False)))
        run(model.wait_idle())
        run(model.open(OpportunityQuery(demo.profile_ids[0])))
        run(model.refresh())
        run(model.wait_idle())
        assert model.rowCount() == 1500
    finally:
        run(db.close())


def test_pages_stream_in_with_a_bounded_cache_and_stale_pages_dropped(tasks, run, tmp_path):
    db, demo = run(open_demo_db(tmp_path, profiles=1, opportunities=30_000))
    try:
        model = OpportunityTableModel(OpportunityRepository(db), tasks)
        run(model.open(OpportunityQuery(demo.profile_ids[0])))
        assert model.rowCount() == 30_000

        async def touch_every_page():
            await model.wait_idle()
            assert model.is_loaded(PAGE_SIZE) and not model.is_loaded(2 * PAGE_SIZE)  # one page ahead only
            for row in range(0, 30_000, 2 * PAGE_SIZE):  # skipping pages: each jump is a real request
                assert model.row_at(row) is None or row < 2 * PAGE_SIZE  # placeholder until it comes
                await model.wait_idle()
                assert model.row_at(row) is not None
                assert model.is_loaded(row + PAGE_SIZE)  # ...and the page after it was read ahead

        run(touch_every_page())
        assert model.loaded_rows() <= MAX_CACHED_PAGES * PAGE_SIZE
        assert model.is_loaded(29_999) and not model.is_loaded(0)

        # a page requested under the old query is dropped when a new query opens
        model.row_at(15_000)
        run(model.open(OpportunityQuery(demo.profile_ids[0], Stage.PLAN, SortKey.AMOUNT, False)))
        run(model.wait_idle())
        loaded = [model.row_at(r) for r in range(model.rowCount()) if model.is_loaded(r)]
        assert loaded and all(row.stage == "plan" for row in loaded)
    finally:
        run(db.close())


def test_reading_on_through_a_result_finds_each_page_already_read_ahead(tasks, run, tmp_path):
    db, demo = run(open_demo_db(tmp_path, profiles=1, opportunities=5000))
    try:
        model = OpportunityTableModel(OpportunityRepository(db), tasks)
        run(model.open(OpportunityQuery(demo.profile_ids[0])))
        loaded: list[int] = []
        last_page = 4999 // PAGE_SIZE

        async def read_on():
            await model.wait_idle()  # page 1 was read ahead when the result opened
            model.page_loaded.connect(loaded.append)
            for page in range(1, last_page + 1):
                # the view reaches the page: its rows are there, and the next one is on its way
                assert model.row_at(page * PAGE_SIZE) is not None, f"page {page} was not read ahead"
                await model.wait_idle()
                if page < last_page:
                    assert model.is_loaded((page + 1) * PAGE_SIZE)
                if page + 2 <= last_page:  # one page beyond what was looked at, never a chain
                    assert not model.is_loaded((page + 2) * PAGE_SIZE)

        run(read_on())
        assert loaded == list(range(2, last_page + 1))
        assert not model.page_latencies  # no page was ever waited for
    finally:
        run(db.close())


def test_a_result_left_open_gets_its_position_map_before_any_jump(tasks, run, tmp_path, monkeypatch):
    monkeypatch.setattr(opportunity_repository, "FAR_SKIP", 1000)
    monkeypatch.setattr(table_model, "POSITION_MAP_AFTER_S", 0.05)

    async def scenario():
        db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=5000)
        try:
            model = OpportunityTableModel(OpportunityRepository(db), tasks)
            profile_id = demo.profile_ids[0]
            await model.open(OpportunityQuery(profile_id, sort=SortKey.AMOUNT))
            replaced = model._result
            await model.open(OpportunityQuery(profile_id, sort=SortKey.TITLE))  # before its map began
            shown = model._result
            for _ in range(200):
                if shown.known_positions >= 5000 // PAGE_SIZE:
                    break
                await asyncio.sleep(0.02)
            assert shown.known_positions >= 5000 // PAGE_SIZE  # sampled without any far jump
            # a result replaced within the delay is never mapped: it knows its first page and the one read ahead
            assert replaced.known_positions <= 4
            ids = [
                r[0]
                for r in await db.fetch_all(
                    "SELECT id FROM opportunities WHERE profile_id = ? ORDER BY title DESC, id DESC",
                    (profile_id,),
                )
            ]
            model.row_at(3900)
            await model.wait_idle()
            assert model.row_at(3900).id == ids[3900]
        finally:
            await db.close()

    run(scenario())


def test_the_model_grows_a_partial_result_in_place(tasks, run, tmp_path, monkeypatch):
    monkeypatch.setattr(opportunity_search, "EXACT_TEXT_MATCHES", 5)

    async def scenario():
        db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=3000)
        try:
            model = OpportunityTableModel(OpportunityRepository(db), tasks)
            inserted: list[tuple[int, int]] = []
            totals: list[int] = []
            model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
            model.total_known.connect(totals.append)
            query = OpportunityQuery(demo.profile_ids[0], None, SortKey.SCORE, True, "foundation")
            expected = list(await db.read(lambda conn: matching_ids(conn, query)))
            await model.open(query)
            assert model.rowCount() == PAGE_SIZE and not model.total_is_exact
            first_page = [model.row_at(r).id for r in range(PAGE_SIZE)]
            await model.wait_exact()
            await model.wait_idle()
            assert model.total_is_exact and model.rowCount() == len(expected)
            assert inserted == [(PAGE_SIZE, len(expected) - 1)] and totals == [len(expected)]
            assert first_page == expected[:PAGE_SIZE]
            assert model.row_at(PAGE_SIZE).id == expected[PAGE_SIZE]  # the next page was read ahead
        finally:
            await db.close()

    run(scenario())


def test_a_page_of_the_old_query_read_during_an_open_never_lands_in_the_new_one(tasks, run, tmp_path):
    db, demo = run(open_demo_db(tmp_path, profiles=1, opportunities=5000))
    try:
        model = OpportunityTableModel(OpportunityRepository(db), tasks)
        profile_id = demo.profile_ids[0]

        async def scenario():
            await model.open(OpportunityQuery(profile_id))
            await model.wait_idle()
            model.row_at(10 * PAGE_SIZE)  # queues a page of the "all stages" result...
            await model.open(OpportunityQuery(profile_id, Stage.PLAN))  # ...which is read during this open
            await model.wait_idle()

        run(scenario())
        loaded = [model.row_at(r) for r in range(model.rowCount()) if model.is_loaded(r)]
        assert loaded and all(row.stage == "plan" for row in loaded)
        assert not any(model.is_loaded(r) for r in range(model.rowCount(), 11 * PAGE_SIZE))
    finally:
        run(db.close())


def test_opening_a_large_result_does_not_ask_for_every_row_header(tasks, qtbot, run, tmp_path, monkeypatch):
    """A visible vertical header asked headerData() for each row on every reset (seen: 98,000
    calls and a 320 ms UI freeze opening a 13,733-row search on 1M rows)."""
    from catalynx_desktop.ui.widgets.opportunity_table_view import create_opportunity_table

    calls = []
    real = OpportunityTableModel.headerData

    def counting(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        calls.append(section)
        return real(self, section, orientation, role)

    monkeypatch.setattr(OpportunityTableModel, "headerData", counting)
    db, demo = run(open_demo_db(tmp_path, profiles=1, opportunities=20_000))
    try:
        model = OpportunityTableModel(OpportunityRepository(db), tasks)
        table = create_opportunity_table(model)
        table.resize(1200, 800)
        table.show()
        qtbot.addWidget(table)
        run(model.open(OpportunityQuery(demo.profile_ids[0])))
        qtbot.wait(50)  # let the view lay out and paint
        assert model.rowCount() == 20_000
        assert len(calls) < 1_000, f"{len(calls)} headerData calls for one open"  # 2,180 with row numbers
    finally:
        run(db.close())
