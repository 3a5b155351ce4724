"""Contacts at funders, an opportunity's contact and its interactions (schema v6).

A funder is known by its EIN (BMF and 990 records, the user's list) or, for a federal program
without one, by its source record; a contact may carry both. Officers named in a return are
copied in with origin 'irs_990' and are unique per (EIN, name, title), so a re-import adds none
twice and the user's own notes on them stay.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from catalynx_desktop.domain.contacts import (
    Contact,
    ContactOrigin,
    Interaction,
    InteractionKind,
    NewContact,
    NewInteraction,
)
from catalynx_desktop.domain.giving import Person
from catalynx_desktop.storage.database import Database

CONTACT_FIELDS = ("id", "name", "funder_ein", "source_record_id", "role", "email", "phone", "notes", "origin")
CONTACT_COLUMNS = ", ".join(CONTACT_FIELDS)
_JOINED_COLUMNS = ", ".join(f"c.{f}" for f in CONTACT_FIELDS)
_EDITABLE = ("name", "funder_ein", "source_record_id", "role", "email", "phone", "notes")


def contact_from_row(row: Sequence[Any]) -> Contact:
    return Contact(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], ContactOrigin(row[8]))


def _values(contact: NewContact) -> tuple[Any, ...]:
    return tuple(getattr(contact, column) for column in _EDITABLE)


def add_contact(conn: sqlite3.Connection, new: NewContact) -> Contact:
    clean = new.validated()
    cursor = conn.execute(
        f"INSERT INTO funder_contacts ({', '.join(_EDITABLE)}) VALUES ({', '.join('?' * len(_EDITABLE))})",
        _values(clean),
    )
    return read_contact(conn, int(cursor.lastrowid or 0))


def read_contact(conn: sqlite3.Connection, contact_id: int) -> Contact:
    row = conn.execute(
        f"SELECT {CONTACT_COLUMNS} FROM funder_contacts WHERE id = ?", (contact_id,)
    ).fetchone()
    if row is None:
        raise LookupError(f"contact {contact_id} no longer exists")
    return contact_from_row(row)


def update_contact(conn: sqlite3.Connection, contact_id: int, new: NewContact) -> Contact:
    clean = new.validated()
    conn.execute(
        f"UPDATE funder_contacts SET {', '.join(f'{c} = ?' for c in _EDITABLE)}, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
        (*_values(clean), contact_id),
    )
    return read_contact(conn, contact_id)


def delete_contact(conn: sqlite3.Connection, contact_id: int) -> bool:
    return conn.execute("DELETE FROM funder_contacts WHERE id = ?", (contact_id,)).rowcount > 0


def contacts_for_funder(
    conn: sqlite3.Connection, funder_ein: str, source_record_id: int | None
) -> list[Contact]:
    """Everyone known at this funder, the user's own contacts first, then by name."""
    rows = conn.execute(
        f"SELECT {CONTACT_COLUMNS} FROM funder_contacts WHERE funder_ein = ? AND funder_ein <> '' "
        f"UNION SELECT {CONTACT_COLUMNS} FROM funder_contacts WHERE source_record_id = ? "
        "ORDER BY origin DESC, name COLLATE NOCASE, id",
        (funder_ein or "", source_record_id),
    )
    return [contact_from_row(r) for r in rows]


def _funder_of(conn: sqlite3.Connection, opportunity_id: int) -> tuple[str, int | None]:
    row = conn.execute(
        "SELECT COALESCE(sr.ein, ''), o.source_record_id FROM opportunities AS o "
        "LEFT JOIN source_records AS sr ON sr.id = o.source_record_id WHERE o.id = ?",
        (opportunity_id,),
    ).fetchone()
    if row is None:
        raise LookupError(f"opportunity {opportunity_id} no longer exists")
    return row[0], row[1]


def add_contact_at_opportunity_funder(
    conn: sqlite3.Connection, opportunity_id: int, new: NewContact
) -> Contact:
    """A new contact at the funder of this opportunity (its EIN and record filled in here, in the
    same unit of work, so the UI never needs to know how a funder is keyed)."""
    ein, record_id = _funder_of(conn, opportunity_id)
    return add_contact(conn, replace(new, funder_ein=ein, source_record_id=record_id))


