"""SQL for reading opportunity pages: whitelisted sort columns, forced indexes, keyset seeks.

Identifiers (columns, index names) come only from the whitelist below; every value is a
parameter. Each public function runs on a read connection's thread and does one page's worth
of work, so the table model pays one thread hop per page.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from catalynx_desktop.domain.query import OpportunityQuery, SortKey
from catalynx_desktop.domain.records import OpportunityRow
from catalynx_desktop.domain.stages import PIPELINE, Stage
from catalynx_desktop.storage.paging import Key, Seek
from catalynx_desktop.storage.query_check import check_query

SORT_COLUMNS: dict[SortKey, str] = {
    SortKey.SCORE: "score",
    SortKey.STAGE: "stage_rank",
    SortKey.CLOSE_DATE: "close_date",
    SortKey.AMOUNT: "amount",
    SortKey.TITLE: "title",
    SortKey.FUNDER: "funder_name",
    SortKey.DISCOVERED: "discovered_at",
}
STAGE_RANK: dict[Stage, int] = {stage: rank for rank, stage in enumerate(PIPELINE)}

ROW_COLUMNS = (
    "id, profile_id, title, funder_name, stage, score, amount, close_date, discovered_at, state, source"
)


@dataclass(frozen=True)
class PageRows:
    rows: list[OpportunityRow]
    keys: list[Key]  # the sort key of each row, for later seeks


@dataclass(frozen=True)
class CompiledQuery:
    """The SQL pieces of one OpportunityQuery; built once per query, not per page."""

    column: str
    index: str
    where: str
    params: tuple[Any, ...]
    descending: bool

    def order_by(self, forward: bool) -> str:
        desc = self.descending == forward  # reading backward flips the direction
        direction = "DESC" if desc else "ASC"
        return f"{self.column} {direction}, id {direction}"

    def after_condition(self, forward: bool) -> str:
        desc = self.descending == forward
        return f"({self.column}, id) {'<' if desc else '>'} (?, ?)"


def compile_query(query: OpportunityQuery) -> CompiledQuery:
    check_query(query)  # InvalidQuery (a ValueError) for anything not whitelisted or not a value
    column = SORT_COLUMNS[SortKey(query.sort)]
    where = "profile_id = ?"
    params: tuple[Any, ...] = (int(query.profile_id),)
    if query.stage is not None:
        where += " AND stage_rank = ?"
        params += (STAGE_RANK[Stage(query.stage)],)
        index = "ix_opp_profile_stage_rank" if column == "stage_rank" else f"ix_opp_profile_stage_{column}"
    else:
        index = f"ix_opp_profile_{column}"
    return CompiledQuery(column, index, where, params, query.descending)


def row_from_values(values: tuple[Any, ...]) -> OpportunityRow:
    return OpportunityRow._make(values[:11])


def _rows_after(
    conn: sqlite3.Connection,
    compiled: CompiledQuery,
    columns: str,
    forward: bool,
    after: Key,
    limit: int,
    offset: int = 0,
) -> list[tuple[Any, ...]]:
    """Rows strictly after `after` in the reading order, skipping `offset` of them.

    Two seeks, not one row-value comparison: SQLite turns `(col, id) < (?, ?)` into a range on
    `col` alone and walks every index entry sharing the key's value before the first row it
    keeps. Scores cluster (~1,650 rows share each of the top scores of a 1M-row demo), so each
    step of the position map cost ~300 µs instead of ~15 and the whole map >1 s instead of
    ~0.1 s, while jumps waited for it on far OFFSETs. So: the rest of the key's value by id
    (equality on the index prefix, a seek), then the values after it (a seek).
    """
    desc = compiled.descending == forward
    cmp, direction = ("<", "DESC") if desc else (">", "ASC")
    base = f"FROM opportunities INDEXED BY {compiled.index} WHERE {compiled.where}"
    same_where = f"{base} AND {compiled.column} = ? AND id {cmp} ?"
    params = (*compiled.params, after[0], after[1])
    same = conn.execute(
        f"SELECT {columns} {same_where} ORDER BY id {direction} LIMIT ? OFFSET ?", (*params, limit, offset)
    ).fetchall()
    if len(same) == limit:
        return same
    if offset and not same:  # the skip goes past the key's value: take off what it passed there
        offset -= conn.execute(f"SELECT count(*) {same_where}", params).fetchone()[0]
    else:
        offset = 0  # no skip, or it ended inside the key's value
    rest = conn.execute(
        f"SELECT {columns} {base} AND {compiled.column} {cmp} ? ORDER BY {compiled.order_by(forward)} "
        "LIMIT ? OFFSET ?",
        (*compiled.params, after[0], limit - len(same), max(offset, 0)),
    ).fetchall()
    return same + rest


def _from_end(
    conn: sqlite3.Connection, compiled: CompiledQuery, columns: str, forward: bool, limit: int, offset: int
) -> list[tuple[Any, ...]]:
    sql = (
        f"SELECT {columns} FROM opportunities INDEXED BY {compiled.index} WHERE {compiled.where} "
        f"ORDER BY {compiled.order_by(forward)} LIMIT ? OFFSET ?"
    )
    return conn.execute(sql, (*compiled.params, limit, offset)).fetchall()


def read_page(conn: sqlite3.Connection, compiled: CompiledQuery, seek: Seek) -> PageRows:
    """Rows of one page, in the query's order. Large skips first find the start key on the
    (covering) index alone, so skipped rows never cost a table lookup."""
    after = seek.after
    if seek.skip > 0:
        key_columns = f"{compiled.column}, id"
        if after is None:
            found = _from_end(conn, compiled, key_columns, seek.forward, 1, seek.skip - 1)
        else:
            found = _rows_after(conn, compiled, key_columns, seek.forward, after, 1, seek.skip - 1)
        if not found:
            return PageRows([], [])
        after = (found[0][0], found[0][1])
    columns = f"{ROW_COLUMNS}, {compiled.column}"
    if after is None:
        values = _from_end(conn, compiled, columns, seek.forward, seek.limit, 0)
    else:
        values = _rows_after(conn, compiled, columns, seek.forward, after, seek.limit)
    if not seek.forward:
        values.reverse()
    return PageRows([row_from_values(v) for v in values], [(v[11], v[0]) for v in values])


def count_rows(conn: sqlite3.Connection, query: OpportunityQuery) -> int:
    """Exact count from the trigger-maintained per-stage counts (no scan of the result)."""
    sql = "SELECT COALESCE(SUM(n), 0) FROM profile_stage_counts WHERE profile_id = ?"
    params: tuple[Any, ...] = (int(query.profile_id),)
    if query.stage is not None:
        sql += " AND stage = ?"
        params += (Stage(query.stage).value,)
    return int(conn.execute(sql, params).fetchone()[0])


def sample_keys(
    conn: sqlite3.Connection,
    compiled: CompiledQuery,
    start_after: tuple[int, Key] | None,
    every: int,
    max_steps: int,
) -> list[tuple[int, Key]]:
    """Keys at every `every`-th position, continuing after (position, key); at most max_steps.

    Each step is a short covering-index read (two seeks, see _rows_after): a full position map
    of 1M rows costs ~0.1 s in all, done in chunks on the background reader.
    """
    key_columns = f"{compiled.column}, id"
    found: list[tuple[int, Key]] = []
    if start_after is None:
        first = _from_end(conn, compiled, key_columns, True, 1, 0)
        if not first:
            return found
        start_after = (0, (first[0][0], first[0][1]))
        found.append(start_after)
    position, key = start_after
    for _ in range(max_steps):
        row = _rows_after(conn, compiled, key_columns, True, key, 1, every - 1)
        if not row:
            break
        position, key = position + every, (row[0][0], row[0][1])
        found.append((position, key))
    return found
