"""Import IRS 990 returns (one file, a folder, a TEOS zip with its index) into the giving tables.

Three stages, each bounded so memory does not grow with the archive:
- a feeder thread schedules members (sources/irs990/reader.schedule_source: members already
  stored are skipped by object id, members of other forms by the index, from the zip's
  directory alone) and hands batches of ~64 member references to the parse pool
  (irs990_pool.ParsePool: worker processes, ≤ 2n+1 batches in flight), whose workers read,
  decompress, parse and turn each return into rows (irs990_transport); prepared batches go,
  in order, onto a small asyncio queue;
- the event loop takes them, collects returns into write batches and stores each with
  storage/giving_store.store_prepared in one transaction on the writer (funder aggregates of
  the EINs it touched are refreshed in that same transaction);
- every bad member is one ParseProblem in the report; the rest imports.

Cancel is checked every 0.1 s while waiting and after every write; the pool is terminated at
once, so Cancel takes effect within the write in progress (~0.1-0.3 s). Everything committed stays;
a re-run skips the stored object ids, so nothing is stored twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from catalynx_desktop.sources.detect import Format
from catalynx_desktop.sources.irs990.parser import ParseProblem
from catalynx_desktop.sources.irs990.reader import (
    Limits,
    MemberRef,
    RawMember,
    ReadStats,
    Scheduled,
    batches,
    find_index_beside,
    schedule_source,
)
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.giving_rows import PreparedReturn, states_deadlines
from catalynx_desktop.storage.giving_store import StoreCounts, store_prepared, stored_object_ids
from catalynx_desktop.storage.stated_deadlines import sync_funder_deadlines
from catalynx_desktop.workflows.importing.irs990_pool import ParsePool, worker_count
from catalynx_desktop.workflows.importing.irs990_report import Irs990Report
from catalynx_desktop.workflows.importing.irs990_transport import unpack

Progress990 = Callable[[Irs990Report], None]
CancelCheck = Callable[[], bool]

PROGRESS_INTERVAL_S = 0.1
WRITE_RETURNS = 150  # returns per transaction...
WRITE_GRANTS = 5_000  # ...or grants, whichever comes first
_POLL_S = 0.1
BATCH_TIMEOUT_S = 300.0  # one batch of ~64 returns parses in well under a second


@dataclass
class _Done:
    pass


@dataclass
class _Failure:
    error: BaseException


Rebuilt = list[PreparedReturn | ParseProblem]
_Item = Rebuilt | _Done | _Failure


class _Feeder:
    """The thread that reads members, feeds the pool and puts parsed batches on the queue."""

    def __init__(
        self,
        archive: Path,
        items: Iterator[Scheduled],
        pool: ParsePool,
        loop: asyncio.AbstractEventLoop,
        batch_members: int,
    ) -> None:
        self._archive = str(archive)
        self.queue: asyncio.Queue[_Item] = asyncio.Queue(maxsize=4)
        self.stop = threading.Event()
        self._items = items
        self._pool = pool
        self._loop = loop
        self._batch_members = batch_members
        self.thread = threading.Thread(target=self._run, name="catalynx-990-feeder", daemon=True)

    def _put(self, item: _Item) -> bool:
        future = asyncio.run_coroutine_threadsafe(self.queue.put(item), self._loop)
        while True:
            try:
                future.result(timeout=_POLL_S)
                return True
            except FutureTimeout:
                if self.stop.is_set():
                    future.cancel()
                    return False

    def _deliver_oldest(self) -> bool:
        waited = 0.0
        while not self.stop.is_set():
            parsed = self._pool.oldest(_POLL_S)
            if parsed is not None:  # unpickled here, not on the event loop
                return self._put([unpack(sent) for sent in parsed])
            waited += _POLL_S
            if waited > BATCH_TIMEOUT_S:
                # A worker killed from outside (out of memory) loses its task without a word.
                raise RuntimeError(
                    f"a parse worker gave no answer in {BATCH_TIMEOUT_S:.0f} s; what was committed stays, "
                    "run the import again to go on"
                )
        return False

    def _run(self) -> None:
        try:
            for batch in batches(self._items, max_members=self._batch_members):
                problems: Rebuilt = [item for item in batch if isinstance(item, ParseProblem)]
                if problems and not self._put(problems):
                    return
                members = [item for item in batch if isinstance(item, MemberRef | RawMember)]
                if not members:
                    continue
                while self._pool.full():
                    if not self._deliver_oldest():
                        return
                self._pool.submit(self._archive, members)
                if self.stop.is_set():
                    return
            while self._pool.has_pending():
                if not self._deliver_oldest():
                    return
            self._put(_Done())
        except BaseException as error:  # handed to the coroutine, which re-raises it
            self._put(_Failure(error))
        finally:
            close = getattr(self._items, "close", None)
            if close is not None:
                close()


class _Writer:
    """Collects parsed returns and stores them in batches; keeps the report's counts."""

    def __init__(self, db: Database, report: Irs990Report) -> None:
        self._db = db
        self._report = report
        self._pending: list[PreparedReturn] = []
        self._grants = 0

    def take(self, parsed: Rebuilt) -> None:
        report = self._report
        for item in parsed:
            report.members += 1
            if isinstance(item, ParseProblem):
                report.add_problem(item)
                continue
            if item.missing_fields:
                report.with_missing_fields += 1
            self._pending.append(item)
            self._grants += len(item.grants)

    @property
    def due(self) -> bool:
        return len(self._pending) >= WRITE_RETURNS or self._grants >= WRITE_GRANTS

    async def flush(self) -> None:
        if not self._pending:
            return
        batch = self._pending
        self._pending, self._grants = [], 0
        counts: StoreCounts = await self._db.write(partial(_store_batch, batch=batch))
        self._report.add_stored(counts)


