"""A funder from the 990 data becomes an opportunity of a profile (the Funders view's one action).

The opportunity's source is the funder's BMF record when one is imported (same EIN), so it is
the same opportunity Discover would create; else a source record for the 990 filer itself
(source irs_990, keyed by EIN), written through the usual upsert so it is searchable.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from catalynx_desktop.domain.records import RecordKind, Source, SourceRecord
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.storage.source_records_store import upsert_records
from catalynx_desktop.storage.stage_counts import count_new_opportunity


@dataclass(frozen=True)
class PipelineAdd:
    opportunity_id: int
    created: bool  # False: the profile already had this funder as an opportunity
    source: str  # irs_bmf or irs_990
    source_record_id: int


def _source_record(conn: sqlite3.Connection, ein: str) -> tuple[int, str, str, str, str] | None:
    """(id, source, source_id, name, state) of the BMF record of this EIN, else of its 990 record."""
    found: tuple[int, str, str, str, str] | None = conn.execute(
        "SELECT id, source, source_id, name, state FROM source_records "
        "WHERE ein = ? AND source IN (?, ?) ORDER BY source = ? DESC, id LIMIT 1",
        (ein, Source.IRS_BMF.value, Source.IRS_990.value, Source.IRS_BMF.value),
    ).fetchone()
    return found


def add_funder_to_pipeline(conn: sqlite3.Connection, profile_id: int, ein: str) -> PipelineAdd | None:
    """Make the funder `ein` an opportunity of the profile (stage discover); None if no funder
    or no profile has that id. Idempotent: a second call returns the existing opportunity."""
    funder = conn.execute(
        "SELECT name, city, state, median_grant FROM funders WHERE ein = ?", (ein,)
    ).fetchone()
    if (
        funder is None
        or conn.execute("SELECT 1 FROM profiles WHERE id = ?", (profile_id,)).fetchone() is None
    ):
        return None
    name, city, state, median = funder
    record = _source_record(conn, ein)
    if record is None:
        upsert_records(
            conn,
            [
                SourceRecord(
                    Source.IRS_990,
                    ein,
                    RecordKind.FOUNDATION,
                    name,
                    name,
                    ein,
                    city,
                    state,
                    is_grant_maker=True,
                )
            ],
        )
        record = _source_record(conn, ein)
    assert record is not None  # just written
    record_id, source, source_id, title, record_state = record
    cursor = conn.execute(
        "INSERT INTO opportunities (profile_id, source_record_id, source, source_id, title, funder_name, "
        "state, amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (profile_id, source, source_id) DO NOTHING",
        (profile_id, record_id, source, source_id, title or name, name, record_state or state, median or 0),
    )
    created = cursor.rowcount == 1
    if created:  # in the Discover tab and the counts at once, like a discovered row
        count_new_opportunity(conn, profile_id, Stage.DISCOVER.value)
    (opportunity_id,) = conn.execute(
        "SELECT id FROM opportunities WHERE profile_id = ? AND source = ? AND source_id = ?",
        (profile_id, source, source_id),
    ).fetchone()
    return PipelineAdd(opportunity_id, created, source, record_id)


def funder_id_of_record(conn: sqlite3.Connection, record_id: int) -> int | None:
    """The funder with giving data whose EIN is that of source record `record_id` (a grant's
    matched recipient), or None: the recipient is not itself a funder."""
    row = conn.execute(
        "SELECT f.id FROM source_records s JOIN funders f ON f.ein = s.ein WHERE s.id = ? AND f.gives = 1",
        (record_id,),
    ).fetchone()
    return None if row is None else int(row[0])
