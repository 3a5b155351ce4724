"""`backup` on a damaged database, and `restore` among damaged backups (issue 14, item 1).

Before: every `backup` of a damaged database "succeeded" and rotated a good copy out (10 runs
left 10 damaged backups and no good one); a truncated database gave a traceback and a 0-byte
backup that a plain `restore` then picked. Now a backup counts only after it passes
`PRAGMA integrity_check`, a damaged database is refused with one line (exit 1) and the good
backups stay, and `restore` without an argument takes the newest backup that passes the check.
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


def integrity(database: Path) -> str:
    # immutable: reads a closed file without making -wal/-shm files next to it
    conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        return str(error)
    finally:
        conn.close()


def opportunities(database: Path) -> int:
    conn = sqlite3.connect(database)
    try:
        return conn.execute("SELECT count(*) FROM opportunities").fetchone()[0]
    finally:
        conn.close()


def good_home(tmp_path: Path, backups: int) -> tuple[Path, list[Path]]:
    """A demo data directory with `backups` good backups of it."""
    home = tmp_path / "home"
    made = cli("demo", "--profiles", "2", "--opportunities", "3000", "--data-dir", str(home))
    assert made.returncode == 0, made.stderr
    for _ in range(backups):
        assert cli("backup", "--data-dir", str(home)).returncode == 0
    kept = sorted((home / "backups").iterdir())
    assert len(kept) == backups and all(integrity(b) == "ok" for b in kept)
    return home, kept


def damage_the_middle(database: Path) -> None:
    """16 KB of noise in the middle: the header is intact, so the file still opens."""
    size = database.stat().st_size
    with open(database, "r+b") as fh:
        fh.seek(size // 2 - (size // 2) % 4096)
        fh.write(os.urandom(16_384))
    assert integrity(database) != "ok"


def truncate(database: Path) -> None:
    with open(database, "r+b") as fh:
        fh.truncate(database.stat().st_size // 3)


def assert_refused(out: subprocess.CompletedProcess[str], home: Path) -> None:
    assert out.returncode == 1, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("backup: "), out.stderr
    assert "damaged" in lines[0] and "No backup was made" in lines[0], lines[0]
    assert str(home / "catalynx.sqlite3") in lines[0] and "Traceback" not in out.stderr


def test_backups_of_a_damaged_database_are_refused_and_the_good_ones_stay(tmp_path):
    home, good = good_home(tmp_path, backups=3)
    damage_the_middle(home / "catalynx.sqlite3")
    for _ in range(10):
        assert_refused(cli("backup", "--keep", "3", "--data-dir", str(home)), home)
    assert sorted((home / "backups").iterdir()) == good  # nothing added, nothing rotated out

    restored = cli("restore", "--data-dir", str(home))
    assert restored.returncode == 0, restored.stderr
    assert good[-1].name in restored.stdout
    assert integrity(home / "catalynx.sqlite3") == "ok"
    assert opportunities(home / "catalynx.sqlite3") == 3000


def test_a_truncated_database_leaves_no_empty_backup_and_restore_takes_a_good_one(tmp_path):
    home, good = good_home(tmp_path, backups=2)
    truncate(home / "catalynx.sqlite3")
    assert_refused(cli("backup", "--data-dir", str(home)), home)
    assert sorted((home / "backups").iterdir()) == good  # no 0-byte file, no leftover

    restored = cli("restore", "--data-dir", str(home))
    assert restored.returncode == 0, restored.stderr
    assert good[-1].name in restored.stdout
    assert opportunities(home / "catalynx.sqlite3") == 3000


def test_restore_skips_damaged_backups_to_the_newest_good_one(tmp_path):
    home, good = good_home(tmp_path, backups=2)
    # Backups an older version made of a damaged database: newer names, damaged content.
    newest_bad = home / "backups" / "catalynx-29990101T000000000000Z-on-demand.sqlite3"
    older_bad = home / "backups" / "catalynx-29980101T000000000000Z-on-demand.sqlite3"
    for bad in (newest_bad, older_bad):
        bad.write_bytes(good[-1].read_bytes())
        damage_the_middle(bad)
    empty = home / "backups" / "catalynx-29970101T000000000000Z-on-demand.sqlite3"
    empty.write_bytes(b"")
    damage_the_middle(home / "catalynx.sqlite3")

    restored = cli("restore", "--data-dir", str(home))
    assert restored.returncode == 0, restored.stderr
    assert good[-1].name in restored.stdout and "skipped 3" in restored.stdout, restored.stdout
    assert integrity(home / "catalynx.sqlite3") == "ok"
    assert opportunities(home / "catalynx.sqlite3") == 3000

    # With no good backup at all: one message, the database untouched.
    for backup in good:
        backup.unlink()
    for backup in (home / "backups").glob("*before-restore*"):
        backup.unlink()
    before = (home / "catalynx.sqlite3").read_bytes()
    refused = cli("restore", "--data-dir", str(home))
    assert refused.returncode == 1 and "no good backup" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert (home / "catalynx.sqlite3").read_bytes() == before
