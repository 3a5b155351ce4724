"""A full disk during an import, a stage move and a profile save: one clear message that says the
disk holding the data directory is full and what to do; everything committed before stays, the
database passes PRAGMA integrity_check, and once space is back the same work completes without
duplicates.

How the disk fills, best first:
* "tmpfs": the data directory lives on a real tmpfs of a few MB that the import fills, or that a
  filler file fills before a write: the OS returns ENOSPC and SQLite SQLITE_FULL, as on a real
  disk. Needs root and a sandbox that allows mounting (skipped otherwise).
* "page_limit": PRAGMA max_page_count on the app's own writer connection, so the database cannot
  grow: SQLite raises the same SQLITE_FULL ("database or disk is full") from the same statements.
  Runs everywhere.
"""

from __future__ import annotations

import asyncio
import csv
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalynx_desktop.domain.runs import RunStatus
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.services import AppServices
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.errors import ErrorKind, StorageError
from catalynx_desktop.workflows.demo.generator import DemoPlan
from catalynx_desktop.workflows.importing.workflow import start_import
from tests.datagen.bmf_gen import write_bmf_csv
from tests.fresh_loop import arun
from tests.reliability.filesystems import checkpoint, fill, release, tmpfs

ROWS = 20_000  # 4 import batches of 5,000 (the importer's batch): the disk runs out after some
BATCH = 5_000
ROOM = 6 * 2**20  # what is left for the import: about two batches (database + WAL growth)
NO_LIMIT = 1_073_741_823  # SQLite's default max_page_count


class Disk:
    """Where the data directory lives, and how to run it out of space and give the space back."""

    def __init__(self, method: str, root: Path) -> None:
        self.method = method
        self.root = root
        self.home = root / "home"

    async def run_out(self, db: Database, room: int) -> None:
        """Leave about `room` bytes for the database to grow into."""
        if self.method == "tmpfs":
            if room == 0:
                checkpoint(db.path)  # an empty WAL: the next write has to grow it
            fill(self.root, room)
        else:
            row = await db.fetch_one(
                "SELECT page_count, page_size FROM pragma_page_count(), pragma_page_size()"
            )
            assert row is not None
            limit = row[0] + room // row[1]
            await db.write(lambda conn: conn.execute(f"PRAGMA max_page_count = {int(limit)}"))

    async def give_back(self, db: Database | None = None) -> None:
        if self.method == "tmpfs":
            release(self.root)
        elif db is not None:
            await db.write(lambda conn: conn.execute(f"PRAGMA max_page_count = {NO_LIMIT}"))


@pytest.fixture(params=["tmpfs", "page_limit"])
def disk(request, tmp_path) -> Iterator[Disk]:
    root = tmp_path / "disk"
    if request.param == "page_limit":
        root.mkdir()
        yield Disk("page_limit", root)
        return
    with tmpfs(root, "32m") as mounted:
        if not mounted:
            pytest.skip("mounting a tmpfs is not permitted here; the page_limit variant covers this")
        yield Disk("tmpfs", root)


@pytest.fixture(scope="module")
def bmf_file(tmp_path_factory) -> Path:
    return write_bmf_csv(tmp_path_factory.mktemp("bmf") / "eo_full.csv", ROWS, seed=5)


def file_eins(path: Path) -> list[str]:
    with path.open(newline="") as stream:
        rows = csv.reader(stream)
        next(rows)
        return [row[0] for row in rows]


def assert_disk_full_message(text: str, home: Path) -> None:
    assert "is full" in text and str(home) in text and "Free some space" in text, text
    assert "Traceback" not in text and "OperationalError" not in text and "StorageError" not in text, text


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    return str(result)


async def snapshot(db: Database) -> tuple:
    """What the user had before the failure: profiles, opportunities with their stages, history."""
    return (
        await db.fetch_all("SELECT id, name FROM profiles ORDER BY id"),
        await db.fetch_all("SELECT id, stage, score FROM opportunities ORDER BY id"),
        await db.fetch_all("SELECT count(*) FROM stage_history"),
        await db.fetch_all("SELECT profile_id, stage, n FROM profile_stage_counts ORDER BY 1, 2"),
    )


