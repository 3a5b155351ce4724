"""The user's gift list: every row is a gift (many per funder), every column kept, bad rows reported."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from catalynx_desktop.domain.gifts import Gift, is_lapsed, latest_gift
from catalynx_desktop.domain.records import RecordError, SourceRecord
from catalynx_desktop.sources.user_list import GiftColumns, UserListParser, guess_gift_columns

from .test_user_list import write_xlsx


def test_csv_two_gifts_from_one_funder_both_survive(tmp_path: Path) -> None:
    path = tmp_path / "gifts.csv"
    path.write_text(
        "Funder,EIN,Gift date,Amount,State,Purpose,Notes,Board contact\n"
        'Ben & Jerry\'s Foundation,03-0300865,2023-06-01,"$25,000",VT,Food shelf expansion,Renewal due May,J. Smith\n'
        "Ben & Jerry's Foundation,030300865,2021-05-15,10000,VT,General support,,\n"
        "Local Rotary,,2024,500,vt,,cash at the fair,\n"
        "Broken Amount Fund,,2024-01-01,lots,VT,,,\n",
        encoding="utf-8",
    )
    parser = UserListParser(path)
    items = list(parser.gifts())
    gifts = [i for i in items if isinstance(i, Gift)]
    errors = [i for i in items if isinstance(i, RecordError)]
    assert len(gifts) == 3 and parser.records_read == 4
    recent, older, rotary = gifts
    assert (recent.funder_name, recent.ein, recent.date, recent.amount) == (
        "Ben & Jerry's Foundation",
        "030300865",
        date(2023, 6, 1),
        25_000,
    )
    assert (recent.purpose, recent.notes, recent.row_number, recent.file) == (
        "Food shelf expansion",
        "Renewal due May",
        2,
        "gifts.csv",
    )
    # every column as given, including the ones we do not map
    assert recent.columns[1] == ("EIN", "03-0300865") and recent.columns[3] == ("Amount", "$25,000")
    assert recent.columns[-1] == ("Board contact", "J. Smith")
    assert (older.ein, older.amount, older.date, older.purpose) == (
        "030300865",
        10_000,
        date(2021, 5, 15),
        "General support",
    )
    assert (
        rotary.ein is None
        and rotary.state == "VT"
        and rotary.date == date(2024, 1, 1)
        and rotary.notes == "cash at the fair"
    )
    (bad,) = errors
    assert (bad.file, bad.record_number) == ("gifts.csv", 5) and "lots" in bad.reason
    assert str(bad).startswith("gifts.csv, record 5:")
    assert latest_gift([older, recent]) is recent
    assert recent.date is not None
    assert is_lapsed(recent.date, date(2026, 11, 23)) and not is_lapsed(recent.date, date(2024, 12, 1))


def test_grantor_records_still_come_out_for_the_importer(tmp_path: Path) -> None:
    path = tmp_path / "gifts.csv"
    path.write_text(
        "Name,EIN,Date,Amount,State,Notes\n"
        "Ben & Jerry's Foundation,030300865,2023-06-01,25000,VT,renewal\n"
        "Ben & Jerry's Foundation,030300865,2021-05-15,10000,VT,\n",
        encoding="utf-8",
    )
    records = list(UserListParser(path))
    assert all(isinstance(r, SourceRecord) for r in records) and len(records) == 2
    first = records[0]
    assert isinstance(first, SourceRecord)
    assert first.source_id == "030300865" and first.total_funding == 25_000
    assert first.extra == {"gift_date": "2023-06-01", "gift_amount": 25_000, "gift_notes": "renewal"}


def test_xlsx_gifts_keep_amounts_dates_and_notes(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "gifts.xlsx",
        [
            ["Grantor", "Tax ID", "Award Date", "Award Amount", "ST", "Program", "Comments"],
            [
                "Vermont Community Foundation",
                "222712160",
                datetime(2025, 3, 1),
                15000,
                "VT",
                "Summer meals",
                "call Ann",
            ],
            [
                "Vermont Community Foundation",
                "222712160",
                datetime(2024, 3, 1),
                12000.0,
                "VT",
                "Summer meals",
                None,
            ],
            ["No Name", None, datetime(2024, 3, 1), 100, "VT", None, None],
        ],
    )
    items = list(UserListParser(path).gifts())
    first, second, bad = items
    assert isinstance(first, Gift) and isinstance(second, Gift)
    assert (first.ein, first.date, first.amount, first.purpose, first.notes) == (
        "222712160",
        date(2025, 3, 1),
        15_000,
        "Summer meals",
        "call Ann",
    )
    assert (second.date, second.amount, second.row_number) == (date(2024, 3, 1), 12_000, 3)
    assert second.columns[2] == ("Award Date", "2024-03-01")
    assert isinstance(bad, Gift) and bad.funder_name == "No Name"  # a name alone is enough


def test_purpose_and_notes_columns_guessed_or_chosen(tmp_path: Path) -> None:
    assert guess_gift_columns(["Name", "Designation", "Memo"]) == GiftColumns(
        purpose="Designation", notes="Memo"
    )
    path = tmp_path / "gifts.csv"
    path.write_text("Name,What for,Extra\nA Fund,youth meals,thanks\n", encoding="utf-8")
    (gift,) = UserListParser(path, gift_columns=GiftColumns(purpose="What for", notes="Extra")).gifts()
    assert isinstance(gift, Gift) and (gift.purpose, gift.notes) == ("youth meals", "thanks")
