"""An award recorded in the pipeline is a past gift from that funder when opportunities are scored
again (the relationship dimension), as a gift from the user's own list is."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from catalynx_desktop.domain.runs import RunStatus
from catalynx_desktop.domain.scoring import ScoreResult
from catalynx_desktop.storage.workflow_run_store import SqliteRunStore
from catalynx_desktop.workflows.discover import ScoringSettings
from catalynx_desktop.workflows.engine import WorkflowEngine
from catalynx_desktop.workflows.rescore import start_rescore
from tests.storage.dossier_fixture import FUNDER_EIN, TODAY, build_dossier_db

SETTINGS = ScoringSettings(chunk_size=97, workers=1, worker_priority="normal")


def _relationship(path: Path, opportunity_id: int) -> str:
    with sqlite3.connect(path) as conn:
        (text,) = conn.execute(
            "SELECT score_breakdown FROM opportunities WHERE id = ?", (opportunity_id,)
        ).fetchone()
    return next(d.reason for d in ScoreResult.from_json(text).breakdown if d.name == "relationship")


def _rescored_relationship(tmp_path: Path, also_listed: bool = False) -> str:
    async def main() -> Any:
        db, opportunity_id = await build_dossier_db(
            tmp_path
        )  # an earlier proposal to the funder: awarded $4,000
        if also_listed:  # the same gift, also typed into the user's own grantor list
            await db.write(
                lambda c: c.execute(
                    "INSERT INTO gifts (list_source_id, funder_ein, funder_name, gift_date, amount, file, "
                    "row_number) VALUES ('list:1', ?, 'Lake Champlain Fund', '2024-06-03', 4000, "
                    "'grantors.xlsx', 2)",
                    (FUNDER_EIN,),
                )
            )
        try:
            (profile_id,) = (
                await db.fetch_all("SELECT profile_id FROM opportunities WHERE id = ?", (opportunity_id,))
            )[0]
            engine = WorkflowEngine(SqliteRunStore(db))
            run = await (await start_rescore(engine, db, profile_id, today=TODAY, settings=SETTINGS)).wait()
            await engine.shutdown()
            return opportunity_id, run
        finally:
            await db.close()

    opportunity_id, run = asyncio.run(main())
    assert run.status == RunStatus.SUCCEEDED, run.error
    return _relationship(tmp_path / "catalynx.sqlite3", opportunity_id)


def test_a_recorded_award_is_a_past_gift_at_the_next_rescore(tmp_path: Path) -> None:
    reason = _rescored_relationship(tmp_path)
    assert "gave you $4,000 in 2024" in reason, reason


def test_an_award_also_in_the_grantor_list_counts_once(tmp_path: Path) -> None:
    reason = _rescored_relationship(tmp_path, also_listed=True)
    assert "gave you $4,000 in 2024" in reason, reason
    assert "gifts" not in reason, reason  # not "2 gifts, $8,000 in all"
