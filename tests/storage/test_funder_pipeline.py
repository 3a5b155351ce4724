"""Add to pipeline and a recipient's own page, on real returns imported by the real 990 import:
the opportunity's source is the funder's BMF record when one is imported, else its 990 record."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.records import RecordKind, Source, SourceRecord
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.services import AppServices
from catalynx_desktop.storage.source_records_store import upsert_records
from catalynx_desktop.workflows.importing.irs990_import import import_returns
from tests.sources.irs990.conftest import COPY

PF_EIN = "046662754"  # MARGARET MCNEIL TR UW CHARITY CO TD BANK, a 990-PF of the real samples
SCHEDULE_I_EIN = "741894581"  # UCHEALTH NORTHERN COLORADO FOUNDATION, a 990 with Schedule I

T = TypeVar("T")


def run_fresh(coro: Coroutine[Any, Any, T]) -> T:
    """Run on a fresh loop. Not asyncio.run(): that ends with set_event_loop(None), which would
    unset the session's qasync loop (tests/conftest.py) for GUI tests that run later."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def test_add_to_pipeline_prefers_the_bmf_record_and_is_idempotent(tmp_path: Path) -> None:
    async def scenario() -> None:
        services = await AppServices.open(resolve_paths(tmp_path / "home"))
        try:
            report = await import_returns(services.db, COPY / "returns", workers=1)
            assert report.inserted == 8
            profile = await services.profiles.create(Profile(name="Cape Cod Arts", states=("MA",)))
            assert profile.id is not None
            bmf = SourceRecord(
                Source.IRS_BMF, PF_EIN, RecordKind.FOUNDATION, "MARGARET MCNEIL TR", ein=PF_EIN, state="MA"
            )
            await services.db.write(lambda conn: upsert_records(conn, [bmf]))
            with_bmf = await services.funders.add_to_pipeline(profile.id, PF_EIN)
            assert with_bmf is not None and with_bmf.created and with_bmf.source == Source.IRS_BMF.value
            again = await services.funders.add_to_pipeline(profile.id, PF_EIN)
            assert again is not None and not again.created
            assert again.opportunity_id == with_bmf.opportunity_id
            without = await services.funders.add_to_pipeline(profile.id, SCHEDULE_I_EIN)
            assert without is not None and without.source == Source.IRS_990.value
            record = await services.db.fetch_one(
                "SELECT source, source_id, ein, is_grant_maker FROM source_records WHERE id = ?",
                (without.source_record_id,),
            )
            assert record == (Source.IRS_990.value, SCHEDULE_I_EIN, SCHEDULE_I_EIN, 1)
            assert await services.funders.add_to_pipeline(profile.id, "999999999") is None
            assert await services.funders.add_to_pipeline(profile.id + 99, PF_EIN) is None
            # Both are counted in Discover at once (the main table's tabs and totals read the
            # counts), once each although the first was added twice.
            counts = await services.db.fetch_all(
                "SELECT stage, n FROM profile_stage_counts WHERE profile_id = ? AND n > 0", (profile.id,)
            )
            assert counts == [(Stage.DISCOVER.value, 2)]
            # The BMF record of a funder opens that funder's page (a grant's matched recipient).
            funder_id = await services.funders.funder_id(PF_EIN)
            assert await services.funders.funder_of_record(with_bmf.source_record_id) == funder_id
            assert await services.funders.funder_of_record(without.source_record_id) is not None
        finally:
            await services.close()

    run_fresh(scenario())
