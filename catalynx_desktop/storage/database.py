"""The async SQLite layer: a read connection for the views, one for background reads, one locked writer.

Every connection is an aiosqlite connection, i.e. a dedicated thread: nothing here runs SQLite
on the caller's (UI) thread. A hop to that thread costs ~150-200 µs, so callers should do a
whole unit of work per hop: `read(fn)` / `write(fn)` run a plain function against the raw
sqlite3 connection on its own thread and return its result.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from catalynx_desktop.storage.errors import CorruptDatabaseError, classify, is_damage
from catalynx_desktop.storage.migrations import migrate
from catalynx_desktop.storage.schema_v2 import BUMP_SQL, READ_SQL
from catalynx_desktop.storage.schema_v9 import DataFingerprint, read_fingerprint

log = logging.getLogger(__name__)

T = TypeVar("T")
Params = Sequence[Any] | dict[str, Any]

_COMMON_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
)
# Page cache per connection (negative = KiB): bounded, independent of the row count. The
# writer gets most (bulk inserts touch many index pages); the interactive reader holds the
# pages being browsed (the OS caches the rest of the file); the background reader does
# one-pass scans (position maps, exports, counting broad searches) that a cache would not help.
_CACHE_KIB = {"writer": 32_000, "reader": 8_000, "background": 4_000}
# Sorts and temporary indexes: in memory for the short reads of the views; in temp files for the
# background reader, whose sorts (every match of a broad search) would otherwise grow the
# process by tens of MB that the allocator keeps afterwards.
_TEMP_STORE = {"writer": "MEMORY", "reader": "MEMORY", "background": "FILE"}


def _pragmas(role: str) -> list[str]:
    pragmas = [
        *_COMMON_PRAGMAS,
        f"PRAGMA cache_size = -{_CACHE_KIB[role]}",
        f"PRAGMA temp_store = {_TEMP_STORE[role]}",
    ]
    if role == "writer":
        return [*pragmas, "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"]
    return [*pragmas, "PRAGMA query_only = ON"]


def connect_writer(path: Path, *, busy_timeout_ms: int = 60_000) -> sqlite3.Connection:
    """A writer connection like the app's, for a job in a child process (workflows/child_process):
    plain sqlite3 on the caller's own thread. Its transactions take SQLite's write lock, so they
    run between the app writer's, never beside them; it waits for the app's writes longer than the
    app waits for it (a job's batch may wait behind a large stage move). The database must exist
    and be migrated (Database.open did that)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in _pragmas("writer"):
            conn.execute(pragma)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    except BaseException:
        conn.close()
        raise
    return conn


def run_in_transaction(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    """Run `fn(conn)` in one IMMEDIATE transaction, committed on return, rolled back on error;
    a change bumps the data version (cached query results of older versions are stale then)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = conn.total_changes
        result = fn(conn)
        if conn.total_changes != before:
            conn.execute(BUMP_SQL)
        # COMMIT can fail too (a full disk refuses the last WAL frames): the transaction
        # must not stay open on the writer, or every later write would fail.
        conn.execute("COMMIT")
    except BaseException:
        _roll_back(conn)
        raise
    return result


def _roll_back(conn: sqlite3.Connection) -> None:
    """Roll back what is still open. SQLite itself may already have rolled the transaction back
    (SQLITE_FULL, SQLITE_IOERR, ...): a ROLLBACK then would raise and hide the real error."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        log.warning("ROLLBACK after a failed write failed too", exc_info=True)


class Database:
    """Owns the connections to one database file. Create with `await Database.open(path)`."""

    def __init__(
        self,
        path: Path,
        reader: aiosqlite.Connection,
        background: aiosqlite.Connection,
        writer: aiosqlite.Connection,
    ) -> None:
        self.path = path
        self._reader = reader
        self._background = background
        self._writer = writer
        self._write_lock = asyncio.Lock()
        self._closed = False
        self.damage: str | None = None  # what showed the file is damaged; writes are refused then

    # -- lifecycle -------------------------------------------------------------------------
    @classmethod
    async def open(cls, path: Path, *, backups_dir: Path | None = None) -> Database:
        """Create or migrate the database, then open its connections. Raises StorageError."""
        path = Path(path)
        backups = backups_dir or path.parent / "backups"
        opened: list[aiosqlite.Connection] = []
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            await asyncio.to_thread(migrate, path, backups)
            for role in ("writer", "reader", "background"):
                opened.append(await cls._connect(path, role))
        except Exception as error:
            for conn in opened:  # their threads would keep the process alive after the error
                await conn.close()
            raise classify(error, path) from error
        writer, reader, background = opened
        return cls(path, reader, background, writer)

    @staticmethod
    async def _connect(path: Path, role: str) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            for pragma in _pragmas(role):
                await conn.execute(pragma)
        except BaseException:
            await conn.close()
            raise
        return conn

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        async with self._write_lock:
            try:
                await self._writer.execute("PRAGMA optimize")
            except sqlite3.Error:
                log.debug("PRAGMA optimize failed on close", exc_info=True)
        for conn in (self._reader, self._background, self._writer):
            await conn.close()

    @property
    def closed(self) -> bool:
        return self._closed

    # -- reads -----------------------------------------------------------------------------
    async def read(self, fn: Callable[[sqlite3.Connection], T], *, background: bool = False) -> T:
        """Run `fn(conn)` on a read connection's thread (one hop) and return its result.

        The interactive reader serves table pages; `background=True` uses the second reader
        so slow reads (exports, counts over searches) never queue in front of a page.
        """
        conn = self._background if background else self._reader
        return await self._run(conn, fn)

    async def fetch_all(
        self, sql: str, params: Params = (), *, background: bool = False
    ) -> list[tuple[Any, ...]]:
        return await self.read(lambda c: c.execute(sql, params).fetchall(), background=background)

    async def fetch_one(
        self, sql: str, params: Params = (), *, background: bool = False
    ) -> tuple[Any, ...] | None:
        return await self.read(lambda c: c.execute(sql, params).fetchone(), background=background)

    # -- writes ----------------------------------------------------------------------------
    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn(conn)` in one IMMEDIATE transaction on the writer's thread, committed on return.

        All writes go through here, one at a time (the lock), so imports and workflows can
        write while the views keep reading from their own WAL snapshot.
        """
        if self.damage is not None:  # writing into a damaged file can only spread the damage
            raise CorruptDatabaseError(self.path, self.damage)
        async with self._write_lock:
            return await self._run(self._writer, partial(run_in_transaction, fn=fn))

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        """executemany in one transaction; returns the number of rows changed."""

        def run(conn: sqlite3.Connection) -> int:
            before = conn.total_changes
            conn.executemany(sql, rows)
            return conn.total_changes - before

        return await self.write(run)

    async def data_version(self) -> int:
        """Bumped by every committed write that changed something (see schema_v2)."""
        row = await self.fetch_one(READ_SQL)
        return int(row[0]) if row else 0

    async def data_fingerprint(self) -> DataFingerprint:
        """(database identity, data version): what cached query results are valid for (schema_v9)."""
        return await self.read(read_fingerprint)

    async def check_integrity(self) -> str | None:
        """PRAGMA quick_check on a connection of its own, opened for the check: never on the views'
        reader (it would delay pages), nor on the background reader (the 2 s it takes on a
        1,000,000-opportunity database held up the position map and made jumps slower in
        bench_core). None if the file is sound, else what is wrong, and writes stop.
        Measured on a 1,000,000-opportunity database (~1 GB): see README, reliability table."""

        def quick_check(conn: sqlite3.Connection) -> str | None:
            rows = conn.execute("PRAGMA quick_check(5)").fetchall()
            problems = [str(row[0]) for row in rows if row[0] != "ok"]
            return "; ".join(problems)[:300] or None  # the first problems are enough to say it

        checker = await self._connect(self.path, "background")
        try:
            problem = await self._run(checker, quick_check)
        except CorruptDatabaseError:
            return self.damage  # _run has recorded it
        finally:
            await checker.close()
        if problem is not None:
            self._mark_damaged(problem)
        return problem

    def note_damage(self, detail: str) -> None:
        """What a job's own connection (workflows/child_process) found: the file is damaged."""
        self._mark_damaged(detail)

    def _mark_damaged(self, detail: str) -> None:
        if self.damage is None:
            log.error("database %s is damaged: %s; writes are refused from now on", self.path, detail)
            self.damage = detail

    async def interrupt_background(self) -> None:
        """Abort a long read on the background connection (e.g. a cancelled export)."""
        await self._background.interrupt()

    # -- plumbing --------------------------------------------------------------------------
    async def _run(self, conn: aiosqlite.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._closed:
            raise RuntimeError("database is closed")
        try:
            # aiosqlite's Connection._execute runs a callable on the connection's own thread;
            # it is private API, so aiosqlite is pinned in pyproject.toml and this is covered
            # by tests/storage/test_database.py.
            # (untyped in aiosqlite: the result is fn's, a T)
            return await conn._execute(lambda: fn(conn._conn))  # type: ignore[no-untyped-call, no-any-return]
        except sqlite3.Error as error:
            if is_damage(error):  # a read or write that met damage: no more writes
                self._mark_damaged(str(error))
                raise CorruptDatabaseError(self.path, str(error)) from error
            raise classify(error, self.path) from error
