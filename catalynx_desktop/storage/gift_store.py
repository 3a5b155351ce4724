"""The user's gifts (schema_v7): written one row per gift while a grantor list imports, read
once per scoring worker; and the 990 grants paid to a profile's own organization.

A grantor record of the list is upserted once per funder (the next row of the same funder
updates it); its gifts are kept here, every row, so a second gift never overwrites the first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from catalynx_desktop.domain.gifts import Gift
from catalynx_desktop.domain.records import SourceRecord

_FUTURE = 1  # GrantKind.FUTURE's code in irs_grants.kind: approved, not paid

_INSERT_SQL = """
    INSERT INTO gifts (list_source_id, funder_ein, matched_record_id, funder_name, state, city,
                       gift_date, amount, purpose, notes, file, row_number)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (list_source_id, gift_date, amount, purpose, notes) DO UPDATE SET
        funder_ein = excluded.funder_ein, matched_record_id = excluded.matched_record_id,
        funder_name = excluded.funder_name, file = excluded.file, row_number = excluded.row_number
    WHERE gifts.funder_ein IS NOT excluded.funder_ein
       OR gifts.matched_record_id IS NOT excluded.matched_record_id
       OR gifts.funder_name IS NOT excluded.funder_name
"""


def _gift_row(record: SourceRecord) -> tuple[Any, ...]:
    extra = record.extra
    amount = extra.get("gift_amount")
    matched = extra.get("matched_record_id")
    return (
        record.source_id,
        record.ein or "",
        int(matched) if matched is not None else None,
        record.funder_name or record.name,
        record.state,
        record.city,
        str(extra.get("gift_date", "")),
        int(amount) if amount is not None else -1,
        str(extra.get("gift_purpose", "")),
        str(extra.get("gift_notes", "")),
        str(extra.get("gift_file", "")),
        int(extra.get("gift_row", 0) or 0),
    )


def store_gifts(conn: sqlite3.Connection, records: Sequence[SourceRecord]) -> int:
    """One gift per grantor-list record (inside the caller's transaction). Returns rows written."""
    rows = [_gift_row(r) for r in records]
    return conn.executemany(_INSERT_SQL, rows).rowcount if rows else 0


def _gift(row: Sequence[Any]) -> Gift:
    _list_id, ein, name, state, city, when, amount, purpose, notes, file, number = row
    return Gift(
        funder_name=name,
        ein=ein or None,
        state=state,
        city=city,
        date=date.fromisoformat(when) if when else None,
        amount=None if amount < 0 else amount,
        purpose=purpose,
        notes=notes,
        row_number=number,
        file=file,
    )


def read_gifts(conn: sqlite3.Connection) -> list[tuple[str, Gift]]:
    """Every gift of the user's lists as (grantor list source id, gift), oldest first."""
    rows = conn.execute(
        "SELECT list_source_id, funder_ein, funder_name, state, city, gift_date, amount, purpose, "
        "notes, file, row_number FROM gifts ORDER BY gift_date, id"
    )
    return [(row[0], _gift(row)) for row in rows]


def matched_list_ids(conn: sqlite3.Connection) -> set[str]:
    """Grantor-list records merged into an IRS record: the IRS record is the opportunity."""
    return {
        r[0]
        for r in conn.execute("SELECT DISTINCT list_source_id FROM gifts WHERE matched_record_id IS NOT NULL")
    }


def gifts_from_returns(conn: sqlite3.Connection, ein: str) -> list[Gift]:
    """990 grants paid to the organization with this EIN (Schedule I recipient EIN, or a
    recipient matched to its BMF record): gifts dated the last day of the tax year."""
    if not ein:
        return []
    rows = conn.execute(
        "SELECT f.ein, f.name, g.tax_year, g.amount, g.purpose FROM irs_grants AS g "
        "JOIN funders AS f ON f.id = g.funder_id "
        "WHERE g.id IN (SELECT id FROM irs_grants WHERE recipient_ein = ? AND recipient_ein != '' "
        "  UNION SELECT id FROM irs_grants WHERE matched_org_id IN (SELECT id FROM source_records WHERE ein = ?)) "
        "AND g.counts = 1 AND g.kind != ? AND g.amount > 0",
        (ein, ein, _FUTURE),
    )
    return [
        Gift(
            funder_name=name,
            ein=funder_ein,
            date=date(year, 12, 31) if year else None,
            amount=amount,
            purpose=purpose,
            file=f"990 return, tax year {year}",
        )
        for funder_ein, name, year, amount, purpose in rows
    ]


def list_gifts(conn: sqlite3.Connection, list_source_ids: Iterable[str]) -> list[Gift]:
    """The gifts of some grantor-list records (tests, details)."""
    ids = list(list_source_ids)
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    rows = conn.execute(
        "SELECT list_source_id, funder_ein, funder_name, state, city, gift_date, amount, purpose, "
        f"notes, file, row_number FROM gifts WHERE list_source_id IN ({marks}) ORDER BY gift_date, id",
        ids,
    )
    return [_gift(row) for row in rows]
