"""The details pane's follow-up part of one opportunity in one hop (outcome, tasks, contacts,
interactions, the people its funder's latest 990 names): a few primary-key or index reads in
one snapshot."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from catalynx_desktop.domain.contacts import Contact, ContactOrigin
from catalynx_desktop.domain.followup import Followup, OfficerOffer
from catalynx_desktop.storage.contact_store import (
    contacts_for_funder,
    funder_of_opportunity,
    interactions_for,
    latest_officers,
    opportunity_contact,
    person_key,
)
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.outcome_store import read_outcome
from catalynx_desktop.storage.task_store import tasks_for


def officer_offer(
    conn: sqlite3.Connection, funder_ein: str, contacts: Sequence[Contact]
) -> OfficerOffer | None:
    """The people of the funder's latest return, and how many of them are not yet among its
    contacts from the 990 (compared with the contacts already read: one more read in all)."""
    return_type, tax_year, people = latest_officers(conn, funder_ein)
    if not people:
        return None
    named = {person_key(p.name, p.title) for p in people}
    present = {
        (c.name, c.role) for c in contacts if c.origin is ContactOrigin.IRS_990 and c.funder_ein == funder_ein
    }
    return OfficerOffer(len(named), len(named - present), tax_year, return_type)


def read_followup(conn: sqlite3.Connection, opportunity_id: int) -> Followup | None:
    """None when the opportunity does not exist (any more)."""
    try:
        ein, record_id = funder_of_opportunity(conn, opportunity_id)
    except LookupError:
        return None
    contacts = contacts_for_funder(conn, ein, record_id)
    contact = opportunity_contact(conn, opportunity_id)
    return Followup(
        opportunity_id=opportunity_id,
        outcome=read_outcome(conn, opportunity_id),
        tasks=tuple(tasks_for(conn, opportunity_id)),
        contacts=tuple(contacts),
        contact_id=contact.id if contact else None,
        interactions=tuple(interactions_for(conn, opportunity_id)),
        officers=officer_offer(conn, ein, contacts),
    )


# Through the funder's source records (ix_source_records_ein) to the profile's opportunities on
# them (the unique (profile_id, source, source_id) index): a few index probes, never a scan.
_OPPORTUNITY_OF_FUNDER = """
    SELECT o.id FROM source_records AS sr
    JOIN opportunities AS o ON o.profile_id = ? AND o.source = sr.source AND o.source_id = sr.source_id
    WHERE sr.ein = ? AND sr.ein <> ''
    ORDER BY o.stage_rank DESC, o.id
    LIMIT 1
"""


def opportunity_of_funder(conn: sqlite3.Connection, profile_id: int, funder_ein: str) -> int | None:
    """The profile's opportunity on the funder with this EIN (the furthest along), or None."""
    row = conn.execute(_OPPORTUNITY_OF_FUNDER, (profile_id, funder_ein)).fetchone()
    return int(row[0]) if row else None


async def load_followup(db: Database, opportunity_id: int) -> Followup | None:
    def read(conn: sqlite3.Connection) -> Followup | None:
        conn.execute("BEGIN")
        try:
            return read_followup(conn, int(opportunity_id))
        finally:
            conn.execute("COMMIT")

    return await db.read(read)
