"""The RunStore protocol the engine persists through, and an in-memory store.

The engine calls the store BEFORE a run or step starts and WHEN it ends, so a crash at any
point leaves a row that says how far it got (storage/workflow_run_store.py is the SQLite one;
`mark_interrupted_at_startup` turns leftover 'running' rows into 'interrupted').
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from catalynx_desktop.domain.runs import RunRecord, RunStatus, StepRecord, StepStatus


class RunStore(Protocol):
    async def create_run(self, workflow: str, parameters: Mapping[str, Any], steps: Sequence[str]) -> int:
        """Persist a new run (pending) and its steps (pending); return the run id."""

    async def run_started(self, run_id: int, started_at: datetime) -> None: ...

    async def step_started(self, run_id: int, step: str, attempt: int, started_at: datetime) -> None: ...

    async def step_finished(
        self,
        run_id: int,
        step: str,
        status: StepStatus,
        attempt: int,
        started_at: datetime | None,
        finished_at: datetime,
        counts: Mapping[str, int],
        error: str,
    ) -> None: ...

    async def run_finished(
        self,
        run_id: int,
        status: RunStatus,
        started_at: datetime | None,
        finished_at: datetime,
        counts: Mapping[str, int],
        error: str,
    ) -> None: ...


def _duration(started: datetime | None, finished: datetime) -> float | None:
    return None if started is None else max(0.0, (finished - started).total_seconds())


class MemoryRunStore:
    """A RunStore kept in a dict: for engine tests and for callers without a database."""

    def __init__(self) -> None:
        self.runs: dict[int, RunRecord] = {}
        self.events: list[tuple[str, int, str, str]] = []  # (event, run, step, status) in call order

    async def create_run(self, workflow: str, parameters: Mapping[str, Any], steps: Sequence[str]) -> int:
        run_id = len(self.runs) + 1
        self.runs[run_id] = RunRecord(
            run_id, workflow, dict(parameters), steps={name: StepRecord(name) for name in steps}
        )
        self.events.append(("create", run_id, "", RunStatus.PENDING.value))
        return run_id

    async def run_started(self, run_id: int, started_at: datetime) -> None:
        run = self.runs[run_id]
        run.status, run.started_at = RunStatus.RUNNING, started_at
        self.events.append(("run_started", run_id, "", run.status.value))

    async def step_started(self, run_id: int, step: str, attempt: int, started_at: datetime) -> None:
        record = self.runs[run_id].steps[step]
        record.status, record.attempt, record.started_at = StepStatus.RUNNING, attempt, started_at
        record.finished_at, record.error = None, ""
        self.events.append(("step_started", run_id, step, record.status.value))

    async def step_finished(
        self,
        run_id: int,
        step: str,
        status: StepStatus,
        attempt: int,
        started_at: datetime | None,
        finished_at: datetime,
        counts: Mapping[str, int],
        error: str,
    ) -> None:
        record = self.runs[run_id].steps[step]
        record.status, record.attempt, record.finished_at = status, attempt, finished_at
        record.started_at = started_at or record.started_at
        record.duration_s = _duration(record.started_at, finished_at)
        record.counts, record.error = dict(counts), error
        self.events.append(("step_finished", run_id, step, status.value))

    async def run_finished(
        self,
        run_id: int,
        status: RunStatus,
        started_at: datetime | None,
        finished_at: datetime,
        counts: Mapping[str, int],
        error: str,
    ) -> None:
        run = self.runs[run_id]
        run.status, run.finished_at = status, finished_at
        run.duration_s = _duration(started_at or run.started_at, finished_at)
        run.counts, run.error = dict(counts), error
        self.events.append(("run_finished", run_id, "", status.value))
