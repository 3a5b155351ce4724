"""Funders and their grants for the views: open a query, read it page by page; a funder's page;
"funders of organizations like mine"; the JSON summary of one funder.

Every call is one hop to a read connection (storage/database.Database.read). Results keep the
keys they have seen (storage/paging.KeyMap) so a later page is a keyset seek from the nearest
one, like OpportunityResult.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from catalynx_desktop.domain.funder_views import (
    FunderDetail,
    FunderQuery,
    FunderRow,
    GrantQuery,
    GrantRow,
    LikeMineFunder,
    LikeProfile,
)
from catalynx_desktop.storage import funder_details
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.funder_queries import (
    compile_funder_query,
    compile_grant_query,
    count_funders,
    count_grants,
    funder_row,
    grant_row,
    is_large_funder,
)
from catalynx_desktop.storage.keyset import KeysetQuery, read_keyset_page, sample_keyset
from catalynx_desktop.storage.paging import Key, KeyMap, Seek

RowT = TypeVar("RowT")

# A seek that skips more index entries than this asks for a position map (as for opportunities).
FAR_SKIP = 20_000


class KeysetResult(Generic[RowT]):
    """One opened query: its row count and the keys seen so far, to read any page by key."""

    def __init__(
        self, db: Database, compiled: KeysetQuery, total: int, make_row: Callable[[tuple[Any, ...]], RowT]
    ) -> None:
        self._db = db
        self._compiled = compiled
        self._make_row = make_row
        self.total = total
        self._keys = KeyMap()
        self.wants_position_map = False

    def _remember(self, start: int, page: tuple[list[tuple[Any, ...]], list[Key]]) -> list[RowT]:
        values, keys = page
        self._keys.add_page(start, keys)
        return [self._make_row(v) for v in values]

    async def page(self, start: int, limit: int) -> list[RowT]:
        """Rows [start, start + limit): one hop, seeking from the nearest known key."""
        seek = self._keys.seek(start, limit, self.total)
        if seek.limit <= 0:
            return []
        if seek.skip > FAR_SKIP:
            self.wants_position_map = True
        compiled = self._compiled
        page = await self._db.read(lambda conn: read_keyset_page(conn, compiled, seek))
        return self._remember(start, page)

    async def build_position_map(
        self, every: int, is_stale: Callable[[], bool], steps_per_hop: int = 64
    ) -> None:
        """Sample every `every`-th key on the background reader, so jumps are short seeks."""
        if self.total <= FAR_SKIP:
            return
        compiled = self._compiled
        last: tuple[int, Key] | None = None
        while not is_stale():
            found = await self._db.read(
                functools.partial(_sample, compiled, last, every, steps_per_hop), background=True
            )
            for position, key in found:
                self._keys.add(position, key)
            if len(found) < steps_per_hop + (1 if last is None else 0):
                return
            last = found[-1]


def _sample(
    compiled: KeysetQuery, after: tuple[int, Key] | None, every: int, steps: int, conn: sqlite3.Connection
) -> list[tuple[int, Key]]:
    return sample_keyset(conn, compiled, after, every, steps)


async def _open(
    db: Database,
    compile_in_snapshot: Callable[[sqlite3.Connection], KeysetQuery],
    count: Callable[[sqlite3.Connection], int],
    make_row: Callable[[tuple[Any, ...]], RowT],
    first_page: int,
) -> tuple[KeysetResult[RowT], list[RowT]]:
    def read(conn: sqlite3.Connection) -> tuple[KeysetQuery, int, tuple[list[tuple[Any, ...]], list[Key]]]:
        conn.execute("BEGIN")  # the plan, the count and the first rows from one snapshot
        try:
            compiled = compile_in_snapshot(conn)
            total = count(conn)
            return (
                compiled,
                total,
                read_keyset_page(conn, compiled, Seek(True, None, 0, min(first_page, total))),
            )
        finally:
            conn.execute("COMMIT")

    compiled, total, page = await db.read(read)
    result = KeysetResult(db, compiled, total, make_row)
    return result, result._remember(0, page)


class FunderRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def open_funders(
        self, query: FunderQuery, first_page: int
    ) -> tuple[KeysetResult[FunderRow], list[FunderRow]]:
        """The Funders view: count and first page in one hop. ValueError for a bad state/group."""
        compiled = compile_funder_query(query)
        shares = (query.profile_state, query.profile_group)
        return await _open(
            self._db,
            lambda conn: compiled,
            lambda conn: count_funders(conn, compiled),
            lambda values: funder_row(values, shares),
            first_page,
        )

    async def open_grants(
        self, query: GrantQuery, first_page: int
    ) -> tuple[KeysetResult[GrantRow], list[GrantRow]]:
        """One funder's grants of its counting returns, in the asked order."""
        return await _open(
            self._db,
            lambda conn: compile_grant_query(query, is_large_funder(conn, query.funder_id)),
            lambda conn: count_grants(conn, query.funder_id),
            grant_row,
            first_page,
        )

    async def detail(self, funder_id: int) -> FunderDetail | None:
        return await self._db.read(lambda conn: funder_details.funder_detail(conn, funder_id))

    async def funder_id(self, ein: str) -> int | None:
        return await self._db.read(lambda conn: funder_details.funder_id_by_ein(conn, ein))

    async def like_mine(
        self, like: LikeProfile, limit: int = 25, per_funder: int = 3
    ) -> list[LikeMineFunder]:
        """Funders ranked by their grants to organizations like the profile, with evidence."""
        return await self._db.read(lambda conn: funder_details.like_mine(conn, like, limit, per_funder))

    async def funder_summary(self, ein: str) -> dict[str, Any] | None:
        """The `funder EIN --json` object (see funder_details.funder_summary)."""
        return await self._db.read(lambda conn: funder_details.funder_summary(conn, ein))
