"""`catalynx-desktop deadlines [--ics FILE]`: what is due across all profiles, and an iCalendar
file of every open task that calendar apps import (the same file the window's menu action writes).

Reads only; the database is opened (and migrated, with a backup, if it is older) like any command.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when the command runs: app.py (and the window's start) stay lean
    from catalynx_desktop.domain.tasks import DeadlineItem

COMMAND = "deadlines"


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = commands.add_parser(
        COMMAND,
        parents=[common],
        help="list what is due across all profiles (overdue, this week, this month); --ics writes a calendar file",
    )
    parser.add_argument(
        "--ics", metavar="FILE", help="also write every open task to this iCalendar (.ics) file"
    )


def _line(item: DeadlineItem) -> str:
    task = item.task
    what = f"{task.kind.label}: {item.funder_name or item.opportunity_title}"
    note = f" — {task.note}" if task.note else ""
    return f"  {task.due_date.isoformat()}  {what}{note}  [{item.profile_name}, #{task.opportunity_id}]"


async def _deadlines(args: argparse.Namespace, today: date) -> int:
    from catalynx_desktop.domain.tasks import DueBucket, deadlines_horizon, due_bucket
    from catalynx_desktop.export.deadline_calendar import calendar_entries
    from catalynx_desktop.export.ics import write_ics
    from catalynx_desktop.paths import resolve_paths
    from catalynx_desktop.storage.database import Database
    from catalynx_desktop.storage.task_store import TaskRepository

    paths = resolve_paths(args.data_dir).ensure()
    db = await Database.open(paths.database)
    try:
        tasks = TaskRepository(db)
        page = await tasks.deadlines(deadlines_horizon(today), limit=10_000)
        calendar = await tasks.calendar_items() if args.ics else None
    finally:
        await db.close()
    groups: dict[DueBucket, list[DeadlineItem]] = {}
    for item in page.items:
        groups.setdefault(due_bucket(item.task.due_date, today), []).append(item)
    for bucket in (DueBucket.OVERDUE, DueBucket.THIS_WEEK, DueBucket.THIS_MONTH):
        items = groups.get(bucket, [])
        print(f"{bucket.label} ({len(items)})")
        for item in items:
            print(_line(item))
    if page.next_after is not None:
        print("  … more than 10,000 tasks are due within a month; the calendar file holds them all")
    if calendar is not None:
        database_id, items = calendar
        written = write_ics(Path(args.ics), calendar_entries(items, database_id))
        print(f"wrote {written:,} open tasks to {args.ics}")
    return 0


def run(args: argparse.Namespace, today: date | None = None) -> int:
    if args.ics and not Path(args.ics).parent.is_dir():
        print(f"{COMMAND}: the folder of {args.ics} does not exist", file=sys.stderr)
        return 2
    return asyncio.run(_deadlines(args, today or date.today()))
