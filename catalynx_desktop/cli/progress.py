"""Text progress bars for long commands."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from catalynx_desktop.workflows.engine import RunHandle, RunResult
    from catalynx_desktop.workflows.progress import ProgressSnapshot


def count(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 profile", "3 profiles", "1 opportunity", "2 opportunities"."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def _end_progress_line(finished: bool, width: int) -> None:
    """Keep a finished bar on its line; blank out one that stopped early, so that the half-printed
    bar (its message cut at 60 characters) does not stand in front of the full error."""
    sys.stdout.write("\n" if finished else f"\r{' ' * width}\r")
    sys.stdout.flush()


def print_progress(label: str, done: int, total: int, started: float) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    rate = done / max(time.perf_counter() - started, 1e-6)
    sys.stdout.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} ({rate:,.0f}/s)")
    sys.stdout.flush()


async def follow_run(handle: RunHandle, label: str) -> RunResult:
    """Print a run's progress as a text bar until it ends; Ctrl+C cancels it (committed work stays)."""
    from catalynx_desktop.domain.runs import RunStatus

    width = 30
    line = f"{label} [{'.' * width}] {0:6.1%} {'':60}"  # every line has this length

    def show(snapshot: ProgressSnapshot) -> None:
        filled = int(width * snapshot.fraction)
        sys.stdout.write(
            f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {snapshot.fraction:6.1%} "
            f"{snapshot.message[:60]:60}"
        )
        sys.stdout.flush()

    handle.subscribe(show)
    try:
        result = await handle.wait()
    except KeyboardInterrupt:
        handle.cancel("interrupted from the keyboard")
        result = await handle.wait()
    _end_progress_line(result.status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL), len(line))
    return result


def run_error(result: RunResult) -> str:
    """What went wrong in a run, for a person: the failed step's own message (a full disk says
    so and what to do) rather than the engine's "step 'x' failed: SomeError: ..." summary."""
    for outcome in result.steps.values():
        if outcome.status.value == "failed" and outcome.error:
            kind, _, message = outcome.error.partition(": ")
            return message if kind in ("StorageError", "DataDirectoryError", "FormatError") else outcome.error
    return result.error
