"""The Import workflow's step for IRS 990 returns: progress, counts, the saved problems CSV.

Called by workflow.py's "import" step when the file is a return, a folder of returns or a TEOS
zip (the format is detected first), so a 990 import is stored, shown and cancelled like any other.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from catalynx_desktop.sources.detect import Format
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.cancel import RunCancelled
from catalynx_desktop.workflows.engine import StepContext
from catalynx_desktop.workflows.importing.irs990_import import import_returns
from catalynx_desktop.workflows.importing.irs990_report import Irs990Report, write_problems_csv


def _save_problems(report: Irs990Report, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_problems_csv(report, target)


def irs990_output(report: Irs990Report, problems_csv: Path | None) -> dict[str, Any]:
    """The step's output: the keys every import has (summary, first_errors, rejects_csv) and
    the 990 figures."""
    return {
        "summary": report.summary(),
        "records_read": report.members,
        "inserted": report.inserted,
        "updated": 0,
        "unchanged": report.skipped_stored + report.already_stored,
        "skipped": report.problem_count,
        "matched": report.matched,
        "from_cache": False,
        "grants": report.grants,
        "superseded": report.superseded,
        "other_forms": report.other_forms,
        "with_missing_fields": report.with_missing_fields,
        "index": report.index,
        "workers": report.workers,
        "rejects_csv": str(problems_csv) if problems_csv else "",
        "first_errors": [problem.message for problem in report.problems[:20]],
    }


async def run_irs990_import(
    ctx: StepContext, db: Database, path: Path, found: Format, reports: Path
) -> dict[str, Any]:
    """Import the returns of `path` (its index from the run context, or found beside a zip)."""

    def progress(report: Irs990Report) -> None:
        done, total = report.bytes_done, report.bytes_total
        ctx.progress(
            done,
            total or None,
            f"{report.members:,} returns · {report.grants:,} grants · "
            f"{done / 2**20:,.1f} of {total / 2**20:,.1f} MB",
        )

    index = ctx.context.get("index") or None
    report = await import_returns(
        db, path, fmt=found, index=index, progress=progress, cancel=lambda: ctx.cancelled
    )
    ctx.set_counts(
        read=report.members,
        inserted=report.inserted,
        unchanged=report.skipped_stored + report.already_stored,
        skipped=report.problem_count,
        grants=report.grants,
    )
    problems = None
    if report.problems:
        target = reports / f"run-{ctx.run_id}-problems.csv"
        problems = await asyncio.to_thread(_save_problems, report, target)
    if report.cancelled:
        raise RunCancelled(report.summary())  # committed batches stay; a re-run skips them
    return irs990_output(report, problems)
