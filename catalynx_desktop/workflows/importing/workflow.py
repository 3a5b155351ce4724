"""The "Import" workflow: one file into source_records (IRS 990 returns into the giving tables), with progress, cancel and a saved report.

The run's parameters (file, format) and counts are persisted by the engine like any run; the
rejected records go to a CSV next to the database (import-reports/run-<id>-rejects.csv) so the
user can open or export them later, and its path is part of the step's output.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from catalynx_desktop.cache import Cache
from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.sources.detect import IRS990_FORMATS, Format, detect_format
from catalynx_desktop.sources.user_list import ColumnMapping
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.cancel import RunCancelled
from catalynx_desktop.workflows.engine import RunHandle, Step, StepContext, Workflow, WorkflowEngine
from catalynx_desktop.workflows.importing.importer import import_file
from catalynx_desktop.workflows.importing.irs990_workflow import run_irs990_import
from catalynx_desktop.workflows.importing.report import ImportReport, write_rejects_csv

IMPORT_WORKFLOW = "Import"
IMPORT_STEP = "import"  # its one step, whose output is the import's report


def reports_dir(db: Database) -> Path:
    return db.path.parent / "import-reports"


def _save_rejects(report: ImportReport, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_rejects_csv(report, target)


def report_output(report: ImportReport, rejects_csv: Path | None) -> dict[str, Any]:
    return {
        "summary": report.summary(),
        "records_read": report.records_read,
        "inserted": report.inserted,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped": report.skipped,
        "matched": report.matched,
        "from_cache": report.from_cache,
        "rejects_csv": str(rejects_csv) if rejects_csv else "",
        "first_errors": [str(error) for error in report.errors[:20]],
    }


def import_workflow(
    db: Database,
    mapping: ColumnMapping | None = None,
    timeout_s: float = 6 * 3600,
    parse_cache: Cache | None = None,
) -> Workflow:
    async def run_import(ctx: StepContext) -> dict[str, Any]:
        path = Path(ctx.context["path"])
        claimed = ctx.context.get("format") or None
        found = await asyncio.to_thread(detect_format, path, claimed)
        if found in IRS990_FORMATS:
            return await _irs990(ctx, db, path, found)

        def progress(bytes_done: int, bytes_total: int, records: int) -> None:
            ctx.progress(
                bytes_done,
                bytes_total,
                f"{records:,} records · {bytes_done / 2**20:,.1f} of {bytes_total / 2**20:,.1f} MB",
            )

        report = await import_file(
            db,
            path,
            fmt=found,
            mapping=mapping,
            progress=progress,
            cancel=lambda: ctx.cancelled,
            parse_cache=parse_cache,
        )
        ctx.set_counts(
            read=report.records_read,
            inserted=report.inserted,
            updated=report.updated,
            unchanged=report.unchanged,
            skipped=report.skipped,
            from_cache=int(report.from_cache),
        )
        rejects = None
        if report.errors:
            target = reports_dir(db) / f"run-{ctx.run_id}-rejects.csv"
            rejects = await asyncio.to_thread(_save_rejects, report, target)
        if report.cancelled:
            # Committed batches stay (a re-run upserts, so nothing is duplicated).
            raise RunCancelled(report.summary())
        if report.incomplete:  # a failed run, not a success with a partial count
            raise ImportIncomplete(report.summary())
        return report_output(report, rejects)

    return Workflow(
        IMPORT_WORKFLOW, (Step(IMPORT_STEP, run_import, timeout_s=timeout_s),), timeout_s=timeout_s
    )


async def _irs990(ctx: StepContext, db: Database, path: Path, found: Format) -> dict[str, Any]:
    if found is Format.IRS990_INDEX:
        raise FormatError(path, "an IRS 990 index is imported together with its TEOS zip (give both)")
    return await run_irs990_import(ctx, db, path, found, reports_dir(db))


def _absolute(path: Path | str) -> str:
    """The path as stored with the run (absolute; string work only, no file system access)."""
    return os.path.abspath(path)


class ImportIncomplete(Exception):
    """The file changed while it was imported: what was read is committed, the rest is not."""

    @property
    def user_message(self) -> str:  # the engine records it as it is (describe_failure)
        return str(self)


async def start_import(
    engine: WorkflowEngine,
    db: Database,
    path: Path | str,
    *,
    fmt: str | None = None,
    mapping: ColumnMapping | None = None,
    parse_cache: Cache | None = None,
    index: Path | str | None = None,
) -> RunHandle:
    """Start importing `path` (format detected unless `fmt` is given). With `parse_cache`, an
    unchanged file is not parsed again."""
    context = {"path": _absolute(path), "format": fmt or ""}
    if index is not None:  # an IRS 990 index given with its zip
        context["index"] = _absolute(index)
    return await engine.start(import_workflow(db, mapping, parse_cache=parse_cache), context)
