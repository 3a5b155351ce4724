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


def read_page(conn: sqlite3.Connection, compiled: CompiledQuery, seek: Seek) -> PageRows:
    """Rows of one page, in the query's order. Large skips first find the start key on the
    (covering) index alone, so skipped rows never cost a table lookup."""
    after = seek.after
    skip = seek.skip
    base = f"FROM opportunities INDEXED BY {compiled.index} WHERE {compiled.where}"
    order = compiled.order_by(seek.forward)
    if skip > 0:
        sql = f"SELECT {compiled.column}, id {base}"
        params: tuple[Any, ...] = compiled.params
        if after is not None:
            sql += f" AND {compiled.after_condition(seek.forward)}"
            params += (after[0], after[1])
        found = conn.execute(f"{sql} ORDER BY {order} LIMIT 1 OFFSET ?", (*params, skip - 1)).fetchone()
        if found is None:
            return PageRows([], [])
        after = (found[0], found[1])
    sql = f"SELECT {ROW_COLUMNS}, {compiled.column} {base}"
    params = compiled.params
    if after is not None:
        sql += f" AND {compiled.after_condition(seek.forward)}"
        params += (after[0], after[1])
    values = conn.execute(f"{sql} ORDER BY {order} LIMIT ?", (*params, seek.limit)).fetchall()
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

    Each step is one short covering-index read, so building a full position map of 1M rows
    costs a few hundred ms in total, done in chunks on the background reader.
    """
    order = compiled.order_by(True)
    base = f"FROM opportunities INDEXED BY {compiled.index} WHERE {compiled.where}"
    found: list[tuple[int, Key]] = []
    if start_after is None:
        first = conn.execute(
            f"SELECT {compiled.column}, id {base} ORDER BY {order} LIMIT 1", compiled.params
        ).fetchone()
        if first is None:
            return found
        start_after = (0, (first[0], first[1]))
        found.append(start_after)
    position, key = start_after
    sql = (
        f"SELECT {compiled.column}, id {base} AND {compiled.after_condition(True)} "
        f"ORDER BY {order} LIMIT 1 OFFSET ?"
    )
    for _ in range(max_steps):
        row = conn.execute(sql, (*compiled.params, key[0], key[1], every - 1)).fetchone()
        if row is None:
            break
        position, key = position + every, (row[0], row[1])
        found.append((position, key))
    return found
