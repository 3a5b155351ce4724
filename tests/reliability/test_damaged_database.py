"""Issue 14, item 13: a database damaged in the middle (64 KB overwritten at 6 MB) opened, and
searches, stage moves and notes all succeeded; only import and discover noticed. Now the file is
checked in the background once the first rows are on screen (PRAGMA quick_check on the
background reader), and after any read that meets damage: one message naming the newest backup,
and no more writes."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.domain.errors import StorageError
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.services import AppServices
from catalynx_desktop.services.backups import take_backup
from catalynx_desktop.storage.errors import CorruptDatabaseError
from catalynx_desktop.workflows.demo.generator import DemoPlan
from tests.fresh_loop import arun


def damage(database: Path) -> None:
    """The hostile tester's damage: 64 KB of garbage at 6 MB, in a ~13 MB database."""
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file first
    conn.close()
    assert database.stat().st_size > 7 * 2**20
    with database.open("r+b") as file:
        file.seek(6 * 2**20)
        file.write(b"\xa5" * 65_536)


def damage_search_pages(database: Path) -> None:
    """Damage only pages the first rows never read (the search index's content): the window
    opens as it did for the hostile tester, and only a check can tell."""
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = [
            r[0]
            for r in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'record_search_content' AND pagetype = 'leaf' "
                "ORDER BY pageno DESC LIMIT 16"
            )
        ]
    conn.close()
    with database.open("r+b") as file:
        for page in pages:
            file.seek((page - 1) * 4096)
            file.write(b"\xa5" * 4096)


async def make_damaged(home: Path, where: Callable[[Path], None] = damage) -> None:
    """A demo database with one good backup, then damaged in the middle."""
    services = await AppServices.open(resolve_paths(home))
    try:
        await services.load_demo(DemoPlan(1, 8000, seed=3))
    finally:
        await services.close()
    paths = resolve_paths(home)
    await asyncio.to_thread(take_backup, paths, reason="good")
    await asyncio.to_thread(where, paths.database)


async def first_opportunity(services: AppServices) -> int:
    row = await services.db.fetch_one("SELECT id FROM opportunities ORDER BY id LIMIT 1")
    assert row is not None
    return int(row[0])


def test_the_background_check_finds_the_damage_and_writes_stop(tmp_path: Path) -> None:
    home = tmp_path / "home"

    async def scenario() -> None:
        await make_damaged(home)
        services = await AppServices.open(resolve_paths(home))  # it opens: the damage is inside
        try:
            problem = await services.check_database()
            assert problem is not None and "is damaged" in problem
            assert "The newest backup is" in problem and "catalynx-desktop restore" in problem
            opportunity = await first_opportunity(services)
            with pytest.raises(CorruptDatabaseError):
                await services.opportunities.move_stage([opportunity], Stage.DECLINED, "x")
        finally:
            await services.close()

    arun(scenario(), timeout=600)


def test_a_read_that_meets_the_damage_stops_writes_too(tmp_path: Path) -> None:
    home = tmp_path / "home"

    def scan_everything(conn: sqlite3.Connection) -> None:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for _row in conn.execute(f'SELECT * FROM "{table}"'):  # names from sqlite_master
                pass

    async def scenario() -> None:
        await make_damaged(home)
        services = await AppServices.open(resolve_paths(home))
        try:
            opportunity = await first_opportunity(services)
            with pytest.raises(StorageError):
                await services.db.read(scan_everything)
            assert services.db.damage is not None
            with pytest.raises(CorruptDatabaseError):
                await services.opportunities.move_stage([opportunity], Stage.DECLINED, "x")
        finally:
            await services.close()

    arun(scenario(), timeout=600)


def test_the_window_says_so_once_after_its_first_rows(qtbot, run, data_dir: Path) -> None:
    run(make_damaged(data_dir, damage_search_pages))
    window = run(open_main_window(data_dir))
    try:
        told = asyncio.Event()
        shown: list[BaseException] = []
        window.status.failed.connect(lambda error: (shown.append(error), told.set()))
        if window.errors.last is None:
            run(told.wait(), timeout=20)
        run(asyncio.sleep(0.5))
        assert len(shown) <= 1  # one message (none more while the window idles)
        assert isinstance(window.errors.last, StorageError)
        assert "is damaged" in str(window.errors.last) and "newest backup" in str(window.errors.last)
    finally:
        run(close_main_window(window))
