"""Writers addressed by a token, so the export workflow can drive one in a worker thread or in a
worker process with the same calls (each is a plain module function: picklable for a process).

XLSX encoding is pure Python (XlsxWriter, ~10 µs per cell): in a thread it competes with the UI
thread for the GIL, so XLSX exports run in a spawned, niced process by default; CSV (the csv
module is C) runs in a thread. Calls for one token must come one at a time, in order (the
workflow uses a one-worker executor).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from typing import Any

from catalynx_desktop.export.writers import ExportFormat, TableWriter, WriteSummary, open_writer
from catalynx_desktop.worker_lifetime import die_with_parent

_WRITERS: dict[str, TableWriter] = {}


def init_process(niceness: int = 5) -> None:
    """Initializer of the writer process: end with the app (a killed window must not leave it
    running), and lower priority, so the UI wins the CPU on 2 cores."""
    die_with_parent()
    with contextlib.suppress(AttributeError, OSError):  # Windows has no os.nice
        os.nice(niceness)


def open_slot(
    token: str, path: str, fmt: ExportFormat | str, fields: Sequence[str], options: dict[str, Any]
) -> list[str]:
    """Open the writer; returns its temp paths (so the caller can clean up if this process dies)."""
    writer = open_writer(path, fmt, fields, **options)
    _WRITERS[token] = writer
    return [str(p) for p in writer.temp_paths()]


def write_slot(token: str, rows: Sequence[Sequence[Any]]) -> int:
    writer = _WRITERS[token]
    writer.write_rows(rows)
    return writer.rows


def finish_slot(token: str) -> WriteSummary:
    writer = _WRITERS.pop(token)
    return writer.finish()


def abort_slot(token: str) -> None:
    writer = _WRITERS.pop(token, None)
    if writer is not None:
        writer.abort()
