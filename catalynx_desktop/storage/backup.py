"""Database backups with SQLite's online backup API; the newest N are kept."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

BACKUP_SUFFIX = ".sqlite3"


def backup_database(conn: sqlite3.Connection, backups_dir: Path, *, reason: str, keep: int = 5) -> Path:
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = backups_dir / f"catalynx-{stamp}-{reason}{BACKUP_SUFFIX}"
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    prune_backups(backups_dir, keep)
    return target


def list_backups(backups_dir: Path) -> list[Path]:
    """Newest first."""
    if not backups_dir.exists():
        return []
    return sorted(backups_dir.glob(f"catalynx-*{BACKUP_SUFFIX}"), reverse=True)


def prune_backups(backups_dir: Path, keep: int) -> None:
    for old in list_backups(backups_dir)[keep:]:
        old.unlink(missing_ok=True)
