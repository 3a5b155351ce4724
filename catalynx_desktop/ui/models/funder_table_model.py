"""The Funders view's table and a funder's grants table: lazy, sorted in SQL, paged by key."""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

from catalynx_desktop.domain.funder_views import (
    FunderQuery,
    FunderRow,
    FunderSort,
    GrantQuery,
    GrantRow,
    GrantSort,
)
from catalynx_desktop.domain.giving import GrantKind
from catalynx_desktop.ui.async_tasks import TaskRunner
from catalynx_desktop.ui.models.keyset_table_model import Column, KeysetPages, KeysetTableModel


class FunderSource(Protocol):  # services.funders
    async def open_funders(self, query: FunderQuery, first_page: int) -> tuple[Any, list[FunderRow]]: ...

    async def open_grants(self, query: GrantQuery, first_page: int) -> tuple[Any, list[GrantRow]]: ...


def money(value: int | None) -> str:
    return "" if value is None else f"${value:,}"


def share(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def trend(value: float | None) -> str:
    if value is None:
        return "new"
    arrow = "▲" if value > 0.05 else "▼" if value < -0.05 else "▬"
    return f"{arrow} {value:+.0%}"


def accepts(value: bool | None) -> str:
    return {True: "yes", False: "no (preselected only)", None: "not stated"}[value]


FUNDER_COLUMNS: tuple[Column[FunderRow], ...] = (
    Column("Funder", lambda r: r.name, FunderSort.NAME.value),
    Column("City, state", lambda r: ", ".join(p for p in (r.city, r.state) if p)),
    Column("Year", lambda r: str(r.latest_tax_year or ""), align_right=True),
    Column("Grants paid", lambda r: money(r.latest_grants_paid), FunderSort.LATEST_GRANTS_PAID.value, True),
    Column("3-year trend", lambda r: trend(r.trend), FunderSort.TREND.value, True),
    Column("Grants", lambda r: f"{r.grant_count:,}", FunderSort.GRANT_COUNT.value, True),
    Column("Median grant", lambda r: money(r.median_grant), FunderSort.MEDIAN_GRANT.value, True),
    Column("To profile's state", lambda r: share(r.share_to_state), align_right=True),
    Column("To profile's field", lambda r: share(r.share_to_group), align_right=True),
    Column("Accepts applications", lambda r: accepts(r.accepts_applications)),
)

_KIND_WORDS = {GrantKind.PAID: "paid", GrantKind.FUTURE: "approved, future", GrantKind.SCHEDULE_I: "paid"}

GRANT_COLUMNS: tuple[Column[GrantRow], ...] = (
    Column("Year", lambda r: str(r.tax_year or ""), GrantSort.YEAR.value, True),
    Column(
        "Recipient",
        lambda r: " ".join(p for p in (r.recipient_name, r.recipient_name_line2) if p),
        GrantSort.RECIPIENT.value,
    ),
    Column("City, state", lambda r: ", ".join(p for p in (r.city, r.state) if p)),
    Column("Amount", lambda r: money(r.amount), GrantSort.AMOUNT.value, True),
    Column("Purpose", lambda r: r.purpose),
    Column("Kind", lambda r: _KIND_WORDS.get(r.kind, str(r.kind))),
    Column("Known organization", lambda r: "yes" if r.matched_org_id is not None else ""),
)


class FunderTableModel(KeysetTableModel[FunderRow, FunderQuery]):
    COLUMNS = FUNDER_COLUMNS

    def __init__(self, source: FunderSource, tasks: TaskRunner, parent: Any = None) -> None:
        super().__init__(tasks, parent)
        self._source = source

    async def _open_query(self, query: FunderQuery) -> tuple[KeysetPages[FunderRow], list[FunderRow]]:
        result: KeysetPages[FunderRow]
        result, rows = await self._source.open_funders(query, self.PAGE_SIZE)
        return result, rows

    def _sorted(self, query: FunderQuery, key: str, descending: bool) -> FunderQuery:
        return dataclasses.replace(query, sort=FunderSort(key), descending=descending)


class GrantTableModel(KeysetTableModel[GrantRow, GrantQuery]):
    COLUMNS = GRANT_COLUMNS

    def __init__(self, source: FunderSource, tasks: TaskRunner, parent: Any = None) -> None:
        super().__init__(tasks, parent)
        self._source = source

    async def _open_query(self, query: GrantQuery) -> tuple[KeysetPages[GrantRow], list[GrantRow]]:
        result: KeysetPages[GrantRow]
        result, rows = await self._source.open_grants(query, self.PAGE_SIZE)
        return result, rows

    def _sorted(self, query: GrantQuery, key: str, descending: bool) -> GrantQuery:
        return dataclasses.replace(query, sort=GrantSort(key), descending=descending)
