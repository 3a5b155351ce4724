"""SQL for source_records: bulk upsert of importer batches, and organization lookups.

Functions take a raw sqlite3 connection and are meant to run inside `Database.write(fn)` /
`Database.read(fn)` (one transaction per batch on the writer thread). Parameterized SQL only;
the column list below is a constant, never user input.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from catalynx_desktop.domain.records import RecordKind, Source, SourceRecord
from catalynx_desktop.storage import gift_store
from catalynx_desktop.storage.record_search import index_records, index_records_after
from catalynx_desktop.storage.schema_v4 import BMF_TEXT_COLUMNS

# Column order of a row tuple (see to_row). id and imported_at are left to the table.
COLUMNS: tuple[str, ...] = (
    "source",
    "source_id",
    "kind",
    "name",
    "funder_name",
    "ein",
    "city",
    "state",
    "country",
    "ntee_code",
    "subsection",
    "foundation_code",
    "is_grant_maker",
    "award_floor",
    "award_ceiling",
    "total_funding",
    "assets",
    "income",
    "revenue",
    "post_date",
    "close_date",
    "status",
    "eligible_applicants",
    "cfda_numbers",
    "category",
    "opportunity_number",
    "description",
    "ruling_date",
    *(column for column, _header in BMF_TEXT_COLUMNS),  # schema v4: SourceRecord fields of these names
    "extra",  # last (tests and the parse cache rely on it)
)
_UPDATED = [c for c in COLUMNS if c not in ("source", "source_id")]

INSERT_SQL = f"INSERT INTO source_records ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"

# Re-import updates in place. The WHERE makes an identical row a no-op (no write, not counted
# as updated), so a monthly re-import reports how many organizations really changed.
UPSERT_SQL = (
    INSERT_SQL
    + " ON CONFLICT(source, source_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)
    + ", imported_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    + " WHERE ("
    + ", ".join(f"source_records.{c}" for c in _UPDATED)
    + ") IS NOT ("
    + ", ".join(f"excluded.{c}" for c in _UPDATED)
    + ")"
)

Row = tuple[Any, ...]
_CHUNK = 500  # ids per IN (...): stay well under SQLite's bound-parameter limit

# Key order is the parser's (deterministic), so identical records give identical JSON and a
# re-import is a no-op; sort_keys would cost ~30% of the row conversion for nothing.
_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
if _c_make_encoder is not None:
    # JSONEncoder.encode builds a new C encoder on every call, which was half the cost of a
    # BMF row's JSON; build it once (no circular-reference markers: extra holds plain data).
    _c_encode = _c_make_encoder(
        None, _encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )

    def _dumps(value: dict[str, Any]) -> str:
        return "".join(_c_encode(value, 0))
else:  # pragma: no cover - CPython always has the C encoder

    def _dumps(value: dict[str, Any]) -> str:
        return _encoder.encode(value)


# Enum member -> its plain str value: sqlite3 binds exact str fastest and marshal (the parser
# process's wire format) takes only exact str; a dict lookup beats the enum property.
_VALUES: dict[Any, str] = {member: member.value for enum in (Source, RecordKind) for member in enum}


def to_row(record: SourceRecord) -> Row:
    """SourceRecord -> parameter tuple in COLUMNS order (run this off the UI thread)."""
    r = record
    values = _VALUES
    return (
        values[r.source],
        r.source_id,
        values[r.kind],
        r.name,
        r.funder_name,
        r.ein,
        r.city,
        r.state,
        r.country,
        r.ntee_code,
        r.subsection,
        r.foundation_code,
        1 if r.is_grant_maker else 0,
        r.award_floor,
        r.award_ceiling,
        r.total_funding,
        r.assets,
        r.income,
        r.revenue,
        r.post_date.isoformat() if r.post_date else None,
        r.close_date.isoformat() if r.close_date else None,
        r.status,
        ",".join(r.eligible_applicants),
        ",".join(r.cfda_numbers),
        r.category,
        r.opportunity_number,
        r.description,
        r.ruling_date,
        r.group_exemption,
        r.affiliation,
        r.classification,
        r.ruling,
        r.deductibility,
        r.activity,
        r.organization_type,
        r.exempt_status,
        r.tax_period,
        r.asset_code,
        r.income_code,
        r.filing_requirement,
        r.pf_filing_requirement,
        r.accounting_period,
        r.sort_name,
        _dumps(r.extra) if r.extra else "{}",
    )


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.inserted + other.inserted, self.updated + other.updated, self.unchanged + other.unchanged
        )


def upsert_rows(conn: sqlite3.Connection, rows: Sequence[Row]) -> UpsertCounts:
    """Insert-or-update one batch (call inside the batch's transaction), full-text index included.

    Counting: new rows get rowids above the table's max rowid before the batch (INTEGER
    PRIMARY KEY without AUTOINCREMENT allocates max+1), so one range count on the primary key
    tells inserted; rowcount (rows really written, triggers excluded) minus that is updated.
    No per-row lookups, so the upsert runs at close to plain-INSERT speed.

    The FTS index (record_search, schema v3) is kept in step in the same transaction: appended
    rows with one INSERT ... SELECT; updated rows (only when there are some) are found through
    the UNIQUE(source, source_id) index and the imported_at stamp the update just wrote.
    """
    if not rows:
        return UpsertCounts()
    max_before, stamp = conn.execute(
        "SELECT coalesce(max(id), 0), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM source_records"
    ).fetchone()
    cursor = conn.executemany(UPSERT_SQL, rows)
    written = cursor.rowcount
    inserted = conn.execute("SELECT count(*) FROM source_records WHERE id > ?", (max_before,)).fetchone()[0]
    index_records_after(conn, max_before)
    if written > inserted:
        index_records(conn, _updated_ids(conn, rows, max_before, stamp))
    return UpsertCounts(inserted, written - inserted, len(rows) - written)


def _updated_ids(conn: sqlite3.Connection, rows: Sequence[Row], max_before: int, stamp: str) -> list[int]:
    """Ids of pre-existing rows of this batch that the batch changed (imported_at >= stamp)."""
    ids: list[int] = []
    by_source: dict[str, list[str]] = {}
    for row in rows:
        by_source.setdefault(row[0], []).append(row[1])
    for source, source_ids in by_source.items():
        unique = sorted(set(source_ids))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            ids += [
                record_id
                for (record_id,) in conn.execute(
                    f"SELECT id FROM source_records WHERE source = ? AND source_id IN ({marks}) "
                    "AND id <= ? AND imported_at >= ?",
                    (source, *chunk, max_before, stamp),
                )
            ]
    return ids


def upsert_records(conn: sqlite3.Connection, records: Sequence[SourceRecord]) -> UpsertCounts:
    return upsert_rows(conn, [to_row(r) for r in records])


# -- lookups for matching a user's grantor list to known organizations -----------------------


def ids_by_ein(conn: sqlite3.Connection, eins: Sequence[str]) -> dict[str, int]:
    """EIN -> id of a known organization (not from a user list); BMF rows win over others."""
    found: dict[str, int] = {}
    unique = sorted(set(eins))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        for ein, record_id, _rank in conn.execute(
            f"SELECT ein, id, CASE source WHEN ? THEN 0 ELSE 1 END AS rank FROM source_records "
            f"WHERE ein IN ({marks}) AND source != ? ORDER BY rank DESC, id DESC",
            (Source.IRS_BMF.value, *chunk, Source.USER_LIST.value),
        ):
            found[ein] = record_id  # ordered so the best (BMF, lowest id) is written last
    return found


def id_by_name_state(conn: sqlite3.Connection, name: str, state: str) -> tuple[int, str | None] | None:
    """(id, EIN) of the organization with this name (case-insensitive, exact) in this state.

    Uses ix_source_records_name_state.
    """
    row = conn.execute(
        "SELECT id, ein FROM source_records WHERE name = ? COLLATE NOCASE AND state = ? AND source != ? "
        "ORDER BY id LIMIT 1",
        (name.strip(), state.strip().upper(), Source.USER_LIST.value),
    ).fetchone()
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class UserListCounts:
    """What writing a batch of a user's grantor list did: the upsert and how rows were matched."""

    upsert: UpsertCounts
    by_ein: int
    by_name_state: int


