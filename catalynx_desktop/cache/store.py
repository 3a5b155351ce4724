"""The synchronous half of the cache: SQLite index + value files. Runs on ONE worker thread.

Layout of a cache directory:
    index.sqlite3          entries(kind, key, size, created, expires, fingerprint, last_access,
                           hits, value | file) + meta(total bytes, entry count) kept by triggers
    values/<2 hex>/<32 hex>.v   values whose stored size is >= INLINE_MAX
    values/tmp/            files being written (renamed into place when complete)

Rules that keep two processes (and crashes) from corrupting it:
* every index change is one BEGIN IMMEDIATE transaction (WAL, busy_timeout), so row count and
  byte total (maintained by triggers, not by this process's memory) are always consistent;
* a value file gets a fresh random name, is written to tmp/ and os.replace()d into place
  BEFORE its row is committed, so a committed row never points at a partial file;
* a file is unlinked only AFTER the transaction that removed its row has committed; a crash
  in between leaves an orphan file, which the sweep at open removes (never a dangling row);
* anything that does not decode is a miss and its row is deleted by (id, created), so we
  never delete a newer value another process just wrote under the same key.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

INDEX_FILENAME = "index.sqlite3"
VALUES_DIRNAME = "values"
INLINE_MAX = 128 * 1024  # stored bytes; measured: a 68 KB value reads ~25% faster inline than from a file
EVICT_STEP = 64  # rows removed per write at most: eviction never becomes one long pause
ORPHAN_GRACE_S = 600.0  # a file this young may belong to another process's in-flight write
ACCESS_FLUSH_ROWS = 512
ACCESS_FLUSH_S = 1.0
EXPIRY_SWEEP_S = 1.0
SCHEMA_VERSION = 1

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS entries (
    id          INTEGER PRIMARY KEY,  -- (id, created) names one version of an entry
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    size        INTEGER NOT NULL,
    created     REAL NOT NULL,
    expires     REAL,
    fingerprint BLOB,
    last_access REAL NOT NULL,
    hits        INTEGER NOT NULL DEFAULT 0,
    value       BLOB,
    file        TEXT,
    UNIQUE (kind, key)
)""",
    "CREATE INDEX IF NOT EXISTS entries_lru ON entries (last_access)",
    "CREATE INDEX IF NOT EXISTS entries_expires ON entries (expires) WHERE expires IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO meta VALUES ('bytes', 0), ('entries', 0)",
    # Totals kept by triggers, inside each writer's transaction: exact even with two processes.
    """CREATE TRIGGER IF NOT EXISTS entries_ins AFTER INSERT ON entries BEGIN
    UPDATE meta SET value = value + NEW.size WHERE name = 'bytes';
    UPDATE meta SET value = value + 1 WHERE name = 'entries';
END""",
    """CREATE TRIGGER IF NOT EXISTS entries_upd AFTER UPDATE OF size ON entries BEGIN
    UPDATE meta SET value = value + NEW.size - OLD.size WHERE name = 'bytes';
END""",
    """CREATE TRIGGER IF NOT EXISTS entries_del AFTER DELETE ON entries BEGIN
    UPDATE meta SET value = value - OLD.size WHERE name = 'bytes';
    UPDATE meta SET value = value - 1 WHERE name = 'entries';
END""",
)


@dataclass(frozen=True)
class Row:
    id: int
    created: float
    expires: float | None
    fingerprint: bytes | None
    value: bytes | None
    file: str | None


def is_corruption(error: BaseException) -> bool:
    """A damaged index (rebuild it), as opposed to a busy/locked/disk-full condition."""
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    text = str(error).lower()
    return (
        "malformed" in text
        or "not a database" in text
        or "file is encrypted" in text
        or "no such table" in text
        or "no such column" in text
    )


