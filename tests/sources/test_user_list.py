"""The user's own grantor lists: preview, mapping guess, CSV/XLSX parsing, bad rows, fuzz."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalynx_desktop.domain.records import RecordError, Source, SourceRecord
from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.sources.user_list import ColumnMapping, UserListParser, guess_mapping, preview


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Grantors")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, date_format)
            else:
                sheet.write(r, c, value)
    book.close()
    return path


def test_guess_mapping_from_common_header_names() -> None:
    mapping = guess_mapping(
        ["Foundation Name", "Tax ID", "Grant Date", "Award Amount", "City", "ST", "Notes"]
    )
    assert mapping == ColumnMapping(
        ein="Tax ID",
        name="Foundation Name",
        date="Grant Date",
        amount="Award Amount",
        city="City",
        state="ST",
    )
    assert guess_mapping(["foo", "bar"]) == ColumnMapping()


def test_preview_shows_header_first_rows_and_a_guess(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "EIN,Name,Date,Amount\n"
        + "".join(f"0{i:08d},Org {i},2024-01-0{i % 9 + 1},{i}00\n" for i in range(40))
    )
    shown = preview(path, n=20)
    assert shown.kind == "csv" and shown.header == ["EIN", "Name", "Date", "Amount"]
    assert len(shown.rows) == 20 and shown.rows[0] == ["000000000", "Org 0", "2024-01-01", "000"]
    assert shown.guessed.ein == "EIN" and shown.guessed.amount == "Amount"


def test_csv_with_mapping_semicolons_money_and_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    lines = [
        "Grantor;Federal ID;When;Gift;Town;Region",
        "Vermont Community Foundation;03-0281309;03/15/2024;$12,500.00;Middlebury;vt",
        "Caf\u00e9 Fund;;2023;1000;Burlington;VT",
        "Bad EIN Org;12-34;2024-01-01;5;X;VT",
        "Bad Amount Org;;2024-01-01;lots;X;VT",
        "Bad Date Org;;31/31/2024;5;X;VT",
        ";;;;;",
        "Negative Org;;2024-01-01;-5;X;VT",
    ]
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    mapping = ColumnMapping(
        name="Grantor", ein="Federal ID", date="When", amount="Gift", city="Town", state="Region"
    )
    items = list(UserListParser(path, mapping))
    records = [i for i in items if isinstance(i, SourceRecord)]
    errors = {i.record_number: i.reason for i in items if isinstance(i, RecordError)}
    first, second = records
    assert (first.ein, first.name, first.state, first.total_funding) == (
        "030281309",
        "Vermont Community Foundation",
        "VT",
        12500,
    )
    assert first.post_date == date(2024, 3, 15) and first.extra["gift_amount"] == 12500
    assert first.source is Source.USER_LIST and first.source_id == "030281309"
    assert second.name == "Café Fund" and second.ein is None  # cp1252 byte decoded, not rejected
    assert second.source_id == "name:CAFÉ FUND|VT"
    assert sorted(errors) == [4, 5, 6, 8]
    assert "EIN '12-34'" in errors[4] and "lots" in errors[5] and "31/31/2024" in errors[6]
    assert "negative" in errors[8]


def test_xlsx_preview_and_parse(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "grantors.xlsx",
        [
            ["Name", "EIN", "Date", "Amount", "State"],
            ["Ben & Jerry's Foundation", "030300865", datetime(2024, 5, 1), 25000, "VT"],
            ["No EIN Trust", None, "2023-12-31", 1500.0, "NY"],
            ["Broken", "ABC", None, None, "VT"],
        ],
    )
    shown = preview(path)
    assert shown.kind == "xlsx" and shown.header == ["Name", "EIN", "Date", "Amount", "State"]
    assert shown.rows[0][:4] == ["Ben & Jerry's Foundation", "030300865", "2024-05-01", "25000"]
    parser = UserListParser(path, shown.guessed)
    items = list(parser)
    assert parser.bytes_read == parser.bytes_total
    first, second, bad = items
    assert (
        isinstance(first, SourceRecord) and first.ein == "030300865" and first.post_date == date(2024, 5, 1)
    )
    assert isinstance(second, SourceRecord) and second.total_funding == 1500 and second.state == "NY"
    assert isinstance(bad, RecordError) and bad.record_number == 4 and "EIN 'ABC'" in bad.reason


def test_mapping_errors_are_format_errors(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Name,Amount\nA,1\n")
    with pytest.raises(FormatError, match="'Tax ID'"):
        list(UserListParser(path, ColumnMapping(name="Name", ein="Tax ID")))
    with pytest.raises(FormatError, match="name or EIN"):
        list(UserListParser(path, ColumnMapping(amount="Amount")))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=400))
def test_fuzzed_bytes_never_crash_the_user_list_parser(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(b"Name,EIN,Amount,Date,State\r\n" + body.replace(b"\x00", b""))
    items = list(
        UserListParser(
            path, ColumnMapping(name="Name", ein="EIN", amount="Amount", date="Date", state="State")
        )
    )
    assert all(isinstance(i, (SourceRecord, RecordError)) for i in items)
