"""The writers alone: plain tuples in, files out (no database)."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest

from catalynx_desktop.export.writers import CsvWriter, XlsxWriter, open_writer
from catalynx_desktop.storage.opportunity_export import EXPORT_FIELDS

ROW = ("-1 + 2 reasons", "@funder", "plan", 0.5, 0, "", "2026-01-31", "CA", "demo", "G1", None, "", "[]", "")
ROW2 = ("Plain", "Funder", "approach", 0.25, 12345, "2026-12-01", "2026-02-01", "", "grants_gov", "X-9", 4,
        "high", '["a", "b"]', "line1\nline2")


def test_csv_formula_guard_types_and_atomic_rename(tmp_path):
    target = tmp_path / "out.csv"
    writer = CsvWriter(target, EXPORT_FIELDS)
    writer.write_rows([ROW, ROW2])
    assert not target.exists()  # nothing under the chosen name until finish()
    summary = writer.finish()
    assert summary.rows == 2 and summary.path == target
    with open(target, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][:6] == ["'-1 + 2 reasons", "'@funder", "Plan", "0.5", "", ""]
    assert rows[2][2:] == ["Approach", "0.25", "12345", "2026-12-01", "2026-02-01", "", "grants_gov", "X-9",
                           "4", "high", "a; b", "line1\nline2"]
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_xlsx_abort_removes_everything(tmp_path):
    writer = XlsxWriter(tmp_path / "out.xlsx", EXPORT_FIELDS)
    writer.write_rows([ROW2] * 100)
    writer.abort()
    writer.abort()  # idempotent
    assert list(tmp_path.iterdir()) == []


def test_xlsx_cells_are_typed(tmp_path):
    target = tmp_path / "out.xlsx"
    writer = open_writer(target, "xlsx", EXPORT_FIELDS)
    writer.write_rows([ROW, ROW2])
    writer.finish()
    book = openpyxl.load_workbook(target, read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    assert rows[1][:7] == ("-1 + 2 reasons", "@funder", "Plan", 0.5, None, None, dt.datetime(2026, 1, 31))
    assert rows[2][3:7] == (0.25, 12345, dt.datetime(2026, 12, 1), dt.datetime(2026, 2, 1))
    assert rows[2][10:] == (4, "high", "a; b", "line1\nline2")


def test_sheet_limit_must_leave_room_for_rows(tmp_path):
    with pytest.raises(ValueError):
        XlsxWriter(tmp_path / "x.xlsx", EXPORT_FIELDS, max_rows_per_sheet=1)
    assert list(tmp_path.iterdir()) == []