def contacts_for_opportunity(conn: sqlite3.Connection, opportunity_id: int) -> list[Contact]:
    ein, record_id = _funder_of(conn, opportunity_id)
    return contacts_for_funder(conn, ein, record_id)


def add_officer_contacts(conn: sqlite3.Connection, funder_ein: str, people: Iterable[Person]) -> int:
    """Copy the officers a return names into the funder's contacts; returns how many were new."""
    rows = [
        (*person_key(p.name, p.title), funder_ein, ContactOrigin.IRS_990.value)
        for p in people
        if p.name.strip()
    ]
    before = conn.total_changes
    conn.executemany(
        "INSERT INTO funder_contacts (name, role, funder_ein, origin) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        rows,
    )
    return conn.total_changes - before


def person_key(name: str, title: str) -> tuple[str, str]:
    """How an officer is stored as a contact (whitespace folded): its unique key with the EIN."""
    return " ".join(name.split()), " ".join(title.split())


# The funder's latest counting return of any form (the one the dossier's officers come from):
# giving_store settles which return counts per tax period; the latest period wins.
_LATEST_PEOPLE_SQL = """
    SELECT r.return_type, coalesce(r.tax_year, CAST(substr(r.tax_period, 1, 4) AS INTEGER)), p.name, p.title
    FROM irs_returns AS r JOIN irs_people AS p ON p.return_id = r.id
    WHERE r.id = (
        SELECT id FROM irs_returns WHERE ein = ? AND counts = 1 ORDER BY tax_period DESC LIMIT 1
    )
    ORDER BY p.id
"""


def latest_officers(conn: sqlite3.Connection, funder_ein: str) -> tuple[str, int, list[Person]]:
    """(return type, tax year, people) of the funder's latest return; ('', 0, []) when it names
    nobody or no return of this EIN is stored."""
    if not funder_ein:
        return "", 0, []
    rows = conn.execute(_LATEST_PEOPLE_SQL, (funder_ein,)).fetchall()
    if not rows:
        return "", 0, []
    people = [Person(name, title) for _, _, name, title in rows if name.strip()]
    return str(rows[0][0]), int(rows[0][1] or 0), people


def funder_of_opportunity(conn: sqlite3.Connection, opportunity_id: int) -> tuple[str, int | None]:
    """(funder EIN or '', source record id) of the opportunity; LookupError when it is gone."""
    return _funder_of(conn, opportunity_id)


def add_opportunity_officers(conn: sqlite3.Connection, opportunity_id: int) -> int:
    """Copy the people the latest return of the opportunity's funder names into its contacts
    (origin 'irs_990'); returns how many were new (those already there are skipped)."""
    ein, _record = _funder_of(conn, opportunity_id)
    _form, _year, people = latest_officers(conn, ein)
    return add_officer_contacts(conn, ein, people) if people else 0


def set_opportunity_contact(conn: sqlite3.Connection, opportunity_id: int, contact_id: int | None) -> None:
    """Make `contact_id` the opportunity's contact (None: no contact)."""
    if contact_id is None:
        conn.execute("DELETE FROM opportunity_contacts WHERE opportunity_id = ?", (opportunity_id,))
        return
    read_contact(conn, contact_id)  # LookupError rather than a foreign-key failure later
    _funder_of(conn, opportunity_id)
    conn.execute(
        "INSERT INTO opportunity_contacts (opportunity_id, contact_id) VALUES (?, ?) "
        "ON CONFLICT (opportunity_id) DO UPDATE SET contact_id = excluded.contact_id",
        (opportunity_id, contact_id),
    )


def opportunity_contact(conn: sqlite3.Connection, opportunity_id: int) -> Contact | None:
    row = conn.execute(
        f"SELECT {_JOINED_COLUMNS} "
        "FROM opportunity_contacts AS oc JOIN funder_contacts AS c ON c.id = oc.contact_id "
        "WHERE oc.opportunity_id = ?",
        (opportunity_id,),
    ).fetchone()
    return contact_from_row(row) if row else None


