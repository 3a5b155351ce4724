"""What the UI may call: repositories and long actions, all async, none of them SQL to the caller.

Built once by app.py (the composition root) and handed to the main window.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass

from catalynx_desktop.paths import AppPaths
from catalynx_desktop.sources.demo import DemoPlan
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.demo_loader import DemoResult, load_demo
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.profile_repository import ProfileRepository

Progress = Callable[[int, int], None]


@dataclass
class AppServices:
    paths: AppPaths
    db: Database
    profiles: ProfileRepository
    opportunities: OpportunityRepository

    @classmethod
    async def open(cls, paths: AppPaths) -> AppServices:
        paths.ensure()
        db = await Database.open(paths.database, backups_dir=paths.backups_dir)
        return cls(paths, db, ProfileRepository(db), OpportunityRepository(db))

    async def close(self) -> None:
        await self.db.close()

    async def load_demo(self, plan: DemoPlan, progress: Progress | None = None,
                        cancel: threading.Event | None = None) -> DemoResult:
        """Generate and insert demo data in one transaction on the writer's thread.

        Progress is delivered on the calling (UI) loop; cancel rolls the whole load back.
        """
        loop = asyncio.get_running_loop()
        stop = cancel or threading.Event()

        def report(done: int, total: int) -> None:
            if progress is not None:
                loop.call_soon_threadsafe(progress, done, total)

        return await self.db.write(lambda conn: load_demo(conn, plan, report, stop.is_set))
