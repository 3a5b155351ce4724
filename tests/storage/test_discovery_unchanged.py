"""A Discover worker leaves out an upsert row that would change nothing (discovery_store.unchanged):
it must agree with the upsert itself, which is the judge of "changed" (its IS NOT comparisons)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from catalynx_desktop.storage import discovery_store
from catalynx_desktop.storage.migrations import migrate


def _db(tmp_path: Path) -> sqlite3.Connection:
    path = tmp_path / "db.sqlite3"
    migrate(path, tmp_path / "backups")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("INSERT INTO profiles (id, name) VALUES (1, 'Food')")
    conn.execute(
        "INSERT INTO source_records (id, source, source_id, kind, name, funder_name, ein, state) "
        "VALUES (5, 'irs_bmf', '030300865', 'foundation', 'BEN & JERRYS FOUNDATION', '', '030300865', 'VT')"
    )
    return conn


def _chunk_row(conn: sqlite3.Connection) -> tuple[Any, ...]:
    sql = discovery_store.discovery_chunk_sql(discovery_store.funder_select(conn))
    (row,) = discovery_store.read_discovery_chunk(conn, sql, 1, 0, 10**9)
    return row


def _upsert(score: float, amount: int = 25_000, close: str = "") -> tuple[Any, ...]:
    name = "BEN & JERRYS FOUNDATION"
    breakdown = json.dumps({"total": score, "dims": []})
    return (1, 5, "irs_bmf", "030300865", name, name, "VT", score, breakdown, amount, close, "2026-11-23")


def _changed_by_upsert(conn: sqlite3.Connection, row: tuple[Any, ...]) -> int:
    conn.execute("BEGIN")
    result = discovery_store.upsert_opportunities(conn, [row])
    conn.execute("COMMIT")
    return result.created + result.updated


def test_a_new_record_is_never_unchanged(tmp_path: Path) -> None:
    conn = _db(tmp_path)
    row = _chunk_row(conn)
    assert row[discovery_store.EXISTING_AT] is None
    assert not discovery_store.unchanged(_upsert(0.7123), row)


def test_unchanged_agrees_with_the_upsert(tmp_path: Path) -> None:
    conn = _db(tmp_path)
    assert _changed_by_upsert(conn, _upsert(0.7123)) == 1  # created
    row = _chunk_row(conn)
    assert row[discovery_store.EXISTING_AT] is not None
    # the same values: left out by the worker, and the upsert would indeed change nothing
    assert discovery_store.unchanged(_upsert(0.7123), row)
    assert _changed_by_upsert(conn, _upsert(0.7123)) == 0
    # any updatable column that differs: sent, and the upsert changes the row
    for changed in (_upsert(0.7124), _upsert(0.7123, amount=30_000), _upsert(0.7123, close="2027-01-15")):
        row = _chunk_row(conn)
        assert not discovery_store.unchanged(changed, row)
        assert _changed_by_upsert(conn, changed) == 1
        assert discovery_store.unchanged(changed, _chunk_row(conn))
