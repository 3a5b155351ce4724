"""Schema version 4: every column of the IRS Business Master File, as the IRS wrote it.

Versions 1-3 kept 15 of the BMF's 28 columns and read RULING '000000' as "no date" (empty):
GROUP, AFFILIATION, CLASSIFICATION, DEDUCTIBILITY, ACTIVITY, ORGANIZATION, STATUS, the size and
filing codes, ACCT_PD and SORT_NAME were dropped, though several of them tell who makes grants
(ACTIVITY 602/903, STATUS 25, DEDUCTIBILITY 2, PF_FILING_REQ_CD 1, chapters by AFFILIATION 9 and
SORT_NAME; see shared/DOMAIN.md §1). They become real columns, not JSON in `extra`, so later code
can filter and index on them in SQL. All are text: codes keep their leading zeros ('01', '0000').

ADD COLUMN with a constant default does not rewrite the table (SQLite stores the default in the
schema), so the migration is instant at 1.9M rows. Rows imported before it read '' until the
BMF is imported again; the next import fills them (an update in place, no duplicates).
"""

from __future__ import annotations

# (column, BMF header) in the order of the file; the column order of source_records_store.
BMF_TEXT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("group_exemption", "GROUP"),
    ("affiliation", "AFFILIATION"),
    ("classification", "CLASSIFICATION"),
    ("ruling", "RULING"),  # YYYYMM as given, '000000' = none (ruling_date holds the date or '')
    ("deductibility", "DEDUCTIBILITY"),
    ("activity", "ACTIVITY"),
    ("organization_type", "ORGANIZATION"),
    ("exempt_status", "STATUS"),  # not `status`: that column is a federal opportunity's status
    ("tax_period", "TAX_PERIOD"),
    ("asset_code", "ASSET_CD"),
    ("income_code", "INCOME_CD"),
    ("filing_requirement", "FILING_REQ_CD"),
    ("pf_filing_requirement", "PF_FILING_REQ_CD"),
    ("accounting_period", "ACCT_PD"),
    ("sort_name", "SORT_NAME"),
)

STATEMENTS: list[str] = [
    f"ALTER TABLE source_records ADD COLUMN {column} TEXT NOT NULL DEFAULT ''"
    for column, _header in BMF_TEXT_COLUMNS
]
