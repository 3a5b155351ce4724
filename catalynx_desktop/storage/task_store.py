"""Tasks on opportunities (schema v6 opportunity_tasks): the user's own, the automatic ones from a
Grants.gov close date or a 990-PF's stated deadline, and the Deadlines view across all profiles.

Automatic tasks are upserts on the unique (opportunity, origin) index, so calling the sync
functions again (every Discover, every rescore, every stage move) never adds a duplicate: a
changed date moves the task, a done task stays done.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from catalynx_desktop.domain.deadline_text import next_deadline
from catalynx_desktop.domain.records import RecordKind
from catalynx_desktop.domain.stages import Stage, stage_rank
from catalynx_desktop.domain.tasks import (
    HIDDEN_FROM_DEADLINES,
    MONTH_DAYS,
    WEEK_DAYS,
    WORKED_STAGES,
    DeadlineItem,
    DeadlinePage,
    DueBucket,
    NewTask,
    Task,
    TaskKind,
    TaskOrigin,
)
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.schema_v6 import DATABASE_UID_SQL

TASK_COLUMNS = "id, opportunity_id, kind, due_date, done, note, origin"
_IDS_PER_STATEMENT = 900
_ISO_DATE_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
_WORKED_RANKS = ", ".join(str(stage_rank(s)) for s in WORKED_STAGES)
_HIDDEN = ", ".join(f"'{s.value}'" for s in HIDDEN_FROM_DEADLINES)


def task_from_row(row: Sequence[Any]) -> Task:
    return Task(
        row[0], row[1], TaskKind(row[2]), date.fromisoformat(row[3]), bool(row[4]), row[5], TaskOrigin(row[6])
    )


def tasks_for(conn: sqlite3.Connection, opportunity_id: int) -> list[Task]:
    rows = conn.execute(
        f"SELECT {TASK_COLUMNS} FROM opportunity_tasks WHERE opportunity_id = ? ORDER BY due_date, id",
        (opportunity_id,),
    )
    return [task_from_row(r) for r in rows]


def add_task(conn: sqlite3.Connection, opportunity_id: int, new: NewTask) -> Task:
    clean = new.validated()
    cursor = conn.execute(  # hidden follows the opportunity's stage, as the trigger keeps it
        f"INSERT INTO opportunity_tasks (opportunity_id, profile_id, kind, due_date, note, hidden) "
        f"SELECT id, profile_id, ?, ?, ?, stage IN ({_HIDDEN}) FROM opportunities WHERE id = ?",
        (clean.kind.value, clean.due_date.isoformat(), clean.note, opportunity_id),
    )
    if cursor.rowcount == 0:
        raise LookupError(f"opportunity {opportunity_id} no longer exists")
    return Task(int(cursor.lastrowid or 0), opportunity_id, clean.kind, clean.due_date, False, clean.note)


def update_task(
    conn: sqlite3.Connection,
    task_id: int,
    *,
    done: bool | None = None,
    due_date: date | None = None,
    note: str | None = None,
    kind: TaskKind | None = None,
) -> Task:
    """Change what is given; returns the task as stored (LookupError if it is gone)."""
    changes: dict[str, object] = {}
    if done is not None:
        changes["done"] = int(done)
    if due_date is not None:
        changes["due_date"] = due_date.isoformat()
    if note is not None:
        changes["note"] = note.strip()
    if kind is not None:
        changes["kind"] = TaskKind(kind).value
    if changes:  # column names are the literal keys above
        assignments = ", ".join(f"{column} = ?" for column in changes)
        conn.execute(
            f"UPDATE opportunity_tasks SET {assignments}, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
            "WHERE id = ?",
            (*changes.values(), task_id),
        )
    row = conn.execute(f"SELECT {TASK_COLUMNS} FROM opportunity_tasks WHERE id = ?", (task_id,)).fetchone()
    if row is None:
        raise LookupError(f"task {task_id} no longer exists")
    return task_from_row(row)


def delete_task(conn: sqlite3.Connection, task_id: int) -> bool:
    return conn.execute("DELETE FROM opportunity_tasks WHERE id = ?", (task_id,)).rowcount > 0


# --- automatic tasks ------------------------------------------------------------------------

_UPSERT_TAIL = """
    ON CONFLICT (opportunity_id, origin) WHERE origin <> 'user' DO UPDATE SET
        due_date = excluded.due_date, note = excluded.note,
        updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE opportunity_tasks.due_date <> excluded.due_date OR opportunity_tasks.note <> excluded.note
"""
_CLOSE_DATE_NOTE = "Grants.gov close date"
# An INSERT ... SELECT with an upsert needs a WHERE in the SELECT (it has one): otherwise SQLite
# would read ON CONFLICT's ON as the join's.
_CLOSE_DATE_SELECT = f"""
    INSERT INTO opportunity_tasks (opportunity_id, profile_id, kind, due_date, note, origin)
    SELECT o.id, o.profile_id, '{TaskKind.FULL_PROPOSAL.value}', sr.close_date, '{_CLOSE_DATE_NOTE}',
           '{TaskOrigin.GRANTS_GOV_CLOSE_DATE.value}'
    FROM opportunities AS o {{index}}
    JOIN source_records AS sr ON sr.id = o.source_record_id
    WHERE {{where}} AND o.stage_rank IN ({_WORKED_RANKS})
      AND sr.kind = '{RecordKind.FEDERAL_OPPORTUNITY.value}' AND sr.close_date GLOB '{_ISO_DATE_GLOB}'
    {_UPSERT_TAIL}
