"""Killing the app mid-Discover: committed batches stay whole, the run shows as interrupted and a
re-run finishes the job without duplicates."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import psutil

from catalynx_desktop.domain.runs import RunStatus
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.profile_repository import ProfileRepository
from catalynx_desktop.storage.workflow_run_store import SqliteRunStore
from catalynx_desktop.workflows.discover import ScoringSettings, start_discover
from catalynx_desktop.workflows.engine import WorkflowEngine
from tests.workflows.test_discover import PROFILE, TODAY, funder_records, insert_records

RECORDS = 12_000
SETTINGS = ScoringSettings(chunk_size=250, workers=1, threshold=0.0, worker_priority="normal")

CHILD = textwrap.dedent("""
    import asyncio, sys
    from datetime import date
    from pathlib import Path
    from catalynx_desktop.storage.database import Database
    from catalynx_desktop.storage.workflow_run_store import SqliteRunStore
    from catalynx_desktop.workflows.discover import ScoringSettings, start_discover
    from catalynx_desktop.workflows.engine import WorkflowEngine

    async def main():
        db = await Database.open(Path(sys.argv[1]))
        engine = WorkflowEngine(SqliteRunStore(db))
        handle = await start_discover(engine, db, 1, today=date(2026, 11, 23),
                                      settings=ScoringSettings(chunk_size=250, workers=1, threshold=0.0,
                                                                worker_priority="normal"))
        def on_progress(snapshot):
            if snapshot.counts.get("created", 0) >= 1000:
                print("PROGRESS", flush=True)
        handle.subscribe(on_progress)
        await handle.wait()
        print("DONE", flush=True)

    if __name__ == "__main__":
        asyncio.run(main())
""")


def test_kill_during_discover_then_restart_and_rerun(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"

    async def setup() -> None:
        db = await Database.open(path)
        try:
            assert (await ProfileRepository(db).create(PROFILE)).id == 1
            await insert_records(db, funder_records(RECORDS, seed=3))
        finally:
            await db.close()

    asyncio.run(setup())
    root = Path(__file__).resolve().parents[2]
    with subprocess.Popen(  # closes the stdout pipe on the way out
        [sys.executable, "-c", CHILD, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    ) as child:
        workers: list[psutil.Process] = []
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "PROGRESS"
            workers = psutil.Process(child.pid).children()
        finally:
            os.kill(child.pid, signal.SIGKILL)  # only the app process, as a crash or the task manager would
            child.wait(timeout=10)
    assert workers
    # the scoring workers notice their parent is gone and exit instead of lingering as orphans
    _, alive = psutil.wait_procs(workers, timeout=5)
    for process in alive:
        process.kill()
    assert not alive

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        partial = conn.execute("SELECT count(*) FROM opportunities").fetchone()[0]
        history = conn.execute("SELECT count(*) FROM stage_history").fetchone()[0]
        counted = conn.execute("SELECT n FROM profile_stage_counts WHERE stage = 'discover'").fetchone()[0]
    assert 1000 <= partial < RECORDS
    assert history == counted == partial  # every committed batch is whole: rows, history, counts

    async def restart() -> Any:
        db = await Database.open(path)
        try:
            store = SqliteRunStore(db)
            interrupted = await store.mark_interrupted_at_startup()
            killed = (await store.history_page())[0]
            steps = await store.steps_of(killed.id)
            handle = await start_discover(WorkflowEngine(store), db, 1, today=TODAY, settings=SETTINGS)
            rerun = await handle.wait()
            return interrupted, killed, steps, rerun
        finally:
            await db.close()

    interrupted, killed, steps, rerun = asyncio.run(restart())
    assert interrupted == 1 and killed.status == RunStatus.INTERRUPTED
    assert {s.name: s.status.value for s in steps} == {"prepare": "succeeded", "match": "interrupted"}
    assert rerun.status == RunStatus.SUCCEEDED
    assert rerun.counts["created"] == RECORDS - partial
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT source_id) FROM opportunities").fetchone() == (
            RECORDS,
            RECORDS,
        )
        assert conn.execute("SELECT count(*) FROM stage_history").fetchone()[0] == RECORDS
