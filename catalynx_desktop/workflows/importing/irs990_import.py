"""Import IRS 990 returns (one file, a folder, a TEOS zip with its index) into the giving tables.

The whole import runs in a child process of its own (workflows/child_process.run_in_child): its
scheduling, unpickling and SQLite writing are Python that, as threads of the UI process, took
the GIL from the event loop (loop gaps p99 22-25 ms, one of 107 ms, at 100,000 returns). The
app awaits its progress (<= 10/s) and its report. In the child, three stages, each bounded so
memory does not grow with the archive:
- a feeder thread schedules members (sources/irs990/reader.schedule_source: members already
  stored are skipped by object id, members of other forms by the index, from the zip's
  directory alone) and hands batches of ~64 member references to the parse pool
  (irs990_pool.ParsePool: worker processes, <= 2n+1 batches in flight), whose workers read,
  decompress, parse and turn each return into rows (irs990_transport); prepared batches go,
  in order, onto a small queue;
- the child's main thread takes them, collects returns into write batches and stores each with
  storage/giving_store.store_prepared in one transaction on its own writer connection
  (storage/database.connect_writer; funder aggregates of the EINs it touched are refreshed in
  that same transaction). SQLite's write lock orders these with the app's own writes, which
  go on meanwhile (a user's edit waits for one batch at most);
- every bad member is one ParseProblem in the report; the rest imports.

Cancel is checked every 0.1 s while waiting and after every write; the pool is terminated at
once, so Cancel takes effect within the write in progress (~0.1-0.3 s). Everything committed stays;
a re-run skips the stored object ids, so nothing is stored twice.
"""

from __future__ import annotations

import dataclasses
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
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
from catalynx_desktop.storage.database import Database, run_in_transaction
from catalynx_desktop.storage.giving_rows import PreparedReturn, is_stored_990pf
from catalynx_desktop.storage.giving_store import StoreCounts, store_prepared, stored_object_ids
from catalynx_desktop.storage.stated_deadlines import sync_funder_deadlines
from catalynx_desktop.workflows.child_process import JobContext
from catalynx_desktop.workflows.importing.irs990_pool import ParsePool, worker_count
from catalynx_desktop.workflows.importing.irs990_report import Irs990Report
from catalynx_desktop.workflows.importing.irs990_transport import unpack
from catalynx_desktop.workflows.writing_job import job_writer, run_writing_job

Progress990 = Callable[[Irs990Report], None]
CancelCheck = Callable[[], bool]

PROGRESS_INTERVAL_S = 0.1
WRITE_RETURNS = 150  # returns per transaction...
WRITE_GRANTS = 5_000  # ...or grants, whichever comes first
_POLL_S = 0.1
BATCH_TIMEOUT_S = 300.0  # one batch of ~64 returns parses in well under a second
CANCEL_GRACE_S = 10.0  # the child stops within a write; past this it is killed (commits stay)


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
        batch_members: int,
    ) -> None:
        self._archive = str(archive)
        self.queue: queue.Queue[_Item] = queue.Queue(maxsize=4)
        self.stop = threading.Event()
        self._items = items
        self._pool = pool
        self._batch_members = batch_members
        self.thread = threading.Thread(target=self._run, name="catalynx-990-feeder", daemon=True)

    def _put(self, item: _Item) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _deliver_oldest(self) -> bool:
        waited = 0.0
        while not self.stop.is_set():
            parsed = self._pool.oldest(_POLL_S)
            if parsed is not None:  # unpickled here, beside the writer's SQLite work
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

    def __init__(self, conn: sqlite3.Connection, report: Irs990Report) -> None:
        self._conn = conn
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

    def flush(self) -> None:
        if not self._pending:
            return
        batch = self._pending
        self._pending, self._grants = [], 0
        counts: StoreCounts = run_in_transaction(self._conn, partial(_store_batch, batch=batch))
        self._report.add_stored(counts)


def _store_batch(conn: sqlite3.Connection, batch: list[PreparedReturn]) -> StoreCounts:
    """Store the batch; in the same transaction, worked opportunities on funders with a new 990-PF
    get, follow or lose their deadline task, as that return states deadlines or no longer does
    (storage/stated_deadlines.py)."""
    counts = store_prepared(conn, batch)
    foundations = {prepared.ein for prepared in batch if is_stored_990pf(prepared)} & counts.funder_eins
    if foundations:
        sync_funder_deadlines(conn, foundations, date.today())
    return counts


