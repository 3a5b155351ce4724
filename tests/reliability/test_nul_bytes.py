"""NUL bytes are treated the same wherever they are in a file (issue 14, item 16).

The attack: a NUL in a file's first 64 KB refused the whole file as "binary", while one after
it was stored in the database and exported raw. Now a line holding a NUL (a damaged block, a
stray binary write) is rejected on its own with its line number, wherever it is; the rest
imports and nothing stored holds a NUL. Only a file whose first line (its header) holds a NUL
is refused whole, as binary.

Rejecting the line rather than stripping the NUL: a NUL in a text record means the bytes around
it are damaged too (a zero-filled block from a crash is the usual cause), and "12\\x003" with the
NUL dropped reads as a different, wrong value. It is the rule for undecodable bytes already.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.importing.importer import import_file
from tests.fresh_loop import arun
from tests.reliability.filesystems import REPO

VT = REPO / "tests" / "data" / "eo_vt.csv"
VT_ROWS = 6_535
TEXT_COLUMNS = ("name", "funder_name", "city", "state", "country", "ntee_code", "sort_name", "extra")


def _import(db_path: Path, path: Path) -> Any:
    async def main() -> Any:
        db = await Database.open(db_path)
        try:
            return await import_file(db, path)
        finally:
            await db.close()

    return arun(main(), timeout=120)


def _with_nul(line: bytes, at: int) -> bytes:
    return line[:at] + b"\x00" + line[at:]


def _stored_nuls(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        where = " OR ".join(f"instr({c}, char(0)) > 0" for c in TEXT_COLUMNS)
        return conn.execute(f"SELECT count(*) FROM source_records WHERE {where}").fetchone()[0]
    finally:
        conn.close()


def test_bmf_lines_with_a_nul_are_rejected_early_or_late(tmp_path: Path) -> None:
    lines = VT.read_bytes().split(b"\r\n")
    early, late = 10, 5_000  # line 11 is in the first 64 KB, line 5,001 far past it
    assert len(b"\r\n".join(lines[:early])) < 64 * 1024 < len(b"\r\n".join(lines[:late]))
    lines[early] = _with_nul(lines[early], 12)  # inside NAME
    lines[late] = _with_nul(lines[late], 12)
    path = tmp_path / "eo_vt_damaged.csv"
    path.write_bytes(b"\r\n".join(lines))
    db_path = tmp_path / "catalynx.db"

    report = _import(db_path, path)

    assert (report.inserted, report.skipped) == (VT_ROWS - 2, 2)
    assert [e.record_number for e in report.errors] == [early + 1, late + 1]
    assert all("NUL byte" in e.reason for e in report.errors), report.errors
    assert _stored_nuls(db_path) == 0


def test_grantor_list_rows_with_a_nul_are_rejected_early_or_late(tmp_path: Path) -> None:
    rows = [b"Name,EIN,State,Notes"] + [
        b"Fund %d,%09d,VT,%s" % (n, 30_000_000 + n, b"n" * 100) for n in range(1, 2_001)
    ]
    early, late = 5, 1_500
    rows[early] = _with_nul(rows[early], 3)
    rows[late] = _with_nul(rows[late], 3)
    assert len(b"\r\n".join(rows[:late])) > 64 * 1024
    path = tmp_path / "grantors.csv"
    path.write_bytes(b"\r\n".join(rows) + b"\r\n")
    db_path = tmp_path / "catalynx.db"

    report = _import(db_path, path)

    assert (report.inserted, report.skipped) == (1_998, 2)
    assert [e.record_number for e in report.errors] == [early + 1, late + 1]
    assert all("NUL byte" in e.reason for e in report.errors), report.errors
    assert _stored_nuls(db_path) == 0


def test_a_file_whose_header_holds_a_nul_is_refused_as_binary(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes("Name,EIN\r\nFund,030103260\r\n".encode("utf-16-le"))
    with pytest.raises(FormatError, match="binary"):
        _import(tmp_path / "catalynx.db", path)
