"""What the UI may call: repositories and long actions, all async, none of them SQL to the caller.

Built once by app.py (the composition root) and handed to the main window.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from catalynx_desktop.cache import DEFAULT_TTLS, Cache
from catalynx_desktop.cached_views import CachedViews
from catalynx_desktop.paths import AppPaths
from catalynx_desktop.settings import Settings, load_settings
from catalynx_desktop.sources.demo import DemoPlan
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.demo_loader import DemoResult, load_demo
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.profile_repository import ProfileRepository
from catalynx_desktop.storage.source_records_store import count_records
from catalynx_desktop.storage.workflow_run_store import SqliteRunStore
from catalynx_desktop.workflows.engine import WorkflowEngine

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class AppServices:
    paths: AppPaths
    settings: Settings
    db: Database
    profiles: ProfileRepository
    opportunities: OpportunityRepository
    runs: SqliteRunStore
    engine: WorkflowEngine
    cache: Cache | None  # None when the cache directory cannot be used: the app works without it
    views: CachedViews  # what the opportunity table opens its queries through

    @classmethod
    async def open(cls, paths: AppPaths) -> AppServices:
        paths.ensure()
        settings = await asyncio.to_thread(load_settings, paths.settings_file)
        db = await Database.open(paths.database, backups_dir=paths.backups_dir)
        runs = SqliteRunStore(db)
        try:
            # Runs a killed session left "running" are interrupted; old ones go.
            await runs.mark_interrupted_at_startup()
            await runs.prune(settings.run_retention_days)
        except BaseException:
            # e.g. a full disk refuses these first writes: close the connections (their threads
            # would otherwise keep the process alive after the error was reported).
            await db.close()
            raise
        try:
            cache: Cache | None = await Cache.open(
                paths.cache_dir, max_bytes=settings.cache_max_mb * 2**20, ttl_by_kind=DEFAULT_TTLS
            )
        except Exception:
            log.exception("cache in %s unavailable; continuing without it", paths.cache_dir)
            cache = None
        opportunities = OpportunityRepository(db)
        return cls(
            paths,
            settings,
            db,
            ProfileRepository(db),
            opportunities,
            runs,
            WorkflowEngine(runs),
            cache,
            CachedViews(opportunities, db, cache),
        )

    async def close(self) -> None:
        await self.engine.shutdown()
        await self.views.flush()
        if self.cache is not None:
            await self.cache.close()
        await self.db.close()

    async def count_source_records(self) -> int:
        """How many funder/opportunity records imports have stored (the guided first run says it)."""
        return await self.db.read(count_records)

    @staticmethod
    async def load_demo_into(
        paths: AppPaths,
        plan: DemoPlan,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> DemoResult:
        """Generate demo data into another data directory (demo never mixes with real work);
        the caller holds that directory's instance lock."""
        services = await AppServices.open(paths)
        try:
            return await services.load_demo(plan, progress, cancel)
        finally:
            await services.close()

    async def load_demo(
        self, plan: DemoPlan, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> DemoResult:
        """Generate and insert demo data in one transaction on the writer's thread.

        Progress is delivered on the calling (UI) loop; cancel rolls the whole load back.
        """
        loop = asyncio.get_running_loop()
        stop = cancel or threading.Event()

        def report(done: int, total: int) -> None:
            if progress is not None:
                loop.call_soon_threadsafe(progress, done, total)

        return await self.db.write(lambda conn: load_demo(conn, plan, report, stop.is_set))
