"""Profiles and opportunities through the async repositories on a real SQLite file."""

from __future__ import annotations

import sqlite3

import pytest

from catalynx_desktop.domain.profile import Profile, ProfileStatus
from catalynx_desktop.domain.query import OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import PIPELINE, Stage
from catalynx_desktop.storage import opportunity_repository
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.profile_repository import LIST_WITH_COUNTS_SQL, ProfileRepository
from catalynx_desktop.storage.sqlite_uri import read_only_uri
from tests.storage.helpers import open_demo_db, run


def test_profile_crud_round_trip(tmp_path):
    async def scenario():
        db = await Database.open(tmp_path / "c.sqlite3")
        repo = ProfileRepository(db)
        created = await repo.create(
            Profile(
                name="  Riverbend Health ",
                ein="12-3456789",
                ntee_code="e32",
                target_ntee_codes=("E40",),
                states=("vt", "NH"),
                min_amount=1000,
                max_amount=50000,
                status=ProfileStatus.DRAFT,
            )
        )
        assert created.id is not None and created.name == "Riverbend Health"
        assert created.ein == "123456789" and created.ntee_code == "E32" and created.states == ("NH", "VT")
        fetched = await repo.get(created.id)
        assert fetched == created
        updated = await repo.update(Profile(**{**created.__dict__, "name": "Riverbend", "nationwide": True}))
        assert (await repo.get(created.id)) == updated
        with pytest.raises(ValueError, match="EIN"):
            await repo.create(Profile(name="x", ein="12345"))
        with pytest.raises(ValueError, match="Minimum amount"):
            await repo.create(Profile(name="x", min_amount=10, max_amount=5))
        await repo.delete(created.id)
        assert await repo.get(created.id) is None
        await db.close()

    run(scenario())


def test_profile_list_counts_match_the_data_in_one_query(tmp_path):
    async def scenario():
        db, _demo = await open_demo_db(tmp_path, profiles=3, opportunities=3000)
        summaries = await ProfileRepository(db).list_summaries()
        actual = {}
        for profile_id, stage, n in await db.fetch_all(
            "SELECT profile_id, stage, count(*) FROM opportunities GROUP BY 1, 2"
        ):
            actual[(profile_id, stage)] = n
        assert len(summaries) == 3
        for summary in summaries:
            for stage in PIPELINE:
                assert summary.stage_counts[stage] == actual.get((summary.profile.id, stage.value), 0)
        assert sum(s.total for s in summaries) == 3000
        # one statement: the profile list never issues a query per profile
        statements = []
        await db.read(lambda conn: conn.set_trace_callback(statements.append))
        await ProfileRepository(db).list_summaries()
        await db.read(lambda conn: conn.set_trace_callback(None))
        assert len(statements) == 1 and "profile_stage_counts" in statements[0]
        await db.close()

    run(scenario())


def test_profile_list_shows_an_edited_profile_not_its_decoded_former_self(tmp_path):
    """The list reuses decoded profiles while their stored values are unchanged; an edit must show."""

    async def scenario():
        db, _ = await open_demo_db(tmp_path, profiles=2, opportunities=200)
        repo = ProfileRepository(db)
        before = {s.profile.id: s.profile for s in await repo.list_summaries()}
        again = {s.profile.id: s.profile for s in await repo.list_summaries()}
        assert again == before
        target = next(iter(before.values()))
        edited = Profile(
            name=target.name + " (edited)",
            id=target.id,
            keywords=("rivers", "trails"),
            states=("VT",),
            min_amount=5_000,
        )
        await repo.update(edited)
        after = {s.profile.id: s.profile for s in await repo.list_summaries()}
        assert after[target.id].name == edited.name
        assert after[target.id].keywords == ("rivers", "trails") and after[target.id].states == ("VT",)
        assert after[target.id].min_amount == 5_000
        assert all(after[i] == p for i, p in before.items() if i != target.id)
        await db.close()

    run(scenario())


def test_list_query_plan_uses_no_opportunity_scan(tmp_path):
    async def scenario():
        db, _ = await open_demo_db(tmp_path, profiles=2, opportunities=500)
        plan = await db.fetch_all("EXPLAIN QUERY PLAN " + LIST_WITH_COUNTS_SQL)
        assert not any("opportunities" in str(step) for step in plan)
        await db.close()

    run(scenario())