@contextlib.contextmanager
def _heap_frozen() -> Iterator[None]:
    """Leave the objects the app already holds out of the garbage collector's full passes while
    the import runs (gc.freeze; unfrozen at the end, so later passes see them again). The import
    allocates a steady stream of short-lived rows, which triggers a full pass every ~700 returns;
    each one walked the whole heap with the GIL held (10-17 ms of CPU with a bare app, more with
    a window's objects, 50 ms and over when the VM preempted it), stalling the event loop; frozen,
    a full pass took 0.4-2 ms on 5,000 generated returns. Objects frozen are only skipped, never
    lost: a cycle among them that became garbage meanwhile is collected after the import.

    In the window the start-up heap is frozen already (app.open_main_window): then the heap stays
    frozen afterwards too, since unfreezing would hand the start-up objects back to every full pass.
    Reference counting still frees what the import leaves; only cycles among objects made between
    start-up and the import wait for the app to close."""
    already_frozen = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not already_frozen:
            gc.unfreeze()


def _store_batch(conn: sqlite3.Connection, batch: list[PreparedReturn]) -> StoreCounts:
    """Store the batch; in the same transaction, worked opportunities on funders whose new
    990-PF states deadlines get (or follow) their deadline task (storage/stated_deadlines.py)."""
    counts = store_prepared(conn, batch)
    stated = {prepared.ein for prepared in batch if states_deadlines(prepared)}
    if stated & counts.funder_eins:
        sync_funder_deadlines(conn, stated & counts.funder_eins, date.today())
    return counts


def resolve_index(path: Path, index: Path | None) -> Path | None:
    """The index given, else `index_{YYYY}.csv` beside a `{YYYY}_TEOS_XML_...zip` (None otherwise)."""
    if index is not None or path.is_dir() or path.suffix.lower() != ".zip":
        return index
    return find_index_beside(path)


async def import_returns(
    db: Database,
    path: Path | str,
    *,
    fmt: Format | None = None,
    index: Path | str | None = None,
    progress: Progress990 | None = None,
    cancel: CancelCheck | None = None,
    workers: int | None = None,
    batch_members: int = 64,
    limits: Limits | None = None,
) -> Irs990Report:
    """Import every return of `path`; the report also when cancelled (see the module docstring).
    FormatError (naming the file) when the archive or its index cannot be read at all."""
    path = Path(path)
    limits = limits or Limits()
    started = time.perf_counter()
    index_path = await asyncio.to_thread(resolve_index, path, Path(index) if index is not None else None)
    report = Irs990Report(
        file=str(path), format=(fmt or Format.IRS990_RETURN).value, index=str(index_path or "")
    )
    stored = await db.read(stored_object_ids, background=True)
    stats = ReadStats()
    items = schedule_source(path, index=index_path, limits=limits, skip=stored, stats=stats)
    report.workers = workers or worker_count()
    pool = await asyncio.to_thread(ParsePool, report.workers, limits)
    feeder = _Feeder(path, items, pool, asyncio.get_running_loop(), batch_members)
    writer = _Writer(db, report)
    feeder.thread.start()
    try:
        with _heap_frozen():
            await _consume(feeder, writer, report, stats, progress, cancel)
    finally:
        feeder.stop.set()
        while not feeder.queue.empty():  # unblock a feeder waiting on a full queue
            feeder.queue.get_nowait()
        await asyncio.to_thread(pool.close)
        await asyncio.to_thread(feeder.thread.join)
        _final_counts(report, stats)
        report.duration_s = time.perf_counter() - started
    return report


async def _consume(
    feeder: _Feeder,
    writer: _Writer,
    report: Irs990Report,
    stats: ReadStats,
    progress: Progress990 | None,
    cancel: CancelCheck | None,
) -> None:
    last_progress = 0.0
    while True:
        if cancel is not None and cancel():
            report.cancelled = True
            return
        try:
            item = await asyncio.wait_for(feeder.queue.get(), _POLL_S)
        except TimeoutError:
            continue
        if isinstance(item, _Failure):
            raise item.error
        done = isinstance(item, _Done)
        if not isinstance(item, _Done):
            writer.take(item)
        if done or writer.due:
            await writer.flush()
        now = time.perf_counter()
        if progress is not None and (done or now - last_progress >= PROGRESS_INTERVAL_S):
            last_progress = now
            _final_counts(report, stats)
            progress(report)
        if done:
            return


def _final_counts(report: Irs990Report, stats: ReadStats) -> None:
    report.bytes_total = stats.bytes_total
    report.bytes_done = stats.bytes_done
    report.other_forms = stats.skipped_other_form
    report.skipped_stored = stats.skipped_stored
