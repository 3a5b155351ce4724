"""Schema version 2: a data version that every committed write bumps.

Caches of query results (the first page of a view) are valid exactly while it is unchanged;
SQLite's own PRAGMA data_version is per connection, so it cannot serve across sessions.
"""

from __future__ import annotations

STATEMENTS: list[str] = [
    "CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
    "INSERT INTO data_version (id, version) VALUES (1, 0)",
]

BUMP_SQL = "UPDATE data_version SET version = version + 1 WHERE id = 1"
READ_SQL = "SELECT version FROM data_version WHERE id = 1"
