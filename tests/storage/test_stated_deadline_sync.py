"""A 990-PF's stated deadlines become tasks by themselves, on a real return imported by the real
990 import: the MARGARET MCNEIL TR 990-PF (tax year 2015), whose first how-to-apply entry's
SubmissionDeadlinesTxt is set to the text each test names (the real file says "None" there and in
its other entries, which are kept: a funder's entries are read together, and those naming no
date stay out of the task's note)."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.records import RecordKind, Source, SourceRecord
from catalynx_desktop.domain.stages import Stage, stage_rank
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.services import AppServices
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.source_records_store import upsert_records
from catalynx_desktop.storage.stated_deadlines import sync_funder_deadlines, sync_opportunity_deadlines
from catalynx_desktop.workflows.discover import start_discover
from catalynx_desktop.workflows.importing.irs990_import import import_returns
from catalynx_desktop.workflows.rescore import start_rescore
from catalynx_desktop.workflows.runs import RunStatus
from catalynx_desktop.workflows.scoring import ScoringSettings
from tests.sources.irs990.conftest import COPY
from tests.storage.test_funder_pipeline import PF_EIN, run_fresh

PF_FILE = COPY / "returns" / "201601249349100900_public.xml"
SETTINGS = ScoringSettings(chunk_size=97, workers=1, worker_priority="normal")
DEADLINE_TASKS = (
    "SELECT opportunity_id, kind, due_date, done, note FROM opportunity_tasks "
    "WHERE origin = 'irs_990_deadline' ORDER BY id"
)


def return_stating(folder: Path, text: str) -> Path:
    """A copy of the real 990-PF whose first SubmissionDeadlinesTxt says `text`."""
    xml = PF_FILE.read_text(encoding="utf-8")
    changed, replaced = re.subn(
        r"<SubmissionDeadlinesTxt>[^<]*</SubmissionDeadlinesTxt>",
        f"<SubmissionDeadlinesTxt>{text}</SubmissionDeadlinesTxt>",
        xml,
        count=1,
    )
    assert replaced == 1
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PF_FILE.name).write_text(changed, encoding="utf-8")
    return folder


def next_of(today: date, *month_days: tuple[int, int]) -> date:
    """The first of these annual dates on or after today (worked out here, not by the parser)."""
    return min(
        date(year, month, day)
        for year in (today.year, today.year + 1)
        for month, day in month_days
        if date(year, month, day) >= today
    )


BMF_RECORD = SourceRecord(
    Source.IRS_BMF, PF_EIN, RecordKind.FOUNDATION, "MARGARET MCNEIL TR", ein=PF_EIN, state="MA"
)


async def pipeline_opportunity(services: AppServices, name: str = "Cape Cod Arts") -> tuple[int, int]:
    """(profile id, opportunity id in Discover) on the funder's BMF record, for a new profile.
    Inserted as Discover would (a 990 may not be imported yet: the funders page needs one)."""
    profile = await services.profiles.create(Profile(name=name, states=("MA",)))
    assert profile.id is not None

    def insert(conn: sqlite3.Connection) -> int:
        upsert_records(conn, [BMF_RECORD])
        cursor = conn.execute(
            "INSERT INTO opportunities (profile_id, source_record_id, source, source_id, title, funder_name) "
            "SELECT ?, id, source, source_id, name, name FROM source_records WHERE source = ? AND source_id = ?",
            (profile.id, Source.IRS_BMF.value, PF_EIN),
        )
        return int(cursor.lastrowid or 0)

    return profile.id, await services.db.write(insert)


def rows(home: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(resolve_paths(home).database) as conn:
        return conn.execute(sql).fetchall()


def test_moving_to_plan_makes_one_task_and_a_rescore_none_twice(tmp_path: Path) -> None:
    home = tmp_path / "home"
    today = date.today()

    async def scenario() -> int:
        services = await AppServices.open(resolve_paths(home))
        try:
            folder = return_stating(tmp_path / "returns", "MARCH 1 AND SEPTEMBER 15TH OF EACH YEAR")
            report = await import_returns(services.db, folder, workers=1)
            assert report.inserted == 1
            profile_id, opportunity_id = await pipeline_opportunity(services)
            assert rows(home, DEADLINE_TASKS) == []  # still being discovered: no task
            opportunities = OpportunityRepository(services.db)
            await opportunities.move_stage([opportunity_id], Stage.PLAN, "shortlisted")
            assert len(rows(home, DEADLINE_TASKS)) == 1
            await opportunities.move_stage([opportunity_id], Stage.ANALYZE)  # worked stage to worked stage
            for _ in range(2):
                handle = await start_rescore(services.engine, services.db, profile_id, settings=SETTINGS)
                run = await handle.wait()
                assert run.status == RunStatus.SUCCEEDED, run.error
            # the sync functions themselves change nothing the second time
            assert (
                await services.db.write(lambda c: sync_opportunity_deadlines(c, [opportunity_id], today)) == 0
            )
            assert await services.db.write(lambda c: sync_funder_deadlines(c, [PF_EIN], today)) == 0
            return opportunity_id
        finally:
            await services.close()

    opportunity_id = run_fresh(scenario())
    expected = next_of(today, (3, 1), (9, 15))
    note = "Stated in the funder's 990-PF: MARCH 1 AND SEPTEMBER 15TH OF EACH YEAR"
    assert rows(home, DEADLINE_TASKS) == [(opportunity_id, "full_proposal", expected.isoformat(), 0, note)]


@pytest.mark.parametrize("text", ["None", "ROLLING", "Applications are reviewed quarterly"])
def test_text_without_a_date_makes_no_task(tmp_path: Path, text: str) -> None:
    home = tmp_path / "home"

    async def scenario() -> None:
        services = await AppServices.open(resolve_paths(home))
        try:
            report = await import_returns(services.db, return_stating(tmp_path / "returns", text), workers=1)
            assert report.inserted == 1
            profile_id, opportunity_id = await pipeline_opportunity(services)
            await OpportunityRepository(services.db).move_stage([opportunity_id], Stage.PLAN)
            handle = await start_rescore(services.engine, services.db, profile_id, settings=SETTINGS)
            assert (await handle.wait()).status == RunStatus.SUCCEEDED
        finally:
            await services.close()

    run_fresh(scenario())
    assert rows(home, DEADLINE_TASKS) == []
    assert rows(home, "SELECT count(*) FROM opportunity_tasks") == [(0,)]


def test_a_990_import_gives_worked_opportunities_their_task(tmp_path: Path) -> None:
    home = tmp_path / "home"
    today = date.today()

    async def scenario() -> tuple[int, int]:
        services = await AppServices.open(resolve_paths(home))
        try:
            _profile, shortlisted = await pipeline_opportunity(services)
            await OpportunityRepository(services.db).move_stage([shortlisted], Stage.EXAMINE)
            # another profile's opportunity on the same funder, still in Discover: no task
            _other, discovering = await pipeline_opportunity(services, "Hyannis Youth Theater")
            assert rows(home, DEADLINE_TASKS) == []  # no return imported yet
            folder = return_stating(tmp_path / "returns", "12/1/2015")
            assert (await import_returns(services.db, folder, workers=1)).inserted == 1
            assert (await import_returns(services.db, folder, workers=1)).inserted == 0  # nothing twice
            return shortlisted, discovering
        finally:
            await services.close()

    shortlisted, _discovering = run_fresh(scenario())
    expected = next_of(today, (12, 1))
    assert [(r[0], r[2]) for r in rows(home, DEADLINE_TASKS)] == [(shortlisted, expected.isoformat())]


@pytest.mark.parametrize("start", [start_rescore, start_discover], ids=["rescore", "discover"])
def test_a_run_catches_up_a_shortlist_made_without_a_stage_move(tmp_path: Path, start: Any) -> None:
    """An opportunity in Plan with no task yet (shortlisted by an older version): the first
    Rescore or Discover makes its task, the second nothing."""
    home = tmp_path / "home"
    today = date.today()

    async def scenario() -> tuple[int, list[int]]:
        services = await AppServices.open(resolve_paths(home))
        try:
            folder = return_stating(tmp_path / "returns", "Deadline is April 30")
            assert (await import_returns(services.db, folder, workers=1)).inserted == 1
            profile_id, opportunity_id = await pipeline_opportunity(services)
            await services.db.write(
                lambda c: c.execute(
                    "UPDATE opportunities SET stage = ?, stage_rank = ? WHERE id = ?",
                    (Stage.PLAN.value, stage_rank(Stage.PLAN), opportunity_id),
                )
            )
            counts = []
            for _ in range(2):
                handle = await start(services.engine, services.db, profile_id, settings=SETTINGS)
                run = await handle.wait()
                assert run.status == RunStatus.SUCCEEDED, run.error
                counts.append(len(rows(home, DEADLINE_TASKS)))
            return opportunity_id, counts
        finally:
            await services.close()

    opportunity_id, counts = run_fresh(scenario())
    assert counts == [1, 1]
    assert [(r[0], r[2]) for r in rows(home, DEADLINE_TASKS)] == [
        (opportunity_id, next_of(today, (4, 30)).isoformat())
    ]


def test_a_newer_990pf_that_names_no_deadline_removes_the_open_task(tmp_path: Path) -> None:
    """The task came from a 990-PF stating "12/1/2015"; a later filing for the funder (here an
    amendment of the same year: the higher object id counts) says "None": the reminder goes."""
    home = tmp_path / "home"

    async def scenario() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        services = await AppServices.open(resolve_paths(home))
        try:
            _profile, shortlisted = await pipeline_opportunity(services)
            await OpportunityRepository(services.db).move_stage([shortlisted], Stage.EXAMINE)
            assert (
                await import_returns(services.db, return_stating(tmp_path / "v1", "12/1/2015"), workers=1)
            ).inserted == 1
            with_task = rows(home, DEADLINE_TASKS)
            newer = return_stating(tmp_path / "v2", "None")
            (newer / PF_FILE.name).rename(newer / "201601249349100999_public.xml")
            assert (await import_returns(services.db, newer, workers=1)).inserted == 1
            return with_task, rows(home, DEADLINE_TASKS)
        finally:
            await services.close()

    with_task, after = run_fresh(scenario())
    assert len(with_task) == 1
    assert after == []
    assert rows(home, "SELECT object_id FROM irs_returns WHERE counts = 1") == [("201601249349100999",)]
