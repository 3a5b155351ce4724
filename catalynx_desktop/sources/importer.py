"""Import one file into source_records: parse off the event loop, upsert in batches, report.

Pipeline: the file is parsed into ready-to-bind row tuples — in a child process for big
BMF / Grants.gov files (parse_worker.py: no GIL contention with the UI), in a thread for small
files and user lists — and a producer thread groups them into batches on a small bounded
asyncio.Queue (back-pressure keeps memory flat). The event loop only hands each batch to
`Database.write` (one IMMEDIATE transaction + executemany per batch on the writer thread), so
parsing batch k+1 overlaps writing batch k.

Cancel is checked after every committed batch: everything committed stays, consistent, and
a re-run upserts over it with no duplicates (UNIQUE(source, source_id)).

With a parse cache, an unchanged BMF / Grants.gov file is replayed from its cached batches. A
cached copy that cannot be read (a chunk evicted meanwhile, damaged on disk, or not the shape
this version writes) is a cache miss, never an import failure: it is dropped with a warning and
the file is parsed, skipping the records already written from the cache if it failed midway.

This module has no Qt and no SQL of its own (the SQL lives in storage/source_records_store.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sqlite3
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from catalynx_desktop.cache import PARSE, Cache, ChunkWriter, FileFingerprint, read_chunks
from catalynx_desktop.domain.records import RecordError, SourceRecord
from catalynx_desktop.export.csv_safety import SafeCsvWriter
from catalynx_desktop.sources.base import FormatError, Parser
from catalynx_desktop.sources.detect import Format, detect_format, open_parser
from catalynx_desktop.sources.parse_worker import CHUNK, Chunk, chunks_from_process
from catalynx_desktop.sources.user_list import ColumnMapping
from catalynx_desktop.storage import source_records_store as store

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, int], None]  # (bytes_done, bytes_total, records_read)
CancelSignal = asyncio.Event | threading.Event | Callable[[], bool]

# Errors kept in memory for the report; beyond this they are only counted (a file of pure
# garbage must not exhaust memory). `skipped` is always exact.
MAX_KEPT_ERRORS = 50_000
PROGRESS_INTERVAL_S = 0.1  # the UI wants at most ~10 updates a second
# Below this a thread parses: spawning a process (~0.3 s) would cost more than it saves.
PROCESS_MIN_BYTES = 4 * 1024 * 1024


class _Writer(Protocol):
    async def write(self, fn: Callable[[sqlite3.Connection], Any]) -> Any: ...


@dataclass
class ImportReport:
    """What an import did. records_read = inserted + updated + unchanged + skipped."""

    file: str
    format: str
    bytes_total: int = 0
    bytes_read: int = 0
    records_read: int = 0
    inserted: int = 0
    updated: int = 0  # existed and changed
    unchanged: int = 0  # existed and identical (re-import of the same data)
    skipped: int = 0  # rejected records (see errors)
    matched: int = 0  # user lists: rows matched to a known organization (by EIN, else name + state)
    matched_by_ein: int = 0
    matched_by_name_state: int = 0
    batches: int = 0
    cancelled: bool = False
    duration_s: float = 0.0
    errors: list[RecordError] = field(default_factory=list)
    errors_truncated: int = 0  # rejected records not kept in `errors` (beyond MAX_KEPT_ERRORS)
    from_cache: bool = False  # the file was unchanged: its parsed batches came from the parse cache

    @property
    def imported(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def summary(self) -> str:
        text = (
            f"{Path(self.file).name}: {self.records_read:,} read, {self.inserted:,} inserted, "
            f"{self.updated:,} updated, {self.unchanged:,} unchanged, {self.skipped:,} skipped"
        )
        if self.format in (Format.USER_CSV, Format.USER_XLSX):
            text += f", {self.matched:,} matched to known organizations"
        if self.cancelled:
            text += " (cancelled: the batches above were committed)"
        return text


@dataclass
class _Batch:
    rows: list[store.Row]
    records: list[SourceRecord]  # kept only for user lists, which are matched while writing
    errors: list[RecordError]
    bytes_read: int
    records_read: int
    last: bool = False


@dataclass
class _Failure:
    error: BaseException


def _is_cancelled(cancel: CancelSignal | None) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, (asyncio.Event, threading.Event)):
        return cancel.is_set()
    return bool(cancel())


def _chunks_in_thread(
    parser: Parser, keep_records: bool, stop: threading.Event, skip: int = 0
) -> Iterator[Chunk]:
    """Parse in the calling thread (small files, user lists): Chunks of CHUNK items, after
    leaving out the first `skip` items (already imported from a cached parse)."""
    chunk = Chunk()
    to_row = store.to_row
    for item in parser:
        if skip:
            skip -= 1
            continue
        if type(item) is SourceRecord:
            if keep_records:
                chunk.records.append(item)
            else:
                chunk.rows.append(to_row(item))
        else:
            chunk.errors.append(item)  # type: ignore[arg-type]
        if len(chunk.rows) + len(chunk.records) + len(chunk.errors) >= CHUNK:
            chunk.bytes_read, chunk.records_read = parser.bytes_read, parser.records_read
            yield chunk
            chunk = Chunk()
            if stop.is_set():
                return
    chunk.bytes_read, chunk.records_read = parser.bytes_read, parser.records_read
    yield chunk


def _produce(
    chunks: Iterator[Chunk],
    loop: asyncio.AbstractEventLoop,
    queue: asyncio.Queue[_Batch | _Failure],
    stop: threading.Event,
    batch_size: int,
) -> None:
    """Producer thread: group parser chunks into batches and hand them to the loop.

    Blocks while the queue is full (back-pressure), gives up when `stop` is set.
    """

    def put(item: _Batch | _Failure) -> bool:
        future = asyncio.run_coroutine_threadsafe(queue.put(item), loop)
        while True:
            try:
                future.result(timeout=0.1)
                return True
            except FutureTimeout:
                if stop.is_set():
                    future.cancel()
                    return False

    try:
        batch = _Batch([], [], [], 0, 0)
        for chunk in chunks:
            batch.rows += chunk.rows
            batch.records += chunk.records
            batch.errors += chunk.errors
            batch.bytes_read, batch.records_read = chunk.bytes_read, chunk.records_read
            if len(batch.rows) + len(batch.records) + len(batch.errors) >= batch_size:
                if not put(batch):
                    return
                batch = _Batch([], [], [], batch.bytes_read, batch.records_read)
            if stop.is_set():
                return
        batch.last = True
        put(batch)
    except BaseException as error:  # delivered to the awaiting coroutine, which re-raises it
        put(_Failure(error))
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # stops a parser process early on cancel


def _write_user_batch(
    conn: sqlite3.Connection, records: list[SourceRecord]
) -> tuple[store.UpsertCounts, int, int]:
    """Match a user's grantors to known organizations (EIN first, else name + state), then upsert."""
    by_ein = store.ids_by_ein(conn, [r.ein for r in records if r.ein])
    rows: list[store.Row] = []
    by_ein_count = by_name_count = 0
    for record in records:
        match: tuple[int, str | None] | None = None
        how = ""
        if record.ein and record.ein in by_ein:
            match, how = (by_ein[record.ein], record.ein), "ein"
            by_ein_count += 1
        elif record.name and record.state:
            match = store.id_by_name_state(conn, record.name, record.state)
            if match:
                how = "name_state"
                by_name_count += 1
        if match:
            extra = {**record.extra, "matched_record_id": match[0], "matched_by": how}
            record = dataclasses.replace(record, extra=extra, ein=record.ein or match[1])
        rows.append(store.to_row(record))
    return store.upsert_rows(conn, rows), by_ein_count, by_name_count


