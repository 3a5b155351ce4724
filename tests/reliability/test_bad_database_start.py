"""A damaged database, a newer version's database or a data directory that is a file, met by the
command line and by the window's start: one message (no traceback), exit 1, the file untouched.

(tests/storage/test_migrations.py covers the refusal itself; before this, the commands printed it
at the end of a traceback.)
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.reliability.filesystems import REPO

VT = REPO / "tests" / "data" / "eo_vt.csv"


def run(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "catalynx_desktop", *args]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        command, check=False, capture_output=True, text=True, timeout=120, env=env, cwd=REPO
    )


def damaged(home: Path) -> Path:
    home.mkdir(parents=True)
    database = home / "catalynx.sqlite3"
    database.write_bytes(b"SQLite format 3\x00" + os.urandom(8_000))
    return database


def newer(home: Path) -> Path:
    assert run("demo", "--profiles", "1", "--opportunities", "20", "--data-dir", str(home)).returncode == 0
    database = home / "catalynx.sqlite3"
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    return database


def data_dir_is_a_file(home: Path) -> Path:
    home.write_text("my notes, not a folder")
    return home


CASES = {
    "damaged": (damaged, "is damaged or is not a Catalynx database"),
    "newer": (newer, "was written by a newer version"),
    "file": (data_dir_is_a_file, "it is a file, not a folder"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_commands_and_window_refuse_with_one_message_and_change_nothing(tmp_path, case):
    make, words = CASES[case]
    home = tmp_path / "home"
    target = make(home)
    before = (target.read_bytes(), target.stat().st_mtime_ns)

    for args in (("import", str(VT)), ("discover", "--profile", "1"), ("demo", "--opportunities", "5")):
        out = run(*args, "--data-dir", str(home))
        assert out.returncode == 1, (args, out.stderr)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"{args[0]}: ") and words in lines[0], out.stderr
        assert str(home) in lines[0] and "Traceback" not in out.stderr

    window = run(
        code=textwrap.dedent(f"""
        import sys
        from PySide6.QtWidgets import QMessageBox

        def shown(parent, title, text, *args, **kwargs):
            print("DIALOG: " + text.replace("\\n", " "), flush=True)
            return QMessageBox.StandardButton.Ok

        QMessageBox.critical = QMessageBox.warning = shown
        from catalynx_desktop.app import main
        sys.exit(main(["--data-dir", {str(home)!r}]))
    """)
    )
    assert window.returncode == 1, window.stderr
    dialogs = [line for line in window.stdout.splitlines() if line.startswith("DIALOG: ")]
    assert len(dialogs) == 1 and words in dialogs[0], window.stdout
    assert "Traceback" not in window.stderr, window.stderr

    assert (target.read_bytes(), target.stat().st_mtime_ns) == before
    if case != "file":
        assert not any(p.name.endswith(("-wal", "-shm")) for p in home.iterdir())
