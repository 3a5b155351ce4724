"""Importing files: what the UI asks before an import (format, a grantor list's first rows) and
the start of an Import run. Detection and preview read the file, so they run in a thread."""

from __future__ import annotations

import asyncio
from pathlib import Path

from catalynx_desktop.cache import Cache
from catalynx_desktop.sources.detect import Format, detect_format
from catalynx_desktop.sources.user_list import ColumnMapping, Preview, preview
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.engine import RunHandle, WorkflowEngine
from catalynx_desktop.workflows.importing.workflow import start_import


def index_for(zip_path: Path, indexes: list[Path], zip_count: int) -> Path | None:
    """The IRS 990 index CSV chosen with a TEOS zip: the one named for the zip's year
    (`2024_TEOS_XML_05A.zip` -> `index_2024.csv`), else the only index given with the only zip."""
    year = zip_path.name[:4]
    for index in indexes:
        if year.isdigit() and year in index.name:
            return index
    return indexes[0] if len(indexes) == 1 and zip_count == 1 else None


class Imports:
    def __init__(self, engine: WorkflowEngine, db: Database, parse_cache: Cache | None) -> None:
        self._engine = engine
        self._db = db
        self._parse_cache = parse_cache

    async def detect(self, path: Path, claimed: Format | str | None = None) -> Format:
        """The file's format; FormatError (naming the file) if it is not one we read."""
        return await asyncio.to_thread(detect_format, path, claimed)

    async def preview(self, path: Path) -> Preview:
        """A grantor list's first rows and the guessed column mapping."""
        return await asyncio.to_thread(preview, path)

    async def start(
        self,
        path: Path | str,
        *,
        fmt: str | None = None,
        mapping: ColumnMapping | None = None,
        index: Path | str | None = None,
    ) -> RunHandle:
        """Start an Import run; an unchanged file is replayed from the parse cache. `index`: the
        IRS 990 index CSV that goes with a TEOS zip (else one named index_YYYY.csv beside it is used)."""
        return await start_import(
            self._engine,
            self._db,
            path,
            fmt=fmt,
            mapping=mapping,
            parse_cache=self._parse_cache,
            index=index,
        )
