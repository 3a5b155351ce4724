"""Gather a funder dossier for one opportunity: one function, one read transaction, one hop.

About fifteen small indexed reads (the opportunity, its record, profile, outcome, tasks,
contacts, interactions, history, our gifts and proposals, the funder's 990 evidence); none
scans opportunities: our proposals to the funder come from the profile's outcome stages only.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Any

from catalynx_desktop.domain.details import StageChange
from catalynx_desktop.domain.dossier import Dossier, FunderRecord, PastProposal
from catalynx_desktop.domain.outcomes import AwardedGift, Outcome
from catalynx_desktop.domain.scoring import ScoreResult
from catalynx_desktop.domain.stages import Stage, stage_rank
from catalynx_desktop.storage.contact_store import contacts_for_funder, interactions_for, opportunity_contact
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.dossier_giving import has_giving_tables, read_giving
from catalynx_desktop.storage.outcome_store import awarded_gifts, read_outcome
from catalynx_desktop.storage.task_store import tasks_for

_RECORD_FIELDS = (
    "name",
    "ein",
    "kind",
    "city",
    "state",
    "ntee_code",
    "subsection",
    "foundation_code",
    "assets",
    "income",
    "revenue",
    "ruling_date",
    "funder_name",
    "opportunity_number",
    "cfda_numbers",
    "category",
    "eligible_applicants",
    "award_floor",
    "award_ceiling",
    "total_funding",
    "post_date",
    "close_date",
    "description",
)
_OPPORTUNITY_SQL = f"""
    SELECT o.id, o.title, o.funder_name, o.stage, o.score, o.score_breakdown, o.amount, o.close_date,
           o.discovered_at, o.rating, o.priority, o.tags, o.notes, o.profile_id, o.source_record_id,
           p.name, COALESCE(p.ein, ''), COALESCE(p.ntee_code, ''), p.target_ntee_codes, p.states,
           {", ".join("sr." + f for f in _RECORD_FIELDS)}
    FROM opportunities AS o
    JOIN profiles AS p ON p.id = o.profile_id
    LEFT JOIN source_records AS sr ON sr.id = o.source_record_id
    WHERE o.id = ?