def test_open_pages_and_jumps_agree_with_offset(tmp_path, monkeypatch):
    async def scenario():
        db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=5000)
        repo = OpportunityRepository(db)
        query = OpportunityQuery(demo.profile_ids[0], sort=SortKey.AMOUNT, descending=False)
        result, first = await repo.open(query, 100)
        assert result.total == 5000 and len(first) == 100
        ids = [
            r[0]
            for r in await db.fetch_all(
                "SELECT id FROM opportunities WHERE profile_id = ? ORDER BY amount, id", (query.profile_id,)
            )
        ]
        assert [r.id for r in first] == ids[:100]
        for start in (100, 4900, 2500, 2600, 4999, 0, 1234):
            page = await result.page(start, 100)
            assert [r.id for r in page] == ids[start : start + 100]
        known = result.known_positions
        await result.build_position_map(64, lambda: False)
        assert result.known_positions == known  # too small for any far skip: no map
        monkeypatch.setattr(opportunity_repository, "FAR_SKIP", 1000)
        await result.build_position_map(64, lambda: False)
        assert result.known_positions >= 5000 // 64
        page = await result.page(3333, 100)
        assert [r.id for r in page] == ids[3333:3433]
        await db.close()

    run(scenario())


def test_move_stage_records_history_and_updates_counts(tmp_path):
    async def scenario():
        db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=400)
        profile_id = demo.profile_ids[0]
        opportunities = OpportunityRepository(db)
        profiles = ProfileRepository(db)
        before = await profiles.stage_counts(profile_id)
        discover_ids = [
            r[0]
            for r in await db.fetch_all(
                "SELECT id FROM opportunities WHERE stage = 'discover' ORDER BY id LIMIT 5"
            )
        ]
        plan_id = (await db.fetch_one("SELECT id FROM opportunities WHERE stage = 'plan' LIMIT 1"))[0]
        move = await opportunities.move_stage(
            [*discover_ids, plan_id, discover_ids[0]],
            Stage.PLAN,
            reason="fits our rural program",
            moved_by="tester",
        )
        assert sorted(i for i, _ in move.moved) == sorted(discover_ids)  # plan_id was already there
        assert all(from_stage is Stage.DISCOVER for _, from_stage in move.moved)
        after = await profiles.stage_counts(profile_id)
        assert after[Stage.DISCOVER] == before[Stage.DISCOVER] - 5
        assert after[Stage.PLAN] == before[Stage.PLAN] + 5
        history = await opportunities.stage_history(discover_ids[0])
        assert history[-1].to_stage is Stage.PLAN and history[-1].from_stage is Stage.DISCOVER
        assert history[-1].reason == "fits our rural program" and history[-1].moved_by == "tester"
        rows = await opportunities.rows_by_id(discover_ids)
        assert {r.stage for r in rows.values()} == {"plan"}
        integrity = await db.fetch_one("PRAGMA integrity_check")
        assert integrity == ("ok",)
        await db.close()

    run(scenario())


def test_stage_filter_counts_and_rows(tmp_path):
    async def scenario():
        db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=2000)
        repo = OpportunityRepository(db)
        for stage in PIPELINE:
            result, first = await repo.open(
                OpportunityQuery(demo.profile_ids[0], stage, SortKey.TITLE, False), 50
            )
            expected = (
                await db.fetch_one("SELECT count(*) FROM opportunities WHERE stage = ?", (stage.value,))
            )[0]
            assert result.total == expected
            assert all(r.stage == stage.value for r in first)
            assert [r.title for r in first] == sorted(r.title for r in first)
        await db.close()

    run(scenario())


def test_sort_key_outside_whitelist_is_rejected():
    from catalynx_desktop.storage.opportunity_queries import compile_query

    with pytest.raises(ValueError):
        compile_query(OpportunityQuery(1, None, "title; DROP TABLE profiles", True))  # type: ignore[arg-type]


def test_readonly_database_gives_environment_error(tmp_path):
    async def scenario():
        path = tmp_path / "c.sqlite3"
        db = await Database.open(path)
        await db.close()
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        conn.close()
        path.chmod(0o444)
        tmp_path.chmod(0o555)
        try:
            from catalynx_desktop.storage.errors import ErrorKind, StorageError

            try:
                db = await Database.open(path)
            except StorageError as error:
                assert error.kind is ErrorKind.ENVIRONMENT
                return
            try:
                with pytest.raises(StorageError) as raised:
                    await ProfileRepository(db).create(Profile(name="x"))
                assert raised.value.kind is ErrorKind.ENVIRONMENT
            finally:
                await db.close()
        finally:
            tmp_path.chmod(0o755)
            path.chmod(0o644)

    import os

    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions; covered by the injected-error test")
    run(scenario())


def test_sqlite_errors_are_classified():
    from catalynx_desktop.storage.errors import ErrorKind, classify

    assert classify(sqlite3.OperationalError("database or disk is full")).kind is ErrorKind.ENVIRONMENT
    assert "full" in str(classify(sqlite3.OperationalError("database or disk is full")))
    assert (
        classify(sqlite3.OperationalError("attempt to write a readonly database")).kind
        is ErrorKind.ENVIRONMENT
    )
    assert classify(sqlite3.DatabaseError("database disk image is malformed")).kind is ErrorKind.ENVIRONMENT
    assert classify(sqlite3.OperationalError("no such column: foo")).kind is ErrorKind.BUG
