"""The command line, run as a user would: a separate process per command."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "catalynx_desktop", *args], capture_output=True, text=True, timeout=timeout
    )


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


def test_demo_command_fills_a_new_data_dir(tmp_path):
    out = cli("demo", "--profiles", "3", "--opportunities", "3000", "--data-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "loaded 3 profiles" in out.stdout
    db = tmp_path / "catalynx.sqlite3"
    assert count(db, "SELECT count(*) FROM opportunities") == 3000
    assert count(db, "SELECT sum(n) FROM profile_stage_counts") == 3000
    assert count(db, "SELECT count(*) FROM opportunities WHERE score_breakdown = '{}'") == 0


def test_import_command_is_idempotent_and_reports_bad_files(tmp_path):
    first = cli("import", str(DATA / "eo_vt.csv"), "--data-dir", str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert "6,535 read, 6,535 inserted" in first.stdout
    again = cli("import", str(DATA / "eo_vt.csv"), "--data-dir", str(tmp_path))
    assert "0 inserted" in again.stdout and "6,535 unchanged" in again.stdout
    db = tmp_path / "catalynx.sqlite3"
    assert count(db, "SELECT count(*) FROM source_records") == 6535
    assert (
        count(db, "SELECT count(*) FROM workflow_runs WHERE workflow = 'Import' AND status = 'succeeded'")
        == 2
    )

    fake = tmp_path / "extract.zip"
    fake.write_text("EIN,NAME\n123456789,Not a zip\n")
    bad = cli("import", str(fake), "--data-dir", str(tmp_path))
    assert bad.returncode == 1
    assert "extract.zip" in bad.stderr
    missing = cli("import", str(tmp_path / "nope.csv"), "--data-dir", str(tmp_path))
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_paths_command_honours_data_dir(tmp_path):
    out = cli("paths", "--data-dir", str(tmp_path))
    assert out.returncode == 0
    assert f"database    {tmp_path / 'catalynx.sqlite3'}" in out.stdout


def test_backup_and_restore_round_trip(tmp_path):
    assert (
        cli("demo", "--profiles", "1", "--opportunities", "200", "--data-dir", str(tmp_path)).returncode == 0
    )
    db = tmp_path / "catalynx.sqlite3"
    out = cli("backup", "--data-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM profiles")  # a user's mistake to undo
    assert count(db, "SELECT count(*) FROM opportunities") == 0
    restored = cli("restore", "--data-dir", str(tmp_path))
    assert restored.returncode == 0, restored.stderr
    assert count(db, "SELECT count(*) FROM opportunities") == 200
    assert "previous database is kept" in restored.stdout


def test_restore_refuses_a_damaged_backup_and_changes_nothing(tmp_path):
    assert (
        cli("demo", "--profiles", "1", "--opportunities", "50", "--data-dir", str(tmp_path)).returncode == 0
    )
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"garbage" * 1000)
    before = (tmp_path / "catalynx.sqlite3").read_bytes()
    out = cli("restore", str(bad), "--data-dir", str(tmp_path))
    assert out.returncode == 1 and "Nothing was changed" in out.stderr
    assert (tmp_path / "catalynx.sqlite3").read_bytes() == before


def test_self_test_passes(tmp_path):
    import os

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CATALYNX_HOME": str(tmp_path / "unused")}
    out = subprocess.run(
        [sys.executable, "-m", "catalynx_desktop", "--self-test"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert "self-test passed" in out.stdout


def test_resources_are_found_from_the_checkout():
    from catalynx_desktop.resources import demo_seed, icon_paths, ntee_codes

    assert all(path.stat().st_size > 0 for path in icon_paths())
    assert len(ntee_codes()) == 681 and "A" in ntee_codes()
    assert demo_seed()["states"]


def cli_as_typed(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """cli() that keeps the carriage returns of progress bars (text mode would turn them into
    newlines), for tests of what the terminal shows."""
    out = subprocess.run(
        [sys.executable, "-m", "catalynx_desktop", *args], capture_output=True, timeout=timeout
    )
    return subprocess.CompletedProcess(out.args, out.returncode, out.stdout.decode(), out.stderr.decode())


def on_screen(output: str) -> list[str]:
    """What a terminal shows of `output`: each carriage return goes back to the line's start and
    what follows overwrites it."""
    lines = []
    for raw in output.split("\n"):
        shown: list[str] = []
        for part in raw.split("\r"):
            shown[: len(part)] = part
        lines.append("".join(shown).rstrip())
    return lines


def test_demo_summary_says_profile_funder_opportunity_for_one(tmp_path):
    out = cli("demo", "--profiles", "1", "--opportunities", "1", "--data-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "loaded 1 profile, 1 funder and 1 opportunity into" in out.stdout


def test_discover_prints_its_counts_in_words(tmp_path):
    assert (
        cli("demo", "--profiles", "1", "--opportunities", "100", "--data-dir", str(tmp_path)).returncode == 0
    )
    assert cli("import", str(DATA / "eo_vt.csv"), "--data-dir", str(tmp_path)).returncode == 0
    db = tmp_path / "catalynx.sqlite3"
    profile = count(db, "SELECT min(id) FROM profiles")
    before = count(db, "SELECT count(*) FROM opportunities")
    out = cli_as_typed("discover", "--profile", str(profile), "--data-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    summary = on_screen(out.stdout)[-2]
    assert "{" not in out.stdout
    found = re.fullmatch(
        r"succeeded: ([\d,]+) of ([\d,]+) records scored, ([\d,]+) match(?:es)? \(score 0\.\d\d or more\); "
        r"([\d,]+) new opportunit(?:y|ies), ([\d,]+) existing with a changed score",
        summary,
    )
    assert found, summary
    scored, records, _matches, created, _changed = (int(n.replace(",", "")) for n in found.groups())
    assert scored == records == count(db, "SELECT count(*) FROM source_records") == 6535 + 100
    assert created == count(db, "SELECT count(*) FROM opportunities") - before > 0


def test_a_failed_import_names_the_file_once_and_leaves_no_half_bar(tmp_path):
    fake = tmp_path / "extract.zip"
    fake.write_text("EIN,NAME\n123456789,Not a zip\n")
    bad = cli_as_typed("import", str(fake), "--data-dir", str(tmp_path))
    assert bad.returncode == 1
    assert bad.stderr.count("extract.zip") == 1, bad.stderr
    assert bad.stderr.startswith("extract.zip: import failed: a .zip here must hold")
    assert all(line == "" for line in on_screen(bad.stdout)), on_screen(bad.stdout)


def test_backup_refuses_to_keep_fewer_than_one(tmp_path):
    assert (
        cli("demo", "--profiles", "1", "--opportunities", "50", "--data-dir", str(tmp_path)).returncode == 0
    )
    backups = tmp_path / "backups"
    for _ in range(2):
        assert cli("backup", "--data-dir", str(tmp_path)).returncode == 0
    kept = sorted(backups.iterdir())
    assert len(kept) == 2
    for keep in ("0", "-1"):
        out = cli("backup", "--keep", keep, "--data-dir", str(tmp_path))
        assert out.returncode == 2
        assert f"--keep: must be at least 1, not {keep}" in out.stderr
        assert sorted(backups.iterdir()) == kept  # nothing made, nothing deleted
    assert cli("backup", "--keep", "1", "--data-dir", str(tmp_path)).returncode == 0
    assert len(list(backups.iterdir())) == 1


def test_restore_leaves_no_wal_or_shm_files_in_backups(tmp_path):
    assert (
        cli("demo", "--profiles", "1", "--opportunities", "50", "--data-dir", str(tmp_path)).returncode == 0
    )
    assert cli("backup", "--data-dir", str(tmp_path)).returncode == 0
    restored = cli("restore", "--data-dir", str(tmp_path))
    assert restored.returncode == 0, restored.stderr
    names = sorted(file.name for file in (tmp_path / "backups").iterdir())
    assert len(names) == 2 and all(name.endswith(".sqlite3") for name in names), names