def add_interaction(conn: sqlite3.Connection, opportunity_id: int, new: NewInteraction) -> Interaction:
    _funder_of(conn, opportunity_id)
    if new.contact_id is not None:
        read_contact(conn, new.contact_id)
    cursor = conn.execute(
        "INSERT INTO interactions (opportunity_id, contact_id, happened_on, kind, note) VALUES (?, ?, ?, ?, ?)",
        (
            opportunity_id,
            new.contact_id,
            new.happened_on.isoformat(),
            InteractionKind(new.kind).value,
            new.note.strip(),
        ),
    )
    interaction_id = int(cursor.lastrowid or 0)
    return next(i for i in interactions_for(conn, opportunity_id) if i.id == interaction_id)


def interactions_for(conn: sqlite3.Connection, opportunity_id: int) -> list[Interaction]:
    """The opportunity's interactions, newest first."""
    rows = conn.execute(
        "SELECT i.id, i.opportunity_id, i.happened_on, i.kind, i.note, i.contact_id, COALESCE(c.name, '') "
        "FROM interactions AS i LEFT JOIN funder_contacts AS c ON c.id = i.contact_id "
        "WHERE i.opportunity_id = ? ORDER BY i.happened_on DESC, i.id DESC",
        (opportunity_id,),
    )
    return [
        Interaction(r[0], r[1], date.fromisoformat(r[2]), InteractionKind(r[3]), r[4], r[5], r[6])
        for r in rows
    ]


def delete_interaction(conn: sqlite3.Connection, interaction_id: int) -> bool:
    return conn.execute("DELETE FROM interactions WHERE id = ?", (interaction_id,)).rowcount > 0


class ContactRepository:
    """The async door to contacts and interactions for services (one hop per call)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, new: NewContact) -> Contact:
        return await self._db.write(lambda conn: add_contact(conn, new))

    async def update(self, contact_id: int, new: NewContact) -> Contact:
        return await self._db.write(lambda conn: update_contact(conn, int(contact_id), new))

    async def delete(self, contact_id: int) -> bool:
        return await self._db.write(lambda conn: delete_contact(conn, int(contact_id)))

    async def add_at_opportunity_funder(self, opportunity_id: int, new: NewContact) -> Contact:
        return await self._db.write(
            lambda conn: add_contact_at_opportunity_funder(conn, int(opportunity_id), new)
        )

    async def for_funder(self, funder_ein: str, source_record_id: int | None = None) -> list[Contact]:
        return await self._db.read(lambda conn: contacts_for_funder(conn, funder_ein, source_record_id))

    async def for_opportunity(self, opportunity_id: int) -> list[Contact]:
        return await self._db.read(lambda conn: contacts_for_opportunity(conn, int(opportunity_id)))

    async def add_officers(self, funder_ein: str, people: Sequence[Person]) -> int:
        return await self._db.write(lambda conn: add_officer_contacts(conn, funder_ein, people))

    async def add_opportunity_officers(self, opportunity_id: int) -> int:
        return await self._db.write(lambda conn: add_opportunity_officers(conn, int(opportunity_id)))

    async def set_opportunity_contact(self, opportunity_id: int, contact_id: int | None) -> None:
        await self._db.write(lambda conn: set_opportunity_contact(conn, int(opportunity_id), contact_id))

    async def opportunity_contact(self, opportunity_id: int) -> Contact | None:
        return await self._db.read(lambda conn: opportunity_contact(conn, int(opportunity_id)))

    async def add_interaction(self, opportunity_id: int, new: NewInteraction) -> Interaction:
        return await self._db.write(lambda conn: add_interaction(conn, int(opportunity_id), new))

    async def interactions(self, opportunity_id: int) -> list[Interaction]:
        return await self._db.read(lambda conn: interactions_for(conn, int(opportunity_id)))

    async def delete_interaction(self, interaction_id: int) -> bool:
        return await self._db.write(lambda conn: delete_interaction(conn, int(interaction_id)))
