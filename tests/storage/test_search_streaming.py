"""Broad searches and filters show a probed first page at once, then grow to the exact result.

The thresholds that choose the probe are lowered here so a small demo database takes every
path the 1M-row benchmark takes (see storage/opportunity_search.py for the real values).
"""

from __future__ import annotations

import pytest

from catalynx_desktop.domain.query import OpportunityFilters, OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.storage import opportunity_search
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.opportunity_search import SearchResult, matching_ids, probe_first_page
from tests.storage.helpers import open_demo_db, run


@pytest.fixture
def probe_everything(monkeypatch):
    monkeypatch.setattr(opportunity_search, "EXACT_TEXT_MATCHES", 5)


@pytest.mark.parametrize(
    ("sort", "descending"), [(SortKey.SCORE, True), (SortKey.TITLE, False), (SortKey.CLOSE_DATE, False)]
)
def test_a_broad_search_opens_with_its_first_page_then_grows_to_every_match(
    tmp_path, probe_everything, sort, descending
):
    async def scenario():
        db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=3000)
        try:
            query = OpportunityQuery(demo.profile_ids[0], None, sort, descending, "foundation")
            expected = list(await db.read(lambda conn: matching_ids(conn, query)))
            assert len(expected) > 300

            result, first = await OpportunityRepository(db).open(query, 100)
            assert isinstance(result, SearchResult) and not result.exact
            assert [r.id for r in first] == expected[:100]
            assert result.total == 100
            assert await result.complete(lambda: False) is True
            assert result.exact and result.total == len(expected)
            assert [r.id for r in await result.page(len(expected) - 50, 100)] == expected[-50:]
        finally:
            await db.close()

    run(scenario())


def test_a_broad_filter_is_probed_and_a_narrow_one_collected_at_once(tmp_path):
    async def scenario():
        db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=3000)
        try:
            repo = OpportunityRepository(db)
            broad = OpportunityQuery(
                demo.profile_ids[0], None, SortKey.AMOUNT, True, "", OpportunityFilters(min_score=0.05)
            )
            result, first = await repo.open(broad, 100)
            expected = list(await db.read(lambda conn: matching_ids(conn, broad)))
            assert not result.exact and [r.id for r in first] == expected[:100]
            assert await result.complete(lambda: False) and result.total == len(expected)

            narrow = OpportunityQuery(
                demo.profile_ids[0],
                Stage.APPROACH,
                SortKey.AMOUNT,
                True,
                "",
                OpportunityFilters(min_score=0.9),
            )
            result, first = await repo.open(narrow, 100)
            assert result.exact  # fewer matches than a page: nothing to probe
            assert result.total == len(list(await db.read(lambda conn: matching_ids(conn, narrow))))
        finally:
            await db.close()

    run(scenario())


def test_completion_stops_when_stale_and_notices_a_write_in_between(tmp_path, probe_everything):
    async def scenario():
        db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=3000)
        try:
            repo = OpportunityRepository(db)
            query = OpportunityQuery(demo.profile_ids[0], Stage.DISCOVER, SortKey.SCORE, True, "foundation")
            result, first = await repo.open(query, 50)
            assert not result.exact
            assert await result.complete(lambda: True) is False  # a newer query replaced it
            assert not result.exact

            await repo.move_stage([first[0].id], Stage.PLAN, "test")  # the top row leaves the view
            assert await result.complete(lambda: False) is False  # shown rows differ: reload
            assert result.exact and first[0].id not in (r.id for r in await result.page(0, 50))
        finally:
            await db.close()

    run(scenario())


def test_a_probe_that_runs_past_its_budget_gives_up(tmp_path, monkeypatch):
    monkeypatch.setattr(opportunity_search, "_CHECK_EVERY", 100)  # check the clock often on small data

    async def scenario():
        db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=3000)
        try:
            query = OpportunityQuery(
                demo.profile_ids[0], None, SortKey.SCORE, True, "", OpportunityFilters(min_score=0.05)
            )
            assert await db.read(lambda conn: probe_first_page(conn, query, 100)) is not None
            assert await db.read(lambda conn: probe_first_page(conn, query, 100, budget_s=-1.0)) is None
        finally:
            await db.close()

    run(scenario())
