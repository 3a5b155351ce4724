"""Outcomes of proposals and the gifts awards add to the organization's history."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from catalynx_desktop.domain.outcomes import Outcome
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.outcome_store import OutcomeRepository
from tests.fresh_loop import arun as run  # not asyncio.run: it would unset the GUI tests' qasync loop
from tests.storage.helpers import open_demo_db


def test_outcome_round_trip_and_validation(tmp_path):
    async def scenario():
        db, _demo = await open_demo_db(tmp_path, profiles=1, opportunities=50)
        try:
            outcomes = OutcomeRepository(db)
            (first,) = await db.fetch_all("SELECT min(id) FROM opportunities")
            opportunity_id = first[0]
            assert await outcomes.outcome(opportunity_id) == Outcome()
            saved = Outcome(50_000, 40_000, date(2027, 5, 2), date(2027, 7, 1), date(2028, 6, 30))
            await outcomes.save(opportunity_id, saved)
            assert await outcomes.outcome(opportunity_id) == saved
            changed = Outcome(amount_requested=60_000)
            await outcomes.save(opportunity_id, changed)  # replaces, not merges
            assert await outcomes.outcome(opportunity_id) == changed
            with pytest.raises(ValueError, match="ends before it starts"):
                await outcomes.save(
                    opportunity_id, Outcome(award_start=date(2028, 1, 1), award_end=date(2027, 1, 1))
                )
            with pytest.raises(LookupError):
                await outcomes.save(10**9, saved)
            await db.write(lambda c: c.execute("DELETE FROM opportunities WHERE id = ?", (opportunity_id,)))
            rows = await db.fetch_all("SELECT count(*) FROM opportunity_outcomes")
            assert rows == [(0,)]  # the outcome goes with its opportunity
        finally:
            await db.close()

    run(scenario())


def test_awards_become_gifts_of_the_organization(tmp_path):
    async def scenario():
        db, _demo = await open_demo_db(tmp_path, profiles=2, opportunities=200)
        try:
            # both demo profiles are one organization: same EIN
            await db.write(lambda c: c.execute("UPDATE profiles SET ein = '123456789'"))
            rows = await db.fetch_all(
                "SELECT o.id, o.profile_id, o.funder_name, COALESCE(sr.ein, '') FROM opportunities o "
                "LEFT JOIN source_records sr ON sr.id = o.source_record_id ORDER BY o.id"
            )
            profile_a = rows[0][1]
            a = [r for r in rows if r[1] == profile_a][:2]
            b = [r for r in rows if r[1] != profile_a][:1]
            repo, outcomes = OpportunityRepository(db), OutcomeRepository(db)
            await repo.move_stage([r[0] for r in (*a, *b)], Stage.AWARDED, "won", moved_by="test")
            await outcomes.save(a[0][0], Outcome(25_000, 20_000, date(2026, 11, 30)))
            gifts = await outcomes.awarded_gifts(profile_a)
            assert [g.opportunity_id for g in gifts] == sorted(r[0] for r in (*a, *b))
            first = next(g for g in gifts if g.opportunity_id == a[0][0])
            assert (first.funder_name, first.funder_ein) == (a[0][2], a[0][3])
            assert (first.date, first.amount) == (date(2026, 11, 30), 20_000)
            second = next(g for g in gifts if g.opportunity_id == a[1][0])
            assert second.amount is None and second.date == datetime.now(UTC).date()  # the day of the move
            # a profile of another organization sees none of them
            await db.write(
                lambda c: c.execute("UPDATE profiles SET ein = '987654321' WHERE id <> ?", (profile_a,))
            )
            assert {g.opportunity_id for g in await outcomes.awarded_gifts(profile_a)} == {r[0] for r in a}
            # moving away from Awarded removes the gift
            await repo.move_stage([a[1][0]], Stage.SUBMITTED)
            assert [g.opportunity_id for g in await outcomes.awarded_gifts(profile_a)] == [a[0][0]]
        finally:
            await db.close()

    run(scenario())


def test_outcome_stats_per_year_win_rate_and_pipeline_value(tmp_path):
    from catalynx_desktop.storage.outcome_stats import load_outcome_stats

    async def scenario():
        db, _demo = await open_demo_db(tmp_path, profiles=1, opportunities=400)
        try:
            repo, outcomes = OpportunityRepository(db), OutcomeRepository(db)
            rows = await db.fetch_all(
                "SELECT id, amount FROM opportunities WHERE stage = 'discover' ORDER BY id LIMIT 8"
            )
            ids = [r[0] for r in rows]
            profile = (await db.fetch_all("SELECT id FROM profiles"))[0][0]
            await repo.move_stage(ids[:3], Stage.AWARDED)
            await repo.move_stage(ids[3:5], Stage.DECLINED_BY_FUNDER)
            await repo.move_stage(ids[5:6], Stage.WITHDRAWN)
            await repo.move_stage(ids[6:8], Stage.SUBMITTED)
            await outcomes.save(ids[0], Outcome(10_000, 8_000, date(2025, 3, 1)))
            await outcomes.save(ids[1], Outcome(20_000, 20_000, date(2026, 6, 1)))
            await outcomes.save(ids[3], Outcome(5_000, None, date(2026, 2, 1)))
            await outcomes.save(ids[6], Outcome(amount_requested=7_000))  # submitted, not decided
            stats = await load_outcome_stats(db, profile)
            # the reference, computed in Python from plain reads
            listed = dict(await db.fetch_all("SELECT stage, sum(amount) FROM opportunities GROUP BY stage"))
            counts = dict(await db.fetch_all("SELECT stage, count(*) FROM opportunities GROUP BY stage"))
            return stats, listed, counts, rows
        finally:
            await db.close()

    stats, listed, counts, rows = run(scenario())
    this_year = datetime.now(UTC).year
    by_year = {y.year: y for y in stats.by_year}
    assert (
        by_year[2025].proposals,
        by_year[2025].requested,
        by_year[2025].awarded,
        by_year[2025].awards,
    ) == (1, 10_000, 8_000, 1)
    assert (by_year[2026].requested, by_year[2026].awarded) == (
        25_000 + (7_000 if this_year == 2026 else 0),
        20_000,
    )
    assert sum(y.proposals for y in stats.by_year) == 8  # every proposal sent counts in some year
    assert stats.awarded == counts["awarded"] and stats.declined_by_funder == counts["declined_by_funder"]
    assert stats.win_rate == counts["awarded"] / (counts["awarded"] + counts["declined_by_funder"])
    # submitted: the listed amounts, with the one recorded request in place of its listed amount
    expected_submitted = listed["submitted"] - rows[6][1] + 7_000
    assert stats.stage_values[Stage.SUBMITTED] == expected_submitted
    assert stats.stage_values[Stage.PLAN] == listed.get("plan", 0)
    assert Stage.DISCOVER not in stats.stage_values and Stage.AWARDED not in stats.stage_values
