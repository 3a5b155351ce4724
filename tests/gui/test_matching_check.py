"""Help > "How well does matching work on my data…" in the real window, on a real database filled
with generated giving (tests/datagen/giving_gen.py, stored as BMF records and 990-PF returns):
the dialog's figures are the service's, the result is remembered, Cancel stops a run within 1 s,
and with no 990 grants the dialog says what to import."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.domain.evaluation import BackTestResult
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.services import AppServices
from catalynx_desktop.ui.dialogs.matching_check_dialog import figure_rows, meaning
from tests.datagen.giving_store_gen import store_generated_giving


@pytest.fixture(scope="module")
def giving_db(tmp_path_factory: pytest.TempPathFactory, qloop: asyncio.AbstractEventLoop) -> Path:
    """300 foundations' grants to 2,000 charities over 2021-2024 (16,880 grants), stored once."""
    path = tmp_path_factory.mktemp("giving") / "catalynx.sqlite3"
    assert qloop.run_until_complete(store_generated_giving(path)) > 10_000
    return path


def with_giving(data_dir: Path, giving_db: Path) -> None:
    paths = resolve_paths(data_dir).ensure()
    shutil.copyfile(giving_db, paths.database)


async def until(check, limit_s: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + limit_s
    while not check():
        await asyncio.sleep(0.02)
        assert asyncio.get_running_loop().time() < deadline, "timed out"


async def service_figures(data_dir: Path, year: int | None) -> BackTestResult:
    services = await AppServices.open(resolve_paths(data_dir))
    try:
        return await services.matching.evaluate(year, services.settings.scoring_weights())
    finally:
        await services.close()


def table_text(dialog) -> list[tuple[str, str, str]]:
    table = dialog.table
    return [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]


def test_dialog_shows_the_services_figures_and_remembers_them(qtbot, run, data_dir, giving_db):
    with_giving(data_dir, giving_db)
    expected = run(service_figures(data_dir, None), timeout=120)
    assert expected.recipients == 500 and expected.funders == 300 and expected.year == 2024
    window = run(open_main_window(data_dir))
    qtbot.addWidget(window)
    try:
        check = window.matching_check
        assert window.matching_check_action in window.menuBar().actions()[-1].menu().actions()
        window.matching_check_action.trigger()
        run(until(lambda: check.dialog is not None and check.dialog.isVisible()), timeout=120)
        dialog = check.dialog
        assert dialog.check is not None and dialog.check.result == expected  # the same figures, exactly
        assert dialog.table.isVisible() and not dialog.advice.isVisible()
        assert table_text(dialog) == figure_rows(expected)
        assert table_text(dialog)[0][0] == "Real funders found in the top 20"
        assert dialog.meaning.text() == meaning(expected)
        assert "in 2024, the app's top 20 held 84%; ranking by size alone held 33%" in dialog.meaning.text()
        assert "Year 2024 hidden: 500 organizations" in dialog.summary.text()
        assert "300 funders ranked" in dialog.summary.text()
        assert dialog.when.text().startswith("Measured on ")
        assert [dialog.year.itemText(i) for i in range(dialog.year.count())] == [
            "Latest (2024)", "2024", "2023", "2022", "2021"
        ]  # fmt: skip
        assert "84%" in window.status_label.text() and not window.long_action.progress.isVisible()
        dialog.close()

        # Opened again: the remembered result, not a new run.
        window.matching_check_action.trigger()
        run(
            until(
                lambda: check.dialog is not dialog and check.dialog is not None and check.dialog.isVisible()
            )
        )
        again = check.dialog
        assert again.when.text().startswith("Last measured on ")
        assert again.check is not None and again.check.result == expected
        assert not window.long_action.progress.isVisible()

        # Another year from the picker: the service's figures for that year.
        expected_2023 = run(service_figures(data_dir, 2023), timeout=120)
        again.year.setCurrentIndex(again.year.findData(2023))
        qtbot.mouseClick(again.measure_button, Qt.MouseButton.LeftButton)
        run(
            until(
                lambda: check.dialog is not again and check.dialog is not None and check.dialog.isVisible()
            ),
            timeout=120,
        )
        assert check.dialog.check is not None and check.dialog.check.result == expected_2023
        assert check.dialog.year.currentData() == 2023
        assert check.remembered() is not None and check.remembered().result == expected_2023
        check.dialog.close()
    finally:
        run(close_main_window(window))


def test_cancel_stops_the_run_within_a_second(qtbot, run, data_dir, giving_db):
    with_giving(data_dir, giving_db)
    window = run(open_main_window(data_dir))
    qtbot.addWidget(window)
    try:
        check, long_action = window.matching_check, window.long_action
        task = window.tasks.spawn(check.measure(None))
        run(until(lambda: long_action.progress.isVisible() and long_action.progress.value() > 0), timeout=120)
        assert long_action.progress.value() < long_action.progress.maximum()  # mid-run
        started = time.perf_counter()
        qtbot.mouseClick(long_action.cancel_button, Qt.MouseButton.LeftButton)
        run(until(task.done))
        assert time.perf_counter() - started < 1.0
        assert task.exception() is None
        assert check.dialog is None  # no dialog of figures
        assert window.status_label.text() == "Measuring matching cancelled; no figures were kept."
        assert check.remembered() is None and not long_action.progress.isVisible()
    finally:
        run(close_main_window(window))


def test_no_990_grants_says_what_to_import(qtbot, run, data_dir):
    window = run(open_main_window(data_dir))
    qtbot.addWidget(window)
    try:
        check = window.matching_check
        window.matching_check_action.trigger()
        run(until(lambda: check.dialog is not None and check.dialog.isVisible()))
        dialog = check.dialog
        assert not dialog.table.isVisible() and dialog.advice.isVisible()
        assert dialog.advice.text().startswith("No 990 grants are imported yet.")
        assert "Import IRS 990 e-file returns" in dialog.advice.text() and "BMF" in dialog.advice.text()
        assert check.remembered() is None
        dialog.close()
    finally:
        run(close_main_window(window))


def test_too_few_recipients_is_advice_not_figures(qtbot, run, data_dir, tmp_path):
    """One foundation, 48 grants over four years, 5 recipients in 2024: no figures of a handful."""
    small = tmp_path / "small.sqlite3"
    assert run(store_generated_giving(small, seed=5, funders=1, recipients=100)) > 0
    with_giving(data_dir, small)
    window = run(open_main_window(data_dir))
    qtbot.addWidget(window)
    try:
        check = window.matching_check
        run(check.measure(None), timeout=60)
        dialog = check.dialog
        assert dialog is not None and dialog.isVisible() and not dialog.table.isVisible()
        assert dialog.advice.text().startswith("Only 5 organizations that received grants in 2024")
        assert "at least 10" in dialog.advice.text()
        assert check.remembered() is None
        dialog.close()
    finally:
        run(close_main_window(window))
