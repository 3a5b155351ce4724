"""The dashboard's numbers for one profile: index-only range counts, one hop on the background reader."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import date, timedelta
from typing import Any

from catalynx_desktop.domain.dashboard import AMOUNT_BUCKETS, DEADLINE_WEEKS, DashboardData, bin_deadlines
from catalynx_desktop.domain.stages import PIPELINE, Stage
from catalynx_desktop.storage.database import Database


def _dashboard(conn: sqlite3.Connection, profile_id: int, today: date) -> DashboardData:
    counts = dict.fromkeys(PIPELINE, 0)
    for stage, n in conn.execute(
        "SELECT stage, n FROM profile_stage_counts WHERE profile_id = ?", (profile_id,)
    ):
        counts[Stage(stage)] = n
    end = today + timedelta(days=DEADLINE_WEEKS * 7 - 1)
    per_day = dict(
        conn.execute(
            "SELECT close_date, count(*) FROM opportunities INDEXED BY ix_opp_profile_close_date "
            "WHERE profile_id = ? AND close_date BETWEEN ? AND ? GROUP BY close_date",
            (profile_id, today.isoformat(), end.isoformat()),
        ).fetchall()
    )
    amounts = []
    bounds = [low for low, _label in AMOUNT_BUCKETS] + [None]
    for low, high in itertools.pairwise(bounds):
        sql = "SELECT count(*) FROM opportunities INDEXED BY ix_opp_profile_amount WHERE profile_id = ? AND amount >= ?"
        params: tuple[Any, ...] = (profile_id, low)
        if high is not None:
            sql += " AND amount < ?"
            params += (high,)
        amounts.append(int(conn.execute(sql, params).fetchone()[0]))
    return DashboardData(counts, bin_deadlines(per_day, today), amounts)


async def profile_dashboard(db: Database, profile_id: int, today: date | None = None) -> DashboardData:
    day = today or date.today()
    return await db.read(lambda conn: _dashboard(conn, int(profile_id), day), background=True)
