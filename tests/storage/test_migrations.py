"""Migrations: fresh database, each step in order, refusal of newer/foreign/corrupt files, backups."""

from __future__ import annotations

import sqlite3

import pytest

from catalynx_desktop.storage.backup import list_backups
from catalynx_desktop.storage.errors import CorruptDatabaseError, ErrorKind, NewerDatabaseError
from catalynx_desktop.storage.migrations import LATEST_VERSION, MIGRATIONS, Migration, migrate
from catalynx_desktop.storage.schema_v1 import SORTABLE_COLUMNS


def user_version(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


def test_fresh_database_reaches_latest_version(tmp_path):
    db = tmp_path / "c.sqlite3"
    assert migrate(db, tmp_path / "backups") == 0
    assert user_version(db) == LATEST_VERSION
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert {
        "profiles",
        "source_records",
        "opportunities",
        "stage_history",
        "profile_stage_counts",
        "workflow_runs",
        "workflow_steps",
    } <= tables
    for column in SORTABLE_COLUMNS:  # every sortable column is indexed per profile
        assert f"ix_opp_profile_{column}" in indexes
    # no backup of an empty database
    assert list_backups(tmp_path / "backups") == []


def test_migrating_twice_is_a_no_op(tmp_path):
    db = tmp_path / "c.sqlite3"
    migrate(db, tmp_path / "backups")
    assert migrate(db, tmp_path / "backups") == LATEST_VERSION


def test_each_migration_applies_in_order_with_a_backup_first(tmp_path):
    db = tmp_path / "c.sqlite3"
    migrate(db, tmp_path / "backups", migrations=MIGRATIONS[:1])
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO profiles (name) VALUES ('kept')")
    extra = Migration(
        LATEST_VERSION + 1,
        "test: add a column",
        ("ALTER TABLE profiles ADD COLUMN website TEXT NOT NULL DEFAULT ''",),
    )
    found = migrate(db, tmp_path / "backups", migrations=(*MIGRATIONS, extra))
    assert found == 1  # it was at version 1: every later step ran, in order
    assert user_version(db) == LATEST_VERSION + 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name, website FROM profiles").fetchall() == [("kept", "")]
    backups = list_backups(tmp_path / "backups")
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:  # the backup holds the data as it was
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT name FROM profiles").fetchall() == [("kept",)]


def test_a_failing_migration_rolls_back_and_keeps_the_old_version(tmp_path):
    db = tmp_path / "c.sqlite3"
    migrate(db, tmp_path / "backups")
    broken = Migration(LATEST_VERSION + 1, "broken", ("CREATE TABLE t (x)", "THIS IS NOT SQL"))
    with pytest.raises(sqlite3.OperationalError):
        migrate(db, tmp_path / "backups", migrations=(*MIGRATIONS, broken))
    assert user_version(db) == LATEST_VERSION
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 't'").fetchone()[0] == 0


def test_newer_database_is_refused_and_untouched(tmp_path):
    db = tmp_path / "c.sqlite3"
    migrate(db, tmp_path / "backups")
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    before = db.read_bytes()
    with pytest.raises(NewerDatabaseError) as raised:
        migrate(db, tmp_path / "backups")
    assert raised.value.kind is ErrorKind.ENVIRONMENT
    assert "newer version" in str(raised.value)
    assert db.read_bytes() == before


def test_garbage_file_is_refused_and_untouched(tmp_path):
    db = tmp_path / "c.sqlite3"
    db.write_bytes(b"this is not a database at all" * 200)
    before = db.read_bytes()
    with pytest.raises(CorruptDatabaseError) as raised:
        migrate(db, tmp_path / "backups")
    assert "has not been changed" in str(raised.value)
    assert db.read_bytes() == before


def test_foreign_sqlite_database_is_refused(tmp_path):
    db = tmp_path / "c.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE something_else (x)")
    with pytest.raises(CorruptDatabaseError):
        migrate(db, tmp_path / "backups")


def test_v1_to_v2_adds_the_data_version_and_writes_bump_it(tmp_path):
    import asyncio

    from catalynx_desktop.storage.database import Database

    db = tmp_path / "c.sqlite3"
    migrate(db, tmp_path / "backups", migrations=MIGRATIONS[:1])
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO profiles (name) VALUES ('kept')")
    assert migrate(db, tmp_path / "backups") == 1
    assert user_version(db) == LATEST_VERSION

    async def scenario():
        database = await Database.open(db)
        try:
            start = await database.data_version()
            await database.write(lambda conn: conn.execute("UPDATE profiles SET name = 'renamed'"))
            after_change = await database.data_version()
            await database.write(lambda conn: conn.execute("UPDATE profiles SET name = 'x' WHERE id = -1"))
            after_no_op = await database.data_version()
            return start, after_change, after_no_op
        finally:
            await database.close()

    start, after_change, after_no_op = asyncio.run(scenario())
    assert after_change == start + 1
    assert after_no_op == after_change  # a write that changed nothing keeps caches valid
