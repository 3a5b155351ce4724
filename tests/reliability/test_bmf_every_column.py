"""Every column of the real IRS BMF file is stored as given (issue 14, item 6).

The attack: import eo_vt.csv and look for GROUP, AFFILIATION, ACTIVITY, STATUS, SORT_NAME, ...:
they were dropped (15 of 28 columns kept) and RULING '000000' came back empty. Here every row of
the real file is imported into a real database and each of its 28 columns is compared with the
CSV's raw text, field by field; then the file is imported again (updated in place, no
duplicates) and a changed file updates only the row that changed.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.importing.importer import import_file
from tests.fresh_loop import arun
from tests.reliability.filesystems import REPO

VT = REPO / "tests" / "data" / "eo_vt.csv"
VT_ROWS = 6_535

# CSV column -> the source_records column that holds it as given (text, leading zeros kept).
AS_GIVEN = {
    "EIN": "ein",
    "NAME": "name",
    "SUBSECTION": "subsection",
    "FOUNDATION": "foundation_code",
    "GROUP": "group_exemption",
    "AFFILIATION": "affiliation",
    "CLASSIFICATION": "classification",
    "RULING": "ruling",
    "DEDUCTIBILITY": "deductibility",
    "ACTIVITY": "activity",
    "ORGANIZATION": "organization_type",
    "STATUS": "exempt_status",
    "TAX_PERIOD": "tax_period",
    "ASSET_CD": "asset_code",
    "INCOME_CD": "income_code",
    "FILING_REQ_CD": "filing_requirement",
    "PF_FILING_REQ_CD": "pf_filing_requirement",
    "ACCT_PD": "accounting_period",
    "SORT_NAME": "sort_name",
}
# Amounts are numbers (sorted and summed); their text is the number's decimal form.
AMOUNTS = {"ASSET_AMT": "assets", "INCOME_AMT": "income", "REVENUE_AMT": "revenue"}
# Kept in `extra` (JSON) as given: address parts nobody filters on.
IN_EXTRA = {"ICO": "in_care_of", "STREET": "street", "ZIP": "zip"}


def _stored(value: Any) -> str:
    return "" if value is None else str(value)


def _import(db_path: Path, path: Path) -> Any:
    async def main() -> Any:
        db = await Database.open(db_path)
        try:
            return await import_file(db, path)
        finally:
            await db.close()

    return arun(main(), timeout=120)


def _rows(db_path: Path) -> dict[str, sqlite3.Row]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return {row["source_id"]: row for row in conn.execute("SELECT * FROM source_records")}
    finally:
        conn.close()


def _check_row(given: dict[str, str], row: sqlite3.Row) -> list[str]:
    """Differences between one CSV row and its stored record, as 'EIN COLUMN: given -> stored'."""
    extra = json.loads(row["extra"])
    stored: dict[str, str] = {column: _stored(row[name]) for column, name in AS_GIVEN.items()}
    stored |= {column: _stored(row[name]) for column, name in AMOUNTS.items()}
    stored |= {column: _stored(extra.get(key, "")) for column, key in IN_EXTRA.items()}
    # Place: a US row keeps CITY and STATE; an international one has the country in CITY.
    stored["CITY"] = row["city"] if row["country"] == "US" else row["country"]
    stored["STATE"] = row["state"] or extra.get("state_raw", "")
    stored["NTEE_CD"] = row["ntee_code"] or extra.get("ntee_raw", "")
    return [
        f"{given['EIN']} {column}: {given[column]!r} -> {stored[column]!r}"
        for column in given
        if stored[column] != given[column]
    ]


def test_every_column_of_every_row_is_stored_as_given(tmp_path: Path) -> None:
    with VT.open(newline="", encoding="ascii") as stream:
        given_rows = list(csv.DictReader(stream))
    assert len(given_rows) == VT_ROWS and len(given_rows[0]) == 28
    db_path = tmp_path / "catalynx.db"

    report = _import(db_path, VT)
    assert (report.inserted, report.skipped) == (VT_ROWS, 0)
    stored = _rows(db_path)
    assert len(stored) == VT_ROWS
    differences = [d for given in given_rows for d in _check_row(given, stored[given["EIN"]])]
    assert differences == [], f"{len(differences)} fields differ, e.g. {differences[:10]}"
    # The cases the attack named: 'no ruling' and leading zeros stay as the IRS wrote them.
    assert sum(row["RULING"] == "000000" for row in given_rows) > 0
    assert sum(row["ruling"] == "000000" for row in stored.values()) == sum(
        row["RULING"] == "000000" for row in given_rows
    )
    assert {row["accounting_period"] for row in stored.values()} >= {"01", "06", "12"}


def test_reimport_updates_in_place_without_duplicates(tmp_path: Path) -> None:
    db_path = tmp_path / "catalynx.db"
    _import(db_path, VT)
    again = _import(db_path, VT)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, VT_ROWS)

    # The same file with one organization's SORT_NAME and ACTIVITY changed: only it is updated.
    lines = VT.read_bytes().split(b"\r\n")
    fields = lines[1].decode("ascii").split(",")
    ein = fields[0]
    fields[14], fields[27] = "602000000", "NEW CHAPTER NAME"
    lines[1] = ",".join(fields).encode("ascii")
    changed = tmp_path / "eo_vt_changed.csv"
    changed.write_bytes(b"\r\n".join(lines))
    report = _import(db_path, changed)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, VT_ROWS - 1)

    stored = _rows(db_path)
    assert len(stored) == VT_ROWS
    assert (stored[ein]["activity"], stored[ein]["sort_name"]) == ("602000000", "NEW CHAPTER NAME")
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM record_search").fetchone()[0] == VT_ROWS
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
