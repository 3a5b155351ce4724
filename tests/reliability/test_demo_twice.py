"""`demo` twice, or Load demo over demo data (issue 14, smaller ones: "demo twice").

Before: the second load inserted the same demo funders again and stopped on a UNIQUE
constraint, with a traceback ("Internal error in the storage layer"). Now a data directory
holds one demo: a second load is refused with one message before anything is written.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.reliability.filesystems import REPO


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "catalynx_desktop", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=REPO,
    )


def counts(database: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(database)
    try:
        return tuple(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("profiles", "source_records", "opportunities")
        )
    finally:
        conn.close()


def test_demo_twice_says_so_once_and_adds_nothing(tmp_path):
    home = tmp_path / "demo"
    assert cli("demo", "--profiles", "2", "--opportunities", "400", "--data-dir", str(home)).returncode == 0
    before = counts(home / "catalynx.sqlite3")
    for args in (("--profiles", "2", "--opportunities", "400"), ("--profiles", "3", "--seed", "9")):
        again = cli("demo", *args, "--data-dir", str(home))
        assert again.returncode == 1, (again.stdout, again.stderr)
        lines = again.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("demo: "), again.stderr
        assert "has demo data already" in lines[0] and "nothing was added" in lines[0], lines[0]
        assert "Traceback" not in again.stderr and "UNIQUE" not in again.stderr
    assert counts(home / "catalynx.sqlite3") == before


def test_load_demo_in_a_demo_window_whose_profiles_were_deleted(qtbot, run, tmp_path):
    """The window's path to the same insert: a demo directory with its profiles deleted (so
    "Load demo" loads again instead of saying the demo is shown)."""
    from catalynx_desktop.app import close_main_window, open_main_window
    from catalynx_desktop.workflows.demo.generator import DemoPlan

    home = tmp_path / "demo"
    assert cli("demo", "--profiles", "1", "--opportunities", "300", "--data-dir", str(home)).returncode == 0
    conn = sqlite3.connect(home / "catalynx.sqlite3")
    with conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM profiles")
    conn.close()
    before = counts(home / "catalynx.sqlite3")
    errors: list[BaseException] = []

    async def scenario() -> str:
        window = await open_main_window(home)
        qtbot.addWidget(window)
        try:
            window.status.failed.connect(errors.append)  # what would reach the error display
            await window.demo.open_demo(DemoPlan(1, 300, seed=2))
            return window.status_label.text()
        finally:
            await close_main_window(window)

    shown = run(scenario())
    assert errors == []
    assert "has demo data already" in shown and "nothing was added" in shown, shown
    assert counts(home / "catalynx.sqlite3") == before
