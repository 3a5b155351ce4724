"""The built-in "Rescore" workflow: recompute score and breakdown of a profile's existing
opportunities (after the profile or the weights changed). Nothing else about them changes.

Steps: prepare (load the profile, chunk its opportunity ids) -> rescore (score in worker
processes, one UPDATE batch per chunk, only rows whose score or breakdown differ).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from catalynx_desktop.storage import discovery_store
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows import scoring_worker
from catalynx_desktop.workflows.discover import ScoringSettings, load_profile, scoring_context
from catalynx_desktop.workflows.engine import RunHandle, Step, StepContext, Workflow, WorkflowEngine
from catalynx_desktop.workflows.scoring_pool import map_chunks
from catalynx_desktop.workflows.scoring_worker import WorkerConfig

RESCORE = "rescore"


def rescore_workflow(db: Database, settings: ScoringSettings = ScoringSettings()) -> Workflow:
    async def prepare(ctx: StepContext) -> dict[str, Any]:
        profile = await load_profile(db, ctx.inputs["profile_id"])
        chunk_size = settings.chunk_size
        total, chunks = await db.read(
            lambda c: discovery_store.opportunity_chunks(c, int(ctx.inputs["profile_id"]), chunk_size),
            background=True,
        )
        ctx.set_counts(opportunities=total)
        return {"profile": profile, "total": total, "chunks": chunks}

    async def rescore(ctx: StepContext) -> dict[str, int]:
        total: int = ctx.inputs["total"]
        config = WorkerConfig(
            str(db.path),
            ctx.inputs["profile"],
            ctx.inputs["today"],
            settings.weights,
            0.0,
            settings.worker_priority,
        )
        counts = {"scored": 0, "changed": 0, "missing": 0}

        async def write(result: tuple[int, int, list[tuple[float, str, int, float, str]]]) -> None:
            scored, missing, rows = result
            changed = await db.write(lambda conn: discovery_store.update_scores(conn, rows))
            counts["scored"] += scored
            counts["missing"] += missing
            counts["changed"] += changed
            ctx.set_counts(**counts)
            ctx.progress(
                counts["scored"],
                total,
                f"Rescored {counts['scored']:,} of {total:,} opportunities: {counts['changed']:,} changed",
            )

        await map_chunks(
            ctx, config, scoring_worker.rescore_chunk, ctx.inputs["chunks"], write, workers=settings.workers
        )
        return counts

    return Workflow(
        RESCORE,
        (
            Step(
                "prepare", prepare, inputs={"profile_id": "$context.profile_id"}, timeout_s=120, weight=0.02
            ),
            Step(
                "rescore",
                rescore,
                depends_on=("prepare",),
                weight=0.98,
                inputs={
                    "profile": "$steps.prepare.output.profile",
                    "total": "$steps.prepare.output.total",
                    "chunks": "$steps.prepare.output.chunks",
                    "today": "$context.today",
                },
            ),
        ),
        timeout_s=settings.timeout_s,
    )


async def start_rescore(
    engine: WorkflowEngine,
    db: Database,
    profile_id: int,
    *,
    today: date | None = None,
    settings: ScoringSettings = ScoringSettings(),
) -> RunHandle:
    """Start Rescore for one profile; returns the handle (subscribe / cancel / wait)."""
    context = dict(scoring_context(profile_id, 0.0, today))
    del context["threshold"]
    return await engine.start(rescore_workflow(db, settings), context)
