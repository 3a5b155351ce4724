"""A job that writes the database from its own process (workflows/child_process): the app side
refuses it on a damaged database and records damage the job met; the job side opens its writer
connection and turns SQLite's errors into the messages the app shows for its own writes."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from catalynx_desktop.storage.database import Database, connect_writer
from catalynx_desktop.storage.errors import CorruptDatabaseError, classify, is_damage
from catalynx_desktop.workflows.child_process import run_in_child

R = TypeVar("R")


async def run_writing_job(
    db: Database,
    job: Callable[..., R],
    *args: Any,
    progress: Callable[[Any], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    name: str = "catalynx-job",
    cancel_grace_s: float = 10.0,
) -> R:
    """run_in_child for a job that writes `db` (it opens it with job_writer(db.path))."""
    if db.damage is not None:  # writing into a damaged file can only spread the damage
        raise CorruptDatabaseError(db.path, db.damage)
    try:
        return await run_in_child(
            job, *args, progress=progress, cancel=cancel, name=name, cancel_grace_s=cancel_grace_s
        )
    except CorruptDatabaseError as error:
        db.note_damage(error.detail)  # no more writes from the app either
        raise


@contextlib.contextmanager
def job_writer(db_path: Path) -> Iterator[sqlite3.Connection]:
    """The job's writer connection (storage/database.connect_writer), closed at the end; an
    SQLite error inside becomes the StorageError (or CorruptDatabaseError) the app would raise."""
    try:
        conn = connect_writer(db_path)
    except sqlite3.Error as error:
        raise classify(error, db_path) from error
    try:
        yield conn
    except sqlite3.Error as error:
        if is_damage(error):
            raise CorruptDatabaseError(db_path, str(error)) from error
        raise classify(error, db_path) from error
    finally:
        conn.close()
