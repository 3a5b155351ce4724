"""Discover keeps the close-date tasks of shortlisted federal opportunities: created once,
moved when the close date moves, never duplicated, none for what is still being discovered."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.profile_repository import ProfileRepository
from catalynx_desktop.storage.workflow_run_store import SqliteRunStore
from catalynx_desktop.workflows.engine import WorkflowEngine
from catalynx_desktop.workflows.runs import RunStatus
from tests.fresh_loop import arun
from tests.workflows.test_discover import PROFILE, TODAY, discover, insert_records, make_records


def test_discover_creates_and_moves_close_date_tasks_once(tmp_path):
    path = tmp_path / "db.sqlite3"
    records = make_records(400)

    async def main():
        db = await Database.open(path)
        try:
            profile = await ProfileRepository(db).create(PROFILE)
            await insert_records(db, records)
            engine = WorkflowEngine(SqliteRunStore(db))
            first = await discover(engine, db, profile.id)
            assert first.status == RunStatus.SUCCEEDED, first.error
            assert await db.fetch_all("SELECT count(*) FROM opportunity_tasks") == [(0,)]  # all in Discover
            federal = await db.fetch_all(
                "SELECT o.id, sr.id FROM opportunities o JOIN source_records sr ON sr.id = o.source_record_id "
                "WHERE sr.kind = 'federal_opportunity' ORDER BY o.id LIMIT 3"
            )
            # a shortlist made outside the window's stage move (e.g. an older version): Discover catches up
            await db.write(
                lambda c: c.executemany(
                    "UPDATE opportunities SET stage = 'plan', stage_rank = ? WHERE id = ?",
                    [(1, row[0]) for row in federal[:2]],
                )
            )
            await OpportunityRepository(db).move_stage([federal[2][0]], Stage.EXAMINE)  # makes its own
            new_close = (TODAY + timedelta(days=300)).isoformat()
            await db.write(
                lambda c: c.execute(
                    "UPDATE source_records SET close_date = ? WHERE id = ?", (new_close, federal[0][1])
                )
            )
            for _ in range(2):
                run = await discover(engine, db, profile.id)
                assert run.status == RunStatus.SUCCEEDED, run.error
            return federal, new_close
        finally:
            await db.close()

    federal, new_close = arun(main())
    with sqlite3.connect(path) as conn:
        tasks = conn.execute(
            "SELECT t.opportunity_id, t.due_date, sr.close_date, t.kind, t.origin FROM opportunity_tasks t "
            "JOIN opportunities o ON o.id = t.opportunity_id JOIN source_records sr ON sr.id = o.source_record_id "
            "ORDER BY t.opportunity_id"
        ).fetchall()
    assert [t[0] for t in tasks] == sorted(row[0] for row in federal)  # one each, no duplicates
    assert all(due == close and kind == "full_proposal" for _, due, close, kind, _ in tasks)
    assert {t[4] for t in tasks} == {"grants_gov_close_date"}
    assert {t[0]: t[1] for t in tasks}[federal[0][0]] == new_close
