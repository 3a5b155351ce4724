"""Profiles, opportunities and stored runs as the UI sees them: what it may read and change.

Thin on purpose: each method is one repository call. They exist so that the UI holds a service
with a fixed, small API instead of a repository (which also opens queries, takes raw
connections and grows with storage's needs).
"""

from __future__ import annotations

from collections.abc import Sequence

from catalynx_desktop.domain.details import Annotations, OpportunityDetails, StageChange
from catalynx_desktop.domain.history import HistoryCursor
from catalynx_desktop.domain.profile import Profile, ProfileSummary
from catalynx_desktop.domain.query import OpportunityQuery
from catalynx_desktop.domain.runs import RunRecord, RunStatus, StepRecord
from catalynx_desktop.domain.stage_move import StageMove
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.profile_repository import ProfileRepository
from catalynx_desktop.storage.workflow_run_store import SqliteRunStore


class Profiles:
    def __init__(self, repository: ProfileRepository) -> None:
        self._repository = repository

    async def list_summaries(self) -> list[ProfileSummary]:
        return await self._repository.list_summaries()

    async def get(self, profile_id: int) -> Profile | None:
        return await self._repository.get(profile_id)

    async def stage_counts(self, profile_id: int) -> dict[Stage, int]:
        return await self._repository.stage_counts(profile_id)

    async def create(self, profile: Profile) -> Profile:
        return await self._repository.create(profile)

    async def update(self, profile: Profile) -> Profile:
        return await self._repository.update(profile)

    async def delete(self, profile_id: int) -> None:
        await self._repository.delete(profile_id)

    async def names(self) -> dict[int, str]:
        """Every profile's name by id (runs and messages name profiles, never show their ids)."""
        return await self._repository.names()


class Opportunities:
    def __init__(self, repository: OpportunityRepository) -> None:
        self._repository = repository

    async def move_stage(
        self, ids: Sequence[int], to_stage: Stage, reason: str = "", moved_by: str = ""
    ) -> StageMove:
        return await self._repository.move_stage(ids, to_stage, reason, moved_by)

    async def undo_stage_move(self, move: StageMove, moved_by: str = "") -> StageMove:
        return await self._repository.undo_stage_move(move, moved_by)

    async def stage_history(self, opportunity_id: int) -> list[StageChange]:
        return await self._repository.stage_history(opportunity_id)

    async def stage_counts(self, query: OpportunityQuery) -> dict[Stage, int]:
        """How many of the query's matches are in each stage (the tabs follow search and filters)."""
        return await self._repository.stage_counts(query)

    async def details(self, opportunity_id: int) -> OpportunityDetails | None:
        return await self._repository.details(opportunity_id)

    async def update_annotations(self, opportunity_id: int, annotations: Annotations) -> OpportunityDetails:
        return await self._repository.update_annotations(opportunity_id, annotations)


class RunHistory:
    """Stored workflow runs, newest first, for the history table and its details."""

    def __init__(self, store: SqliteRunStore) -> None:
        self._store = store

    async def count_runs(self, *, workflow: str | None = None, status: RunStatus | None = None) -> int:
        return await self._store.count_runs(workflow=workflow, status=status)

    async def history_page(
        self,
        *,
        after: HistoryCursor | None = None,
        limit: int = 200,
        offset: int = 0,
        workflow: str | None = None,
        status: RunStatus | None = None,
    ) -> list[RunRecord]:
        return await self._store.history_page(
            after=after, limit=limit, offset=offset, workflow=workflow, status=status
        )

    async def get_run(self, run_id: int) -> RunRecord | None:
        return await self._store.get_run(run_id)

    async def steps_of(self, run_id: int) -> list[StepRecord]:
        return await self._store.steps_of(run_id)

    async def prune(self, older_than_days: int) -> int:
        return await self._store.prune(older_than_days)
