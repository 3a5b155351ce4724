"""Shared fixtures: Qt offscreen, one qasync event loop for the session, temp data directories."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(scope="session")
def qloop(qapp) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop driving the QApplication, like the real app (one per session: qasync loops
    are not meant to be created and closed repeatedly on one QApplication)."""
    import qasync

    qapp.setQuitOnLastWindowClosed(False)  # closing a test's window must not stop the loop
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()  # also stops qasync's executor threads (asyncio.to_thread runs there)
    asyncio.set_event_loop(None)


@pytest.fixture
def run(qloop) -> Callable[..., Any]:
    """run(coro, timeout=60): run a coroutine on the qasync loop and return its result."""

    def runner(coro: Coroutine[Any, Any, Any], timeout: float = 60.0) -> Any:
        return qloop.run_until_complete(asyncio.wait_for(coro, timeout))

    return runner


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An empty data directory; CATALYNX_HOME points at it so nothing touches the user's files."""
    home = tmp_path / "catalynx-home"
    monkeypatch.setenv("CATALYNX_HOME", str(home))
    return home
