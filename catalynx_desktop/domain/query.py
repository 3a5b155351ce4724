"""What the opportunity table asks for: a profile, filters and a sort, as plain values (no SQL)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from catalynx_desktop.domain.labels import source_name
from catalynx_desktop.domain.ntee import MAJOR_GROUPS
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
class OpportunityFilters:
    """Narrowing beyond the stage tab; every field None/empty means "any"."""

    min_amount: int | None = None
    max_amount: int | None = None
    closes_within_days: int | None = None  # open and closing in the next N days
    min_score: float | None = None
    max_score: float | None = None
    states: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    ntee_groups: tuple[str, ...] = ()  # NTEE major-group letters of the funder record
    priorities: tuple[str, ...] = ()
    tag: str = ""

    def is_empty(self) -> bool:
        return self == OpportunityFilters()

    def chips(self) -> list[tuple[str, str]]:
        """(field, label) for each active filter, as the filter bar shows them."""
        chips = []
        if self.min_amount is not None or self.max_amount is not None:
            low = f"${self.min_amount:,}" if self.min_amount is not None else "any"
            high = f"${self.max_amount:,}" if self.max_amount is not None else "any"
            chips.append(("amount", f"Amount {low} – {high}"))
        if self.closes_within_days is not None:
            chips.append(("closes_within_days", f"Closes in {self.closes_within_days} days"))
        if self.min_score is not None or self.max_score is not None:
            chips.append(
                (
                    "score",
                    f"Score {self.min_score or 0:.2f} – {self.max_score if self.max_score is not None else 1:.2f}",
                )
            )
        if self.states:
            chips.append(("states", "State " + ", ".join(self.states)))
        if self.sources:
            chips.append(("sources", "Source: " + ", ".join(source_name(s) for s in self.sources)))
        if self.ntee_groups:
            chips.append(
                ("ntee_groups", "Field: " + ", ".join(MAJOR_GROUPS.get(g, g) for g in self.ntee_groups))
            )
        if self.priorities:
            chips.append(("priorities", "Priority " + ", ".join(p or "none" for p in self.priorities)))
        if self.tag:
            chips.append(("tag", f"Tag {self.tag}"))
        return chips

    def without(self, field: str) -> OpportunityFilters:
        """These filters with one chip removed."""
        if field == "amount":
            return replace(self, min_amount=None, max_amount=None)
        if field == "score":
            return replace(self, min_score=None, max_score=None)
        return replace(self, **{field: getattr(_NO_FILTERS, field)})


_NO_FILTERS = OpportunityFilters()


@dataclass(frozen=True)
class OpportunityQuery:
    profile_id: int
    stage: Stage | None = None
    sort: SortKey = SortKey.SCORE
    descending: bool = True
    search: str = ""  # free text: every word must appear in the funder's record (prefix match)
    filters: OpportunityFilters = OpportunityFilters()

    @property
    def materialized(self) -> bool:
        """Searches and filters are collected once in sort order (see storage/opportunity_search)."""
        return bool(self.search.strip()) or not self.filters.is_empty()

    def with_sort(self, sort: SortKey, descending: bool) -> OpportunityQuery:
        return replace(self, sort=sort, descending=descending)

    def with_stage(self, stage: Stage | None) -> OpportunityQuery:
        return replace(self, stage=stage)

    def with_search(self, text: str) -> OpportunityQuery:
        return replace(self, search=text.strip())

    def with_filters(self, filters: OpportunityFilters) -> OpportunityQuery:
        return replace(self, filters=filters)
