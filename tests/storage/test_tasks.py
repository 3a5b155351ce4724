"""Tasks: the user's own, automatic ones from close dates and stated deadlines, and the Deadlines
view across all profiles (keyset pages, bucket counts), on real databases."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.domain.tasks import (
    DueBucket,
    NewTask,
    TaskKind,
    TaskOrigin,
    deadlines_horizon,
    due_bucket,
)
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.task_store import TaskRepository, sync_close_date_tasks
from tests.fresh_loop import arun as run  # not asyncio.run: it would unset the GUI tests' qasync loop
from tests.storage.helpers import open_demo_db

TODAY = date(2026, 12, 4)


async def _federal_ids(db, limit):
    rows = await db.fetch_all(
        "SELECT o.id, sr.close_date FROM opportunities o JOIN source_records sr ON sr.id = o.source_record_id "
        "WHERE sr.kind = 'federal_opportunity' AND sr.close_date IS NOT NULL AND o.stage = 'discover' "
        "ORDER BY o.id LIMIT ?",
        (limit,),
    )
    return [(r[0], date.fromisoformat(r[1])) for r in rows]


def test_user_tasks_round_trip(tmp_path):
    async def scenario():
        db, _ = await open_demo_db(tmp_path, profiles=1, opportunities=30)
        try:
            tasks = TaskRepository(db)
            (opp,) = (await db.fetch_all("SELECT min(id) FROM opportunities"))[0]
            added = await tasks.add(
                opp, NewTask(TaskKind.LETTER_OF_INQUIRY, date(2027, 1, 10), "  two pages ")
            )
            assert (added.note, added.origin, added.done) == ("two pages", TaskOrigin.USER, False)
            done = await tasks.update(added.id, done=True, note="sent")
            assert (done.done, done.note, done.due_date) == (True, "sent", date(2027, 1, 10))
            assert await tasks.tasks(opp) == [done]
            assert await tasks.delete(added.id) and await tasks.tasks(opp) == []
            with pytest.raises(LookupError):
                await tasks.update(added.id, done=False)
            with pytest.raises(LookupError):
                await tasks.add(10**9, NewTask(TaskKind.OTHER, TODAY))
        finally:
            await db.close()

    run(scenario())


def test_close_date_tasks_follow_the_shortlist_without_duplicates(tmp_path):
    async def scenario():
        db, _ = await open_demo_db(tmp_path, profiles=1, opportunities=300)
        try:
            repo, tasks = OpportunityRepository(db), TaskRepository(db)
            federal = await _federal_ids(db, 4)
            ids = [i for i, _ in federal]
            assert await db.write(lambda c: sync_close_date_tasks(c, ids)) == 0  # still in Discover
            await repo.move_stage(ids, Stage.PLAN, "shortlist")
            for opp, close in federal:
                (task,) = await tasks.tasks(opp)
                assert (task.kind, task.due_date, task.origin) == (
                    TaskKind.FULL_PROPOSAL,
                    close,
                    TaskOrigin.GRANTS_GOV_CLOSE_DATE,
                )
            profile = (await db.fetch_all("SELECT profile_id FROM opportunities WHERE id = ?", (ids[0],)))[0][
                0
            ]
            # the end of a Discover run: the demo's other worked federal opportunities get theirs
            worked = await db.fetch_all(
                "SELECT count(*) FROM opportunities o JOIN source_records sr ON sr.id = o.source_record_id "
                "WHERE o.profile_id = ? AND o.stage IN ('plan', 'analyze', 'examine', 'approach') "
                "AND sr.kind = 'federal_opportunity' AND sr.close_date IS NOT NULL",
                (profile,),
            )
            assert await tasks.sync_close_date_tasks(profile) == worked[0][0] - 4
            # called again (the next Discover, a rescore, another move): nothing new, nothing changed
            assert await tasks.sync_close_date_tasks(profile) == 0
            await repo.move_stage(ids, Stage.ANALYZE)
            assert len(await db.fetch_all("SELECT id FROM opportunity_tasks")) == worked[0][0]
            # the funder moves the close date: the task moves, and stays done if it was
            first = (await tasks.tasks(ids[0]))[0]
            await tasks.update(first.id, done=True)
            await db.write(
                lambda c: c.execute(
                    "UPDATE source_records SET close_date = '2031-01-31' "
                    "WHERE id = (SELECT source_record_id FROM opportunities WHERE id = ?)",
                    (ids[0],),
                )
            )
            assert await tasks.sync_close_date_tasks(profile) == 1
            (moved,) = await tasks.tasks(ids[0])
            assert (moved.id, moved.due_date, moved.done) == (first.id, date(2031, 1, 31), True)
        finally:
            await db.close()

    run(scenario())


def test_stated_deadlines_make_one_task_when_they_name_a_date(tmp_path):
    async def scenario():
        db, _ = await open_demo_db(tmp_path, profiles=1, opportunities=40)
        try:
            repo, tasks = OpportunityRepository(db), TaskRepository(db)
            rows = await db.fetch_all("SELECT id FROM opportunities ORDER BY id LIMIT 3")
            a, b, c = (r[0] for r in rows)
            await repo.move_stage([a, b], Stage.EXAMINE)
            items = [(a, "MARCH 1 AND SEPTEMBER 1"), (b, "NONE"), (c, "MARCH 1")]  # c is not worked on
            assert await tasks.sync_stated_deadlines(items, TODAY) == 1
            assert await tasks.sync_stated_deadlines(items, TODAY) == 0
            stated = [t for t in await tasks.tasks(a) if t.origin is TaskOrigin.IRS_990_DEADLINE]
            assert [t.due_date for t in stated] == [date(2027, 3, 1)]
            assert "MARCH 1 AND SEPTEMBER 1" in stated[0].note
            assert [t for t in await tasks.tasks(b) if t.origin is TaskOrigin.IRS_990_DEADLINE] == []
            assert await tasks.tasks(c) == []
        finally:
            await db.close()

    run(scenario())


def test_deadlines_across_profiles_page_by_key_and_count_by_bucket(tmp_path):
    async def scenario():
        db, _ = await open_demo_db(tmp_path, profiles=3, opportunities=600)
        try:
            repo, tasks = OpportunityRepository(db), TaskRepository(db)
            rng = random.Random(5)
            rows = await db.fetch_all("SELECT id, profile_id FROM opportunities ORDER BY id")
            chosen = rng.sample(rows, 60)
            await repo.move_stage(sorted(r[0] for r in chosen[:5]), Stage.DECLINED, "not a fit")
            await repo.move_stage([chosen[5][0]], Stage.WITHDRAWN, "board said no")
            await repo.move_stage([chosen[6][0]], Stage.AWARDED, "won")  # its reports still count
            hidden = {  # ours and the demo's own declined ones
                r[0]
                for r in await db.fetch_all(
                    "SELECT id FROM opportunities WHERE stage IN ('declined', 'withdrawn', 'declined_by_funder')"
                )
            }
            await db.write(lambda c: c.execute("DELETE FROM opportunity_tasks"))  # only ours below
            expected = []
            for opp, _profile in chosen:
                for _ in range(rng.choice((1, 2))):
                    due = TODAY + timedelta(days=rng.randint(-20, 60))
                    task = await tasks.add(opp, NewTask(rng.choice(list(TaskKind)), due))
                    if rng.random() < 0.2:
                        await tasks.update(task.id, done=True)
                    elif opp not in hidden:
                        expected.append(task)
            until = deadlines_horizon(TODAY)
            want = sorted((t for t in expected if t.due_date <= until), key=lambda t: (t.due_date, t.id))
            seen, after = [], None
            while True:
                page = await tasks.deadlines(until, after, limit=7)
                seen.extend(page.items)
                if page.next_after is None:
                    break
                after = page.next_after
            assert [item.task for item in seen] == want
            names = dict(await db.fetch_all("SELECT id, name FROM profiles"))
            assert all(item.profile_name == names[item.profile_id] for item in seen)
            assert len({item.profile_id for item in seen}) == 3  # across all profiles
            counts = await tasks.deadline_counts(TODAY)
            for bucket in (DueBucket.OVERDUE, DueBucket.THIS_WEEK, DueBucket.THIS_MONTH):
                assert counts[bucket] == sum(1 for t in want if due_bucket(t.due_date, TODAY) is bucket)
            everything = await tasks.deadlines(None, limit=10_000)
            assert len(everything.items) == len(expected) and everything.next_after is None
            # back from "not a fit" to the shortlist: its open tasks are listed again
            back = chosen[0][0]
            await repo.move_stage([back], Stage.PLAN, "second look")
            listed = {item.task.opportunity_id for item in (await tasks.deadlines(None, limit=10_000)).items}
            open_ones = await db.fetch_all(
                "SELECT count(*) FROM opportunity_tasks WHERE opportunity_id = ? AND done = 0", (back,)
            )
            assert (back in listed) == (open_ones[0][0] > 0)
            plan = await db.fetch_all(
                "EXPLAIN QUERY PLAN SELECT id FROM opportunity_tasks WHERE done = 0 AND hidden = 0 "
                "AND due_date <= '2027-01-01' "
                "ORDER BY due_date, id"
            )
            assert any("ix_tasks_open_due" in str(step) for step in plan)
        finally:
            await db.close()

    run(scenario())
