"""Free-text search results: the matches of one search, materialized once as ordered ids.

A search is usually selective, so the matching opportunity ids (8 bytes each in an array) are
collected and sorted in one read; after that the count is exact, any page is a primary-key
lookup of its ids and a jump anywhere costs the same as the next page.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Callable

from catalynx_desktop.domain.query import OpportunityQuery
from catalynx_desktop.domain.records import OpportunityRow
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.opportunity_queries import ROW_COLUMNS, STAGE_RANK, compile_query, row_from_values
from catalynx_desktop.storage.record_search import fts_query


def search_ids(conn: sqlite3.Connection, query: OpportunityQuery) -> array:
    """Ids of the profile's opportunities whose funder record matches, in the query's order."""
    compiled = compile_query(query)
    direction = "DESC" if query.descending else "ASC"
    sql = ("SELECT o.id FROM record_search JOIN opportunities AS o ON o.source_record_id = record_search.rowid "
           "WHERE record_search MATCH ? AND o.profile_id = ?")
    params: tuple = (fts_query(query.search), int(query.profile_id))
    if query.stage is not None:
        sql += " AND o.stage_rank = ?"
        params += (STAGE_RANK[query.stage],)
    sql += f" ORDER BY o.{compiled.column} {direction}, o.id {direction}"
    return array("q", (row[0] for row in conn.execute(sql, params)))


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

    async def page(self, start: int, limit: int) -> list[OpportunityRow]:
        chunk = self._ids[start:start + limit]
        return await self._db.read(lambda conn: rows_for_ids(conn, chunk)) if len(chunk) else []

    async def build_position_map(self, every: int, is_stale: Callable[[], bool]) -> None:
        return None  # every position is already known


async def open_search(db: Database, query: OpportunityQuery, first_page: int) -> tuple[SearchResult, list[OpportunityRow]]:
    def read(conn: sqlite3.Connection) -> tuple[array, list[OpportunityRow]]:
        ids = search_ids(conn, query)
        return ids, rows_for_ids(conn, ids[:first_page])

    ids, rows = await db.read(read)
    return SearchResult(db, query, ids), rows