def test_import_that_fills_the_disk_keeps_committed_batches_and_completes_after(disk, bmf_file):
    order = file_eins(bmf_file)

    async def scenario() -> None:
        services = await AppServices.open(resolve_paths(disk.home))
        try:
            await services.load_demo(DemoPlan(1, 300, seed=1))
            before = await snapshot(services.db)
            await disk.run_out(services.db, ROOM)

            handle = await start_import(services.engine, services.db, bmf_file, parse_cache=services.cache)
            result = await handle.wait()
            assert result.status is RunStatus.FAILED
            step_error = result.steps["import"].error
            assert_disk_full_message(step_error, disk.home)
            assert result.error == step_error  # the run's error is the user's message too

            # Every batch committed before the disk filled is there, whole, and nothing else.
            kept = {
                r[0]
                for r in await services.db.fetch_all(
                    "SELECT source_id FROM source_records WHERE source = 'irs_bmf'"
                )
            }
            assert len(kept) % BATCH == 0 and BATCH <= len(kept) < ROWS, len(kept)
            assert kept == set(order[: len(kept)])
            assert await snapshot(services.db) == before
            assert (await services.db.fetch_one("PRAGMA integrity_check"))[0] == "ok"

            await disk.give_back(services.db)
            again = await (
                await start_import(services.engine, services.db, bmf_file, parse_cache=services.cache)
            ).wait()
            assert again.status is RunStatus.SUCCEEDED, again.error
            output = again.output("import")
            assert (output["inserted"], output["unchanged"]) == (ROWS - len(kept), len(kept))
            counts = await services.db.fetch_one(
                "SELECT count(*), count(DISTINCT source_id) FROM source_records WHERE source = 'irs_bmf'"
            )
            assert counts == (ROWS, ROWS)
            assert await snapshot(services.db) == before
        finally:
            await services.close()
        assert integrity(resolve_paths(disk.home).database) == "ok"
        # The run the full disk could not close is not left 'running': the next start marks it.
        services = await AppServices.open(resolve_paths(disk.home))
        try:
            statuses = [
                r[0] for r in await services.db.fetch_all("SELECT status FROM workflow_runs ORDER BY id")
            ]
            assert (
                statuses[-1] == "succeeded"
                and "running" not in statuses
                and statuses[0] in ("failed", "interrupted")
            )
        finally:
            await services.close()

    arun(scenario())


def test_an_import_that_fills_the_disk_in_the_window_says_so_in_the_status_line(qtbot, run, disk, bmf_file):
    """The run's recorded error is the disk-full message itself (not "step 'import' failed:
    StorageError: ..."), and that is what the window's status line shows."""
    from catalynx_desktop.app import close_main_window, open_main_window

    async def scenario() -> None:
        window = await open_main_window(disk.home)
        try:
            await disk.run_out(window.services.db, ROOM)
            handles = await window.workflows.import_files([bmf_file], ask_mapping=False, show_report=False)
            await window.workflows.wait_all()
            result = await handles[0].wait()
            assert result.status is RunStatus.FAILED
            assert result.error == result.steps["import"].error
            assert_disk_full_message(result.error, disk.home)
            status = window.status_label.text()
            # The status line's wording of a run (issue 15): "Import <file>: failed in 0.9 s. <why>".
            assert re.fullmatch(
                rf"Import {re.escape(bmf_file.name)}: failed in [0-9.]+ s\. {re.escape(result.error.splitlines()[0])}",
                status,
            ), status
            assert_disk_full_message(status, disk.home)
            await disk.give_back(window.services.db)
        finally:
            await close_main_window(window)

    run(scenario(), timeout=180)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "catalynx_desktop", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_import_on_a_full_disk_prints_one_message_and_reruns_cleanly(tmp_path, bmf_file):
    root = tmp_path / "disk"
    with tmpfs(root, "32m") as mounted:
        if not mounted:
            pytest.skip(
                "mounting a tmpfs is not permitted here (the in-process page_limit test covers the rest)"
            )
        home = root / "home"
        assert (
            cli("demo", "--profiles", "1", "--opportunities", "300", "--data-dir", str(home)).returncode == 0
        )
        fill(root, ROOM)
        failed = cli("import", str(bmf_file), "--data-dir", str(home))
        assert failed.returncode == 1
        lines = failed.stderr.strip().splitlines()
        assert len(lines) == 1, failed.stderr  # one message, no traceback, no logging noise
        assert lines[0].startswith(f"{bmf_file.name}: import failed: ")  # the file named once (issue 15)
        assert_disk_full_message(lines[0], home)
        database = resolve_paths(home).database
        with sqlite3.connect(database) as conn:
            kept = conn.execute("SELECT count(*) FROM source_records WHERE source = 'irs_bmf'").fetchone()[0]
        conn.close()
        assert kept % BATCH == 0 and kept < ROWS

        # Every command refuses with the same message while the disk is full (its first write
        # fails), and none of them hangs on the open connections.
        release(root)
        checkpoint(database)  # an empty WAL: the first write of the next command has to grow it
        fill(root, 0)
        for args in (("discover", "--profile", "1"), ("import", str(bmf_file))):
            refused = cli(*args, "--data-dir", str(home))
            assert refused.returncode == 1, refused.stderr
            assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
            assert_disk_full_message(refused.stderr, home)

        release(root)
        again = cli("import", str(bmf_file), "--data-dir", str(home))
        assert again.returncode == 0, again.stderr
        assert f"{ROWS - kept:,} inserted" in again.stdout and f"{kept:,} unchanged" in again.stdout
        with sqlite3.connect(database) as conn:
            assert conn.execute(
                "SELECT count(*), count(DISTINCT source_id) FROM source_records WHERE source = 'irs_bmf'"
            ).fetchone() == (ROWS, ROWS)
            assert conn.execute("SELECT count(*) FROM opportunities").fetchone()[0] == 300
        conn.close()
        assert integrity(database) == "ok"


