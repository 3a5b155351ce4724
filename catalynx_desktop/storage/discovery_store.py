"""SQL for Discover and Rescore: chunk boundaries, chunk reads for scoring workers, batched upserts.

Reads for scoring run in worker processes on their own read-only connections (see
workflows/scoring_worker.py): the rows never pass through the UI process. Writes go back
through `Database.write` (the single writer) as one transaction per batch:
- Discover upserts on the (profile_id, source, source_id) unique key. An existing opportunity
  keeps its stage, notes, rating, tags, priority, discovery date and history: only the score,
  its breakdown and the denormalized display columns change, and only when they differ. New
  rows get stage 'discover' (rank 0, the column defaults) and one 'discovered' history row.
- Rescore updates score and breakdown only.
- profile_stage_counts is kept exact by adding each batch's new rows (all in 'discover').
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalynx_desktop.domain.matching import FUNDER_COLUMNS
from catalynx_desktop.domain.stages import Stage, stage_rank
from catalynx_desktop.storage.sqlite_uri import read_only_uri

DISCOVERED_REASON = "discovered"
DISCOVERED_BY = "Discover workflow"

# Where each FunderMatcher column comes from: a source_records column of the same name (or the
# first of its aliases) when the table has it, else the fallback. The BMF columns the funder
# rules read beyond SCORING_COLUMNS (activity, deductibility, status, sort name) become real
# columns in a later schema; until then they read as '' and the rules fall back. Adding a
# column later is one line here.
COLUMN_SOURCES: dict[str, tuple[tuple[str, ...], str]] = {
    "activity": (("activity", "bmf_activity"), "''"),
    "deductibility": (("deductibility", "bmf_deductibility"), "''"),
    "bmf_status": (("exempt_status", "bmf_status"), "''"),  # schema v4 keeps the BMF STATUS as exempt_status
    "sort_name": (("sort_name",), "''"),
}


def funder_select(conn: sqlite3.Connection, alias: str = "sr") -> str:
    """The SELECT list of FUNDER_COLUMNS over source_records (names from our own tuple and the
    table's own column list: nothing from input reaches the SQL)."""
    present = {row[1] for row in conn.execute("PRAGMA table_info(source_records)")}
    parts: list[str] = []
    for column in FUNDER_COLUMNS:
        names, fallback = COLUMN_SOURCES.get(column, ((column,), "NULL"))
        found = next((n for n in names if n in present), None)
        parts.append(f"{alias}.{found}" if found else fallback)
    return ", ".join(parts)


def discovery_chunk_sql(select: str) -> str:
    """Rows: (source_record_id, source, source_id, funder_name, *FUNDER_COLUMNS, existing_opp_id,
    *the existing opportunity's _UPDATABLE columns) (see EXISTING_AT, unchanged)."""
    existing = ", ".join(f"o.{c}" for c in _UPDATABLE)
    return f"""
    SELECT sr.id, sr.source, sr.source_id, sr.funder_name, {select}, o.id, {existing}
    FROM source_records AS sr
    LEFT JOIN opportunities AS o
           ON o.profile_id = ? AND o.source = sr.source AND o.source_id = sr.source_id
    WHERE sr.id >= ? AND sr.id <= ?
    ORDER BY sr.id
    """


CHUNK_PREFIX = 4  # columns before the funder columns in a discovery chunk row
EXISTING_AT = CHUNK_PREFIX + len(FUNDER_COLUMNS)  # the existing opportunity's id, then its _UPDATABLE


def rescore_chunk_sql(select: str) -> str:
    """Rows: (opportunity_id, source_record_found, source_id, *FUNDER_COLUMNS)."""
    return f"""
    SELECT o.id, sr.id IS NOT NULL, o.source_id, {select}
    FROM opportunities AS o
    LEFT JOIN source_records AS sr ON sr.source = o.source AND sr.source_id = o.source_id
    WHERE o.id >= ? AND o.id <= ? AND o.profile_id = ?
    ORDER BY o.id
    """


RESCORE_PREFIX = 3  # columns before the funder columns in a rescore chunk row

# The columns an upsert row carries, in this order (workers build rows in this shape).
UPSERT_COLUMNS: tuple[str, ...] = (
    "profile_id",
    "source_record_id",
    "source",
    "source_id",
    "title",
    "funder_name",
    "state",
    "score",
    "score_breakdown",
    "amount",
    "close_date",
    "discovered_at",
)
_UPDATABLE = (
    "source_record_id",
    "title",
    "funder_name",
    "state",
    "score",
    "score_breakdown",
    "amount",
    "close_date",
)
UPSERT_SQL = f"""
    INSERT INTO opportunities ({", ".join(UPSERT_COLUMNS)})
    VALUES ({", ".join("?" for _ in UPSERT_COLUMNS)})
    ON CONFLICT (profile_id, source, source_id) DO UPDATE SET
        {", ".join(f"{c} = excluded.{c}" for c in _UPDATABLE)},
        updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE {" OR ".join(f"opportunities.{c} IS NOT excluded.{c}" for c in _UPDATABLE)}
"""
_UPDATABLE_AT = tuple(UPSERT_COLUMNS.index(c) for c in _UPDATABLE)


def unchanged(upsert_row: Sequence[Any], chunk_row: Sequence[Any]) -> bool:
    """Whether upserting `upsert_row` would change nothing in the existing opportunity that
    `chunk_row` (a discovery chunk row) carries: every _UPDATABLE value equal (Python equality
    of what SQLite stored; where it differs from IS NOT it only says "changed", and the upsert's
    own WHERE then leaves the row alone). Workers leave such rows out, so a re-run of Discover
    sends the UI process, and writes, only what changed."""
    if chunk_row[EXISTING_AT] is None:
        return False
    stored = chunk_row[EXISTING_AT + 1 : EXISTING_AT + 1 + len(_UPDATABLE)]
    return all(upsert_row[i] == old for i, old in zip(_UPDATABLE_AT, stored, strict=True))


# Rows: (score, breakdown, id, score, breakdown)
RESCORE_SQL = """
    UPDATE opportunities
    SET score = ?, score_breakdown = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = ? AND (score IS NOT ? OR score_breakdown IS NOT ?)
"""


@dataclass(frozen=True)
class UpsertResult:
    created: int
    updated: int  # existing rows whose score or display columns changed
    unchanged: int


def open_worker_reader(path: str | Path) -> sqlite3.Connection:
    """A read-only connection for a scoring worker process (WAL: reads never block the writer)."""
    conn = sqlite3.connect(read_only_uri(path), uri=True, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA cache_size = -16000")
    return conn


def source_record_chunks(conn: sqlite3.Connection, chunk_size: int) -> tuple[int, list[tuple[int, int]]]:
    """(number of source records, inclusive id ranges of `chunk_size` records each).

    Walks the primary key with LIMIT 1 OFFSET n so SQLite skips the ids in C: no million
    Python objects on the reader thread (which would compete for the GIL with the UI).
    """
    bounds: list[tuple[int, int]] = []
    row = conn.execute("SELECT min(id), max(id), count(*) FROM source_records").fetchone()
    first, last, total = row
    lo = first
    while lo is not None:
        hi_row = conn.execute(
            "SELECT id FROM source_records WHERE id >= ? ORDER BY id LIMIT 1 OFFSET ?", (lo, chunk_size - 1)
        ).fetchone()
        hi = hi_row[0] if hi_row else last
        bounds.append((lo, hi))
        next_row = conn.execute(
            "SELECT id FROM source_records WHERE id > ? ORDER BY id LIMIT 1", (hi,)
        ).fetchone()
        lo = next_row[0] if next_row else None
    return int(total), bounds


def opportunity_chunks(
    conn: sqlite3.Connection, profile_id: int, chunk_size: int
) -> tuple[int, list[tuple[int, int]]]:
    """(number of the profile's opportunities, id ranges of ~chunk_size of them each)."""
    ids = sorted(
        r[0] for r in conn.execute("SELECT id FROM opportunities WHERE profile_id = ?", (profile_id,))
    )
    bounds = [(ids[i], ids[min(i + chunk_size, len(ids)) - 1]) for i in range(0, len(ids), chunk_size)]
    return len(ids), bounds


def read_discovery_chunk(
    conn: sqlite3.Connection, sql: str, profile_id: int, lo: int, hi: int
) -> list[tuple[Any, ...]]:
    """`sql` from discovery_chunk_sql (built once per worker)."""
    return conn.execute(sql, (profile_id, lo, hi)).fetchall()


def read_rescore_chunk(
    conn: sqlite3.Connection, sql: str, profile_id: int, lo: int, hi: int
) -> list[tuple[Any, ...]]:
    """`sql` from rescore_chunk_sql (built once per worker)."""
    return conn.execute(sql, (lo, hi, profile_id)).fetchall()


NOT_A_FUNDER_REASON = "not a funder: a public charity with no grantmaking"
OWN_ORGANIZATION_REASON = "not a funder: your own organization"
NOT_A_FUNDER_BY = "scoring"


def decline_not_funders(conn: sqlite3.Connection, declines: Sequence[tuple[int, str]]) -> int:
    """Move opportunities that are not funders (peers, excluded, the profile's own organization)
    to declined, with a history row saying why; nothing the user wrote is lost and they leave the
    pipeline. `declines`: (opportunity id, reason). The stage trigger keeps profile_stage_counts
    exact. Returns rows moved."""
    moved = 0
    for opportunity_id, reason in declines:
        row = conn.execute(
            "SELECT stage FROM opportunities WHERE id = ? AND stage != ?",
            (opportunity_id, Stage.DECLINED.value),
        ).fetchone()
        if row is None:
            continue
        conn.execute(
            "UPDATE opportunities SET stage = ?, stage_rank = ?, "
            "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
            (Stage.DECLINED.value, stage_rank(Stage.DECLINED), opportunity_id),
        )
        conn.execute(
            "INSERT INTO stage_history (opportunity_id, from_stage, to_stage, reason, moved_by) "
            "VALUES (?, ?, ?, ?, ?)",
            (opportunity_id, row[0], Stage.DECLINED.value, reason, NOT_A_FUNDER_BY),
        )
        moved += 1
    return moved


def upsert_opportunities(conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> UpsertResult:
    """Create or update a batch (inside the caller's transaction); new rows get a 'discovered' history row.

    New rows are found as ids above the table's max id before the batch: INTEGER PRIMARY KEY
    assigns max+1, and the single writer means nobody else inserts during the transaction.
    """
    if not rows:
        return UpsertResult(0, 0, 0)
    max_before = conn.execute("SELECT COALESCE(MAX(id), 0) FROM opportunities").fetchone()[0]
    changed = conn.executemany(UPSERT_SQL, rows).rowcount  # inserted + updated (not trigger rows)
    created = conn.execute(
        "INSERT INTO stage_history (opportunity_id, from_stage, to_stage, reason, moved_by) "
        "SELECT id, NULL, ?, ?, ? FROM opportunities WHERE id > ?",
        (Stage.DISCOVER.value, DISCOVERED_REASON, DISCOVERED_BY, max_before),
    ).rowcount
    if created:
        # profile_stage_counts has no insert trigger (it slowed bulk inserts ~5x, see schema_v1);
        # every new row is in stage 'discover' of this batch's profile(s), so add them directly:
        # O(1) per batch, where a full recount would re-read the profile's index every batch.
        conn.execute(
            "INSERT INTO profile_stage_counts (profile_id, stage, n) "
            "SELECT profile_id, ?, count(*) FROM opportunities WHERE id > ? GROUP BY profile_id "
            "ON CONFLICT (profile_id, stage) DO UPDATE SET n = n + excluded.n",
            (Stage.DISCOVER.value, max_before),
        )
    updated = max(0, changed - created)
    return UpsertResult(created, updated, len(rows) - created - updated)


def update_scores(conn: sqlite3.Connection, rows: Sequence[tuple[float, str, int, float, str]]) -> int:
    """Rescore a batch: rows of (score, breakdown, id, score, breakdown). Returns rows changed."""
    if not rows:
        return 0
    return conn.executemany(RESCORE_SQL, rows).rowcount
