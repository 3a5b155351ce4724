"""One app (or one writing command) per data directory, across processes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalynx_desktop.paths import AppPaths

if TYPE_CHECKING:
    from PySide6.QtCore import QLockFile


def acquire_instance_lock(paths: AppPaths) -> QLockFile | None:
    """Refuse a second app on the same data directory (a stale lock of a dead process is taken over).

    None if another app holds the lock; DataDirectoryError if the lock file cannot be written."""
    from PySide6.QtCore import QLockFile

    from catalynx_desktop.paths import DataDirectoryError

    lock = QLockFile(str(paths.data_dir / "catalynx.lock"))
    lock.setStaleLockTime(0)
    if not lock.tryLock(200):
        if lock.error() == QLockFile.LockError.LockFailedError:
            return None
        problem = paths.data_dir_problem() or f"its lock file cannot be written ({lock.error().name})"
        raise DataDirectoryError(paths.data_dir, "data directory", problem)
    return lock
