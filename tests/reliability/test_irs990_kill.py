"""Crash safety of the IRS 990 import: SIGKILL the real CLI mid-import of a generated TEOS zip.
After each kill the database passes integrity_check, the committed returns are whole (every stored
return has all its grants), no parse worker outlives the killed app, and a re-run completes with
no duplicates."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.datagen.irs990_gen import GenOptions, generate_returns, write_teos_zip

pytestmark = pytest.mark.slow


def start(home: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "catalynx_desktop", *args, "--data-dir", str(home)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # never read: a pipe would leak (and could fill) when killed
    )


def children_of(pid: int) -> list[int]:
    """Direct children of `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def descendants_of(pid: int) -> list[int]:
    """Children, grandchildren...: the import's own process and its parse workers."""
    found = children_of(pid)
    for child in list(found):
        found += descendants_of(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'irs_returns'").fetchone():
            return 0
        return int(conn.execute("SELECT count(*) FROM irs_returns").fetchone()[0])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the workers")
def test_sigkill_mid_990_import_loses_nothing_and_rerun_has_no_duplicates(tmp_path: Path) -> None:
    generated = list(generate_returns(1500, GenOptions(seed=11, grants=(10, 120))))
    zip_path = tmp_path / "2024_TEOS_XML_05A.zip"
    summary = write_teos_zip(zip_path, generated, seed=11, deflate64_share=0.3, other_forms=0.02)
    home = tmp_path / "home"
    db = home / "catalynx.sqlite3"
    kills = 0
    for attempt in range(3):
        before = stored(db)
        proc = start(home, "import", str(zip_path))
        deadline = time.monotonic() + 240
        workers: list[int] = []
        # Kill once this run has committed something new (so the kill lands mid-import).
        while time.monotonic() < deadline and proc.poll() is None:
            workers = [c for c in descendants_of(proc.pid) if alive(c)] if len(workers) < 2 else workers
            if stored(db) > before + 50 * (attempt + 1):
                break
            time.sleep(0.05)
        if proc.poll() is not None:
            break  # it finished first: nothing left to interrupt
        workers = workers or descendants_of(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            # Committed returns are whole: each has all the grants its return row announces.
            broken = conn.execute(
                "SELECT count(*) FROM irs_returns r WHERE r.first_grant_id IS NOT NULL AND "
                "(SELECT count(*) FROM irs_grants g WHERE g.return_id = r.id) "
                "!= r.last_grant_id - r.first_grant_id + 1"
            ).fetchone()[0]
            assert broken == 0
        assert stored(db) > before
        end = time.monotonic() + 5
        while any(alive(w) for w in workers) and time.monotonic() < end:
            time.sleep(0.05)
        assert not any(alive(w) for w in workers), (
            "the import process or a parse worker outlived the killed app"
        )
    assert kills >= 1
    done = subprocess.run(
        [sys.executable, "-m", "catalynx_desktop", "import", str(zip_path), "--data-dir", str(home)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    kept = sum(1 for r in generated if r.form in ("990", "990EZ", "990PF"))
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM irs_returns").fetchone()[0] == kept
        assert conn.execute("SELECT count(DISTINCT object_id) FROM irs_returns").fetchone()[0] == kept
        assert conn.execute("SELECT count(*) FROM irs_grants").fetchone()[0] == sum(
            len(r.grants) for r in generated
        )
        interrupted = conn.execute(
            "SELECT count(*) FROM workflow_runs WHERE workflow = 'Import' AND status = 'interrupted'"
        ).fetchone()[0]
    assert interrupted == kills  # the next start marked each killed run interrupted
    assert summary.members >= kept
    assert os.path.exists(db)
