"""AppServices: everything the UI may call, built once by app.py (the composition root).

The UI uses the parts named in services/__init__.py. `db` and the run store are here for the
composition root, the command line and tests; ui/ never touches them (see the import contracts).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from catalynx_desktop.cache import DEFAULT_TTLS, Cache
from catalynx_desktop.domain.runs import RunRecord
from catalynx_desktop.paths import AppPaths
from catalynx_desktop.services.backups import list_backups
from catalynx_desktop.services.dashboard import Dashboard
from catalynx_desktop.services.deadlines import Deadlines
from catalynx_desktop.services.exports import Exports
from catalynx_desktop.services.followup import Followups
from catalynx_desktop.services.funders import Funders
from catalynx_desktop.services.imports import Imports
from catalynx_desktop.services.matching import Matching
from catalynx_desktop.services.records import Opportunities, Profiles, RunHistory
from catalynx_desktop.services.scoring import Scoring
from catalynx_desktop.services.views import CachedViews
from catalynx_desktop.settings import Settings, read_settings, save_settings
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.errors import CorruptDatabaseError, classify
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.profile_repository import ProfileRepository
from catalynx_desktop.storage.source_records_store import count_records
from catalynx_desktop.storage.workflow_run_store import SqliteRunStore
from catalynx_desktop.workflows.demo.generator import DemoPlan
from catalynx_desktop.workflows.demo.loader import DemoResult, load_demo
from catalynx_desktop.workflows.engine import WorkflowEngine
from catalynx_desktop.workflows.export import remove_leftovers

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def _remove_leftovers(interrupted: list[RunRecord]) -> None:
    try:
        if removed := remove_leftovers(interrupted):
            log.info("removed %d temp files of exports a killed session left", removed)
    except OSError:  # never a reason not to start
        log.warning("could not remove the temp files of an interrupted export", exc_info=True)


class AppServices:
    def __init__(
        self,
        paths: AppPaths,
        settings: Settings,
        db: Database,
        runs: SqliteRunStore,
        cache: Cache | None,  # None when the cache directory cannot be used: the app works without it
    ) -> None:
        self.paths = paths
        self.settings = settings
        self.settings_problem: str | None = None  # a damaged settings file, told once (take_notice)
        self.db = db
        self.cache = cache
        self.engine = WorkflowEngine(runs)
        self._runs = runs
        opportunities = OpportunityRepository(db)
        self.views = CachedViews(
            opportunities, db, cache
        )  # what the opportunity table opens its queries through
        self.profiles = Profiles(ProfileRepository(db))
        self.opportunities = Opportunities(opportunities)
        self.history = RunHistory(runs)
        self.imports = Imports(self.engine, db, cache)
        self.scoring = Scoring(self.engine, db, lambda: self.settings)
        self.matching = Matching(db)
        self.exports = Exports(self.engine, db)
        self.dashboard = Dashboard(db)
        self.funders = Funders(db)
        self.followup = Followups(db)  # an opportunity's outcome, tasks, contacts and dossier
        self.deadlines = Deadlines(db)  # the Deadlines view, reminders and the .ics export

    @classmethod
    async def open(cls, paths: AppPaths) -> AppServices:
        paths.ensure()
        loaded = await asyncio.to_thread(read_settings, paths.settings_file)
        settings = loaded.settings
        db = await Database.open(paths.database, backups_dir=paths.backups_dir)
        runs = SqliteRunStore(db)
        try:
            # Runs a killed session left "running" are interrupted (and a killed export's temp
            # files removed); old ones go.
            interrupted = await runs.interrupt_orphaned_runs()
            await runs.prune(settings.run_retention_days)
        except BaseException:
            # e.g. a full disk refuses these first writes: close the connections (their threads
            # would otherwise keep the process alive after the error was reported).
            await db.close()
            raise
        if interrupted:
            await asyncio.to_thread(_remove_leftovers, interrupted)
        try:
            cache: Cache | None = await Cache.open(
                paths.cache_dir, max_bytes=settings.cache_max_mb * 2**20, ttl_by_kind=DEFAULT_TTLS
            )
        except Exception:
            log.exception("cache in %s unavailable; continuing without it", paths.cache_dir)
            cache = None
        services = cls(paths, settings, db, runs, cache)
        services.settings_problem = loaded.problem
        return services

    async def check_database(self) -> str | None:
        """Check the database file in the background (PRAGMA quick_check); None if it is sound,
        else the one message to show, with the newest backup to restore. Writes stop on damage."""
        problem = await self.db.check_integrity()
        if problem is None:
            return None
        backups = await asyncio.to_thread(list_backups, self.paths)
        offer = (
            f" The newest backup is {backups[0].name}: close Catalynx and run "
            "`catalynx-desktop restore` to put it back."
            if backups
            else " There is no backup of it to restore."
        )
        return f"{CorruptDatabaseError(self.db.path, problem).user_message} Nothing more is written to it.{offer}"

    def take_settings_problem(self) -> str | None:
        """What was wrong with the settings file, once: the first window shows it, later ones not."""
        problem, self.settings_problem = self.settings_problem, None
        return problem

    async def close(self) -> None:
        await self.engine.shutdown()
        await self.views.flush()
        if self.cache is not None:
            await self.cache.close()
        await self.db.close()

    async def apply_settings(self, chosen: Settings) -> None:
        """Save the user's new settings and apply what they change now (cache size, run retention)."""
        try:
            await asyncio.to_thread(save_settings, self.paths.settings_file, chosen)
        except OSError as error:  # a full or read-only disk: the usual words, not an errno
            raise classify(error, self.paths.settings_file) from error
        self.settings = chosen
        if self.cache is not None:
            await self.cache.trim(chosen.cache_max_mb * 2**20)
        await self._runs.prune(chosen.run_retention_days)

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
