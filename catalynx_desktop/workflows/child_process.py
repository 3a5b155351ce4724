"""Run one long job (an import, a scoring pass) in a child process of its own: the UI process only
awaits its progress and its result.

Why a process and not a thread: a thread that runs Python (unpickling rows, binding them for
executemany, matching names) takes the GIL from the event loop on every switch. Measured on this
2-core machine with the loop's 16 ms heartbeat (benchmarks/results/ui_process_load.md): one or
two busy threads in the UI process stretched the gaps to p99 22-45 ms; three busy *processes*
left them as when idle (p99 20.0 ms, longest 20.8 ms). So the job runs where its GIL is its own,
with its own SQLite writer connection (storage/database.connect_writer: same pragmas, one
transaction per batch; SQLite's write lock and busy timeout order it with the app's writer).

Protocol, child to parent over a one-way pipe: ("progress", payload) as often as the job sends
it (callers throttle to <= 10/s), then ("result", value) or ("error", exception). Cancel is an
message on a second pipe that the job polls (JobContext.cancelled; a pipe, not a
multiprocessing Event, whose named semaphores outlive each run until a garbage collection); it then returns what it has. A child that does not
answer within `cancel_grace_s` of a cancel is killed: what it committed stays, every batch being
one transaction. The child dies with its parent (worker_lifetime), and its own pool with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from catalynx_desktop.worker_lifetime import die_with_parent

R = TypeVar("R")
P = TypeVar("P")

_POLL_S = 0.1
BACKGROUND_NICE = 10
_BELOW_NORMAL_PRIORITY_CLASS = 0x4000


class JobProcessError(RuntimeError):
    """The child ended without a result (killed from outside, out of memory, a crash), or raised an
    exception that cannot travel back as itself (then its type and text are kept)."""


class JobContext(Generic[P]):
    """What the job sees in the child: send progress, ask whether it was cancelled."""

    def __init__(self, send: Connection, cancel: Connection) -> None:
        self._send = send
        self._cancel = cancel
        self._cancelled = False

    def progress(self, payload: P) -> None:
        self._send.send(("progress", payload))

    @property
    def cancelled(self) -> bool:
        if not self._cancelled:
            self._cancelled = self._cancel.poll()  # a message, or EOF: the app is gone
        return self._cancelled


def run_at_background_priority() -> None:
    """Put this process below the UI's priority (its threads and children started afterwards
    inherit it): when the UI thread wakes, the scheduler gives it a core at once instead of at
    the next tick. Measured on 20,000 returns with the import in a child, loop gaps p99: 20.1 ms
    at the same priority, 19.2-19.6 ms at nice 10, 19.0-19.1 ms at nice 19. Nice 10, not 19,
    so the job still gets a fair share beside the user's other programs."""
    if sys.platform == "win32":  # no nice(): the process's priority class instead
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined, unused-ignore]
        kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), _BELOW_NORMAL_PRIORITY_CLASS)
        return
    with contextlib.suppress(OSError):
        os.nice(BACKGROUND_NICE)


def _travels(error: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else its type and text in a JobProcessError."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return JobProcessError(f"{type(error).__name__}: {error}")


def _child_main(job: Callable[..., Any], args: tuple[Any, ...], send: Connection, cancel: Connection) -> None:
    die_with_parent()
    run_at_background_priority()  # first, so the job's threads and its own workers inherit it
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's: it cancels the job
    try:
        result = job(JobContext(send, cancel), *args)
    except BaseException as error:
        send.send(("error", _travels(error)))
    else:
        send.send(("result", result))
    finally:
        send.close()


class _Child:
    """The child process and the thread that starts it, relays its messages and reaps it.

    The same thread starts and reaps the child: on Linux the parent-death signal follows the
    thread that started a child (worker_lifetime), so that thread must outlive it."""

    def __init__(self, job: Callable[..., Any], args: tuple[Any, ...], name: str) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process holding Qt/SQLite threads
        self._receive, self._send = context.Pipe(duplex=False)
        self._cancel_receive, self._cancel_send = context.Pipe(duplex=False)
        # Not a daemon: daemonic processes may not start the job's own worker pool.
        self._process = context.Process(
            target=_child_main, args=(job, args, self._send, self._cancel_receive), name=name
        )
        self.messages: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._relay, name=f"{name}-relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _post(self, message: tuple[str, Any]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody is waiting
            self._loop.call_soon_threadsafe(self.messages.put_nowait, message)

    def _relay(self) -> None:
        try:
            self._process.start()
        except BaseException as error:
            self._post(("error", error))
            self._post(("exit", None))
            return
        finally:
            # The child holds these ends now (or never will): EOF on ours once it is gone.
            self._send.close()
            self._cancel_receive.close()
            self._started.set()
        while True:
            try:
                self._post(self._receive.recv())
            except (EOFError, OSError):
                break
        self._process.join()
        self._receive.close()
        self._post(("exit", self._process.exitcode))

    def cancel(self) -> None:
        """Tell the job to stop (it sees it at its next look at JobContext.cancelled). Never waits:
        the pipe takes the message even before the child has started reading it."""
        with contextlib.suppress(OSError, ValueError):  # the child is gone already
            self._cancel_send.send(True)

    def kill(self) -> None:
        """SIGKILL the child if it is still running (its relay thread reaps it)."""
        self._started.wait()
        with contextlib.suppress(Exception):
            if self._process.exitcode is None and self._process.pid is not None:
                self._process.kill()

    async def wait_reaped(self) -> None:
        await asyncio.to_thread(self._thread.join)
        self._cancel_send.close()


async def run_in_child(
    job: Callable[..., R],
    *args: Any,
    progress: Callable[[Any], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    name: str = "catalynx-job",
    cancel_grace_s: float = 5.0,
) -> R:
    """Run `job(JobContext, *args)` in a spawned child process and return its result.

    `job` must be a module-level function and its arguments and result picklable. `progress`
    gets each payload the job sends; once `cancel()` says so, the job's context says cancelled
    and the job is expected to return within `cancel_grace_s` (else it is killed and
    JobProcessError raised). An exception raised by the job is raised here."""
    child = _Child(job, args, name)
    child.start()
    outcome: list[Any] = []  # ("result", value) or ("error", exception), once it arrives
    cancelled_at: float | None = None
    exited = False
    try:
        while True:
            if cancelled_at is None and cancel is not None and cancel():
                child.cancel()
                cancelled_at = time.monotonic()
            try:
                kind, value = await asyncio.wait_for(child.messages.get(), _POLL_S)
            except TimeoutError:
                if cancelled_at is not None and time.monotonic() - cancelled_at > cancel_grace_s:
                    child.kill()
                continue
            if kind == "progress":
                if progress is not None:
                    progress(value)
            elif kind in ("result", "error"):
                outcome = [kind, value]
            elif kind == "exit":
                exited = True
                break
        if outcome and outcome[0] == "result":
            result: R = outcome[1]
            return result
        if outcome:
            raise outcome[1]
        if cancelled_at is not None:
            raise JobProcessError(
                f"{name} did not stop within {cancel_grace_s:.0f} s of Cancel and was stopped"
            )
        raise JobProcessError(f"{name} stopped unexpectedly (exit code {value})")
    finally:
        if not exited:  # the caller was cancelled, or something above raised
            await asyncio.to_thread(child.kill)
        await child.wait_reaped()