async def _nothing() -> None:
    return None


def _batch_to_chunk(batch: _Batch) -> dict[str, Any]:
    """What the parse cache keeps of a batch: its rows, its rejects and where it ended."""
    return {
        "rows": batch.rows,
        "bytes_read": batch.bytes_read,
        "records_read": batch.records_read,
        "last": batch.last,
        "errors": [[e.file, e.record_number, e.reason, e.raw] for e in batch.errors],
    }


class _CachedParseUnreadable(Exception):
    """The parse cache's copy could not be read through: treated as a cache miss."""


# What the cache may raise while streaming: ChunkMissing (a chunk evicted, or dropped as corrupt
# by the cache), RuntimeError (closed), sqlite3 / OS errors from its index or files.
_CACHE_READ_ERRORS = (LookupError, RuntimeError, OSError, sqlite3.Error, ValueError)
# What a decoded chunk of the wrong shape raises while it is turned into a batch.
_SHAPE_ERRORS = (KeyError, TypeError, ValueError, IndexError, AttributeError)


def _batch_from_chunk(chunk: Any) -> _Batch:
    rows = [tuple(row) for row in chunk["rows"]]
    if any(len(row) != len(store.COLUMNS) for row in rows):
        raise ValueError(f"a cached row does not have the {len(store.COLUMNS)} columns of source_records")
    return _Batch(
        rows,
        [],
        [RecordError(str(f), int(n), str(reason), str(raw)) for f, n, reason, raw in chunk["errors"]],
        int(chunk["bytes_read"]),
        int(chunk["records_read"]),
        bool(chunk["last"]),
    )


