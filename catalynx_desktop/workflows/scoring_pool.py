"""Fan chunks of scoring work out to worker processes and hand results back on the event loop.

Why processes: scoring is pure-Python CPU work; in a thread it would hold the GIL and stall
the UI thread. Workers read their own chunks from SQLite (read-only, WAL), so the UI process
only receives the rows to write, and they run at lower priority (nice) so the UI thread wins
the CPU. "spawn" because forking a process that runs Qt and SQLite threads is unsafe, and it
is what Windows and macOS do anyway.

At most `window` chunks are in flight: memory stays bounded and a cancel wastes little work.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from catalynx_desktop.workflows.engine import StepContext
from catalynx_desktop.workflows.scoring_worker import WorkerConfig, init_worker

R = TypeVar("R")


def default_workers() -> int:
    """All cores: workers are niced, so on 2 cores the UI still gets the CPU when it needs it."""
    return max(1, os.cpu_count() or 1)


def _ready() -> bool:
    return True


def _start_pool(config: WorkerConfig, workers: int) -> ProcessPoolExecutor:
    """The pool with its workers running. Off the event loop: building the pool (queues, locks,
    semaphores) took 4-16 ms of one loop callback, and starting a worker process (spawn) blocks
    the caller ~10-20 ms, which the executor does lazily inside submit(); later submits find
    idle workers and spawn nothing. Runs on a default-executor thread, which lives as long as
    the workers (worker_lifetime: the parent-death signal follows the starting thread)."""
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(config,),
    )
    try:
        for future in [pool.submit(_ready) for _ in range(workers)]:
            future.result()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return pool


def _shut_down(started: asyncio.Future[ProcessPoolExecutor]) -> None:
    """A pool that finished starting after its step was cancelled: nobody else will stop it."""
    if not started.cancelled() and started.exception() is None:
        started.result().shutdown(wait=False, cancel_futures=True)


async def map_chunks(
    ctx: StepContext,
    config: WorkerConfig,
    fn: Callable[[int, int], R],
    bounds: Sequence[tuple[int, int]],
    handle: Callable[[R], Awaitable[Any]],
    *,
    workers: int | None = None,
) -> None:
    """Run fn(lo, hi) for every chunk in worker processes; await handle(result) in chunk order.

    Cancel is honoured at chunk boundaries (before each handle) and, because the step task is
    cancelled too, at any await: the pool is then shut down without waiting for it.
    """
    if not bounds:
        return
    workers = max(1, min(workers or default_workers(), len(bounds)))
    loop = asyncio.get_running_loop()
    started = asyncio.ensure_future(asyncio.to_thread(_start_pool, config, workers))
    try:
        pool = await asyncio.shield(started)
    except asyncio.CancelledError:
        started.add_done_callback(_shut_down)
        raise
    pending: deque[asyncio.Future[R]] = deque()
    chunks = iter(bounds)

    def submit() -> None:
        for lo, hi in chunks:
            pending.append(loop.run_in_executor(pool, fn, lo, hi))
            return

    try:
        for _ in range(2 * workers + 1):
            submit()
        while pending:
            result = await pending.popleft()
            ctx.check_cancelled()
            submit()
            await handle(result)
    finally:
        for future in pending:
            future.cancel()
        # Never wait here: this runs on the UI thread. Workers finish their current chunk and exit.
        pool.shutdown(wait=False, cancel_futures=True)
