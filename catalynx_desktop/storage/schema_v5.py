"""Schema version 5: who gives what to whom, from IRS 990 / 990-PF / 990-EZ returns.

Normalized tables, no JSON: one row per return, per grant, per individual-grant line, per
person and per how-to-apply entry; then per-funder aggregates kept current by the writer
(storage/funder_aggregates.py) so the views never scan grants.

Which return counts: per (EIN, tax period) the stored return with the highest OBJECT_ID
(DOMAIN.md §4: the later filing, so an amendment wins). `irs_returns.counts` holds that
verdict and `irs_grants.counts` copies it, maintained on write (storage/giving_store.py);
the grant indexes are partial (WHERE counts = 1), so superseded grants stay stored but cost
no index space and no view ever has to work out the latest return.

Size (10M grants are expected): a grant row keeps small integer codes (kind, match method,
counts: 0 and 1 take no payload bytes in SQLite's record format), no copy of the funder's
EIN (a funder id), and its grants are inserted with consecutive ids per return, so the return
finds them by id range (first_grant_id..last_grant_id) without an index on return_id.
Sortable columns are NOT NULL: keyset paging compares (column, id) row values.
"""

from __future__ import annotations

# Sort columns of one funder's grants, each with a partial index (funder_id, column, id).
GRANT_SORT_COLUMNS: tuple[str, ...] = ("amount", "tax_year", "recipient_name")
# Only funders with more counting grants than this get their grants in the year and recipient
# indexes (irs_grants.large_funder = 1): a smaller funder's grants are read through the amount
# index and sorted, ≤ 2,000 rows in a few ms, and most grants belong to such funders, so the
# two indexes (~65 bytes a grant, the recipient's name among them) cost almost nothing.
LARGE_FUNDER_GRANTS = 2_000
# Sort columns of the funders view, each with an index (column, id) and (state, column, id).
FUNDER_SORT_COLUMNS: tuple[str, ...] = (
    "name",
    "latest_grants_paid",
    "grant_count",
    "median_grant",
    "trend",
)

_RETURNS = """
CREATE TABLE irs_returns (
    id INTEGER PRIMARY KEY,
    object_id TEXT NOT NULL UNIQUE,
    ein TEXT NOT NULL CHECK (length(ein) = 9),
    return_type TEXT NOT NULL CHECK (return_type IN ('990', '990PF', '990EZ')),
    tax_period TEXT NOT NULL,
    tax_period_end TEXT NOT NULL DEFAULT '',
    tax_year INTEGER,
    return_version TEXT NOT NULL DEFAULT '',
    amended INTEGER NOT NULL DEFAULT 0,
    filer_name TEXT NOT NULL DEFAULT '',
    filer_name_line2 TEXT NOT NULL DEFAULT '',
    address_line1 TEXT NOT NULL DEFAULT '',
    address_line2 TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    zip TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    total_assets INTEGER,
    fair_market_value INTEGER,
    total_revenue INTEGER,
    contributions_received INTEGER,
    total_grants_paid INTEGER,
    qualifying_distributions INTEGER,
    distributable_amount INTEGER,
    preselected_only INTEGER,
    grants_paid_count INTEGER NOT NULL DEFAULT 0,
    grants_paid_total INTEGER NOT NULL DEFAULT 0,
    future_grants_count INTEGER NOT NULL DEFAULT 0,
    future_grants_total INTEGER NOT NULL DEFAULT 0,
    individual_grants_total INTEGER NOT NULL DEFAULT 0,
    people_count INTEGER NOT NULL DEFAULT 0,
    first_grant_id INTEGER,
    last_grant_id INTEGER,
    counts INTEGER NOT NULL DEFAULT 0 CHECK (counts IN (0, 1)),
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)
"""

_GRANTS = """
CREATE TABLE irs_grants (
    id INTEGER PRIMARY KEY,
    return_id INTEGER NOT NULL REFERENCES irs_returns(id),
    funder_id INTEGER NOT NULL REFERENCES funders(id),
    kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),
    counts INTEGER NOT NULL CHECK (counts IN (0, 1)),
    tax_year INTEGER NOT NULL DEFAULT 0,
    amount INTEGER NOT NULL DEFAULT 0,
    recipient_name TEXT NOT NULL DEFAULT '',
    recipient_name_line2 TEXT NOT NULL DEFAULT '',
    recipient_ein TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    zip TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    foundation_status TEXT NOT NULL DEFAULT '',
    relationship TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    cash_amount INTEGER,
    noncash_amount INTEGER,
    matched_org_id INTEGER,
    match_method INTEGER NOT NULL DEFAULT 0 CHECK (match_method IN (0, 1, 2, 3)),
    large_funder INTEGER NOT NULL DEFAULT 0 CHECK (large_funder IN (0, 1))
)
"""

_FUNDERS = """
CREATE TABLE funders (
    id INTEGER PRIMARY KEY,
    ein TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    return_type TEXT NOT NULL DEFAULT '',
    latest_tax_year INTEGER NOT NULL DEFAULT 0,
    latest_grants_paid INTEGER NOT NULL DEFAULT 0,
    trend REAL NOT NULL DEFAULT -2.0,
    grant_count INTEGER NOT NULL DEFAULT 0,
    grants_total INTEGER NOT NULL DEFAULT 0,
    median_grant INTEGER NOT NULL DEFAULT 0,
    q1_grant INTEGER NOT NULL DEFAULT 0,
    q3_grant INTEGER NOT NULL DEFAULT 0,
    accepts_applications INTEGER,
    large INTEGER NOT NULL DEFAULT 0,
    refreshed_at TEXT NOT NULL DEFAULT '',
    gives INTEGER NOT NULL DEFAULT 0
)
"""