def upsert_user_records(conn: sqlite3.Connection, records: Sequence[SourceRecord]) -> UserListCounts:
    """Match a user's grantors to known organizations (EIN first, else name + state), then upsert."""
    by_ein = ids_by_ein(conn, [r.ein for r in records if r.ein])
    rows: list[Row] = []
    merged: list[SourceRecord] = []
    by_ein_count = by_name_count = 0
    for record in records:
        match: tuple[int, str | None] | None = None
        how = ""
        if record.ein and record.ein in by_ein:
            match, how = (by_ein[record.ein], record.ein), "ein"
            by_ein_count += 1
        elif record.name and record.state:
            match = id_by_name_state(conn, record.name, record.state)
            if match:
                how = "name_state"
                by_name_count += 1
        if match:
            extra = {**record.extra, "matched_record_id": match[0], "matched_by": how}
            record = dataclasses.replace(record, extra=extra, ein=record.ein or match[1])
        rows.append(to_row(record))
        merged.append(record)
    counts = UserListCounts(upsert_rows(conn, rows), by_ein_count, by_name_count)
    gift_store.store_gifts(conn, merged)  # every row is a gift: the record above is one per funder
    return counts


def count_records(conn: sqlite3.Connection, source: Source | None = None) -> int:
    if source is None:
        return int(conn.execute("SELECT count(*) FROM source_records").fetchone()[0])
    return int(
        conn.execute("SELECT count(*) FROM source_records WHERE source = ?", (source.value,)).fetchone()[0]
    )
