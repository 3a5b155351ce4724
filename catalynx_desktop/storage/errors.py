"""Classify SQLite failures: "environment" problems get a message a user can act on; the rest are bugs."""

from __future__ import annotations

import sqlite3
from enum import StrEnum
from pathlib import Path


class ErrorKind(StrEnum):
    ENVIRONMENT = "environment"  # disk full, locked, read-only, corrupt, newer version: not our bug
    BUG = "bug"


class StorageError(Exception):
    """A storage failure with a user-facing message and a classification."""

    def __init__(self, message: str, kind: ErrorKind, path: Path | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.path = path

    @property
    def user_message(self) -> str:
        return str(self)


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
    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"The database {path} is damaged or is not a Catalynx database ({detail}). "
            "It has not been changed. Restore a backup from the backups folder next to it "
            "(catalynx-desktop restore), or open another data directory with --data-dir.",
            ErrorKind.ENVIRONMENT,
            path,
        )


# (fragment of sqlite's message, advice). Matched on the lower-cased message because the
# sqlite3 module exposes extended error codes only from Python 3.11 and not for every case.
_ENVIRONMENT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("database or disk is full", "The disk holding {path} is full. Free some space and try again."),
    ("disk i/o error", "The disk holding {path} reported an I/O error. Check the drive and try again."),
    ("database is locked", "The database {path} is busy in another program. Close it and try again."),
    (
        "readonly database",
        "The database {path} is read-only. Check the folder's permissions or choose another "
        "data directory with --data-dir.",
    ),
    ("unable to open database", "The database {path} cannot be opened. Check that the folder exists "
     "and is writable."),
    ("file is not a database", "The file {path} is not a Catalynx database or is damaged."),
    ("database disk image is malformed", "The database {path} is damaged. Restore a backup."),
)


def classify(error: BaseException, path: Path | None = None) -> StorageError:
    """Turn any exception from the storage layer into a StorageError with a kind."""
    if isinstance(error, StorageError):
        return error
    if isinstance(error, OSError) and not isinstance(error, sqlite3.Error):
        return StorageError(f"{path or 'The data directory'}: {error.strerror or error}", ErrorKind.ENVIRONMENT,
                            path)
    message = str(error).lower()
    if isinstance(error, sqlite3.Error):
        for fragment, advice in _ENVIRONMENT_PATTERNS:
            if fragment in message:
                return StorageError(advice.format(path=path or "database"), ErrorKind.ENVIRONMENT, path)
    return StorageError(f"Internal error in the storage layer: {error}", ErrorKind.BUG, path)
