"""Issue 14, item 5: the import parse cache was keyed on the file's size and mtime only, so a
same-size edit with the mtime put back re-imported the old parse ("38,576 unchanged"). The
fingerprint now holds a hash of the bytes too (cache.FileFingerprint)."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from catalynx_desktop.cache import Cache
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.importing.importer import import_file
from tests.fresh_loop import arun
from tests.reliability.filesystems import REPO

VT = REPO / "tests" / "data" / "eo_vt.csv"  # a real IRS BMF extract (Vermont)


def edit_keeping_size_and_mtime(path: Path, old: bytes, new: bytes) -> None:
    assert len(old) == len(new)
    stat = path.stat()
    data = path.read_bytes()
    assert data.count(old) == 1
    path.write_bytes(data.replace(old, new))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns


def test_a_same_size_edit_with_the_mtime_restored_is_parsed_again(tmp_path: Path) -> None:
    source = tmp_path / "eo_vt.csv"
    shutil.copyfile(VT, source)

    async def scenario() -> None:
        db = await Database.open(tmp_path / "c.sqlite3")
        cache = await Cache.open(tmp_path / "cache")
        try:
            first = await import_file(db, source, parse_cache=cache)
            assert not first.from_cache and first.inserted > 0
            await asyncio.to_thread(
                edit_keeping_size_and_mtime,
                source,
                b"WINDSOR IMPROVEMENT CORPORATION",
                b"WINDSOR IMPROVEMENT COOPERATIVE",
            )
            again = await import_file(db, source, parse_cache=cache)
            assert not again.from_cache
            assert again.updated == 1 and again.inserted == 0
            row = await db.fetch_one("SELECT name FROM source_records WHERE ein = ?", ("010180687",))
            assert row is not None and row[0] == "WINDSOR IMPROVEMENT COOPERATIVE"
            # and the unchanged file still comes from the cache
            assert (await import_file(db, source, parse_cache=cache)).from_cache
        finally:
            await cache.close()
            await db.close()

    arun(scenario(), timeout=600)
