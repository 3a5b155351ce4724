"""The built-in "Discover" workflow: score every imported source record for a profile and
create or update its opportunities.

Steps (the shared scoring workflow, scoring.py): prepare (load the profile, split source_records
into id-range chunks) -> match (score chunks in worker processes, upsert each chunk's rows in
one write transaction).

Scoring is FunderMatcher's (domain/matching.py): peers, excluded organizations and the
profile's own organization never become opportunities. Threshold: records scoring >=
`threshold` become opportunities (domain/discovery.py says why the default is 0.6), and past
funders of the organization whatever their score. Existing opportunities are always rescored,
even below the threshold (their stage, notes and history are the user's work and are never
touched); one that turns out not to be a funder is moved to declined with the reason
"not a funder: ..." (discovery_store.decline_not_funders), never deleted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import date
from typing import Any

from catalynx_desktop.storage import discovery_store, stated_deadlines, task_store
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows import scoring_worker
from catalynx_desktop.workflows.engine import RunHandle, WorkflowEngine
from catalynx_desktop.workflows.scoring import (
    DEFAULT_SETTINGS,
    Bounds,
    ScoringRequest,
    ScoringSettings,
    start_scoring,
)

DISCOVER = "discover"

__all__ = ["DISCOVER", "DiscoverPass", "ScoringSettings", "start_discover"]


class DiscoverPass:
    """Score every source record; upsert those above the threshold and the profile's existing ones."""

    workflow = DISCOVER
    step = "match"
    counted = "records"
    counts = ("scored", "kept", "created", "updated", "declined")
    score_chunk = staticmethod(scoring_worker.discover_chunk)

    async def chunks(self, db: Database, profile_id: int, chunk_size: int) -> tuple[int, Bounds]:
        return await db.read(lambda c: discovery_store.source_record_chunks(c, chunk_size), background=True)

    def store(
        self,
        conn: sqlite3.Connection,
        result: tuple[int, int, list[tuple[Any, ...]], list[tuple[int, str]]],
        counts: dict[str, int],
    ) -> None:
        scored, kept, rows, not_funders = result
        outcome = discovery_store.upsert_opportunities(conn, rows)
        counts["declined"] += discovery_store.decline_not_funders(conn, not_funders)
        counts["scored"] += scored
        counts["kept"] += kept
        counts["created"] += outcome.created
        counts["updated"] += outcome.updated

    def message(self, counts: Mapping[str, int], total: int) -> str:
        return (
            f"Scored {counts['scored']:,} of {total:,} records: "
            f"{counts['created']:,} new, {counts['updated']:,} updated"
        )

    async def finish(self, db: Database, profile_id: int, today: date) -> None:
        # Shortlisted opportunities get, or follow, their close-date task (one statement) and
        # their funder's 990-PF deadline task (one read, one executemany), in one transaction.
        def sync(conn: sqlite3.Connection) -> None:
            task_store.sync_profile_close_date_tasks(conn, profile_id)
            stated_deadlines.sync_profile_deadlines(conn, profile_id, today)

        await db.write(sync)


async def start_discover(
    engine: WorkflowEngine,
    db: Database,
    profile_id: int,
    *,
    threshold: float | None = None,
    today: date | None = None,
    settings: ScoringSettings = DEFAULT_SETTINGS,
) -> RunHandle:
    """Start Discover for one profile; returns the handle (subscribe / cancel / wait)."""
    threshold = settings.threshold if threshold is None else threshold
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be between 0 and 1")
    request = ScoringRequest.of(profile_id, threshold, today)
    return await start_scoring(engine, db, DiscoverPass(), request, settings)
