"""Cooperative cancellation that also works from worker threads."""

from __future__ import annotations

import threading


class RunCancelled(Exception):
    """Raised inside a step when its run was cancelled (at a chunk boundary)."""


class CancelToken:
    """Set once by RunHandle.cancel(); long steps poll it between chunks.

    A threading.Event (not an asyncio one) so steps that loop in a worker thread can check it
    too without touching the event loop.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason = ""

    def cancel(self, reason: str = "cancelled by user") -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise RunCancelled(self.reason)
