"""Outcomes of proposals (schema v6 opportunity_outcomes) and the gifts awards add to the
organization's history with its funders.

The plain functions run on a connection's thread inside the caller's unit of work;
OutcomeRepository is the async door for services.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from catalynx_desktop.domain.outcomes import AwardedGift, Outcome
from catalynx_desktop.domain.stages import Stage, stage_rank
from catalynx_desktop.storage.database import Database

_FIELDS = ("amount_requested", "amount_awarded", "decision_date", "award_start", "award_end")


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def read_outcome(conn: sqlite3.Connection, opportunity_id: int) -> Outcome:
    row = conn.execute(
        f"SELECT {', '.join(_FIELDS)} FROM opportunity_outcomes WHERE opportunity_id = ?", (opportunity_id,)
    ).fetchone()
    if row is None:
        return Outcome()
    return Outcome(row[0], row[1], _day(row[2]), _day(row[3]), _day(row[4]))


def save_outcome(conn: sqlite3.Connection, opportunity_id: int, outcome: Outcome) -> Outcome:
    """Insert or replace the outcome of one opportunity (LookupError if it does not exist)."""
    clean = outcome.validated()
    if conn.execute("SELECT 1 FROM opportunities WHERE id = ?", (opportunity_id,)).fetchone() is None:
        raise LookupError(f"opportunity {opportunity_id} no longer exists")
    values = (
        clean.amount_requested,
        clean.amount_awarded,
        _iso(clean.decision_date),
        _iso(clean.award_start),
        _iso(clean.award_end),
    )
    conn.execute(
        f"INSERT INTO opportunity_outcomes (opportunity_id, {', '.join(_FIELDS)}) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (opportunity_id) DO UPDATE SET "
        + ", ".join(f"{f} = excluded.{f}" for f in _FIELDS)
        + ", updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        (opportunity_id, *values),
    )
    return clean


# The organization behind a profile: every profile with the same EIN (a researcher may keep
# several profiles of one organization), or the profile alone when it has no EIN.
_SAME_ORGANIZATION = """
    SELECT id FROM profiles
    WHERE id = :profile
       OR (COALESCE(ein, '') <> '' AND ein = (SELECT ein FROM profiles WHERE id = :profile))
"""

# One query for all awards: the (profile_id, stage_rank) index finds the awarded rows; the
# outcome, the funder's record and the day of the move are primary-key or index lookups.
_AWARDED_GIFTS_SQL = f"""
    SELECT o.id, COALESCE(sr.ein, ''), o.funder_name,
           COALESCE(oc.decision_date, oc.award_start,
                    (SELECT substr(max(h.moved_at), 1, 10) FROM stage_history AS h
                     WHERE h.opportunity_id = o.id AND h.to_stage = :awarded)),
           oc.amount_awarded
    FROM opportunities AS o INDEXED BY ix_opp_profile_stage_rank
    LEFT JOIN opportunity_outcomes AS oc ON oc.opportunity_id = o.id
    LEFT JOIN source_records AS sr ON sr.id = o.source_record_id
    WHERE o.profile_id IN ({_SAME_ORGANIZATION}) AND o.stage_rank = :rank
    ORDER BY o.id
"""


def awarded_gifts(conn: sqlite3.Connection, profile_id: int) -> list[AwardedGift]:
    """Gifts to the profile's organization from its opportunities at stage Awarded."""
    params = {"profile": int(profile_id), "awarded": Stage.AWARDED.value, "rank": stage_rank(Stage.AWARDED)}
    return [
        AwardedGift(row[0], row[1], row[2], _day(row[3]), row[4])
        for row in conn.execute(_AWARDED_GIFTS_SQL, params)
    ]


class OutcomeRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def outcome(self, opportunity_id: int) -> Outcome:
        return await self._db.read(lambda conn: read_outcome(conn, int(opportunity_id)))

    async def save(self, opportunity_id: int, outcome: Outcome) -> Outcome:
        return await self._db.write(lambda conn: save_outcome(conn, int(opportunity_id), outcome))

    async def awarded_gifts(self, profile_id: int) -> list[AwardedGift]:
        return await self._db.read(lambda conn: awarded_gifts(conn, int(profile_id)), background=True)
