"""A cached parse replayed as batches, and what makes a cached copy unusable.

With a parse cache, an unchanged BMF / Grants.gov file is replayed from its cached batches. A
cached copy that cannot be read (a chunk evicted meanwhile, damaged on disk, or not the shape
this version writes) is a cache miss, never an import failure: it is dropped with a warning and
the file is parsed, skipping the records already written from the cache if it failed midway.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from catalynx_desktop.cache import PARSE, Cache, ChunkWriter, FileFingerprint, read_chunks
from catalynx_desktop.domain.records import RecordError
from catalynx_desktop.storage import source_records_store as store
from catalynx_desktop.workflows.importing.pump import Batch

log = logging.getLogger(__name__)


class CachedParseUnreadable(Exception):
    """The parse cache's copy could not be read through: treated as a cache miss."""


# What the cache may raise while streaming: ChunkMissing (a chunk evicted, or dropped as corrupt
# by the cache), RuntimeError (closed), sqlite3 / OS errors from its index or files. (sqlite3 is
# imported only to name that exception: the cache's index is an SQLite file.)
CACHE_READ_ERRORS = (LookupError, RuntimeError, OSError, sqlite3.Error, ValueError)
# What a decoded chunk of the wrong shape raises while it is turned into a batch.
_SHAPE_ERRORS = (KeyError, TypeError, ValueError, IndexError, AttributeError)


def batch_to_chunk(batch: Batch) -> dict[str, Any]:
    """What the parse cache keeps of a batch: its rows, its rejects and where it ended."""
    return {
        "rows": batch.rows,
        "bytes_read": batch.bytes_read,
        "records_read": batch.records_read,
        "last": batch.last,
        "errors": [[e.file, e.record_number, e.reason, e.raw] for e in batch.errors],
    }


def _batch_from_chunk(chunk: Any) -> Batch:
    rows = [tuple(row) for row in chunk["rows"]]
    if any(len(row) != len(store.COLUMNS) for row in rows):
        raise ValueError(f"a cached row does not have the {len(store.COLUMNS)} columns of source_records")
    return Batch(
        rows,
        [],
        [RecordError(str(f), int(n), str(reason), str(raw)) for f, n, reason, raw in chunk["errors"]],
        int(chunk["bytes_read"]),
        int(chunk["records_read"]),
        bool(chunk["last"]),
    )


async def batches_from_cache(chunks: AsyncIterator[Any]) -> AsyncGenerator[Batch, None]:
    """The cached batches; CachedParseUnreadable for a chunk that cannot be read or is not one,
    and for a copy that ends before its last batch."""
    while True:
        try:
            chunk = await anext(chunks)
        except StopAsyncIteration:
            raise CachedParseUnreadable("it ended before the last batch") from None
        except CACHE_READ_ERRORS as error:
            raise CachedParseUnreadable(f"{type(error).__name__}: {error}") from error
        try:
            batch = _batch_from_chunk(chunk)
        except _SHAPE_ERRORS as error:
            raise CachedParseUnreadable(
                f"a chunk is not a parsed batch ({type(error).__name__}: {error})"
            ) from error
        yield batch
        if batch.last:
            return


async def cached_chunks(cache: Cache, key: str, fingerprint: FileFingerprint) -> AsyncIterator[Any] | None:
    """read_chunks, with a cache that cannot answer taken as a miss."""
    try:
        return await read_chunks(cache, PARSE, key, fingerprint=fingerprint)
    except CACHE_READ_ERRORS as error:
        log.warning(
            "import: the parse cache could not be read (%s: %s); parsing the file",
            type(error).__name__,
            error,
        )
        return None


async def drop_cached_parse(cache: Cache, key: str, fingerprint: FileFingerprint) -> None:
    """Drop a cached parse and all its chunks (so it is not tried again). With the public API:
    committing an empty copy in its place deletes the old copy's chunks (ChunkWriter.commit
    replaces the previous manifest's), then that empty manifest is deleted too."""
    try:
        await ChunkWriter(cache, PARSE, key, fingerprint=fingerprint).commit()
        await cache.delete(PARSE, key)
    except CACHE_READ_ERRORS as error:
        log.warning(
            "import: could not drop the unreadable parse cache entry (%s: %s)", type(error).__name__, error
        )
