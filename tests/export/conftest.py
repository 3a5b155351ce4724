"""One demo database for the export tests: 100,000 opportunities of one profile, built once.

Built synchronously with sqlite3 (migrations + the demo loader in one transaction) so the module
fixture does not need an event loop; each test opens it with Database.open on the qasync loop.
Exports only read, so the tests can share it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from catalynx_desktop.storage.migrations import migrate
from catalynx_desktop.storage.sqlite_uri import read_only_uri
from catalynx_desktop.workflows.demo.generator import DemoPlan
from catalynx_desktop.workflows.demo.loader import load_demo

VIEW_ROWS = 100_000


@pytest.fixture(scope="session")
def export_db(tmp_path_factory) -> tuple[Path, int]:
    """(database path, profile id) with VIEW_ROWS opportunities for that profile."""
    directory = tmp_path_factory.mktemp("export-db")
    path = directory / "catalynx.sqlite3"
    migrate(path, directory / "backups")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        result = load_demo(conn, DemoPlan(1, VIEW_ROWS, seed=11))
        # A few values the demo leaves empty, so every column kind is exported at least once.
        conn.execute(
            "UPDATE opportunities SET rating = 1 + id % 5, priority = 'high', "
            "tags = '[\"arts\", \"youth\"]', notes = 'call ' || id WHERE id % 97 = 0"
        )
        conn.execute("UPDATE opportunities SET title = '=HYPERLINK(\"x\")' WHERE id = 194")
        conn.execute("COMMIT")
    finally:
        conn.close()
    return path, result.profile_ids[0]


@pytest.fixture
def sql(export_db):
    """A plain read-only sqlite3 connection for the 'direct SQL' side of the comparisons."""
    conn = sqlite3.connect(read_only_uri(export_db[0]), uri=True)
    yield conn
    conn.close()
