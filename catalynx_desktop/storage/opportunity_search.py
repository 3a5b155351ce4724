"""Searched or filtered views: their matches, materialized once as ordered ids.

Free text and filters other than the stage cannot use the per-profile sort indexes, so the
matching opportunity ids (8 bytes each in an array) are collected and sorted in one read on
the reader thread; after that the count is exact, any page is a primary-key lookup of its ids
and a jump anywhere costs the same as the next page. Filter values are always parameters; the
column names come from this module's own constants.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Callable
from datetime import date, timedelta

from catalynx_desktop.domain.query import OpportunityFilters, OpportunityQuery
from catalynx_desktop.domain.records import OpportunityRow
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.opportunity_queries import (
    ROW_COLUMNS,
    STAGE_RANK,
    compile_query,
    row_from_values,
)
from catalynx_desktop.storage.record_search import fts_query


def _filter_sql(filters: OpportunityFilters, today: date) -> tuple[list[str], list[object]]:
    where: list[str] = []
    params: list[object] = []

    def among(expression: str, values: tuple[str, ...]) -> None:
        where.append(f"{expression} IN ({','.join('?' * len(values))})")
        params.extend(values)

    if filters.min_amount is not None:
        where.append("o.amount >= ?")
        params.append(int(filters.min_amount))
    if filters.max_amount is not None:
        where.append("o.amount <= ?")
        params.append(int(filters.max_amount))
    if filters.closes_within_days is not None:
        where.append("o.close_date BETWEEN ? AND ?")  # '' (rolling / none) never matches
        params += [today.isoformat(), (today + timedelta(days=int(filters.closes_within_days))).isoformat()]
    if filters.min_score is not None:
        where.append("o.score >= ?")
        params.append(float(filters.min_score))
    if filters.max_score is not None:
        where.append("o.score <= ?")
        params.append(float(filters.max_score))
    if filters.states:
        among("o.state", filters.states)
    if filters.sources:
        among("o.source", filters.sources)
    if filters.priorities:
        among("o.priority", filters.priorities)
    if filters.ntee_groups:
        among("substr(r.ntee_code, 1, 1)", filters.ntee_groups)
    if filters.tag:
        where.append("EXISTS (SELECT 1 FROM json_each(o.tags) WHERE json_each.value = ?)")
        params.append(filters.tag.strip().lower())
    return where, params


def matching_ids(conn: sqlite3.Connection, query: OpportunityQuery, today: date | None = None) -> array:
    """Ids of the profile's opportunities that match the search and the filters, in the query's order."""
    compiled = compile_query(query)
    direction = "DESC" if query.descending else "ASC"
    joins = ""
    where = ["o.profile_id = ?"]
    params: list[object] = [int(query.profile_id)]
    text = fts_query(query.search)
    if text:
        joins += " JOIN record_search ON record_search.rowid = o.source_record_id"
        where.append("record_search MATCH ?")
        params.append(text)
    if query.filters.ntee_groups:
        joins += " LEFT JOIN source_records AS r ON r.id = o.source_record_id"
    if query.stage is not None:
        where.append("o.stage_rank = ?")
        params.append(STAGE_RANK[query.stage])
    extra, extra_params = _filter_sql(query.filters, today or date.today())
    where += extra
    params += extra_params
    sql = (f"SELECT o.id FROM opportunities AS o{joins} WHERE {' AND '.join(where)} "
           f"ORDER BY o.{compiled.column} {direction}, o.id {direction}")
    # The ids come back as one text, not one tuple per row: hundreds of thousands of row tuples
    # made the cyclic GC run full collections on this thread, holding the GIL (and so stalling
    # the UI thread) for hundreds of ms. Strings and ints are not tracked by the GC.
    (text,) = conn.execute(f"SELECT group_concat(id, ',') FROM ({sql})", params).fetchone()
    return array("q", map(int, text.split(","))) if text else array("q")


def rows_for_ids(conn: sqlite3.Connection, ids: array | list[int]) -> list[OpportunityRow]:
    """The rows of these ids, in the ids' order (one primary-key lookup each)."""
    wanted = list(ids)
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    found = {values[0]: row_from_values(values)
             for values in conn.execute(f"SELECT {ROW_COLUMNS} FROM opportunities WHERE id IN ({marks})", wanted)}
    return [found[i] for i in wanted if i in found]


class SearchResult:
    """Same interface as OpportunityResult (total, page, build_position_map)."""

    def __init__(self, db: Database, query: OpportunityQuery, ids: array) -> None:
        self._db = db
        self.query = query
        self._ids = ids
        self.total = len(ids)
        self.wants_position_map = False  # every position is already known

    async def page(self, start: int, limit: int) -> list[OpportunityRow]:
        chunk = self._ids[start:start + limit]
        return await self._db.read(lambda conn: rows_for_ids(conn, chunk)) if len(chunk) else []

    async def build_position_map(self, every: int, is_stale: Callable[[], bool]) -> None:
        return None  # every position is already known


async def open_search(db: Database, query: OpportunityQuery, first_page: int) -> tuple[SearchResult, list[OpportunityRow]]:
    def read(conn: sqlite3.Connection) -> tuple[array, list[OpportunityRow]]:
        ids = matching_ids(conn, query)
        return ids, rows_for_ids(conn, ids[:first_page])

    ids, rows = await db.read(read)
    return SearchResult(db, query, ids), rows
