"""The follow-up service on a real database holding a real 990-PF funder (tests/storage/dossier_fixture)."""

from __future__ import annotations

from datetime import date

import pytest

from catalynx_desktop.domain.contacts import ContactOrigin, InteractionKind, NewContact, NewInteraction
from catalynx_desktop.domain.outcomes import Outcome
from catalynx_desktop.domain.tasks import NewTask, TaskKind
from catalynx_desktop.services.followup import Followups
from tests.storage.dossier_fixture import FUNDER_EIN, FUNDER_NAME, TODAY, build_dossier_db


def test_outcome_tasks_contacts_and_interactions_round_trip(run, tmp_path):
    db, opportunity_id = run(build_dossier_db(tmp_path))
    service = Followups(db)

    async def scenario() -> None:
        loaded = await service.load(opportunity_id)
        assert loaded is not None and loaded.outcome == Outcome()
        assert [t.note for t in loaded.tasks] == ["Call TD Bank trust office", "Letter to the HS principal"]
        assert [c.name for c in loaded.contacts] == ["Alex Moreno"] and loaded.contact_id is not None

        saved = await service.save_outcome(opportunity_id, Outcome(5_000, None, date(2027, 3, 1)))
        assert await service.outcome(opportunity_id) == saved
        with pytest.raises(ValueError, match="ends before it starts"):
            await service.save_outcome(
                opportunity_id, Outcome(award_start=date(2027, 2, 1), award_end=date(2027, 1, 1))
            )

        task = await service.add_task(
            opportunity_id, NewTask(TaskKind.REPORT_DUE, date(2027, 9, 30), " Final report ")
        )
        assert task.note == "Final report"
        assert (await service.update_task(task.id, done=True)).done
        assert await service.delete_task(task.id)
        assert task.id not in {t.id for t in await service.tasks(opportunity_id)}

        added = await service.add_contact(opportunity_id, NewContact("  Jo   Doe ", role="Trust officer"))
        assert (added.name, added.funder_ein, added.origin) == ("Jo Doe", FUNDER_EIN, ContactOrigin.USER)
        edited = await service.update_contact(
            added.id, NewContact("Jo Doe", funder_ein=added.funder_ein, email="jo@example.org")
        )
        assert edited.email == "jo@example.org" and edited.role == ""
        await service.set_contact(opportunity_id, added.id)
        met = await service.add_interaction(
            opportunity_id, NewInteraction(date(2026, 12, 1), InteractionKind.MEETING, "Site visit", added.id)
        )
        after = await service.load(opportunity_id)
        assert after is not None and after.contact_id == added.id
        assert after.interactions[0] == met and met.contact_name == "Jo Doe"
        assert await service.delete_interaction(met.id)
        assert met.id not in {i.id for i in await service.interactions(opportunity_id)}
        assert await service.delete_contact(added.id)
        assert "Jo Doe" not in {c.name for c in await service.contacts(opportunity_id)}
        assert await service.load(999_999) is None

    try:
        run(scenario())
    finally:
        run(db.close())


def test_the_dossier_is_written_as_html_and_refuses_other_names(run, tmp_path):
    db, opportunity_id = run(build_dossier_db(tmp_path))
    service = Followups(db)

    def no_pdf(_path, _html, _title) -> int:
        raise AssertionError("HTML never goes through the PDF writer")

    try:
        written = run(service.write_dossier(opportunity_id, tmp_path / "d.html", no_pdf, TODAY))
        text = (tmp_path / "d.html").read_text(encoding="utf-8")
        assert written.pages is None and written.funder_name == FUNDER_NAME and FUNDER_NAME in text
        with pytest.raises(ValueError, match=r"\.pdf or \.html"):
            run(service.write_dossier(opportunity_id, tmp_path / "d.docx", no_pdf))
        with pytest.raises(LookupError):
            run(service.write_dossier(999_999, tmp_path / "x.html", no_pdf))
        pdfs: list[tuple[str, str]] = []
        written = run(
            service.write_dossier(
                opportunity_id, tmp_path / "d.pdf", lambda p, html, title: pdfs.append((html, title)) or 3
            )
        )
        assert written.pages == 3 and FUNDER_NAME in pdfs[0][0] and FUNDER_NAME in pdfs[0][1]
    finally:
        run(db.close())
