"""The dossier read: one function gathers the record, the 990 evidence (when its tables exist),
the score reasons, our history, contacts, tasks and notes."""

from __future__ import annotations

from datetime import date

from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.domain.tasks import TaskKind
from catalynx_desktop.storage.dossier_store import load_dossier
from tests.fresh_loop import arun as run  # not asyncio.run: it would unset the GUI tests' qasync loop
from tests.storage.dossier_fixture import FUNDER_EIN, FUNDER_NAME, TODAY, build_dossier_db, real_return


def test_dossier_gathers_everything_about_the_opportunity(tmp_path):
    async def scenario():
        db, opportunity_id = await build_dossier_db(tmp_path)
        try:
            return await load_dossier(db, opportunity_id, TODAY), await load_dossier(db, 10**9, TODAY)
        finally:
            await db.close()

    dossier, missing = run(scenario())
    assert missing is None
    facts = real_return()
    assert (dossier.funder_name, dossier.record.ein, dossier.stage) == (
        FUNDER_NAME,
        FUNDER_EIN,
        Stage.APPROACH,
    )
    assert dossier.record.foundation_code == "04" and dossier.record.assets == 234_286
    # the score and its reasons, as Discover stored them
    assert [line.name for line in dossier.score_lines][:2] == ["mission", "geography"]
    assert all(line.reason for line in dossier.score_lines)
    # 990 evidence from the real return
    giving = dossier.giving
    assert giving is not None
    (year,) = giving.giving_by_year
    assert (year.year, year.grants_paid, year.grant_count) == (facts["tax_year"], 12_000, 4)
    assert giving.typical_grant is not None and giving.typical_grant.median == 2_000
    # like ours: the one recipient matched to an education organization (B) of our field
    assert [(g.recipient, g.amount) for g in giving.grants_like_ours] == [
        ("UNIVERSITY OF MASSACHUSETTS", 2_000)
    ]
    assert len(giving.how_to_apply) == 4 and giving.how_to_apply[0].deadlines == "None"
    assert "Pittsfield" in giving.how_to_apply[0].address and giving.preselected_only is False
    assert [o.title for o in giving.officers] == ["Trustee"]
    # our history: the earlier award is a gift and a past proposal with its outcome
    (gift,) = dossier.gifts
    assert (gift.funder_ein, gift.amount, gift.date) == (FUNDER_EIN, 4_000, date(2024, 5, 15))
    (proposal,) = dossier.proposals
    assert (proposal.title, proposal.stage, proposal.outcome.amount_awarded) == (
        "2024 scholarship round",
        Stage.AWARDED,
        4_000,
    )
    # contacts, interactions, tasks, history, notes
    (contact,) = dossier.contacts
    assert contact.name == "Alex Moreno" and dossier.opportunity_contact_id == contact.id
    assert dossier.interactions[0].contact_name == "Alex Moreno"
    assert [t.kind for t in dossier.tasks] == [TaskKind.FOLLOW_UP, TaskKind.LETTER_OF_INQUIRY]
    assert [t.kind for t in dossier.open_tasks] == [TaskKind.LETTER_OF_INQUIRY]
    assert dossier.history[-1].to_stage is Stage.APPROACH and dossier.history[-1].moved_by == "Dana"
    assert dossier.rating == 4 and "TD Bank" in dossier.notes


def test_without_990_giving_data_the_dossier_still_reads(tmp_path):
    # Migration 5 always makes the giving tables now: what a funder without imported returns
    # reads is empty tables.
    async def scenario():
        db, opportunity_id = await build_dossier_db(tmp_path, with_giving=False)
        try:
            returns = await db.fetch_all("SELECT count(*) FROM irs_returns")
            return returns, await load_dossier(db, opportunity_id, TODAY)
        finally:
            await db.close()

    returns, dossier = run(scenario())
    assert returns == [(0,)] and dossier is not None
    assert dossier.giving is None and dossier.record.name == FUNDER_NAME and len(dossier.gifts) == 1


def test_the_followup_of_an_opportunity_in_one_read(tmp_path):
    from catalynx_desktop.storage.followup_store import load_followup

    async def scenario():
        db, opportunity_id = await build_dossier_db(tmp_path)
        try:
            return (
                await load_followup(db, opportunity_id),
                await load_dossier(db, opportunity_id, TODAY),
                await load_followup(db, 10**9),
            )
        finally:
            await db.close()

    followup, dossier, missing = run(scenario())
    assert missing is None
    assert followup.tasks == dossier.tasks and followup.contacts == dossier.contacts
    assert followup.contact_id == dossier.opportunity_contact_id is not None
    assert followup.interactions == dossier.interactions and followup.outcome == dossier.outcome
