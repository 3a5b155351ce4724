"""Contacts at funders (the officers of a real return and the user's own), an opportunity's
contact and its interactions, on a real database."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from catalynx_desktop.domain.contacts import ContactOrigin, InteractionKind, NewContact, NewInteraction
from catalynx_desktop.domain.giving import Person
from catalynx_desktop.storage.contact_store import ContactRepository
from tests.fresh_loop import arun as run  # not asyncio.run: it would unset the GUI tests' qasync loop
from tests.storage.helpers import open_demo_db

RETURN_990EZ = Path(__file__).parents[1] / "data" / "irs990" / "202300129349200500_public.xml"
EFILE = "{http://www.irs.gov/efile}"


def officers_of(path: Path) -> tuple[str, list[Person]]:
    """The filer's EIN and the people of a 990-EZ's Part IV, read straight from the XML."""
    root = ET.parse(path).getroot()
    people = [
        Person(group.findtext(f"{EFILE}PersonNm") or "", group.findtext(f"{EFILE}TitleTxt") or "")
        for group in root.iter(f"{EFILE}OfficerDirectorTrusteeEmplGrp")
    ]
    return root.findtext(f".//{EFILE}Filer/{EFILE}EIN") or "", people


async def _opportunity_with_ein(db, ein: str) -> int:
    (row,) = await db.fetch_all(
        "SELECT o.id, o.source_record_id FROM opportunities o JOIN source_records sr ON sr.id = o.source_record_id "
        "ORDER BY o.id LIMIT 1"
    )
    await db.write(lambda c: c.execute("UPDATE source_records SET ein = ? WHERE id = ?", (ein, row[1])))
    return row[0]


def test_officers_of_a_real_return_become_contacts_once(tmp_path):
    async def scenario():
        db, _ = await open_demo_db(tmp_path, profiles=1, opportunities=20)
        try:
            contacts = ContactRepository(db)
            ein, people = officers_of(RETURN_990EZ)
            assert ein == "811795570" and len(people) == 7
            assert await contacts.add_officers(ein, people) == 7
            assert await contacts.add_officers(ein, people) == 0  # the next import of the same return
            opportunity = await _opportunity_with_ein(db, ein)
            found = await contacts.for_opportunity(opportunity)
            assert {(c.name, c.role) for c in found} == {(p.name, p.title) for p in people}
            assert {c.origin for c in found} == {ContactOrigin.IRS_990}
            director = next(c for c in found if c.role == "EXECUTIVE DIRECTOR")
            assert director.name == "BECKY BITER"
            mine = await contacts.add(
                NewContact(
                    "  Ana  Ruiz ", funder_ein="81-1795570", role="Program officer", email="ana@example.org"
                )
            )
            assert (mine.name, mine.funder_ein, mine.origin) == ("Ana Ruiz", ein, ContactOrigin.USER)
            listed = await contacts.for_funder(ein)
            assert listed[0] == mine and len(listed) == 8  # the user's own first
            await contacts.set_opportunity_contact(opportunity, mine.id)
            assert await contacts.opportunity_contact(opportunity) == mine
            await contacts.set_opportunity_contact(opportunity, director.id)
            assert await contacts.opportunity_contact(opportunity) == director
            await contacts.set_opportunity_contact(opportunity, None)
            assert await contacts.opportunity_contact(opportunity) is None
        finally:
            await db.close()

    run(scenario())


def test_contact_validation_names_the_field():
    with pytest.raises(ValueError, match="Name is required"):
        NewContact("  ", funder_ein="811795570").validated()
    with pytest.raises(ValueError, match="needs the funder"):
        NewContact("Ana").validated()
    with pytest.raises(ValueError, match="EIN"):
        NewContact("Ana", funder_ein="12345").validated()
    with pytest.raises(ValueError, match="not an email address"):
        NewContact("Ana", funder_ein="811795570", email="ana at example.org").validated()
    federal = NewContact("Grants officer", source_record_id=3).validated()  # a program without an EIN
    assert federal.funder_ein == ""


def test_interactions_newest_first_with_their_contact(tmp_path):
    async def scenario():
        db, _ = await open_demo_db(tmp_path, profiles=1, opportunities=20)
        try:
            contacts = ContactRepository(db)
            opportunity = await _opportunity_with_ein(db, "811795570")
            ana = await contacts.add(NewContact("Ana Ruiz", funder_ein="811795570"))
            await contacts.add_interaction(
                opportunity, NewInteraction(date(2026, 10, 1), InteractionKind.EMAIL, "intro")
            )
            call = await contacts.add_interaction(
                opportunity, NewInteraction(date(2026, 11, 3), InteractionKind.CALL, "liked the idea", ana.id)
            )
            assert call.contact_name == "Ana Ruiz"
            listed = await contacts.interactions(opportunity)
            assert [(i.happened_on, i.kind, i.note) for i in listed] == [
                (date(2026, 11, 3), InteractionKind.CALL, "liked the idea"),
                (date(2026, 10, 1), InteractionKind.EMAIL, "intro"),
            ]
            await contacts.delete(ana.id)  # the interaction stays, without its contact
            kept = await contacts.interactions(opportunity)
            assert (kept[0].contact_id, kept[0].contact_name, kept[0].note) == (None, "", "liked the idea")
            with pytest.raises(LookupError):
                await contacts.add_interaction(10**9, NewInteraction(date(2026, 1, 1), InteractionKind.OTHER))
        finally:
            await db.close()

    run(scenario())
