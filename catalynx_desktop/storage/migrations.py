"""Schema migrations in order, tracked by PRAGMA user_version, with a backup taken first.

Migrations run synchronously on a plain sqlite3 connection; callers run them off the UI
thread (Database.open does so through asyncio.to_thread).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from catalynx_desktop.storage import (
    schema_v1,
    schema_v2,
    schema_v3,
    schema_v4,
    schema_v5,
    schema_v6,
    schema_v7,
    schema_v8,
    schema_v9,
    schema_v10,
)
from catalynx_desktop.storage.backup import BackupCheck, backup_database
from catalynx_desktop.storage.errors import CorruptDatabaseError, NewerDatabaseError, is_damage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: Sequence[str] = ()
    run: Callable[[sqlite3.Connection], None] | None = None


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1, "profiles, source records, opportunities, stage history, workflow runs", schema_v1.STATEMENTS
    ),
    Migration(2, "data version for caches", schema_v2.STATEMENTS),
    Migration(3, "full-text search over source records", schema_v3.STATEMENTS),
    Migration(4, "every IRS BMF column as given", schema_v4.STATEMENTS),
    Migration(5, "IRS 990 returns, grants, people and funder aggregates", schema_v5.STATEMENTS),
    Migration(6, "outcome stages, outcomes, tasks, contacts, interactions", run=schema_v6.migrate),
    Migration(7, "the user's gifts, one row per gift; 990 grants by recipient", schema_v7.STATEMENTS),
    Migration(8, "the process that runs each workflow run", schema_v8.STATEMENTS),
    Migration(9, "database identity for caches", schema_v9.STATEMENTS, schema_v9.new_identity),
    Migration(10, "each task's profile, for a profile's next open tasks", schema_v10.STATEMENTS),
)

LATEST_VERSION = MIGRATIONS[-1].version


def read_user_version(conn: sqlite3.Connection, path: Path) -> int:
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as error:
        if is_damage(error):
            raise CorruptDatabaseError(path, str(error)) from error
        # Locked, a full disk that cannot take the WAL index, a read-only folder, ...: the file
        # is fine, so not "damaged"; Database.open classifies it with the right advice.
        raise


def migrate(
    path: Path, backups_dir: Path, *, keep_backups: int = 5, migrations: Sequence[Migration] = MIGRATIONS
) -> int:
    """Bring the database at `path` to the latest version. Returns the version it was at.

    Refuses (without writing) a database that is newer than this app or that is not a
    database. A non-empty database is backed up before the first migration step.
    """
    latest = migrations[-1].version if migrations else 0
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        found = read_user_version(conn, path)
        if found > latest:
            raise NewerDatabaseError(path, found, latest)
        if found == latest:
            return found
        has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        if found == 0 and has_tables:
            raise CorruptDatabaseError(path, "it has tables but no Catalynx schema version")
        if found > 0:
            backup_database(
                conn,
                backups_dir,
                reason=f"before-migration-v{found}",
                keep=keep_backups,
                check=BackupCheck.QUICK,  # on the start-up path: see BackupCheck
                source=path,
            )
        for migration in migrations:
            if migration.version <= found:
                continue
            log.info("migrating %s to v%d: %s", path, migration.version, migration.description)
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in migration.statements:
                    conn.execute(statement)
                if migration.run is not None:
                    migration.run(conn)
                # PRAGMA does not take parameters; the version is an int from our own table.
                conn.execute(f"PRAGMA user_version = {int(migration.version)}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # SQLite may have rolled back already (disk full)
                    conn.execute("ROLLBACK")
                raise
        return found
    finally:
        conn.close()
