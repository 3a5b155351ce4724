"""One writer per data directory across processes (issue 14, item 2).

Before: `restore` while a command-line import ran replaced the database under it; the import
went on writing into the file it had open, reported every row inserted and exited 0, and none
of them were in the database. Commands also wrote beside an open window. Now every command
that writes holds the data directory's lock for as long as it runs, as the window does while
it is open; the second one is refused with one line naming who holds it (exit 2), and nothing
is lost.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.datagen.bmf_gen import write_bmf_csv
from tests.reliability.filesystems import REPO

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "catalynx_desktop", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env=ENV,
        cwd=REPO,
    )


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "catalynx_desktop", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=REPO,
    )


def scalar(database: Path, sql: str) -> int:
    conn = sqlite3.connect(database, timeout=30)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def wait_for(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def import_is_writing(database: Path) -> bool:
    try:
        return scalar(database, "SELECT count(*) FROM source_records") > 0
    except sqlite3.Error:  # not created or migrated yet
        return False


def open_window_process(home: Path) -> subprocess.CompletedProcess[str]:
    """Start the window on `home` with its message boxes printed instead of shown."""
    code = textwrap.dedent(f"""
        import sys
        from PySide6.QtWidgets import QMessageBox

        def shown(parent, title, text, *args, **kwargs):
            print("DIALOG: " + text.replace("\\n", " "), flush=True)
            return QMessageBox.StandardButton.Ok

        QMessageBox.critical = QMessageBox.warning = shown
        from catalynx_desktop.app import main
        sys.exit(main(["--data-dir", {str(home)!r}]))
    """)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=ENV, cwd=REPO
    )


def assert_refused(out: subprocess.CompletedProcess[str], command: str, home: Path, holder: str) -> None:
    assert out.returncode == 2, (command, out.returncode, out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{command}: {home} is open in {holder}"), out.stderr
    assert "close it first" in lines[0] and "Traceback" not in out.stderr


def test_restore_during_an_import_is_refused_and_no_row_is_lost(tmp_path):
    rows = 150_000
    source = write_bmf_csv(tmp_path / "eo_big.csv", rows, seed=5)
    home = tmp_path / "home"
    database = home / "catalynx.sqlite3"
    assert cli("import", str(REPO / "tests" / "data" / "eo_vt.csv"), "--data-dir", str(home)).returncode == 0
    assert cli("backup", "--data-dir", str(home)).returncode == 0  # a good backup to restore
    before = scalar(database, "SELECT count(*) FROM source_records")

    importing = start("import", str(source), "--data-dir", str(home))
    try:
        wait_for(
            lambda: (
                import_is_writing(database)
                and scalar(database, "SELECT count(*) FROM source_records") > before
            ),
            "the import's first rows",
        )
        restore = cli("restore", "--data-dir", str(home))
        window = open_window_process(home)
        out, err = importing.communicate(timeout=600)
    finally:
        if importing.poll() is None:
            importing.kill()
    assert importing.returncode == 0, err
    assert_refused(restore, "restore", home, f"the import command (pid {importing.pid})")
    assert window.returncode == 2, window.stderr
    dialogs = [line for line in window.stdout.splitlines() if line.startswith("DIALOG: ")]
    assert len(dialogs) == 1, window.stdout
    assert f"{home} is open in the import command (pid {importing.pid})" in dialogs[0]
    inserted = re.search(rf"{rows:,} read, ([\d,]+) inserted", out)
    assert inserted, out
    assert scalar(database, "SELECT count(*) FROM source_records") == before + int(
        inserted[1].replace(",", "")
    )
    assert int(inserted[1].replace(",", "")) > rows * 0.99


@pytest.fixture
def open_window(tmp_path):
    """The real window on a data directory, in its own process, until the test ends."""
    home = tmp_path / "home"
    assert cli("demo", "--profiles", "1", "--opportunities", "50", "--data-dir", str(home)).returncode == 0
    assert cli("backup", "--data-dir", str(home)).returncode == 0
    window = start("--data-dir", str(home))
    wait_for(lambda: (home / "catalynx.lock").exists() or window.poll() is not None, "the window's lock")
    assert window.poll() is None, window.communicate()
    yield home, window
    window.send_signal(signal.SIGKILL)
    window.wait(timeout=30)
    for pipe in (window.stdout, window.stderr):  # unread: a killed window has nothing to say
        if pipe is not None:
            pipe.close()


def test_commands_that_write_are_refused_beside_an_open_window(open_window):
    home, window = open_window
    database = home / "catalynx.sqlite3"
    records = scalar(database, "SELECT count(*) FROM source_records")
    profiles = scalar(database, "SELECT count(*) FROM profiles")
    backups = sorted((home / "backups").iterdir())
    holder = f"a Catalynx Desktop window (pid {window.pid})"
    for args in (
        ("import", str(REPO / "tests" / "data" / "eo_vt.csv")),
        ("discover", "--profile", "1"),
        ("demo", "--opportunities", "5"),
        ("restore",),
        ("backup",),
    ):
        assert_refused(cli(*args, "--data-dir", str(home)), args[0], home, holder)
    assert scalar(database, "SELECT count(*) FROM source_records") == records
    assert scalar(database, "SELECT count(*) FROM profiles") == profiles
    assert sorted((home / "backups").iterdir()) == backups
    # Reading is fine beside the window.
    assert cli("paths", "--data-dir", str(home)).returncode == 0
    listed = cli("backup", "--list", "--data-dir", str(home))
    assert listed.returncode == 0 and backups[0].name in listed.stdout

    # Once the window is gone (even killed), its stale lock is taken over.
    window.send_signal(signal.SIGKILL)
    window.wait(timeout=30)
    assert cli("import", str(REPO / "tests" / "data" / "eo_vt.csv"), "--data-dir", str(home)).returncode == 0
