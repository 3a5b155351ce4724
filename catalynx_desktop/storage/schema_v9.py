"""Schema version 9: the database's cache identity, a random id that changes with every restore.

Caches of query results (the first page of a view) are keyed on the data version, a counter
that starts again in every new database and goes back with a restored one: a new 2,000-row
database at version 7 would match the snapshot of an old 3,000-row one at version 7. The
pair (identity, version) cannot: a created database draws a new id (this migration runs for
new and existing databases alike) and `renew_identity` draws one for every restored copy.

The id is a column of v6's one-row `database_identity` table, beside its `uid`, but not that
`uid`: calendar UIDs are built from `uid` and must stay the same in a restored copy (the same
tasks must update their events in a calendar app, not duplicate them), while this id must not.
"""

from __future__ import annotations

import secrets
import sqlite3

STATEMENTS: list[str] = [
    "ALTER TABLE database_identity ADD COLUMN database_id TEXT NOT NULL DEFAULT ''",
]

# The data version and the identity in one read (one snapshot when run inside a transaction).
FINGERPRINT_SQL = (
    "SELECT (SELECT database_id FROM database_identity WHERE id = 1), version FROM data_version WHERE id = 1"
)

DataFingerprint = tuple[str, int]


def new_identity(conn: sqlite3.Connection) -> None:
    """Give the database a fresh random id (the migration's step; a restore calls it too)."""
    conn.execute("UPDATE database_identity SET database_id = ? WHERE id = 1", (secrets.token_hex(16),))


def renew_identity(conn: sqlite3.Connection) -> None:
    """A restored copy is another database: new id. Copies older than v9 get one when migrated."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(database_identity)")}
    if "database_id" in columns:
        with conn:
            new_identity(conn)


def read_fingerprint(conn: sqlite3.Connection) -> DataFingerprint:
    row = conn.execute(FINGERPRINT_SQL).fetchone()
    return (str(row[0] or ""), int(row[1])) if row else ("", 0)
