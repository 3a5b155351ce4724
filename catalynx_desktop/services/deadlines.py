"""The Deadlines view's door to data: pages of what is due across all profiles, the counts per
bucket, the due days of a calendar month, what is due on one day (reminders), where an
opportunity sits in the main table, and the iCalendar export (the same file as the command line's
`deadlines --ics`), written off the UI thread."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from catalynx_desktop.domain.deadline_view import DeadlineFilter, DeadlineQuery
from catalynx_desktop.domain.query import OpportunityQuery
from catalynx_desktop.domain.tasks import DeadlineItem, DueBucket
from catalynx_desktop.export.deadline_calendar import calendar_entries
from catalynx_desktop.export.ics import write_ics
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.deadline_queries import DeadlineReads
from catalynx_desktop.storage.errors import classify
from catalynx_desktop.storage.funder_repository import KeysetResult
from catalynx_desktop.storage.task_store import TaskRepository


class Deadlines:
    def __init__(self, db: Database) -> None:
        self._reads = DeadlineReads(db)
        self._tasks = TaskRepository(db)

    async def open(
        self, query: DeadlineQuery, first_page: int
    ) -> tuple[KeysetResult[DeadlineItem], list[DeadlineItem]]:
        """A lazy result (count and first page in one hop; later pages by key)."""
        return await self._reads.open(query, first_page)

    async def counts(self, today: date) -> dict[DueBucket, int]:
        """Overdue, this week, this month: three range counts on the partial index."""
        return await self._tasks.deadline_counts(today)

    async def due_days(self, year: int, month: int) -> dict[date, int]:
        """The days of a month with something due, and how many (one query per month)."""
        return await self._reads.due_days(year, month)

    async def due_on(self, day: date, limit: int = 50) -> tuple[int, list[DeadlineItem]]:
        """(how many, the first `limit`) open tasks due on `day`, for the day's reminder."""
        result, items = await self._reads.open(DeadlineQuery.of(DeadlineFilter.DAY, day, day), limit)
        return result.total, items

    async def row_position(self, query: OpportunityQuery, opportunity_id: int) -> int | None:
        """The row of an opportunity in the main table's query (no search or filters)."""
        return await self._reads.row_position(query, opportunity_id)

    async def export_ics(self, path: Path) -> int:
        """Every open task to an iCalendar file; returns how many. Read on the background
        reader, written in a worker thread (a temp file renamed into place)."""
        database_id, items = await self._tasks.calendar_items()
        entries = calendar_entries(items, database_id)
        try:
            return await asyncio.to_thread(write_ics, Path(path), entries)
        except OSError as error:  # a full or read-only disk: the usual words, not an errno
            raise classify(error, Path(path)) from error