"""


def sync_close_date_tasks(conn: sqlite3.Connection, opportunity_ids: Iterable[int]) -> int:
    """Create or move the "full proposal" task at the Grants.gov close date of these opportunities
    (those in a worked stage, see domain.tasks.WORKED_STAGES). Returns tasks created or moved."""
    ids = list(dict.fromkeys(int(i) for i in opportunity_ids))
    changed = 0
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        chunk = ids[start : start + _IDS_PER_STATEMENT]
        sql = _CLOSE_DATE_SELECT.format(index="", where=f"o.id IN ({','.join('?' * len(chunk))})")
        changed += conn.execute(sql, chunk).rowcount
    return changed


def sync_profile_close_date_tasks(conn: sqlite3.Connection, profile_id: int) -> int:
    """The same for every worked opportunity of a profile: one statement over the (profile,
    stage) index, for the end of a Discover or Rescore run."""
    sql = _CLOSE_DATE_SELECT.format(index="INDEXED BY ix_opp_profile_stage_rank", where="o.profile_id = ?")
    return conn.execute(sql, (int(profile_id),)).rowcount


def sync_stated_deadline_tasks(
    conn: sqlite3.Connection, deadlines: Iterable[tuple[int, str]], today: date
) -> int:
    """For (opportunity id, SubmissionDeadlinesTxt) pairs: a "full proposal" task at the next
    stated deadline when the text names a date; text without one (NONE, ROLLING) adds nothing."""
    rows = []
    for opportunity_id, text in deadlines:
        due = next_deadline(text or "", today)
        if due is not None:
            note = f"Stated in the funder's 990-PF: {' '.join(text.split())[:200]}"
            rows.append((int(opportunity_id), due.isoformat(), note))
    before = conn.total_changes
    conn.executemany(
        "INSERT INTO opportunity_tasks (opportunity_id, profile_id, kind, due_date, note, origin) "
        f"SELECT id, profile_id, '{TaskKind.FULL_PROPOSAL.value}', ?, ?, '{TaskOrigin.IRS_990_DEADLINE.value}' "
        f"FROM opportunities WHERE id = ? AND stage_rank IN ({_WORKED_RANKS}) {_UPSERT_TAIL}",
        [(due, note, opportunity_id) for opportunity_id, due, note in rows],
    )
    return conn.total_changes - before


def remove_stated_deadline_tasks(conn: sqlite3.Connection, opportunity_ids: Iterable[int]) -> int:
    """Open "full proposal" tasks made from a 990-PF's stated deadline, for opportunities whose
    funder's latest 990-PF states none any more: they would remind of a deadline the funder no
    longer names. Done ones stay (they are what the user did)."""
    before = conn.total_changes
    conn.executemany(
        f"DELETE FROM opportunity_tasks WHERE opportunity_id = ? AND origin = '{TaskOrigin.IRS_990_DEADLINE.value}' "
        "AND done = 0",
        [(int(i),) for i in opportunity_ids],
    )
    return conn.total_changes - before


# --- the Deadlines view ----------------------------------------------------------------------

# One keyset read over the partial index of the open, listed tasks; each line's opportunity and
# profile are primary-key lookups of the same statement (no query per line).
_DEADLINES_SQL = """
    SELECT t.id, t.opportunity_id, t.kind, t.due_date, t.done, t.note, t.origin,
           p.id, p.name, o.title, o.funder_name, o.stage
    FROM opportunity_tasks AS t INDEXED BY ix_tasks_open_due
    JOIN opportunities AS o ON o.id = t.opportunity_id
    JOIN profiles AS p ON p.id = o.profile_id
    WHERE t.done = 0 AND t.hidden = 0 AND t.due_date <= :until AND (t.due_date, t.id) > (:after_due, :after_id)
    ORDER BY t.due_date, t.id
    LIMIT :limit
