"""What the opportunity table asks for: a profile, filters and a sort, as plain values (no SQL)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from catalynx_desktop.domain.stages import Stage


class SortKey(StrEnum):
    SCORE = "score"
    STAGE = "stage"
    CLOSE_DATE = "close_date"
    AMOUNT = "amount"
    TITLE = "title"
    FUNDER = "funder"
    DISCOVERED = "discovered"


@dataclass(frozen=True)
class OpportunityQuery:
    profile_id: int
    stage: Stage | None = None
    sort: SortKey = SortKey.SCORE
    descending: bool = True
    search: str = ""  # free text: every word must appear in the funder's record (prefix match)

    def with_sort(self, sort: SortKey, descending: bool) -> OpportunityQuery:
        return replace(self, sort=sort, descending=descending)

    def with_stage(self, stage: Stage | None) -> OpportunityQuery:
        return replace(self, stage=stage)

    def with_search(self, text: str) -> OpportunityQuery:
        return replace(self, search=text.strip())
