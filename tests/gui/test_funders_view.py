"""The Funders view and a funder's page in the real window, on a database filled by the real 990
import from generated returns: open from the View menu, sort, search, filter, open a funder's page
and its grants, funders of organizations like mine, Add to pipeline, export."""

from __future__ import annotations

import asyncio
import csv
import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.services import AppServices
from catalynx_desktop.workflows.engine import RunResult
from catalynx_desktop.workflows.importing.irs990_import import import_returns
from tests.datagen.irs990_gen import GenOptions, generate_returns, write_teos_zip


def seed(run, data_dir: Path, tmp_path: Path) -> int:
    """A profile and 300 generated returns imported; returns the profile's id."""
    summary = write_teos_zip(
        tmp_path / "2024_TEOS_XML_05A.zip",
        generate_returns(300, GenOptions(seed=21, grants=(2, 40), plant=0.5, years=2)),
        seed=21,
        deflate64_share=0.3,
    )

    async def fill() -> int:
        services = await AppServices.open(resolve_paths(data_dir))
        try:
            profile = await services.profiles.create(
                Profile(name="Valley Food Bank", ein="123456789", ntee_code="K31", states=("VT",))
            )
            report = await import_returns(services.db, summary.path, workers=1)
            assert report.inserted == 300 and report.problem_count == 0
            assert profile.id is not None
            return profile.id
        finally:
            await services.close()

    return int(run(fill(), timeout=300))


def rows(data_dir: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(resolve_paths(data_dir).database) as conn:
        return conn.execute(sql, params).fetchall()


async def until(check, limit_s: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + limit_s
    while not check():
        await asyncio.sleep(0.02)
        assert asyncio.get_running_loop().time() < deadline, "timed out"


async def loaded_names(model, count: int) -> list[str]:
    for row in range(count):
        model.row_at(row)
    await until(lambda: all(model.is_loaded(r) for r in range(count)))
    return [model.index(r, 0).data() for r in range(count)]


def test_funders_view_page_like_mine_pipeline_and_export(qtbot, run, data_dir, tmp_path):
    profile_id = seed(run, data_dir, tmp_path)
    window = run(open_main_window(data_dir))
    qtbot.addWidget(window)
    try:
        funders = window.funders
        window.funders_action.trigger()
        run(until(lambda: funders.model.query is not None))
        assert funders.dock.isVisible()
        expected_total = rows(data_dir, "SELECT count(*) FROM funders WHERE gives = 1")[0][0]
        assert funders.model.rowCount() == expected_total > 0
        # Default: largest latest-year giving first; the shares follow the profile (VT, group K).
        assert funders.model.query.profile_state == "VT" and funders.model.query.profile_group == "K"
        paid = [r.latest_grants_paid for r in run(_rows(funders.model, 20))]
        assert paid == sorted(paid, reverse=True)

        funders.model.sort(0, Qt.SortOrder.AscendingOrder)  # by name, in SQL
        run(until(lambda: funders.model.query.sort.value == "name"))
        names = run(loaded_names(funders.model, 10))
        db_names = [n for (n,) in rows(data_dir, "SELECT name FROM funders WHERE gives = 1")]
        assert names == sorted(db_names, key=str.casefold)[:10] or names == sorted(db_names)[:10]

        word = names[0].split()[0]
        funders.search.setText(word)
        run(funders.show_funders())
        assert 0 < funders.model.rowCount() <= expected_total
        assert all(word.casefold() in n.casefold() for n in run(loaded_names(funders.model, 1)))
        funders.search.setText("")
        funders.accepting.setChecked(True)  # spawns a re-open; wait for it
        run(until(lambda: funders.model.query.accepts_applications is True))
        accepting = rows(
            data_dir, "SELECT count(*) FROM funders WHERE gives = 1 AND accepts_applications = 1"
        )[0][0]
        run(until(lambda: funders.model.rowCount() == accepting))
        funders.accepting.setChecked(False)
        run(until(lambda: funders.model.query.accepts_applications is None))

        first = run(_rows(funders.model, 1))[0]
        run(funders.open_funder(first.id))
        assert funders.page_dock.isVisible()
        assert first.name in funders.page.title.text()
        counted = rows(
            data_dir, "SELECT count(*) FROM irs_grants WHERE funder_id = ? AND counts = 1", (first.id,)
        )[0][0]
        assert funders.grants.rowCount() == counted
        assert funders.page.years.rowCount() >= 1
        funders.grants.sort(3, Qt.SortOrder.DescendingOrder)  # amount, largest first
        run(until(lambda: funders.grants.query.descending))
        amounts = [g.amount for g in run(_rows(funders.grants, min(counted, 20)))]
        assert amounts == sorted(amounts, reverse=True)

        run(funders.show_like_mine())
        assert funders.like_table.rowCount() == len(funders.like_results)

        run(funders.add_to_pipeline())
        added = rows(
            data_dir,
            "SELECT o.source, s.ein FROM opportunities o JOIN source_records s ON s.id = o.source_record_id "
            "WHERE o.profile_id = ?",
            (profile_id,),
        )
        assert added == [("irs_990", first.ein)]  # no BMF record imported: the 990 filer's own record
        run(funders.add_to_pipeline())  # a second time adds nothing
        assert len(rows(data_dir, "SELECT id FROM opportunities WHERE profile_id = ?", (profile_id,))) == 1

        target = tmp_path / "funders.csv"
        written = run(funders.export(target))
        with target.open(encoding="utf-8-sig", newline="") as stream:
            exported = list(csv.DictReader(stream))
        assert written == len(exported) == expected_total
    finally:
        run(close_main_window(window))


async def _rows(model, count: int) -> list:
    for row in range(count):
        model.row_at(row)
    await until(lambda: all(model.is_loaded(r) for r in range(count)))
    return [model.row_at(r) for r in range(count)]


def test_window_imports_a_teos_zip_with_its_index_then_shows_its_funders(qtbot, run, data_dir, tmp_path):
    """Import from the window (as a drop of both files does): the index goes with its zip, the run
    succeeds, and the Funders view shows the new funders."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    summary = write_teos_zip(
        folder / "2023_TEOS_XML_11A.zip",
        generate_returns(80, GenOptions(seed=4, grants=(1, 10))),
        seed=4,
        deflate64_share=0.5,
        other_forms=0.1,
    )
    renamed = summary.index.rename(tmp_path / "my-index-2023.csv")  # not beside the zip: given with it
    window = run(open_main_window(data_dir))
    qtbot.addWidget(window)
    try:

        async def import_and_wait() -> tuple[int, RunResult]:
            # One coroutine, as the window does: the run's task steps only while the loop runs.
            handles = await window.workflows.import_files([summary.path, renamed], show_report=False)
            return len(handles), await handles[0].wait()

        count, result = run(import_and_wait(), timeout=300)
        assert count == 1
        assert result.status.value == "succeeded"
        output = result.output("import")
        assert output["inserted"] == 80 and output["other_forms"] == summary.forms["990T"]
        assert output["index"] == str(renamed)
        window.funders_action.trigger()
        run(until(lambda: window.funders.model.query is not None))
        assert (
            window.funders.model.rowCount()
            == rows(data_dir, "SELECT count(*) FROM funders WHERE gives = 1")[0][0]
        )
    finally:
        run(close_main_window(window))
