"""Load generated demo data into the database: the generator's rows through storage's bulk writer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from catalynx_desktop.storage.demo_store import DemoDataPresent, DemoResult, ProgressCallback, write_demo
from catalynx_desktop.workflows.demo.generator import DemoGenerator, DemoPlan

if TYPE_CHECKING:
    import sqlite3

__all__ = ["DemoDataPresent", "DemoPlan", "DemoResult", "load_demo"]


def load_demo(
    conn: sqlite3.Connection,
    plan: DemoPlan,
    progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> DemoResult:
    """Insert demo data for `plan`. The caller owns the transaction (Database.write or an explicit
    BEGIN); runs on the writer's thread. DemoDataPresent if the database has its demo already."""
    return write_demo(conn, DemoGenerator(plan), plan.opportunities, progress, should_stop)
