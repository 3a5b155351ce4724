"""Child processes die with their parent; a killed export's temp files go at the next start
(issue 14, item 5).

Before: kill -9 of `discover` in its first half second left scoring workers (and the resource
tracker) holding the database open for minutes: a worker that started after its parent died
waited on its task queue for ever. kill -9 of the app during an XLSX export left the writer
process running, and its `.part` file and `.tmp` folder beside the chosen file for good.

Every process here carries a marker in its environment, which its children inherit, so the
test finds all of them, also those that start after the parent was killed.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import psutil
import pytest

from tests.datagen.bmf_gen import write_bmf_csv
from tests.reliability.filesystems import REPO

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads other processes' environment"
)
MARK = "CATALYNX_TEST_PROCESS_MARK"


def marked(marker: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(MARK) == marker and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def start(marker: str, *command: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", MARK: marker}
    return subprocess.Popen(
        [sys.executable, *command], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=REPO
    )


def kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL, reap, and close our end of its stdout (unread: its children may still hold it)."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    if proc.stdout is not None:
        proc.stdout.close()


def survivors_after(marker: str, seconds: float) -> list[str]:
    """The marked processes still there after `seconds` (their command lines)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not marked(marker):
            return []
        time.sleep(0.1)
    left = []
    for proc in marked(marker):
        try:
            left.append(" ".join(proc.cmdline())[:160])
            proc.kill()  # do not leave them to the next test
        except psutil.NoSuchProcess:
            pass
    return left


def open_and_close(home: Path) -> None:
    code = (
        "import asyncio; from catalynx_desktop.services import AppServices; "
        "from catalynx_desktop.paths import resolve_paths\n"
        "async def main():\n"
        f"    s = await AppServices.open(resolve_paths({str(home)!r}))\n"
        "    await s.close()\n"
        "asyncio.run(main())"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, cwd=REPO)


def discover_home(home: Path) -> None:
    open_and_close(home)  # creates and migrates the database
    with sqlite3.connect(home / "catalynx.sqlite3") as conn:  # 200,000 candidates: runs for seconds
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
            "INSERT INTO source_records (source, source_id, kind, name, funder_name, state, ntee_code, "
            "subsection, foundation_code, is_grant_maker, assets, income) SELECT 'irs_bmf', "
            "printf('%09d', i), 'foundation', 'Org ' || i, 'Org ' || i, 'VT', 'B20', '03', '04', 1, "
            "i * 1000, i * 100 FROM n"
        )
        conn.execute(
            "INSERT INTO profiles (name, ntee_code, target_ntee_codes, states, nationwide) "
            "VALUES ('Orphans', 'B20', '[\"B20\"]', '[]', 1)"
        )
    conn.close()


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.15, 0.4])
def test_scoring_workers_die_with_a_killed_discover(tmp_path, delay):
    home = tmp_path / "home"
    discover_home(home)
    marker = uuid.uuid4().hex
    proc = start(marker, "-m", "catalynx_desktop", "discover", "--profile", "1", "--data-dir", str(home))
    deadline = time.monotonic() + 60
    # Kill as the workers are being started: the first child is there, others may not be yet.
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.pid != proc.pid for p in marked(marker)):
            break
        time.sleep(0.01)
    assert proc.poll() is None, "discover ended before its workers started"
    time.sleep(delay)
    kill(proc)
    assert survivors_after(marker, 5.0) == []


def test_the_parser_process_dies_with_a_killed_import(tmp_path):
    source = write_bmf_csv(tmp_path / "eo_big.csv", 100_000, seed=9)  # > 4 MiB: parsed in a child
    marker = uuid.uuid4().hex
    proc = start(
        marker, "-m", "catalynx_desktop", "import", str(source), "--data-dir", str(tmp_path / "home")
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.pid != proc.pid for p in marked(marker)):
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the import ended before its parser started"
    kill(proc)
    assert survivors_after(marker, 5.0) == []


EXPORT_SCRIPT = textwrap.dedent("""
    import asyncio, sys, time
    from catalynx_desktop.domain.query import OpportunityQuery
    from catalynx_desktop.paths import resolve_paths
    from catalynx_desktop.services import AppServices

    async def main():
        services = await AppServices.open(resolve_paths(sys.argv[1]))
        handle = await services.exports.start(OpportunityQuery(profile_id=1), sys.argv[2], sys.argv[3])

        def show(snapshot):
            if snapshot.message.startswith("Exported"):
                print("WRITING", flush=True)
                time.sleep(120)  # the app stops here, mid-export, until it is killed

        handle.subscribe(show)
        await handle.wait()
        print("DONE", flush=True)

    asyncio.run(main())
""")


@pytest.mark.parametrize(
    ("fmt", "temp_files"),
    [("xlsx", {".tmp"}), ("csv", {".part"})],  # XLSX: a scratch folder (the .part comes at the end)
)
def test_a_killed_export_leaves_no_writer_and_its_temp_files_go_at_the_next_start(tmp_path, fmt, temp_files):
    home = tmp_path / "home"
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "catalynx_desktop",
            "demo",
            "--profiles",
            "1",
            "--opportunities",
            "30000",
            "--data-dir",
            str(home),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert made.returncode == 0, made.stderr
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / ".someone-elses.part").write_text("not ours")  # a look-alike that must stay
    target = exports / f"funders.{fmt}"
    marker = uuid.uuid4().hex
    proc = start(marker, "-c", EXPORT_SCRIPT, str(home), str(target), fmt)
    assert proc.stdout is not None
    line = proc.stdout.readline().decode().strip()
    assert line == "WRITING", line
    if fmt == "xlsx":
        assert len(marked(marker)) >= 2  # the app and its writer process
    kill(proc)

    assert survivors_after(marker, 5.0) == []
    leftovers = {p.suffix for p in exports.iterdir() if p.name.startswith(f".{target.name}.")}
    assert leftovers == temp_files

    open_and_close(home)  # the next start
    assert sorted(p.name for p in exports.iterdir()) == [".someone-elses.part"]
    with sqlite3.connect(home / "catalynx.sqlite3") as conn:
        status = conn.execute("SELECT status FROM workflow_runs WHERE workflow = 'export'").fetchall()
    conn.close()
    assert status == [("interrupted",)]
