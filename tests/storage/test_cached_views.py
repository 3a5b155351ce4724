"""Reopened views come from the cache exactly while the data version is unchanged."""

from __future__ import annotations

from catalynx_desktop.cache import Cache
from catalynx_desktop.domain.query import OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.services.views import CachedViews
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from tests.storage.helpers import open_demo_db, run


def test_snapshot_hit_equals_fresh_query_and_writes_invalidate(tmp_path):
    async def scenario():
        db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=3000)
        cache = await Cache.open(tmp_path / "cache")
        try:
            repo = OpportunityRepository(db)
            views = CachedViews(repo, db, cache)
            query = OpportunityQuery(demo.profile_ids[0], None, SortKey.TITLE, False)
            fresh, fresh_rows = await views.open(query, 256)
            assert (views.hits, views.misses) == (0, 1)
            await views.flush()
            again, cached_rows = await views.open(query, 256)
            assert (views.hits, views.misses) == (1, 1)
            assert cached_rows == fresh_rows and again.total == fresh.total == 3000
            # later pages of a snapshot-based result read on from the cached keys correctly
            assert [r.id for r in await again.page(256, 256)] == [r.id for r in await fresh.page(256, 256)]
            assert [r.id for r in await again.page(2900, 256)] == [r.id for r in await fresh.page(2900, 256)]

            await repo.move_stage([fresh_rows[0].id], Stage.DECLINED, "test")
            await views.flush()
            _, after_write = await views.open(query, 256)
            assert views.misses == 2  # the write bumped the data version: no stale rows
            assert after_write[0].stage == "declined"
            await views.flush()
        finally:
            await cache.close()
            await db.close()

    run(scenario())


def test_without_a_cache_views_still_open(tmp_path):
    async def scenario():
        db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=300)
        try:
            views = CachedViews(OpportunityRepository(db), db, None)
            result, rows = await views.open(OpportunityQuery(demo.profile_ids[0]), 100)
            assert result.total == 300 and len(rows) == 100
        finally:
            await db.close()

    run(scenario())
