"""Discover and Rescore on real SQLite files: create/update without duplicates, user work kept, cancel."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalynx_desktop.domain.discovery import DEFAULT_THRESHOLD
from catalynx_desktop.domain.matching import MATCH_DIMENSIONS, FunderMatcher
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.records import RecordKind, Source, SourceRecord
from catalynx_desktop.domain.runs import RunStatus
from catalynx_desktop.domain.scoring import ScoreResult
from catalynx_desktop.domain.stages import Stage, stage_rank
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.profile_repository import ProfileRepository
from catalynx_desktop.storage.workflow_run_store import SqliteRunStore
from catalynx_desktop.workflows.discover import ScoringSettings, start_discover
from catalynx_desktop.workflows.engine import WorkflowEngine
from catalynx_desktop.workflows.rescore import start_rescore

TODAY = date(2026, 11, 23)
# Tests run workers at normal priority: at the default (idle) priority they only get CPU nobody
# else wants, so test time would depend on whatever else runs on the machine. One test below
# runs with the default priority.
SETTINGS = ScoringSettings(chunk_size=97, workers=2, worker_priority="normal")
COLUMNS = (
    "source",
    "source_id",
    "kind",
    "name",
    "funder_name",
    "state",
    "ntee_code",
    "subsection",
    "foundation_code",
    "is_grant_maker",
    "award_floor",
    "award_ceiling",
    "total_funding",
    "assets",
    "income",
    "close_date",
    "status",
    "eligible_applicants",
    "category",
)


def make_records(n: int, seed: int = 1, start: int = 0) -> list[SourceRecord]:
    rng = random.Random(seed)
    records = []
    for i in range(start, start + n):
        if i % 4 == 0:
            records.append(
                SourceRecord(
                    Source.GRANTS_GOV,
                    f"G-{i}",
                    RecordKind.FEDERAL_OPPORTUNITY,
                    f"Grant {i}",
                    funder_name="Dept of Ed",
                    award_floor=5_000,
                    award_ceiling=rng.choice([50_000, 500_000]),
                    total_funding=2_000_000,
                    close_date=TODAY + timedelta(days=rng.randint(-30, 120)),
                    status="posted",
                    eligible_applicants=(rng.choice(["12", "06"]),),
                    category=rng.choice(["ED", "AG"]),
                )
            )
        else:
            records.append(
                SourceRecord(
                    Source.IRS_BMF,
                    f"{i:09d}",
                    RecordKind.FOUNDATION,
                    f"Foundation {i}",
                    state=rng.choice(["CA", "NY", "TX"]),
                    ntee_code=rng.choice(["B20", "B90", "X20", "E30"]),
                    subsection="03",
                    foundation_code=rng.choice(["04", "15"]),
                    is_grant_maker=True,
                    assets=rng.randint(0, 50_000_000),
                    income=rng.randint(0, 2_000_000),
                )
            )
    return records


def funder_records(n: int, seed: int = 1) -> list[SourceRecord]:
    """make_records with every organization a private foundation: at threshold 0 all are kept
    (a public charity with no grantmaking is a peer, never an opportunity)."""
    return [
        replace(r, foundation_code="04") if r.source is Source.IRS_BMF else r for r in make_records(n, seed)
    ]


def as_row(r: SourceRecord) -> tuple[Any, ...]:
    return (
        r.source.value,
        r.source_id,
        r.kind.value,
        r.name,
        r.funder_name,
        r.state,
        r.ntee_code,
        r.subsection,
        r.foundation_code,
        int(r.is_grant_maker),
        r.award_floor,
        r.award_ceiling,
        r.total_funding,
        r.assets,
        r.income,
        r.close_date.isoformat() if r.close_date else None,
        r.status,
        ",".join(r.eligible_applicants),
        r.category,
    )


async def insert_records(db: Database, records: list[SourceRecord]) -> None:
    sql = (
        f"INSERT INTO source_records ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)}) "
        "ON CONFLICT (source, source_id) DO UPDATE SET assets = excluded.assets"
    )
    await db.execute_many(sql, [as_row(r) for r in records])


PROFILE = Profile(
    name="Literacy Now",
    ntee_code="B20",
    target_ntee_codes=("B90",),
    states=("CA",),
    min_amount=10_000,
    max_amount=200_000,
)


async def discover(
    engine: WorkflowEngine, db: Database, profile_id: int | None, settings: ScoringSettings = SETTINGS
) -> Any:
    assert profile_id is not None
    return await (await start_discover(engine, db, profile_id, today=TODAY, settings=settings)).wait()


def expected_kept(profile: Profile, records: list[SourceRecord], threshold: float) -> set[str]:
    """What Discover keeps: funders (FunderMatcher: peers never) at or above the threshold."""
    matcher = FunderMatcher(profile, TODAY)
    outcomes = {r.source_id: matcher.score(r) for r in records}
    return {k for k, o in outcomes.items() if o is not None and (o.total >= threshold or o.always_keep)}


def opportunities(path: Path, profile_id: int = 1) -> dict[str, tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT source_id, id, stage, stage_rank, score, score_breakdown, notes, rating, "
            "tags, title, amount, discovered_at FROM opportunities WHERE profile_id = ?",
            (profile_id,),
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def sql(path: Path, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(statement, params).fetchall()


def test_discover_creates_then_updates_without_duplicates_keeping_user_work(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    records = make_records(600)

    async def main() -> Any:
        db = await Database.open(path)
        try:
            profile = await ProfileRepository(db).create(PROFILE)
            await insert_records(db, records)
            engine = WorkflowEngine(SqliteRunStore(db))
            first = await discover(engine, db, profile.id)
            return db, engine, profile, first
        except BaseException:
            await db.close()
            raise

    async def rerun(db: Database, engine: WorkflowEngine, profile: Profile) -> Any:
        try:
            await insert_records(db, make_records(50, seed=2, start=600))  # new records
            changed = replace(records[1], assets=(records[1].assets or 0) + 10**9)  # a score change
            await insert_records(db, [changed])
            second = await discover(engine, db, profile.id)
            third = await discover(engine, db, profile.id)
            return second, third
        finally:
            await db.close()

    loop = asyncio.new_event_loop()
    try:
        db, engine, profile, first = loop.run_until_complete(main())
        assert first.status == RunStatus.SUCCEEDED, first.error
        kept = expected_kept(profile, records, DEFAULT_THRESHOLD)
        after_first = opportunities(path)
        assert set(after_first) == kept and 0 < len(kept) < len(records)
        assert first.counts["scored"] == 600 and first.counts["created"] == len(kept)
        assert {(v[1], v[2]) for v in after_first.values()} == {("discover", 0)}
        assert all(v[10] == TODAY.isoformat() for v in after_first.values())
        history = sql(path, "SELECT to_stage, reason, count(*) FROM stage_history GROUP BY 1, 2")
        assert history == [("discover", "discovered", len(kept))]
        assert sql(path, "SELECT stage, n FROM profile_stage_counts") == [("discover", len(kept))]
        # each row explains its score
        breakdown = ScoreResult.from_json(next(iter(after_first.values()))[4])
        assert len(breakdown.breakdown) == len(MATCH_DIMENSIONS) and all(
            d.reason for d in breakdown.breakdown
        )

        # the user triages one opportunity...
        target = "000000001" if "000000001" in kept else sorted(k for k in kept if not k.startswith("G"))[0]
        opp_id = after_first[target][0]
        sql(
            path,
            "UPDATE opportunities SET stage='plan', stage_rank=1, notes='call Jane', rating=4, "
            "tags='[\"hot\"]', discovered_at='2026-01-01' WHERE id=?",
            (opp_id,),
        )
        sql(
            path,
            "INSERT INTO stage_history (opportunity_id, from_stage, to_stage, reason) "
            "VALUES (?, 'discover', 'plan', 'strong fit')",
            (opp_id,),
        )
        # ...and the lowest-scoring record becomes an opportunity by hand-picked threshold later: skip
        second, third = loop.run_until_complete(rerun(db, engine, profile))
    finally:
        loop.close()
    assert second.status == RunStatus.SUCCEEDED, second.error
    # nothing changed since the second run: nothing is rewritten (scores and reasons are deterministic)
    assert (third.counts["created"], third.counts["updated"]) == (0, 0)
    after = opportunities(path)
    new_records = make_records(50, seed=2, start=600)
    all_records = [*records, *new_records]
    assert (
        len(
            sql(
                path,
                "SELECT profile_id, source, source_id FROM opportunities GROUP BY 1, 2, 3 "
                "HAVING count(*) > 1",
            )
        )
        == 0
    )
    assert set(after) >= set(after_first)
    assert set(after) - set(after_first) == expected_kept(profile, new_records, DEFAULT_THRESHOLD)
    assert second.counts["created"] == len(set(after) - set(after_first))
    moved = after[target]
    assert moved[0] == opp_id and moved[1:3] == ("plan", 1)
    assert (moved[5], moved[6], moved[7], moved[10]) == ("call Jane", 4, '["hot"]', "2026-01-01")
    assert sql(path, "SELECT to_stage FROM stage_history WHERE opportunity_id=? ORDER BY id", (opp_id,)) == [
        ("discover",),
        ("plan",),
    ]
    # unchanged records were not rewritten; the changed one was
    if "000000001" in after_first:
        assert second.counts["updated"] >= 1
    assert second.counts["scored"] == len(all_records)
    counts = dict(sql(path, "SELECT stage, n FROM profile_stage_counts"))
    assert counts == {"discover": len(after) - 1, "plan": 1}


def test_rescore_changes_scores_only(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    records = make_records(400, seed=5)

    async def main() -> Any:
        db = await Database.open(path)
        try:
            repo = ProfileRepository(db)
            profile = await repo.create(PROFILE)
            other = await repo.create(replace(PROFILE, name="Other", states=("NY",)))
            await insert_records(db, records)
            engine = WorkflowEngine(SqliteRunStore(db))
            await discover(engine, db, profile.id)
            await (await start_discover(engine, db, other.id, today=TODAY, settings=SETTINGS)).wait()
            before = opportunities(path, profile.id)
            other_before = sql(
                path,
                "SELECT id, score, score_breakdown FROM opportunities WHERE profile_id=? ORDER BY id",
                (other.id,),
            )
            # the profile moves from California to Texas and changes its field
            await repo.update(replace(profile, states=("TX",), ntee_code="X20", target_ntee_codes=()))
            default_priority = replace(SETTINGS, worker_priority=ScoringSettings().worker_priority)
            result = await (
                await start_rescore(engine, db, profile.id, today=TODAY, settings=default_priority)
            ).wait()
            updated = await repo.get(profile.id)
            return before, other_before, result, updated, other
        finally:
            await db.close()

    before, other_before, result, updated, other = asyncio.run(main())
    assert result.status == RunStatus.SUCCEEDED, result.error
    after = sql(
        path,
        "SELECT source_id, id, stage, stage_rank, score, score_breakdown, notes, rating, tags, "
        "title, amount, discovered_at FROM opportunities WHERE profile_id=?",
        (updated.id,),
    )
    after_map = {r[0]: r[1:] for r in after}
    mine = {k: v for k, v in before.items() if k in after_map}
    assert len(after_map) == result.counts["scored"] and result.counts["changed"] > 0
    matcher = FunderMatcher(updated, TODAY)
    by_id = {r.source_id: r for r in records}
    changed_scores = 0
    for source_id, row in after_map.items():
        old = mine[source_id]
        # same id, stage, user fields and display columns...
        assert row[0] == old[0] and row[1:3] == old[1:3] and row[5:] == old[5:]
        # ...and the new score, even where it fell below the threshold
        outcome = matcher.score(by_id[source_id])
        assert outcome is not None
        assert row[3] == pytest.approx(outcome.total, abs=1e-4)
        changed_scores += row[3] != old[3]
    assert changed_scores > 0
    assert (
        sql(
            path,
            "SELECT id, score, score_breakdown FROM opportunities WHERE profile_id=? ORDER BY id",
            (other.id,),
        )
        == other_before
    )


def test_discover_cancel_stops_at_a_chunk_boundary_and_rerun_completes(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    records = funder_records(30_000, seed=9)
    settings = ScoringSettings(chunk_size=500, workers=1, threshold=0.0, worker_priority="normal")

    async def main() -> Any:
        db = await Database.open(path)
        try:
            profile = await ProfileRepository(db).create(PROFILE)
            await insert_records(db, records)
            store = SqliteRunStore(db)
            engine = WorkflowEngine(store)
            handle = await start_discover(engine, db, profile.id, today=TODAY, settings=settings)
            seen: list[Any] = []
            cancelled = asyncio.Event()

            def on_progress(snapshot: Any) -> None:
                seen.append(snapshot)
                if snapshot.counts.get("scored", 0) >= 1000 and not cancelled.is_set():
                    cancelled.set()
                    handle.cancel()

            handle.subscribe(on_progress)
            first = await handle.wait()
            await asyncio.sleep(0.3)
            partial = sql(path, "SELECT count(*) FROM opportunities")[0][0]
            history = sql(path, "SELECT count(*) FROM stage_history")[0][0]
            run = await store.get_run(first.run_id)
            second = await discover(engine, db, profile.id, settings)
            return first, partial, history, run, second, seen
        finally:
            await db.close()

    first, partial, history, run, second, seen = asyncio.run(main())
    assert first.status == RunStatus.CANCELLED and run.status == RunStatus.CANCELLED
    assert 1000 <= partial < len(records) and history == partial  # only whole batches, each with its history
    assert seen[-1].final and seen[-1].status == "cancelled"
    assert second.status == RunStatus.SUCCEEDED
    assert (
        sql(path, "SELECT count(*), count(DISTINCT source_id) FROM opportunities")[0] == (len(records),) * 2
    )
    assert sql(path, "SELECT count(*) FROM stage_history")[0][0] == len(records)
    stored = sql(path, "SELECT counts FROM workflow_runs WHERE id=?", (second.run_id,))[0][0]
    assert json.loads(stored)["created"] == len(records) - partial


def test_rescore_and_discover_decline_opportunities_that_are_not_funders(tmp_path: Path) -> None:
    """An opportunity made by the old scoring for a peer (a public charity with no grantmaking)
    or for the profile's own organization leaves the pipeline: moved to declined with the reason,
    the user's notes kept; Discover never creates them again."""
    path = tmp_path / "db.sqlite3"
    peer = SourceRecord(
        Source.IRS_BMF, "000000777", RecordKind.ORGANIZATION, "Literacy Helpers", state="CA",
        ntee_code="B90", subsection="03", foundation_code="15",
    )  # fmt: skip
    own = replace(peer, source_id="000000888", name="Literacy Now")

    async def main() -> tuple[Any, Any]:
        db = await Database.open(path)
        try:
            profile = await ProfileRepository(db).create(replace(PROFILE, ein="000000888"))
            await insert_records(db, [peer, own, *funder_records(20)])
            await db.execute_many(
                "UPDATE source_records SET ein = source_id WHERE source = ?", [("irs_bmf",)]
            )
            for record in (peer, own):
                await db.execute_many(
                    "INSERT INTO opportunities (profile_id, source, source_id, title, notes) VALUES (?, ?, ?, ?, ?)",
                    [(profile.id, record.source.value, record.source_id, record.name, "call them")],
                )
            await db.execute_many(
                "INSERT INTO profile_stage_counts (profile_id, stage, n) VALUES (?, 'discover', 2)",
                [(profile.id,)],
            )
            engine = WorkflowEngine(SqliteRunStore(db))
            assert profile.id is not None
            rescored = await (
                await start_rescore(engine, db, profile.id, today=TODAY, settings=SETTINGS)
            ).wait()
            return rescored, await discover(engine, db, profile.id)
        finally:
            await db.close()

    rescored, discovered = asyncio.run(main())
    assert rescored.status == RunStatus.SUCCEEDED and rescored.counts["declined"] == 2
    assert discovered.counts["declined"] == 0  # already declined: not moved twice
    rows = sql(path, "SELECT source_id, stage, stage_rank, notes FROM opportunities WHERE source_id IN (?, ?)",
               ("000000777", "000000888"))  # fmt: skip
    assert sorted(rows) == [
        ("000000777", "declined", stage_rank(Stage.DECLINED), "call them"),  # the last rank (9)
        ("000000888", "declined", stage_rank(Stage.DECLINED), "call them"),
    ]
    reasons = sql(path, "SELECT reason FROM stage_history WHERE to_stage = 'declined' ORDER BY reason")
    assert reasons == [
        ("not a funder: a public charity with no grantmaking",),
        ("not a funder: your own organization",),
    ]
    counts = dict(sql(path, "SELECT stage, n FROM profile_stage_counts"))
    assert counts["declined"] == 2
