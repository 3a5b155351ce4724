"""An unchanged import file is not parsed again: its batches are replayed from the parse cache."""

from __future__ import annotations

import asyncio
import os

from catalynx_desktop.cache import Cache
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.importing.importer import import_file
from tests.datagen.bmf_gen import write_bmf_csv


def test_unchanged_file_comes_from_the_cache_and_a_changed_one_is_parsed(tmp_path):
    source = write_bmf_csv(tmp_path / "eo_xx.csv", 12_000, seed=4)

    async def scenario():
        db = await Database.open(tmp_path / "c.sqlite3")
        cache = await Cache.open(tmp_path / "cache")
        try:
            first = await import_file(db, source, parse_cache=cache, batch_size=2000)
            assert not first.from_cache
            assert first.records_read == 12_000 and first.inserted + first.skipped == 12_000
            again = await import_file(db, source, parse_cache=cache, batch_size=2000)
            assert again.from_cache
            assert again.records_read == first.records_read and again.skipped == first.skipped
            assert again.inserted == 0 and again.unchanged == first.inserted + first.updated
            assert [str(e) for e in again.errors] == [str(e) for e in first.errors]

            # a changed file (here: a new modification time) is parsed again
            stat = source.stat()
            os.utime(source, (stat.st_atime, stat.st_mtime + 5))
            changed = await import_file(db, source, parse_cache=cache, batch_size=2000)
            assert not changed.from_cache
            count = await db.fetch_one("SELECT count(*) FROM source_records")
            assert count[0] == first.inserted
        finally:
            await cache.close()
            await db.close()

    asyncio.run(scenario())


def test_a_cancelled_import_publishes_no_partial_cache(tmp_path):
    source = write_bmf_csv(tmp_path / "eo_yy.csv", 12_000, seed=6)

    async def scenario():
        db = await Database.open(tmp_path / "c.sqlite3")
        cache = await Cache.open(tmp_path / "cache")
        try:
            batches = []
            cancelled = await import_file(
                db,
                source,
                parse_cache=cache,
                batch_size=2000,
                progress=lambda *_: batches.append(1),
                cancel=lambda: len(batches) >= 1,
            )
            assert cancelled.cancelled
            full = await import_file(db, source, parse_cache=cache, batch_size=2000)
            assert not full.from_cache  # nothing half-parsed was served
            assert (await import_file(db, source, parse_cache=cache, batch_size=2000)).from_cache
        finally:
            await cache.close()
            await db.close()

    asyncio.run(scenario())
