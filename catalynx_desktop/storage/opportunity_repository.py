"""Opportunities: open a query result and read it page by page; move opportunities between stages."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial

from catalynx_desktop.domain.details import Annotations, OpportunityDetails, Priority, StageChange
from catalynx_desktop.domain.query import OpportunityQuery
from catalynx_desktop.domain.record_facts import describe_record
from catalynx_desktop.domain.records import OpportunityRow
from catalynx_desktop.domain.scoring import ScoreResult
from catalynx_desktop.domain.stage_move import StageMove
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.domain.tasks import WORKED_STAGES
from catalynx_desktop.resources import ntee_names
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.opportunity_queries import (
    ROW_COLUMNS,
    STAGE_RANK,
    CompiledQuery,
    PageRows,
    compile_query,
    count_rows,
    read_page,
    row_from_values,
    sample_keys,
)
from catalynx_desktop.storage.opportunity_search import SearchResult, open_search
from catalynx_desktop.storage.opportunity_search import stage_counts as search_stage_counts
from catalynx_desktop.storage.paging import Key, KeyMap, Seek
from catalynx_desktop.storage.query_check import check_query
from catalynx_desktop.storage.record_search import fts_query
from catalynx_desktop.storage.schema_v9 import DataFingerprint, read_fingerprint
from catalynx_desktop.storage.stated_deadlines import sync_opportunity_deadlines
from catalynx_desktop.storage.task_store import sync_close_date_tasks

# A seek that skips more index entries than this (tens of ms on 1M rows) asks for a position map.
FAR_SKIP = 20_000

# SQLite's default limit on host parameters is 32766 (3.32+); stay well below it per statement.
_IDS_PER_STATEMENT = 900


def _chunks(ids: Sequence[int], size: int = _IDS_PER_STATEMENT) -> list[Sequence[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


class OpportunityResult:
    """One opened query: its row count and the keys seen so far, to read any page by key."""

    exact = True  # the count comes from the maintained per-stage counts

    def __init__(self, db: Database, query: OpportunityQuery, compiled: CompiledQuery, total: int) -> None:
        self._db = db
        self.query = query
        self._compiled = compiled
        self.total = total
        self._keys = KeyMap()
        # Set when a read had to skip far on the index: the caller then builds the position
        # map (once) so later jumps are short. Scrolling and End never need it.
        self.wants_position_map = False

    def _remember(self, start: int, page: PageRows) -> list[OpportunityRow]:
        self._keys.add_page(start, page.keys)
        return page.rows

    async def page(self, start: int, limit: int) -> list[OpportunityRow]:
        """Rows [start, start + limit): one hop to the read connection, seeking from the nearest key."""
        seek = self._keys.seek(start, limit, self.total)
        if seek.limit <= 0:
            return []
        if seek.skip > FAR_SKIP:
            self.wants_position_map = True
        compiled = self._compiled
        page = await self._db.read(lambda conn: read_page(conn, compiled, seek))
        return self._remember(start, page)

    async def complete(self, is_stale: Callable[[], bool]) -> bool:
        return True  # already exact

    @property
    def known_positions(self) -> int:
        return len(self._keys)

    async def build_position_map(
        self, every: int, is_stale: Callable[[], bool], steps_per_hop: int = 64
    ) -> None:
        """Sample the key at every `every`-th row on the background reader so that a jump
        anywhere (scroll-bar drag, End) is a short keyset read. Stops when the result is stale.

        In short hops (64 steps: ~2 ms on 1M rows, ~0.1 s in all) so that the reads of the
        interactive reader never wait long for the CPU or the GIL behind one."""
        if self.total <= FAR_SKIP:
            return  # no page of this result is a far skip away from its first or last row
        compiled = self._compiled
        last: tuple[int, Key] | None = None
        while not is_stale():
            found = await self._db.read(
                partial(
                    sample_keys, compiled=compiled, start_after=last, every=every, max_steps=steps_per_hop
                ),
                background=True,
            )
            for position, key in found:
                self._keys.add(position, key)
            if len(found) < steps_per_hop + (1 if last is None else 0):
                return
            last = found[-1]


def _move_stage_sync(
    conn: sqlite3.Connection, ids: Sequence[int], to_stage: Stage, reason: str, moved_by: str
) -> StageMove:
    moved: list[tuple[int, Stage]] = []
    profiles: set[int] = set()
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT id, stage, profile_id FROM opportunities WHERE id IN ({marks}) AND stage != ?",
            (*chunk, to_stage.value),
        ).fetchall()
        if not rows:
            continue
        changed = [row[0] for row in rows]
        conn.execute(
            f"UPDATE opportunities SET stage = ?, stage_rank = ?, "
            f"updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id IN ({','.join('?' * len(changed))})",
            (to_stage.value, STAGE_RANK[to_stage], *changed),
        )
        conn.executemany(
            "INSERT INTO stage_history (opportunity_id, from_stage, to_stage, reason, moved_by) "
            "VALUES (?, ?, ?, ?, ?)",
            [(row[0], row[1], to_stage.value, reason, moved_by) for row in rows],
        )
        moved.extend((row[0], Stage(row[1])) for row in rows)
        profiles.update(row[2] for row in rows)
        if to_stage in WORKED_STAGES:  # shortlisted: its close-date and 990-PF deadline tasks
            sync_close_date_tasks(conn, changed)
            sync_opportunity_deadlines(conn, changed, date.today())
    return StageMove(to_stage, moved, frozenset(profiles))


# Funder / federal-record fields the details pane shows, in display order.
RECORD_FIELDS = (
    "kind",
    "name",
    "funder_name",
    "opportunity_number",
    "ein",
    "city",
    "state",
    "country",
    "ntee_code",
    "subsection",
    "foundation_code",
    "award_floor",
    "award_ceiling",
    "total_funding",
    "assets",
    "income",
    "revenue",
    "post_date",
    "close_date",
    "status",
    "eligible_applicants",
    "cfda_numbers",
    "category",
    "description",
)


def profile_stage_counts(conn: sqlite3.Connection, profile_id: int) -> dict[str, int]:
    return dict(conn.execute("SELECT stage, n FROM profile_stage_counts WHERE profile_id = ?", (profile_id,)))


def _history_sync(conn: sqlite3.Connection, opportunity_id: int) -> tuple[StageChange, ...]:
    return tuple(
        StageChange(Stage(r[0]) if r[0] else None, Stage(r[1]), r[2], r[3], r[4])
        for r in conn.execute(
            "SELECT from_stage, to_stage, reason, moved_by, moved_at FROM stage_history "
            "WHERE opportunity_id = ? ORDER BY id",
            (opportunity_id,),
        )
    )


def _details_sync(conn: sqlite3.Connection, opportunity_id: int) -> OpportunityDetails | None:
    values = conn.execute(
        f"SELECT {ROW_COLUMNS}, score_breakdown, notes, rating, priority, tags, source_id, source_record_id "
        "FROM opportunities WHERE id = ?",
        (opportunity_id,),
    ).fetchone()
    if values is None:
        return None
    row = row_from_values(values)
    breakdown, notes, rating, priority, tags, source_id, record_id = values[11:]
    record: dict[str, object] = {}
    extra: dict[str, object] = {}
    if record_id is not None:
        found = conn.execute(
            f"SELECT {', '.join(RECORD_FIELDS)}, extra FROM source_records WHERE id = ?", (record_id,)
        ).fetchone()
        if found is not None:
            record = {
                name: value
                for name, value in zip(RECORD_FIELDS, found[:-1], strict=True)
                if value not in (None, "")
            }
            extra = _extra(found[-1])
    history = _history_sync(conn, opportunity_id)
    annotations = Annotations(notes, rating, Priority(priority or ""), tuple(json.loads(tags or "[]")))
    facts = describe_record(record, extra, row.source, source_id, ntee_names())
    return OpportunityDetails(
        row, annotations, ScoreResult.from_json(breakdown), history, source_id, record, facts
    )


def _extra(text: str | None) -> dict[str, object]:
    """A record's extra JSON; damaged JSON shows nothing extra rather than failing the pane."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# What open() returns: a browse (keyset pages) or a search/filter (collected ids); the table
