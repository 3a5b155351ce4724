"""Scoring a profile's matches: start Discover (score every imported record, keep the good ones)
or Rescore (refresh the scores of its opportunities), with the user's current settings."""

from __future__ import annotations

from collections.abc import Callable

from catalynx_desktop.settings import Settings
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.discover import start_discover
from catalynx_desktop.workflows.engine import RunHandle, WorkflowEngine
from catalynx_desktop.workflows.rescore import start_rescore
from catalynx_desktop.workflows.scoring import ScoringSettings


class Scoring:
    def __init__(self, engine: WorkflowEngine, db: Database, settings: Callable[[], Settings]) -> None:
        self._engine = engine
        self._db = db
        self._settings = settings  # read at each start: the user may change them meanwhile

    async def discover(self, profile_id: int) -> RunHandle:
        settings = self._settings()
        return await start_discover(
            self._engine,
            self._db,
            profile_id,
            threshold=settings.discover_threshold,
            settings=ScoringSettings(weights=settings.scoring_weights()),
        )

    async def rescore(self, profile_id: int) -> RunHandle:
        settings = self._settings()
        return await start_rescore(
            self._engine, self._db, profile_id, settings=ScoringSettings(weights=settings.scoring_weights())
        )
