"""Large results (a parsed 1.9M-row BMF file) as a stream of chunks plus a manifest.

One huge value would have to be built, encoded and held in memory whole, and could exceed a
quarter of the cache. Instead the importer writes chunks as it parses them, and the manifest
(with the file's fingerprint) is written LAST: a crash or error mid-import leaves no manifest,
so a half-written parse is never served. Chunk keys carry a random token of their manifest,
so chunks of two versions never mix; replacing a manifest deletes the previous chunks.

    cached = await read_chunks(cache, PARSE, str(path), fingerprint=FileFingerprint(path))
    if cached is not None:
        async for chunk in cached: ...            # may raise ChunkMissing (evicted meanwhile)
    else:
        writer = ChunkWriter(cache, PARSE, str(path), fingerprint=FileFingerprint(path))
        for chunk in parse(path): await writer.add(chunk); ...
        await writer.commit()
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from catalynx_desktop.cache.cache import MISSING, Cache


class ChunkMissing(LookupError):
    """A chunk vanished (evicted or cleared) while streaming; re-read the source instead."""


def _chunk_key(key: str, token: str, index: int) -> str:
    return f"{key}\x00{token}\x00{index}"


def _valid_manifest(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("token"), str)
        and isinstance(value.get("chunks"), int)
        and value["chunks"] >= 0
    )


async def read_chunks(
    cache: Cache, kind: str, key: str, *, fingerprint: Any = None
) -> AsyncIterator[Any] | None:
    """An async iterator over the cached chunks, or None if there is no complete fresh copy."""
    manifest = await cache.get(kind, key, fingerprint=fingerprint)
    if not _valid_manifest(manifest):
        return None
    keys = [_chunk_key(key, manifest["token"], i) for i in range(manifest["chunks"])]
    # Some chunk evicted, or its file deleted / cut off / replaced: the copy is incomplete, and
    # finding that out now (a stat per chunk) beats failing midway through an import.
    if not await cache.contains_all(kind, keys, check_files=True):
        await cache.delete(kind, key)
        await cache.delete_many(kind, keys)
        return None
    return _stream(cache, kind, keys)


async def _stream(cache: Cache, kind: str, keys: list[str]) -> AsyncIterator[Any]:
    for chunk_key in keys:
        chunk = await cache.get(kind, chunk_key, default=MISSING)
        if chunk is MISSING:
            raise ChunkMissing(chunk_key.split("\x00", 1)[0])
        yield chunk


class ChunkWriter:
    def __init__(self, cache: Cache, kind: str, key: str, *, fingerprint: Any = None) -> None:
        self._cache, self._kind, self._key, self._fingerprint = cache, kind, key, fingerprint
        self._token = uuid.uuid4().hex
        self._count = 0
        self._ok = True

    async def add(self, chunk: Any) -> None:
        """Store the next chunk (one hop). A chunk the cache refuses only spoils the cached copy."""
        if self._ok:
            key = _chunk_key(self._key, self._token, self._count)
            self._ok = await self._cache.set(self._kind, key, chunk)
        self._count += 1

    async def commit(self) -> bool:
        """Publish the chunks (manifest last); False if any chunk was not stored."""
        if not self._ok:
            await self.abort()
            return False
        previous = await self._cache.get(self._kind, self._key)  # no fingerprint: whatever is there
        stored = await self._cache.set(
            self._kind,
            self._key,
            {"token": self._token, "chunks": self._count},
            fingerprint=self._fingerprint,
        )
        if _valid_manifest(previous) and previous["token"] != self._token:
            await self._cache.delete_many(
                self._kind, [_chunk_key(self._key, previous["token"], i) for i in range(previous["chunks"])]
            )
        if not stored:
            await self.abort()
        return stored

    async def abort(self) -> None:
        """Drop the chunks written so far (e.g. the import failed or was cancelled)."""
        keys = [_chunk_key(self._key, self._token, i) for i in range(self._count)]
        await self._cache.delete_many(self._kind, keys)
