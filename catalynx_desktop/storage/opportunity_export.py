"""Every row of an opportunity view, or of an explicit selection, in the view's order, in chunks.

For exports: unlike the table model (which reads the pages on screen), these read the whole
result, a few thousand rows per hop on the *background* reader so the table's own reader never
queues behind an export. A view is read by keyset on its sort index, (sort column, id) strictly
after the last row of the previous chunk, never OFFSET, so every chunk costs the same.

Rows are plain tuples in EXPORT_FIELDS order (what catalynx_desktop.export writes): the
opportunity's own fields, then what its funder's record adds, in words (export_record.py).

Consistency: each chunk is its own read (no transaction held across chunks, which would pin the
WAL and the shared background connection for the whole export). Rows changed while an export
runs may appear with their old or new values; a row whose sort value changes across the keyset
position during the export can be missed or appear twice. Exports take seconds to a minute.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from functools import partial
from typing import Any

from catalynx_desktop.domain.export_selection import ExportSelection
from catalynx_desktop.domain.query import OpportunityQuery
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.export_record import RECORD_EXPORT_FIELDS, with_records
from catalynx_desktop.storage.opportunity_queries import CompiledQuery, compile_query
from catalynx_desktop.storage.opportunity_search import matching_ids
from catalynx_desktop.storage.record_search import fts_query

# Fields stored on `opportunities`, in order; the names are its column names (a fixed whitelist).
OPPORTUNITY_FIELDS: tuple[str, ...] = (
    "title",
    "funder_name",
    "stage",
    "score",
    "amount",
    "close_date",
    "discovered_at",
    "state",
    "source",
    "source_id",
    "rating",
    "priority",
    "tags",
    "notes",
)
# What a researcher needs from the funder's record, after them (see export_record.py).
EXPORT_FIELDS: tuple[str, ...] = OPPORTUNITY_FIELDS + RECORD_EXPORT_FIELDS
# Read along with each row for record_values(): the score's reasons and the record to join.
_SELECT = ", ".join((*OPPORTUNITY_FIELDS, "score_breakdown", "source_record_id"))
_READ = len(OPPORTUNITY_FIELDS) + 2
CHUNK_ROWS = 5000  # rows per background-reader hop (~10-20 ms of SQLite work)
_IDS_PER_STATEMENT = 900  # stay far below SQLite's host-parameter limit
_KEY_IDS_PER_HOP = 50_000  # ids whose sort keys are looked up per hop (small covering reads)


# -- one hop each (run on the background reader's thread) ---------------------------------------
def count_view(conn: sqlite3.Connection, compiled: CompiledQuery) -> int:
    """Exact row count of the view: a count over the view's own (covering) index."""
    sql = f"SELECT COUNT(*) FROM opportunities INDEXED BY {compiled.index} WHERE {compiled.where}"
    return int(conn.execute(sql, compiled.params).fetchone()[0])


def read_view_chunk(
    conn: sqlite3.Connection, compiled: CompiledQuery, after: tuple[Any, ...] | None, limit: int = CHUNK_ROWS
) -> tuple[list[tuple[Any, ...]], tuple[Any, ...] | None]:
    """Up to `limit` rows strictly after key `after` (None: from the start), and the key of the
    last row returned (None when the view is exhausted)."""
    sql = (
        f"SELECT {_SELECT}, {compiled.column}, id FROM opportunities INDEXED BY {compiled.index} "
        f"WHERE {compiled.where}"
    )
    params: tuple[Any, ...] = compiled.params
    if after is not None:
        sql += f" AND {compiled.after_condition(True)}"
        params += (after[0], after[1])
    values = conn.execute(f"{sql} ORDER BY {compiled.order_by(True)} LIMIT ?", (*params, limit)).fetchall()
    if not values:
        return [], None
    n = _READ
    last = values[-1]
    return with_records(conn, [v[:n] for v in values]), (last[n], last[n + 1])


def order_ids(conn: sqlite3.Connection, ids: Sequence[int], compiled: CompiledQuery) -> list[tuple[Any, ...]]:
    """(sort value, id) of those ids that exist (order is the caller's business)."""
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        part = ids[start : start + _IDS_PER_STATEMENT]
        found += conn.execute(
            f"SELECT {compiled.column}, id FROM opportunities WHERE id IN ({', '.join('?' * len(part))})",
            tuple(part),
        ).fetchall()
    return found


