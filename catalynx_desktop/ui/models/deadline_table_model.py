"""The Deadlines view's table: open tasks across all profiles, due date first, lazy and paged by
key (KeysetTableModel), one range of due dates at a time (a bucket, one day, or all it lists)."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from catalynx_desktop.domain.deadline_view import DeadlineQuery
from catalynx_desktop.domain.tasks import DeadlineItem, DueBucket, due_bucket
from catalynx_desktop.ui.async_tasks import TaskRunner
from catalynx_desktop.ui.models.keyset_table_model import Column, KeysetPages, KeysetTableModel


class DeadlineSource(Protocol):  # services.deadlines
    async def open(self, query: DeadlineQuery, first_page: int) -> tuple[Any, list[DeadlineItem]]: ...


def due_words(due: date, today: date) -> str:
    """ "2026-12-01 · 3 days overdue", "2026-12-04 · today", "2026-12-09 · in 5 days"."""
    days = (due - today).days
    if days == 0:
        when = "today"
    elif days < 0:
        when = f"{-days} day{'s' if days != -1 else ''} overdue"
    else:
        when = "tomorrow" if days == 1 else f"in {days} days"
    return f"{due.isoformat()} · {when}"


def funder_words(item: DeadlineItem) -> str:
    if item.funder_name and item.opportunity_title and item.funder_name != item.opportunity_title:
        return f"{item.funder_name} — {item.opportunity_title}"
    return item.funder_name or item.opportunity_title


class DeadlineTableModel(KeysetTableModel[DeadlineItem, DeadlineQuery]):
    def __init__(self, source: DeadlineSource, tasks: TaskRunner, parent: Any = None) -> None:
        super().__init__(tasks, parent)
        self._source = source
        self.today = date.today()  # set by the controller before each open (texts are formatted per page)
        self.COLUMNS = (
            Column("Due", lambda i: due_words(i.task.due_date, self.today)),
            Column("What", lambda i: i.task.kind.label),
            Column("Funder / opportunity", funder_words),
            Column("Profile", lambda i: i.profile_name),
            Column("Note", lambda i: i.task.note),
        )

    def bucket_of(self, item: DeadlineItem) -> DueBucket:
        return due_bucket(item.task.due_date, self.today)

    async def _open_query(self, query: DeadlineQuery) -> tuple[KeysetPages[DeadlineItem], list[DeadlineItem]]:
        result: KeysetPages[DeadlineItem]
        result, rows = await self._source.open(query, self.PAGE_SIZE)
        return result, rows

    def _sorted(self, query: DeadlineQuery, key: str, descending: bool) -> DeadlineQuery:
        return query  # one order: due date (the partial index's)
