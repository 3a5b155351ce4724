"""The Deadlines view's reads: a lazy keyset result over the open tasks of a date range (all
profiles), the due days of a calendar month, and where an opportunity sits in the main table.

Every read is a range on the partial index ix_tasks_open_due (open tasks of listed stages only),
so its cost follows what is due, never the number of opportunities; each line's opportunity
and profile are primary-key lookups inside the same statement (no query per row).
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from catalynx_desktop.domain.deadline_view import DeadlineQuery, month_range
from catalynx_desktop.domain.query import OpportunityQuery
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.domain.tasks import DeadlineItem
from catalynx_desktop.storage.database import Database

# The same open/page machinery as the Funders view (one snapshot for plan, count and first page).
from catalynx_desktop.storage.funder_repository import KeysetResult
from catalynx_desktop.storage.funder_repository import _open as open_keyset
from catalynx_desktop.storage.keyset import KeysetQuery
from catalynx_desktop.storage.opportunity_queries import compile_query
from catalynx_desktop.storage.task_store import task_from_row

# The opportunity and profile of a line are primary-key lookups in the row's columns, not joins
# in the source: the keyset's index-only steps (skipping to a far page, counting ties) then read
# the partial index alone. With joins a jump 20,000 lines in took ~150 ms (two lookups per line
# skipped); each subquery costs one lookup per shown line (~1 ms a page).
_SOURCE = "opportunity_tasks AS t INDEXED BY ix_tasks_open_due"
_OPPORTUNITY = "(SELECT o.{column} FROM opportunities AS o WHERE o.id = t.opportunity_id)"
_COLUMNS = ", ".join(
    (
        "t.id, t.opportunity_id, t.kind, t.due_date, t.done, t.note, t.origin",
        _OPPORTUNITY.format(column="profile_id"),
        "(SELECT p.name FROM profiles AS p WHERE p.id = " + _OPPORTUNITY.format(column="profile_id") + ")",
        _OPPORTUNITY.format(column="title"),
        _OPPORTUNITY.format(column="funder_name"),
        _OPPORTUNITY.format(column="stage"),
    )
)
_OPEN = "t.done = 0 AND t.hidden = 0"
_COUNT_SQL = (
    "SELECT count(*) FROM opportunity_tasks INDEXED BY ix_tasks_open_due "
    "WHERE done = 0 AND hidden = 0 AND due_date >= ? AND due_date < ?"
)
# One read per month shown: the index range of the month, grouped by its leading column.
_MONTH_SQL = (
    "SELECT due_date, count(*) FROM opportunity_tasks INDEXED BY ix_tasks_open_due "
    "WHERE done = 0 AND hidden = 0 AND due_date >= ? AND due_date < ? GROUP BY due_date"
)


def _bounds(query: DeadlineQuery) -> tuple[str, str]:
    return ("" if query.start is None else query.start.isoformat(), query.end.isoformat())


def compile_deadline_query(query: DeadlineQuery) -> KeysetQuery:
    """Due date then task id, ascending: the partial index's own order."""
    return KeysetQuery(
        source=_SOURCE,
        columns=_COLUMNS,
        column="t.due_date",
        id_column="t.id",
        where=f"{_OPEN} AND t.due_date >= ? AND t.due_date < ?",
        params=_bounds(query),
        descending=False,
    )


def count_deadlines(conn: sqlite3.Connection, query: DeadlineQuery) -> int:
    """A range count on the partial index (no row lookups)."""
    return int(conn.execute(_COUNT_SQL, _bounds(query)).fetchone()[0])


def deadline_item(values: tuple[Any, ...]) -> DeadlineItem:
    return DeadlineItem(
        task_from_row(values[:7]), values[7], values[8], values[9], values[10], Stage(values[11])
    )


def due_days(conn: sqlite3.Connection, year: int, month: int) -> dict[date, int]:
    """Each day of the month with open tasks due, and how many."""
    first, following = month_range(year, month)
    rows = conn.execute(_MONTH_SQL, (first.isoformat(), following.isoformat()))
    return {date.fromisoformat(day): int(n) for day, n in rows}


def row_position(conn: sqlite3.Connection, query: OpportunityQuery, opportunity_id: int) -> int | None:
    """The row of an opportunity in the main table's query (no search, no filters), or None when
    it is not in it: its sort key, then a count of the rows before it on the same index."""
    compiled = compile_query(query)
    found = conn.execute(
        f"SELECT {compiled.column} FROM opportunities WHERE id = ? AND {compiled.where}",
        (int(opportunity_id), *compiled.params),
    ).fetchone()
    if found is None:
        return None
    before = compiled.after_condition(False)  # rows ahead of the key in the reading order
    sql = (
        f"SELECT count(*) FROM opportunities INDEXED BY {compiled.index} WHERE {compiled.where} AND {before}"
    )
    return int(conn.execute(sql, (*compiled.params, found[0], int(opportunity_id))).fetchone()[0])


class DeadlineReads:
    """The async door for services (one hop per call)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def open(
        self, query: DeadlineQuery, first_page: int
    ) -> tuple[KeysetResult[DeadlineItem], list[DeadlineItem]]:
        compiled = compile_deadline_query(query)
        return await open_keyset(
            self._db,
            lambda conn: compiled,
            lambda conn: count_deadlines(conn, query),
            deadline_item,
            first_page,
        )

    async def due_days(self, year: int, month: int) -> dict[date, int]:
        return await self._db.read(lambda conn: due_days(conn, year, month))

    async def row_position(self, query: OpportunityQuery, opportunity_id: int) -> int | None:
        return await self._db.read(lambda conn: row_position(conn, query, opportunity_id))
