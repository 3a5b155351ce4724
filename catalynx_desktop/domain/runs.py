"""Workflow runs as values: run and step statuses, the records a run store keeps, timestamps.

Shared by the engine (workflows/), the SQLite run store (storage/) and the history views (ui/),
so it lives below all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class RunStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    PARTIAL = "partial"  # finished, but an optional step failed

    @property
    def finished(self) -> bool:
        return self not in (RunStatus.PENDING, RunStatus.RUNNING)


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # a dependency failed, so it never ran
    INTERRUPTED = "interrupted"


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    """The timestamp format the database uses everywhere (UTC, milliseconds, 'Z')."""
    if moment is None:
        return None
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


@dataclass
class StepRecord:
    name: str
    status: StepStatus = StepStatus.PENDING
    attempt: int = 1
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_s: float | None = None
    counts: dict[str, int] = field(default_factory=dict)
    error: str = ""


@dataclass
class RunRecord:
    id: int
    workflow: str
    parameters: dict[str, Any]
    status: RunStatus = RunStatus.PENDING
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_s: float | None = None
    counts: dict[str, int] = field(default_factory=dict)
    error: str = ""
    created_at: datetime = field(default_factory=utc_now)
    steps: dict[str, StepRecord] = field(default_factory=dict)
