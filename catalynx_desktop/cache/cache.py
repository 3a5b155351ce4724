"""The async cache the app uses. Create with `await Cache.open(directory)`.

Every operation is ONE hop to a dedicated worker thread that owns the SQLite index, the value
files and the zstd contexts; the caller's (UI) thread only awaits. Hops are ~50-150 µs, so an
operation does all its work (lookup, read, decode, hit bookkeeping) in that single hop.

Freshness of an entry is decided per kind:
* a fixed TTL in seconds (`ttl_by_kind={"search": 600}`), or None for "no time limit";
* a fingerprint the caller passes on set and get: the entry is only valid while the
  fingerprint is unchanged (a file's size/mtime/content hash via `FileFingerprint`, a table's data version
  token, a hash of scoring weights). A mismatch is a miss and removes the stale entry.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from catalynx_desktop.cache.codec import Codec, CorruptEntry, pack
from catalynx_desktop.cache.store import Store, is_corruption
from catalynx_desktop.cache.worker import Worker

log = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_MAX_BYTES = 500 * 1024 * 1024
DEFAULT_TTL_S = 7 * 24 * 3600.0


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


_HASH_BLOCK = 1 << 20  # 64 KiB and 1 MiB reads cost the same here; 4 MiB was slower


@dataclass(frozen=True)
class FileFingerprint:
    """'Valid until this file changes': size, mtime and a hash of the bytes, so a same-size edit
    with the mtime put back is a change too. Resolved on the cache's worker thread, never the
    caller's. SHA-256 because it is the fastest hashlib digest on CPUs with SHA extensions:
    a 100 MB file took 0.09-0.15 s here (blake2b 0.29 s, sha1 0.21 s); once on get, once on set."""

    path: str | os.PathLike[str]

    def resolve(self) -> tuple[int, int, bytes]:
        st = os.stat(self.path)
        digest = hashlib.sha256()
        with open(self.path, "rb") as file:
            while block := file.read(_HASH_BLOCK):
                digest.update(block)
        return (st.st_size, st.st_mtime_ns, digest.digest())


@dataclass(frozen=True)
class CacheStats:
    hits: int  # this session, this process
    misses: int
    entries: int  # whole cache directory, all processes
    bytes: int  # stored (compressed) bytes, all entries
    max_bytes: int

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


class Cache:
    """Async, size-bounded, compressed key/value cache keyed by (kind, key)."""

    def __init__(
        self, worker: Worker, store: Store, ttl_by_kind: Mapping[str, float | None], default_ttl: float | None
    ) -> None:
        self._worker = worker
        self._store = store
        self._codec = Codec()  # zstd contexts are not thread-safe: only the worker thread uses it
        self._ttl_by_kind = dict(ttl_by_kind)
        self._default_ttl = default_ttl
        self._inflight: dict[tuple[str, str], asyncio.Task[Any]] = {}
        self._hits = 0
        self._misses = 0
        self._closed = False

    @classmethod
    async def open(
        cls,
        directory: str | os.PathLike[str],
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        ttl_by_kind: Mapping[str, float | None] | None = None,
        default_ttl: float | None = DEFAULT_TTL_S,
    ) -> Cache:
        """Open (creating, or rebuilding if damaged) the cache in `directory`."""
        worker = Worker("catalynx-cache")
        try:
            store = await worker.submit(Store, Path(directory), max_bytes)
        except BaseException:
            worker.stop()
            raise
        return cls(worker, store, ttl_by_kind or {}, default_ttl)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for task in list(self._inflight.values()):
            task.cancel()
        try:
            await self._hop(self._store.close, allow_closed=True)
        finally:
            self._worker.stop(timeout=5.0)  # queue is empty by now: returns at once

    @property
    def directory(self) -> Path:
        return self._store.directory

    @property
    def max_bytes(self) -> int:
        return self._store.max_bytes

    # -- public API -------------------------------------------------------------------------
    async def get(self, kind: str, key: str, *, fingerprint: Any = None, default: Any = None) -> Any:
        """The cached value, or `default` on a miss (absent, expired, stale fingerprint, corrupt)."""
        value = await self._hop(self._get_sync, kind, key, fingerprint)
        if value is MISSING:
            self._misses += 1
            return default
        self._hits += 1
        return value

    async def set(
        self,
        kind: str,
        key: str,
        value: Any,
        *,
        fingerprint: Any = None,
        ttl: float | _Missing | None = MISSING,
    ) -> bool:
        """Store `value`; False if it was not stored (too big for the cache, or an I/O error).

        Raises TypeError for values msgpack cannot encode (a programming error, not a cache fault).
        """
        ttl_s = self._ttl_for(kind) if ttl is MISSING else ttl
        return await self._hop(self._set_sync, kind, key, value, fingerprint, ttl_s)

    async def delete(self, kind: str, key: str) -> bool:
        return bool(await self._hop(self._tolerant, self._store.delete, kind, key))

    async def delete_many(self, kind: str, keys: list[str]) -> int:
        """Delete several entries in one hop and one transaction; returns how many existed."""
        return int(await self._hop(self._tolerant, self._store.delete_many, kind, list(keys)))

    async def contains_all(self, kind: str, keys: list[str], *, check_files: bool = False) -> bool:
        """True if every key has an entry (not checking expiry or fingerprints). One hop.

        check_files: also that each value kept in a file is there whole (its stored size)."""
        count = self._store.count_intact if check_files else self._store.count_present
        return await self._hop(count, kind, list(keys)) == len(keys)

    async def clear(self, kind: str | None = None) -> int:
        """Remove every entry (or every entry of one kind); returns how many were removed."""
        return await self._hop(self._store.clear, kind)

    async def trim(self, max_bytes: int | None = None) -> None:
        """Bring the cache under `max_bytes` (default: the current bound), optionally setting a new
        bound first. Works in small steps, one hop each, so neither the UI nor another process
        waits on one long transaction."""
        if max_bytes is not None:
            self._store.max_bytes = max_bytes  # plain int, read by the worker on its next write
        while (await self._hop(self._counts_sync))[1] > self._store.max_bytes:
            if not await self._hop(self._store.trim_step):
                break

    async def stats(self) -> CacheStats:
        entries, size = await self._hop(self._counts_sync)
        return CacheStats(self._hits, self._misses, entries, size, self._store.max_bytes)

    async def get_or_compute(
        self,
        kind: str,
        key: str,
        compute: Callable[[], Awaitable[T] | T],
        *,
        fingerprint: Any = None,
        ttl: float | _Missing | None = MISSING,
    ) -> T:
        """Cached value, or `await compute()` stored and returned. Concurrent misses on the same
        (kind, key) in this process share one computation (single flight).

        `compute` may be a coroutine function or a plain function; CPU-heavy plain functions
        should be wrapped by the caller (e.g. `lambda: asyncio.to_thread(parse, path)`), because
        the cache calls it on the event loop. A failing compute is not cached; every waiter
        gets its exception. Cancelling one waiter does not cancel the shared computation.
        """
        flight = (kind, key)
        task = self._inflight.get(flight)
        if task is None:
            task = asyncio.ensure_future(self._fill(kind, key, compute, fingerprint, ttl))
            self._inflight[flight] = task
            task.add_done_callback(lambda t: self._forget(flight, t))
        return await asyncio.shield(task)

    # -- async plumbing ---------------------------------------------------------------------
    async def _fill(
        self, kind: str, key: str, compute: Callable[[], Any], fingerprint: Any, ttl: float | _Missing | None
    ) -> Any:
        value = await self.get(kind, key, fingerprint=fingerprint, default=MISSING)
        if value is not MISSING:
            return value
        result = compute()
        if inspect.isawaitable(result):
            result = await result
        try:
            await self.set(kind, key, result, fingerprint=fingerprint, ttl=ttl)
        except TypeError:
            log.warning("cache: %s/%s computed a value msgpack cannot store; not cached", kind, key)
        return result

    def _forget(self, flight: tuple[str, str], task: asyncio.Task[Any]) -> None:
        if self._inflight.get(flight) is task:
            del self._inflight[flight]
        if not task.cancelled():
            task.exception()  # mark retrieved: waiters got it; avoid "never retrieved" noise

    def _hop(self, fn: Callable[..., T], *args: Any, allow_closed: bool = False) -> asyncio.Future[T]:
        if self._closed and not allow_closed:
            raise RuntimeError("cache is closed")
        return self._worker.submit(self._guarded, fn, *args)

    def _ttl_for(self, kind: str) -> float | None:
        return self._ttl_by_kind.get(kind, self._default_ttl)

    # -- worker-thread side (one call = one hop) ---------------------------------------------
    def _guarded(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn`; if the index turns out to be damaged, rebuild it and retry once."""
        try:
            return fn(*args)
        except sqlite3.DatabaseError as error:
            if not is_corruption(error):
                raise
            self._store.rebuild()
            return fn(*args)

    @staticmethod
    def _fingerprint_bytes(fingerprint: Any) -> bytes | None:
        if fingerprint is None:
            return None
        if isinstance(fingerprint, FileFingerprint):
            try:
                fingerprint = fingerprint.resolve()
            except OSError:
                return b"\x00missing"  # file gone: matches nothing we stored from a real stat
        return pack(fingerprint)

    def _get_sync(self, kind: str, key: str, fingerprint: Any) -> Any:
        try:
            return self._get_checked(kind, key, fingerprint)
        except sqlite3.OperationalError as error:
            if is_corruption(error):
                raise  # _guarded rebuilds the index
            # locked past busy_timeout, disk trouble: a cache that cannot answer is a miss
            log.warning("cache: lookup of %s/%s failed: %s", kind, key, error)
            return MISSING

    def _get_checked(self, kind: str, key: str, fingerprint: Any) -> Any:
        row = self._store.lookup(kind, key)
        if row is None:
            return MISSING
        now = time.time()
        if row.expires is not None and row.expires <= now:
            self._store.remove_row(row.id, row.created)
            return MISSING
        if fingerprint is not None and row.fingerprint != self._fingerprint_bytes(fingerprint):
            self._store.remove_row(row.id, row.created)  # the source changed: this entry can never hit again
            return MISSING
        try:
            stored = row.value if row.file is None else self._store.read_file(row.file)
            if stored is None:  # neither inline bytes nor a file: not a row we wrote
                raise CorruptEntry("no value")
            value = self._codec.decode(stored)
        except FileNotFoundError:
            # Another process replaced/evicted it between our lookup and read, or a crash ate the
            # file. remove_row matches (id, created), so it never deletes a newer version.
            log.info("cache: %s/%s value file missing; treated as a miss", kind, key)
            self._store.remove_row(row.id, row.created)
            return MISSING
        except (CorruptEntry, OSError) as error:
            log.warning("cache: dropping corrupt entry %s/%s: %s", kind, key, error)
            self._store.remove_row(row.id, row.created)
            return MISSING
        self._store.note_access(row.id, now)
        return value

    def _set_sync(self, kind: str, key: str, value: Any, fingerprint: Any, ttl: float | None) -> bool:
        stored = self._codec.encode(value)  # TypeError for unsupported types propagates
        if len(stored) > self._store.max_bytes // 4:
            log.info(
                "cache: %s/%s is %d bytes, over a quarter of the cache; not stored", kind, key, len(stored)
            )
            return False
        now = time.time()
        expires = None if ttl is None else now + ttl
        try:
            self._store.put(kind, key, stored, expires, self._fingerprint_bytes(fingerprint), now)
        except (OSError, sqlite3.OperationalError) as error:
            if isinstance(error, sqlite3.OperationalError) and is_corruption(error):
                raise  # _guarded rebuilds the index
            # disk full, permissions, locked past busy_timeout: a cache write failing is not fatal
            log.warning("cache: could not store %s/%s: %s", kind, key, error)
            return False
        return True

    def _counts_sync(self) -> tuple[int, int]:
        self._tolerant(self._store.flush_access)
        return self._store.counts()

    @staticmethod
    def _tolerant(fn: Callable[..., Any], *args: Any) -> Any:
        """A cache write that fails for the environment's reasons (disk full, locked past the
        busy timeout, permissions) is logged and skipped (0 / None): a cache must never fail
        the work it serves, e.g. an import whose clean-up deletes chunks on a full disk."""
        try:
            return fn(*args)
        except (OSError, sqlite3.OperationalError) as error:
            if isinstance(error, sqlite3.OperationalError) and is_corruption(error):
                raise  # _guarded rebuilds the index
            log.warning("cache: %s failed: %s", getattr(fn, "__name__", "write"), error)
            return 0
