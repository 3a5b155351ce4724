"""Backup rotation and reading backups without leaving files next to them."""

from __future__ import annotations

import sqlite3

from catalynx_desktop.storage.backup import (
    backup_database,
    backup_file,
    check_backup,
    list_backups,
    prune_backups,
    restore_backup,
)
from catalynx_desktop.storage.migrations import LATEST_VERSION, migrate


def make_database(path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")  # like the app's database
        conn.execute("PRAGMA user_version = 1")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
    conn.close()


def test_pruning_never_deletes_the_newest_backup(tmp_path):
    make_database(tmp_path / "db.sqlite3")
    backups = tmp_path / "backups"
    conn = sqlite3.connect(tmp_path / "db.sqlite3")
    try:
        made = [backup_database(conn, backups, reason="test", keep=10) for _ in range(3)]
    finally:
        conn.close()
    prune_backups(backups, 0)
    assert list_backups(backups) == [made[-1]]
    prune_backups(backups, -5)
    assert list_backups(backups) == [made[-1]]


def test_checking_a_wal_backup_leaves_no_wal_or_shm_file(tmp_path):
    make_database(tmp_path / "db.sqlite3")
    backups = tmp_path / "backups"
    conn = sqlite3.connect(tmp_path / "db.sqlite3")
    try:
        backup = backup_database(conn, backups, reason="test")
    finally:
        conn.close()
    check_backup(backup, latest_version=1)
    assert sorted(file.name for file in backups.iterdir()) == [backup.name]


def test_a_wal_file_that_was_there_before_is_left_alone(tmp_path):
    make_database(tmp_path / "db.sqlite3")
    live = sqlite3.connect(tmp_path / "db.sqlite3")  # keeps the -wal and -shm files open
    try:
        live.execute("INSERT INTO t VALUES (2)")
        live.commit()
        check_backup(tmp_path / "db.sqlite3", latest_version=1)
        assert (tmp_path / "db.sqlite3-wal").exists() and (tmp_path / "db.sqlite3-shm").exists()
        assert live.execute("SELECT count(*) FROM t").fetchone()[0] == 2
    finally:
        live.close()


def test_a_restore_renews_the_cache_id_and_keeps_the_calendar_uid(tmp_path):
    """Schema v9's cache id and v6's calendar uid share one row but not one lifetime: a restored
    copy must miss every cached view, yet its tasks must keep their calendar event UIDs."""
    database = tmp_path / "catalynx.sqlite3"
    migrate(database, tmp_path / "backups")

    def identity() -> tuple[str, str]:
        conn = sqlite3.connect(database)
        try:
            return conn.execute("SELECT uid, database_id FROM database_identity WHERE id = 1").fetchone()
        finally:
            conn.close()

    uid, cache_id = identity()
    assert uid and len(cache_id) == 32
    backup = backup_file(database, tmp_path / "backups", reason="test")
    restore_backup(backup, database, tmp_path / "backups", LATEST_VERSION)
    restored_uid, restored_cache_id = identity()
    assert restored_uid == uid and restored_cache_id not in ("", cache_id)
