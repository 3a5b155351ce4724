"""Helpers for the cache tests: plain asyncio (no Qt), one event loop per test."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any


def async_test(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an `async def test_...` on a fresh asyncio loop (pytest-asyncio is not a dependency).

    Not asyncio.run(): that ends with set_event_loop(None), which would unset the session's
    qasync loop (tests/conftest.py) for the GUI tests that run later.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(fn(*args, **kwargs))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()

    return wrapper
