"""Error classification for bad environments, on real errors where SQLite can produce them:
a full database (max_page_count), OS errors (ENOSPC, EROFS, EACCES), damage vs. locked; and the
writer connection staying usable after a write that failed for lack of space."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from catalynx_desktop.paths import DataDirectoryError, resolve_paths
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.errors import DISK_FULL, ErrorKind, StorageError, classify, is_damage
from tests.storage.helpers import run


def real_full_error(tmp_path: Path) -> sqlite3.OperationalError:
    conn = sqlite3.connect(tmp_path / "tiny.sqlite3")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA max_page_count = 3")
    try:
        conn.execute("INSERT INTO t VALUES (zeroblob(100000))")
    except sqlite3.OperationalError as error:
        return error
    finally:
        conn.close()
    raise AssertionError("the insert should not fit")


def test_a_real_sqlite_full_error_says_the_disk_is_full_and_names_the_data_directory(tmp_path):
    error = real_full_error(tmp_path)
    assert error.sqlite_errorcode == sqlite3.SQLITE_FULL
    database = tmp_path / "home" / "catalynx.sqlite3"
    database.parent.mkdir()
    classified = classify(error, database)
    assert classified.kind is ErrorKind.ENVIRONMENT
    assert classified.user_message == DISK_FULL.format(dir=database.parent, path=database)
    assert "is full" in classified.user_message and str(database.parent) in classified.user_message


@pytest.mark.parametrize(
    ("number", "words"),
    [(errno.ENOSPC, "is full"), (errno.EROFS, "is not writable"), (errno.EACCES, "is not writable")],
)
def test_os_errors_of_the_environment(tmp_path, number, words):
    where = tmp_path / "home" / "backups" / "b.sqlite3"
    where.parent.mkdir(parents=True)
    classified = classify(OSError(number, "strerror", str(where)), tmp_path / "home" / "catalynx.sqlite3")
    assert classified.kind is ErrorKind.ENVIRONMENT and words in classified.user_message
    assert str(tmp_path / "home") in classified.user_message


def test_damage_is_told_apart_from_busy_full_and_read_only():
    assert is_damage(sqlite3.DatabaseError("file is not a database"))
    assert is_damage(sqlite3.DatabaseError("database disk image is malformed"))
    for text in (
        "database is locked",
        "database or disk is full",
        "disk I/O error",
        "attempt to write a readonly database",
        "unable to open database file",
    ):
        assert not is_damage(sqlite3.OperationalError(text)), text
        assert classify(sqlite3.OperationalError(text)).kind is ErrorKind.ENVIRONMENT
    assert classify(sqlite3.OperationalError("no such column: foo")).kind is ErrorKind.BUG
    assert (
        classify(sqlite3.OperationalError("cannot rollback - no transaction is active")).kind is ErrorKind.BUG
    )


def test_the_writer_is_usable_again_after_a_write_that_found_the_database_full(tmp_path):
    """SQLITE_FULL rolls the transaction back inside SQLite; the wrapper must neither hide the
    error behind a failing ROLLBACK nor leave a transaction open on the writer."""

    async def scenario():
        db = await Database.open(tmp_path / "catalynx.sqlite3")
        try:
            await db.execute_many("INSERT INTO profiles (name) VALUES (?)", [("a",)])
            pages = (await db.fetch_one("PRAGMA page_count"))[0]
            await db.write(lambda conn: conn.execute(f"PRAGMA max_page_count = {int(pages)}"))
            with pytest.raises(StorageError) as raised:
                await db.execute_many(
                    "INSERT INTO profiles (name, keywords) VALUES (?, ?)",
                    [(f"p{i}", "k" * 5_000) for i in range(50)],
                )
            assert raised.value.kind is ErrorKind.ENVIRONMENT and "is full" in raised.value.user_message
            assert (await db.fetch_one("SELECT count(*) FROM profiles"))[0] == 1
            await db.write(lambda conn: conn.execute("PRAGMA max_page_count = 1073741823"))
            assert await db.execute_many("INSERT INTO profiles (name) VALUES (?)", [("b",), ("c",)]) == 2
            assert (await db.fetch_one("PRAGMA integrity_check"))[0] == "ok"
        finally:
            await db.close()

    run(scenario())


def test_data_directory_checks(tmp_path):
    assert resolve_paths(tmp_path / "new").ensure().data_dir.is_dir()  # created
    taken = tmp_path / "taken"
    taken.write_text("a file")
    with pytest.raises(DataDirectoryError, match="it is a file, not a folder") as raised:
        resolve_paths(taken).ensure()
    assert raised.value.kind is ErrorKind.ENVIRONMENT and str(taken) in raised.value.user_message
    # A cache (or log) directory that cannot be made is not fatal: the app runs without it.
    home = tmp_path / "home"
    home.mkdir()
    (home / "cache").write_text("not a folder")
    paths = resolve_paths(home).ensure()
    assert paths.config_dir.is_dir() and (home / "cache").read_text() == "not a folder"
