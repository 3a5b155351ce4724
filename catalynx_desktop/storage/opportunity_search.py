"""Searched or filtered views: a fast first page, then every match as ordered ids.

Free text and filters other than the stage cannot use the per-profile sort indexes to count,
so the full result is the matching opportunity ids (8 bytes each in an array), collected and
sorted in one read; after that the count is exact, any page is a primary-key lookup of its ids
and a jump anywhere costs the same as the next page.

Collecting every match of a broad term ("foundation" on 1M rows: ~700k matches, ~2 s) is far
slower than the first screen needs, so opening a broad view first *probes*: it walks the sort
index in order, testing each row, until one page is full (matches are dense, so that is a few
hundred rows). The rows are shown at once and the exact result is collected on the background
reader; the view then grows to its full count. Narrow views skip the probe: collecting a few
thousand matches is itself fast, and walking the index for rare matches is not.

Filter values are always parameters; column names come from this package's own constants.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from catalynx_desktop.domain.query import OpportunityFilters, OpportunityQuery
from catalynx_desktop.domain.records import OpportunityRow
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.opportunity_queries import (
    ROW_COLUMNS,
    STAGE_RANK,
    CompiledQuery,
    compile_query,
    row_from_values,
)
from catalynx_desktop.storage.query_check import check_query
from catalynx_desktop.storage.record_search import fts_query

# Fewer text matches than this are collected exactly at once (~4 us a match: join + sort, so
# under ~250 ms); more, and the first page is probed. Counting stops here (~75 ns a match).
EXACT_TEXT_MATCHES = 60_000
# A probe that has not filled its page by then gives up: the exact collection follows. A filter
# alone may be rare (the walk would cross the whole index), so it gets little time; a broad text
# match is dense, and collecting its 60,000+ matches exactly is slower than any walk (cold pages
# from disk can make the walk itself take over 250 ms).
PROBE_BUDGET_S = 0.25
TEXT_PROBE_BUDGET_S = 1.5
# SQLite VM steps between budget checks (a Python call each, with the GIL).
_CHECK_EVERY = 20_000
# Collected ids travel as one hex text (16 digits an id), converted this many characters per
# step so that the thread doing it lets go of the GIL between steps.
_CONVERT_CHARS = 16 * 65_536

T = TypeVar("T")

_PREFIXED_ROW_COLUMNS = ", ".join(f"o.{name}" for name in ROW_COLUMNS.split(", "))


@dataclass(frozen=True)
class _Match:
    """The FROM/WHERE of a searched or filtered view, without the free-text condition."""

    joins: str
    where: list[str]
    params: list[object]
    text: str  # the safe FTS5 query, '' for none


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


def _match(query: OpportunityQuery, today: date | None) -> _Match:
    check_query(query)  # before any SQL is built from it (InvalidQuery for bad values)
    joins = ""
    where = ["o.profile_id = ?"]
    params: list[object] = [int(query.profile_id)]
    if query.filters.ntee_groups:
        joins += " LEFT JOIN source_records AS r ON r.id = o.source_record_id"
    if query.stage is not None:
        where.append("o.stage_rank = ?")
        params.append(STAGE_RANK[query.stage])
    extra, extra_params = _filter_sql(query.filters, today or date.today())
    return _Match(joins, where + extra, params + extra_params, fts_query(query.search))


def _order(compiled: CompiledQuery) -> str:
    direction = "DESC" if compiled.descending else "ASC"
    return f"o.{compiled.column} {direction}, o.id {direction}"


def _ids_from_hex(text: str | None) -> array[int]:
    """ids from "00000000000004d2..." (big-endian int64s in hex) without one Python int per id:
    ints made and freed by the hundred thousand left ~20 MB in the allocator after a search."""
    ids = array("q")
    for start in range(0, len(text or ""), _CONVERT_CHARS):
        ids.frombytes(bytes.fromhex(text[start : start + _CONVERT_CHARS]))  # type: ignore[index]
    if sys.byteorder == "little":
        ids.byteswap()
    return ids


def matching_ids(conn: sqlite3.Connection, query: OpportunityQuery, today: date | None = None) -> array[int]:
    """Ids of the profile's opportunities that match the search and the filters, in the query's order."""
    match = _match(query, today)
    joins, where, params = match.joins, list(match.where), list(match.params)
    if match.text:
        joins = " JOIN record_search ON record_search.rowid = o.source_record_id" + joins
        where.append("record_search MATCH ?")
        params.append(match.text)
    order = _order(compile_query(query))
    sql = f"SELECT o.id FROM opportunities AS o{joins} WHERE {' AND '.join(where)} ORDER BY {order}"
    # The ids come back as one text, not one tuple per row: hundreds of thousands of row tuples
    # made the cyclic GC run full collections on this thread, holding the GIL (and so stalling
    # the UI thread) for hundreds of ms.
    (text,) = conn.execute(f"SELECT group_concat(printf('%016x', id), '') FROM ({sql})", params).fetchone()
    return _ids_from_hex(text)


def stage_counts(
    conn: sqlite3.Connection, query: OpportunityQuery, today: date | None = None
) -> dict[str, int]:
    """Matches of the search and filters per stage (whatever the query's own stage), in one query:
    the stage tabs' counts. Same conditions as matching_ids, so tabs and table always agree."""
    match = _match(query.with_stage(None), today)
    joins, where, params = match.joins, list(match.where), list(match.params)
    if match.text:
        joins = " JOIN record_search ON record_search.rowid = o.source_record_id" + joins
        where.append("record_search MATCH ?")
        params.append(match.text)
    sql = f"SELECT o.stage, COUNT(*) FROM opportunities AS o{joins} WHERE {' AND '.join(where)} GROUP BY o.stage"
    return {str(stage): int(n) for stage, n in conn.execute(sql, params)}


def _text_matches(conn: sqlite3.Connection, text: str, cap: int) -> int:
    return int(
        conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM record_search WHERE record_search MATCH ? LIMIT ?)",
            (text, cap),
        ).fetchone()[0]
    )


