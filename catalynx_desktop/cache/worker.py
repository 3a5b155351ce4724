"""One dedicated thread that runs the cache's blocking work, one call per hop.

Leaner than ThreadPoolExecutor + asyncio.wrap_future (no concurrent.futures.Future, no
condition variable, no chained callbacks): a hop is a SimpleQueue.put and one
call_soon_threadsafe back, which is most of the cost of a small cache get.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_STOP = object()


def _deliver(future: asyncio.Future[Any], ok: bool, payload: Any) -> None:
    if future.cancelled():  # the awaiting caller gave up; the work has still been done
        return
    if ok:
        future.set_result(payload)
    else:
        future.set_exception(payload)


class Worker:
    def __init__(self, name: str) -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            loop, future, fn, args = item
            try:
                ok, payload = True, fn(*args)
            except BaseException as error:  # delivered to the awaiting caller
                ok, payload = False, error
            # RuntimeError: the loop closed while we worked, nobody is waiting any more
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_deliver, future, ok, payload)
            del item, future, payload  # do not keep the last value alive while idle

    def submit(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((loop, future, fn, args))
        return future

    def stop(self, timeout: float | None = None) -> None:
        """Finish the queued work, then end the thread."""
        self._queue.put(_STOP)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)
