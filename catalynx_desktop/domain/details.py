"""Everything the details pane shows about one opportunity, and what the user can edit on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from catalynx_desktop.domain.record_facts import RecordFacts
from catalynx_desktop.domain.records import OpportunityRow
from catalynx_desktop.domain.scoring import ScoreResult
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.domain.validation import MAX_NOTES, bounded, bounded_list


class Priority(StrEnum):
    NONE = ""
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class Annotations:
    """The user's own notes on an opportunity (never touched by imports or rescoring)."""

    notes: str = ""
    rating: int | None = None  # 1..5
    priority: Priority = Priority.NONE
    tags: tuple[str, ...] = ()

    def validated(self) -> Annotations:
        if self.rating is not None and not 1 <= self.rating <= 5:
            raise ValueError("Rating must be between 1 and 5")
        bounded(self.notes, MAX_NOTES, "Notes")
        tags = bounded_list(tuple(dict.fromkeys(t.strip().lower() for t in self.tags if t.strip())), "Tags")
        return Annotations(self.notes, self.rating, Priority(self.priority), tags)


@dataclass(frozen=True)
class StageChange:
    from_stage: Stage | None
    to_stage: Stage
    reason: str
    moved_by: str
    moved_at: str  # ISO timestamp, UTC

    @property
    def moved_at_local(self) -> str:
        try:
            moment = datetime.fromisoformat(self.moved_at.replace("Z", "+00:00")).astimezone()
        except ValueError:
            return self.moved_at
        return moment.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class OpportunityDetails:
    row: OpportunityRow
    annotations: Annotations
    score: ScoreResult
    history: tuple[StageChange, ...]
    source_id: str = ""
    record: dict[str, Any] = field(default_factory=dict)  # the funder / federal record's fields
    facts: RecordFacts = field(
        default_factory=RecordFacts
    )  # the record in words, with its links (what the pane lists)
