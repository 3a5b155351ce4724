"""Run a coroutine on a fresh asyncio loop, for tests of code that needs no Qt."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


def arun(coro: Coroutine[Any, Any, Any], timeout: float = 120.0) -> Any:
    """Not asyncio.run(): that ends with set_event_loop(None), which would unset the session's
    qasync loop (tests/conftest.py) for the GUI tests that run later."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(asyncio.wait_for(coro, timeout))
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