def test_stage_move_and_profile_save_on_a_full_disk_show_one_message(qtbot, run, disk):
    """In the real window: the move and the save fail with the message box and status line the
    user sees, change nothing, and succeed once space is back (the move exactly once)."""
    from PySide6.QtWidgets import QMessageBox

    from catalynx_desktop.app import close_main_window, open_main_window
    from catalynx_desktop.domain.profile import Profile
    from catalynx_desktop.domain.stages import Stage

    # As large as a valid profile gets (50 keywords and 50 focus areas of 100 characters: the
    # limits of domain/validation.py), so that saving it needs pages the full disk cannot give.
    big_profile = Profile(
        name="Harbor Arts",
        keywords=tuple(f"keyword{i:05d}".ljust(100, "k") for i in range(50)),
        focus_areas=tuple(f"focus area {i:05d}".ljust(100, "f") for i in range(50)),
    )

    async def attempt(window, coro) -> StorageError:
        """Run `coro` as the window's own actions do (its task runner routes failures to the
        error display) and return the error shown."""
        window.errors.last = None
        task = window.tasks.spawn(coro)
        await asyncio.wait([task])
        await asyncio.sleep(0)  # the runner's done-callback shows the error
        error = window.errors.last
        assert isinstance(error, StorageError) and error.kind is ErrorKind.ENVIRONMENT, repr(error)
        assert_disk_full_message(error.user_message, disk.home)
        assert window.status_label.text() == error.user_message.splitlines()[0]
        boxes = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
        assert [box.text() for box in boxes] == [error.user_message]
        for box in boxes:
            box.close()
        return error

    async def scenario() -> None:
        services = await AppServices.open(resolve_paths(disk.home))
        try:
            demo = await services.load_demo(DemoPlan(2, 2_000, seed=3))
        finally:
            await services.close()
        window = await open_main_window(disk.home)
        try:
            db = window.services.db
            profile_id = demo.profile_ids[0]
            ids = [
                r[0]
                for r in await db.fetch_all(
                    "SELECT id FROM opportunities WHERE profile_id = ? AND stage = 'discover'", (profile_id,)
                )
            ]
            assert len(ids) > 100
            before = await snapshot(db)

            await disk.run_out(db, 0)
            await attempt(window, window.stage_moves.move(ids, Stage.PLAN, "strong fit"))
            assert await snapshot(db) == before
            await attempt(window, window.profiles.save(big_profile))
            assert await snapshot(db) == before
            assert (await db.fetch_one("PRAGMA integrity_check"))[0] == "ok"

            await disk.give_back(db)
            move = await window.stage_moves.move(ids, Stage.PLAN, "strong fit")
            assert len(move.moved) == len(ids)
            assert (await window.stage_moves.move(ids, Stage.PLAN, "strong fit")).moved == []
            saved = await window.profiles.save(big_profile)
            assert saved.id is not None
            history = (await db.fetch_one("SELECT count(*) FROM stage_history"))[0]
            assert history == before[2][0][0] + len(ids)
            assert (await db.fetch_one("SELECT count(*) FROM profiles"))[0] == len(before[0]) + 1
            assert (
                await db.fetch_one(
                    "SELECT count(*) FROM opportunities WHERE profile_id = ? AND stage = 'plan'",
                    (profile_id,),
                )
            )[0] >= len(ids)
        finally:
            await close_main_window(window)
        assert integrity(resolve_paths(disk.home).database) == "ok"

    run(scenario(), timeout=180)
