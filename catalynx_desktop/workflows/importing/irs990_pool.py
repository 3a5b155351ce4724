"""Worker processes that read, parse and prepare IRS 990 members, batches of member references
in and ready-to-bind returns out, in order (irs990_transport).

Why processes: parsing a return is pure Python over lxml (~0.3 ms to a few ms each); in a thread
it would hold the GIL against the event loop and the SQLite writer. Why batches: one round trip
per member would cost more in pickling and wake-ups than the parse; `reader.batches` groups ~64.

Bounded: at most `in_flight` batches are queued or being parsed; the feeder blocks on the oldest
result before sending another, so memory does not grow with the archive.

Workers die with their parent (worker_lifetime.die_with_parent in the initializer: on Linux the
kernel's parent-death signal, elsewhere a thread on the parent's sentinel); as a second guard, a
worker blocked on its task pipe gets EOF when the parent is gone and exits. `close()` terminates
them at once (Cancel does not wait for the batches in flight).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from multiprocessing.pool import AsyncResult, Pool

from catalynx_desktop.sources.irs990.reader import Limits, MemberRef, RawMember
from catalynx_desktop.worker_lifetime import die_with_parent
from catalynx_desktop.workflows.importing.irs990_transport import prepare_for_parent

Parsed = list[bytes]  # one pickled return (or problem) each: see irs990_transport


def _die_with_parent() -> None:
    """Worker initializer: end with the parent (worker_lifetime, as every child of the app), and
    leave Ctrl+C to the parent (which cancels and then terminates the pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()


def worker_count(cpus: int | None = None) -> int:
    """Parsing processes: one core stays for the import process (reader, SQLite writer) and the
    window (on 2 cores: 1 worker; the shares are measured in benchmarks/bench_irs990_import.py)."""
    cpus = cpus if cpus is not None else (os.cpu_count() or 1)
    return max(1, min(cpus - 1, 8))


class ParsePool:
    """A small process pool with ordered, bounded submission (used from one feeder thread)."""

    def __init__(self, processes: int, limits: Limits, in_flight: int | None = None) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process holding Qt/SQLite threads
        self.processes = processes
        self._limits = limits
        self._pool: Pool = context.Pool(processes, initializer=_die_with_parent)
        self._pending: deque[AsyncResult[Parsed]] = deque()
        self._in_flight = in_flight if in_flight is not None else 2 * processes + 1

    def full(self) -> bool:
        return len(self._pending) >= self._in_flight

    def submit(self, archive: str, members: list[MemberRef | RawMember]) -> None:
        """Read (from `archive`: each worker keeps it open), parse and prepare these members."""
        self._pending.append(self._pool.apply_async(prepare_for_parent, (archive, members, self._limits)))

    def has_pending(self) -> bool:
        return bool(self._pending)

    def oldest(self, timeout: float) -> Parsed | None:
        """The oldest batch's returns once parsed; None if not ready within `timeout` seconds.
        A worker's exception is re-raised here."""
        result = self._pending[0]
        result.wait(timeout)
        if not result.ready():
            return None
        self._pending.popleft()
        return result.get()

    def close(self) -> None:
        """Stop the workers now (tasks in flight are dropped) and reap them."""
        self._pending.clear()
        self._pool.terminate()
        self._pool.join()