def read_ids(conn: sqlite3.Connection, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """Rows of these ids in the order given (missing ids are left out)."""
    by_id: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        part = ids[start : start + _IDS_PER_STATEMENT]
        for values in conn.execute(
            f"SELECT id, {_SELECT} FROM opportunities WHERE id IN ({', '.join('?' * len(part))})", tuple(part)
        ):
            by_id[values[0]] = values[1:]
    return with_records(conn, [by_id[i] for i in ids if i in by_id])


# -- async streams -------------------------------------------------------------------------------
class ViewExport:
    """Stream of a whole view: `total` (after count()) and `chunks()` in the view's order."""

    def __init__(self, db: Database, query: OpportunityQuery, chunk_rows: int = CHUNK_ROWS) -> None:
        self._db = db
        self.query = query
        self._compiled = compile_query(query)
        self._chunk_rows = chunk_rows
        self.total = 0
        self.missing = 0

    async def count(self) -> int:
        compiled = self._compiled
        self.total = await self._db.read(lambda conn: count_view(conn, compiled), background=True)
        return self.total

    async def chunks(self) -> AsyncIterator[list[tuple[Any, ...]]]:
        compiled, limit = self._compiled, self._chunk_rows
        after: tuple[Any, ...] | None = None
        while True:
            rows, after = await self._db.read(
                partial(read_view_chunk, compiled=compiled, after=after, limit=limit), background=True
            )
            if rows:
                yield rows
            if after is None or len(rows) < limit:
                return


class SelectionExport:
    """Stream of selected ids, in the view's order (or the given order)."""

    def __init__(self, db: Database, selection: ExportSelection, chunk_rows: int = CHUNK_ROWS) -> None:
        self._db = db
        self.selection = selection
        self._chunk_rows = chunk_rows
        self._ordered: list[int] | None = None
        self.total = 0
        self.missing = 0

    async def count(self) -> int:
        """Orders the ids by the view's sort (a few small hops) and counts those that exist."""
        ids = list(self.selection.ids)
        query = self.selection.query
        if query is None:
            self._ordered = ids  # existence is checked while reading
            self.total = len(ids)
            return self.total
        compiled = compile_query(query)
        keys: list[tuple[Any, ...]] = []
        for start in range(0, len(ids), _KEY_IDS_PER_HOP):
            part = ids[start : start + _KEY_IDS_PER_HOP]
            keys += await self._db.read(partial(order_ids, ids=part, compiled=compiled), background=True)
        # (value, id) in the same direction for both parts, as CompiledQuery.order_by does.
        keys.sort(reverse=compiled.descending)
        self._ordered = [k[1] for k in keys]
        self.total = len(self._ordered)
        self.missing = len(ids) - self.total
        return self.total

    async def chunks(self) -> AsyncIterator[list[tuple[Any, ...]]]:
        if self._ordered is None:
            await self.count()
        ordered = self._ordered or []
        for start in range(0, len(ordered), self._chunk_rows):
            part = ordered[start : start + self._chunk_rows]
            rows = await self._db.read(partial(read_ids, ids=part), background=True)
            self.missing += len(part) - len(rows)
            if rows:
                yield rows


class SearchViewExport(SelectionExport):
    """A view with a free-text search: its matches, collected in the view's order in one read
    (as the table does), then read in chunks."""

    def __init__(self, db: Database, query: OpportunityQuery, chunk_rows: int = CHUNK_ROWS) -> None:
        super().__init__(db, ExportSelection.of((), None), chunk_rows)
        self.query = query

    async def count(self) -> int:
        query = self.query
        self._ordered = list(await self._db.read(lambda conn: matching_ids(conn, query), background=True))
        self.total = len(self._ordered)
        return self.total


def export_stream(
    db: Database, source: OpportunityQuery | ExportSelection | Sequence[int], chunk_rows: int = CHUNK_ROWS
) -> ViewExport | SelectionExport:
    """The stream for a view (OpportunityQuery), a selection, or plain ids (kept in their order)."""
    if isinstance(source, OpportunityQuery) and (fts_query(source.search) or not source.filters.is_empty()):
        return SearchViewExport(db, source, chunk_rows)
    if isinstance(source, OpportunityQuery):
        return ViewExport(db, source, chunk_rows)
    if isinstance(source, ExportSelection):
        return SelectionExport(db, source, chunk_rows)
    return SelectionExport(db, ExportSelection.of(source), chunk_rows)