class Store:
    """Owns one sqlite3 connection; every method must be called from the same worker thread."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.values_dir = self.directory / VALUES_DIRNAME
        self.tmp_dir = self.values_dir / "tmp"
        self.index_path = self.directory / INDEX_FILENAME
        self._pending: dict[int, tuple[float, int]] = {}  # id -> (last_access, hits to add)
        self._last_flush = time.monotonic()
        self._last_expiry_sweep = 0.0
        self._rebuilt = False
        self.conn = self._open_index()
        # After a rebuild no file can be referenced; otherwise spare young files, which may be
        # another process's write between rename and commit.
        self.sweep_orphans(grace_s=0.0 if self._rebuilt else ORPHAN_GRACE_S)

    # -- index lifecycle --------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.index_path, isolation_level=None, timeout=10.0)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")  # a cache may lose its last writes, never rows
        conn.execute("PRAGMA mmap_size = 67108864")  # reads of inline values skip a copy
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"cache index is a newer version ({version})")
            for statement in _SCHEMA:  # not executescript(): it would COMMIT our transaction
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute(
                "SELECT id, kind, key, size, created, expires, fingerprint, last_access, hits,"
                " value, file FROM entries LIMIT 1"
            ).fetchall()
            conn.execute("COMMIT")
        except BaseException:
            conn.close()  # closing rolls back
            raise
        return conn

    def _open_index(self) -> sqlite3.Connection:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
            if not is_corruption(error) and "newer version" not in str(error):
                raise
            log.warning("cache index %s is unusable (%s); rebuilding it", self.index_path, error)
            self._discard_index_files()
            self._rebuilt = True
            return self._connect()

    def _discard_index_files(self) -> None:
        # The value files become orphans; the sweep that follows (grace 0) removes them.
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.index_path}{suffix}")

    def rebuild(self) -> None:
        """Called when an operation finds the index damaged: start over with an empty cache."""
        log.warning("cache index %s is damaged; rebuilding it empty", self.index_path)
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()
        self._pending.clear()
        self._discard_index_files()
        self.conn = self._connect()
        self.sweep_orphans(grace_s=0.0)

    def close(self) -> None:
        try:
            self.flush_access()
            self.conn.execute("PRAGMA optimize")
        except sqlite3.Error:
            log.debug("cache flush on close failed", exc_info=True)
        self.conn.close()

    def sweep_orphans(self, grace_s: float = ORPHAN_GRACE_S) -> int:
        """Delete value files no row points to (left by a crash between commit and unlink)."""
        if not self.values_dir.is_dir():
            return 0
        known = {name for (name,) in self.conn.execute("SELECT file FROM entries WHERE file IS NOT NULL")}
        cutoff = time.time() - grace_s
        removed = 0
        for sub in self.values_dir.iterdir():
            if not sub.is_dir():
                continue
            for path in sub.iterdir():
                rel = f"{sub.name}/{path.name}"
                if rel in known:
                    continue
                try:
                    if path.stat().st_mtime <= cutoff:
                        path.unlink()
                        removed += 1
                except FileNotFoundError:
                    pass
        if removed:
            log.info("cache: removed %d orphaned value files", removed)
        return removed

    # -- reads ------------------------------------------------------------------------------
    def lookup(self, kind: str, key: str) -> Row | None:
        r = self.conn.execute(
            "SELECT id, created, expires, fingerprint, value, file FROM entries WHERE kind = ? AND key = ?",
            (kind, key),
        ).fetchone()
        return Row(*r) if r is not None else None

    def read_file(self, rel: str) -> bytes:
        with open(self.values_dir / rel, "rb") as fh:
            return fh.read()

    def note_access(self, row_id: int, now: float) -> None:
        """Record a hit without a write transaction per get: hits are batched (LRU order may lag ≤ 1 s)."""
        _, hits = self._pending.get(row_id, (now, 0))
        self._pending[row_id] = (now, hits + 1)
        if len(self._pending) >= ACCESS_FLUSH_ROWS or time.monotonic() - self._last_flush >= ACCESS_FLUSH_S:
            self.flush_access()

    def flush_access(self) -> None:
        if not self._pending:
            self._last_flush = time.monotonic()
            return
        updates = [(last, hits, row_id) for row_id, (last, hits) in self._pending.items()]
        self._pending.clear()
        self._last_flush = time.monotonic()
        self._transaction(
            lambda c: c.executemany(
                "UPDATE entries SET last_access = max(last_access, ?), hits = hits + ? WHERE id = ?", updates
            )
        )

    def counts(self) -> tuple[int, int]:
        """(entries, bytes) from the trigger-maintained meta rows: O(1), exact across processes."""
        values = dict(self.conn.execute("SELECT name, value FROM meta").fetchall())
        return int(values.get("entries", 0)), int(values.get("bytes", 0))

    # -- writes -----------------------------------------------------------------------------
    def _transaction(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(self.conn)
            self.conn.execute("COMMIT")  # can fail too (disk full): then roll back below
        except BaseException:
            # SQLite may have rolled back on its own (SQLITE_FULL, IOERR): ROLLBACK would raise then.
            if self.conn.in_transaction:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    log.debug("cache: ROLLBACK failed", exc_info=True)
            raise
        return result

    def _write_file(self, data: bytes) -> str:
        name = uuid.uuid4().hex
        rel = f"{name[:2]}/{name}.v"
        tmp = self.tmp_dir / f"{name}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        target = self.values_dir / rel
        try:
            os.replace(tmp, target)
        except FileNotFoundError:  # shard directory not there yet
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        return rel

    def put(
        self, kind: str, key: str, stored: bytes, expires: float | None, fingerprint: bytes | None, now: float
    ) -> None:
        """Insert or replace one entry, then evict a small step if over the size bound."""
        rel = self._write_file(stored) if len(stored) >= INLINE_MAX else None
        inline = None if rel else stored

        def txn(c: sqlite3.Connection) -> list[str]:
            doomed: list[str] = []
            old = c.execute("SELECT id, file FROM entries WHERE kind = ? AND key = ?", (kind, key)).fetchone()
            if old is None:
                c.execute(
                    "INSERT INTO entries (kind, key, size, created, expires, fingerprint, last_access,"
                    " hits, value, file) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                    (kind, key, len(stored), now, expires, fingerprint, now, inline, rel),
                )
            else:
                # in place (fewer pages touched than delete + insert); the new `created` makes it
                # a new version for remove_row, and the size trigger keeps the byte total exact
                self._pending.pop(old[0], None)
                c.execute(
                    "UPDATE entries SET size = ?, created = ?, expires = ?, fingerprint = ?,"
                    " last_access = ?, hits = 0, value = ?, file = ? WHERE id = ?",
                    (len(stored), now, expires, fingerprint, now, inline, rel, old[0]),
                )
                if old[1]:
                    doomed.append(old[1])
            doomed += self._evict_step(c, now)
            return doomed

        try:
            self.flush_access()  # pending LRU updates ride along before eviction looks at them
            doomed = self._transaction(txn)
        except BaseException:
            if rel:
                self._unlink(rel)
            raise
        self._unlink_all(doomed)

    def _evict_step(self, c: sqlite3.Connection, now: float) -> list[str]:
        """Drop expired rows, then least-recently-used rows while over max_bytes; ≤ EVICT_STEP rows."""
        doomed: list[str] = []
        expired: list[tuple[int, str | None]] = []
        if now - self._last_expiry_sweep >= EXPIRY_SWEEP_S:  # gets drop expired rows they meet anyway
            self._last_expiry_sweep = now
            expired = c.execute(
                "SELECT id, file FROM entries WHERE expires IS NOT NULL AND expires <= ? LIMIT ?",
                (now, EVICT_STEP // 4),
            ).fetchall()
        budget = EVICT_STEP - len(expired)
        victims = list(expired)
        total = c.execute("SELECT value FROM meta WHERE name = 'bytes'").fetchone()[0]
        if expired:
            ids = [r[0] for r in expired]
            marks = ",".join("?" * len(ids))
            total -= c.execute(
                f"SELECT coalesce(sum(size), 0) FROM entries WHERE id IN ({marks})", ids
            ).fetchone()[0]
        if total > self.max_bytes:
            seen = {r[0] for r in expired}
            for row_id, rel, size in c.execute(
                "SELECT id, file, size FROM entries ORDER BY last_access, id LIMIT ?", (budget + len(seen),)
            ):
                if total <= self.max_bytes or budget <= 0:
                    break
                if row_id in seen:
                    continue
                victims.append((row_id, rel))
                total -= size
                budget -= 1
        if victims:
            c.executemany("DELETE FROM entries WHERE id = ?", [(r[0],) for r in victims])
            for row_id, rel in victims:
                self._pending.pop(row_id, None)
                if rel:
                    doomed.append(rel)
        return doomed

    def trim_step(self) -> int:
        """One small eviction step outside a write (e.g. after max_bytes was lowered); rows removed."""
        self.flush_access()
        doomed_rows: list[str] = []

        def txn(c: sqlite3.Connection) -> int:
            before = c.total_changes
            doomed_rows.extend(self._evict_step(c, time.time()))
            return c.total_changes - before

        changed = self._transaction(txn)
        self._unlink_all(doomed_rows)
        return changed

    def remove_row(self, row_id: int, created: float) -> None:
        """Delete one exact version of an entry, then its file. Matching `created` too means we
        never delete a newer value another process wrote meanwhile (ids can be reused)."""

        def txn(c: sqlite3.Connection) -> list[str]:
            r = c.execute(
                "DELETE FROM entries WHERE id = ? AND created = ? RETURNING file", (row_id, created)
            ).fetchone()
            return [r[0]] if r and r[0] else []

        self._pending.pop(row_id, None)
        self._unlink_all(self._transaction(txn))

    def delete(self, kind: str, key: str) -> bool:
        def txn(c: sqlite3.Connection) -> tuple[bool, list[str]]:
            r = c.execute("SELECT id, file FROM entries WHERE kind = ? AND key = ?", (kind, key)).fetchone()
            if r is None:
                return False, []
            c.execute("DELETE FROM entries WHERE id = ?", (r[0],))
            self._pending.pop(r[0], None)
            return True, [r[1]] if r[1] else []

        found, doomed = self._transaction(txn)
        self._unlink_all(doomed)
        return found

    def delete_many(self, kind: str, keys: list[str]) -> int:
        def txn(c: sqlite3.Connection) -> list[tuple[int, str | None]]:
            gone = []
            for key in keys:
                r = c.execute(
                    "DELETE FROM entries WHERE kind = ? AND key = ? RETURNING id, file", (kind, key)
                ).fetchone()
                if r is not None:
                    gone.append(r)
            return gone

        gone = self._transaction(txn)
        for row_id, _ in gone:
            self._pending.pop(row_id, None)
        self._unlink_all([rel for _, rel in gone if rel])
        return len(gone)

    def count_present(self, kind: str, keys: list[str]) -> int:
        sql = "SELECT count(*) FROM entries WHERE kind = ? AND key = ?"
        return sum(self.conn.execute(sql, (kind, key)).fetchone()[0] for key in keys)

    def count_intact(self, kind: str, keys: list[str]) -> int:
        """Like count_present, but an entry kept in a file counts only if that file is there with
        the size that was stored (one stat each): a deleted, cut-off or replaced value file shows
        here instead of midway through a stream of chunks."""
        sql = "SELECT size, file FROM entries WHERE kind = ? AND key = ?"
        intact = 0
        for key in keys:
            row = self.conn.execute(sql, (kind, key)).fetchone()
            if row is None:
                continue
            size, rel = row
            if rel is not None:
                try:
                    if os.stat(self.values_dir / rel).st_size != size:
                        continue
                except OSError:
                    continue
            intact += 1
        return intact

    def clear(self, kind: str | None) -> int:
        """Remove all entries (of one kind), in batches so another process is never locked out long."""
        removed = 0
        self._pending.clear()
        while True:

            def txn(c: sqlite3.Connection) -> list[tuple[int, str | None]]:
                if kind is None:
                    rows = c.execute("SELECT id, file FROM entries LIMIT 1000").fetchall()
                else:
                    rows = c.execute(
                        "SELECT id, file FROM entries WHERE kind = ? LIMIT 1000", (kind,)
                    ).fetchall()
                c.executemany("DELETE FROM entries WHERE id = ?", [(r[0],) for r in rows])
                return rows

            rows = self._transaction(txn)
            self._unlink_all([r[1] for r in rows if r[1]])
            removed += len(rows)
            if len(rows) < 1000:
                return removed

    def _unlink_all(self, rels: Iterable[str]) -> None:
        for rel in rels:
            self._unlink(rel)

    def _unlink(self, rel: str) -> None:
        try:
            os.unlink(self.values_dir / rel)
        except FileNotFoundError:
            pass
        except OSError:  # e.g. Windows: another process has it open; the sweep gets it later
            log.debug("cache: could not remove %s", rel, exc_info=True)
