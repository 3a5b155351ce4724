"""Text progress bars for long commands."""

from __future__ import annotations

import sys
import time


def print_progress(label: str, done: int, total: int, started: float) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    rate = done / max(time.perf_counter() - started, 1e-6)
    sys.stdout.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} ({rate:,.0f}/s)")
    sys.stdout.flush()


async def follow_run(handle, label: str):
    """Print a run's progress as a text bar until it ends; Ctrl+C cancels it (committed work stays)."""
    width = 30

    def show(snapshot) -> None:
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
    print()
    return result


def run_error(result) -> str:
    """What went wrong in a run, for a person: the failed step's own message (a full disk says
    so and what to do) rather than the engine's "step 'x' failed: SomeError: ..." summary."""
    for outcome in result.steps.values():
        if outcome.status.value == "failed" and outcome.error:
            kind, _, message = outcome.error.partition(": ")
            return message if kind in ("StorageError", "DataDirectoryError", "FormatError") else outcome.error
    return result.error
