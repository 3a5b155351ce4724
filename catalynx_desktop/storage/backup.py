"""Database backups with SQLite's online backup API; the newest N are kept."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from catalynx_desktop.storage.schema_v6 import renew_identity

BACKUP_SUFFIX = ".sqlite3"


def backup_database(conn: sqlite3.Connection, backups_dir: Path, *, reason: str, keep: int = 5) -> Path:
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backups_dir / f"catalynx-{stamp}-{reason}{BACKUP_SUFFIX}"
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    prune_backups(backups_dir, keep)
    return target


def backup_file(database: Path, backups_dir: Path, *, reason: str, keep: int = 5) -> Path:
    """Back up the database file at `database` (the online backup API: safe while the app runs)."""
    with sqlite3.connect(database) as conn:
        return backup_database(conn, backups_dir, reason=reason, keep=keep)


def list_backups(backups_dir: Path) -> list[Path]:
    """Newest first."""
    if not backups_dir.exists():
        return []
    return sorted(backups_dir.glob(f"catalynx-*{BACKUP_SUFFIX}"), reverse=True)


def prune_backups(backups_dir: Path, keep: int) -> None:
    """Delete all but the newest `keep` backups; the newest one is never deleted (keep < 1 counts as 1)."""
    for old in list_backups(backups_dir)[max(keep, 1) :]:
        old.unlink(missing_ok=True)


@contextmanager
def _read_only(database: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection that leaves no -wal/-shm files behind: opening a WAL-mode file read-only
    creates them, and a read-only connection cannot remove them when it closes. Files that were
    there before are left alone (they may hold another connection's pages)."""
    companions = [Path(f"{database}{suffix}") for suffix in ("-wal", "-shm")]
    existing = {file for file in companions if file.exists()}
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()
        for file in companions:
            if file not in existing:
                file.unlink(missing_ok=True)


def check_backup(backup: Path, latest_version: int) -> None:
    """Raise ValueError unless `backup` is an intact Catalynx database this version can open."""
    try:
        with _read_only(backup) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise ValueError(f"{backup} is not a usable database ({error})") from error
    if result != "ok":
        raise ValueError(f"{backup} is damaged: {result}")
    if not 1 <= version <= latest_version:
        raise ValueError(f"{backup} has schema version {version}; this app reads 1 to {latest_version}")


def restore_backup(backup: Path, database: Path, backups_dir: Path, latest_version: int) -> Path | None:
    """Replace `database` with `backup`. The current database is kept first: backed up if it is
    readable, otherwise moved aside as *.damaged-<time>. Returns where the old one went."""
    check_backup(backup, latest_version)
    kept: Path | None = None
    if database.exists():
        current = sqlite3.connect(database)
        try:
            if current.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
            kept = backup_database(current, backups_dir, reason="before-restore", keep=1_000)
        except sqlite3.DatabaseError:
            kept = None
        finally:
            current.close()
        if kept is None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            kept = database.with_name(f"{database.name}.damaged-{stamp}")
            database.replace(kept)
    # Copy into a temp file first, then swap it in with one rename: no half-restored database.
    staging = database.with_name(f"{database.name}.restoring")
    staging.unlink(missing_ok=True)
    with _read_only(backup) as source:
        target = sqlite3.connect(staging)
        try:
            source.backup(target)
            renew_identity(target)  # another database now: caches keyed on the old one must miss
        finally:
            target.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.replace(staging, database)
    return kept
