"""Test helpers: a real database in a temp dir, filled with demo data."""

from __future__ import annotations

import asyncio
from pathlib import Path

from catalynx_desktop.sources.demo import DemoPlan
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.demo_loader import DemoResult, load_demo


async def open_demo_db(path: Path, profiles: int = 2, opportunities: int = 3000,
                       seed: int = 7) -> tuple[Database, DemoResult]:
    db = await Database.open(path / "catalynx.sqlite3")
    result = await db.write(lambda conn: load_demo(conn, DemoPlan(profiles, opportunities, seed)))
    return db, result


def run(coro):
    return asyncio.run(coro)
