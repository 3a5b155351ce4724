"""Import one file into source_records: parse off the event loop, upsert in batches, report.

The pieces: the parse pump (pump.py, with big files parsed in a child process by
parse_process.py), the batch writer (writer.py) and, for an unchanged BMF / Grants.gov file,
the replay of its cached parse instead of a parse (cache_replay.py). This module puts them in
order, reports progress and honours cancel.

Cancel is checked after every committed batch: everything committed stays, consistent, and
a re-run upserts over it with no duplicates (UNIQUE(source, source_id)).

No Qt and no SQL here (the SQL lives in storage/source_records_store.py).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from catalynx_desktop.cache import PARSE, Cache, ChunkWriter, FileFingerprint
from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.sources.detect import Format, detect_format, open_parser
from catalynx_desktop.sources.user_list import ColumnMapping
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.importing.cache_replay import (
    CachedParseUnreadable,
    batches_from_cache,
    cached_chunks,
    drop_cached_parse,
)
from catalynx_desktop.workflows.importing.pump import Batch, parse_batches
from catalynx_desktop.workflows.importing.report import (
    MAX_KEPT_ERRORS,
    ImportReport,
    write_rejects_csv,
)
from catalynx_desktop.workflows.importing.writer import BatchWriter

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, int], None]  # (bytes_done, bytes_total, records_read)
CancelSignal = asyncio.Event | threading.Event | Callable[[], bool]

PROGRESS_INTERVAL_S = 0.1  # the UI wants at most ~10 updates a second


def _is_cancelled(cancel: CancelSignal | None) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, (asyncio.Event, threading.Event)):
        return cancel.is_set()
    return bool(cancel())


async def _nothing() -> None:
    return None


class _ImportRun:
    """One import in progress: writes each batch, reports progress, notices the end or a cancel."""

    def __init__(
        self,
        writer: BatchWriter,
        report: ImportReport,
        progress: ProgressCallback | None,
        cancel: CancelSignal | None,
    ) -> None:
        self.writer = writer
        self.report = report
        self._progress = progress
        self._cancel = cancel
        self._last_progress = 0.0
        self.complete = False  # the last batch was written

    async def take(self, batch: Batch) -> bool:
        """Write one batch and account for it; True once the import is over (last batch or cancel)."""
        report = self.report
        await self.writer.write(batch)
        now = time.perf_counter()
        if self._progress is not None and (batch.last or now - self._last_progress >= PROGRESS_INTERVAL_S):
            self._last_progress = now
            self._progress(report.bytes_read, report.bytes_total, report.records_read)
        if batch.last:
            self.complete = True
            return True
        if _is_cancelled(self._cancel):
            report.cancelled = True
            return True
        return False


class _CachedParse:
    """Where an unchanged file's parse is kept in the parse cache."""

    def __init__(self, cache: Cache, path: Path, found: Format) -> None:
        self.cache = cache
        self.key = f"{found.value}:{path.resolve()}"
        self.fingerprint = FileFingerprint(path)
        self.name = path.name

    def writer(self) -> ChunkWriter:
        return ChunkWriter(self.cache, PARSE, self.key, fingerprint=self.fingerprint)


async def _replay(run: _ImportRun, cached: _CachedParse) -> tuple[bool, int]:
    """Write the file's batches from its cached parse, if there is one.

    Returns (the import is over, items written from the cache). A copy that cannot be read is
    a cache miss, not a failed import: it is forgotten and the caller parses the file (what was
    written from the cache so far stays; the parse leaves those records out).
    """
    chunks = await cached_chunks(cached.cache, cached.key, cached.fingerprint)
    if chunks is None:
        return False, 0
    run.report.from_cache = True
    replay = batches_from_cache(chunks)
    replayed = 0
    try:
        async for batch in replay:
            if await run.take(batch):
                return True, replayed
            replayed += len(batch.rows) + len(batch.errors)
    except CachedParseUnreadable as error:
        log.warning(
            "import: the parse cache's copy of %s could not be read (%s); parsing the file instead%s",
            cached.name,
            error,
            f" after the {replayed:,} records already imported from it" if replayed else "",
        )
        run.report.from_cache = False
        await drop_cached_parse(cached.cache, cached.key, cached.fingerprint)
    finally:
        await replay.aclose()
    return False, replayed


FileState = tuple[int, int] | None  # (size, mtime_ns), None once the file is gone


def _file_state(path: Path) -> FileState:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def _changed(before: FileState, after: FileState) -> str:
    """Why a file read from start to end may not have been read whole ("" if it held still).

    A file cut short (or written to) while it was parsed ends the parse early or late, at a
    record boundary or not, so the count alone looks like a success; its size and mtime do not."""
    if before == after or before is None:
        return ""
    if after is None:
        return "the file was removed while it was being read"
    if after[0] < before[0]:
        return f"the file shrank from {before[0]:,} to {after[0]:,} bytes while it was being read"
    if after[0] > before[0]:
        return f"the file grew from {before[0]:,} to {after[0]:,} bytes while it was being read"
    return "the file was changed while it was being read"


async def import_file(
    db: Database,
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
    pump.PROCESS_MIN_BYTES); small files parse in a thread, which starts faster.
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
    writer = BatchWriter(db, report, user_list)
    run = _ImportRun(writer, report, progress, cancel)
    # User lists are parsed each time (their mapping varies).
    cached = _CachedParse(parse_cache, path, found) if parse_cache is not None and not user_list else None
    stop_parsing: Callable[[], Awaitable[None]] = _nothing
    try:
        done, replayed = await _replay(run, cached) if cached is not None else (False, 0)
        if not done:
            before = await asyncio.to_thread(_file_state, path)
            batches, stop_parsing = parse_batches(
                path, found, parser, user_list, use_process, batch_size, skip=replayed
            )
            if cached is not None and not replayed:  # a whole parse fills the cache
                writer.to_cache = cached.writer()
            async for batch in batches:
                if await run.take(batch):
                    break
            if run.complete:
                report.incomplete = _changed(before, await asyncio.to_thread(_file_state, path))
    finally:
        await stop_parsing()
        if writer.to_cache is not None:
            # Only a whole parse of a file that held still is published (manifest last).
            whole = run.complete and not report.incomplete
            await (writer.to_cache.commit() if whole else writer.to_cache.abort())
        report.duration_s = time.perf_counter() - started
    return report


__all__ = ["MAX_KEPT_ERRORS", "Format", "FormatError", "ImportReport", "import_file", "write_rejects_csv"]