async def _batches_from_cache(chunks: AsyncIterator[Any]) -> AsyncGenerator[_Batch, None]:
    """The cached batches; _CachedParseUnreadable for a chunk that cannot be read or is not one,
    and for a copy that ends before its last batch."""
    while True:
        try:
            chunk = await anext(chunks)
        except StopAsyncIteration:
            raise _CachedParseUnreadable("it ended before the last batch") from None
        except _CACHE_READ_ERRORS as error:
            raise _CachedParseUnreadable(f"{type(error).__name__}: {error}") from error
        try:
            batch = _batch_from_chunk(chunk)
        except _SHAPE_ERRORS as error:
            raise _CachedParseUnreadable(
                f"a chunk is not a parsed batch ({type(error).__name__}: {error})"
            ) from error
        yield batch
        if batch.last:
            return


async def _cached_chunks(cache: Cache, key: str, fingerprint: FileFingerprint) -> AsyncIterator[Any] | None:
    """read_chunks, with a cache that cannot answer taken as a miss."""
    try:
        return await read_chunks(cache, PARSE, key, fingerprint=fingerprint)
    except _CACHE_READ_ERRORS as error:
        log.warning(
            "import: the parse cache could not be read (%s: %s); parsing the file",
            type(error).__name__,
            error,
        )
        return None


async def _drop_cached_parse(cache: Cache, key: str, fingerprint: FileFingerprint) -> None:
    """Drop a cached parse and all its chunks (so it is not tried again). With the public API:
    committing an empty copy in its place deletes the old copy's chunks (ChunkWriter.commit
    replaces the previous manifest's), then that empty manifest is deleted too."""
    try:
        await ChunkWriter(cache, PARSE, key, fingerprint=fingerprint).commit()
        await cache.delete(PARSE, key)
    except _CACHE_READ_ERRORS as error:
        log.warning(
            "import: could not drop the unreadable parse cache entry (%s: %s)", type(error).__name__, error
        )


