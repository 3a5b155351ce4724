"""Free-text search: any typed text is a safe FTS5 query; results follow the sort and the stage."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from catalynx_desktop.domain.query import OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.opportunity_search import matching_ids
from catalynx_desktop.storage.record_search import fts_query
from catalynx_desktop.workflows.demo.generator import DemoPlan
from tests.storage.helpers import open_demo_db, run, shared_demo_conn


def _conn(base) -> sqlite3.Connection:
    return shared_demo_conn(base, "search", DemoPlan(1, 2000, seed=9))


def test_fts_query_quotes_every_word():
    assert fts_query("Rural  health") == '"rural"* AND "health"*'
    assert fts_query('a" OR 1=1; --') == '"a"* AND "or"* AND "1"* AND "1"*'
    assert fts_query("  *  ") == ""


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_a_valid_search(tmp_path_factory, text):
    conn = _conn(tmp_path_factory.getbasetemp())
    query = OpportunityQuery(1, None, SortKey.SCORE, True, text)
    if fts_query(text):
        matching_ids(conn, query)  # must not raise, whatever was typed


def test_search_results_follow_sort_and_stage(tmp_path):
    async def scenario():
        db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=3000)
        try:
            repo = OpportunityRepository(db)
            query = OpportunityQuery(demo.profile_ids[0], Stage.DISCOVER, SortKey.AMOUNT, False, "foundation")
            result, first = await repo.open(query, 100)
            expected = [
                r[0]
                for r in await db.fetch_all(
                    "SELECT o.id FROM opportunities AS o JOIN source_records AS r ON r.id = o.source_record_id "
                    "WHERE o.profile_id = ? AND o.stage = 'discover' AND (' ' || lower(r.name || ' ' || r.funder_name "
                    "|| ' ' || r.description) LIKE '% foundation%') ORDER BY o.amount, o.id",
                    (query.profile_id,),
                )
            ]
            assert result.total == len(expected) > 0
            assert [r.id for r in first] == expected[:100]
            tail = await result.page(len(expected) - 10, 100)
            assert [r.id for r in tail] == expected[-10:]
        finally:
            await db.close()

    run(scenario())


def test_exporting_a_search_view_exports_exactly_its_matches(tmp_path):
    from catalynx_desktop.storage.opportunity_export import export_stream

    async def scenario():
        db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=2000)
        try:
            query = OpportunityQuery(demo.profile_ids[0], None, SortKey.TITLE, False, "watershed")
            result, _ = await OpportunityRepository(db).open(query, 100)
            stream = export_stream(db, query, chunk_rows=50)
            assert await stream.count() == result.total > 0
            exported = [row async for chunk in stream.chunks() for row in chunk]
            shown = await result.page(0, result.total)
            assert len(exported) == result.total
            assert [r.title for r in shown] == sorted(r.title for r in shown)
            assert {r.title for r in shown} <= {
                value for row in exported for value in row if isinstance(value, str)
            }
        finally:
            await db.close()

    run(scenario())
