"""Real small and read-only file systems for the bad-environment tests.

A tmpfs of a few MB is a disk that really fills up (the OS says ENOSPC, SQLite says
SQLITE_FULL), and remounting it read-only gives a directory that even root cannot write
(EROFS). Mounting needs root on Linux and a sandbox that permits it; where it is not permitted
the helpers say so and the tests fall back (a page limit on the writer connection for "full",
a subprocess running as 'nobody' for "read-only") or skip.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NOBODY = 65534
REPO = Path(__file__).resolve().parents[2]  # subprocesses import the app from the checkout
FILLER = "filler.bin"


def _can_mount() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0 and shutil.which("mount") is not None


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[bool]:
    """Mount a tmpfs of `size` (e.g. "32m") on `where` for the block; yields False (and mounts
    nothing) where mounting is not permitted."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = (
        _can_mount()
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
            check=False,
            capture_output=True,
            timeout=30,
        ).returncode
        == 0
    )
    try:
        yield mounted
    finally:
        if mounted:
            unmount(where)


def unmount(where: Path) -> None:
    for _attempt in range(3):
        if (
            subprocess.run(["umount", str(where)], check=False, capture_output=True, timeout=30).returncode
            == 0
        ):
            return
    subprocess.run(
        ["umount", "-l", str(where)], check=False, capture_output=True, timeout=30
    )  # busy: detach it


def remount(where: Path, mode: str) -> None:
    """mode "ro" or "rw"."""
    subprocess.run(
        ["mount", "-o", f"remount,{mode}", str(where)], check=True, capture_output=True, timeout=30
    )


def free_bytes(where: Path) -> int:
    stat = os.statvfs(where)
    return stat.f_bavail * stat.f_frsize


def checkpoint(database: Path) -> None:
    """Copy the WAL into the database file and truncate it, so the next write must grow the WAL."""
    with sqlite3.connect(database, timeout=30) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    conn.close()


def fill(where: Path, leave: int = 0) -> Path:
    """Write a filler file on the file system of `where` until at most `leave` bytes are free."""
    filler = where / FILLER
    with filler.open("ab") as stream:
        for block in (1 << 20, 1 << 16, 1 << 12):
            chunk = b"\0" * block
            while free_bytes(where) - block >= leave:
                try:
                    stream.write(chunk)
                    stream.flush()
                except OSError as error:
                    if error.errno != errno.ENOSPC:
                        raise
                    break
    return filler


def release(where: Path) -> None:
    (where / FILLER).unlink(missing_ok=True)


def nobody_can_run_python() -> bool:
    """True if a process running as 'nobody' can start this Python with the app importable (the
    interpreter may live under a private home directory)."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return False
    try:
        probe = subprocess.run(
            [sys.executable, "-c", "import catalynx_desktop, PySide6"],
            check=False,
            capture_output=True,
            timeout=60,
            preexec_fn=as_nobody,
            cwd=REPO,
        )
    except OSError:  # the interpreter itself is out of reach (exec failed in the child)
        return False
    return probe.returncode == 0


def as_nobody() -> None:
    """preexec_fn: drop root for the child (group first, while we still may)."""
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)
