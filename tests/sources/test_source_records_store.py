"""Bulk upsert SQL: inserted / updated / unchanged counted exactly, lookups for matching."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from catalynx_desktop.domain.records import RecordKind, Source, SourceRecord
from catalynx_desktop.storage import source_records_store as store
from catalynx_desktop.storage.migrations import migrate


def connect(tmp_path: Path) -> sqlite3.Connection:
    migrate(tmp_path / "s.db", tmp_path / "backups")
    return sqlite3.connect(tmp_path / "s.db", isolation_level=None)


def org(
    source_id: str, name: str = "ORG", state: str = "VT", source: Source = Source.IRS_BMF
) -> SourceRecord:
    return SourceRecord(
        source=source,
        source_id=source_id,
        kind=RecordKind.ORGANIZATION,
        name=name,
        ein=source_id if source is Source.IRS_BMF else None,
        state=state,
        extra={"k": 1},
    )


def test_upsert_counts_inserted_updated_unchanged_including_duplicates_in_one_batch(tmp_path: Path) -> None:
    conn = connect(tmp_path)
    counts = store.upsert_records(conn, [org("1"), org("2"), org("1", name="ORG V2")])
    assert counts == store.UpsertCounts(inserted=2, updated=1, unchanged=0)
    counts = store.upsert_records(conn, [org("1", name="ORG V2"), org("2", name="NEW"), org("3")])
    assert counts == store.UpsertCounts(inserted=1, updated=1, unchanged=1)
    assert conn.execute("SELECT count(*) FROM source_records").fetchone()[0] == 3
    # Same source_id in another source is another record.
    assert store.upsert_records(conn, [org("1", source=Source.USER_LIST)]).inserted == 1


def test_changed_extra_or_nullable_column_counts_as_update(tmp_path: Path) -> None:
    conn = connect(tmp_path)
    store.upsert_records(conn, [org("1")])
    changed = dataclasses.replace(org("1"), extra={"k": 2})
    assert store.upsert_records(conn, [changed]).updated == 1
    assert store.upsert_records(conn, [dataclasses.replace(changed, assets=5)]).updated == 1
    assert store.upsert_records(conn, [dataclasses.replace(changed, assets=5)]).unchanged == 1


def test_lookups_by_ein_and_by_name_state_ignore_user_lists(tmp_path: Path) -> None:
    conn = connect(tmp_path)
    store.upsert_records(
        conn,
        [
            org("010000001", name="Green Mountain Fund"),
            org("u1", name="Green Mountain Fund", state="NY", source=Source.USER_LIST),
        ],
    )
    ids = store.ids_by_ein(conn, ["010000001", "999999999"] * 400)  # > one chunk of parameters
    assert list(ids) == ["010000001"]
    match = store.id_by_name_state(conn, "GREEN MOUNTAIN FUND ", "vt")
    assert match == (ids["010000001"], "010000001")
    assert store.id_by_name_state(conn, "Green Mountain Fund", "NY") is None
    assert store.count_records(conn, Source.USER_LIST) == 1 and store.count_records(conn) == 2


def test_rows_are_plain_types_and_extra_is_the_same_json_as_json_dumps() -> None:
    import json
    import marshal

    record = dataclasses.replace(org("1"), extra={"street": "1 Main St", "é": ['"q"', 2, None, True]})
    row = store.to_row(record)
    assert marshal.loads(marshal.dumps(row)) == row  # the parser process's wire format
    assert type(row[0]) is str and type(row[2]) is str
    assert row[-1] == json.dumps(record.extra, separators=(",", ":"), ensure_ascii=False)


def test_full_text_index_follows_inserts_and_updates_but_not_unchanged_rows(tmp_path: Path) -> None:
    conn = connect(tmp_path)

    def search(word: str) -> list[int]:
        return [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM record_search WHERE record_search MATCH ? ORDER BY rowid", (word,)
            )
        ]

    store.upsert_records(conn, [org("1", name="Maple Syrup Fund"), org("2", name="Granite Trust")])
    assert search("maple") == [1] and search("granite") == [2]
    counts = store.upsert_records(
        conn, [org("1", name="Birch Fund"), org("2", name="Granite Trust"), org("3")]
    )
    assert counts == store.UpsertCounts(inserted=1, updated=1, unchanged=1)
    assert (
        search("maple") == [] and search("birch") == [1] and search("granite") == [2] and search("org") == [3]
    )
    assert conn.execute("SELECT count(*) FROM record_search").fetchone()[0] == 3
