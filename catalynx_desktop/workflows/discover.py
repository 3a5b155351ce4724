"""The built-in "Discover" workflow: score every imported source record for a profile and
create or update its opportunities.

Steps: prepare (load the profile, split source_records into id-range chunks) -> match
(score chunks in worker processes, upsert each chunk's rows in one write transaction).

Threshold: records scoring >= `threshold` (default 0.6) become opportunities. With the default
weights a record with no mission match cannot exceed 0.6 however open, rich and eligible it is
(a federal program in another field, a local charity in another field: only one perfect on
all five other dimensions reaches it), while a same-field
grant maker, a matching federal program or a general-purpose foundation in the profile's
states lands at 0.65-0.95. Keeping "all" would copy the whole BMF (~1.9M rows) into every
profile's triage list. 0 keeps everything.
Existing opportunities are always rescored, even below the threshold (their stage, notes and
history are the user's work and are never touched).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.scoring import DEFAULT_WEIGHTS, ScoringWeights
from catalynx_desktop.storage import discovery_store, task_store
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.profile_repository import ProfileRepository
from catalynx_desktop.workflows import scoring_worker
from catalynx_desktop.workflows.engine import RunHandle, Step, StepContext, Workflow, WorkflowEngine
from catalynx_desktop.workflows.scoring_pool import map_chunks
from catalynx_desktop.workflows.scoring_worker import WorkerConfig

DISCOVER = "discover"
DEFAULT_THRESHOLD = 0.6
CHUNK_SIZE = 10_000  # ~0.1 s of work per chunk: prompt cancel, small result pickles, few writes


@dataclass(frozen=True)
class ScoringSettings:
    threshold: float = DEFAULT_THRESHOLD
    chunk_size: int = CHUNK_SIZE
    workers: int | None = None  # None: scoring_pool.default_workers()
    worker_priority: str = "nice"  # see scoring_worker.lower_priority and WORKER_PRIORITIES
    weights: ScoringWeights = DEFAULT_WEIGHTS
    timeout_s: float | None = 3600.0  # the whole run


async def load_profile(db: Database, profile_id: int) -> Profile:
    profile = await ProfileRepository(db).get(int(profile_id))
    if profile is None:
        raise LookupError(f"profile {profile_id} does not exist")
    return profile


def discover_workflow(db: Database, settings: ScoringSettings = ScoringSettings()) -> Workflow:
    async def prepare(ctx: StepContext) -> dict[str, Any]:
        profile = await load_profile(db, ctx.inputs["profile_id"])
        chunk_size = settings.chunk_size
        total, chunks = await db.read(
            lambda c: discovery_store.source_record_chunks(c, chunk_size), background=True
        )
        ctx.set_counts(records=total)
        return {"profile": profile, "total": total, "chunks": chunks}

    async def match(ctx: StepContext) -> dict[str, int]:
        total: int = ctx.inputs["total"]
        config = WorkerConfig(
            str(db.path),
            ctx.inputs["profile"],
            ctx.inputs["today"],
            settings.weights,
            float(ctx.inputs["threshold"]),
            settings.worker_priority,
        )
        counts = {"scored": 0, "kept": 0, "created": 0, "updated": 0}

        async def write(result: tuple[int, int, list[tuple[Any, ...]]]) -> None:
            scored, kept, rows = result
            outcome = await db.write(lambda conn: discovery_store.upsert_opportunities(conn, rows))
            counts["scored"] += scored
            counts["kept"] += kept
            counts["created"] += outcome.created
            counts["updated"] += outcome.updated
            ctx.set_counts(**counts)
            ctx.progress(
                counts["scored"],
                total,
                f"Scored {counts['scored']:,} of {total:,} records: "
                f"{counts['created']:,} new, {counts['updated']:,} updated",
            )

        await map_chunks(
            ctx, config, scoring_worker.discover_chunk, ctx.inputs["chunks"], write, workers=settings.workers
        )
        # Shortlisted federal opportunities get, or follow, their close-date task (one statement).
        profile_id = int(ctx.inputs["profile"].id)
        await db.write(lambda conn: task_store.sync_profile_close_date_tasks(conn, profile_id))
        return counts

    return Workflow(
        DISCOVER,
        (
            Step(
                "prepare", prepare, inputs={"profile_id": "$context.profile_id"}, timeout_s=120, weight=0.02
            ),
            Step(
                "match",
                match,
                depends_on=("prepare",),
                weight=0.98,
                inputs={
                    "profile": "$steps.prepare.output.profile",
                    "total": "$steps.prepare.output.total",
                    "chunks": "$steps.prepare.output.chunks",
                    "threshold": "$context.threshold",
                    "today": "$context.today",
                },
            ),
        ),
        timeout_s=settings.timeout_s,
    )


def scoring_context(profile_id: int, threshold: float, today: date | None) -> Mapping[str, Any]:
    """The run parameters (stored with the run, shown in history)."""
    return {
        "profile_id": int(profile_id),
        "threshold": float(threshold),
        "today": (today or date.today()).isoformat(),
    }


async def start_discover(
    engine: WorkflowEngine,
    db: Database,
    profile_id: int,
    *,
    threshold: float | None = None,
    today: date | None = None,
    settings: ScoringSettings = ScoringSettings(),
) -> RunHandle:
    """Start Discover for one profile; returns the handle (subscribe / cancel / wait)."""
    threshold = settings.threshold if threshold is None else threshold
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be between 0 and 1")
    return await engine.start(discover_workflow(db, settings), scoring_context(profile_id, threshold, today))
