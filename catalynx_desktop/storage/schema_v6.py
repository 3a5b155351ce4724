"""Schema version 6: from shortlist to award.

- opportunities: the stage CHECKs take the outcome stages (submitted, awarded, declined by
  funder, withdrawn) and stage_rank follows domain.stages.PIPELINE, where 'declined' (we
  declined) moves from rank 5 to the end. SQLite cannot alter a CHECK, so the table is rebuilt
  the documented way (https://sqlite.org/lang_altertable.html#otheralter): new table from the
  stored CREATE text with only the two CHECKs replaced (columns other versions added stay),
  rows copied with their ids, old table dropped, new one renamed, then every index and trigger
  the old table had re-created from its stored SQL. The per-stage counts are keyed by stage
  name, so they stay exact. Foreign keys are off on the migration connection (SQLite's default;
  checked), so dropping the old table cascades nothing. Measured on a 1M-opportunity database
  (2 cores, busy): copy 8 s, drop 6 s, the 14 indexes 30 s, commit 7 s, plus the backup taken
  before any migration. Editing the CHECK text in place (PRAGMA writable_schema) would take
  seconds, but SQLite documents that shortcut only for removing constraints, not changing them.
- opportunity_outcomes: amount requested and awarded, decision date, award period.
- opportunity_tasks: dated tasks; automatic ones are unique per (opportunity, origin); tasks of
  opportunities in a hidden stage (domain.tasks.HIDDEN_FROM_DEADLINES) are flagged by a trigger.
- funder_contacts, opportunity_contacts, interactions.
- database_identity: a random id for calendar UIDs.
"""

from __future__ import annotations

import re
import sqlite3

from catalynx_desktop.domain.stages import PIPELINE
from catalynx_desktop.domain.tasks import HIDDEN_FROM_DEADLINES
from catalynx_desktop.storage.schema_v2 import BUMP_SQL

_STAGE_LIST = ", ".join(f"'{stage.value}'" for stage in PIPELINE)
STAGE_CHECK = f"CHECK (stage IN ({_STAGE_LIST}))"
STAGE_RANK_CASE = (
    "CASE stage "
    + " ".join(f"WHEN '{stage.value}' THEN {rank}" for rank, stage in enumerate(PIPELINE))
    + " END"
)
STAGE_RANK_CHECK = f"CHECK (stage_rank = {STAGE_RANK_CASE})"

# The CHECKs of versions 1-5, whitespace-insensitive (the stored text keeps the source's layout).
_OLD_STAGE_CHECK = re.compile(r"CHECK\s*\(\s*stage\s+IN\s*\([^)]*\)\s*\)", re.IGNORECASE)
_OLD_RANK_CHECK = re.compile(
    r"CHECK\s*\(\s*stage_rank\s*=\s*CASE\s+stage\b.*?\bEND\s*\)", re.IGNORECASE | re.DOTALL
)
_TABLE_HEAD = re.compile(r"^\s*CREATE\s+TABLE\s+\"?opportunities\"?", re.IGNORECASE)

TASK_KINDS = ("letter_of_inquiry", "full_proposal", "report_due", "follow_up", "other")
TASK_ORIGINS = ("user", "grants_gov_close_date", "irs_990_deadline")
INTERACTION_KINDS = ("call", "email", "meeting", "letter", "other")
CONTACT_ORIGINS = ("irs_990", "user")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


_HIDDEN = _in(tuple(stage.value for stage in HIDDEN_FROM_DEADLINES))


_ISO_DATE = "GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
_NOW = "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"

