"""The scoring workflow Discover and Rescore share: prepare -> score in worker processes -> write.

Steps: "prepare" loads the profile and splits the work into id-range chunks (a PreparedScoring);
the scoring step takes it and runs, in a job process of its own (workflows/child_process, at
background priority), the scoring of the chunks in worker processes (scoring_pool.py,
scoring_worker.py) and the write of each chunk's result, in one transaction on the job's own
writer connection, as it arrives. The UI process only awaits the counts (<= 10/s): unpickling
results and binding rows there took the GIL from the event loop.
What differs between Discover and Rescore (which rows are chunked, which worker function
scores them, how a result is written and counted) is a ScoringPass (discover.py, rescore.py).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from catalynx_desktop.domain.discovery import DEFAULT_THRESHOLD
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.scoring import DEFAULT_WEIGHTS, ScoringWeights
from catalynx_desktop.storage.database import Database, run_in_transaction
from catalynx_desktop.storage.profile_repository import ProfileRepository
from catalynx_desktop.workflows.child_process import JobContext
from catalynx_desktop.workflows.engine import RunHandle, Step, StepContext, Workflow, WorkflowEngine
from catalynx_desktop.workflows.scoring_pool import map_chunks
from catalynx_desktop.workflows.scoring_worker import WorkerConfig
from catalynx_desktop.workflows.writing_job import job_writer, run_writing_job

PROGRESS_INTERVAL_S = 0.1
CHUNK_SIZE = 10_000  # ~0.1 s of work per chunk: prompt cancel, small result pickles, few writes

Bounds = list[tuple[int, int]]  # (first id, last id) of each chunk


@dataclass(frozen=True)
class ScoringSettings:
    threshold: float = DEFAULT_THRESHOLD
    chunk_size: int = CHUNK_SIZE
    workers: int | None = None  # None: scoring_pool.default_workers()
    worker_priority: str = "nice"  # see scoring_worker.lower_priority and WORKER_PRIORITIES
    weights: ScoringWeights = DEFAULT_WEIGHTS
    timeout_s: float | None = 3600.0  # the whole run


DEFAULT_SETTINGS = ScoringSettings()


@dataclass(frozen=True)
class ScoringRequest:
    """What one run scores: a profile, as of a day, keeping what reaches the threshold."""

    profile_id: int
    today: str  # ISO date
    threshold: float | None  # None: the pass keeps no threshold (Rescore)

    @classmethod
    def of(cls, profile_id: int, threshold: float | None, today: date | None) -> ScoringRequest:
        return cls(int(profile_id), (today or date.today()).isoformat(), threshold)

    def parameters(self) -> Mapping[str, Any]:
        """The run parameters (stored with the run, shown in history)."""
        parameters: dict[str, Any] = {"profile_id": self.profile_id}
        if self.threshold is not None:
            parameters["threshold"] = float(self.threshold)
        parameters["today"] = self.today
        return parameters


@dataclass(frozen=True)
class PreparedScoring:
    """What "prepare" hands the scoring step."""

    profile: Profile
    total: int  # rows to score
    chunks: Bounds


class ScoringPass(Protocol):
    """What one kind of scoring run does differently."""

    @property
    def workflow(self) -> str: ...  # the run's name in history

    @property
    def step(self) -> str: ...  # the scoring step's name

    @property
    def counted(self) -> str: ...  # what "prepare" counts ("records", "opportunities")

    @property
    def counts(self) -> tuple[str, ...]: ...  # the scoring step's counts, "scored" first

    @property
    def score_chunk(self) -> Callable[[int, int], Any]: ...  # runs in a worker process, picklable

    def chunks(self, db: Database, profile_id: int, chunk_size: int) -> Awaitable[tuple[int, Bounds]]: ...

    # In the job process, inside the chunk's write transaction; adds to `counts`.
    def store(self, conn: sqlite3.Connection, result: Any, counts: dict[str, int]) -> None: ...

    def message(self, counts: Mapping[str, int], total: int) -> str: ...

    async def finish(self, db: Database, profile_id: int, today: date) -> None: ...  # after the last chunk


@dataclass(frozen=True)
class ScoringJob:
    """What the job process needs (all picklable: the pass is a plain object of a module-level class)."""

    config: WorkerConfig
    scoring: ScoringPass
    chunks: Bounds
    workers: int | None


def score_job(ctx: JobContext[dict[str, int]], job: ScoringJob) -> tuple[dict[str, int], bool]:
    """The job process's side: score every chunk, store each result as it comes; (counts, whether
    every chunk was done). Counts go to the app at most every PROGRESS_INTERVAL_S."""
    counts = dict.fromkeys(job.scoring.counts, 0)
    last = 0.0
    with job_writer(Path(job.config.db_path)) as conn:

        def store(result: Any) -> None:
            nonlocal last
            run_in_transaction(conn, partial(job.scoring.store, result=result, counts=counts))
            if time.monotonic() - last >= PROGRESS_INTERVAL_S:
                last = time.monotonic()
                ctx.progress(dict(counts))

        done = map_chunks(
            job.config, job.scoring.score_chunk, job.chunks, store, lambda: ctx.cancelled, workers=job.workers
        )
    return counts, done


async def load_profile(db: Database, profile_id: int) -> Profile:
    profile = await ProfileRepository(db).get(int(profile_id))
    if profile is None:
        raise LookupError(f"profile {profile_id} does not exist")
    return profile


def scoring_workflow(
    db: Database, scoring: ScoringPass, request: ScoringRequest, settings: ScoringSettings
) -> Workflow:
    async def prepare(ctx: StepContext) -> PreparedScoring:
        profile = await load_profile(db, request.profile_id)
        total, chunks = await scoring.chunks(db, request.profile_id, settings.chunk_size)
        ctx.set_counts(**{scoring.counted: total})
        return PreparedScoring(profile, total, chunks)

    async def score(ctx: StepContext, prepared: PreparedScoring) -> dict[str, int]:
        config = WorkerConfig(
            str(db.path),
            prepared.profile,
            request.today,
            settings.weights,
            request.threshold or 0.0,
            settings.worker_priority,
        )
        job = ScoringJob(config, scoring, prepared.chunks, settings.workers)

        def progress(counts: dict[str, int]) -> None:
            ctx.set_counts(**counts)
            ctx.progress(counts["scored"], prepared.total, scoring.message(counts, prepared.total))

        counts, done = await run_writing_job(
            db,
            score_job,
            job,
            progress=progress,
            cancel=lambda: ctx.cancelled,
            name=f"catalynx-{scoring.step}",
        )
        progress(counts)
        if not done:
            ctx.check_cancelled()  # raises RunCancelled: the chunks stored so far stay
        await scoring.finish(db, request.profile_id, date.fromisoformat(request.today))
        return counts

    return Workflow(
        scoring.workflow,
        (
            Step("prepare", prepare, timeout_s=120, weight=0.02),
            Step(scoring.step, score, depends_on=("prepare",), takes=("prepare",), weight=0.98),
        ),
        timeout_s=settings.timeout_s,
    )


async def start_scoring(
    engine: WorkflowEngine,
    db: Database,
    scoring: ScoringPass,
    request: ScoringRequest,
    settings: ScoringSettings,
) -> RunHandle:
    return await engine.start(scoring_workflow(db, scoring, request, settings), request.parameters())
