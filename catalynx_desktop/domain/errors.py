"""The one failure type every layer may see: a storage failure, with a message and a kind.

Raised by storage/ (storage/errors.py classifies SQLite and OS errors into it), recorded by the
workflow engine and shown by the UI, so it lives below all of them.
"""

from __future__ import annotations

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
