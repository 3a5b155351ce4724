"""A damaged cache directory at the application level: garbage files, a garbage / cut-off /
newer-version index, an index that is a folder, a cache folder that is a file, a values folder
that is a file. In every case the real window still opens on the user's data, searches and
imports work (the parse cache is rebuilt or bypassed), the cache is either rebuilt or switched off
with a logged warning, and nothing in the database changes.

(tests/cache covers the cache's own handling of corrupt entries; this is what the user sees.)
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.cache import FileFingerprint
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.services import AppServices
from catalynx_desktop.workflows.demo.generator import DemoPlan
from tests.fresh_loop import arun
from tests.reliability.filesystems import REPO

VT = REPO / "tests" / "data" / "eo_vt.csv"
VT_ROWS = 6_535


def _noise(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def garbage_files(cache: Path) -> None:
    """Stray files everywhere, and every stored value file overwritten with noise."""
    values = cache / "values"
    for n, folder in enumerate([cache, values, values / "zz", values / "tmp", cache / "stray-dir"]):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"junk-{n}.v").write_bytes(_noise(5_000, n))
        (folder / "index.sqlite3.bak").write_bytes(b"not an index")
    damaged = 0
    for path in values.glob("*/*.v"):
        if path.parent.name not in ("zz", "tmp"):
            path.write_bytes(_noise(path.stat().st_size // 2 + 7, damaged))
            damaged += 1
    assert damaged > 0  # the parse cache of the first import lives in value files


def garbage_index(cache: Path) -> None:
    for suffix in ("", "-wal"):
        (cache / f"index.sqlite3{suffix}").write_bytes(_noise(40_000, 1))


def cut_off_index(cache: Path) -> None:
    index = cache / "index.sqlite3"
    index.write_bytes(index.read_bytes()[: index.stat().st_size // 3])
    (cache / "index.sqlite3-wal").unlink(missing_ok=True)


def newer_index(cache: Path) -> None:
    with sqlite3.connect(cache / "index.sqlite3") as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()


def index_is_a_folder(cache: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        (cache / f"index.sqlite3{suffix}").unlink(missing_ok=True)
    (cache / "index.sqlite3").mkdir()


def cache_is_a_file(cache: Path) -> None:
    shutil.rmtree(cache)
    cache.write_bytes(b"someone's file called cache")


def values_is_a_file(cache: Path) -> None:
    shutil.rmtree(cache / "values")
    (cache / "values").write_bytes(b"not a folder")


# (damage, what happens to the cache): "works" = the same cache keeps working (garbage ignored or
# swept, bad entries dropped as misses); "rebuilt" = started over empty with a warning;
# "off" = the app runs without a cache, with a warning.
CASES: list[tuple[Callable[[Path], None], str]] = [
    (garbage_files, "works"),
    (garbage_index, "rebuilt"),
    (cut_off_index, "rebuilt"),
    (newer_index, "rebuilt"),
    (index_is_a_folder, "off"),
    (cache_is_a_file, "off"),
    (values_is_a_file, "off"),
]


async def _database_state(services: AppServices) -> tuple:
    db = services.db
    return (
        await db.fetch_all("SELECT id, name FROM profiles ORDER BY id"),
        await db.fetch_all("SELECT count(*), sum(id), sum(score) FROM opportunities"),
        await db.fetch_all("SELECT count(*), count(DISTINCT source || source_id) FROM source_records"),
    )


@pytest.mark.parametrize(("damage", "outcome"), CASES, ids=[case[0].__name__ for case in CASES])
def test_damaged_cache_directory_the_app_still_opens_and_loses_nothing(
    qtbot, run, data_dir, caplog, damage, outcome
):
    cache_dir = resolve_paths(data_dir).cache_dir
    caplog.set_level(logging.INFO, logger="catalynx_desktop")

    async def import_vt(window) -> dict:
        handles = await window.workflows.import_files([VT], ask_mapping=False, show_report=False)
        await window.workflows.wait_all()
        result = await handles[0].wait()
        assert result.status.value == "succeeded", result.error
        return result.output("import")

    async def scenario() -> None:
        services = await AppServices.open(resolve_paths(data_dir))
        try:
            await services.load_demo(DemoPlan(2, 3_000, seed=4))
        finally:
            await services.close()
        # A normal session fills the cache: first-page snapshots and the parse cache of an import.
        window = await open_main_window(data_dir)
        try:
            assert (await import_vt(window))["inserted"] == VT_ROWS
            rows = window.table_model.rowCount()
            first = window.table_model.index(0, 0).data()
            before = await _database_state(window.services)
        finally:
            await close_main_window(window)
        assert window.services.cache is not None and any(cache_dir.glob("values/*/*.v"))

        damage(cache_dir)
        caplog.clear()
        window = await open_main_window(data_dir)
        try:
            assert window.table_model.rowCount() == rows > 0
            assert window.table_model.index(0, 0).data() == first
            cache = window.services.cache
            if outcome == "off":
                assert cache is None
            else:
                assert cache is not None
                assert await cache.set("view", "probe", {"ok": [1, 2, 3]})
                assert await cache.get("view", "probe") == {"ok": [1, 2, 3]}
            again = await import_vt(window)  # parse cache damaged, gone or off: parsed again
            assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, VT_ROWS)
            assert await _database_state(window.services) == before
        finally:
            await close_main_window(window)

    run(scenario(), timeout=180)
    warnings = [
        r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and "cache" in r.getMessage()
    ]
    if outcome in ("rebuilt", "off"):
        assert warnings, [r.getMessage() for r in caplog.records]
    if damage is cache_is_a_file:
        assert cache_dir.read_bytes() == b"someone's file called cache"  # not ours to delete
    with sqlite3.connect(resolve_paths(data_dir).database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert os.path.exists(resolve_paths(data_dir).database)


def _flip_bytes_in_value_files(cache_dir: Path) -> int:
    """Bit rot: damage every value file in place, keeping its size (no stat can see it)."""
    damaged = 0
    for path in cache_dir.glob("values/*/*.v"):
        data = bytearray(path.read_bytes())
        for i in range(len(data) // 2, len(data) // 2 + 64):
            data[i] ^= 0xFF
        path.write_bytes(bytes(data))
        damaged += 1
    return damaged


async def _import_with_parse_cache(home: Path):
    from catalynx_desktop.workflows.importing.workflow import start_import

    services = await AppServices.open(resolve_paths(home))
    try:
        return await (await start_import(services.engine, services.db, VT, parse_cache=services.cache)).wait()
    finally:
        await services.close()


def test_a_parse_cache_chunk_damaged_in_place_does_not_fail_the_import(tmp_path, caplog):
    """The damaged copy is a cache miss: the file is parsed again (with a warning), the import
    reports the same counts, and the next import is served by the rebuilt cache."""
    home = tmp_path / "home"
    assert arun(_import_with_parse_cache(home)).status.value == "succeeded"
    assert _flip_bytes_in_value_files(resolve_paths(home).cache_dir) > 0
    caplog.set_level(logging.WARNING, logger="catalynx_desktop")
    result = arun(_import_with_parse_cache(home))
    assert result.status.value == "succeeded", result.error
    output = result.output("import")
    assert not output["from_cache"] and (output["inserted"], output["unchanged"]) == (0, VT_ROWS)
    assert any(
        "parse cache" in r.getMessage() and "parsing the file" in r.getMessage() for r in caplog.records
    )
    again = arun(_import_with_parse_cache(home))
    assert again.status.value == "succeeded" and again.output("import")["from_cache"], again.error


def test_after_a_damaged_parse_cache_chunk_the_retry_imports_and_nothing_is_lost(tmp_path):
    home = tmp_path / "home"
    assert arun(_import_with_parse_cache(home)).status.value == "succeeded"
    _flip_bytes_in_value_files(resolve_paths(home).cache_dir)
    first = arun(_import_with_parse_cache(home))
    assert first.status.value == "succeeded", first.error
    retry = arun(_import_with_parse_cache(home))
    assert retry.status.value == "succeeded", retry.error
    assert retry.output("import")["unchanged"] == VT_ROWS
    with sqlite3.connect(resolve_paths(home).database) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT source_id) FROM source_records").fetchone() == (
            VT_ROWS,
            VT_ROWS,
        )
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


@pytest.mark.parametrize("damage", ["not-a-batch", "gone-meanwhile", "cut-short"])
def test_a_cached_parse_unreadable_midway_imports_the_rest_from_the_file(tmp_path, caplog, damage):
    """Chunks 0-1 replay, chunk 2 cannot be read (a value of the wrong shape; evicted between the
    up-front check and its read; a manifest promising fewer chunks than the parse had): the
    import goes on from the file, leaving out the records already written, so every record is
    written exactly once and the counts add up; the bad copy is dropped and the next import
    fills the cache again."""
    from catalynx_desktop.cache import PARSE, Cache
    from catalynx_desktop.cache.chunks import _chunk_key
    from catalynx_desktop.storage.database import Database
    from catalynx_desktop.workflows.importing.importer import import_file

    key = f"irs_bmf:{VT.resolve()}"

    async def scenario() -> list[Any]:
        db = await Database.open(tmp_path / "catalynx.sqlite3")
        cache = await Cache.open(tmp_path / "cache")
        try:
            first = await import_file(db, VT, parse_cache=cache, batch_size=1_000)
            manifest = await cache.get(PARSE, key)
            assert manifest["chunks"] == 7
            chunk = _chunk_key(key, manifest["token"], 2)
            if damage == "not-a-batch":
                assert await cache.set(PARSE, chunk, {"rows": [["too", "short"]], "errors": []})
            elif damage == "cut-short":
                assert await cache.set(PARSE, key, {**manifest, "chunks": 2}, fingerprint=FileFingerprint(VT))
            else:
                get = cache.get

                async def evicted_meanwhile(kind, wanted, **options):
                    return options.get("default") if wanted == chunk else await get(kind, wanted, **options)

                cache.get = evicted_meanwhile  # type: ignore[method-assign]
            seen: list[int] = []
            caplog.clear()
            damaged = await import_file(
                db,
                VT,
                parse_cache=cache,
                batch_size=1_000,
                progress=lambda done, total, records: seen.append(records),
            )
            cache.__dict__.pop("get", None)
            after = await import_file(db, VT, parse_cache=cache, batch_size=1_000)
            cached = await import_file(db, VT, parse_cache=cache, batch_size=1_000)
            rows = await db.fetch_one("SELECT count(*), count(DISTINCT source_id) FROM source_records")
            return [first, damaged, after, cached, seen, rows]
        finally:
            await cache.close()
            await db.close()

    caplog.set_level(logging.WARNING, logger="catalynx_desktop")
    first, damaged, after, cached, seen, rows = arun(scenario())
    assert first.inserted == VT_ROWS and not first.from_cache
    assert not damaged.from_cache and damaged.records_read == VT_ROWS and damaged.skipped == 0
    assert (damaged.inserted, damaged.updated, damaged.unchanged) == (0, 0, VT_ROWS)  # each record once
    assert seen == sorted(seen) and seen[-1] == VT_ROWS  # progress goes on from where the cache stopped
    assert any(
        "could not be read" in r.getMessage() and "2,000 records already imported" in r.getMessage()
        for r in caplog.records
    ), [r.getMessage() for r in caplog.records]
    assert not after.from_cache and after.unchanged == VT_ROWS  # the bad copy was dropped, not tried again
    assert cached.from_cache and cached.unchanged == VT_ROWS  # and the full parse cached it again
    assert rows == (VT_ROWS, VT_ROWS)
