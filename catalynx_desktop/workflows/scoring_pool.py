"""Fan chunks of scoring work out to worker processes and hand the results back in chunk order.

Runs in the scoring job's own process (scoring.py runs the step with workflows/child_process),
never in the UI process. Why worker processes: scoring is pure-Python CPU work, and on more
than one core it runs in parallel. Workers read their own chunks from SQLite (read-only, WAL),
so the job process only receives the rows to write, and they run at lower priority (nice)
so the UI thread wins the CPU. "spawn" because it is what Windows and macOS do anyway, and
the job process has threads of its own.

At most 2n+1 chunks are in flight: memory stays bounded and a cancel wastes little work.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from catalynx_desktop.workflows.scoring_worker import WorkerConfig, init_worker

R = TypeVar("R")

_POLL_S = 0.1  # how often a wait for a chunk looks at Cancel


def default_workers() -> int:
    """All cores: workers are niced, so on 2 cores the UI still gets the CPU when it needs it."""
    return max(1, os.cpu_count() or 1)


def _start_pool(config: WorkerConfig, workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(config,),
    )


def _result(future: Future[R], cancelled: Callable[[], bool]) -> R | None:
    """The chunk's result once ready; None if cancelled first."""
    while True:
        try:
            return future.result(timeout=_POLL_S)
        except FutureTimeout:
            if cancelled():
                return None


def map_chunks(
    config: WorkerConfig,
    fn: Callable[[int, int], R],
    bounds: Sequence[tuple[int, int]],
    handle: Callable[[R], Any],
    cancelled: Callable[[], bool],
    *,
    workers: int | None = None,
) -> bool:
    """Run fn(lo, hi) for every chunk in worker processes; call handle(result) in chunk order.
    False if cancelled first (checked every 0.1 s while waiting and before each handle): chunks
    not started are dropped, and the ones being scored (~0.1 s each) are waited for.

    The pool is always shut down with wait=True: this process ends soon after, and on exit
    multiprocessing closes the pool's call queue before an unwaited shutdown has sent the
    workers their stop signal, so they (and this process, joining them) waited for ever."""
    if not bounds:
        return True
    workers = max(1, min(workers or default_workers(), len(bounds)))
    pool = _start_pool(config, workers)
    pending: deque[Future[R]] = deque()
    chunks = iter(bounds)

    def submit() -> None:
        for lo, hi in chunks:
            pending.append(pool.submit(fn, lo, hi))
            return

    try:
        for _ in range(2 * workers + 1):
            submit()
        while pending:
            result = _result(pending.popleft(), cancelled)
            if result is None or cancelled():
                return False
            submit()
            handle(result)
        return True
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
