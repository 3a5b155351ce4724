"""Funders from the IRS 990 data as the UI and the command line see them: the Funders view's
queries, one funder's grants and page, funders of organizations like a profile, the JSON
summary, and "Add to pipeline"."""

from __future__ import annotations

from functools import partial
from typing import Any

from catalynx_desktop.domain.funder_views import (
    FunderDetail,
    FunderQuery,
    FunderRow,
    GrantQuery,
    GrantRow,
    LikeMineFunder,
    LikeProfile,
)
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.funder_pipeline import PipelineAdd, add_funder_to_pipeline
from catalynx_desktop.storage.funder_repository import FunderRepository, KeysetResult


def normalize_ein(text: str) -> str | None:
    """'04-6662754', '46662754', ' 046662754 ' -> '046662754'; None if not up to 9 digits."""
    digits = text.strip().replace("-", "")
    if not digits.isdigit() or not digits.isascii() or len(digits) > 9:
        return None
    return digits.zfill(9)


class Funders:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._repository = FunderRepository(db)

    async def open_funders(
        self, query: FunderQuery, first_page: int
    ) -> tuple[KeysetResult[FunderRow], list[FunderRow]]:
        return await self._repository.open_funders(query, first_page)

    async def open_grants(
        self, query: GrantQuery, first_page: int
    ) -> tuple[KeysetResult[GrantRow], list[GrantRow]]:
        return await self._repository.open_grants(query, first_page)

    async def detail(self, funder_id: int) -> FunderDetail | None:
        return await self._repository.detail(funder_id)

    async def funder_id(self, ein: str) -> int | None:
        return await self._repository.funder_id(ein)

    async def like_mine(
        self, like: LikeProfile, limit: int = 25, per_funder: int = 3
    ) -> list[LikeMineFunder]:
        return await self._repository.like_mine(like, limit, per_funder)

    async def summary(self, ein: str) -> dict[str, Any] | None:
        """The `funder EIN --json` object; None when no return of this EIN is stored."""
        return await self._repository.funder_summary(ein)

    async def add_to_pipeline(self, profile_id: int, ein: str) -> PipelineAdd | None:
        """Make the funder an opportunity of the profile (see storage/funder_pipeline.py)."""
        return await self._db.write(partial(add_funder_to_pipeline, profile_id=profile_id, ein=ein))
