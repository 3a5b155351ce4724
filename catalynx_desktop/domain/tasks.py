"""Dated tasks on opportunities, and what the Deadlines view groups them by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from catalynx_desktop.domain.stages import Stage


class TaskKind(StrEnum):
    LETTER_OF_INQUIRY = "letter_of_inquiry"
    FULL_PROPOSAL = "full_proposal"
    REPORT_DUE = "report_due"
    FOLLOW_UP = "follow_up"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    TaskKind.LETTER_OF_INQUIRY: "Letter of inquiry",
    TaskKind.FULL_PROPOSAL: "Full proposal",
    TaskKind.REPORT_DUE: "Report due",
    TaskKind.FOLLOW_UP: "Follow-up",
    TaskKind.OTHER: "Other",
}


class TaskOrigin(StrEnum):
    """Who made the task: the user, or the app from a date a source states."""

    USER = "user"
    GRANTS_GOV_CLOSE_DATE = "grants_gov_close_date"
    IRS_990_DEADLINE = "irs_990_deadline"

    @property
    def label(self) -> str:
        return _ORIGIN_LABELS[self]


_ORIGIN_LABELS = {
    TaskOrigin.USER: "added by you",
    TaskOrigin.GRANTS_GOV_CLOSE_DATE: "Grants.gov close date",
    TaskOrigin.IRS_990_DEADLINE: "deadline stated in the funder's 990-PF",
}

# Automatic deadline tasks are kept for opportunities someone is working on: past Discover
# (a million discovered rows would bury the Deadlines view) and not yet submitted or closed.
WORKED_STAGES: tuple[Stage, ...] = (Stage.PLAN, Stage.ANALYZE, Stage.EXAMINE, Stage.APPROACH)
# The Deadlines view leaves out what nobody will work on any more; an award keeps its reports.
HIDDEN_FROM_DEADLINES: tuple[Stage, ...] = (Stage.DECLINED_BY_FUNDER, Stage.WITHDRAWN, Stage.DECLINED)


class DueBucket(StrEnum):
    OVERDUE = "overdue"
    THIS_WEEK = "this_week"
    THIS_MONTH = "this_month"
    LATER = "later"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


WEEK_DAYS = 7  # "this week": today and the six days after
MONTH_DAYS = 30  # "this month": the next 30 days


def due_bucket(due: date, today: date) -> DueBucket:
    if due < today:
        return DueBucket.OVERDUE
    if due < today + timedelta(days=WEEK_DAYS):
        return DueBucket.THIS_WEEK
    if due < today + timedelta(days=MONTH_DAYS):
        return DueBucket.THIS_MONTH
    return DueBucket.LATER


def deadlines_horizon(today: date) -> date:
    """The last day the Deadlines view lists (overdue, this week, this month)."""
    return today + timedelta(days=MONTH_DAYS - 1)


@dataclass(frozen=True)
class Task:
    id: int
    opportunity_id: int
    kind: TaskKind
    due_date: date
    done: bool = False
    note: str = ""
    origin: TaskOrigin = TaskOrigin.USER

    def summary(self) -> str:
        return f"{self.kind.label}: {self.note}" if self.note else self.kind.label


@dataclass(frozen=True)
class NewTask:
    """What the user enters; storage gives it an id."""

    kind: TaskKind
    due_date: date
    note: str = ""

    def validated(self) -> NewTask:
        return NewTask(TaskKind(self.kind), self.due_date, self.note.strip())


@dataclass(frozen=True)
class DeadlineItem:
    """One line of the Deadlines view: an open task with its opportunity and profile."""

    task: Task
    profile_id: int
    profile_name: str
    opportunity_title: str
    funder_name: str
    stage: Stage

    @property
    def key(self) -> tuple[str, int]:
        """The keyset position of this line (due date, task id)."""
        return (self.task.due_date.isoformat(), self.task.id)


@dataclass(frozen=True)
class DeadlinePage:
    items: list[DeadlineItem]
    next_after: tuple[str, int] | None  # pass back to read the following page; None at the end
