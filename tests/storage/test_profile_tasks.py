"""A profile's next open tasks (the dashboard's short list): every way a task is added records
its profile, the read is one range on the profile's slice of the open-task index, and a
database from before version 10 gets the profile of the tasks it already holds."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from catalynx_desktop.domain.tasks import NewTask, TaskKind
from catalynx_desktop.storage.migrations import MIGRATIONS, migrate
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.task_store import (
    TaskRepository,
    read_profile_tasks,
    sync_close_date_tasks,
    sync_stated_deadline_tasks,
)
from catalynx_desktop.workflows.demo.generator import DemoPlan
from catalynx_desktop.workflows.demo.loader import load_demo
from tests.fresh_loop import arun as run
from tests.storage.helpers import open_demo_db

TODAY = date(2026, 12, 4)


def _reference(conn: sqlite3.Connection, profile_id: int, limit: int) -> list[int]:
    """The profile's open listed tasks, from the opportunities' own profile (not the copy)."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT t.id FROM opportunity_tasks t JOIN opportunities o ON o.id = t.opportunity_id "
            "WHERE o.profile_id = ? AND t.done = 0 AND t.hidden = 0 ORDER BY t.due_date, t.id LIMIT ?",
            (profile_id, limit),
        )
    ]


def test_every_added_task_knows_its_profile_and_the_read_uses_its_index(tmp_path):
    async def scenario():
        db, _ = await open_demo_db(tmp_path, profiles=3, opportunities=900)
        try:
            tasks, repo = TaskRepository(db), OpportunityRepository(db)
            profiles = [r[0] for r in await db.fetch_all("SELECT id FROM profiles ORDER BY id")]
            for n, profile in enumerate(profiles[:2]):
                ids = [
                    r[0]
                    for r in await db.fetch_all(
                        "SELECT id FROM opportunities WHERE profile_id = ? AND stage = 'discover' "
                        "ORDER BY id LIMIT 30",
                        (profile,),
                    )
                ]
                await repo.move_stage(ids[:20], "plan")  # close-date tasks for the federal ones
                await db.write(lambda c, ids=ids: sync_close_date_tasks(c, ids))
                await db.write(lambda c, ids=ids: sync_stated_deadline_tasks(c, [(ids[1], "MARCH 1")], TODAY))
                for k, opportunity_id in enumerate(ids[20:]):
                    due = TODAY + timedelta(days=k * 3 - 10 + n)
                    task = await tasks.add(opportunity_id, NewTask(TaskKind.FOLLOW_UP, due, f"call {k}"))
                    if k % 4 == 0:
                        await tasks.update(task.id, done=True)
                await repo.move_stage(ids[25:27], "withdrawn")  # their tasks leave the list

            def check(conn: sqlite3.Connection) -> None:
                stray = conn.execute(
                    "SELECT count(*) FROM opportunity_tasks t JOIN opportunities o ON o.id = t.opportunity_id "
                    "WHERE t.profile_id IS NOT o.profile_id"
                ).fetchone()[0]
                assert stray == 0
                assert conn.execute("SELECT count(*) FROM opportunity_tasks").fetchone()[0] > 20
                for profile in profiles:
                    for limit in (3, 10, 1000):
                        got = [item.task.id for item in read_profile_tasks(conn, profile, limit)]
                        assert got == _reference(conn, profile, limit)
                assert read_profile_tasks(conn, profiles[2], 10) == []  # the third has none
                items = read_profile_tasks(conn, profiles[0], 10)
                assert all(i.profile_id == profiles[0] and not i.task.done for i in items)
                plan = " ".join(
                    r[3]
                    for r in conn.execute(
                        "EXPLAIN QUERY PLAN SELECT id FROM opportunity_tasks INDEXED BY ix_tasks_profile_open_due "
                        "WHERE profile_id = 1 AND done = 0 AND hidden = 0 ORDER BY due_date, id LIMIT 10"
                    )
                )
                assert "ix_tasks_profile_open_due (profile_id=?)" in plan and "TEMP B-TREE" not in plan

            await db.read(check)
        finally:
            await db.close()

    run(scenario())


def test_tasks_stored_before_version_10_get_their_profile(tmp_path):
    path = tmp_path / "c.sqlite3"
    migrate(path, tmp_path / "backups", migrations=MIGRATIONS[:9])
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    load_demo(conn, DemoPlan(2, 200, 5))
    conn.execute(
        "INSERT INTO opportunity_tasks (opportunity_id, kind, due_date) "
        "SELECT id, 'other', '2027-01-0' || (id % 9 + 1) FROM opportunities WHERE id % 7 = 0"
    )
    conn.execute("COMMIT")
    conn.close()
    assert migrate(path, tmp_path / "backups") == 9
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT count(*), sum(t.profile_id = o.profile_id) FROM opportunity_tasks t "
            "JOIN opportunities o ON o.id = t.opportunity_id"
        ).fetchone()
        assert rows[0] > 0 and rows[0] == rows[1]
        for (profile,) in conn.execute("SELECT id FROM profiles").fetchall():
            assert [i.task.id for i in read_profile_tasks(conn, profile, 10)] == _reference(conn, profile, 10)
        # an insert from elsewhere that leaves the profile out still gets it (the v10 trigger)
        opportunity_id, owner = conn.execute("SELECT id, profile_id FROM opportunities LIMIT 1").fetchone()
        with conn:
            cursor = conn.execute(
                "INSERT INTO opportunity_tasks (opportunity_id, kind, due_date) VALUES (?, 'other', '2026-01-01')",
                (opportunity_id,),
            )
        stored = conn.execute("SELECT profile_id FROM opportunity_tasks WHERE id = ?", (cursor.lastrowid,))
        assert stored.fetchone() == (owner,)
    finally:
        conn.close()
