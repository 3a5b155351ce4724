"""Open tasks as calendar entries: what the iCalendar export of the Deadlines view writes."""

from __future__ import annotations

from collections.abc import Iterable

from catalynx_desktop.domain.tasks import DeadlineItem
from catalynx_desktop.export.ics import CalendarEntry


def task_uid(task_id: int, database_id: str) -> str:
    """Stable per task and per database: re-exporting updates the same calendar events."""
    return f"catalynx-task-{int(task_id)}.{database_id}@catalynx-desktop"


def entry_for(item: DeadlineItem, database_id: str) -> CalendarEntry:
    task = item.task
    funder = item.funder_name or item.opportunity_title
    summary = f"{task.kind.label}: {funder} ({item.profile_name})"
    lines = [
        f"Opportunity: {item.opportunity_title}",
        f"Funder: {item.funder_name}" if item.funder_name else "",
        f"Profile: {item.profile_name}",
        f"Stage: {item.stage.label}",
        f"Task: {task.kind.label} ({task.origin.label})",
        f"Note: {task.note}" if task.note else "",
    ]
    return CalendarEntry(
        uid=task_uid(task.id, database_id),
        summary=summary,
        due=task.due_date,
        description="\n".join(line for line in lines if line),
        categories=("Catalynx", task.kind.label),
    )


def calendar_entries(items: Iterable[DeadlineItem], database_id: str) -> list[CalendarEntry]:
    return [entry_for(item, database_id) for item in items if not item.task.done]