def resolve_index(path: Path, index: Path | None) -> Path | None:
    """The index given, else `index_{YYYY}.csv` beside a `{YYYY}_TEOS_XML_...zip` (None otherwise)."""
    if index is not None or path.is_dir() or path.suffix.lower() != ".zip":
        return index
    return find_index_beside(path)


@dataclass(frozen=True)
class ImportJob:
    """What the child process needs to import: all plain values (they cross a process boundary)."""

    db_path: Path
    path: Path
    format: str
    index: Path | None
    workers: int
    batch_members: int
    limits: Limits


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
    """Import every return of `path` in a child process; the report also when cancelled (see the
    module docstring). FormatError (naming the file) when the archive or its index cannot be read
    at all; a StorageError when the database cannot take the rows (nothing half-written)."""
    job = ImportJob(
        db_path=db.path,
        path=Path(path),
        format=(fmt or Format.IRS990_RETURN).value,
        index=Path(index) if index is not None else None,
        workers=workers or worker_count(),
        batch_members=batch_members,
        limits=limits or Limits(),
    )
    return await run_writing_job(
        db,
        run_import_job,
        job,
        progress=progress,
        cancel=cancel,
        name="catalynx-990-import",
        cancel_grace_s=CANCEL_GRACE_S,
    )


def run_import_job(ctx: JobContext[Irs990Report], job: ImportJob) -> Irs990Report:
    """The child process's side: the whole import on a writer connection of its own."""
    with job_writer(job.db_path) as conn:
        return _import(ctx, conn, job)


def _import(ctx: JobContext[Irs990Report], conn: sqlite3.Connection, job: ImportJob) -> Irs990Report:
    started, cpu = time.perf_counter(), time.process_time()
    index_path = resolve_index(job.path, job.index)
    report = Irs990Report(file=str(job.path), format=job.format, index=str(index_path or ""))
    stats = ReadStats()
    items = schedule_source(
        job.path, index=index_path, limits=job.limits, skip=stored_object_ids(conn), stats=stats
    )
    report.workers = job.workers
    pool = ParsePool(job.workers, job.limits)
    feeder = _Feeder(job.path, items, pool, job.batch_members)
    feeder.thread.start()
    try:
        _consume(ctx, feeder, _Writer(conn, report), report, stats)
    finally:
        feeder.stop.set()
        while not feeder.queue.empty():  # unblock a feeder waiting on a full queue
            feeder.queue.get_nowait()
        pool.close()
        feeder.thread.join()
        _final_counts(report, stats)
        report.duration_s = time.perf_counter() - started
        report.import_cpu_s = time.process_time() - cpu
        children = os.times()  # the pool, joined by close() (0 where the OS does not say: Windows)
        report.parse_cpu_s = children.children_user + children.children_system
    return report


def _consume(
    ctx: JobContext[Irs990Report],
    feeder: _Feeder,
    writer: _Writer,
    report: Irs990Report,
    stats: ReadStats,
) -> None:
    last_progress = 0.0
    while True:
        if ctx.cancelled:
            report.cancelled = True
            return
        try:
            item = feeder.queue.get(timeout=_POLL_S)
        except queue.Empty:
            continue
        if isinstance(item, _Failure):
            raise item.error
        done = isinstance(item, _Done)
        if not isinstance(item, _Done):
            writer.take(item)
        if done or writer.due:
            writer.flush()
        now = time.perf_counter()
        if done or now - last_progress >= PROGRESS_INTERVAL_S:
            last_progress = now
            _final_counts(report, stats)
            ctx.progress(dataclasses.replace(report, problems=[]))  # counts only: the list comes at the end
        if done:
            return


def _final_counts(report: Irs990Report, stats: ReadStats) -> None:
    report.bytes_total = stats.bytes_total
    report.bytes_done = stats.bytes_done
    report.other_forms = stats.skipped_other_form
    report.skipped_stored = stats.skipped_stored
