"""Two processes hammering the same cache directory leave it consistent."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import sqlite3
from pathlib import Path

from catalynx_desktop.cache import Cache
from catalynx_desktop.cache.store import INDEX_FILENAME, INLINE_MAX, VALUES_DIRNAME
from tests.cache.asyncutil import async_test

MAX_BYTES = 1_500_000


def _value(rng: random.Random, key: str) -> dict:
    # a third are large (file-backed), the rest inline; the key is inside so we can verify it
    size = INLINE_MAX + rng.randint(0, 30_000) if rng.random() < 0.33 else rng.randint(10, 3000)
    return {"key": key, "blob": rng.randbytes(size)}


async def _hammer(directory: str, seed: int, ops: int) -> None:
    rng = random.Random(seed)
    cache = await Cache.open(directory, max_bytes=MAX_BYTES)
    try:
        for _ in range(ops):
            key = f"k{rng.randint(0, 40)}"  # few keys: both processes overwrite the same entries
            roll = rng.random()
            if roll < 0.55:
                await cache.set("shared", key, _value(rng, key))
            elif roll < 0.9:
                got = await cache.get("shared", key)
                assert got is None or got["key"] == key
            elif roll < 0.97:
                await cache.delete("shared", key)
            else:
                await cache.clear("shared")
    finally:
        await cache.close()


def _worker(directory: str, seed: int, ops: int) -> None:
    asyncio.run(_hammer(directory, seed, ops))


@async_test
async def test_two_processes_same_directory_stay_consistent(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")  # no fork of a process that has threads
    procs = [ctx.Process(target=_worker, args=(str(tmp_path), seed, 800)) for seed in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0]

    with sqlite3.connect(tmp_path / INDEX_FILENAME) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute("SELECT key, size, file, value IS NOT NULL FROM entries").fetchall()
        meta = dict(conn.execute("SELECT name, value FROM meta"))
    # the trigger-kept totals agree with the rows, and the bound holds
    assert meta["entries"] == len(rows)
    assert meta["bytes"] == sum(size for _, size, _, _ in rows) <= MAX_BYTES
    # every row has exactly one place for its value; every file row's file exists with its size
    for key, size, rel, inline in rows:
        assert inline != bool(rel), key
        if rel:
            assert (tmp_path / VALUES_DIRNAME / rel).stat().st_size == size
    # no file is left without a row, no temp file is left behind
    on_disk = {
        p.relative_to(tmp_path / VALUES_DIRNAME).as_posix() for p in (tmp_path / VALUES_DIRNAME).rglob("*.v")
    }
    assert on_disk == {rel for _, _, rel, _ in rows if rel}
    assert os.listdir(tmp_path / VALUES_DIRNAME / "tmp") == []
    # and every entry decodes to the value written under its key
    cache = await Cache.open(tmp_path, max_bytes=MAX_BYTES)
    for key, *_ in rows:
        got = await cache.get("shared", key)
        assert got is not None and got["key"] == key
    assert (await cache.stats()).misses == 0
    await cache.close()
