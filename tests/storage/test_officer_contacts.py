"""The people a funder's latest 990 names, offered in the Follow-up tab's one-call load and
copied as contacts, on the real returns imported by the real 990 import."""

from __future__ import annotations

from pathlib import Path

from catalynx_desktop.domain.contacts import ContactOrigin, NewContact
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.export.dossier_html import render_dossier_html
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.services import AppServices
from catalynx_desktop.workflows.importing.irs990_import import import_returns
from tests.sources.irs990.conftest import COPY, expected_rows
from tests.storage.test_funder_pipeline import PF_EIN, SCHEDULE_I_EIN, run_fresh


def expected(ein: str) -> dict[str, str]:
    return next(row for row in expected_rows() if row["ein"] == ein)


def test_the_latest_990s_people_become_contacts_once(tmp_path: Path) -> None:
    schedule_i = expected(SCHEDULE_I_EIN)  # UCHEALTH NORTHERN COLORADO FOUNDATION, 2023 990

    async def scenario() -> None:
        services = await AppServices.open(resolve_paths(tmp_path / "home"))
        try:
            assert (await import_returns(services.db, COPY / "returns", workers=1)).inserted == 8
            profile = await services.profiles.create(Profile(name="Poudre Valley Arts", states=("CO",)))
            assert profile.id is not None
            added = await services.funders.add_to_pipeline(profile.id, SCHEDULE_I_EIN)
            assert added is not None
            followup = services.followup
            loaded = await followup.load(added.opportunity_id)
            assert loaded is not None and loaded.contacts == ()
            offer = loaded.officers
            assert offer is not None
            named = int(schedule_i["officer_count"])
            assert (offer.named, offer.new, offer.tax_year, offer.form) == (
                named,
                named,
                int(schedule_i["tax_year"]),
                "990",
            )
            assert offer.button_text() == f"Add the {named} people named in its 2023 990"

            assert await followup.add_officers(added.opportunity_id) == named
            assert await followup.add_officers(added.opportunity_id) == 0  # pressing again adds none
            loaded = await followup.load(added.opportunity_id)
            assert loaded is not None and loaded.officers is not None
            assert (loaded.officers.named, loaded.officers.new) == (named, 0)
            assert (
                loaded.officers.button_text() == f"The {named} people named in its 2023 990 are all contacts"
            )
            assert len(loaded.contacts) == named
            assert {c.origin for c in loaded.contacts} == {ContactOrigin.IRS_990}
            assert all(c.funder_ein == SCHEDULE_I_EIN for c in loaded.contacts)

            # the dossier lists them, said to come from the 990
            dossier = await followup.dossier(added.opportunity_id)
            assert dossier is not None and len(dossier.contacts) == named
            html = render_dossier_html(dossier)
            assert loaded.contacts[0].name in html and "from the funder&#x27;s 990" in html

            # a contact deleted by the user is offered again, and only it
            await followup.delete_contact(loaded.contacts[0].id)
            again = await followup.load(added.opportunity_id)
            assert again is not None and again.officers is not None
            assert (again.officers.new, again.officers.button_text()) == (
                1,
                f"Add 1 more of the {named} people named in its 2023 990",
            )
            assert await followup.add_officers(added.opportunity_id) == 1

            # the 990-PF funder names one trustee, a bank
            pf = await services.funders.add_to_pipeline(profile.id, PF_EIN)
            assert pf is not None
            pf_loaded = await followup.load(pf.opportunity_id)
            assert pf_loaded is not None and pf_loaded.officers is not None
            assert pf_loaded.officers.button_text() == "Add the person named in its 2015 990-PF"
            await followup.add_contact(pf.opportunity_id, NewContact("Jo Doe", role="Trust officer"))
            assert await followup.add_officers(pf.opportunity_id) == 1
            names = {c.name for c in (await followup.contacts(pf.opportunity_id))}
            assert names == {"Jo Doe", "TD Bank NA"}
        finally:
            await services.close()

    run_fresh(scenario())


def test_no_offer_without_a_990_naming_anyone(tmp_path: Path) -> None:
    async def scenario() -> None:
        services = await AppServices.open(resolve_paths(tmp_path / "home"))
        try:
            profile = await services.profiles.create(Profile(name="Poudre Valley Arts"))
            assert profile.id is not None
            assert (await import_returns(services.db, COPY / "returns", workers=1)).inserted == 8
            added = await services.funders.add_to_pipeline(profile.id, SCHEDULE_I_EIN)
            assert added is not None
            await services.db.write(lambda c: c.execute("DELETE FROM irs_people"))
            loaded = await services.followup.load(added.opportunity_id)
            assert loaded is not None and loaded.officers is None
            assert await services.followup.add_officers(added.opportunity_id) == 0
        finally:
            await services.close()

    run_fresh(scenario())