# model reads both through the same members (total, exact, page, complete, build_position_map).
OpenedResult = OpportunityResult | SearchResult


class OpportunityRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def open(
        self, query: OpportunityQuery, first_page: int
    ) -> tuple[OpenedResult, list[OpportunityRow]]:
        """Count and first page in one hop: the first rows reach the screen after one round trip."""
        check_query(query)  # InvalidQuery (ValueError) before anything reads it
        if fts_query(query.search) or not query.filters.is_empty():
            return await open_search(self._db, query, first_page)
        result, rows, _keys, _version = await self.open_versioned(query, first_page)
        return result, rows

    async def open_versioned(
        self, query: OpportunityQuery, first_page: int
    ) -> tuple[OpportunityResult, list[OpportunityRow], list[Key], DataFingerprint]:
        """Like open(), plus the first page's keys and the data fingerprint (database identity and
        version) they were read at (same read transaction), so the page can be cached and reused
        while the fingerprint holds."""
        compiled = compile_query(query)

        def read(conn: sqlite3.Connection) -> tuple[int, PageRows, DataFingerprint]:
            conn.execute("BEGIN")  # one snapshot for the version, the count and the rows
            try:
                version = read_fingerprint(conn)
                total = count_rows(conn, query)
                return total, read_page(conn, compiled, Seek(True, None, 0, min(first_page, total))), version
            finally:
                conn.execute("COMMIT")

        total, page, version = await self._db.read(read)
        result = OpportunityResult(self._db, query, compiled, total)
        return result, result._remember(0, page), page.keys, version

    def from_snapshot(
        self, query: OpportunityQuery, total: int, rows: list[OpportunityRow], keys: list[Key]
    ) -> tuple[OpportunityResult, list[OpportunityRow]]:
        """A result whose count and first page come from a cached snapshot of the same data version."""
        result = OpportunityResult(self._db, query, compile_query(query), total)
        return result, result._remember(0, PageRows(rows, keys))

    async def stage_counts(self, query: OpportunityQuery) -> dict[Stage, int]:
        """How many of the query's matches are in each stage (its own stage ignored): one query on
        the background reader, so the table's reader is never held up by it."""
        check_query(query)
        if query.materialized:
            counts = await self._db.read(lambda conn: search_stage_counts(conn, query), background=True)
        else:
            counts = await self._db.read(
                lambda conn: profile_stage_counts(conn, query.profile_id), background=True
            )
        return {Stage(stage): n for stage, n in counts.items() if n}

    async def move_stage(
        self, ids: Sequence[int], to_stage: Stage, reason: str = "", moved_by: str = ""
    ) -> StageMove:
        """Move opportunities to a stage in one transaction, recording who, when and why."""
        ids = list(dict.fromkeys(int(i) for i in ids))
        return await self._db.write(
            lambda conn: _move_stage_sync(conn, ids, Stage(to_stage), reason, moved_by)
        )

    async def stage_history(self, opportunity_id: int) -> list[StageChange]:
        return list(await self._db.read(lambda conn: _history_sync(conn, opportunity_id)))

    async def details(self, opportunity_id: int) -> OpportunityDetails | None:
        """The row, the user's annotations, the score breakdown, the funder record and the history: one hop."""
        return await self._db.read(lambda conn: _details_sync(conn, opportunity_id))

    async def update_annotations(self, opportunity_id: int, annotations: Annotations) -> OpportunityDetails:
        """Save notes, rating, priority and tags; returns the fresh details for the pane and the row."""
        clean = annotations.validated()

        def update(conn: sqlite3.Connection) -> OpportunityDetails:
            changed = conn.execute(
                "UPDATE opportunities SET notes = ?, rating = ?, priority = ?, tags = ?, "
                "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
                (
                    clean.notes,
                    clean.rating,
                    clean.priority.value,
                    json.dumps(list(clean.tags)),
                    opportunity_id,
                ),
            ).rowcount
            details = _details_sync(conn, opportunity_id) if changed else None
            if details is None:
                raise LookupError(f"opportunity {opportunity_id} no longer exists")
            return details

        return await self._db.write(update)

    async def undo_stage_move(self, move: StageMove, moved_by: str = "") -> StageMove:
        """Put every opportunity of `move` back where it came from (one transaction)."""
        by_stage: dict[Stage, list[int]] = {}
        for opportunity_id, from_stage in move.moved:
            by_stage.setdefault(from_stage, []).append(opportunity_id)

        def undo(conn: sqlite3.Connection) -> StageMove:
            moved: list[tuple[int, Stage]] = []
            profiles: set[int] = set()
            for stage, ids in by_stage.items():
                back = _move_stage_sync(conn, ids, stage, f"undo of move to {move.to_stage.value}", moved_by)
                moved.extend(back.moved)
                profiles.update(back.profile_ids)
            return StageMove(move.to_stage, moved, frozenset(profiles))

        return await self._db.write(undo)

    async def rows_by_id(self, ids: Sequence[int]) -> dict[int, OpportunityRow]:
        """Current values of specific rows (to refresh only what a write changed)."""

        def read(conn: sqlite3.Connection) -> dict[int, OpportunityRow]:
            found: dict[int, OpportunityRow] = {}
            for chunk in _chunks(list(ids)):
                marks = ",".join("?" * len(chunk))
                for values in conn.execute(
                    f"SELECT {ROW_COLUMNS} FROM opportunities WHERE id IN ({marks})", tuple(chunk)
                ):
                    found[values[0]] = row_from_values(values)
            return found

        return await self._db.read(read)
