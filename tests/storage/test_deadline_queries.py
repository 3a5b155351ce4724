"""The Deadlines view's reads on a real database: bucket ranges with the same counts as the
bucket counts, keyset pages across a page boundary, the calendar month's due days, hidden and
done tasks left out, and an opportunity's row in the main table's query."""

from __future__ import annotations

from datetime import date, timedelta

from catalynx_desktop.domain.deadline_view import DeadlineFilter, DeadlineQuery, month_range
from catalynx_desktop.domain.query import OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.domain.tasks import DueBucket, NewTask, TaskKind, due_bucket
from catalynx_desktop.services.deadlines import Deadlines
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.task_store import TaskRepository
from tests.fresh_loop import arun as run
from tests.storage.helpers import open_demo_db

TODAY = date(2026, 12, 4)
OFFSETS = [-40, -3, -1, 0, 0, 2, 6, 7, 12, 29, 30, 45]  # days from TODAY


async def _seed(tmp_path, extra_on_one_day: int = 0):
    """Tasks at OFFSETS over two profiles (plus `extra_on_one_day` more due in 12 days), one done
    and one on an opportunity the funder declined (both left out). Returns (db, open tasks)."""
    db, _ = await open_demo_db(tmp_path, profiles=2, opportunities=400)
    ids = [r[0] for r in await db.fetch_all("SELECT id FROM opportunities ORDER BY profile_id DESC, id")]
    repo, tasks = OpportunityRepository(db), TaskRepository(db)
    await repo.move_stage(ids[:40], Stage.APPROACH)
    await db.write(lambda c: c.execute("DELETE FROM opportunity_tasks"))  # only the ones below
    open_tasks = []
    for n, offset in enumerate(OFFSETS):
        open_tasks.append(await tasks.add(ids[n], NewTask(TaskKind.FULL_PROPOSAL, TODAY + timedelta(offset))))
    for n in range(extra_on_one_day):
        due = TODAY + timedelta(12)
        open_tasks.append(await tasks.add(ids[20 + n % 20], NewTask(TaskKind.REPORT_DUE, due, f"r{n}")))
    done = await tasks.add(ids[15], NewTask(TaskKind.OTHER, TODAY))
    await tasks.update(done.id, done=True)
    await tasks.add(ids[16], NewTask(TaskKind.OTHER, TODAY))
    await repo.move_stage([ids[16]], Stage.DECLINED_BY_FUNDER)  # hidden from deadlines
    return db, open_tasks


def test_buckets_pages_and_counts_agree(tmp_path):
    async def scenario():
        db, open_tasks = await _seed(tmp_path, extra_on_one_day=300)
        try:
            deadlines = Deadlines(db)
            counts = await deadlines.counts(TODAY)
            for choice in (DeadlineFilter.OVERDUE, DeadlineFilter.THIS_WEEK, DeadlineFilter.THIS_MONTH):
                result, first = await deadlines.open(DeadlineQuery.of(choice, TODAY), 256)
                expected = sorted(
                    (t.due_date, t.id)
                    for t in open_tasks
                    if due_bucket(t.due_date, TODAY).value == choice.value
                )
                assert result.total == counts[DueBucket(choice.value)] == len(expected)
                rows = first + await result.page(len(first), 10_000)
                assert [(i.task.due_date, i.task.id) for i in rows] == expected
            result, first = await deadlines.open(DeadlineQuery.of(DeadlineFilter.ALL, TODAY), 256)
            assert len(first) == 256 and result.total == sum(counts.values()) == len(open_tasks) - 2  # 30, 45
            later = await result.page(256, 256)  # the second page by key
            keys = [(i.task.due_date, i.task.id) for i in first + later]
            assert keys == sorted(keys) and len(set(keys)) == result.total
            assert later[-1].task.due_date == TODAY + timedelta(29)
        finally:
            await db.close()

    run(scenario())


def test_calendar_days_and_one_day(tmp_path):
    async def scenario():
        db, open_tasks = await _seed(tmp_path)
        try:
            deadlines = Deadlines(db)
            days = await deadlines.due_days(TODAY.year, TODAY.month)
            first, following = month_range(TODAY.year, TODAY.month)
            expected: dict[date, int] = {}
            for t in open_tasks:
                if first <= t.due_date < following:
                    expected[t.due_date] = expected.get(t.due_date, 0) + 1
            assert days == expected and days[TODAY] == 2  # the done and the hidden one are left out
            total, items = await deadlines.due_on(TODAY)
            assert total == 2 and {i.task.due_date for i in items} == {TODAY}
            assert month_range(2026, 12) == (date(2026, 12, 1), date(2027, 1, 1))
        finally:
            await db.close()

    run(scenario())


def test_row_position_is_the_row_the_main_table_shows(tmp_path):
    async def scenario():
        db, open_tasks = await _seed(tmp_path)
        try:
            deadlines, repo = Deadlines(db), OpportunityRepository(db)
            target = open_tasks[5].opportunity_id
            (profile_id,) = (
                await db.fetch_all("SELECT profile_id FROM opportunities WHERE id = ?", (target,))
            )[0]
            for sort in (SortKey.SCORE, SortKey.TITLE, SortKey.CLOSE_DATE):
                for descending in (True, False):
                    query = OpportunityQuery(profile_id, Stage.APPROACH, sort, descending)
                    row = await deadlines.row_position(query, target)
                    _result, first = await repo.open(query, 500)
                    assert row is not None and first[row].id == target
            assert await deadlines.row_position(OpportunityQuery(profile_id, Stage.PLAN), target) is None
        finally:
            await db.close()

    run(scenario())
