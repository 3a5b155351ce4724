"""The import leaves the app's existing objects out of the garbage collector's full passes while it
runs (they stalled the event loop) and gives them back at the end: finished, cancelled or failed."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.importing.irs990_import import import_returns
from catalynx_desktop.workflows.importing.irs990_report import Irs990Report
from tests.datagen.irs990_gen import GenOptions, generate_returns, write_teos_zip
from tests.workflows.test_irs990_import import run_fresh


@pytest.fixture
def zip_path(tmp_path: Path) -> Path:
    returns = generate_returns(40, GenOptions(seed=77, grants=(1, 20)))
    return write_teos_zip(tmp_path / "2024_TEOS_XML_11A.zip", returns, seed=77, deflate64_share=0.3).path


async def _import(db_path: Path, zip_path: Path, cancel_after: int | None) -> tuple[Irs990Report, list[int]]:
    seen: list[int] = []

    def progress(report: Irs990Report) -> None:
        seen.append(gc.get_freeze_count())

    def cancel() -> bool:
        return cancel_after is not None and len(seen) >= cancel_after

    db = await Database.open(db_path)
    try:
        report = await import_returns(db, zip_path, progress=progress, cancel=cancel, workers=1)
    finally:
        await db.close()
    return report, seen


@pytest.fixture(autouse=True)
def heap_not_frozen() -> None:
    gc.unfreeze()  # a window opened by an earlier test froze its start-up heap


@pytest.mark.parametrize("cancel_after", [None, 1])
def test_the_heap_is_frozen_while_importing_and_given_back(
    tmp_path: Path, zip_path: Path, cancel_after: int | None
) -> None:
    assert gc.get_freeze_count() == 0
    report, seen = run_fresh(_import(tmp_path / "db.sqlite3", zip_path, cancel_after))
    assert seen and all(count > 0 for count in seen)  # frozen during the import
    assert gc.get_freeze_count() == 0  # and given back
    if cancel_after is None:
        assert report.inserted == 40 and not report.cancelled
    else:
        assert report.cancelled


def test_a_failed_import_gives_the_heap_back(tmp_path: Path) -> None:
    bad = tmp_path / "2024_TEOS_XML_12A.zip"
    bad.write_bytes(b"this is not a zip" * 10)
    with pytest.raises(Exception, match="zip"):
        run_fresh(_import(tmp_path / "db.sqlite3", bad, None))
    assert gc.get_freeze_count() == 0


def test_the_windows_frozen_start_up_heap_stays_frozen(tmp_path: Path, zip_path: Path) -> None:
    gc.freeze()  # as app.open_main_window does once the window shows its first rows
    start_up = gc.get_freeze_count()
    try:
        report, seen = run_fresh(_import(tmp_path / "db.sqlite3", zip_path, None))
        assert report.inserted == 40 and seen
        assert gc.get_freeze_count() >= start_up  # not handed back to every full pass
    finally:
        gc.unfreeze()
