"""Where a reader of the run history is: the keyset position the history pages by."""

from __future__ import annotations

from dataclasses import dataclass

from catalynx_desktop.domain.runs import RunRecord, iso


@dataclass(frozen=True)
class HistoryCursor:
    """Keyset position in the newest-first history: the (created_at, id) of the last row shown."""

    created_at: str
    id: int

    @classmethod
    def after(cls, run: RunRecord) -> HistoryCursor:
        return cls(iso(run.created_at) or "", run.id)
