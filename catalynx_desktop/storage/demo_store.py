"""Bulk-load generated demo data in one transaction with executemany batches.

The rows come from a DemoData (workflows/demo/generator.py makes them) in the column order below.

For large loads the opportunity sort indexes are dropped first and rebuilt at the end: building
an index by sorting once is several times faster than keeping thirteen B-trees up to date row
by row. The schema's own index statements are reused so nothing can drift.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Protocol

from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.storage.record_search import index_records_after
from catalynx_desktop.storage.schema_v1 import SORT_INDEX_STATEMENTS
from catalynx_desktop.storage.stage_counts import recount_stage_counts

FUNDER_COLUMNS = (
    "source",
    "source_id",
    "kind",
    "name",
    "funder_name",
    "ein",
    "city",
    "state",
    "ntee_code",
    "subsection",
    "foundation_code",
    "is_grant_maker",
    "award_floor",
    "award_ceiling",
    "total_funding",
    "assets",
    "income",
    "post_date",
    "close_date",
    "status",
    "eligible_applicants",
    "opportunity_number",
    "description",
)
OPPORTUNITY_COLUMNS = (
    "profile_id",
    "source_record_id",
    "source",
    "source_id",
    "title",
    "funder_name",
    "state",
    "stage",
    "stage_rank",
    "score",
    "score_breakdown",
    "amount",
    "close_date",
    "discovered_at",
)


class DemoData(Protocol):
    def profiles(self) -> list[Profile]: ...

    def batches(
        self, first_funder_id: int, profiles: list[Profile]
    ) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """(funder rows, id first then FUNDER_COLUMNS; opportunity rows, OPPORTUNITY_COLUMNS)."""
        ...


# Rebuild the sort indexes when the load is large and adds more rows than are already there.
REBUILD_INDEXES_ABOVE = 20_000

ProgressCallback = Callable[[int, int], None]  # (opportunities written, total)


class DemoDataPresent(Exception):
    """The database holds demo data already: a data directory holds one demo (its funders have
    fixed ids, a second load would repeat them). Raised before anything is written."""

    def __init__(self, funders: int) -> None:
        super().__init__(
            f"This data directory has demo data already ({funders:,} demo funders); nothing was added."
        )
        self.funders = funders


@dataclass(frozen=True)
class DemoResult:
    profile_ids: list[int]
    funders: int
    opportunities: int


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _index_name(statement: str) -> str:
    return statement.split()[2]


def _insert_profile(conn: sqlite3.Connection, profile: Profile) -> int:
    cursor = conn.execute(
        "INSERT INTO profiles (name, ein, ntee_code, target_ntee_codes, focus_areas, keywords, states, "
        "nationwide, min_amount, max_amount, annual_revenue, status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            profile.name,
            profile.ein,
            profile.ntee_code,
            json.dumps(list(profile.target_ntee_codes)),
            json.dumps(list(profile.focus_areas)),
            json.dumps(list(profile.keywords)),
            json.dumps(list(profile.states)),
            int(profile.nationwide),
            profile.min_amount,
            profile.max_amount,
            profile.annual_revenue,
            profile.status.value,
        ),
    )
    return int(cursor.lastrowid or 0)


def write_demo(
    conn: sqlite3.Connection,
    generator: DemoData,
    total: int,
    progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> DemoResult:
    """Insert demo data: `total` opportunities from `generator`. The caller owns the transaction
    (Database.write or an explicit BEGIN). Raises DemoDataPresent if demo data is there already."""
    present = int(conn.execute("SELECT count(*) FROM source_records WHERE source = 'demo'").fetchone()[0])
    if present:
        raise DemoDataPresent(present)
    profiles = [replace(profile, id=_insert_profile(conn, profile)) for profile in generator.profiles()]
    profile_ids = [int(p.id or 0) for p in profiles]
    first_funder_id = int(conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM source_records").fetchone()[0])
    existing = int(conn.execute("SELECT COUNT(*) FROM opportunities").fetchone()[0])
    rebuild = total > max(REBUILD_INDEXES_ABOVE, existing)
    if rebuild:
        for statement in SORT_INDEX_STATEMENTS:
            conn.execute(f"DROP INDEX IF EXISTS {_index_name(statement)}")
    funder_sql = _insert_sql("source_records", ("id", *FUNDER_COLUMNS))
    opportunity_sql = _insert_sql("opportunities", OPPORTUNITY_COLUMNS)
    history_sql = (
        "INSERT INTO stage_history (opportunity_id, from_stage, to_stage, reason, moved_by) "
        "SELECT id, 'discover', stage, 'demo data', 'demo' FROM opportunities "
        "WHERE id > ? AND stage != 'discover'"
    )
    funders = written = 0
    for funder_rows, opportunity_rows in generator.batches(first_funder_id, profiles):
        if should_stop():
            raise InterruptedError("demo load cancelled")
        last_id = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM opportunities").fetchone()[0])
        last_record = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM source_records").fetchone()[0])
        conn.executemany(funder_sql, funder_rows)
        index_records_after(conn, last_record)
        conn.executemany(opportunity_sql, opportunity_rows)
        conn.execute(history_sql, (last_id,))
        funders += len(funder_rows)
        written += len(opportunity_rows)
        if progress:
            progress(written, total)
    if rebuild:
        for statement in SORT_INDEX_STATEMENTS:
            conn.execute(statement)
    recount_stage_counts(conn, profile_ids)
    return DemoResult(profile_ids, funders, written)
