"""One writer per data directory, across processes: the window holds the lock while it is open,
a writing command (import, discover, demo, restore, backup, ...) for as long as it runs.

The lock is a QLockFile (`catalynx.lock`: pid, process name, host and boot id; a lock whose
process is gone is stale and taken over). Beside it, `catalynx.lock.who` says in words who
holds it ("the import command"), so a refusal can say what to close; it is only believed
while its pid is the lock's.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from typing import TYPE_CHECKING

from catalynx_desktop import APP_NAME
from catalynx_desktop.paths import AppPaths
from catalynx_desktop.storage.errors import classify

if TYPE_CHECKING:
    from PySide6.QtCore import QLockFile

WINDOW = f"a {APP_NAME} window"
_LOCK_NAME = "catalynx.lock"
_WHO_NAME = "catalynx.lock.who"


def acquire_instance_lock(paths: AppPaths, holder: str = WINDOW) -> QLockFile | None:
    """Take the data directory's lock for `holder` (a stale lock of a dead process is taken over).

    None if another process holds it (`lock_holder` says who); DataDirectoryError if the lock
    file cannot be written."""
    from PySide6.QtCore import QLockFile

    from catalynx_desktop.paths import DataDirectoryError

    lock = QLockFile(str(paths.data_dir / _LOCK_NAME))
    lock.setStaleLockTime(0)
    if not lock.tryLock(200):
        if lock.error() == QLockFile.LockError.LockFailedError:
            return None
        if _disk_is_full(paths):  # the lock file is the first thing a session writes
            raise classify(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), paths.database)
        problem = paths.data_dir_problem() or f"its lock file cannot be written ({lock.error().name})"
        raise DataDirectoryError(paths.data_dir, "data directory", problem)
    with contextlib.suppress(OSError):  # only the wording of another process's refusal needs it
        (paths.data_dir / _WHO_NAME).write_text(f"{os.getpid()}\n{holder}\n", encoding="utf-8")
    return lock


def _disk_is_full(paths: AppPaths) -> bool:
    try:
        return shutil.disk_usage(paths.data_dir).free < 1 << 20
    except OSError:
        return False


def lock_holder(paths: AppPaths) -> str:
    """Who holds the data directory's lock, in words: "the import command (pid 4242)"."""
    from PySide6.QtCore import QLockFile

    pid, _host, _app = QLockFile(str(paths.data_dir / _LOCK_NAME)).getLockInfo()  # pid 0: no lock
    if not pid:
        return "another window or command"
    try:
        who_pid, who = (paths.data_dir / _WHO_NAME).read_text(encoding="utf-8").splitlines()[:2]
    except (OSError, ValueError, UnicodeError):
        who_pid, who = "", ""
    if who_pid != str(pid) or not who:
        who = "another window or command"
    return f"{who} (pid {pid})"
