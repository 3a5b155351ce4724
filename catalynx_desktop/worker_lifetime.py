"""Child processes die with their parent: call `die_with_parent()` first thing in every child
(a process pool's initializer, a Process target).

Without it a child whose parent was killed (kill -9, a crash, a power-off of the window) lives
on: a pool worker waits on its task queue for ever, holding the database open, and one that
started after its parent had died never notices at all.

Linux: prctl(PR_SET_PDEATHSIG, SIGKILL), then a check that the parent is still the one that
started us (it may have died before the prctl: we would be someone else's child by then).
The signal comes when the *thread* that started the child ends, so start children from a thread
that lives as long as they do (the event loop's, a default-executor thread, the thread that owns
the pool), never from a short-lived helper thread.
Elsewhere: a daemon thread waits on multiprocessing's parent sentinel (a pipe on macOS, the
parent's process handle on Windows), which becomes ready when the parent is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading

_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
_EXIT_ORPHANED = 70  # distinct exit status, should anyone look


def die_with_parent() -> None:
    """Make this child process end when its parent process ends (exits at once if it already has)."""
    parent = multiprocessing.parent_process()
    if parent is None:  # not a multiprocessing child (e.g. called in the main process): nothing to do
        return
    if sys.platform.startswith("linux") and _set_parent_death_signal():
        if os.getppid() != parent.pid:
            os._exit(_EXIT_ORPHANED)
        return
    _watch(parent.sentinel)


def _set_parent_death_signal() -> bool:
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch(sentinel: int) -> None:
    from multiprocessing.connection import wait

    def orphaned() -> None:
        wait([sentinel])  # ready (EOF, or the handle signalled) once the parent is gone
        os._exit(_EXIT_ORPHANED)

    threading.Thread(target=orphaned, name="catalynx-parent-watch", daemon=True).start()