def _parse_batches(
    path: Path,
    found: Format,
    parser: Parser,
    user_list: bool,
    use_process: bool | None,
    batch_size: int,
    skip: int = 0,
) -> tuple[AsyncIterator[_Batch], Callable[[], Awaitable[None]]]:
    """Batches parsed off the event loop (child process or thread, see the module docstring),
    and the coroutine that stops the parsing and waits for it. `skip`: leave out the first items
    (written already from a cached parse that failed midway; the thread parser does that)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[_Batch | _Failure] = asyncio.Queue(maxsize=2)
    stop = threading.Event()
    if use_process is None:
        use_process = not user_list and parser.bytes_total >= PROCESS_MIN_BYTES
    chunks = (
        chunks_from_process(path, found.value)
        if use_process and not user_list and not skip
        else _chunks_in_thread(parser, user_list, stop, skip)
    )
    thread = threading.Thread(
        target=_produce,
        name="catalynx-import-parse",
        daemon=True,
        args=(chunks, loop, queue, stop, max(1, batch_size)),
    )
    thread.start()

    async def batches() -> AsyncIterator[_Batch]:
        while True:
            item = await queue.get()
            if isinstance(item, _Failure):
                raise item.error
            yield item
            if item.last:
                return

    async def stop_parsing() -> None:
        stop.set()
        while not queue.empty():  # unblock a producer waiting on a full queue
            queue.get_nowait()
        await asyncio.to_thread(thread.join)

    return batches(), stop_parsing


async def import_file(
    db: _Writer,
    path: Path | str,
    *,
    fmt: Format | str | None = None,
    mapping: ColumnMapping | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelSignal | None = None,
    batch_size: int = 5000,
    use_process: bool | None = None,
    parse_cache: Cache | None = None,
) -> ImportReport:
    """Import `path` into source_records; returns the report (also when cancelled).

    fmt: the format the user claims (checked against the content) or None to detect it.
    mapping: column mapping for user lists (None = guessed from the header).
    use_process: parse in a child process (None = for BMF / Grants.gov files of at least
    PROCESS_MIN_BYTES); small files parse in a thread, which starts faster.
    parse_cache: when given, an unchanged BMF / Grants.gov file (same size and mtime) is not
    parsed again: its batches are replayed from the cache, which a complete parse fills.
    Raises FormatError (one clear message naming the file) if the file is not the claimed
    format or not one we read; StorageError if the database fails.
    """
    path = Path(path)
    started = time.perf_counter()
    found = await asyncio.to_thread(detect_format, path, fmt)
    parser = open_parser(path, found, mapping)
    report = ImportReport(file=str(path), format=found.value, bytes_total=parser.bytes_total)
    user_list = found in (Format.USER_CSV, Format.USER_XLSX)

    cache = None if user_list else parse_cache  # user lists are parsed each time (their mapping varies)
    cache_key = f"{found.value}:{path.resolve()}"
    fingerprint = FileFingerprint(path)
    writer_to_cache: ChunkWriter | None = None
    stop_parsing: Callable[[], Awaitable[None]] = _nothing
    last_progress = 0.0
    complete = False

    async def take(item: _Batch) -> bool:
        """Write one batch and account for it; True once the import is over (last batch or cancel)."""
        nonlocal last_progress, complete
        # The cache copy is written on the cache's thread while the batch goes to SQLite.
        to_cache = (
            asyncio.ensure_future(writer_to_cache.add(_batch_to_chunk(item)))
            if writer_to_cache is not None
            else None
        )
        if item.rows or item.records:
            if user_list:
                counts, by_ein, by_name = await db.write(partial(_write_user_batch, records=item.records))
                report.matched_by_ein += by_ein
                report.matched_by_name_state += by_name
                report.matched = report.matched_by_ein + report.matched_by_name_state
            else:
                counts = await db.write(partial(store.upsert_rows, rows=item.rows))
            report.inserted += counts.inserted
            report.updated += counts.updated
            report.unchanged += counts.unchanged
        if to_cache is not None:
            await to_cache
        report.batches += 1
        report.skipped += len(item.errors)
        room = MAX_KEPT_ERRORS - len(report.errors)
        report.errors.extend(item.errors[: max(room, 0)])
        report.errors_truncated += max(len(item.errors) - max(room, 0), 0)
        report.records_read = item.records_read
        report.bytes_read = item.bytes_read
        now = time.perf_counter()
        if progress is not None and (item.last or now - last_progress >= PROGRESS_INTERVAL_S):
            last_progress = now
            progress(report.bytes_read, report.bytes_total, report.records_read)
        if item.last:
            complete = True
            return True
        if _is_cancelled(cancel):
            report.cancelled = True
            return True
        return False

    try:
        done = False
        replayed = 0  # items (records and rejects) written from the cached parse
        cached = await _cached_chunks(cache, cache_key, fingerprint) if cache is not None else None
        if cache is not None and cached is not None:
            report.from_cache = True
            replay = _batches_from_cache(cached)
            try:
                async for item in replay:
                    done = await take(item)
                    if done:
                        break
                    replayed += len(item.rows) + len(item.errors)
            except _CachedParseUnreadable as error:
                # A cache miss, not a failed import: forget the copy and parse the file (what was
                # written from the cache so far stays; the parse leaves those records out).
                log.warning(
                    "import: the parse cache's copy of %s could not be read (%s); parsing the file instead%s",
                    path.name,
                    error,
                    f" after the {replayed:,} records already imported from it" if replayed else "",
                )
                report.from_cache = False
                await _drop_cached_parse(cache, cache_key, fingerprint)
            finally:
                await replay.aclose()
        if not done:
            batches, stop_parsing = _parse_batches(
                path, found, parser, user_list, use_process, batch_size, skip=replayed
            )
            if cache is not None and not replayed:  # a whole parse fills the cache
                writer_to_cache = ChunkWriter(cache, PARSE, cache_key, fingerprint=fingerprint)
            async for item in batches:
                if await take(item):
                    break
    finally:
        await stop_parsing()
        if writer_to_cache is not None:
            # Only a whole parse is published (manifest last); anything else is dropped.
            await (writer_to_cache.commit() if complete else writer_to_cache.abort())
        report.duration_s = time.perf_counter() - started
    return report


def write_rejects_csv(report: ImportReport, path: Path | str) -> Path:
    """Save every rejected record (file, record number, reason, raw text) as a CSV for Excel."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as stream:  # BOM: Excel reads UTF-8
        writer = SafeCsvWriter(stream)  # a rejected row's text must not run as a formula in Excel
        writer.writerow(["file", "record_number", "reason", "raw"])
        for error in report.errors:
            writer.writerow([error.file, error.record_number, error.reason, error.raw])
        if report.errors_truncated:
            writer.writerow(
                [
                    Path(report.file).name,
                    "",
                    f"{report.errors_truncated:,} more rejected records were counted but not listed",
                    "",
                ]
            )
    return path


__all__ = ["MAX_KEPT_ERRORS", "Format", "FormatError", "ImportReport", "import_file", "write_rejects_csv"]
