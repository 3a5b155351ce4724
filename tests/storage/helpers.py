"""Test helpers: a real database in a temp dir, filled with demo data."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.migrations import migrate
from catalynx_desktop.workflows.demo.generator import DemoPlan
from catalynx_desktop.workflows.demo.loader import DemoResult, load_demo


async def open_demo_db(
    path: Path, profiles: int = 2, opportunities: int = 3000, seed: int = 7
) -> tuple[Database, DemoResult]:
    db = await Database.open(path / "catalynx.sqlite3")
    result = await db.write(lambda conn: load_demo(conn, DemoPlan(profiles, opportunities, seed)))
    return db, result


def run(coro):
    return asyncio.run(coro)


_SYNC_DEMOS: dict[str, sqlite3.Connection] = {}


def shared_demo_conn(base: Path, name: str, plan: DemoPlan) -> sqlite3.Connection:
    """A plain sqlite3 connection to a demo database built once per test session (for property
    tests that run many examples against the same data)."""
    if name not in _SYNC_DEMOS:
        path = base / f"{name}.sqlite3"
        migrate(path, base / f"{name}-backups")
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN")
        load_demo(conn, plan)
        conn.execute("COMMIT")
        _SYNC_DEMOS[name] = conn
    return _SYNC_DEMOS[name]
