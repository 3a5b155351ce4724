"""Runs are marked interrupted only when their own process is gone (issue 14, item 3).

Before: every process that opened the data directory marked all 'running' runs interrupted,
so a second process starting beside a running import flagged that import interrupted while it
went on (the window showed it interrupted, then succeeded). Now each run stores its owner
(pid and the process's start time) and start-up marks only runs whose owner is gone.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.datagen.bmf_gen import write_bmf_csv
from tests.fresh_loop import arun
from tests.reliability.filesystems import REPO

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def open_and_close(home: Path) -> None:
    """Another process opening the same data directory (what every session does at start-up)."""
    code = (
        "import asyncio; from catalynx_desktop.services import AppServices; "
        "from catalynx_desktop.paths import resolve_paths\n"
        "async def main():\n"
        f"    s = await AppServices.open(resolve_paths({str(home)!r}))\n"
        "    await s.close()\n"
        "asyncio.run(main())"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, env=ENV, cwd=REPO)


def import_runs(database: Path) -> list[tuple[int, str]]:
    try:
        conn = sqlite3.connect(database, timeout=30)
    except sqlite3.Error:
        return []
    try:
        return conn.execute(
            "SELECT id, status FROM workflow_runs WHERE workflow = 'Import' ORDER BY id"
        ).fetchall()
    except sqlite3.Error:  # not migrated yet
        return []
    finally:
        conn.close()


def start_import(source: Path, home: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "catalynx_desktop", "import", str(source), "--data-dir", str(home)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=REPO,
    )


def wait_until_running(database: Path, runs_before: int, proc: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        runs = import_runs(database)
        if len(runs) > runs_before and runs[-1][1] == "running":
            return runs[-1][0]
        time.sleep(0.05)
    raise AssertionError(f"the import never showed as running: {proc.communicate()}")


def status(database: Path, run_id: int) -> str:
    return dict(import_runs(database))[run_id]


def test_a_second_process_leaves_a_live_import_alone_and_marks_a_killed_one(tmp_path):
    home = tmp_path / "home"
    database = home / "catalynx.sqlite3"
    first = write_bmf_csv(tmp_path / "eo_first.csv", 150_000, seed=21)
    second = write_bmf_csv(tmp_path / "eo_second.csv", 150_000, seed=22)

    importing = start_import(first, home)
    try:
        run_id = wait_until_running(database, 0, importing)
        open_and_close(home)
        assert status(database, run_id) == "running"  # its owner is alive: not "interrupted"
        _out, err = importing.communicate(timeout=600)
    finally:
        if importing.poll() is None:
            importing.kill()
    assert importing.returncode == 0, err
    assert status(database, run_id) == "succeeded"

    killed = start_import(second, home)
    try:
        killed_id = wait_until_running(database, 1, killed)
    finally:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        for pipe in (killed.stdout, killed.stderr):  # unread: a killed import has nothing to say
            if pipe is not None:
                pipe.close()
    assert status(database, killed_id) == "running"  # what the killed process left
    open_and_close(home)
    assert status(database, killed_id) == "interrupted"
    assert status(database, run_id) == "succeeded"


def test_a_live_pid_with_another_start_time_is_a_reused_pid(tmp_path):
    """The owner's pid alone is not enough: after a reboot or a long time it can belong to
    another process. Runs of such an owner are interrupted; the current process's are not."""
    from catalynx_desktop.domain.runs import utc_now
    from catalynx_desktop.process_identity import this_process
    from catalynx_desktop.storage.database import Database
    from catalynx_desktop.storage.workflow_run_store import SqliteRunStore

    async def main() -> tuple[int, list[str]]:
        db = await Database.open(tmp_path / "db.sqlite3")
        try:
            store = SqliteRunStore(db)
            mine = await store.create_run("import", {}, ["a"])
            reused = await store.create_run("import", {}, ["a"])
            await store.run_started(mine, utc_now())
            me = this_process()
            await db.write(
                lambda c: c.execute(
                    "UPDATE workflow_runs SET owner_pid = ?, owner_started = ? WHERE id = ?",
                    (me.pid, "not-its-start-time", reused),
                )
            )
            changed = await store.mark_interrupted_at_startup()
            runs = [(await store.get_run(i)).status.value for i in (mine, reused)]
            return changed, runs
        finally:
            await db.close()

    changed, runs = arun(main(), timeout=600)
    assert (changed, runs) == (1, ["running", "interrupted"])
