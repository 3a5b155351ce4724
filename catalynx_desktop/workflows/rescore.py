"""The built-in "Rescore" workflow: recompute score and breakdown of a profile's existing
opportunities (after the profile or the weights changed). Nothing else about them changes.

Steps (the shared scoring workflow, scoring.py): prepare (load the profile, chunk its
opportunity ids) -> rescore (score in worker processes, one UPDATE batch per chunk, only rows
whose score or breakdown differ). An opportunity whose funder is not a funder after all (a
public charity with no grantmaking, the profile's own organization) is moved to declined with
the reason, so it leaves the pipeline and nothing the user wrote on it is lost.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import date

from catalynx_desktop.storage import discovery_store, stated_deadlines
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

RESCORE = "rescore"

ScoreUpdate = tuple[float, str, int, float, str]


class RescorePass:
    """Score the profile's opportunities; update those whose score or breakdown changed."""

    workflow = RESCORE
    step = "rescore"
    counted = "opportunities"
    counts = ("scored", "changed", "missing", "declined")
    score_chunk = staticmethod(scoring_worker.rescore_chunk)

    async def chunks(self, db: Database, profile_id: int, chunk_size: int) -> tuple[int, Bounds]:
        return await db.read(
            lambda c: discovery_store.opportunity_chunks(c, profile_id, chunk_size), background=True
        )

    def store(
        self,
        conn: sqlite3.Connection,
        result: tuple[int, int, list[ScoreUpdate], list[tuple[int, str]]],
        counts: dict[str, int],
    ) -> None:
        scored, missing, rows, not_funders = result
        counts["changed"] += discovery_store.update_scores(conn, rows)
        counts["declined"] += discovery_store.decline_not_funders(conn, not_funders)
        counts["scored"] += scored
        counts["missing"] += missing

    def message(self, counts: Mapping[str, int], total: int) -> str:
        return f"Rescored {counts['scored']:,} of {total:,} opportunities: {counts['changed']:,} changed"

    async def finish(self, db: Database, profile_id: int, today: date) -> None:
        # Scores only change here, but a rescore usually follows a 990 import: the worked
        # opportunities' 990-PF deadline tasks follow it too (close dates follow moves and Discover).
        await db.write(lambda conn: stated_deadlines.sync_profile_deadlines(conn, profile_id, today))


async def start_rescore(
    engine: WorkflowEngine,
    db: Database,
    profile_id: int,
    *,
    today: date | None = None,
    settings: ScoringSettings = DEFAULT_SETTINGS,
) -> RunHandle:
    """Start Rescore for one profile; returns the handle (subscribe / cancel / wait)."""
    request = ScoringRequest.of(profile_id, None, today)
    return await start_scoring(engine, db, RescorePass(), request, settings)
