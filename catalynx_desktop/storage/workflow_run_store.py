"""Workflow runs and steps in SQLite (tables workflow_runs / workflow_steps): the engine's RunStore.

Each engine call is one write transaction (one writer-thread hop), so a run that is killed
at any moment leaves rows saying how far it got; `mark_interrupted_at_startup()` then turns
rows still 'running'/'pending' into 'interrupted' once the process that owns them (stored with
each run: pid and start time) is gone. History is read in keyset pages, newest
first, on the (created_at, id) index, for the lazy history table.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from catalynx_desktop.domain.history import HistoryCursor
from catalynx_desktop.domain.runs import RunRecord, RunStatus, StepRecord, StepStatus, iso, utc_now
from catalynx_desktop.process_identity import ProcessIdentity, is_running, this_process
from catalynx_desktop.storage.database import Database

_RUN_COLUMNS = (
    "id, workflow, parameters, status, started_at, finished_at, duration_s, counts, error, created_at"
)
_STEP_COLUMNS = "name, status, attempt, started_at, finished_at, duration_s, counts, error"
_UNFINISHED = (RunStatus.PENDING.value, RunStatus.RUNNING.value)
INTERRUPTED_MESSAGE = "The application stopped while this run was in progress; run it again to finish."


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _run_from_row(row: Sequence[Any]) -> RunRecord:
    return RunRecord(
        id=row[0],
        workflow=row[1],
        parameters=json.loads(row[2] or "{}"),
        status=RunStatus(row[3]),
        started_at=_dt(row[4]),
        finished_at=_dt(row[5]),
        duration_s=row[6],
        counts=json.loads(row[7] or "{}"),
        error=row[8],
        created_at=_dt(row[9]) or utc_now(),
    )


def _step_from_row(row: Sequence[Any]) -> StepRecord:
    return StepRecord(
        name=row[0],
        status=StepStatus(row[1]),
        attempt=row[2],
        started_at=_dt(row[3]),
        finished_at=_dt(row[4]),
        duration_s=row[5],
        counts=json.loads(row[6] or "{}"),
        error=row[7],
    )


def _duration(started: datetime | None, finished: datetime) -> float | None:
    return None if started is None else max(0.0, (finished - started).total_seconds())


def _filters(workflow: str | None, status: RunStatus | None) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if workflow is not None:
        clauses.append("workflow = ?")
        params.append(workflow)
    if status is not None:
        clauses.append("status = ?")
        params.append(RunStatus(status).value)
    return clauses, params


# Runs this process is running right now, by (database file, run id): the engine created them
# and has not finished them. A run of this process that is not here is orphaned all the same
# (its session closed without recording the end, e.g. on a full disk).
_RUNNING_HERE: set[tuple[str, int]] = set()


def _owner_alive(database: str, run_id: int, pid: int | None, started: str | None) -> bool:
    """A run without an owner was made before runs had one (schema 7): its process is gone."""
    if pid is None:
        return False
    owner = ProcessIdentity(pid, started)
    if owner == this_process():
        return (database, run_id) in _RUNNING_HERE
    return is_running(owner)


class SqliteRunStore:
    """RunStore on the app database. All methods are coroutines; none blocks the loop."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._database = str(db.path)

    # -- RunStore (called by the engine) ----------------------------------------------------
    async def create_run(self, workflow: str, parameters: Mapping[str, Any], steps: Sequence[str]) -> int:
        params_json = json.dumps(parameters, default=str, sort_keys=True)
        owner = this_process()  # stored with the run: only its end makes it orphaned

        def insert(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "INSERT INTO workflow_runs (workflow, parameters, status, created_at, owner_pid, "
                "owner_started) VALUES (?, ?, ?, ?, ?, ?)",
                (workflow, params_json, RunStatus.PENDING.value, iso(utc_now()), owner.pid, owner.started),
            )
            run_id = int(cursor.lastrowid or 0)
            conn.executemany(
                "INSERT INTO workflow_steps (run_id, name, status) VALUES (?, ?, ?)",
                [(run_id, name, StepStatus.PENDING.value) for name in steps],
            )
            return run_id

        run_id = await self._db.write(insert)
        _RUNNING_HERE.add((self._database, run_id))
        return run_id

    async def run_started(self, run_id: int, started_at: datetime) -> None:
        await self._execute(
            "UPDATE workflow_runs SET status = ?, started_at = ? WHERE id = ?",
            (RunStatus.RUNNING.value, iso(started_at), run_id),
        )

    async def step_started(self, run_id: int, step: str, attempt: int, started_at: datetime) -> None:
        await self._execute(
            "UPDATE workflow_steps SET status = ?, attempt = ?, started_at = ?, finished_at = NULL, "
            "duration_s = NULL, error = '' WHERE run_id = ? AND name = ?",
            (StepStatus.RUNNING.value, attempt, iso(started_at), run_id, step),
        )

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
        await self._execute(
            "UPDATE workflow_steps SET status = ?, attempt = ?, started_at = COALESCE(?, started_at), "
            "finished_at = ?, duration_s = ?, counts = ?, error = ? WHERE run_id = ? AND name = ?",
            (
                StepStatus(status).value,
                attempt,
                iso(started_at),
                iso(finished_at),
                _duration(started_at, finished_at),
                json.dumps(dict(counts), sort_keys=True),
                error,
                run_id,
                step,
            ),
        )

    async def run_finished(
        self,
        run_id: int,
        status: RunStatus,
        started_at: datetime | None,
        finished_at: datetime,
        counts: Mapping[str, int],
        error: str,
    ) -> None:
        _RUNNING_HERE.discard((self._database, run_id))  # also if recording the end fails
        await self._execute(
            "UPDATE workflow_runs SET status = ?, finished_at = ?, duration_s = ?, counts = ?, error = ? "
            "WHERE id = ?",
            (
                RunStatus(status).value,
                iso(finished_at),
                _duration(started_at, finished_at),
                json.dumps(dict(counts), sort_keys=True),
                error,
                run_id,
            ),
        )

    # -- housekeeping -----------------------------------------------------------------------
    async def mark_interrupted_at_startup(self) -> int:
        """Runs (and their steps) left 'running'/'pending' by a process that is gone -> 'interrupted'.

        Runs of a process still running (another window or command on the same data directory,
        or this process) are left alone. Call at start-up. Returns the number of runs changed.
        """
        return len(await self.interrupt_orphaned_runs())

    async def interrupt_orphaned_runs(self) -> list[RunRecord]:
        """mark_interrupted_at_startup, returning the runs it marked (to clean up after them)."""
        now = iso(utc_now())

        def mark(conn: sqlite3.Connection) -> list[RunRecord]:
            unfinished = conn.execute(
                "SELECT id, owner_pid, owner_started FROM workflow_runs WHERE status IN (?, ?)", _UNFINISHED
            ).fetchall()
            ids = [
                run_id
                for run_id, pid, started in unfinished
                if not _owner_alive(self._database, run_id, pid, started)
            ]
            if not ids:
                return []
            conn.executemany(
                "UPDATE workflow_steps SET status = ?, finished_at = COALESCE(finished_at, ?), "
                "error = CASE WHEN error = '' THEN ? ELSE error END "
                "WHERE run_id = ? AND status IN (?, ?)",
                [
                    (StepStatus.INTERRUPTED.value, now, INTERRUPTED_MESSAGE, run_id, *_UNFINISHED)
                    for run_id in ids
                ],
            )
            conn.executemany(
                "UPDATE workflow_runs SET status = ?, finished_at = ?, error = ? WHERE id = ?",
                [(RunStatus.INTERRUPTED.value, now, INTERRUPTED_MESSAGE, run_id) for run_id in ids],
            )
            return [
                _run_from_row(
                    conn.execute(f"SELECT {_RUN_COLUMNS} FROM workflow_runs WHERE id = ?", (i,)).fetchone()
                )
                for i in ids
            ]

        return await self._db.write(mark)

    async def prune(self, older_than_days: int = 90, *, now: datetime | None = None) -> int:
        """Delete finished runs created more than `older_than_days` ago, with their steps.

        Returns the number of runs deleted. Runs still pending/running are never pruned.
        """
        cutoff = iso((now or utc_now()) - timedelta(days=older_than_days))

        def delete(conn: sqlite3.Connection) -> int:
            # Explicit step delete: does not depend on PRAGMA foreign_keys being on.
            conn.execute(
                "DELETE FROM workflow_steps WHERE run_id IN (SELECT id FROM workflow_runs "
                "WHERE created_at < ? AND status NOT IN (?, ?))",
                (cutoff, *_UNFINISHED),
            )
            return conn.execute(
                "DELETE FROM workflow_runs WHERE created_at < ? AND status NOT IN (?, ?)",
                (cutoff, *_UNFINISHED),
            ).rowcount

        return await self._db.write(delete)

    # -- history reads (lazy table) ----------------------------------------------------------
    async def count_runs(self, *, workflow: str | None = None, status: RunStatus | None = None) -> int:
        clauses, params = _filters(workflow, status)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        row = await self._db.fetch_one(f"SELECT count(*) FROM workflow_runs {where}", params)
        return int(row[0]) if row else 0

    async def history_page(
        self,
        *,
        after: HistoryCursor | None = None,
        limit: int = 200,
        offset: int = 0,
        workflow: str | None = None,
        status: RunStatus | None = None,
    ) -> list[RunRecord]:
        """Runs newest first.

        Sequential paging passes `after` (keyset on created_at, id); a jump (scroll-bar drag)
        passes `offset`, which is fine at history sizes (thousands of runs, pruned at 90 days).
        """
        clauses, params = _filters(workflow, status)
        if after is not None:
            clauses.append("(created_at, id) < (?, ?)")
            params += [after.created_at, after.id]
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = (
            f"SELECT {_RUN_COLUMNS} FROM workflow_runs {where} "
            "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
        )
        rows = await self._db.fetch_all(sql, [*params, int(limit), int(offset)])
        return [_run_from_row(r) for r in rows]

    async def get_run(self, run_id: int) -> RunRecord | None:
        row = await self._db.fetch_one(f"SELECT {_RUN_COLUMNS} FROM workflow_runs WHERE id = ?", (run_id,))
        return _run_from_row(row) if row else None

    async def steps_of(self, run_id: int) -> list[StepRecord]:
        """The steps of one run in the order they were declared."""
        rows = await self._db.fetch_all(
            f"SELECT {_STEP_COLUMNS} FROM workflow_steps WHERE run_id = ? ORDER BY id", (run_id,)
        )
        return [_step_from_row(r) for r in rows]

    async def _execute(self, sql: str, params: Sequence[Any]) -> None:
        await self._db.write(lambda conn: conn.execute(sql, params))
