"""Funders from the IRS 990 data as the UI and the command line see them: the Funders view's
queries, one funder's grants and page, funders of organizations like a profile, the JSON
summary, and "Add to pipeline"."""

from __future__ import annotations

import asyncio
import csv
from functools import partial
from pathlib import Path
from typing import Any, TextIO

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
from catalynx_desktop.storage.funder_pipeline import PipelineAdd, add_funder_to_pipeline, funder_id_of_record
from catalynx_desktop.storage.funder_repository import FunderRepository, KeysetResult

EXPORT_PAGE = 2000
EXPORT_COLUMNS = (
    "ein",
    "name",
    "city",
    "state",
    "latest_tax_year",
    "latest_grants_paid",
    "trend",
    "grant_count",
    "median_grant",
    "accepts_applications",
    "share_to_state",
    "share_to_group",
)


def _cell(value: Any) -> Any:
    """Spreadsheet formulas neutralized (a name starting with = is text, not a formula)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _write_rows(stream: TextIO, rows: list[FunderRow]) -> None:
    writer = csv.writer(stream)
    writer.writerows([[_cell(getattr(row, c)) for c in EXPORT_COLUMNS] for row in rows])


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

    async def funder_of_record(self, record_id: int) -> int | None:
        """The funder a grant's matched recipient is, if it is one (its page opens from the grant)."""
        return await self._db.read(partial(funder_id_of_record, record_id=record_id))

    async def export_csv(self, query: FunderQuery, path: Path) -> int:
        """Every row of the Funders view's query to a CSV (UTF-8 with BOM), read page by page in
        constant memory; returns the rows written."""
        result, rows = await self.open_funders(query, EXPORT_PAGE)
        stream = await asyncio.to_thread(path.open, "w", encoding="utf-8-sig", newline="")
        try:
            await asyncio.to_thread(csv.writer(stream).writerow, EXPORT_COLUMNS)
            written = 0
            while rows:
                await asyncio.to_thread(_write_rows, stream, rows)
                written += len(rows)
                rows = await result.page(written, EXPORT_PAGE) if written < result.total else []
        finally:
            await asyncio.to_thread(stream.close)
        return written
