"""Chunked parse cache: complete copies only, versions never mix, evicted chunks are a miss."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from catalynx_desktop.cache import (
    PARSE,
    Cache,
    ChunkMissing,
    ChunkWriter,
    FileFingerprint,
    read_chunks,
    spec_key,
)
from tests.cache.asyncutil import async_test


async def collect(it) -> list:  # type: ignore[no-untyped-def]
    return [chunk async for chunk in it]


def touch(path: Path, text: str) -> None:
    path.write_text(text)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))


@async_test
async def test_write_then_read_chunks(tmp_path: Path) -> None:
    source = tmp_path / "eo1.csv"
    source.write_text("EIN,NAME\n")
    cache = await Cache.open(tmp_path / "cache")
    fp = FileFingerprint(source)
    assert await read_chunks(cache, PARSE, str(source), fingerprint=fp) is None
    writer = ChunkWriter(cache, PARSE, str(source), fingerprint=fp)
    chunks = [[{"ein": f"{c:02d}{i:07d}", "name": f"Org {i}"} for i in range(100)] for c in range(5)]
    for chunk in chunks:
        await writer.add(chunk)
    assert await writer.commit()
    assert await collect(await read_chunks(cache, PARSE, str(source), fingerprint=fp)) == chunks

    touch(source, "EIN,NAME\nchanged\n")  # the file changed: the cached parse is stale
    assert await read_chunks(cache, PARSE, str(source), fingerprint=fp) is None
    await cache.close()


@async_test
async def test_uncommitted_write_is_never_served(tmp_path: Path) -> None:
    cache = await Cache.open(tmp_path)
    writer = ChunkWriter(cache, PARSE, "f", fingerprint="v1")
    await writer.add([1, 2, 3])  # e.g. the import failed here
    assert await read_chunks(cache, PARSE, "f", fingerprint="v1") is None
    await writer.abort()
    assert (await cache.stats()).entries == 0
    await cache.close()


@async_test
async def test_new_version_replaces_old_chunks(tmp_path: Path) -> None:
    cache = await Cache.open(tmp_path)
    for version, n in (("v1", 4), ("v2", 2)):
        writer = ChunkWriter(cache, PARSE, "f", fingerprint=version)
        for i in range(n):
            await writer.add([version, i])
        assert await writer.commit()
    assert await collect(await read_chunks(cache, PARSE, "f", fingerprint="v2")) == [["v2", 0], ["v2", 1]]
    assert (await cache.stats()).entries == 3  # manifest + 2 chunks: v1's chunks were deleted
    await cache.close()


@async_test
async def test_evicted_chunk_makes_the_copy_a_miss(tmp_path: Path) -> None:
    cache = await Cache.open(tmp_path)
    writer = ChunkWriter(cache, PARSE, "f")
    for i in range(3):
        await writer.add(list(range(i * 10, i * 10 + 10)))
    await writer.commit()
    await cache.delete(PARSE, "f\x00" + writer._token + "\x001")  # as LRU might
    assert await read_chunks(cache, PARSE, "f") is None
    assert (await cache.stats()).entries == 0  # the incomplete copy was dropped

    writer = ChunkWriter(cache, PARSE, "g")
    for i in range(3):
        await writer.add([i])
    await writer.commit()
    stream = await read_chunks(cache, PARSE, "g")
    assert stream is not None
    assert await stream.__anext__() == [0]
    await cache.clear()  # evicted while streaming
    with pytest.raises(ChunkMissing):
        await stream.__anext__()
    await cache.close()


def test_spec_key_is_stable_and_order_independent() -> None:
    a = spec_key(profile=3, sort="score", desc=True, filter={"stage": "plan", "state": ["CA", "NY"]})
    b = spec_key(filter={"state": ["CA", "NY"], "stage": "plan"}, desc=True, sort="score", profile=3)
    assert a == b and len(a) == 32
    assert a != spec_key(profile=3, sort="score", desc=False, filter={"stage": "plan", "state": ["CA", "NY"]})
