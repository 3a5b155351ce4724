"""A data directory the app cannot write: every command and the window's start refuse with one
message that names the folder and says it is not writable (no traceback), and nothing in the
folder is touched (the database's bytes and mtime, no -wal/-shm/lock files appear).

The tests run as root, whom file permissions do not stop, so "read-only" is made real either by
* "ro_mount": a tmpfs remounted read-only (EROFS even for root), or
* "nobody": the commands run in a child that drops to uid/gid 65534 on a root-owned folder.
Each variant is skipped where it cannot be set up (mounting not permitted; 'nobody' cannot
start this Python, e.g. because it lives under /root).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.reliability.filesystems import REPO, as_nobody, nobody_can_run_python, remount, tmpfs

DATA = REPO / "tests" / "data"


class ReadOnlyHome:
    def __init__(self, method: str, home: Path, preexec: Callable[[], None] | None) -> None:
        self.method = method
        self.home = home
        self.preexec = preexec

    def run(self, *args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "catalynx_desktop", *args]
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CATALYNX_HOME": str(self.home)}
        return subprocess.run(
            command,
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=REPO,
            preexec_fn=self.preexec,
        )


def make_home(home: Path) -> None:
    """A real data directory: a database with a profile and opportunities, cache, logs, settings."""
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "catalynx_desktop",
            "demo",
            "--profiles",
            "1",
            "--opportunities",
            "200",
            "--data-dir",
            str(home),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert made.returncode == 0, made.stderr


def fingerprint(home: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under `home`: size, mtime (ns) and content hash."""
    found = {}
    for path in sorted(home.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[str(path.relative_to(home))] = (
                stat.st_size,
                stat.st_mtime_ns,
                hashlib.sha256(path.read_bytes()).hexdigest(),
            )
    return found


@pytest.fixture(params=["ro_mount", "nobody"])
def read_only_home(request, tmp_path) -> Iterator[ReadOnlyHome]:
    if request.param == "ro_mount":
        root = tmp_path / "ro"
        with tmpfs(root, "16m") as mounted:
            if not mounted:
                pytest.skip("mounting a tmpfs is not permitted here")
            make_home(root / "home")
            remount(root, "ro")
            yield ReadOnlyHome("ro_mount", root / "home", None)
        return
    if not nobody_can_run_python():
        pytest.skip("a process running as 'nobody' cannot start this Python here")
    # Somewhere 'nobody' can reach (pytest's tmp_path is private to root) but not write.
    root = Path(tempfile.mkdtemp(prefix="catalynx-ro-"))
    try:
        root.chmod(0o755)
        make_home(root / "home")
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield ReadOnlyHome("nobody", root / "home", as_nobody)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def assert_one_clear_message(text: str, home: Path, *, state: str = "is not writable") -> None:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert str(home) in lines[0] and state in lines[0] and "--data-dir" in lines[0], text
    assert "Traceback" not in text and "Error:" not in text, text


def test_every_command_refuses_a_read_only_data_directory_and_changes_nothing(read_only_home):
    home = read_only_home.home
    before = fingerprint(home)
    assert "catalynx.sqlite3" in before and not any(
        name.endswith(("-wal", "-shm", ".lock")) for name in before
    )

    for args in (
        ("import", str(DATA / "eo_vt.csv")),
        ("demo", "--profiles", "1", "--opportunities", "10"),
        ("discover", "--profile", "1"),
        ("restore",),
        ("backup",),
    ):
        out = read_only_home.run(*args, "--data-dir", str(home))
        assert out.returncode == 1, (args, out.stdout, out.stderr)
        assert out.stderr.startswith(f"{args[0]}: "), out.stderr
        assert_one_clear_message(out.stderr, home)

    # `paths` only reports: it prints the locations and warns, exit 0.
    out = read_only_home.run("paths", "--data-dir", str(home))
    assert out.returncode == 0 and f"data_dir    {home}" in out.stdout
    assert "warning" in out.stderr and "is not writable" in out.stderr and str(home) in out.stderr

    assert fingerprint(home) == before  # not a byte, not an mtime; no -wal, -shm or lock file


def test_the_window_refuses_a_read_only_data_directory_with_one_dialog(read_only_home):
    """The GUI start (no subcommand): one critical message box, exit 1. The box is replaced by a
    print so the child cannot block on it; everything else is the real start-up."""
    home = read_only_home.home
    before = fingerprint(home)
    code = textwrap.dedent(f"""
        import sys
        from PySide6.QtWidgets import QMessageBox

        def shown(parent, title, text, *args, **kwargs):
            print("DIALOG " + title + ": " + text.replace("\\n", " "), flush=True)
            return QMessageBox.StandardButton.Ok

        QMessageBox.critical = QMessageBox.warning = QMessageBox.information = shown
        from catalynx_desktop.app import main
        sys.exit(main(["--data-dir", {str(home)!r}]))
    """)
    out = read_only_home.run(code=code)
    assert out.returncode == 1, out.stderr
    dialogs = [line for line in out.stdout.splitlines() if line.startswith("DIALOG ")]
    assert len(dialogs) == 1, out.stdout
    assert_one_clear_message(dialogs[0], home)
    assert "Traceback" not in out.stderr, out.stderr
    assert fingerprint(home) == before


def test_a_new_data_directory_under_a_read_only_folder_cannot_be_created(read_only_home):
    home = read_only_home.home / "grants-2027"
    out = read_only_home.run("import", str(DATA / "eo_vt.csv"), "--data-dir", str(home))
    assert out.returncode == 1
    assert_one_clear_message(out.stderr, home, state="cannot be created")
    assert not home.exists()
