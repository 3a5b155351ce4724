"""Keyset pages over one (column, id) order of one table: the read_page idea of
storage/opportunity_queries.py for any view whose query compiles to a KeysetQuery.

The SQL pieces come from the compilers (funder_queries.py), built only from whitelisted
identifiers; every value is a parameter.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from catalynx_desktop.storage.paging import Key, Seek


@dataclass(frozen=True)
class KeysetQuery:
    source: str  # "table [AS t] [INDEXED BY index]"
    columns: str  # the row's columns; the sort column is appended for the key
    column: str  # sort column (qualified if needed), NOT NULL
    id_column: str  # the table's rowid column (qualified if needed)
    where: str
    params: tuple[Any, ...]
    descending: bool
    column_params: tuple[Any, ...] = ()  # parameters of placeholders in `columns` (come first)

    def order_by(self, forward: bool) -> str:
        desc = self.descending == forward  # reading backward flips the direction
        direction = "DESC" if desc else "ASC"
        return f"{self.column} {direction}, {self.id_column} {direction}"

    def direction(self, forward: bool) -> tuple[str, str]:
        """(comparison for rows after a key, ORDER BY direction) when reading this way."""
        desc = self.descending == forward
        return ("<", "DESC") if desc else (">", "ASC")


def rows_after(
    conn: sqlite3.Connection,
    q: KeysetQuery,
    columns: str,
    column_params: tuple[Any, ...],
    forward: bool,
    after: Key,
    limit: int,
    offset: int = 0,
) -> list[tuple[Any, ...]]:
    """Rows strictly after `after` in the reading order, skipping `offset` of them.

    Two seeks, not one row-value comparison: SQLite turns `(col, id) > (?, ?)` into a range on
    `col` alone and walks every row sharing the key's value (tens of thousands when a funder's
    grants are sorted by year: 10 ms pages). So: the rest of the key's value by id, then the
    values after it; each is a seek on the (…, col, id) index.
    """
    cmp, direction = q.direction(forward)
    base = f"SELECT {columns} FROM {q.source} WHERE {q.where}"
    params = (*column_params, *q.params)
    same_sql = f"{base} AND {q.column} = ? AND {q.id_column} {cmp} ?"
    same = conn.execute(
        f"{same_sql} ORDER BY {q.id_column} {direction} LIMIT ? OFFSET ?", (*params, *after, limit, offset)
    ).fetchall()
    if len(same) == limit:
        return same
    if offset and not same:  # the skip goes past the key's value: count what it passed there
        counted = (
            f"SELECT count(*) FROM {q.source} WHERE {q.where} AND {q.column} = ? AND {q.id_column} {cmp} ?"
        )
        offset -= conn.execute(counted, (*q.params, *after)).fetchone()[0]
    else:
        offset = 0
    rest = conn.execute(
        f"{base} AND {q.column} {cmp} ? ORDER BY {q.order_by(forward)} LIMIT ? OFFSET ?",
        (*params, after[0], limit - len(same), max(offset, 0)),
    ).fetchall()
    return same + rest


def _from_end(
    conn: sqlite3.Connection,
    q: KeysetQuery,
    columns: str,
    column_params: tuple[Any, ...],
    forward: bool,
    limit: int,
    offset: int,
) -> list[tuple[Any, ...]]:
    sql = f"SELECT {columns} FROM {q.source} WHERE {q.where} ORDER BY {q.order_by(forward)} LIMIT ? OFFSET ?"
    return conn.execute(sql, (*column_params, *q.params, limit, offset)).fetchall()


def _key_after_skip(conn: sqlite3.Connection, q: KeysetQuery, seek: Seek) -> Key | None:
    """The key just before the page: skipped on the index alone (no row lookups)."""
    key_columns = f"{q.column}, {q.id_column}"
    if seek.after is None:
        found = _from_end(conn, q, key_columns, (), seek.forward, 1, seek.skip - 1)
    else:
        found = rows_after(conn, q, key_columns, (), seek.forward, seek.after, 1, seek.skip - 1)
    return (found[0][0], found[0][1]) if found else None


def read_keyset_page(
    conn: sqlite3.Connection, q: KeysetQuery, seek: Seek
) -> tuple[list[tuple[Any, ...]], list[Key]]:
    """(row values without the key column, keys) of one page, in the query's order.

    The query's columns start with the id; the sort column is appended for the key."""
    after = seek.after
    if seek.skip > 0:
        after = _key_after_skip(conn, q, seek)
        if after is None:
            return [], []
    columns = f"{q.columns}, {q.column}"
    if after is None:
        values = _from_end(conn, q, columns, q.column_params, seek.forward, seek.limit, 0)
    else:
        values = rows_after(conn, q, columns, q.column_params, seek.forward, after, seek.limit)
    if not seek.forward:
        values.reverse()
    return [v[:-1] for v in values], [(v[-1], v[0]) for v in values]


def sample_keyset(
    conn: sqlite3.Connection, q: KeysetQuery, start_after: tuple[int, Key] | None, every: int, max_steps: int
) -> list[tuple[int, Key]]:
    """Keys at every `every`-th position (a position map for jumps), continuing after (position, key)."""
    key_columns = f"{q.column}, {q.id_column}"
    found: list[tuple[int, Key]] = []
    if start_after is None:
        first = _from_end(conn, q, key_columns, (), True, 1, 0)
        if not first:
            return found
        start_after = (0, (first[0][0], first[0][1]))
        found.append(start_after)
    position, key = start_after
    for _ in range(max_steps):
        row = rows_after(conn, q, key_columns, (), True, key, 1, every - 1)
        if not row:
            break
        position, key = position + every, (row[0][0], row[0][1])
        found.append((position, key))
    return found
