"""Schema version 1: profiles, source records, opportunities with stage history, workflow runs.

Opportunities carry denormalized copies of the columns the table sorts on (title, funder,
amount, close date) so a page is one indexed range scan with no joins. Sortable columns are
NOT NULL (0 / '' mean "not stated") because keyset paging compares (column, id) row values
and NULLs would break that order.
"""

from __future__ import annotations

# Columns the opportunity table can sort on; every one has an index per profile and per
# (profile, stage). The names here are SQL identifiers and are the only ones ever spliced
# into a statement (see storage/opportunity_queries.py).
SORTABLE_COLUMNS: tuple[str, ...] = (
    "score",
    "stage_rank",
    "close_date",
    "amount",
    "title",
    "funder_name",
    "discovered_at",
)


def _sort_indexes() -> list[str]:
    statements = []
    for column in SORTABLE_COLUMNS:
        statements.append(f"CREATE INDEX ix_opp_profile_{column} ON opportunities(profile_id, {column}, id)")
        if column != "stage_rank":
            statements.append(
                f"CREATE INDEX ix_opp_profile_stage_{column} "
                f"ON opportunities(profile_id, stage_rank, {column}, id)"
            )
    return statements


SORT_INDEX_STATEMENTS: list[str] = _sort_indexes()

STATEMENTS: list[str] = [
    """
    CREATE TABLE profiles (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        ein TEXT,
        ntee_code TEXT,
        target_ntee_codes TEXT NOT NULL DEFAULT '[]',
        focus_areas TEXT NOT NULL DEFAULT '[]',
        keywords TEXT NOT NULL DEFAULT '[]',
        states TEXT NOT NULL DEFAULT '[]',
        nationwide INTEGER NOT NULL DEFAULT 0,
        min_amount INTEGER,
        max_amount INTEGER,
        annual_revenue INTEGER,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'draft', 'archived')),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )
    """,
    "CREATE INDEX ix_profiles_name ON profiles(name COLLATE NOCASE)",
    """
    CREATE TABLE source_records (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        funder_name TEXT NOT NULL DEFAULT '',
        ein TEXT,
        city TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT '',
        country TEXT NOT NULL DEFAULT '',
        ntee_code TEXT NOT NULL DEFAULT '',
        subsection TEXT NOT NULL DEFAULT '',
        foundation_code TEXT NOT NULL DEFAULT '',
        is_grant_maker INTEGER NOT NULL DEFAULT 0,
        award_floor INTEGER,
        award_ceiling INTEGER,
        total_funding INTEGER,
        assets INTEGER,
        income INTEGER,
        revenue INTEGER,
        post_date TEXT,
        close_date TEXT,
        status TEXT NOT NULL DEFAULT '',
        eligible_applicants TEXT NOT NULL DEFAULT '',
        cfda_numbers TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL DEFAULT '',
        opportunity_number TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        ruling_date TEXT NOT NULL DEFAULT '',
        extra TEXT NOT NULL DEFAULT '{}',
        imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        UNIQUE (source, source_id)
    )
    """,
    "CREATE INDEX ix_source_records_ein ON source_records(ein)",
    "CREATE INDEX ix_source_records_name_state ON source_records(name COLLATE NOCASE, state)",
    """
    CREATE TABLE opportunities (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        source_record_id INTEGER REFERENCES source_records(id) ON DELETE SET NULL,
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        funder_name TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT '',
        stage TEXT NOT NULL DEFAULT 'discover'
            CHECK (stage IN ('discover', 'plan', 'analyze', 'examine', 'approach', 'declined')),
        stage_rank INTEGER NOT NULL DEFAULT 0 CHECK (stage_rank = CASE stage
            WHEN 'discover' THEN 0 WHEN 'plan' THEN 1 WHEN 'analyze' THEN 2
            WHEN 'examine' THEN 3 WHEN 'approach' THEN 4 ELSE 5 END),
        score REAL NOT NULL DEFAULT 0 CHECK (score >= 0 AND score <= 1),
        score_breakdown TEXT NOT NULL DEFAULT '{}',
        amount INTEGER NOT NULL DEFAULT 0,
        close_date TEXT NOT NULL DEFAULT '',
        discovered_at TEXT NOT NULL DEFAULT (date('now')),
        rating INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
        priority TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        notes TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        UNIQUE (profile_id, source, source_id)
    )
    """,
    "CREATE INDEX ix_opp_source_record ON opportunities(source_record_id)",
    *SORT_INDEX_STATEMENTS,
    """
    CREATE TABLE stage_history (
        id INTEGER PRIMARY KEY,
        opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
        from_stage TEXT,
        to_stage TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        moved_by TEXT NOT NULL DEFAULT '',
        moved_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )
    """,
    "CREATE INDEX ix_stage_history_opportunity ON stage_history(opportunity_id, id)",
    # Per-profile, per-stage counts so the profile list (with counts) is one small query instead
    # of a scan of every opportunity. Stage moves keep it exact through the trigger below; bulk
    # inserts and deletes call storage.stage_counts.recount_stage_counts() once per transaction
    # instead (a per-row insert trigger made bulk inserts ~5x slower next to the sort indexes).
    """
    CREATE TABLE profile_stage_counts (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        n INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (profile_id, stage)
    ) WITHOUT ROWID
    """,
    """
    CREATE TRIGGER tr_opp_count_update AFTER UPDATE OF stage, profile_id ON opportunities
    WHEN OLD.stage IS NOT NEW.stage OR OLD.profile_id IS NOT NEW.profile_id BEGIN
        UPDATE profile_stage_counts SET n = n - 1
        WHERE profile_id = OLD.profile_id AND stage = OLD.stage;
        INSERT INTO profile_stage_counts(profile_id, stage, n) VALUES (NEW.profile_id, NEW.stage, 1)
        ON CONFLICT(profile_id, stage) DO UPDATE SET n = n + 1;
    END
    """,
    """
    CREATE TABLE workflow_runs (
        id INTEGER PRIMARY KEY,
        workflow TEXT NOT NULL,
        parameters TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL CHECK (status IN
            ('pending', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'partial')),
        started_at TEXT,
        finished_at TEXT,
        duration_s REAL,
        counts TEXT NOT NULL DEFAULT '{}',
        error TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )
    """,
    "CREATE INDEX ix_workflow_runs_status ON workflow_runs(status)",
    "CREATE INDEX ix_workflow_runs_created ON workflow_runs(created_at, id)",
    """
    CREATE TABLE workflow_steps (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES workflow_runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 1,
        started_at TEXT,
        finished_at TEXT,
        duration_s REAL,
        counts TEXT NOT NULL DEFAULT '{}',
        error TEXT NOT NULL DEFAULT '',
        UNIQUE (run_id, name)
    )
    """,
]
