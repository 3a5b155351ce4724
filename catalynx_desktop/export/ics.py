"""iCalendar (RFC 5545) files that calendar apps import: one all-day VEVENT and one VTODO per entry.

Knows nothing of opportunities or tasks: callers hand it CalendarEntry values (see
export/deadline_calendar.py). UIDs are the caller's and must stay the same from one export to
the next, so importing a newer file updates the events instead of doubling them. The file is
written to a hidden temp file beside the target and renamed into place, so a failed export
never leaves half a calendar under the chosen name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event, Todo

PRODUCT_ID = "-//Catalynx Desktop//Deadlines//EN"


@dataclass(frozen=True)
class CalendarEntry:
    uid: str  # stable across exports, globally unique (e.g. "task-12.<database id>@catalynx-desktop")
    summary: str
    due: date
    description: str = ""
    categories: tuple[str, ...] = ()


def _event(entry: CalendarEntry, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{entry.uid}-event")
    event.add("dtstamp", stamp)
    event.add("dtstart", entry.due)  # a date: an all-day event
    event.add("dtend", entry.due + timedelta(days=1))
    event.add("summary", entry.summary)
    event.add("transp", "TRANSPARENT")  # a deadline does not make the day busy
    if entry.description:
        event.add("description", entry.description)
    if entry.categories:
        event.add("categories", list(entry.categories))
    return event


def _todo(entry: CalendarEntry, stamp: datetime) -> Todo:
    todo = Todo()
    todo.add("uid", f"{entry.uid}-todo")
    todo.add("dtstamp", stamp)
    todo.add("due", entry.due)
    todo.add("summary", entry.summary)
    todo.add("status", "NEEDS-ACTION")
    if entry.description:
        todo.add("description", entry.description)
    if entry.categories:
        todo.add("categories", list(entry.categories))
    return todo


def calendar_bytes(entries: Iterable[CalendarEntry], now: datetime | None = None) -> bytes:
    """The whole calendar as iCalendar text (UTF-8, CRLF lines, folded at 75 octets)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Catalynx deadlines")
    for entry in entries:
        calendar.add_component(_event(entry, stamp))
        calendar.add_component(_todo(entry, stamp))
    ical: bytes = calendar.to_ical()
    return ical


def write_ics(path: Path, entries: Iterable[CalendarEntry], now: datetime | None = None) -> int:
    """Write the calendar to `path` (replacing it only when complete). Returns the entries written."""
    listed = list(entries)
    data = calendar_bytes(listed, now)
    path = Path(path)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return len(listed)
