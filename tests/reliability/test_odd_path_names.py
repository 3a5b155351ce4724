"""A data directory whose path holds `#`, `?`, `%` (and a space) works like any other (issue 14,
item 4).

Before: read-only connections were opened with `file:{path}?mode=ro`, so SQLite read `#` as the
start of a fragment, `?` as the start of the query and `%xx` as an escape: `restore` rejected a
valid backup ("not a usable database") and left empty files where the cut-off paths pointed.
Now every file: URI is built with the path quoted (Path.as_uri()).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.filesystems import REPO

NAMES = ["notes #2", "what? why", "100%25 done", "a#b?c%d e"]


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


def every_file(root: Path) -> set[Path]:
    return set(root.rglob("*"))


@pytest.mark.parametrize("name", NAMES)
def test_backup_restore_and_discover_in_a_folder_with_uri_characters(tmp_path, name):
    home = tmp_path / name / "data"
    assert cli("demo", "--profiles", "1", "--opportunities", "300", "--data-dir", str(home)).returncode == 0
    imported = cli("import", str(REPO / "tests" / "data" / "eo_vt.csv"), "--data-dir", str(home))
    assert imported.returncode == 0, imported.stderr
    backed_up = cli("backup", "--data-dir", str(home))
    assert backed_up.returncode == 0, backed_up.stderr
    before = every_file(tmp_path)

    restored = cli("restore", "--data-dir", str(home))
    assert restored.returncode == 0, restored.stderr
    discovered = cli("discover", "--profile", "1", "--data-dir", str(home))  # scoring workers read by URI
    assert discovered.returncode == 0, discovered.stderr

    made = every_file(tmp_path) - before
    # The restore keeps the replaced database as a backup, and the live database may have its
    # WAL files; nothing else appears anywhere (before: empty files at the cut-off paths).
    expected = {home / "catalynx.sqlite3-wal", home / "catalynx.sqlite3-shm"}
    stray = [p for p in made - expected if not p.name.endswith("-before-restore.sqlite3")]
    assert stray == [], sorted(map(str, made))
    assert len(made - expected) == 1  # the before-restore backup
    with sqlite3.connect(home / "catalynx.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM source_records WHERE source = 'irs_bmf'").fetchone()[0] > 0
    conn.close()
