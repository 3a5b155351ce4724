"""Issue 14, item 4: the cached first page of a view after a restore or a new database in the
same place. The snapshot was keyed on the data version alone, a counter that starts again in a
new database and goes back with a restored one: the window showed 3,000 old rows over a new
2,000-row database. Now the key holds the database's identity too (schema_v9)."""

from __future__ import annotations

from pathlib import Path

from catalynx_desktop.cache import Cache
from catalynx_desktop.domain.query import OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.services.views import CachedViews
from catalynx_desktop.storage.backup import backup_file, restore_backup
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.migrations import LATEST_VERSION
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from tests.storage.helpers import open_demo_db, run


def remove_database(database: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


async def open_view(db: Database, cache: Cache, query: OpportunityQuery) -> tuple[CachedViews, int, list]:
    views = CachedViews(OpportunityRepository(db), db, cache)
    result, rows = await views.open(query, 256)
    await views.flush()
    return views, result.total, rows


def test_a_new_database_in_the_same_place_never_shows_the_old_rows(tmp_path: Path) -> None:
    async def scenario() -> None:
        cache = await Cache.open(tmp_path / "cache")
        try:
            db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=3000)
            query = OpportunityQuery(demo.profile_ids[0], None, SortKey.TITLE, False)
            _, total, _ = await open_view(db, cache, query)
            assert total == 3000
            old_version = await db.data_version()
            await db.close()
            remove_database(tmp_path / "catalynx.sqlite3")

            db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=2000)
            assert await db.data_version() == old_version  # the counter started again
            views, total, rows = await open_view(db, cache, query)
            assert (views.hits, views.misses) == (0, 1)
            assert total == 2000
            fresh = await OpportunityRepository(db).open(query, 256)
            assert [r.id for r in rows] == [r.id for r in fresh[1]]
            await db.close()
        finally:
            await cache.close()

    run(scenario())


def test_a_restored_database_never_shows_rows_of_the_timeline_it_replaced(tmp_path: Path) -> None:
    async def scenario() -> None:
        database = tmp_path / "catalynx.sqlite3"
        cache = await Cache.open(tmp_path / "cache")
        try:
            db, demo = await open_demo_db(tmp_path, profiles=1, opportunities=600)
            await db.close()
            backup = backup_file(database, tmp_path / "backups", reason="test")
            db = await Database.open(database)
            repo = OpportunityRepository(db)
            declined = OpportunityQuery(demo.profile_ids[0], Stage.DECLINED, SortKey.TITLE, False)
            everything = OpportunityQuery(demo.profile_ids[0], None, SortKey.TITLE, False)
            _, all_rows = await repo.open(everything, 600)
            _, before, _ = await open_view(db, cache, declined)
            await repo.move_stage([r.id for r in all_rows[:5] if r.stage != "declined"], Stage.DECLINED, "x")
            _, with_five, _ = await open_view(db, cache, declined)  # cached at version n + 1
            await db.close()

            restore_backup(backup, database, tmp_path / "backups", LATEST_VERSION)
            db = await Database.open(database)
            repo = OpportunityRepository(db)
            await repo.move_stage([all_rows[-1].id], Stage.DECLINED, "y")  # version n + 1 again
            views, total, _ = await open_view(db, cache, declined)
            assert views.misses == 1
            assert total == (await repo.open(declined, 10))[0].total == before + 1 != with_five
            await db.close()
        finally:
            await cache.close()

    run(scenario())
