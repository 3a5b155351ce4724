"""The built-in "Export" workflow: a view (all its rows, its filter and sort) or a selection to
CSV or XLSX, streamed in chunks, with progress and cancel.

One step, "export":
  1. count the rows (one covering-index count, or ordering the selected ids) for the progress bar;
  2. read chunk N+1 on the background reader while a one-worker executor encodes chunk N: a
     thread for CSV (the csv module is C), a spawned, niced process for XLSX (XlsxWriter is pure
     Python and would hold the GIL against the UI thread). File encoding never runs on the
     event-loop thread; at most two chunks are in memory;
  3. check for cancel at every chunk boundary; finish() closes the file and renames it into place.
A cancelled, failed or interrupted export waits for the chunk in flight, then removes its temp
files: nothing is left under the chosen name (an existing file there is kept as it was).

    handle = await start_export(engine, db, window.current_query, path, "xlsx")      # the view
    handle = await start_export(engine, db, ExportSelection.of(ids, query), path, "csv")  # selection
    result = await handle.wait(); result.output("export")  # {"path", "rows", "sheets", "notes", ...}
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import multiprocessing
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from catalynx_desktop.domain.export_selection import ExportSelection
from catalynx_desktop.domain.query import OpportunityQuery
from catalynx_desktop.domain.runs import RunRecord
from catalynx_desktop.export import worker
from catalynx_desktop.export.writers import (
    ExportFormat,
    WriteSummary,
    leftover_temp_paths,
    remove_temp_paths,
)
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.opportunity_export import (
    CHUNK_ROWS,
    EXPORT_FIELDS,
    export_stream,
)
from catalynx_desktop.workflows.engine import RunHandle, Step, StepContext, Workflow, WorkflowEngine

log = logging.getLogger(__name__)

EXPORT = "export"
ExportSource = OpportunityQuery | ExportSelection | Sequence[int]
T = TypeVar("T")
# Share of the progress bar kept for finish(): XlsxWriter assembles and zips the sheets at the
# end (measured ~15-20% of an XLSX export); a CSV finish is just a rename.
_FINISH_SHARE = {ExportFormat.CSV: 0.0, ExportFormat.XLSX: 0.15}


def export_format(path: Path | str, fmt: ExportFormat | str | None) -> ExportFormat:
    """The format asked for, or the one the file name says (.csv / .xlsx)."""
    if fmt:
        return ExportFormat(str(fmt).lower().lstrip("."))
    suffix = Path(path).suffix.lower().lstrip(".")
    try:
        return ExportFormat(suffix)
    except ValueError:
        raise ValueError(f"choose CSV or XLSX (file name {Path(path).name!r} says neither)") from None


class _WriterWorker:
    """One worker (a thread, or a spawned process) that runs the writer's calls in order.

    Its futures are concurrent.futures ones: they survive asyncio cancellation, so cleanup can
    wait for a call already running before it removes the files under it.
    """

    def __init__(self, in_process: bool) -> None:
        self.token = uuid.uuid4().hex
        self._executor: concurrent.futures.Executor
        if in_process:
            self._executor = concurrent.futures.ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"), initializer=worker.init_process
            )
        else:
            self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="export-writer")
        self.inflight: concurrent.futures.Future[Any] | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
        self.inflight = self._executor.submit(fn, self.token, *args)
        return self.inflight

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.wrap_future(self.submit(fn, *args))

    async def settle(self) -> None:
        """Wait (ignoring further cancels and errors) until the call in flight has ended."""
        future = self.inflight
        while future is not None and not future.done():
            # shield: a further cancel of this task must not cancel the queued call itself
            with contextlib.suppress(BaseException):
                await asyncio.shield(asyncio.wrap_future(future))

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def export_workflow(
    db: Database,
    source: ExportSource,
    path: Path | str,
    fmt: ExportFormat | str | None = None,
    *,
    chunk_rows: int = CHUNK_ROWS,
    writer_options: dict[str, Any] | None = None,
    in_process: bool | None = None,
) -> Workflow:
    target = Path(path)
    fmt = export_format(target, fmt)
    options = dict(writer_options or {})
    finish_share = _FINISH_SHARE[fmt]

    async def export(ctx: StepContext) -> dict[str, Any]:
        stream = export_stream(db, source, chunk_rows)
        ctx.progress(0, None, "Counting rows")
        total = await stream.count()
        ctx.set_counts(rows=0)
        ctx.check_cancelled()
        worker_ = _WriterWorker(fmt is ExportFormat.XLSX if in_process is None else in_process)
        opening: concurrent.futures.Future[list[str]] | None = None
        done = 0
        try:
            opening = worker_.submit(worker.open_slot, str(target), fmt.value, EXPORT_FIELDS, options)
            await asyncio.wrap_future(opening)
            row_scale = 1.0 - finish_share
            writing: concurrent.futures.Future[Any] | None = None
            pending_rows = 0
            async for rows in stream.chunks():
                if writing is not None:  # chunk N was encoded while chunk N+1 was read
                    await asyncio.wrap_future(writing)
                    done += pending_rows
                    ctx.set_counts(rows=done)
                    ctx.progress(done * row_scale, total, f"Exported {done:,} of {total:,} rows")
                ctx.check_cancelled()
                writing, pending_rows = worker_.submit(worker.write_slot, rows), len(rows)
            if writing is not None:
                await asyncio.wrap_future(writing)
                done += pending_rows
                ctx.set_counts(rows=done)
            ctx.check_cancelled()
            ctx.progress(done * row_scale, total, f"Exported {done:,} rows; writing {target.name}")
            summary: WriteSummary = await worker_.call(worker.finish_slot)
        except BaseException:
            await worker_.settle()
            # Also when the open call finished after a cancel reached us (abort of no slot: no-op).
            try:
                worker_.submit(worker.abort_slot)
                await worker_.settle()
                abort = worker_.inflight
                if abort is not None and abort.exception() is not None:
                    raise abort.exception()  # type: ignore[misc]
            except Exception:  # the worker process died (BrokenProcessPool): clean up from here
                log.warning("export writer could not abort; removing its temp files", exc_info=True)
                if (
                    opening is not None
                    and opening.done()
                    and not opening.cancelled()
                    and opening.exception() is None
                ):
                    remove_temp_paths(opening.result())
            raise
        finally:
            worker_.close()
        ctx.set_counts(rows=summary.rows, sheets=summary.sheets, missing=stream.missing)
        text = " ".join((f"Exported {summary.rows:,} rows to {summary.path.name}.", *summary.notes))
        ctx.progress(1, 1, text)
        return {
            "summary": text,  # what the window shows when the export ends
            "path": str(summary.path),
            "format": summary.format.value,
            "rows": summary.rows,
            "sheets": summary.sheets,
            "bytes": summary.bytes,
            "notes": list(summary.notes),
            "missing": stream.missing,
        }

    return Workflow(EXPORT, (Step("export", export),))


def remove_leftovers(interrupted: Sequence[RunRecord]) -> int:
    """Remove the temp files of exports whose process was killed (the runs just marked
    interrupted at start-up; their parameters name the target file). Blocking: run off the loop.
    Returns how many files and folders went."""
    removed = 0
    for run in interrupted:
        if run.workflow == EXPORT and isinstance(run.parameters.get("path"), str):
            leftovers = leftover_temp_paths(run.parameters["path"])
            remove_temp_paths(leftovers)
            removed += len(leftovers)
    return removed


def _describe(source: ExportSource) -> dict[str, Any]:
    if isinstance(source, OpportunityQuery):
        return {
            "source": "view",
            "profile_id": source.profile_id,
            "stage": None if source.stage is None else str(source.stage),
            "sort": str(source.sort),
            "descending": source.descending,
        }
    if isinstance(source, ExportSelection):
        described = {"source": "selection", "selected": len(source.ids)}
        if source.query is not None:
            described.update(
                profile_id=source.query.profile_id,
                sort=str(source.query.sort),
                descending=source.query.descending,
            )
        return described
    return {"source": "selection", "selected": len(source)}


async def start_export(
    engine: WorkflowEngine,
    db: Database,
    query_or_ids: ExportSource,
    path: Path | str,
    fmt: ExportFormat | str | None = None,
    *,
    chunk_rows: int = CHUNK_ROWS,
    writer_options: dict[str, Any] | None = None,
    in_process: bool | None = None,
) -> RunHandle:
    """Start an export; returns the handle (subscribe / cancel / wait).

    query_or_ids: the view's OpportunityQuery (every row of it, its filter and sort), an
    ExportSelection (ids, optionally ordered like a view), or plain ids (kept in that order).
    fmt: "csv" / "xlsx" (ExportFormat), or None to take it from the file name.
    in_process: encode in a worker process (default: XLSX yes, CSV no, see above).
    The run's stored parameters hold a description of the source, never the id list.
    """
    fmt = export_format(path, fmt)
    workflow = export_workflow(
        db,
        query_or_ids,
        path,
        fmt,
        chunk_rows=chunk_rows,
        writer_options=writer_options,
        in_process=in_process,
    )
    context = {"path": str(path), "format": fmt.value, **_describe(query_or_ids)}
    return await engine.start(workflow, context)
