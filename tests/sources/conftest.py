"""Helpers for the import tests: real files from tests/data (copied from shared/data), plain asyncio."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from tests.fresh_loop import arun

DATA = Path(__file__).resolve().parents[1] / "data"
VT_FILE = DATA / "eo_vt.csv"
XSD_FILE = DATA / "OpportunityDetail-V1.0.xsd"
REAL_GRANT = DATA / "real_record_OppID131073_usgs_2011.xml"


@pytest.fixture
def with_db(tmp_path: Path) -> Callable[..., Any]:
    """with_db(async fn(db)) -> result: a real SQLite database file in tmp_path, closed after."""
    from catalynx_desktop.storage.database import Database

    def runner(fn: Callable[[Any], Coroutine[Any, Any, Any]], name: str = "catalynx.db") -> Any:
        async def main() -> Any:
            db = await Database.open(tmp_path / name)
            try:
                return await fn(db)
            finally:
                await db.close()

        return arun(main(), timeout=120)

    return runner