"""


def read_deadlines(
    conn: sqlite3.Connection, until: date | None, after: tuple[str, int] | None = None, limit: int = 200
) -> DeadlinePage:
    """Open tasks due on or before `until` (None: all of them), oldest first, across all profiles.

    `after` is the key of the last line already read (DeadlineItem.key / DeadlinePage.next_after).
    """
    after_due, after_id = after if after is not None else ("", 0)
    params = {
        "until": until.isoformat() if until else "9999-12-31",
        "after_due": after_due,
        "after_id": after_id,
        "limit": int(limit),
    }
    items = [
        DeadlineItem(task_from_row(r[:7]), r[7], r[8], r[9], r[10], Stage(r[11]))
        for r in conn.execute(_DEADLINES_SQL, params)
    ]
    next_after = items[-1].key if len(items) == limit else None
    return DeadlinePage(items, next_after)


# A profile's open tasks, soonest first: a range read on the profile's slice of the partial index
# of open tasks (schema v10), each line's opportunity a primary-key lookup, stopping at the limit:
# the same few reads whatever the other profiles or the opportunities hold.
_PROFILE_TASKS_SQL = """
    SELECT t.id, t.opportunity_id, t.kind, t.due_date, t.done, t.note, t.origin,
           p.id, p.name, o.title, o.funder_name, o.stage
    FROM opportunity_tasks AS t INDEXED BY ix_tasks_profile_open_due
    JOIN opportunities AS o ON o.id = t.opportunity_id
    JOIN profiles AS p ON p.id = o.profile_id
    WHERE t.profile_id = ? AND t.done = 0 AND t.hidden = 0
    ORDER BY t.due_date, t.id
    LIMIT ?
"""


def read_profile_tasks(conn: sqlite3.Connection, profile_id: int, limit: int) -> list[DeadlineItem]:
    """The profile's first `limit` open tasks by due date (overdue ones first), as the Deadlines
    view words them."""
    return [
        DeadlineItem(task_from_row(r[:7]), r[7], r[8], r[9], r[10], Stage(r[11]))
        for r in conn.execute(_PROFILE_TASKS_SQL, (int(profile_id), int(limit)))
    ]


def deadline_counts(conn: sqlite3.Connection, today: date) -> dict[DueBucket, int]:
    """How many open tasks are overdue, due this week and this month: three range counts on the
    partial index (the buckets' bounds come from domain.tasks, as the list's labels do)."""
    week = today + timedelta(days=WEEK_DAYS)
    month = today + timedelta(days=MONTH_DAYS)
    bounds = {
        DueBucket.OVERDUE: ("", today),
        DueBucket.THIS_WEEK: (today.isoformat(), week),
        DueBucket.THIS_MONTH: (week.isoformat(), month),
    }
    return {
        bucket: int(
            conn.execute(
                "SELECT count(*) FROM opportunity_tasks INDEXED BY ix_tasks_open_due "
                "WHERE done = 0 AND hidden = 0 AND due_date >= ? AND due_date < ?",
                (low, high.isoformat()),
            ).fetchone()[0]
        )
        for bucket, (low, high) in bounds.items()
    }


def database_uid(conn: sqlite3.Connection) -> str:
    """This database's own random id (schema v6), for stable calendar UIDs."""
    return str(conn.execute(DATABASE_UID_SQL).fetchone()[0])


def all_open_deadlines(conn: sqlite3.Connection, page_size: int = 2000) -> list[DeadlineItem]:
    """Every open task the Deadlines view would list, whatever its date (for a calendar export),
    read in keyset pages."""
    items: list[DeadlineItem] = []
    after: tuple[str, int] | None = None
    while True:
        page = read_deadlines(conn, None, after, page_size)
        items.extend(page.items)
        if page.next_after is None:
            return items
        after = page.next_after


class TaskRepository:
    """The async door to tasks and deadlines for services (one hop per call)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def tasks(self, opportunity_id: int) -> list[Task]:
        return await self._db.read(lambda conn: tasks_for(conn, int(opportunity_id)))

    async def add(self, opportunity_id: int, new: NewTask) -> Task:
        return await self._db.write(lambda conn: add_task(conn, int(opportunity_id), new))

    async def update(
        self,
        task_id: int,
        *,
        done: bool | None = None,
        due_date: date | None = None,
        note: str | None = None,
        kind: TaskKind | None = None,
    ) -> Task:
        return await self._db.write(
            lambda conn: update_task(conn, int(task_id), done=done, due_date=due_date, note=note, kind=kind)
        )

    async def delete(self, task_id: int) -> bool:
        return await self._db.write(lambda conn: delete_task(conn, int(task_id)))

    async def deadlines(
        self, until: date | None, after: tuple[str, int] | None = None, limit: int = 200
    ) -> DeadlinePage:
        return await self._db.read(lambda conn: read_deadlines(conn, until, after, limit))

    async def deadline_counts(self, today: date) -> dict[DueBucket, int]:
        return await self._db.read(lambda conn: deadline_counts(conn, today))

    async def calendar_items(self) -> tuple[str, list[DeadlineItem]]:
        """(database id, every open task) for an iCalendar export, in one background read."""

        def read(conn: sqlite3.Connection) -> tuple[str, list[DeadlineItem]]:
            conn.execute("BEGIN")  # one snapshot for all pages
            try:
                return database_uid(conn), all_open_deadlines(conn)
            finally:
                conn.execute("COMMIT")

        return await self._db.read(read, background=True)

    async def sync_close_date_tasks(self, profile_id: int) -> int:
        return await self._db.write(lambda conn: sync_profile_close_date_tasks(conn, int(profile_id)))

    async def sync_stated_deadlines(self, deadlines: Sequence[tuple[int, str]], today: date) -> int:
        return await self._db.write(lambda conn: sync_stated_deadline_tasks(conn, deadlines, today))
