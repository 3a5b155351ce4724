"""Issue 14, item 8: a file truncated while it was imported was reported as succeeded with a
partial count. Now the import notices that the file changed under it (size / mtime before and
after the read) and says the import is incomplete; what it committed stays."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalynx_desktop.cache import Cache
from catalynx_desktop.domain.runs import RunStatus
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.services import AppServices
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.importing.importer import import_file
from catalynx_desktop.workflows.importing.workflow import start_import
from catalynx_desktop.workflows.progress import ProgressSnapshot
from tests.datagen.bmf_gen import write_bmf_csv
from tests.fresh_loop import arun


@pytest.mark.parametrize("use_process", [False, True], ids=["thread", "process"])
def test_a_file_cut_short_during_its_import_is_reported_incomplete(tmp_path: Path, use_process: bool) -> None:
    source = write_bmf_csv(tmp_path / "eo_cut.csv", 120_000, seed=5)
    size = source.stat().st_size
    cut: list[int] = []

    def truncate_once(*_progress: int) -> None:
        if not cut:  # after the first committed batch, as `truncate -s` from another program would
            os.truncate(source, size // 3)
            cut.append(1)

    async def scenario() -> None:
        db = await Database.open(tmp_path / "c.sqlite3")
        cache = await Cache.open(tmp_path / "cache")
        try:
            report = await import_file(
                db,
                source,
                batch_size=1000,
                use_process=use_process,
                progress=truncate_once,
                parse_cache=cache,
            )
            assert cut and report.records_read < 120_000
            assert "shrank" in report.incomplete
            assert "Incomplete" in report.summary()
            stored = await db.fetch_one("SELECT count(*) FROM source_records")
            assert stored is not None and stored[0] == report.inserted  # nothing committed lost
            # the parse of a file that moved under it is not cached: the next import parses again
            again = await import_file(db, source, parse_cache=cache)
            assert not again.from_cache and not again.incomplete
        finally:
            await cache.close()
            await db.close()

    arun(scenario(), timeout=600)


def test_the_import_run_fails_and_says_why(tmp_path: Path) -> None:
    source = write_bmf_csv(tmp_path / "eo_cut.csv", 200_000, seed=6)
    size = source.stat().st_size

    async def scenario() -> None:
        services = await AppServices.open(resolve_paths(tmp_path / "home"))
        try:
            handle = await start_import(services.engine, services.db, source)

            def truncate_once(snapshot: ProgressSnapshot) -> None:
                # mid-run: the parse has begun and batches are being committed
                if 0 < snapshot.fraction < 1 and not snapshot.final and source.stat().st_size == size:
                    os.truncate(source, size // 3)

            handle.subscribe(truncate_once)
            result = await handle.wait()
            assert result.status is RunStatus.FAILED
            assert result.error is not None and "Incomplete: the file shrank" in result.error
            assert "Internal" not in result.error and "ImportIncomplete" not in result.error
        finally:
            await services.close()

    arun(scenario(), timeout=600)