STATEMENTS: list[str] = [
    f"""
    CREATE TABLE opportunity_outcomes (
        opportunity_id INTEGER PRIMARY KEY REFERENCES opportunities(id) ON DELETE CASCADE,
        amount_requested INTEGER CHECK (amount_requested IS NULL OR amount_requested >= 0),
        amount_awarded INTEGER CHECK (amount_awarded IS NULL OR amount_awarded >= 0),
        decision_date TEXT CHECK (decision_date IS NULL OR decision_date {_ISO_DATE}),
        award_start TEXT CHECK (award_start IS NULL OR award_start {_ISO_DATE}),
        award_end TEXT CHECK (award_end IS NULL OR award_end {_ISO_DATE}),
        updated_at TEXT NOT NULL DEFAULT {_NOW},
        CHECK (award_start IS NULL OR award_end IS NULL OR award_start <= award_end)
    )
    """,
    f"""
    CREATE TABLE opportunity_tasks (
        id INTEGER PRIMARY KEY,
        opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ({_in(TASK_KINDS)})),
        due_date TEXT NOT NULL CHECK (due_date {_ISO_DATE}),
        done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
        note TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL DEFAULT 'user' CHECK (origin IN ({_in(TASK_ORIGINS)})),
        -- 1 while the opportunity is in a stage the Deadlines view leaves out (kept by a trigger)
        hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
        created_at TEXT NOT NULL DEFAULT {_NOW},
        updated_at TEXT NOT NULL DEFAULT {_NOW}
    )
    """,
    "CREATE INDEX ix_tasks_opportunity ON opportunity_tasks(opportunity_id, due_date, id)",
    # The Deadlines view reads open tasks in due order across all profiles: a partial index
    # holds only what it lists, so its pages and its bucket counts are index range reads with
    # no look at the opportunity per task (a join to check the stage made the counts ~0.5 s
    # for 60,000 overdue tasks; the range counts take a few ms).
    "CREATE INDEX ix_tasks_open_due ON opportunity_tasks(due_date, id) WHERE done = 0 AND hidden = 0",
    # A move into or out of a hidden stage flags the opportunity's tasks (one index probe per
    # moved row, only for such moves: 15,000 rows to "not a fit" took ~2.2 s instead of ~1.9 s).
    # The stage list is fixed at version 6.
    f"""
    CREATE TRIGGER tr_tasks_hidden_with_stage AFTER UPDATE OF stage ON opportunities
    WHEN (OLD.stage IN ({_HIDDEN})) IS NOT (NEW.stage IN ({_HIDDEN})) BEGIN
        UPDATE opportunity_tasks SET hidden = (NEW.stage IN ({_HIDDEN})) WHERE opportunity_id = NEW.id;
    END
    """,
    # One automatic task per opportunity and origin: re-running Discover updates it in place.
    "CREATE UNIQUE INDEX ux_tasks_automatic ON opportunity_tasks(opportunity_id, origin) WHERE origin <> 'user'",
    f"""
    CREATE TABLE funder_contacts (
        id INTEGER PRIMARY KEY,
        funder_ein TEXT NOT NULL DEFAULT '',
        source_record_id INTEGER REFERENCES source_records(id) ON DELETE SET NULL,
        name TEXT NOT NULL CHECK (name <> ''),
        role TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL DEFAULT 'user' CHECK (origin IN ({_in(CONTACT_ORIGINS)})),
        created_at TEXT NOT NULL DEFAULT {_NOW},
        updated_at TEXT NOT NULL DEFAULT {_NOW}
    )
    """,
    "CREATE INDEX ix_contacts_ein ON funder_contacts(funder_ein, id) WHERE funder_ein <> ''",
    "CREATE INDEX ix_contacts_record ON funder_contacts(source_record_id, id) WHERE source_record_id IS NOT NULL",
    # Officers copied from a return are unique per funder, name and title: a re-import adds none twice.
    "CREATE UNIQUE INDEX ux_contacts_irs ON funder_contacts(funder_ein, name, role) WHERE origin = 'irs_990'",
    """
    CREATE TABLE opportunity_contacts (
        opportunity_id INTEGER PRIMARY KEY REFERENCES opportunities(id) ON DELETE CASCADE,
        contact_id INTEGER NOT NULL REFERENCES funder_contacts(id) ON DELETE CASCADE
    )
    """,
    "CREATE INDEX ix_opportunity_contacts_contact ON opportunity_contacts(contact_id)",
    f"""
    CREATE TABLE interactions (
        id INTEGER PRIMARY KEY,
        opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
        contact_id INTEGER REFERENCES funder_contacts(id) ON DELETE SET NULL,
        happened_on TEXT NOT NULL CHECK (happened_on {_ISO_DATE}),
        kind TEXT NOT NULL CHECK (kind IN ({_in(INTERACTION_KINDS)})),
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT {_NOW}
    )
    """,
    "CREATE INDEX ix_interactions_opportunity ON interactions(opportunity_id, happened_on, id)",
    "CREATE INDEX ix_interactions_contact ON interactions(contact_id) WHERE contact_id IS NOT NULL",
    # A random id of this database, kept by backups and restores: calendar UIDs of exported tasks
    # include it, so two data directories never produce the same event ids.
    "CREATE TABLE database_identity (id INTEGER PRIMARY KEY CHECK (id = 1), uid TEXT NOT NULL)",
    "INSERT INTO database_identity (id, uid) VALUES (1, lower(hex(randomblob(8))))",
]
DATABASE_UID_SQL = "SELECT uid FROM database_identity WHERE id = 1"


