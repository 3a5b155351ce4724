"""The opportunities a user chose to export, in the order they are to be written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from catalynx_desktop.domain.query import OpportunityQuery


@dataclass(frozen=True)
class ExportSelection:
    """Selected opportunities. With `query`, rows come in that view's sort order (as on screen);
    without it, in the order of `ids`. Ids that no longer exist are skipped (and counted)."""

    ids: tuple[int, ...]
    query: OpportunityQuery | None = None

    @classmethod
    def of(cls, ids: Sequence[int], query: OpportunityQuery | None = None) -> ExportSelection:
        return cls(tuple(dict.fromkeys(int(i) for i in ids)), query)  # de-duplicated, order kept
