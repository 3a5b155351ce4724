"""An XLSX export says when a value is longer than an Excel cell holds (issue 14, item 7).

The attack: a note of 40,010 characters came out of an XLSX export as its first 32,767 (Excel's
cell limit) with nothing said. Now the cell ends with a mark that says it was cut and how long
the value was, and the export's report (the workflow result the window shows) says how many
cells were cut and that a CSV export keeps them whole.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl

from catalynx_desktop.domain.runs import RunStatus
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.migrations import migrate
from catalynx_desktop.workflows.demo.generator import DemoPlan
from catalynx_desktop.workflows.demo.loader import load_demo
from catalynx_desktop.workflows.engine import WorkflowEngine
from catalynx_desktop.workflows.export import start_export
from catalynx_desktop.workflows.runs import MemoryRunStore
from tests.fresh_loop import arun

EXCEL_CELL = 32_767
NOTE = "".join(f"{n:05d} " for n in range(6_669))[:40_010]  # 40,010 characters, each place distinct


def _database(tmp_path: Path) -> tuple[Path, list[int]]:
    path = tmp_path / "catalynx.sqlite3"
    migrate(path, tmp_path / "backups")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        load_demo(conn, DemoPlan(1, 50, seed=3))
        ids = [row[0] for row in conn.execute("SELECT id FROM opportunities ORDER BY id LIMIT 3")]
        conn.execute("UPDATE opportunities SET notes = ? WHERE id = ?", (NOTE, ids[0]))
        conn.execute("UPDATE opportunities SET title = ? WHERE id = ?", ("T" * 33_000, ids[1]))
        conn.execute("UPDATE opportunities SET notes = ? WHERE id = ?", ("n" * EXCEL_CELL, ids[2]))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return path, ids


def _export(db_path: Path, ids: list[int], target: Path, fmt: str) -> object:
    async def main() -> object:
        db = await Database.open(db_path)
        try:
            handle = await start_export(WorkflowEngine(MemoryRunStore()), db, ids, target, fmt)
            return await handle.wait()
        finally:
            await db.close()

    return arun(main(), timeout=120)


def test_a_value_longer_than_an_excel_cell_is_marked_and_reported(tmp_path: Path) -> None:
    db_path, ids = _database(tmp_path)
    target = tmp_path / "view.xlsx"

    result = _export(db_path, ids, target, "xlsx")

    assert result.status is RunStatus.SUCCEEDED  # type: ignore[attr-defined]
    output = result.output("export")  # type: ignore[attr-defined]
    book = openpyxl.load_workbook(target, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = list(rows[0])
    notes, title = header.index("Notes"), header.index("Title")
    cut_note = rows[1][notes]
    mark = "… [cut: 40,010 characters]"
    assert cut_note.endswith(mark) and len(cut_note) == EXCEL_CELL
    assert cut_note[: -len(mark)] == NOTE[: EXCEL_CELL - len(mark)]
    assert rows[2][title].endswith("… [cut: 33,000 characters]") and len(rows[2][title]) == EXCEL_CELL
    assert rows[3][notes] == "n" * EXCEL_CELL  # exactly the limit: whole, no mark

    report = " ".join(output["notes"])
    assert "2 values were longer than an Excel cell holds (32,767 characters)" in report, report
    assert "CSV" in report and "cut" in report
    assert "2 values" in output["summary"], output["summary"]


def test_the_same_export_as_csv_keeps_the_value_whole(tmp_path: Path) -> None:
    db_path, ids = _database(tmp_path)
    target = tmp_path / "view.csv"

    result = _export(db_path, ids, target, "csv")

    assert result.status is RunStatus.SUCCEEDED  # type: ignore[attr-defined]
    assert NOTE in target.read_text(encoding="utf-8-sig")
    assert result.output("export")["notes"] == []  # type: ignore[attr-defined]
