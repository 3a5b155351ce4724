"""The funder columns Discover reads come from one SELECT list: real columns when the table has
them, '' until then (the BMF extras become columns in a later schema)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from catalynx_desktop.domain.matching import FUNDER_COLUMNS
from catalynx_desktop.storage.discovery_store import discovery_chunk_sql, funder_select
from catalynx_desktop.storage.migrations import MIGRATIONS, migrate


def test_missing_bmf_columns_read_as_empty_then_as_columns_once_added(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    migrate(path, tmp_path / "backups", migrations=MIGRATIONS[:3])  # before v4 kept every BMF column
    with sqlite3.connect(path) as conn:
        before = funder_select(conn).split(", ")
        assert len(before) == len(FUNDER_COLUMNS)
        assert before[FUNDER_COLUMNS.index("activity")] == "''"
        assert before[FUNDER_COLUMNS.index("ein")] == "sr.ein"
        conn.execute("ALTER TABLE source_records ADD COLUMN activity TEXT NOT NULL DEFAULT ''")
        conn.execute(
            "INSERT INTO source_records (source, source_id, kind, name, ein, activity) "
            "VALUES ('irs_bmf', '030300865', 'foundation', 'BEN & JERRYS FOUNDATION', '030300865', '602600603')"
        )
        select = funder_select(conn)
        assert select.split(", ")[FUNDER_COLUMNS.index("activity")] == "sr.activity"
        (row,) = conn.execute(discovery_chunk_sql(select), (1, 0, 10**9)).fetchall()
        assert row[4 + FUNDER_COLUMNS.index("activity")] == "602600603"


def test_at_the_latest_schema_every_bmf_fact_is_a_real_column(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    migrate(path, tmp_path / "backups")
    with sqlite3.connect(path) as conn:
        select = funder_select(conn).split(", ")
    for column in ("activity", "deductibility", "bmf_status", "sort_name"):
        assert select[FUNDER_COLUMNS.index(column)] != "''", column