"""
_HEAD = 20  # columns before the record's


def _record(values: tuple[Any, ...], fallback_name: str) -> FunderRecord:
    fields = dict(zip(_RECORD_FIELDS, values, strict=True))
    if fields["name"] is None:  # no source record (removed, or a user-made opportunity)
        return FunderRecord(name=fallback_name)
    is_federal = fields["kind"] == "federal_opportunity"
    text = {
        k: ("" if v is None else v) for k, v in fields.items() if k not in ("assets", "income", "revenue")
    }
    return FunderRecord(
        name=fields["funder_name"] if is_federal and fields["funder_name"] else fields["name"],
        ein=text["ein"],
        kind=text["kind"],
        city=text["city"],
        state=text["state"],
        ntee_code=text["ntee_code"],
        subsection=text["subsection"],
        foundation_code=text["foundation_code"],
        assets=fields["assets"],
        income=fields["income"],
        revenue=fields["revenue"],
        ruling_date=text["ruling_date"],
        agency=text["funder_name"] if is_federal else "",
        opportunity_number=text["opportunity_number"],
        cfda_numbers=text["cfda_numbers"],
        category=text["category"],
        eligible_applicants=text["eligible_applicants"],
        award_floor=fields["award_floor"],
        award_ceiling=fields["award_ceiling"],
        total_funding=fields["total_funding"],
        post_date=text["post_date"],
        close_date=text["close_date"],
        description=text["description"],
    )


def _history(conn: sqlite3.Connection, opportunity_id: int) -> tuple[StageChange, ...]:
    return tuple(
        StageChange(Stage(r[0]) if r[0] else None, Stage(r[1]), r[2], r[3], r[4])
        for r in conn.execute(
            "SELECT from_stage, to_stage, reason, moved_by, moved_at FROM stage_history "
            "WHERE opportunity_id = ? ORDER BY id",
            (opportunity_id,),
        )
    )


_PROPOSAL_RANKS = (stage_rank(Stage.APPROACH), stage_rank(Stage.WITHDRAWN))  # approach .. withdrawn


def _past_proposals(
    conn: sqlite3.Connection, opportunity_id: int, profile_id: int, funder_name: str, ein: str
) -> tuple[PastProposal, ...]:
    """Our organization's other proposals to this funder (same EIN, else same funder name),
    read from the (profile, stage) index over the approach..withdrawn stages only."""
    rows = conn.execute(
        "SELECT o.id, o.title, p.name, o.stage, oc.amount_requested, oc.amount_awarded, oc.decision_date, "
        "oc.award_start, oc.award_end "
        "FROM opportunities AS o INDEXED BY ix_opp_profile_stage_rank "
        "JOIN profiles AS p ON p.id = o.profile_id "
        "LEFT JOIN source_records AS sr ON sr.id = o.source_record_id "
        "LEFT JOIN opportunity_outcomes AS oc ON oc.opportunity_id = o.id "
        "WHERE o.profile_id IN (SELECT id FROM profiles WHERE id = :profile "
        "   OR (COALESCE(ein, '') <> '' AND ein = (SELECT ein FROM profiles WHERE id = :profile))) "
        "AND o.stage_rank BETWEEN :low AND :high AND o.id <> :this "
        "AND ((:ein <> '' AND sr.ein = :ein) OR (:ein = '' AND o.funder_name = :name)) "
        "ORDER BY o.stage_rank, o.id",
        {
            "profile": profile_id,
            "low": _PROPOSAL_RANKS[0],
            "high": _PROPOSAL_RANKS[1],
            "this": opportunity_id,
            "ein": ein,
            "name": funder_name,
        },
    )
    return tuple(
        PastProposal(
            r[0],
            r[1],
            r[2],
            Stage(r[3]),
            Outcome(r[4], r[5], *(date.fromisoformat(d) if d else None for d in r[6:9])),
        )
        for r in rows
    )


def _our_gifts(
    conn: sqlite3.Connection, profile_id: int, ein: str, funder_name: str
) -> tuple[AwardedGift, ...]:
    gifts = awarded_gifts(conn, profile_id)  # the organization's awards: few rows
    return tuple(
        g for g in gifts if (ein and g.funder_ein == ein) or (not ein and g.funder_name == funder_name)
    )


def _ntee_groups(own: str, targets_json: str) -> tuple[str, ...]:
    codes = [own, *json.loads(targets_json or "[]")]
    return tuple(sorted({c[:1].upper() for c in codes if c}))


def read_dossier(conn: sqlite3.Connection, opportunity_id: int, today: date) -> Dossier | None:
    """Everything about one opportunity for its dossier, or None if it does not exist."""
    row = conn.execute(_OPPORTUNITY_SQL, (opportunity_id,)).fetchone()
    if row is None:
        return None
    (oid, title, funder_name, stage, score, breakdown, amount, close_date, discovered_at, rating) = row[:10]
    priority, tags, notes, profile_id, record_id, profile_name, profile_ein, own_ntee, targets, states = row[
        10:20
    ]
    record = _record(row[_HEAD:], funder_name)
    ein = record.ein
    giving = None
    if ein and has_giving_tables(conn):
        giving = read_giving(conn, ein, _ntee_groups(own_ntee, targets), json.loads(states or "[]"))
    contact = opportunity_contact(conn, oid)
    return Dossier(
        generated_on=today,
        opportunity_id=oid,
        title=title,
        profile_name=profile_name,
        profile_ein=profile_ein,
        funder_name=funder_name or record.name,
        stage=Stage(stage),
        score=score,
        score_lines=ScoreResult.from_json(breakdown).breakdown,
        amount=amount,
        close_date=close_date,
        discovered_at=discovered_at,
        rating=rating,
        priority=priority,
        tags=tuple(json.loads(tags or "[]")),
        notes=notes,
        record=record,
        giving=giving,
        outcome=read_outcome(conn, oid),
        gifts=_our_gifts(conn, profile_id, ein, funder_name),
        proposals=_past_proposals(conn, oid, profile_id, funder_name, ein),
        contacts=tuple(contacts_for_funder(conn, ein, record_id)),
        opportunity_contact_id=contact.id if contact else None,
        interactions=tuple(interactions_for(conn, oid)),
        tasks=tuple(tasks_for(conn, oid)),
        history=_history(conn, oid),
    )


async def load_dossier(db: Database, opportunity_id: int, today: date | None = None) -> Dossier | None:
    """read_dossier in one snapshot on the background reader (it never delays a table page)."""
    day = today or date.today()

    def read(conn: sqlite3.Connection) -> Dossier | None:
        conn.execute("BEGIN")
        try:
            return read_dossier(conn, int(opportunity_id), day)
        finally:
            conn.execute("COMMIT")

    return await db.read(read, background=True)
