"""Exporting opportunities: the start of an Export run (CSV or XLSX, written off the UI thread)."""

from __future__ import annotations

from pathlib import Path

from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.engine import RunHandle, WorkflowEngine
from catalynx_desktop.workflows.export import ExportSource, start_export


class Exports:
    def __init__(self, engine: WorkflowEngine, db: Database) -> None:
        self._engine = engine
        self._db = db

    async def start(self, source: ExportSource, path: Path | str, fmt: str | None = None) -> RunHandle:
        """Export a view, a selection or ids to `path` (format from `fmt` or the suffix)."""
        return await start_export(self._engine, self._db, source, path, fmt)
