"""The scoring workflow Discover and Rescore share: prepare -> score in worker processes -> write.

Steps: "prepare" loads the profile and splits the work into id-range chunks (a PreparedScoring);
the scoring step takes it, scores the chunks in worker processes (scoring_pool.py,
scoring_worker.py) and writes each chunk's result in one write transaction as it arrives.
What differs between Discover and Rescore (which rows are chunked, which worker function
scores them, how a result is written and counted) is a ScoringPass (discover.py, rescore.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from catalynx_desktop.domain.discovery import DEFAULT_THRESHOLD
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.scoring import DEFAULT_WEIGHTS, ScoringWeights
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.profile_repository import ProfileRepository
from catalynx_desktop.workflows.engine import RunHandle, Step, StepContext, Workflow, WorkflowEngine
from catalynx_desktop.workflows.scoring_pool import map_chunks
from catalynx_desktop.workflows.scoring_worker import WorkerConfig

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

    async def write(self, db: Database, result: Any, counts: dict[str, int]) -> None: ...

    def message(self, counts: Mapping[str, int], total: int) -> str: ...

    async def finish(self, db: Database, profile_id: int, today: date) -> None: ...  # after the last chunk


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
        counts = dict.fromkeys(scoring.counts, 0)

        async def write(result: Any) -> None:
            await scoring.write(db, result, counts)
            ctx.set_counts(**counts)
            ctx.progress(counts["scored"], prepared.total, scoring.message(counts, prepared.total))

        await map_chunks(ctx, config, scoring.score_chunk, prepared.chunks, write, workers=settings.workers)
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
