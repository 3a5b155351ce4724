"""The details pane's follow-up part of one opportunity in one hop (outcome, tasks, contacts,
interactions): five primary-key or index reads in one snapshot."""

from __future__ import annotations

import sqlite3

from catalynx_desktop.domain.followup import Followup
from catalynx_desktop.storage.contact_store import (
    contacts_for_opportunity,
    interactions_for,
    opportunity_contact,
)
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.outcome_store import read_outcome
from catalynx_desktop.storage.task_store import tasks_for


def read_followup(conn: sqlite3.Connection, opportunity_id: int) -> Followup | None:
    """None when the opportunity does not exist (any more)."""
    try:
        contacts = contacts_for_opportunity(conn, opportunity_id)
    except LookupError:
        return None
    contact = opportunity_contact(conn, opportunity_id)
    return Followup(
        opportunity_id=opportunity_id,
        outcome=read_outcome(conn, opportunity_id),
        tasks=tuple(tasks_for(conn, opportunity_id)),
        contacts=tuple(contacts),
        contact_id=contact.id if contact else None,
        interactions=tuple(interactions_for(conn, opportunity_id)),
    )


async def load_followup(db: Database, opportunity_id: int) -> Followup | None:
    def read(conn: sqlite3.Connection) -> Followup | None:
        conn.execute("BEGIN")
        try:
            return read_followup(conn, int(opportunity_id))
        finally:
            conn.execute("COMMIT")

    return await db.read(read)
