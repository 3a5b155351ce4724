"""Run progress: snapshots, an ETA estimate, and a throttled fan-out to subscribers.

Steps may report thousands of times a second; a UI must not repaint more than ~10 times a
second. The reporter coalesces: it delivers at most one snapshot per `min_interval`, always
the latest (a trailing update is scheduled so the last state before a pause is not lost),
and `finish()` always delivers the final snapshot immediately.

Subscriber callbacks run on the event loop's thread (the Qt UI thread under qasync), so a
panel can update widgets directly from them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

MAX_UPDATES_PER_SECOND = 10


@dataclass(frozen=True)
class ProgressSnapshot:
    run_id: int
    workflow: str
    status: str  # RunStatus value
    fraction: float  # 0..1 over the whole run (steps weighted)
    message: str
    counts: Mapping[str, int] = field(default_factory=dict)
    eta_s: float | None = None  # None until there is enough progress to estimate
    elapsed_s: float = 0.0
    step: str = ""  # the step that reported last
    final: bool = False


Subscriber = Callable[[ProgressSnapshot], Any]


class EtaEstimator:
    """Remaining time from the average rate since the run started.

    A whole-run average is steadier than an instantaneous rate for chunked work (progress
    jumps once per chunk); no estimate before 1% or 0.5 s of progress, when it is noise.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._start = clock()

    def elapsed(self) -> float:
        return self._clock() - self._start

    def eta(self, fraction: float) -> float | None:
        elapsed = self.elapsed()
        if fraction >= 1.0:
            return 0.0
        if fraction < 0.01 or elapsed < 0.5:
            return None
        return elapsed * (1.0 - fraction) / fraction


class ThrottledReporter:
    """Deliver snapshots to subscribers at most `1 / min_interval` times a second (latest wins)."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        min_interval: float = 1.0 / MAX_UPDATES_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._loop = loop
        self._interval = min_interval
        self._clock = clock
        self._subscribers: list[Subscriber] = []
        self._last_emit = float("-inf")
        self._pending: ProgressSnapshot | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._finished = False
        self.latest: ProgressSnapshot | None = None
        self.delivered = 0

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Add a callback; returns a function that removes it. New subscribers get the latest state."""
        self._subscribers.append(callback)
        if self.latest is not None:
            self._loop.call_soon(self._call, callback, self.latest)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def update(self, snapshot: ProgressSnapshot) -> None:
        """Offer a snapshot (event-loop thread only). Delivered now, or coalesced into a trailing update."""
        if self._finished:
            return
        self.latest = snapshot
        now = self._clock()
        if now - self._last_emit >= self._interval and self._timer is None:
            self._emit(snapshot, now)
            return
        self._pending = snapshot
        if self._timer is None:
            delay = max(0.0, self._last_emit + self._interval - now)
            self._timer = self._loop.call_later(delay, self._flush)

    def finish(self, snapshot: ProgressSnapshot) -> None:
        """Deliver the final snapshot immediately, whatever the throttle says, and stop."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending = None
        self.latest = snapshot
        self._emit(snapshot, self._clock())
        self._finished = True

    def _flush(self) -> None:
        self._timer = None
        snapshot, self._pending = self._pending, None
        if snapshot is not None and not self._finished:
            self._emit(snapshot, self._clock())

    def _emit(self, snapshot: ProgressSnapshot, now: float) -> None:
        self._last_emit = now
        self.delivered += 1
        for callback in list(self._subscribers):
            self._call(callback, snapshot)

    @staticmethod
    def _call(callback: Subscriber, snapshot: ProgressSnapshot) -> None:
        # A broken subscriber (e.g. a closed panel) must not break the run.
        try:
            callback(snapshot)
        except Exception:
            log.exception("progress subscriber failed")
