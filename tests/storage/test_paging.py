"""KeyMap.seek picks the cheapest start, and any page read by key equals the OFFSET reference."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from catalynx_desktop.domain.query import OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import PIPELINE
from catalynx_desktop.storage.opportunity_queries import SORT_COLUMNS, compile_query, read_page
from catalynx_desktop.storage.paging import KeyMap, Seek
from catalynx_desktop.workflows.demo.generator import DemoPlan
from tests.storage.helpers import shared_demo_conn


def test_seek_prefers_nearest_known_key():
    keys = KeyMap()
    keys.add_page(0, [(1.0, 1), (0.9, 2)])  # rows 0..1
    assert keys.seek(2, 10, 100) == Seek(True, (0.9, 2), 0, 10)  # right after a loaded page
    assert keys.seek(95, 10, 100) == Seek(False, None, 0, 5)  # last page is short, read from the end
    assert keys.seek(50, 10, 100).skip == 40  # nearer to the end than to row 1
    keys.add(60, (0.5, 7))
    seek = keys.seek(50, 10, 100)
    assert seek == Seek(False, (0.5, 7), 0, 10)  # backward from the key just after the page


def test_seek_empty_result():
    assert KeyMap().seek(0, 10, 0).limit == 0


def _reference(conn, query: OpportunityQuery, start: int, limit: int) -> list[int]:
    column = SORT_COLUMNS[query.sort]
    direction = "DESC" if query.descending else "ASC"
    where, params = "profile_id = ?", [query.profile_id]
    if query.stage is not None:
        where += " AND stage = ?"
        params.append(query.stage.value)
    sql = (
        f"SELECT id FROM opportunities WHERE {where} ORDER BY {column} {direction}, id {direction} "
        "LIMIT ? OFFSET ?"
    )
    return [r[0] for r in conn.execute(sql, (*params, limit, start))]


def _demo_conn(tmp_dir) -> sqlite3.Connection:
    return shared_demo_conn(tmp_dir, "paging", DemoPlan(2, 4000, seed=3))


@settings(max_examples=150, deadline=None)
@given(
    sort=st.sampled_from(list(SortKey)),
    descending=st.booleans(),
    stage=st.sampled_from([None, *PIPELINE]),
    visits=st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=6),
    limit=st.integers(min_value=1, max_value=300),
)
def test_keyset_pages_match_offset_reference(tmp_path_factory, sort, descending, stage, visits, limit):
    conn = _demo_conn(tmp_path_factory.getbasetemp())
    query = OpportunityQuery(1, stage, sort, descending)
    compiled = compile_query(query)
    total = len(_reference(conn, query, 0, 10**9))
    keys = KeyMap()
    for fraction in visits:  # a random scroll/jump history: seeks use keys from earlier pages
        start = min(int(fraction * total), max(total - 1, 0))
        seek = keys.seek(start, limit, total)
        page = read_page(conn, compiled, seek) if seek.limit > 0 else None
        got = [row.id for row in page.rows] if page else []
        assert got == _reference(conn, query, start, limit)
        if page:
            keys.add_page(start, page.keys)
