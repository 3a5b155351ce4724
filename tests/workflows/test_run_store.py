"""The SQLite RunStore: persisted runs/steps, restart after a kill, pruning, keyset history."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

from catalynx_desktop.domain.history import HistoryCursor
from catalynx_desktop.domain.runs import RunStatus, StepStatus, utc_now
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.workflow_run_store import SqliteRunStore
from catalynx_desktop.workflows.engine import Step, StepContext, Workflow, WorkflowEngine


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def counting(ctx: StepContext, parsed: dict[str, int] | None = None) -> dict[str, int]:
    ctx.set_counts(rows=parsed["rows"] if parsed else 3)
    return {"rows": 3}


async def failing(ctx: StepContext) -> None:
    raise ValueError("bad file")


def test_runs_and_steps_are_stored_with_status_timings_counts_and_errors(tmp_path: Path) -> None:
    async def main() -> Any:
        db = await Database.open(tmp_path / "db.sqlite3")
        try:
            store = SqliteRunStore(db)
            engine = WorkflowEngine(store)
            ok = await engine.run(
                Workflow(
                    "import",
                    (
                        Step("parse", counting),
                        Step(
                            "save",
                            counting,
                            depends_on=("parse",),
                            takes=("parse",),
                        ),
                    ),
                ),
                {"file": "x.csv"},
            )
            bad = await engine.run(
                Workflow("import", (Step("parse", failing), Step("extra", counting, optional=True)))
            )
            return (
                await store.get_run(ok.run_id),
                await store.steps_of(ok.run_id),
                await store.get_run(bad.run_id),
                await store.steps_of(bad.run_id),
            )
        finally:
            await db.close()

    ok, ok_steps, bad, bad_steps = run(main())
    assert ok.status == RunStatus.SUCCEEDED and ok.parameters == {"file": "x.csv"}
    assert ok.started_at and ok.finished_at and ok.duration_s is not None and ok.counts == {"rows": 6}
    assert [(s.name, s.status, s.counts) for s in ok_steps] == [
        ("parse", StepStatus.SUCCEEDED, {"rows": 3}),
        ("save", StepStatus.SUCCEEDED, {"rows": 3}),
    ]
    assert all(s.duration_s is not None for s in ok_steps)
    assert bad.status == RunStatus.FAILED and "bad file" in bad.error
    assert {s.name: s.status for s in bad_steps}["parse"] == StepStatus.FAILED
    assert "ValueError: bad file" in {s.name: s.error for s in bad_steps}["parse"]


CHILD = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path
    from catalynx_desktop.storage.database import Database
    from catalynx_desktop.storage.workflow_run_store import SqliteRunStore
    from catalynx_desktop.workflows.engine import Step, Workflow, WorkflowEngine

    async def long_step(ctx):
        print("RUNNING", flush=True)
        while True:
            ctx.check_cancelled()
            await asyncio.sleep(0.01)

    async def quick(ctx):
        return 1

    async def main():
        db = await Database.open(Path(sys.argv[1]))
        engine = WorkflowEngine(SqliteRunStore(db))
        handle = await engine.start(Workflow("discover", (
            Step("prepare", quick), Step("score", long_step, depends_on=("prepare",)))), {"profile_id": 1})
        await handle.wait()

    asyncio.run(main())
""")


def test_a_run_killed_mid_way_shows_as_interrupted_after_restart(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    root = Path(__file__).resolve().parents[2]
    with subprocess.Popen(  # closes the stdout pipe on the way out
        [sys.executable, "-c", CHILD, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "RUNNING"
        finally:
            os.kill(child.pid, signal.SIGKILL)  # no clean-up code runs: like a crash or a power cut
            child.wait(timeout=10)

    async def restart() -> Any:
        db = await Database.open(path)
        try:
            store = SqliteRunStore(db)
            before = await store.history_page()
            changed = await store.mark_interrupted_at_startup()
            again = await store.mark_interrupted_at_startup()
            return before, changed, again, await store.history_page(), await store.steps_of(before[0].id)
        finally:
            await db.close()

    before, changed, again, after, steps = run(restart())
    assert before[0].status == RunStatus.RUNNING  # what the killed process left behind
    assert (changed, again) == (1, 0)
    assert after[0].status == RunStatus.INTERRUPTED and after[0].finished_at and after[0].error
    assert after[0].parameters == {"profile_id": 1}
    assert {s.name: s.status for s in steps} == {
        "prepare": StepStatus.SUCCEEDED,
        "score": StepStatus.INTERRUPTED,
    }
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_history_pages_by_key_newest_first_and_old_runs_are_pruned(tmp_path: Path) -> None:
    async def main() -> Any:
        db = await Database.open(tmp_path / "db.sqlite3")
        try:
            store = SqliteRunStore(db)
            engine = WorkflowEngine(store)
            for i in range(23):
                name = "discover" if i % 2 else "rescore"
                await engine.run(Workflow(name, (Step("a", counting),)), {"i": i})
            pages, cursor = [], None
            while True:
                page = await store.history_page(after=cursor, limit=10)
                if not page:
                    break
                pages.append(page)
                cursor = HistoryCursor.after(page[-1])
            jump = await store.history_page(offset=20, limit=10)
            only = await store.history_page(workflow="discover", limit=100)
            counts = (
                await store.count_runs(),
                await store.count_runs(workflow="discover"),
                await store.count_runs(status=RunStatus.SUCCEEDED),
            )
            kept_recent = await store.prune(90)
            # a still-running run is never pruned, however old
            running = await store.create_run("import", {}, ["a"])
            await store.run_started(running, utc_now())
            pruned = await store.prune(90, now=utc_now() + timedelta(days=91))
            left = await store.history_page()
            return pages, jump, only, counts, kept_recent, pruned, left, running
        finally:
            await db.close()

    pages, jump, only, counts, kept_recent, pruned, left, running = run(main())
    assert [len(p) for p in pages] == [10, 10, 3]
    ids = [r.id for p in pages for r in p]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 23
    assert [r.id for r in jump] == ids[20:]
    assert len(only) == 11 and all(r.workflow == "discover" for r in only)
    assert counts == (23, 11, 23)
    assert kept_recent == 0 and pruned == 23
    assert [r.id for r in left] == [running]
