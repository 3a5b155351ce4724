"""Keyset pages over one (column, id) order of one table: the read_page idea of
storage/opportunity_queries.py for any view whose query compiles to a KeysetQuery.

The SQL pieces come from the compilers (funder_queries.py), built only from whitelisted
identifiers; every value is a parameter.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from catalynx_desktop.storage.paging import Key, Seek


@dataclass(frozen=True)
class KeysetQuery:
    source: str  # "table [AS t] [INDEXED BY index]"
    columns: str  # the row's columns; the sort column is appended for the key
    column: str  # sort column (qualified if needed), NOT NULL
    id_column: str  # the table's rowid column (qualified if needed)
    where: str
    params: tuple
    descending: bool
    column_params: tuple = ()  # parameters of placeholders in `columns` (come first)

    def order_by(self, forward: bool) -> str:
        desc = self.descending == forward  # reading backward flips the direction
        direction = "DESC" if desc else "ASC"
        return f"{self.column} {direction}, {self.id_column} {direction}"

    def after_condition(self, forward: bool) -> str:
        desc = self.descending == forward
        return f"({self.column}, {self.id_column}) {'<' if desc else '>'} (?, ?)"


def _key_after_skip(conn: sqlite3.Connection, q: KeysetQuery, seek: Seek) -> Key | None:
    """The key just before the page: skipped on the index alone (no row lookups)."""
    sql = f"SELECT {q.column}, {q.id_column} FROM {q.source} WHERE {q.where}"
    params: tuple = q.params
    if seek.after is not None:
        sql += f" AND {q.after_condition(seek.forward)}"
        params += (seek.after[0], seek.after[1])
    found = conn.execute(
        f"{sql} ORDER BY {q.order_by(seek.forward)} LIMIT 1 OFFSET ?", (*params, seek.skip - 1)
    ).fetchone()
    return None if found is None else (found[0], found[1])


def read_keyset_page(conn: sqlite3.Connection, q: KeysetQuery, seek: Seek) -> tuple[list[tuple], list[Key]]:
    """(row values without the key column, keys) of one page, in the query's order."""
    after = seek.after
    if seek.skip > 0:
        after = _key_after_skip(conn, q, seek)
        if after is None:
            return [], []
    sql = f"SELECT {q.columns}, {q.column} FROM {q.source} WHERE {q.where}"
    params: tuple = (*q.column_params, *q.params)
    if after is not None:
        sql += f" AND {q.after_condition(seek.forward)}"
        params += (after[0], after[1])
    values = conn.execute(
        f"{sql} ORDER BY {q.order_by(seek.forward)} LIMIT ?", (*params, seek.limit)
    ).fetchall()
    if not seek.forward:
        values.reverse()
    return [v[:-1] for v in values], [(v[-1], v[0]) for v in values]


def sample_keyset(
    conn: sqlite3.Connection, q: KeysetQuery, start_after: tuple[int, Key] | None, every: int, max_steps: int
) -> list[tuple[int, Key]]:
    """Keys at every `every`-th position (a position map for jumps), continuing after (position, key)."""
    order = q.order_by(True)
    base = f"SELECT {q.column}, {q.id_column} FROM {q.source} WHERE {q.where}"
    found: list[tuple[int, Key]] = []
    if start_after is None:
        first = conn.execute(f"{base} ORDER BY {order} LIMIT 1", q.params).fetchone()
        if first is None:
            return found
        start_after = (0, (first[0], first[1]))
        found.append(start_after)
    position, key = start_after
    sql = f"{base} AND {q.after_condition(True)} ORDER BY {order} LIMIT 1 OFFSET ?"
    for _ in range(max_steps):
        row = conn.execute(sql, (*q.params, key[0], key[1], every - 1)).fetchone()
        if row is None:
            break
        position, key = position + every, (row[0], row[1])
        found.append((position, key))
    return found
