"""What the opportunity table asks for: a profile, filters and a sort, as plain values (no SQL)."""

from __future__ import annotations

from dataclasses import dataclass
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

    def with_sort(self, sort: SortKey, descending: bool) -> OpportunityQuery:
        return OpportunityQuery(self.profile_id, self.stage, sort, descending)

    def with_stage(self, stage: Stage | None) -> OpportunityQuery:
        return OpportunityQuery(self.profile_id, stage, self.sort, self.descending)
