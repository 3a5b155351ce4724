"""Matching.evaluate on a real database of generated giving: the same figures as the domain's
back-test on the same data, progress on the caller's loop, Cancel during the read and the run."""

from __future__ import annotations

import asyncio
import threading

import pytest

from catalynx_desktop.domain.evaluation import back_test
from catalynx_desktop.domain.scoring import DEFAULT_WEIGHTS
from catalynx_desktop.services.matching import Matching
from catalynx_desktop.storage.database import Database
from tests.datagen.giving_gen import generate
from tests.datagen.giving_store_gen import store_generated_giving


def test_evaluate_progress_years_and_cancel(run, tmp_path):
    path = tmp_path / "catalynx.sqlite3"
    run(store_generated_giving(path, seed=13, funders=60, recipients=400))

    async def scenario() -> None:
        db = await Database.open(path)
        try:
            matching = Matching(db)
            assert await matching.grant_years() == [2024, 2023, 2022, 2021]
            loop_thread = threading.get_ident()
            seen: list[tuple[int, int, int]] = []
            result = await matching.evaluate(
                None, DEFAULT_WEIGHTS, 100, progress=lambda d, t: seen.append((d, t, threading.get_ident()))
            )
            grants, orgs = generate(13, 60, 400)
            assert result == back_test(grants, orgs, max_recipients=100)  # stored = generated
            assert seen[-1][:2] == (100, 100) and {thread for _, _, thread in seen} == {loop_thread}
            assert len(seen) <= 12  # throttled to 10 a second (this run takes well under a second)

            stop = threading.Event()
            stop.set()  # cancelled before the first 50,000 grants were read
            with pytest.raises(InterruptedError):
                await matching.evaluate(None, DEFAULT_WEIGHTS, cancel=stop)
            stop = threading.Event()  # Cancel as soon as the first progress arrives: mid-run
            task = asyncio.ensure_future(
                matching.evaluate(None, DEFAULT_WEIGHTS, None, progress=lambda *_: stop.set(), cancel=stop)
            )
            with pytest.raises(InterruptedError):
                await asyncio.wait_for(task, 30)
        finally:
            await db.close()

    run(scenario(), timeout=120)
