"""The writers alone: plain tuples in, files out (no database)."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalynx_desktop.export.writers import CsvWriter, XlsxWriter, open_writer
from catalynx_desktop.storage.opportunity_export import OPPORTUNITY_FIELDS as EXPORT_FIELDS

ROW = ("-1 + 2 reasons", "@funder", "plan", 0.5, 0, "", "2026-01-31", "CA", "demo", "G1", None, "", "[]", "")
ROW2 = (
    "Plain",
    "Funder",
    "approach",
    0.25,
    12345,
    "2026-12-01",
    "2026-02-01",
    "",
    "grants_gov",
    "X-9",
    4,
    "high",
    '["a", "b"]',
    "line1\nline2",
)


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
    assert rows[2][2:] == [
        "Approach",
        "0.25",
        "12345",
        "2026-12-01",
        "2026-02-01",
        "",
        "grants_gov",
        "X-9",
        "4",
        "high",
        "a; b",
        "line1\nline2",
    ]
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


text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=text, notes=text, amount=st.integers(0, 10**12), score=st.floats(0, 1))
def test_any_text_round_trips_through_csv(tmp_path, title, notes, amount, score):
    target = tmp_path / "p.csv"
    writer = CsvWriter(target, EXPORT_FIELDS)
    writer.write_rows(
        [(title, "", "plan", score, amount, "", "2026-01-01", "", "demo", "1", None, "", "[]", notes)]
    )
    writer.finish()
    with open(target, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 2

    def guarded(value: str) -> str:
        return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value

    assert rows[1][0] == guarded(title) and rows[1][13] == guarded(notes)
    assert rows[1][4] == (str(amount) if amount else "") and float(rows[1][3]) == score


printable = st.text(st.characters(min_codepoint=0x20, blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=printable, date_text=st.dates(dt.date(1900, 3, 1), dt.date(2200, 1, 1)).map(str))
def test_any_printable_text_and_date_round_trip_through_xlsx(tmp_path, title, date_text):
    target = tmp_path / "p.xlsx"
    writer = XlsxWriter(target, EXPORT_FIELDS)
    writer.write_rows(
        [(title, "", "plan", 0.5, 1, date_text, date_text, "", "demo", "1", None, "", "[]", "")]
    )
    writer.finish()
    book = openpyxl.load_workbook(target, read_only=True)
    row = next(iter(book.active.iter_rows(min_row=2, values_only=True)))
    book.close()
    assert row[0] == (title or None)
    assert row[5] == dt.datetime.fromisoformat(date_text)
