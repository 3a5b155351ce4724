"""Who a process is, durably enough to ask later whether it is still running.

A pid alone is reused; a pid with the process's start time is not (within one boot, and the
boot id is part of the start time on Linux). Workflow runs store their owner this way, so that a
new session marks a run "interrupted" only when the process that ran it is gone.

Start time: Linux /proc/<pid>/stat (clock ticks since boot) with /proc's boot id; Windows the
process creation time (GetProcessTimes); elsewhere none, and the pid alone decides.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class ProcessIdentity:
    pid: int
    started: str | None  # None where the platform gives no start time (the pid alone decides)


@cache
def this_process() -> ProcessIdentity:
    pid = os.getpid()
    return ProcessIdentity(pid, start_time(pid))


def is_running(owner: ProcessIdentity) -> bool:
    """Whether the process `owner` names is still running (not merely some process with its pid)."""
    if owner == this_process():
        return True
    if not _pid_exists(owner.pid):
        return False
    return owner.started is None or start_time(owner.pid) in (None, owner.started)


def start_time(pid: int) -> str | None:
    try:
        if sys.platform.startswith("linux"):
            return _linux_start_time(pid)
        if sys.platform == "win32":
            return _windows_start_time(pid)
    except (OSError, ValueError, IndexError):
        return None  # gone, or not ours to read
    return None


def _linux_start_time(pid: int) -> str:
    stat = Path(f"/proc/{pid}/stat").read_text()
    # Fields after the command name (which may hold spaces and parentheses): state is field 3,
    # starttime field 22.
    ticks = stat.rsplit(")", 1)[1].split()[19]
    return f"{_boot_id()}/{ticks}"


@cache
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _windows_start_time(pid: int) -> str | None:
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return None
    try:
        created, exited, kernel, user = (wintypes.FILETIME() for _ in range(4))
        if not kernel32.GetProcessTimes(
            handle, ctypes.byref(created), ctypes.byref(exited), ctypes.byref(kernel), ctypes.byref(user)
        ):
            return None
        return str((created.dwHighDateTime << 32) | created.dwLowDateTime)
    finally:
        kernel32.CloseHandle(handle)


def _pid_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_pid_running(pid)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _windows_pid_running(pid: int) -> bool:
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        # ERROR_ACCESS_DENIED: it exists (get_last_error is Windows-only: unknown to mypy elsewhere)
        return bool(ctypes.get_last_error() == 5)  # type: ignore[attr-defined]
    try:
        code = wintypes.DWORD()
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259
    finally:  # 259: STILL_ACTIVE
        kernel32.CloseHandle(handle)
