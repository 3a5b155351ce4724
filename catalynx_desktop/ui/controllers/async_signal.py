"""A signal whose emit() is awaited, for steps the sender must see finished.

A Qt signal's slot runs at once and returns nothing to wait for: a coroutine slot could only start
a task nobody awaits. Where the sender's own work is done only after the others reacted (a stage
move is finished once the profile counts are re-read; a saved profile once the list is reloaded),
the sender emits an AsyncSignal and awaits it: each connected coroutine function runs in the
order it was connected, and the first error propagates to the sender, as a direct call's would.
main_window.py connects them, as it connects the Qt signals.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, ParamSpec

P = ParamSpec("P")


class AsyncSignal(Generic[P]):
    __slots__ = ("_slots",)

    def __init__(self) -> None:
        self._slots: list[Callable[P, Awaitable[object]]] = []

    def connect(self, slot: Callable[P, Awaitable[object]]) -> None:
        self._slots.append(slot)

    async def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for slot in list(self._slots):
            await slot(*args, **kwargs)
