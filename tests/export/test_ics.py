"""The iCalendar export of open tasks, read back with a real iCalendar parser (icalendar)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar

from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.domain.tasks import NewTask, TaskKind
from catalynx_desktop.export.deadline_calendar import calendar_entries
from catalynx_desktop.export.ics import calendar_bytes, write_ics
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.task_store import TaskRepository
from tests.fresh_loop import arun as run  # not asyncio.run: it would unset the GUI tests' qasync loop
from tests.storage.helpers import open_demo_db

TODAY = date(2026, 12, 4)


def _tasks_db(tmp_path):
    """A demo database with open, done and hidden tasks over two profiles; returns what is open."""

    async def build():
        db, _ = await open_demo_db(tmp_path, profiles=2, opportunities=200)
        tasks, repo = TaskRepository(db), OpportunityRepository(db)
        await db.write(lambda c: c.execute("DELETE FROM opportunity_tasks"))
        rows = await db.fetch_all(
            "SELECT o.id FROM opportunities o WHERE o.stage NOT IN ('declined') ORDER BY o.id LIMIT 12"
        )
        ids = [r[0] for r in rows]
        await repo.move_stage(ids, Stage.APPROACH)
        await db.write(lambda c: c.execute("DELETE FROM opportunity_tasks"))  # only the ones below
        kinds = list(TaskKind)
        for n, opp in enumerate(ids):
            task = await tasks.add(
                opp, NewTask(kinds[n % len(kinds)], TODAY + timedelta(days=n * 9 - 30), f"note {n}")
            )
            if n % 5 == 4:
                await tasks.update(task.id, done=True)
        await repo.move_stage([ids[0]], Stage.DECLINED, "not a fit")  # hidden from deadlines
        uid, items = await tasks.calendar_items()
        await db.close()
        return uid, items

    return run(build())


def test_every_open_task_is_an_event_and_a_todo_that_a_parser_reads_back(tmp_path):
    database_id, items = _tasks_db(tmp_path)
    assert len(items) == 12 - 2 - 1  # two done, one declined
    path = tmp_path / "deadlines.ics"
    assert write_ics(path, calendar_entries(items, database_id)) == len(items)
    raw = path.read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded as RFC 5545 asks
    calendar = Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0" and "Catalynx" in str(calendar["PRODID"])
    events, todos = calendar.walk("VEVENT"), calendar.walk("VTODO")
    assert len(events) == len(todos) == len(items)
    uids = [str(c["UID"]) for c in (*events, *todos)]
    assert len(set(uids)) == len(uids)
    by_uid = {str(e["UID"]): e for e in events}
    for item in items:
        event = by_uid[f"catalynx-task-{item.task.id}.{database_id}@catalynx-desktop-event"]
        assert event.decoded("DTSTART") == item.task.due_date  # an all-day event on the due day
        assert event.decoded("DTEND") == item.task.due_date + timedelta(days=1)
        stamp = event.decoded("DTSTAMP")
        assert stamp.tzinfo is not None and stamp.utcoffset() == timedelta(0)
        summary = str(event["SUMMARY"])
        assert item.funder_name in summary and item.profile_name in summary
        assert item.task.kind.label in summary
        assert f"Note: {item.task.note}" in str(event["DESCRIPTION"])
    for todo in todos:
        assert isinstance(todo.decoded("DUE"), date) and str(todo["STATUS"]) == "NEEDS-ACTION"


def test_uids_are_stable_from_one_export_to_the_next(tmp_path):
    database_id, items = _tasks_db(tmp_path)
    first = calendar_bytes(calendar_entries(items, database_id), now=datetime(2026, 12, 1, tzinfo=UTC))
    second = calendar_bytes(calendar_entries(items, database_id), now=datetime(2026, 12, 4, 9, tzinfo=UTC))

    def uids(raw: bytes) -> list[str]:
        return sorted(str(c["UID"]) for c in Calendar.from_ical(raw).walk() if "UID" in c)

    assert uids(first) == uids(second) and first != second  # only DTSTAMP differs


def test_text_with_commas_semicolons_and_accents_survives(tmp_path):
    from catalynx_desktop.export.ics import CalendarEntry

    entry = CalendarEntry(
        "u1@x", "Report due: Fundación Niños, Inc.; Vermont", date(2027, 1, 5), "line 1\nline 2"
    )
    parsed = Calendar.from_ical(calendar_bytes([entry]))
    (event,) = parsed.walk("VEVENT")
    assert str(event["SUMMARY"]) == entry.summary and str(event["DESCRIPTION"]) == "line 1\nline 2"
