"""Backup rotation and reading backups without leaving files next to them."""

from __future__ import annotations

import sqlite3

from catalynx_desktop.storage.backup import backup_database, check_backup, list_backups, prune_backups


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
