"""A long job in a child process of its own (workflows/child_process.run_in_child): its progress
and result come back, its exceptions come back as themselves, Cancel stops it (and a child that
ignores Cancel is stopped for it), a crash is one clear error, and the child never outlives the
caller that gave up on it. The jobs below run in the spawned child, so they live at module level."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.storage.errors import CorruptDatabaseError
from catalynx_desktop.workflows.child_process import (
    BACKGROUND_NICE,
    JobContext,
    JobProcessError,
    run_in_child,
)
from tests.workflows.test_irs990_import import run_fresh


def counting_job(ctx: JobContext[int], upto: int) -> str:
    for n in range(1, upto + 1):
        ctx.progress(n)
    return f"counted to {upto}"


def failing_job(ctx: JobContext[None], what: str) -> None:
    if what == "format":
        raise FormatError(Path("/data/2024_TEOS_XML_05A.zip"), "the zip's directory is cut short")
    if what == "damage":
        raise CorruptDatabaseError(Path("/data/catalynx.sqlite3"), "database disk image is malformed")
    raise _LocalError(what)


class _LocalError(Exception):
    """Its constructor needs two arguments: pickle cannot rebuild it from its message alone."""

    def __init__(self, what: str, extra: int = 0, *, more: object = None) -> None:
        super().__init__(what)
        self.more = more if more is not None else (lambda: extra)  # a lambda: cannot be pickled


def until_cancelled_job(ctx: JobContext[int]) -> str:
    ctx.progress(os.getpid())
    while not ctx.cancelled:
        time.sleep(0.01)
    return "stopped at the cancel"


def deaf_job(ctx: JobContext[int]) -> None:
    ctx.progress(os.getpid())
    time.sleep(600)  # never looks at ctx.cancelled


def crashing_job(ctx: JobContext[None]) -> None:
    os._exit(3)


def niceness_job(ctx: JobContext[None]) -> int:
    return os.nice(0)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers signal 0: only a reaped child is gone for good.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][:1] != "Z"
    except OSError:
        return False


def test_progress_and_result_come_back_in_order() -> None:
    seen: list[int] = []
    result = run_fresh(run_in_child(counting_job, 5, progress=seen.append))
    assert result == "counted to 5"
    assert seen == [1, 2, 3, 4, 5]


def test_errors_come_back_as_themselves() -> None:
    with pytest.raises(FormatError) as format_error:
        run_fresh(run_in_child(failing_job, "format"))
    assert format_error.value.user_message == "2024_TEOS_XML_05A.zip: the zip's directory is cut short"
    assert format_error.value.reason == "the zip's directory is cut short"
    with pytest.raises(CorruptDatabaseError) as damage:
        run_fresh(run_in_child(failing_job, "damage"))
    assert damage.value.detail == "database disk image is malformed"
    assert "Restore a backup" in damage.value.user_message


def test_an_error_that_cannot_travel_keeps_its_type_and_text() -> None:
    with pytest.raises(JobProcessError, match="_LocalError: what went wrong"):
        run_fresh(run_in_child(failing_job, "what went wrong"))


def test_cancel_lets_the_job_return_what_it_has() -> None:
    pids: list[int] = []
    result = run_fresh(run_in_child(until_cancelled_job, progress=pids.append, cancel=lambda: bool(pids)))
    assert result == "stopped at the cancel"
    assert pids and not alive(pids[0])


def test_a_job_deaf_to_cancel_is_stopped_after_the_grace_period() -> None:
    pids: list[int] = []
    started = time.monotonic()
    with pytest.raises(JobProcessError, match="did not stop within 1 s of Cancel"):
        run_fresh(
            run_in_child(
                deaf_job, progress=pids.append, cancel=lambda: bool(pids), name="deaf", cancel_grace_s=1
            )
        )
    assert time.monotonic() - started < 30
    assert pids and not alive(pids[0])


def test_a_crash_is_one_clear_error() -> None:
    with pytest.raises(JobProcessError, match=r"crashing stopped unexpectedly \(exit code 3\)"):
        run_fresh(run_in_child(crashing_job, name="crashing"))


def test_a_caller_that_gives_up_takes_the_child_down() -> None:
    pids: list[int] = []

    async def give_up() -> None:
        running = asyncio.Event()

        def started(pid: int) -> None:
            pids.append(pid)
            running.set()

        job = asyncio.ensure_future(run_in_child(deaf_job, progress=started))
        await running.wait()
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job

    run_fresh(give_up())
    assert pids and not alive(pids[0])


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX niceness")
def test_the_job_runs_below_the_ui_priority() -> None:
    assert run_fresh(run_in_child(niceness_job)) == min(19, os.nice(0) + BACKGROUND_NICE)
