"""Dates in a 990-PF's stated submission deadlines (SubmissionDeadlinesTxt, free text).

Filers type anything: "NONE", "ROLLING", "MARCH 1", "03/15/2024", "MARCH 1 AND SEPTEMBER 1",
"APPLICATIONS ARE DUE BY OCTOBER 31ST OF EACH YEAR". Only month-and-day mentions count; text
without one (none, rolling, quarterly, "60 days before the board meets") gives no date.

Foundation deadlines repeat every year, and a return is read years after it was filed: a date
whose year has passed stands for the same day in the current cycle, so next_deadline() gives
the next occurrence on or after today.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    "JAN": 1,
    "FEB": 2,
    "MAR": 3,
    "APR": 4,
    "MAY": 5,
    "JUN": 6,
    "JUL": 7,
    "AUG": 8,
    "SEP": 9,
    "OCT": 10,
    "NOV": 11,
    "DEC": 12,
}
_MONTH = r"(JAN(?:UARY)?|FEB(?:RUARY)?|MAR(?:CH)?|APR(?:IL)?|MAY|JUNE?|JULY?|AUG(?:UST)?|SEPT?(?:EMBER)?|OCT(?:OBER)?|NOV(?:EMBER)?|DEC(?:EMBER)?)"
_DAY = r"(\d{1,2})(?:ST|ND|RD|TH)?"
_YEAR = r"(?:,?\s+(\d{4}))?"
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?(?![\d/.-])")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\.?\s+{_DAY}\b{_YEAR}")
_DAY_MONTH = re.compile(rf"\b{_DAY}\s+(?:OF\s+)?{_MONTH}\b\.?{_YEAR}")


@dataclass(frozen=True, order=True)
class StatedDate:
    """A month and day the text names, with the year when it gives one."""

    month: int
    day: int
    year: int | None = None

    def on_or_after(self, today: date) -> date:
        """The first day with this month and day on or after `today` (an annual deadline)."""
        if self.year is not None:
            stated = _real_day(self.year, self.month, self.day)
            if stated is not None and stated >= today:
                return stated
        for year in (today.year, today.year + 1):
            day = _real_day(year, self.month, self.day) or _real_day(year, self.month, self.day - 1)
            if day is not None and day >= today:
                return day
        raise AssertionError("unreachable: a valid month and day recurs within a year")


def _real_day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _stated(month: int, day: int, year: int | None) -> StatedDate | None:
    """A StatedDate when month/day could be a calendar day (Feb 29 allowed: leap years)."""
    if year is not None and year < 100:
        year += 2000
    if _real_day(2000, month, day) is None:  # 2000 is a leap year
        return None
    return StatedDate(month, day, year)


def stated_dates(text: str) -> tuple[StatedDate, ...]:
    """Every month-and-day the text names, in calendar order, without duplicates."""
    remaining = " ".join(text.upper().split())
    found: list[StatedDate | None] = []

    def take(pattern: re.Pattern[str], build: Callable[[re.Match[str]], StatedDate | None]) -> None:
        nonlocal remaining
        for match in pattern.finditer(remaining):
            found.append(build(match))
        remaining = pattern.sub(" ", remaining)  # a span is read by one pattern only

    take(_ISO, lambda m: _stated(int(m[2]), int(m[3]), int(m[1])))
    take(_NUMERIC, lambda m: _stated(int(m[1]), int(m[2]), int(m[3]) if m[3] else None))
    take(_MONTH_DAY, lambda m: _stated(_MONTHS[m[1][:3]], int(m[2]), int(m[3]) if m[3] else None))
    take(_DAY_MONTH, lambda m: _stated(_MONTHS[m[2][:3]], int(m[1]), int(m[3]) if m[3] else None))
    return tuple(sorted({d for d in found if d is not None}))


def next_deadline(text: str, today: date) -> date | None:
    """The next stated deadline on or after `today`, or None when the text states no date."""
    days = [d.on_or_after(today) for d in stated_dates(text)]
    return min(days) if days else None