def new_table_sql(old_sql: str, new_name: str) -> str:
    """The stored CREATE TABLE of `opportunities` with the v6 CHECKs and another name."""
    replaced, stage_found = _OLD_STAGE_CHECK.subn(STAGE_CHECK, old_sql)
    replaced, rank_found = _OLD_RANK_CHECK.subn(STAGE_RANK_CHECK, replaced)
    replaced, head_found = _TABLE_HEAD.subn(f"CREATE TABLE {new_name}", replaced)
    if (stage_found, rank_found, head_found) != (1, 1, 1):
        # Not the table this migration knows: stop (the runner rolls back) rather than guess.
        raise RuntimeError(
            "migration 6: the opportunities table does not have the expected stage constraints "
            f"(found {stage_found} stage, {rank_found} rank CHECKs)"
        )
    return replaced


def rebuild_opportunities(conn: sqlite3.Connection) -> None:
    """Rebuild `opportunities` with the v6 CHECKs, keeping every row, id, index and trigger."""
    if conn.execute("PRAGMA foreign_keys").fetchone()[0]:
        # With enforcement on, DROP TABLE would delete the stage history through its cascade.
        raise RuntimeError("migration 6 must run with foreign keys off")
    old_sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'opportunities'"
    ).fetchone()[0]
    dependents = conn.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'opportunities' AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY type, name"
    ).fetchall()
    columns = [row[1] for row in conn.execute("PRAGMA table_info(opportunities)")]
    conn.execute(new_table_sql(old_sql, "opportunities_v6"))
    # Column names come from the table's own schema; stage_rank is recomputed for the new order.
    select = ", ".join(STAGE_RANK_CASE if c == "stage_rank" else f'"{c}"' for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    conn.execute(f"INSERT INTO opportunities_v6 ({names}) SELECT {select} FROM opportunities ORDER BY id")
    conn.execute("DROP TABLE opportunities")
    conn.execute("ALTER TABLE opportunities_v6 RENAME TO opportunities")
    for (sql,) in dependents:
        conn.execute(sql)
    problems = conn.execute("PRAGMA foreign_key_check(opportunities)").fetchall()
    if problems:
        raise RuntimeError(f"migration 6: {len(problems)} opportunities lost their profile or record")


def migrate(conn: sqlite3.Connection) -> None:
    rebuild_opportunities(conn)
    for statement in STATEMENTS:
        conn.execute(statement)
    # Stored ranks changed ('declined' moved): cached first pages and keys of older data
    # versions must not be reused.
    conn.execute(BUMP_SQL)