def _unless_interrupted(
    conn: sqlite3.Connection, should_stop: Callable[[], bool], read: Callable[[], T]
) -> T | None:
    """`read()`, or None when `should_stop()` turned true meanwhile (SQLite asks it every few
    thousand steps and then interrupts the statement)."""
    conn.set_progress_handler(should_stop, _CHECK_EVERY)
    try:
        return read()
    except sqlite3.OperationalError as error:
        if "interrupted" in str(error):
            return None
        raise
    finally:
        conn.set_progress_handler(None, 0)


def probe_first_page(
    conn: sqlite3.Connection,
    query: OpportunityQuery,
    limit: int,
    today: date | None = None,
    budget_s: float | None = None,
) -> list[OpportunityRow] | None:
    """The first `limit` rows of a searched/filtered view by walking its sort index, or None
    when that would not be quick (rare matches: collect them exactly instead)."""
    match = _match(query, today)
    where, params = list(match.where), list(match.params)
    if match.text:
        if _text_matches(conn, match.text, EXACT_TEXT_MATCHES) < EXACT_TEXT_MATCHES:
            return None
        # The matching record ids are materialized once (~0.2 us a match) and each walked row
        # tests membership; a correlated MATCH per row re-expands the prefix query every time
        # (tens of ms a row for a common prefix).
        where.append("o.source_record_id IN (SELECT rowid FROM record_search WHERE record_search MATCH ?)")
        params.append(match.text)
    if budget_s is None:
        budget_s = TEXT_PROBE_BUDGET_S if match.text else PROBE_BUDGET_S
    compiled = compile_query(query)
    sql = (
        f"SELECT {_PREFIXED_ROW_COLUMNS} FROM opportunities AS o INDEXED BY {compiled.index}{match.joins} "
        f"WHERE {' AND '.join(where)} ORDER BY {_order(compiled)} LIMIT ?"
    )
    deadline = time.perf_counter() + budget_s
    values = _unless_interrupted(
        conn, lambda: time.perf_counter() > deadline, lambda: conn.execute(sql, (*params, limit)).fetchall()
    )
    if values is None or len(values) < limit:
        return None  # too slow, or the whole result is this short: the exact path is as cheap
    return [row_from_values(v) for v in values]


def rows_for_ids(conn: sqlite3.Connection, ids: array[int] | list[int]) -> list[OpportunityRow]:
    """The rows of these ids, in the ids' order (one primary-key lookup each)."""
    wanted = list(ids)
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    found = {
        values[0]: row_from_values(values)
        for values in conn.execute(f"SELECT {ROW_COLUMNS} FROM opportunities WHERE id IN ({marks})", wanted)
    }
    return [found[i] for i in wanted if i in found]


class SearchResult:
    """Same interface as OpportunityResult (total, page, build_position_map).

    Opened from a probe it is *partial*: it knows only its first rows (`first_rows`), `exact` is
    False and `total` is their number until complete() has collected every match.
    """

    def __init__(
        self,
        db: Database,
        query: OpportunityQuery,
        ids: array[int],
        first_rows: list[OpportunityRow] | None = None,
    ) -> None:
        self._db = db
        self.query = query
        self._ids = ids
        self._first_rows = first_rows
        self.total = len(ids)
        self.wants_position_map = False  # every position is already known

    @property
    def exact(self) -> bool:
        return self._first_rows is None

    async def page(self, start: int, limit: int) -> list[OpportunityRow]:
        if self._first_rows is not None:
            return self._first_rows[start : start + limit]
        chunk = self._ids[start : start + limit]
        return await self._db.read(lambda conn: rows_for_ids(conn, chunk)) if len(chunk) else []

    async def complete(self, is_stale: Callable[[], bool]) -> bool:
        """Collect every match on the background reader (stops early when stale). True when
        the result is now exact and still begins with the rows it showed; False when stale or
        when a write in between changed those first rows (the caller then reloads)."""
        if self.exact:
            return True
        query = self.query

        def collect(conn: sqlite3.Connection) -> array[int] | None:
            return _unless_interrupted(conn, is_stale, lambda: matching_ids(conn, query))  # stale: stop

        ids = await self._db.read(collect, background=True)
        if ids is None or is_stale():
            return False
        shown = self._ids
        self._ids, self._first_rows, self.total = ids, None, len(ids)
        return ids[: len(shown)] == shown

    async def build_position_map(self, every: int, is_stale: Callable[[], bool]) -> None:
        return None  # every position is already known


async def open_search(
    db: Database, query: OpportunityQuery, first_page: int
) -> tuple[SearchResult, list[OpportunityRow]]:
    def read(conn: sqlite3.Connection) -> tuple[SearchResult, list[OpportunityRow]]:
        # One hop: the first page is read with the matches, not after them.
        probed = probe_first_page(conn, query, first_page)
        if probed is not None:
            return SearchResult(db, query, array("q", (row.id for row in probed)), probed), probed
        ids = matching_ids(conn, query)
        return SearchResult(db, query, ids), rows_for_ids(conn, ids[:first_page])

    return await db.read(read)
