"""The batch writer: one parsed batch into source_records, and what it did into the report.

Each batch is one `Database.write` (one IMMEDIATE transaction + executemany on the writer
thread); the upsert keeps the full-text index of the records in the same transaction
(storage/source_records_store.py), so a committed batch is searchable and a killed import
leaves nothing half-indexed. A whole parse is also copied, batch by batch, into the parse cache
(on the cache's thread, while the batch goes to SQLite).
"""

from __future__ import annotations

import asyncio
from functools import partial

from catalynx_desktop.cache import ChunkWriter
from catalynx_desktop.storage import source_records_store as store
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.importing.cache_replay import batch_to_chunk
from catalynx_desktop.workflows.importing.pump import Batch
from catalynx_desktop.workflows.importing.report import ImportReport


class BatchWriter:
    """Writes batches in order and keeps the report's counts up to date."""

    def __init__(self, db: Database, report: ImportReport, user_list: bool) -> None:
        self._db = db
        self._report = report
        self._user_list = user_list  # user lists are matched to known organizations while writing
        self.to_cache: ChunkWriter | None = None  # set while a whole parse fills the parse cache

    async def write(self, batch: Batch) -> None:
        report = self._report
        to_cache = (
            asyncio.ensure_future(self.to_cache.add(batch_to_chunk(batch)))
            if self.to_cache is not None
            else None
        )
        if batch.rows or batch.records:
            counts = await self._upsert(batch)
            report.inserted += counts.inserted
            report.updated += counts.updated
            report.unchanged += counts.unchanged
        if to_cache is not None:
            await to_cache
        report.batches += 1
        report.add_errors(batch.errors)
        report.records_read = batch.records_read
        report.bytes_read = batch.bytes_read

    async def _upsert(self, batch: Batch) -> store.UpsertCounts:
        if not self._user_list:
            return await self._db.write(partial(store.upsert_rows, rows=batch.rows))
        counts = await self._db.write(partial(store.upsert_user_records, records=batch.records))
        report = self._report
        report.matched_by_ein += counts.by_ein
        report.matched_by_name_state += counts.by_name_state
        report.matched = report.matched_by_ein + report.matched_by_name_state
        return counts.upsert
