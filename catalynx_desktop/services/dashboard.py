"""One profile's dashboard figures, read in one hop: the pipeline, deadlines and amounts, what came
of the proposals (requested vs awarded per year, win rate, pipeline value) and the next open tasks."""

from __future__ import annotations

from datetime import date

from catalynx_desktop.domain.dashboard import DashboardData
from catalynx_desktop.storage.dashboard_queries import profile_dashboard
from catalynx_desktop.storage.database import Database


class Dashboard:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def for_profile(self, profile_id: int, today: date | None = None) -> DashboardData:
        """Everything the dashboard shows, from one snapshot (one call per refresh)."""
        return await profile_dashboard(self._db, profile_id, today)
