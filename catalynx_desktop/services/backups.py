"""Backups of a data directory's database: take one, list them, restore one.

Plain functions on the data directory's paths: they run with or without the app's services
open (the command line restores into a closed database). Blocking: call them off the UI thread.
"""

from __future__ import annotations

from pathlib import Path

from catalynx_desktop.paths import AppPaths
from catalynx_desktop.storage import backup
from catalynx_desktop.storage.migrations import LATEST_VERSION


def take_backup(paths: AppPaths, *, reason: str = "on-demand", keep: int = 5) -> Path:
    """A new backup of the database (safe while the app runs), counted only once it passes
    PRAGMA integrity_check; the newest `keep` are kept. A damaged database raises
    DamagedDatabaseError (a StorageError): nothing is made and no backup is rotated out."""
    backup.remove_staging_files(paths.backups_dir)  # what a killed backup left unchecked
    return backup.backup_file(paths.database, paths.backups_dir, reason=reason, keep=keep)


def list_backups(paths: AppPaths) -> list[Path]:
    """The data directory's backups, newest first."""
    return backup.list_backups(paths.backups_dir)


def newest_good_backup(paths: AppPaths) -> tuple[Path | None, list[str]]:
    """The newest backup that passes PRAGMA integrity_check (None if none does), and why each
    newer one was skipped."""
    return backup.newest_good_backup(paths.backups_dir, LATEST_VERSION)


def restore_backup(paths: AppPaths, chosen: Path) -> Path | None:
    """Replace the database with `chosen` (checked first; ValueError says why it cannot be used).

    Returns where the replaced database was kept, if there was one. The caller makes sure no
    one has the database open (the instance lock).
    """
    return backup.restore_backup(chosen, paths.database, paths.backups_dir, LATEST_VERSION)
