"""What the Deadlines view shows: a range of due dates (a bucket, one day, or everything it
lists), as plain values the storage layer turns into one indexed range read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from catalynx_desktop.domain.tasks import MONTH_DAYS, WEEK_DAYS, DueBucket


class DeadlineFilter(StrEnum):
    """The view's choices: everything it lists, one bucket, or the day clicked in the calendar."""

    ALL = "all"
    OVERDUE = DueBucket.OVERDUE.value
    THIS_WEEK = DueBucket.THIS_WEEK.value
    THIS_MONTH = DueBucket.THIS_MONTH.value
    DAY = "day"


@dataclass(frozen=True)
class DeadlineQuery:
    """Open tasks due in [start, end): start None means "from the oldest" (overdue has no floor)."""

    start: date | None
    end: date

    @classmethod
    def of(cls, choice: DeadlineFilter, today: date, day: date | None = None) -> DeadlineQuery:
        week, month = today + timedelta(days=WEEK_DAYS), today + timedelta(days=MONTH_DAYS)
        if choice is DeadlineFilter.DAY:
            shown = day or today
            return cls(shown, shown + timedelta(days=1))
        ranges = {
            DeadlineFilter.ALL: (None, month),
            DeadlineFilter.OVERDUE: (None, today),
            DeadlineFilter.THIS_WEEK: (today, week),
            DeadlineFilter.THIS_MONTH: (week, month),
        }
        start, end = ranges[choice]
        return cls(start, end)


def month_range(year: int, month: int) -> tuple[date, date]:
    """[first day of the month, first day of the next)."""
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first, following
