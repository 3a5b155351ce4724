"""Classify SQLite failures: "environment" problems get a message a user can act on; the rest are bugs."""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

from catalynx_desktop.domain.errors import ErrorKind, StorageError


class NewerDatabaseError(StorageError):
    def __init__(self, path: Path, found: int, supported: int) -> None:
        super().__init__(
            f"The database {path} was written by a newer version of Catalynx Desktop "
            f"(schema {found}; this version understands up to {supported}). "
            "It has not been changed. Install the newer version, or open another data directory "
            "with --data-dir.",
            ErrorKind.ENVIRONMENT,
            path,
        )


class CorruptDatabaseError(StorageError):
    def __init__(self, path: Path, detail: str, *, note: str = "") -> None:
        self.detail = detail  # what SQLite said: Database.note_damage takes it
        super().__init__(
            f"The database {path} is damaged or is not a Catalynx database ({detail}). "
            "It has not been changed. Restore a backup from the backups folder next to it "
            "(catalynx-desktop restore), or open another data directory with --data-dir."
            + (f" {note}" if note else ""),
            ErrorKind.ENVIRONMENT,
            path,
        )


def _folder(path: Path) -> Path:
    """The folder the user knows: the data directory for the database file (or any file in it)."""
    try:
        return path if path.is_dir() else path.parent
    except OSError:
        return path.parent


# What the user reads for each environment problem: what happened, that nothing saved was lost
# where that is true, and what to do. {path} is the file, {dir} the data directory.
DISK_FULL = (
    "The disk holding the data directory {dir} is full: the last change could not be saved. "
    "Nothing saved before it was lost. Free some space on that disk (or move the data "
    "directory and open it with --data-dir), then try again."
)
READ_ONLY = (
    "The data directory {dir} is not writable, so {path} cannot be changed. Check the folder's "
    "permissions (or that its disk is not mounted read-only), or choose another data directory "
    "with --data-dir."
)
_IO_ERROR = "The disk holding {path} reported an I/O error. Check the drive and try again."
_LOCKED = "The database {path} is busy in another program. Close it and try again."
_CANT_OPEN = (
    "The database {path} cannot be opened. Check that the folder {dir} exists and is writable, "
    "or choose another data directory with --data-dir."
)
_NOT_A_DB = "The file {path} is not a Catalynx database or is damaged."
_MALFORMED = "The database {path} is damaged. Restore a backup (catalynx-desktop restore)."

# Primary SQLite result codes (sqlite3 exposes them as sqlite_errorcode from Python 3.11; the
# extended code's low byte is the primary one).
_BY_CODE: dict[int, str] = {
    13: DISK_FULL,  # SQLITE_FULL
    8: READ_ONLY,  # SQLITE_READONLY
    10: _IO_ERROR,  # SQLITE_IOERR
    5: _LOCKED,  # SQLITE_BUSY
    6: _LOCKED,  # SQLITE_LOCKED
    14: _CANT_OPEN,  # SQLITE_CANTOPEN
    26: _NOT_A_DB,  # SQLITE_NOTADB
    11: _MALFORMED,  # SQLITE_CORRUPT
}

# (fragment of sqlite's message, advice), for errors without a code. Matched on the lower-cased
# message.
_ENVIRONMENT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("database or disk is full", DISK_FULL),
    ("disk i/o error", _IO_ERROR),
    ("database is locked", _LOCKED),
    ("readonly database", READ_ONLY),
    ("unable to open database", _CANT_OPEN),
    ("file is not a database", _NOT_A_DB),
    ("database disk image is malformed", _MALFORMED),
)

# Operating-system errors (writing a backup, a report, the lock file, ...) that are the
# environment's, not ours.
_BY_ERRNO: dict[int, str] = {
    errno.ENOSPC: DISK_FULL,
    errno.EDQUOT: DISK_FULL,
    errno.EROFS: READ_ONLY,
    errno.EACCES: READ_ONLY,
    errno.EPERM: READ_ONLY,
}


def _primary_code(error: BaseException) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_damage(error: BaseException) -> bool:
    """The file itself is damaged or not a database (as opposed to locked, full, read-only...)."""
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    if _primary_code(error) in (11, 26):  # SQLITE_CORRUPT, SQLITE_NOTADB
        return True
    text = str(error).lower()
    return "not a database" in text or "malformed" in text or "file is encrypted" in text


def _disk_is_full(path: Path | None) -> bool:
    """SQLite reports some out-of-space failures (creating the WAL index, growing the WAL on some
    file systems) as a plain I/O error: if the disk has no room left, that is what it was."""
    if path is None:
        return False
    try:
        return shutil.disk_usage(_folder(path)).free < 1 << 20
    except OSError:
        return False


def _advice(template: str, path: Path | None, file: Path | None = None) -> str:
    """`path` is the database (its folder is the data directory); `file` what the OS refused."""
    target = file or path
    folder = _folder(path) if path is not None else (_folder(file) if file is not None else None)
    return template.format(path=target or "the database", dir=folder or "the data directory")


def classify(error: BaseException, path: Path | None = None) -> StorageError:
    """Turn any exception from the storage layer into a StorageError with a kind."""
    if isinstance(error, StorageError):
        return error
    if isinstance(error, OSError) and not isinstance(error, sqlite3.Error):
        file = Path(error.filename) if isinstance(error.filename, str) else None
        template = _BY_ERRNO.get(error.errno or 0)
        if template is not None:
            return StorageError(_advice(template, path, file), ErrorKind.ENVIRONMENT, path or file)
        return StorageError(
            f"{file or path or 'The data directory'}: {error.strerror or error}",
            ErrorKind.ENVIRONMENT,
            path or file,
        )
    if isinstance(error, sqlite3.Error):
        code = _primary_code(error)
        template = _BY_CODE.get(code) if code is not None else None
        if template is None:
            message = str(error).lower()
            template = next(
                (advice for fragment, advice in _ENVIRONMENT_PATTERNS if fragment in message), None
            )
        if template is _IO_ERROR and _disk_is_full(path):
            template = DISK_FULL
        if template is not None:
            return StorageError(_advice(template, path), ErrorKind.ENVIRONMENT, path)
    return StorageError(f"Internal error in the storage layer: {error}", ErrorKind.BUG, path)
