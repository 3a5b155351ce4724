"""Keep the full-text index of source records in step, and turn what a user types into an FTS5 query.

Writers call index_records(conn, ids) (or index_records_after(conn, last_id) for appends) in
the same transaction as the rows they wrote.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from catalynx_desktop.storage.schema_v3 import SEARCH_COLUMNS

_COLUMNS = ", ".join(SEARCH_COLUMNS)
_IDS_PER_STATEMENT = 900
_WORD = re.compile(r"\w+", re.UNICODE)


def index_records(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """(Re)index these source records: their current text replaces what the index had."""
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        chunk = tuple(ids[start : start + _IDS_PER_STATEMENT])
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM record_search WHERE rowid IN ({marks})", chunk)
        conn.execute(
            f"INSERT INTO record_search (rowid, {_COLUMNS}) SELECT id, {_COLUMNS} FROM source_records "
            f"WHERE id IN ({marks})",
            chunk,
        )


def index_records_after(conn: sqlite3.Connection, last_id: int) -> None:
    """Index records appended after `last_id` (bulk loads that only insert)."""
    conn.execute(
        f"INSERT INTO record_search (rowid, {_COLUMNS}) SELECT id, {_COLUMNS} FROM source_records "
        "WHERE id > ?",
        (last_id,),
    )


def fts_query(text: str) -> str:
    """A safe FTS5 query for what the user typed: every word must match (as a prefix).

    Words are quoted, so operators and punctuation in the input are plain text, never syntax;
    the result is passed as a bound parameter to MATCH. '' means "no search".
    """
    words = _WORD.findall(text.lower())
    return " AND ".join(f'"{word}"*' for word in words[:16])