def _funder_indexes() -> list[str]:
    # The Funders view lists organizations that give (funders.gives: listed grants or a stated
    # total paid); the other EINs of 990 filers stay out of its indexes. The filter index
    # answers the view's counts from the index alone: a count that read the funders rows took
    # 60-630 ms on 100,000 funders, the budget for first rows is 300 ms.
    statements = ["CREATE INDEX ix_funders_filters ON funders(state, accepts_applications) WHERE gives = 1"]
    for column in FUNDER_SORT_COLUMNS:
        statements.append(f"CREATE INDEX ix_funders_{column} ON funders({column}, id) WHERE gives = 1")
        statements.append(
            f"CREATE INDEX ix_funders_state_{column} ON funders(state, {column}, id) WHERE gives = 1"
        )
    return statements


STATEMENTS: list[str] = [
    _RETURNS,
    "CREATE INDEX ix_irs_returns_ein_period ON irs_returns(ein, tax_period)",
    _FUNDERS,
    *_funder_indexes(),
    _GRANTS,
    "CREATE INDEX ix_irs_grants_funder_amount ON irs_grants(funder_id, amount, id) WHERE counts = 1",
    *(
        f"CREATE INDEX ix_irs_grants_funder_{column} ON irs_grants(funder_id, {column}, id) "
        "WHERE counts = 1 AND large_funder = 1"
        for column in GRANT_SORT_COLUMNS
        if column != "amount"
    ),
    """
    CREATE TABLE irs_individual_grants (
        id INTEGER PRIMARY KEY,
        return_id INTEGER NOT NULL REFERENCES irs_returns(id),
        grant_type TEXT NOT NULL DEFAULT '',
        recipient_count INTEGER,
        cash_amount INTEGER,
        noncash_amount INTEGER
    )
    """,
    "CREATE INDEX ix_irs_individual_grants_return ON irs_individual_grants(return_id)",
    """
    CREATE TABLE irs_people (
        id INTEGER PRIMARY KEY,
        return_id INTEGER NOT NULL REFERENCES irs_returns(id),
        name TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        hours_per_week TEXT NOT NULL DEFAULT '',
        compensation INTEGER
    )
    """,
    "CREATE INDEX ix_irs_people_return ON irs_people(return_id)",
    """
    CREATE TABLE irs_applications (
        id INTEGER PRIMARY KEY,
        return_id INTEGER NOT NULL REFERENCES irs_returns(id),
        contact_name TEXT NOT NULL DEFAULT '',
        address_line1 TEXT NOT NULL DEFAULT '',
        address_line2 TEXT NOT NULL DEFAULT '',
        city TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT '',
        zip TEXT NOT NULL DEFAULT '',
        country TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        form_and_materials TEXT NOT NULL DEFAULT '',
        deadlines TEXT NOT NULL DEFAULT '',
        restrictions TEXT NOT NULL DEFAULT ''
    )
    """,
    "CREATE INDEX ix_irs_applications_return ON irs_applications(return_id)",
    # Where a funder's dollars go (counting returns, listed grants paid): by recipient state and
    # by recipient NTEE major group ('' = recipient not matched to the BMF or without NTEE).
    """
    CREATE TABLE funder_states (
        funder_id INTEGER NOT NULL REFERENCES funders(id),
        state TEXT NOT NULL,
        grants INTEGER NOT NULL,
        amount INTEGER NOT NULL,
        PRIMARY KEY (funder_id, state)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE funder_ntee (
        funder_id INTEGER NOT NULL REFERENCES funders(id),
        major_group TEXT NOT NULL,
        grants INTEGER NOT NULL,
        amount INTEGER NOT NULL,
        PRIMARY KEY (funder_id, major_group)
    ) WITHOUT ROWID
    """,
    # "Funders of organizations like mine": a like grant (to a matched recipient in one of the
    # profile's NTEE major groups) scores 1, plus 1 each for the profile's 3-character NTEE
    # code, state and size band. The score is a sum over grants of independent terms, so it is
    # the sum of each funder's grant counts under the profile's keys: 'G:<group>',
    # 'C:<code>', 'S:<group>:<state>', 'B:<group>:<band>' (storage/funder_aggregates.py).
    # Ranking reads only those keys' rows through the covering index: ~200k rows for two big
    # groups at 10M grants, where one row per (group, code, state, band) read 500k rows and
    # evaluated the terms on each (650 ms).
    """
    CREATE TABLE funder_likeness (
        funder_id INTEGER NOT NULL REFERENCES funders(id),
        key TEXT NOT NULL,
        grants INTEGER NOT NULL,
        amount INTEGER NOT NULL,
        PRIMARY KEY (funder_id, key)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX ix_funder_likeness_key ON funder_likeness(key, grants, amount)",
    # Normalized BMF names for matching recipients (domain/recipients.py), one row per BMF
    # organization, filled from source_records by storage/recipient_matching.py.
    """
    CREATE TABLE bmf_name_keys (
        name_key TEXT NOT NULL,
        state TEXT NOT NULL,
        record_id INTEGER NOT NULL,
        city_key TEXT NOT NULL,
        PRIMARY KEY (name_key, state, record_id)
    ) WITHOUT ROWID
    """,
    "CREATE TABLE giving_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE VIRTUAL TABLE funder_search USING fts5(name, city, tokenize = 'unicode61 remove_diacritics 2')",
]
