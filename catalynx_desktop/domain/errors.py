"""The one failure type every layer may see: a storage failure, with a message and a kind.

Raised by storage/ (storage/errors.py classifies SQLite and OS errors into it), recorded by the
workflow engine and shown by the UI, so it lives below all of them.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

E = TypeVar("E", bound=BaseException)


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

    def __reduce__(self) -> tuple[Any, ...]:
        return portable_reduce(self)


def portable_reduce(error: BaseException) -> tuple[Any, ...]:
    """__reduce__ for exceptions whose constructors take other arguments than their message: they
    cross from a job's child process to the app (workflows/child_process) as the same type, with
    the same message and attributes, without calling the constructor again."""
    return (rebuild_exception, (type(error), str(error), dict(vars(error))))


def rebuild_exception(cls: type[E], message: str, state: dict[str, Any]) -> E:
    error = cls.__new__(cls)
    BaseException.__init__(error, message)
    vars(error).update(state)
    return error
